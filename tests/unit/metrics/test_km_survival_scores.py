"""Kaplan-Meier distance scores and the AML normalisation (METHODS §5.3)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter

from synth_plugins import catalog
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics import km_survival_scores


def test_hand_computed_toy_example() -> None:
    # real: S = 1 before 1, 0.5 on [1, 2), 0 from 2; synthetic: S = 1 before 2, then 0
    result = km_survival_scores([1, 2], [1, 1], [2, 2], [1, 1], n_points=3)
    # grid 1, 1.5, 2: differences 0.5, 0.5, 0 -> trapezoid 0.375, over T_max = 2
    assert result.optimism == pytest.approx(0.1875)
    assert result.km_divergence == pytest.approx(0.1875)
    assert result.short_sightedness == 0.0
    assert result.optimism_score == pytest.approx(0.8125)
    assert result.score == pytest.approx((0.8125 + 0.8125 + 1) / 3)
    assert result.t_max == 2.0


def test_signs_and_normalisation() -> None:
    rng = np.random.default_rng(0)
    real_t = rng.exponential(5, 200)
    longer = km_survival_scores(real_t, np.ones(200), real_t * 1.5, np.ones(200))
    assert longer.optimism > 0  # synthetic patients survive longer
    assert longer.short_sightedness < 0  # the synthetic follow-up is longer
    assert longer.short_sightedness_score == pytest.approx(1 - abs(longer.short_sightedness))
    shorter = km_survival_scores(real_t, np.ones(200), real_t * 0.5, np.ones(200))
    assert shorter.optimism < 0
    assert shorter.short_sightedness > 0


def test_identical_data_is_perfect() -> None:
    rng = np.random.default_rng(1)
    t, e = rng.exponential(3, 50), rng.integers(0, 2, 50)
    result = km_survival_scores(t, e, t, e)
    assert (result.optimism, result.km_divergence, result.short_sightedness) == (0, 0, 0)
    assert result.score == 1.0
    assert result.n_points == 50  # the number of real rows, as in the AML study
    assert catalog.metric("km_survival_scores").direction == "maximize"


def test_vectorised_prediction_equals_synthcity_scalar_loop() -> None:
    rng = np.random.default_rng(2)
    t, e = rng.exponential(3, 40).round(1), rng.integers(0, 2, 40)
    kmf = KaplanMeierFitter().fit(t, e)
    grid = np.linspace(0, t.max(), 57)
    vectorised = kmf.predict(grid).to_numpy()
    scalar = np.array([kmf.predict(point) for point in grid])
    np.testing.assert_array_equal(vectorised, scalar)


def test_bad_inputs() -> None:
    with pytest.raises(InvalidDataError, match="empty"):
        km_survival_scores([], [], [1], [1])
    with pytest.raises(InvalidDataError, match="differ in length"):
        km_survival_scores([1, 2], [1], [1], [1])
    with pytest.raises(InvalidDataError, match="<= 0"):
        km_survival_scores([-1, 2], [1, 1], [1], [1])
    with pytest.raises(InvalidDataError, match="missing"):
        km_survival_scores([np.nan, 2], [1, 1], [1], [1])
    with pytest.raises(InvalidDataError, match="0/1"):
        km_survival_scores([1, 2], [1, 2], [1], [1])
    with pytest.raises(InvalidDataError, match="durations must be > 0"):
        km_survival_scores([0, 2], [1, 1], [1], [1])
    with pytest.raises(InvalidParameterError, match="n_points"):
        km_survival_scores([1, 2], [1, 1], [1, 3], [1, 0], n_points=1)
    with pytest.raises(InvalidDataError, match="real has 1 row"):  # a curve of one step
        km_survival_scores([3.0], [1], [2.0, 4.0], [0, 1])
    assert km_survival_scores([3.0, 5.0], [1, 0], [2.0, 4.0], [0, 1]).n_points == 2


def test_series_from_different_rows_are_refused() -> None:
    """Durations and events are paired by position: Series whose indexes differ (one
    reversed, one reset) would pair one patient's time with another's event."""
    import pandas as pd

    time = pd.Series([5.0, 8.0, 13.0, 21.0], index=[10, 11, 12, 13])
    event = pd.Series([1, 0, 1, 1], index=[10, 11, 12, 13])
    for other in (event[::-1], event.reset_index(drop=True)):
        with pytest.raises(InvalidDataError, match="different indexes"):
            km_survival_scores(time, event, time, other)
    same = km_survival_scores(time, event, time.to_numpy(), event[::-1].to_numpy())
    assert np.isfinite(same.score)
    with pytest.raises(InvalidDataError, match="time spans"):  # read as nanoseconds before
        km_survival_scores(pd.to_timedelta(time, "D"), event, time, event)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(2, 40), m=st.integers(2, 40))
def test_bounds(seed: int, n: int, m: int) -> None:
    rng = np.random.default_rng(seed)
    result = km_survival_scores(
        rng.exponential(2, n) + 0.01,
        rng.integers(0, 2, n),
        rng.exponential(rng.uniform(0.5, 4), m) + 0.01,
        rng.integers(0, 2, m),
    )
    assert -1 <= result.optimism <= 1
    assert 0 <= result.km_divergence <= 1
    assert abs(result.optimism) <= result.km_divergence + 1e-12
    assert -1 <= result.short_sightedness <= 1
    assert 0 <= result.score <= 1

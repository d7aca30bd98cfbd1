"""The AML study's normalised fidelity metrics (METHODS §5.2)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth_plugins import catalog
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics import (
    aml_basic_statistical_measure,
    aml_fidelity,
    aml_log_transformed_correlation_score,
    aml_regularized_support_coverage,
    association_matrix,
)
from synth_plugins.metrics.associations import signed_log


def test_basic_measure_by_hand() -> None:
    real = pd.DataFrame({"x": [1.0, 3.0]})
    synthetic = pd.DataFrame({"x": [2.0, 4.0]})
    measure, mean_score, median_score, std_score = aml_basic_statistical_measure(
        real, synthetic, ["x"]
    )
    # every difference is divided by the real mean 2: mean 1/2, median 1/2, std 0
    assert (mean_score, median_score, std_score) == pytest.approx((0.5, 0.5, 1.0))
    assert measure == pytest.approx(2 / 3)
    # relative to the real mean, not to the real median or std
    shifted = aml_basic_statistical_measure(real + 100, synthetic + 100, ["x"])
    assert shifted[1] == pytest.approx(1 - 1 / 102)


def test_basic_measure_guards() -> None:
    zero_mean = pd.DataFrame({"x": [-1.0, 1.0]})
    assert aml_basic_statistical_measure(zero_mean, zero_mean, ["x"])[0] == 1.0
    # x / 0 is clipped to 1
    assert aml_basic_statistical_measure(zero_mean, zero_mean + 1, ["x"])[1] == 0.0
    assert aml_basic_statistical_measure(zero_mean, zero_mean, []) == (1.0, 1.0, 1.0, 1.0)


def test_support_coverage_by_hand() -> None:
    real = pd.DataFrame({"g": ["a", "a", "b", None]})
    synthetic = pd.DataFrame({"g": ["a", "b", "b", "c"]})
    # a: 1/2; b: min(2, 1) = 1; missing: absent -> 0; over 3 levels
    assert aml_regularized_support_coverage(real, synthetic, ["g"]) == pytest.approx(0.5)
    numbers = pd.DataFrame({"x": np.arange(1.0, 11.0)})
    assert aml_regularized_support_coverage(numbers, numbers, []) == pytest.approx(1.0)
    # synthetic values in the lowest decile only: 1 of 10 buckets covered
    low = pd.DataFrame({"x": np.full(10, 1.0)})
    assert aml_regularized_support_coverage(numbers, low, []) == pytest.approx(0.1)
    # the last bucket is closed on the right: the real maximum counts
    top = pd.DataFrame({"x": np.full(10, 10.0)})
    assert aml_regularized_support_coverage(numbers, top, []) == pytest.approx(0.1)
    # a constant column is one bucket
    constant = pd.DataFrame({"x": np.full(5, 2.0)})
    assert aml_regularized_support_coverage(constant, constant, []) == 1.0


def test_log_correlation_uses_no_epsilon_and_skips_nan_cells() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(size=200)
    real = pd.DataFrame({"a": z, "b": z + rng.normal(size=200)})
    synthetic = pd.DataFrame({"a": z, "b": z + 2 * rng.normal(size=200)})
    score = aml_log_transformed_correlation_score(real, synthetic, [])
    log_r = signed_log(association_matrix(real, [], nan_replace_value=-1).to_numpy())
    log_s = signed_log(association_matrix(synthetic, [], nan_replace_value=-1).to_numpy())
    relative = min(1.0, abs((log_r[0, 1] - log_s[0, 1]) / log_r[0, 1]))
    assert score == pytest.approx(1 - relative)  # the diagonal (0 / 0) is skipped
    assert aml_log_transformed_correlation_score(real, real, []) == 1.0
    single = pd.DataFrame({"a": z})
    assert aml_log_transformed_correlation_score(single, single, []) == 1.0


def _table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    return pd.DataFrame(
        {
            "age": 60 + 10 * z,
            "wbc": np.where(rng.random(n) < 0.1, np.nan, np.exp(z)),
            "sex": rng.choice(["m", "f"], n),
            "mut": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
        }
    )


def test_identical_data_is_perfect_and_result_fields() -> None:
    real = _table(100, 1)
    result = aml_fidelity(real, real)
    assert result.score == 1.0
    assert result.basic_statistical_measure == 1.0
    assert result.log_transformed_correlation_score == 1.0
    assert result.regularized_support_coverage == 1.0
    assert result.n_numeric_columns == 2
    assert result.n_categorical_columns == 2
    assert next(iter(result.to_dict())) == "score"
    assert catalog.metric("aml_fidelity").direction == "maximize"


def test_shuffled_columns_lower_the_correlation_score() -> None:
    real = _table(300, 2)
    rng = np.random.default_rng(0)
    shuffled = real.apply(lambda column: rng.permutation(column.to_numpy()))
    assert (
        aml_fidelity(real, shuffled).log_transformed_correlation_score
        < aml_fidelity(real, _table(300, 3)).log_transformed_correlation_score
    )


def test_edge_cases_and_errors() -> None:
    real, synthetic = _table(30, 4), _table(20, 5)
    real["empty"] = np.nan
    synthetic["empty"] = np.nan
    result = aml_fidelity(real, synthetic)
    assert all(math.isfinite(v) for v in result.to_dict().values())
    with pytest.raises(InvalidDataError, match="same columns"):
        aml_fidelity(real, synthetic.drop(columns="age"))
    with pytest.raises(InvalidDataError, match="0 row"):
        aml_fidelity(real, synthetic.iloc[:0])
    with pytest.raises(InvalidParameterError, match="clip_value"):
        aml_fidelity(real, synthetic, clip_value=0)


def test_clip_value_caps_each_part_within_its_range() -> None:
    """A cap above 1 let the parts fall below 0 (log-correlation -1.38 at 5, -6.2 at 50):
    it is refused; a cap in (0, 1] keeps each part in [1 - clip_value, 1], the cases the
    guards decide (``x / 0``, one side undefined) counting the cap too."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=300)
    real = pd.DataFrame({"a": x, "b": x + rng.normal(0, 1, 300), "c": rng.normal(size=300) + 5})
    synthetic = pd.DataFrame(
        {"a": rng.normal(size=300) + 3, "b": rng.normal(size=300) * 4, "c": rng.normal(size=300)}
    )
    from synth_plugins.sdmetrics import AmlFidelity

    for clip in (1.5, 5.0):
        with pytest.raises(InvalidParameterError, match="clip_value"):
            aml_fidelity(real, synthetic, clip_value=clip)
        with pytest.raises(InvalidParameterError, match="clip_value"):
            AmlFidelity.compute(real, synthetic, clip_value=clip)
        with pytest.raises(InvalidParameterError, match="clip_value"):
            aml_basic_statistical_measure(real, synthetic, ["a"], clip_value=clip)
        with pytest.raises(InvalidParameterError, match="clip_value"):
            aml_log_transformed_correlation_score(real, synthetic, [], clip_value=clip)
    parts = ("basic_mean_score", "basic_median_score", "basic_std_score")
    parts += ("log_transformed_correlation_score",)
    for clip in (0.1, 0.5, 1.0):
        result = aml_fidelity(real, synthetic, clip_value=clip).to_dict()
        assert all(1 - clip <= result[part] <= 1 for part in parts)
    # a zero real mean: the ratio is x / 0, which counts the cap
    zero_mean = pd.DataFrame({"x": [-1.0, 1.0]})
    scores = aml_basic_statistical_measure(zero_mean, zero_mean + 1, ["x"], clip_value=0.25)
    assert scores[1] == pytest.approx(0.75)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(2, 30), m=st.integers(2, 30))
def test_bounds(seed: int, n: int, m: int) -> None:
    rng = np.random.default_rng(seed)

    def table(rows: int) -> pd.DataFrame:
        x = rng.normal(size=rows) * rng.choice([0.01, 1, 100])
        x[rng.random(rows) < 0.2] = np.nan
        return pd.DataFrame({"x": x, "k": rng.choice(["a", "b", None], rows)})

    result = aml_fidelity(table(n), table(m), categorical_columns=["k"])
    for value in (
        result.score,
        result.basic_statistical_measure,
        result.log_transformed_correlation_score,
        result.regularized_support_coverage,
    ):
        assert 0.0 <= value <= 1.0

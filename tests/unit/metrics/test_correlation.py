"""Correlation L1 distance (KerusCloud slides, METHODS §6.4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth_plugins import catalog
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics import correlation_l1


def test_hand_computed_toy_example() -> None:
    real = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]})  # r = 1
    synthetic = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]})  # r = -1
    assert correlation_l1(real, synthetic).l1 == pytest.approx(2.0)
    assert correlation_l1(real, synthetic, triangle="full").l1 == pytest.approx(4.0)
    assert correlation_l1(real, synthetic, reduce="mean").l1 == pytest.approx(2.0)
    full_mean = correlation_l1(real, synthetic, triangle="full", reduce="mean")
    assert full_mean.l1 == pytest.approx(1.0)
    assert full_mean.n_cells == 4


def test_three_variables_by_hand() -> None:
    real = pd.DataFrame({"x": [1, 2, 3, 4], "y": [1, 2, 3, 4], "z": [1, 0, 0, 1]})
    synthetic = pd.DataFrame({"x": [1, 2, 3, 4], "y": [4, 3, 2, 1], "z": [1, 0, 0, 1]})
    # x-y flips from 1 to -1; x-z and y-z are 0 in both (z is symmetric)
    result = correlation_l1(real, synthetic, categorical_columns=[])
    assert result.l1 == pytest.approx(2.0)
    assert result.n_cells == 3
    assert result.max_abs_difference == pytest.approx(2.0)


def test_spearman_ignores_monotone_transforms() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    real = pd.DataFrame({"x": x, "y": x + rng.normal(size=200)})
    synthetic = real.assign(y=np.exp(3 * real["y"]))
    assert correlation_l1(real, synthetic, method="spearman").l1 == pytest.approx(0.0, abs=1e-12)
    assert correlation_l1(real, synthetic, method="pearson").l1 > 0.1


def test_identical_and_shuffled() -> None:
    rng = np.random.default_rng(1)
    z = rng.normal(size=300)
    real = pd.DataFrame(
        {
            "age": 50 + 10 * z,
            "sex": np.where(z + rng.normal(size=300) > 0, "m", "f"),
            "y": (z > 0).astype(int),
        }
    )
    assert correlation_l1(real, real).l1 == 0.0
    shuffled = real.apply(lambda column: rng.permutation(column.to_numpy()))
    assert correlation_l1(real, shuffled).l1 > 0.5
    assert catalog.metric("correlation_l1").direction == "minimize"


def test_synthetic_dtype_never_changes_the_score() -> None:
    # grades 0, 1 and 10: the real values decide that they are correlated as numbers, in
    # both tables, whether the synthetic (or the real) column holds them as a category
    rng = np.random.default_rng(0)

    def table(n: int) -> pd.DataFrame:
        x = rng.normal(size=n)
        return pd.DataFrame({"x": x, "grade": np.select([x < -0.5, x < 0.7], [0, 1], 10)})

    real, synthetic = table(200), table(200)
    reference = correlation_l1(real, synthetic)
    as_category = synthetic.assign(grade=synthetic["grade"].astype("category"))
    real_category = real.assign(grade=real["grade"].astype("category"))
    for pair in ((real, as_category), (real_category, synthetic), (real_category, as_category)):
        result = correlation_l1(*pair)
        assert result.l1 == pytest.approx(reference.l1, abs=1e-12)
        assert result.real_correlation.equals(reference.real_correlation)
    assert reference.real_correlation.loc["x", "grade"] == pytest.approx(
        np.corrcoef(real["x"], real["grade"])[0, 1]
    )
    # SDMetrics: the metadata's categorical sdtype is the core's categorical_columns
    from synth_plugins.sdmetrics import CorrelationL1

    metadata = {"columns": {"x": {"sdtype": "numerical"}, "grade": {"sdtype": "categorical"}}}
    assert CorrelationL1.compute(real, as_category, metadata) == pytest.approx(reference.l1)
    # an ordered categorical is encoded by its declared order, in both tables alike
    order = pd.CategoricalDtype([10, 1, 0], ordered=True)
    ordered = correlation_l1(real.assign(grade=real["grade"].astype(order)), synthetic)
    assert ordered.real_correlation.loc["x", "grade"] < 0


def test_constant_and_missing_columns_never_give_nan() -> None:
    real = pd.DataFrame({"a": [1.0, 2.0, 3.0], "c": [5.0, 5.0, 5.0], "n": [np.nan] * 3})
    synthetic = pd.DataFrame({"a": [3.0, 2.0, 1.0], "c": [1.0, 2.0, 3.0], "n": [np.nan] * 3})
    result = correlation_l1(real, synthetic, categorical_columns=[])
    assert np.isfinite(result.l1)
    # a-c: undefined in real (c constant), -1 in synthetic -> 1 + |-1|; n: undefined in both
    assert result.l1 == pytest.approx(2.0)
    assert result.n_undefined == 1
    one = correlation_l1(real[["a"]], synthetic[["a"]], reduce="mean")
    assert (one.l1, one.n_cells) == (0.0, 0)


def test_bad_inputs() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0]})
    with pytest.raises(InvalidDataError, match="same columns"):
        correlation_l1(frame, frame[["a"]])
    with pytest.raises(InvalidDataError, match="0 row"):
        correlation_l1(frame.iloc[:0], frame)
    with pytest.raises(InvalidParameterError, match="method"):
        correlation_l1(frame, frame, method="tau")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="triangle"):
        correlation_l1(frame, frame, triangle="lower")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="unknown: \\['z'\\]"):
        correlation_l1(frame, frame, columns=["a", "z"])
    with pytest.raises(InvalidParameterError, match="not the string"):
        correlation_l1(frame, frame, columns="a")


def test_too_few_rows_for_a_correlation_is_an_error_not_a_perfect_score() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 4.0, 6.0]})  # r = 1
    with pytest.raises(InvalidDataError, match="synthetic has 1 row.*at least 2"):
        correlation_l1(frame, frame.iloc[:1])
    with pytest.raises(InvalidDataError, match="real has 1 row.*at least 2"):
        correlation_l1(frame.iloc[:1], frame.iloc[:1], triangle="full")
    # enough rows, but no pair observed together twice in either table
    sparse = pd.DataFrame({"a": [1.0, 2.0, np.nan, np.nan], "b": [np.nan, np.nan, 1.0, 2.0]})
    with pytest.raises(InvalidDataError, match="no correlation .* is defined"):
        correlation_l1(sparse, sparse, categorical_columns=[])
    constant = pd.DataFrame({"a": [1.0, 1.0, 1.0], "b": [2.0, 2.0, 2.0]})
    with pytest.raises(InvalidDataError, match="constant column"):
        correlation_l1(constant, constant, triangle="full", categorical_columns=[])
    # defined on one side only still scores (the worst difference for that cell)
    assert correlation_l1(constant, frame, categorical_columns=[]).l1 == pytest.approx(2.0)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(2, 20), p=st.integers(1, 5))
def test_bounds(seed: int, n: int, p: int) -> None:
    rng = np.random.default_rng(seed)
    real = pd.DataFrame(rng.normal(size=(n, p)), columns=[f"c{i}" for i in range(p)])
    synthetic = pd.DataFrame(rng.normal(size=(n + 1, p)), columns=real.columns)
    upper = correlation_l1(real, synthetic, categorical_columns=[])
    full = correlation_l1(real, synthetic, triangle="full", categorical_columns=[])
    assert 0.0 <= upper.l1 <= 2 * upper.n_cells
    assert full.l1 == pytest.approx(2 * upper.l1)


def test_collapsed_columns_score_worse_than_a_faithful_sample() -> None:
    """SDMetrics ranking: a table whose numeric columns collapse to one value (distorted
    marginals, dependence lost) must not beat fresh real rows (sampling noise only)."""
    import synth_plugins  # noqa: F401 - registers the SDMetrics classes
    from synth_plugins.datasets import load
    from synth_plugins.sdmetrics import CorrelationL1
    from synth_plugins.testing import metric_conformance as kit

    data = kit.metric_data(load("heart_failure"))
    numeric = [c for c in data.train.columns if data.train[c].nunique() > 2]
    collapsed = data.fresh.assign(**{c: data.fresh[c].median() for c in numeric})
    faithful = CorrelationL1.compute(data.train, data.fresh)
    distorted = CorrelationL1.compute(data.train, collapsed)
    assert faithful < distorted
    assert CorrelationL1.normalize(faithful) > CorrelationL1.normalize(distorted)
    # what the score does not see: a per-column affine change keeps Pearson correlations
    rescaled = data.train.assign(**{c: 10 * data.train[c] + 5 for c in numeric})
    assert CorrelationL1.compute(data.train, rescaled) == pytest.approx(0.0, abs=1e-9)


def test_keruscloud_titanic_level_1_figure() -> None:
    """Independent columns (the slides' Level 1) give about 1.28 on sex, age, fare and
    survived with the upper-triangle Pearson sum; about 2.7 with pclass added."""
    from synth_plugins.datasets import load

    titanic = load("titanic").data[["pclass", "sex", "age", "fare", "survived"]]
    rng = np.random.default_rng(0)
    deck = ["sex", "age", "fare", "survived"]
    values = []
    for _ in range(20):
        independent = titanic.apply(lambda column: rng.permutation(column.to_numpy()))
        values.append(correlation_l1(titanic, independent, columns=deck).l1)
        assert correlation_l1(titanic, independent).l1 > 2.3
    assert np.mean(values) == pytest.approx(1.28, abs=0.08)
    kendall = correlation_l1(titanic, titanic.iloc[::-1].reset_index(drop=True), method="kendall")
    assert kendall.l1 == pytest.approx(0.0, abs=1e-12)

"""TabSynDex and its five components (METHODS §5.1)."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth_plugins import catalog
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics import tabsyndex
from synth_plugins.metrics.tabsyndex import (
    basic_statistical_score,
    log_transformed_correlation_score,
    mape,
    pmse_score,
    support_coverage_score,
)


def test_mape_keeps_the_signed_epsilon() -> None:
    assert float(mape(2.0, 1.0)) == pytest.approx(1 / 2.000001)
    assert float(mape(-1.0, 0.0)) == pytest.approx(1 / 0.999999)
    assert float(mape(0.0, 0.0)) == 0.0


def test_basic_statistics_by_hand() -> None:
    real = pd.DataFrame({"x": [1.0, 3.0]})
    synthetic = pd.DataFrame({"x": [1.0, 5.0]})
    # mean 2 vs 3, std (ddof 0) 1 vs 2, median 2 vs 3
    errors = 1 / 2.000001 + min(1.0, 1 / 1.000001) + 1 / 2.000001
    assert basic_statistical_score(real, synthetic) == pytest.approx(1 - errors / 3)
    assert basic_statistical_score(real, real) == 1.0


def test_log_correlation_by_hand() -> None:
    real = pd.DataFrame([[1.0, 0.5], [0.5, 1.0]])
    synthetic = pd.DataFrame([[1.0, 0.4], [0.4, 1.0]])
    error = abs(math.log(0.5) - math.log(0.4)) / abs(math.log(0.5) + 1e-6)
    assert log_transformed_correlation_score(real, synthetic) == pytest.approx(1 - error)
    # an association of exactly 0 gives log 0 (the reference gets NaN)
    zero = pd.DataFrame([[1.0, 0.0], [0.0, 1.0]])
    assert log_transformed_correlation_score(zero, zero) == 1.0
    assert log_transformed_correlation_score(zero, synthetic) == 0.0
    assert log_transformed_correlation_score(pd.DataFrame([[1.0]]), pd.DataFrame([[1.0]])) == 1.0


def test_support_coverage_by_hand() -> None:
    real = pd.DataFrame({"g": ["a", "a", "b", "b"]})
    synthetic = pd.DataFrame({"g": ["a", "a", "a", "c"]})
    # a: min(3 / 2, 2) = 1.5; b: absent -> 0; mean 0.75
    assert support_coverage_score(real, synthetic, ["g"]) == pytest.approx(0.75)
    numbers = pd.DataFrame({"x": np.arange(20.0)})
    assert support_coverage_score(numbers, numbers, []) == pytest.approx(1.0)
    # all synthetic values in the first of 20 equal-width bins: min(20, 2) / 20
    assert support_coverage_score(numbers, pd.DataFrame({"x": np.zeros(20)}), []) == (
        pytest.approx(0.1)
    )
    # over-coverage of one level is capped at 2 and the column at 1
    over = pd.DataFrame({"g": ["a", "a", "a", "b"]})
    assert support_coverage_score(pd.DataFrame({"g": ["a", "b", "b", "b"]}), over, ["g"]) == 1.0


def test_pmse_score_of_identical_tables() -> None:
    table = np.random.default_rng(0).random((50, 3))
    score, pmse, ratio = pmse_score(table, table)
    assert pmse == pytest.approx(0.0, abs=1e-8)
    assert ratio == pytest.approx(0.0, abs=1e-4)
    assert score == pytest.approx(1 / 1.2, abs=1e-6)


def _table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    return pd.DataFrame(
        {
            "x": z + 0.3 * rng.normal(size=n),
            "w": 2 * z + rng.normal(size=n),
            "g": np.where(z + rng.normal(size=n) > 0, "hi", "lo"),
            "k": rng.choice(["a", "b", "c"], n),
            "y": (z > 0).astype(int),
        }
    )


def test_identical_data_gives_perfect_components() -> None:
    real = _table(120, 1)
    result = tabsyndex(real, real, target_column="y", task="class")
    assert result.basic_score == 1.0
    assert result.corr_score == 1.0
    assert result.ml_score == 1.0
    assert result.sup_score == 1.0
    assert result.pmse_score == pytest.approx(1 / 1.2, abs=1e-4)  # pMSE 0 is below its null
    assert result.score == pytest.approx((4 + result.pmse_score) / 5)


def test_shuffled_columns_lower_the_correlation_score() -> None:
    real = _table(150, 2)
    rng = np.random.default_rng(0)
    shuffled = real.apply(lambda column: rng.permutation(column.to_numpy()))
    faithful = tabsyndex(real, _table(150, 3), target_column="y")
    broken = tabsyndex(real, shuffled, target_column="y")
    assert broken.corr_score < faithful.corr_score
    assert broken.basic_score == pytest.approx(1.0)  # marginals are untouched
    assert broken.sup_score == 1.0


def test_regression_and_holdout() -> None:
    real, synthetic = _table(80, 4), _table(80, 5)
    result = tabsyndex(real, synthetic, target_column="w", task="regr")
    assert 0.0 <= result.ml_score <= 1.0
    held = tabsyndex(real, synthetic, target_column="y", ml_holdout_fraction=0.3)
    assert 0.0 <= held.ml_score <= 1.0
    assert result.to_dict().keys() == held.to_dict().keys()
    assert catalog.metric("tabsyndex").direction == "maximize"


def test_edge_cases_never_give_nan() -> None:
    real, synthetic = _table(40, 6), _table(40, 7)
    synthetic["y"] = 1  # a single class in the synthetic target
    real["empty"] = np.nan
    synthetic["empty"] = np.nan
    real["const"] = 3.0
    synthetic["const"] = 3.0
    result = tabsyndex(real, synthetic, target_column="y")
    assert all(math.isfinite(v) for v in result.to_dict().values())
    assert all(0.0 <= v <= 1.0 for k, v in result.to_dict().items() if k.endswith("score"))


def test_bad_inputs() -> None:
    real = _table(20, 8)
    with pytest.raises(InvalidDataError, match="same columns"):
        tabsyndex(real, real.drop(columns="x"))
    with pytest.raises(InvalidDataError, match="0 row"):
        tabsyndex(real.iloc[:0], real)
    with pytest.raises(InvalidParameterError, match="target_column"):
        tabsyndex(real, real, target_column="nope")
    with pytest.raises(InvalidParameterError, match="numeric target"):
        tabsyndex(real, real, target_column="g", task="regr")
    with pytest.raises(InvalidParameterError, match="task"):
        tabsyndex(real, real, task="cluster")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="ml_holdout_fraction"):
        tabsyndex(real, real, ml_holdout_fraction=1.5)


def test_a_numeric_class_target_is_label_encoded_not_truncated() -> None:
    """A score in half steps (1.0, 1.5, ..., 3.0) was cast to int64: five classes became
    three. Its levels are classes, as the same levels written as whole numbers are."""
    real, synthetic = _table(120, 10), _table(120, 11)
    for table in (real, synthetic):
        table["score"] = np.clip(np.round(table["w"] + 2), 0, 4) / 2 + 1.0
    assert sorted(real["score"].unique()) == [1.0, 1.5, 2.0, 2.5, 3.0]
    doubled = {name: t.assign(score=t["score"] * 2) for name, t in (("r", real), ("s", synthetic))}
    halves = tabsyndex(real, synthetic, target_column="score", task="auto")
    wholes = tabsyndex(doubled["r"], doubled["s"], target_column="score", task="auto")
    assert halves.task == "class"
    assert halves.ml_score == wholes.ml_score


def test_the_class_task_refuses_a_continuous_target() -> None:
    """Continuous values cast to int64 became classes without a word (0.8 -> 0, 1.1 -> 1)."""
    real, synthetic = _table(60, 12), _table(60, 13)
    with pytest.raises(InvalidParameterError, match=r"target column 'x' holds continuous"):
        tabsyndex(real, synthetic, target_column="x", task="class")
    assert tabsyndex(real, synthetic, target_column="x", task="auto").task == "regr"


@pytest.mark.parametrize("written_as", ["text", "dates"])
def test_auto_reads_a_target_as_the_features_are_read(written_as: str) -> None:
    """``task="auto"`` decided by the pandas dtype: numbers written as text, and dates,
    were classes, and the class check then refused them as continuous with "use
    task='regr' (or 'auto')". The target is now read as every column is (text numbers
    as numbers, dates as days), so the same values give the same task in any form."""
    real, synthetic = _table(80, 14), _table(80, 15)
    as_numbers = tabsyndex(real, synthetic, target_column="x", task="auto")
    assert as_numbers.task == "regr"

    def rewrite(table: pd.DataFrame) -> pd.DataFrame:
        if written_as == "text":
            return table.assign(x=table["x"].round(3).astype(str))
        return table.assign(x=pd.Timestamp("2020-01-01") + pd.to_timedelta(table["x"] * 100, "D"))

    written = tabsyndex(rewrite(real), rewrite(synthetic), target_column="x", task="auto")
    assert written.task == "regr"


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(2, 30), m=st.integers(2, 30))
def test_component_bounds(seed: int, n: int, m: int) -> None:
    rng = np.random.default_rng(seed)

    def table(rows: int) -> pd.DataFrame:
        x = rng.normal(size=rows) * rng.choice([1, 100])
        x[rng.random(rows) < 0.2] = np.nan
        return pd.DataFrame({"x": x, "k": rng.integers(0, 3, rows).astype(float)})

    real, synthetic = table(n), table(m)
    assert 0.0 <= basic_statistical_score(real, synthetic) <= 1.0
    assert 0.0 <= support_coverage_score(real, synthetic, ["k"]) <= 1.0


# Golden values: the reference ``tabsyndex.py`` (vikram2000b/tabsyndex @ 3eb93e7, dython
# 0.6.6; ``DataFrame.append`` and ``squared=False`` shimmed for pandas 2 / scikit-learn 1.7)
# on this toy, ``cat_cols=["k", "y"]``. Its ML score is not comparable: the reference one-hot
# encodes ``k`` and appends the dummies last, so its "target" is the last dummy of ``k``.
GOLDEN_REAL = pd.read_csv(
    io.StringIO(
        """x,w,k,y
7.59,-2.32,1.0,1.0
6.03,-2.1,1.0,0.0
9.25,-0.56,0.0,1.0
11.26,0.25,2.0,0.0
13.41,2.68,2.0,1.0
10.33,1.05,0.0,0.0
8.34,-2.75,0.0,1.0
7.65,-1.83,0.0,0.0
12.25,0.52,0.0,1.0
14.9,3.1,2.0,1.0
10.82,-0.74,1.0,1.0
6.3,-2.45,1.0,0.0
7.13,-1.95,0.0,0.0
14.8,2.9,1.0,1.0
10.61,-0.64,2.0,1.0
4.8,-3.86,0.0,0.0
9.75,-1.26,2.0,1.0
6.51,-3.68,0.0,0.0
8.11,-1.03,0.0,0.0
8.54,-2.09,2.0,0.0
"""
    )
)
GOLDEN_SYNTHETIC = pd.read_csv(
    io.StringIO(
        """x,w,k,y
9.54,-1.5,1.0,0.0
10.73,0.16,0.0,1.0
10.31,0.2,0.0,1.0
7.41,-2.18,1.0,0.0
12.69,1.74,2.0,1.0
6.1,-1.26,0.0,0.0
6.4,-2.92,1.0,0.0
6.15,-3.82,1.0,0.0
12.9,0.1,1.0,1.0
8.92,-0.93,1.0,1.0
7.09,-2.29,2.0,1.0
6.59,-2.01,0.0,0.0
11.26,0.38,2.0,1.0
6.84,-2.59,2.0,0.0
6.18,-3.27,2.0,0.0
11.84,0.71,0.0,0.0
"""
    )
)


def test_golden_reference_components() -> None:
    result = tabsyndex(
        GOLDEN_REAL, GOLDEN_SYNTHETIC, categorical_columns=["k", "y"], target_column="y"
    )
    assert result.basic_score == pytest.approx(0.7886240162501529, abs=1e-12)
    assert result.corr_score == pytest.approx(0.6179509780824832, abs=1e-12)
    assert result.pmse_score == pytest.approx(0.8534712608043886, abs=1e-9)
    assert result.sup_score == pytest.approx(0.88046875, abs=1e-12)

"""Hamming privacy leakage coefficient (AML study, METHODS §4.2)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synth_plugins import catalog
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics import hamming_leakage, leakage_coefficient
from synth_plugins.metrics._reference import hamming_leakage_rowwise
from synth_plugins.metrics.distance import int8_supported
from synth_plugins.metrics.hamming import n_subsets, split_subsets

CATS = ["a", "b", "c"]


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=CATS)


TRAIN = _frame([(0, 0, 0), (1, 1, 1), (0, 1, 0)])
TEST = _frame([(1, 1, 0), (2, 2, 2)])
SYNTHETIC = _frame([(0, 0, 1), (1, 1, 1)])


def test_hand_computed_toy_example() -> None:
    result = hamming_leakage(TRAIN, TEST, SYNTHETIC, categorical_columns=CATS, balanced=False)
    # synthetic -> train: (0,0,1) is at 1, 2, 2; (1,1,1) at 3, 0, 2
    assert result.synthetic_train.avg_min_distance == pytest.approx(0.5)
    assert result.synthetic_train.avg_gap == pytest.approx((1 + 2) / 2)
    assert result.synthetic_train.exact_matches == 1
    assert result.synthetic_train.percentiles == pytest.approx((0.05, 0.25, 0.5, 0.75, 0.95))
    # synthetic -> test: (0,0,1) is at 3, 3; (1,1,1) at 1, 3
    assert result.synthetic_test.avg_min_distance == pytest.approx(2.0)
    assert result.synthetic_test.avg_gap == pytest.approx((0 + 2) / 2)
    assert result.synthetic_test.exact_matches == 0
    # coefficient = 2 / 0.5 - 1
    assert result.coefficient == pytest.approx(3.0)
    assert result.score == result.coefficient
    assert result.breach
    # one training subset: the train baseline is leave-one-out (pairwise 3, 1, 2)
    assert result.real_train_leave_one_out
    assert result.real_train.avg_min_distance == pytest.approx(4 / 3)
    assert result.real_train.avg_gap == pytest.approx(4 / 3)
    # train -> test: 2, 1, 1
    assert result.real_test.avg_min_distance == pytest.approx(4 / 3)
    assert result.real_test.avg_gap == pytest.approx(5 / 3)
    assert result.real_coefficient == pytest.approx(0.0)
    assert result.synthetic_vs_real_train == pytest.approx(0.5 / (4 / 3) - 1)
    assert result.synthetic_vs_real_test == pytest.approx(2 / (4 / 3) - 1)
    code = hamming_leakage(
        TRAIN,
        TEST,
        SYNTHETIC,
        categorical_columns=CATS,
        balanced=False,
        coefficient_formula="code",
    )
    assert code.coefficient == pytest.approx(1 - 0.5 / 2)


def test_aml_table3_arithmetic() -> None:
    # CTAB-GAN+ and NFlow in Table 3: the paper's formula test / train - 1
    assert round(leakage_coefficient(8.7034, 8.8587), 4) == 0.0178
    assert round(leakage_coefficient(9.3474, 9.4117), 4) == 0.0069
    # the AML code's stored 1 - train / test differs in the 4th decimal
    assert round(leakage_coefficient(8.7034, 8.8587, "code"), 5) == 0.01753
    assert round(leakage_coefficient(9.3474, 9.4117, "code"), 5) == 0.00683
    # original cohort baseline (train subsets 8.2524, train -> test 8.2224)
    assert round(leakage_coefficient(8.2524, 8.2224), 4) == -0.0036


def test_degenerate_coefficients_are_documented_values() -> None:
    assert leakage_coefficient(0.0, 0.0) == 0.0
    assert leakage_coefficient(2.0, 0.0) == -1.0
    # without a resolution, the limit; with one, a zero denominator is replaced by it
    assert leakage_coefficient(0.0, 2.0) == math.inf
    assert leakage_coefficient(2.0, 0.0, "code") == -math.inf
    assert leakage_coefficient(0.0, 2.0, resolution=0.25) == pytest.approx(7.0)
    assert leakage_coefficient(2.0, 0.0, "code", resolution=0.5) == pytest.approx(-3.0)
    assert leakage_coefficient(1.0, 2.0, resolution=0.25) == pytest.approx(1.0)


def test_an_exact_copy_of_the_training_rows_scores_finite_and_worst() -> None:
    train = _frame([(i % 3, i % 5, i % 7) for i in range(12)])
    test = _frame([(i % 3, (i + 1) % 5, (i + 3) % 7) for i in range(10)])
    # one subset per set (12 / 10 rounds to 1): every copied row has its twin in the pair
    copy = hamming_leakage(train, test, train, categorical_columns=CATS)
    assert copy.synthetic_train.avg_min_distance == 0.0
    # one pair of 12 synthetic rows: the resolution is 1 / 12
    assert copy.synthetic_train.resolution == pytest.approx(1 / 12)
    assert copy.coefficient == pytest.approx(copy.synthetic_test.avg_min_distance * 12 - 1)
    assert all(math.isfinite(v) for v in copy.to_dict().values())
    assert copy.breach
    # no table with the same distance to the test rows scores higher; one that copies
    # fewer rows scores lower
    for changed, expected in ((1, "equal"), (2, "lower")):
        nearly = train.copy()
        nearly.loc[: changed - 1, "a"] = 9
        almost = hamming_leakage(train, test, nearly, categorical_columns=CATS)
        assert almost.synthetic_test.avg_min_distance == copy.synthetic_test.avg_min_distance
        assert almost.synthetic_train.avg_min_distance == changed / 12
        if expected == "equal":
            assert almost.coefficient == pytest.approx(copy.coefficient)
        else:
            assert almost.coefficient < copy.coefficient


def test_numeric_bins_are_fitted_on_the_target_and_nan_policy() -> None:
    train = pd.DataFrame({"x": [1.0, 2.0, 3.0, np.nan]})
    test = pd.DataFrame({"x": [2.5, 10.0]})
    synthetic = pd.DataFrame({"x": [np.nan, 2.6]})
    # train bins (2 quantile bins of 1, 2, 3): (-inf, 2], (2, inf]; 2.6 matches 3.0
    mismatch = hamming_leakage(
        train,
        test,
        synthetic,
        categorical_columns=[],
        num_bins=2,
        balanced=False,
        nan_policy="mismatch",
    )
    # the missing synthetic value matches nothing, not even the missing training value
    assert mismatch.synthetic_train.avg_min_distance == pytest.approx(0.5)
    category = hamming_leakage(
        train,
        test,
        synthetic,
        categorical_columns=[],
        num_bins=2,
        balanced=False,
        nan_policy="category",
    )
    assert category.synthetic_train.avg_min_distance == pytest.approx(0.0)
    assert category.synthetic_train.exact_matches == 2
    # test bins (quantiles of 2.5, 10): (-inf, 6.25], (6.25, inf]; 2.6 shares 2.5's bin
    assert mismatch.synthetic_test.avg_min_distance == pytest.approx(0.5)


def test_categorical_missing_values_match_under_the_aml_policy() -> None:
    train = pd.DataFrame({"g": ["x", None, "y"]})
    synthetic = pd.DataFrame({"g": [None, None]})
    test = pd.DataFrame({"g": ["x", "y"]})
    aml = hamming_leakage(train, test, synthetic, categorical_columns=["g"], balanced=False)
    assert aml.synthetic_train.avg_min_distance == 0.0
    strict = hamming_leakage(
        train,
        test,
        synthetic,
        categorical_columns=["g"],
        balanced=False,
        nan_policy="mismatch_all",
    )
    assert strict.synthetic_train.avg_min_distance == 1.0


def _mixed(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    return pd.DataFrame(
        {
            "age": (60 + 10 * z + rng.normal(size=n)).round(),
            "wbc": np.where(rng.random(n) < 0.1, np.nan, np.exp(z + rng.normal(size=n))),
            "sex": rng.choice(["m", "f"], n),
            "flag": z + rng.normal(size=n) > 0,
            "grade": pd.Series(rng.choice(["I", "II", "III", None], n), dtype=object),
            "count": rng.integers(0, 4, n),
        }
    )


MIXED_CATS = ["sex", "flag", "grade", "count"]


def test_matches_the_row_by_row_reference_exactly() -> None:
    train, test, synthetic = _mixed(100, 1), _mixed(25, 2), _mixed(110, 3)
    train["age"] = train["age"].astype(int)
    test["age"] = test["age"].astype(int)
    synthetic["age"] = synthetic["age"] + 0.4  # float ages are truncated to the train dtype
    result = hamming_leakage(train, test, synthetic, categorical_columns=MIXED_CATS)
    reference = hamming_leakage_rowwise(train, test, synthetic, MIXED_CATS)
    assert result.n_subsets_train == 4
    assert result.n_subsets_synthetic == 4
    for run in ("synthetic_train", "synthetic_test", "real_train", "real_test"):
        ours, theirs = getattr(result, run), reference[run]
        assert ours.avg_min_distance == pytest.approx(theirs["avg_min_distance"], abs=1e-12)
        assert ours.avg_gap == pytest.approx(theirs["avg_gap"], abs=1e-12)
        np.testing.assert_allclose(ours.percentiles, theirs["percentiles"], atol=1e-12)
        assert ours.exact_matches == theirs["exact_matches"]
        assert ours.n_pairs == theirs["n_pairs"]


@pytest.mark.parametrize("dtype", ["Int64", "int8", "uint8"])
def test_integer_training_dtypes_truncate_like_int64(dtype: str) -> None:
    """The dtype cast truncates decimals for every integer dtype: a nullable ``Int64``
    column takes them (pandas refused: a raw TypeError), and a value beyond a small dtype's
    range is not wrapped round (300 as int8 is 44, which changed the score)."""
    from synth_plugins.sdmetrics import HammingLeakage

    rng = np.random.default_rng(0)

    def table(n: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "ef": rng.integers(20, 70, n),
                "sex": rng.integers(0, 2, n),
                "age": rng.integers(40, 95, n),
            }
        )

    train, holdout = table(60), table(60)
    synthetic = train.astype({"ef": float, "age": float})
    synthetic["ef"] += 0.5
    synthetic.loc[:20, "age"] += 200.0  # 240 to 294: outside int8's range
    as_int64 = hamming_leakage(train, holdout, synthetic).to_dict()
    narrow = {"ef": dtype, "age": dtype}
    as_dtype = hamming_leakage(train.astype(narrow), holdout.astype(narrow), synthetic)
    assert as_dtype.to_dict() == as_int64
    adapter = HammingLeakage.compute(
        train.astype(narrow), synthetic, holdout_data=holdout.astype(narrow)
    )
    assert adapter == as_int64["score"]


def test_subsets_follow_the_aml_split() -> None:
    assert n_subsets(1284, 322) == 4
    assert n_subsets(1606, 322) == 5
    assert n_subsets(10, 100) == 1
    parts = split_subsets(1606, 5, seed=1)
    assert [len(p) for p in parts] == [322, 321, 321, 321, 321]
    expected = pd.DataFrame({"i": range(1606)}).sample(frac=1, random_state=1)["i"].to_numpy()
    np.testing.assert_array_equal(np.sort(parts[0]), np.sort(np.array_split(expected, 5)[0]))


def test_copying_generator_is_flagged() -> None:
    train, test = _mixed(200, 4), _mixed(50, 5)
    copies = train.sample(n=200, replace=True, random_state=0).reset_index(drop=True)
    copied = hamming_leakage(train, test, copies, categorical_columns=MIXED_CATS)
    assert copied.coefficient > 0.05
    assert copied.breach
    assert copied.synthetic_train.exact_matches > 0
    fresh = hamming_leakage(train, test, _mixed(200, 6), categorical_columns=MIXED_CATS)
    assert fresh.coefficient < copied.coefficient
    assert abs(fresh.coefficient) < 0.05
    assert not fresh.breach


@pytest.mark.skipif(not int8_supported(), reason="no quantized engine")
def test_backends_agree() -> None:
    train, test, synthetic = _mixed(80, 7), _mixed(20, 8), _mixed(90, 9)
    a = hamming_leakage(train, test, synthetic, backend="int8").to_dict()
    b = hamming_leakage(train, test, synthetic, backend="float32").to_dict()
    assert a == b


@pytest.mark.parametrize("binning", ["quantile_target", "quantile_pooled", "equal_width"])
def test_binning_options(binning: str) -> None:
    train, test, synthetic = _mixed(60, 10), _mixed(20, 11), _mixed(60, 12)
    result = hamming_leakage(train, test, synthetic, binning=binning)  # type: ignore[arg-type]
    values = result.to_dict()
    assert all(np.isfinite(v) for v in values.values())


def test_to_dict_keys_are_stable_and_finite() -> None:
    a = hamming_leakage(_mixed(40, 1), _mixed(10, 2), _mixed(40, 3)).to_dict()
    b = hamming_leakage(_mixed(30, 4), _mixed(30, 5), _mixed(20, 6)).to_dict()
    assert list(a) == list(b)
    assert {"score", "coefficient", "breach", "synthetic_train_avg_min_distance"} <= set(a)
    assert all(math.isfinite(v) for v in a.values())


def test_info() -> None:
    assert catalog.metric("hamming_leakage").name == "hamming_leakage"
    assert catalog.metric("hamming_leakage").synthcity_type == "privacy"
    assert catalog.metric("hamming_leakage").direction == "minimize"
    assert catalog.metric("hamming_leakage").threshold == 0.05


def test_the_breach_threshold_is_declared_once() -> None:
    """The core's default breach threshold is the catalog's, which the SDMetrics
    normalisation reads (one value, so the two cannot drift apart)."""
    import inspect

    default = inspect.signature(hamming_leakage).parameters["threshold"].default
    assert default == catalog.HAMMING_BREACH_THRESHOLD == 0.05
    assert catalog.metric("hamming_leakage").threshold == catalog.HAMMING_BREACH_THRESHOLD
    assert hamming_leakage(TRAIN, TEST, SYNTHETIC).threshold == catalog.HAMMING_BREACH_THRESHOLD


def test_bad_inputs() -> None:
    with pytest.raises(InvalidDataError, match="same columns"):
        hamming_leakage(TRAIN, TEST, SYNTHETIC.rename(columns={"a": "z"}))
    with pytest.raises(InvalidDataError, match="0 row"):
        hamming_leakage(TRAIN, TEST.iloc[:0], SYNTHETIC)
    with pytest.raises(InvalidDataError, match="at least 2"):
        hamming_leakage(TRAIN.iloc[:1], TEST, SYNTHETIC)
    with pytest.raises(InvalidDataError, match="DataFrame"):
        hamming_leakage(TRAIN.to_numpy(), TEST, SYNTHETIC)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="nan_policy"):
        hamming_leakage(TRAIN, TEST, SYNTHETIC, nan_policy="drop")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="num_bins"):
        hamming_leakage(TRAIN, TEST, SYNTHETIC, num_bins=0)
    with pytest.raises(InvalidParameterError, match="not in the data"):
        hamming_leakage(TRAIN, TEST, SYNTHETIC, categorical_columns=["nope"])
    text = pd.DataFrame({"a": ["x", "y", "z"]})
    with pytest.raises(InvalidDataError, match="non-numeric"):
        hamming_leakage(text, text, text, categorical_columns=[])
    inf = pd.DataFrame({"a": [1.0, np.inf, 2.0]})
    with pytest.raises(InvalidDataError, match="infinite"):
        hamming_leakage(inf, inf, inf)


def test_edge_cases_give_documented_values() -> None:
    train, synthetic = _mixed(30, 1), _mixed(30, 2)
    # an all-missing numeric column always mismatches: every distance grows by 1
    with_nan = hamming_leakage(
        train.assign(empty=np.nan),
        _mixed(10, 3).assign(empty=np.nan),
        synthetic.assign(empty=np.nan),
        categorical_columns=MIXED_CATS,
    )
    without = hamming_leakage(train, _mixed(10, 3), synthetic, categorical_columns=MIXED_CATS)
    assert with_nan.synthetic_train.avg_min_distance == pytest.approx(
        without.synthetic_train.avg_min_distance + 1
    )
    # a single test row: every subset has one row, d2 = d1 for single-row targets
    single = hamming_leakage(train.iloc[:5], _mixed(1, 4), synthetic.iloc[:4])
    assert single.n_subsets_train == 5
    assert single.synthetic_test.avg_gap == 0.0
    assert all(math.isfinite(v) for v in single.to_dict().values())
    # a test set larger than the training set: one training subset, leave-one-out baseline
    larger = hamming_leakage(train.iloc[:8], _mixed(20, 5), synthetic)
    assert larger.n_subsets_train == 1
    assert larger.real_train_leave_one_out
    assert all(math.isfinite(v) for v in larger.to_dict().values())
    # a constant numeric column is one bin
    constant = train.assign(age=5.0)
    result = hamming_leakage(constant, constant.iloc[:10], constant.iloc[10:])
    assert math.isfinite(result.coefficient)


@st.composite
def small_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    seed = draw(st.integers(0, 2**31 - 1))
    n_train = draw(st.integers(2, 30))
    n_test = draw(st.integers(1, 15))
    n_syn = draw(st.integers(1, 30))
    rng = np.random.default_rng(seed)

    def table(n: int) -> pd.DataFrame:
        x = rng.normal(size=n)
        x[rng.random(n) < 0.2] = np.nan
        return pd.DataFrame({"x": x, "k": rng.integers(0, 3, n), "s": rng.choice(["u", "v"], n)})

    return table(n_train), table(n_test), table(n_syn)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables=small_tables(), policy=st.sampled_from(["mismatch", "mismatch_all", "category"]))
def test_bounds_and_direction(tables: tuple, policy: str) -> None:
    train, test, synthetic = tables
    result = hamming_leakage(
        train,
        test,
        synthetic,
        categorical_columns=["k", "s"],
        nan_policy=policy,  # type: ignore[arg-type]
    )
    assert result.coefficient >= -1.0
    for run in (result.synthetic_train, result.synthetic_test, result.real_train, result.real_test):
        assert 0.0 <= run.avg_min_distance <= 3.0
        assert run.avg_gap >= 0.0
        assert list(run.percentiles) == sorted(run.percentiles)
        assert 0.0 <= run.percentiles[0] and run.percentiles[-1] <= 3.0
        assert run.exact_matches >= 0
    assert not any(math.isnan(v) for v in result.to_dict().values())

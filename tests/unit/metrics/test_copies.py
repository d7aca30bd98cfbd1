"""exact_copies: synthetic copy rate, the holdout's collision rate, and the excess."""

import numpy as np
import pandas as pd
import pytest

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics.copies import exact_copies


@pytest.fixture
def tables():
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"a": np.arange(100) % 50, "b": np.arange(100) % 50 * 1.5})  # 50 pairs
    holdout = pd.DataFrame({"a": np.r_[np.arange(30), np.arange(100, 170)], "b": 0.0})
    holdout["b"] = holdout["a"] * 1.5
    synthetic = pd.DataFrame({"a": rng.integers(0, 200, 200)})
    synthetic["b"] = synthetic["a"] * 1.5
    return train, holdout, synthetic


def test_rates_and_excess_against_a_holdout(tables):
    train, holdout, synthetic = tables
    result = exact_copies(synthetic, train, holdout)
    expected_copies = int((synthetic["a"] < 50).sum())
    assert result.copies == expected_copies
    assert result.synthetic_rate == pytest.approx(expected_copies / 200)
    assert result.natural_rate == pytest.approx(0.30) and result.reference == "holdout"
    assert result.allowed == 60
    assert result.excess == max(0, expected_copies - 60)
    assert result.excess_rate == pytest.approx(expected_copies / 200 - 0.30)
    assert result.to_dict()["columns"] == ["a", "b"]


def test_training_leave_one_out_without_holdout(tables):
    train, _, synthetic = tables
    result = exact_copies(synthetic, train)
    assert result.reference == "training"
    assert result.natural_rate == 1.0  # every training row has its twin
    assert result.excess == 0


def test_copy_of_the_training_rows_is_all_excess_on_a_distinct_table():
    train = pd.DataFrame({"x": np.linspace(0, 1, 40), "y": np.arange(40) % 3})
    result = exact_copies(train, train, train.assign(x=train["x"] + 5))
    assert (result.copies, result.natural_rate, result.excess) == (40, 0.0, 40)


def test_identifiers_ignored_and_missing_values_matched():
    values = [np.nan] + [i / 2 for i in range(29)]  # not whole numbers: not a key
    train = pd.DataFrame({"id": [f"P{i:03d}" for i in range(30)], "v": values})
    synthetic = pd.DataFrame({"id": [f"S{i:03d}" for i in range(3)], "v": [None, 2.5, 100.0]})
    result = exact_copies(synthetic, train)
    assert result.columns == ("v",)
    assert result.copies == 2
    declared = exact_copies(synthetic, train, roles={"id": "categorical"})
    assert declared.copies == 0


def test_generator_dtypes_do_not_hide_a_copy_but_one_value_off_does():
    roles = {"age": "integer", "sex": "categorical", "bp": "numerical"}
    train = pd.DataFrame({"age": [50, 61, 70], "sex": ["m", "f", None], "bp": [1.5, np.nan, 3.0]})
    synthetic = pd.DataFrame(
        {
            "age": [50.0, 61.0, 70.0, 70.0],  # floats from a generator: 50 == 50.0
            "sex": ["m", "f", None, "m"],  # a missing value equals a missing value
            "bp": [1.5, np.nan, 3.0, 3.0],
        }
    )
    assert exact_copies(synthetic, train, roles=roles).copies == 3
    synthetic.loc[0, "bp"] = 1.5000001
    assert exact_copies(synthetic, train, roles=roles).copies == 2


def test_bad_input():
    with pytest.raises(InvalidDataError, match="train has no rows"):
        exact_copies(pd.DataFrame({"a": [1]}), pd.DataFrame({"a": []}))
    with pytest.raises(InvalidDataError, match="holdout must be a pandas DataFrame"):
        exact_copies(pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}), holdout=[1])


# ------------------------------------------------------------------ whole patients
def visits(ids, times, values, sex=None):
    frame = pd.DataFrame({"id": ids, "t": times, "edss": values})
    if sex is not None:
        frame.insert(1, "sex", sex)
    return frame


def test_patients_are_copies_only_when_every_visit_and_static_value_matches():
    train = visits([1, 1, 1, 2, 2], [0, 1, 2, 0, 1], [2.0, 2.5, 3.0, 1.0, 1.0], list("FFFMM"))
    synthetic = pd.concat([
        visits([10, 10, 10], [0, 1, 2], [2.0, 2.5, 3.0], list("FFF")),  # patient 1: a copy
        visits([11, 11, 11], [0, 1, 2], [2.0, 2.5, 3.0], list("MMM")),  # another sex
        visits([12, 12], [0, 1], [2.0, 2.5], list("FF")),  # a prefix of patient 1
        visits([13, 13], [0, 2], [1.0, 1.0], list("MM")),  # patient 2 at other times
        visits([14, 14], [0, 1], [1.0, 1.0], list("MM")),  # patient 2: a copy
    ], ignore_index=True)  # fmt: skip
    result = exact_copies(synthetic, train, id_column="id", time_column="t")
    assert (result.n_synthetic, result.copies, result.excess) == (5, 2, 2)
    assert result.columns == ("sex", "t", "edss")  # the id is never compared


def test_patient_rows_are_ordered_by_time_and_need_not_be_contiguous():
    train = visits([1, 1, 2, 2], [0, 1, 0, 1], [1.0, 2.0, 2.0, 1.0])
    shuffled = train.assign(id=[7, 7, 8, 8]).iloc[[3, 1, 0, 2]]
    assert exact_copies(shuffled, train, id_column="id", time_column="t").copies == 2
    # in row order both patients have their later visit first: no copy
    assert exact_copies(shuffled, train, id_column="id").copies == 0


def test_patient_natural_rate_from_a_holdout_and_leave_one_out():
    train = visits([1, 1, 2, 2, 3], [0, 1, 0, 1, 0], [1.0, 1.5, 1.0, 1.5, 4.0])
    holdout = visits([5, 5, 6, 7], [0, 1, 0, 0], [1.0, 1.5, 4.0, 6.0])
    synthetic = visits([9, 9], [0, 1], [1.0, 1.5])
    with_holdout = exact_copies(synthetic, train, holdout, id_column="id", time_column="t")
    assert with_holdout.natural_rate == pytest.approx(2 / 3)  # patients 5 and 6 of 3
    assert with_holdout.allowed == 0 and with_holdout.excess == 1
    alone = exact_copies(synthetic, train, id_column="id", time_column="t")
    assert alone.reference == "training" and alone.natural_rate == pytest.approx(2 / 3)


def test_patient_copies_bad_input():
    train = visits([1, 1], [0, 1], [1.0, 2.0])
    with pytest.raises(InvalidParameterError, match="id_column"):
        exact_copies(train, train, time_column="t")
    with pytest.raises(InvalidDataError, match="'id'"):
        exact_copies(train.drop(columns="id"), train, id_column="id")

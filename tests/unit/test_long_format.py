"""Unit tests of the long-format helpers (synth_plugins.long_format)."""

import numpy as np
import pandas as pd

from synth_plugins.long_format import (
    PatientIndex,
    constant_within_patients,
    patient_index,
    varies_within_patients,
)


def test_varies_within_patients_counts_missing_as_a_value_in_table_order():
    data = pd.DataFrame(
        {
            "id": ["b", "a", "b", "c", "a", "c"],  # rows of a patient need not be together
            "same": [1.0, 2.0, 1.0, np.nan, 2.0, np.nan],
            "half_missing": [1.0, 2.0, np.nan, 3.0, 2.0, 3.0],
            "changes": [1, 1, 1, 1, 2, 1],
        }
    )
    varies = varies_within_patients(data, "id", ["same", "half_missing", "changes"])
    assert varies.index.tolist() == ["b", "a", "c"]  # order of first row
    assert varies.to_dict("list") == {
        "same": [False, False, False],
        "half_missing": [True, False, False],
        "changes": [False, True, False],
    }
    assert constant_within_patients(data, "id", "same")
    assert not constant_within_patients(data, "id", "changes")


def test_varies_within_patients_leaves_out_unused_id_categories():
    ids = pd.Categorical(["a", "a", "b"], categories=["a", "b", "unused"])
    data = pd.DataFrame({"id": ids, "x": [1, 2, 3]})
    varies = varies_within_patients(data, "id", ["x"])
    assert varies.index.tolist() == ["a", "b"]
    assert varies["x"].tolist() == [True, False]


def test_last_rows_of_a_patient_index():
    data = pd.DataFrame({"id": [7, 7, 7, 3, 5, 5], "t": [0, 1, 2, 0, 0, 4]})
    index = patient_index(data, "id")
    assert index.last_rows.tolist() == [2, 3, 5]
    assert index.is_last_row().tolist() == [False, False, True, True, False, True]
    same = ~index.is_last_row()[:-1]  # the pairs of one patient's consecutive visits
    assert np.diff(data["t"].to_numpy())[same].tolist() == [1, 1, 4]


def test_patient_index_from_ids_matches_the_table_index():
    ids = np.array([0, 0, 1, 2, 2, 2])
    index = PatientIndex.from_ids(ids)
    table = patient_index(pd.DataFrame({"id": ids}), "id")
    for field, expected in (("ids", [0, 1, 2]), ("starts", [0, 2, 3]), ("lengths", [2, 1, 3])):
        assert getattr(index, field).tolist() == getattr(table, field).tolist() == expected
    empty = PatientIndex.from_ids(np.zeros(0, dtype=np.int64))
    assert empty.n_patients == 0 and empty.is_last_row().size == 0

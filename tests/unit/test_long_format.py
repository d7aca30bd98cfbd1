"""Unit tests of the long-format helpers (synth_plugins.long_format)."""

import numpy as np
import pandas as pd

from synth_plugins.long_format import constant_within_patients, varies_within_patients


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

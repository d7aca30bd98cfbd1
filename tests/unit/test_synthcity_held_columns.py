"""Identifier and text-date columns are held away from Synthcity's label encoding."""

import numpy as np
import pandas as pd
import pytest
from synthcity.plugins.core.dataloader import GenericDataLoader

from synth_plugins.errors import InvalidDataError
from synth_plugins.synthcity.held_columns import hold_columns


def _table(n: int = 30) -> pd.DataFrame:
    days = pd.Timestamp("2015-01-01") + pd.to_timedelta(np.arange(n) * 11, "D")
    return pd.DataFrame(
        {
            "record": [f"syn_{i}" for i in range(n)],  # keys that start with the fresh prefix
            "age": np.linspace(20, 80, n),
            "seen": days.strftime("%d/%m/%Y"),
            "patient_id": np.arange(500, 500 + n),
            "lab": [f"{v:.2f}" for v in np.linspace(10, 40, n)],
        }
    )


def test_identifiers_are_taken_out_and_text_dates_parsed():
    data = _table()
    loader, held = hold_columns(data)
    frame = loader.dataframe()
    assert list(frame.columns) == ["age", "seen", "lab"]
    assert pd.api.types.is_datetime64_any_dtype(frame["seen"])
    assert pd.api.types.is_float_dtype(frame["lab"])
    assert held.text_dates == {"seen": "%d/%m/%Y"}
    assert held.text_numbers == {"lab": 2}


def test_a_dropped_target_column_is_no_longer_the_target():
    loader, _ = hold_columns(_table()[["age", "seen", "patient_id"]])
    assert loader.target_column == "seen"


def test_restore_gives_fresh_keys_and_text_dates_in_training_order():
    data = _table()
    loader, held = hold_columns(data)
    generated = GenericDataLoader(loader.dataframe().iloc[::-1].reset_index(drop=True))
    out = held.restore(generated).dataframe()
    assert list(out.columns) == list(data.columns)
    assert not out["record"].isin(data["record"]).any()
    assert not out["patient_id"].isin(data["patient_id"]).any()
    assert out["patient_id"].dtype == data["patient_id"].dtype
    assert set(out["seen"]) == set(data["seen"])  # written back in the training format
    assert set(out["lab"]) == set(data["lab"])


def test_only_identifiers_is_refused():
    with pytest.raises(InvalidDataError, match="patient_id"):
        hold_columns(_table()[["patient_id"]])


def test_plain_tables_pass_unchanged():
    data = _table()[["age"]]
    loader, held = hold_columns(GenericDataLoader(data))
    assert held.restore(loader) is loader
    assert list(loader.dataframe().columns) == ["age"]

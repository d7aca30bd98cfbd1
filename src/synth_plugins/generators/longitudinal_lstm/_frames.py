"""Generated arrays back to a long table in the training schema, with fresh keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.encoding.tabular import TabularEncoder, fresh_keys
from synth_plugins.generators.longitudinal_lstm._sampling import time_decimals


def assemble(
    static: pd.DataFrame,
    patient: np.ndarray,
    time: np.ndarray,
    matrix: np.ndarray,
    *,
    id_column: str,
    time_column: str,
    static_columns: Sequence[str],
    visit_encoder: TabularEncoder,
    meta: Mapping[str, Any],
    id_offset: int = 0,
) -> pd.DataFrame:
    """Long table in the training schema from per-visit patient numbers, times, visits.

    ``static`` holds one row per patient number; patient ``i`` gets fresh key
    ``id_offset + i`` of the training ids (:func:`fresh_keys`: never a training id, in
    its dtype), so batches sampled with offsets ``0, size, 2 size, ...`` share no key.
    """
    visits = visit_encoder.inverse_transform(matrix)
    static_rows = static.iloc[patient][list(static_columns)].reset_index(drop=True)
    keys = fresh_keys(meta["id_keys"], len(static), id_offset)
    id_values = keys.iloc[patient].reset_index(drop=True)
    time_values = pd.Series(time)
    decimals = time_decimals(meta)
    if decimals is not None:  # sums of gaps: 0.1 + 0.2 is 0.30000000000000004
        time_values = time_values.round(decimals)
    try:
        time_values = time_values.astype(meta["dtypes"][time_column])
    except (TypeError, ValueError):  # pragma: no cover - numeric dtypes always cast
        pass
    frame = pd.DataFrame({id_column: id_values, time_column: time_values})
    for column in static_columns:
        frame[column] = static_rows[column].to_numpy()
        frame[column] = frame[column].astype(static_rows[column].dtype)
    for column in visits.columns:
        frame[column] = visits[column].to_numpy()
        frame[column] = frame[column].astype(visits[column].dtype)
    frame = frame[meta["columns"]]
    for column in meta["columns"]:
        if column == id_column:  # fresh keys, in their dtype (text for a categorical id:
            continue  # its levels are the training ids, a cast would make them NaN)
        want = meta["dtypes"][column]
        parsed = pd.api.types.is_object_dtype(want) and pd.api.types.is_numeric_dtype(frame[column])
        if frame[column].dtype != want and not frame[column].isna().any() and not parsed:
            try:
                frame[column] = frame[column].astype(want)
            except (TypeError, ValueError):
                pass
    return frame.reset_index(drop=True)


def renumber_keys(
    frame: pd.DataFrame,
    id_column: str,
    static_encoder: TabularEncoder,
    visit_encoder: TabularEncoder,
) -> pd.DataFrame:
    """Fresh identifier keys over all batches, never a training key.

    One key per patient for static identifier columns, one per visit for visit ones.
    """
    patient, ids = pd.factorize(frame[id_column])
    for encoder, per_patient in ((static_encoder, True), (visit_encoder, False)):
        for spec in encoder.specs:
            if spec.role != "identifier" or spec.name not in frame.columns:
                continue
            if per_patient:
                keys = encoder.fresh_keys(spec.name, len(ids)).to_numpy()[patient]
            else:
                keys = encoder.fresh_keys(spec.name, len(frame)).to_numpy()
            frame[spec.name] = keys
    return frame

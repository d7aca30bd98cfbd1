"""Numeric summary features per patient (the discriminative score's input)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth_plugins.long_format import patient_index
from synth_plugins.metrics.longitudinal._tables import LongTables, per_patient, shared_levels


def patient_features(data: pd.DataFrame, tables: LongTables) -> pd.DataFrame:
    """Numeric summary features per patient (one row per patient, table order).

    Visits, follow-up, first time, mean/min/max log gap, static columns (numerical as
    numbers, others as level codes shared between real and synthetic data), and per
    numerical visit column the first, last, mean, SD and slope against time; per
    categorical visit column the share of the patient's visits in each level.
    """
    index = patient_index(data, tables.id_column)
    per = per_patient(data, tables.id_column, tables.time_column)
    times = data[tables.time_column].to_numpy(dtype=float)
    patient = index.patient_of_row()
    features = per.copy()
    same = ~index.is_last_row()[:-1]
    gaps = np.full(len(times), np.nan)
    gaps[1:] = np.where(same, np.log(np.maximum(np.diff(times), 1e-12)), np.nan)
    gap_frame = pd.DataFrame({"p": patient, "g": gaps}).groupby("p")["g"]
    features["gap_mean"] = gap_frame.mean().to_numpy()
    features["gap_min"] = gap_frame.min().to_numpy()
    features["gap_max"] = gap_frame.max().to_numpy()
    first_rows = data.iloc[index.starts]
    levels = shared_levels(tables)
    for column in tables.static_columns:
        values = first_rows[column]
        if column in tables.numerical_static:
            features[f"static_{column}"] = pd.to_numeric(values, errors="coerce").to_numpy(float)
        else:
            lookup = {level: code for code, level in enumerate(levels[column])}
            features[f"static_{column}"] = values.map(lookup).to_numpy(dtype=float)
    t = times - np.repeat(times[index.starts], index.lengths)
    for column in tables.numerical_visit:
        x = pd.to_numeric(data[column], errors="coerce").to_numpy(float)
        frame = pd.DataFrame({"p": patient, "x": x, "t": t, "xt": x * t, "tt": t * t})
        g = frame.groupby("p")
        n = g["x"].count().to_numpy(float)
        mean_x, mean_t = g["x"].mean().to_numpy(), g["t"].mean().to_numpy()
        cov = g["xt"].mean().to_numpy() - mean_x * mean_t
        var = g["tt"].mean().to_numpy() - mean_t**2
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where((var > 1e-12) & (n > 1), cov / var, 0.0)
        features[f"{column}_first"] = g["x"].first().to_numpy()
        features[f"{column}_last"] = g["x"].last().to_numpy()
        features[f"{column}_mean"] = mean_x
        features[f"{column}_sd"] = g["x"].std().fillna(0.0).to_numpy()
        features[f"{column}_slope"] = slope
    for column in tables.categorical_visit:
        values = data[column].astype(object).where(data[column].notna(), "__missing__")
        for level in levels[column][:20]:
            hit = (values == level).to_numpy(float)
            features[f"{column}={level}"] = np.add.reduceat(hit, index.starts) / index.lengths
    return features

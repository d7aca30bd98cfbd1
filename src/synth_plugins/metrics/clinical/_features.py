"""Numeric design matrices for the classifiers of :mod:`model_understanding`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from synth_plugins.metrics.validation import category_codes, numeric_values


def encode_features(
    frames: dict[str, pd.DataFrame], columns: Sequence[str], categorical: Sequence[str]
) -> tuple[dict[str, np.ndarray], list[str]]:
    """One float matrix per table, one column per feature, with one shared encoding.

    Categorical columns become integer codes shared by all tables (missing values are a
    level of their own); numeric columns keep their values, missing values taking the
    median of the first table (the real training rows).

    Returns:
        The matrices by table name, and notes on what was imputed.
    """
    names = list(frames)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in names}
    notes: list[str] = []
    for column in columns:
        if column in categorical:
            codes, _ = category_codes([frames[n][column] for n in names], missing_as_level=True)
            for name, code in zip(names, codes, strict=True):
                parts[name].append(code.astype(np.float64))
            continue
        values = {n: numeric_values(frames[n][column], n) for n in names}
        fill = float(np.nanmedian(values[names[0]]))
        for name in names:
            missing = np.isnan(values[name])
            if missing.any():
                notes.append(
                    f"{int(missing.sum())} missing value(s) of {column!r} in {name} "
                    f"imputed with the real median {fill:g}"
                )
            parts[name].append(np.where(missing, fill, values[name]))
    return {n: np.column_stack(parts[n]) for n in names}, notes


def spearman_sign(x: np.ndarray, y: np.ndarray) -> int:
    """Sign of the Spearman correlation of two vectors (0 when either is constant)."""
    rx = pd.Series(x).rank().to_numpy()
    ry = pd.Series(y).rank().to_numpy()
    if np.ptp(rx) == 0 or np.ptp(ry) == 0:
        return 0
    return int(np.sign(np.corrcoef(rx, ry)[0, 1]))

"""Numeric design matrices for the classifiers of :mod:`model_understanding`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from synth_plugins.metrics._encoding import label_codes
from synth_plugins.metrics.directions import direction
from synth_plugins.metrics.validation import numeric_values


def encode_features(
    frames: dict[str, pd.DataFrame], columns: Sequence[str], categorical: Sequence[str]
) -> tuple[dict[str, np.ndarray], list[str]]:
    """One float matrix per table, one column per feature, with one shared encoding.

    Categorical columns become codes shared by all tables
    (:func:`~synth_plugins.metrics._encoding.label_codes`: the levels of the first table,
    the real training rows, in sorted order or the category order of an ordered
    categorical, then the others' levels; missing values are a level of their own);
    numeric columns keep their values, missing values taking the median of the first table.

    Returns:
        The matrices by table name, and notes on what was imputed.
    """
    names = list(frames)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in names}
    notes: list[str] = []
    for column in columns:
        if column in categorical:
            codes, _ = label_codes(*(frames[n][column] for n in names))
            for name, code in zip(names, codes, strict=True):
                parts[name].append(code)
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
    """Direction of the Spearman correlation of two vectors: 1, -1, or 0 for none.

    0 when either vector is constant, or when the correlation is zero up to rounding by
    the metrics' one rule (:func:`~synth_plugins.metrics.directions.direction`), with the
    standard error ``1 / sqrt(n - 1)`` of a correlation of ``n`` pairs: the ranks are
    exact, but at millions of rows the sums that correlate them are not (6,000,001 pairs
    of exactly uncorrelated ranks gave +1e-19).
    """
    rx = pd.Series(x).rank().to_numpy()
    ry = pd.Series(y).rank().to_numpy()
    if np.ptp(rx) == 0 or np.ptp(ry) == 0:
        return 0
    rho = pd.Series([np.corrcoef(rx, ry)[0, 1]])
    return int(direction(rho, pd.Series([1.0 / math.sqrt(len(rx) - 1)])).iloc[0])

"""CK4Gen's copy handling: rows binned as the Hamming leakage metric bins them, copies re-drawn."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.generators.ck4gen.config import MIN_REDRAW_NOISE, REDRAW_ROUNDS

#: A column of a frame as the numbers ``copy_bins`` cuts: ``numbers(frame, column)``.
Numbers = Callable[[pd.DataFrame, Any], np.ndarray]


def quantile_edges(
    data: pd.DataFrame, columns: Sequence[Any], bins: int, numbers: Numbers
) -> dict[Any, np.ndarray]:
    """Inner edges of ``bins`` quantile bins of each column's ``numbers`` (ties merged)."""
    quantiles = np.linspace(0.0, 1.0, bins + 1)[1:-1]
    return {
        column: np.unique(np.nanquantile(numbers(data, column), quantiles)) for column in columns
    }


def binned(frame: pd.DataFrame, edges: Mapping[Any, np.ndarray], numbers: Numbers) -> pd.DataFrame:
    """``frame`` with each column of ``edges`` replaced by its ``numbers``' bin (-1: missing)."""
    out = frame.copy()
    for column, inner in edges.items():
        values = numbers(frame, column)
        out[column] = np.where(np.isnan(values), -1, np.searchsorted(inner, values, "right"))
    return out


def redraw_copies(
    frame: pd.DataFrame,
    source: np.ndarray,
    allowances: Sequence[tuple[Callable[[pd.DataFrame], np.ndarray], int]],
    regenerate: Callable[[np.ndarray, float], pd.DataFrame],
    latent_noise: float,
    rng: np.random.Generator,
    keys: Sequence[Any] = (),
) -> tuple[pd.DataFrame, int]:
    """Re-draw synthetic rows that copy a training row beyond each allowance.

    Each allowance is a test (which rows of a frame match a training row) and the number
    of matching rows a real holdout of this size is expected to hold. Copies beyond either
    allowance, chosen at random, are generated again by ``regenerate(source_rows, sigma)``
    with latent noise ``sigma = max(latent_noise, 0.1) * 2**k`` in round ``k`` (up to
    ``REDRAW_ROUNDS`` rounds). A re-drawn row keeps its own value of the ``keys`` columns
    (identifiers: each row of ``frame`` already has a fresh key, and ``regenerate`` numbers
    its rows from the first key again).

    Returns:
        The frame (a copy) and the number of rows still beyond an allowance (0 when done).
    """
    frame = frame.copy()
    for round_ in range(REDRAW_ROUNDS + 1):
        chosen = []
        for is_copy, allowed in allowances:
            copies = np.flatnonzero(is_copy(frame))
            if len(copies) > allowed:
                chosen.append(rng.choice(copies, size=len(copies) - allowed, replace=False))
        if not chosen:
            return frame, 0
        redo = np.unique(np.concatenate(chosen))
        if round_ == REDRAW_ROUNDS:
            break
        sigma = max(latent_noise, MIN_REDRAW_NOISE) * 2.0**round_
        fresh = regenerate(source[redo], sigma)
        fresh.index = frame.index[redo]
        for column in frame.columns.difference(keys, sort=False):
            frame.loc[fresh.index, column] = fresh[column]
    return frame, len(redo)

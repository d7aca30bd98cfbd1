"""CK4Gen's Cox teacher: its design columns, distillation grid and the censoring distribution."""

from __future__ import annotations

from typing import Any

import numpy as np

from synth_plugins.encoding.tabular import TabularEncoder
from synth_plugins.errors import InvalidDataError


def design_layout(
    preprocessor: TabularEncoder, matrix: np.ndarray, notes: list[str]
) -> tuple[np.ndarray, list[str]]:
    """Teacher design: every encoded column but each one-hot block's first level.

    Constant columns are left out (a Cox coefficient is not identifiable for them).
    """
    index: list[int] = []
    names: list[str] = []
    for block in preprocessor.blocks:
        spec = preprocessor.spec(block.column)
        if block.kind == "numerical":
            index.append(block.start)
            names.append(block.column)
        elif block.kind == "missing":
            index.append(block.start)
            names.append(f"{block.column}[missing]")
        elif block.kind == "binary":
            level = spec.categories[-1] if spec.categories else 1
            index.append(block.start)
            names.append(f"{block.column}[{level}]")
        else:
            for offset in range(1, block.width):
                index.append(block.start + offset)
                names.append(f"{block.column}[{spec.categories[offset]}]")
    columns = matrix[:, index] if index else np.empty((len(matrix), 0))
    varies = columns.max(axis=0) > columns.min(axis=0) if index else np.array([], bool)
    if not varies.all():
        dropped = [name for name, keep in zip(names, varies) if not keep]
        notes.append(f"constant columns left out of the Cox teacher's design: {dropped}")
    if not varies.any():
        raise InvalidDataError(
            "no covariate varies in the data; the Cox teacher needs at least one"
        )
    kept = np.flatnonzero(varies)
    return np.asarray(index, dtype=np.int64)[kept], [names[i] for i in kept]


def censoring_distribution(durations: np.ndarray, events: np.ndarray) -> Any:
    """Reverse Kaplan-Meier: the KM estimate with censorings as the events."""
    from lifelines import KaplanMeierFitter

    return KaplanMeierFitter(label="censoring").fit(durations, 1 - events)


def time_grid(durations: np.ndarray, events: np.ndarray, n_time_grid: int) -> np.ndarray:
    """``n_time_grid`` quantiles of the observed event times (unique values)."""
    event_times = durations[events == 1]
    quantiles = np.linspace(0.0, 1.0, n_time_grid + 2)[1:-1]
    return np.unique(np.quantile(event_times, quantiles))


def step(times: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Right-continuous step function ``values`` (0 before ``times[0]``) evaluated at ``at``."""
    index = np.searchsorted(times, at, side="right") - 1
    return np.where(index >= 0, values[np.clip(index, 0, None)], 0.0)

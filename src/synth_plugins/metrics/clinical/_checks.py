"""Input checks shared by the clinical-validity metrics (target, features, constants)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from synth_plugins.encoding.levels import sorted_levels
from synth_plugins.errors import InvalidDataError, InvalidParameterError


def check_target(frames: dict[str, pd.DataFrame], target_column: object) -> None:
    """The target is a column of every table, never missing, with at least two classes.

    Args:
        frames: the tables by argument name (``"real"``, ``"synthetic"``, ``"holdout"``).
        target_column: the outcome column name.

    Raises:
        InvalidParameterError: no target column given, or not a column of the tables.
        InvalidDataError: a missing target value, a single class in a table, or
            continuous numbers (not class labels).
    """
    from sklearn.utils.multiclass import type_of_target  # metrics import without sklearn

    if not isinstance(target_column, str):
        raise InvalidParameterError(
            f"target_column must name the outcome column (a string), got {target_column!r}"
        )
    for name, frame in frames.items():
        if target_column not in frame.columns:
            raise InvalidParameterError(
                f"target_column {target_column!r} is not a column of {name}; "
                f"columns are {list(frame.columns)}"
            )
        target = frame[target_column]
        n_missing = int(target.isna().sum())
        if n_missing:
            raise InvalidDataError(
                f"target column {target_column!r} of {name} has {n_missing} missing "
                "value(s); every row needs an outcome"
            )
        levels = pd.unique(target)
        if len(levels) < 2:
            raise InvalidDataError(
                f"target column {target_column!r} of {name} has a single class "
                f"({levels[0]!r}); a classifier needs at least two"
            )
        if type_of_target(target.to_numpy()) == "continuous":
            raise InvalidDataError(
                f"target column {target_column!r} of {name} holds continuous numbers (e.g. "
                f"{target.iloc[0]!r}); the metric needs class labels: name a class column, "
                "or cut this one into classes first (pd.cut)"
            )


def check_binary(frames: dict[str, pd.DataFrame], column: str) -> list[object]:
    """The two levels of a binary outcome (sorted; the second is the 'positive' one)."""
    levels = sorted_levels(pd.unique(pd.concat([f[column] for f in frames.values()])))
    if len(levels) != 2:
        raise InvalidDataError(
            f"outcome column {column!r} must have exactly two levels for a logistic "
            f"regression, found {len(levels)}: {levels[:10]}"
        )
    return levels


def feature_columns(frame: pd.DataFrame, exclude: Sequence[str], name: str) -> list[str]:
    """The columns besides the outcome columns; at least one."""
    columns = [c for c in frame.columns if c not in exclude]
    if not columns:
        raise InvalidDataError(
            f"{name} has no feature column besides {list(exclude)}; at least one is needed"
        )
    return columns


def check_not_constant(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    """Refuse a column with fewer than two distinct observed values in a real table."""
    constant = [c for c in columns if frame[c].nunique(dropna=True) < 2]
    if constant:
        raise InvalidDataError(
            f"column(s) {constant} of {name} have a single observed value; nothing can be "
            "learnt or tested from them: drop them before calling this metric"
        )


def shares(flags: np.ndarray) -> float:
    """Share of true flags (0 for no flag)."""
    return float(np.mean(flags)) if len(flags) else 0.0

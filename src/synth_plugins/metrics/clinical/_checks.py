"""Input checks shared by the clinical-validity metrics (target, features, constants)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from synth_plugins.encoding.levels import sorted_levels
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics.validation import MAX_CLASS_LEVELS, is_quantity, numeric_values


def check_target(
    frames: dict[str, pd.DataFrame],
    target_column: object,
    categorical_columns: Iterable[object] | None = None,
) -> None:
    """The target is a column of every table, never missing, with at least two classes.

    A numeric target is class labels only with at most
    :data:`~synth_plugins.metrics.validation.MAX_CLASS_LEVELS` distinct values in the first
    (real) table, the rule by which TabSynDex's ``task="auto"`` tells classes from a
    quantity: whole numbers with dozens of levels (a survival time in days) would make every
    value a class of its own and every accuracy near 0. A target listed in
    ``categorical_columns`` is class labels whatever its values.

    Args:
        frames: the tables by argument name, the real one first (``"real"``,
            ``"synthetic"``, ``"holdout"``).
        target_column: the outcome column name.
        categorical_columns: the caller's categorical columns, or None.

    Raises:
        InvalidParameterError: no target column given, or not a column of the tables.
        InvalidDataError: a missing target value, a single class in a table, continuous
            numbers, or numbers with too many levels in the real table (not class labels).
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
    listed = categorical_columns is not None and not isinstance(categorical_columns, str)
    if not (listed and target_column in list(categorical_columns)):  # type: ignore[arg-type]
        _check_not_quantity(*next(iter(frames.items())), target_column)


def _check_not_quantity(name: str, frame: pd.DataFrame, target_column: str) -> None:
    """Refuse a numeric target with more than ``MAX_CLASS_LEVELS`` distinct values."""
    target = frame[target_column]
    if not pd.api.types.is_numeric_dtype(target.dtype) or pd.api.types.is_bool_dtype(target.dtype):
        return
    values = numeric_values(target, name)
    if is_quantity(values):
        raise InvalidDataError(
            f"target column {target_column!r} of {name} holds numbers with "
            f"{np.unique(values).size} distinct values, more than {MAX_CLASS_LEVELS}: a "
            "quantity, not class labels; name a class column, cut this one into classes "
            "first (pd.cut), or list it in categorical_columns if the numbers are labels"
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
    """Refuse a column with fewer than two distinct observed values in a real table.

    The message names the columns with no observed value (all missing) apart from those
    with a single one.
    """
    counts = {c: frame[c].nunique(dropna=True) for c in columns}
    found = [
        f"column(s) {listed} of {name} have {what}"
        for what, listed in (
            ("no observed value (all missing)", [c for c, n in counts.items() if n == 0]),
            ("a single observed value", [c for c, n in counts.items() if n == 1]),
        )
        if listed
    ]
    if found:
        raise InvalidDataError(
            f"{'; '.join(found)}; nothing can be learnt or tested from them: drop them before "
            "calling this metric"
        )


def shares(flags: np.ndarray) -> float:
    """Share of true flags (0 for no flag)."""
    return float(np.mean(flags)) if len(flags) else 0.0

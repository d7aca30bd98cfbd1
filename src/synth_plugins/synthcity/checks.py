"""Checks our Synthcity plugins run on their input before Synthcity's own code sees it.

Synthcity's ``Plugin.fit`` builds a schema and label-encodes the data before a plugin's
``_fit`` runs, and its ``generate`` passes any ``count`` on; bad input then fails deep in
Synthcity ("Invalid range for 'age': low or high is not finite", "The time_to_event_column
contains 1 values less than or equal to zero") or silently (one sequence for
``count=-5``). These checks say what is wrong, naming the argument or column.
"""

from __future__ import annotations

import numbers
from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.encoding.roles import check_not_timedelta
from synth_plugins.encoding.tabular import check_observed
from synth_plugins.errors import InvalidDataError, InvalidParameterError, infinite_values
from synth_plugins.survival import check_survival_frame
from synth_plugins.synthcity.roles import SYNTHCITY_MAX_LEVELS

#: How to get rows with a given value from a plugin without ``cond``. Synthcity's constraints
#: compare a text column's label codes, not its levels (a level fails inside Synthcity, for
#: its own plugins too), so text levels are filtered after generation.
CONSTRAINT_ADVICE = (
    "use generate(count, constraints=Constraints(rules=[(column, '==', value)])) on a numeric "
    "column; on a text column filter the generated rows, e.g. "
    "generate(count).dataframe().query(\"column == 'level'\") (Synthcity's constraints "
    "compare a text column's label codes)"
)


def check_count(count: Any) -> None:
    """``generate(count=...)``: None (as many as the training rows) or an integer >= 1.

    ``count=0`` is refused like a negative count: Synthcity's time-series loaders cannot
    hold zero sequences, and every plugin of the suite answers it the same way.
    """
    if count is None:
        return
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)):
        raise InvalidParameterError(f"count must be an integer >= 1 or None, got {count!r}")
    if count < 1:
        raise InvalidParameterError(
            f"count must be an integer >= 1 (None: as many as the training data), got {count}"
        )


def loader_type(X: Any) -> str | None:
    """The Synthcity loader type of ``X`` (``"generic"``, ``"survival_analysis"``, ...).

    None for anything that is not a loader: a DataFrame, an array, ...
    """
    kind = getattr(X, "type", None)
    return kind() if callable(kind) and callable(getattr(X, "dataframe", None)) else None


def describe_input(X: Any) -> str:
    """``X`` as an error message names it: "a 'generic' loader", "a DataFrame", "a ndarray"."""
    kind = loader_type(X)
    return f"a {kind!r} loader" if kind else f"a {type(X).__name__}"


def training_frame(plugin: str, X: Any) -> pd.DataFrame:
    """The frame of ``X`` (a DataLoader or a DataFrame), checked before Synthcity reads it.

    Refused: no columns, no rows, time spans (its schema has no type for them), a column
    without an observed value or with an infinite number (Synthcity's schema would fail on
    the column's range), duplicate
    column names (its schema crashes reading a column's dtype) and columns mixing text with
    other values (its label encoder cannot sort them). pandas' nullable integers with
    missing values are taken: they reach Synthcity as float64
    (:func:`~synth_plugins.synthcity.held_columns.held_as_float`).
    """
    if isinstance(X, pd.DataFrame):
        frame = X
    elif loader_type(X) is not None:
        frame = X.dataframe()
    else:
        raise InvalidDataError(
            f"{plugin} takes a Synthcity DataLoader or a pandas DataFrame, got "
            f"{describe_input(X)}; wrap an array as pd.DataFrame(X, columns=[...])"
        )
    if frame.shape[1] == 0:
        raise InvalidDataError(f"{plugin} got training data without columns")
    if len(frame) == 0:
        raise InvalidDataError(f"{plugin} got training data without rows")
    duplicated = sorted(map(str, set(frame.columns[frame.columns.duplicated()])))
    if duplicated:
        raise InvalidDataError(
            f"{plugin} got duplicate column names {duplicated}; give every column its own name"
        )
    check_columns(frame)
    return frame


def check_columns(frame: pd.DataFrame) -> None:
    """The column checks of :func:`training_frame`, naming the columns as ``frame`` has them.

    A time-series plugin runs them on each part of its loader (static, outcome and visit
    frames), so that an error names the user's column, not Synthcity's
    ``seq_temporal_``/``seq_static_`` copy of it.
    """
    check_observed(frame)  # every empty column named at once
    for column in frame.columns:
        check_not_timedelta(frame[column])
        check_range(frame[column])
        check_one_kind(frame[column])


def check_range(series: pd.Series) -> None:
    """Refuse a column holding an infinite number (its range would not be finite).

    A column without an observed value is refused before, with every such column named
    (:func:`~synth_plugins.encoding.tabular.check_observed` on the whole frame).
    """
    if (
        pd.api.types.is_float_dtype(series)
        and np.isinf(series.to_numpy(dtype=float, na_value=np.nan)).any()
    ):
        raise infinite_values(series.name)


def _value_kind(value: Any) -> str:
    """What a value is to Synthcity's encoder, which sorts a column's values.

    ``"text"`` for every ``str`` (numpy's ``str_`` too: ``rng.choice(["a", "b"])`` gives
    one), ``"bool"`` for Python's and numpy's booleans, ``"number"`` for every other number
    (``int``, ``float``, numpy's, ``Decimal``), else the type's name. Values of one kind
    sort together, so only text with another kind is refused.
    """
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, numbers.Number):
        return "number"
    return type(value).__name__


def check_one_kind(series: pd.Series) -> None:
    """Refuse an object column that mixes text with numbers or other values."""
    if series.dtype != object:
        return
    kinds = {_value_kind(value) for value in series.dropna()}
    if "text" in kinds and len(kinds) > 1:
        raise InvalidDataError(
            f"column {series.name!r} mixes text with other values ({sorted(kinds)}); "
            f"Synthcity's encoder sorts a column's values, so give it one kind "
            f"(e.g. data[{series.name!r}].astype(str), or pd.to_numeric)"
        )


def check_survival_columns(frame: pd.DataFrame, duration_column: str, event_column: str) -> None:
    """The suite's outcome rule, plus enough distinct durations for Synthcity.

    Durations finite and > 0, events 0/1: :func:`synth_plugins.survival.check_survival_frame`
    (Synthcity's survival loaders refuse durations <= 0 too). Synthcity's ``Plugin.fit``
    also label-encodes every column with fewer than ``SYNTHCITY_MAX_LEVELS`` distinct
    values, which would turn the shortest duration into 0.
    """
    durations, _ = check_survival_frame(
        frame, duration_column, event_column, name="data", require_events=False, min_rows=1
    )
    distinct = len(np.unique(durations))
    if distinct < SYNTHCITY_MAX_LEVELS:
        raise InvalidDataError(
            f"duration column {duration_column!r} has {distinct} distinct values; Synthcity "
            f"label-encodes columns with fewer than {SYNTHCITY_MAX_LEVELS}, which would make "
            "the shortest duration 0 (give more rows, or durations at a finer resolution)"
        )


def refuse_argument(plugin: str, argument: str, value: Any, why: str) -> None:
    """Raise for an argument Synthcity defines that ``plugin`` does not support (not None)."""
    if value is None:
        return
    shape = getattr(value, "shape", None)
    name = getattr(value, "name", None)
    column = f" {name!r}" if isinstance(name, str) else ""
    given = (
        f"a {type(value).__name__}{column} of shape {shape}" if shape is not None else repr(value)
    )
    raise InvalidParameterError(f"{plugin} does not support {argument} (got {given}): {why}")


def check_constraint_values(constraints: Any) -> None:
    """Refuse a constraint that compares a column with text (``dtype`` rules name a type).

    Synthcity compares a text column's label codes, not its levels, so such a rule fails
    inside Synthcity (``invalid literal for int()``), for its own plugins too.

    Raises:
        InvalidParameterError: a rule's value is text (or holds text); the message names
            the column and the way to get those rows.
    """
    if constraints is None:
        return
    for feature, op, value in constraints.rules:
        if op == "dtype":  # ("age", "dtype", "int"): a type name, not a value
            continue
        values = value if isinstance(value, list | tuple | set | np.ndarray) else [value]
        if any(isinstance(v, str) for v in values):
            raise InvalidParameterError(
                f"constraint ({feature!r}, {op!r}, {value!r}) compares column {feature!r} with "
                "text, which Synthcity's constraints cannot do (they compare label codes); "
                f"filter the generated rows instead, e.g. "
                f"generate(count).dataframe().query(\"{feature} == 'level'\")"
            )


#: Strict comparisons, which Synthcity 0.2.12's ``Schema.from_constraints`` drops.
_STRICT = {">": ("ge", np.inf), "gt": ("ge", np.inf), "<": ("le", -np.inf), "lt": ("le", -np.inf)}
#: Whether an inclusive comparison is a lower bound.
_LOWER = {">=": True, "ge": True, "<=": False, "le": False}


def inclusive_constraints(constraints: Any, integers: Collection[str] = ()) -> Any:
    """``constraints`` with ``x > v`` as ``x >= nextafter(v, inf)`` (and ``<`` alike).

    Synthcity's ``generate`` builds the sampling schema with ``Schema.from_constraints``,
    which ignores ``>``/``gt``/``<``/``lt`` rules, so the rows are not filtered by them
    and the final check then fails ("failed to meet the synthetic constraints"), for
    every plugin. For float64 values the rewritten rule keeps exactly the same rows. On
    the ``integers`` columns (integer in the data's schema) every bound is then rounded
    inward to a whole number (``x >= 40.5`` is ``x >= 41``, ``x > 40`` too): the schema
    truncates an integer bound, so ``x >= 40.5`` kept 40, which the final check refused.
    """
    if constraints is None:
        return None
    from synthcity.plugins.core.constraints import Constraints

    rules = []
    for feature, op, value in constraints.rules:
        bound = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
        if bound and op in _STRICT:
            op, towards = _STRICT[op]
            value = float(np.nextafter(float(value), towards))
        if bound and op in _LOWER and feature in integers:
            value = float(np.ceil(value) if _LOWER[op] else np.floor(value))
        rules.append((feature, op, value))
    return Constraints(rules=rules)

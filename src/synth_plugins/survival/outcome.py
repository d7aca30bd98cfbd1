"""Validation of survival outcomes: one rule for durations and events across the suite.

A duration is the time from the origin (diagnosis, enrolment) to the event or censoring.
It must be finite and **strictly positive**: a time-to-event is a positive random variable,
Synthcity's survival loaders reject zero times, and the generators' outcome models (the Cox
teacher's inverse-transform draw, log-time features) assume ``t > 0``. Tables that record a
same-day event as 0 must say how to treat it before use (e.g.
``synth_plugins.datasets.load("flchain", zero_durations="shift")``). An event indicator is
0 (censored) or 1 (event); booleans are accepted; missing values are refused.
A generator writes its 0/1 events back in the training column's representation with
:func:`event_labels` and :func:`write_events` (``"0"``/``"1"`` text stays that text, a
``category`` keeps its categories).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError, InvalidParameterError

__all__ = ["check_outcome_arrays", "check_survival_frame", "event_labels", "write_events"]


def check_survival_frame(
    data: Any,
    duration_column: Any,
    event_column: Any,
    *,
    name: str = "data",
    require_events: bool = True,
    min_rows: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """Check the outcome columns of a survival table and return them as arrays.

    Args:
        data: the table.
        duration_column: name of the time-to-event column (values finite and > 0).
        event_column: name of the event indicator (0 = censored, 1 = event; booleans are
            accepted).
        name: the argument name used in error messages.
        require_events: refuse a table in which every row is censored.
        min_rows: the fewest rows accepted.

    Returns:
        ``(durations, events)``: float64 durations and int64 0/1 events.

    Raises:
        InvalidDataError: not a data frame, too few rows, repeated column names, a missing
            outcome column, missing, infinite or non-positive durations, events other than
            0/1, or (with ``require_events``) no event at all.
        InvalidParameterError: the column names are not strings or are the same column.
    """
    if not isinstance(data, pd.DataFrame):
        raise InvalidDataError(f"{name} must be a pandas DataFrame, got {type(data).__name__}")
    if len(data) < min_rows:
        raise InvalidDataError(f"{name} has {len(data)} row(s); at least {min_rows} are needed")
    duplicated = data.columns[data.columns.duplicated()].tolist()
    if duplicated:
        raise InvalidDataError(f"{name} has repeated column names: {duplicated}")
    for argument, column in (("duration_column", duration_column), ("event_column", event_column)):
        if not isinstance(column, str):
            raise InvalidParameterError(f"{argument} must be a column name, got {column!r}")
        if column not in data.columns:
            raise InvalidDataError(
                f"{argument} {column!r} is not a column of {name}; columns are {list(data.columns)}"
            )
    if duration_column == event_column:
        raise InvalidParameterError(
            f"duration_column and event_column must be different columns, both are "
            f"{duration_column!r}"
        )
    series = data[duration_column]
    if pd.api.types.is_bool_dtype(series.dtype) or not pd.api.types.is_numeric_dtype(series.dtype):
        raise InvalidDataError(
            f"duration column {duration_column!r} of {name} must be numeric, got dtype "
            f"{series.dtype}"
        )
    durations = _check_durations(
        series.to_numpy(dtype=float, na_value=np.nan),
        f"duration column {duration_column!r} of {name}",
    )
    events = _event_values(data[event_column], event_column, name)
    if require_events and events.sum() == 0:
        raise InvalidDataError(
            f"all {len(events)} rows of {name} are censored (event column {event_column!r} "
            "is 0 everywhere); at least one event is needed"
        )
    return durations, events


def check_outcome_arrays(durations: Any, events: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Check a pair of duration and event sequences under the same rule as the frames.

    Args:
        durations: follow-up times (finite, > 0).
        events: 0/1 (or boolean) event indicators, one per duration.
        name: the data's name in error messages (e.g. ``"real"``).

    Returns:
        ``(durations, events)`` as float64 and int64 arrays.

    Raises:
        InvalidDataError: time spans, not numeric, empty, of different lengths, two
            pandas Series whose indexes differ (the pairs are taken by position, which
            they would not mean), or breaking the rule.
    """
    if pd.api.types.is_timedelta64_dtype(getattr(durations, "dtype", None)):
        raise InvalidDataError(
            f"{name} durations are time spans (timedelta64); give them as numbers, e.g. "
            "durations.dt.total_seconds() / 86400 for days"
        )
    try:
        t = np.asarray(durations, dtype=np.float64).ravel()
        e = np.asarray(events, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise InvalidDataError(f"{name} durations and events must be numeric") from None
    if t.size == 0:
        raise InvalidDataError(f"{name} durations are empty")
    if t.size != e.size:
        raise InvalidDataError(
            f"{name} durations ({t.size}) and events ({e.size}) differ in length"
        )
    if (
        isinstance(durations, pd.Series)
        and isinstance(events, pd.Series)
        and not durations.index.equals(events.index)
    ):
        raise InvalidDataError(
            f"{name} durations and events are Series with different indexes; each row's "
            "duration and event are paired by position, so take both from one table (or "
            "pass arrays)"
        )
    t = _check_durations(t, _described(durations, "duration", name))
    bad = ~np.isin(e, (0.0, 1.0))
    if bad.any():
        shown = sorted({f"{value:g}" for value in e[bad]})[:10]
        raise InvalidDataError(
            f"{_described(events, 'event', name)} must hold 0/1 or booleans, without missing "
            f"values; found {shown}"
        )
    return t, e.astype(np.int64)


def _described(values: Any, kind: str, name: str) -> str:
    """How messages name an outcome sequence: its column when it is a named Series."""
    column = values.name if isinstance(values, pd.Series) else None
    return f"{kind} column {column!r} of {name}" if column is not None else f"{name} {kind}s"


def _check_durations(values: np.ndarray, what: str) -> np.ndarray:
    """The rule itself: no missing, no infinite, every value > 0."""
    n_missing = int(np.isnan(values).sum())
    if n_missing:
        raise InvalidDataError(f"{what} has {n_missing} missing value(s); every row needs one")
    if not np.all(np.isfinite(values)):
        raise InvalidDataError(f"{what} has infinite values")
    bad = values <= 0
    if bad.any():
        raise InvalidDataError(
            f"{what} has {int(bad.sum())} value(s) <= 0 (smallest {values.min():g}); "
            "durations must be > 0"
        )
    return values


def _event_values(series: pd.Series, column: str, name: str) -> np.ndarray:
    raw = series.astype(object) if isinstance(series.dtype, pd.CategoricalDtype) else series
    n_missing = int(raw.isna().sum())
    if n_missing:
        raise InvalidDataError(
            f"event column {column!r} of {name} has {n_missing} missing value(s); "
            "every row needs an event indicator (0 = censored, 1 = event)"
        )
    values = _read_events(raw)
    bad = ~np.isin(values, (0.0, 1.0))
    if bad.any():
        shown = sorted(map(str, pd.unique(raw[bad])))[:10]
        raise InvalidDataError(
            f"event column {column!r} of {name} must hold 0/1 (or False/True); found {shown}"
        )
    return values.astype(np.int64)


def _read_events(raw: pd.Series) -> np.ndarray:
    """Event values as numbers (booleans and text numbers read as such; NaN if not a number)."""
    numbers = pd.to_numeric(raw.map(lambda v: float(v) if isinstance(v, bool) else v),
                            errors="coerce")  # fmt: skip
    return numbers.to_numpy(dtype=float, na_value=np.nan)


def event_labels(series: pd.Series) -> tuple[Any, Any]:
    """The values that write the events 0 and 1 in the representation of ``series``.

    ``series`` is an event column that :func:`check_survival_frame` accepts, or an empty
    column of its dtype. Each event is written as its most common value in ``series``
    (read as :func:`check_survival_frame` reads them: ``"1"``, ``1.0`` and ``True`` are all
    1), so ``"0"``/``"1"`` text stays text and booleans stay booleans. An event the column
    does not hold is a category of its dtype that reads as it, else written as the column
    writes the other event (a boolean, text or a number), else as the dtype suggests.
    """
    raw = series.astype(object) if isinstance(series.dtype, pd.CategoricalDtype) else series
    values = _read_events(raw)
    held = [raw[values == code].value_counts().index[:1].tolist() for code in (0, 1)]
    labels = [found[0] if found else None for found in held]
    for code, other in ((0, labels[1]), (1, labels[0])):
        if labels[code] is None:
            labels[code] = _absent_label(code, series.dtype, other)
    return labels[0], labels[1]


def _absent_label(code: int, dtype: Any, other: Any) -> Any:
    """How a column of ``dtype`` writes the event ``code`` it does not hold.

    ``other``: how it writes the other event (None: it holds neither).
    """
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        matches = categories[_read_events(pd.Series(categories, dtype=object)) == code]
        if len(matches):
            return matches[0]
        dtype = categories.dtype
    if other is not None:
        boolean, text = isinstance(other, (bool, np.bool_)), isinstance(other, str)
    else:
        boolean, text = pd.api.types.is_bool_dtype(dtype), pd.api.types.is_string_dtype(dtype)
    return bool(code) if boolean else str(code) if text else code


def write_events(events: np.ndarray, labels: tuple[Any, Any], dtype: Any) -> pd.Series:
    """0/1 ``events`` written with ``labels`` (:func:`event_labels`) in the column's ``dtype``.

    A ``category`` dtype that lacks a label written here gains it as a category (its
    training column never held that event): the value is kept, not made missing.
    """
    events = np.asarray(events, dtype=np.int64)
    if isinstance(dtype, pd.CategoricalDtype):
        extra = [
            label
            for code, label in enumerate(labels)
            if label not in dtype.categories and (events == code).any()
        ]
        if extra:
            dtype = pd.CategoricalDtype([*dtype.categories, *extra], ordered=dtype.ordered)
    return pd.Series(np.asarray(labels, dtype=object)[events]).astype(dtype)

"""Input checks shared by the metric cores.

Every check raises an error from :mod:`synth_plugins.errors` that names the argument or
column at fault, so that a message alone is enough to fix the call.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.encoding.labels import check_labels
from synth_plugins.encoding.parsing import is_text, text_date_format, text_numbers, to_days
from synth_plugins.encoding.roles import DEFAULT_MAX_NUMERIC_LEVELS, DISCRETE_ROLES, infer_role
from synth_plugins.errors import InvalidDataError, InvalidParameterError, infinite_values, plain

#: The most distinct values a numeric target may hold and still be read as class labels.
#: Beyond it the numbers are a quantity (a survival time in days, a lab value): TabSynDex's
#: ``task="auto"`` regresses on such a target and ``model_understanding`` refuses it.
MAX_CLASS_LEVELS = 20


def is_quantity(values: np.ndarray) -> bool:
    """Whether numbers (NaN for missing) hold more than :data:`MAX_CLASS_LEVELS` values."""
    return bool(np.unique(values[~np.isnan(values)]).size > MAX_CLASS_LEVELS)


def check_rows(n_rows: int, name: str, min_rows: int) -> None:
    """Raise unless a table (or a pair of outcome arrays) has ``min_rows`` rows or more."""
    if n_rows < min_rows:
        raise InvalidDataError(f"{name} has {n_rows} row(s); this metric needs at least {min_rows}")


def check_frame(data: Any, name: str, *, min_rows: int = 1) -> pd.DataFrame:
    """Return ``data`` if it is a usable data frame, else raise.

    Args:
        data: The object passed by the caller.
        name: The argument name, used in the error message.
        min_rows: The fewest rows the metric can work with.

    Returns:
        The same data frame.

    Raises:
        InvalidDataError: ``data`` is not a data frame, has no columns, too few rows,
            repeated column names, or labels that read the same as text (``1``, ``"1"``).
    """
    if not isinstance(data, pd.DataFrame):
        raise InvalidDataError(f"{name} must be a pandas DataFrame, got {type(data).__name__}")
    if data.shape[1] == 0:
        raise InvalidDataError(f"{name} has no columns")
    check_rows(len(data), name, min_rows)
    duplicated = data.columns[data.columns.duplicated()].tolist()
    if duplicated:
        raise InvalidDataError(f"{name} has repeated column names: {duplicated}")
    check_labels(data.columns, name)
    return data


def align_columns(
    reference: pd.DataFrame, other: pd.DataFrame, reference_name: str, other_name: str
) -> pd.DataFrame:
    """Return ``other`` with the columns of ``reference``, in the same order.

    A record key (a column whose role, :func:`column_role`, is ``identifier``) may hold
    text in one table and numbers in the other: :func:`feature_tables` leaves it out of
    every table metric, so its format is never compared (unless a metric keeps it; then
    :func:`feature_tables` checks it).

    Raises:
        InvalidDataError: The two frames do not have the same set of columns (the message
            lists the columns missing from and extra in ``other``), or a column other than
            a record key holds numbers in one and text that is not numbers in the other
            (labels against their codes, as a label-encoded table gives them).
    """
    missing = [c for c in reference.columns if c not in other.columns]
    extra = [c for c in other.columns if c not in reference.columns]
    if missing or extra:
        raise InvalidDataError(
            f"{other_name} must have the same columns as {reference_name}; "
            f"missing from {other_name}: {missing}; not in {reference_name}: {extra}"
        )
    other = other[list(reference.columns)]
    frames = {reference_name: reference, other_name: other}
    for column in reference.columns:
        mismatch = _kind_mismatch(frames, column)
        if mismatch and column_role([reference, other], column) != "identifier":
            raise InvalidDataError(mismatch)
    return other


def _kind_mismatch(frames: Mapping[str, pd.DataFrame], column: Hashable) -> str | None:
    """Why ``column`` holds numbers in one frame and text in another, or None if it does not.

    Every frame is compared with the first; the message names both frames and shows a value
    of each.
    """
    (first, reference), *others = frames.items()
    for name, frame in others:
        kinds = (_kind(reference[column]), _kind(frame[column]))
        if None not in kinds and kinds[0] != kinds[1]:
            return (
                f"column {column!r} holds {kinds[0]} in {first} and {kinds[1]} in {name} "
                f"(e.g. {_example(reference[column])!r} and {_example(frame[column])!r}); "
                "give both the same values: labels decoded, or codes in both"
            )
    return None


def _kind(series: pd.Series) -> str | None:
    """``"numbers"``, ``"text"`` or None (empty, dates, mixed) for a column.

    Numbers written as text and booleans count as numbers: the metrics read them as numbers
    (see :func:`feature_tables`; the generators return them as numbers). A ``category``
    column is judged by its values.
    """
    if _is_boolean(series):
        return "numbers"
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.dropna()
        series = series.astype(series.cat.categories.dtype)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return "numbers" if series.notna().any() else None
    if is_text(series):
        return "numbers" if text_numbers(series) is not None else "text"
    return None


def _example(series: pd.Series) -> object:
    """The first observed value of ``series`` (for a message)."""
    observed = series.dropna()
    value = observed.iloc[0] if len(observed) else None
    return plain(value)


def name_list(argument: str, value: Any, what: str = "column names") -> list[Any]:
    """``value`` (a list, tuple, set, ...) as a list, checked to be one.

    Raises:
        InvalidParameterError: ``value`` is a string (``list("sex")`` would be its letters,
            one of which may happen to name a column) or not a collection.
    """
    if isinstance(value, str):
        raise InvalidParameterError(
            f"{argument} must be a list of {what}, not the string {value!r}"
        )
    try:
        return list(value)
    except TypeError:
        raise InvalidParameterError(f"{argument} must be a list of {what}, got {value!r}") from None


def column_subset(columns: Any, real: pd.DataFrame) -> list[Any]:
    """The columns a metric is asked to compare (its ``columns`` argument), checked.

    Raises:
        InvalidParameterError: ``columns`` is not a list (see :func:`name_list`), is empty,
            names a column that ``real`` lacks, or repeats a name (a column compared twice
            would count twice, and pandas returns a frame where one column is expected).
    """
    chosen = name_list("columns", columns)
    unknown = [c for c in chosen if c not in real.columns]
    if not chosen or unknown:
        raise InvalidParameterError(
            f"columns must name at least one column of the tables; unknown: {unknown}; "
            f"columns are {list(real.columns)}"
        )
    if len(set(chosen)) != len(chosen):
        raise InvalidParameterError(f"columns repeats a name: {chosen}")
    return chosen


def column_role(
    frames: Sequence[pd.DataFrame],
    column: Hashable,
    max_numeric_levels: int = DEFAULT_MAX_NUMERIC_LEVELS,
) -> str:
    """The role the metrics infer for one column: the metrics' one column rule.

    :func:`~synth_plugins.encoding.roles.infer_role` of the first frame (the real data)
    that has observed values in the column; a column with no observed value in any frame
    is ``numerical`` when its dtype is numeric (booleans excepted), ``categorical``
    otherwise. ``max_numeric_levels`` is ``infer_role``'s.
    """
    for frame in frames:
        series = frame[column]
        if series.notna().any():
            return infer_role(series, max_numeric_levels)
    # no observed value anywhere: decide by dtype alone
    dtype = frames[0][column].dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return "numerical"
    return "categorical"


def resolve_categorical(
    frames: Sequence[pd.DataFrame],
    categorical_columns: Iterable[str] | None,
    argument: str = "categorical_columns",
    *,
    outside: Iterable[str] = (),
) -> list[str]:
    """Return the categorical columns, given or inferred, in column order.

    With an explicit list, every name must be a column. Without one, each column's role is
    :func:`column_role`'s (the real data's values decide); binary, categorical and
    ordinal roles count as categorical.

    Args:
        frames: The frames of the metric call, the real (training) one first, with the
            same columns.
        categorical_columns: The caller's list, or None to infer.
        argument: The argument name used in error messages.
        outside: Columns of the caller's table that ``frames`` leave out (an outcome, the
            covariates not chosen): listed in ``categorical_columns`` they are ignored, as
            SDV metadata lists every categorical column of a table.

    Returns:
        Names of the categorical columns, in the order of ``frames[0].columns``.

    Raises:
        InvalidParameterError: A listed name is not a column, or the argument is not a list
            (see :func:`name_list`).
    """
    columns = list(frames[0].columns)
    if categorical_columns is None:
        return [c for c in columns if column_role(frames, c) in DISCRETE_ROLES]
    ignored = set(outside) - set(columns)
    given = [c for c in name_list(argument, categorical_columns) if c not in ignored]
    unknown = [c for c in given if c not in columns]
    if unknown:
        raise InvalidParameterError(
            f"{argument} names columns that are not in the data: {unknown}; columns are {columns}"
        )
    chosen = set(given)
    return [c for c in columns if c in chosen]


def feature_tables(
    frames: Mapping[str, pd.DataFrame],
    categorical_columns: Iterable[str] | None = None,
    *,
    keep: Iterable[str] = (),
) -> dict[str, pd.DataFrame]:
    """The tables as a metric compares them: keys left out, dates as days, text numbers read.

    A key is never a feature: a column whose inferred role (see :func:`resolve_categorical`)
    is ``identifier`` (record ids, patient numbers) is left out of every table, because
    fresh synthetic keys never match real ones and would only add noise to a distance or a
    fidelity score. A ``datetime`` column (``datetime64`` or dates written as text) becomes
    a float column of days since the earliest date of the first table that has one (the
    real column's minimum, day 0; see :func:`date_origins`), read like any numeric column:
    the days keep every difference and spread, and no relative measure (a difference divided
    by the real mean) depends on the calendar era of the dates. Numbers written
    as text (``"0"``, ``"1.5"``; not codes with a leading zero such as ``"007"``) and
    booleans are read as numbers where another table holds the column in another of these
    forms, so that ``"1"``, ``1`` and ``True`` are one value (see :func:`_as_numbers`).
    Columns listed in ``categorical_columns`` are neither keys nor dates (their text
    numbers and booleans are read by the same rule), and those in ``keep`` (outcome and
    covariate columns the caller named) are never left out. The tables given are not
    modified.

    Args:
        frames: The metric's tables by argument name, the real (training) one first, with
            the same columns.
        categorical_columns: The caller's categorical columns (kept as given), or None.
        keep: Columns that are never left out, whatever their role.

    Returns:
        The tables by argument name, in the same order.

    Raises:
        InvalidDataError: Every column is a key, a date column of one table does not
            hold dates in the format of the first table, or a column in
            ``categorical_columns`` or ``keep`` holds text in one table and numbers in
            another (see :func:`align_columns`, which lets keys through).
    """
    names = list(frames)
    tables = [frames[n] for n in names]
    given = (
        set()
        if categorical_columns is None or isinstance(categorical_columns, str)
        else set(categorical_columns)
    )
    kept = set(keep)
    # align_columns lets a key's format differ; a key given or kept is compared
    for column in tables[0].columns:
        mismatch = _kind_mismatch(frames, column) if column in given | kept else None
        if mismatch:
            raise InvalidDataError(mismatch)
    roles = {c: column_role(tables, c) for c in tables[0].columns if c not in given}
    keys = [c for c, role in roles.items() if role == "identifier" and c not in kept]
    dates = [c for c, role in roles.items() if role == "datetime"]
    numbers = {
        (name, column): parsed
        for column in tables[0].columns
        if column not in keys and column not in dates
        for name, parsed in _as_numbers(frames, column).items()
    }
    if not keys and not dates and not numbers:
        return dict(frames)
    if len(keys) == tables[0].shape[1]:
        raise InvalidDataError(
            f"every column of {names[0]} is a record key ({keys}); keys are not compared, "
            "so nothing is left to compare"
        )
    converted = {n: frames[n].drop(columns=keys) for n in names}
    for column in dates:
        days = _epoch_days(frames, column)
        origin = _earliest(days)
        for name in names:
            converted[name][column] = days[name] - origin
    for (name, column), parsed in numbers.items():
        converted[name][column] = parsed
    return converted


def date_origins(
    frames: Mapping[str, pd.DataFrame], categorical_columns: Iterable[str] | None = None
) -> dict[Hashable, pd.Timestamp]:
    """Day 0 of each date column :func:`feature_tables` converts: its earliest date.

    The earliest date of the first table (in ``frames``' order) with an observed value in
    the column, so that ``origin + pd.to_timedelta(days, unit="D")`` reads a converted value
    (days on the UTC clock) back as the instant it is. A time-zone-aware column's origin is
    in that column's zone (of the first table with observed values), so the instants read
    back print on the column's own clock; a naive column's origin is naive. Arguments as
    for :func:`feature_tables`.
    """
    tables = list(frames.values())
    given = (
        set()
        if categorical_columns is None or isinstance(categorical_columns, str)
        else set(categorical_columns)
    )
    return {
        column: _origin(frames, column)
        for column in tables[0].columns
        if column not in given and column_role(tables, column) == "datetime"
    }


def _origin(frames: Mapping[str, pd.DataFrame], column: Hashable) -> pd.Timestamp:
    """Day 0 of a date column (see :func:`date_origins`), in the column's zone if it has one."""
    days = _earliest(_epoch_days(frames, column))
    reference = next(
        (t[column] for t in frames.values() if t[column].notna().any()),
        next(iter(frames.values()))[column],
    )
    zone = getattr(reference.dtype, "tz", None)
    if zone is None:
        return pd.Timestamp(0) + pd.to_timedelta(days, "D")
    return (pd.Timestamp(0, tz="UTC") + pd.to_timedelta(days, "D")).tz_convert(zone)


def _epoch_days(frames: Mapping[str, pd.DataFrame], column: Hashable) -> dict[str, np.ndarray]:
    """A date column of every table as days since 1970-01-01, text read in one format.

    Raises:
        InvalidDataError: A table's values are not dates in the format of the first table
            that has observed values.
    """
    tables = list(frames.values())
    reference = next((t[column] for t in tables if t[column].notna().any()), tables[0][column])
    fmt = None if pd.api.types.is_datetime64_any_dtype(reference) else text_date_format(reference)
    days = {}
    for name, frame in frames.items():
        series = frame[column]
        try:
            days[name] = to_days(
                series, None if pd.api.types.is_datetime64_any_dtype(series) else fmt
            )
        except (TypeError, ValueError) as error:
            raise InvalidDataError(
                f"column {column!r} holds dates but its values in {name} are not dates "
                f"(expected the format {fmt or 'datetime64'}): {error}"
            ) from None
    return days


def _earliest(days: Mapping[str, np.ndarray]) -> float:
    """The smallest observed day of the first table that has one (0 when none has)."""
    for values in days.values():
        observed = values[~np.isnan(values)]
        if observed.size:
            return float(observed.min())
    return 0.0


def _as_numbers(frames: Mapping[str, pd.DataFrame], column: Hashable) -> dict[str, pd.Series]:
    """The tables whose ``column`` holds text numbers or booleans, read as numbers.

    Each table holds the column as numbers, as numbers written as text
    (:func:`~synth_plugins.encoding.parsing.text_numbers`) or as booleans (see
    :func:`_is_boolean`). Where the tables use more than one of these forms, the text numbers
    and the booleans (as 0/1) are read as numbers: ``"1"``, ``1`` and ``True`` then meet,
    whichever table holds which. A column that every table writes in the same form keeps
    it (codes such as ``"250.1"`` and ``"250.10"`` stay two levels, booleans stay
    booleans), and so does one that some table holds in none of these forms.
    """
    parsed: dict[str, pd.Series] = {}
    forms: set[str] = set()
    for name, frame in frames.items():
        series = frame[column]
        if not series.notna().any():
            continue
        if _is_boolean(series):
            forms.add("booleans")
            values = series.astype(object)
            parsed[name] = values.where(values.notna(), np.nan).astype("float64")
            continue
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            dtype = dtype.categories.dtype
        if pd.api.types.is_numeric_dtype(dtype):
            forms.add("numbers")
            continue
        numbers = text_numbers(series)
        if numbers is None:
            return {}
        forms.add("text")
        parsed[name] = numbers
    return parsed if len(forms) > 1 else {}


def _is_boolean(series: pd.Series) -> bool:
    """Whether a column holds booleans and has an observed value.

    Booleans are a ``bool`` or ``boolean`` column, a ``category`` column of boolean levels,
    or an object column whose every observed value is a boolean (booleans with missing
    values, as pandas holds them).
    """
    if not series.notna().any():
        return False
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        levels = dtype.categories
    elif pd.api.types.is_object_dtype(dtype):
        levels = series.dropna()
    else:
        return pd.api.types.is_bool_dtype(dtype)
    return all(isinstance(value, bool | np.bool_) for value in levels)


def numeric_values(series: pd.Series, name: str) -> np.ndarray:
    """Return a numeric column as float64 with NaN for missing values.

    Booleans become 0/1. Infinite values are rejected because no binning or moment is
    defined for them.

    Raises:
        InvalidDataError: The column holds values that are not numbers, or infinities.
    """
    values = series
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    if pd.api.types.is_bool_dtype(values.dtype):
        values = values.astype("float64")
    try:
        array = pd.to_numeric(values, errors="raise")
        array = np.asarray(array.astype("float64"), dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidDataError(
            f"column {series.name!r} of {name} is treated as numeric but holds non-numeric "
            f"values; list it in categorical_columns ({error})"
        ) from None
    if np.isinf(array).any():
        raise infinite_values(series.name, name)
    return array


def numeric_block(frame: pd.DataFrame, columns: Sequence[str], name: str) -> np.ndarray:
    """Return the given columns of ``frame`` as a float64 matrix (rows x columns)."""
    if not columns:
        return np.empty((len(frame), 0), dtype=np.float64)
    return np.column_stack([numeric_values(frame[c], name) for c in columns])

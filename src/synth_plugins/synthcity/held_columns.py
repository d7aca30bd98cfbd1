"""Columns our Synthcity plugins keep away from Synthcity's encoders.

Synthcity's ``Plugin.fit`` label-encodes every text column before a plugin's ``_fit`` runs,
and ``generate`` decodes the codes back, so record keys and dates written as text are
modelled as levels and come out as training values: real identifiers and real dates
copied. It hands ``datetime64`` columns to the plugin as nanoseconds, a missing date as
the smallest int64 (about the year 1677), so a model fitted on them draws dates centuries
away. :func:`hold_columns` reads the suite's roles
(:func:`synth_plugins.encoding.roles.infer_role`) of the raw columns before Synthcity sees
them: ``identifier`` columns are taken out (every generated row gets a fresh key that
equals no training key), every date column (``datetime64``, or dates written as text)
becomes days since 1970-01-01 with NaN where a date is missing, and numbers written as
text (``"26.31"``) whose role is numeric become numbers; :meth:`HeldColumns.restore` puts
all three back on the generated data, in the training column order, dtypes and formats,
with generated dates rounded to the coarsest of day, hour, minute and second that every
training value fits (:func:`synth_plugins.encoding.parsing.from_days`). Every other
column comes back in its training dtype too: Synthcity's encoders and schema gave pandas'
nullable ``boolean`` (with or without missing values) back as float64 0.0/1.0/NaN,
``Int64``, ``Int32``, ``int16`` as int64 and ``Float64``, ``float32`` as float64. pandas'
nullable numbers (``Int64``, ``Int32``, ``Float64``, ``boolean``) reach Synthcity as float64
with NaN where missing (:func:`held_as_float`): from an ``Int64`` column with missing values
its schema refused every generated table ("failed to meet the synthetic constraints"). The
drawn values of a nullable integer column are rounded to whole numbers before Synthcity
compares the rows with its schema (the training range) and the constraints
(:meth:`HeldColumns.as_written`), and come back in the column's dtype, ``<NA>`` where
generated missing. The columns a loader's layout gives a meaning (a survival loader's
duration and event) are never held, but come back in their training dtype as well (an event
``category`` came back int64).
Columns of pandas' ``string`` and ``category`` dtypes reach Synthcity as ``object`` (its
schema refuses ``string``, and its encoders give ``object`` back), except a ``category`` of
numbers, which stays one (:func:`has_number_levels`); a
``category`` column is held like any other when its role is ``identifier`` (MRNs or free
text stored as categories), and its fresh keys come back as a category of their own.
Synthcity's constraints compare the held form: a rule on a date column compares dates
given as ``pd.Timestamp`` (or ``datetime``, ``np.datetime64``), which
:meth:`HeldColumns.rules_in_days` turns into days, and a number there is days since
1970-01-01; the column's generated days are rounded as they will be written before the rows
are compared (:meth:`HeldColumns.as_written`), so the dates given back meet the rule.
With the plugins' ``detect_identifiers=False`` only the columns their ``identifier_columns``
declares are held as keys; the other columns the rule reads as keys are modelled.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_integer_dtype

from synth_plugins.encoding.parsing import (
    from_days,
    is_text,
    parse_numbers,
    real_numbers,
    text_date_format,
    text_numbers,
    time_step,
    to_days,
    writes_offset,
)
from synth_plugins.encoding.roles import NUMERIC_ROLES, infer_role
from synth_plugins.encoding.tabular import (
    ColumnSpec,
    fresh_keys,
    identifier_spec,
    text_decimals,
)
from synth_plugins.errors import InvalidDataError, InvalidParameterError

#: The dtypes Synthcity gives back as they came; a column of any other dtype is cast back.
KEPT_DTYPES = frozenset(np.dtype(kind) for kind in ("int64", "float64", "bool", "object"))
#: ``pandas.api.types.infer_dtype`` kinds of levels that are numbers.
NUMBER_KINDS = frozenset({"integer", "floating", "mixed-integer-float", "decimal"})


def has_number_levels(series: pd.Series) -> bool:
    """Whether ``series`` is a pandas ``category`` whose levels are numbers (R factors of codes).

    Such a column reaches Synthcity as a ``category``: as ``object`` its encoder would read
    numbers, take levels ``0..k-1`` for codes (or 15 or more levels for a number column)
    and leave the column unencoded, and the schema of the generated rows then fails
    ("Cannot create FloatDistribution"). As a ``category`` every level count is
    label-encoded, so the plugins model it as levels, as the dtype says.
    """
    if not isinstance(series.dtype, pd.CategoricalDtype):
        return False
    return pd.api.types.infer_dtype(series.cat.categories, skipna=True) in NUMBER_KINDS


def sent_as_object(dtype: Any, series: pd.Series) -> bool:
    """Whether a column of training ``dtype`` reaches Synthcity as ``object``.

    pandas' ``string`` (Synthcity's schema refuses it) and ``category`` (its encoders give
    ``object`` back) do, except a ``category`` of numbers (:func:`has_number_levels`).
    """
    if not isinstance(dtype, pd.StringDtype | pd.CategoricalDtype):
        return False
    return not has_number_levels(series)


def held_as_float(dtype: Any) -> bool:
    """Whether a column of ``dtype`` reaches Synthcity as float64 (:func:`without_pd_na`).

    pandas' nullable numbers and booleans (``Int64``, ``Int32``, ``Float64``, ``boolean``):
    their ``pd.NA`` is no number to Synthcity. Its label encoder cannot sort it with
    numbers ("Encoders require their input argument must be uniformly strings or numbers.
    Got ['NAType', 'int']"), and from an ``Int64`` column with missing values its schema
    took an integer range that refused every generated table, its own plugins' too
    ("failed to meet the synthetic constraints"). As float64 with NaN the column is a
    float column with missing values, which Synthcity models; it comes back in its dtype,
    a nullable integer rounded to whole numbers (:meth:`HeldColumns.as_written`).
    """
    return isinstance(dtype, pd.api.extensions.ExtensionDtype) and pd.api.types.is_numeric_dtype(
        dtype
    )  # (pandas counts ``boolean`` as numeric)


def without_pd_na(series: pd.Series) -> pd.Series:
    """``series`` as float64 with NaN where missing, if :func:`held_as_float` says so."""
    return series.astype(float) if held_as_float(series.dtype) else series


@dataclass(frozen=True)
class HeldDate:
    """How a held date column is written, so generated days come back in its kind.

    Its dtype, its text format (None for ``datetime64``) and the step in ns generated
    values are rounded to (0: not rounded).
    """

    dtype: Any
    fmt: str | None
    step: int

    @classmethod
    def of(cls, series: pd.Series) -> HeldDate:
        """The writing of a date column (``datetime64``, or text in one format, found)."""
        fmt = None if pd.api.types.is_datetime64_any_dtype(series) else text_date_format(series)
        return cls(series.dtype, fmt, time_step(series, fmt))

    def days(self, series: pd.Series) -> pd.Series:
        """``series`` as days since 1970-01-01 (NaN where missing), on its index."""
        return pd.Series(to_days(series, self.fmt), index=series.index)

    def written(self, days: pd.Series) -> pd.Series:
        """Generated ``days`` back in the column's kind, rounded to its step, on their index."""
        values = from_days(days.to_numpy(dtype=float), self.dtype, self.fmt, self.step)
        return values.set_axis(days.index)

    def as_written(self, days: pd.Series) -> pd.Series:
        """Generated ``days`` rounded as :meth:`written` rounds them, still as days.

        A constraint compared while rows are drawn then holds on the dates given back: an
        admission at 08:40 compared with ``> 08:30`` would otherwise be written 09:00 on an
        hourly column, and one at 08:20 compared with ``< 08:30`` written 08:00 is kept.
        """
        return self.days(self.written(days))

    def rule_days(self, column: str, value: Any) -> Any:
        """A constraint's ``value`` on this column in the column's held form: days.

        A date (``pd.Timestamp``, ``datetime``, ``date``, ``np.datetime64``), or each of a
        list's (``in``), becomes days since 1970-01-01, as the column's dates do; a
        time-zone-aware date counts as its instant. Numbers are days already and stay.

        Raises:
            InvalidParameterError: ``value`` is text, or a date without a time zone on a
                column of time-zone-aware dates (or with one on a column without); the
                message names the column and what to pass.
        """
        if isinstance(value, list | tuple | set | np.ndarray):
            return [self.rule_days(column, item) for item in value]
        aware = isinstance(self.dtype, pd.DatetimeTZDtype) or writes_offset(self.fmt)
        example = "pd.Timestamp('2020-01-01'" + (", tz='UTC')" if aware else ")")
        if isinstance(value, str):
            raise InvalidParameterError(
                f"constraint value {value!r} on column {column!r} is text; the column holds "
                f"dates, so compare it with a date, e.g. {example}"
            )
        if not isinstance(value, datetime.date | np.datetime64):
            return value
        stamp = pd.Timestamp(value)
        if (stamp.tz is not None) != aware:
            zone = "with a time zone" if aware else "without a time zone"
            raise InvalidParameterError(
                f"constraint value {value!r} on column {column!r}: the column holds dates "
                f"{zone}, so the value needs one as well, e.g. {example}"
            )
        return float(to_days(pd.Series([stamp]))[0])


@dataclass(frozen=True)
class HeldColumns:
    """What :func:`hold_columns` changed, so :meth:`restore` can undo it on generated data.

    Attributes:
        columns: The training column order.
        keys: The identifier columns taken out (:func:`~synth_plugins.encoding.tabular.
            identifier_spec`: what their fresh keys continue from).
        dates: Date columns (``datetime64`` or text) -> how they are written.
        text_numbers: Numeric columns written as text -> the decimals their text is
            written with (:func:`~synth_plugins.encoding.tabular.text_decimals`).
        pandas_dtypes: Columns Synthcity may give back in another dtype (any but numpy's
            int64, float64, bool and object, :data:`KEPT_DTYPES`) -> their training dtype;
            those of pandas' ``string`` or ``category`` dtype reach Synthcity as ``object``,
            and pandas' nullable numbers as float64 (:func:`held_as_float`), unless they are
            in ``layout``.
        layout: Columns the loader's layout gives a meaning (duration, event): they reach
            Synthcity as they are and are only cast back to their training dtype.
        object_numbers: ``object`` columns of numbers only whose role is numeric
            (:func:`~synth_plugins.encoding.parsing.real_numbers`) -> whether the role is
            ``integer``: they reach Synthcity as float64 (as ``object`` it would encode
            them as levels) and come back as float64, the column ``pd.to_numeric`` makes of
            them, an ``integer`` one rounded to whole numbers.
    """

    columns: tuple[str, ...]
    keys: tuple[ColumnSpec, ...] = ()
    dates: dict[str, HeldDate] = field(default_factory=dict)
    text_numbers: dict[str, int] = field(default_factory=dict)
    pandas_dtypes: dict[str, Any] = field(default_factory=dict)
    layout: frozenset[str] = frozenset()
    object_numbers: dict[str, bool] = field(default_factory=dict)

    def hold(self, loader: Any) -> Any:
        """``loader`` as the plugin trains on it: keys out, dates in days, numbers parsed.

        Numbers written as text are parsed and pandas' nullable numbers made float64.
        Applied by :func:`hold_columns` to the training loader, and to any loader compared
        with the plugin's schema (generated rows hold fresh keys and text again).
        """
        held = (self.keys, self.dates, self.text_numbers, self.pandas_dtypes, self.object_numbers)
        if not any(held):
            return loader
        frame = loader.dataframe()
        dropped = [spec.name for spec in self.keys]
        reduced = frame.drop(columns=[c for c in dropped if c in frame.columns])
        for column, dtype in self.pandas_dtypes.items():
            if column in self.layout or column not in reduced:
                continue
            if held_as_float(dtype):
                reduced[column] = without_pd_na(reduced[column])
            elif sent_as_object(dtype, reduced[column]):
                reduced[column] = (
                    reduced[column].astype(object).where(reduced[column].notna(), None)
                )
        for column, date in self.dates.items():
            reduced[column] = date.days(reduced[column])
        for column in self.text_numbers:
            reduced[column] = parse_numbers(reduced[column])
        for column in self.object_numbers:
            reduced[column] = pd.to_numeric(reduced[column]).astype(float)
        info = loader.info()
        if info.get("target_column") in dropped:
            info["target_column"] = None  # Synthcity's default: the last column
        return type(loader).from_info(reduced, info)

    @property
    def whole_numbers(self) -> tuple[str, ...]:
        """The columns of whole numbers held as float64.

        The nullable integer columns (``Int64``, ``Int32``, ...), not those of the layout
        (they reach Synthcity as they are), and the :attr:`object_numbers` of role
        ``integer``.
        """
        nullable = (
            column
            for column, dtype in self.pandas_dtypes.items()
            if column not in self.layout and held_as_float(dtype) and is_integer_dtype(dtype)
        )
        return (*nullable, *(column for column, whole in self.object_numbers.items() if whole))

    def as_written(self, frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
        """``frame`` (in the held form) rounded as it will be restored.

        The nullable integer columns held as float64 (:attr:`whole_numbers`) are rounded to
        whole numbers, and the date ``columns`` as :meth:`HeldDate.as_written` rounds them;
        the plugins round the rows they draw so, before Synthcity compares them with its
        schema and a running ``generate`` call's constraints (the date columns those name),
        so that every row kept is one given back as compared: 40.4 under ``n >= 40.2`` is
        40, which the rule refuses.
        """
        frame = frame.copy()
        for column in self.whole_numbers:
            frame[column] = np.round(frame[column].to_numpy(dtype=float))
        for column in columns:
            frame[column] = self.dates[column].as_written(frame[column])
        return frame

    def rules_in_days(self, rules: Iterable[tuple[str, str, Any]]) -> list[tuple[str, str, Any]]:
        """Constraint ``rules`` with the dates of those on date columns as days.

        Dates are held as days since 1970-01-01, which Synthcity's constraints then compare
        (:meth:`HeldDate.rule_days`); ``dtype`` rules name a type and stay.
        """
        return [
            (feature, op, value)
            if op == "dtype" or feature not in self.dates
            else (feature, op, self.dates[feature].rule_days(feature, value))
            for feature, op, value in rules
        ]

    def restore(self, generated: Any) -> Any:
        """The generated DataLoader with fresh keys, dates and text numbers back, in order."""
        if not (self.keys or self.dates or self.text_numbers or self.pandas_dtypes):
            return generated
        frame = generated.dataframe().copy()
        for column, date in self.dates.items():
            frame[column] = date.written(frame[column])
        for column, decimals in self.text_numbers.items():
            frame[column] = as_text(pd.to_numeric(frame[column]), decimals)
        for spec in self.keys:
            frame[spec.name] = fresh_keys(spec, len(frame)).to_numpy()
        for column, dtype in self.pandas_dtypes.items():
            if frame[column].dtype != dtype:
                frame[column] = as_dtype(frame[column], dtype)
        return generated.decorate(frame[list(self.columns)])


def as_dtype(values: pd.Series, dtype: Any) -> pd.Series:
    """Generated ``values`` cast to their training ``dtype``.

    A ``category`` of False/True levels reads each value as a boolean first: Synthcity gives
    such an event column back as 0.0/1.0, which ``astype`` matches with no level.
    """
    if isinstance(dtype, pd.CategoricalDtype) and pd.api.types.is_bool_dtype(dtype.categories):
        values = values.astype("boolean")
    return values.astype(dtype)


def hold_columns(
    loader: Any,
    layout: Iterable[str] = (),
    identifier_columns: Iterable[Any] = (),
    detect_identifiers: bool = True,
) -> tuple[Any, HeldColumns]:
    """``loader`` as the plugin trains on it, and how to undo it on generated data.

    Identifier columns are taken out, dates become days, numbers written as text are parsed.

    Args:
        loader: A tabular Synthcity DataLoader (generic or survival), or a DataFrame
            (read as a ``GenericDataLoader``, as Synthcity's ``fit`` does).
        layout: Columns the loader's layout gives a meaning (duration, event); never held.
        identifier_columns: Columns declared identifiers (the plugins' option of that
            name): held out as keys whatever the suite's rule reads in them.
        detect_identifiers: Whether the columns the suite's rule reads as keys are held
            too (the plugins' option of that name); False: they are modelled, as
            :func:`_modelled_role` reads them.

    Raises:
        InvalidParameterError: ``identifier_columns`` names a column the data lacks, or one
            of the ``layout``.
        InvalidDataError: When every column is an identifier (nothing left to model).
    """
    if isinstance(loader, pd.DataFrame):
        from synthcity.plugins.core.dataloader import GenericDataLoader

        loader = GenericDataLoader(loader)
    frame = loader.dataframe()
    fixed = set(layout)
    declared = set(_declared_identifiers(identifier_columns, frame.columns, fixed))
    keys: list[ColumnSpec] = []
    dates: dict[str, HeldDate] = {}
    text_numbers: dict[str, int] = {}
    object_numbers: dict[str, bool] = {}
    pandas_dtypes = {
        str(column): dtype for column, dtype in frame.dtypes.items() if dtype not in KEPT_DTYPES
    }
    for column in frame.columns:
        series = frame[column]
        if column in fixed:
            continue
        if column in declared:
            keys.append(identifier_spec(series))
            _note_key_dtype(pandas_dtypes, series)
            continue
        if pd.api.types.is_datetime64_any_dtype(series):
            dates[str(column)] = HeldDate.of(series)
            continue
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        category = isinstance(series.dtype, pd.CategoricalDtype)
        mixed = series.dtype == object  # numbers and text: stray values are refused
        if not (is_text(series) or numeric or category or mixed):  # (float: keys with NaN)
            continue
        if not series.notna().any():  # empty or all-missing columns: the plugins' checks say so
            continue
        role = infer_role(series)
        if role == "identifier" and not detect_identifiers:
            role = _modelled_role(series)
        if role == "identifier":
            keys.append(identifier_spec(series))
            _note_key_dtype(pandas_dtypes, series)
        elif role == "datetime" and is_text(series):
            dates[str(column)] = HeldDate.of(series)
        elif role in NUMERIC_ROLES and is_text(series):
            text_numbers[str(column)] = text_decimals(series)
        elif role in NUMERIC_ROLES and real_numbers(series) is not None:
            object_numbers[str(column)] = role == "integer"
    held = HeldColumns(
        tuple(map(str, frame.columns)),
        tuple(keys),
        dates,
        text_numbers,
        pandas_dtypes,
        frozenset(map(str, fixed)),
        object_numbers,
    )
    if len(keys) == frame.shape[1]:
        raise InvalidDataError(
            f"every column is an identifier ({[spec.name for spec in keys]}): there is "
            "nothing to model; identifier columns get fresh keys, so add the columns to be "
            "generated"
        )
    return held.hold(loader), held


def _declared_identifiers(
    identifier_columns: Iterable[Any], columns: Iterable[Any], layout: Iterable[Any] = ()
) -> list[Any]:
    """The columns ``identifier_columns`` declares, each one of ``columns`` and not ``layout``.

    Raises:
        InvalidParameterError: A declared column is not in ``columns``, or is one the loader
            gives a meaning (``layout``: duration, event), which is modelled, never held.
    """
    declared = list(identifier_columns)
    known = list(columns)
    unknown = [column for column in declared if column not in known]
    if unknown:
        raise InvalidParameterError(
            f"identifier_columns names {unknown}, not columns of the training data; its "
            f"columns are {known}"
        )
    meaningful = [column for column in declared if column in set(layout)]
    if meaningful:
        raise InvalidParameterError(
            f"identifier_columns names {meaningful}, which the loader gives a meaning "
            "(duration, event): they are modelled, never held out as keys"
        )
    return declared


def _modelled_role(series: pd.Series) -> str:
    """The role of a column the suite's rule reads as keys, when it is to be modelled.

    The rule reads keys in distinct whole numbers (``integer``; also written as text, then
    parsed as numbers) and in text or a ``category`` of nearly all distinct values
    (``categorical``: levels, as Synthcity encodes them).
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return "categorical"
    numeric = pd.api.types.is_numeric_dtype(series)
    return "integer" if numeric or text_numbers(series) is not None else "categorical"


def _note_key_dtype(pandas_dtypes: dict[str, Any], series: pd.Series) -> None:
    """Note the dtype an identifier column's fresh keys come back in, where not their own.

    A ``category`` of keys gets a category of the fresh keys (the training categories
    would leak), a ``string`` column stays ``string``; other dtypes are the keys' own
    (:func:`~synth_plugins.encoding.tabular.fresh_keys`).
    """
    column = str(series.name)
    if isinstance(series.dtype, pd.CategoricalDtype):
        pandas_dtypes[column] = "category"
    elif not isinstance(series.dtype, pd.StringDtype):
        pandas_dtypes.pop(column, None)


def as_text(numbers: pd.Series, decimals: int) -> pd.Series:
    """Generated numbers written as text with ``decimals`` decimals (missing stay missing)."""
    return numbers.map(f"{{:.{decimals}f}}".format).where(numbers.notna(), np.nan)

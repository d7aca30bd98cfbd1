"""Long-format visit tables <-> Synthcity's ``TimeSeriesDataLoader``.

Synthcity's time-series loader wants a list of per-patient temporal frames, a list of
observation times and optional static and outcome frames. Its own preparation has traps
that :func:`to_timeseries_loader` avoids:

- observation times must be numbers in time order: a ``datetime64`` visit time column
  becomes days since 1970-01-01 (and comes back as dates; the loader then tells the
  suite's ``longitudinal_fidelity`` metric that a year is 365.25 of its time units), and
  each patient's rows are sorted by time (stably), as SDV's ``PARSynthesizer`` sorts them;
- temporal values must be numbers (``np.isnan`` is called on every temporal frame), so
  categorical visit columns are integer-coded (levels in sorted order) and decoded back;
  datetime visit columns (``datetime64`` or dates written as text) become days since
  1970-01-01, so dates are generated rather than copied as levels, numbers written as
  text are parsed (and written back with their decimals), and identifier visit
  columns (record keys, by :func:`synth_plugins.encoding.roles.infer_role`) are not
  modelled: every output row gets a fresh key that equals no training key;
- a temporal row with *any* missing value is dropped while its observation time is kept,
  which shifts every later time of the patient; so missing temporal values are filled
  (numbers: the lower median, an observed value, so that the column keeps its decimals;
  codes: -1 is never used, the mode is) and a ``<column>__observed``
  0/1 column records where the value was observed;
- per-patient (static and outcome) columns of pandas' nullable numbers (``Int64``,
  ``Float64``, ``boolean``) reach it as floats with NaN where missing: its encoders cannot
  sort ``pd.NA`` with numbers (:func:`~synth_plugins.synthcity.held_columns.held_as_float`,
  as in the tabular plugins); they come back in their dtype (visit columns are made
  numbers by :func:`_temporal_matrix`);
- ``outcome=None`` gives an empty outcome frame that several built-in plugins cannot train
  on (Synthcity issue #326); here the outcome is optional and only built when outcome
  columns are named, and our ``longitudinal_lstm`` plugin trains with or without one.

The loader is a :class:`~synth_plugins.synthcity.coded_loader.CodedTimeSeriesDataLoader`,
which records the coded and the filled columns for the suite's metrics.

:func:`from_timeseries_loader` turns a loader (e.g. ``plugin.generate(n)``) or its
``dataframe()`` back into the original long table: the original column names, order,
category levels, missing values and dtypes. Synthcity numbers sequences from 0, so each
sequence gets a fresh patient id of the training ids' kind and dtype (whole numbers after
the largest training id, text with a prefix no training id starts with), never a real one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.datasets import Dataset
from synth_plugins.encoding.levels import sorted_levels
from synth_plugins.encoding.parsing import (
    is_text,
    parse_numbers,
)
from synth_plugins.encoding.roles import NUMERIC_ROLES, check_not_timedelta, infer_role
from synth_plugins.encoding.tabular import (
    ColumnSpec,
    check_observed,
    fresh_keys,
    identifier_spec,
    in_dtype,
    text_decimals,
)
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.long_format import (
    DAYS_PER_YEAR,
    check_long_format,
    check_static_columns,
    infer_static_columns,
    patient_index,
    visit_order,
)
from synth_plugins.synthcity.held_columns import HeldDate, as_text, without_pd_na

#: Suffix of the 0/1 column recording where a temporal value was observed.
OBSERVED_SUFFIX = "__observed"
#: Synthcity's column-name prefixes in ``TimeSeriesDataLoader.dataframe()``.
SEQ_ID, SEQ_TIME = "seq_id", "seq_time_id"
STATIC_PREFIX, TEMPORAL_PREFIX, OUTCOME_PREFIX = "seq_static_", "seq_temporal_", "seq_out_"


@dataclass(frozen=True)
class LongFormatSpec:
    """How a long table was laid out for Synthcity, so it can be rebuilt.

    Attributes:
        id_column: The patient id column.
        time_column: The visit time column.
        static_columns: Per-patient columns given as ``static_data``.
        visit_columns: Per-visit columns given as ``temporal_data``.
        outcome_columns: Per-patient columns given as ``outcome`` (may be empty).
        columns: The original column order.
        dtypes: The original dtype of every column.
        id_keys: What the fresh patient ids need of the training ids (see
            :func:`~synth_plugins.encoding.tabular.fresh_keys`).
        levels: Sorted levels of the temporal columns that were integer-coded.
        observed: Temporal columns with missing values -> their ``__observed`` column.
        fill: The fill value of each temporal column with missing values (in the coded
            space for coded columns, in days for datetime columns).
        dates: Datetime columns (the visit time column included) -> how they are written
            (:class:`~synth_plugins.synthcity.held_columns.HeldDate`); they reach
            Synthcity as days since 1970-01-01.
        keys: Identifier visit columns (not modelled): what their fresh keys continue from.
        text_numbers: Numeric visit, static and outcome columns written as text -> their
            number of decimals; they reach Synthcity as numbers.
        patient_keys: Identifier per-patient columns (not modelled; one fresh key per
            generated patient), taken out of the static columns.
    """

    id_column: str
    time_column: str
    static_columns: tuple[str, ...]
    visit_columns: tuple[str, ...]
    outcome_columns: tuple[str, ...]
    columns: tuple[str, ...]
    dtypes: Mapping[str, Any] = field(repr=False)
    id_keys: ColumnSpec = field(repr=False)
    levels: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    observed: Mapping[str, str] = field(default_factory=dict)
    fill: Mapping[str, float] = field(default_factory=dict)
    dates: Mapping[str, HeldDate] = field(default_factory=dict)
    keys: tuple[ColumnSpec, ...] = ()
    text_numbers: Mapping[str, int] = field(default_factory=dict)
    patient_keys: tuple[ColumnSpec, ...] = ()

    @property
    def time_per_year(self) -> float:
        """Units of the observation times per year: 365.25 for dates (days), else 1."""
        return DAYS_PER_YEAR if self.time_column in self.dates else 1.0


def _times_in_order(data: Any, id_column: str, time_column: str) -> tuple[Any, HeldDate | None]:
    """``data`` with datetime visit times as days, each patient's rows in time order.

    A ``datetime64`` time column (time-zone-aware ones count as instants) becomes days
    since 1970-01-01, and how it is written is returned (else None). Rows are sorted
    stably by patient (in the order of their first row) then time, as SDV's
    ``PARSynthesizer`` sorts a sequence. A table :func:`check_long_format` refuses (no such
    column, repeated names, times that are not numbers) is returned as it is, for it to
    name the fault.
    """
    if (
        not isinstance(data, pd.DataFrame)
        or data.columns.duplicated().any()
        or id_column not in data.columns
        or time_column not in data.columns
    ):
        return data, None
    date = None
    if pd.api.types.is_datetime64_any_dtype(data[time_column]):
        date = HeldDate.of(data[time_column])
        data = data.copy()
        data[time_column] = date.days(data[time_column])
    times = data[time_column]
    if (
        pd.api.types.is_bool_dtype(times)
        or not pd.api.types.is_numeric_dtype(times)
        or isinstance(times.dtype, pd.CategoricalDtype)
    ):
        return data, date
    return data.iloc[visit_order(data[id_column], times)], date


def _visit_role(series: pd.Series) -> str | None:
    """The suite's role of a visit column that could be a key or a date, else None."""
    if not (
        pd.api.types.is_datetime64_any_dtype(series)
        or pd.api.types.is_integer_dtype(series)
        or series.dtype == object
        or pd.api.types.is_string_dtype(series)
    ):
        return None
    if not series.notna().any():  # no observed value: refused below, naming the column
        return None
    return infer_role(series)


def _needs_codes(series: pd.Series) -> bool:
    return (
        pd.api.types.is_bool_dtype(series)
        or not pd.api.types.is_numeric_dtype(series)
        or isinstance(series.dtype, pd.CategoricalDtype)
    )


def _as_numbers(
    series: pd.Series,
    dates: Mapping[str, HeldDate],
    text_numbers: Mapping[str, int],
) -> pd.Series:
    """A date column as days since 1970-01-01, numbers written as text as numbers.

    Other columns are returned as they are. Synthcity would label-encode dates and numbers
    written as text, and so give back training values (a real date of birth).

    Raises:
        InvalidDataError: a column of numbers written as text now holds other values.
    """
    column = series.name
    if column in dates:
        return dates[column].days(series)
    if column in text_numbers:
        numbers = parse_numbers(series)
        if numbers is None and series.notna().any():
            raise InvalidDataError(
                f"column {column!r} held numbers written as text; now it has values that are "
                "not numbers"
            )
        return series.astype(float) if numbers is None else numbers
    return series


def _from_numbers(values: pd.Series, column: str, spec: LongFormatSpec) -> pd.Series:
    """Generated numbers of a date column, or of numbers written as text, in that kind."""
    if column in spec.dates:
        return spec.dates[column].written(values)
    if column in spec.text_numbers:
        return as_text(pd.Series(values.to_numpy(dtype=float)), spec.text_numbers[column])
    return values


def split_long_format(
    data: pd.DataFrame,
    id_column: str,
    time_column: str,
    static_columns: Iterable[str] | None = None,
    outcome_columns: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, LongFormatSpec]:
    """Check a long table and work out the static / temporal / outcome split.

    Returns the checked table (patients' rows together, in time order; datetime visit
    times as days since 1970-01-01) and a :class:`LongFormatSpec` with the temporal
    encodings (levels of coded columns, observed indicators, fill values).
    """
    data, time_date = _times_in_order(data, id_column, time_column)
    data = check_long_format(data, id_column, time_column)
    others = [c for c in data.columns if c not in (id_column, time_column)]
    outcome = [] if outcome_columns is None else list(outcome_columns)
    if isinstance(outcome_columns, str):
        raise InvalidParameterError(
            f"outcome_columns must be a list of names, not the string {outcome_columns!r}"
        )
    outcome = check_static_columns(data, id_column, time_column, outcome)
    if static_columns is None:
        static = [c for c in infer_static_columns(data, id_column, time_column, others)
                  if c not in outcome]  # fmt: skip
    else:
        static = check_static_columns(data, id_column, time_column, static_columns)
        overlap = sorted(set(static) & set(outcome))
        if overlap:
            raise InvalidParameterError(f"columns both static and outcome: {overlap}")
    visit, keys, patient_keys, text_numbers = [], [], [], {}
    dates = {} if time_date is None else {time_column: time_date}
    patients = data.drop_duplicates(id_column)  # a per-patient column's role is the patients'
    check_observed(patients[[*static, *outcome]])  # named here, not as the core's copy of it
    for column in others:
        check_not_timedelta(data[column])  # Synthcity's loader would pass them on as numbers
        per_patient = column in static or column in outcome
        role = _visit_role(patients[column] if per_patient else data[column])
        if role == "identifier" and column not in outcome:
            (patient_keys if column in static else keys).append(identifier_spec(data[column]))
            continue
        if role == "datetime":
            dates[column] = HeldDate.of(data[column])
        elif role in NUMERIC_ROLES and is_text(data[column]):
            text_numbers[column] = text_decimals(data[column])
        if not per_patient:
            visit.append(column)
    static = [c for c in static if c not in {spec.name for spec in patient_keys}]
    if not visit:
        raise InvalidDataError(
            "no temporal (visit) columns: every column is constant within patients; pass "
            "static_columns to say which ones vary"
        )
    levels, observed, fill = {}, {}, {}
    for column in visit:
        series = _as_numbers(data[column], dates, text_numbers)
        if column not in dates and column not in text_numbers and _needs_codes(series):
            levels[column] = tuple(sorted_levels(series.dropna().unique()))
        if series.isna().any():
            if series.isna().all():
                raise InvalidDataError(f"visit column {column!r} has no observed value")
            name = f"{column}{OBSERVED_SUFFIX}"
            if name in data.columns:
                raise InvalidDataError(f"column name {name!r} is reserved for an indicator")
            observed[column] = name
            if column in levels:
                mode = series.mode(dropna=True).iloc[0]
                fill[column] = float(levels[column].index(mode))
            else:  # the lower median: an observed value, so no decimal is added
                fill[column] = float(series.dropna().quantile(0.5, interpolation="lower"))
    spec = LongFormatSpec(
        id_column=id_column,
        time_column=time_column,
        static_columns=tuple(static),
        visit_columns=tuple(visit),
        outcome_columns=tuple(outcome),
        columns=tuple(data.columns),
        dtypes={
            c: time_date.dtype if c == time_column and time_date else data[c].dtype
            for c in data.columns
        },
        id_keys=identifier_spec(data[id_column]),
        levels=levels,
        observed=observed,
        fill=fill,
        dates=dates,
        keys=tuple(keys),
        text_numbers=text_numbers,
        patient_keys=tuple(patient_keys),
    )
    return data, spec


def _temporal_matrix(data: pd.DataFrame, spec: LongFormatSpec) -> pd.DataFrame:
    """The visit columns as numbers (codes, fills and observed indicators)."""
    out = {}
    for column in spec.visit_columns:
        series = _as_numbers(data[column], spec.dates, spec.text_numbers)
        if column in spec.levels:
            lookup = {level: code for code, level in enumerate(spec.levels[column])}
            values = series.map(lookup)
            unseen = series.notna() & values.isna()
            if unseen.any():
                raise InvalidDataError(
                    f"visit column {column!r} has levels not in the specification: "
                    f"{sorted(map(str, pd.unique(series[unseen])))[:10]}"
                )
            values = values.astype(float)
        else:
            values = pd.to_numeric(series, errors="raise").astype(float)
        if column in spec.observed:
            out[spec.observed[column]] = series.notna().to_numpy(dtype=float)
            values = values.fillna(spec.fill[column])
        elif values.isna().any():
            raise InvalidDataError(
                f"visit column {column!r} has missing values but had none when the "
                "specification was made"
            )
        out[column] = values.to_numpy()
    return pd.DataFrame(out, index=data.index)


def long_to_parts(
    data: pd.DataFrame, spec: LongFormatSpec
) -> tuple[pd.DataFrame, list[pd.DataFrame], list[list[float]], pd.DataFrame | None]:
    """``(static, temporal, observation_times, outcome)`` for a ``TimeSeriesDataLoader``.

    ``data`` must be a table :func:`split_long_format` returned: the spec's columns, its
    patients' rows together and in time order, the time column in numbers. ``outcome`` is
    None when the spec has no outcome columns. The parts' columns are
    labelled by text, as Synthcity names them (``seq_temporal_0`` for a column labelled
    ``0``); its loader fails to fit on other labels.
    """
    index = patient_index(data, spec.id_column)
    temporal_all = _temporal_matrix(data, spec).reset_index(drop=True)
    times = data[spec.time_column].to_numpy(dtype=float)
    temporal, observation_times = [], []
    for start, length in zip(index.starts, index.lengths):
        temporal.append(temporal_all.iloc[start : start + length].reset_index(drop=True))
        observation_times.append(times[start : start + length].tolist())
    first = data.iloc[index.starts].reset_index(drop=True)
    for column in (*spec.static_columns, *spec.outcome_columns):
        first[column] = without_pd_na(_as_numbers(first[column], spec.dates, spec.text_numbers))
    static = first[list(spec.static_columns)]
    outcome = first[list(spec.outcome_columns)] if spec.outcome_columns else None
    as_text = {"columns": str}
    return (
        static.rename(**as_text),
        [part.rename(**as_text) for part in temporal],
        observation_times,
        None if outcome is None else outcome.rename(**as_text),
    )


def to_timeseries_loader(
    data: pd.DataFrame,
    id_column: str,
    time_column: str,
    static_columns: Iterable[str] | None = None,
    outcome_columns: Iterable[str] | None = None,
    **loader_options: Any,
) -> tuple[Any, LongFormatSpec]:
    """A Synthcity ``TimeSeriesDataLoader`` from a long table, and the spec to decode it.

    Args:
        data: Long table: one row per visit.
        id_column: The patient id column.
        time_column: The visit time column (the observation times): numbers, or
            ``datetime64`` dates, which Synthcity gets as days since 1970-01-01 and
            :func:`from_timeseries_loader` gives back as dates of the same dtype. Rows need
            not be in time order: each patient's are sorted (stably).
        static_columns: Per-patient columns (None: those constant within every patient,
            minus the outcome columns).
        outcome_columns: Per-patient outcome columns; None or empty: no outcome.
        **loader_options: Passed to ``TimeSeriesDataLoader`` (e.g. ``train_size``).

    Returns:
        The loader and the :class:`LongFormatSpec` that :func:`from_timeseries_loader` needs.
        The loader is a
        :class:`~synth_plugins.synthcity.coded_loader.CodedTimeSeriesDataLoader`: it and the
        loaders Synthcity derives from it (``train()``, ``test()``, ...) know which temporal
        columns hold category codes and which values were filled, so the suite's metrics
        score them as the decoded table's categories and missing values, and how many time
        units make a year (365.25 for dates), which ``longitudinal_fidelity`` uses.

    Raises:
        InvalidDataError: For a malformed long table (duplicate ``(id, time)`` rows,
            missing times, times that are neither numbers nor ``datetime64``) or no visit
            column.
    """
    from synth_plugins.synthcity.coded_loader import CodedTimeSeriesDataLoader

    data, spec = split_long_format(data, id_column, time_column, static_columns, outcome_columns)
    static, temporal, times, outcome = long_to_parts(data, spec)
    loader = CodedTimeSeriesDataLoader(
        temporal_data=temporal,
        observation_times=times,
        static_data=static if len(static.columns) else None,
        outcome=outcome,
        coded_columns={
            f"{TEMPORAL_PREFIX}{column}": len(levels) for column, levels in spec.levels.items()
        },
        observed={
            f"{TEMPORAL_PREFIX}{column}": f"{TEMPORAL_PREFIX}{indicator}"
            for column, indicator in spec.observed.items()
        },
        time_per_year=spec.time_per_year,
        **loader_options,
    )
    return loader, spec


def dataset_to_timeseries_loader(
    dataset: Dataset, outcome_columns: Iterable[str] | None = None, **loader_options: Any
) -> tuple[Any, LongFormatSpec]:
    """:func:`to_timeseries_loader` for a longitudinal suite dataset (its own split)."""
    if dataset.kind != "longitudinal":
        raise InvalidParameterError(f"dataset {dataset.name!r} is {dataset.kind}, not longitudinal")
    outcome = list(outcome_columns or [])
    static = [c for c in dataset.static_columns if c not in outcome]
    return to_timeseries_loader(
        dataset.data, dataset.id_column, dataset.time_column, static, outcome, **loader_options
    )


def synthcity_long_frame(loader_or_frame: Any) -> pd.DataFrame:
    """A loader's ``dataframe()`` (or that frame) ordered by sequence then time."""
    frame = loader_or_frame if isinstance(loader_or_frame, pd.DataFrame) else (
        loader_or_frame.dataframe()
    )  # fmt: skip
    if SEQ_ID not in frame.columns or SEQ_TIME not in frame.columns:
        raise InvalidDataError(
            f"not a Synthcity time-series frame: no {SEQ_ID!r}/{SEQ_TIME!r} columns "
            f"(columns: {list(frame.columns)[:10]})"
        )
    return frame.sort_values([SEQ_ID, SEQ_TIME], kind="stable").reset_index(drop=True)


def nearest_codes(values: Any, n_levels: int) -> np.ndarray:
    """Generated category codes as integers: the nearest of the codes ``0 .. n_levels - 1``."""
    return np.clip(np.round(np.asarray(values, dtype=float)), 0, n_levels - 1).astype(int)


def was_observed(indicator: Any) -> np.ndarray:
    """Where an ``__observed`` indicator (generated, so any number) says a value was seen."""
    return np.asarray(indicator, dtype=float) >= 0.5


def from_timeseries_loader(loader_or_frame: Any, spec: LongFormatSpec) -> pd.DataFrame:
    """The long table (original names, levels, missing values, dtypes) of a loader.

    Each sequence gets a fresh patient id (Synthcity numbers sequences from 0, and a real
    id is never copied): the training ids' dtype, whole numbers from the power of ten above
    the largest training id, or text ``synthetic_<i>`` with a prefix no training id starts
    with.
    """
    frame = synthcity_long_frame(loader_or_frame)
    sequence, sequences = pd.factorize(frame[SEQ_ID], sort=False)
    ids = fresh_keys(spec.id_keys, len(sequences)).iloc[sequence].reset_index(drop=True)
    times = _from_numbers(pd.Series(frame[SEQ_TIME].to_numpy(dtype=float)), spec.time_column, spec)
    out = pd.DataFrame({spec.id_column: ids, spec.time_column: times})
    for column in spec.static_columns:
        out[column] = _from_numbers(frame[f"{STATIC_PREFIX}{column}"], column, spec).to_numpy()
    for column in spec.outcome_columns:
        out[column] = _from_numbers(frame[f"{OUTCOME_PREFIX}{column}"], column, spec).to_numpy()
    for key in spec.patient_keys:
        out[key.name] = fresh_keys(key, len(sequences)).to_numpy()[sequence]
    for column in spec.visit_columns:
        values = frame[f"{TEMPORAL_PREFIX}{column}"]
        if column in spec.levels:
            levels = np.asarray(spec.levels[column], dtype=object)
            values = pd.Series(levels[nearest_codes(values, len(levels))], dtype=object)
        else:
            values = pd.Series(values.to_numpy(dtype=float))
        if column in spec.observed:
            seen = was_observed(frame[f"{TEMPORAL_PREFIX}{spec.observed[column]}"])
            values = values.where(seen, np.nan)
        out[column] = _from_numbers(values, column, spec).to_numpy()
    for key in spec.keys:
        out[key.name] = fresh_keys(key, len(out)).to_numpy()
    out = out[list(spec.columns)]
    for column, dtype in spec.dtypes.items():
        if column != spec.id_column:
            out[column] = in_dtype(out[column], dtype)
    return out

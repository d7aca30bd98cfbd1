"""Between an SDV sequential table and the longitudinal core's long table: keys, times, ids.

SDV's ``PARSynthesizer`` accepts a sequence index that is numerical or datetime (also
datetime strings), rows in any order within a sequence (it sorts them), and no sequence
index at all (the row order is then the order). It generates new sequence keys and new
``id`` values, and models datetimes as times. The longitudinal core needs a numeric time
column and models other ``datetime`` columns itself (as times, folded into the training
range, so that its dates are generated rather than copied), so :class:`LongTableCodec`
turns the SDV table into the core's long table and the core's samples back:

- the sequence keys reach the core as they are (so its errors name the user's keys);
  the core gives sampled sequences fresh keys that can never equal a training key (numbers
  start at the power of ten above the largest training key, text keys get a prefix that
  no training key starts with: :func:`~synth_plugins.encoding.tabular.fresh_keys`);
- a datetime sequence index becomes days since 1970-01-01 (so the core models gaps in
  days); every other ``datetime`` column reaches the core as ``datetime64`` values (text
  read in the metadata's ``datetime_format``) with the role ``datetime``. Both come back in
  the column's own kind: ``datetime64`` of the same unit and time zone, or strings in the
  column's format, at the resolution of the training values (whole days, hours, minutes or
  seconds, on the column's own clock);
- without a sequence index, the position of the row within its sequence is the time;
- other ``id`` columns are not modelled: each sampled sequence (or row, for a column that
  varies within sequences) gets a fresh value;
- an ``id`` column (the sequence key included) with a ``regex_format`` gets fresh values
  that match it, as SDV generates such keys, none a training value
  (:mod:`~synth_plugins.sdv.id_patterns`);
- sdtypes that PAR fills with Faker values (``pii``, ``unknown``, faker sdtypes such as
  ``email``) are refused with an error naming the column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from synth_plugins.encoding.parsing import (
    from_days,
    read_text_dates,
    text_date_format,
    time_step,
    to_days,
)
from synth_plugins.encoding.tabular import ColumnSpec, identifier_spec
from synth_plugins.errors import InvalidDataError
from synth_plugins.generators.longitudinal_lstm import host_roles
from synth_plugins.long_format import constant_within_patients, visit_order
from synth_plugins.sdv.id_patterns import IdPattern, fresh_values, id_patterns
from synth_plugins.sdv.metadata import roles_from_metadata

#: sdtypes the longitudinal synthesizer models (or generates, for ``id``); SDV 2's
#: ``ordinal`` (its detection gives it to counts such as relapses) is ``ordinal`` for
#: numbers, as in the single-table synthesizers (:func:`roles_from_metadata`).
SUPPORTED_SDTYPES = ("numerical", "categorical", "boolean", "ordinal", "datetime", "id")
#: The core's time column when the metadata has no sequence index (a row's position).
POSITION_COLUMN = "__sequence_position__"


@dataclass
class DatetimeColumn:
    """A datetime column as float days since 1970-01-01, and back in its own kind.

    The conversions are the encoder's (:mod:`synth_plugins.encoding.parsing`), on the
    column's own clock: a time-zone-aware date at local midnight is a whole number of days
    (the core's gaps stay whole days across changes of clocks) and comes back at local
    midnight, at the training resolution.
    """

    dtype: Any
    datetime_format: str | None  # strings: the format they are written in
    step_ns: int  # generated values are rounded to this (the training resolution; 0: not)

    @classmethod
    def learn(cls, values: pd.Series, datetime_format: str | None, column: str) -> DatetimeColumn:
        """Learn how ``values`` are written (dtype, format, time zone, resolution)."""
        fmt = None
        if not pd.api.types.is_datetime64_any_dtype(values):
            fmt = datetime_format or text_date_format(values)
        return cls(values.dtype, fmt, time_step(_parse(values, fmt, column), fmt))

    def to_days(self, values: pd.Series, column: str) -> pd.Series:
        """Float days since 1970-01-01 (missing values stay missing)."""
        parsed = _parse(values, self.datetime_format, column)
        return pd.Series(to_days(parsed, self.datetime_format, "local"), index=values.index)

    def from_days(self, days: pd.Series) -> pd.Series:
        """Datetimes of the training kind, rounded to the training resolution."""
        values = days.to_numpy(dtype=float)
        written = from_days(values, self.dtype, self.datetime_format, self.step_ns, "local")
        return pd.Series(written.to_numpy(), index=days.index, dtype=written.dtype)

    def parse(self, values: pd.Series, column: str) -> pd.Series:
        """The values as ``datetime64`` (text read in the column's format; missing: NaT)."""
        return _parse(values, self.datetime_format, column)

    def write(self, datetimes: pd.Series, column: str) -> pd.Series:
        """``datetime64`` values back in the training kind, at the training resolution."""
        return self.from_days(self.to_days(datetimes, column))


def _parse(values: pd.Series, fmt: str | None, column: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    try:
        return read_text_dates(values, fmt)
    except (TypeError, ValueError) as error:
        raise InvalidDataError(
            f"datetime column {column!r} has values that are not dates in the format "
            f"{fmt!r} (set datetime_format in the metadata): {error}"
        ) from None


@dataclass
class LongTableCodec:
    """The SDV table <-> core long table conversion of one fitted synthesizer."""

    key: str
    index: str | None
    time_column: str = ""
    columns: list[str] = field(default_factory=list)
    #: datetime columns the core gets as days: the sequence index (a codec fitted before
    #: ``core_datetimes`` holds every datetime column here, as its core models them as days)
    datetimes: dict[str, DatetimeColumn] = field(default_factory=dict)
    #: the other datetime columns: the core gets them as ``datetime64`` and models them as
    #: times (role ``datetime``)
    core_datetimes: dict[str, DatetimeColumn] = field(default_factory=dict)
    #: ``id`` columns other than the key: what their fresh values continue from
    #: (:func:`~synth_plugins.encoding.tabular.identifier_spec`), and whether they are
    #: constant within sequences (one value per sequence, else one per row)
    ids: dict[str, tuple[ColumnSpec, bool]] = field(default_factory=dict)
    #: ``id`` columns with a ``regex_format`` (the sequence key included)
    patterns: dict[Any, IdPattern] = field(default_factory=dict)
    #: what the sequence key's fresh values continue from (None: a codec fitted before it)
    key_spec: ColumnSpec | None = None

    def fit(
        self, data: pd.DataFrame, described: dict[str, dict[str, Any]], metadata: Any
    ) -> tuple[pd.DataFrame, dict[str, str]]:
        """Learn the conversion from the training table; return the core's table and roles.

        The roles are the metadata's (:func:`roles_from_metadata`) less ``numerical``,
        which the core infers (:func:`~synth_plugins.generators.longitudinal_lstm.host_roles`):
        a numerical grid such as the EDSS's half steps is then levels, as for the core's
        own users. Rows are sorted by time within each sequence (as PAR does); without a sequence
        index their order is kept.

        Raises:
            InvalidDataError: a column of an sdtype the synthesizer cannot model, a missing
                sequence key, or datetimes that do not parse.
        """
        for column in data.columns:
            sdtype = described.get(column, {}).get("sdtype")
            if sdtype not in SUPPORTED_SDTYPES:
                raise InvalidDataError(
                    f"column {column!r} has sdtype {sdtype!r}, which "
                    "LongitudinalLSTMSynthesizer does not generate (PARSynthesizer fills such "
                    f"columns with Faker values); supported sdtypes are {list(SUPPORTED_SDTYPES)}"
                    ": give it 'id' for fresh keys, 'categorical' to model its values (training "
                    "values are then generated verbatim), or drop the column"
                )
        if self.index is None and POSITION_COLUMN in data.columns:
            raise InvalidDataError(
                f"column name {POSITION_COLUMN!r} is reserved for the row position when the "
                "metadata has no sequence index; rename the column"
            )
        if data[self.key].isna().any():
            raise InvalidDataError(
                f"sequence key {self.key!r} is missing in {int(data[self.key].isna().sum())} "
                "row(s); every row needs the key of its sequence"
            )
        self.columns = list(data.columns)
        self.time_column = self.index or POSITION_COLUMN
        self.key_spec = identifier_spec(data[self.key])
        dated = {
            column: DatetimeColumn.learn(
                data[column], described[column].get("datetime_format"), column
            )
            for column in data.columns
            if described[column]["sdtype"] == "datetime"
        }
        self.datetimes = {c: dated[c] for c in dated if c == self.index}
        self.core_datetimes = {c: dated[c] for c in dated if c != self.index}
        self.ids = {
            column: (
                identifier_spec(data[column]),
                constant_within_patients(data, self.key, column),
            )
            for column in data.columns
            if described[column]["sdtype"] == "id" and column != self.key
        }
        self.patterns = id_patterns(data, described)
        model = self.to_model(data)
        others = [c for c in model.columns if c not in (self.key, self.time_column)]
        return model, host_roles(roles_from_metadata(metadata, model[others]))

    def to_model(self, data: pd.DataFrame) -> pd.DataFrame:
        """The core's long table: numeric times, datetime64 dates, no generated ids, in order.

        The sequence keys are kept, so the core's errors (two visits at one time, a visit
        without a time) name the user's sequences.
        """
        model = data.drop(columns=list(self.ids)).copy()
        for column, converter in self.datetimes.items():
            model[column] = converter.to_days(data[column], column)
        # none in a codec fitted before core_datetimes (its core models them as days)
        for column, converter in getattr(self, "core_datetimes", {}).items():
            model[column] = converter.parse(data[column], column)
        if self.index is None:
            model[self.time_column] = model.groupby(self.key, sort=False, observed=True).cumcount()
        else:
            model = model.iloc[visit_order(data[self.key], model[self.time_column])]
        return model.reset_index(drop=True)

    def from_model(
        self,
        sampled: pd.DataFrame,
        new_sequences: bool = True,
        *,
        first_sequence: int = 0,
        first_row: int = 0,
    ) -> pd.DataFrame:
        """The SDV table of core rows: fresh ids, datetimes, training order.

        The sequence keys are fresh keys of sampled sequences (``new_sequences``; from the
        key's ``regex_format`` when it has one), or the given sequences' own keys for
        ``predict_next_visit``. Fresh values start at position ``first_sequence`` of their
        column's sequence for the key and ids constant within sequences, at ``first_row``
        for ids that vary by row: a synthesizer passes the numbers it gave out before, so
        that its keys continue over calls, as SDV's own do.
        """
        table = sampled.copy()
        sequence, sequences = pd.factorize(table[self.key], sort=False)
        n_sequences, n_rows = len(sequences), len(table)
        if new_sequences and self.key_spec is not None:
            pattern = self.patterns.get(self.key)
            keys = fresh_values(self.key_spec, pattern, n_sequences, first_sequence)
            table[self.key] = keys[sequence]
        for column, converter in self.datetimes.items():
            table[column] = converter.from_days(table[column])
        for column, converter in getattr(self, "core_datetimes", {}).items():
            table[column] = converter.write(table[column], column)
        for column, (spec, per_sequence) in self.ids.items():
            pattern = self.patterns.get(column)
            if per_sequence:
                keys = fresh_values(spec, pattern, n_sequences, first_sequence)
                table[column] = keys[sequence]
            else:
                table[column] = fresh_values(spec, pattern, n_rows, first_row)
        return table[self.columns].reset_index(drop=True)

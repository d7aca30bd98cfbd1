"""SDV's synthesizer contract, checked by our code before SDV's own machinery runs.

SDV wraps sampling in a handler that replaces any error by "Sampling terminated. No results
were saved ..." (the real message only in the chained cause), and its metadata code fails
obscurely on a repeated column name. :class:`SingleTableContract` puts our checks first:
the table (a DataFrame with unique column names, plus each synthesizer's own rules), the
row count of ``sample`` and the values of ``sample_from_conditions`` and
``sample_remaining_columns``, so the first line a user reads names the argument or column.
Bad training data raises :class:`SDVInvalidDataError`, which SDV code catches as SDV's own
``InvalidDataError``. Every ``id`` column gets fresh keys, never a training value, that
continue from batch to batch and call to call, as SDV's own keys do, until
``reset_sampling``; a column with a ``regex_format`` gets the pattern's strings that are
not training values (:mod:`synth_plugins.sdv.id_patterns`). SDV's primary and alternate
keys get them from the generator SDV writes keys with
(:class:`~synth_plugins.sdv.id_patterns.FreshKeyGenerator`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sdv import errors as sdv_errors

from synth_plugins.encoding.parsing import (
    date_text,
    is_datetime,
    read_text_dates,
    text_date_format,
    written_dates,
)
from synth_plugins.encoding.roles import DISCRETE_ROLES, infer_role
from synth_plugins.encoding.tabular import ColumnSpec, fresh_keys, identifier_spec
from synth_plugins.errors import (
    InvalidDataError,
    InvalidParameterError,
    SynthPluginsError,
    caller_stacklevel,
    plain,
    warn,
)
from synth_plugins.generators.privacy import one_warning_per_call
from synth_plugins.long_format import constant_within_patients
from synth_plugins.sdv.compat import native, single_table, table_name
from synth_plugins.sdv.id_patterns import (
    FreshKeyGenerator,
    IdPattern,
    fresh_values,
    id_patterns,
)
from synth_plugins.sdv.metadata import (
    check_declared_dates,
    check_table,
    declared_datetime_formats,
    declared_orders,
    in_declared_order,
    parse_numeric_text,
    read_declared_dates,
    roles_from_metadata,
    table_description,
)
from synth_plugins.validation import check_bool, check_int

#: How many known values a condition error lists.
_SHOWN = 20


class SDVInvalidDataError(InvalidDataError, sdv_errors.InvalidDataError):
    """Bad training data in the SDV host: the suite's ``InvalidDataError`` and SDV's.

    SDV's synthesizers raise ``sdv.errors.InvalidDataError`` from ``fit`` and ``validate``,
    and code written for them catches that class; the suite's checks run before SDV's, so
    their error is SDV's class too. ``errors`` lists the problem, as in SDV's; the message is
    the suite's, naming the column.
    """

    def __init__(self, message: str) -> None:
        InvalidDataError.__init__(self, message)
        self.errors = [message]

    def __str__(self) -> str:
        return str(self.args[0])


class SDVSynthesizerInputError(InvalidParameterError, sdv_errors.SynthesizerInputError):
    """A synthesizer argument SDV's built-ins refuse with ``SynthesizerInputError``.

    E.g. metadata without a sequence key, which ``PARSynthesizer`` refuses so; code written
    for SDV catches that class, and the message is the suite's.
    """


@contextmanager
def sdv_data_errors() -> Iterator[None]:
    """Raise the suite's bad-data error inside the block as :class:`SDVInvalidDataError`.

    For ``fit`` and ``validate``: the checks of the adapters and of the cores (a core's fit
    refuses a table SDV's metadata check let through, e.g. CK4Gen's table without an event)
    raise the suite's class, framework-free; the SDV host gives it SDV's class as well.
    """
    try:
        yield
    except InvalidDataError as error:
        if isinstance(error, sdv_errors.InvalidDataError):
            raise
        raise SDVInvalidDataError(str(error)).with_traceback(error.__traceback__) from None


#: Said under a core's error about conditions when SDV's constraints rewrote them.
_CONSTRAINED_CONDITIONS = (
    "The conditions named above are as SDV's constraints rewrite them (an Inequality or "
    "Range turns its columns into a low column and differences, a '.nan_component' marks "
    "missing values): ask for a combination of the constrained columns that training rows hold."
)

#: Said under a core's error about conditions when SDV's transformers rewrote them.
_TRANSFORMED_CONDITIONS = (
    "The conditions named above are as SDV's transformers rewrite them before the model "
    "sees them ({rewritten}), not as they were asked."
)


@contextmanager
def _own_errors_surface(notes: Iterable[str] = ()) -> Iterator[None]:
    """Re-raise the suite's own error that SDV's sampling wrapper replaced.

    SDV's sampling turns any error into "Error: Sampling terminated. No results were saved
    ..." of the same type, the real message only in the chained cause; an error the suite
    raises while sampling (a condition a core cannot reach, a ``regex_format`` without
    enough strings for fresh keys) is re-raised as it was, with ``notes`` (see
    :meth:`SingleTableContract._condition_notes`). When SDV saved partial
    results (``output_file_path`` given), its message, which says where, is kept (the
    suite's error stays its cause).
    """
    try:
        yield
    except Exception as error:
        cause = error.__cause__
        if isinstance(cause, SynthPluginsError) and "No results were saved" in str(error):
            for note in notes:
                cause.add_note(note)
            raise cause from None
        raise


def device_for(enable_gpu: Any) -> str:
    """The core's ``device`` for SDV's ``enable_gpu``: ``"auto"`` (CUDA if available) or CPU."""
    return "auto" if check_bool("enable_gpu", enable_gpu) else "cpu"


def _in_key_dtypes(table: pd.DataFrame, keys: Iterable[ColumnSpec]) -> pd.DataFrame:
    """``table`` with each generated ``id`` column in a dtype that holds its fresh keys.

    SDV casts every sampled column back to the dtype it was fitted with, so fresh keys a
    column's dtype cannot hold would wrap round onto training keys (``10**10`` in an int32
    or uint32 column; an int8 column after its 28th key) or repeat (``10**16 + i`` as
    floats). SDV is fitted on integers narrower than 64 bits as int64 (``Int64`` when
    nullable) and on float keys whose fresh keys pass 2**53 as ``Int64``.

    Raises:
        InvalidDataError: such float keys hold fractions (they have no whole-number dtype).
    """
    widened = table.copy()
    for spec in keys:
        column = widened[spec.name]
        dtype = getattr(column.dtype, "numpy_dtype", column.dtype)  # pandas' Int32: int32
        nullable = isinstance(column.dtype, pd.api.extensions.ExtensionDtype)
        if dtype.kind in "iu" and dtype.itemsize < 8:
            widened[spec.name] = column.astype("Int64" if nullable else np.int64)
        elif dtype.kind == "f" and fresh_keys(spec, 1).dtype == "Int64":
            observed = column.dropna()
            if not (observed == np.floor(observed)).all():
                raise InvalidDataError(
                    f"identifier column {spec.name!r} holds fractions and keys of "
                    f"{len(str(int(spec.high)))} digits: as floats its fresh keys (from "
                    f"10**{len(str(int(spec.high)))}) cannot be told apart; give the keys as "
                    "whole numbers or as text"
                )
            widened[spec.name] = column.astype("Int64")
    return widened


#: sdtypes whose condition values the synthesizers check (others are left to SDV).
_CONDITIONED_SDTYPES = frozenset({"categorical", "boolean", "ordinal", "numerical"})


@dataclass(frozen=True)
class _ColumnDomain:
    """What values of one column the fitted synthesizer can produce."""

    levels: tuple[Any, ...] | None  # discrete columns: the training levels
    low: float | None  # numerical columns: the training range
    high: float | None
    #: numerical columns of an integer dtype, whose values SDV matches exactly
    whole: bool = False


def _datetimes(values: pd.Series, text_format: str | None) -> pd.Series:
    """``values`` as datetimes: read in ``text_format`` if given; NaT where missing.

    Numbers are read by their digits (:func:`~synth_plugins.encoding.parsing.date_text`).
    """
    if text_format is None:
        return values
    return read_text_dates(date_text(values), text_format, errors="coerce")


@dataclass(frozen=True)
class _DateColumn:
    """A ``datetime`` column as conditions on it are read and matched."""

    #: the format of dates written as text or whole numbers (None for ``datetime64``
    #: columns), as the synthesizers read and write them: the metadata's
    #: ``datetime_format``, else the one
    #: :func:`~synth_plugins.encoding.parsing.text_date_format` finds
    text_format: str | None
    first: pd.Timestamp  # the earliest training date
    span: pd.Timedelta  # from the earliest training date to the latest
    #: the training dtype of dates written as whole numbers (``20200131``), else None
    number_dtype: Any = None

    @classmethod
    def learn(cls, values: pd.Series, datetime_format: str | None = None) -> _DateColumn:
        """The column of the training ``values`` (datetime64 values, or dates as text or numbers).

        ``datetime_format``: the one the metadata declares for text or number dates, if any.
        """
        text_format = datetime_format or text_date_format(values)
        times = _datetimes(values, text_format)
        numbers = values.dtype if pd.api.types.is_numeric_dtype(values) else None
        return cls(text_format, times.min(), times.max() - times.min(), numbers)

    def times(self, values: pd.Series) -> pd.Series:
        """``values`` (the column as generated) as datetimes; NaT where missing."""
        return _datetimes(values, self.text_format)

    def asked(self, column: str, value: Any, what: str) -> pd.Timestamp:
        """The condition ``value`` as a datetime that compares with the column's.

        Raises:
            InvalidParameterError: ``value`` is not a date (in the column's text format, for
                dates written as text), or one of another time zone than the column's.
        """
        try:
            text = date_text(pd.Series([value])).iloc[0] if self.number_dtype else value
            asked = read_text_dates(text, self.text_format)
            asked - self.first  # a naive date against an aware column raises
        except (ValueError, TypeError) as error:
            written = f" written as {self.text_format!r}" if self.text_format else ""
            raise InvalidParameterError(
                f"{what} {column}={value!r}: datetime column {column!r} takes dates"
                f"{written} (training dates from {self.first}): {error}"
            ) from None
        return asked

    def written(self, date: pd.Timestamp) -> Any:
        """``date`` as the column holds it: in its format, as text or a whole number."""
        if self.text_format is None:
            return date
        if self.number_dtype is None:
            return date.strftime(self.text_format)
        return written_dates(pd.Series([date]), self.text_format, self.number_dtype).iloc[0]

    def shown(self, date: pd.Timestamp) -> str:
        """``date`` as an error shows it: in the column's text format, if written as text."""
        return date.strftime(self.text_format) if self.text_format else str(date)


class ConditionDomain:
    """The values a synthesizer can honour in conditions, learnt from the training table.

    Categorical and boolean columns take their training levels; numerical columns values in
    their training range (generated values never leave it), whole numbers in an integer
    column (SDV matches those exactly, so 33.5 would send its rejection sampling round until
    it gives up; a float column's conditions are matched to 1 % by SDV); datetime columns
    dates in their training range (in the column's text format, for dates written as
    text; :meth:`hold_dates` matches them); ``id`` columns none (their values are fresh
    keys, never a training value). A missing value is refused: SDV groups conditions by
    their (transformed) values and drops a missing one, which the suite's synthesizers pass
    on untransformed, so the call would end in SDV's "Sampling terminated". Other sdtypes
    are left to SDV.
    """

    #: ``datetime`` columns, by SDV's (text) name (a domain saved before dates had none)
    dates: Mapping[str, _DateColumn] = MappingProxyType({})

    def __init__(
        self,
        columns: Mapping[str, _ColumnDomain],
        names: list[str],
        identifiers: frozenset[str] = frozenset(),
        dates: Mapping[str, _DateColumn] = MappingProxyType({}),
    ) -> None:
        self.columns = dict(columns)
        self.names = names
        self.identifiers = identifiers
        self.dates = dict(dates)

    @classmethod
    def from_data(cls, data: pd.DataFrame, metadata: Any) -> ConditionDomain:
        """Learn the domain of every categorical, boolean, ordinal and numerical column.

        A column takes levels or a range as the core models it: by the role
        :func:`~synth_plugins.sdv.metadata.roles_from_metadata` gives it (SDV 2's detection
        makes a 0/1 column ``ordinal``; the core models it as two levels).
        """
        described = table_description(metadata)["columns"]
        roles = roles_from_metadata(metadata, data)
        columns = {}
        for name in data.columns:
            if described.get(name, {}).get("sdtype") not in _CONDITIONED_SDTYPES:
                continue
            values = data[name]
            observed = values.dropna()
            if roles[name] in DISCRETE_ROLES:
                columns[name] = _ColumnDomain(tuple(pd.unique(observed)), None, None)
            elif not observed.empty and pd.api.types.is_numeric_dtype(values):
                numbers = observed.to_numpy(dtype=float)
                low, high = float(numbers.min()), float(numbers.max())
                whole = pd.api.types.is_integer_dtype(values.dtype)
                columns[name] = _ColumnDomain(None, low, high, whole)
        identifiers = frozenset(
            str(name) for name in data.columns if described.get(name, {}).get("sdtype") == "id"
        )
        formats = declared_datetime_formats(metadata, data)
        dates = {
            str(name): _DateColumn.learn(data[name], formats.get(name))
            for name, role in roles.items()
            if data[name].notna().any()
            and (name in formats or (role == "datetime" and is_datetime(data[name])))
        }
        return cls(columns, [str(c) for c in data.columns], identifiers, dates)

    def check(self, conditions: pd.DataFrame, what: str = "condition") -> None:
        """Refuse a column or value the synthesizer cannot honour, naming it.

        Raises:
            InvalidParameterError: an unknown column, a value never seen in a categorical or
                boolean column, a number outside a numerical column's training range or a
                fraction in an integer column, a non-number in a numerical column, a value
                that is not a date in a datetime column or a date outside its training
                range, a missing value, or a condition on an ``id`` column.
        """
        for column in conditions.columns:
            if column not in self.names:
                text = (
                    f" (SDV names columns as text: {str(column)!r})"
                    if str(column) in self.names
                    else ""
                )
                raise InvalidParameterError(
                    f"{what} names an unknown column {column!r}{text}; columns are {self.names}"
                )
            if column in self.identifiers:
                raise InvalidParameterError(
                    f"{what} on column {column!r}: it is an id column, generated as fresh keys "
                    "that are never a training value, so it cannot be conditioned on"
                )
            if column in self.dates:
                for value in pd.unique(conditions[column]):
                    self._check_date(column, value, self.dates[column], what)
            domain = self.columns.get(column)
            if domain is None:
                continue
            for value in pd.unique(conditions[column]):
                self._check_value(column, value, domain, what)

    def hold_dates(
        self, sampled: pd.DataFrame, conditions: Mapping[str, Any], rtol: float
    ) -> tuple[pd.DataFrame, dict[str, Any]]:
        """The ``sampled`` rows near each date condition, holding it; the other conditions.

        SDV's rejection sampling keeps a generated row where it holds the conditions: a
        float to within ``rtol`` of the asked value, then written as asked, anything else
        only when equal. The suite's synthesizers meet a date condition by that rejection
        sampling (no core conditions its model on a date, as GaussianCopula conditions on
        a date's number), and their dates spread over the training days, so the exact day
        was found for 1 of 6 training dates. A date is matched as SDV matches a float:
        to within ``rtol`` (SDV's 1 %) of the column's training span (a date has no zero
        to take 1 % of), then written as asked, in the column's dtype or text format.
        """
        others = dict(conditions)
        for column, date in self.dates.items():
            value = conditions.get(column)
            if column not in conditions or pd.isna(value):
                continue
            del others[column]
            asked = date.asked(column, value, "condition")
            distance = (date.times(sampled[column]) - asked).abs()
            sampled = sampled[distance <= date.span * rtol].copy()
            sampled[column] = date.written(asked)
            if date.number_dtype is not None:  # a scalar would make an Int64 column int64
                sampled[column] = sampled[column].astype(date.number_dtype)
        return sampled, others

    @staticmethod
    def _check_missing(column: str, value: Any, what: str) -> None:
        if pd.isna(plain(value)):
            raise InvalidParameterError(
                f"{what} {column}=missing: a missing value cannot be a condition of this "
                "synthesizer (SDV drops it from its groups of conditions); sample rows and keep "
                f"those where {column!r} is missing, e.g. "
                f"synthesizer.sample(n).loc[lambda t: t[{column!r}].isna()]"
            )

    @staticmethod
    def _check_date(column: str, value: Any, date: _DateColumn, what: str) -> None:
        ConditionDomain._check_missing(column, value, what)
        asked = date.asked(column, value, what)
        if not date.first <= asked <= date.first + date.span:
            raise InvalidParameterError(
                f"{what} {column}={date.shown(asked)!r}: outside the training range of column "
                f"{column!r} ({date.shown(date.first)} to {date.shown(date.first + date.span)}); "
                "generated dates never leave it"
            )

    @staticmethod
    def _check_value(column: str, value: Any, domain: _ColumnDomain, what: str) -> None:
        ConditionDomain._check_missing(column, value, what)
        value = plain(value)
        if domain.levels is not None:
            if value not in domain.levels:
                known = [plain(level) for level in domain.levels]
                more = f" (and {len(known) - _SHOWN} more)" if len(known) > _SHOWN else ""
                raise InvalidParameterError(
                    f"{what} {column}={value!r}: value never seen in training for column "
                    f"{column!r}; known values: {known[:_SHOWN]}{more}"
                )
            return
        if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
            raise InvalidParameterError(
                f"{what} {column}={value!r}: numerical column {column!r} takes numbers "
                f"(training range {domain.low:g} to {domain.high:g})"
            )
        assert domain.low is not None and domain.high is not None
        if not domain.low <= float(value) <= domain.high:
            raise InvalidParameterError(
                f"{what} {column}={value!r}: outside the training range of column {column!r} "
                f"({domain.low:g} to {domain.high:g}); generated values never leave it"
            )
        if domain.whole and not float(value).is_integer():
            raise InvalidParameterError(
                f"{what} {column}={value!r}: column {column!r} holds whole numbers, as do the "
                f"generated rows, so no row can hold this value; use e.g. {round(float(value)):d}"
            )


def warn_identifier_levels(
    table: pd.DataFrame, metadata: Any, sequence_key: str | None = None
) -> None:
    """Warn about ``categorical`` columns whose values read as identifiers or free text.

    A categorical column's levels are generated as they are, so training values come out
    verbatim: right for a diagnosis code, not for the UUIDs, record numbers or notes that
    SDV's metadata detection calls categorical. The suite's identifier rule
    (:func:`~synth_plugins.encoding.roles.infer_role`) names them; sdtype ``id`` gives
    fresh keys instead. In a sequential table (``sequence_key`` given) a column constant
    within every sequence is judged on one row per sequence, as the longitudinal core
    judges it: a patient's record number repeats over the patient's visits. The warning
    points at the user's line (``fit``, ``preprocess``, or the harness's call of them).
    """
    described = table_description(metadata)["columns"]
    first_rows = table if sequence_key is None else table.drop_duplicates(subset=sequence_key)
    for column in table.columns:
        if described.get(column, {}).get("sdtype") != "categorical":
            continue
        per_sequence = sequence_key is not None and constant_within_patients(
            table, sequence_key, column
        )
        values = (first_rows if per_sequence else table)[column]
        if values.notna().any() and infer_role(values, check_strays=False) == "identifier":
            distinct = values.nunique()
            warn(
                f"column {column!r} has sdtype 'categorical', but its values read as "
                f"identifiers or free text ({distinct} distinct in {values.notna().sum()}"
                f"{' sequences' if per_sequence else ''}): "
                "its training values will be generated verbatim; give it sdtype 'id' "
                "(fresh keys) or leave it out",
                stacklevel=caller_stacklevel(),
            )


def restart_seed(random_state: int | None) -> int:
    """The seed a synthesizer's sampling stream starts from (first sample, ``reset_sampling``).

    SDV restarts each synthesizer's stream at one fixed seed (``FIXED_RNG_SEED``), so that
    samples are reproducible; a synthesizer given its own ``random_state`` starts from
    both, so two seeds give two samples (with SDV's seed alone they gave two fits and
    one sample). Without ``random_state``, SDV's seed.
    """
    from sdv.single_table.base import FIXED_RNG_SEED

    if random_state is None:
        return FIXED_RNG_SEED
    return int(np.random.SeedSequence([FIXED_RNG_SEED, random_state]).generate_state(1)[0])


def check_enforcement(enforce_min_max_values: Any, enforce_rounding: Any) -> None:
    """Refuse ``False`` for SDV's two enforcement arguments, naming the argument.

    The suite's cores never generate a number outside its column's training range, and
    write numbers at the column's training precision themselves (their copy filters compare
    the rows as returned): ``False`` would not give what it gives SDV's own synthesizers
    (unrounded values, values beyond the training range), so it is refused, not ignored.

    Raises:
        SDVSynthesizerInputError: either argument is ``False``.
        InvalidParameterError: either argument is not a boolean.
    """
    for name, value in (
        ("enforce_min_max_values", enforce_min_max_values),
        ("enforce_rounding", enforce_rounding),
    ):
        if not check_bool(name, value):
            raise SDVSynthesizerInputError(
                f"{name}=False is not supported: the suite's synthesizers always keep "
                "generated values in each column's training range and at its training "
                "precision"
            )


class SingleTableContract:
    """Mixin for ``BaseSingleTableSynthesizer`` subclasses: our checks before SDV's.

    Subclasses map SDV's ``categorical``, ``boolean`` and ``datetime`` sdtypes to no
    transformer, so those columns, and ``id`` columns that are not keys (SDV gives them the
    categorical transformer), reach the core raw;
    :func:`~synth_plugins.sdv.metadata.roles_from_metadata` makes them ``datetime``
    (modelled as days, written back in the column's dtype or format) and ``identifier``
    (fresh keys, never a training value) columns, as in the cores. Dates written as text
    are read and written in the metadata's ``datetime_format`` where it declares one (see
    :meth:`fit_processed_data`), else in the format the cores find; dates written as whole
    numbers (``20200131``) only in a declared one, and written back as numbers. Numbers
    written as text in a ``numerical`` column are parsed first (SDV's validation refuses
    them; the cores parse them too), so they come back as numbers.

    Subclasses may add table rules in :meth:`_check_raw` (run by ``fit`` and ``validate`` on
    the raw table, before SDV's transformers change any value) and model-specific
    condition rules in :meth:`_check_model_conditions`. Numerical columns reach the core
    with their missing values, which every core of the suite models itself (see
    :meth:`_update_default_transformers`).
    """

    #: sdtypes that reach the core raw (no SDV transformer): the cores model levels, dates
    #: and booleans themselves. SDV 2's ``ordinal`` (its detection gives it to a 0/1 event)
    #: would otherwise reach the core as uniform numbers in (0, 1).
    _model_sdtype_transformers: ClassVar[dict[str, None]] = {
        "categorical": None,
        "boolean": None,
        "datetime": None,
        "ordinal": None,
    }
    _domain: ConditionDomain | None = None
    _schema: pd.DataFrame | None = None
    #: columns of a level order the metadata declares, which the core sees as ordered
    #: categoricals (set by ``fit_processed_data``)
    _orders: Mapping[Any, list[Any]] = MappingProxyType({})
    #: columns of dates written as text with the metadata's ``datetime_format``, which the
    #: core sees as ``datetime64`` values read in it (set by ``fit_processed_data``)
    _datetime_formats: Mapping[Any, str] = MappingProxyType({})
    #: ``id`` columns that are not SDV's keys (primary, alternate; SDV writes those with a
    #: :class:`FreshKeyGenerator`), and the fresh keys given out so far
    _key_specs: tuple[ColumnSpec, ...] = ()
    _keys_issued: int = 0
    #: those of them with a ``regex_format``: the pattern and the training values
    _key_patterns: Mapping[Any, IdPattern] = MappingProxyType({})

    def __init__(
        self,
        metadata: Any,
        *,
        enforce_min_max_values: bool = True,
        enforce_rounding: bool = True,
        **options: Any,
    ) -> None:
        check_enforcement(enforce_min_max_values, enforce_rounding)
        super().__init__(  # type: ignore[call-arg]
            metadata,
            enforce_min_max_values=enforce_min_max_values,
            enforce_rounding=enforce_rounding,
            **options,
        )

    def _update_default_transformers(self) -> None:
        """Numerical columns reach the core with their missing values (NaN).

        SDV's default numerical transformer fills a missing value with the column mean and,
        when sampling, blanks values at random at the training rate: a core would fit a
        point mass at the mean (half of SUPPORT's glucose values) that then shows among the
        generated values, missingness would lose its ties to the other columns, and a core's
        ``missing="error"`` would never see a missing value. The cores model missing numbers
        themselves (Med-VAE and CK4Gen an indicator, CTAB-GAN+ a missing mode, the MLE
        copula marginals fitted on observed values). The cores also write numbers at their
        recorded decimals and within the training range themselves, so SDV's rounding and
        clip (both always on: :func:`check_enforcement`) leave their values as they are.
        """
        super()._update_default_transformers()  # type: ignore[misc]
        from rdt.transformers import FloatFormatter

        formatter = FloatFormatter(
            missing_value_replacement=None,
            missing_value_generation=None,
            learn_rounding_scheme=self.enforce_rounding,  # type: ignore[attr-defined]
            enforce_min_max_values=self.enforce_min_max_values,  # type: ignore[attr-defined]
        )
        self._data_processor._update_transformers_by_sdtypes(  # type: ignore[attr-defined]
            "numerical", formatter
        )

    def add_constraints(self, constraints: list[Any]) -> None:
        """SDV's ``add_constraints``, keeping the synthesizer's transformer choices.

        SDV's own builds a new data processor without the synthesizer's transformer
        choices (``_update_default_transformers``): categorical columns would then reach the
        core as SDV's ``UniformEncoder`` numbers (a 3-level column as hundreds of levels),
        dates as numbers, and missing numbers filled with the column mean. They are made
        again here, as after construction. (SDV's ``TVAESynthesizer`` has the same trap.)
        """
        super().add_constraints(constraints)  # type: ignore[misc]
        self._update_default_transformers()

    def _preprocess(self, data: pd.DataFrame) -> pd.DataFrame:
        """SDV's preprocessing; a constraint's missing-value marker made observable.

        SDV's ``Inequality`` and ``Range`` add a categorical ``<columns>.nan_component``
        column naming which of their columns are missing in each row, ``"None"`` where none
        is; when no row has a missing value the whole column is missing, which SDV reads
        back the same way. That column reaches the core untransformed (see
        :meth:`add_constraints`), and the cores refuse a column without an observed value,
        so it gets SDV's own ``"None"`` instead.
        """
        return self._observable_markers(super()._preprocess(data))  # type: ignore[misc]

    def _transform_conditions(self, condition_df: pd.DataFrame) -> pd.DataFrame:
        """SDV's transform of a condition; a constraint's missing-value marker as in training.

        A condition that gives every column of an ``Inequality`` or ``Range`` has no
        missing value, so SDV's marker is missing there too (see :meth:`_preprocess`):
        SDV's grouping of transformed conditions then drops the condition and sampling
        ends in "No objects to concatenate". It gets ``"None"``, the training level.
        """
        return self._observable_markers(super()._transform_conditions(condition_df))  # type: ignore[misc]

    def _observable_markers(self, processed: pd.DataFrame) -> pd.DataFrame:
        """``processed`` with each constraint missing-value marker that has no value "None"."""
        columns = table_description(self._raw_metadata)["columns"]
        for column in processed.columns:
            marker = str(column).endswith(".nan_component") and column not in columns
            if marker and processed[column].isna().all():
                processed[column] = "None"
        return processed

    @property
    def _constrained(self) -> bool:
        """Whether SDV constraints rewrite the table the core models."""
        return bool(getattr(self, "_chained_constraints", None))

    def _condition_notes(self, columns: Iterable[Any], constraints: bool = True) -> list[str]:
        """Notes for a core's error about conditions on ``columns``, which SDV rewrote.

        The core names the conditions it was given: SDV's constraints (``constraints``:
        they took part) and its transformers (a user's ``update_transformers``: a
        ``LabelEncoder`` gives ``sex=0`` for ``sex='F'``, a ``LogScaler``
        ``time=1.0986...`` for ``time=3``) rewrite the user's. A ``FloatFormatter`` (the
        synthesizers' own for numbers) and no transformer leave values as they are.
        """
        from rdt.transformers import FloatFormatter

        notes = [_CONSTRAINED_CONDITIONS] if constraints and self._constrained else []
        transformers = self._data_processor._hyper_transformer.field_transformers  # type: ignore[attr-defined]
        rewritten = [
            f"{column!r}: {type(transformer).__name__}"
            for column in columns
            if (transformer := transformers.get(column)) is not None
            and type(transformer) is not FloatFormatter
        ]
        if rewritten:
            notes.append(_TRANSFORMED_CONDITIONS.format(rewritten=", ".join(rewritten)))
        return notes

    @property
    def _raw_metadata(self) -> Any:
        """The metadata of the user's table (SDV's ``self.metadata`` is the modelled one).

        SDV's ``add_constraints`` replaces ``self.metadata`` by the metadata of the table
        its constraints make (an ``Inequality``'s two columns become a low column and a
        difference); the checks of the raw table, its keys and the condition domain need
        the user's columns.
        """
        return self._original_metadata  # type: ignore[attr-defined]

    def _check_raw(self, data: pd.DataFrame) -> None:
        """Synthesizer-specific checks of the raw training table (none by default)."""

    def _check_model_conditions(self, conditions: pd.DataFrame) -> None:
        """Model-specific checks of condition values already in the domain (none by default)."""

    def _checked(self, data: Any) -> pd.DataFrame:
        """The raw training table of ``data`` after our checks, numbers as text parsed.

        Dates declared as numbers, or as text SDV would misread, are refused first
        (:func:`~synth_plugins.sdv.metadata.check_declared_dates`).
        """
        table = check_table(single_table(data, table_name=table_name(self._raw_metadata)))  # type: ignore[attr-defined]
        check_declared_dates(table, self._raw_metadata)
        table = parse_numeric_text(table, self._raw_metadata)
        self._check_raw(table)
        return table

    def validate(self, data: Any) -> None:
        """Validate ``data`` (our checks, then SDV's metadata and constraint checks).

        ``data`` is the table, as a DataFrame or (SDV 2's shape) ``{table_name: DataFrame}``.
        Numbers written as text in ``numerical`` columns are parsed first (see the class).

        Raises:
            SDVInvalidDataError: not a table, a repeated column name, or a rule of the
                synthesizer broken (the message names the column); then SDV's own errors.
        """
        with sdv_data_errors():
            table = self._checked(data)
        super().validate(native(table, self._raw_metadata))  # type: ignore[misc]

    def fit(self, data: Any) -> None:
        """Fit on the raw table (either shape); our checks run first (see :meth:`validate`).

        Raises:
            SDVInvalidDataError: see :meth:`validate`; and the core's refusals of the table.
        """
        with sdv_data_errors():
            table = self._checked(data)
            super().fit(native(table, self._raw_metadata))  # type: ignore[misc]

    def preprocess(self, data: Any) -> pd.DataFrame:
        """SDV's preprocessing of the raw table (either shape), after our checks.

        What sampling needs from the raw table is learnt here, on SDV's ``fit`` route and
        on its ``preprocess`` + ``fit_processed_data`` route alike: the ``id`` columns the
        synthesizer generates and their patterns, the values conditions may take, and the
        columns and dtypes of an empty sample.

        Raises:
            SDVInvalidDataError: see :meth:`validate`.
        """
        with sdv_data_errors():
            table = self._checked(data)
            warn_identifier_levels(table, self._raw_metadata)
            identifiers = self._learn_keys(table)
            table = _in_key_dtypes(table, identifiers)
            sdv_keys = self._sdv_keys
            keys = tuple(spec for spec in identifiers if str(spec.name) not in sdv_keys)
            patterns = self._take_generators(table, keys)
            processed = super().preprocess(native(table, self._raw_metadata))  # type: ignore[misc]
        self._domain = ConditionDomain.from_data(table, self._raw_metadata)
        self._schema = table.iloc[:0].copy()
        self._key_specs, self._key_patterns = keys, patterns
        self._keys_issued = 0
        return processed

    def fit_processed_data(self, processed_data: Any) -> None:
        """SDV's ``fit_processed_data``; declared orders and date formats reach the core in it.

        A column whose metadata declares a level order (SDV 2's ``ordinal`` with
        ``range_values``, SDV 1's ``categorical`` with ``order``; see
        :func:`~synth_plugins.sdv.metadata.declared_orders`) reaches the core as an ordered
        categorical, so that a generator whose model reads the order (the MLE copula's
        polychoric correlations) reads the declared one, not the text order of the levels.
        A column of dates written as text or whole numbers with a ``datetime_format``
        (:func:`~synth_plugins.sdv.metadata.declared_datetime_formats`) reaches it as
        ``datetime64`` values read in that format, as SDV's own synthesizers read it (the
        cores would read text dates in the format they find, if any: ``"20200131"`` in
        none; numbers as numbers), and :meth:`_sample` writes the generated dates in it
        again, as text or as whole numbers of the training dtype.

        Raises:
            SDVInvalidDataError: A value outside its column's declared order, or text dates
                or numbers not in their ``datetime_format``.
        """
        with sdv_data_errors():
            table = single_table(processed_data, "processed_data")
            self._orders = declared_orders(self._raw_metadata, table)
            self._datetime_formats = declared_datetime_formats(self._raw_metadata, table)
            if self._orders or self._datetime_formats:
                table = in_declared_order(table, self._orders)
                table = read_declared_dates(table, self._datetime_formats)
                processed_data = native(table, self._raw_metadata)
        super().fit_processed_data(processed_data)  # type: ignore[misc]

    def _learn_keys(self, table: pd.DataFrame) -> tuple[ColumnSpec, ...]:
        """The ``id`` columns (and other columns read as identifiers): all get fresh keys.

        :meth:`_sample` gives them, except SDV's keys (:attr:`_sdv_keys`), which SDV writes
        after the core's rows with the generator :meth:`_take_generators` gives it.
        """
        roles = roles_from_metadata(self._raw_metadata, table)
        return tuple(
            identifier_spec(table[column]) for column, role in roles.items() if role == "identifier"
        )

    @property
    def _sdv_keys(self) -> frozenset[str]:
        """The columns SDV generates as keys: the primary key and the alternate keys."""
        described = table_description(self._raw_metadata)
        keys = {described.get("primary_key"), *described.get("alternate_keys", [])}
        return frozenset(str(key) for key in keys if key is not None)

    def _take_generators(
        self, table: pd.DataFrame, keys: Iterable[ColumnSpec]
    ) -> dict[Any, IdPattern]:
        """SDV's generators of ``id`` columns replaced, so that no value is a training value.

        SDV's ``RegexGenerator`` would write a column with a ``regex_format`` after the
        core's rows, enumerating the pattern from its first string: training values (a table
        numbered ``R0000``, ``R0001``, ... got 50 of 50 back), and its keys likewise, or
        Faker's random integers, which can be training keys. The transformer of such a
        column that is not a key (``keys``) becomes None, so the values :meth:`_sample`
        gives (the same enumeration without the training values) reach the output; SDV's
        keys of sdtype ``id`` get a :class:`FreshKeyGenerator` (a key of a Faker sdtype,
        ``email``, ``phone_number``, ..., keeps SDV's Faker values). A transformer the user
        chose for these columns is replaced too: the synthesizer generates them.

        Returns:
            the patterns of the ``keys`` with a ``regex_format``, by column.
        """
        described = table_description(self._raw_metadata)
        patterns = id_patterns(table[[spec.name for spec in keys]], described["columns"])
        generators: dict[str, Any] = {str(column): None for column in patterns}
        for key in self._sdv_keys:
            column = described["columns"][key]
            if column["sdtype"] == "id":
                generators[key] = FreshKeyGenerator(column.get("regex_format"))
        if generators:
            # SDV's auto_assign_transformers without its validate, which preprocess runs (its
            # warnings would show twice); SDV names columns as text (its fit converts the
            # labels; this does not)
            named = self._validate_transform_constraints(table.rename(columns=str))  # type: ignore[attr-defined]
            self._data_processor.prepare_for_fitting(named)  # type: ignore[attr-defined]
            self._data_processor.update_transformers(generators)  # type: ignore[attr-defined]
        return patterns

    def _sample(self, num_rows: int, conditions: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """SDV's hook for one batch: the subclass's :meth:`_core_rows`, with fresh keys.

        SDV samples in batches (``batch_size``, conditions, reject sampling), each a call of
        ``_sample``; the core numbers each batch's keys from the first again, so the keys
        are given here, continuing the ones given out before (from the column's
        ``regex_format`` when it has one).
        """
        frame = self._core_rows(num_rows, conditions)
        for column in self._orders:  # back from the ordered categorical to the raw dtype
            if str(column) in frame.columns and self._schema is not None:
                frame[str(column)] = frame[str(column)].astype(self._schema[column].dtype)
        for column, fmt in self._datetime_formats.items():  # back to text or numbers in it
            if str(column) in frame.columns and self._schema is not None:
                dtype = self._schema[column].dtype
                frame[str(column)] = written_dates(frame[str(column)], fmt, dtype)
        for spec in self._key_specs:
            name = str(spec.name)  # the core's column: SDV names columns as text
            if name not in frame.columns:
                continue
            pattern = self._key_patterns.get(spec.name)
            frame[name] = fresh_values(spec, pattern, len(frame), self._keys_issued)
        self._keys_issued += len(frame)
        return frame

    def _core_rows(
        self, num_rows: int, conditions: Mapping[str, Any] | None = None
    ) -> pd.DataFrame:
        """``num_rows`` rows from the subclass's core.

        ``NotImplementedError`` where it cannot meet ``conditions``: SDV then falls back to
        its reject sampling.
        """
        raise NotImplementedError

    def _set_random_state(self, random_state: Any) -> None:
        """SDV's (re)start of the sampling stream; its fixed seed made this synthesizer's.

        SDV passes ``FIXED_RNG_SEED`` before the first sample and after
        :meth:`reset_sampling`: the stream starts from :func:`restart_seed` instead.
        """
        from sdv.single_table.base import FIXED_RNG_SEED

        if isinstance(random_state, int) and random_state == FIXED_RNG_SEED:
            random_state = restart_seed(self.random_state)  # type: ignore[attr-defined]
        super()._set_random_state(random_state)  # type: ignore[misc]

    def reset_sampling(self) -> None:
        """SDV's ``reset_sampling``; fresh keys start again from the first."""
        super().reset_sampling()  # type: ignore[misc]
        self._keys_issued = 0

    def sample(self, num_rows: int, *args: Any, **kwargs: Any) -> Any:
        """Sample ``num_rows`` rows; the other arguments are the installed SDV's.

        Returns what the installed SDV returns: a DataFrame on SDV 1.x, ``{table_name:
        DataFrame}`` on SDV 2.x. ``num_rows=0`` gives an empty table with the training
        columns and dtypes (SDV's own synthesizers give one without columns), after SDV has
        checked the other arguments and done what it does with them (SDV 2 creates
        ``output_folder_path``). The copy filter's warnings come once per call, with its
        totals over SDV's batches (:func:`~synth_plugins.generators.privacy.one_warning_per_call`),
        here and in the conditional sampling methods.

        Raises:
            InvalidParameterError: ``num_rows`` is not a whole number >= 0.
            InvalidDataError: an ``id`` column's ``regex_format`` has too few strings that are
                not training values for the keys asked (the message names the column).
        """
        num_rows = check_int("num_rows", num_rows, minimum=0)
        with _own_errors_surface(), one_warning_per_call():  # SDV samples in batches
            return super().sample(num_rows, *args, **kwargs)  # type: ignore[misc]

    def _sample_with_progress_bar(self, num_rows: int, *args: Any, **kwargs: Any) -> pd.DataFrame:
        """SDV's sampling for ``sample``; no rows give the training columns and dtypes.

        SDV's gives a table without columns for ``num_rows=0``, which its ``sample`` then
        fails to relabel ("Length mismatch") where the training table has integer column
        labels (SDV names columns as text and relabels the sample with the training ones).
        """
        if num_rows == 0 and self._schema is not None:
            return self._schema.rename(columns=str)
        return super()._sample_with_progress_bar(num_rows, *args, **kwargs)  # type: ignore[misc]

    def _check_conditions(self, conditions: pd.DataFrame, what: str) -> None:
        self._validate_fit_before_sample()  # type: ignore[attr-defined]
        if self._domain is not None:
            self._domain.check(conditions, what)  # the user's values
        try:
            self._check_model_conditions(conditions)  # the values as SDV transforms them
        except SynthPluginsError as error:
            # the check transforms the conditions without SDV's constraints
            for note in self._condition_notes(conditions.columns, constraints=False):
                error.add_note(note)
            raise

    def _filter_conditions(
        self, sampled: pd.DataFrame, conditions: Mapping[str, Any], float_rtol: float
    ) -> pd.DataFrame:
        """SDV's filter of generated rows by the conditions; dates matched as floats are.

        See :meth:`ConditionDomain.hold_dates`. (SDV's is a static method, which it calls
        on the synthesizer.) A matched date or float is written as asked after SDV's
        constraints have checked the row, so a row the rewrite makes break a constraint is
        dropped and sampled again: an admission within 1 % of the asked date, rewritten to
        it, could fall after the row's discharge (1 of 6 rows under an ``Inequality``).
        """
        if self._domain is not None:
            sampled, conditions = self._domain.hold_dates(sampled, conditions, float_rtol)
        sampled = super()._filter_conditions(sampled, conditions, float_rtol)  # type: ignore[misc]
        constraints = [
            *getattr(self, "_chained_constraints", []),
            *getattr(self, "_reject_sampling_constraints", []),
        ]
        for constraint in constraints:
            sampled = sampled[constraint.is_valid(sampled)]
        return sampled

    def _sample_with_conditions(self, conditions: pd.DataFrame, *args: Any, **kwargs: Any) -> Any:
        """SDV's sampling of a table of conditions, its ``category`` columns as plain values.

        SDV groups the conditions, and again their transformed values, by column; pandas
        groups a ``category`` column by every level, also those no condition asks for, and
        SDV fails on such an empty group (``IndexError``, or ``ZeroDivisionError`` in its
        batches). SDV's own transformers turn a category into numbers; the suite's
        synthesizers give it none, so the user's ``category`` dtype (e.g. known columns taken
        from the training table) reached the second grouping too.
        """
        categories = conditions.select_dtypes("category").columns
        conditions = conditions.astype(dict.fromkeys(categories, object))
        return super()._sample_with_conditions(conditions, *args, **kwargs)  # type: ignore[misc]

    def sample_from_conditions(self, conditions: list[Any], *args: Any, **kwargs: Any) -> Any:
        """SDV's conditional sampling, with every condition checked first.

        The other arguments, and what is returned, are the installed SDV's (see
        :meth:`sample`).

        Raises:
            InvalidParameterError: a condition names an unknown column or a value the
                synthesizer cannot produce (an unseen level, a number outside the training
                range, ...): the message names the column and the known values.
        """
        frames = self._make_condition_dfs(conditions)  # type: ignore[attr-defined]
        for frame in frames:
            self._check_conditions(frame, "condition")
        columns = list(dict.fromkeys(column for frame in frames for column in frame.columns))
        with _own_errors_surface(self._condition_notes(columns)), one_warning_per_call():
            return super().sample_from_conditions(conditions, *args, **kwargs)  # type: ignore[misc]

    def sample_remaining_columns(
        self, known_columns: pd.DataFrame, *args: Any, **kwargs: Any
    ) -> Any:
        """SDV's ``sample_remaining_columns``, with the known values checked first.

        The other arguments, and what is returned, are the installed SDV's (see
        :meth:`sample`).

        Raises:
            InvalidParameterError: as :meth:`sample_from_conditions`, for a known column.
        """
        check_table(known_columns, "known_columns")
        self._check_conditions(known_columns, "known value")
        notes = self._condition_notes(known_columns.columns)
        with _own_errors_surface(notes), one_warning_per_call():
            return super().sample_remaining_columns(known_columns, *args, **kwargs)  # type: ignore[misc]

"""Column roles: the one vocabulary every generator, metric and dataset uses for columns.

A role says how a column is modelled, independently of its pandas dtype:

- ``numerical``: continuous values (min-max scaled by generators, clipped to the
  training range on output).
- ``integer``: numeric values that are whole numbers (counts, years); modelled like
  ``numerical`` and rounded on output.
- ``binary``: exactly two values of any dtype (0/1, "yes"/"no", True/False).
- ``categorical``: unordered levels.
- ``ordinal``: ordered levels (e.g. tumour grade I < II < III, the EDSS grid); the order is
  the sorted order of the observed values unless given explicitly.
- ``datetime``: points in time (a ``datetime64`` column, or dates written as text in one
  format); modelled as a number (days since 1970-01-01) and written back in the input's
  dtype or text format, so dates are generated, not copied.
- ``identifier``: record keys (near-unique text, or distinct whole numbers too many for a
  measurement of their span, or under a key's name); not modelled: every output row gets a
  fresh key that never equals a training value.

Inference (:func:`infer_role`) also reads numbers written as text (``"26.31"``): such a
column gets the role its numbers would get, and a numeric role means the encoder parses
the strings and returns numbers. Text numbers with a leading zero (``"07700900461"``) are
codes, not quantities, and follow the rules for text. Numbers or dates written as text
but for a few stray values (``"unknown"``, ``"<5"``) are refused by name
(:func:`stray_values`) rather than read as text; a declared role is honoured.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal, get_args

import numpy as np
import pandas as pd

from synth_plugins.encoding.parsing import (
    is_datetime,
    read_dates,
    read_numbers,
    real_numbers,
    text_date_format,
    text_numbers,
)
from synth_plugins.errors import InvalidDataError, InvalidParameterError, caller_stacklevel, warn

Role = Literal["numerical", "integer", "binary", "categorical", "ordinal", "datetime", "identifier"]
ROLES: tuple[str, ...] = get_args(Role)
DISCRETE_ROLES: frozenset[str] = frozenset({"binary", "categorical", "ordinal"})
NUMERIC_ROLES: frozenset[str] = frozenset({"numerical", "integer"})

#: A numeric column with at most this many distinct values is inferred as categorical.
DEFAULT_MAX_NUMERIC_LEVELS = 10
#: A column is inferred ``identifier`` only with at least this many observed values ...
MIN_IDENTIFIER_VALUES = 20
#: ... and, for text, more than this share of distinct values among them.
IDENTIFIER_DISTINCT_SHARE = 0.95
#: Text where more than this share of the observed rows holds a value no other row has (free
#: text, phone numbers, addresses with a few repeats) is an identifier too: modelled as
#: levels, its values would be sampled back, each one a patient's own.
IDENTIFIER_SINGLETON_SHARE = 0.5
#: Distinct whole numbers are keys when independent draws of a measurement over their span
#: would all differ with at most this probability (:func:`distinct_chance`): a measurement
#: column that many values long repeats a value.
IDENTIFIER_DISTINCT_CHANCE = 1e-3
#: How far a float may lie from a whole number and still be one (see :func:`is_whole`):
#: float round-off, never a measured fraction.
WHOLE_ABSOLUTE_TOLERANCE = 1e-8
#: ... plus this share of its size (round-off grows with the number).
WHOLE_RELATIVE_TOLERANCE = 1e-12
#: Text (or mixed) values are numbers or dates but for a few stray values (see
#: :func:`stray_values`) when at least this share of their distinct values read as such.
STRAY_READ_SHARE = 0.9
#: Columns of more distinct values than this are screened first on a seeded sample of as
#: many: where under :data:`_SCREEN_READ_SHARE` of it reads as numbers or dates (keys, free
#: text), the column has no stray values and is not read in full. With 90 % of all distinct
#: values readable, a sample of 500 reads under 50 % with a chance below 1e-100.
_SCREEN_SIZE = 500
_SCREEN_READ_SHARE = 0.5
#: How many stray values an error shows (the most frequent first).
_SHOWN_STRAYS = 5
_KEY_NAME = re.compile(r"(^|[^a-z])(id|key|mrn|uuid|guid)$|identifier")
#: names written together that end in a key's ``ID``: after a lower-case letter or digit
#: (``PatientID``), as ``GUID``/``UUID``, or a whole common key name in capitals
#: (``PATIENTID``, CDISC's ``USUBJID``), but not ``URIC_ACID``, ``LIPID`` or ``COVID``
_CAMEL_KEY_NAME = re.compile(
    r"[a-z0-9](ID|Id)$|(GUID|UUID)$|^(U?SUBJ|SUBJECT|PAT|PATIENT|PT|P|S|PERSON|MEMBER|RECORD"
    r"|REC|SAMPLE|SPECIMEN|CASE|ENCOUNTER|ENC|VISIT|ADMISSION|ADM|HADM|STAY|ICUSTAY)ID$"
)


def discrete_role_columns(roles: Mapping[str, str], columns: Iterable[str]) -> list[str]:
    """Those of ``columns`` whose role in ``roles`` is discrete (:data:`DISCRETE_ROLES`).

    The one reading of "which columns are levels" from declared roles, in the order of
    ``columns``; a column without a role is not among them.
    """
    return [c for c in columns if roles.get(c) in DISCRETE_ROLES]


def looks_like_key_name(name: object) -> bool:
    """Whether a column name reads like a key: ``id``, ``patient_id``, ``PatientID``, ``mrn``.

    A name written together that ends in ``ID`` or ``Id`` is a key when a lower-case
    letter or digit comes before it (``patientId``, ``PatientID``), when it ends in
    ``GUID``/``UUID``, or when it is a common key name in capitals (``PATIENTID``,
    ``SUBJECTID``, CDISC's ``USUBJID``, ``PID``, ``RECORDID``): ``URIC_ACID``, ``LIPID``
    and ``COVID`` are measurements.
    """
    text = str(name)
    return bool(_KEY_NAME.search(text.lower()) or _CAMEL_KEY_NAME.search(text))


def singleton_share(values: pd.Series | np.ndarray) -> float:
    """Share of the (observed) ``values`` that no other value equals (0.0 when empty)."""
    counts = pd.Series(values).value_counts()
    return float((counts == 1).sum() / len(values)) if len(values) else 0.0


def is_whole(values: pd.Series | np.ndarray) -> bool:
    """Whether every observed value is a whole number, float round-off allowed.

    The one rule for "whole numbers" (the ``integer`` role, Synthcity's and SDV's numeric
    columns, the check of a declared ``integer`` column). A value counts as whole when it
    lies within :data:`WHOLE_ABSOLUTE_TOLERANCE` plus :data:`WHOLE_RELATIVE_TOLERANCE`
    times its size of a whole number, on either side: ``0.1 * 3 * 10``
    (3.0000000000000004) and ``0.29 * 100`` (28.999999999999996) are whole, ``2.5`` and
    ``100000.5`` are not. Missing values are ignored (no observed value: True); an
    infinite value is not whole.
    """
    numbers = np.asarray(values, dtype=float)
    numbers = numbers[~np.isnan(numbers)]
    with np.errstate(invalid="ignore"):  # an infinity's distance is NaN: not whole
        distance = np.abs(numbers - np.round(numbers))
    limit = WHOLE_ABSOLUTE_TOLERANCE + WHOLE_RELATIVE_TOLERANCE * np.abs(numbers)
    return bool(np.all(distance <= limit))


def distinct_chance(n: int, span: float) -> float:
    """The largest chance that ``n`` independent draws over ``span`` whole numbers all differ.

    The birthday bound: draws of equal chances are the likeliest to differ, with probability
    ``(1 - 1/span) (1 - 2/span) ... (1 - (n-1)/span)``; any other distribution of a
    measurement over the same ``span`` values repeats sooner. 600 values between 100000 and
    101999 all differ with probability about 2e-44 (record numbers, not a measurement), 600
    platelet counts between 150000 and 449999 with at most 0.55. A run ``1..n`` is the case
    ``span == n`` (``n! / n**n``: 2e-8 for 20 values).
    """
    if n > span:
        return 0.0
    return float(np.exp(np.log1p(-np.arange(1, n) / span).sum()))


def _is_identifier(series: pd.Series, values: pd.Series, text: bool) -> bool:
    """The identifier rule (see :func:`infer_role`) on the observed ``values``."""
    n_observed = len(values)
    if n_observed < MIN_IDENTIFIER_VALUES:
        return False
    if text:
        if values.nunique() / n_observed > IDENTIFIER_DISTINCT_SHARE:
            return True
        return singleton_share(values) > IDENTIFIER_SINGLETON_SHARE
    numbers = values.to_numpy(dtype=float)
    if not is_whole(numbers):
        return False
    numbers = np.round(numbers)  # 28.999999999999996 is 29: one number, not two
    if len(np.unique(numbers)) < n_observed:
        return False
    span = numbers.max() - numbers.min() + 1
    too_many = distinct_chance(n_observed, span) <= IDENTIFIER_DISTINCT_CHANCE
    return too_many or looks_like_key_name(series.name)


def check_not_timedelta(series: pd.Series) -> None:
    """Refuse a column of time spans (``timedelta64``), naming it and the conversion.

    No role fits it: read as text its levels would be compared (and copied) one by one,
    and no host gives generated numbers back as time spans.

    Raises:
        InvalidDataError: ``series`` has a ``timedelta64`` dtype.
    """
    if pd.api.types.is_timedelta64_dtype(series.dtype):
        raise InvalidDataError(
            f"column {series.name!r} holds time spans (timedelta64), which the suite does not "
            f"model or score; convert them to numbers first, e.g. "
            f"data[{series.name!r}].dt.total_seconds() / 86400 for days"
        )


def check_whole_numbers(values: np.ndarray, column: object) -> None:
    """Refuse fractions in a column given the role ``integer`` (rounding them loses data).

    Whole means :func:`is_whole` (float round-off such as 2.9999999999999996 is whole).

    Raises:
        InvalidDataError: an observed value of ``values`` is not a whole number.
    """
    if not is_whole(values):
        raise InvalidDataError(
            f"column {column!r} has role 'integer' but holds fractional values; "
            "declare it 'numerical'"
        )


def check_given_role(series: pd.Series, role: str) -> None:
    """Refuse a role given for ``series`` that no model of the suite can honour.

    The one check of a declared role against its column, run before a core encodes the
    column or SDV metadata is written for it (through :func:`infer_roles`): a time span
    column (:func:`check_not_timedelta`), a role that is not one of :data:`ROLES`, and a
    numeric role on dates (a ``datetime64`` column or dates written as text in one format,
    :func:`~synth_plugins.encoding.parsing.is_datetime`), which are not numbers: the cores
    would refuse the values and SDV its own ``numerical`` sdtype, each in its own words.
    Numbers written as text (``"12.5"``) are not dates and keep a numeric role.

    Raises:
        InvalidParameterError: ``role`` is not one of :data:`ROLES`.
        InvalidDataError: ``series`` holds time spans, or dates under a numeric role.
    """
    check_not_timedelta(series)
    if role not in ROLES:
        raise InvalidParameterError(
            f"role {role!r} for column {series.name!r} is not one of {list(ROLES)}"
        )
    if role in NUMERIC_ROLES and is_datetime(series):
        fmt = (
            None if pd.api.types.is_datetime64_any_dtype(series.dtype) else text_date_format(series)
        )
        held = f"text in the format {fmt!r}" if fmt else f"dtype {series.dtype}"
        observed = series.dropna()
        example = f", e.g. {str(observed.iloc[0])!r}" if len(observed) else ""
        raise InvalidDataError(
            f"column {series.name!r} has role {role!r} but holds dates ({held}{example}), "
            "not numbers; give it the role 'datetime' to model them as dates, or convert "
            "the column to numbers first (e.g. days since a reference date)"
        )


def stray_values(
    series: pd.Series, max_numeric_levels: int = DEFAULT_MAX_NUMERIC_LEVELS
) -> tuple[str, pd.Series] | None:
    """What a text column reads as but for a few values, and those values' counts; else None.

    A column of text (or of numbers and text mixed, ``object`` dtype) whose values are not
    all numbers nor all dates in one format is modelled as levels or keys, so a single
    ``"unknown"`` among dates, or a censored ``"<5"`` among lab values, would turn the
    column into identifiers (fresh keys, every date lost) or into hundreds of levels
    (training values copied). This is the one rule that finds them: at least
    :data:`STRAY_READ_SHARE` of the column's distinct observed values read as numbers
    (:func:`~synth_plugins.encoding.parsing.read_numbers`; codes with a leading zero are not
    numbers) or as dates in one format
    (:func:`~synth_plugins.encoding.parsing.read_dates`), some do not, and the values that do
    would be modelled as quantities or times: numbers whose role (:func:`infer_role` of those
    rows) is ``numerical`` or ``integer``, or more than ``max_numeric_levels`` distinct
    dates. Few-valued text stays levels: ``"1"``, ``"2"``, ``"3"``, ``"unknown"`` (a grade)
    read as numbers would be ``categorical`` too, so nothing is lost. A pandas ``category``
    is levels by declaration and never has strays.

    Returns:
        ``("numbers", counts)`` or ``("dates in the format '%Y-%m-%d'", counts)``, with
        ``counts`` the stray values and their numbers of rows, most frequent first; None
        when the column has no stray values by this rule.
    """
    text_dtype = series.dtype == object or pd.api.types.is_string_dtype(series.dtype)
    if isinstance(series.dtype, pd.CategoricalDtype) or not text_dtype:
        return None
    observed = series.dropna()
    distinct = pd.Series(observed.unique(), dtype=object)
    if len(distinct) < 2:
        return None
    if len(distinct) > _SCREEN_SIZE:
        screened = distinct.sample(_SCREEN_SIZE, random_state=0)
        if _read_share(screened) < _SCREEN_READ_SHARE:  # keys or free text: no full read
            return None
    numbers = read_numbers(distinct)
    dates = read_dates(distinct)
    readings: list[tuple[str, pd.Series]] = []
    if numbers is not None:
        readings.append(("numbers", numbers))
    if dates is not None:
        readings.append((f"dates in the format {dates[0]!r}", dates[1]))
    for what, read in readings:
        read_ok = read.notna().to_numpy()
        if read_ok.all() or read_ok.mean() < STRAY_READ_SHARE:
            continue
        if what == "numbers":
            by_value = dict(zip(distinct[read_ok], read[read_ok], strict=True))
            kept = observed[observed.isin(by_value.keys())].map(by_value).astype(float)
            modelled = infer_role(kept, max_numeric_levels) in NUMERIC_ROLES
        else:
            modelled = int(read_ok.sum()) > max_numeric_levels
        if modelled:
            strays = observed[observed.isin(distinct[~read_ok].tolist())]
            return what, strays.value_counts()
    return None


def _read_share(values: pd.Series) -> float:
    """The largest share of ``values`` that read as numbers or as dates in one format."""
    numbers = read_numbers(values)
    dates = read_dates(values)
    shares = [0.0]
    if numbers is not None:
        shares.append(float(numbers.notna().mean()))
    if dates is not None:
        shares.append(float(dates[1].notna().mean()))
    return max(shares)


def check_stray_values(
    series: pd.Series, max_numeric_levels: int = DEFAULT_MAX_NUMERIC_LEVELS
) -> None:
    """Refuse a column of numbers or dates written as text but for a few values.

    See :func:`stray_values`, the rule. The error names the column, the stray values (the
    most frequent, with their numbers of rows) and the ways out: correct them, or make them
    missing (``pd.to_numeric``/``pd.to_datetime`` with ``errors="coerce"``, which also gives
    the column a numeric or datetime dtype), or declare the column's role (``categorical``)
    to model it as text.

    Raises:
        InvalidDataError: ``series`` holds stray values by :func:`stray_values`.
    """
    found = stray_values(series, max_numeric_levels)
    if found is None:
        return
    column = series.name
    what = found[0]
    fmt = what.removeprefix("dates in the format ")
    convert = (
        f"pd.to_numeric(data[{column!r}], errors='coerce')"
        if what == "numbers"
        else f"pd.to_datetime(data[{column!r}], format={fmt}, errors='coerce')"
    )
    raise InvalidDataError(
        f"column {column!r} holds {describe_strays(*found)}; as it is, the column would be "
        f"modelled as text (levels copied, or fresh keys). Correct those values, or make "
        f"them missing (NaN), e.g. data[{column!r}] = {convert}, or declare the column's "
        f"role to model it as text: "
        f"roles={{{column!r}: 'categorical'}} (sdtype 'categorical' in SDV metadata, or "
        f"data[{column!r}].astype('category'))"
    )


def describe_strays(what: str, counts: pd.Series) -> str:
    """``what`` and the stray values of :func:`stray_values`, for an error message.

    E.g. ``numbers except for 1 distinct value: '<5' (3 rows)``: the most frequent stray
    values with their numbers of rows, and how many more there are.
    """
    shown = ", ".join(
        f"{value!r} ({count} row{'s' if count > 1 else ''})"
        for value, count in counts.iloc[:_SHOWN_STRAYS].items()
    )
    more = f" and {len(counts) - _SHOWN_STRAYS} more" if len(counts) > _SHOWN_STRAYS else ""
    plural = "s" if len(counts) > 1 else ""
    return f"{what} except for {len(counts)} distinct value{plural}: {shown}{more}"


def infer_role(
    series: pd.Series,
    max_numeric_levels: int = DEFAULT_MAX_NUMERIC_LEVELS,
    check_strays: bool = True,
) -> Role:
    """Infer the role of one column from its values (missing values are ignored).

    In order: ``datetime`` for a ``datetime64`` column or dates written as text in one
    format; ``ordinal`` for an ordered pandas categorical; numbers written as text are
    read as numbers, unless one has a leading zero (``"07700900461"``: codes such as phone
    numbers, which stay text), and so are the numbers of an ``object`` column of numbers
    only (:func:`~synth_plugins.encoding.parsing.real_numbers`: read as ``pd.to_numeric``
    would make them); ``binary`` for two values; ``identifier`` for text with at least
    ``MIN_IDENTIFIER_VALUES`` observed values of which more than
    ``IDENTIFIER_DISTINCT_SHARE`` are distinct or more than ``IDENTIFIER_SINGLETON_SHARE``
    are values no other row has (free text, whose levels would be copied), and for whole
    numbers (also written as text) with at least ``MIN_IDENTIFIER_VALUES`` values, all
    distinct, that are either too many for a measurement over their span (independent draws
    would all differ with probability at most ``IDENTIFIER_DISTINCT_CHANCE``,
    :func:`distinct_chance`: record numbers, a run 1, 2, ..., n) or sit in a column named
    like a key (``id``, ``patient_id``, ``PatientID``, ``record_key``, ``mrn``); other text
    and unordered categoricals are ``categorical``; numeric columns with few distinct whole
    values are ``categorical``, other whole-valued ones ``integer``, the rest ``numerical``.
    Declare a role explicitly to override any of these.

    Text that is numbers or dates but for a few stray values (``"unknown"`` among dates,
    ``"<5"`` among lab values: :func:`stray_values`) is refused rather than read as levels
    or keys, unless ``check_strays`` is False (for a column declared to be levels, whose
    values are only being read).

    Raises:
        InvalidDataError: ``series`` is empty, has no observed value, holds time spans, or
            holds stray values among numbers or dates (:func:`check_stray_values`).
    """
    if len(series) == 0:
        raise InvalidDataError(
            f"column {series.name!r} has no rows: the data is empty (at least one row is needed)"
        )
    check_not_timedelta(series)
    values = series.dropna()
    if values.empty:
        raise InvalidDataError(
            f"column {series.name!r} has no observed values; its role cannot be inferred "
            "(drop it, or declare its role explicitly)"
        )
    if is_datetime(series):
        return "datetime"
    if isinstance(series.dtype, pd.CategoricalDtype) and series.dtype.ordered:
        return "ordinal"
    # an unordered category of text is levels, whatever they read as
    is_category = isinstance(series.dtype, pd.CategoricalDtype)
    numbers = None if is_category else text_numbers(series)
    if numbers is None and not is_category:
        numbers = real_numbers(series)
    if numbers is not None:
        values = numbers.dropna()
    n_unique = values.nunique()
    if n_unique <= 2:
        return "binary"
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        if check_strays:
            check_stray_values(series, max_numeric_levels)
        return "identifier" if _is_identifier(series, values, text=True) else "categorical"
    whole = is_whole(values)
    if whole and n_unique <= max_numeric_levels:
        return "categorical"
    if whole and _is_identifier(series, values, False):
        return "identifier"
    return "integer" if whole else "numerical"


def infer_roles(
    data: pd.DataFrame,
    roles: Mapping[str, str] | None = None,
    max_numeric_levels: int = DEFAULT_MAX_NUMERIC_LEVELS,
) -> dict[str, Role]:
    """Return a role for every column: the given ones (validated), the others inferred.

    A given role is checked against its column by :func:`check_given_role`.

    Raises:
        InvalidParameterError: ``roles`` names a column ``data`` lacks, or a role that is
            not one of :data:`ROLES`.
        InvalidDataError: a column holds time spans, dates under a numeric role, or (for a
            column without a given role) nothing to infer a role from, or numbers or dates
            but for a few stray values (:func:`check_stray_values`).
    """
    given = dict(roles or {})
    unknown = sorted(set(given) - set(data.columns))
    if unknown:
        raise InvalidParameterError(
            f"roles name columns that are not in the data: {unknown}; "
            f"columns are {list(data.columns)}"
        )
    result: dict[str, Role] = {}
    for column in data.columns:
        if column in given:
            check_given_role(data[column], given[column])
            result[column] = given[column]  # type: ignore[assignment]
        else:
            result[column] = infer_role(data[column], max_numeric_levels)
    return result


#: The dates ``warn_hidden_dates`` reads whole numbers as (``20200131``).
_NUMBER_DATE_RANGE = (19000101, 21001231)


def hidden_dates(series: pd.Series) -> str | None:
    """How a column of dates hides from the date rules, or None when it does not.

    Whole numbers that all read as dates written ``YYYYMMDD`` (``20200131``) are modelled as
    numbers, so generated values need not be dates (``20194666``); a pandas ``category`` of
    dates written as text is modelled as levels, so generated dates are training dates
    (fresh keys where nearly every value differs).
    """
    observed = series.dropna()
    if observed.nunique() < 2:
        return None
    if isinstance(series.dtype, pd.CategoricalDtype):
        if is_datetime(observed.astype(object)):  # (text in one date format)
            return "a pandas category of dates: modelled as levels, its dates come back as they are"
        return None
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_integer_dtype(series):
        return None
    low, high = _NUMBER_DATE_RANGE
    if not observed.between(low, high).all():
        return None
    dates = pd.to_datetime(observed.astype("int64").astype(str), format="%Y%m%d", errors="coerce")
    if dates.notna().all():
        return (
            "whole numbers that all read as dates (YYYYMMDD): modelled as numbers, "
            "generated values need not be dates"
        )
    return None


def warn_hidden_dates(data: pd.DataFrame, roles: Mapping[str, str] | None) -> None:
    """Warn, naming the column, about each column of dates the date rules cannot see.

    A role given explicitly is honoured without a word (``roles=``); see :func:`hidden_dates`.
    """
    for column in data.columns:
        if column in (roles or {}):
            continue
        how = hidden_dates(data[column])
        if how is not None:
            warn(
                f"column {column!r} holds {how}; give the column as dates, e.g. "
                f"pd.to_datetime(data[{column!r}].astype(str)), or declare its role",
                stacklevel=caller_stacklevel(),
            )

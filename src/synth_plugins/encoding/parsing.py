"""Values stored in another form than they mean: numbers and dates kept as text, datetimes.

Tables exported from clinical systems often keep numbers as strings (``"26.31"``) and dates
as strings (``"2019-03-07"``) or ``datetime64`` columns. The encoder models both as numbers
(dates as days since 1970-01-01), so generators create new values instead of copying the
training strings; these helpers convert in both directions.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

_NS_PER_DAY = 86_400 * 10**9
#: The clock time-zone-aware values are read on: UTC (instants) or their zone's own.
Clock = Literal["UTC", "local"]
#: Rounding steps tried for generated datetimes, coarsest first (day, hour, minute, second).
_STEPS_NS: tuple[int, ...] = (_NS_PER_DAY, 3_600 * 10**9, 60 * 10**9, 10**9)


def is_text(series: pd.Series) -> bool:
    """Whether the observed values of ``series`` are all strings (object or string dtype)."""
    if not (series.dtype == object or pd.api.types.is_string_dtype(series.dtype)):
        return False
    observed = series.dropna()
    return bool(len(observed)) and all(isinstance(value, str) for value in observed)


def parse_numbers(series: pd.Series) -> pd.Series | None:
    """The numbers of a text column whose every observed value is a number, else None.

    Missing values stay missing; ``"inf"``/``"nan"`` strings do not count as numbers.
    """
    if not is_text(series):
        return None
    observed = series.dropna().str.strip()
    numbers = pd.to_numeric(observed, errors="coerce")
    if numbers.isna().any() or not np.all(np.isfinite(numbers.to_numpy(dtype=float))):
        return None
    values = np.full(len(series), np.nan)
    values[series.notna().to_numpy()] = numbers.to_numpy(dtype=float)  # by position
    return pd.Series(values, index=series.index, name=series.name)


def real_numbers(series: pd.Series) -> pd.Series | None:
    """An ``object`` column whose every observed value is a real number, as numbers; else None.

    :func:`is_number` says which values count (not ``bool``, not text). Such a column is
    left behind by ``data.loc[data.lab == "<5", "lab"] = np.nan`` on a column that mixed
    numbers with text (as read from a spreadsheet): its values are numbers in an ``object``
    column, which is read as the column ``pd.to_numeric`` makes of it (returned here), not
    as text levels.
    """
    if series.dtype != object:
        return None
    observed = series.dropna()
    if not len(observed) or not all(is_number(value) for value in observed):
        return None
    return pd.to_numeric(series)


def is_number(value: object) -> bool:
    """Whether ``value`` is a number as it is: ``int``, ``float`` or numpy's, not a bool."""
    return isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_)


def text_numbers(series: pd.Series) -> pd.Series | None:
    """The numbers of a column of numbers written as text, else None.

    Codes with a leading zero (``"007"``: :func:`is_zero_padded`) are text, not numbers; a
    ``category`` column is judged by its values.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if is_zero_padded(series):
        return None
    return parse_numbers(series)


def is_zero_padded(series: pd.Series) -> bool:
    """Whether text numbers are codes: a whole number with a leading zero (``"01234"``).

    True when some observed value is one (``"07700900461"``). A phone number, postal code
    or record code read as a number would lose its leading zero and be modelled as a
    quantity; such a column is text (see :func:`synth_plugins.encoding.roles.infer_role`).
    ``"0.5"`` and ``"0"`` are numbers.
    """
    if not is_text(series):
        return False
    return bool(series.dropna().str.strip().str.fullmatch(r"[+-]?0\d+").any())


def text_date_format(series: pd.Series) -> str | None:
    """The ``strftime`` format shared by every observed value of a text column, or None.

    Month-first is tried before day-first (``"03/07/2019"`` is March 7 unless another value
    such as ``"20/07/2019"`` rules it out). Numbers written as text are not dates.
    """
    if not is_text(series) or parse_numbers(series) is not None:
        return None
    observed = series.dropna().map(str)  # plain str: the parsers refuse numpy.str_
    for dayfirst in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fmt = guess_datetime_format(str(observed.iloc[0]), dayfirst=dayfirst)
        if fmt is not None and pd.to_datetime(observed, format=fmt, errors="coerce").notna().all():
            return fmt
    return None


def read_numbers(values: pd.Series) -> pd.Series | None:
    """Each value as a number (float), NaN where it is none; None when the values are codes.

    Numbers count as they are, text is read as :func:`parse_numbers` reads it (a value that
    is not finite is no number); booleans are not numbers. A text value that is a whole
    number with a leading zero (``"007"``, :func:`is_zero_padded`) makes the values codes:
    None. Used on the values of a column that is not all numbers, to find the few that are
    not (:func:`synth_plugins.encoding.roles.stray_values`).
    """
    text = values.map(lambda value: isinstance(value, str))
    strings = values[text].astype(str).str.strip()
    if strings.str.fullmatch(r"[+-]?0\d+").any():
        return None
    numbers = pd.Series(np.nan, index=values.index)
    numbers[text] = pd.to_numeric(strings, errors="coerce")
    plain = values.map(is_number)
    numbers[plain] = values[plain].astype(float)
    return numbers.where(np.isfinite(numbers.to_numpy(dtype=float)))


#: How many distinct values :func:`read_dates` guesses a date format from.
_FORMAT_GUESSES = 20


def read_dates(values: pd.Series) -> tuple[str, pd.Series] | None:
    """The date format most text values are written in, and each value read in it (NaT where not).

    Formats are guessed (month-first and day-first) from the first distinct text values
    that are not numbers (numbers written as text are not dates, as in
    :func:`text_date_format`); the one that reads the most values wins. None when no value
    reads as a date.
    """
    # plain str: pandas' date parsers refuse str subclasses such as numpy.str_
    text = values[values.map(lambda value: isinstance(value, str))].map(str)
    text = text[pd.to_numeric(text.str.strip(), errors="coerce").isna()]
    formats: list[str] = []
    for value in text.drop_duplicates().iloc[:_FORMAT_GUESSES]:
        for dayfirst in (False, True):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fmt = guess_datetime_format(value, dayfirst=dayfirst)
            if fmt is not None and fmt not in formats:
                formats.append(fmt)
    best: tuple[str, pd.Series] | None = None
    for fmt in formats:
        dates = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            read = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
        dates[text.index] = read.dt.tz_localize(None)  # (instants on the UTC clock)
        if dates.notna().any() and (best is None or dates.notna().sum() > best[1].notna().sum()):
            best = (fmt, dates)
    return best


def is_datetime(series: pd.Series) -> bool:
    """Whether ``series`` holds datetimes: a ``datetime64`` dtype or dates written as text."""
    return (
        pd.api.types.is_datetime64_any_dtype(series.dtype) or text_date_format(series) is not None
    )


def _nanoseconds(
    series: pd.Series, fmt: str | None, clock: Clock = "UTC"
) -> tuple[np.ndarray, np.ndarray]:
    """Nanoseconds since 1970-01-01 and the missing mask.

    Time-zone-aware values are read on the UTC clock (``clock="UTC"``: instants) or on
    their own zone's clock (``clock="local"``: a date at local midnight is a whole day);
    text written with a UTC offset (``%z`` in ``fmt``) always on the UTC clock.
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        stamps = series
    else:
        # plain str: pandas' date parsers refuse str subclasses such as numpy.str_
        stamps = read_text_dates(series.map(str, na_action="ignore"), fmt)
    if getattr(stamps.dt, "tz", None) is not None:
        on_utc = clock == "UTC" or writes_offset(fmt)  # an offset is no zone with a clock
        stamps = stamps.dt.tz_convert("UTC") if on_utc else stamps
        stamps = stamps.dt.tz_localize(None)
    missing = stamps.isna().to_numpy()
    nanoseconds = stamps.astype("datetime64[ns]").to_numpy().astype("int64")
    return np.where(missing, 0, nanoseconds), missing


def read_text_dates(values: Any, fmt: str | None, errors: str = "raise") -> Any:
    """Dates written as text in ``fmt`` as pandas datetimes (``pd.to_datetime``'s result).

    Text written with a UTC offset (``%z``) is read as instants on the UTC clock: the
    offsets of one column differ across a change of clocks (``+0100`` in winter, ``+0200``
    in summer), and pandas gives such mixed offsets back as objects, not datetimes.
    """
    return pd.to_datetime(values, format=fmt, errors=errors, utc=writes_offset(fmt))


def date_text(values: pd.Series) -> pd.Series:
    """Dates as written (text, or numbers such as ``20200131``) as the text a format reads.

    A whole number is read by its digits (``20200131.0`` as ``"20200131"``), another value
    as it prints (``20200131.5`` then reads in no format); missing values stay missing.
    """
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return values.map(str, na_action="ignore")  # plain str: the parsers refuse numpy.str_
    numbers = values.astype(float)  # a nullable Int64's <NA> as NaN
    return numbers.map(
        lambda number: str(round(number)) if number == round(number) else str(number),
        na_action="ignore",
    )


def written_dates(dates: pd.Series, fmt: str, dtype: Any) -> pd.Series:
    """Generated ``dates`` written in ``fmt`` as the training column was.

    As text for a column of text dates; as whole numbers of the training ``dtype`` for a
    column of numbers (``20200131`` in ``int64``, ``<NA>`` where missing in ``Int64``).
    """
    text = dates.dt.strftime(fmt).astype(object)
    if not pd.api.types.is_numeric_dtype(dtype):
        return text
    return pd.to_numeric(text).astype(dtype)


def writes_offset(fmt: str | None) -> bool:
    """Whether dates written in ``fmt`` carry a UTC offset (``%z``): read on the UTC clock."""
    return fmt is not None and "%z" in fmt


def _whole_ns(nanoseconds: np.ndarray) -> np.ndarray:
    """Float nanoseconds since 1970-01-01 as ``datetime64[ns]``."""
    return np.round(nanoseconds).astype(np.int64).astype("datetime64[ns]")


def to_days(series: pd.Series, fmt: str | None = None, clock: Clock = "UTC") -> np.ndarray:
    """Days since 1970-01-01 of datetimes or date strings; NaN where missing.

    Time-zone-aware values count on the UTC clock (instants), or with ``clock="local"`` on
    their zone's clock (a day from one local midnight to the next is 1, also across a
    change of clocks; :func:`from_days` reads them back with the same ``clock``).
    """
    nanoseconds, missing = _nanoseconds(series, fmt, clock)
    days = nanoseconds / _NS_PER_DAY
    days[missing] = np.nan
    return days


def time_step(series: pd.Series, fmt: str | None = None) -> int:
    """The coarsest step (a day, hour, minute or second, in nanoseconds) every value fits.

    Zero when the values have sub-second parts (generated values are then not rounded).
    Time-zone-aware values are read on their own zone's clock, so that dates at local
    midnight have a step of a day (:func:`from_days` rounds on that clock too).
    """
    nanoseconds, missing = _nanoseconds(series, fmt, clock="local")
    observed = nanoseconds[~missing]
    for step in _STEPS_NS:
        if np.all(observed % step == 0):
            return step
    return 0


def from_days(
    days: np.ndarray, dtype: object, fmt: str | None, step: int = 0, clock: Clock = "UTC"
) -> pd.Series:
    """Datetimes of ``dtype`` (or strings in ``fmt``) from days since 1970-01-01 (NaN: NaT).

    ``days`` count on the ``clock`` :func:`to_days` gave them on. Values are rounded to a
    multiple of ``step`` nanoseconds when ``step`` is positive; for a time-zone-aware
    ``dtype`` on the zone's own clock, so that whole local days come back at local midnight
    (a rounded time in the hour a change of clocks repeats keeps the side its instant was
    on). Text written with a UTC offset (``%z``) counts and comes back on the UTC clock.
    """
    values = np.asarray(days, dtype=float)
    missing = ~np.isfinite(values)
    tz = None if fmt is not None else getattr(dtype, "tz", None)
    clock = "UTC" if writes_offset(fmt) else clock
    stamps = pd.Series(_whole_ns(np.where(missing, 0.0, values) * _NS_PER_DAY))
    instants = None
    if tz is not None and clock == "UTC":
        instants = stamps.dt.tz_localize("UTC").dt.tz_convert(tz)
        if step <= 0:  # nothing to round: the instants themselves
            return _as_dtype(instants.where(~missing, pd.NaT), dtype)
        stamps = instants.dt.tz_localize(None)
    if step > 0:
        stamps = pd.Series(_whole_ns(np.round(stamps.to_numpy().astype(np.int64) / step) * step))
    stamps = stamps.where(~missing, pd.NaT)
    if fmt is not None:
        if writes_offset(fmt):
            stamps = stamps.dt.tz_localize("UTC")
        text = stamps.dt.strftime(fmt).astype(object).where(~missing, np.nan)
        return text.astype(dtype) if isinstance(dtype, pd.StringDtype) else text
    if tz is not None:
        stamps = _on_zone(stamps, tz, instants)
    return _as_dtype(stamps, dtype)


def _on_zone(wall: pd.Series, tz: object, instants: pd.Series | None) -> pd.Series:
    """Local wall times as times of zone ``tz``.

    A wall time the zone skips (clocks forward) moves forward; one it passes twice (clocks
    back) takes the side of its instant in ``instants`` (before rounding), else standard
    time.
    """
    zoned = wall.dt.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward").copy()
    repeated = (zoned.isna() & wall.notna()).to_numpy()
    if repeated.any():
        daylight = np.zeros(int(repeated.sum()), dtype=bool)
        if instants is not None:
            daylight = np.array([bool(t.dst()) for t in instants[repeated]])
        zoned[repeated] = wall[repeated].dt.tz_localize(tz, ambiguous=daylight)
    return zoned


def _as_dtype(stamps: pd.Series, dtype: object) -> pd.Series:
    """``stamps`` in the column's own datetime dtype (unit, time zone) where it holds them."""
    try:
        return stamps.astype(dtype)
    except (TypeError, ValueError):  # pragma: no cover - exotic dtypes
        return stamps

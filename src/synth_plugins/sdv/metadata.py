"""SDV metadata from the suite's column roles, and roles back from SDV metadata.

The suite's synthesizers take ``datetime`` and ``id`` columns raw, as its cores do: a
datetime is modelled as days and written back in the column's dtype or text format, a
non-key ``id`` column gets fresh keys that are never a training value. Numbers written as
text are parsed into numbers before SDV sees the table (:func:`parse_numeric_text`), as the
cores parse them, since SDV's validation refuses text in a ``numerical`` column.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from synth_plugins.datasets import Dataset
from synth_plugins.encoding.parsing import (
    date_text,
    is_datetime,
    is_text,
    parse_numbers,
    read_text_dates,
    real_numbers,
    text_date_format,
)
from synth_plugins.encoding.roles import Role, infer_role, infer_roles, is_whole
from synth_plugins.errors import InvalidDataError
from synth_plugins.sdv.compat import SDV_MAJOR

_SDTYPE: dict[str, str] = {
    "numerical": "numerical",
    "integer": "numerical",
    "binary": "categorical",
    "categorical": "categorical",
    "ordinal": "categorical",
    "datetime": "datetime",
    "identifier": "id",
}


#: How a column of ordered numbers is declared to the installed SDV (see :func:`metadata_dict`).
_ORDERED_NUMBERS: dict[str, str] = (
    {"sdtype": "ordinal"}
    if SDV_MAJOR >= 2
    else {"sdtype": "categorical", "order_by": "numerical_value"}
)


def _is_numbers(values: pd.Series) -> bool:
    """Whether ``values`` has a numeric dtype (booleans are not numbers here)."""
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _declares_order(described: Mapping[str, Any]) -> bool:
    """Whether an SDV column description declares its levels ordered.

    SDV 2 declares an order with sdtype ``ordinal``, SDV 1.x with sdtype ``categorical``
    and ``order`` (a list of the levels) or ``order_by``.
    """
    sdtype = described.get("sdtype")
    return sdtype == "ordinal" or (
        sdtype == "categorical" and ("order" in described or "order_by" in described)
    )


def table_description(metadata: Any) -> dict[str, Any]:
    """The description of the one table ``metadata`` holds (SDV's dict: ``columns``, keys).

    The suite's synthesizers are single-table (or one sequential table): the first table of
    SDV's ``Metadata`` (1.x and 2.x) is the one.
    """
    return next(iter(metadata.to_dict()["tables"].values()))


def check_table(data: Any, name: str = "data") -> pd.DataFrame:
    """Check that ``data`` is a DataFrame whose column names are unique, and return it.

    SDV's metadata and transformers assume one column per name: a repeated name fails deep
    inside them (``'DataFrame' object has no attribute 'dtype'``), so it is refused here.

    Raises:
        InvalidDataError: ``data`` is not a DataFrame, or repeats a column name.
    """
    if not isinstance(data, pd.DataFrame):
        raise InvalidDataError(f"{name} must be a pandas DataFrame, got {type(data).__name__}")
    duplicated = list(dict.fromkeys(data.columns[data.columns.duplicated()]))
    if duplicated:
        raise InvalidDataError(
            f"{name} has duplicate column names {duplicated}: every column needs a unique "
            "name (rename or drop the repeated columns)"
        )
    return data


def metadata_dict(
    data: pd.DataFrame, roles: Mapping[str, str], table_name: str = "table"
) -> dict[str, Any]:
    """A V1 SDV metadata dictionary for ``data``, for the installed SDV (1.38 or 2.x).

    Roles map to sdtypes: ``numerical``/``integer`` to ``numerical`` (numbers written as
    text included: see :func:`parse_numeric_text`), ``binary`` to ``boolean`` for a bool
    column else ``categorical``, ``categorical``/``ordinal`` to ``categorical``,
    ``datetime`` to ``datetime`` (with the ``datetime_format`` of dates written as text)
    and ``identifier`` to ``id``. An ``ordinal`` column of numbers (the EDSS grid) is
    declared ordered, so that :func:`roles_from_metadata` reads it back as ``ordinal``:
    sdtype ``ordinal`` on SDV 2, ``categorical`` with ``order_by: numerical_value`` on SDV
    1.x (which has no ``ordinal`` sdtype; SDV 2 would load that form with a deprecation
    warning, hence one form per line).

    Raises:
        InvalidDataError: ``data`` is not a DataFrame or repeats a column name, a
            ``datetime`` column holds text that is not dates in one format, or ``roles``
            gives a column of dates a numeric role
            (:func:`~synth_plugins.encoding.roles.check_given_role`, before SDV refuses
            the values of its ``numerical`` sdtype).
        InvalidParameterError: ``roles`` names a column ``data`` does not have, or a role
            that is not one of the suite's.
    """
    check_table(data)
    resolved = infer_roles(data, roles)
    columns: dict[str, dict[str, str]] = {}
    for column in data.columns:
        role = resolved[column]
        described: dict[str, str] = {"sdtype": _SDTYPE[role]}
        if role == "binary" and pd.api.types.is_bool_dtype(data[column]):
            described["sdtype"] = "boolean"
        if role == "ordinal" and _is_numbers(data[column]):
            described.update(_ORDERED_NUMBERS)
        if role == "datetime" and not pd.api.types.is_datetime64_any_dtype(data[column]):
            fmt = text_date_format(data[column])
            if fmt is None:
                raise InvalidDataError(
                    f"column {column!r} has role 'datetime' but holds neither datetime64 values "
                    "nor dates written in one format (e.g. '2019-03-07')"
                )
            described["datetime_format"] = fmt
        columns[str(column)] = described
    return {"tables": {table_name: {"columns": columns}}, "METADATA_SPEC_VERSION": "V1"}


def metadata_for(dataset: Dataset, table_name: str | None = None) -> Any:
    """An ``sdv.metadata.Metadata`` for a suite dataset, with sdtypes from its roles."""
    from sdv.metadata import Metadata

    name = table_name or dataset.name
    return Metadata.load_from_dict(metadata_dict(dataset.data, dataset.roles, name))


def roles_from_metadata(metadata: Any, data: pd.DataFrame) -> dict[str, Role]:
    """Roles for the columns of ``data`` from SDV metadata (numbers refined by values).

    Categorical, boolean and ordinal sdtypes become ``binary`` (two levels), ``ordinal``
    (an ordered pandas categorical, as :func:`in_declared_order` makes a column of a
    declared order, or numbers the metadata declares ordered: SDV 2's ``ordinal``, SDV
    1.x's ``categorical`` with ``order`` or ``order_by``, as :func:`metadata_dict` writes an
    ``ordinal`` role; numbers are ordered as numbers) or ``categorical``; numerical ones
    ``integer`` when every value is whole (:func:`~synth_plugins.encoding.roles.is_whole`),
    else ``numerical``; ``id`` becomes ``identifier`` (fresh keys); ``datetime`` stays
    ``datetime`` while the column holds datetimes or date text, and is ``numerical`` once
    SDV's transformer has made it numbers. Other sdtypes are inferred from the values.

    Raises:
        InvalidDataError: ``data`` is not a DataFrame or repeats a column name.
    """
    check_table(data)
    columns = table_description(metadata)["columns"]
    roles: dict[str, Role] = {}
    for column in data.columns:
        described = columns.get(str(column), {})  # metadata names 0 as '0'
        sdtype = described.get("sdtype")
        observed = data[column].dropna()
        if sdtype in ("categorical", "boolean", "ordinal"):
            ordered = (
                isinstance(data[column].dtype, pd.CategoricalDtype) and data[column].cat.ordered
            ) or (_declares_order(described) and _is_numbers(data[column]))
            roles[column] = (
                "binary" if observed.nunique() <= 2 else "ordinal" if ordered else "categorical"
            )
        elif sdtype == "numerical":
            numbers = parse_numbers(observed)
            observed = numbers if numbers is not None else observed
            whole = is_whole(observed)
            roles[column] = "integer" if whole else "numerical"
        elif sdtype == "id":
            roles[column] = "identifier"
        elif sdtype == "datetime":
            numeric = pd.api.types.is_numeric_dtype(data[column])
            roles[column] = "numerical" if numeric else "datetime"
        else:
            roles[column] = infer_role(data[column])
    return roles


def declared_orders(metadata: Any, data: pd.DataFrame) -> dict[Any, list[Any]]:
    """The level orders SDV ``metadata`` declares for columns of ``data``, by column.

    SDV 2 declares an order as sdtype ``ordinal`` with ``range_values``, SDV 1.x as sdtype
    ``categorical`` with ``order`` (SDV 2 reads that as the former). SDV 2's detection also
    writes ``ordinal`` with ``range_values`` for whole numbers with few values, in the order
    they first appear; numbers are ordered as numbers, so only orders of levels that are not
    all numbers are read (``["low", "medium", "high"]``, ``["70", "80", "90", "100"]``).

    Raises:
        InvalidDataError: A column holds a value its declared order lacks (naming both).
    """
    columns = table_description(metadata)["columns"]
    orders: dict[Any, list[Any]] = {}
    for column in data.columns:
        described = columns.get(str(column), {})
        order = described.get("range_values") if described.get("sdtype") == "ordinal" else None
        if described.get("sdtype") == "categorical":
            order = described.get("order")
        if not order or all(
            isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in order
        ):
            continue
        unknown = set(pd.unique(data[column].dropna())) - set(order)
        if unknown:
            raise InvalidDataError(
                f"column {column!r} holds {sorted(map(str, unknown))}, which its declared "
                f"order {list(order)} lacks; add them to the order"
            )
        orders[column] = list(order)
    return orders


def in_declared_order(data: pd.DataFrame, orders: Mapping[Any, list[Any]]) -> pd.DataFrame:
    """``data`` with each column of ``orders`` as a pandas categorical in that order.

    The cores read an ordered categorical's order (role ``ordinal``); a copy is returned.
    """
    if not orders:
        return data
    data = data.copy()
    for column, order in orders.items():
        data[column] = pd.Categorical(data[column], categories=order, ordered=True)
    return data


def _sdv_guessed_format(values: pd.Series) -> str | None:
    """The format SDV gives dates written as text when the metadata names none.

    SDV's datetime formatter takes pandas' guess from the first observed value, month first
    (``"06.11.2020"`` reads as June 11), and rewrites every generated date in it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return guess_datetime_format(str(values.dropna().iloc[0]))


def declared_datetime_formats(metadata: Any, data: pd.DataFrame) -> dict[Any, str]:
    """The ``datetime_format`` SDV ``metadata`` declares for each column of dates it reads.

    Columns of sdtype ``datetime`` with a ``datetime_format`` whose observed values are all
    text (:func:`~synth_plugins.encoding.parsing.is_text`) or all whole numbers (a health
    registry's ``20200131`` for ``"%Y%m%d"``, in an integer, nullable ``Int64`` or float
    column), by column of ``data``. SDV reads such a column in its declared format (numbers
    by their digits) and writes generated dates in it; so do the suite's single-table
    synthesizers (:func:`read_declared_dates`,
    :func:`~synth_plugins.encoding.parsing.written_dates`), whose cores would
    otherwise read text dates in the format
    :func:`~synth_plugins.encoding.parsing.text_date_format` finds, if any, and refuse
    numbers as dates.
    """
    columns = table_description(metadata)["columns"]
    formats = {}
    for column in data.columns:
        described = columns.get(str(column), {})
        fmt = described.get("datetime_format")
        if described.get("sdtype") == "datetime" and fmt and _dates_as_written(data[column]):
            formats[column] = fmt
    return formats


def _dates_as_written(values: pd.Series) -> bool:
    """Whether ``values`` are dates as written: all text, or all whole numbers (20200131)."""
    return is_text(values) or (
        _is_numbers(values) and values.notna().any() and is_whole(values.astype(float))
    )


#: The format of dates written as whole numbers that a refusal suggests (``20200131``).
_NUMBER_DATE_FORMAT = "%Y%m%d"


def _reads_as_dates(values: pd.Series, datetime_format: str) -> bool:
    """Whether every observed value of ``values`` is a date in ``datetime_format``."""
    try:
        _dates_in(values, datetime_format)
    except InvalidDataError:
        return False
    return True


def _dates_in(values: pd.Series, datetime_format: str) -> pd.Series:
    """``values`` of a column read as dates in its declared ``datetime_format``.

    Text is read as it is, whole numbers by their digits
    (:func:`~synth_plugins.encoding.parsing.date_text`). Dates
    written with a UTC offset (``%z``) are read on the UTC clock, as the encoder reads
    them; missing values are NaT.

    Raises:
        InvalidDataError: a value does not read in the format (naming the column, the
            format and such a value).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dates = read_text_dates(date_text(values), datetime_format, errors="coerce")
    unread = values[dates.isna() & values.notna()]
    if len(unread):
        raise InvalidDataError(
            f"column {values.name!r} has sdtype 'datetime' with datetime_format "
            f"{datetime_format!r}, but {len(unread)} of its {int(values.notna().sum())} values "
            f"are not dates in that format, e.g. {date_text(unread).iloc[0]!r}; declare the format "
            "they are written in, or correct those values"
        )
    return dates


def read_declared_dates(data: pd.DataFrame, datetime_formats: Mapping[Any, str]) -> pd.DataFrame:
    """``data`` with each column of ``datetime_formats`` read as datetimes in its format.

    The cores model a ``datetime64`` column as days and give back ``datetime64`` values,
    which the synthesizer writes in the declared format again, as text or numbers as the
    column was (:func:`~synth_plugins.encoding.parsing.written_dates`); a copy is returned.

    Raises:
        InvalidDataError: a value does not read in its column's format (see
            :func:`check_declared_dates`).
    """
    if not datetime_formats:
        return data
    data = data.copy()
    for column, fmt in datetime_formats.items():
        data[column] = _dates_in(data[column], fmt)
    return data


def check_declared_dates(data: pd.DataFrame, metadata: Any, *, sdv_writes: bool = True) -> None:
    """Refuse metadata that declares a column of dates other than as SDV can honour it.

    The rule of :func:`~synth_plugins.encoding.roles.check_given_role` for metadata written
    by hand (or detected, then changed with ``update_column``), run before SDV's validation,
    whose errors do not say what is wrong: a column of sdtype ``numerical`` that holds dates
    (``datetime64`` values or dates written as text in one format,
    :func:`~synth_plugins.encoding.parsing.is_datetime`) was refused as "Invalid values
    found for numerical column", or with "could not convert string to float". A column of
    sdtype ``datetime`` with a ``datetime_format`` whose text values (or, for the
    single-table synthesizers, numbers such as ``20200131``, read by their digits) do not
    all read in it is refused naming the format and a value that does not (SDV's own error
    lists values without the format). Without a ``datetime_format``, text dates are read in
    the one format :func:`~synth_plugins.encoding.parsing.text_date_format` finds; a column
    of sdtype ``datetime`` holding them is refused where SDV would guess another format
    than the one they are written in: SDV rewrites generated dates in its guess, so
    ``"20.08.2020"`` came back as ``"08.20.2020"``; and one whose text or numbers no format
    is found for (``"20200131"``, ``"31-01-20"``, ``20200131``) is refused naming the
    ``datetime_format`` to declare (``'%Y%m%d'`` for numbers that read so). Those two rules
    hold where SDV writes the generated table (``sdv_writes``, the single-table
    synthesizers); the longitudinal synthesizer reads and writes text dates itself, in the
    format they are written in, with or without a ``datetime_format``.

    Raises:
        InvalidDataError: such a column (named, with the sdtype and format to declare, the
            value that does not read in the declared format, or the conversion to make).
    """
    columns = table_description(metadata)["columns"]
    for column in data.columns:
        described = columns.get(str(column), {})
        sdtype, values = described.get("sdtype"), data[column]
        if sdtype not in ("numerical", "datetime") or not values.notna().any():
            continue
        not_datetime64 = not pd.api.types.is_datetime64_any_dtype(values)
        written = text_date_format(values) if not_datetime64 else None
        example = str(values.dropna().iloc[0])
        declare = "sdtype 'datetime'" + (f" with datetime_format {written!r}" if written else "")
        if sdtype == "numerical" and is_datetime(values):
            held = f"text in the format {written!r}" if written else f"dtype {values.dtype}"
            raise InvalidDataError(
                f"column {column!r} has sdtype 'numerical' in the metadata but holds dates "
                f"({held}, e.g. {example!r}), not numbers; declare it {declare}, or convert "
                "the column to numbers first (e.g. days since a reference date)"
            )
        declared = described.get("datetime_format") if sdtype == "datetime" else None
        if declared and (is_text(values) or (sdv_writes and _is_numbers(values))):
            _dates_in(values, declared)  # every value reads in it, else refused
            continue
        if sdtype == "datetime" and sdv_writes and not_datetime64 and written is None:
            convert = f"convert the column first, e.g. pd.to_datetime(data[{column!r}], format=...)"
            if is_text(values) or _reads_as_dates(values, _NUMBER_DATE_FORMAT):
                fmt = "..." if is_text(values) else repr(_NUMBER_DATE_FORMAT)
                way_out = (
                    "declare the format they are written in, e.g. metadata.update_column("
                    f"column_name={column!r}, sdtype='datetime', datetime_format={fmt}), or "
                    + convert
                )
            else:
                way_out = convert
            raise InvalidDataError(
                f"column {column!r} has sdtype 'datetime' but holds neither datetime64 values "
                "nor dates written as text in one format these synthesizers find without a "
                f"datetime_format (e.g. '2019-03-07'); got dtype {values.dtype}, values such "
                f"as {example!r}: {way_out}"
            )
        guessed = _sdv_guessed_format(values) if written and sdv_writes else None
        if sdtype == "datetime" and not declared and guessed not in (None, written):
            raise InvalidDataError(
                f"column {column!r} has sdtype 'datetime' without a datetime_format, and its "
                f"dates are written as {written!r} (e.g. {example!r}), which SDV would read "
                f"as {guessed!r} and write generated dates in; declare it {declare}"
            )


def parse_numeric_text(data: pd.DataFrame, metadata: Any) -> pd.DataFrame:
    """``data`` with numbers written as text parsed in the columns of sdtype ``numerical``.

    The cores read ``"26.31"`` as the number 26.31 (and return numbers); SDV's validation
    refuses text in a ``numerical`` column, so the SDV synthesizers parse such columns
    first, and an ``object`` column of numbers only (:func:`~synth_plugins.encoding.parsing.
    real_numbers`) becomes the column ``pd.to_numeric`` makes of it. Other columns, and
    text that is not all numbers, are left as they are (SDV's
    validation then names the column).
    """
    columns = table_description(metadata)["columns"]
    parsed = {}
    for column in data.columns:
        if columns.get(str(column), {}).get("sdtype") == "numerical":
            numbers = parse_numbers(data[column])
            if numbers is None:
                numbers = real_numbers(data[column])  # an object column of numbers only
            if numbers is not None:
                parsed[column] = numbers
    if not parsed:
        return data
    data = data.copy()
    for column, numbers in parsed.items():
        data[column] = numbers
    return data

"""SDV sequential metadata (sequence key + sequence index) for long-format visit tables.

SDV describes multi-sequence data with one table whose ``sequence_key`` identifies the
patient and whose ``sequence_index`` orders the visits (numerical or datetime, dates
written as text included with their ``datetime_format``; an auto-detected categorical index
is rejected by SDV). These helpers build that metadata from the suite's column roles, in the
V1 dictionary form that SDV 1.38 and 2.x both load, and read back what a synthesizer needs
from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from synth_plugins.datasets import Dataset
from synth_plugins.encoding.parsing import is_datetime, text_numbers
from synth_plugins.encoding.roles import describe_strays, infer_roles, stray_values
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.long_format import infer_static_columns
from synth_plugins.sdv._contract import SDVSynthesizerInputError
from synth_plugins.sdv.metadata import check_table, metadata_dict


def sequential_metadata_dict(
    data: pd.DataFrame,
    id_column: str,
    time_column: str,
    roles: Mapping[str, str] | None = None,
    table_name: str = "table",
) -> dict[str, Any]:
    """A V1 SDV metadata dictionary with ``sequence_key`` and ``sequence_index`` set.

    The id column gets sdtype ``id``. The time column takes its role from ``roles`` or,
    when not given, ``datetime`` for datetimes (a ``datetime64`` column, or dates written
    as text in one format: :func:`~synth_plugins.encoding.parsing.is_datetime`, the rule
    role inference applies to every column) and ``numerical`` for numbers (also written as
    text); text that is neither, or dates or numbers with a few stray values
    (``"unknown"``), is refused by name; it is described
    as :func:`~synth_plugins.sdv.metadata.metadata_dict` describes that role, so dates
    written as text (``"2020-01-31"``) get sdtype ``datetime`` with their
    ``datetime_format``, as SDV's validation needs. The other columns follow their roles
    (inferred when not given), dates written as text included. A column constant within
    every patient has its role inferred on one row per patient, as
    :class:`~synth_plugins.generators.longitudinal_lstm.LongitudinalLSTM` infers it: a
    record number repeats over a patient's visits, so judged on the visit rows it would
    read as levels (and be generated verbatim) instead of an ``id``.

    Raises:
        InvalidDataError: ``data`` is not a DataFrame or repeats a column name, a column
            with the role ``datetime`` (the time column included) holds neither datetimes
            nor dates written in one format, ``roles`` gives a column of dates (the time
            column included) the role ``numerical`` or ``integer``, the time column given
            no role is text that is neither numbers nor dates, or a column given no role
            (the time column included) holds numbers or dates but for a few stray values
            (:func:`~synth_plugins.encoding.roles.check_stray_values`).
        InvalidParameterError: ``id_column`` or ``time_column`` is not a column of ``data``,
            ``roles`` gives either another role than a sequence key or time can have, or
            names a column that is not in ``data``.
    """
    check_table(data)
    for name, column in (("id_column", id_column), ("time_column", time_column)):
        if column not in data.columns:
            raise InvalidParameterError(f"{name} {column!r} is not a column of the data")
    others = data.drop(columns=[id_column, time_column])
    layout = {id_column: ("identifier",), time_column: ("numerical", "integer", "datetime")}
    for column, allowed in layout.items():
        role = (roles or {}).get(column, allowed[0])
        if role not in allowed:
            raise InvalidParameterError(
                f"roles gives {column!r} the role {role!r}; as the sequence "
                f"{'key' if column == id_column else 'time'} its role is one of {list(allowed)}"
            )
    given = {c: role for c, role in (roles or {}).items() if c not in layout}
    static = [
        c for c in infer_static_columns(data, id_column, time_column, others.columns)
        if c not in given
    ]  # fmt: skip
    given.update(infer_roles(data.drop_duplicates(subset=id_column)[static]))
    given[time_column] = (roles or {}).get(time_column) or _time_role(data[time_column])
    described = metadata_dict(data.drop(columns=[id_column]), given, table_name)
    table = described["tables"][table_name]
    columns = {id_column: {"sdtype": "id"}, **table["columns"]}
    table["columns"] = {c: columns[str(c)] for c in map(str, data.columns)}
    table["sequence_key"] = id_column
    table["sequence_index"] = time_column
    return described


def _time_role(series: pd.Series) -> str:
    """The role of a time column given no role: ``datetime`` for dates, else ``numerical``.

    Text must be dates in one format or numbers: the suite's rule for stray values
    (:func:`~synth_plugins.encoding.roles.stray_values`; here even a few distinct dates or
    numbers count) names the values that are neither; SDV would refuse the column as a
    ``numerical`` index, listing valid dates. Unlike another column, the time column cannot
    be declared levels: the values must be corrected.

    Raises:
        InvalidDataError: ``series`` is text that is neither numbers nor dates in one format.
    """
    if is_datetime(series):
        return "datetime"
    observed = series.dropna()
    text = series.dtype == object or pd.api.types.is_string_dtype(series.dtype)
    if not text or not len(observed) or text_numbers(series) is not None:
        return "numerical"
    found = stray_values(series, max_numeric_levels=0)
    if found is not None:
        held = describe_strays(*found)
    else:
        examples = [str(value) for value in observed.drop_duplicates().iloc[:3]]
        held = f"text that is neither numbers nor dates in one format (e.g. {examples})"
    raise InvalidDataError(
        f"time column {series.name!r} holds {held}; it orders the visits, so it must hold "
        "numbers, datetimes or dates written in one format: correct those values or drop "
        "those rows"
    )


def sequential_metadata_for(dataset: Dataset, table_name: str | None = None) -> Any:
    """An ``sdv.metadata.Metadata`` for a longitudinal suite dataset."""
    from sdv.metadata import Metadata

    if dataset.kind != "longitudinal":
        raise InvalidParameterError(
            f"dataset {dataset.name!r} is {dataset.kind}; sequential metadata needs a "
            "longitudinal dataset (an id and a time column)"
        )
    name = table_name or dataset.name
    return Metadata.load_from_dict(
        sequential_metadata_dict(
            dataset.data, dataset.id_column, dataset.time_column, dataset.roles, name
        )
    )


def sequence_columns(metadata: Any) -> tuple[str, str | None]:
    """``(sequence_key, sequence_index)`` of single-table SDV metadata.

    The sequence index is optional, as in SDV's ``PARSynthesizer``: without one it is None
    and the order of the rows within a sequence is their order.

    Raises:
        SDVSynthesizerInputError: The metadata lacks a sequence key (``PARSynthesizer``
            raises SDV's ``SynthesizerInputError`` too).
        InvalidParameterError: It has several tables, or a composite sequence key.
    """
    tables = metadata.to_dict()["tables"]
    if len(tables) != 1:
        raise InvalidParameterError(
            f"sequential synthesizers take metadata with one table, got {sorted(tables)}"
        )
    table = next(iter(tables.values()))
    key, index = table.get("sequence_key"), table.get("sequence_index")
    if not key:
        raise SDVSynthesizerInputError(
            "the metadata needs a sequence key (the patient id): "
            "metadata.set_sequence_key(id_column); a sequence index (the visit time) is "
            "optional: metadata.set_sequence_index(time_column)"
        )
    if isinstance(key, list | tuple):
        if len(key) != 1:
            raise InvalidParameterError(f"one sequence key column is supported, got {key}")
        key = key[0]
    return str(key), (str(index) if index else None)

"""Fresh values of text ``id`` columns that SDV metadata gives a ``regex_format``.

SDV generates such a column from its pattern (rdt's ``RegexGenerator`` enumerates the
strings the pattern matches), so its values can be the training values themselves: a
table whose record numbers are the pattern's first strings gets them back. The suite's
synthesizers generate these columns themselves, with the same enumeration, skipping every
training value, and continue it over calls (as they continue other fresh keys). A primary
key stays SDV's: SDV generates it, as for its own synthesizers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from synth_plugins.errors import InvalidDataError

__all__ = ["id_patterns", "regex_values"]

#: A patterned column: its ``regex_format`` and its training values.
Pattern = tuple[str, frozenset[str]]


def id_patterns(
    data: pd.DataFrame, described: Mapping[str, Mapping[str, Any]], exclude: tuple[str, ...] = ()
) -> dict[str, Pattern]:
    """The text ``id`` columns of ``data`` with a ``regex_format``, but ``exclude``.

    Args:
        data: the training table.
        described: the metadata's ``columns`` (``{column: {"sdtype": ..., ...}}``).
        exclude: columns SDV generates itself (the primary key).
    """
    return {
        column: (str(described[column]["regex_format"]), frozenset(data[column].dropna()))
        for column in data.columns
        if column not in exclude
        and described.get(column, {}).get("sdtype") == "id"
        and described[column].get("regex_format")
        and not pd.api.types.is_numeric_dtype(data[column])
    }


def regex_values(
    regex: str, taken: frozenset[str], n: int, column: str, start: int = 0
) -> list[str]:
    """``n`` distinct strings matching ``regex`` (SDV's ``regex_format``), none in ``taken``.

    SDV generates ``id`` values from their pattern with rdt's regex enumeration; so does
    this, skipping the training values and the first ``start`` others (given out before).

    Raises:
        InvalidDataError: the pattern has fewer than ``n`` strings besides ``taken``.
    """
    from rdt.transformers.utils import strings_from_regex

    values: list[str] = []
    if n <= 0:
        return values
    generator, size = strings_from_regex(regex)
    skipped = 0
    for value in generator:
        if value in taken:
            continue
        if skipped < start:
            skipped += 1
            continue
        values.append(value)
        if len(values) == n:
            return values
    raise InvalidDataError(
        f"column {column!r}: its regex_format {regex!r} allows {size} values, "
        f"{len(taken)} of them in the training data and {start} given out before, and "
        f"{n} new ones were asked for; widen the pattern (e.g. more digits)"
    )

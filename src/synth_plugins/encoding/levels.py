"""The one order of a column's levels, used wherever levels become codes or one-hot blocks."""

from __future__ import annotations

from collections.abc import Iterable


def sorted_levels(values: Iterable[object]) -> list[object]:
    """The distinct ``values``, sorted: in their own order when they compare, else as text.

    Values of types that do not compare (numbers and strings in one column) are sorted by
    their text, ties kept in the order first seen, so the order never depends on chance.
    Missing values are kept if given: drop them first where they are not a level.
    """
    unique = list(dict.fromkeys(values))
    try:
        return sorted(unique)  # type: ignore[type-var]
    except TypeError:
        return sorted(unique, key=str)

"""The one order of a column's levels, and how a report writes a level.

The order is used wherever levels become codes or one-hot blocks.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


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


def level_text(value: object) -> str:
    """A level as a report writes it: a whole float as an integer (``1.0`` -> ``"1"``).

    The metrics read numbers written as text (``"0"``/``"1"``) and booleans as floats where
    another table holds them as numbers, so a level the data wrote as ``"1"`` or ``1``
    reaches a report as ``1.0``; it is shown as the data wrote it.
    """
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    return str(value)


def observed_levels(series: pd.Series, role: str) -> list[object]:
    """The observed levels of a discrete column with role ``role``, in the one order.

    An ``ordinal`` column of pandas ``category`` dtype keeps its categories' order (the
    levels' own order); every other column gets :func:`sorted_levels`, so an unordered
    category holds its levels in the same order as the same values of ``object`` dtype.
    """
    observed = series.dropna()
    if isinstance(series.dtype, pd.CategoricalDtype) and role == "ordinal":
        present = set(observed.unique())
        return [level for level in series.dtype.categories if level in present]
    return sorted_levels(observed.unique())

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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError, InvalidParameterError

Role = Literal["numerical", "integer", "binary", "categorical", "ordinal"]
ROLES: tuple[str, ...] = get_args(Role)
DISCRETE_ROLES: frozenset[str] = frozenset({"binary", "categorical", "ordinal"})
NUMERIC_ROLES: frozenset[str] = frozenset({"numerical", "integer"})

#: A numeric column with at most this many distinct values is inferred as categorical.
DEFAULT_MAX_NUMERIC_LEVELS = 10


def infer_role(series: pd.Series, max_numeric_levels: int = DEFAULT_MAX_NUMERIC_LEVELS) -> Role:
    """Infer the role of one column from its values (missing values are ignored).

    Booleans and two-valued columns are ``binary``; strings and pandas categoricals are
    ``categorical`` (``ordinal`` when the categorical dtype is ordered); numeric columns with
    few distinct whole values are ``categorical``, other whole-valued ones ``integer``, the
    rest ``numerical``.
    """
    if len(series) == 0:
        raise InvalidDataError(
            f"column {series.name!r} has no rows: the data is empty (at least one row is needed)"
        )
    values = series.dropna()
    if values.empty:
        raise InvalidDataError(
            f"column {series.name!r} has no observed values; its role cannot be inferred "
            "(drop it, or declare its role explicitly)"
        )
    n_unique = values.nunique()
    if isinstance(series.dtype, pd.CategoricalDtype) and series.dtype.ordered:
        return "ordinal"
    if n_unique <= 2:
        return "binary"
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return "categorical"
    whole = bool(np.all(np.isclose(values.astype(float) % 1, 0)))
    if whole and n_unique <= max_numeric_levels:
        return "categorical"
    return "integer" if whole else "numerical"


def infer_roles(
    data: pd.DataFrame,
    roles: Mapping[str, str] | None = None,
    max_numeric_levels: int = DEFAULT_MAX_NUMERIC_LEVELS,
) -> dict[str, Role]:
    """Return a role for every column: the given ones (validated), the others inferred."""
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
            role = given[column]
            if role not in ROLES:
                raise InvalidParameterError(
                    f"role {role!r} for column {column!r} is not one of {list(ROLES)}"
                )
            result[column] = role  # type: ignore[assignment]
        else:
            result[column] = infer_role(data[column], max_numeric_levels)
    return result

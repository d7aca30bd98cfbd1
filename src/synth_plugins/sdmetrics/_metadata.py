"""Read one table, and its description, from what SDV or SDMetrics users hand a metric.

SDV produces a ``Metadata`` object whose ``to_dict()`` nests the tables under ``"tables"``;
older code and SDMetrics' own examples pass a single table's dict (``{"columns": ...}``).
The suite's metric classes accept all three and read the one table from them. Data comes
as a DataFrame or, as SDV 2's ``sample`` returns it, ``{table_name: DataFrame}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from synth_plugins.errors import InvalidParameterError

#: sdtypes whose values are levels: the metrics' categorical columns (SDV 2's detection
#: makes 0/1 columns ``ordinal``).
LEVEL_SDTYPES = frozenset({"categorical", "boolean", "ordinal"})


def table_data(data: Any, table_name: str | None = None, name: str = "data") -> Any:
    """The table in ``data``: itself, or the one DataFrame of ``{table_name: DataFrame}``.

    Anything else is returned as it is, for the core's checks to name.

    Raises:
        InvalidParameterError: a dict of several tables and ``table_name`` does not pick
            one of them.
    """
    if not isinstance(data, Mapping):
        return data
    if table_name is None and len(data) == 1:
        return next(iter(data.values()))
    if table_name not in data:
        raise InvalidParameterError(
            f"{name} holds the tables {list(data)}; pass table_name= one of them"
            + ("" if table_name is None else f" (got {table_name!r})")
        )
    return data[table_name]


def table_metadata(metadata: Any, table_name: str | None = None) -> dict[str, Any]:
    """The single-table metadata dict in ``metadata`` (``{}`` for None).

    Args:
        metadata: None, a single table's dict, a dict with ``"tables"`` (SDV's
            ``Metadata.to_dict()``) or an SDV ``Metadata`` object.
        table_name: Which table to read when the metadata describes several.

    Raises:
        InvalidParameterError: The metadata is of another type, or names several tables
            and ``table_name`` does not pick one of them.
    """
    if metadata is None:
        return {}
    if isinstance(metadata, pd.DataFrame):  # has to_dict(): refuse it before reading it
        raise InvalidParameterError(
            "metadata must be an SDV Metadata object or a metadata dict, got a DataFrame; "
            "a holdout goes in holdout_data=... (the third positional argument is metadata)"
        )
    if not isinstance(metadata, Mapping) and callable(getattr(metadata, "to_dict", None)):
        metadata = metadata.to_dict()
    if not isinstance(metadata, Mapping):
        raise InvalidParameterError(
            "metadata must be an SDV Metadata object or a metadata dict, got "
            f"{type(metadata).__name__}"
        )
    if "tables" not in metadata:
        return dict(metadata)
    tables = metadata["tables"]
    if table_name is None and len(tables) == 1:
        return dict(next(iter(tables.values())))
    if table_name not in tables:
        raise InvalidParameterError(
            f"metadata describes the tables {sorted(tables)}; pass table_name= one of them"
            + ("" if table_name is None else f" (got {table_name!r})")
        )
    return dict(tables[table_name])

"""SDV metadata from the suite's column roles, and roles back from SDV metadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from synth_plugins.datasets import Dataset
from synth_plugins.encoding.roles import Role, infer_role

_SDTYPE: dict[str, str] = {
    "numerical": "numerical",
    "integer": "numerical",
    "binary": "categorical",
    "categorical": "categorical",
    "ordinal": "categorical",
}


def metadata_dict(
    data: pd.DataFrame, roles: Mapping[str, str], table_name: str = "table"
) -> dict[str, Any]:
    """A V1 SDV metadata dictionary (accepted by SDV 1.38 and 2.x) for ``data``."""
    columns: dict[str, dict[str, str]] = {}
    for column in data.columns:
        role = roles.get(column) or infer_role(data[column])
        sdtype = _SDTYPE[role]
        if role == "binary" and pd.api.types.is_bool_dtype(data[column]):
            sdtype = "boolean"
        columns[str(column)] = {"sdtype": sdtype}
    return {"tables": {table_name: {"columns": columns}}, "METADATA_SPEC_VERSION": "V1"}


def metadata_for(dataset: Dataset, table_name: str | None = None) -> Any:
    """An ``sdv.metadata.Metadata`` for a suite dataset, with sdtypes from its roles."""
    from sdv.metadata import Metadata

    name = table_name or dataset.name
    return Metadata.load_from_dict(metadata_dict(dataset.data, dataset.roles, name))


def roles_from_metadata(metadata: Any, data: pd.DataFrame) -> dict[str, Role]:
    """Roles for the columns of ``data`` from SDV metadata (numbers refined by values).

    Categorical and boolean sdtypes become ``binary`` (two levels) or ``categorical``;
    numerical ones ``integer`` when every value is whole, else ``numerical``.
    """
    tables = metadata.to_dict()["tables"]
    columns = next(iter(tables.values()))["columns"]
    roles: dict[str, Role] = {}
    for column in data.columns:
        sdtype = columns.get(column, {}).get("sdtype")
        observed = data[column].dropna()
        if sdtype in ("categorical", "boolean"):
            roles[column] = "binary" if observed.nunique() <= 2 else "categorical"
        elif sdtype == "numerical":
            whole = observed.empty or bool((observed.astype(float) % 1 == 0).all())
            roles[column] = "integer" if whole else "numerical"
        else:
            roles[column] = infer_role(data[column])
    return roles

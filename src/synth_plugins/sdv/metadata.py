"""SDV metadata from the suite's column roles, and roles back from SDV metadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from synth_plugins.datasets import Dataset
from synth_plugins.encoding.roles import Role, infer_role
from synth_plugins.errors import InvalidDataError

_SDTYPE: dict[str, str] = {
    "numerical": "numerical",
    "integer": "numerical",
    "binary": "categorical",
    "categorical": "categorical",
    "ordinal": "categorical",
}


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
    """A V1 SDV metadata dictionary (accepted by SDV 1.38 and 2.x) for ``data``.

    Raises:
        InvalidDataError: ``data`` is not a DataFrame or repeats a column name.
    """
    check_table(data)
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

    Raises:
        InvalidDataError: ``data`` is not a DataFrame or repeats a column name.
    """
    check_table(data)
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

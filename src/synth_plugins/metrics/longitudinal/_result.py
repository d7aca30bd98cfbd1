"""The shared shape of part results: a ``score`` and flat figures read from the fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any, ClassVar

import numpy as np
import pandas as pd

#: ``field(metadata=HIDDEN)``: a field kept out of ``to_dict`` (detail tables, nested
#: shares, settings).
HIDDEN: Mapping[str, Any] = {"hidden": True}


def table_columns(*columns: str) -> Mapping[str, Any]:
    """Field metadata: a DataFrame whose ``columns`` enter ``to_dict`` as ``<column>_<row>``."""
    return {"table_columns": columns}


class PartResult:
    """Base of the frozen dataclass results of the longitudinal parts.

    A subclass defines ``score`` (in [0, 1], 1 best) and its fields; ``to_dict`` is derived
    from them, so a new figure is reported by adding a field. Rules, in field order: a
    number or boolean is reported under its name (as a float); a ``{key: number}`` mapping as
    ``<field>_<key>``; a DataFrame field with :func:`table_columns` metadata as ``<column>_<row>``
    per row; text fields and fields with :data:`HIDDEN` metadata are not reported.
    Properties named in ``DERIVED`` follow the fields.
    """

    #: Properties reported after the fields.
    DERIVED: ClassVar[tuple[str, ...]] = ()

    @property
    def score(self) -> float:  # pragma: no cover - every part defines it
        """The part's score in [0, 1] (1 best)."""
        raise NotImplementedError(f"{type(self).__name__} must define score")

    def to_dict(self) -> dict[str, float]:
        """``score`` then the flat figures (see the class docstring)."""
        result = {"score": float(self.score)}
        for spec in fields(self):  # type: ignore[arg-type]
            if spec.metadata.get("hidden"):
                continue
            value = getattr(self, spec.name)
            if isinstance(value, pd.DataFrame):
                columns = spec.metadata.get("table_columns", ())
                for row, values in value.iterrows():
                    for column in columns:
                        result[f"{column}_{row}"] = float(values[column])
            elif isinstance(value, Mapping):
                result.update({f"{spec.name}_{k}": float(v) for k, v in value.items()})
            elif isinstance(value, bool | int | float | np.number | np.bool_):
                result[spec.name] = float(value)
        for name in self.DERIVED:
            result[name] = float(getattr(self, name))
        return result

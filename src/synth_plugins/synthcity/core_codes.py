"""Synthcity's label codes as a suite core reads them, and the core's output coded back.

Synthcity label-encodes text, booleans and every column with fewer than 15 distinct values
before a plugin's ``_fit`` (scikit-learn's ``LabelEncoder``: code ``i`` is the ``i``-th of
the sorted distinct values), and decodes what ``_generate`` returns with the same
encoders. Two things a core must know are lost on the way in:

- a missing value becomes one more class (sorted last), so a core never saw it as missing:
  its ``missing`` policy (``"impute"``, ``"error"``) did not apply and the class came back
  as NaN like any level;
- an ordered pandas categorical is coded by the sorted text of its labels, not in its
  order (``"high" < "low" < "medium"``);
- an outcome column's values, which the core reads as such: a cohort followed to death has
  the event 1 (or True) everywhere, the single class Synthcity codes 0, "censored".

:class:`CoreCodes` maps the codes of such columns to what the core models (NaN for the
missing class; an ordered column's levels numbered in their order, role ``ordinal``; an
outcome column's classes themselves) and the core's output back to Synthcity's codes, a NaN
to the missing class. Other columns pass unchanged.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.preprocessing import LabelEncoder


@dataclass(frozen=True)
class CoreCodes:
    """The core's value of each Synthcity code, for the columns where they differ.

    Attributes:
        tables: column -> the core's value of each Synthcity code (``tables[c][code]``;
            NaN for the class of missing values).
        ordinal: the columns whose core values number the levels in their order.
    """

    tables: Mapping[str, np.ndarray] = field(default_factory=dict)
    ordinal: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        encoders: Mapping[str, Any] | None,
        orders: Mapping[str, Sequence[Any]],
        outcomes: Collection[str] = (),
    ) -> CoreCodes:
        """The codes of Synthcity's label ``encoders`` (a plugin's ``_data_encoders``).

        ``orders``: the levels of ordered columns in their order (the training frame's
        ordered categoricals). ``outcomes``: the columns the core reads by their values
        (a survival loader's duration and event, checked numeric and not missing), whose
        codes map to their classes as numbers.
        """
        tables: dict[str, np.ndarray] = {}
        ordinal: set[str] = set()
        for column, encoder in (encoders or {}).items():
            if not isinstance(encoder, LabelEncoder):
                continue
            classes = np.asarray(encoder.classes_, dtype=object)
            missing = pd.isna(classes)
            table = np.arange(len(classes), dtype=float)
            if column in outcomes:
                table = classes.astype(float)
            elif column in orders:
                levels = [level for level in orders[column] if level in set(classes[~missing])]
                table[~missing] = [levels.index(level) for level in classes[~missing]]
                ordinal.add(column)
            table[missing] = np.nan
            if missing.any() or not np.array_equal(table, np.arange(len(classes))):
                tables[column] = table
        return cls(tables, frozenset(ordinal))

    def roles(self, roles: Mapping[str, str]) -> dict[str, str]:
        """``roles`` with the ordered columns ``ordinal``."""
        return {**roles, **dict.fromkeys(self.ordinal & set(roles), "ordinal")}

    def to_core(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Synthcity's encoded ``frame`` as the core models it."""
        if not self.tables:
            return frame
        frame = frame.copy()
        for column in self.tables:
            frame[column] = self.values(column, frame[column].to_numpy())
        return frame

    def values(self, column: str, codes: np.ndarray) -> np.ndarray:
        """The core's values of Synthcity ``codes`` of ``column``."""
        table = self.tables.get(column)
        return codes if table is None else table[np.asarray(codes, dtype=np.int64)]

    def from_core(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The core's output ``frame`` in Synthcity's codes (a NaN: the missing class).

        A row holding a value that has no code is dropped: an outcome value the training
        data never held (an all-event cohort's row censored at the longest follow-up),
        which Synthcity can neither decode nor let through its schema; its
        ``_safe_generate`` draws again until it has ``count`` rows.
        """
        if not self.tables:
            return frame
        coded = {}
        for column, table in self.tables.items():
            known = ~np.isnan(table)
            codes = pd.Series(frame[column].to_numpy(dtype=float)).map(
                dict(zip(table[known], np.flatnonzero(known), strict=True))
            )
            if not known.all():
                codes = codes.fillna(np.flatnonzero(~known)[0])
            coded[column] = codes
        kept = pd.concat(coded, axis=1).notna().all(axis=1).to_numpy()
        frame = frame[kept].copy()
        for column, codes in coded.items():
            frame[column] = codes[kept].to_numpy(dtype=np.int64)
        return frame

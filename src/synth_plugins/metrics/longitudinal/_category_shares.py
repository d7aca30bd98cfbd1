"""Share of visits per category of each categorical visit column, real vs synthetic."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from synth_plugins.metrics.longitudinal._result import HIDDEN, PartResult
from synth_plugins.metrics.longitudinal._stats import total_variation
from synth_plugins.metrics.longitudinal._tables import LongTables


@dataclass(frozen=True)
class CategorySharesResult(PartResult):
    """Share of visits per category of each categorical visit column.

    Attributes:
        tvd: Total variation distance per column.
        real_shares, synthetic_shares: ``{column: {level: share}}`` (missing as ``nan``).
    """

    tvd: dict[str, float]
    real_shares: dict[str, dict[Any, float]] = field(repr=False, metadata=HIDDEN)
    synthetic_shares: dict[str, dict[Any, float]] = field(repr=False, metadata=HIDDEN)

    @property
    def score(self) -> float:
        """``1 - mean TVD`` over columns (1.0 without categorical visit columns)."""
        return 1.0 - float(np.mean(list(self.tvd.values()))) if self.tvd else 1.0


def category_shares(tables: LongTables) -> CategorySharesResult:
    """Compare the share of visits in each level of every categorical visit column."""
    tvd, real_shares, syn_shares = {}, {}, {}
    for column in tables.categorical_visit:
        r, s = tables.real[column], tables.synthetic[column]
        tvd[column] = total_variation(r, s)
        real_shares[column] = r.value_counts(normalize=True, dropna=False).to_dict()
        syn_shares[column] = s.value_counts(normalize=True, dropna=False).to_dict()
    return CategorySharesResult(tvd, real_shares, syn_shares)

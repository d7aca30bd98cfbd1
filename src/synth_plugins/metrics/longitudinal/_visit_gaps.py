"""Gaps between consecutive visits, real vs synthetic."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from synth_plugins.metrics.longitudinal._result import PartResult
from synth_plugins.metrics.longitudinal._stats import ks_two_sample, median_or_nan
from synth_plugins.metrics.longitudinal._tables import LongTables, gaps_of


@dataclass(frozen=True)
class VisitGapResult(PartResult):
    """Gaps between consecutive visits, real vs synthetic.

    Attributes:
        wasserstein_log: Wasserstein-1 distance between the log gaps (0 when neither
            table has a second visit, NaN when only one has).
        ks: KS statistic of the gaps (1 when only one table has a second visit).
        real_median, synthetic_median: Median gaps (time units; NaN without gaps).
    """

    wasserstein_log: float
    ks: float
    real_median: float
    synthetic_median: float

    @property
    def score(self) -> float:
        """``1 - KS`` (1.0 when neither table has a second visit)."""
        return 1.0 - self.ks if np.isfinite(self.ks) else 1.0


def visit_gaps(tables: LongTables) -> VisitGapResult:
    """Compare the distributions of gaps between consecutive visits."""
    real = gaps_of(tables.real, tables.id_column, tables.time_column)
    syn = gaps_of(tables.synthetic, tables.id_column, tables.time_column)
    if real.size == 0 or syn.size == 0:
        # no distance between a distribution and nothing: NaN, and the worst KS
        both_empty = real.size == 0 and syn.size == 0
        ks = 0.0 if both_empty else 1.0
        return VisitGapResult(
            0.0 if both_empty else np.nan, ks, median_or_nan(real), median_or_nan(syn)
        )
    distance = float(stats.wasserstein_distance(np.log(real), np.log(syn)))
    ks, _ = ks_two_sample(real, syn)
    return VisitGapResult(distance, ks, median_or_nan(real), median_or_nan(syn))

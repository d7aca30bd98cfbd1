"""Follow-up per patient (last minus first visit time), real vs synthetic."""

from __future__ import annotations

from dataclasses import dataclass

from synth_plugins.metrics.intervals import mean_ci
from synth_plugins.metrics.longitudinal._result import PartResult
from synth_plugins.metrics.longitudinal._stats import ks_two_sample
from synth_plugins.metrics.longitudinal._tables import LongTables, per_patient


@dataclass(frozen=True)
class FollowUpResult(PartResult):
    """Follow-up per patient (last minus first visit time), real vs synthetic.

    Attributes:
        real_mean, real_ci_low, real_ci_high: Real mean follow-up and its 95 % t-interval.
        synthetic_mean, synthetic_ci_low, synthetic_ci_high: The same for synthetic data.
        ks: KS statistic between the two follow-up distributions.
        synthetic_mean_in_real_ci: Whether the synthetic mean lies in the real interval.
    """

    real_mean: float
    real_ci_low: float
    real_ci_high: float
    synthetic_mean: float
    synthetic_ci_low: float
    synthetic_ci_high: float
    ks: float
    synthetic_mean_in_real_ci: bool

    @property
    def score(self) -> float:
        """``1 - KS`` of the follow-up distributions."""
        return 1.0 - self.ks


def follow_up(tables: LongTables) -> FollowUpResult:
    """Compare per-patient follow-up (mean, 95 % CI, KS)."""
    real = per_patient(tables.real, tables.id_column, tables.time_column)["follow_up"]
    syn = per_patient(tables.synthetic, tables.id_column, tables.time_column)["follow_up"]
    r_mean, r_low, r_high = mean_ci(real.to_numpy())
    s_mean, s_low, s_high = mean_ci(syn.to_numpy())
    ks, _ = ks_two_sample(real.to_numpy(float), syn.to_numpy(float))
    return FollowUpResult(
        r_mean, r_low, r_high, s_mean, s_low, s_high, ks, bool(r_low <= s_mean <= r_high)
    )

"""Visits per patient, real vs synthetic."""

from __future__ import annotations

from dataclasses import dataclass

from synth_plugins.metrics.longitudinal._result import PartResult
from synth_plugins.metrics.longitudinal._stats import ks_two_sample, total_variation
from synth_plugins.metrics.longitudinal._tables import LongTables, per_patient


@dataclass(frozen=True)
class SequenceLengthResult(PartResult):
    """Visits per patient, real vs synthetic.

    Attributes:
        tvd: Total variation distance of the visit-count distributions.
        ks: KS statistic of the visit counts.
        real_mean, synthetic_mean: Mean visits per patient.
    """

    tvd: float
    ks: float
    real_mean: float
    synthetic_mean: float

    @property
    def score(self) -> float:
        """``1 - TVD``."""
        return 1.0 - self.tvd


def sequence_length(tables: LongTables) -> SequenceLengthResult:
    """Compare the distributions of visits per patient."""
    real = per_patient(tables.real, tables.id_column, tables.time_column)["visits"]
    syn = per_patient(tables.synthetic, tables.id_column, tables.time_column)["visits"]
    ks, _ = ks_two_sample(real.to_numpy(float), syn.to_numpy(float))
    return SequenceLengthResult(
        total_variation(real, syn), ks, float(real.mean()), float(syn.mean())
    )

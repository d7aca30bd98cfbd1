"""Longitudinal fidelity: real vs synthetic patient histories in long format (one row per visit).

The statistics reported by the MS registry abstracts (definitions ours: the abstracts give
none), generalised to any long table with a patient id and a visit time, plus sequence-level
checks. Each part has its own function and result; :func:`longitudinal_fidelity` runs them
all and averages their scores (each in [0, 1], 1 = synthetic indistinguishable from real):

- follow-up (last minus first visit time per patient): means with 95 % t-intervals; score
  ``1 - KS`` of the two follow-up distributions;
- event rate per patient-year (the annualised relapse rate for a relapse-count column):
  pooled ``sum(events) / sum(follow-up)`` over patients with follow-up > 0 (events at the
  first visit excluded by default, they precede follow-up), and the mean of per-patient
  rates; score ``1 - min(1, |rate_syn - rate_real| / rate_real)`` on the pooled rate;
- share of visits per category (e.g. treatment): score ``1 - total variation distance``
  averaged over the categorical visit columns;
- numerical visit columns over all visit rows (per-visit marginals): mean, SD and KS
  statistic; score ``1 - mean KS``;
- static numerical columns (one row per patient): mean, SD, KS statistic and p-value;
  score ``1 - mean KS``;
- Spearman correlations: among static numerical columns, and longitudinally among the
  numerical visit columns and the time since the first visit, plus lag-1 within patient
  (each numerical visit column at visit k against visit k + 1); score
  ``1 - mean |rho_real - rho_syn| / 2`` per group;
- sequence length (visits per patient): score ``1 - total variation distance``;
- gaps between visits: Wasserstein-1 distance and KS statistic of the log gaps; score
  ``1 - KS``;
- trajectories: the mean of each numerical visit column by whole year of follow-up (years
  with at least 20 visits in both tables), per-year errors; score
  ``1 - min(1, mean |error| / real SD)`` averaged over columns;
- high-efficacy therapy (HET) exposure, when a therapy column is given: the share of
  patients ever on HET and the share of follow-up on HET (therapy carried forward between
  visits); score ``1 - mean |share difference|``;
- discriminative score: a gradient-boosting classifier on per-patient summary features
  (length, follow-up, gaps, static values, first/last/mean/SD/slope of numerical visit
  columns, per-patient category shares), cross-validated on equal numbers of real and
  synthetic patients (at least 12 per table); score ``1 - 2 max(accuracy - 0.5, 0)``;
- predictive score (train on synthetic, test on real): predict a visit column at visit
  k + 1 from visit k, the gap, the time since the first visit and the static values;
  trained on synthetic patients and, for reference, on 70 % of the real patients, both
  tested on the other 30 % of real patients (R² for numerical targets, accuracy for
  categorical ones; at least 20 patients per table, and the real-trained model must beat
  the held-out patients' mean or most frequent level); score
  ``min(1, max(0, TSTR / TRTR))``.

Numerical or categorical is the metrics' column rule
(:func:`~synth_plugins.metrics.validation.column_role`, as for the table metrics: numbers
written as text are numbers, text labels, booleans, pandas categoricals and two-valued
columns are categories), with one exception declared in ``_tables.MAX_NUMERIC_LEVELS``:
whole numbers with more than two levels (stages, counts) are numbers, because the
trajectory and Spearman parts need their order. ``categorical_columns`` makes any column
categorical.

Each part lives in its own module (``_follow_up``, ``_event_rate``, ...); every part result
derives ``to_dict`` from its fields (``_result.PartResult``).
"""

from synth_plugins.metrics.longitudinal._category_shares import (
    CategorySharesResult,
    category_shares,
)
from synth_plugins.metrics.longitudinal._discriminative import (
    DiscriminativeResult,
    discriminative,
)
from synth_plugins.metrics.longitudinal._event_rate import (
    EventRateResult,
    event_rate,
    event_rates,
    flag_given_event,
    patient_events,
)
from synth_plugins.metrics.longitudinal._fidelity import (
    PARTS,
    LongitudinalFidelityResult,
    longitudinal_fidelity,
)
from synth_plugins.metrics.longitudinal._follow_up import FollowUpResult, follow_up
from synth_plugins.metrics.longitudinal._het_exposure import (
    MS_HIGH_EFFICACY,
    HetExposureResult,
    het_exposure,
    het_shares,
)
from synth_plugins.metrics.longitudinal._numerics import (
    StaticNumericsResult,
    VisitNumericsResult,
    static_numerics,
    visit_numerics,
)
from synth_plugins.metrics.longitudinal._patient_features import patient_features
from synth_plugins.metrics.longitudinal._predictive import PredictiveResult, predictive
from synth_plugins.metrics.longitudinal._result import PartResult
from synth_plugins.metrics.longitudinal._sequence_length import (
    SequenceLengthResult,
    sequence_length,
)
from synth_plugins.metrics.longitudinal._spearman import (
    LongitudinalSpearmanResult,
    SpearmanResult,
    spearman_longitudinal,
    spearman_static,
)
from synth_plugins.metrics.longitudinal._tables import LongTables, prepare_tables
from synth_plugins.metrics.longitudinal._trajectory import (
    TrajectoryResult,
    trajectory,
    yearly_means,
)
from synth_plugins.metrics.longitudinal._visit_gaps import VisitGapResult, visit_gaps

__all__ = [
    "MS_HIGH_EFFICACY",
    "PARTS",
    "CategorySharesResult",
    "DiscriminativeResult",
    "EventRateResult",
    "FollowUpResult",
    "HetExposureResult",
    "LongTables",
    "LongitudinalFidelityResult",
    "LongitudinalSpearmanResult",
    "PartResult",
    "PredictiveResult",
    "SequenceLengthResult",
    "SpearmanResult",
    "StaticNumericsResult",
    "TrajectoryResult",
    "VisitGapResult",
    "VisitNumericsResult",
    "category_shares",
    "discriminative",
    "event_rate",
    "event_rates",
    "flag_given_event",
    "follow_up",
    "het_exposure",
    "het_shares",
    "longitudinal_fidelity",
    "patient_events",
    "patient_features",
    "predictive",
    "prepare_tables",
    "sequence_length",
    "spearman_longitudinal",
    "spearman_static",
    "static_numerics",
    "trajectory",
    "visit_gaps",
    "visit_numerics",
    "yearly_means",
]

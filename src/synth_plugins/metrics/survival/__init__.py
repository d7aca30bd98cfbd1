"""Survival metrics: Kaplan-Meier scores and comparison, hazard-ratio alignment, augmentation.

One job per module:

- :mod:`.km_scores`: ``km_survival_scores``, the area-based Kaplan-Meier scores of
  Norcliffe et al. / Synthcity with the AML normalisation;
- :mod:`.hazard_ratio`: ``hazard_ratio_alignment``, the same Cox model on real and
  synthetic data, compared covariate by covariate;
- :mod:`.km_comparison`: ``km_comparison``, Kaplan-Meier curves and log-rank tests overall
  and by stratum;
- :mod:`.augmentation`: ``survival_augmentation``, C-index and integrated Brier score of
  models trained on real vs real + synthetic rows, scored on the holdout;
- :mod:`.design`: the Cox design matrices these metrics share.

Outcome validation and Cox fitting come from the shared :mod:`synth_plugins.survival`
layer, which the CK4Gen generator uses too.
"""

from synth_plugins.metrics.survival.augmentation import (
    SurvivalAugmentationResult,
    survival_augmentation,
)
from synth_plugins.metrics.survival.hazard_ratio import (
    HazardRatioAlignmentResult,
    hazard_ratio_alignment,
)
from synth_plugins.metrics.survival.km_comparison import KMComparisonResult, km_comparison
from synth_plugins.metrics.survival.km_scores import (
    KmSurvivalResult,
    km_survival_scores,
)

__all__ = [
    "HazardRatioAlignmentResult",
    "KMComparisonResult",
    "KmSurvivalResult",
    "SurvivalAugmentationResult",
    "hazard_ratio_alignment",
    "km_comparison",
    "km_survival_scores",
    "survival_augmentation",
]

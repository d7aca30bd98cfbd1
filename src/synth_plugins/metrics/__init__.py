"""Framework-free metric cores: privacy (distances and attacks), fidelity, clinical validity.

Each metric is a function named like the metric, returning a frozen result with a
``score`` and ``to_dict()``. What the hosts need to present it (direction, range, what it
needs besides real and synthetic data) is its entry in :mod:`synth_plugins.catalog`.
Importing this package does not import PyTorch; the distance kernel imports it when a
privacy metric runs.
"""

from synth_plugins.metrics.aml_fidelity import (
    AmlFidelityResult,
    aml_basic_statistical_measure,
    aml_fidelity,
    aml_log_transformed_correlation_score,
    aml_regularized_support_coverage,
)
from synth_plugins.metrics.associations import (
    association_matrix,
    correlation_ratio,
    cramers_v,
    pearson,
    theils_u,
)
from synth_plugins.metrics.attacks import (
    AnonymeterRiskResult,
    AttackRisk,
    anonymeter_risk,
)
from synth_plugins.metrics.clinical import (
    EffectAgreementResult,
    ModelUnderstandingResult,
    TableOneResult,
    effect_agreement,
    model_understanding,
    table_one,
)
from synth_plugins.metrics.correlation import (
    CorrelationL1Result,
    correlation_l1,
)
from synth_plugins.metrics.dcr import DcrHoldoutShareResult, dcr_holdout_share
from synth_plugins.metrics.hamming import (
    HammingLeakageResult,
    HammingRunStats,
    hamming_leakage,
    leakage_coefficient,
)
from synth_plugins.metrics.longitudinal import (
    LongitudinalFidelityResult,
    longitudinal_fidelity,
)
from synth_plugins.metrics.survival import (
    HazardRatioAlignmentResult,
    KMComparisonResult,
    KmSurvivalResult,
    SurvivalAugmentationResult,
    hazard_ratio_alignment,
    km_comparison,
    km_survival_scores,
    survival_augmentation,
)
from synth_plugins.metrics.tabsyndex import TabSynDexResult, tabsyndex

__all__ = [
    "AmlFidelityResult",
    "AnonymeterRiskResult",
    "AttackRisk",
    "CorrelationL1Result",
    "DcrHoldoutShareResult",
    "EffectAgreementResult",
    "HammingLeakageResult",
    "HammingRunStats",
    "HazardRatioAlignmentResult",
    "KMComparisonResult",
    "KmSurvivalResult",
    "LongitudinalFidelityResult",
    "ModelUnderstandingResult",
    "SurvivalAugmentationResult",
    "TabSynDexResult",
    "TableOneResult",
    "aml_basic_statistical_measure",
    "aml_fidelity",
    "aml_log_transformed_correlation_score",
    "aml_regularized_support_coverage",
    "anonymeter_risk",
    "association_matrix",
    "correlation_l1",
    "correlation_ratio",
    "cramers_v",
    "dcr_holdout_share",
    "effect_agreement",
    "hamming_leakage",
    "hazard_ratio_alignment",
    "km_comparison",
    "km_survival_scores",
    "leakage_coefficient",
    "longitudinal_fidelity",
    "model_understanding",
    "pearson",
    "survival_augmentation",
    "table_one",
    "tabsyndex",
    "theils_u",
]

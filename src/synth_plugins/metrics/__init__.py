"""Framework-free metric cores: privacy (distances and attacks), fidelity, clinical validity.

Each metric is a function named like the metric, returning a frozen result with a
``score`` and ``to_dict()``, and a :class:`MetricInfo` constant (direction, range) that the
host adapters read. Importing this package does not import PyTorch; the distance kernel
imports it when a privacy metric runs.
"""

from synth_plugins.metrics._info import MetricInfo
from synth_plugins.metrics.aml_fidelity import (
    AML_FIDELITY,
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
    ANONYMETER_RISK,
    AnonymeterRiskResult,
    AttackRisk,
    anonymeter_risk,
)
from synth_plugins.metrics.clinical import (
    EFFECT_AGREEMENT,
    MODEL_UNDERSTANDING,
    TABLE_ONE,
    EffectAgreementResult,
    ModelUnderstandingResult,
    TableOneResult,
    effect_agreement,
    model_understanding,
    table_one,
)
from synth_plugins.metrics.correlation import (
    CORRELATION_L1,
    CorrelationL1Result,
    correlation_l1,
)
from synth_plugins.metrics.dcr import DCR_HOLDOUT_SHARE, DcrHoldoutShareResult, dcr_holdout_share
from synth_plugins.metrics.hamming import (
    HAMMING_LEAKAGE,
    HammingLeakageResult,
    HammingRunStats,
    hamming_leakage,
    leakage_coefficient,
)
from synth_plugins.metrics.longitudinal import (
    LONGITUDINAL_FIDELITY,
    LongitudinalFidelityResult,
    longitudinal_fidelity,
)
from synth_plugins.metrics.survival import (
    HAZARD_RATIO_ALIGNMENT,
    KM_SURVIVAL_SCORES,
    SURVIVAL_AUGMENTATION,
    HazardRatioAlignmentResult,
    KMComparisonResult,
    KmSurvivalResult,
    SurvivalAugmentationResult,
    hazard_ratio_alignment,
    km_comparison,
    km_survival_scores,
    survival_augmentation,
)
from synth_plugins.metrics.tabsyndex import TABSYNDEX, TabSynDexResult, tabsyndex

#: Every metric's description, by suite name.
METRIC_INFOS: dict[str, MetricInfo] = {
    info.name: info
    for info in (
        HAMMING_LEAKAGE,
        DCR_HOLDOUT_SHARE,
        TABSYNDEX,
        AML_FIDELITY,
        KM_SURVIVAL_SCORES,
        CORRELATION_L1,
        HAZARD_RATIO_ALIGNMENT,
        SURVIVAL_AUGMENTATION,
        LONGITUDINAL_FIDELITY,
        MODEL_UNDERSTANDING,
        TABLE_ONE,
        EFFECT_AGREEMENT,
        ANONYMETER_RISK,
    )
}

__all__ = [
    "AML_FIDELITY",
    "ANONYMETER_RISK",
    "CORRELATION_L1",
    "DCR_HOLDOUT_SHARE",
    "EFFECT_AGREEMENT",
    "HAMMING_LEAKAGE",
    "HAZARD_RATIO_ALIGNMENT",
    "KM_SURVIVAL_SCORES",
    "LONGITUDINAL_FIDELITY",
    "METRIC_INFOS",
    "MODEL_UNDERSTANDING",
    "SURVIVAL_AUGMENTATION",
    "TABLE_ONE",
    "TABSYNDEX",
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
    "MetricInfo",
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

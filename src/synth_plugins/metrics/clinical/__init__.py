"""Clinical-validity metrics: do synthetic data support the analyses a clinician would run?

- :func:`model_understanding`: a classifier trained on synthetic rows against one trained
  on real rows (accuracy, Dummy baseline, confusion matrices, SHAP importance order and
  direction), after the KerusCloud case studies;
- :func:`table_one`: the AML study's "Table 1" comparison of real and synthetic cohorts;
- :func:`effect_agreement`: univariable (optionally multivariable) odds ratios or hazard
  ratios on real vs synthetic data, with direction, significance and CI agreement.
"""

from synth_plugins.metrics.clinical.effect_agreement import (
    EffectAgreementResult,
    effect_agreement,
)
from synth_plugins.metrics.clinical.model_understanding import (
    ModelUnderstandingResult,
    model_understanding,
)
from synth_plugins.metrics.clinical.table_one import TableOneResult, table_one

__all__ = [
    "EffectAgreementResult",
    "ModelUnderstandingResult",
    "TableOneResult",
    "effect_agreement",
    "model_understanding",
    "table_one",
]

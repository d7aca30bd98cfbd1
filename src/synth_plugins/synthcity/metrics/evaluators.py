"""Synthcity evaluators for the suite's metrics (``Metrics.evaluate(metrics={...})``).

Each class only names its metric; :class:`SuiteEvaluatorMixin` turns Synthcity's loaders
into tables and calls :func:`synth_plugins.metrics.dispatch.evaluate_metric`. Output keys
are the core result's ``to_dict()`` keys (``score`` first), reported by Synthcity as
``<type>.<name>.<key>``.

Inputs, following Synthcity's conventions: fidelity metrics get the (encoded, equal-size)
samples of ``X_gt`` and ``X_syn`` that Synthcity hands every evaluator. Privacy metrics
compare the synthetic data with the generator's training data and a holdout, so they read
the full ``X_gt`` (the holdout, as ``Benchmarks.evaluate`` passes it), ``X_syn`` and
``X_train`` of the current ``Metrics.evaluate`` call (see ``context.py``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd
from synthcity.metrics.eval_performance import PerformanceEvaluator
from synthcity.metrics.eval_privacy import PrivacyEvaluator
from synthcity.metrics.eval_statistical import StatisticalEvaluator

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics import METRIC_INFOS
from synth_plugins.metrics.dispatch import evaluate_metric, needs_holdout
from synth_plugins.synthcity import register_metrics_defined_in
from synth_plugins.synthcity.metrics.context import current_call, reporting_failures


def _frame(data: Any) -> pd.DataFrame:
    return data if isinstance(data, pd.DataFrame) else data.dataframe()


class SuiteEvaluatorMixin:
    """Bridge from Synthcity's evaluator API to a suite metric core."""

    metric: ClassVar[str]
    _default_metric = "score"

    @classmethod
    def name(cls) -> str:
        """The suite name, as used in ``metrics={category: [name]}``."""
        return cls.metric

    @classmethod
    def direction(cls) -> str:
        """``"maximize"`` or ``"minimize"``, from the metric's description."""
        return METRIC_INFOS[cls.metric].direction

    def _evaluate(self, X_gt: Any, X_syn: Any) -> dict[str, float]:
        with reporting_failures(self.fqdn()):
            return self._scores(X_gt, X_syn)

    def _scores(self, X_gt: Any, X_syn: Any) -> dict[str, float]:
        # Metrics.evaluate samples min(len(X_gt), len(X_syn)) rows of each: name the empty one
        whole = current_call() or {}
        for label, sampled in (("X_gt", X_gt), ("X_syn", X_syn)):
            if len(sampled if whole.get(label) is None else whole[label]) == 0:
                raise InvalidDataError(f"{self.metric} got {label} with 0 rows")
        info = X_gt.info()
        survival = X_gt.type() == "survival_analysis"
        columns = {
            "target_column": info.get("target_column"),
            "duration_column": info.get("time_to_event_column") if survival else None,
            "event_column": info.get("target_column") if survival else None,
        }
        if not needs_holdout(self.metric):
            return evaluate_metric(
                self.metric, X_gt.dataframe(), X_syn.dataframe(), **columns
            ).to_dict()
        call = current_call() or {}
        if call.get("X_train") is None:
            raise InvalidParameterError(
                f"{self.metric} needs the generator's training data: call "
                "Metrics.evaluate(X_gt=holdout, X_syn=synthetic, X_train=training data)"
            )
        return evaluate_metric(
            self.metric,
            _frame(call["X_train"]),
            _frame(call["X_syn"]),
            holdout=_frame(call["X_gt"]),
            **columns,
        ).to_dict()


class HammingLeakageEvaluator(SuiteEvaluatorMixin, PrivacyEvaluator):
    """The AML study's Hamming privacy-leakage coefficient (lower is better)."""

    metric = "hamming_leakage"


class DcrHoldoutShareEvaluator(SuiteEvaluatorMixin, PrivacyEvaluator):
    """Platzer & Reutterer's share of synthetic rows closer to training than holdout."""

    metric = "dcr_holdout_share"


class AnonymeterRiskEvaluator(SuiteEvaluatorMixin, PrivacyEvaluator):
    """Anonymeter's singling-out, linkability and inference risks (the worst is the score)."""

    metric = "anonymeter_risk"


class TabSynDexEvaluator(SuiteEvaluatorMixin, StatisticalEvaluator):
    """TabSynDex with its five components."""

    metric = "tabsyndex"


class AmlFidelityEvaluator(SuiteEvaluatorMixin, StatisticalEvaluator):
    """The AML study's three normalised fidelity scores."""

    metric = "aml_fidelity"


class KmSurvivalScoresEvaluator(SuiteEvaluatorMixin, StatisticalEvaluator):
    """Kaplan-Meier optimism, divergence and short-sightedness, raw and normalised."""

    metric = "km_survival_scores"


class CorrelationL1Evaluator(SuiteEvaluatorMixin, StatisticalEvaluator):
    """L1 distance between the real and synthetic correlation matrices."""

    metric = "correlation_l1"


class HazardRatioAlignmentEvaluator(SuiteEvaluatorMixin, StatisticalEvaluator):
    """Real vs synthetic Cox hazard ratios (survival loaders only)."""

    metric = "hazard_ratio_alignment"


class SurvivalAugmentationEvaluator(SuiteEvaluatorMixin, PerformanceEvaluator):
    """C-index and IBS of survival models trained on real vs real + synthetic rows.

    Works in ``Metrics.evaluate``. In ``Benchmarks.evaluate``, Synthcity treats every metric
    whose name contains "augmentation" as its own fairness-augmentation pipeline and needs
    the loader's ``fairness_column``; the suite's survival benchmark computes this metric
    on the harness's outputs instead.
    """

    metric = "survival_augmentation"

    def evaluate(self, X_gt: Any, X_syn: Any) -> dict[str, float]:
        """Synthcity's performance evaluators implement ``evaluate`` themselves."""
        return self._evaluate(X_gt, X_syn)

    def evaluate_default(self, X_gt: Any, X_syn: Any) -> float:
        """The headline score: mean C-index gain over the models."""
        return self.evaluate(X_gt, X_syn)["score"]


class ModelUnderstandingEvaluator(SuiteEvaluatorMixin, PerformanceEvaluator):
    """Classifier trained on synthetic vs real rows: accuracy, SHAP order and direction.

    Reads the training data from ``X_train`` and tests on ``X_gt`` (the holdout), like the
    privacy metrics: ``Metrics.evaluate(X_gt=holdout, X_syn, X_train=training data)``.
    """

    metric = "model_understanding"

    def evaluate(self, X_gt: Any, X_syn: Any) -> dict[str, float]:
        """Synthcity's performance evaluators implement ``evaluate`` themselves."""
        return self._evaluate(X_gt, X_syn)

    def evaluate_default(self, X_gt: Any, X_syn: Any) -> float:
        """The headline score (accuracy ratio, importance order and direction)."""
        return self.evaluate(X_gt, X_syn)["score"]


class TableOneEvaluator(SuiteEvaluatorMixin, StatisticalEvaluator):
    """The AML study's Table 1 tests: share of variables without a significant difference."""

    metric = "table_one"


class EffectAgreementEvaluator(SuiteEvaluatorMixin, StatisticalEvaluator):
    """Odds ratios (generic loaders) or hazard ratios (survival loaders), real vs synthetic."""

    metric = "effect_agreement"


register_metrics_defined_in(__name__)

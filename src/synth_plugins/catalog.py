"""The one declarative list of what synth-plugins provides, read by every registration.

Adding a generator or a metric to the suite means one module (the core), its host
adapters, and one entry here: Synthcity registration, the SDV/SDMetrics namespaces, the CLI
and the docs all read this list. References are ``"module:attribute"`` strings so that
nothing heavy is imported until a host asks for it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from synth_plugins.errors import UnknownNameError

SynthcityGeneratorType = Literal["generic", "survival_analysis", "time_series"]
SynthcityMetricType = Literal["privacy", "stats", "performance", "detection", "sanity"]
#: what a metric compares: one table per side, or long-format visit sequences per side
MetricData = Literal["table", "sequences"]


@dataclass(frozen=True)
class GeneratorEntry:
    """A generator: its core, its Synthcity plugin and its SDV synthesizer."""

    name: str
    title: str
    summary: str
    synthcity_type: SynthcityGeneratorType
    core: str
    synthcity_plugin: str
    sdv_synthesizer: str
    #: the bundled dataset the conformance kit and quick benchmarks fit on
    dataset: str
    #: quick-fit parameters (few epochs) per host, for tests and ``--quick`` benchmarks
    synthcity_quick: Mapping[str, Any] = field(default_factory=dict)
    sdv_quick: Mapping[str, Any] = field(default_factory=dict)
    #: a (column, value) condition that native conditional sampling must honour, if any
    condition: tuple[str, Any] | None = None

    @property
    def sdv_name(self) -> str:
        """The SDV class name (``MedVAESynthesizer`` for ``med_vae``)."""
        return self.sdv_synthesizer.rsplit(":", 1)[1]


@dataclass(frozen=True)
class MetricEntry:
    """A metric: its core function, its Synthcity evaluator and its SDMetrics class."""

    name: str
    title: str
    summary: str
    synthcity_type: SynthcityMetricType
    core: str
    synthcity_evaluator: str
    sdmetrics_metric: str
    #: ``"table"``: an SDMetrics single-table metric, Synthcity generic/survival loaders;
    #: ``"sequences"``: an SDMetrics time-series metric, Synthcity time-series loaders
    data: MetricData = "table"

    @property
    def sdmetrics_name(self) -> str:
        """The SDMetrics class name (``HammingLeakage`` for ``hamming_leakage``)."""
        return self.sdmetrics_metric.rsplit(":", 1)[1]


GENERATORS: tuple[GeneratorEntry, ...] = (
    GeneratorEntry(
        name="med_vae",
        title="Med-VAE",
        summary="VAE, mixed-type medical tables: latent-mixture/library sampling, conditions, DP",
        synthcity_type="generic",
        core="synth_plugins.generators.med_vae:MedVAE",
        synthcity_plugin="synth_plugins.synthcity.plugins.generic.plugin_med_vae:MedVAEPlugin",
        sdv_synthesizer="synth_plugins.sdv.med_vae:MedVAESynthesizer",
        dataset="heart_failure",
        synthcity_quick={"n_iter": 10},
        sdv_quick={"epochs": 10},
        condition=("sex", 1),
    ),
    GeneratorEntry(
        name="ctabgan_plus",
        title="CTAB-GAN+",
        summary="Conditional tabular WGAN-GP: mixed/log/general encoders, downstream loss, DP",
        synthcity_type="generic",
        core="synth_plugins.generators.ctabgan_plus:CTABGANPlus",
        synthcity_plugin=(
            "synth_plugins.synthcity.plugins.generic.plugin_ctabgan_plus:CTABGANPlusPlugin"
        ),
        sdv_synthesizer="synth_plugins.sdv.ctabgan_plus:CTABGANPlusSynthesizer",
        dataset="heart_failure",
        synthcity_quick={"n_iter": 10},
        sdv_quick={"epochs": 10},
        condition=("sex", 1),
    ),
    GeneratorEntry(
        name="mle_copula",
        title="MLE copula",
        summary="MLE marginals chosen by AIC/BIC, Gaussian copula (level 2) or independent (1)",
        synthcity_type="generic",
        core="synth_plugins.generators.mle_copula:MLECopula",
        synthcity_plugin=(
            "synth_plugins.synthcity.plugins.generic.plugin_mle_copula:MLECopulaPlugin"
        ),
        sdv_synthesizer="synth_plugins.sdv.mle_copula:MLECopulaSynthesizer",
        dataset="heart_failure",
    ),
    GeneratorEntry(
        name="ck4gen",
        title="CK4Gen",
        summary="Cox-knowledge-distilled survival data (encoder + SynthNet), copy/model outcomes",
        synthcity_type="survival_analysis",
        core="synth_plugins.generators.ck4gen:CK4Gen",
        synthcity_plugin=(
            "synth_plugins.synthcity.plugins.survival_analysis.plugin_ck4gen:CK4GenPlugin"
        ),
        sdv_synthesizer="synth_plugins.sdv.ck4gen:CK4GenSynthesizer",
        dataset="gbsg2",
        synthcity_quick={"n_iter": 30},
        sdv_quick={"duration_column": "time", "event_column": "cens", "epochs": 30},
    ),
    GeneratorEntry(
        name="longitudinal_lstm",
        title="Longitudinal LSTM",
        summary="Static VAE + visit LSTM: irregular visit sequences with stop and gap heads",
        synthcity_type="time_series",
        core="synth_plugins.generators.longitudinal_lstm:LongitudinalLSTM",
        synthcity_plugin=(
            "synth_plugins.synthcity.plugins.time_series.plugin_longitudinal_lstm"
            ":LongitudinalLSTMPlugin"
        ),
        sdv_synthesizer="synth_plugins.sdv.longitudinal_lstm:LongitudinalLSTMSynthesizer",
        dataset="ms_registry",
        synthcity_quick={"n_iter": 3, "static_n_iter": 10, "hidden_size": 32, "num_layers": 1},
        sdv_quick={"epochs": 3, "static_epochs": 10, "hidden_size": 32, "num_layers": 1},
    ),
)

METRICS: tuple[MetricEntry, ...] = (
    MetricEntry(
        name="hamming_leakage",
        title="Hamming leakage",
        summary="AML study: privacy-leakage coefficient from Hamming distances to train vs holdout",
        synthcity_type="privacy",
        core="synth_plugins.metrics:hamming_leakage",
        synthcity_evaluator="synth_plugins.synthcity.metrics.evaluators:HammingLeakageEvaluator",
        sdmetrics_metric="synth_plugins.sdmetrics.single_table:HammingLeakage",
    ),
    MetricEntry(
        name="dcr_holdout_share",
        title="DCR holdout share",
        summary="Platzer & Reutterer: share of synthetic rows closer to train than holdout",
        synthcity_type="privacy",
        core="synth_plugins.metrics:dcr_holdout_share",
        synthcity_evaluator="synth_plugins.synthcity.metrics.evaluators:DcrHoldoutShareEvaluator",
        sdmetrics_metric="synth_plugins.sdmetrics.single_table:DcrHoldoutShare",
    ),
    MetricEntry(
        name="anonymeter_risk",
        title="Anonymeter risk",
        summary="Anonymeter: singling-out, linkability, inference risk beyond a holdout (worst)",
        synthcity_type="privacy",
        core="synth_plugins.metrics:anonymeter_risk",
        synthcity_evaluator="synth_plugins.synthcity.metrics.evaluators:AnonymeterRiskEvaluator",
        sdmetrics_metric="synth_plugins.sdmetrics.single_table:AnonymeterRisk",
    ),
    MetricEntry(
        name="tabsyndex",
        title="TabSynDex",
        summary="TabSynDex: five fidelity/utility components and their mean",
        synthcity_type="stats",
        core="synth_plugins.metrics:tabsyndex",
        synthcity_evaluator="synth_plugins.synthcity.metrics.evaluators:TabSynDexEvaluator",
        sdmetrics_metric="synth_plugins.sdmetrics.single_table:TabSynDex",
    ),
    MetricEntry(
        name="aml_fidelity",
        title="AML fidelity",
        summary="AML study: basic statistics, log-correlation, support coverage",
        synthcity_type="stats",
        core="synth_plugins.metrics:aml_fidelity",
        synthcity_evaluator="synth_plugins.synthcity.metrics.evaluators:AmlFidelityEvaluator",
        sdmetrics_metric="synth_plugins.sdmetrics.single_table:AmlFidelity",
    ),
    MetricEntry(
        name="km_survival_scores",
        title="KM survival scores",
        summary="Kaplan-Meier optimism, divergence, short-sightedness (raw, 1-|x|)",
        synthcity_type="stats",
        core="synth_plugins.metrics:km_survival_scores",
        synthcity_evaluator="synth_plugins.synthcity.metrics.evaluators:KmSurvivalScoresEvaluator",
        sdmetrics_metric="synth_plugins.sdmetrics.single_table:KmSurvivalScores",
    ),
    MetricEntry(
        name="correlation_l1",
        title="Correlation L1",
        summary="L1 distance of real vs synthetic correlation matrices",
        synthcity_type="stats",
        core="synth_plugins.metrics:correlation_l1",
        synthcity_evaluator="synth_plugins.synthcity.metrics.evaluators:CorrelationL1Evaluator",
        sdmetrics_metric="synth_plugins.sdmetrics.single_table:CorrelationL1",
    ),
    MetricEntry(
        name="hazard_ratio_alignment",
        title="Hazard-ratio alignment",
        summary="Cox log-HR error, sign/significance agreement, CI overlap (real vs synthetic)",
        synthcity_type="stats",
        core="synth_plugins.metrics:hazard_ratio_alignment",
        synthcity_evaluator="synth_plugins.synthcity.metrics.evaluators:HazardRatioAlignmentEvaluator",
        sdmetrics_metric="synth_plugins.sdmetrics.single_table:HazardRatioAlignment",
    ),
    MetricEntry(
        name="survival_augmentation",
        title="Survival augmentation",
        summary="C-index/IBS of Cox and RSF trained on real vs real+synthetic, over seeds",
        synthcity_type="performance",
        core="synth_plugins.metrics:survival_augmentation",
        synthcity_evaluator="synth_plugins.synthcity.metrics.evaluators:SurvivalAugmentationEvaluator",
        sdmetrics_metric="synth_plugins.sdmetrics.single_table:SurvivalAugmentation",
    ),
    MetricEntry(
        name="model_understanding",
        title="Model understanding",
        summary="RF trained on synthetic vs real: accuracy vs Dummy, SHAP order and direction",
        synthcity_type="performance",
        core="synth_plugins.metrics:model_understanding",
        synthcity_evaluator="synth_plugins.synthcity.metrics.evaluators:ModelUnderstandingEvaluator",
        sdmetrics_metric="synth_plugins.sdmetrics.single_table:ModelUnderstanding",
    ),
    MetricEntry(
        name="table_one",
        title="Table 1",
        summary="AML Table 1: Shapiro-Wilk then t/Mann-Whitney, chi-square/Fisher per variable",
        synthcity_type="stats",
        core="synth_plugins.metrics:table_one",
        synthcity_evaluator="synth_plugins.synthcity.metrics.evaluators:TableOneEvaluator",
        sdmetrics_metric="synth_plugins.sdmetrics.single_table:TableOne",
    ),
    MetricEntry(
        name="effect_agreement",
        title="Effect agreement",
        summary="Odds ratios (logistic) or hazard ratios (Cox): sign, significance, CI overlap",
        synthcity_type="stats",
        core="synth_plugins.metrics:effect_agreement",
        synthcity_evaluator="synth_plugins.synthcity.metrics.evaluators:EffectAgreementEvaluator",
        sdmetrics_metric="synth_plugins.sdmetrics.single_table:EffectAgreement",
    ),
    MetricEntry(
        name="longitudinal_fidelity",
        title="Longitudinal fidelity",
        summary="Follow-up, events per patient-year, visit gaps, lengths, lag-1 Spearman, TSTR",
        synthcity_type="stats",
        core="synth_plugins.metrics.longitudinal:longitudinal_fidelity",
        synthcity_evaluator="synth_plugins.synthcity.metrics.longitudinal:LongitudinalFidelityEvaluator",
        sdmetrics_metric="synth_plugins.sdmetrics.timeseries:LongitudinalFidelity",
        data="sequences",
    ),
)


def generator(name: str) -> GeneratorEntry:
    """The catalog entry of a generator, by its suite name."""
    for entry in GENERATORS:
        if entry.name == name:
            return entry
    raise UnknownNameError("generator", name, [e.name for e in GENERATORS])


def metric(name: str) -> MetricEntry:
    """The catalog entry of a metric, by its suite name."""
    for entry in METRICS:
        if entry.name == name:
            return entry
    raise UnknownNameError("metric", name, [e.name for e in METRICS])


def resolve(reference: str) -> Any:
    """Import ``"package.module:attribute"`` and return the attribute.

    Import errors propagate unchanged: a registered piece that cannot load must fail
    loudly, never disappear from a host's list.
    """
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)

"""The one declarative list of what synth-plugins provides, read by every registration.

Adding a generator to the suite means its core module, its host adapters and one entry
here; adding a metric means its core module and one entry here, from which its Synthcity
evaluator and SDMetrics class are derived. Synthcity registration, the SDV/SDMetrics
namespaces, the CLI and the docs all read this list. References are ``"module:attribute"``
strings so that nothing heavy is imported until a host asks for it.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from synth_plugins.errors import UnknownNameError

SynthcityGeneratorType = Literal["generic", "survival_analysis", "time_series"]
SynthcityMetricType = Literal["privacy", "stats", "performance", "detection", "sanity"]
#: what a metric compares: one table per side, or long-format visit sequences per side
MetricData = Literal["table", "sequences"]
#: what a metric needs besides real and synthetic data: real rows the generator never saw,
#: an outcome column (``target_column``), or a duration and an event column
MetricNeed = Literal["holdout", "target", "survival"]
Direction = Literal["maximize", "minimize"]


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
    """A metric: its core function and everything the hosts need to present it.

    The Synthcity evaluator and the SDMetrics class are derived from this entry (see
    :mod:`synth_plugins.synthcity.metrics.evaluators` and :mod:`synth_plugins.sdmetrics`);
    :func:`synth_plugins.metrics.dispatch.evaluate_metric` calls the core with the host's
    inputs matched to the core's parameter names.
    """

    name: str
    title: str
    summary: str
    synthcity_type: SynthcityMetricType
    #: ``"module:function"``: the core, returning a result with ``score`` and ``to_dict()``
    core: str
    #: ``"maximize"`` when a larger headline score is better, ``"minimize"`` otherwise
    direction: Direction
    #: the smallest and largest headline score (``-inf``/``inf`` when unbounded)
    min_value: float
    max_value: float
    #: one sentence saying what the headline score measures
    description: str
    #: the SDMetrics class name; the Synthcity evaluator is this name + ``"Evaluator"``
    sdmetrics_name: str
    #: what the hosts must supply besides the real and synthetic data
    needs: tuple[MetricNeed, ...] = ()
    #: ``"table"``: an SDMetrics single-table metric, Synthcity generic/survival loaders;
    #: ``"sequences"``: an SDMetrics time-series metric, Synthcity time-series loaders
    data: MetricData = "table"
    #: the score of a perfect synthetic data set, if there is one
    ideal: float | None = None
    #: the score at which the method's conventional decision flips, if it has one (the Hamming
    #: coefficient's breach threshold); only for a minimised score with an
    #: :attr:`inner_ideal` below it, where the SDMetrics normalisation reads 0.5 at the
    #: threshold and halves with each further threshold's width above the ideal (see
    #: :meth:`synth_plugins.sdmetrics.single_table.SuiteSingleTableMetric.normalize`)
    threshold: float | None = None
    #: core parameters whose names differ from the host inputs': core name -> input name
    #: (inputs: ``real``, ``synthetic``, ``holdout``, the ``*_column(s)`` options, and the
    #: ``real_duration``/``real_event``/``synthetic_duration``/``synthetic_event`` series)
    arguments: Mapping[str, str] = field(default_factory=dict)
    #: core options the hosts pass unless the caller gives them
    host_options: Mapping[str, Any] = field(default_factory=dict)
    #: the figures Synthcity's ``Metrics.evaluate`` reports after ``score``: exact keys of
    #: the core result's ``to_dict()`` (never patterns, which a column named ``"sofa_score"``
    #: would match); the other figures are in the core result, and in Synthcity with the
    #: evaluator's ``all_figures = True``
    headline_figures: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Refuse a :attr:`threshold` the normalisation cannot place at 0.5."""
        if self.threshold is not None:
            ideal = self.inner_ideal
            if ideal is None or not ideal < self.threshold < self.max_value:
                raise ValueError(
                    f"metric {self.name!r}: threshold={self.threshold} needs a minimised score "
                    f"whose ideal lies inside its range and below the threshold (ideal "
                    f"{self.ideal}, range [{self.min_value}, {self.max_value}])"
                )

    @property
    def inner_ideal(self) -> float | None:
        """The ideal of a minimised score whose range goes on below it; None for the others.

        A score below such an ideal is no better than the ideal itself: a Hamming leakage
        coefficient below 0 (range [-1, inf), or (-inf, 1] by the code's formula) or a DCR
        holdout share below 0.5 (range [0, 1]) means the synthetic rows are nearer the
        holdout than the training rows, which is no privacy concern and no merit either.
        The SDMetrics normalisation gives every such score 1, and the benchmarks rank every
        such score as tied with the ideal (:func:`synth_plugins.benchmark.report.rank_values`).
        """
        if self.direction == "minimize" and self.ideal is not None:
            if self.min_value < self.ideal < self.max_value:
                return self.ideal
        return None

    def headline(self, figures: Mapping[str, float]) -> dict[str, float]:
        """``score`` and the :attr:`headline_figures` of a core result's ``to_dict()``.

        In the result's order; a headline name the result lacks (a figure of an option
        that did not run) is skipped.
        """
        shown = {"score", *self.headline_figures}
        return {key: value for key, value in figures.items() if key in shown}

    @property
    def synthcity_evaluator_name(self) -> str:
        """The Synthcity evaluator class name (``HammingLeakageEvaluator``)."""
        return f"{self.sdmetrics_name}Evaluator"

    @property
    def synthcity_key(self) -> str:
        """The prefix of the metric's rows in Synthcity's output (``privacy.hamming_leakage``)."""
        return f"{self.synthcity_type}.{self.name}"


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
        synthcity_quick={"n_iter": 3, "static_n_iter": 10, "hidden": 32, "num_layers": 1},
        sdv_quick={"epochs": 3, "static_epochs": 10, "hidden": 32, "num_layers": 1},
    ),
)

#: The names behind some metrics' headline figures and the Hamming breach threshold, declared
#: here so that the catalog imports no metric module; the metric modules take them from here
#: (``metrics.attacks.ATTACKS``, ``metrics.survival.augmentation.MODELS``,
#: ``metrics.longitudinal._fidelity.PARTS``, the default ``threshold`` of
#: ``metrics.hamming.hamming_leakage``).
ANONYMETER_ATTACKS = (
    "singling_out_univariate",
    "singling_out_multivariate",
    "linkability",
    "inference",
)
SURVIVAL_MODELS = ("cox", "rsf")
LONGITUDINAL_PARTS = (
    "follow_up",
    "event_rate",
    "category_shares",
    "visit_numerics",
    "static_ks",
    "spearman_static",
    "spearman_longitudinal",
    "sequence_length",
    "visit_gaps",
    "trajectory",
    "het_exposure",
    "discriminative",
    "predictive",
)
#: The Hamming leakage coefficient above which the AML study flags a potential breach.
HAMMING_BREACH_THRESHOLD = 0.05

METRICS: tuple[MetricEntry, ...] = (
    MetricEntry(
        name="hamming_leakage",
        title="Hamming leakage",
        summary="AML study: privacy-leakage coefficient from Hamming distances to train vs holdout",
        synthcity_type="privacy",
        core="synth_plugins.metrics:hamming_leakage",
        direction="minimize",
        # [-1, inf) with the paper's formula (the default); (-inf, 1] with
        # coefficient_formula="code" (1 - train / holdout), so the range is their union
        min_value=-math.inf,
        max_value=math.inf,
        description=(
            "AML-study privacy leakage coefficient: mean minimum Hamming distance of synthetic "
            "rows to unseen holdout rows over that to training rows, minus 1 (above 0.05 flags "
            "a potential breach)."
        ),
        sdmetrics_name="HammingLeakage",
        needs=("holdout",),
        ideal=0.0,
        threshold=HAMMING_BREACH_THRESHOLD,
        headline_figures=("breach", "synthetic_train_exact_matches", "real_coefficient"),
    ),
    MetricEntry(
        name="dcr_holdout_share",
        title="DCR holdout share",
        summary="Platzer & Reutterer: share of synthetic rows closer to train than holdout",
        synthcity_type="privacy",
        core="synth_plugins.metrics:dcr_holdout_share",
        direction="minimize",
        min_value=0.0,
        max_value=1.0,
        description=(
            "Platzer & Reutterer holdout share: the share of synthetic rows closer (Hamming DCR "
            "on binned data) to a training row than to a holdout row, a tie counting as the "
            "chance that the nearest real row is a training row, over every row of both sets; "
            "0.5 means no sign of memorisation and 1 copies of training rows, whatever the "
            "sizes (with a smaller holdout the raw share is rescaled from its expectation)."
        ),
        sdmetrics_name="DcrHoldoutShare",
        needs=("holdout",),
        ideal=0.5,
        headline_figures=("p_value", "exact_matches_train", "exact_matches_holdout"),
    ),
    MetricEntry(
        name="anonymeter_risk",
        title="Anonymeter risk",
        summary="Anonymeter: singling-out, linkability, inference risk beyond a holdout (worst)",
        synthcity_type="privacy",
        core="synth_plugins.metrics:anonymeter_risk",
        direction="minimize",
        min_value=0.0,
        max_value=1.0,
        description=(
            "Anonymeter (Giomi et al. 2023): the largest of the singling-out, linkability and "
            "inference risks, each the attack's success on training rows in excess of its "
            "success on holdout rows; 0 means no attack gains from the training rows."
        ),
        sdmetrics_name="AnonymeterRisk",
        needs=("holdout",),
        ideal=0.0,
        # each attack's risk with its interval (not the per-column inference risks)
        headline_figures=tuple(
            f"{attack}_risk{bound}"
            for attack in ANONYMETER_ATTACKS
            for bound in ("", "_ci_low", "_ci_high")
        ),
    ),
    MetricEntry(
        name="tabsyndex",
        title="TabSynDex",
        summary="TabSynDex: five fidelity/utility components and their mean",
        synthcity_type="stats",
        core="synth_plugins.metrics:tabsyndex",
        direction="maximize",
        min_value=0.0,
        max_value=1.0,
        description=(
            "TabSynDex: mean of five [0, 1] scores (basic statistics, log-transformed "
            "correlations, ML efficacy, pMSE, regularized support coverage); 1 is best."
        ),
        sdmetrics_name="TabSynDex",
        ideal=1.0,
        # classification for a categorical or few-level outcome, regression otherwise
        host_options={"task": "auto"},
        headline_figures=("basic_score", "corr_score", "ml_score", "pmse_score", "sup_score"),
    ),
    MetricEntry(
        name="aml_fidelity",
        title="AML fidelity",
        summary="AML study: basic statistics, log-correlation, support coverage",
        synthcity_type="stats",
        core="synth_plugins.metrics:aml_fidelity",
        direction="maximize",
        min_value=0.0,
        max_value=1.0,
        description=(
            "AML-study fidelity: mean of its basic statistical measure, log-transformed "
            "correlation score and regularized support coverage, each in [0, 1]; 1 is best."
        ),
        sdmetrics_name="AmlFidelity",
        ideal=1.0,
        headline_figures=(
            "basic_statistical_measure",
            "log_transformed_correlation_score",
            "regularized_support_coverage",
        ),
    ),
    MetricEntry(
        name="km_survival_scores",
        title="KM survival scores",
        summary="Kaplan-Meier optimism, divergence, short-sightedness (raw, 1-|x|)",
        synthcity_type="stats",
        core="synth_plugins.metrics:km_survival_scores",
        direction="maximize",
        min_value=0.0,
        max_value=1.0,
        description=(
            "Kaplan-Meier agreement: mean of 1 - |optimism|, 1 - KM divergence and "
            "1 - |short-sightedness| between real and synthetic survival curves; 1 is best."
        ),
        sdmetrics_name="KmSurvivalScores",
        needs=("survival",),
        ideal=1.0,
        headline_figures=("optimism_score", "km_divergence_score", "short_sightedness_score"),
    ),
    MetricEntry(
        name="correlation_l1",
        title="Correlation L1",
        summary="L1 distance of real vs synthetic correlation matrices",
        synthcity_type="stats",
        core="synth_plugins.metrics:correlation_l1",
        direction="minimize",
        min_value=0.0,
        max_value=math.inf,
        description=(
            "Sum (or mean) of absolute differences between the real and synthetic correlation "
            "matrices (upper triangle by default); 0 is best, at most 2 per cell. Measures "
            "dependence only, not the marginal distributions."
        ),
        sdmetrics_name="CorrelationL1",
        ideal=0.0,
        headline_figures=("l1", "max_abs_difference"),
    ),
    MetricEntry(
        name="hazard_ratio_alignment",
        title="Hazard-ratio alignment",
        summary="Cox log-HR error, sign/significance agreement, CI overlap (real vs synthetic)",
        synthcity_type="stats",
        core="synth_plugins.metrics:hazard_ratio_alignment",
        direction="minimize",
        min_value=0.0,
        max_value=math.inf,
        description=(
            "Mean absolute difference between the log hazard ratios of the same Cox model "
            "fitted on real and on synthetic data (0 when every hazard ratio is reproduced)."
        ),
        sdmetrics_name="HazardRatioAlignment",
        needs=("survival",),
        ideal=0.0,
        headline_figures=("sign_agreement", "sign_agreement_significant", "ci_overlap"),
    ),
    MetricEntry(
        name="survival_augmentation",
        title="Survival augmentation",
        summary="C-index/IBS of Cox and RSF trained on real vs real+synthetic, over seeds",
        # Synthcity files augmentation utility under its "performance" evaluators; its
        # Benchmarks.evaluate runs names containing "augmentation" as its own fairness
        # pipeline, so the survival benchmark computes this metric itself (see the card)
        synthcity_type="performance",
        core="synth_plugins.metrics:survival_augmentation",
        direction="maximize",
        min_value=-1.0,
        max_value=1.0,
        description=(
            "Mean gain in test C-index (Cox model and random survival forest, real holdout "
            "rows) from training on real plus synthetic rows instead of real rows alone."
        ),
        sdmetrics_name="SurvivalAugmentation",
        needs=("holdout", "survival"),
        arguments={"real_train": "real"},
        headline_figures=tuple(
            f"{model}_{figure}"
            for model in SURVIVAL_MODELS
            for figure in ("c_index_delta", "ibs_delta")
        ),
    ),
    MetricEntry(
        name="model_understanding",
        title="Model understanding",
        summary="RF trained on synthetic vs real: accuracy vs Dummy, SHAP order and direction",
        synthcity_type="performance",
        core="synth_plugins.metrics:model_understanding",
        direction="maximize",
        min_value=0.0,
        max_value=1.0,
        description=(
            "Classifier trained on synthetic vs real rows, tested on a real holdout: mean of "
            "the share of the real model's accuracy gain over the Dummy, the SHAP "
            "importance-order agreement above models without structure, and the share of "
            "features with the same effect direction; 1 is best, about 0.2 without structure."
        ),
        sdmetrics_name="ModelUnderstanding",
        needs=("holdout", "target"),
        ideal=1.0,
        headline_figures=("accuracy_gain", "kendall_tau", "direction_agreement"),
    ),
    MetricEntry(
        name="table_one",
        title="Table 1",
        summary="AML Table 1: Shapiro-Wilk then t/Mann-Whitney, chi-square/Fisher per variable",
        synthcity_type="stats",
        core="synth_plugins.metrics:table_one",
        direction="maximize",
        min_value=0.0,
        max_value=1.0,
        description=(
            "Share of variables whose real and synthetic distributions do not differ "
            "significantly (Table 1 tests: Shapiro-Wilk then Welch t or Mann-Whitney U; "
            "chi-square or Fisher's exact); 1 is best."
        ),
        sdmetrics_name="TableOne",
        ideal=1.0,
        headline_figures=("n_significant", "min_p_value"),
    ),
    MetricEntry(
        name="effect_agreement",
        title="Effect agreement",
        summary="Odds ratios (logistic) or hazard ratios (Cox): sign, significance, CI overlap",
        synthcity_type="stats",
        core="synth_plugins.metrics:effect_agreement",
        direction="maximize",
        min_value=0.0,
        max_value=1.0,
        description=(
            "Univariable odds ratios (binary outcome, logistic regression) or hazard ratios "
            "(survival outcome, Cox) on real vs synthetic data: mean of the direction, "
            "significance and confidence-interval-overlap agreement; 1 is best."
        ),
        sdmetrics_name="EffectAgreement",
        # one outcome: target_column, or duration and event columns (the target may repeat
        # the event column, as a survival loader's target does)
        needs=("target",),
        ideal=1.0,
        headline_figures=("direction_agreement", "significance_agreement", "ci_overlap"),
    ),
    MetricEntry(
        name="longitudinal_fidelity",
        title="Longitudinal fidelity",
        summary=(
            "Follow-up, events per patient-year, visit gaps, lengths, lag-1 Spearman, "
            "per-year trajectories, HET exposure, TSTR"
        ),
        synthcity_type="stats",
        core="synth_plugins.metrics:longitudinal_fidelity",
        direction="maximize",
        min_value=0.0,
        max_value=1.0,
        description=(
            "Mean of longitudinal fidelity sub-scores in [0, 1] (follow-up, event rate per "
            "patient-year, category shares per visit, static KS, Spearman static/longitudinal/"
            "lag-1, sequence length, visit gaps, per-year trajectories, high-efficacy therapy "
            "exposure, discriminative and predictive scores); 1 is best."
        ),
        sdmetrics_name="LongitudinalFidelity",
        data="sequences",
        ideal=1.0,
        headline_figures=tuple(f"{part}_score" for part in LONGITUDINAL_PARTS),
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

"""The CK4Gen estimator: fit the teacher and both networks, then sample survival data."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
import torch

from synth_plugins.encoding.tabular import MissingPolicy, TabularEncoder
from synth_plugins.errors import (
    InvalidDataError,
    InvalidParameterError,
    NotFittedError,
    caller_stacklevel,
    warn,
)
from synth_plugins.generators import _nn, _torch
from synth_plugins.generators.ck4gen.calibration import (
    LevelTarget,
    draw_levels,
    level_targets,
    tilt_levels,
)
from synth_plugins.generators.ck4gen.config import (
    CENSORING_MODELS,
    CHUNK,
    COPY_PRIVACY_WARNING,
    MAX_LOG_HAZARD,
    NUMERIC_CALIBRATION_ROWS,
    OUTCOMES,
    PRESETS,
    REDRAW_ROUNDS,
    CensoringModel,
    DecoderLoss,
    DiscreteDecoding,
    DistillTarget,
    EncoderKind,
    Outcome,
    OutcomeDraw,
)
from synth_plugins.generators.ck4gen.copies import binned, quantile_edges, redraw_copies
from synth_plugins.generators.ck4gen.marginals import map_to_marginal, quantile_table
from synth_plugins.generators.ck4gen.networks import Student, SynthNet
from synth_plugins.generators.ck4gen.sampling import (
    Censoring,
    add_residuals,
    draw_discrete,
    draw_kept,
    draw_outcomes,
    draw_outcomes_balanced,
    duration_grid,
    interpolate_times,
    residual_factor,
    source_index,
)
from synth_plugins.generators.ck4gen.teacher import (
    KNOT_QUANTILES,
    CensoringStrata,
    TeacherDesign,
    censoring_distribution,
    fit_censoring_strata,
    fit_teacher,
    step,
    time_grid,
)
from synth_plugins.generators.ck4gen.training import train_decoder, train_student
from synth_plugins.generators.privacy import (
    CopyFilter,
    CopyTally,
    collision_rate,
    row_hashes,
    warn_per_call,
)
from synth_plugins.survival import check_survival_frame, event_labels, write_events
from synth_plugins.validation import (
    TrainingUnit,
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_int_tuple,
    check_random_state,
    check_training_size,
    preset_settings,
)

__all__ = ["CK4Gen"]


class CK4Gen:
    """CK4Gen-style generator of synthetic survival data (Kuo, Gallego & Jorm, 2024).

    A Cox proportional hazards *teacher* (lifelines ``CoxPHFitter``) is distilled into a
    three-hidden-layer *encoder*; *SynthNet* decodes the encoder's latent representation
    back to the preprocessed covariates. Synthetic rows are reconstructions of real source
    patients (optionally with latent noise) with an outcome drawn from the teacher
    (``outcome="model"``, the default) or copied from the source patient (``"copy"``, the
    paper; ``CK4Gen.from_preset("paper", ...)`` gives the paper's settings). What the paper
    establishes and what is our proposal is listed in ``docs/methods/ck4gen.md``.

    Preprocessing (the "preprocessed ground truth"): the shared
    :class:`~synth_plugins.encoding.tabular.TabularEncoder` min-max scales numeric columns to
    [0, 1], codes binary columns 0/1 and categorical/ordinal columns as one-hot blocks, and
    applies ``missing``. The teacher's design drops the first level of every one-hot block
    (the reference) and any constant column (see ``notes_``).

    **Privacy.** With ``outcome="copy"`` every synthetic row holds a real patient's exact
    ``(duration, event)`` and covariates that are a smooth function of that patient's
    covariates; without ``latent_noise`` the output is a deterministic function of the real
    rows. ``sample`` warns about it every call. Run a privacy metric (``hamming_leakage``,
    ``dcr``) before sharing the output. Source row indices are never returned (with
    ``debug=True`` the last ones are kept in ``_last_source_index`` for tests).

    Args:
        duration_column: the time-to-event column (values > 0).
        event_column: the event indicator (0 = censored, 1 = event; booleans accepted).
        roles: role per covariate (``numerical``, ``integer``, ``binary``, ``categorical``,
            ``ordinal``, ``datetime``, ``identifier``); the others are inferred
            (identifier-like columns get fresh keys, datetimes are generated as times; see
            ``synth_plugins.encoding.roles``). Entries for the outcome columns are
            ignored, so a dataset's ``roles`` can be passed as they are.
        teacher_penalizer: ridge penalizer of the Cox teacher (0.01). When lifelines fails to
            converge it is raised to 0.01, 0.1, then 1.0, with a warning.
        teacher_knots: knots of the restricted cubic spline offered to each numeric
            covariate of the Cox teacher (4; 3 to 5), kept where it lowers the teacher's
            partial AIC, so its log-hazard bends where the data do; 0 keeps every covariate
            linear (the paper). The splines shape the outcomes drawn in ``"model"`` mode
            and the risk the encoder distils (method card, *Spline teacher*).
        encoder: ``"mlp"`` (ReLU MLP + linear head) or ``"dcm"`` (Deep-Cox-Mixtures-style
            ReLU6 MLP with a gated mixture of ``dcm_k`` bounded experts).
        hidden: sizes of the encoder's hidden layers ((64, 32, 16)); the last is the latent
            dimension.
        dcm_k: number of mixture components of the ``"dcm"`` encoder (3).
        dcm_gamma: bound of each expert's covariate effect, ``gamma * tanh(.)`` (1.0).
        distill_target: ``"linear_predictor"`` (MSE to the teacher's centred log partial
            hazard) or ``"survival_curve"`` (that MSE plus the MSE between the student's and
            the teacher's survival curves on ``n_time_grid`` event-time quantiles).
        n_time_grid: number of grid times for ``"survival_curve"`` (50).
        decoder_hidden: SynthNet hidden sizes; None is the reverse of ``hidden``.
        decoder_loss: ``"mixed"`` (MSE for numeric columns, binary cross-entropy for binary,
            one-hot and missingness columns; default) or ``"mse"`` (MSE everywhere).
        lr: Adam learning rate of both networks (1e-3).
        encoder_epochs: most epochs of distillation (500).
        decoder_epochs: most epochs of SynthNet training (500).
        batch_size: rows per mini-batch (64).
        validation_fraction: share of rows held out for early stopping (0.1); 0 trains on
            every row for the full number of epochs.
        patience: epochs without validation improvement before stopping (20); the best
            weights are kept. None trains all epochs. Needs ``validation_fraction > 0``.
        latent_noise: ``sigma`` of the latent perturbation ``z + sigma * sd(z) * eps`` at
            sampling time, ``sd(z)`` per latent dimension over the training rows (0.0: the
            paper's plain reconstruction).
        discrete_decoding: how SynthNet's probabilities of binary and categorical levels
            become levels at sampling time: ``"sample"`` (default: drawn with the decoded
            probability, so a rare level keeps its share and its link to the latent) or
            ``"threshold"`` (0.5 threshold / arg-max: deterministic, but a level whose
            decoded probability rarely reaches 0.5 all but disappears and survives only in
            extreme-risk rows, which breaks its synthetic hazard ratio).
        calibrate_levels: in ``"model"`` mode with ``discrete_decoding="sample"`` (default
            True), tilt each binary and categorical block's decoded probabilities,
            exponentially in the teacher risk of the row's other covariates, so that every
            level's share and its holders' mean risk from the other covariates equal the
            training ones, then draw the levels by systematic sampling in order of that
            risk (:mod:`~synth_plugins.generators.ck4gen.calibration`). Without it SynthNet
            gives a rare level to the reconstructions whose other covariates are already
            the riskiest, and the teacher counts that risk twice. Copy mode is unaffected.
        numeric_residuals: in ``"model"`` mode (default True), add to each row's decoded
            numeric covariates a Gaussian residual with the covariance of the training
            reconstruction residuals (``x - SynthNet(latent)``, rows without missing numeric
            values; a row whose sum leaves the training range draws again, then is
            clipped), as discrete levels are drawn rather than thresholded. SynthNet decodes
            the conditional mean of the covariates given a latent trained to carry the
            teacher's risk only, so the variation of a numeric covariate that its correlated
            neighbours do not explain is lost (FLChain: decoded ``kappa`` and ``lambda``
            correlate at 0.98, real 0.84, and ``lambda``'s synthetic log-HR has three times
            its real standard error). The outcomes are drawn from the teacher on the final
            covariates, so the added variation keeps every covariate's hazard ratio. Copy
            mode is unaffected (noise that the copied outcome does not see would attenuate
            it). False keeps SynthNet's conditional mean (the behaviour before). The
            residual is symmetric, so a right-skewed covariate's low values come out too
            often (method card, *Numeric residuals*) unless ``calibrate_numeric`` maps it
            back. Its covariance is measured on the training rows, and ``latent_noise > 0``
            adds spread of its own on top.
        calibrate_numeric: in ``"model"`` mode (default True), map each numeric
            covariate's sampled values (decoded, with ``numeric_residuals``) monotonically
            onto its training marginal: through the CDF of the values the sampler produces
            (estimated on draws from the training latents at fit, and again for other
            ``numeric_residuals`` / ``latent_noise`` settings) and the training quantile
            function (:mod:`~synth_plugins.generators.ck4gen.marginals`). Without it a
            skewed covariate or one with a point mass comes out with the wrong shape
            (GBSG2 ``estrec``: median 130 against 34 real, 0.5 % at 0 against 11.5 %). Rows
            keep their ranks, so the dependence in ranks is the sampler's; the outcomes
            are drawn from the teacher on the mapped covariates. Copy mode is unaffected.
        interpolate_durations: in ``"model"`` mode (default True), redraw each drawn
            duration from the training durations' smoothed quantile function, at a level
            within the stretch the training duration it lands on holds, rounded to the
            decimals of the training durations (whole numbers for durations in days or
            weeks; the rule of every generated number, ``decimals_of``), so durations have a
            density instead of repeating training durations
            (:func:`~synth_plugins.generators.ck4gen.sampling.interpolate_times`; the order
            of distinct durations is kept). The teacher's baseline and the censoring
            estimate put their mass on training durations only, so without it every
            synthetic duration is a real patient's exact duration (kidney_transplant: all
            of them, against 40 % of a real holdout's), and exact copies of training rows
            come out more often than the holdout collides with them. Durations held by at
            least 1 % of the training rows (administrative censoring) stay point masses,
            and rows censored beyond the last training time keep the maximum follow-up;
            copy mode is unaffected.
        redraw_copies: keep exact copies of training rows no more frequent than in a real
            holdout (default True): synthetic rows that match a training row on every
            column (see ``copy_bins``), beyond ``duplicate_rate_ * n`` (the share of
            training rows that match another training row, i.e. the rate at which a fresh
            real row collides), are generated again from the same source with growing
            latent noise (and, in ``"model"`` mode, a new outcome; ``"copy"`` mode keeps the
            real outcome). Rows are compared as the suite's shared privacy module
            compares them (:mod:`synth_plugins.generators.privacy`: identifiers left out,
            numbers as numbers, missing values equal), and exact copies are held to its
            :class:`~synth_plugins.generators.privacy.CopyFilter` allowance; the re-draw
            itself stays CK4Gen's own (same source patient, more latent noise), so copy
            mode keeps one real outcome per source. False gives the plain reconstruction.
        copy_bins: how ``redraw_copies`` compares rows: the duration and every numeric
            covariate are cut into this many training-quantile bins, as the Hamming
            leakage metric's exact matches do (10, its default); other columns compare by
            value. None compares every value exactly. Exact copies are also held to the
            exact duplicate rate, whatever ``copy_bins``.
        outcome: ``"model"`` (default: event time drawn from the teacher's
            ``S(t | x_synthetic)`` by inverse transform, censoring time from
            ``censoring_model``; ``duration = min(T, C)``, ``event = T <= C``; an event
            time beyond the last training time is censored at the maximum follow-up) or
            ``"copy"`` (the paper: each row takes its source patient's duration and event,
            real outcome pairs; ``sample`` warns on every call).
        outcome_draw: how ``outcome="model"`` draws the outcomes of a synthetic table:
            ``"balanced"`` (default: every row's outcome has the law above, but the events
            of the rows are drawn jointly by the cube method, so the number of events among
            the holders of every binary level and the event-weighted total of every
            covariate equal their expectations under the teacher, up to the rounding of a
            few rows; rows are processed in order of teacher risk) or ``"independent"``
            (one independent draw per row). Copy mode is unaffected.
        censoring_model: the censoring law of ``outcome="model"``: ``"marginal"``
            (default: one reverse Kaplan-Meier estimate for every row) or ``"stratified"``
            (the training rows are ranked by a Cox model of their censoring times on the
            teacher's design and cut into up to 5 strata, each with at least 20
            censorings; a synthetic row's censoring time comes from its stratum's reverse
            Kaplan-Meier estimate). With the marginal law, censoring that depends on the
            covariates is lost: a patient who entered a year before the data were frozen
            can come out with ten years of follow-up. The stratified law keeps such
            dependence, but ties each row's follow-up to fewer training rows and raises
            the Hamming leakage (method card, *Censoring by censoring risk*: on
            kidney_transplant above 0.05 in 7 of 10 fits), so it is not the default. The
            strata are estimated at fit, so set it before ``fit`` (a stratified fit can
            then sample either way). The law stays the marginal one (a note says why)
            with fewer than 40 censorings, where the Cox model finds no dependence on the
            covariates (likelihood-ratio test, p >= 0.01), where the censored rows share
            one censoring risk, or if its fit fails (also a warning).
        sample_with_replacement: how source patients are drawn: ``"auto"`` (a random
            permutation while ``n`` <= number of training rows, a bootstrap beyond),
            ``True`` (always a bootstrap) or ``False`` (stacked permutations: every patient
            used as evenly as possible).
        missing: missing covariate values, ``"indicator"`` (default: median/mode fill plus a
            missingness column, reconstructed by SynthNet and drawn as a Bernoulli variable
            at sampling time, so the output has missing values at a learned rate),
            ``"impute"`` (fill, no missing values in the output) or ``"error"``. Missing
            durations or events are always refused.
        ordinal_levels: explicit level order of ordinal covariates.
        device: ``"auto"`` (CUDA if available), ``"cpu"``, ``"cuda"``, ...
        random_state: seed of every random draw; None is unseeded. The global torch/numpy
            random state is neither used nor changed.
        verbose: progress bars: None (default) shows a bar only once its training loop
            has run 10 s, so short fits print nothing; True shows it at once, False
            never. ``TQDM_DISABLE=1`` in the environment turns every bar off.
        debug: keep the source indices of the last ``sample`` call in
            ``_last_source_index`` (for tests and audits only).

    Attributes:
        preprocessor_: the fitted ``TabularEncoder`` of the covariates.
        teacher_: the fitted lifelines ``CoxPHFitter`` (coefficients per unit of the
            min-max scaled covariates).
        teacher_penalizer_: the penalizer the teacher was fitted with.
        design_columns_: names of the teacher's design columns.
        encoder_: the distilled student network (CPU).
        decoder_: SynthNet (CPU).
        censoring_km_: lifelines ``KaplanMeierFitter`` of the censoring distribution.
        censoring_strata_: the censoring laws of ``censoring_model="stratified"``
            (:class:`~synth_plugins.generators.ck4gen.teacher.CensoringStrata`: the Cox
            model of the censoring times, the strata's cut points and reverse Kaplan-Meier
            estimates); None after a marginal fit, or when the strata were not used (see
            ``notes_``).
        history_: per-epoch ``encoder_loss``, ``encoder_val_loss``, ``decoder_loss``,
            ``decoder_val_loss``.
        n_encoder_epochs_, n_decoder_epochs_: epochs actually trained.
        latent_scale_: standard deviation of each latent dimension over the training rows.
        time_grid_: the distillation grid of ``"survival_curve"`` (None otherwise).
        event_rate_: share of training rows with an event.
        max_follow_up_: largest training duration.
        duplicate_rate_: share of training rows that match another training row (the
            allowance of ``redraw_copies``, compared as ``copy_bins`` says).
        exact_duplicate_rate_: share of training rows equal to another on every value
            (the second allowance: exact copies are held to it whatever ``copy_bins``).
        notes_: what was adjusted during fit (dropped constant columns, penalizer fallback).

    Example:
        >>> from synth_plugins.datasets import load
        >>> gbsg2 = load("gbsg2")
        >>> model = CK4Gen("time", "cens", gbsg2.roles, encoder_epochs=20,
        ...                decoder_epochs=20).fit(gbsg2.data)
        >>> synthetic = model.sample(100)
        >>> synthetic.shape
        (100, 10)
        >>> paper = CK4Gen.from_preset("paper", "time", "cens", gbsg2.roles)
        >>> paper.outcome, paper.teacher_knots
        ('copy', 0)
    """

    #: The fewest training rows the model fits (a Cox teacher, a validation split and two
    #: networks); ``fit`` refuses fewer (:func:`~synth_plugins.validation.check_training_size`).
    MIN_TRAINING_SIZE: ClassVar[int] = 10
    #: What the training size counts.
    TRAINING_UNIT: ClassVar[TrainingUnit] = "rows"

    def __init__(
        self,
        duration_column: str,
        event_column: str,
        roles: Mapping[str, str] | None = None,
        *,
        teacher_penalizer: float = 0.01,
        teacher_knots: int = 4,
        encoder: EncoderKind = "mlp",
        hidden: Sequence[int] = (64, 32, 16),
        dcm_k: int = 3,
        dcm_gamma: float = 1.0,
        distill_target: DistillTarget = "linear_predictor",
        n_time_grid: int = 50,
        decoder_hidden: Sequence[int] | None = None,
        decoder_loss: DecoderLoss = "mixed",
        lr: float = 1e-3,
        encoder_epochs: int = 500,
        decoder_epochs: int = 500,
        batch_size: int = 64,
        validation_fraction: float = 0.1,
        patience: int | None = 20,
        latent_noise: float = 0.0,
        discrete_decoding: DiscreteDecoding = "sample",
        calibrate_levels: bool = True,
        numeric_residuals: bool = True,
        calibrate_numeric: bool = True,
        interpolate_durations: bool = True,
        redraw_copies: bool = True,
        copy_bins: int | None = 10,
        outcome: Outcome = "model",
        outcome_draw: OutcomeDraw = "balanced",
        censoring_model: CensoringModel = "marginal",
        sample_with_replacement: bool | Literal["auto"] = "auto",
        missing: MissingPolicy = "indicator",
        ordinal_levels: Mapping[str, Sequence[Any]] | None = None,
        device: str | torch.device = "auto",
        random_state: int | None = 0,
        verbose: bool | None = None,
        debug: bool = False,
    ) -> None:
        for argument, value in (
            ("duration_column", duration_column),
            ("event_column", event_column),
        ):
            if not isinstance(value, str) or not value:
                raise InvalidParameterError(
                    f"{argument} must be a column name (text), got {value!r}; give the column "
                    "a text label first (covariates may keep integer labels)"
                )
        if duration_column == event_column:
            raise InvalidParameterError(
                f"duration_column and event_column must differ, both are {duration_column!r}"
            )
        self.duration_column = duration_column
        self.event_column = event_column
        if roles is not None and not isinstance(roles, Mapping):
            raise InvalidParameterError(f"roles must be a mapping column -> role, got {roles!r}")
        self.roles = dict(roles) if roles is not None else None
        self.teacher_penalizer = check_float("teacher_penalizer", teacher_penalizer, minimum=0.0)
        self.teacher_knots = check_choice(
            "teacher_knots", check_int("teacher_knots", teacher_knots), (0, *KNOT_QUANTILES)
        )
        self.encoder = check_choice("encoder", encoder, ("mlp", "dcm"))
        self.hidden = check_int_tuple("hidden", hidden)
        self.dcm_k = check_int("dcm_k", dcm_k, minimum=1)
        self.dcm_gamma = check_float("dcm_gamma", dcm_gamma, minimum=0.0, exclusive_minimum=True)
        self.distill_target = check_choice(
            "distill_target", distill_target, ("linear_predictor", "survival_curve")
        )
        self.n_time_grid = check_int("n_time_grid", n_time_grid, minimum=2)
        self.decoder_hidden = (
            None if decoder_hidden is None else check_int_tuple("decoder_hidden", decoder_hidden)
        )
        self.decoder_loss = check_choice("decoder_loss", decoder_loss, ("mixed", "mse"))
        self.lr = check_float("lr", lr, minimum=0.0, exclusive_minimum=True)
        self.encoder_epochs = check_int("encoder_epochs", encoder_epochs, minimum=1)
        self.decoder_epochs = check_int("decoder_epochs", decoder_epochs, minimum=1)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.validation_fraction = check_float(
            "validation_fraction", validation_fraction, minimum=0.0, maximum=0.5
        )
        self.patience = None if patience is None else check_int("patience", patience, minimum=1)
        if self.patience is not None and self.validation_fraction == 0.0:
            raise InvalidParameterError(
                "patience needs a validation split: set validation_fraction > 0 (e.g. 0.1) "
                "or patience=None"
            )
        self.latent_noise = check_float("latent_noise", latent_noise, minimum=0.0)
        self.discrete_decoding = check_choice(
            "discrete_decoding", discrete_decoding, ("sample", "threshold")
        )
        self.calibrate_levels = check_bool("calibrate_levels", calibrate_levels)
        self.numeric_residuals = check_bool("numeric_residuals", numeric_residuals)
        self.calibrate_numeric = check_bool("calibrate_numeric", calibrate_numeric)
        self.interpolate_durations = check_bool("interpolate_durations", interpolate_durations)
        self.redraw_copies = check_bool("redraw_copies", redraw_copies)
        self.copy_bins = None if copy_bins is None else check_int("copy_bins", copy_bins, minimum=1)
        self.outcome = check_choice("outcome", outcome, OUTCOMES)
        self.outcome_draw = check_choice("outcome_draw", outcome_draw, ("balanced", "independent"))
        self.censoring_model = check_choice("censoring_model", censoring_model, CENSORING_MODELS)
        if not (
            (isinstance(sample_with_replacement, str) and sample_with_replacement == "auto")
            or isinstance(sample_with_replacement, bool)
        ):
            raise InvalidParameterError(
                "sample_with_replacement must be 'auto', True or False; "
                f"got {sample_with_replacement!r}"
            )
        self.sample_with_replacement = sample_with_replacement
        self.missing = check_choice("missing", missing, ("indicator", "impute", "error"))
        if ordinal_levels is not None and not isinstance(ordinal_levels, Mapping):
            raise InvalidParameterError(
                f"ordinal_levels must be a mapping column -> levels, got {ordinal_levels!r}"
            )
        self.ordinal_levels = dict(ordinal_levels) if ordinal_levels is not None else None
        if not isinstance(device, str | torch.device):
            raise InvalidParameterError(f"device must be a string or torch.device, got {device!r}")
        self.device = device
        self.random_state = check_random_state("random_state", random_state)
        self.verbose = check_bool("verbose", verbose, none=True)
        self.debug = check_bool("debug", debug)

        self.preprocessor_: TabularEncoder | None = None
        self.teacher_: Any = None
        self.teacher_penalizer_: float | None = None
        self.design_columns_: list[str] = []
        self.encoder_: Student | None = None
        self.decoder_: SynthNet | None = None
        self.censoring_km_: Any = None
        self.censoring_strata_: CensoringStrata | None = None
        self._strata_estimated = False
        self.history_: dict[str, list[float]] = {}
        self.n_encoder_epochs_ = 0
        self.n_decoder_epochs_ = 0
        self.latent_scale_: np.ndarray | None = None
        self.time_grid_: np.ndarray | None = None
        self.event_rate_: float | None = None
        self.max_follow_up_: float | None = None
        self.notes_: list[str] = []
        self._columns: list[str] = []
        self._dtypes: dict[str, Any] = {}
        self._event_labels: tuple[Any, Any] | None = None
        self._design: TeacherDesign | None = None
        self._beta: np.ndarray | None = None
        self._level_targets: list[LevelTarget] = []
        self._baseline_times: np.ndarray | None = None
        self._baseline_cumhaz: np.ndarray | None = None
        self._censor_times: np.ndarray | None = None
        self._censor_survival: np.ndarray | None = None
        self._train_latent: np.ndarray | None = None
        self._numeric_index: np.ndarray = np.zeros(0, dtype=np.int64)
        self._residual_factor: np.ndarray | None = None
        self._numeric_targets: np.ndarray | None = None
        self._sampled_tables: dict[tuple[bool, float], np.ndarray] = {}
        self._numeric_seed = 0
        self._train_durations: np.ndarray | None = None
        self._train_events: np.ndarray | None = None
        self._sample_rng: np.random.Generator | None = None
        self._last_source_index: np.ndarray | None = None
        self._train_row_hashes: np.ndarray | None = None
        self._copy_filter: CopyFilter | None = None
        self._binned_kinds: dict[str, Any] = {}
        self.exact_duplicate_rate_: float | None = None
        self._copy_edges: dict[str, np.ndarray] = {}
        self.duplicate_rate_: float | None = None

    _PARAMS: tuple[str, ...] = (
        "duration_column", "event_column", "roles", "teacher_penalizer", "teacher_knots",
        "encoder", "hidden", "dcm_k", "dcm_gamma", "distill_target", "n_time_grid",
        "decoder_hidden", "decoder_loss", "lr", "encoder_epochs", "decoder_epochs", "batch_size",
        "validation_fraction", "patience", "latent_noise", "discrete_decoding",
        "calibrate_levels", "numeric_residuals", "calibrate_numeric", "interpolate_durations",
        "redraw_copies", "copy_bins", "outcome", "outcome_draw", "censoring_model",
        "sample_with_replacement",
        "missing", "ordinal_levels", "device", "random_state", "verbose", "debug",
    )  # fmt: skip

    #: Constructor arguments added after fits were first pickled, with the value that keeps
    #: such a fit sampling as it did; the host adapters restore their own saves with it.
    LEGACY_PARAMS: ClassVar[dict[str, Any]] = {
        "numeric_residuals": False,
        "calibrate_numeric": False,
        "interpolate_durations": False,
        "teacher_knots": 0,
        "censoring_model": "marginal",
    }
    #: Fitted attributes that came with them (``numeric_residuals``' training residuals,
    #: ``calibrate_numeric``'s quantile tables and their seed).
    _LEGACY_FITTED: ClassVar[dict[str, Any]] = {
        "_residual_factor": None,
        "_numeric_index": np.zeros(0, dtype=np.int64),
        "_numeric_targets": None,
        "_sampled_tables": {},
        "_numeric_seed": 0,
        "censoring_strata_": None,
        "_strata_estimated": False,
    }

    @classmethod
    def from_preset(
        cls,
        preset: str,
        duration_column: str,
        event_column: str,
        roles: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> CK4Gen:
        """A model with a named preset's settings (``"paper"``), ``overrides`` on top.

        ``"paper"`` is the paper's generator as the method card reads it (:data:`PRESETS`):
        copied outcome pairs, a linear Cox teacher, thresholded levels, no latent noise and
        no filter of copied rows.
        """
        settings = preset_settings(PRESETS, preset, overrides)
        return cls(duration_column, event_column, roles, **settings)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickle; attributes added since the fit was pickled get their legacy values.

        So a model saved by an earlier version still samples as it did when it was saved.
        """
        legacy = copy.deepcopy({**self.LEGACY_PARAMS, **self._LEGACY_FITTED})
        if "_design_index" in state:  # fitted before the design could hold spline terms
            index = state.pop("_design_index")
            names = state.get("design_columns_", [])
            state["_design"] = None if index is None else TeacherDesign(index, tuple(names))
        if "_event_labels" not in state:  # fitted before the event's labels were kept
            dtype = state.get("_dtypes", {}).get(state.get("event_column"))
            empty = None if dtype is None else pd.Series([], dtype=dtype)
            state["_event_labels"] = None if empty is None else event_labels(empty)
        self.__dict__.update({**legacy, **state})

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments, as given (a sklearn-style view for host adapters)."""
        return {name: copy.deepcopy(getattr(self, name)) for name in self._PARAMS}

    def __repr__(self) -> str:
        return (
            f"CK4Gen(duration_column={self.duration_column!r}, event_column="
            f"{self.event_column!r}, encoder={self.encoder!r}, outcome={self.outcome!r})"
        )

    # ------------------------------------------------------------------------ fitting
    def fit(self, data: pd.DataFrame) -> CK4Gen:
        """Fit the preprocessing, the Cox teacher, the student encoder and SynthNet.

        Args:
            data: one row per patient: covariates plus the duration and event columns.

        Returns:
            ``self``.

        Raises:
            InvalidDataError: not a DataFrame, fewer than 10 rows (fewer than
                :data:`~synth_plugins.validation.SMALL_TRAINING_SIZE` warn), a missing
                outcome column, missing/non-positive/infinite durations, events other than
                0/1, no event at all, no covariate, or missing covariates with
                ``missing="error"``.
        """
        if isinstance(data, pd.DataFrame):
            check_training_size("CK4Gen", len(data), self.MIN_TRAINING_SIZE, self.TRAINING_UNIT)
        durations, events = check_survival_frame(
            data, self.duration_column, self.event_column, name="data"
        )
        outcome = (self.duration_column, self.event_column)
        covariates = data.drop(columns=list(outcome))
        if covariates.shape[1] == 0:
            raise InvalidDataError(
                f"data has no covariate besides {self.duration_column!r} and "
                f"{self.event_column!r}; CK4Gen needs at least one"
            )
        roles = {k: v for k, v in (self.roles or {}).items() if k not in outcome}
        levels = {k: v for k, v in (self.ordinal_levels or {}).items() if k not in outcome}
        preprocessor = TabularEncoder(roles, self.missing, levels).fit(covariates)
        matrix = preprocessor.transform(covariates)
        notes: list[str] = []

        # --- teacher
        design, cox = fit_teacher(
            preprocessor, matrix, covariates.notna(), durations, events,
            knots=self.teacher_knots, penalizer=self.teacher_penalizer, notes=notes,
            censoring_fit=self.censoring_model == "stratified",
        )  # fmt: skip
        if cox.penalizer != self.teacher_penalizer:
            message = (
                f"the Cox teacher did not converge with teacher_penalizer="
                f"{self.teacher_penalizer:g}; it was fitted with penalizer={cox.penalizer:g}"
            )
            warn(message, stacklevel=caller_stacklevel())
            notes.append(message)
        teacher = cox.fitter
        eta_teacher = teacher.predict_log_partial_hazard(design.frame(matrix)).to_numpy(
            dtype=np.float32
        )
        baseline = teacher.baseline_cumulative_hazard_
        baseline_times = baseline.index.to_numpy(dtype=float)
        baseline_cumhaz = np.maximum.accumulate(baseline.iloc[:, 0].to_numpy(dtype=float))
        censoring = censoring_distribution(durations, events)
        strata = None
        if self.censoring_model == "stratified":
            strata = fit_censoring_strata(design, matrix, durations, events, cox.penalizer, notes)

        # --- seeds, split, device
        device = _torch.resolve_device(self.device)
        rng = _torch.new_rng(self.random_state)
        split_seed, enc_init, enc_batches, dec_init, dec_batches, sample_seed = (
            _torch.seed_from(rng) for _ in range(6)
        )
        train_rows, val_rows = _nn.split_rows(len(data), self.validation_fraction, split_seed)
        x_all = torch.from_numpy(np.ascontiguousarray(matrix, dtype=np.float32))

        # --- distillation
        self.history_ = {}
        grid, curves = None, None
        if self.distill_target == "survival_curve":
            grid = time_grid(durations, events, self.n_time_grid)
            grid_cumhaz = step(baseline_times, baseline_cumhaz, grid)
            eta = np.clip(eta_teacher.astype(float), -MAX_LOG_HAZARD, MAX_LOG_HAZARD)
            curves = np.exp(-grid_cumhaz[None, :] * np.exp(eta)[:, None]).astype(np.float32)
        student, encoder_run = train_student(
            x_all, eta_teacher, grid, curves, baseline_times, baseline_cumhaz,
            train_rows, val_rows, kind=self.encoder, hidden=self.hidden, dcm_k=self.dcm_k,
            dcm_gamma=self.dcm_gamma, epochs=self.encoder_epochs, batch_size=self.batch_size,
            lr=self.lr, patience=self.patience, device=device, init_seed=enc_init,
            batch_seed=enc_batches, verbose=self.verbose,
        )  # fmt: skip
        self.history_["encoder_loss"] = encoder_run.history["loss"]
        self.history_["encoder_val_loss"] = encoder_run.history.get("val_loss", [])
        self.n_encoder_epochs_ = encoder_run.n_epochs

        # --- SynthNet
        with torch.no_grad():
            latent = torch.cat(
                [student.latent(x_all[i : i + CHUNK].to(device)).cpu()
                 for i in range(0, len(x_all), CHUNK)]
            )  # fmt: skip
        decoder, decoder_run = train_decoder(
            latent, x_all, preprocessor, train_rows, val_rows,
            hidden=tuple(reversed(self.hidden)) if self.decoder_hidden is None
            else self.decoder_hidden,
            decoder_loss=self.decoder_loss, epochs=self.decoder_epochs,
            batch_size=self.batch_size, lr=self.lr, patience=self.patience, device=device,
            init_seed=dec_init, batch_seed=dec_batches, verbose=self.verbose,
        )  # fmt: skip
        self.history_["decoder_loss"] = decoder_run.history["loss"]
        self.history_["decoder_val_loss"] = decoder_run.history.get("val_loss", [])
        self.n_decoder_epochs_ = decoder_run.n_epochs

        self.preprocessor_ = preprocessor
        self.teacher_ = teacher
        self.teacher_penalizer_ = cox.penalizer
        self.design_columns_ = list(design.names)
        self.encoder_ = student.cpu().eval()
        self.decoder_ = decoder.cpu().eval()
        self.censoring_km_ = censoring
        self.censoring_strata_ = strata
        self._strata_estimated = self.censoring_model == "stratified"
        self.time_grid_ = grid
        self.latent_scale_ = latent.numpy().std(axis=0)
        self.event_rate_ = float(events.mean())
        self.max_follow_up_ = float(durations.max())
        self.notes_ = notes
        self._columns = list(data.columns)
        self._dtypes = {column: data[column].dtype for column in data.columns}
        self._event_labels = event_labels(data[self.event_column])
        self._design = design
        self._beta = teacher.params_.loc[list(design.names)].to_numpy(dtype=float)
        self._level_targets = level_targets(matrix, preprocessor, design, self._beta)
        self._baseline_times, self._baseline_cumhaz = baseline_times, baseline_cumhaz
        censor_times = censoring.survival_function_.index.to_numpy(dtype=float)
        positive = censor_times > 0  # drop the estimate's t = 0 row
        self._censor_times = censor_times[positive]
        self._censor_survival = censoring.survival_function_.iloc[:, 0].to_numpy(dtype=float)[
            positive
        ]
        self._train_latent = latent.numpy()
        self._numeric_index, residuals = self._reconstruction_residuals(
            preprocessor, matrix, self._train_latent, covariates
        )
        self._residual_factor = residual_factor(residuals)
        observed = covariates[[b.column for b in preprocessor.blocks if b.kind == "numerical"]]
        self._numeric_targets = quantile_table(
            matrix[:, self._numeric_index].astype(float),
            observed.notna().to_numpy(),
            smoothed=True,
        )
        self._numeric_seed, self._sampled_tables = sample_seed, {}
        self._train_durations, self._train_events = durations, events
        self._copy_edges = (
            {}
            if self.copy_bins is None
            else quantile_edges(
                data, self._numeric_columns(preprocessor), self.copy_bins, self._copy_numbers
            )
        )
        # the suite's row comparison: identifiers left out (fresh keys would hide every
        # copy), numbers as numbers, every missing value equal to every other
        roles = {spec.name: spec.role for spec in preprocessor.specs}
        roles |= {self.duration_column: "numerical", self.event_column: "binary"}
        self._copy_filter = CopyFilter("CK4Gen").fit(data, roles)
        self.exact_duplicate_rate_ = self._copy_filter.natural_rate_
        self._binned_kinds = {
            column: "number" if column in self._copy_edges else kind
            for column, kind in self._copy_filter.kinds_.items()
        }
        hashes = row_hashes(binned(data, self._copy_edges, self._copy_numbers), self._binned_kinds)
        self._train_row_hashes = np.unique(hashes)
        self.duplicate_rate_ = collision_rate(hashes)
        self._sample_rng = _torch.new_rng(sample_seed)
        self._last_source_index = None
        self._sampled_quantiles()
        return self

    def _reconstruction_residuals(
        self,
        preprocessor: TabularEncoder,
        matrix: np.ndarray,
        latent: np.ndarray,
        covariates: pd.DataFrame,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Numeric columns and their residuals ``x - SynthNet(latent)`` over the training rows.

        Rows with a missing numeric value in ``covariates`` (filled by the encoder, with
        ``missing="indicator"`` or ``"impute"``, so their residual is not one of a real
        value) are left out of the covariance unless no row is complete.
        """
        assert self.decoder_ is not None
        numeric = {b.column: b.start for b in preprocessor.blocks if b.kind == "numerical"}
        columns = np.asarray(list(numeric.values()), dtype=np.int64)
        decoded = self._decode(self.decoder_, latent, preprocessor.n_features)
        residuals = matrix[:, columns].astype(float) - decoded[:, columns]
        complete = ~covariates[list(numeric)].isna().any(axis=1).to_numpy()
        return columns, residuals[complete] if complete.any() else residuals

    def _calibrate_numbers(
        self, matrix: np.ndarray, preprocessor: TabularEncoder, rng: np.random.Generator
    ) -> frozenset[int]:
        """Map the numeric columns onto their training marginals (``calibrate_numeric``).

        The missingness indicators of numeric columns are drawn first (Bernoulli, as
        ``draw_discrete`` would), and only the values they keep are mapped: a row that will
        be missing keeps the decoded value near the encoder's fill, which is what the
        teacher's design holds for a missing value. Uses the map of the model's own
        ``latent_noise``, also for re-drawn copies (larger noise): values beyond its
        sampled range take the ends of the training range. In place; returns the starts of
        the indicator blocks drawn.
        """
        columns, indicators = self._numeric_index, self._missing_indicators(preprocessor)
        observed = draw_kept(matrix, indicators, rng)
        assert self._numeric_targets is not None
        sampled, targets = self._sampled_quantiles(), self._numeric_targets
        mapped = map_to_marginal(matrix[:, columns], sampled, targets)
        matrix[:, columns] = np.where(observed, mapped, matrix[:, columns])
        return frozenset(start for start in indicators if start is not None)

    @staticmethod
    def _missing_indicators(preprocessor: TabularEncoder) -> list[int | None]:
        """Per numeric column (in block order), the start of its missingness block, or None."""
        indicator = {b.column: b.start for b in preprocessor.blocks if b.kind == "missing"}
        return [indicator.get(b.column) for b in preprocessor.blocks if b.kind == "numerical"]

    def _sampled_quantiles(self) -> np.ndarray:
        """Quantiles of the numeric values model mode produces before ``calibrate_numeric``.

        Estimated once per ``(numeric_residuals, latent_noise)`` setting on
        ``NUMERIC_CALIBRATION_ROWS`` draws of training latents, decoded as ``sample`` decodes
        them, from a generator of their own (seeded at fit), so a sample's own stream and
        the map do not depend on each other or on the call. A column with a missingness
        indicator counts only the rows whose drawn indicator keeps the value, as the
        training quantiles count only observed values: SynthNet decodes the rows it expects
        to be missing near the encoder's fill, and counting them would squeeze the observed
        values into the tails.
        """
        key = (self.numeric_residuals, self.latent_noise)
        if key not in self._sampled_tables:
            preprocessor, _, _ = self._fitted()
            assert self._train_latent is not None
            # [seed, 2]: a stream apart from the fit's and from every sample call's
            rng = np.random.default_rng([self._numeric_seed, 2])
            rows = rng.integers(0, len(self._train_latent), NUMERIC_CALIBRATION_ROWS)
            matrix = self._decode_sources(rows, self.latent_noise, self.numeric_residuals, rng)
            observed = draw_kept(matrix, self._missing_indicators(preprocessor), rng)
            self._sampled_tables[key] = quantile_table(matrix[:, self._numeric_index], observed)
        return self._sampled_tables[key]

    def _decode_sources(
        self, source: np.ndarray, sigma: float, residuals: bool, rng: np.random.Generator
    ) -> np.ndarray:
        """SynthNet's output for the latents of training rows ``source``.

        The latents are perturbed by ``sigma`` latent standard deviations, and with
        ``residuals`` the numeric columns get their reconstruction residual
        (``numeric_residuals``); ``sample`` and the numeric calibration decode alike.
        """
        preprocessor, _, decoder = self._fitted()
        assert self._train_latent is not None and self.latent_scale_ is not None
        z = self._train_latent[source]
        if sigma > 0 and len(source):
            z = z + sigma * self.latent_scale_ * rng.standard_normal(z.shape)
        matrix = self._decode(decoder, z, preprocessor.n_features)
        if residuals and self._residual_factor is not None:
            add_residuals(matrix, self._numeric_index, self._residual_factor, rng)
        return matrix

    @staticmethod
    def _decode(decoder: SynthNet, latent: np.ndarray, n_features: int) -> np.ndarray:
        """SynthNet's output (min-max scale, float64) for latent rows, in chunks."""
        with torch.no_grad():
            z = torch.from_numpy(np.ascontiguousarray(latent, dtype=np.float32))
            parts = [torch.sigmoid(decoder(z[i : i + CHUNK])) for i in range(0, len(z), CHUNK)]
        return torch.cat(parts).numpy().astype(float) if parts else np.zeros((0, n_features))

    # ------------------------------------------------------------------- predictions
    def _fitted(self) -> tuple[TabularEncoder, Student, SynthNet]:
        if self.preprocessor_ is None or self.encoder_ is None or self.decoder_ is None:
            raise NotFittedError("this CK4Gen is not fitted; call fit(data) first")
        return self.preprocessor_, self.encoder_, self.decoder_

    def _covariate_matrix(self, data: pd.DataFrame) -> np.ndarray:
        """Preprocessed covariates of ``data`` (outcome columns, if present, are ignored)."""
        preprocessor, _, _ = self._fitted()
        if not isinstance(data, pd.DataFrame):
            raise InvalidDataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        covariates = data.drop(
            columns=[c for c in (self.duration_column, self.event_column) if c in data.columns]
        )
        return preprocessor.transform(covariates)

    def _teacher_eta(self, matrix: np.ndarray) -> np.ndarray:
        assert self._design is not None
        frame = self._design.frame(matrix)
        return self.teacher_.predict_log_partial_hazard(frame).to_numpy(dtype=float)

    def predict_risk(
        self, data: pd.DataFrame, *, model: Literal["student", "teacher"] = "student"
    ) -> np.ndarray:
        """Log partial hazard of each row from the distilled student or the Cox teacher.

        Both are on the teacher's scale (covariates centred at their training means), so
        they can be compared directly, e.g. by correlation.

        Args:
            data: rows with the training covariates (outcome columns are ignored).
            model: ``"student"`` (the encoder's head) or ``"teacher"``.
        """
        model = check_choice("model", model, ("student", "teacher"))
        matrix = self._covariate_matrix(data)
        if model == "teacher":
            return self._teacher_eta(matrix)
        _, student, _ = self._fitted()
        with torch.no_grad():
            x = torch.from_numpy(np.ascontiguousarray(matrix, dtype=np.float32))
            return (
                torch.cat([student(x[i : i + CHUNK]) for i in range(0, len(x), CHUNK)])
                .numpy(force=True)
                .astype(float)
            )

    def encode(self, data: pd.DataFrame) -> np.ndarray:
        """The encoder's latent representation of each row, shape ``(n, hidden[-1])``."""
        matrix = self._covariate_matrix(data)
        _, student, _ = self._fitted()
        with torch.no_grad():
            x = torch.from_numpy(np.ascontiguousarray(matrix, dtype=np.float32))
            return torch.cat(
                [student.latent(x[i : i + CHUNK]) for i in range(0, len(x), CHUNK)]
            ).numpy()

    # ------------------------------------------------------------------------ sampling
    def set_random_state(self, random_state: int | None) -> None:
        """Restart the stream of seeds used by ``sample`` calls without ``random_state``."""
        seed = check_random_state("random_state", random_state)
        self._sample_rng = _torch.new_rng(seed)

    def sample(
        self, n: int, *, random_state: int | None = None, outcome: Outcome | None = None
    ) -> pd.DataFrame:
        """Generate ``n`` synthetic patients with the training columns and dtypes.

        Source patients are drawn from the training rows (see
        ``sample_with_replacement``), encoded, optionally perturbed in the latent space,
        decoded by SynthNet and post-processed (inverse min-max, rounding, clipping to the
        training range, dtypes restored). Binary and categorical levels follow
        ``discrete_decoding`` (drawn from the decoded probabilities by default); a
        missingness indicator is always drawn as a Bernoulli variable (thresholding would
        erase values missing completely at random, whose probability the latent cannot
        predict). The outcome follows ``outcome``. With ``redraw_copies`` rows identical to
        a training row beyond the training data's own duplicate rate are generated again.
        With ``outcome="copy"`` a ``SynthPluginsWarning`` states the privacy implication
        (once per host call inside
        :func:`~synth_plugins.generators.privacy.one_warning_per_call`).

        Args:
            n: number of rows (0 gives an empty frame with the training columns).
            random_state: seed of this call; None draws one from the model's seed stream
                (seeded by ``random_state`` at fit, restarted by ``set_random_state``).
            outcome: ``"copy"`` or ``"model"`` for this call; None uses the model's
                ``outcome`` (both modes come from the same fit).

        Returns:
            A frame with the training columns in order; durations > 0, events in {0, 1},
            categories from training, missing values only where the training data had them
            and ``missing="indicator"``.
        """
        self._fitted()
        n = check_int("n", n, minimum=0)
        seed = check_random_state("random_state", random_state)
        if seed is None:
            if self._sample_rng is None:  # pragma: no cover - set by fit
                self._sample_rng = _torch.new_rng(None)
            seed = _torch.seed_from(self._sample_rng)
        mode = self.outcome if outcome is None else check_choice("outcome", outcome, OUTCOMES)
        rng = np.random.default_rng(seed)
        if mode == "copy":
            warn_per_call(self.warn_copy_outcome, 1)
        assert self._train_durations is not None
        source = source_index(n, len(self._train_durations), self.sample_with_replacement, rng)
        self._last_source_index = source.copy() if self.debug else None

        frame, tilts = self._generate(source, self.latent_noise, mode, rng)
        if self.redraw_copies and n:
            frame = self._redraw_copies(frame, source, mode, rng, tilts)
        return frame

    def _redraw_copies(
        self,
        frame: pd.DataFrame,
        source: np.ndarray,
        mode: str,
        rng: np.random.Generator,
        tilts: list[np.ndarray] | None,
    ) -> pd.DataFrame:
        """Re-draw rows that match a training row beyond the training duplicate rate.

        A real holdout of ``n`` rows is expected to hold about ``duplicate_rate_ * n`` rows
        matching a training row in the ``copy_bins`` comparison, and about
        ``exact_duplicate_rate_ * n`` equal to one on every value (leave-one-out
        estimates). Synthetic copies beyond either allowance are generated again from the
        same source patients with growing latent noise (:func:`copies.redraw_copies`);
        ``outcome="model"`` also draws a new outcome, while ``"copy"`` keeps the source
        patient's real outcome. Copies still left are reported in a warning (once per
        host call, with its totals, inside
        :func:`~synth_plugins.generators.privacy.one_warning_per_call`).
        """
        assert self.duplicate_rate_ is not None and self._copy_filter is not None
        allowances = (
            (self._is_training_row, math.floor(self.duplicate_rate_ * len(frame) + 1e-9)),
            (self._copy_filter.is_copy, self._copy_filter.allowance(len(frame))),
        )
        frame, left = redraw_copies(
            frame,
            source,
            allowances,
            lambda rows, sigma: self._generate(rows, sigma, mode, rng, tilts)[0],
            self.latent_noise,
            rng,
            keys=[s.name for s in self._fitted()[0].specs_ if s.role == "identifier"],
        )
        warn_per_call(self.warn_copies, CopyTally(batches=1, rows=len(frame), kept=left))
        return frame

    def warn_copy_outcome(self, calls: int) -> None:
        """Warn, at the user's line, that ``outcome="copy"`` gives real patients' outcomes.

        Given by :func:`~synth_plugins.generators.privacy.warn_per_call`: per call of
        :meth:`sample` (``calls`` is 1), or once per host call of ``calls`` sample calls.
        """
        noise = "" if self.latent_noise > 0 else " without noise (latent_noise=0)"
        warn(COPY_PRIVACY_WARNING.format(noise=noise), stacklevel=caller_stacklevel())

    def warn_copies(self, tally: CopyTally) -> None:
        """Warn, at the user's line, about the rows kept beyond the duplicate rates.

        Given by :func:`~synth_plugins.generators.privacy.warn_per_call`: per call of
        :meth:`sample`, or once per host call with its totals.
        """
        if tally.kept:
            warn(
                f"CK4Gen: {tally.kept} of {tally.described_rows()} still match a training row "
                f"beyond the training data's own duplicate rate ({self.duplicate_rate_:.3g} "
                f"binned, {self.exact_duplicate_rate_:.3g} exact) after {REDRAW_ROUNDS} rounds "
                "of re-drawing; they are kept",
                stacklevel=caller_stacklevel(),
            )

    def _generate(
        self,
        source: np.ndarray,
        sigma: float,
        mode: str,
        rng: np.random.Generator,
        tilts: list[np.ndarray] | None = None,
    ) -> tuple[pd.DataFrame, list[np.ndarray] | None]:
        """Decode the latents of ``source`` rows (latent noise ``sigma``) and add outcomes.

        Returns the frame and the level tilts used (``calibrate_levels`` in model mode;
        None otherwise); ``tilts`` given are applied instead of solving new ones.
        """
        preprocessor, _, _ = self._fitted()
        n = len(source)
        residuals = mode == "model" and self.numeric_residuals
        matrix = self._decode_sources(source, sigma, residuals, rng)
        drawn_missing: frozenset[int] = frozenset()
        if mode == "model" and self.calibrate_numeric and self._numeric_targets is not None:
            drawn_missing = self._calibrate_numbers(matrix, preprocessor, rng)
        if mode == "model" and self.calibrate_levels and self.discrete_decoding == "sample" and n:
            assert self._design is not None and self._beta is not None
            targets = self._level_targets
            tilts = tilt_levels(matrix, targets, self._design, self._beta, tilts)
            draw_levels(matrix, targets, self._design, self._beta, rng)
            drawn = frozenset(target.start for target in targets)
        else:
            tilts, drawn = None, frozenset()
        draw_discrete(matrix, preprocessor, self.discrete_decoding, rng, drawn | drawn_missing)
        covariates = preprocessor.inverse_transform(matrix)

        assert self._train_durations is not None and self._train_events is not None
        if mode == "copy":
            durations = self._train_durations[source]
            events = self._train_events[source]
        else:
            durations, events = self._model_outcomes(covariates, rng)
        return self._assemble(covariates, durations, events), tilts

    def _is_training_row(self, frame: pd.DataFrame) -> np.ndarray:
        """Whether each row matches a training row once numbers are cut into ``copy_bins``."""
        assert self._train_row_hashes is not None
        hashes = row_hashes(binned(frame, self._copy_edges, self._copy_numbers), self._binned_kinds)
        return np.isin(hashes, self._train_row_hashes)

    def _copy_numbers(self, frame: pd.DataFrame, column: Any) -> np.ndarray:
        """The numbers ``copy_bins`` cuts of a column: the ones the model sees.

        The duration as it is (numeric, checked at fit), a covariate as the fitted encoder
        reads it (:meth:`TabularEncoder.numbers`: text numbers parsed, dates in the
        training format as days).
        """
        if column == self.duration_column:
            return frame[column].to_numpy(dtype=float, na_value=np.nan)
        assert self.preprocessor_ is not None
        return self.preprocessor_.numbers(frame, column)

    def _numeric_columns(self, preprocessor: TabularEncoder) -> list[str]:
        """The duration and the numeric covariates (the columns ``copy_bins`` bins)."""
        numeric = [b.column for b in preprocessor.blocks if b.kind == "numerical"]
        return [self.duration_column, *numeric]

    def _model_outcomes(
        self, covariates: pd.DataFrame, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``(duration, event)`` from the teacher and the censoring law.

        ``outcome_draw="balanced"`` draws the rows' events jointly (see
        :func:`~synth_plugins.generators.ck4gen.sampling.draw_outcomes_balanced`);
        ``interpolate_durations`` redraws the drawn durations from the smoothed training durations.
        """
        assert self.max_follow_up_ is not None and self._design is not None
        if len(covariates) == 0:
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        matrix = self._covariate_matrix(covariates)
        eta, baseline, censoring = self._outcome_law(matrix)
        spread = None
        if self.interpolate_durations:
            assert self._train_durations is not None
            grid = duration_grid(self._train_durations, self._dtypes[self.duration_column])
            spread = partial(interpolate_times, durations=grid, rng=rng)
        if self.outcome_draw == "independent":
            return draw_outcomes(eta, baseline, censoring, self.max_follow_up_, rng, spread)
        return draw_outcomes_balanced(
            eta, self._design(matrix), baseline, censoring, self.max_follow_up_, rng, spread
        )

    def _outcome_law(
        self, matrix: np.ndarray
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], Censoring]:
        """Model mode's outcome law of the encoded rows ``matrix``.

        The teacher's log partial hazards (bounded, so ``exp`` stays finite), its Breslow
        baseline ``(times, H0)``, and each row's censoring law (``censoring_model``).
        """
        assert self._baseline_times is not None and self._baseline_cumhaz is not None
        assert self._censor_times is not None and self._censor_survival is not None
        eta = np.clip(self._teacher_eta(matrix), -50.0, 50.0)
        baseline = (self._baseline_times, self._baseline_cumhaz)
        strata = self.censoring_strata_
        if self.censoring_model == "stratified" and not self._strata_estimated:
            raise InvalidParameterError(
                "censoring_model='stratified' needs the censoring strata, which are "
                "estimated at fit: this model was fitted with censoring_model='marginal'; "
                "fit it again with censoring_model='stratified'"
            )
        if self.censoring_model == "marginal" or strata is None:
            return eta, baseline, Censoring(self._censor_times, self._censor_survival[None, :])
        assert self._design is not None
        stratum = strata.stratum(self._design.frame(matrix))
        return eta, baseline, Censoring(strata.times, strata.survival, stratum)

    def _assemble(
        self, covariates: pd.DataFrame, durations: np.ndarray, events: np.ndarray
    ) -> pd.DataFrame:
        """Training column order and dtypes, the event written as training wrote it.

        The outcome invariants are checked on the frame returned, under the suite's rule.
        """
        assert self._event_labels is not None
        frame = covariates.reset_index(drop=True)
        frame[self.duration_column] = pd.Series(durations).astype(
            self._dtypes[self.duration_column]
        )
        frame[self.event_column] = write_events(
            events, self._event_labels, self._dtypes[self.event_column]
        )
        try:
            written = check_survival_frame(
                frame, self.duration_column, self.event_column, require_events=False, min_rows=0
            )
        except InvalidDataError as error:  # pragma: no cover - a bug, not the data
            raise AssertionError(f"internal error: invalid synthetic outcome: {error}") from None
        if not (np.allclose(written[0], durations) and np.array_equal(written[1], events)):
            raise AssertionError("internal error: synthetic outcome changed")  # pragma: no cover
        return frame[self._columns]

"""CK4Gen-style survival data generator: a Cox teacher distilled into an encoder, then decoded.

A framework-free core (torch, pandas, lifelines). The pipeline follows the figure captions
of Kuo, Gallego & Jorm, "CK4Gen: A Knowledge Distillation Framework for Generating
High-Utility Synthetic Survival Datasets in Healthcare" (arXiv 2410.16872v1); their code is
not public, so every detail the captions do not fix is our proposal and is configurable.
The method card ``docs/methods/ck4gen.md`` separates what the paper establishes from what is
CK4Gen-style.

The model in one paragraph: the covariates are preprocessed by the shared
:class:`~synth_plugins.encoding.tabular.TabularEncoder` (min-max scaling to [0, 1], one-hot
categorical blocks, a documented missing-value policy) into the "preprocessed ground truth".
A lifelines Cox model (the *teacher*) is fitted on that matrix with one-hot blocks coded
against their first level. A student *encoder* with three hidden layers (a plain MLP, or a
Deep-Cox-Mixtures-style gated mixture of experts) is trained by knowledge distillation to
reproduce the teacher's linear predictor (optionally also its survival curves on a time
grid); its last hidden layer is the latent representation. *SynthNet*, a decoder with a
sigmoid output, is then trained with the encoder frozen to map latents back to the
preprocessed covariates. Generation encodes real source patients, optionally perturbs the
latents, decodes (drawing discrete levels from the decoded probabilities), post-processes to
the original types and ranges, and re-draws exact copies of training rows beyond the rate at
which a real holdout would collide with the training rows; the outcome is either
copied from the source patient (``outcome="copy"``, the paper) or drawn from the teacher's
survival function and the censoring distribution (``outcome="model"``, ours).
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F

from synth_plugins.encoding.parsing import is_text, parse_numbers, text_date_format, to_days
from synth_plugins.encoding.tabular import MissingPolicy, TabularEncoder
from synth_plugins.errors import InvalidDataError, InvalidParameterError, NotFittedError
from synth_plugins.generators import _nn, _torch
from synth_plugins.generators._validation import (
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_int_tuple,
    check_random_state,
)
from synth_plugins.generators.privacy import CopyFilter, collision_rate, row_hashes
from synth_plugins.survival import check_survival_frame, fit_cox

__all__ = ["COPY_PRIVACY_WARNING", "CK4Gen"]

Outcome = Literal["copy", "model"]
EncoderKind = Literal["mlp", "dcm"]
DistillTarget = Literal["linear_predictor", "survival_curve"]
DecoderLoss = Literal["mixed", "mse"]
DiscreteDecoding = Literal["sample", "threshold"]
_OUTCOMES: tuple[str, ...] = ("copy", "model")

#: Fewest training rows accepted.
MIN_ROWS = 10
#: Rows encoded or decoded per forward pass when sampling.
_CHUNK = 65_536
#: Bound on log-hazards before exponentiation, so float32 stays finite.
_MAX_LOG_HAZARD = 30.0
#: Rounds of re-drawing synthetic rows that copy a training row, and the smallest noise.
_REDRAW_ROUNDS = 8
_MIN_REDRAW_NOISE = 0.1

COPY_PRIVACY_WARNING = (
    "CK4Gen outcome='copy': every synthetic row carries the exact (duration, event) pair of a "
    "real training patient, and its covariates are decoded from that same patient's latent "
    "code{noise}. The output is a perturbative reconstruction of real records, not a sample "
    "from a fitted distribution: treat it as personal data unless a privacy evaluation (e.g. "
    "hamming_leakage, dcr) on your data says otherwise. outcome='model' draws outcomes from "
    "the fitted Cox teacher instead, and latent_noise > 0 loosens the covariate link."
)


# ---------------------------------------------------------------------------- networks
class _Student(nn.Module):
    """The distilled encoder: a representation MLP and a risk head.

    ``kind="mlp"``: ReLU hidden layers and a linear head, ``eta = w' z + b``.
    ``kind="dcm"``: ReLU6 hidden layers (as in Deep Cox Mixtures), a gate
    ``log pi = log_softmax(G z)`` and experts ``eta_k = c_k + gamma * tanh(E_k z)`` over
    ``k`` components, where ``c_k`` is a learnt per-component log-hazard offset (standing
    for DCM's per-component baseline hazard); ``eta = sum_k pi_k eta_k``.
    """

    def __init__(
        self,
        kind: str,
        in_features: int,
        hidden: Sequence[int],
        k: int,
        gamma: float,
        offsets: np.ndarray,
    ) -> None:
        super().__init__()
        self.kind = kind
        self.gamma = float(gamma)
        if kind == "mlp":
            self.body = _nn.mlp(in_features, hidden, "relu")
            self.head = nn.Linear(hidden[-1], 1)
        else:
            self.body = _nn.mlp(in_features, hidden, "relu6")
            self.gate = nn.Linear(hidden[-1], k, bias=False)
            self.expert = nn.Linear(hidden[-1], k, bias=False)
            self.offsets = nn.Parameter(torch.as_tensor(offsets, dtype=torch.float32))

    def latent(self, x: torch.Tensor) -> torch.Tensor:
        """The latent representation (last hidden layer)."""
        return self.body(x)

    def components(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """DCM only: log mixture weights and per-component log-hazards, both ``(n, k)``."""
        log_pi = F.log_softmax(self.gate(z), dim=1)
        eta_k = self.offsets + self.gamma * torch.tanh(self.expert(z))
        return log_pi, eta_k

    def risk_from_latent(self, z: torch.Tensor) -> torch.Tensor:
        """The student's log partial hazard ``eta`` of each row, shape ``(n,)``."""
        if self.kind == "mlp":
            return self.head(z).squeeze(1)
        log_pi, eta_k = self.components(z)
        return (log_pi.exp() * eta_k).sum(dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The student's log partial hazard of each row."""
        return self.risk_from_latent(self.latent(x))

    def survival(self, x: torch.Tensor, cumulative_hazard: torch.Tensor) -> torch.Tensor:
        """Survival probabilities ``(n, g)`` on a grid with baseline cumulative hazards ``(g,)``.

        MLP: ``exp(-H0(t) exp(eta))``; DCM: the mixture ``sum_k pi_k exp(-H0(t) exp(eta_k))``.
        """
        z = self.latent(x)
        if self.kind == "mlp":
            eta = self.risk_from_latent(z).clamp(-_MAX_LOG_HAZARD, _MAX_LOG_HAZARD)
            return torch.exp(-cumulative_hazard[None, :] * torch.exp(eta)[:, None])
        log_pi, eta_k = self.components(z)
        hazard = torch.exp(eta_k.clamp(-_MAX_LOG_HAZARD, _MAX_LOG_HAZARD))  # (n, k)
        per_component = torch.exp(-cumulative_hazard[None, None, :] * hazard[:, :, None])
        return (log_pi.exp()[:, :, None] * per_component).sum(dim=1)


class _SynthNet(nn.Module):
    """The decoder: latent -> ReLU hidden layers -> logits of the preprocessed covariates."""

    def __init__(self, latent_dim: int, hidden: Sequence[int], out_features: int) -> None:
        super().__init__()
        self.body = _nn.mlp(latent_dim, hidden, "relu")
        self.out = nn.Linear(hidden[-1] if hidden else latent_dim, out_features)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Logits; ``sigmoid`` of them is the reconstruction in [0, 1]."""
        return self.out(self.body(z))


# ------------------------------------------------------------------------------- model
class CK4Gen:
    """CK4Gen-style generator of synthetic survival data (Kuo, Gallego & Jorm, 2024).

    A Cox proportional hazards *teacher* (lifelines ``CoxPHFitter``) is distilled into a
    three-hidden-layer *encoder*; *SynthNet* decodes the encoder's latent representation
    back to the preprocessed covariates. Synthetic rows are reconstructions of real source
    patients (optionally with latent noise) with an outcome that is either the source
    patient's (``outcome="copy"``, the paper) or drawn from the teacher (``"model"``).
    What the paper establishes and what is our proposal is listed in
    ``docs/methods/ck4gen.md``.

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
        epochs_encoder: most epochs of distillation (500).
        epochs_decoder: most epochs of SynthNet training (500).
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
        outcome: ``"copy"`` (each row takes its source patient's duration and event) or
            ``"model"`` (event time drawn from the teacher's ``S(t | x_synthetic)`` by
            inverse transform, censoring time from the reverse Kaplan-Meier estimate of the
            training censoring distribution; ``duration = min(T, C)``, ``event = T <= C``;
            an event time beyond the last training time is censored at the maximum
            follow-up).
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
        verbose: show progress bars.
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
        history_: per-epoch ``encoder_loss``, ``encoder_val_loss``, ``decoder_loss``,
            ``decoder_val_loss``.
        n_epochs_encoder_, n_epochs_decoder_: epochs actually trained.
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
        >>> model = CK4Gen("time", "cens", gbsg2.roles, epochs_encoder=20,
        ...                epochs_decoder=20, outcome="model").fit(gbsg2.data)
        >>> synthetic = model.sample(100)
        >>> synthetic.shape
        (100, 10)
    """

    def __init__(
        self,
        duration_column: str,
        event_column: str,
        roles: Mapping[str, str] | None = None,
        *,
        teacher_penalizer: float = 0.01,
        encoder: EncoderKind = "mlp",
        hidden: Sequence[int] = (64, 32, 16),
        dcm_k: int = 3,
        dcm_gamma: float = 1.0,
        distill_target: DistillTarget = "linear_predictor",
        n_time_grid: int = 50,
        decoder_hidden: Sequence[int] | None = None,
        decoder_loss: DecoderLoss = "mixed",
        lr: float = 1e-3,
        epochs_encoder: int = 500,
        epochs_decoder: int = 500,
        batch_size: int = 64,
        validation_fraction: float = 0.1,
        patience: int | None = 20,
        latent_noise: float = 0.0,
        discrete_decoding: DiscreteDecoding = "sample",
        redraw_copies: bool = True,
        copy_bins: int | None = 10,
        outcome: Outcome = "copy",
        sample_with_replacement: bool | Literal["auto"] = "auto",
        missing: MissingPolicy = "indicator",
        ordinal_levels: Mapping[str, Sequence[Any]] | None = None,
        device: str | torch.device = "auto",
        random_state: int | None = 0,
        verbose: bool = False,
        debug: bool = False,
    ) -> None:
        for argument, value in (
            ("duration_column", duration_column),
            ("event_column", event_column),
        ):
            if not isinstance(value, str) or not value:
                raise InvalidParameterError(f"{argument} must be a column name, got {value!r}")
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
        self.epochs_encoder = check_int("epochs_encoder", epochs_encoder, minimum=1)
        self.epochs_decoder = check_int("epochs_decoder", epochs_decoder, minimum=1)
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
        self.redraw_copies = check_bool("redraw_copies", redraw_copies)
        self.copy_bins = None if copy_bins is None else check_int("copy_bins", copy_bins, minimum=1)
        self.outcome = check_choice("outcome", outcome, _OUTCOMES)
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
        self.verbose = check_bool("verbose", verbose)
        self.debug = check_bool("debug", debug)

        self.preprocessor_: TabularEncoder | None = None
        self.teacher_: Any = None
        self.teacher_penalizer_: float | None = None
        self.design_columns_: list[str] = []
        self.encoder_: _Student | None = None
        self.decoder_: _SynthNet | None = None
        self.censoring_km_: Any = None
        self.history_: dict[str, list[float]] = {}
        self.n_epochs_encoder_ = 0
        self.n_epochs_decoder_ = 0
        self.latent_scale_: np.ndarray | None = None
        self.time_grid_: np.ndarray | None = None
        self.event_rate_: float | None = None
        self.max_follow_up_: float | None = None
        self.notes_: list[str] = []
        self._columns: list[str] = []
        self._dtypes: dict[str, Any] = {}
        self._design_index: np.ndarray | None = None
        self._baseline_times: np.ndarray | None = None
        self._baseline_cumhaz: np.ndarray | None = None
        self._censor_times: np.ndarray | None = None
        self._censor_survival: np.ndarray | None = None
        self._train_latent: np.ndarray | None = None
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
        "duration_column", "event_column", "roles", "teacher_penalizer", "encoder", "hidden",
        "dcm_k", "dcm_gamma", "distill_target", "n_time_grid", "decoder_hidden",
        "decoder_loss", "lr", "epochs_encoder", "epochs_decoder", "batch_size",
        "validation_fraction", "patience", "latent_noise", "discrete_decoding",
        "redraw_copies", "copy_bins", "outcome",
        "sample_with_replacement", "missing", "ordinal_levels", "device", "random_state",
        "verbose", "debug",
    )  # fmt: skip

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
            InvalidDataError: not a DataFrame, fewer than 10 rows, a missing outcome column,
                missing/non-positive/infinite durations, events other than 0/1, no event at
                all, no covariate, or missing covariates with ``missing="error"``.
        """
        if isinstance(data, pd.DataFrame) and len(data) < MIN_ROWS:
            raise InvalidDataError(
                f"CK4Gen needs at least {MIN_ROWS} rows to fit a Cox teacher and two networks, "
                f"got {len(data)}"
            )
        durations, events = check_survival_frame(
            data, self.duration_column, self.event_column, name="data", min_rows=MIN_ROWS
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
        design_index, design_names = self._design_layout(preprocessor, matrix, notes)
        design = pd.DataFrame(matrix[:, design_index].astype(float), columns=design_names)
        cox = fit_cox(design, durations, events, penalizer=self.teacher_penalizer)
        if cox.penalizer != self.teacher_penalizer:
            message = (
                f"the Cox teacher did not converge with teacher_penalizer="
                f"{self.teacher_penalizer:g}; it was fitted with penalizer={cox.penalizer:g}"
            )
            warnings.warn(message, UserWarning, stacklevel=2)
            notes.append(message)
        teacher = cox.fitter
        eta_teacher = teacher.predict_log_partial_hazard(design).to_numpy(dtype=np.float32)
        baseline = teacher.baseline_cumulative_hazard_
        baseline_times = baseline.index.to_numpy(dtype=float)
        baseline_cumhaz = np.maximum.accumulate(baseline.iloc[:, 0].to_numpy(dtype=float))
        censoring = self._censoring_distribution(durations, events)

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
            grid = self._time_grid(durations, events)
            grid_cumhaz = _step(baseline_times, baseline_cumhaz, grid)
            eta = np.clip(eta_teacher.astype(float), -_MAX_LOG_HAZARD, _MAX_LOG_HAZARD)
            curves = np.exp(-grid_cumhaz[None, :] * np.exp(eta)[:, None]).astype(np.float32)
        student = self._train_student(
            x_all, eta_teacher, grid, curves, baseline_times, baseline_cumhaz,
            train_rows, val_rows, device, enc_init, enc_batches,
        )  # fmt: skip

        # --- SynthNet
        with torch.no_grad():
            latent = torch.cat(
                [student.latent(x_all[i : i + _CHUNK].to(device)).cpu()
                 for i in range(0, len(x_all), _CHUNK)]
            )  # fmt: skip
        decoder = self._train_decoder(
            latent, x_all, preprocessor, train_rows, val_rows, device, dec_init, dec_batches
        )

        self.preprocessor_ = preprocessor
        self.teacher_ = teacher
        self.teacher_penalizer_ = cox.penalizer
        self.design_columns_ = list(design_names)
        self.encoder_ = student.cpu().eval()
        self.decoder_ = decoder.cpu().eval()
        self.censoring_km_ = censoring
        self.time_grid_ = grid
        self.latent_scale_ = latent.numpy().std(axis=0)
        self.event_rate_ = float(events.mean())
        self.max_follow_up_ = float(durations.max())
        self.notes_ = notes
        self._columns = list(data.columns)
        self._dtypes = {column: data[column].dtype for column in data.columns}
        self._design_index = design_index
        self._baseline_times, self._baseline_cumhaz = baseline_times, baseline_cumhaz
        censor_times = censoring.survival_function_.index.to_numpy(dtype=float)
        positive = censor_times > 0  # drop the estimate's t = 0 row
        self._censor_times = censor_times[positive]
        self._censor_survival = censoring.survival_function_.iloc[:, 0].to_numpy(dtype=float)[
            positive
        ]
        self._train_latent = latent.numpy()
        self._train_durations, self._train_events = durations, events
        self._copy_edges = (
            {}
            if self.copy_bins is None
            else _quantile_edges(data, self._numeric_columns(preprocessor), self.copy_bins)
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
        binned = row_hashes(_binned(data, self._copy_edges), self._binned_kinds)
        self._train_row_hashes = np.unique(binned)
        self.duplicate_rate_ = collision_rate(binned)
        self._sample_rng = _torch.new_rng(sample_seed)
        self._last_source_index = None
        return self

    @staticmethod
    def _design_layout(
        preprocessor: TabularEncoder, matrix: np.ndarray, notes: list[str]
    ) -> tuple[np.ndarray, list[str]]:
        """Teacher design: every encoded column but each one-hot block's first level.

        Constant columns are left out (a Cox coefficient is not identifiable for them).
        """
        index: list[int] = []
        names: list[str] = []
        for block in preprocessor.blocks:
            spec = preprocessor.spec(block.column)
            if block.kind == "numerical":
                index.append(block.start)
                names.append(block.column)
            elif block.kind == "missing":
                index.append(block.start)
                names.append(f"{block.column}[missing]")
            elif block.kind == "binary":
                level = spec.categories[-1] if spec.categories else 1
                index.append(block.start)
                names.append(f"{block.column}[{level}]")
            else:
                for offset in range(1, block.width):
                    index.append(block.start + offset)
                    names.append(f"{block.column}[{spec.categories[offset]}]")
        columns = matrix[:, index] if index else np.empty((len(matrix), 0))
        varies = columns.max(axis=0) > columns.min(axis=0) if index else np.array([], bool)
        if not varies.all():
            dropped = [name for name, keep in zip(names, varies) if not keep]
            notes.append(f"constant columns left out of the Cox teacher's design: {dropped}")
        if not varies.any():
            raise InvalidDataError(
                "no covariate varies in the data; the Cox teacher needs at least one"
            )
        kept = np.flatnonzero(varies)
        return np.asarray(index, dtype=np.int64)[kept], [names[i] for i in kept]

    @staticmethod
    def _censoring_distribution(durations: np.ndarray, events: np.ndarray) -> Any:
        """Reverse Kaplan-Meier: the KM estimate with censorings as the events."""
        from lifelines import KaplanMeierFitter

        return KaplanMeierFitter(label="censoring").fit(durations, 1 - events)

    def _time_grid(self, durations: np.ndarray, events: np.ndarray) -> np.ndarray:
        """``n_time_grid`` quantiles of the observed event times (unique values)."""
        event_times = durations[events == 1]
        quantiles = np.linspace(0.0, 1.0, self.n_time_grid + 2)[1:-1]
        return np.unique(np.quantile(event_times, quantiles))

    def _train_student(
        self,
        x_all: torch.Tensor,
        eta_teacher: np.ndarray,
        grid: np.ndarray | None,
        curves: np.ndarray | None,
        baseline_times: np.ndarray,
        baseline_cumhaz: np.ndarray,
        train_rows: np.ndarray,
        val_rows: np.ndarray,
        device: torch.device,
        init_seed: int,
        batch_seed: int,
    ) -> _Student:
        offsets = np.quantile(eta_teacher, (np.arange(self.dcm_k) + 0.5) / self.dcm_k)
        with _torch.seeded(init_seed, device=device):
            student = _Student(
                self.encoder, x_all.shape[1], self.hidden, self.dcm_k, self.dcm_gamma, offsets
            ).to(device)
        x_train = x_all[train_rows].to(device)
        eta_train = torch.from_numpy(eta_teacher[train_rows]).to(device)
        x_val = x_all[val_rows].to(device)
        eta_val = torch.from_numpy(eta_teacher[val_rows]).to(device)
        use_curves = grid is not None and curves is not None
        if use_curves:
            grid_cumhaz = torch.as_tensor(
                _step(baseline_times, baseline_cumhaz, grid), dtype=torch.float32, device=device
            )
            curves_train = torch.from_numpy(curves[train_rows]).to(device)
            curves_val = torch.from_numpy(curves[val_rows]).to(device)

        def loss_of(x: torch.Tensor, eta: torch.Tensor, curve: torch.Tensor | None) -> torch.Tensor:
            loss = F.mse_loss(student(x), eta)
            if curve is not None:
                loss = loss + F.mse_loss(student.survival(x, grid_cumhaz), curve)
            return loss

        def batch_loss(index: torch.Tensor) -> torch.Tensor:
            index = index.to(device)
            return loss_of(
                x_train[index], eta_train[index], curves_train[index] if use_curves else None
            )

        def val_loss() -> float:
            return float(loss_of(x_val, eta_val, curves_val if use_curves else None))

        run = _nn.train_early_stopping(
            student,
            batch_loss,
            n_rows=len(train_rows),
            epochs=self.epochs_encoder,
            batch_size=self.batch_size,
            lr=self.lr,
            generator=_torch.make_generator(batch_seed),
            val_loss=val_loss if len(val_rows) else None,
            patience=self.patience,
            desc="CK4Gen encoder",
            verbose=self.verbose,
        )
        self.history_["encoder_loss"] = run.train_loss
        self.history_["encoder_val_loss"] = run.val_loss
        self.n_epochs_encoder_ = run.n_epochs
        return student

    def _train_decoder(
        self,
        latent: torch.Tensor,
        x_all: torch.Tensor,
        preprocessor: TabularEncoder,
        train_rows: np.ndarray,
        val_rows: np.ndarray,
        device: torch.device,
        init_seed: int,
        batch_seed: int,
    ) -> _SynthNet:
        hidden = (
            tuple(reversed(self.hidden)) if self.decoder_hidden is None else self.decoder_hidden
        )
        with _torch.seeded(init_seed, device=device):
            decoder = _SynthNet(latent.shape[1], hidden, x_all.shape[1]).to(device)
        numeric = np.zeros(x_all.shape[1], dtype=bool)
        for block in preprocessor.blocks:
            if block.kind == "numerical" or self.decoder_loss == "mse":
                numeric[block.start : block.stop] = True
        numeric_mask = torch.as_tensor(numeric, device=device)
        z_train, x_train = latent[train_rows].to(device), x_all[train_rows].to(device)
        z_val, x_val = latent[val_rows].to(device), x_all[val_rows].to(device)

        def loss_of(z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
            logits = decoder(z)
            squared = (torch.sigmoid(logits) - x) ** 2
            cross = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
            return torch.where(numeric_mask, squared, cross).mean()

        def batch_loss(index: torch.Tensor) -> torch.Tensor:
            index = index.to(device)
            return loss_of(z_train[index], x_train[index])

        def val_loss() -> float:
            return float(loss_of(z_val, x_val))

        run = _nn.train_early_stopping(
            decoder,
            batch_loss,
            n_rows=len(train_rows),
            epochs=self.epochs_decoder,
            batch_size=self.batch_size,
            lr=self.lr,
            generator=_torch.make_generator(batch_seed),
            val_loss=val_loss if len(val_rows) else None,
            patience=self.patience,
            desc="CK4Gen SynthNet",
            verbose=self.verbose,
        )
        self.history_["decoder_loss"] = run.train_loss
        self.history_["decoder_val_loss"] = run.val_loss
        self.n_epochs_decoder_ = run.n_epochs
        return decoder

    # ------------------------------------------------------------------- predictions
    def _fitted(self) -> tuple[TabularEncoder, _Student, _SynthNet]:
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
        assert self._design_index is not None
        design = pd.DataFrame(
            matrix[:, self._design_index].astype(float), columns=self.design_columns_
        )
        return self.teacher_.predict_log_partial_hazard(design).to_numpy(dtype=float)

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
                torch.cat([student(x[i : i + _CHUNK]) for i in range(0, len(x), _CHUNK)])
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
                [student.latent(x[i : i + _CHUNK]) for i in range(0, len(x), _CHUNK)]
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
        With ``outcome="copy"`` a ``UserWarning`` states the privacy implication.

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
        mode = self.outcome if outcome is None else check_choice("outcome", outcome, _OUTCOMES)
        rng = np.random.default_rng(seed)
        if mode == "copy":
            noise = "" if self.latent_noise > 0 else " without noise (latent_noise=0)"
            warnings.warn(COPY_PRIVACY_WARNING.format(noise=noise), UserWarning, stacklevel=2)
        source = self._source_index(n, rng)
        self._last_source_index = source.copy() if self.debug else None

        frame = self._generate(source, self.latent_noise, mode, rng)
        if self.redraw_copies and n:
            frame = self._redraw_copies(frame, source, mode, rng)
        return frame

    def _generate(
        self, source: np.ndarray, sigma: float, mode: str, rng: np.random.Generator
    ) -> pd.DataFrame:
        """Decode the latents of ``source`` rows (latent noise ``sigma``) and add outcomes."""
        preprocessor, _, decoder = self._fitted()
        n = len(source)
        assert self._train_latent is not None and self.latent_scale_ is not None
        z = self._train_latent[source]
        if sigma > 0 and n:
            z = z + sigma * self.latent_scale_ * rng.standard_normal(z.shape)
        with torch.no_grad():
            z_tensor = torch.from_numpy(np.ascontiguousarray(z, dtype=np.float32))
            parts = [torch.sigmoid(decoder(z_tensor[i : i + _CHUNK])) for i in range(0, n, _CHUNK)]
            matrix = (
                torch.cat(parts).numpy().astype(float)
                if parts
                else np.zeros((0, preprocessor.n_features))
            )
        _draw_discrete(matrix, preprocessor, self.discrete_decoding, rng)
        covariates = preprocessor.inverse_transform(matrix)

        assert self._train_durations is not None and self._train_events is not None
        if mode == "copy":
            durations = self._train_durations[source]
            events = self._train_events[source]
        else:
            durations, events = self._model_outcomes(covariates, rng)
        return self._assemble(covariates, durations, events)

    def _redraw_copies(
        self, frame: pd.DataFrame, source: np.ndarray, mode: str, rng: np.random.Generator
    ) -> pd.DataFrame:
        """Re-draw rows that match a training row beyond the training duplicate rate.

        A real holdout of ``n`` rows is expected to hold about ``duplicate_rate_ * n`` rows
        matching a training row in the ``copy_bins`` comparison, and about
        ``exact_duplicate_rate_ * n`` equal to one on every value (leave-one-out
        estimates). Synthetic copies beyond either allowance, chosen at random, are
        generated again from the same source patients with latent noise
        ``max(latent_noise, 0.1) * 2**k`` in round ``k`` (up to ``_REDRAW_ROUNDS`` rounds);
        ``outcome="model"`` also draws a new outcome, while ``"copy"`` keeps the source
        patient's real outcome. Copies still left are reported in a warning.
        """
        assert self.duplicate_rate_ is not None and self._copy_filter is not None
        allowances = (
            (False, math.floor(self.duplicate_rate_ * len(frame) + 1e-9)),
            (True, self._copy_filter.allowance(len(frame))),
        )
        frame = frame.copy()
        for round_ in range(_REDRAW_ROUNDS + 1):
            chosen = []
            for exact, allowed in allowances:
                copies = np.flatnonzero(self._is_training_row(frame, exact=exact))
                if len(copies) > allowed:
                    chosen.append(rng.choice(copies, size=len(copies) - allowed, replace=False))
            if not chosen:
                return frame
            redo = np.unique(np.concatenate(chosen))
            if round_ == _REDRAW_ROUNDS:
                break
            sigma = max(self.latent_noise, _MIN_REDRAW_NOISE) * 2.0**round_
            fresh = self._generate(source[redo], sigma, mode, rng)
            fresh.index = frame.index[redo]
            for column in frame.columns:
                frame.loc[fresh.index, column] = fresh[column]
        warnings.warn(
            f"CK4Gen: {len(redo)} synthetic rows still match a training row beyond the "
            f"training data's own duplicate rate ({self.duplicate_rate_:.3g} binned, "
            f"{self.exact_duplicate_rate_:.3g} exact) after {_REDRAW_ROUNDS} rounds of "
            "re-drawing; they are kept",
            UserWarning,
            stacklevel=3,
        )
        return frame

    def _is_training_row(self, frame: pd.DataFrame, *, exact: bool = False) -> np.ndarray:
        """Whether each row matches a training row (``copy_bins``; ``exact``: every value)."""
        assert self._train_row_hashes is not None and self._copy_filter is not None
        if exact:
            return self._copy_filter.is_copy(frame)
        binned = row_hashes(_binned(frame, self._copy_edges), self._binned_kinds)
        return np.isin(binned, self._train_row_hashes)

    def _numeric_columns(self, preprocessor: TabularEncoder) -> list[str]:
        """The duration and the numeric covariates (the columns ``copy_bins`` bins)."""
        numeric = [b.column for b in preprocessor.blocks if b.kind == "numerical"]
        return [self.duration_column, *numeric]

    def _source_index(self, n: int, rng: np.random.Generator) -> np.ndarray:
        assert self._train_durations is not None
        n_train = len(self._train_durations)
        mode = self.sample_with_replacement
        if mode is True or (mode == "auto" and n > n_train):
            return rng.integers(0, n_train, size=n)
        repeats = max(1, math.ceil(n / n_train))
        return np.concatenate([rng.permutation(n_train) for _ in range(repeats)])[:n]

    def _model_outcomes(
        self, covariates: pd.DataFrame, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``(duration, event)`` from the teacher and the censoring distribution.

        Event time: ``T = min{t_j : H0(t_j) >= -log(U) / exp(eta(x))}``, the inverse of
        ``S(t | x) = exp(-H0(t) exp(eta(x)))`` on the teacher's Breslow baseline (infinite
        when ``S`` stays above ``U`` over the training follow-up). Censoring time:
        ``C = min{t_j : G(t_j) <= V}`` on the reverse Kaplan-Meier ``G`` (infinite when
        ``G`` stays above ``V``). Then ``duration = min(T, C)`` and ``event = T <= C``; when
        both are infinite the row is censored at the maximum follow-up.
        """
        assert self._baseline_times is not None and self._baseline_cumhaz is not None
        assert self._censor_times is not None and self._censor_survival is not None
        n = len(covariates)
        if n == 0:
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        eta = np.clip(self._teacher_eta(self._covariate_matrix(covariates)), -50.0, 50.0)
        u = 1.0 - rng.uniform(size=n)  # in (0, 1]
        target = np.maximum(-np.log(u) / np.exp(eta), np.finfo(float).tiny)
        event_time = _first_reaching(self._baseline_times, self._baseline_cumhaz, target)
        v = 1.0 - rng.uniform(size=n)  # in (0, 1]
        censor_time = _first_reaching(self._censor_times, -self._censor_survival, -v)
        events = (event_time <= censor_time) & np.isfinite(event_time)
        durations = np.minimum(event_time, censor_time)
        assert self.max_follow_up_ is not None
        durations = np.where(np.isfinite(durations), durations, self.max_follow_up_)
        return durations, events.astype(np.int64)

    def _assemble(
        self, covariates: pd.DataFrame, durations: np.ndarray, events: np.ndarray
    ) -> pd.DataFrame:
        """Training column order and dtypes; checks the outcome invariants."""
        if len(durations) and not (np.all(durations > 0) and np.all(np.isin(events, (0, 1)))):
            raise AssertionError("internal error: invalid synthetic outcome")  # pragma: no cover
        frame = covariates.reset_index(drop=True)
        frame[self.duration_column] = _cast(durations, self._dtypes[self.duration_column])
        frame[self.event_column] = _cast(events, self._dtypes[self.event_column])
        return frame[self._columns]


def _quantile_edges(data: pd.DataFrame, columns: Sequence[str], bins: int) -> dict[str, np.ndarray]:
    """Inner edges of ``bins`` training-quantile bins per numeric column (ties merged)."""
    quantiles = np.linspace(0.0, 1.0, bins + 1)[1:-1]
    return {
        column: np.unique(np.nanquantile(_floats(data[column]), quantiles)) for column in columns
    }


def _binned(frame: pd.DataFrame, edges: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """``frame`` with each column of ``edges`` replaced by its bin (-1 for missing)."""
    out = frame.copy()
    for column, inner in edges.items():
        values = _floats(frame[column])
        out[column] = np.where(np.isnan(values), -1, np.searchsorted(inner, values, "right"))
    return out


def _floats(series: pd.Series) -> np.ndarray:
    """A column the encoder models as numbers, as floats; missing values (NaN, pd.NA) as NaN.

    Datetimes (and dates written as text) become days, numbers written as text are parsed:
    the same numbers the encoder sees, so copies are binned as the model saw them.
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return to_days(series)
    if is_text(series):
        fmt = text_date_format(series)
        if fmt is not None:
            return to_days(series, fmt)
        parsed = parse_numbers(series)
        if parsed is not None:
            return parsed.to_numpy(dtype=float)
    return series.to_numpy(dtype=float, na_value=np.nan)


def _draw_discrete(
    matrix: np.ndarray, preprocessor: TabularEncoder, how: str, rng: np.random.Generator
) -> None:
    """Turn SynthNet's probabilities of discrete blocks into 0/1 codes, in place.

    Missingness indicators are always drawn as Bernoulli variables. Binary and one-hot
    blocks are drawn from the decoded probabilities with ``how="sample"`` (a binary level
    with probability ``p``, a categorical level with probability proportional to its
    output) and left to the encoder's 0.5 threshold / arg-max with ``"threshold"``. The
    threshold maps every row whose decoded probability of a rare level is below 0.5 to
    the common level, so a level with a 3 % share that the latent predicts only weakly
    survives in a few of the highest-probability rows, which are the extreme-risk rows:
    its synthetic Cox coefficient then diverges (quasi-separation).
    """
    n = len(matrix)
    for block in preprocessor.blocks:
        part = matrix[:, block.start : block.stop]
        if block.kind == "missing" or (block.kind == "binary" and how == "sample"):
            part[:, 0] = rng.uniform(size=n) < part[:, 0]
        elif block.kind not in ("numerical", "binary") and how == "sample":
            weights = np.clip(part, 1e-12, None)
            cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
            level = (rng.uniform(size=(n, 1)) > cumulative).sum(axis=1)
            part[:] = 0.0
            part[np.arange(n), np.minimum(level, block.width - 1)] = 1.0


def _first_reaching(times: np.ndarray, levels: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per target, the first time whose non-decreasing ``levels`` reach it (inf if none)."""
    index = np.searchsorted(levels, targets, side="left")
    inside = index < len(times)
    return np.where(inside, times[np.minimum(index, len(times) - 1)], np.inf)


def _step(times: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Right-continuous step function ``values`` (0 before ``times[0]``) evaluated at ``at``."""
    index = np.searchsorted(times, at, side="right") - 1
    return np.where(index >= 0, values[np.clip(index, 0, None)], 0.0)


def _cast(values: np.ndarray, dtype: Any) -> pd.Series:
    """``values`` as a Series of the training dtype (falls back to the values' own dtype)."""
    series = pd.Series(values)
    try:
        if pd.api.types.is_bool_dtype(dtype):
            return series.astype(bool).astype(dtype)
        return series.astype(dtype)
    except (TypeError, ValueError):  # pragma: no cover - exotic dtypes
        return series

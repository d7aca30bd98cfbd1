"""Longitudinal LSTM: static patient features + irregular visit sequences (MS-registry style).

A framework-free core (torch and pandas only) of the two-stage design of METHODS.md §3.2.
The MS "dual autoencoder + LSTM" generator is known only from two conference abstracts (a
cross-sectional autoencoder over clinico-demographic variables, and an LSTM that generates
time to visit, EDSS, relapses, treatment, treatment change and MRI); every detail below is
**our proposal**, consistent with those abstracts. Method card:
``docs/methods/longitudinal_lstm.md``.

Stage A (static generator)
    :class:`~synth_plugins.generators.med_vae.MedVAE` (the suite's tabular VAE, with its
    differentiable KL) over the static columns plus the time of the first visit; sampled
    from the prior ``z ~ N(0, I)``.

Stage B (visit model)
    A multi-layer LSTM over the visits of a patient, conditioned on the encoded static
    vector ``s`` twice: the initial states are ``tanh(W_h s)``, ``tanh(W_c s)`` and ``s`` is
    part of every step input. The input of step ``k`` is the previous visit (the shared
    :class:`~synth_plugins.encoding.tabular.TabularEncoder` encoding; a learned vector at the
    first step), its standardised log gap, its time since the first visit, a first-step flag
    and ``s``. From the state after step ``k`` the heads give, in this order:

    1. ``p_stop``: the follow-up ends (Bernoulli; from the second step on, i.e. every patient
       has at least one visit);
    2. the gap to the next visit: a mixture of ``gap_components`` log-normals (multi-modal
       clinic rhythms such as 6 and 12 months), not used for the first visit;
    3. each visit column in turn, given the state, the gap and the columns already drawn for
       this visit (an autoregressive chain inside the visit): a missingness logit (BCE) for
       columns with missing values, then a Gaussian (numerical), Bernoulli (binary) or
       softmax (categorical/ordinal) value. Value losses are masked where the value is
       missing.

Training uses teacher forcing on shuffled, padded batches (``pack_padded_sequence``),
AdamW and gradient-norm clipping. Sampling is free-running in batches of patients.

Guarantees of generated data: visit times strictly increase (gaps are positive and clipped
to the training range of gaps; integer times get whole gaps >= 1); categorical, binary and
ordinal values are training levels (numeric columns with at most ``discrete_levels``
distinct values, such as the EDSS grid or relapse counts, are modelled as ordinal levels);
numeric values stay in their training range; every patient has between 1 and
``max_visits`` visits and no more follow-up than the longest in training.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from synth_plugins.encoding.roles import NUMERIC_ROLES, infer_roles
from synth_plugins.encoding.tabular import MissingPolicy, TabularEncoder
from synth_plugins.errors import InvalidDataError, InvalidParameterError, NotFittedError
from synth_plugins.generators import _nn, _torch
from synth_plugins.generators._long_format import (
    PatientIndex,
    check_long_format,
    check_static_columns,
    infer_static_columns,
    patient_index,
)
from synth_plugins.generators._validation import (
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_random_state,
)
from synth_plugins.generators.med_vae import MedVAE

__all__ = ["LongitudinalLSTM"]

#: Bounds of predicted log standard deviations (numerical values, log gaps).
_MIN_LOG_SD, _MAX_LOG_SD = -7.0, 2.0
#: Stage A defaults that differ from MedVAE's own. Prior sampling needs a latent space
#: regularised towards N(0, I): MedVAE's beta 0.03 suits its library sampling, not the prior.
#: On 1,000 simulated MS patients (300 epochs) beta 0.3 gave the lowest static KS/TVD among
#: 1, 0.3, 0.1 and 0.03 (docs/methods/longitudinal_lstm.md). The rest pins the MedVAE
#: settings Stage A was measured with (MedVAE's own defaults changed since: quantile
#: transform, lr and validation split "auto", copy filter), so Stage A is unchanged.
_STATIC_DEFAULTS: dict[str, Any] = {
    "beta": 0.3,
    "batch_size": 64,
    "lr": 1e-3,
    "numerical_transform": "minmax",
    "validation_fraction": 0.0,
    "patience": None,
    "redraw_copies": False,
}


# ------------------------------------------------------------------------------ layout
@dataclass(frozen=True)
class _Column:
    """One visit column in the encoded visit matrix, with the size of its head's output."""

    name: str
    kind: str  # "numerical", "binary" or "categorical"
    start: int  # first position of the value block (everything before: earlier columns)
    stop: int
    missing: int | None  # position of the missingness indicator, if any
    #: fold draws outside [0, 1] back into it instead of clipping (datetime columns:
    #: clipping would copy the earliest and latest training datetimes)
    fold: bool = False

    @property
    def end(self) -> int:
        """One past the last position of the column (value block and indicator)."""
        return self.stop if self.missing is None else self.missing + 1

    @property
    def n_outputs(self) -> int:
        """Head outputs: missingness logit, then value parameters."""
        value = {"numerical": 2, "binary": 1}.get(self.kind, self.stop - self.start)
        return value + (self.missing is not None)


def _columns_from(encoder: TabularEncoder) -> tuple[_Column, ...]:
    values: dict[str, tuple[str, int, int]] = {}
    missing: dict[str, int] = {}
    for block in encoder.blocks:
        if block.kind == "missing":
            missing[block.column] = block.start
        else:
            values[block.column] = (block.kind, block.start, block.stop)
    return tuple(
        _Column(name, kind, start, stop, missing.get(name), encoder.spec(name).role == "datetime")
        for name, (kind, start, stop) in values.items()
    )


# ----------------------------------------------------------------------------- network
def _head(in_features: int, hidden: int, out_features: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, out_features))


class _VisitLSTM(nn.Module):
    """Stage B: the static-conditioned LSTM with stop, gap and per-column visit heads."""

    def __init__(
        self,
        *,
        static_dim: int,
        columns: tuple[_Column, ...],
        visit_dim: int,
        hidden_size: int,
        num_layers: int,
        dropout: float,
        gap_components: int,
        head_hidden: int,
    ) -> None:
        super().__init__()
        self.columns = columns
        self.num_layers = num_layers
        self.hidden_size = hidden_size
        self.gap_components = gap_components
        self.init_h = nn.Linear(static_dim, num_layers * hidden_size)
        self.init_c = nn.Linear(static_dim, num_layers * hidden_size)
        self.bos = nn.Parameter(torch.zeros(visit_dim))
        self.lstm = nn.LSTM(
            visit_dim + 3 + static_dim,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        # every head reads the context [LSTM state, static vector, previous visit]: the
        # direct paths let a head copy a static baseline or carry a value forward
        context = hidden_size + static_dim + visit_dim
        self.visit_dim = visit_dim
        self.context_dropout = nn.Dropout(dropout)
        self.stop_head = _head(context, head_hidden, 1)
        self.gap_head = _head(context, head_hidden, 3 * gap_components)
        self.column_heads = nn.ModuleList(
            _head(context + 2 + column.start, head_hidden, column.n_outputs) for column in columns
        )
        # carry-forward bias of categorical/ordinal columns: + copy[i] on the logit of the
        # previous visit's level (a state that rarely changes, such as EDSS or treatment)
        self.copy = nn.Parameter(torch.zeros(len(columns)))

    @torch.no_grad()
    def init_marginals(self, data: _Sequences) -> None:
        """Start every head at the training marginals: small final weights, fitted biases.

        The stop head starts at the pooled end-of-follow-up rate, the gap mixture at spread
        quantiles of the log gaps, each column head at its level frequencies (numerical: mean
        and SD; missingness: the missing rate). Training then learns the dependence on the
        history instead of first spending its steps on the marginals.
        """

        def final(head: nn.Sequential) -> nn.Linear:
            layer = head[-1]
            assert isinstance(layer, nn.Linear)
            layer.weight.mul_(0.1)
            return layer

        def logit(p: float) -> float:
            p = min(max(p, 1e-4), 1 - 1e-4)
            return math.log(p / (1 - p))

        n_stop = float(data.lengths.sum())
        final(self.stop_head).bias.fill_(logit(len(data.lengths) / max(n_stop, 1.0)))
        gaps = data.gap_feature[data.position() > 0]
        c = self.gap_components
        bias = final(self.gap_head).bias
        bias[:c] = 0.0
        if gaps.size:
            bias[c : 2 * c] = torch.as_tensor(
                np.quantile(gaps, (np.arange(c) + 0.5) / c), dtype=bias.dtype
            )
        bias[2 * c :] = math.log(0.5 if c > 1 else 1.0)
        visits = data.visits
        for column, head in zip(self.columns, self.column_heads):
            bias = final(head).bias
            offset = 0
            observed = np.ones(len(visits), dtype=bool)
            if column.missing is not None:
                rate = float(visits[:, column.missing].mean())
                bias[0] = logit(rate)
                observed = visits[:, column.missing] < 0.5
                offset = 1
            values = visits[observed, column.start : column.stop]
            if values.size == 0:
                continue
            if column.kind == "categorical":
                # carry-forward strength from how often a level repeats at the next visit
                repeat = data.repeat_rate(column)
                chance = float(np.sum(values.mean(0) ** 2))
                if repeat is not None and repeat > chance > 0:
                    self.copy[self.columns.index(column)] = float(
                        np.clip(math.log(repeat / chance), 0.0, 6.0)
                    )
            if column.kind == "numerical":
                bias[offset] = float(values.mean())
                bias[offset + 1] = math.log(max(float(values.std()), 1e-3))
            elif column.kind == "binary":
                bias[offset] = logit(float(values.mean()))
            else:
                freq = np.clip(values.mean(0), 1e-4, None)
                bias[offset:] = torch.as_tensor(np.log(freq / freq.sum()), dtype=bias.dtype)

    def initial_state(self, static: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``h0, c0 = tanh(W_h s), tanh(W_c s)`` shaped ``(layers, batch, hidden)``."""
        shape = (static.shape[0], self.num_layers, self.hidden_size)
        h0 = torch.tanh(self.init_h(static)).view(shape).transpose(0, 1).contiguous()
        c0 = torch.tanh(self.init_c(static)).view(shape).transpose(0, 1).contiguous()
        return h0, c0

    def gap_parameters(self, hidden: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Mixture log-weights, means and log-SDs of the standardised log gap."""
        logits, means, log_sd = self.gap_head(hidden).chunk(3, dim=-1)
        return (
            F.log_softmax(logits, dim=-1),
            means,
            log_sd.clamp(_MIN_LOG_SD, _MAX_LOG_SD),
        )

    def column_output(
        self, index: int, hidden: torch.Tensor, gap: torch.Tensor, first: torch.Tensor,
        visit: torch.Tensor, previous: torch.Tensor,
    ) -> torch.Tensor:  # fmt: skip
        """Head ``index`` given the context, gap, first-visit flag, earlier columns.

        Categorical outputs get the carry-forward bias on the previous visit's level.
        """
        column = self.columns[index]
        inputs = torch.cat([hidden, gap[:, None], first[:, None], visit[:, : column.start]], dim=1)
        out = self.column_heads[index](inputs)
        if column.kind == "categorical":
            offset = int(column.missing is not None)
            bias = self.copy[index] * previous[:, column.start : column.stop]
            out = torch.cat([out[:, :offset], out[:, offset:] + bias], dim=1)
        return out


def _run_sequences(net: _VisitLSTM, batch: Mapping[str, torch.Tensor]) -> torch.Tensor:
    """LSTM states ``(B, T, H)`` of padded step inputs; the learned BOS visit is step 0."""
    inputs = batch["inputs"]
    width = net.bos.shape[0]
    bos = net.bos.expand(inputs.shape[0], 1, width)
    inputs = torch.cat([torch.cat([bos, inputs[:, :1, width:]], dim=2), inputs[:, 1:]], dim=1)
    packed = pack_padded_sequence(
        inputs, batch["steps"].cpu(), batch_first=True, enforce_sorted=False
    )
    output, _ = net.lstm(packed, net.initial_state(batch["static"]))
    hidden, _ = pad_packed_sequence(output, batch_first=True)
    return hidden


def _gaussian_nll(x: torch.Tensor, mean: torch.Tensor, log_sd: torch.Tensor) -> torch.Tensor:
    return 0.5 * ((x - mean) * torch.exp(-log_sd)) ** 2 + log_sd + 0.5 * math.log(2 * math.pi)


# ------------------------------------------------------------------------------- model
class LongitudinalLSTM:
    """Two-stage generator of whole patients: static features, then an irregular visit sequence.

    Stage A is the suite's :class:`~synth_plugins.generators.med_vae.MedVAE` over the static
    columns (plus the first visit time), sampled from its prior; Stage B an LSTM conditioned on
    the static vector with heads for the end of follow-up, the gap to the next visit (a
    log-normal mixture) and every visit column (missingness included). This is our proposal
    for the MS autoencoder + LSTM generator known only from two abstracts (METHODS.md §3);
    see ``docs/methods/longitudinal_lstm.md``.

    Args:
        id_column: the patient identifier column of the long table.
        time_column: the visit time column (numeric, e.g. years since baseline).
        static_columns: per-patient columns; None infers them as the columns that are
            constant within every patient. All other columns are visit columns.
        roles: role per column (``numerical``, ``integer``, ``binary``, ``categorical``,
            ``ordinal``, ``datetime``, ``identifier``); columns not named are inferred
            (identifier-like columns get fresh keys, datetimes are generated as times; see
            ``synth_plugins.encoding.roles``).
        static_epochs: training epochs of the Stage A VAE (300).
        epochs: training epochs of the Stage B LSTM (100).
        hidden_size: LSTM hidden size (128).
        num_layers: LSTM layers (2).
        dropout: dropout between LSTM layers (0.2).
        gap_components: log-normal mixture components of the time to the next visit (3).
        max_visits: hard cap on visits per generated patient (None: the most in training).
        discrete_levels: a numeric column with at most this many distinct observed values is
            modelled as ordinal levels (softmax), so generated values are always observed
            ones (the EDSS grid, relapse counts); 0 disables this (25).
        head_hidden: hidden width of every output head (64).
        lr: AdamW learning rate of Stage B (1e-3).
        weight_decay: AdamW weight decay of Stage B (1e-4).
        batch_size: patients per Stage B batch (64).
        clip: gradient-norm clipping of Stage B (1.0); None disables it.
        validation_fraction: share of patients held out to monitor a validation loss and
            keep the best epoch's weights (0.1; 0 trains on every patient and keeps the last
            weights). The LSTM memorises small cohorts quickly (on 400 simulated patients
            the validation loss is lowest near epoch 15-30 and then rises), so the default
            holds out 10 %.
        patience: stop Stage B after this many epochs without validation improvement (10);
            None trains all epochs (the best epoch is still restored); needs a split.
        calibrate_stop: after training, shift the stop head's bias so that free-running
            samples have the training mean number of visits (see the method card; True).
        missing: missing-value policy of both stages: ``"indicator"`` (missingness is
            modelled and generated), ``"impute"`` (no missing values generated) or
            ``"error"``.
        static_params: extra :class:`MedVAE` arguments for Stage A (defaults: ``beta=0.3``,
            ``batch_size=64``, ``lr=1e-3``, ``numerical_transform="minmax"``, no validation
            split, ``redraw_copies=False``; ``sampling`` is always ``"prior"``).
        sample_batch_size: patients generated per batch (bounds memory; 4096).
        device: ``"auto"`` (CUDA if available, else CPU), ``"cpu"``, ``"cuda"``, ...
        random_state: seed of every random draw; None is unseeded. Global random states are
            neither used nor changed.
        verbose: show progress bars.

    Attributes:
        static_columns_, visit_columns_: the static and visit columns (training order).
        roles_: the role used for every static and visit column.
        static_model_: the fitted Stage A :class:`MedVAE`.
        visit_encoder_: the :class:`TabularEncoder` of the visit columns.
        model_: the Stage B network (on CPU).
        history_: per-epoch ``loss`` (and ``val_loss`` with a validation split).
        max_visits_: the visit cap used when sampling.

    Example:
        >>> from synth_plugins.datasets import load
        >>> ds = load("ms_registry", n_patients=200, seed=0)
        >>> model = LongitudinalLSTM("patient_id", "time", roles=ds.roles, epochs=2,
        ...                          static_epochs=2).fit(ds.data)
        >>> synthetic = model.sample(50)
        >>> list(synthetic.columns) == list(ds.data.columns)
        True
    """

    def __init__(
        self,
        id_column: str,
        time_column: str,
        static_columns: list[str] | tuple[str, ...] | None = None,
        roles: Mapping[str, str] | None = None,
        *,
        static_epochs: int = 300,
        epochs: int = 100,
        hidden_size: int = 128,
        num_layers: int = 2,
        dropout: float = 0.2,
        gap_components: int = 3,
        max_visits: int | None = None,
        discrete_levels: int = 25,
        head_hidden: int = 64,
        lr: float = 1e-3,
        weight_decay: float = 1e-4,
        batch_size: int = 64,
        clip: float | None = 1.0,
        validation_fraction: float = 0.1,
        patience: int | None = 10,
        missing: MissingPolicy = "indicator",
        static_params: Mapping[str, Any] | None = None,
        calibrate_stop: bool = True,
        sample_batch_size: int = 4096,
        device: str | torch.device = "auto",
        random_state: int | None = 0,
        verbose: bool = False,
    ) -> None:
        for name, value in (("id_column", id_column), ("time_column", time_column)):
            if not isinstance(value, str) or not value:
                raise InvalidParameterError(f"{name} must be a column name, got {value!r}")
        if id_column == time_column:
            raise InvalidParameterError(f"id_column and time_column are both {id_column!r}")
        self.id_column = id_column
        self.time_column = time_column
        if isinstance(static_columns, str):
            raise InvalidParameterError(
                f"static_columns must be a list of names, not the string {static_columns!r}"
            )
        self.static_columns = None if static_columns is None else list(static_columns)
        self.roles = dict(roles) if roles is not None else None
        self.static_epochs = check_int("static_epochs", static_epochs, minimum=1)
        self.epochs = check_int("epochs", epochs, minimum=1)
        self.hidden_size = check_int("hidden_size", hidden_size, minimum=1)
        self.num_layers = check_int("num_layers", num_layers, minimum=1)
        self.dropout = check_float("dropout", dropout, minimum=0.0, maximum=1.0,
                                   exclusive_maximum=True)  # fmt: skip
        self.gap_components = check_int("gap_components", gap_components, minimum=1)
        self.max_visits = None if max_visits is None else check_int(
            "max_visits", max_visits, minimum=1
        )  # fmt: skip
        self.discrete_levels = check_int("discrete_levels", discrete_levels, minimum=0)
        self.head_hidden = check_int("head_hidden", head_hidden, minimum=1)
        self.lr = check_float("lr", lr, minimum=0.0, exclusive_minimum=True)
        self.weight_decay = check_float("weight_decay", weight_decay, minimum=0.0)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.clip = None if clip is None else check_float(
            "clip", clip, minimum=0.0, exclusive_minimum=True
        )  # fmt: skip
        self.validation_fraction = check_float(
            "validation_fraction", validation_fraction, minimum=0.0, maximum=1.0,
            exclusive_maximum=True,
        )  # fmt: skip
        self.patience = None if patience is None else check_int("patience", patience, minimum=1)
        if self.patience is not None and self.validation_fraction == 0.0:
            raise InvalidParameterError(
                "patience needs a validation split: set validation_fraction > 0 (e.g. 0.1) "
                "or patience=None"
            )
        self.missing = check_choice("missing", missing, ("indicator", "impute", "error"))
        if static_params is not None and not isinstance(static_params, Mapping):
            raise InvalidParameterError(
                f"static_params must be a mapping of MedVAE arguments, got {static_params!r}"
            )
        reserved = sorted(
            set(static_params or {})
            & {"roles", "sampling", "epochs", "missing", "device", "random_state", "verbose"}
        )
        if reserved:
            raise InvalidParameterError(
                f"static_params must not set {reserved}: they come from this model's own "
                "arguments (static_epochs, missing, device, random_state, verbose)"
            )
        self.static_params = dict(static_params) if static_params is not None else None
        self.calibrate_stop = check_bool("calibrate_stop", calibrate_stop)
        self.sample_batch_size = check_int("sample_batch_size", sample_batch_size, minimum=1)
        self.device = _torch.check_device(device)
        self.random_state = check_random_state("random_state", random_state)
        self.verbose = check_bool("verbose", verbose)

        self.static_columns_: list[str] | None = None
        self.visit_columns_: list[str] | None = None
        self.roles_: dict[str, str] | None = None
        self.static_model_: MedVAE | None = None
        self.visit_encoder_: TabularEncoder | None = None
        self.model_: _VisitLSTM | None = None
        self.history_: dict[str, list[float]] = {}
        self.max_visits_: int | None = None
        self.stop_shift_: float = 0.0
        self.n_epochs_: int = 0
        self.best_epoch_: int | None = None
        self._columns: tuple[_Column, ...] = ()
        self._fill: np.ndarray | None = None
        self._meta: dict[str, Any] = {}
        self._sample_rng: np.random.Generator | None = None
        self._device_model: _VisitLSTM | None = None

    # ---------------------------------------------------------------------- params
    _PARAMS = (
        "id_column", "time_column", "static_columns", "roles", "static_epochs", "epochs",
        "hidden_size", "num_layers", "dropout", "gap_components", "max_visits",
        "discrete_levels", "head_hidden", "lr", "weight_decay", "batch_size", "clip",
        "validation_fraction", "patience", "missing", "static_params", "calibrate_stop",
        "sample_batch_size",
        "device", "random_state", "verbose",
    )  # fmt: skip

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments, as given (a sklearn-style view for host adapters)."""
        return {name: copy.deepcopy(getattr(self, name)) for name in self._PARAMS}

    def __repr__(self) -> str:
        return (
            f"LongitudinalLSTM(id_column={self.id_column!r}, time_column={self.time_column!r}, "
            f"epochs={self.epochs}, random_state={self.random_state})"
        )

    # --------------------------------------------------------------------- fitting
    def _resolve_roles(self, data: pd.DataFrame, columns: list[str]) -> dict[str, str]:
        """Given or inferred roles; few-valued numeric columns become ``ordinal``.

        Numbers written as text stay numeric (the encoder parses them and returns numbers).
        """
        given = {k: v for k, v in (self.roles or {}).items() if k in columns}
        roles = dict(infer_roles(data[columns], given))
        if self.discrete_levels:
            for column in columns:
                numeric = pd.api.types.is_numeric_dtype(data[column])
                if roles[column] in NUMERIC_ROLES and numeric:
                    if data[column].nunique(dropna=True) <= self.discrete_levels:
                        roles[column] = "ordinal"
        return roles

    def _split_columns(self, data: pd.DataFrame) -> tuple[list[str], list[str]]:
        others = [c for c in data.columns if c not in (self.id_column, self.time_column)]
        if self.static_columns is None:
            static = infer_static_columns(data, self.id_column, self.time_column, others)
        else:
            static = check_static_columns(
                data, self.id_column, self.time_column, self.static_columns
            )
        visit = [c for c in others if c not in static]
        return static, visit

    def _first_time_column(self, data: pd.DataFrame) -> str:
        name = f"{self.time_column}__first_visit"
        while name in data.columns:
            name += "_"
        return name

    def fit(self, data: pd.DataFrame) -> LongitudinalLSTM:
        """Fit Stage A on one row per patient and Stage B on the visit sequences.

        Args:
            data: long-format table: one row per visit with the id, time, static and visit
                columns.

        Returns:
            self.

        Raises:
            InvalidDataError: for a malformed long table (see
                :func:`~synth_plugins.generators._long_format.check_long_format`), fewer
                than 2 patients, a static column that changes within a patient, a column
                with no observed value, or missing values with ``missing="error"``.
        """
        data = check_long_format(data, self.id_column, self.time_column)
        index = patient_index(data, self.id_column)
        if index.n_patients < 2:
            raise InvalidDataError(
                f"at least 2 patients are needed to train, got {index.n_patients}"
            )
        static_columns, visit_columns = self._split_columns(data)
        if not visit_columns:
            raise InvalidDataError(
                "no visit columns: every column other than id and time is constant within "
                "patients; pass static_columns explicitly to declare which ones vary"
            )
        # static roles from one row per patient (a per-patient key repeats over visits)
        roles = {
            **self._resolve_roles(data.iloc[index.starts], static_columns),
            **self._resolve_roles(data, visit_columns),
        }
        times = data[self.time_column].to_numpy(dtype=float)
        first_times = times[index.starts]
        last_times = times[index.starts + index.lengths - 1]
        gaps = np.diff(times)[(index.patient_of_row()[1:] == index.patient_of_row()[:-1])]
        integer_time = bool(
            pd.api.types.is_integer_dtype(data[self.time_column]) or np.all(times % 1 == 0)
        )
        log_gaps = np.log(gaps) if gaps.size else np.zeros(1)
        follow_up = last_times - first_times

        # ---- Stage A: static VAE over one row per patient (+ the first visit time)
        rng = _torch.new_rng(self.random_state)
        static_seed, init_seed, train_seed, split_seed, sample_seed = (
            _torch.seed_from(rng) % 2**32 for _ in range(5)
        )
        first_name = self._first_time_column(data)
        static_frame = data.iloc[index.starts][static_columns].reset_index(drop=True)
        static_frame[first_name] = first_times
        static_roles = {c: roles[c] for c in static_columns}
        static_roles[first_name] = "integer" if integer_time else "numerical"
        params = {**_STATIC_DEFAULTS, **(self.static_params or {})}
        static_model = MedVAE(
            roles=static_roles, sampling="prior", epochs=self.static_epochs,
            missing=self.missing, device=self.device, random_state=static_seed,
            verbose=self.verbose, **params,
        )  # fmt: skip
        static_model.fit(static_frame)
        static_matrix = static_model.encoder_.transform(static_frame)

        # ---- Stage B: visit encoder and tensors
        visit_encoder = TabularEncoder({c: roles[c] for c in visit_columns}, self.missing).fit(
            data[visit_columns]
        )
        visits = visit_encoder.transform(data[visit_columns])
        columns = _columns_from(visit_encoder)
        meta = {
            "first_name": first_name,
            "integer_time": integer_time,
            "log_gap_mean": float(log_gaps.mean()),
            "log_gap_sd": float(log_gaps.std()) if log_gaps.std() > 1e-8 else 1.0,
            "min_gap": float(gaps.min()) if gaps.size else 1.0,
            "max_gap": float(gaps.max()) if gaps.size else 1.0,
            "max_follow_up": float(follow_up.max()),
            "max_time": float(times.max()),
            "time_scale": float(follow_up.max()) if follow_up.max() > 0 else 1.0,
            "columns": list(data.columns),
            "dtypes": {c: data[c].dtype for c in data.columns},
            "id_numeric": bool(
                pd.api.types.is_numeric_dtype(data[self.id_column])
                and not pd.api.types.is_bool_dtype(data[self.id_column])
            ),
        }
        max_visits = self.max_visits or int(index.lengths.max())
        device = _torch.resolve_device(self.device)
        with _torch.seeded(init_seed, device):
            net = _VisitLSTM(
                static_dim=static_matrix.shape[1],
                columns=columns,
                visit_dim=visits.shape[1],
                hidden_size=self.hidden_size,
                num_layers=self.num_layers,
                dropout=self.dropout,
                gap_components=self.gap_components,
                head_hidden=self.head_hidden,
            ).to(device)

        # forget any previous fit (a failed fit leaves an unfitted model)
        self.model_ = None
        self._device_model = None
        self._meta = meta
        self._columns = columns
        tensors = _Sequences.build(
            visits, static_matrix, times, index, meta, self.validation_fraction, split_seed
        )
        net.init_marginals(tensors)
        # dropout draws from torch's global generators: fork and seed them for the fit
        with _torch.seeded(train_seed, device):
            net = self._train(net, tensors, device, train_seed)

        self.static_columns_, self.visit_columns_ = static_columns, visit_columns
        self.roles_ = {c: roles[c] for c in static_columns + visit_columns}
        self.static_model_ = static_model
        self.visit_encoder_ = visit_encoder
        self._fill = visit_encoder.fill_vector()
        self.max_visits_ = max_visits
        self.model_ = net.cpu().eval()
        self.stop_shift_ = 0.0
        if self.calibrate_stop:
            self._calibrate_stop(float(index.lengths.mean()), index.n_patients, sample_seed)
        self._sample_rng = _torch.new_rng(sample_seed)
        return self

    def _calibrate_stop(self, target: float, n_patients: int, seed: int) -> None:
        """Shift the stop head's bias so free-running samples have the training mean length.

        Teacher forcing calibrates the stop head on real histories; free-running generation
        feeds the model its own visits, which shifts the hazard a little. Up to six rounds
        of ``bias += log(generated mean / training mean)`` (the hazard of a geometric length
        is inversely proportional to the mean) on ``min(8000, max(2000, 4 n))`` patients.
        """
        assert self.model_ is not None
        layer = self.model_.stop_head[-1]
        assert isinstance(layer, nn.Linear)
        n_draw = min(8000, max(2000, 4 * n_patients))
        rng = np.random.default_rng(seed)
        for _ in range(6):
            sample = self.sample(n_draw, random_state=int(rng.integers(2**32)))
            generated = len(sample) / n_draw
            shift = math.log(generated / target)
            if abs(shift) < 0.005:
                break
            with torch.no_grad():
                layer.bias += shift
            self.stop_shift_ += shift
        self._device_model = None

    def _train(
        self, net: _VisitLSTM, data: _Sequences, device: torch.device, seed: int
    ) -> _VisitLSTM:
        optimizer = torch.optim.AdamW(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        order_rng = np.random.default_rng(seed)
        history: dict[str, list[float]] = {"loss": []}
        if data.val_patients.size:
            history["val_loss"] = []
        best, best_state, stale = math.inf, None, 0
        self.best_epoch_ = None
        bar = _torch.progress(
            range(self.epochs), total=self.epochs, desc="longitudinal_lstm", enabled=self.verbose
        )
        for epoch in bar:
            net.train()
            total = weight = 0.0
            for batch in data.batches(data.train_patients, self.batch_size, order_rng):
                loss, n_visits = self._batch_loss(net, data, batch, device)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if self.clip is not None:
                    nn.utils.clip_grad_norm_(net.parameters(), self.clip)
                optimizer.step()
                total += float(loss.detach()) * n_visits
                weight += n_visits
            history["loss"].append(total / max(weight, 1.0))
            self.n_epochs_ = epoch + 1
            if data.val_patients.size:
                current = self._evaluate(net, data, data.val_patients, device)
                history["val_loss"].append(current)
                if current < best:
                    best, stale, self.best_epoch_ = current, 0, epoch
                    best_state = copy.deepcopy(net.state_dict())
                else:
                    stale += 1
                _torch.set_postfix(bar, loss=history["loss"][-1], val=current)
                if self.patience is not None and stale >= self.patience:
                    break
            else:
                self.best_epoch_ = epoch
                _torch.set_postfix(bar, loss=history["loss"][-1])
        if best_state is not None:
            net.load_state_dict(best_state)
        self.history_ = history
        return net.eval()

    @torch.no_grad()
    def _evaluate(
        self, net: _VisitLSTM, data: _Sequences, patients: np.ndarray, device: torch.device
    ) -> float:
        net.eval()
        total = weight = 0.0
        rng = np.random.default_rng(0)
        for batch in data.batches(patients, max(self.batch_size, 256), rng):
            loss, n_visits = self._batch_loss(net, data, batch, device)
            total += float(loss) * n_visits
            weight += n_visits
        return total / max(weight, 1.0)

    def _batch_loss(
        self, net: _VisitLSTM, data: _Sequences, batch: np.ndarray, device: torch.device
    ) -> tuple[torch.Tensor, int]:
        """Mean negative log-likelihood per visit of a batch of patients (teacher forcing)."""
        b = data.gather(batch, device)
        hidden = _run_sequences(net, b)  # (B, T, H)
        # stop head: steps 1..K of each patient (target 1 at step K, the end of follow-up)
        width = net.visit_dim
        previous = b["inputs"][:, :, :width]  # the visit fed at each step (zeros first)
        sr, sc = b["stop_rows"], b["stop_cols"]
        context = torch.cat([hidden[sr, sc], b["static"][sr], previous[sr, sc]], dim=1)
        stop_logit = net.stop_head(net.context_dropout(context)).squeeze(-1)
        loss = F.binary_cross_entropy_with_logits(stop_logit, b["stop_target"], reduction="sum")
        # visit heads: steps 0..K-1 predict visits 1..K
        vr, vc = b["visit_rows"], b["visit_cols"]
        h = net.context_dropout(
            torch.cat([hidden[vr, vc], b["static"][vr], previous[vr, vc]], dim=1)
        )
        target, gap, first = b["target"], b["gap"], b["first"]
        has_gap = first < 0.5
        if bool(has_gap.any()):
            log_w, means, log_sd = net.gap_parameters(h[has_gap])
            log_prob = -_gaussian_nll(gap[has_gap, None], means, log_sd)
            loss = loss - torch.logsumexp(log_w + log_prob, dim=1).sum()
        for i, column in enumerate(net.columns):
            out = net.column_output(i, h, gap, first, target, previous[vr, vc])
            observed = None
            if column.missing is not None:
                is_missing = target[:, column.missing]
                loss = loss + F.binary_cross_entropy_with_logits(
                    out[:, 0], is_missing, reduction="sum"
                )
                observed = 1.0 - is_missing
                out = out[:, 1:]
            value = target[:, column.start : column.stop]
            if column.kind == "numerical":
                per_row = _gaussian_nll(
                    value[:, 0], out[:, 0], out[:, 1].clamp(_MIN_LOG_SD, _MAX_LOG_SD)
                )
            elif column.kind == "binary":
                per_row = F.binary_cross_entropy_with_logits(
                    out[:, 0], value[:, 0], reduction="none"
                )
            else:
                per_row = F.cross_entropy(out, value.argmax(1), reduction="none")
            loss = loss + (per_row if observed is None else per_row * observed).sum()
        n_visits = int(target.shape[0])
        return loss / max(n_visits, 1), n_visits

    # -------------------------------------------------------------------- sampling
    def _fitted(self) -> tuple[_VisitLSTM, MedVAE, TabularEncoder]:
        if self.model_ is None or self.static_model_ is None or self.visit_encoder_ is None:
            raise NotFittedError("this LongitudinalLSTM is not fitted; call fit(data) first")
        return self.model_, self.static_model_, self.visit_encoder_

    def set_random_state(self, random_state: int | None) -> None:
        """Restart the stream of seeds used by ``sample`` calls without ``random_state``."""
        self._sample_rng = _torch.new_rng(check_random_state("random_state", random_state))

    def _call_seed(self, random_state: int | None) -> int:
        seed = check_random_state("random_state", random_state)
        if seed is None:
            if self._sample_rng is None:  # pragma: no cover - set by fit
                self._sample_rng = _torch.new_rng(None)
            seed = _torch.seed_from(self._sample_rng) % 2**32
        return seed

    def _model_on_device(self) -> tuple[_VisitLSTM, torch.device]:
        net = self.model_
        assert net is not None
        try:
            device = _torch.resolve_device(self.device)
        except InvalidParameterError:
            device = torch.device("cpu")
        if device.type == "cpu":
            return net.eval(), device
        if self._device_model is None:
            self._device_model = copy.deepcopy(net).to(device).eval()
        return self._device_model, device

    def sample(self, n_patients: int, *, random_state: int | None = None) -> pd.DataFrame:
        """Generate whole patients: static features and a visit sequence each.

        Args:
            n_patients: number of patients (0 gives an empty table with the training
                columns).
            random_state: seed of this call; None draws one from the model's seed stream
                (seeded by ``random_state`` at fit, restarted by ``set_random_state``).

        Returns:
            A long table with the training columns and dtypes, sorted by id then time; ids
            are new (1..n for numeric training ids, ``"synthetic_<i>"`` otherwise).
        """
        _, static_model, _ = self._fitted()
        n_patients = check_int("n_patients", n_patients, minimum=0)
        seed = self._call_seed(random_state)
        rng = np.random.default_rng(seed)
        model, device = self._model_on_device()
        parts = []
        for start in range(0, n_patients, self.sample_batch_size):
            size = min(self.sample_batch_size, n_patients - start)
            static = static_model.sample(size, sampling="prior",
                                         random_state=int(rng.integers(2**32)))  # fmt: skip
            generator = _torch.make_generator(int(rng.integers(2**63 - 1)), device)
            parts.append(self._roll_out(model, device, static, generator, start))
        if not parts:
            meta = self._meta
            return pd.DataFrame({c: pd.Series(dtype=meta["dtypes"][c]) for c in meta["columns"]})
        return self._renumber_keys(pd.concat(parts, ignore_index=True))

    def _renumber_keys(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Fresh identifier keys over all batches, never a training key.

        One key per patient for static identifier columns, one per visit for visit ones.
        """
        assert self.static_model_ is not None and self.visit_encoder_ is not None
        static_encoder = self.static_model_.encoder_
        assert static_encoder is not None
        patient, ids = pd.factorize(frame[self.id_column])
        for encoder, per_patient in ((static_encoder, True), (self.visit_encoder_, False)):
            for spec in encoder.specs:
                if spec.role != "identifier" or spec.name not in frame.columns:
                    continue
                if per_patient:
                    keys = encoder.fresh_keys(spec.name, len(ids)).to_numpy()[patient]
                else:
                    keys = encoder.fresh_keys(spec.name, len(frame)).to_numpy()
                frame[spec.name] = keys
        return frame

    def _static_tensor(self, static: pd.DataFrame, device: torch.device) -> torch.Tensor:
        assert self.static_model_ is not None and self.static_model_.encoder_ is not None
        matrix = self.static_model_.encoder_.transform(static)
        return torch.from_numpy(np.ascontiguousarray(matrix, dtype=np.float32)).to(device)

    def _step_input(
        self, net: _VisitLSTM, static: torch.Tensor, visit: torch.Tensor | None,
        gap: torch.Tensor, since_first: torch.Tensor,
    ) -> torch.Tensor:  # fmt: skip
        n = static.shape[0]
        if visit is None:
            visit = net.bos.detach().expand(n, -1)
            flag = torch.ones(n, 1, device=static.device)
        else:
            flag = torch.zeros(n, 1, device=static.device)
        return torch.cat([visit, gap[:, None], since_first[:, None], flag, static], dim=1)

    def _draw_gap(
        self, net: _VisitLSTM, hidden: torch.Tensor, generator: torch.Generator
    ) -> torch.Tensor:
        """Gaps in time units (clipped to the training range; whole for integer times)."""
        meta = self._meta
        log_w, means, log_sd = net.gap_parameters(hidden)
        component = torch.multinomial(log_w.exp(), 1, generator=generator).squeeze(1)
        rows = torch.arange(hidden.shape[0], device=hidden.device)
        noise = torch.randn(hidden.shape[0], generator=generator, device=hidden.device)
        z = means[rows, component] + torch.exp(log_sd[rows, component]) * noise
        gap = torch.exp(z * meta["log_gap_sd"] + meta["log_gap_mean"])
        gap = gap.clamp(meta["min_gap"], meta["max_gap"])
        if meta["integer_time"]:
            gap = torch.round(gap).clamp(min=max(1.0, meta["min_gap"]))
        return gap

    def _draw_visit(
        self, net: _VisitLSTM, hidden: torch.Tensor, gap_feature: torch.Tensor,
        first: torch.Tensor, generator: torch.Generator, *, sample: bool = True,
    ) -> torch.Tensor:  # fmt: skip
        """One encoded visit per row, column by column (ancestral sampling, or modes)."""
        assert self._fill is not None
        n = hidden.shape[0]
        device = hidden.device
        fill = torch.from_numpy(self._fill.astype(np.float32)).to(device)
        visit = torch.zeros(n, fill.shape[0], device=device)

        def bernoulli(p: torch.Tensor) -> torch.Tensor:
            if not sample:
                return (p >= 0.5).float()
            return (torch.rand(p.shape, generator=generator, device=device) < p).float()

        for i, column in enumerate(net.columns):
            out = net.column_output(
                i, hidden, gap_feature, first, visit, hidden[:, -net.visit_dim :]
            )
            is_missing = None
            if column.missing is not None:
                is_missing = bernoulli(torch.sigmoid(out[:, 0]))
                out = out[:, 1:]
            if column.kind == "numerical":
                mean = out[:, 0]
                if sample:
                    sd = torch.exp(out[:, 1].clamp(_MIN_LOG_SD, _MAX_LOG_SD))
                    mean = mean + sd * torch.randn(n, generator=generator, device=device)
                if column.fold:
                    mean = mean.abs()
                    mean = torch.where(mean > 1.0, 2.0 - mean, mean)
                value = mean.clamp(0.0, 1.0)[:, None]
            elif column.kind == "binary":
                value = bernoulli(torch.sigmoid(out[:, 0]))[:, None]
            else:
                if sample:
                    code = torch.multinomial(torch.softmax(out, 1), 1, generator=generator)
                    code = code.squeeze(1)
                else:
                    code = out.argmax(1)
                value = F.one_hot(code, column.stop - column.start).float()
            if is_missing is not None:
                value = torch.where(
                    is_missing[:, None] > 0.5, fill[column.start : column.stop], value
                )
                visit[:, column.missing] = is_missing
            visit[:, column.start : column.stop] = value
        return visit

    @torch.inference_mode()
    def _roll_out(
        self,
        net: _VisitLSTM,
        device: torch.device,
        static: pd.DataFrame,
        generator: torch.Generator,
        id_offset: int,
    ) -> pd.DataFrame:
        """Free-running generation of one batch of patients (their statics are given)."""
        meta = self._meta
        assert self.max_visits_ is not None
        n = len(static)
        s = self._static_tensor(static, device)
        t0 = torch.as_tensor(static[meta["first_name"]].to_numpy(dtype=float), device=device)
        h, c = net.initial_state(s)
        previous = torch.zeros(n, net.visit_dim, device=device)
        alive = torch.arange(n, device=device)  # patient numbers still in follow-up
        last_time = t0.clone()
        inputs = self._step_input(net, s, None, torch.zeros(n, device=device),
                                  torch.zeros(n, device=device))  # fmt: skip
        rows_patient, rows_time, rows_visit = [], [], []
        for step in range(self.max_visits_ + 1):
            out, (h, c) = net.lstm(inputs[:, None, :], (h, c))
            hidden = torch.cat([out[:, 0], s, previous], dim=1)
            m = hidden.shape[0]
            if step >= 1:
                p_stop = torch.sigmoid(net.stop_head(hidden).squeeze(-1))
                keep = torch.rand(m, generator=generator, device=device) >= p_stop
                if step >= self.max_visits_:
                    keep = torch.zeros_like(keep)
                gap = self._draw_gap(net, hidden, generator)
                new_time = last_time + gap
                keep &= (new_time - t0 <= meta["max_follow_up"] + 1e-9) & (
                    new_time <= meta["max_time"] + 1e-9
                )
                if not bool(keep.any()):
                    break
                alive, hidden, gap, new_time = alive[keep], hidden[keep], gap[keep], new_time[keep]
                h, c, s = h[:, keep], c[:, keep], s[keep]
                previous = previous[keep]
                t0, last_time = t0[keep], last_time[keep]
                gap_feature = (torch.log(gap) - meta["log_gap_mean"]) / meta["log_gap_sd"]
                first = torch.zeros(len(alive), device=device)
            else:
                new_time = t0.clone()
                gap_feature = torch.zeros(m, device=device)
                first = torch.ones(m, device=device)
            visit = self._draw_visit(net, hidden, gap_feature, first, generator)
            rows_patient.append(alive.cpu().numpy())
            rows_time.append(new_time.cpu().numpy())
            rows_visit.append(visit.cpu().numpy())
            last_time = new_time
            previous = visit
            since_first = (new_time - t0) / meta["time_scale"]
            inputs = self._step_input(net, s, visit, gap_feature, since_first.float())
        patient = np.concatenate(rows_patient)
        time = np.concatenate(rows_time)
        matrix = np.concatenate(rows_visit)
        order = np.lexsort((time, patient))
        return self._assemble(
            static.reset_index(drop=True), patient[order], time[order], matrix[order],
            id_offset=id_offset,
        )  # fmt: skip

    def _assemble(
        self,
        static: pd.DataFrame,
        patient: np.ndarray,
        time: np.ndarray,
        matrix: np.ndarray,
        *,
        id_offset: int = 0,
    ) -> pd.DataFrame:
        """Long table in the training schema from per-visit patient numbers, times, visits."""
        meta = self._meta
        assert self.visit_encoder_ is not None and self.static_columns_ is not None
        visits = self.visit_encoder_.inverse_transform(matrix)
        static_rows = static.iloc[patient][self.static_columns_].reset_index(drop=True)
        ids = patient + id_offset + 1
        dtype = meta["dtypes"][self.id_column]
        if meta["id_numeric"]:
            id_values = pd.Series(ids).astype(dtype)
        else:
            id_values = pd.Series([f"synthetic_{i}" for i in ids], dtype=object)
            if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
                id_values = id_values.astype(str if dtype is np.dtype(object) else dtype)
        time_values = pd.Series(time)
        if meta["integer_time"]:
            time_values = time_values.round()
        try:
            time_values = time_values.astype(meta["dtypes"][self.time_column])
        except (TypeError, ValueError):  # pragma: no cover - numeric dtypes always cast
            pass
        frame = pd.DataFrame({self.id_column: id_values, self.time_column: time_values})
        for column in self.static_columns_:
            frame[column] = static_rows[column].to_numpy()
            frame[column] = frame[column].astype(static_rows[column].dtype)
        for column in visits.columns:
            frame[column] = visits[column].to_numpy()
            frame[column] = frame[column].astype(visits[column].dtype)
        frame = frame[meta["columns"]]
        for column in meta["columns"]:
            want = meta["dtypes"][column]
            parsed = pd.api.types.is_object_dtype(want) and pd.api.types.is_numeric_dtype(
                frame[column]
            )
            if frame[column].dtype != want and not frame[column].isna().any() and not parsed:
                try:
                    frame[column] = frame[column].astype(want)
                except (TypeError, ValueError):
                    pass
        return frame.reset_index(drop=True)

    # ------------------------------------------------------------ next-visit mode
    @torch.inference_mode()
    def predict_next_visit(
        self,
        history: pd.DataFrame,
        *,
        sample: bool = True,
        random_state: int | None = None,
        return_stop_probability: bool = False,
    ) -> pd.DataFrame:
        """Predict each patient's next visit given their real history (seeded mode).

        The static vector comes from each patient's own static values and first visit time;
        the LSTM reads the whole history, then the gap and visit heads give the next visit
        (ignoring the stop head: a next visit is always predicted).

        Args:
            history: long table with the training columns (any patients, at least one visit
                each; same checks as ``fit``).
            sample: draw the next visit (True), or take the most likely value of every head
                (False: the most probable gap component's median, modes and means).
            random_state: seed of the draws (``sample=True``); None uses the seed stream.
            return_stop_probability: add a ``stop_probability`` column: the model's
                probability that follow-up ends after the last visit of the history.

        Returns:
            One row per patient of ``history`` (in order of first appearance) with the
            training columns: the patient's id and static values, the predicted time and
            the predicted visit values.
        """
        _, static_model, encoder = self._fitted()
        meta = self._meta
        data = check_long_format(history, self.id_column, self.time_column, name="history")
        expected = meta["columns"]
        missing = [c for c in expected if c not in data.columns]
        if missing:
            raise InvalidDataError(f"history lacks the training columns {missing}")
        assert self.static_columns_ is not None and self.visit_columns_ is not None
        check_static_columns(data, self.id_column, self.time_column, self.static_columns_)
        index = patient_index(data, self.id_column)
        model, device = self._model_on_device()
        generator = _torch.make_generator(self._call_seed(random_state), device)
        times = data[self.time_column].to_numpy(dtype=float)
        static = data.iloc[index.starts][self.static_columns_].reset_index(drop=True)
        static[meta["first_name"]] = times[index.starts]
        visits = encoder.transform(data[self.visit_columns_])
        static_matrix = static_model.encoder_.transform(static)
        seqs = _Sequences.build(visits, static_matrix, times, index, meta, 0.0, 0)
        parts = []
        for start in range(0, index.n_patients, self.sample_batch_size):
            batch = np.arange(start, min(start + self.sample_batch_size, index.n_patients))
            b = seqs.gather(batch, device)
            hidden = _run_sequences(model, b)
            rows = torch.arange(len(batch), device=device)
            last = torch.cat(
                [hidden[rows, b["steps"] - 1], b["static"],
                 b["inputs"][rows, b["steps"] - 1, : model.visit_dim]], dim=1,
            )  # fmt: skip
            p_stop = torch.sigmoid(model.stop_head(last).squeeze(-1))
            if sample:
                gap = self._draw_gap(model, last, generator)
            else:
                log_w, means, _ = model.gap_parameters(last)
                best = log_w.argmax(1)
                z = means[torch.arange(len(batch), device=device), best]
                gap = torch.exp(z * meta["log_gap_sd"] + meta["log_gap_mean"])
                gap = gap.clamp(meta["min_gap"], meta["max_gap"])
                if meta["integer_time"]:
                    gap = torch.round(gap).clamp(min=max(1.0, meta["min_gap"]))
            gap_feature = (torch.log(gap) - meta["log_gap_mean"]) / meta["log_gap_sd"]
            first = torch.zeros(len(batch), device=device)
            visit = self._draw_visit(model, last, gap_feature, first, generator, sample=sample)
            last_time = torch.as_tensor(
                times[index.starts[batch] + index.lengths[batch] - 1], device=device
            )
            frame = self._assemble(
                static, batch, (last_time + gap).cpu().numpy(), visit.cpu().numpy()
            )
            frame[self.id_column] = index.ids[batch]
            if return_stop_probability:
                frame["stop_probability"] = p_stop.cpu().numpy()
            parts.append(frame)
        result = pd.concat(parts, ignore_index=True)
        result[self.id_column] = result[self.id_column].astype(data[self.id_column].dtype)
        return result

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_device_model"] = None  # a device copy is rebuilt on demand
        return state


# --------------------------------------------------------------------- training data
@dataclass
class _Sequences:
    """Flat visit tensors plus the per-patient index, and padded batch assembly."""

    visits: np.ndarray  # (n_visits, F) encoded visits
    gap_feature: np.ndarray  # (n_visits,) standardised log gap before the visit (0: first)
    since_first: np.ndarray  # (n_visits,) time since the first visit / time_scale
    static: np.ndarray  # (n_patients, S)
    starts: np.ndarray
    lengths: np.ndarray
    train_patients: np.ndarray
    val_patients: np.ndarray

    @classmethod
    def build(
        cls,
        visits: np.ndarray,
        static: np.ndarray,
        times: np.ndarray,
        index: PatientIndex,
        meta: Mapping[str, Any],
        validation_fraction: float,
        split_seed: int,
    ) -> _Sequences:
        """Derive gap and time features; split patients into training and validation."""
        position = index.position_of_row()
        first_time = np.repeat(times[index.starts], index.lengths)
        gaps = np.zeros_like(times)
        gaps[1:] = np.diff(times)
        gap_feature = np.where(
            position > 0,
            (np.log(np.maximum(gaps, 1e-12)) - meta["log_gap_mean"]) / meta["log_gap_sd"],
            0.0,
        )
        since_first = (times - first_time) / meta["time_scale"]
        if validation_fraction > 0:
            train, val = _nn.split_rows(index.n_patients, validation_fraction, split_seed)
        else:
            train, val = np.arange(index.n_patients), np.zeros(0, dtype=np.int64)
        return cls(
            visits=np.ascontiguousarray(visits, dtype=np.float32),
            gap_feature=gap_feature.astype(np.float32),
            since_first=since_first.astype(np.float32),
            static=np.ascontiguousarray(static, dtype=np.float32),
            starts=index.starts,
            lengths=index.lengths,
            train_patients=train,
            val_patients=val,
        )

    def repeat_rate(self, column: _Column) -> float | None:
        """Share of consecutive visit pairs with the same level of a categorical column."""
        later = self.position() > 0
        if not later.any():
            return None
        block = self.visits[:, column.start : column.stop].argmax(1)
        index = np.flatnonzero(later)
        return float(np.mean(block[index] == block[index - 1]))

    def position(self) -> np.ndarray:
        """The visit number within its patient (0-based) of every visit."""
        return np.arange(len(self.visits)) - np.repeat(self.starts, self.lengths)

    def batches(
        self, patients: np.ndarray, batch_size: int, rng: np.random.Generator
    ) -> list[np.ndarray]:
        """Shuffled batches of patients.

        Batches are not bucketed by length: with gradient clipping, batches of long
        sequences would be clipped more than batches of short ones and the stop rate would be
        biased. Packed sequences make the LSTM skip padding anyway.
        """
        if patients.size == 0:
            return []
        order = patients[rng.permutation(patients.size)]
        return [order[i : i + batch_size] for i in range(0, order.size, batch_size)]

    def gather(self, batch: np.ndarray, device: torch.device) -> dict[str, torch.Tensor]:
        """Padded step inputs and flattened targets of a batch of patients.

        A patient with ``K`` visits has ``K + 1`` steps: the inputs are ``BOS, v_1..v_K``;
        step ``k < K`` predicts visit ``k + 1``; steps ``1..K`` carry the stop target (1 at
        step ``K``).
        """
        lengths = self.lengths[batch]
        n, width = len(batch), self.visits.shape[1]
        steps = lengths + 1
        t_max = int(steps.max())
        k = np.arange(t_max - 1)
        valid = k[None, :] < lengths[:, None]  # (n, T-1): visit k exists
        rows = np.where(valid, self.starts[batch][:, None] + k[None, :], 0)
        visit_pad = self.visits[rows] * valid[..., None]
        gap_pad = self.gap_feature[rows] * valid
        since_pad = self.since_first[rows] * valid
        inputs = np.zeros((n, t_max, width + 3 + self.static.shape[1]), dtype=np.float32)
        inputs[:, 1:, :width] = visit_pad
        inputs[:, 1:, width] = gap_pad
        inputs[:, 1:, width + 1] = since_pad
        inputs[:, 0, width + 2] = 1.0
        inputs[:, :, width + 3 :] = self.static[batch][:, None, :]
        visit_rows, visit_cols = np.nonzero(valid)
        flat = rows[visit_rows, visit_cols]
        stop_valid = (np.arange(t_max)[None, :] >= 1) & (
            np.arange(t_max)[None, :] <= lengths[:, None]
        )
        stop_rows, stop_cols = np.nonzero(stop_valid)
        as_tensor = lambda a, dtype=torch.float32: torch.as_tensor(a, dtype=dtype, device=device)  # noqa: E731
        tensors = {
            "inputs": torch.from_numpy(inputs).to(device),
            "static": as_tensor(self.static[batch]),
            "steps": as_tensor(steps, torch.int64),
            "visit_rows": as_tensor(visit_rows, torch.int64),
            "visit_cols": as_tensor(visit_cols, torch.int64),
            "target": as_tensor(self.visits[flat]),
            "gap": as_tensor(self.gap_feature[flat]),
            "first": as_tensor((visit_cols == 0).astype(np.float32)),
            "stop_rows": as_tensor(stop_rows, torch.int64),
            "stop_cols": as_tensor(stop_cols, torch.int64),
            "stop_target": as_tensor((stop_cols == lengths[stop_rows]).astype(np.float32)),
        }
        return tensors

"""Stage B network: the static-conditioned visit LSTM and its stop, gap and column heads."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from synth_plugins.generators.longitudinal_lstm._layout import STEP_RADIUS, VisitColumn
from synth_plugins.generators.longitudinal_lstm._sequences import MIN_SD_RATIO, Sequences

#: Bounds of predicted log standard deviations (numerical values, log gaps).
MIN_LOG_SD, MAX_LOG_SD = -7.0, 2.0

#: The residual of a numerical visit value after the first visit (``residuals``):
#: ``"gaussian"``, or ``"scale_mixture"``: a Gaussian with a wider Gaussian of the same mean
#: for a learned share of the visits (per column), so that most visit-to-visit changes are
#: small and a few large, as in real follow-up (method card, *Heavy-tailed changes*).
Residuals = Literal["gaussian", "scale_mixture"]
RESIDUALS: tuple[Residuals, ...] = ("gaussian", "scale_mixture")
#: Bounds of the wide component's share of a scale-mixture residual in the likelihood.
MIN_WIDE_SHARE = 1e-6


def mlp_head(in_features: int, hidden: int, out_features: int) -> nn.Sequential:
    """A one-hidden-layer ReLU MLP (every output head)."""
    return nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, out_features))


class VisitLSTM(nn.Module):
    """Stage B: the static-conditioned LSTM with stop, gap and per-column visit heads."""

    def __init__(
        self,
        *,
        static_dim: int,
        columns: tuple[VisitColumn, ...],
        visit_dim: int,
        hidden_size: int,
        num_layers: int,
        dropout: float,
        gap_components: int,
        head_hidden: int,
        lookahead: tuple[int, ...] = (),
        residuals: Residuals = "gaussian",
    ) -> None:
        super().__init__()
        self.columns = columns
        self.residuals = residuals
        # visit columns whose value tells what comes after the visit (the start-stop
        # layout's stop column: the next visit's time, or the end of follow-up): drawn, but
        # never read (0 in every input), so that the stop and gap heads decide from the
        # history, not from a drawn future (method card, *Start-stop tables*)
        self.lookahead = lookahead
        visible = torch.ones(visit_dim)
        for index in lookahead:
            visible[columns[index].start : columns[index].end] = 0.0
        self.register_buffer("visible", visible)
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
        self.stop_head = mlp_head(context, head_hidden, 1)
        # stop logit offset of the first decision (after the first visit): the share of
        # patients seen once is often far from the later hazard (half of a registry against
        # 1 in 6 later), and a short training does not learn the jump from the history
        self.first_stop = nn.Parameter(torch.zeros(()))
        self.gap_head = mlp_head(context, head_hidden, 3 * gap_components)
        self.column_heads = nn.ModuleList(
            mlp_head(context + 2 + column.start, head_hidden, column.n_outputs)
            for column in columns
        )
        # carry-forward bias of categorical columns: + copy[i] + the head's carry output on
        # the logit of the previous visit's level (a state that rarely changes, such as the
        # treatment, and changes more often in some contexts, such as after a relapse)
        self.copy = nn.Parameter(torch.zeros(len(columns)))
        # ordinal columns after the first visit: weight of the absolute level logits next to
        # the step kernel (0 at the start: a random walk from the previous level)
        self.level_gate = nn.Parameter(torch.zeros(len(columns)))
        # numerical columns after the first visit, where the previous value is observed:
        # mean + value_slope * (previous value - centre) + mean_slope * (running mean -
        # centre), log SD + later_log_sd (set at the training regression by
        # init_marginals, so an untrained model keeps the table's within-patient
        # correlation and each patient's own level; a trend is left to training)
        self.value_slope = nn.Parameter(torch.zeros(len(columns)))
        self.mean_slope = nn.Parameter(torch.zeros(len(columns)))
        self.later_log_sd = nn.Parameter(torch.zeros(len(columns)))
        self.register_buffer("value_centre", torch.zeros(len(columns)))
        # residuals="scale_mixture": the share of the wide component (its logit) and its
        # SD over the narrow one's (log ratio = softplus(wide_spread) >= 0), per column;
        # set from the training regression's residuals by init_marginals
        self.wide_logit = nn.Parameter(torch.zeros(len(columns)))
        self.wide_spread = nn.Parameter(torch.zeros(len(columns)))
        # later-visit logit offsets per level of categorical and binary columns, set by the
        # post-training calibration (column position -> one offset per level)
        self.later_offsets: dict[int, torch.Tensor] = {}

    @torch.no_grad()
    def init_marginals(self, data: Sequences) -> None:
        """Start every head at the training marginals: small final weights, fitted biases.

        The stop head starts at the pooled end-of-follow-up rate of the later decisions and
        ``first_stop`` at the first decision's rate (the share of one-visit patients) against
        it, the gap mixture at spread quantiles of the log gaps, each column head at its
        level frequencies (numerical: mean and SD, and for later visits the regression on
        the previous value and the running mean, with ``residuals="scale_mixture"`` the
        two scales and the wide share fitted to its residuals; missingness: the missing
        rate; a look-ahead column: mean and SD of last visits, no regression). Training
        then learns the dependence on the history instead of first spending its steps on the
        marginals.
        """

        def final(head: nn.Sequential) -> nn.Linear:
            layer = head[-1]
            assert isinstance(layer, nn.Linear)
            layer.weight.mul_(0.1)
            return layer

        def logit(p: float) -> float:
            p = min(max(p, 1e-4), 1 - 1e-4)
            return math.log(p / (1 - p))

        lengths = data.lengths
        later = logit(float(np.sum(lengths > 1)) / max(float(np.sum(lengths - 1)), 1.0))
        final(self.stop_head).bias.fill_(later)
        self.first_stop.fill_(logit(float(np.mean(lengths == 1))) - later)
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
        for index, (column, head) in enumerate(zip(self.columns, self.column_heads)):
            bias = final(head).bias
            offset = 0
            observed = column.observed(visits)
            if column.missing is not None:
                bias[0] = logit(float(visits[:, column.missing].mean()))
                offset = 1
            if index in self.lookahead:  # its head is trained on last visits only
                observed &= data.last
            values = visits[observed, column.start : column.stop]
            if values.size == 0:
                continue
            if column.ordinal:
                self._init_steps(column, bias[offset:], data, values)
                continue
            if column.kind == "categorical":
                # carry-forward strength from how often a level repeats at the next visit
                repeat = data.repeat_rate(column)
                chance = float(np.sum(values.mean(0) ** 2))
                if repeat is not None and repeat > chance > 0:
                    self.copy[index] = float(np.clip(math.log(repeat / chance), 0.0, 6.0))
            if column.kind == "numerical":
                bias[offset] = float(values.mean())
                bias[offset + 1] = math.log(max(float(values.std()), 1e-3))
                fit = None if index in self.lookahead else data.value_regression(index, column)
                if fit is not None:
                    self.value_centre[index] = fit.centre
                    self.value_slope[index] = float(np.clip(fit.slope, -1.0, 1.0))
                    self.mean_slope[index] = float(np.clip(fit.mean_slope, -1.0, 1.0))
                    self.later_log_sd[index] = min(fit.log_sd_ratio, 0.0)
                    if self.residuals == "scale_mixture":
                        share, narrow, ratio = scale_mixture_fit(fit.residual)
                        self.later_log_sd[index] = min(math.log(max(narrow, MIN_SD_RATIO)), 0.0)
                        self.wide_logit[index] = logit(share)
                        # softplus^-1 of the log ratio
                        self.wide_spread[index] = math.log(math.expm1(math.log(ratio)))
            elif column.kind == "binary":
                bias[offset] = logit(float(values.mean()))
            else:
                freq = np.clip(values.mean(0), 1e-4, None)
                levels = column.stop - column.start
                bias[offset : offset + levels] = torch.as_tensor(
                    np.log(freq / freq.sum()), dtype=bias.dtype
                )
                bias[offset + levels :] = 0.0  # the step kernel or carry output: neutral

    @staticmethod
    def _init_steps(
        column: VisitColumn, bias: torch.Tensor, data: Sequences, values: np.ndarray
    ) -> None:
        """Ordinal head: level logits at the marginal, the step kernel at the moves' shares.

        Later visits then start as a random walk with the training drift (the level logits
        are gated off after the first visit); moves beyond ``STEP_RADIUS`` keep their share
        through the other levels' logit 0.
        """
        levels = column.stop - column.start
        freq = np.clip(values.mean(0), 1e-4, None)
        bias[:levels] = torch.as_tensor(np.log(freq / freq.sum()), dtype=bias.dtype)
        rates = data.move_rates(column, STEP_RADIUS)
        bias[levels:] = 0.0
        if rates is None:
            return
        shares, beyond = rates
        others = max(levels - (2 * STEP_RADIUS + 1), 1)
        scale = math.log(others / max(beyond, 1e-3))
        steps = np.log(np.clip(shares, 1e-4, None)) + scale
        bias[levels:] = torch.as_tensor(steps, dtype=bias.dtype)

    def __setstate__(self, state: dict[str, object]) -> None:
        """Unpickle; fits pickled before an added parameter get its neutral value (0)."""
        super().__setstate__(state)
        if "first_stop" not in self._parameters:
            self.first_stop = nn.Parameter(torch.zeros(()))
        if "value_slope" not in self._parameters:
            self.value_slope = nn.Parameter(torch.zeros(len(self.columns)))
            self.later_log_sd = nn.Parameter(torch.zeros(len(self.columns)))
            self.register_buffer("value_centre", torch.zeros(len(self.columns)))
        if "mean_slope" not in self._parameters:
            self.mean_slope = nn.Parameter(torch.zeros(len(self.columns)))
        if "wide_logit" not in self._parameters:  # fitted before the scale mixture
            self.residuals = "gaussian"
            self.wide_logit = nn.Parameter(torch.zeros(len(self.columns)))
            self.wide_spread = nn.Parameter(torch.zeros(len(self.columns)))
        if "visible" not in self._buffers:  # fitted before look-ahead columns were hidden
            self.lookahead = ()
            self.register_buffer("visible", torch.ones(self.bos.shape[0]))

    def stop_logit(self, context: torch.Tensor, first: torch.Tensor | float) -> torch.Tensor:
        """Logits ``(n,)`` that follow-up ends, given the heads' context.

        ``first`` is 1 for the first decision (after the first visit) and 0 later: it adds
        ``first_stop``.
        """
        return self.stop_head(context).squeeze(-1) + first * self.first_stop

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
            log_sd.clamp(MIN_LOG_SD, MAX_LOG_SD),
        )

    def column_output(
        self, index: int, hidden: torch.Tensor, gap: torch.Tensor, first: torch.Tensor,
        visit: torch.Tensor, previous: torch.Tensor, running_mean: torch.Tensor,
    ) -> torch.Tensor:  # fmt: skip
        """Head ``index`` given the context, gap, first-visit flag, earlier columns.

        ``running_mean`` ``(n, columns)`` holds each numerical column's mean of the
        patient's observed values up to the previous visit (:func:`running_means`).

        Earlier look-ahead columns are read as 0, as in ``visible``.

        Calibrated categorical and binary columns get their later-visit level offsets.
        Categorical outputs get the carry-forward bias on the previous visit's level: the
        learned constant ``copy`` plus the head's last output, so that how sticky the level
        is can depend on the context (a treatment switch is 5 times as likely at a visit
        with a relapse in the MS registry; with a constant bias the head has to learn the
        product of the previous level and the relapse, which a short training misses). For an
        ordinal column the head's last ``2 STEP_RADIUS + 1`` outputs are the logits of a move
        of ``+STEP_RADIUS .. -STEP_RADIUS`` levels from the previous level; after the first
        visit they are added to the absolute level logits scaled by a learned gate (0 at
        the start). A drift such as "one EDSS step up, more likely after a long gap" is then
        the same output whatever the current level. With absolute level logits only, each
        level's next level is a separate map that a short training learns only towards the
        marginal, and long synthetic trajectories reverted to the mean (see the method
        card). A numerical column after the first visit, where the previous value is
        observed, adds ``value_slope * (previous - value_centre) + mean_slope *
        (running mean - value_centre)`` to the mean and ``later_log_sd`` to the log SD: the
        regression on the previous value and the patient's own level, which the head
        corrects with the context. With the previous value alone, each synthetic patient
        drifted back to the table's centre over follow-up, where real patients keep their
        level (method card, *Numerical visit values*). With ``residuals="scale_mixture"``
        a numerical column's value parameters go on with the wide component's share (0 on
        a first visit or after a missing value: a Gaussian there) and its log SD
        (:func:`value_nll`, :func:`draw_value`). The result has the missingness logit (if
        any) then the value parameters (mean and log SD, or one logit per level).
        """
        column = self.columns[index]
        earlier = visit[:, : column.start] * self.visible[: column.start]
        inputs = torch.cat([hidden, gap[:, None], first[:, None], earlier], dim=1)
        out = self.column_heads[index](inputs)
        offsets = self.later_offsets.get(index)
        if offsets is not None:
            offsets = offsets.to(out.device)
            if column.kind == "binary":  # the logit of level 1 against level 0
                offsets = offsets[1:] - offsets[:1]
            later = (1.0 - first)[:, None] * offsets
            offset = int(column.missing is not None)
            end = offset + later.shape[1]
            out = torch.cat([out[:, :offset], out[:, offset:end] + later, out[:, end:]], dim=1)
        if column.kind == "numerical":
            offset = int(column.missing is not None)
            later = 1.0 - first
            if column.missing is not None:
                later = later * (1.0 - previous[:, column.missing])
            centre = self.value_centre[index]
            shift = self.value_slope[index] * (previous[:, column.start] - centre)
            if index not in self.lookahead:  # its running mean is of drawn, unread values
                shift = shift + self.mean_slope[index] * (running_mean[:, index] - centre)
            mean = out[:, offset] + later * shift
            log_sd = out[:, offset + 1] + later * self.later_log_sd[index]
            values = [mean, log_sd]
            if self.residuals == "scale_mixture":
                share = later * torch.sigmoid(self.wide_logit[index])
                values += [share, log_sd + F.softplus(self.wide_spread[index])]
            out = torch.cat([out[:, :offset], torch.stack(values, dim=1)], dim=1)
        if column.kind == "categorical":
            offset = int(column.missing is not None)
            levels = column.stop - column.start
            prev = previous[:, column.start : column.stop]
            logits = out[:, offset : offset + levels]
            if column.ordinal:
                # after the first visit: gated level logits + the step kernel;
                # windows[:, w, j] = prev[:, j + w - R]: level j is a move of R - w levels
                gate = first + (1.0 - first) * self.level_gate[index]
                padded = F.pad(prev, (STEP_RADIUS, STEP_RADIUS))
                windows = padded.unfold(1, levels, 1)
                steps = out[:, offset + levels :] * (1.0 - first)[:, None]
                logits = logits * gate[:, None] + torch.einsum("nw,nwl->nl", steps, windows)
            else:
                carry = self.copy[index]
                if out.shape[1] > offset + levels:  # fits pickled before the carry output lack it
                    carry = carry + out[:, offset + levels, None]
                logits = logits + carry * prev
            out = torch.cat([out[:, :offset], logits], dim=1)
        return out


def run_sequences(net: VisitLSTM, batch: Mapping[str, torch.Tensor]) -> torch.Tensor:
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


def gaussian_nll(x: torch.Tensor, mean: torch.Tensor, log_sd: torch.Tensor) -> torch.Tensor:
    """Elementwise negative log-density of a Gaussian with the given mean and log SD."""
    return 0.5 * ((x - mean) * torch.exp(-log_sd)) ** 2 + log_sd + 0.5 * math.log(2 * math.pi)


def value_nll(value: torch.Tensor, parameters: torch.Tensor) -> torch.Tensor:
    """Elementwise negative log-density of numerical values given a head's value parameters.

    ``parameters`` ``(n, 2)`` holds the mean and log SD of a Gaussian, ``(n, 4)`` also the
    wide component's share and log SD of a scale mixture (:meth:`VisitLSTM.column_output`).
    """
    mean = parameters[:, 0]
    nll = gaussian_nll(value, mean, parameters[:, 1].clamp(MIN_LOG_SD, MAX_LOG_SD))
    if parameters.shape[1] == 2:
        return nll
    share = parameters[:, 2].clamp(MIN_WIDE_SHARE, 1.0 - MIN_WIDE_SHARE)
    wide = gaussian_nll(value, mean, parameters[:, 3].clamp(MIN_LOG_SD, MAX_LOG_SD))
    return -torch.logaddexp(torch.log1p(-share) - nll, torch.log(share) - wide)


def draw_value(parameters: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One numerical value per row from a head's value parameters (see :func:`value_nll`).

    A Gaussian draws one normal per row; a scale mixture first one uniform per row (the
    wide component where it falls under the share), then the normal.
    """
    n, device = parameters.shape[0], parameters.device
    sd = torch.exp(parameters[:, 1].clamp(MIN_LOG_SD, MAX_LOG_SD))
    if parameters.shape[1] > 2:
        wide = torch.rand(n, generator=generator, device=device) < parameters[:, 2]
        wide_sd = torch.exp(parameters[:, 3].clamp(MIN_LOG_SD, MAX_LOG_SD))
        sd = torch.where(wide, wide_sd, sd)
    return parameters[:, 0] + sd * torch.randn(n, generator=generator, device=device)


def scale_mixture_fit(residual: np.ndarray, iterations: int = 200) -> tuple[float, float, float]:
    """Share of the wide component, narrow SD and wide-over-narrow SD ratio of residuals.

    A zero-mean two-scale Gaussian mixture fitted by expectation-maximisation, the start of
    a ``residuals="scale_mixture"`` column's training; the share is kept in [0.01, 0.5] and
    the ratio at least 1.1, so that training starts from two distinct scales.
    """
    squares = np.square(residual.astype(np.float64))
    total = max(float(squares.mean()), 1e-12)
    share, narrow, wide = 0.1, 0.5 * total, 4.0 * total  # variances
    for _ in range(iterations):
        log_narrow = np.log1p(-share) - 0.5 * (np.log(narrow) + squares / narrow)
        log_wide = np.log(share) - 0.5 * (np.log(wide) + squares / wide)
        weight = 1.0 / (1.0 + np.exp(np.clip(log_narrow - log_wide, -50.0, 50.0)))
        share = float(np.clip(weight.mean(), 0.01, 0.5))
        narrow = max(float(np.sum((1 - weight) * squares) / max(np.sum(1 - weight), 1e-12)), 1e-12)
        wide = max(float(np.sum(weight * squares) / max(np.sum(weight), 1e-12)), narrow)
    narrow_sd = math.sqrt(narrow)
    return share, narrow_sd, max(math.sqrt(wide) / narrow_sd, 1.1)

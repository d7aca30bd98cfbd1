"""Free-running sampling of visits: gap and visit draws, and the batch roll-out."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from synth_plugins.generators._torch import reflect_into_range
from synth_plugins.generators.longitudinal_lstm._consistency import ChangeRule
from synth_plugins.generators.longitudinal_lstm._network import VisitLSTM, draw_value


def step_input(
    net: VisitLSTM, static: torch.Tensor, visit: torch.Tensor | None,
    gap: torch.Tensor, since_first: torch.Tensor,
) -> torch.Tensor:  # fmt: skip
    """The LSTM input of one step: visit (BOS when None), gap, time, first flag, static."""
    n = static.shape[0]
    if visit is None:
        visit = net.bos.detach().expand(n, -1)
        flag = torch.ones(n, 1, device=static.device)
    else:
        flag = torch.zeros(n, 1, device=static.device)
    return torch.cat([visit, gap[:, None], since_first[:, None], flag, static], dim=1)


def draw_category(probabilities: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One category per row by inverse-CDF sampling (one uniform per row).

    Same distribution as ``torch.multinomial(p, 1)``, at a fraction of its cost on CPU
    (multinomial was a tenth of the sampler's time in a profile).
    """
    u = torch.rand(probabilities.shape[0], 1, generator=generator, device=probabilities.device)
    cdf = probabilities.cumsum(1)
    code = (cdf < u * cdf[:, -1:]).sum(1)
    return code.clamp_(max=probabilities.shape[1] - 1)


def time_decimals(meta: Mapping[str, Any]) -> int | None:
    """The decimals generated times are written at: the training times' (None: not rounded).

    Whole times have 0. A model fitted before the decimals were recorded rounds whole times
    only, as it did.
    """
    return meta.get("time_decimals", 0 if meta["integer_time"] else None)


def on_time_grid(gap: torch.Tensor, meta: Mapping[str, Any]) -> torch.Tensor:
    """Gaps at the training times' precision, none shorter than the shortest training gap.

    The shortest gap is taken up to the grid (one unit for whole times). A time is the
    first time (written at the training precision by Stage A) plus such gaps, so generated
    times keep the training precision and stay strictly increasing once rounded to it.
    """
    decimals = time_decimals(meta)
    if decimals is None:
        return gap
    step = 10.0**-decimals
    shortest = step * max(1, math.ceil(meta["min_gap"] / step - 1e-6))
    return torch.round(gap, decimals=decimals).clamp(min=shortest)


def draw_gap(
    net: VisitLSTM, hidden: torch.Tensor, meta: Mapping[str, Any], generator: torch.Generator
) -> torch.Tensor:
    """Gaps in time units (clipped to the training range; at the training precision)."""
    log_w, means, log_sd = net.gap_parameters(hidden)
    component = draw_category(log_w.exp(), generator)
    rows = torch.arange(hidden.shape[0], device=hidden.device)
    noise = torch.randn(hidden.shape[0], generator=generator, device=hidden.device)
    z = means[rows, component] + torch.exp(log_sd[rows, component]) * noise
    gap = torch.exp(z * meta["log_gap_sd"] + meta["log_gap_mean"])
    return on_time_grid(gap.clamp(meta["min_gap"], meta["max_gap"]), meta)


def draw_visit(
    net: VisitLSTM, hidden: torch.Tensor, gap_feature: torch.Tensor, first: torch.Tensor,
    running_mean: torch.Tensor, fill: np.ndarray, generator: torch.Generator, *,
    sample: bool = True, rules: Sequence[ChangeRule] = (),
) -> torch.Tensor:  # fmt: skip
    """One encoded visit per row, column by column (ancestral sampling, or modes).

    ``hidden`` is the heads' context ``[LSTM state, static vector, previous visit]``;
    ``running_mean`` the numerical columns' running means up to the previous visit
    (:class:`RunningMeans`); ``fill`` the encoded values written where a value is drawn
    missing. Each change rule holds on every row: an indicator drawn after its tracked
    column is computed from it (its head is not used); an indicator drawn before takes the
    rule's first value at first visits (its head draws later visits only), and its tracked
    column repeats the previous visit where the indicator is 0 and avoids the previous
    value where it is 1.
    """
    n = hidden.shape[0]
    device = hidden.device
    fill_values = torch.from_numpy(fill.astype(np.float32)).to(device)
    visit = torch.zeros(n, fill_values.shape[0], device=device)
    previous = hidden[:, -net.visit_dim :]
    later = first < 0.5
    computed = {r.indicator: r for r in rules if r.tracked < r.indicator}
    constrained = {r.tracked: r for r in rules if r.indicator < r.tracked}
    leading = {r.indicator: r for r in rules if r.indicator < r.tracked}

    def bernoulli(p: torch.Tensor) -> torch.Tensor:
        if not sample:
            return (p >= 0.5).float()
        return (torch.rand(p.shape, generator=generator, device=device) < p).float()

    for i, column in enumerate(net.columns):
        if i in computed:
            rule = computed[i]
            tracked = net.columns[rule.tracked]
            block = slice(tracked.start, tracked.end)
            changed = (visit[:, block] != previous[:, block]).any(1).float()
            visit[:, column.start] = torch.where(later, changed, rule.first_value)
            continue
        out = net.column_output(i, hidden, gap_feature, first, visit, previous, running_mean)
        stay = move = None
        if i in constrained:
            flag = visit[:, net.columns[constrained[i].indicator].start] > 0.5
            stay, move = later & ~flag, later & flag
        is_missing = None
        if column.missing is not None:
            is_missing = bernoulli(torch.sigmoid(out[:, 0]))
            if move is not None:  # a change from "missing" is to an observed value
                was_missing = previous[:, column.missing] > 0.5
                is_missing = torch.where(move & was_missing, 0.0, is_missing)
            out = out[:, 1:]
        if column.kind == "numerical":
            mean = draw_value(out, generator) if sample else out[:, 0]
            # past an end one training row holds (or any end of a datetime): back inside
            mean = reflect_into_range(
                mean,
                column.low,
                column.high,
                column.fold or column.reflect_low,
                column.fold or column.reflect_high,
            )
            value = mean.clamp(column.low, column.high)[:, None]
        elif column.kind == "binary":
            value = bernoulli(torch.sigmoid(out[:, 0]))[:, None]
            if move is not None:
                flipped = 1.0 - previous[:, column.start : column.stop]
                value = torch.where(move[:, None], flipped, value)
        else:
            if move is not None:  # never the previous level
                was = previous[:, column.start : column.stop] > 0.5
                out = out.masked_fill(move[:, None] & was, float("-inf"))
            if sample:
                code = draw_category(torch.softmax(out, 1), generator)
            else:
                code = out.argmax(1)
            value = F.one_hot(code, column.stop - column.start).float()
        if is_missing is not None:
            value = torch.where(
                is_missing[:, None] > 0.5, fill_values[column.start : column.stop], value
            )
            visit[:, column.missing] = is_missing
        if i in leading:  # a first visit has no previous one to change from
            value = torch.where(later[:, None], value, leading[i].first_value)
        visit[:, column.start : column.stop] = value
        if stay is not None:
            block = slice(column.start, column.end)
            visit[:, block] = torch.where(stay[:, None], previous[:, block], visit[:, block])
    return visit


class RunningMeans:
    """Each generated patient's running mean of every numerical visit column.

    The free-running counterpart of :func:`running_means` (training): sums and counts of
    the values drawn observed so far, updated after each visit.
    """

    def __init__(self, net: VisitLSTM, n: int, device: torch.device) -> None:
        self.columns = [
            (position, column) for position, column in enumerate(net.columns)
            if column.kind == "numerical"
        ]  # fmt: skip
        self.sums = torch.zeros(n, len(net.columns), device=device)
        self.counts = torch.zeros(n, len(net.columns), device=device)

    def add(self, visit: torch.Tensor) -> None:
        """Count the numerical values of one visit per patient (those drawn observed)."""
        for position, column in self.columns:
            observed = torch.ones_like(visit[:, 0])
            if column.missing is not None:
                observed = 1.0 - visit[:, column.missing]
            self.sums[:, position] += visit[:, column.start] * observed
            self.counts[:, position] += observed

    def keep(self, rows: torch.Tensor) -> None:
        """Keep the patients still in follow-up (a boolean mask)."""
        self.sums, self.counts = self.sums[rows], self.counts[rows]

    @property
    def means(self) -> torch.Tensor:
        """``(n, columns)`` the running means (0 before a value is observed)."""
        return self.sums / self.counts.clamp(min=1.0)


@torch.inference_mode()
def roll_out(
    net: VisitLSTM,
    s: torch.Tensor,
    t0: torch.Tensor,
    *,
    meta: Mapping[str, Any],
    fill: np.ndarray,
    max_visits: int,
    generator: torch.Generator,
    rules: Sequence[ChangeRule] = (),
    terminal: Sequence[tuple[int, float]] = (),
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Free-running generation of one batch of patients from their encoded statics.

    Args:
        net: the Stage B network (evaluation mode).
        s: encoded static vectors ``(n, S)``.
        t0: first visit times ``(n,)`` (float64).
        meta: the gap, time and schema figures recorded at fit.
        fill: encoded values written where a value is drawn missing.
        max_visits: the visit cap.
        generator: the source of every draw.
        rules: change indicators kept consistent (see :func:`draw_visit`).
        terminal: terminal event columns, as ``(position in the visit columns, encoded
            value of "no event")``: a visit with another value ends the follow-up.

    Returns:
        Per generated visit: the patient number (0..n-1), the time and the encoded visit,
        sorted by patient then time; then per patient the gap drawn at the step that
        ended the follow-up (the time to a next visit that did not come).
    """
    device = s.device
    n = s.shape[0]
    h, c = net.initial_state(s)
    previous = torch.zeros(n, net.visit_dim, device=device)
    alive = torch.arange(n, device=device)  # patient numbers still in follow-up
    last_time = t0.clone()
    end_gap = torch.zeros(n, dtype=t0.dtype, device=device)
    inputs = step_input(net, s, None, torch.zeros(n, device=device),
                              torch.zeros(n, device=device))  # fmt: skip
    running = RunningMeans(net, n, device)
    rows_patient, rows_time, rows_visit = [], [], []
    for step in range(max_visits + 1):
        out, (h, c) = net.lstm(inputs[:, None, :], (h, c))
        hidden = torch.cat([out[:, 0], s, previous], dim=1)
        m = hidden.shape[0]
        if step >= 1:
            p_stop = torch.sigmoid(net.stop_logit(hidden, float(step == 1)))
            keep = torch.rand(m, generator=generator, device=device) >= p_stop
            if step >= max_visits:
                keep = torch.zeros_like(keep)
            gap = draw_gap(net, hidden, meta, generator)
            new_time = last_time + gap
            keep &= (new_time - t0 <= meta["max_follow_up"] + 1e-9) & (
                new_time <= meta["max_time"] + 1e-9
            )
            for position, quiet in terminal:  # a terminal event ends the follow-up
                keep &= previous[:, net.columns[position].start] == quiet
            end_gap[alive[~keep]] = gap[~keep].to(end_gap.dtype)
            if not bool(keep.any()):
                break
            alive, hidden, gap, new_time = alive[keep], hidden[keep], gap[keep], new_time[keep]
            h, c, s = h[:, keep], c[:, keep], s[keep]
            previous = previous[keep]
            running.keep(keep)
            t0, last_time = t0[keep], last_time[keep]
            gap_feature = (torch.log(gap) - meta["log_gap_mean"]) / meta["log_gap_sd"]
            first = torch.zeros(len(alive), device=device)
        else:
            new_time = t0.clone()
            gap_feature = torch.zeros(m, device=device)
            first = torch.ones(m, device=device)
        visit = draw_visit(
            net, hidden, gap_feature, first, running.means, fill, generator, rules=rules
        )
        running.add(visit)
        rows_patient.append(alive.cpu().numpy())
        rows_time.append(new_time.cpu().numpy())
        rows_visit.append(visit.cpu().numpy())
        last_time = new_time
        previous = visit * net.visible  # look-ahead columns are drawn, not read
        since_first = (new_time - t0) / meta["time_scale"]
        inputs = step_input(net, s, previous, gap_feature, since_first.float())
    patient = np.concatenate(rows_patient)
    time = np.concatenate(rows_time)
    matrix = np.concatenate(rows_visit)
    order = np.lexsort((time, patient))
    return patient[order], time[order], matrix[order], end_gap.cpu().numpy()

"""Post-training calibration of free-running samples: length, ordinal drift, level shares.

Teacher forcing fits every head on real histories; free-running generation feeds the model
its own visits. Three kinds of training figure drift apart in free running and are
restored by moving output biases after training, on samples of the fitted model:

- the mean number of visits per patient (the stop head's bias, ``calibrate_stop``) and the
  share of patients with one visit (the first decision's offset ``first_stop``): with one
  bias for every decision, a model whose first-decision hazard is too low (a short or
  early-stopped training on a cohort where half the patients are seen once) kept it too
  low, and the mean-matching bias then made the long histories too short;
- the mean change of every ordinal column since the patient's first visit, over later
  visits, in levels (the step kernel's biases, ``calibrate_steps``). The kernel's move
  logits get an exponential tilt ``delta * move``, so "one level up" becomes likelier and
  "one level down" less likely together; a Newton step ``delta += (training mean -
  generated mean) / generated variance`` solves for it (for independent moves the
  derivative of the tilted mean change is its variance), a secant through the previous
  round after, and only a measured tilt is kept. A trend (EDSS) and a stationary
  count (relapses per visit, whose first-visit value the tilt leaves alone) are both
  pinned by it; the mean move per visit, used before, is near 0 for any stationary count
  whatever its level. On the MS simulator the untilted free-running EDSS step was 17 %
  short of the training step on 2,000 patients and 13 % too fast on 10,000; either
  compounds over 20 years of follow-up (docs/methods/longitudinal_lstm.md);
- the share of every level of a categorical or binary visit column on later visits (a
  later-visit logit offset per level, ``calibrate_levels``): the offset moves by
  ``log(training share / generated share)``. Treatment states that a carry-forward bias
  keeps (the MS registry's DMT, its high-efficacy share) drift like the EDSS step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from synth_plugins.encoding.tabular import TabularEncoder
from synth_plugins.generators.longitudinal_lstm._layout import STEP_RADIUS
from synth_plugins.generators.longitudinal_lstm._network import VisitLSTM
from synth_plugins.long_format import PatientIndex

#: Most calibration rounds (one sample of the model each).
ROUNDS = 6
#: A stop-bias shift below this (in logit) ends the stop calibration.
STOP_TOLERANCE = 0.005
#: A mean-move gap within this many standard errors of the generated mean is noise.
DRIFT_TOLERANCE_SE = 2.0
#: Largest tilt change of one round (in logit per level).
MAX_TILT_STEP = 1.0
#: Largest change of a level's later-visit logit offset in one round.
MAX_SHIFT_STEP = 1.0


@dataclass(frozen=True)
class StopTarget:
    """The training mean number of visits per patient and share of one-visit patients."""

    mean: float
    single: float


@dataclass(frozen=True)
class DriftTarget:
    """An ordinal visit column and its training mean change since the first visit."""

    index: int  # position in ``VisitLSTM.columns``
    name: str
    mean: float


@dataclass(frozen=True)
class DriftMeasure:
    """One calibration sample's mean change since the first visit of an ordinal column.

    ``tilt`` is the column's tilt the sample was drawn with; ``variance`` and ``se`` are the
    variance of the changes and the standard error of their mean.
    """

    tilt: float
    mean: float
    variance: float
    se: float

    def within_noise(self, target: float) -> bool:
        """Whether the gap to ``target`` is within ``DRIFT_TOLERANCE_SE`` standard errors."""
        return abs(target - self.mean) <= DRIFT_TOLERANCE_SE * self.se


@dataclass(frozen=True)
class ShareTarget:
    """A categorical or binary visit column and its training share of each level.

    Shares are of observed values on visits after a patient's first.
    """

    index: int  # position in ``VisitLSTM.columns``
    name: str
    shares: np.ndarray


def changes_since_first(
    encoder: TabularEncoder, frame: pd.DataFrame, column: str, id_column: str
) -> np.ndarray:
    """Level minus the patient's first level, on later visits where both values are seen.

    ``frame`` is a long table sorted by patient then time.
    """
    codes = encoder.codes(frame, column).astype(float)
    codes[frame[column].isna().to_numpy()] = np.nan
    index = PatientIndex.from_ids(frame[id_column].to_numpy())
    first = np.repeat(codes[index.starts], index.lengths)
    changes = (codes - first)[index.position_of_row() > 0]
    return changes[~np.isnan(changes)]


def later_codes(
    encoder: TabularEncoder, frame: pd.DataFrame, column: str, id_column: str
) -> np.ndarray:
    """Level codes of ``column`` on visits after each patient's first, where observed."""
    codes = encoder.codes(frame, column)
    later = PatientIndex.from_ids(frame[id_column].to_numpy()).position_of_row() > 0
    return codes[later & frame[column].notna().to_numpy()]


def drift_targets(
    net: VisitLSTM, encoder: TabularEncoder, data: pd.DataFrame, id_column: str
) -> list[DriftTarget]:
    """The training mean change since the first visit of every ordinal column."""
    targets = []
    for index, column in enumerate(net.columns):
        if not column.ordinal:
            continue
        changes = changes_since_first(encoder, data, column.name, id_column)
        if changes.size:
            targets.append(DriftTarget(index, column.name, float(changes.mean())))
    return targets


def share_targets(
    net: VisitLSTM,
    encoder: TabularEncoder,
    data: pd.DataFrame,
    id_column: str,
    computed: Sequence[int] = (),
) -> list[ShareTarget]:
    """Later-visit level shares of every categorical (not ordinal) or binary column.

    Columns in ``computed`` (change indicators computed from their tracked column) are
    left out: their head is not used at sampling.
    """
    targets = []
    for index, column in enumerate(net.columns):
        if column.kind not in ("binary", "categorical") or column.ordinal or index in computed:
            continue
        codes = later_codes(encoder, data, column.name, id_column)
        levels = 2 if column.kind == "binary" else column.stop - column.start
        if codes.size:
            shares = np.bincount(codes, minlength=levels) / codes.size
            targets.append(ShareTarget(index, column.name, shares))
    return targets


def _beyond_noise(target: np.ndarray, generated: np.ndarray, n: int) -> np.ndarray:
    """Whether shares ``generated`` of ``n`` draws lie beyond noise of ``target``.

    Beyond ``DRIFT_TOLERANCE_SE`` binomial standard errors, the variance floored at
    ``1 / n`` so that a share of 0 or 1 still has a tolerance.
    """
    se = np.sqrt(np.maximum(generated * (1 - generated), 1.0 / n) / n)
    return np.abs(target - generated) > DRIFT_TOLERANCE_SE * se


def first_stop_shift(target: float, lengths: np.ndarray) -> float:
    """Logit change that moves the share of one-visit patients towards ``target``.

    ``lengths`` are the generated visits per patient; 0 while the gap is within
    ``DRIFT_TOLERANCE_SE`` binomial standard errors. Shares are kept half a patient away
    from 0 and 1.
    """
    n = lengths.size
    generated = float(np.mean(lengths == 1))
    if not _beyond_noise(np.asarray(target), np.asarray(generated), n):
        return 0.0

    def logit(p: float) -> float:
        p = min(max(p, 0.5 / n), 1 - 0.5 / n)
        return math.log(p / (1 - p))

    return logit(target) - logit(generated)


def tilt_steps(net: VisitLSTM, index: int, delta: float) -> None:
    """Add ``delta * move`` to the step-kernel logit of every move of column ``index``."""
    column = net.columns[index]
    layer = net.column_heads[index][-1]
    assert isinstance(layer, nn.Linear)
    first_step = int(column.missing is not None) + column.stop - column.start
    moves = torch.arange(STEP_RADIUS, -STEP_RADIUS - 1, -1, dtype=layer.bias.dtype)
    with torch.no_grad():
        layer.bias[first_step:] += delta * moves.to(layer.bias.device)


def measure_drift(
    encoder: TabularEncoder, frame: pd.DataFrame, target: DriftTarget, id_column: str, tilt: float
) -> DriftMeasure | None:
    """The mean change of ``target``'s column in ``frame``; None with no spread to measure."""
    changes = changes_since_first(encoder, frame, target.name, id_column)
    if changes.size < 2 or changes.var() <= 0:
        return None
    se = float(changes.std()) / math.sqrt(changes.size)
    return DriftMeasure(tilt, float(changes.mean()), float(changes.var()), se)


def tilt_step(target: float, measures: Sequence[DriftMeasure]) -> float:
    """The tilt change that moves the latest of ``measures`` towards ``target``.

    0 while the gap is within noise. Newton's slope is the variance of the changes; the
    secant through the latest measure at another tilt replaces it when it rises and the
    two means differ by more than ``DRIFT_TOLERANCE_SE`` standard errors of their
    difference (moves that persist, as a stationary count's do, make the mean change
    respond faster than the variance says, and it flattens near a count's floor). Two
    means within noise of each other give a secant of noise: on the MS registry a tilt of
    +0.045 moved the mean by 0.007 levels, and the gap over that slope threw the tilt to
    +0.9. At most ``MAX_TILT_STEP``.
    """
    latest = measures[-1]
    if latest.within_noise(target):
        return 0.0
    slope = latest.variance
    earlier = next((m for m in reversed(measures[:-1]) if m.tilt != latest.tilt), None)
    if earlier is not None:
        rise = latest.mean - earlier.mean
        secant = rise / (latest.tilt - earlier.tilt)
        if secant > 0 and abs(rise) > DRIFT_TOLERANCE_SE * math.hypot(latest.se, earlier.se):
            slope = secant
    return float(np.clip((target - latest.mean) / slope, -MAX_TILT_STEP, MAX_TILT_STEP))


def kept_tilt(target: float, measures: Sequence[DriftMeasure]) -> float:
    """The tilt to keep: the latest measured one within noise, else the one of least gap.

    A tilt is kept only as measured: an unmeasured last step could leave the drift worse
    than no calibration (the latest measure of least gap wins a tie). The earlier measures
    were drawn under earlier stop shifts and other columns' tilts.
    """
    latest = measures[-1]
    if latest.within_noise(target):
        return latest.tilt
    return min(reversed(measures), key=lambda m: abs(target - m.mean)).tilt


def offset_levels(net: VisitLSTM, target: ShareTarget, codes: np.ndarray) -> bool:
    """Move the later-visit logit offsets of ``target``'s levels towards its shares.

    Returns whether any offset moved. A level never generated moves by ``MAX_SHIFT_STEP``.
    """
    if codes.size == 0:
        return False
    generated = np.bincount(codes, minlength=target.shares.size) / codes.size
    off = _beyond_noise(target.shares, generated, codes.size)
    if not off.any():
        return False
    ratio = np.log(np.maximum(target.shares, 1e-12) / np.maximum(generated, 1e-12))
    step = np.where(off, np.clip(ratio, -MAX_SHIFT_STEP, MAX_SHIFT_STEP), 0.0)
    offsets = net.later_offsets.setdefault(target.index, torch.zeros(target.shares.size))
    offsets += torch.as_tensor(step, dtype=offsets.dtype)
    return True


def calibrate(
    net: VisitLSTM,
    sample: Callable[[int, int], pd.DataFrame],
    *,
    n_draw: int,
    seed: int,
    stop: StopTarget | None,
    drifts: Sequence[DriftTarget],
    shares: Sequence[ShareTarget] = (),
    encoder: TabularEncoder,
    id_column: str,
) -> tuple[float, float, dict[str, float]]:
    """Shift the stop logits, tilt the step kernels and offset later-visit level logits.

    Args:
        net: the Stage B network (changed in place).
        sample: ``sample(n_patients, seed)`` draws a long table from the current ``net``.
        n_draw: patients per calibration sample.
        seed: seed of the calibration samples' seeds.
        stop: the training mean number of visits and share of one-visit patients (None:
            no stop calibration).
        drifts: the ordinal columns to calibrate and their training mean changes since
            the first visit.
        shares: the categorical and binary columns to calibrate and their training
            later-visit level shares (offsets land in ``net.later_offsets``).
        encoder: the visit encoder (level codes of the sampled values).
        id_column: the patient id column of sampled tables.

    Returns:
        The total stop-bias shift, the total shift of the first stop decision's logit and
        the total tilt per calibrated column. Up to ``ROUNDS`` rounds; the stop bias moves
        by ``log(generated / training mean length)`` (a geometric length's hazard is
        inversely proportional to its mean) until the shift is below ``STOP_TOLERANCE``;
        the first decision's logit moves by the logit gap between the training and the
        generated share of one-visit patients while that gap exceeds
        ``DRIFT_TOLERANCE_SE`` binomial standard errors (``first_stop`` takes it, less the
        bias shift, so that one bias no longer moves both); a tilt moves while the
        mean-change gap exceeds ``DRIFT_TOLERANCE_SE`` standard errors, by a Newton step (the
        variance of the changes) in the first round and a secant step through the previous
        round after when the two rounds' means differ beyond noise (``tilt_step``); a tilt
        moved in the last round is measured on one more sample, and each column keeps its
        latest tilt within noise, else the measured tilt of least gap (``kept_tilt``); a
        level's offset moves by the log ratio of training to generated share (at most
        ``MAX_SHIFT_STEP``) while its gap exceeds ``DRIFT_TOLERANCE_SE`` binomial standard
        errors.
    """
    stop_layer = net.stop_head[-1]
    assert isinstance(stop_layer, nn.Linear)
    rng = np.random.default_rng(seed)
    stop_shift = first_shift = 0.0
    tilts = {target.name: 0.0 for target in drifts}
    measures: dict[str, list[DriftMeasure]] = {target.name: [] for target in drifts}

    def measure(frame: pd.DataFrame) -> list[DriftTarget]:
        """Record the drift of every target in ``frame``; the targets measured."""
        measured = []
        for target in drifts:
            found = measure_drift(encoder, frame, target, id_column, tilts[target.name])
            if found is not None:
                measures[target.name].append(found)
                measured.append(target)
        return measured

    tilted = False
    for _ in range(ROUNDS):
        frame = sample(n_draw, int(rng.integers(2**32)))
        measured = measure(frame)
        settled = True
        if stop is not None:
            shift = math.log(len(frame) / n_draw / stop.mean)
            shift = shift if abs(shift) >= STOP_TOLERANCE else 0.0
            first = first_stop_shift(stop.single, frame[id_column].value_counts().to_numpy())
            if shift or first:
                with torch.no_grad():
                    stop_layer.bias += shift
                    net.first_stop += first - shift
                stop_shift += shift
                first_shift += first
                settled = False
        tilted = False
        for target in measured:
            delta = tilt_step(target.mean, measures[target.name])
            if delta:
                tilt_steps(net, target.index, delta)
                tilts[target.name] += delta
                tilted = True
        settled &= not tilted
        for share in shares:
            settled &= not offset_levels(net, share, later_codes(encoder, frame, share.name,
                                                                 id_column))  # fmt: skip
        if settled:
            break
    if tilted:  # the last round's tilts are measured before one is kept
        measure(sample(n_draw, int(rng.integers(2**32))))
    for target in drifts:
        kept = kept_tilt(target.mean, measures[target.name]) if measures[target.name] else 0.0
        if kept != tilts[target.name]:
            tilt_steps(net, target.index, kept - tilts[target.name])
            tilts[target.name] = kept
    return stop_shift, first_shift, tilts

"""CK4Gen's level calibration: discrete levels drawn so their holders' risk follows training.

SynthNet decodes a latent that is trained to carry the teacher's risk. For a level held by
a handful of training rows, its decoded probability is a smooth function of that risk, so
the level lands on the synthetic rows whose *other* covariates are decoded as the riskiest
(on ACTG320, ``ivdrug = 2``: real holders' teacher risk 0.17 to 2.26, synthetic holders'
1.75 to 4.47, all decoded from non-holders). The teacher then counts the risk twice, the
holders draw events early and the Cox fit of the synthetic table diverges.

The calibration tilts each discrete block's decoded probabilities, exponentially in the
teacher risk of the row's other covariates ``r_i``,

    p'_ik ∝ p_ik · exp(a_k + b_k · r_i)    (a_0 = b_0 = 0, the block's first level),

with ``(a_k, b_k)`` solved so that every level's expected share and its holders' expected
mean ``r`` equal the training ones (calibration weighting, Deville & Särndal 1992: the
tilt closest to SynthNet's probabilities, in Kullback-Leibler divergence, that meets
these moments). The dual of that problem is convex and is solved by Newton's method.

The levels are then drawn by systematic sampling in order of ``r`` (Madow's systematic
sampling with unequal probabilities): each row keeps its probability, a level's number
of holders is within one of its expectation, and its holders are spread over the range
of ``r`` as the probabilities say (independent draws gave a level expected on 8 rows
anywhere from 3 to 16 holders).

A level held by fewer than ``MIN_HOLDERS`` training rows is not calibrated (its tilt stays
0, so SynthNet's probabilities decide how often it appears): its "share" and "holders'
mean risk" would be one patient's values, and matching them pins a synthetic row to that
patient. On FLChain, ``sample.yr = 2002`` (one training row, one event) then appears as
often as SynthNet's probabilities say, and its log-HR errors over three seeds at the
default budget are 0.41, 0.29 and 0.22 instead of 1.50, 0.80 and 2.47.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth_plugins.encoding.tabular import TabularEncoder
from synth_plugins.generators.ck4gen.sampling import systematic_sample
from synth_plugins.generators.ck4gen.teacher import TeacherDesign

#: Bound on the tilt parameters (standardised risk): keeps an unreachable target finite.
MAX_TILT = 8.0
#: Ridge on the tilt parameters, in units of expected rows.
TILT_RIDGE = 1e-3
NEWTON_STEPS = 50
#: Fewest training holders of a level for it to be calibrated (see the module docstring).
MIN_HOLDERS = 2


@dataclass(frozen=True)
class LevelTarget:
    """Training moments of one discrete block: level shares and holders' mean other-risk."""

    start: int
    stop: int
    binary: bool
    columns: np.ndarray  # the block's design columns (left out of r)
    share: np.ndarray  # per level
    mean_risk: np.ndarray  # per level, standardised
    calibrated: np.ndarray  # per level: held by at least MIN_HOLDERS training rows
    centre: float
    scale: float


def level_targets(
    matrix: np.ndarray, preprocessor: TabularEncoder, design: TeacherDesign, beta: np.ndarray
) -> list[LevelTarget]:
    """The training moments of every binary and categorical block (see module docstring)."""
    source, terms = design.source, design(matrix)
    targets = []
    for block in preprocessor.blocks:
        if block.kind not in ("binary", "categorical"):
            continue
        inside = (source >= block.start) & (source < block.stop)
        risk = terms[:, ~inside] @ beta[~inside]
        centre, scale = float(risk.mean()), float(risk.std()) or 1.0
        standard = (risk - centre) / scale
        levels = _levels(matrix[:, block.start : block.stop], block.kind == "binary")
        share = levels.mean(axis=0)
        counts = levels.sum(axis=0)
        targets.append(
            LevelTarget(
                block.start, block.stop, block.kind == "binary", inside, share,
                (levels * standard[:, None]).sum(axis=0) / np.maximum(counts, 1.0),
                counts >= MIN_HOLDERS, centre, scale,
            )
        )  # fmt: skip
    return targets


def tilt_levels(
    matrix: np.ndarray,
    targets: list[LevelTarget],
    design: TeacherDesign,
    beta: np.ndarray,
    tilts: list[np.ndarray] | None = None,
) -> list[np.ndarray]:
    """Tilt SynthNet's level probabilities in ``matrix`` in place; returns the tilts used.

    ``r`` is computed on the decoded matrix (numeric values and the other blocks'
    probabilities, so it is the expected risk of the other covariates). ``tilts`` from an
    earlier call are applied as they are (the re-draw of a few copied rows keeps the tilt
    of the whole table instead of calibrating the few rows on their own).
    """
    terms = design(matrix)
    used = []
    for position, target in enumerate(targets):
        risk = _other_risk(terms, target, beta)
        features = np.column_stack([np.ones(len(risk)), risk])
        part = matrix[:, target.start : target.stop]
        probabilities = _levels(part, target.binary, soft=True)
        if tilts is None:
            tilt = solve_tilt(
                probabilities, features, target.share, target.mean_risk, target.calibrated
            )
        else:
            tilt = tilts[position]
        used.append(tilt)
        tilted = _tilted(probabilities, features, tilt)
        if target.binary:
            part[:, 0] = tilted[:, 1]
        else:
            part[:] = tilted
    return used


def draw_levels(
    matrix: np.ndarray,
    targets: list[LevelTarget],
    design: TeacherDesign,
    beta: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Draw every calibrated block's level in place, by systematic sampling in order of ``r``.

    See :func:`systematic_levels`; rows of equal ``r`` are taken in random order.
    """
    terms = design(matrix)
    for target in targets:
        risk = _other_risk(terms, target, beta)
        order = np.lexsort((rng.uniform(size=len(risk)), risk))
        part = matrix[:, target.start : target.stop]
        probabilities = _levels(part, target.binary, soft=True)
        level = systematic_levels(probabilities, order, rng)
        if target.binary:
            part[:, 0] = level
        else:
            part[:] = 0.0
            part[np.arange(len(level)), level] = 1.0


def systematic_levels(
    probabilities: np.ndarray, order: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """One level per row, ``P(level k) = p_ik``, by systematic sampling in ``order``.

    Level by level, the rarest first, among the rows still without a level, with
    probability ``p_ik / (1 - sum of the earlier levels' p_ij)``; the most frequent level
    takes the rows left. Each level's count is within one of its expectation given the
    earlier levels' draws.
    """
    n = len(probabilities)
    level = np.full(n, -1)
    remaining = np.ones(n)
    by_share = np.argsort(probabilities.sum(axis=0), kind="stable")
    for k in by_share[:-1]:
        rows = order[level[order] < 0]
        conditional = np.clip(probabilities[rows, k] / np.maximum(remaining[rows], 1e-12), 0, 1)
        level[rows[systematic_sample(conditional, rng)]] = k
        remaining -= probabilities[:, k]
    level[level < 0] = by_share[-1]
    return level


def solve_tilt(
    probabilities: np.ndarray,
    features: np.ndarray,
    share: np.ndarray,
    mean_risk: np.ndarray,
    calibrated: np.ndarray | None = None,
) -> np.ndarray:
    """Tilt ``(K, 2)`` whose tilted probabilities meet each level's share and mean risk.

    The dual fixes one reference level's tilt at 0, and once every other level meets its
    targets the reference meets its own; so the reference must be a calibrated level. It
    is the first level unless that one is not calibrated, then the most frequent level.
    """
    order = np.arange(len(share))
    if calibrated is not None and len(share) > 1 and not calibrated[0]:
        reference = int(np.argmax(share))
        order = np.array([reference, *(k for k in order if k != reference)])
    theta = _solve_tilt_first_fixed(
        probabilities[:, order],
        features,
        share[order],
        mean_risk[order],
        None if calibrated is None else np.asarray(calibrated, dtype=bool)[order],
    )
    return theta[np.argsort(order)]


def _solve_tilt_first_fixed(
    probabilities: np.ndarray,
    features: np.ndarray,
    share: np.ndarray,
    mean_risk: np.ndarray,
    calibrated: np.ndarray | None,
) -> np.ndarray:
    """:func:`solve_tilt` with the first level as the reference.

    Newton's method on the convex dual ``sum_i log sum_k p_ik exp(theta_k f_i) -
    sum_k theta_k T_k`` (first level fixed at 0), with a small ridge and a step-halving
    line search; parameters are bounded by ``MAX_TILT``. Levels that are not
    ``calibrated`` (a boolean per level; None: all) keep a tilt of 0 and their targets are
    ignored.
    """
    n, k = probabilities.shape
    theta = np.zeros((k, 2))
    if n == 0 or k < 2:
        return theta
    totals = n * share[1:, None] * np.column_stack([np.ones(k - 1), mean_risk[1:]])
    base = np.log(np.clip(probabilities, 1e-300, None))

    def objective(values: np.ndarray) -> float:
        full = np.vstack([np.zeros((1, 2)), values.reshape(k - 1, 2)])
        logits = base + features @ full.T
        top = logits.max(axis=1, keepdims=True)
        norm = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
        penalty = TILT_RIDGE * values @ values / 2
        return float(norm.sum() - (values * totals.ravel()).sum() + penalty)

    values = theta[1:].ravel()
    fixed = np.zeros(len(values), dtype=bool)
    if calibrated is not None:
        fixed = np.repeat(~np.asarray(calibrated, dtype=bool)[1:], 2)
    current = objective(values)
    for _ in range(NEWTON_STEPS):
        full = np.vstack([np.zeros((1, 2)), values.reshape(k - 1, 2)])
        tilted = _tilted(probabilities, features, full)
        q = tilted[:, 1:]
        gradient = (q.T @ features - totals).ravel() + TILT_RIDGE * values
        # Hessian of the log-normaliser: covariance of (level indicator x features)
        outer = np.einsum("ia,ib->iab", features, features)
        hessian = np.einsum("ik,iab->kab", q, outer)
        blocks = np.zeros((k - 1, 2, k - 1, 2))
        for level in range(k - 1):
            blocks[level, :, level, :] = hessian[level]
        cross = np.einsum("ik,il,iab->kalb", q, q, outer)
        matrix = (blocks - cross).reshape(2 * (k - 1), 2 * (k - 1))
        matrix += TILT_RIDGE * np.eye(len(values))
        gradient[fixed] = 0.0
        matrix[fixed, :] = 0.0
        matrix[:, fixed] = 0.0
        matrix[fixed, fixed] = 1.0
        try:
            step = np.linalg.solve(matrix, gradient)
        except np.linalg.LinAlgError:  # pragma: no cover - the ridge keeps it regular
            break
        length = 1.0
        while length > 1e-4:
            trial = np.clip(values - length * step, -MAX_TILT, MAX_TILT)
            value = objective(trial)
            if value <= current:
                break
            length /= 2
        else:
            break
        converged = current - value < 1e-10 * max(1.0, abs(current))
        values, current = trial, value
        if converged:
            break
    return np.vstack([np.zeros((1, 2)), values.reshape(k - 1, 2)])


def _other_risk(terms: np.ndarray, target: LevelTarget, beta: np.ndarray) -> np.ndarray:
    """Standardised teacher risk of each row's covariates other than the block's."""
    risk = terms[:, ~target.columns] @ beta[~target.columns]
    return (risk - target.centre) / target.scale


def _tilted(probabilities: np.ndarray, features: np.ndarray, tilt: np.ndarray) -> np.ndarray:
    """``p_ik exp(theta_k f_i)`` normalised per row."""
    logits = np.log(np.clip(probabilities, 1e-300, None)) + features @ tilt.T
    logits -= logits.max(axis=1, keepdims=True)
    weights = np.exp(logits)
    return weights / weights.sum(axis=1, keepdims=True)


def _levels(part: np.ndarray, binary: bool, soft: bool = False) -> np.ndarray:
    """A block's level indicators (or probabilities, ``soft``) as ``(n, K)`` columns."""
    if binary:
        return np.column_stack([1.0 - part[:, 0], part[:, 0]])
    if soft:
        weights = np.clip(part, 1e-12, None)
        return weights / weights.sum(axis=1, keepdims=True)
    return part.astype(float)

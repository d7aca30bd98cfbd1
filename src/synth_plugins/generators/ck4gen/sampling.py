"""CK4Gen's sampling steps: source patients, discrete levels, outcomes drawn from the teacher."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from synth_plugins.encoding.tabular import TabularEncoder, decimals_of
from synth_plugins.generators.ck4gen.config import RESIDUAL_ROUNDS, UNSPREAD_DURATION_SHARE
from synth_plugins.generators.quantiles import smoothed_quantiles


def source_index(
    n: int, n_train: int, with_replacement: bool | str, rng: np.random.Generator
) -> np.ndarray:
    """Training rows to decode, drawn as ``sample_with_replacement`` says."""
    if with_replacement is True or (with_replacement == "auto" and n > n_train):
        return rng.integers(0, n_train, size=n)
    repeats = max(1, math.ceil(n / n_train))
    return np.concatenate([rng.permutation(n_train) for _ in range(repeats)])[:n]


def residual_factor(residuals: np.ndarray) -> np.ndarray:
    """A factor ``F`` with ``F F' = cov(residuals)``: ``V sqrt(L)`` of its eigen-decomposition.

    A rank-deficient covariance is fine (its zero eigenvalues give no noise).
    """
    if len(residuals) < 2 or residuals.shape[1] == 0:
        return np.zeros((residuals.shape[1], residuals.shape[1]))
    values, vectors = np.linalg.eigh(np.atleast_2d(np.cov(residuals, rowvar=False)))
    return vectors * np.sqrt(np.clip(values, 0.0, None))


def add_residuals(
    matrix: np.ndarray,
    columns: np.ndarray,
    factor: np.ndarray,
    rng: np.random.Generator,
    rounds: int = RESIDUAL_ROUNDS,
) -> None:
    """Add a Gaussian residual with covariance ``factor @ factor.T`` to the numeric columns.

    SynthNet returns the conditional mean of the covariates given the latent; a residual
    with the covariance of the training reconstruction residuals turns that mean into a
    draw and keeps the residuals' correlations. A training row's own residual vector would
    too, but where the latent carries nothing (a covariate without effect) the mean is
    about constant and that vector would reproduce the row's values. A row whose sum
    leaves [0, 1] draws again, up to ``rounds`` times (the law truncated to the training
    range); what is still outside is clipped. In place.
    """
    if not len(columns) or not len(matrix):
        return
    base = matrix[:, columns]
    out = base.copy()
    pending = np.arange(len(base))
    for _ in range(rounds):
        drawn = base[pending] + rng.standard_normal((len(pending), len(columns))) @ factor.T
        out[pending] = drawn
        pending = pending[((drawn < 0.0) | (drawn > 1.0)).any(axis=1)]
        if not len(pending):
            break
    matrix[:, columns] = np.clip(out, 0.0, 1.0)


def draw_kept(
    matrix: np.ndarray, indicators: list[int | None], rng: np.random.Generator
) -> np.ndarray:
    """Draw the given missingness indicators (Bernoulli, in place); which values they keep.

    ``indicators`` holds, per numeric column, the start of its missingness block or None
    (never missing). Returns a rows x columns mask, True where the value is kept.
    """
    kept = np.ones((len(matrix), len(indicators)), dtype=bool)
    for j, start in enumerate(indicators):
        if start is not None:
            matrix[:, start] = rng.uniform(size=len(matrix)) < matrix[:, start]
            kept[:, j] = matrix[:, start] == 0
    return kept


def draw_discrete(
    matrix: np.ndarray,
    preprocessor: TabularEncoder,
    how: str,
    rng: np.random.Generator,
    drawn: frozenset[int] = frozenset(),
) -> None:
    """Turn SynthNet's probabilities of discrete blocks into 0/1 codes, in place.

    Missingness indicators are always drawn as Bernoulli variables. Binary and one-hot
    blocks are drawn from the decoded probabilities with ``how="sample"`` (a binary level
    with probability ``p``, a categorical level with probability proportional to its
    output) and left to the encoder's 0.5 threshold / arg-max with ``"threshold"``. The
    threshold maps every row whose decoded probability of a rare level is below 0.5 to
    the common level, so a level with a 3 % share that the latent predicts only weakly
    survives in a few of the highest-probability rows, which are the extreme-risk rows:
    its synthetic Cox coefficient then diverges (quasi-separation). Blocks whose start is
    in ``drawn`` hold levels already (the level calibration draws them) and are left alone.
    """
    n = len(matrix)
    for block in preprocessor.blocks:
        if block.start in drawn:
            continue
        part = matrix[:, block.start : block.stop]
        if block.kind == "missing" or (block.kind == "binary" and how == "sample"):
            part[:, 0] = rng.uniform(size=n) < part[:, 0]
        elif block.kind not in ("numerical", "binary") and how == "sample":
            weights = np.clip(part, 1e-12, None)
            cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
            level = (rng.uniform(size=(n, 1)) > cumulative).sum(axis=1)
            part[:] = 0.0
            part[np.arange(n), np.minimum(level, block.width - 1)] = 1.0


#: Rows per block of the (rows x times) outcome grids.
_GRID_ROWS = 2048


@dataclass(frozen=True)
class Censoring:
    """The censoring law of each synthetic row: one of a few curves ``G(t) = P(C > t)``.

    Attributes:
        times: the times at which the curves are given (increasing, > 0): the training
            censoring times, or every training duration for the reverse Kaplan-Meier
            estimate of all rows.
        survival: one curve per row, each non-increasing: ``G`` at ``times``.
        curve: the curve of each synthetic row; None gives every row the first one.
    """

    times: np.ndarray
    survival: np.ndarray
    curve: np.ndarray | None = None

    def curves(self, rows: slice) -> np.ndarray:
        """``G(times)`` of ``rows``: one row per synthetic row, or one shared row."""
        if self.curve is None:
            return self.survival[:1]
        return self.survival[self.curve[rows]]


def draw_outcomes(
    eta: np.ndarray,
    baseline: tuple[np.ndarray, np.ndarray],
    censoring: Censoring,
    max_follow_up: float,
    rng: np.random.Generator,
    spread: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``(duration, event)`` per row from the teacher and the censoring law.

    Event time: ``T = min{t_j : H0(t_j) >= -log(U) / exp(eta)}``, the inverse of
    ``S(t | x) = exp(-H0(t) exp(eta))`` on the teacher's Breslow baseline ``(t_j, H0)``
    (infinite when ``S`` stays above ``U`` over the training follow-up). Censoring time:
    ``C = min{c_k : G(c_k | x) <= V}`` on the row's censoring curve (:class:`Censoring`;
    infinite when ``G`` stays above ``V``). Then ``duration = min(T, C)`` and
    ``event = T <= C``; when both are infinite the row is censored at ``max_follow_up``.
    ``spread``, if given, maps the drawn durations (not ``max_follow_up``) to their final
    values (see :func:`interpolate_times`).
    """
    n = len(eta)
    u = 1.0 - rng.uniform(size=n)  # in (0, 1]
    target = np.maximum(-np.log(u) / np.exp(eta), np.finfo(float).tiny)
    event_time = first_reaching(*baseline, target)
    v = 1.0 - rng.uniform(size=n)  # in (0, 1]
    censor_time = np.empty(n)
    for i in range(0, n, _GRID_ROWS):
        rows = slice(i, i + _GRID_ROWS)
        # the curves do not increase: the first time at or below V follows those above it
        first = (censoring.curves(rows) > v[rows, None]).sum(axis=1)
        inside = first < len(censoring.times)
        censor_time[rows] = np.where(
            inside, censoring.times[np.minimum(first, len(censoring.times) - 1)], np.inf
        )
    events = (event_time <= censor_time) & np.isfinite(event_time)
    durations = np.minimum(event_time, censor_time)
    drawn = np.isfinite(durations)
    if spread is not None:
        durations[drawn] = spread(durations[drawn])
    durations = np.where(drawn, durations, max_follow_up)
    return durations, events.astype(np.int64)


def draw_outcomes_balanced(
    eta: np.ndarray,
    design: np.ndarray,
    baseline: tuple[np.ndarray, np.ndarray],
    censoring: Censoring,
    max_follow_up: float,
    rng: np.random.Generator,
    spread: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``(duration, event)`` per row with the law of :func:`draw_outcomes`, balanced.

    Each row's event has the same probability ``p_i = P(T <= C, T finite | eta_i)`` and its
    duration the same conditional law as in :func:`draw_outcomes`, but the events of the
    rows are drawn jointly by the cube method (Deville & Tille, 2004): the synthetic number
    of events, and its total over every design column (each binary level's holders, each
    numeric covariate), equal their expectations ``sum_i p_i x_i`` up to the rows left
    undecided when the landing phase drops that column (:func:`cube_sample`: the number of
    events within one, a rare level's events balanced longest). Rows are processed in
    order of teacher risk, so the events are also spread evenly over the risk range. This
    removes the Monte Carlo noise of independent draws, which for a level held by a few
    rows often leaves its holders without an event and makes the Cox fit of the synthetic
    table diverge. Durations are then drawn from their law given the event, and mapped by
    ``spread`` as in :func:`draw_outcomes`.
    """
    n = len(eta)
    if n == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    blocks = [slice(i, i + _GRID_ROWS) for i in range(0, n, _GRID_ROWS)]

    def weights(rows: slice) -> tuple[np.ndarray, np.ndarray]:
        return outcome_weights(eta[rows], baseline, censoring.times, censoring.curves(rows))

    p = np.concatenate([weights(rows)[0].sum(axis=1) for rows in blocks])
    columns = design[:, design.std(axis=0) > 0] if len(design) > 1 else design[:, :0]
    order = np.lexsort((rng.uniform(size=n), eta))
    events = cube_sample(np.clip(p, 0.0, 1.0), columns, order, rng)
    durations = np.empty(n)
    censor_times = np.append(censoring.times, max_follow_up)
    for rows in blocks:
        w_event, w_censor = weights(rows)
        chunk = events[rows]
        out = np.empty(len(chunk))
        out[chunk] = baseline[0][_pick(w_event[chunk], rng)]
        censored = _pick(w_censor[~chunk], rng)
        out[~chunk] = censor_times[censored]
        if spread is not None:
            drawn = np.ones(len(chunk), dtype=bool)
            drawn[~chunk] = censored < len(censoring.times)  # the last column: max_follow_up
            out[drawn] = spread(out[drawn])
        durations[rows] = out
    return durations, events.astype(np.int64)


def outcome_weights(
    eta: np.ndarray,
    baseline: tuple[np.ndarray, np.ndarray],
    censor_times: np.ndarray,
    censor_survival: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The joint law of :func:`draw_outcomes` per row, split by the event indicator.

    ``censor_survival``: ``G(censor_times | x)``, one row per row of ``eta`` or one row
    shared by all (:meth:`Censoring.curves`). Returns ``(w_event, w_censor)``:
    ``w_event[i, j] = P(T = t_j, C >= t_j)`` over the baseline times, and
    ``w_censor[i, k] = P(C = c_k, T > c_k)`` over the censoring times plus a last column
    ``P(C = inf, T = inf)`` (censored at the maximum follow-up). Each row sums to 1;
    ``w_event.sum(axis=1)`` is the event probability.
    """
    times, cumhaz = baseline
    risk = np.exp(eta)[:, None]
    survival = np.exp(-cumhaz[None, :] * risk)  # S(t_j | x) = P(T > t_j)
    before = np.hstack([np.ones((len(eta), 1)), survival[:, :-1]])
    last_censor = np.searchsorted(censor_times, times, side="left") - 1
    censor_after = np.where(
        last_censor[None, :] >= 0, censor_survival[:, np.maximum(last_censor, 0)], 1.0
    )
    w_event = (before - survival) * censor_after
    start = np.ones((len(censor_survival), 1))
    censor_mass = np.hstack([start, censor_survival[:, :-1]]) - censor_survival  # P(C = c_k)
    last_time = np.searchsorted(times, censor_times, side="right") - 1
    cumhaz_at = np.where(last_time >= 0, cumhaz[np.maximum(last_time, 0)], 0.0)
    beyond = np.exp(-cumhaz_at[None, :] * risk)  # P(T > c_k)
    never = censor_survival[:, -1] * survival[:, -1]  # C and T beyond the follow-up
    w_censor = np.hstack([censor_mass * beyond, never[:, None]])
    return w_event, w_censor


#: Inclusion probabilities this close to 0 or 1 count as decided.
_DECIDED = 1e-9


def cube_sample(
    p: np.ndarray, x: np.ndarray, order: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A balanced 0/1 draw: ``P(I_i = 1) = p_i`` and ``sum_i I_i (1, x_i) ~ sum_i p_i (1, x_i)``.

    The cube method's flight phase (Deville & Tille, 2004, in the fast form of Chauvet &
    Tille, 2006) moves ``q + 1`` undecided units at a time (in ``order``) along a direction
    that keeps the balancing totals, with random step lengths that keep every ``p_i`` a
    martingale, until at most ``q`` units are undecided. The landing phase then drops the
    balancing columns one at a time and flies on with the rest (Deville & Tille's landing
    by suppression of variables), in :func:`landing_priority` order: numeric columns first,
    then binary columns from the most common to the rarest (by the smaller of holders and
    non-holders), the number of units last. So the
    total stays within one of its expectation, and a rare level's total is balanced until
    only a unit or two are left undecided.
    """
    pi = p.astype(float).copy()
    x = np.column_stack([np.ones(len(pi)), x[:, landing_priority(x)]])
    q = x.shape[1]
    pi[pi < _DECIDED], pi[pi > 1 - _DECIDED] = 0.0, 1.0
    pending = [int(i) for i in order[::-1] if 0.0 < pi[i] < 1.0]  # pop() takes them in order
    working: list[int] = []
    while True:
        while len(working) < q + 1 and pending:
            working.append(pending.pop())
        if len(working) < q + 1:
            break
        working = _flight_step(pi, x, working, rng)
    for kept in range(q, 0, -1):  # landing: the first ``kept`` columns still balanced
        while len(working) > kept:
            working = _flight_step(pi, x[:, :kept], working, rng)
    chosen = pi == 1.0
    if working:  # one unit left
        chosen[working] = rng.uniform(size=len(working)) < pi[working]
    return chosen


def _flight_step(
    pi: np.ndarray, x: np.ndarray, working: list[int], rng: np.random.Generator
) -> list[int]:
    """One step of the cube method's flight on the ``working`` units (more than ``x`` has columns).

    Their probabilities move along a direction that keeps ``x``'s totals, by a random length
    that keeps each a martingale, until one reaches 0 or 1. In place; the units still
    undecided are returned.
    """
    index = np.array(working)
    direction = np.linalg.svd(x[index].T, full_matrices=True)[2][-1]
    current = pi[index]
    up, down = direction > 1e-12, direction < -1e-12
    step_up = min(
        np.min((1 - current[up]) / direction[up], initial=np.inf),
        np.min(current[down] / -direction[down], initial=np.inf),
    )
    step_down = min(
        np.min(current[up] / direction[up], initial=np.inf),
        np.min((1 - current[down]) / -direction[down], initial=np.inf),
    )
    if rng.uniform() * (step_up + step_down) < step_down:
        current = current + step_up * direction
    else:
        current = current - step_down * direction
    current[current < _DECIDED], current[current > 1 - _DECIDED] = 0.0, 1.0
    pi[index] = np.clip(current, 0.0, 1.0)
    return [i for i in working if 0.0 < pi[i] < 1.0]


def landing_priority(x: np.ndarray) -> np.ndarray:
    """The columns of ``x`` in the order the landing phase keeps them, longest first.

    Binary (0/1) columns by their smaller count (holders or non-holders), fewest first, then
    the other columns.
    """
    binary = np.all((x == 0.0) | (x == 1.0), axis=0)
    held = x.sum(axis=0)
    rarity = np.where(binary, np.minimum(held, len(x) - held), np.inf)
    return np.argsort(rarity, kind="stable")


def systematic_sample(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Systematic 0/1 draw in the given order: ``P(I_i = 1) = p_i``, total within 1 of ``sum p``."""
    upper = np.cumsum(p)
    lower = upper - p
    start = rng.uniform()
    return np.floor(upper - start) > np.floor(lower - start)


def _pick(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per row, an index drawn with probability proportional to ``weights`` (last if all 0)."""
    if len(weights) == 0:
        return np.zeros(0, dtype=int)
    cumulative = np.cumsum(weights, axis=1)
    target = rng.uniform(size=(len(weights), 1)) * cumulative[:, -1:]
    index = (target >= cumulative).sum(axis=1)
    return np.where(
        cumulative[:, -1] > 0, np.minimum(index, weights.shape[1] - 1), weights.shape[1] - 1
    )


@dataclass(frozen=True)
class DurationGrid:
    """What :func:`interpolate_times` needs of the training durations (:func:`duration_grid`).

    ``grid``: the sorted distinct durations; ``shares``: the share of training rows at or
    below each; ``knots`` and ``levels``: the durations' smoothed quantile function
    (:func:`~synth_plugins.generators.quantiles.smoothed_quantiles`); ``points``: the point
    masses among the durations; ``decimals``: the decimals drawn durations are rounded to
    (None: not rounded).
    """

    grid: np.ndarray
    shares: np.ndarray
    knots: np.ndarray
    levels: np.ndarray
    points: np.ndarray
    decimals: int | None


def duration_grid(durations: np.ndarray, dtype: Any = None) -> DurationGrid:
    """The grid, smoothed quantile function, point masses and decimals of ``durations``.

    A point mass is a duration held by at least ``UNSPREAD_DURATION_SHARE`` of the rows and
    by two or more: a value a real holdout repeats too (administrative censoring at the end of a
    study, a scheduled visit), not one patient's. The decimals are the encoder's rule for
    every generated number (:func:`~synth_plugins.encoding.tabular.decimals_of`, ``dtype``
    the duration column's: float32 durations are judged at their own precision).
    """
    durations = np.asarray(durations, dtype=float)
    values, counts = np.unique(durations, return_counts=True)
    points = values[counts >= max(2, math.ceil(UNSPREAD_DURATION_SHARE * len(durations)))]
    knots, levels = smoothed_quantiles(durations)
    shares = np.cumsum(counts) / len(durations)
    return DurationGrid(values, shares, knots, levels, points, decimals_of(values, dtype))


def interpolate_times(
    times: np.ndarray, durations: DurationGrid, rng: np.random.Generator
) -> np.ndarray:
    """Each time equal to a training duration, redrawn from the smoothed quantile function.

    The teacher's Breslow baseline and the reverse Kaplan-Meier put all their mass on
    training durations, so every drawn duration would be some training patient's exact
    duration, and a synthetic row that also meets that patient's covariates is an exact
    copy far more often than a row of a real holdout would be. A time equal to the
    training duration ``grid[j]`` stands for the training rows that hold it: the levels
    ``(shares[j - 1], shares[j]]`` of the durations' distribution. It becomes the smoothed
    quantile function (:func:`~synth_plugins.generators.quantiles.smoothed_quantiles`:
    training quantiles about ten rows apart, a duration three or more rows share kept) at
    a level drawn uniformly from that stretch. The map keeps the order of times that differ
    (a Cox fit sees the same ranks) and gives the durations a density at the scale of ten
    rows: spreading over the gap to the next smaller duration alone put a time drawn in a
    gap of one day on that day, so durations in days equalled a training duration about
    twice as often as a holdout's do. Drawn durations are rounded to the training
    durations' decimals (``durations.decimals``: whole numbers for durations in whole
    days or weeks), unless that makes them 0. The point masses and times off the grid are
    kept.
    """
    grid = durations.grid
    times = np.asarray(times, dtype=float).copy()
    index = np.searchsorted(grid, times)
    inside = np.minimum(index, len(grid) - 1)
    spread = (index < len(grid)) & (grid[inside] == times) & ~np.isin(times, durations.points)
    j = index[spread]
    low = np.where(j >= 1, durations.shares[np.maximum(j - 1, 0)], 0.0)
    high = durations.shares[j]
    level = high - rng.uniform(size=len(j)) * (high - low)  # in (low, high]
    drawn = np.interp(level, durations.levels, durations.knots)
    if durations.decimals is not None:  # a duration is > 0: one rounding to 0 stays as is
        rounded = np.round(drawn, durations.decimals)
        drawn = np.where(rounded > 0, rounded, drawn)
    times[spread] = drawn
    return times


def first_reaching(times: np.ndarray, levels: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per target, the first time whose non-decreasing ``levels`` reach it (inf if none)."""
    index = np.searchsorted(levels, targets, side="left")
    inside = index < len(times)
    return np.where(inside, times[np.minimum(index, len(times) - 1)], np.inf)

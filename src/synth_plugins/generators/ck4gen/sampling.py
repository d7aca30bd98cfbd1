"""CK4Gen's sampling steps: source patients, discrete levels, outcomes drawn from the teacher."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.encoding.tabular import TabularEncoder


def source_index(
    n: int, n_train: int, with_replacement: bool | str, rng: np.random.Generator
) -> np.ndarray:
    """Training rows to decode, drawn as ``sample_with_replacement`` says."""
    if with_replacement is True or (with_replacement == "auto" and n > n_train):
        return rng.integers(0, n_train, size=n)
    repeats = max(1, math.ceil(n / n_train))
    return np.concatenate([rng.permutation(n_train) for _ in range(repeats)])[:n]


def draw_discrete(
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


def draw_outcomes(
    eta: np.ndarray,
    baseline: tuple[np.ndarray, np.ndarray],
    censoring: tuple[np.ndarray, np.ndarray],
    max_follow_up: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``(duration, event)`` per row from the teacher and the censoring distribution.

    Event time: ``T = min{t_j : H0(t_j) >= -log(U) / exp(eta)}``, the inverse of
    ``S(t | x) = exp(-H0(t) exp(eta))`` on the teacher's Breslow baseline ``(t_j, H0)``
    (infinite when ``S`` stays above ``U`` over the training follow-up). Censoring time:
    ``C = min{t_j : G(t_j) <= V}`` on the reverse Kaplan-Meier ``(t_j, G)`` (infinite when
    ``G`` stays above ``V``). Then ``duration = min(T, C)`` and ``event = T <= C``; when
    both are infinite the row is censored at ``max_follow_up``.
    """
    n = len(eta)
    u = 1.0 - rng.uniform(size=n)  # in (0, 1]
    target = np.maximum(-np.log(u) / np.exp(eta), np.finfo(float).tiny)
    event_time = first_reaching(*baseline, target)
    v = 1.0 - rng.uniform(size=n)  # in (0, 1]
    censor_times, censor_survival = censoring
    censor_time = first_reaching(censor_times, -censor_survival, -v)
    events = (event_time <= censor_time) & np.isfinite(event_time)
    durations = np.minimum(event_time, censor_time)
    durations = np.where(np.isfinite(durations), durations, max_follow_up)
    return durations, events.astype(np.int64)


def first_reaching(times: np.ndarray, levels: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per target, the first time whose non-decreasing ``levels`` reach it (inf if none)."""
    index = np.searchsorted(levels, targets, side="left")
    inside = index < len(times)
    return np.where(inside, times[np.minimum(index, len(times) - 1)], np.inf)


def cast(values: np.ndarray, dtype: Any) -> pd.Series:
    """``values`` as a Series of the training dtype (falls back to the values' own dtype)."""
    series = pd.Series(values)
    try:
        if pd.api.types.is_bool_dtype(dtype):
            return series.astype(bool).astype(dtype)
        return series.astype(dtype)
    except (TypeError, ValueError):  # pragma: no cover - exotic dtypes
        return series

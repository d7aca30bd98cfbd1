"""The mean and its Student-t confidence interval, one rule for every metric that reports one."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = ["mean_ci"]


def mean_ci(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of the finite ``values`` and the two-sided Student-t interval of that mean.

    An interval needs two values: with one finite value the bounds are NaN (not the mean,
    which would claim certainty); with none every figure is NaN.
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(finite.mean())
    if finite.size < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + confidence / 2, finite.size - 1) * stats.sem(finite))
    return mean, mean - half, mean + half

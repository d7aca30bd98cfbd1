"""Per-column marginals fitted by maximum likelihood and chosen by an information criterion.

A numeric column is fitted by every applicable candidate family (scipy's MLE, or the closed
form where one exists) and the family with the lowest AIC (or BIC) is kept. Every fitted
marginal is sampled *truncated to the observed range* by inverting its CDF on that range,
so bounds hold without a point mass at the minimum or maximum.

Integer columns are modelled as rounded continuous variables (the likelihood of a value
``k`` is ``F(k + 0.5) - F(k - 0.5)``, which makes continuous and count families
comparable) and, when non-negative, also by the Poisson and negative binomial families.
Discrete columns (binary, categorical, ordinal) keep their observed frequencies.
"""

from __future__ import annotations

import math
import warnings
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, stats

__all__ = [
    "CONTINUOUS_FAMILIES",
    "COUNT_FAMILIES",
    "FAMILIES",
    "CategoricalMarginal",
    "ConstantMarginal",
    "CountMarginal",
    "Marginal",
    "ParametricMarginal",
    "fit_categorical",
    "fit_numeric",
]

#: Families tried on every numeric column.
CONTINUOUS_FAMILIES: tuple[str, ...] = (
    "normal", "lognormal", "gamma", "weibull", "exponential", "beta", "uniform",
)  # fmt: skip
#: Families also tried on non-negative integer columns.
COUNT_FAMILIES: tuple[str, ...] = ("poisson", "negative_binomial")
FAMILIES: tuple[str, ...] = (*CONTINUOUS_FAMILIES, *COUNT_FAMILIES)

#: Continuous families whose support is x > loc: loc is 0 when every value is > 0, else the
#: minimum less the padding (an estimated parameter then, like the beta's bounds).
_POSITIVE = frozenset({"lognormal", "gamma", "weibull", "exponential"})
#: Free parameters per family. The beta's two bounds come from the data, so they count.
_N_PARAMS = {
    "normal": 2, "lognormal": 2, "gamma": 2, "weibull": 2, "exponential": 1, "beta": 4,
    "uniform": 2, "poisson": 1, "negative_binomial": 2,
}  # fmt: skip
#: Bounds of log(r) searched by the negative-binomial profile likelihood.
_LOG_R_BOUNDS = (-8.0, 14.0)
#: The largest value a count family is fitted to. Their log-pmf is a difference of
#: log-gamma values of about ``k log k``, which loses ``k log k`` times the double precision
#: to rounding: 1e-5 nats per value at 1e9, but 4 at 1e15, where the negative binomial then
#: won on AIC with a KS distance of 0.23 (and scipy's discrete ``ppf`` searched forever at
#: 1e300, where doubles no longer hold every whole number).
COUNT_MAX = 1e9


# ------------------------------------------------------------------------------ marginals
class Marginal(ABC):
    """A fitted one-column distribution: its description and its truncated inverse CDF."""

    family: str
    parameters: dict[str, Any]
    loglik: float
    n_params: int
    n_obs: int
    ks_statistic: float

    @property
    def aic(self) -> float:
        """Akaike's information criterion ``2k - 2 log L``."""
        return 2.0 * self.n_params - 2.0 * self.loglik

    @property
    def bic(self) -> float:
        """Schwarz's Bayesian information criterion ``k log n - 2 log L``."""
        return self.n_params * math.log(max(self.n_obs, 1)) - 2.0 * self.loglik

    def criterion(self, selection: str) -> float:
        """The value of ``selection`` (``"aic"`` or ``"bic"``); lower is better."""
        return self.aic if selection == "aic" else self.bic

    @abstractmethod
    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values for probabilities ``u`` in [0, 1] (inverse CDF on the observed range)."""


@dataclass
class ConstantMarginal(Marginal):
    """A column with one observed value: a point mass."""

    value: Any
    n_obs: int

    family = "constant"
    n_params = 1
    loglik = 0.0
    ks_statistic = 0.0

    @property
    def parameters(self) -> dict[str, Any]:  # type: ignore[override]
        """The value."""
        return {"value": self.value}

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The value, ``len(u)`` times."""
        return np.full(len(u), self.value, dtype=object)


@dataclass
class CategoricalMarginal(Marginal):
    """Observed levels (in a fixed order) with their observed frequencies."""

    levels: tuple[Any, ...]
    probabilities: np.ndarray
    n_obs: int

    family = "categorical"
    ks_statistic = 0.0  # the fitted CDF is the empirical one

    @property
    def n_params(self) -> int:  # type: ignore[override]
        """Free probabilities: one per level but the last."""
        return len(self.levels) - 1

    @property
    def loglik(self) -> float:  # type: ignore[override]
        """Multinomial log-likelihood at the observed frequencies."""
        p = self.probabilities
        return float(self.n_obs * np.sum(p * np.log(p)))

    @property
    def parameters(self) -> dict[str, Any]:  # type: ignore[override]
        """Level -> frequency."""
        return {level: float(p) for level, p in zip(self.levels, self.probabilities)}

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The level whose cumulative-frequency interval holds each ``u``."""
        cumulative = np.cumsum(self.probabilities)
        index = np.minimum(np.searchsorted(cumulative, u, side="right"), len(self.levels) - 1)
        return np.asarray(self.levels, dtype=object)[index]


def _frozen(family: str, parameters: dict[str, float]) -> Any:
    """The scipy distribution of ``family`` with ``parameters``."""
    p = parameters
    if family == "normal":
        return stats.norm(loc=p["loc"], scale=p["scale"])
    if family == "lognormal":
        return stats.lognorm(p["sigma"], loc=p["loc"], scale=math.exp(p["mu"]))
    if family == "gamma":
        return stats.gamma(p["shape"], loc=p["loc"], scale=p["scale"])
    if family == "weibull":
        return stats.weibull_min(p["shape"], loc=p["loc"], scale=p["scale"])
    if family == "exponential":
        return stats.expon(loc=p["loc"], scale=p["scale"])
    if family == "beta":
        return stats.beta(p["a"], p["b"], loc=p["low"], scale=p["high"] - p["low"])
    if family == "uniform":
        return stats.uniform(loc=p["low"], scale=p["high"] - p["low"])
    if family == "poisson":
        return stats.poisson(p["mu"])
    if family == "negative_binomial":
        return stats.nbinom(p["r"], p["p"])
    raise ValueError(f"unknown family {family!r}")  # pragma: no cover - internal names


@dataclass
class ParametricMarginal(Marginal):
    """A continuous family, truncated to ``[low, high]``; rounded when ``integer``.

    An integer column's value ``k`` stands for the interval ``(k - 0.5, k + 0.5)``, so the
    truncation range is ``[low - 0.5, high + 0.5]`` and draws are rounded.
    """

    family: str  # type: ignore[misc]
    parameters: dict[str, float]  # type: ignore[misc]
    low: float
    high: float
    integer: bool
    loglik: float  # type: ignore[misc]
    n_obs: int
    ks_statistic: float = math.nan  # type: ignore[misc]

    @property
    def n_params(self) -> int:  # type: ignore[override]
        """Free parameters of the family (a shifted positive family counts its location)."""
        return _N_PARAMS[self.family] + int(bool(self.parameters.get("loc", 0.0)))

    @property
    def distribution(self) -> Any:
        """The (untruncated) scipy distribution."""
        return _frozen(self.family, self.parameters)

    def _edges(self) -> tuple[float, float]:
        half = 0.5 if self.integer else 0.0
        return self.low - half, self.high + half

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """CDF of the truncated (for integer columns: rounded) distribution."""
        dist = self.distribution
        lo, hi = self._edges()
        x = np.asarray(x, dtype=float)
        if self.integer:
            x = np.floor(x) + 0.5
        a, b = dist.cdf(lo), dist.cdf(hi)
        mass = b - a
        if mass <= 0:
            return (x >= hi).astype(float)
        return np.clip((dist.cdf(np.clip(x, lo, hi)) - a) / mass, 0.0, 1.0)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """Density of the truncated distribution (probability of ``k`` for integer columns)."""
        dist = self.distribution
        lo, hi = self._edges()
        x = np.asarray(x, dtype=float)
        mass = max(dist.cdf(hi) - dist.cdf(lo), np.finfo(float).tiny)
        inside = (x >= self.low) & (x <= self.high)
        if self.integer:
            values = dist.cdf(np.minimum(x + 0.5, hi)) - dist.cdf(np.maximum(x - 0.5, lo))
        else:
            values = dist.pdf(x)
        return np.where(inside, values / mass, 0.0)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF on ``[low, high]``: ``F^-1(F(lo) + u (F(hi) - F(lo)))``.

        Works in the survival function when the range lies in the upper tail, so that a
        range far out in a tail does not collapse to one value in double precision.
        """
        dist = self.distribution
        lo, hi = self._edges()
        u = np.asarray(u, dtype=float)
        a = float(dist.cdf(lo))
        if a <= 0.5:
            b = float(dist.cdf(hi))
            x = dist.ppf(a + u * (b - a))
        else:
            sa, sb = float(dist.sf(lo)), float(dist.sf(hi))
            x = dist.isf(sa - u * (sa - sb))
        x = np.clip(np.nan_to_num(x, nan=lo, posinf=hi, neginf=lo), lo, hi)
        if self.integer:
            x = np.clip(np.round(x), self.low, self.high)
        return x


@dataclass
class CountMarginal(Marginal):
    """A count family (Poisson, negative binomial) truncated to ``[low, high]``."""

    family: str  # type: ignore[misc]
    parameters: dict[str, float]  # type: ignore[misc]
    low: float
    high: float
    loglik: float  # type: ignore[misc]
    n_obs: int
    ks_statistic: float = math.nan  # type: ignore[misc]
    integer = True

    @property
    def n_params(self) -> int:  # type: ignore[override]
        """Free parameters of the family."""
        return _N_PARAMS[self.family]

    @property
    def distribution(self) -> Any:
        """The (untruncated) scipy distribution."""
        return _frozen(self.family, self.parameters)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """CDF of the truncated distribution."""
        dist = self.distribution
        a, b = dist.cdf(self.low - 1), dist.cdf(self.high)
        x = np.clip(np.floor(np.asarray(x, dtype=float)), self.low - 1, self.high)
        return np.clip((dist.cdf(x) - a) / max(b - a, np.finfo(float).tiny), 0.0, 1.0)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """Probability of each value under the truncated distribution."""
        dist = self.distribution
        mass = max(dist.cdf(self.high) - dist.cdf(self.low - 1), np.finfo(float).tiny)
        x = np.asarray(x, dtype=float)
        inside = (x >= self.low) & (x <= self.high)
        return np.where(inside, dist.pmf(x) / mass, 0.0)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The smallest count whose truncated CDF reaches ``u``."""
        dist = self.distribution
        a, b = float(dist.cdf(self.low - 1)), float(dist.cdf(self.high))
        x = dist.ppf(a + np.asarray(u, dtype=float) * (b - a))
        return np.clip(np.nan_to_num(x, nan=self.low, posinf=self.high), self.low, self.high)


# -------------------------------------------------------------------------------- fitting
def fit_categorical(values: np.ndarray, levels: Sequence[Any]) -> CategoricalMarginal:
    """Observed frequencies of ``levels`` (every level must occur in ``values``)."""
    counts = np.array([np.sum(values == level) for level in levels], dtype=float)
    return CategoricalMarginal(tuple(levels), counts / counts.sum(), int(counts.sum()))


def _mle_parameters(family: str, x: np.ndarray, padding: float) -> dict[str, float]:
    """Maximum-likelihood parameters of ``family`` for the sample ``x``."""
    if family in _POSITIVE:
        low = float(x.min())
        loc = 0.0 if low > 0 else low - padding * (float(x.max()) - low)
        return {**_positive_parameters(family, x - loc), "loc": loc}
    if family == "normal":
        return {"loc": float(x.mean()), "scale": float(x.std())}
    if family == "beta":
        low, high = float(x.min()), float(x.max())
        pad = padding * (high - low)
        low, high = low - pad, high + pad
        a, b, _, _ = stats.beta.fit((x - low) / (high - low), floc=0, fscale=1)
        return {"a": float(a), "b": float(b), "low": low, "high": high}
    if family == "uniform":
        return {"low": float(x.min()), "high": float(x.max())}
    if family == "poisson":
        return {"mu": float(x.mean())}
    if family == "negative_binomial":
        return _nbinom_mle(x)
    raise ValueError(f"unknown family {family!r}")  # pragma: no cover - internal names


def _positive_parameters(family: str, x: np.ndarray) -> dict[str, float]:
    """MLE of a positive-support family on ``x > 0`` with its location fixed at 0."""
    if family == "lognormal":
        logs = np.log(x)
        return {"mu": float(logs.mean()), "sigma": float(logs.std())}
    if family == "gamma":
        shape, _, scale = stats.gamma.fit(x, floc=0)
        return {"shape": float(shape), "scale": float(scale)}
    if family == "weibull":
        shape, _, scale = stats.weibull_min.fit(x, floc=0)
        return {"shape": float(shape), "scale": float(scale)}
    return {"scale": float(x.mean())}  # exponential


def _nbinom_mle(x: np.ndarray) -> dict[str, float]:
    """Negative-binomial MLE: ``p = r / (r + mean)`` profiled out, ``log r`` optimised."""
    mean = float(x.mean())

    def negative_loglik(log_r: float) -> float:
        r = math.exp(log_r)
        p = r / (r + mean)
        return -float(stats.nbinom.logpmf(x, r, p).sum())

    result = optimize.minimize_scalar(negative_loglik, bounds=_LOG_R_BOUNDS, method="bounded")
    r = math.exp(float(result.x))
    return {"r": r, "p": r / (r + mean)}


def _loglik(family: str, parameters: dict[str, float], x: np.ndarray, integer: bool) -> float:
    """Log-likelihood of ``x``; integer columns use the rounded-variable probabilities."""
    dist = _frozen(family, parameters)
    if family in COUNT_FAMILIES:
        return float(dist.logpmf(x).sum())
    if integer:
        upper, lower = dist.logcdf(x + 0.5), dist.logcdf(x - 0.5)
        with np.errstate(divide="ignore", invalid="ignore"):
            # log(F(x + .5) - F(x - .5)) computed stably as log F(x+.5) + log(1 - e^(lo-up))
            values = upper + np.log(-np.expm1(lower - upper))
            # where the difference underflows (values of 1e15 and a scale to match: the
            # two CDFs agree in double precision), the interval of width 1 has the density's
            # mass; -inf there made every continuous family lose to a count family
            values = np.where(np.isfinite(values), values, dist.logpdf(x))
        return float(values.sum())
    return float(dist.logpdf(x).sum())


def _ks_statistic(marginal: ParametricMarginal | CountMarginal, x: np.ndarray) -> float:
    """Kolmogorov-Smirnov distance between the sample and the truncated fitted CDF."""
    if not marginal.integer:
        return float(stats.kstest(x, marginal.cdf).statistic)
    # both CDFs are step functions on the integers: the supremum is reached at an observed
    # value or just before one
    points = np.unique(np.concatenate([np.unique(x), np.unique(x) - 1]))
    empirical = np.searchsorted(np.sort(x), points, side="right") / len(x)
    return float(np.max(np.abs(empirical - marginal.cdf(points))))


def candidate_families(
    x: np.ndarray, integer: bool, families: Sequence[str] | None = None
) -> list[str]:
    """The families of ``families`` (default: all) that apply to the sample ``x``.

    Count families need non-negative whole values below ``COUNT_MAX``; every continuous
    family applies (a positive-support family is shifted below the minimum when some
    value is <= 0).
    """
    allowed = FAMILIES if families is None else tuple(families)
    chosen = []
    for family in allowed:
        if family in COUNT_FAMILIES and (not integer or not 0 <= x.min() <= x.max() < COUNT_MAX):
            continue
        chosen.append(family)
    return chosen


def fit_numeric(
    x: np.ndarray,
    *,
    integer: bool,
    selection: str = "aic",
    families: Sequence[str] | None = None,
    beta_padding: float = 0.01,
) -> tuple[Marginal, list[Marginal]]:
    """Fit every applicable family to the observed values ``x``; return the best and all.

    Families that fail to fit, or give a non-finite log-likelihood, are kept in the list
    with ``loglik = -inf`` (so an infinite AIC), never chosen. A sample with one distinct
    value gives a :class:`ConstantMarginal`.

    Raises:
        ValueError: when no family applies to the sample, or every one fails.
    """
    x = np.asarray(x, dtype=float)
    low, high = float(x.min()), float(x.max())
    if low == high:
        constant = ConstantMarginal(int(low) if integer else low, len(x))
        return constant, [constant]
    fits: list[Marginal] = []
    for family in candidate_families(x, integer, families):
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                parameters = _mle_parameters(family, x, beta_padding)
                loglik = _loglik(family, parameters, x, integer)
        except (ValueError, RuntimeError, FloatingPointError, ZeroDivisionError):
            parameters, loglik = {}, -math.inf
        if not math.isfinite(loglik) or not all(map(math.isfinite, parameters.values())):
            loglik = -math.inf
        marginal: ParametricMarginal | CountMarginal
        if family in COUNT_FAMILIES:
            marginal = CountMarginal(family, parameters, low, high, loglik, len(x))
        else:
            marginal = ParametricMarginal(family, parameters, low, high, integer, loglik, len(x))
        if math.isfinite(loglik):
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                marginal.ks_statistic = _ks_statistic(marginal, x)
        fits.append(marginal)
    usable = [m for m in fits if math.isfinite(m.loglik)]
    if not usable:
        tried = ", ".join(m.family for m in fits) or "none (no family fits this support)"
        raise ValueError(f"no candidate family could be fitted; tried: {tried}")
    best = min(usable, key=lambda m: m.criterion(selection))
    return best, fits

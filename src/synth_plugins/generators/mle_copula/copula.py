"""The Gaussian copula: normal scores, their correlation, its PSD repair, and draws from it.

The copula's correlation is estimated pair by pair. Between two numeric columns it is the
Pearson correlation of their normal scores ``z = Phi^-1(u)``, with ``u`` the empirical
probability integral transform of each column. Ties (integer columns) are broken by a
randomised PIT, ``u = F(x-) + V (F(x) - F(x-))`` with ``V ~ U(0, 1)`` (Rüschendorf's
distributional transform; see Oertel, doi:10.1515/demo-2015-0008, arXiv:1312.4997), or put
at the middle of their step (``V = 1/2``, mid-ranks).

A discrete column (binary, categorical, ordinal) is the discretisation of a latent normal
at the thresholds ``Phi^-1`` of its cumulative frequencies, which is exactly how the copula
samples it. Its correlation with a numeric column is then the maximum-likelihood
*polyserial* correlation, and with another discrete column the *polychoric* one (Olsson
1979, doi:10.1007/BF02296207; Olsson, Drasgow & Dorans 1982, doi:10.1007/BF02294164).
Normal scores of a discrete column (the randomised PIT) would attenuate these correlations.

Each pair uses its pairwise-complete rows, so the matrix need not be positive
semi-definite; it is then replaced by the nearest correlation matrix in the Frobenius norm
(Higham 2002, doi:10.1093/imanum/22.3.329).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import optimize, special, stats

__all__ = [
    "bivariate_normal_cdf",
    "latent_correlation",
    "nearest_correlation",
    "normal_scores",
    "polychoric",
    "polyserial",
    "sample_normal",
]

#: Probabilities are kept this far from 0 and 1, so normal scores stay finite.
_EDGE = 1e-9
#: Smallest eigenvalue a repaired matrix keeps (so it factorises and stays invertible).
_MIN_EIGENVALUE = 1e-8
#: Stand-in for an infinite threshold (Phi(9) = 1 - 1e-19).
_BIG = 9.0
#: Latent correlations are searched in [-_MAX_RHO, _MAX_RHO].
_MAX_RHO = 0.999


def normal_scores(values: np.ndarray, rng: np.random.Generator, pit: str) -> np.ndarray:
    """``Phi^-1`` of the empirical PIT of ``values`` (codes or numbers; NaN stays NaN).

    Args:
        values: one column, as floats (discrete columns as their level codes).
        rng: draws the randomised-PIT offsets (one per observed value).
        pit: ``"randomized"`` or ``"mid_rank"``.
    """
    values = np.asarray(values, dtype=float)
    observed = ~np.isnan(values)
    x = values[observed]
    ordered = np.sort(x)
    below = np.searchsorted(ordered, x, side="left") / len(x)  # F(x-)
    upto = np.searchsorted(ordered, x, side="right") / len(x)  # F(x)
    offset = rng.random(len(x)) if pit == "randomized" else np.full(len(x), 0.5)
    u = np.clip(below + offset * (upto - below), _EDGE, 1 - _EDGE)
    scores = np.full(len(values), np.nan)
    scores[observed] = stats.norm.ppf(u)
    return scores


def bivariate_normal_cdf(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    """``P(X <= h, Y <= k)`` for standard normals with correlation ``rho`` (|rho| < 1).

    Owen's (1956) formula through his T function, exact to rounding and vectorised:
    ``Phi2 = (Phi(h) + Phi(k)) / 2 - T(h, a_h) - T(k, a_k) - beta`` (doi:10.1214/aoms/1177728074).
    """
    h = np.asarray(h, dtype=float)
    k = np.asarray(k, dtype=float)
    h = np.where(h == 0, 1e-15, h)  # the formula's limit at 0, approached from the right
    k = np.where(k == 0, 1e-15, k)
    s = math.sqrt(1 - rho * rho)
    a_h = (k - rho * h) / (h * s)
    a_k = (h - rho * k) / (k * s)
    beta = np.where(h * k > 0, 0.0, 0.5)
    value = (
        0.5 * (special.ndtr(h) + special.ndtr(k))
        - special.owens_t(h, a_h)
        - special.owens_t(k, a_k)
        - beta
    )
    return np.clip(value, 0.0, 1.0)


def _thresholds(codes: np.ndarray, n_levels: int) -> np.ndarray:
    """``[-BIG, Phi^-1(cumulative frequencies), BIG]`` of integer ``codes``."""
    cumulative = np.cumsum(np.bincount(codes, minlength=n_levels))[:-1] / len(codes)
    inner = np.clip(special.ndtri(cumulative), -_BIG, _BIG)
    return np.concatenate([[-_BIG], inner, [_BIG]])


def _maximise(loglik: Callable[[float], float]) -> float:
    """The correlation in [-0.999, 0.999] that maximises ``loglik``."""
    result = optimize.minimize_scalar(
        lambda rho: -loglik(rho),
        bounds=(-_MAX_RHO, _MAX_RHO),
        method="bounded",
        options={"xatol": 1e-6},
    )
    return float(result.x)


def polyserial(scores: np.ndarray, codes: np.ndarray) -> float:
    """ML correlation between normal ``scores`` and a discretised latent normal (``codes``).

    ``P(code = k | z) = Phi((t_{k+1} - rho z) / s) - Phi((t_k - rho z) / s)`` with ``s =
    sqrt(1 - rho^2)`` and thresholds ``t`` from the codes' cumulative frequencies.
    """
    codes = codes.astype(np.int64)
    tau = _thresholds(codes, int(codes.max()) + 1)
    upper, lower = tau[codes + 1], tau[codes]

    def loglik(rho: float) -> float:
        s = math.sqrt(1 - rho * rho)
        p = special.ndtr((upper - rho * scores) / s) - special.ndtr((lower - rho * scores) / s)
        return float(np.log(np.maximum(p, 1e-300)).sum())

    return _maximise(loglik)


def polychoric(codes_a: np.ndarray, codes_b: np.ndarray) -> float:
    """ML correlation of two latent normals discretised into ``codes_a`` and ``codes_b``."""
    codes_a, codes_b = codes_a.astype(np.int64), codes_b.astype(np.int64)
    n_a, n_b = int(codes_a.max()) + 1, int(codes_b.max()) + 1
    tau_a, tau_b = _thresholds(codes_a, n_a), _thresholds(codes_b, n_b)
    counts = np.zeros((n_a, n_b))
    np.add.at(counts, (codes_a, codes_b), 1.0)
    grid_a, grid_b = np.meshgrid(tau_a, tau_b, indexing="ij")
    seen = counts > 0

    def loglik(rho: float) -> float:
        f = bivariate_normal_cdf(grid_a, grid_b, rho)
        cells = f[1:, 1:] - f[:-1, 1:] - f[1:, :-1] + f[:-1, :-1]
        return float((counts[seen] * np.log(np.maximum(cells[seen], 1e-300))).sum())

    return _maximise(loglik)


def latent_correlation(columns: np.ndarray, discrete: Sequence[bool]) -> np.ndarray:
    """The copula correlation, pair by pair over complete rows (NaN marks a missing value).

    Args:
        columns: one column per variable: normal scores for numeric variables, level codes
            ``0..K-1`` for discrete ones.
        discrete: which columns hold level codes.

    A pair with fewer than 3 complete rows, or a column constant on them, gets 0.
    """
    n_columns = columns.shape[1]
    matrix = np.eye(n_columns)
    observed = ~np.isnan(columns)
    for i in range(n_columns):
        for j in range(i + 1, n_columns):
            both = observed[:, i] & observed[:, j]
            a, b = columns[both, i], columns[both, j]
            if both.sum() < 3 or a.min() == a.max() or b.min() == b.max():
                continue
            if discrete[i] and discrete[j]:
                rho = polychoric(_recode(a), _recode(b))
            elif discrete[i]:
                rho = polyserial(b, _recode(a))
            elif discrete[j]:
                rho = polyserial(a, _recode(b))
            else:
                rho = float(np.corrcoef(a, b)[0, 1])
            matrix[i, j] = matrix[j, i] = rho
    return matrix


def _recode(codes: np.ndarray) -> np.ndarray:
    """Codes renumbered ``0..K-1`` over the levels present (keeping their order)."""
    return np.unique(codes, return_inverse=True)[1].astype(np.int64)


def _project_psd(matrix: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """The nearest symmetric matrix with eigenvalues >= ``floor`` (Frobenius norm)."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.maximum(values, floor)) @ vectors.T


def nearest_correlation(
    matrix: np.ndarray, *, tolerance: float = 1e-10, max_iterations: int = 1_000
) -> np.ndarray:
    """The nearest correlation matrix to a symmetric ``matrix`` (Higham 2002).

    Alternating projections with Dykstra's correction between the positive semi-definite
    cone and the unit-diagonal matrices, then a last eigenvalue floor of 1e-8 and
    rescaling to a unit diagonal, so the result can be factorised. A matrix that already is
    a positive-definite correlation matrix comes back unchanged.
    """
    matrix = (np.asarray(matrix, dtype=float) + np.asarray(matrix, dtype=float).T) / 2
    if np.linalg.eigvalsh(matrix).min() >= _MIN_EIGENVALUE and np.allclose(np.diag(matrix), 1):
        return matrix
    y = matrix.copy()
    correction = np.zeros_like(matrix)
    for _ in range(max_iterations):
        r = y - correction
        x = _project_psd(r)
        correction = x - r
        previous = y
        y = x.copy()
        np.fill_diagonal(y, 1.0)
        if np.linalg.norm(y - previous) <= tolerance * np.linalg.norm(y):
            break
    y = _project_psd(y, _MIN_EIGENVALUE)
    scale = 1 / np.sqrt(np.diag(y))
    y = y * scale[:, None] * scale[None, :]
    np.fill_diagonal(y, 1.0)
    return (y + y.T) / 2


def sample_normal(correlation: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of ``z ~ N(0, correlation)`` (an ``n x d`` array)."""
    values, vectors = np.linalg.eigh(correlation)
    root = vectors * np.sqrt(np.maximum(values, 0.0))
    return rng.standard_normal((n, len(correlation))) @ root.T

"""CK4Gen's numeric marginal calibration (model mode): each number onto its training marginal.

SynthNet decodes the conditional mean of the covariates given a latent trained to carry
risk, and the numeric residuals add a symmetric Gaussian spread in min-max space. Neither
can shape a skewed column or one with a point mass: on GBSG2, whose ``estrec`` has 11 % of
its values at 0 and a median of 34, the decoded-plus-residual values have a median of 130
(draws below 0 are re-drawn, so the low bulk is pushed up). The calibration learns, per
numeric column, the distribution the sampler produces (from many draws on the training
latents) and maps each sampled value through that distribution's CDF and the training
values' quantile function. The map is monotone, so every row keeps its rank within the
column and the dependence between columns (in ranks) is the sampler's; the marginal
becomes the training one, point masses included.
"""

from __future__ import annotations

import numpy as np

from synth_plugins.generators.ck4gen.config import NUMERIC_QUANTILES
from synth_plugins.generators.quantiles import is_near_continuous, smoothed_quantiles

#: Probabilities at which both distributions are tabulated.
PROBABILITIES = np.linspace(0.0, 1.0, NUMERIC_QUANTILES)


def quantile_table(
    values: np.ndarray, observed: np.ndarray | None = None, smoothed: bool = False
) -> np.ndarray:
    """Quantiles at :data:`PROBABILITIES` of each column (its observed rows only).

    Shape ``(NUMERIC_QUANTILES, columns)``. ``smoothed``: a near-continuous column
    (:func:`~synth_plugins.generators.quantiles.is_near_continuous`) is read from its
    smoothed quantile function (:func:`~synth_plugins.generators.quantiles.smoothed_quantiles`),
    as for the training values the draws are mapped onto: interpolating between every
    training value put generated values on training values 2 to 3 times as often as a
    holdout's (a lab with 2 decimals, dates). The sampler's own draws, and the other
    columns, are tabulated as they are. A column with no observed value (among sampled
    rows, a column that is nearly always missing can draw none) gets 0.5, the middle of
    min-max space; its values are then missing anyway.
    """
    table = np.full((len(PROBABILITIES), values.shape[1]), 0.5)
    for j in range(values.shape[1]):
        column = values[:, j] if observed is None else values[observed[:, j], j]
        if not len(column):
            continue
        if smoothed and is_near_continuous(column):
            knots, levels = smoothed_quantiles(column)
            table[:, j] = np.interp(PROBABILITIES, levels, knots)
        else:
            table[:, j] = np.quantile(column, PROBABILITIES)
    return table


def map_to_marginal(values: np.ndarray, sampled: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Each column's values through the sampled CDF and the target quantile function.

    ``sampled`` and ``target`` are :func:`quantile_table` outputs. Values equal to a
    tabulated sampled quantile that repeats (a share of draws at one value) take the middle
    of that quantile's probabilities, so they land inside the target's matching range.
    Values beyond the sampled range take the target's end values.
    """
    out = np.empty_like(values, dtype=float)
    for j in range(values.shape[1]):
        knots, index = np.unique(sampled[:, j], return_inverse=True)
        probability = np.bincount(index, PROBABILITIES) / np.bincount(index)
        p = np.interp(values[:, j], knots, probability)
        out[:, j] = np.interp(p, PROBABILITIES, target[:, j])
    return out

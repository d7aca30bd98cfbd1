"""Kaplan-Meier distance scores (Norcliffe et al.; Synthcity) and the AML normalisation.

Synthcity's ``nonparametric_distance`` fits a Kaplan-Meier curve to the real and to the
synthetic (duration, event) data and compares them on an even grid of ``n_points`` times
from ``T_min`` (the smallest duration of both; Synthcity writes ``max(0, smallest)``, the
same since durations are > 0) to ``T_max`` (the largest duration of both):

- optimism: ``trapz(S_syn - S_real) / T_max``; positive when synthetic patients survive
  longer;
- KM divergence ("absolute optimism"): ``trapz(|S_syn - S_real|) / T_max``;
- short-sightedness: ``(max T_real - max T_syn) / T_max``; positive when the synthetic
  follow-up ends earlier.

The denominator is ``T_max``, not ``T_max - T_min``. The AML study scores each as
``1 - |x|`` and calls the mean of the three the survival score; it used ``n_points = number
of real rows``, the default here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from synth_plugins.metrics.validation import check_rows
from synth_plugins.survival import check_outcome_arrays
from synth_plugins.validation import check_int


@dataclass(frozen=True)
class KmSurvivalResult:
    """Raw and normalised Kaplan-Meier distance scores.

    Attributes:
        score: Mean of the three normalised scores (the AML "survival" score).
        optimism: ``trapz(S_syn - S_real) / T_max``, in ``[-1, 1]``.
        km_divergence: ``trapz(|S_syn - S_real|) / T_max``, in ``[0, 1]``.
        short_sightedness: ``(max T_real - max T_syn) / T_max``, in ``[-1, 1]``.
        optimism_score: ``1 - |optimism|``.
        km_divergence_score: ``1 - km_divergence``.
        short_sightedness_score: ``1 - |short_sightedness|``.
        n_points: Grid size used.
        t_max: The largest duration of both data sets.
    """

    score: float
    optimism: float
    km_divergence: float
    short_sightedness: float
    optimism_score: float
    km_divergence_score: float
    short_sightedness_score: float
    n_points: int
    t_max: float

    def to_dict(self) -> dict[str, float]:
        """Every figure as a flat ``{name: float}`` dict with stable keys."""
        return {name: float(value) for name, value in self.__dict__.items()}


def km_survival_scores(
    real_duration: Any,
    real_event: Any,
    synthetic_duration: Any,
    synthetic_event: Any,
    *,
    n_points: int | None = None,
) -> KmSurvivalResult:
    """Optimism, KM divergence and short-sightedness, raw and as ``1 - |x|``.

    Args:
        real_duration: Real follow-up times (> 0, the rule of
            :func:`synth_plugins.survival.check_outcome_arrays`).
        real_event: Real event indicators (1 = event, 0 = censored).
        synthetic_duration: Synthetic follow-up times.
        synthetic_event: Synthetic event indicators.
        n_points: Grid size; None uses the number of real rows (the AML study's choice),
            at least 2. Synthcity's own default is 1000.

    Returns:
        A :class:`KmSurvivalResult`.

    Raises:
        InvalidDataError: Empty, mismatched, non-positive, missing or non-binary inputs,
            or a table of one row.
        InvalidParameterError: ``n_points`` below 2.
    """
    from lifelines import KaplanMeierFitter
    from scipy.integrate import trapezoid

    t_real, e_real = check_outcome_arrays(real_duration, real_event, "real")
    t_syn, e_syn = check_outcome_arrays(synthetic_duration, synthetic_event, "synthetic")
    for name, durations in (("real", t_real), ("synthetic", t_syn)):
        check_rows(durations.size, name, 2)  # a curve of one patient is one step
    if n_points is None:
        n_points = max(2, t_real.size)
    n_points = check_int("n_points", n_points, minimum=2)
    t_max = float(max(t_real.max(), t_syn.max()))
    t_min = float(min(t_real.min(), t_syn.min()))
    grid = np.linspace(t_min, t_max, n_points)
    real_curve = KaplanMeierFitter().fit(t_real, e_real).predict(grid).to_numpy(dtype=float)
    syn_curve = KaplanMeierFitter().fit(t_syn, e_syn).predict(grid).to_numpy(dtype=float)
    difference = syn_curve - real_curve
    optimism = float(trapezoid(difference, grid) / t_max)
    divergence = float(trapezoid(np.abs(difference), grid) / t_max)
    sightedness = float((t_real.max() - t_syn.max()) / t_max)
    scores = (1.0 - abs(optimism), 1.0 - abs(divergence), 1.0 - abs(sightedness))
    return KmSurvivalResult(
        score=float(np.mean(scores)),
        optimism=optimism,
        km_divergence=divergence,
        short_sightedness=sightedness,
        optimism_score=scores[0],
        km_divergence_score=scores[1],
        short_sightedness_score=scores[2],
        n_points=n_points,
        t_max=t_max,
    )

"""Cox proportional hazards fits shared by the CK4Gen teacher and the survival metrics.

lifelines' ``CoxPHFitter`` can fail to converge (a rare level with no event, a nearly
separated covariate). lifelines then only warns and returns the last Newton iterate, whose
coefficients can be far from any maximum (-48 for a log hazard ratio whose converged fit is
+1.6). A fit counts as failed when it raises, has non-finite coefficients, or lifelines
warns that Newton-Raphson did not converge; a failed fit is retried with a shorter Newton
step (:data:`NEWTON_STEPS`), then along one ladder of larger ridge penalizers
(:func:`penalizer_ladder`), and the notes say so, so a teacher and the metric that checks
it fit the same model the same way.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError, InvalidParameterError

__all__ = [
    "FALLBACK_PENALIZERS",
    "NEWTON_STEPS",
    "CoxFit",
    "fit_cox",
    "fit_cox_jointly",
    "fit_cox_once",
    "penalizer_ladder",
]

#: Penalizers tried, in order, after the requested one fails to converge.
FALLBACK_PENALIZERS: tuple[float, ...] = (0.01, 0.1, 1.0)

#: Newton step sizes tried in turn at one penalizer: lifelines' default, then a short step
#: (lifelines' own advice when a fit does not converge).
NEWTON_STEPS: tuple[float, ...] = (0.95, 0.1)

#: Parts of lifelines' ``ConvergenceWarning`` messages that mean the Newton-Raphson fit
#: stopped short of a maximum (not converged, or converged with a large last step, or a
#: log-likelihood near 0 from complete separation).
_NOT_CONVERGED: tuple[str, ...] = (
    "failed to converge",
    "norm(delta) is still high",
    "complete separation",
)

#: One table to fit: ``(covariates, durations, events)``.
CoxData = tuple[pd.DataFrame, np.ndarray, np.ndarray]


def penalizer_ladder(penalizer: float) -> list[float]:
    """The penalizers tried in turn: the requested one, then the larger fallbacks."""
    return [penalizer, *[p for p in FALLBACK_PENALIZERS if p > penalizer]]


@dataclass(frozen=True, eq=False)
class CoxFit:
    """A fitted lifelines Cox model and how it was obtained.

    Attributes:
        fitter: the fitted ``lifelines.CoxPHFitter``.
        penalizer: the penalizer actually used (larger than requested after a fallback).
        notes: convergence messages and fallbacks, for the user.
    """

    fitter: Any
    penalizer: float
    notes: tuple[str, ...] = ()


def fit_cox_once(
    covariates: pd.DataFrame,
    durations: np.ndarray,
    events: np.ndarray,
    penalizer: float,
    alpha: float,
    start: np.ndarray | None = None,
) -> tuple[Any | None, list[str]]:
    """One lifelines fit at ``penalizer``; ``(None, messages)`` when it fails.

    The Newton steps of :data:`NEWTON_STEPS` are tried in turn: a fit at one step fails when
    lifelines raises (an overshoot such as "delta contains nan"), warns that it did not
    converge (:data:`_NOT_CONVERGED`), or gives non-finite coefficients or standard errors,
    and the next, shorter step is tried; the fit fails when every step does.

    ``start``: coefficients (one per column of ``covariates``, in its units) where Newton's
    method starts instead of 0. The penalized partial log-likelihood is concave (strictly
    so with a ridge penalizer), so the start changes how many iterations reach its maximum,
    not where they end (up to lifelines' convergence tolerance); from a nearby start (a
    nested model's fit) a wide design converges in a few iterations where a start at 0 can
    overshoot.
    """
    if start is not None and np.shape(start) != (covariates.shape[1],):
        raise InvalidParameterError(
            f"start has shape {np.shape(start)}; expected one coefficient per column of "
            f"covariates, ({covariates.shape[1]},)"
        )
    frame = covariates.reset_index(drop=True).astype(float)
    # lifelines runs Newton's method on the covariates divided by their standard deviations
    scaled_start = None if start is None else np.asarray(start, float) * frame.std().to_numpy()
    frame["__duration__"] = durations
    frame["__event__"] = events
    messages: list[str] = []
    for step in NEWTON_STEPS:
        label = f"penalizer={penalizer:g}" + ("" if step == NEWTON_STEPS[0] else f", step={step:g}")
        fitter, warned, converged = _fit_lifelines(frame, penalizer, alpha, step, scaled_start)
        messages.extend(f"{label}: {text}" for text in warned)
        if fitter is None or not converged:
            continue
        finite = np.all(np.isfinite(fitter.params_.to_numpy())) and np.all(
            np.isfinite(fitter.standard_errors_.to_numpy())
        )
        if not finite:
            messages.append(f"{label}: non-finite coefficients")
            continue
        if step != NEWTON_STEPS[0]:
            messages.append(f"{label}: converged")
        return fitter, messages
    return None, messages


def _fit_lifelines(
    frame: pd.DataFrame,
    penalizer: float,
    alpha: float,
    step: float,
    scaled_start: np.ndarray | None = None,
) -> tuple[Any | None, list[str], bool]:
    """``(fitter or None when lifelines raised, warning lines, converged)`` of one fit.

    ``scaled_start``: lifelines' ``initial_point`` (coefficients per standard deviation of
    each covariate); None starts at 0.
    """
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError, ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fitter = CoxPHFitter(penalizer=penalizer, alpha=alpha).fit(
                frame,
                duration_col="__duration__",
                event_col="__event__",
                fit_options={"step_size": step},
                # lifelines updates its start in place: each try gets its own copy
                initial_point=None if scaled_start is None else scaled_start.copy(),
            )
        except (ConvergenceError, np.linalg.LinAlgError, ZeroDivisionError) as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            return None, [f"{type(error).__name__}: {first_line}"], False
    lines = [str(w.message).strip().splitlines()[0] for w in caught]
    converged = not any(
        issubclass(w.category, ConvergenceWarning)
        and any(part in str(w.message) for part in _NOT_CONVERGED)
        for w in caught
    )
    return fitter, lines, converged


def fit_cox_jointly(
    tables: Sequence[CoxData],
    *,
    labels: Sequence[str],
    penalizer: float = 0.01,
    alpha: float = 0.05,
    fallback: bool = True,
) -> list[CoxFit]:
    """Fit one Cox model per table, all with the same penalizer.

    The penalizers of :func:`penalizer_ladder` are tried in turn until every table fits;
    comparing two fits (real against synthetic) is only fair at one penalizer.

    Args:
        tables: ``(covariates, durations, events)`` per table; ``covariates`` is the numeric
            design matrix (one column per coefficient, no outcome).
        labels: one name per table, prefixed to its convergence messages.
        penalizer: lifelines' ``penalizer`` (ridge by default) tried first.
        alpha: significance level of the confidence intervals.
        fallback: on a failure retry with the larger penalizers; False tries ``penalizer``
            only.

    Returns:
        One :class:`CoxFit` per table, in order, sharing the penalizer and the notes.

    Raises:
        InvalidDataError: when no penalizer fits every table.
    """
    notes: list[str] = []
    ladder = penalizer_ladder(penalizer) if fallback else [penalizer]
    for value in ladder:
        fitters = []
        for label, (covariates, durations, events) in zip(labels, tables, strict=True):
            fitter, messages = fit_cox_once(covariates, durations, events, value, alpha)
            notes.extend(f"{label}: {m}" for m in messages)
            fitters.append(fitter)
        if all(f is not None for f in fitters):
            if value != penalizer:
                notes.append(f"penalizer raised from {penalizer:g} to {value:g} to converge")
            return [CoxFit(f, float(value), tuple(notes)) for f in fitters]
    raise InvalidDataError(
        f"the Cox model could not be fitted on {', '.join(labels)} with penalizers {ladder}: "
        + "; ".join(notes[-3:])
    )


def fit_cox(
    covariates: pd.DataFrame,
    durations: np.ndarray,
    events: np.ndarray,
    *,
    penalizer: float = 0.01,
    alpha: float = 0.05,
    fallback: bool = True,
    label: str = "data",
) -> CoxFit:
    """Fit a lifelines Cox proportional hazards model, raising the penalizer if it fails.

    Args:
        covariates: the numeric design matrix (one column per coefficient, no outcome).
        durations: durations (> 0).
        events: 0/1 event indicators.
        penalizer: lifelines' ``penalizer`` (ridge by default) tried first.
        alpha: significance level of the confidence intervals.
        fallback: on a convergence failure, retry with the penalizers of
            :func:`penalizer_ladder` (0.01, 0.1, 1.0 above the requested one).
        label: the table's name in the notes and the error.

    Returns:
        The fitted model, the penalizer used, and convergence notes.

    Raises:
        InvalidDataError: when no penalizer gives a finite fit.
    """
    tables = [(covariates, durations, events)]
    return fit_cox_jointly(
        tables, labels=[label], penalizer=penalizer, alpha=alpha, fallback=fallback
    )[0]

"""Shared survival pieces: outcome validation and Cox fitting, used by generators and metrics.

One rule for every survival table in the suite (:func:`check_survival_frame`,
:func:`check_outcome_arrays`): durations are finite and strictly positive, events are 0/1
(booleans accepted), nothing is missing; a generator writes its events back as the training
column wrote them (:func:`event_labels`, :func:`write_events`). One way to fit a Cox model
(:func:`fit_cox`, :func:`fit_cox_jointly`): lifelines' ``CoxPHFitter``, retried with a
shorter Newton step and then with a penalizer raised along :func:`penalizer_ladder` when a
fit fails or does not converge, so the CK4Gen teacher and the survival metrics fit Cox
models the same way.
"""

from synth_plugins.survival.cox import (
    FALLBACK_PENALIZERS,
    NEWTON_STEPS,
    CoxFit,
    fit_cox,
    fit_cox_jointly,
    fit_cox_once,
    penalizer_ladder,
)
from synth_plugins.survival.outcome import (
    check_outcome_arrays,
    check_survival_frame,
    event_labels,
    write_events,
)

__all__ = [
    "FALLBACK_PENALIZERS",
    "NEWTON_STEPS",
    "CoxFit",
    "check_outcome_arrays",
    "check_survival_frame",
    "event_labels",
    "fit_cox",
    "fit_cox_jointly",
    "fit_cox_once",
    "penalizer_ladder",
    "write_events",
]

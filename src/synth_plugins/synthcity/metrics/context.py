"""Make the arguments of the current ``Metrics.evaluate`` call visible to our evaluators.

Synthcity calls each evaluator with ``(X_gt.sample(n), X_syn.sample(n))`` only, after
label-encoding them. Metrics that compare synthetic data with *both* the generator's
training data and a holdout (the Hamming leakage coefficient, the DCR holdout share) need
``X_train`` as well, which ``Metrics.evaluate`` receives (``Benchmarks.evaluate`` passes the
holdout as ``X_gt`` and the training split as ``X_train``) but does not forward; and every
suite metric reads the caller's values rather than Synthcity's codes (see
``evaluators.py``).

:func:`record_metric_calls` wraps ``Metrics.evaluate`` with a recorder that stores the
bound arguments in a context variable for the duration of the call; :func:`current_call`
reads them. For time-series loaders it also gives real and synthetic sequences disjoint ids
(see :mod:`synth_plugins.synthcity.metrics.sequence_ids`), and refuses, with a clear
error, survival loaders whose durations Synthcity's encoding would break and, when suite
metrics are asked for, tables with other columns or outcome columns than ``X_gt`` and
columns Synthcity's encoders stop on (see :mod:`synth_plugins.synthcity.metrics.call_checks`).

Synthcity catches every error an evaluator raises, logs it to a logger that has no handler
by default, and leaves the metric's rows out of the result: a user sees no row and no
reason. Inside a recorded call, :func:`reporting_failures` turns each failure of a suite
metric into a :class:`MetricFailedWarning` naming the metric and the reason (a
:class:`~synth_plugins.errors.SynthPluginsWarning`, so shown although Synthcity's imports
ignore every warning), and the recorder lists
the reasons in the result's ``attrs["failed_metrics"]`` (``{"privacy.hamming_leakage":
"InvalidParameterError: ..."}``). A call that names a holdout metric of the suite without
``X_train`` is refused before Synthcity starts.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from synth_plugins.errors import (
    InvalidParameterError,
    SynthPluginsWarning,
    caller_stacklevel,
    warn,
)
from synth_plugins.synthcity.metrics.call_checks import (
    check_encodable,
    check_same_columns,
    check_survival_durations,
)
from synth_plugins.synthcity.metrics.sequence_ids import separate_sequence_ids

_CURRENT: ContextVar[Mapping[str, Any] | None] = ContextVar(
    "synth_plugins_metrics_call", default=None
)
_FAILURES: ContextVar[dict[str, str] | None] = ContextVar(
    "synth_plugins_metric_failures", default=None
)
_MARK = "__synth_plugins_recorder__"


class MetricFailedWarning(SynthPluginsWarning):
    """A suite metric failed inside Synthcity's ``Metrics.evaluate``, which drops its rows."""


def current_call() -> Mapping[str, Any] | None:
    """The arguments of the ``Metrics.evaluate`` call in progress, or None outside one."""
    return _CURRENT.get()


@contextmanager
def metrics_call(**arguments: Any) -> Iterator[None]:
    """Set the recorded call arguments, e.g. to run an evaluator outside Metrics.evaluate."""
    token = _CURRENT.set(arguments)
    try:
        yield
    finally:
        _CURRENT.reset(token)


@contextmanager
def reporting_failures(metric: str) -> Iterator[None]:
    """Re-raise any error of ``metric`` after warning about it inside ``Metrics.evaluate``.

    Args:
        metric: The metric's Synthcity key, ``<type>.<name>`` (the prefix of its rows).
    """
    try:
        yield
    except Exception as error:
        failures = _FAILURES.get()
        if failures is not None:
            reason = f"{type(error).__name__}: {error}"
            failures[metric] = reason
            warn(
                f"Synthcity's Metrics.evaluate leaves out {metric!r} because the metric "
                f"failed: {reason}",
                MetricFailedWarning,
                stacklevel=caller_stacklevel(),
            )
        raise


def _asked(metrics: Mapping[str, Any]) -> set[tuple[str, str]]:
    """The ``(type, name)`` pairs of a ``metrics={type: names}`` argument.

    Synthcity takes a list of names per type or one name as a string
    (``{"privacy": "hamming_leakage"}``); a string is one name, not its letters.
    """
    return {
        (kind, name)
        for kind, names in metrics.items()
        for name in ([names] if isinstance(names, str) else names)
    }


def _requested(metrics: Mapping[str, Any] | None) -> list[Any]:
    """The suite's catalog entries a ``metrics={type: [names]}`` argument asks for."""
    from synth_plugins import catalog

    if metrics is None:
        return list(catalog.METRICS)  # Synthcity then runs every registered metric
    asked = _asked(metrics)
    return [e for e in catalog.METRICS if (e.synthcity_type, e.name) in asked]


def check_training_data(arguments: Mapping[str, Any]) -> None:
    """Refuse a call that names a holdout metric of the suite and gives no ``X_train``.

    Such a metric compares the synthetic rows with the training rows and the holdout;
    without ``X_train`` its rows would be left out of the result, with one
    :class:`MetricFailedWarning` per metric: an error says it before Synthcity starts.

    Raises:
        InvalidParameterError: ``metrics`` names such a metric and ``X_train`` is None.
    """
    if arguments.get("X_train") is not None or arguments.get("metrics") is None:
        return  # (without metrics= Synthcity runs every metric: the others still count)
    needing = [e.name for e in _requested(arguments["metrics"]) if "holdout" in e.needs]
    if needing:
        verb = "needs" if len(needing) == 1 else "need"
        raise InvalidParameterError(
            f"{', '.join(needing)} {verb} the generator's training data: call "
            "Metrics.evaluate(X_gt=holdout, X_syn=synthetic, X_train=training data, ...)"
        )


#: Makes the replacement of an ``evaluate`` from the original and its signature.
Wrapper = Callable[[Callable[..., Any], Any], Callable[..., Any]]


def _wrap_evaluate(cls: type, wrap: Wrapper) -> None:
    """Replace ``cls.evaluate`` (a staticmethod) by ``wrap(original, signature)``, once."""
    original = cls.__dict__["evaluate"].__func__
    if getattr(original, _MARK, False):
        return
    wrapped = functools.wraps(original)(wrap(original, inspect.signature(original)))
    setattr(wrapped, _MARK, True)
    cls.evaluate = staticmethod(wrapped)  # type: ignore[attr-defined]


def record_metric_calls(metrics_cls: type) -> None:
    """Wrap ``metrics_cls.evaluate`` (a staticmethod) with the recorder, once."""

    def recorder(original: Callable[..., Any], signature: Any) -> Callable[..., Any]:
        def evaluate(*args: Any, **kwargs: Any) -> Any:
            arguments = signature.bind_partial(*args, **kwargs).arguments
            if _requested(arguments.get("metrics")):
                check_same_columns(arguments)
                check_encodable(arguments)
                check_training_data(arguments)
            check_survival_durations(arguments)
            separate_sequence_ids(arguments)
            failures: dict[str, str] = {}
            token = _FAILURES.set(failures)
            try:
                with metrics_call(**arguments):
                    result = original(**arguments)
            finally:
                _FAILURES.reset(token)
            result.attrs["failed_metrics"] = failures
            return result

        return evaluate

    _wrap_evaluate(metrics_cls, recorder)


def guard_benchmarks(benchmarks_cls: type) -> None:
    """Wrap ``benchmarks_cls.evaluate`` (a staticmethod) with :func:`check_benchmark_metrics`."""

    def guard(original: Callable[..., Any], signature: Any) -> Callable[..., Any]:
        def evaluate(*args: Any, **kwargs: Any) -> Any:
            check_benchmark_metrics(signature.bind_partial(*args, **kwargs).arguments)
            return original(*args, **kwargs)

        return evaluate

    _wrap_evaluate(benchmarks_cls, guard)


def check_benchmark_metrics(arguments: Mapping[str, Any]) -> None:
    """Refuse the suite's ``survival_augmentation`` in ``Benchmarks.evaluate``.

    ``Benchmarks.evaluate`` (Synthcity 0.2.12) runs its own fairness-augmentation pipeline
    whenever a metric's name contains "augmentation": it needs a ``fairness_column``, and
    without one every metric of the run is lost after the generators have been fitted.

    Raises:
        InvalidParameterError: ``metrics`` names ``survival_augmentation``.
    """
    # Synthcity's own test, element by element: a string spec is iterated by letter there, so
    # {"performance": "survival_augmentation"} never starts the pipeline and is left to run
    names = [name for names in (arguments.get("metrics") or {}).values() for name in names]
    if "survival_augmentation" in names:
        raise InvalidParameterError(
            "survival_augmentation cannot run in Synthcity's Benchmarks.evaluate, which "
            "treats every metric named '...augmentation...' as its fairness-augmentation "
            "pipeline (and without a fairness_column loses every metric of the run); score "
            "the benchmark's synthetic data with Metrics.evaluate(X_gt=holdout, "
            "X_syn=synthetic, X_train=training data, metrics={'performance': "
            "['survival_augmentation']}), or run `synth-plugins benchmark survival`"
        )

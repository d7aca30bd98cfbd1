"""Exceptions and warnings raised by synth-plugins.

Every error a user can cause names the argument or column at fault and what was expected,
so that a message is enough to fix the call without reading our source. Every warning the
suite raises is a :class:`SynthPluginsWarning`, raised through :func:`warn`.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds, so messages read ``7``, not ``np.int64(7)``.

    numpy 2 writes its scalars' type in ``repr``.
    """
    return value.item() if isinstance(value, np.generic) else value


class SynthPluginsError(Exception):
    """Base class of every error raised on purpose by synth-plugins."""


class InvalidDataError(SynthPluginsError, ValueError):
    """The data handed to a generator or metric cannot be used as given."""


class InvalidParameterError(SynthPluginsError, ValueError):
    """A parameter has a value outside what the method accepts.

    ``parameter`` is the name the message starts with, where a check of one parameter
    raised it (a host adapter then says its own name for it, e.g. ``n_iter`` for
    ``epochs``); None otherwise.
    """

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


def infinite_values(column: Any, table: str | None = None) -> InvalidDataError:
    """The error for a column holding an infinite number, worded alike in every host.

    Args:
        column: The column's label.
        table: Which of several tables it is in (``"synthetic"``), if the call has several.
    """
    where = f"column {column!r}" + (f" of {table}" if table else "")
    return InvalidDataError(
        f"{where} holds infinite values; replace them first (with NaN where the value is unknown)"
    )


class NotFittedError(SynthPluginsError, RuntimeError):
    """A fitted-only operation was called on an object that has not been fitted."""


class UnknownNameError(SynthPluginsError, KeyError):
    """A generator, metric or dataset name is not known; the message lists the known ones."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = sorted(known)
        super().__init__(f"unknown {kind} {name!r}; available: {', '.join(self.known)}")

    def __str__(self) -> str:
        return str(self.args[0])


#: The extras that install on the Synthcity stack only (Python 3.11, numpy < 2): ``all`` and
#: those of ``all`` that ``sdv-stack`` leaves out in ``pyproject.toml``, which declares them
#: (a unit test keeps the two in step). Every other extra installs on either stack.
SYNTHCITY_STACK_EXTRAS = frozenset({"all", "synthcity", "sdgym", "privacy"})


class MissingDependencyError(SynthPluginsError, ImportError):
    """An optional package needed for the requested feature is not installed.

    The message gives the install the docs describe ("Two supported stacks" in
    ``docs/install.md``): the extra, installed from a clone of the repository with the lock
    (constraints file) of the stack it belongs to.
    """

    def __init__(self, package: str, feature: str, extra: str = "all") -> None:
        command = f'pip install ".[{extra}]" -c requirements/constraints.txt'
        if extra in SYNTHCITY_STACK_EXTRAS:
            where = (
                f"{command}, on the Synthcity stack only (Python 3.11 and numpy < 2, so an "
                "environment of its own next to an SDV 2 one)"
            )
        else:
            where = (
                f"{command} on the Synthcity stack, or with "
                "-c requirements/sdv-constraints.txt on the SDV stack"
            )
        super().__init__(
            f"{feature} needs the package {package!r}, which is not installed; install the "
            f"{extra!r} extra in a clone of the synth-plugins repository: {where}; "
            'see "Two supported stacks" in its docs/install.md'
        )


class SynthPluginsWarning(UserWarning):
    """Base class of every warning raised by synth-plugins.

    Shown by default, in a Synthcity session too (see :func:`warn`). Silence the suite's
    warnings with ``warnings.filterwarnings("ignore", category=SynthPluginsWarning)``, or
    turn them into errors with ``"error"``.
    """


class SmallTrainingSetWarning(SynthPluginsWarning):
    """A generator is fitted on too few rows (patients) to learn a distribution from.

    Warned once per fit below :data:`synth_plugins.validation.SMALL_TRAINING_SIZE`; a test
    suite that fits on tiny tables on purpose can ignore this class alone.
    """


class UnderTrainedWarning(SynthPluginsWarning):
    """A fit reached its ``epochs`` cap while its validation loss was still falling.

    Raise ``epochs`` (early stopping still ends training once the loss stops improving).
    A benchmark run at a deliberately short budget can ignore this class alone and report
    the cut-short fits instead (the longitudinal suite's quick mode does).
    """


#: The filter that shows the suite's warnings (once per code location, as by default), as
#: ``warnings.filterwarnings("default", category=SynthPluginsWarning)`` stores it.
_SHOW = ("default", None, SynthPluginsWarning, None, 0)


def _show_suite_warnings() -> None:
    """Put a "default" filter for :class:`SynthPluginsWarning` ahead of blanket "ignore" ones.

    Importing Synthcity installs ``warnings.simplefilter("ignore")``, and its dependencies
    add filters that ignore every ``UserWarning``, some only when ``Plugins()`` first loads
    Synthcity's plugin modules, so a filter placed at import time would be overtaken. When
    an "ignore" filter for every ``Warning`` or ``UserWarning`` (no message or module
    pattern) comes before the suite's filter, the suite's filter goes first, and every
    filter that names :class:`SynthPluginsWarning` or a subclass (the user's, e.g.
    ``"ignore"`` or ``"error"``, added before or after Synthcity's) goes before it, in the
    same order, so the user's filters still decide.
    """
    filters = list(warnings.filters)
    blanket = next((i for i, item in enumerate(filters) if _ignores_every_warning(item)), None)
    if blanket is None:
        return
    named = [item for item in filters if issubclass(item[2], SynthPluginsWarning)]
    if named and named[-1] == _SHOW and filters.index(_SHOW) < blanket:
        return
    warnings.filterwarnings("default", category=SynthPluginsWarning)  # goes first
    for action, message, category, module, lineno in reversed(named):
        if (action, message, category, module, lineno) != _SHOW:
            warnings.filterwarnings(
                action,
                message.pattern if message else "",
                category,
                module.pattern if module else "",
                lineno,
            )


def _ignores_every_warning(item: tuple[Any, ...]) -> bool:
    """Whether a ``warnings.filters`` item ignores every warning of the suite."""
    action, message, category, module, _ = item
    return (
        action == "ignore"
        and issubclass(SynthPluginsWarning, category)
        and message is None
        and module is None
    )


#: Packages between a user's call and a suite warning: the suite's, the hosts' (Synthcity,
#: SDV), the argument validation Synthcity wraps its methods in, the ``joblib`` loop it
#: runs evaluators in, ``contextlib``, and the harnesses that call the suite back: SDGym
#: (its job loop is a lazy ``map`` that ``pandas.concat`` consumes through ``tqdm``) and
#: Optuna (a tuning trial). A ``python -m`` run needs none: the module it runs is
#: ``__main__``, never internal, and lies above ``runpy``'s frames.
_INTERNAL = (
    "synth_plugins",
    "synthcity",
    "sdv",
    "pydantic",
    "joblib",
    "contextlib",
    "sdgym",
    "tqdm",
    "pandas",
    "optuna",
)


def caller_stacklevel() -> int:
    """:func:`warn`'s ``stacklevel`` for the first frame outside :data:`_INTERNAL`.

    Call it in the function that calls :func:`warn`. The warning then shows the line of
    the user's call (``plugin.fit``, ``synthesizer.fit``, ``Metrics.evaluate``), however
    many frames of the suite and of the host lie between; a fixed level lands inside
    either when the same check is reached through different hosts.
    """
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None:
        name = str(frame.f_globals.get("__name__", ""))
        if not any(name == package or name.startswith(f"{package}.") for package in _INTERNAL):
            return level
        frame, level = frame.f_back, level + 1
    return level


def warn(
    message: str, category: type[SynthPluginsWarning] = SynthPluginsWarning, *, stacklevel: int
) -> None:
    """Raise a suite warning, shown even after Synthcity's imports ignored every warning.

    In a process that has imported Synthcity, a filter that ignores every warning is taken
    as Synthcity's (its imports install several; see :func:`_show_suite_warnings`), and
    the suite's warnings are shown through it; a filter naming
    :class:`SynthPluginsWarning` (or the subclass) still decides. Elsewhere the user's
    filters apply unchanged.

    Args:
        message: What happened and what to do about it.
        category: :class:`SynthPluginsWarning` or a subclass of it.
        stacklevel: As for ``warnings.warn`` called in place of this function.
    """
    if "synthcity" in sys.modules:
        _show_suite_warnings()
    warnings.warn(message, category, stacklevel=stacklevel + 1)

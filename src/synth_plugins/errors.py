"""Exceptions raised by synth-plugins.

Every error a user can cause names the argument or column at fault and what was expected,
so that a message is enough to fix the call without reading our source.
"""

from __future__ import annotations

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


class MissingDependencyError(SynthPluginsError, ImportError):
    """An optional package needed for the requested feature is not installed."""

    def __init__(self, package: str, feature: str, extra: str = "all") -> None:
        super().__init__(
            f"{feature} needs the package {package!r}, which is not installed; "
            f"install it with: pip install 'synth-plugins[{extra}]'"
        )

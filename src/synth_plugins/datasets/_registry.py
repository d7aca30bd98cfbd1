"""Name -> loader registry behind :func:`synth_plugins.datasets.load`."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from synth_plugins.datasets._dataset import Dataset
from synth_plugins.datasets.longitudinal import load_pbc, load_pbc_visits
from synth_plugins.datasets.ms_simulator import simulate_ms_registry
from synth_plugins.datasets.survival import load_actg320, load_flchain, load_gbsg2, load_whas500
from synth_plugins.datasets.survset import load_support2
from synth_plugins.datasets.tabular import load_ckd, load_heart_failure, load_pima, load_titanic
from synth_plugins.errors import InvalidParameterError, UnknownNameError

LOADERS: dict[str, Callable[..., Dataset]] = {
    "gbsg2": load_gbsg2,
    "actg320": load_actg320,
    "whas500": load_whas500,
    "flchain": load_flchain,
    "support2": load_support2,
    "pbc": load_pbc,
    "pbc_visits": load_pbc_visits,
    "heart_failure": load_heart_failure,
    "titanic": load_titanic,
    "pima": load_pima,
    "ckd": load_ckd,
    "ms_registry": simulate_ms_registry,
}


def names() -> list[str]:
    """Return the names of all datasets :func:`load` knows, sorted."""
    return sorted(LOADERS)


def load(name: str, **options: Any) -> Dataset:
    """Load a dataset by name; everything is offline (shipped files or a simulator).

    Args:
        name: One of :func:`names`.
        **options: Options of that dataset's loader, e.g. ``load("pima",
            zeros_as_missing=True)``, ``load("flchain", zero_durations="drop")``,
            ``load("ms_registry", n_patients=500, seed=0)``.

    Raises:
        UnknownNameError: if ``name`` is not a known dataset (the message lists them).
        InvalidParameterError: if an option is not one the loader accepts.
        MissingDependencyError: for the survival benchmarks when scikit-survival is missing.
    """
    loader = LOADERS.get(name) if isinstance(name, str) else None
    if loader is None:
        raise UnknownNameError("dataset", str(name), names())
    accepted = list(inspect.signature(loader).parameters)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise InvalidParameterError(
            f"dataset {name!r} does not take the option(s) {unknown}; "
            f"it accepts: {accepted if accepted else 'no options'}"
        )
    return loader(**options)

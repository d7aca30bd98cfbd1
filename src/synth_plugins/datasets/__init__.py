"""Offline clinical datasets and an MS registry simulator, with column roles and provenance.

Usage::

    from synth_plugins.datasets import load, names

    ds = load("gbsg2")  # a Dataset: ds.data, ds.roles, ds.duration_column, ...
    ds.data.head()

Every dataset is local: CSV files shipped in this package (``data/``, provenance and licences
in ``data/SOURCES.txt``), the survival benchmarks bundled in scikit-survival (imported only
when one of them is loaded) or the seeded simulator :func:`simulate_ms_registry`.
"""

from synth_plugins.datasets._dataset import Dataset, Kind
from synth_plugins.datasets._registry import load, names
from synth_plugins.datasets.ms_simulator import (
    DMTS,
    EDSS_GRID,
    HIGH_EFFICACY_DMTS,
    MSRegistryParameters,
    simulate_ms_registry,
)

__all__ = [
    "DMTS",
    "EDSS_GRID",
    "HIGH_EFFICACY_DMTS",
    "Dataset",
    "Kind",
    "MSRegistryParameters",
    "load",
    "names",
    "simulate_ms_registry",
]

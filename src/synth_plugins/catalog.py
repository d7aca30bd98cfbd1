"""The one declarative list of what synth-plugins provides, read by every registration.

Adding a generator or a metric to the suite means one module (the core), its host
adapters, and one entry here: Synthcity registration, the SDV/SDMetrics namespaces, the CLI
and the docs all read this list. References are ``"module:attribute"`` strings so that
nothing heavy is imported until a host asks for it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from synth_plugins.errors import UnknownNameError

SynthcityGeneratorType = Literal["generic", "survival_analysis", "time_series"]
SynthcityMetricType = Literal["privacy", "stats", "performance", "detection", "sanity"]


@dataclass(frozen=True)
class GeneratorEntry:
    """A generator: its core, its Synthcity plugin and its SDV synthesizer."""

    name: str
    title: str
    summary: str
    synthcity_type: SynthcityGeneratorType
    core: str
    synthcity_plugin: str
    sdv_synthesizer: str
    #: the bundled dataset the conformance kit and quick benchmarks fit on
    dataset: str
    #: quick-fit parameters (few epochs) per host, for tests and ``--quick`` benchmarks
    synthcity_quick: Mapping[str, Any] = field(default_factory=dict)
    sdv_quick: Mapping[str, Any] = field(default_factory=dict)
    #: a (column, value) condition that native conditional sampling must honour, if any
    condition: tuple[str, Any] | None = None

    @property
    def sdv_name(self) -> str:
        """The SDV class name (``MedVAESynthesizer`` for ``med_vae``)."""
        return self.sdv_synthesizer.rsplit(":", 1)[1]


@dataclass(frozen=True)
class MetricEntry:
    """A metric: its core function, its Synthcity evaluator and its SDMetrics class."""

    name: str
    title: str
    summary: str
    synthcity_type: SynthcityMetricType
    core: str
    synthcity_evaluator: str
    sdmetrics_metric: str

    @property
    def sdmetrics_name(self) -> str:
        """The SDMetrics class name (``HammingLeakage`` for ``hamming_leakage``)."""
        return self.sdmetrics_metric.rsplit(":", 1)[1]


GENERATORS: tuple[GeneratorEntry, ...] = ()

METRICS: tuple[MetricEntry, ...] = ()


def generator(name: str) -> GeneratorEntry:
    """The catalog entry of a generator, by its suite name."""
    for entry in GENERATORS:
        if entry.name == name:
            return entry
    raise UnknownNameError("generator", name, [e.name for e in GENERATORS])


def metric(name: str) -> MetricEntry:
    """The catalog entry of a metric, by its suite name."""
    for entry in METRICS:
        if entry.name == name:
            return entry
    raise UnknownNameError("metric", name, [e.name for e in METRICS])


def resolve(reference: str) -> Any:
    """Import ``"package.module:attribute"`` and return the attribute.

    Import errors propagate unchanged: a registered piece that cannot load must fail
    loudly, never disappear from a host's list.
    """
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)

"""Synthcity host adapters: plugin modules, metric evaluators, and their registration.

``import synth_plugins`` arranges for :func:`register` to run as soon as Synthcity's
plugin or metric modules are imported, so ``Plugins().get("med_vae")`` and
``Metrics.evaluate(..., metrics={"privacy": ["hamming_leakage"]})`` work by name. Call
:func:`register` directly to force it (it is idempotent).

How each host piece is extended (Synthcity 0.2.12 has no public hook for metrics):

- generators: ``PluginLoader.add(name, cls)`` puts the class in Synthcity's process-wide
  ``PLUGIN_REGISTRY``; every later ``Plugins()`` instance (and ``Benchmarks.evaluate``)
  finds it, and ``list()`` shows it because its ``type()`` is a built-in category.
- metrics: the evaluator class is appended to ``synthcity.metrics.eval.standard_metrics``,
  the list ``Metrics.evaluate`` and ``Metrics.list`` iterate at call time.
- ``Metrics.evaluate`` is wrapped by a recorder that only stores the call's arguments in a
  context variable (see :mod:`synth_plugins.synthcity.metrics.context`), because Synthcity
  hands evaluators a subsample of the holdout and synthetic data only, while a
  training-vs-holdout privacy metric also needs the training data.
"""

from __future__ import annotations

from collections.abc import Iterable

from synth_plugins import catalog
from synth_plugins.catalog import GeneratorEntry, MetricEntry


def register_generators(entries: Iterable[GeneratorEntry] | None = None) -> list[str]:
    """Add the suite's Synthcity plugins to Synthcity's registry; returns their names."""
    from synthcity.plugins import Plugin, PluginLoader, def_categories

    loader = PluginLoader([], Plugin, def_categories)
    names = []
    for entry in catalog.GENERATORS if entries is None else entries:
        cls = catalog.resolve(entry.synthcity_plugin)
        if cls.name() != entry.name or cls.type() != entry.synthcity_type:
            raise TypeError(
                f"{entry.synthcity_plugin} declares name()={cls.name()!r}, "
                f"type()={cls.type()!r}; the catalog says {entry.name!r}, "
                f"{entry.synthcity_type!r}"
            )
        loader.add(entry.name, cls)
        names.append(entry.name)
    return names


def register_metrics(
    entries: Iterable[MetricEntry] | None = None, *, defined_in: str | None = None
) -> list[str]:
    """Add the suite's evaluators to Synthcity's metric list; returns their names.

    ``defined_in``: a module still importing whose evaluator classes already exist (the
    call from its last line); other modules still importing are skipped.
    """
    import synthcity.metrics.eval as synthcity_eval

    from synth_plugins.synthcity.metrics.context import record_metric_calls

    record_metric_calls(synthcity_eval.Metrics)
    names = []
    for entry in catalog.METRICS if entries is None else entries:
        module_name = entry.synthcity_evaluator.split(":")[0]
        if module_name != defined_in and _initializing(module_name):
            # the user imported our evaluator module first and its own imports brought in
            # Synthcity's metrics (which ran this hook): the classes do not exist yet, and
            # the module registers them itself when it finishes (its last line)
            continue
        cls = catalog.resolve(entry.synthcity_evaluator)
        if cls.name() != entry.name or cls.type() != entry.synthcity_type:
            raise TypeError(
                f"{entry.synthcity_evaluator} declares name()={cls.name()!r}, "
                f"type()={cls.type()!r}; the catalog says {entry.name!r}, "
                f"{entry.synthcity_type!r}"
            )
        synthcity_eval.standard_metrics[:] = [
            m
            for m in synthcity_eval.standard_metrics
            if not (m.name() == entry.name and m.type() == entry.synthcity_type)
        ]
        synthcity_eval.standard_metrics.append(cls)
        names.append(entry.name)
    return names


def _initializing(module_name: str) -> bool:
    """Whether ``module_name`` is being imported right now (in ``sys.modules``, unfinished)."""
    import sys

    module = sys.modules.get(module_name)
    return bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


def register_metrics_defined_in(module_name: str) -> None:
    """Register the catalog's evaluators of ``module_name`` once Synthcity's metrics exist.

    Called on the last line of each evaluator module, for the import order in which that
    module is imported before Synthcity's metric list (see :func:`register_metrics`).
    """
    import sys

    if "synthcity.metrics.eval" in sys.modules and not _initializing("synthcity.metrics.eval"):
        register_metrics(
            [e for e in catalog.METRICS if e.synthcity_evaluator.startswith(f"{module_name}:")],
            defined_in=module_name,
        )


def register() -> dict[str, list[str]]:
    """Register every generator and metric of the suite in Synthcity (idempotent)."""
    return {"generators": register_generators(), "metrics": register_metrics()}

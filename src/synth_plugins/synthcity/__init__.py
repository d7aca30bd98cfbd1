"""Synthcity host adapters: plugin modules, metric evaluators, and their registration.

``import synth_plugins`` arranges for :func:`register` to run as soon as Synthcity's
plugin or metric modules are imported, so ``Plugins().get("med_vae")`` and
``Metrics.evaluate(..., metrics={"privacy": ["hamming_leakage"]})`` work by name. Call
:func:`register` directly to force it (it is idempotent).

How each host piece is extended (Synthcity 0.2.12 has no public hook for metrics):

- generators: the class goes into Synthcity's process-wide ``PLUGIN_REGISTRY`` (as
  ``PluginLoader.add`` does); every later ``Plugins()`` instance (and
  ``Benchmarks.evaluate``) finds it, and ``list()`` shows it because its ``type()`` is a
  built-in category. ``PluginLoader._refresh``, through which Synthcity reads that
  registry, is wrapped to put the suite's classes back when they are missing: after
  ``Plugins().reload()`` (which empties the registry), and when a plugin module was
  imported first (its class did not exist yet when Synthcity finished importing).
- metrics: the evaluator class derived from the catalog entry (see
  :mod:`synth_plugins.synthcity.metrics.evaluators`) is appended to
  ``synthcity.metrics.eval.standard_metrics``, the list ``Metrics.evaluate`` and
  ``Metrics.list`` iterate at call time.
- ``Metrics.evaluate`` is wrapped by a recorder that only stores the call's arguments in a
  context variable (see :mod:`synth_plugins.synthcity.metrics.context`), because Synthcity
  hands evaluators a subsample of the holdout and synthetic data only, while a
  training-vs-holdout privacy metric also needs the training data.
"""

from __future__ import annotations

from collections.abc import Iterable

from synth_plugins import catalog
from synth_plugins.catalog import GeneratorEntry, MetricEntry

#: the module that derives the Synthcity evaluators from the catalog
EVALUATORS = "synth_plugins.synthcity.metrics.evaluators"
#: every generator entry registered in this process, by name: kept in Synthcity's registry
_registered: dict[str, GeneratorEntry] = {}
_adding = False


def register_generators(entries: Iterable[GeneratorEntry] | None = None) -> list[str]:
    """Add the suite's Synthcity plugins to Synthcity's registry; returns their names.

    The entries stay registered for the rest of the process: Synthcity reads its registry
    through ``PluginLoader._refresh`` (every ``Plugins()``, ``get``, ``get_type``, ``list``),
    which is wrapped once to put back any registered entry that is missing, so they survive
    ``Plugins().reload()`` (which empties the registry). A plugin module that is still
    being imported (the user imported it first, and its own ``import synthcity`` ran this)
    is added at the next registry read, once its class exists.
    """
    entries = list(catalog.GENERATORS if entries is None else entries)
    for entry in entries:
        if not _not_ready(entry):
            _plugin_class(entry)  # a lying entry fails now, before it is kept
    _install_registry_guard()
    _registered.update((entry.name, entry) for entry in entries)
    _restore_registered()
    return [entry.name for entry in entries]


def _module_of(reference: str) -> str:
    return reference.split(":")[0]


def _plugin_class(entry: GeneratorEntry) -> type:
    """The entry's plugin class, after checking it is what the catalog says."""
    from synthcity.plugins import Plugin

    cls = catalog.resolve(entry.synthcity_plugin)
    if not (isinstance(cls, type) and issubclass(cls, Plugin)):
        raise TypeError(f"{entry.synthcity_plugin} is not a Synthcity Plugin subclass")
    if cls.name() != entry.name or cls.type() != entry.synthcity_type:
        raise TypeError(
            f"{entry.synthcity_plugin} declares name()={cls.name()!r}, "
            f"type()={cls.type()!r}; the catalog says {entry.name!r}, "
            f"{entry.synthcity_type!r}"
        )
    return cls


def _restore_registered(*, create_categories: bool = False) -> None:
    """Put every registered entry whose module is importable into Synthcity's registry.

    Writes the registry as ``PluginLoader.add`` does, except that it creates a category
    only when asked (after ``reload``, which empties the category registry): a
    ``Plugins(categories=[...])`` instance lists the plugins whose type is one of its
    categories, so adding a category would show plugins it did not ask for.
    """
    global _adding
    if _adding:
        return
    import synthcity.plugins.core.plugin as host

    _adding = True
    try:
        for name, entry in list(_registered.items()):
            if name in host.PLUGIN_REGISTRY or _not_ready(entry):
                continue
            cls = _plugin_class(entry)
            host.PLUGIN_REGISTRY[name] = cls
            members = host.PLUGIN_CATEGORY_REGISTRY.get(cls.type())
            if members is None and create_categories:
                members = host.PLUGIN_CATEGORY_REGISTRY.setdefault(cls.type(), [])
            if members is not None and name not in members:
                members.append(name)
    finally:
        _adding = False


def _install_registry_guard() -> None:
    """Wrap ``PluginLoader._refresh`` and ``reload`` (once) so registered entries stay."""
    from synthcity.plugins.core.plugin import PluginLoader

    refresh, reload = PluginLoader._refresh, PluginLoader.reload
    if getattr(refresh, "_synth_plugins_guard", False):
        return

    def _refresh(self: PluginLoader) -> None:
        _restore_registered()
        refresh(self)

    def _reload(self: PluginLoader) -> PluginLoader:
        result = reload(self)
        _restore_registered(create_categories=True)  # reload emptied the categories too
        return result

    for wrapper, original in ((_refresh, refresh), (_reload, reload)):
        wrapper._synth_plugins_guard = True  # type: ignore[attr-defined]
        wrapper.__doc__ = original.__doc__
    PluginLoader._refresh = _refresh  # type: ignore[method-assign]
    PluginLoader.reload = _reload  # type: ignore[method-assign]


def register_metrics(
    entries: Iterable[MetricEntry] | None = None, *, defined_in: str | None = None
) -> list[str]:
    """Add the evaluators derived from the catalog to Synthcity's metric list.

    Returns the names added. ``defined_in``: set by the evaluator module's last line, when
    it was imported first and Synthcity's metric list already exists (the call then must
    not wait for that module to finish importing).
    """
    import synthcity.metrics.eval as synthcity_eval

    from synth_plugins.synthcity.metrics.context import record_metric_calls

    record_metric_calls(synthcity_eval.Metrics)
    if defined_in != EVALUATORS and _initializing(EVALUATORS):
        # the user imported the evaluator module first and its own imports brought in
        # Synthcity's metrics (which ran this hook): the derivation does not exist yet,
        # and the module registers every evaluator itself when it finishes (its last line)
        return []
    from synth_plugins.synthcity.metrics.evaluators import evaluator_class

    names = []
    for entry in catalog.METRICS if entries is None else entries:
        cls = evaluator_class(entry)
        synthcity_eval.standard_metrics[:] = [
            m
            for m in synthcity_eval.standard_metrics
            if not (m.name() == entry.name and m.type() == entry.synthcity_type)
        ]
        synthcity_eval.standard_metrics.append(cls)
        names.append(entry.name)
    return names


#: The base class module every plugin module imports.
_BASE_MODULE = "synth_plugins.synthcity.suite_plugin"


def _not_ready(entry: GeneratorEntry) -> bool:
    """Whether the entry's plugin class cannot be imported yet (added at the next read).

    Its module, or the base class's module, is being imported: importing
    ``suite_plugin`` first imports Synthcity, whose registration hook would import the
    plugin modules, which import ``SuitePlugin`` from the unfinished module.
    """
    return _initializing(_module_of(entry.synthcity_plugin)) or _initializing(_BASE_MODULE)


def _initializing(module_name: str) -> bool:
    """Whether ``module_name`` is being imported right now (in ``sys.modules``, unfinished)."""
    import sys

    module = sys.modules.get(module_name)
    return bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


def register_metrics_defined_in(module_name: str) -> None:
    """Register the catalog's evaluators once the evaluator module and Synthcity's list exist.

    Called on the last line of the evaluator module, for the import order in which that
    module is imported before Synthcity's metric list (see :func:`register_metrics`).
    """
    import sys

    if "synthcity.metrics.eval" in sys.modules and not _initializing("synthcity.metrics.eval"):
        register_metrics(defined_in=module_name)


def register() -> dict[str, list[str]]:
    """Register every generator and metric of the suite in Synthcity (idempotent)."""
    return {"generators": register_generators(), "metrics": register_metrics()}

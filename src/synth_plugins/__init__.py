"""synth-plugins: medical synthetic-data generators and metrics for Synthcity and SDV.

Importing the package is quick: it imports no host. It arranges that

- when Synthcity's plugin or metric modules are imported, the suite's generators and
  metrics are registered in them (``Plugins().get("med_vae")``,
  ``Metrics.evaluate(metrics={"privacy": ["hamming_leakage"]})``), and
  ``Benchmarks.evaluate`` refuses up front the one suite metric it cannot run;
- when SDMetrics' single-table metrics are imported, the suite's SDMetrics classes are
  defined too, so SDMetrics and SDGym find them by name.

Use :func:`register` to do all of this at once, e.g. in a worker process.
"""

from __future__ import annotations

from synth_plugins import _hooks

__version__ = "0.1.0"
#: The hosts :func:`register` registers the suite in.
_REGISTRY_HOSTS = ("synthcity", "sdmetrics")


def _register_synthcity_generators(_module: object) -> None:
    from synth_plugins.synthcity import register_generators

    register_generators()


def _register_synthcity_metrics(_module: object) -> None:
    from synth_plugins.synthcity import register_metrics

    register_metrics()


def _guard_synthcity_benchmarks(module: object) -> None:
    from synth_plugins.synthcity.metrics.context import guard_benchmarks

    guard_benchmarks(module.Benchmarks)  # type: ignore[attr-defined]


def _define_sdmetrics_metrics(_module: object) -> None:
    import synth_plugins.sdmetrics  # noqa: F401 - defining the classes registers them


def register(hosts: tuple[str, ...] | None = None) -> None:
    """Import the given hosts now and register the suite in each (idempotent).

    ``hosts`` names ``"synthcity"`` and/or ``"sdmetrics"``; None (the default) means every
    one of them that is installed, so the SDV stack, which has no Synthcity, registers in
    SDMetrics only. A host named explicitly must be installed (else ``ImportError``).
    """
    if hosts is None:
        from importlib.util import find_spec

        hosts = tuple(h for h in _REGISTRY_HOSTS if find_spec(h) is not None)
    if isinstance(hosts, str) or not set(hosts) <= set(_REGISTRY_HOSTS):
        from synth_plugins.errors import InvalidParameterError

        known = ", ".join(map(repr, _REGISTRY_HOSTS))
        raise InvalidParameterError(f"hosts must be None or a tuple of {known}; got {hosts!r}")
    if "synthcity" in hosts:
        import synthcity.metrics.eval
        import synthcity.plugins  # noqa: F401

        from synth_plugins.synthcity import register as register_synthcity

        register_synthcity()
    if "sdmetrics" in hosts:
        from synth_plugins.sdmetrics import define_metrics

        define_metrics()


_hooks.when_imported("synthcity.plugins", _register_synthcity_generators)
_hooks.when_imported("synthcity.metrics.eval", _register_synthcity_metrics)
_hooks.when_imported("synthcity.benchmark", _guard_synthcity_benchmarks)
_hooks.when_imported("sdmetrics.single_table", _define_sdmetrics_metrics)

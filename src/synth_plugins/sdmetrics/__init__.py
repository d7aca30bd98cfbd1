"""SDMetrics metric classes of the suite (``from synth_plugins.sdmetrics import ...``).

No class is written by hand: :func:`metric_class` derives each one from its catalog entry
(name, goal, range, and the table or time-series base of the entry's data), and importing
this module defines every catalog metric's class here, which is what makes
``SingleTableMetric.get_subclasses()`` (and so SDGym's ``sdmetrics=["HammingLeakage"]``)
find them by name. ``import synth_plugins`` does this automatically when SDMetrics'
single-table metrics are imported; :func:`define_metrics` (run by
``synth_plugins.register()``) defines the classes of entries added to the catalog since.
"""

from __future__ import annotations

from sdmetrics.goal import Goal

from synth_plugins import catalog
from synth_plugins.catalog import MetricEntry
from synth_plugins.sdmetrics.single_table import SuiteSingleTableMetric
from synth_plugins.sdmetrics.timeseries import SuiteTimeSeriesMetric

#: the SDMetrics base for each kind of data a catalog metric compares
BASES: dict[str, type] = {"table": SuiteSingleTableMetric, "sequences": SuiteTimeSeriesMetric}

_classes: dict[str, type] = {}


def metric_class(entry: MetricEntry) -> type:
    """The SDMetrics class of a catalog metric (built once per metric name)."""
    cls = _classes.get(entry.name)
    if cls is None or cls.entry != entry:
        cls = type(
            entry.sdmetrics_name,
            (BASES[entry.data],),
            {
                "entry": entry,
                "name": entry.sdmetrics_name,
                "goal": Goal.MAXIMIZE if entry.direction == "maximize" else Goal.MINIMIZE,
                "min_value": entry.min_value,
                "max_value": entry.max_value,
                "__module__": __name__,
                "__doc__": f"{entry.title}: {entry.description}",
            },
        )
        _classes[entry.name] = cls
    return cls


def define_metrics() -> list[str]:
    """Define every catalog metric's class in this module; returns the class names."""
    names = []
    for entry in catalog.METRICS:
        globals()[entry.sdmetrics_name] = metric_class(entry)
        names.append(entry.sdmetrics_name)
    __all__[:] = sorted({*__all__, *names})
    return names


__all__: list[str] = ["define_metrics", "metric_class"]
define_metrics()

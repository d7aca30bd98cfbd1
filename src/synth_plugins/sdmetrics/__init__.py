"""SDMetrics metric classes of the suite (``from synth_plugins.sdmetrics import ...``).

Importing this module defines every class listed in the catalog, which is what makes
``SingleTableMetric.get_subclasses()`` (and so SDGym's ``sdmetrics=["HammingLeakage"]``)
find them by name. ``import synth_plugins`` does this automatically when SDMetrics'
single-table metrics are imported.
"""

from __future__ import annotations

from synth_plugins import catalog

_classes = {
    entry.sdmetrics_name: catalog.resolve(entry.sdmetrics_metric) for entry in catalog.METRICS
}
globals().update(_classes)

__all__ = sorted(_classes)

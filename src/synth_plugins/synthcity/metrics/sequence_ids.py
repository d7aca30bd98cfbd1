"""Keep real and synthetic sequences apart in Synthcity's ``Metrics.evaluate``.

Before it fits its encoders, ``Metrics.evaluate`` (Synthcity 0.2.12) concatenates the long
frames of ``X_gt``, ``X_syn`` and the other loaders and rebuilds one loader from them. Every
``TimeSeriesDataLoader`` numbers its sequences from 0, so that rebuild merges synthetic
patient 0 into real patient 0 and keeps one set of static values per id: a static value
that only the synthetic data has never reaches the encoders, and the evaluation stops with
"y contains previously unseen labels" (seen on two MS-like cohorts of 80 patients). This
affects every time-series generator, built-in or ours.

:func:`separate_sequence_ids` gives each time-series loader of the call its own id range
(Synthcity's ``seq_offset``); ids carry no information, so no metric changes otherwise.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from synth_plugins.synthcity.metrics.call_checks import LOADER_ARGUMENTS


def _is_time_series(loader: Any) -> bool:
    return callable(getattr(loader, "type", None)) and loader.type() in (
        "time_series",
        "time_series_survival",
    )


def _with_offset(loader: Any, offset: int) -> Any:
    """The same loader with sequence ids starting at ``offset``."""
    info = {**loader.info(), "seq_offset": offset}
    return loader.from_info(loader.dataframe(), info)


def separate_sequence_ids(arguments: MutableMapping[str, Any]) -> None:
    """Give every time-series loader in ``arguments`` a disjoint id range (in place)."""
    loaders = [(k, arguments[k]) for k in LOADER_ARGUMENTS if arguments.get(k) is not None]
    if len(loaders) < 2 or not all(_is_time_series(v) for _, v in loaders):
        return
    offset = 0
    for name, loader in loaders:
        ids = loader.dataframe()[loader.info()["seq_id_feature"]]
        if ids.min() != offset:
            arguments[name] = _with_offset(loader, offset)
        offset += int(ids.nunique())

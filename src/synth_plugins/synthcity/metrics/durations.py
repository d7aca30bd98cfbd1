"""Refuse, clearly, the loaders that Synthcity's ``Metrics.evaluate`` cannot encode.

Before any evaluator runs, ``Metrics.evaluate`` (Synthcity 0.2.12) fits one encoder per
column on the pooled loaders and rebuilds each loader from its encoded frame. A column with
fewer than 15 distinct values gets a ``LabelEncoder``, so a duration column with few
distinct values (a constant table, a handful of rows) becomes codes 0, 1, ...; the rebuilt
``SurvivalAnalysisDataLoader`` then refuses the code 0 with "The time_to_event_column
contains N values less than or equal to zero", which names neither the cause nor the fix.
Every metric of the call fails that way, built-in or ours; :func:`check_survival_durations`
says what is wrong instead, before Synthcity starts.

The same encoding step fails on loaders with different columns (time-series loaders stop
with "y contains previously unseen labels"); :func:`check_same_columns` names the columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from synth_plugins.errors import InvalidDataError

#: Synthcity's rule: columns with fewer distinct values are label-encoded.
LABEL_ENCODED_BELOW = 15

#: the loaders ``Metrics.evaluate`` pools, in its order
_LOADER_ARGUMENTS = ("X_gt", "X_syn", "X_train", "X_ref_syn", "X_augmented")


def check_survival_durations(arguments: Mapping[str, Any]) -> None:
    """Raise if the pooled duration column of survival loaders would be label-encoded.

    Raises:
        InvalidDataError: The duration column has fewer than 15 distinct values over the
            loaders of the call; the message names the column and the way out.
    """
    loaders = {k: arguments[k] for k in _LOADER_ARGUMENTS if arguments.get(k) is not None}
    survival = [
        v
        for v in loaders.values()
        if callable(getattr(v, "type", None)) and v.type() == "survival_analysis"
    ]
    if not survival:
        return
    column = survival[0].info()["time_to_event_column"]
    pooled = pd.concat([v.dataframe()[column] for v in survival if column in v.dataframe().columns])
    distinct = int(pooled.nunique())
    if distinct < LABEL_ENCODED_BELOW:
        raise InvalidDataError(
            f"the duration column {column!r} has {distinct} distinct value(s) over the loaders "
            f"of this Metrics.evaluate call; Synthcity label-encodes columns with fewer than "
            f"{LABEL_ENCODED_BELOW} values, which turns durations into codes from 0 that its "
            "survival loader then refuses. Evaluate more rows, or call the metric's core "
            "function or SDMetrics class, which take the durations as they are"
        )


def check_same_columns(arguments: Mapping[str, Any]) -> None:
    """Raise if a loader of the call does not have the columns of ``X_gt``.

    Raises:
        InvalidDataError: The message names the loader and its missing and extra columns.
    """
    loaders = {k: arguments[k] for k in _LOADER_ARGUMENTS if arguments.get(k) is not None}
    frames = {k: v if isinstance(v, pd.DataFrame) else v.dataframe() for k, v in loaders.items()}
    if "X_gt" not in frames:
        return
    reference = list(frames["X_gt"].columns)
    for name, frame in frames.items():
        missing = [c for c in reference if c not in frame.columns]
        extra = [c for c in frame.columns if c not in reference]
        if missing or extra:
            raise InvalidDataError(
                f"{name} must have the same columns as X_gt; missing from {name}: {missing}; "
                f"not in X_gt: {extra}"
            )

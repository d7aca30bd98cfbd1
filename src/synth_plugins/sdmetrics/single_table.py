"""The base of the suite's SDMetrics single-table metrics (and so SDGym metrics by name).

``compute(real_data, synthetic_data, metadata=None, **options)`` returns the headline
score; ``compute_breakdown`` returns every figure of the core result; ``normalize`` maps
the score to [0, 1] with 1 best (SDMetrics' own rule from ``min_value``, ``max_value`` and
``goal``, measured from the ideal where a minimised metric's ideal lies inside its range,
and 0.5 at a decision threshold such as Hamming's breach threshold: see
:meth:`SuiteSingleTableMetric.normalize`). Options: ``target_column`` (TabSynDex),
``duration_column`` and ``event_column`` (survival metrics), and any option of the core
function.

Privacy and augmentation metrics need a holdout the generator never saw:
``holdout_data=...``. In SDGym, pass ``sdmetrics=[("HammingLeakage", {"holdout_data":
holdout})]`` and give SDGym the training rows only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sdmetrics.single_table.base import SingleTableMetric

from synth_plugins.catalog import MetricEntry
from synth_plugins.metrics.dispatch import evaluate_metric
from synth_plugins.metrics.validation import resolve_categorical
from synth_plugins.sdmetrics._metadata import LEVEL_SDTYPES, table_data, table_metadata


def _categorical_columns(metadata: Any, table_name: str | None, data: Any) -> list[str] | None:
    """Columns whose sdtype is categorical, boolean or ordinal (None without metadata).

    A column the metadata does not describe gets the role the core would infer for it, as
    without metadata (not "numerical" by default).
    """
    described = table_metadata(metadata, table_name).get("columns")
    if not described or not isinstance(data, pd.DataFrame):
        return None
    undescribed = [c for c in data.columns if c not in described]
    inferred = set(resolve_categorical([data[undescribed]], None)) if undescribed else set()
    return [
        c
        for c in data.columns
        if c in inferred or described.get(c, {}).get("sdtype") in LEVEL_SDTYPES
    ]


def _named(value: Any) -> set[str]:
    """The column names an option value holds: a name, or names in lists, tuples and sets."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, list | tuple | set | frozenset):
        return set().union(*(_named(item) for item in value))
    return set()


def _key_columns(metadata: Any, table_name: str | None, columns: pd.Index) -> list[str]:
    """Columns whose sdtype is ``id`` (keys are never compared, as in the cores)."""
    described = table_metadata(metadata, table_name).get("columns") or {}
    return [c for c in columns if described.get(c, {}).get("sdtype") == "id"]


def _without(data: Any, columns: list[str]) -> Any:
    """``data`` without ``columns`` when it is a table (anything else is left to the core)."""
    if not columns or not isinstance(data, pd.DataFrame):
        return data
    return data.drop(columns=[c for c in columns if c in data.columns])


class SuiteSingleTableMetric(SingleTableMetric):
    """Bridge from SDMetrics' single-table metric API to a catalog metric's core.

    Each metric's class is derived from its catalog entry by
    :func:`synth_plugins.sdmetrics.metric_class`, which sets ``entry``, ``name``, ``goal``,
    ``min_value`` and ``max_value``.
    """

    entry: ClassVar[MetricEntry]

    @classmethod
    def compute_breakdown(
        cls,
        real_data: pd.DataFrame,
        synthetic_data: pd.DataFrame,
        metadata: Mapping[str, Any] | Any | None = None,
        table_name: str | None = None,
        *,
        holdout_data: pd.DataFrame | None = None,
        **options: Any,
    ) -> dict[str, float]:
        """Every figure of the metric, with the headline under ``"score"``.

        ``metadata`` may be one table's dict, SDV's ``Metadata.to_dict()`` or a
        ``Metadata`` object (``table_name`` picks the table when it has several); each
        table a DataFrame or SDV 2's ``{table_name: DataFrame}``. Columns of sdtype
        ``categorical``, ``boolean`` or ``ordinal`` are the core's ``categorical_columns``
        (an outcome among them is not a covariate: the core ignores it there), unless the
        caller passes ``categorical_columns``; columns of sdtype ``id`` are left out (unless
        named in an option such as ``target_column`` or ``secrets``); without metadata, or
        for a column the metadata leaves out, the core's inference decides.
        """
        real_data = table_data(real_data, table_name, "real_data")
        synthetic_data = table_data(synthetic_data, table_name, "synthetic_data")
        holdout_data = table_data(holdout_data, table_name, "holdout_data")
        columns = getattr(real_data, "columns", pd.Index([]))
        categorical = options.pop("categorical_columns", None)  # the caller's list wins
        if categorical is None:
            categorical = _categorical_columns(metadata, table_name, real_data)
        named = _named(list(options.values()))
        keys = [c for c in _key_columns(metadata, table_name, columns) if c not in named]
        result = evaluate_metric(
            cls.entry,
            _without(real_data, keys),
            _without(synthetic_data, keys),
            holdout=_without(holdout_data, keys),
            categorical_columns=categorical,
            **options,
        )
        return result.to_dict()

    @classmethod
    def compute(
        cls,
        real_data: pd.DataFrame,
        synthetic_data: pd.DataFrame,
        metadata: Mapping[str, Any] | Any | None = None,
        table_name: str | None = None,
        *,
        holdout_data: pd.DataFrame | None = None,
        **options: Any,
    ) -> float:
        """The headline score (see ``goal``, ``min_value`` and ``max_value``)."""
        breakdown = cls.compute_breakdown(
            real_data,
            synthetic_data,
            metadata,
            table_name,
            holdout_data=holdout_data,
            **options,
        )
        return float(breakdown["score"])

    @classmethod
    def normalize(cls, raw_score: float) -> float:
        """The score in [0, 1], 1 best: SDMetrics' rule, measured from an inner ideal.

        A minimised metric with an inner ideal (:attr:`MetricEntry.inner_ideal`: the
        Hamming coefficient's 0 in (-inf, inf), the DCR holdout share's 0.5 in [0, 1]) is no
        better below the ideal than at it. Its scores up to the ideal normalise to 1, where
        SDMetrics' rule on the whole range would put the ideal itself at 0.37 or 0.5. Above
        the ideal, a metric with a decision threshold (:attr:`MetricEntry.threshold`: the
        Hamming breach threshold 0.05) halves with each threshold's width, ``0.5 ** ((score
        - ideal) / (threshold - ideal))``: 0.5 at the threshold, below it for every breach
        and near 0 for a copy of the training rows (a coefficient of 0.3 reads 0.016), where
        SDMetrics' ``exp(ideal - score)`` reads 0.95 and 0.74. The others take SDMetrics'
        rule on [ideal, max]. Other metrics follow SDMetrics' rule.
        """
        entry = cls.entry
        ideal = entry.inner_ideal
        if ideal is None:
            return float(super().normalize(raw_score))
        if not entry.min_value <= raw_score <= entry.max_value:
            raise ValueError("`raw_score` must be between `min_value` and `max_value`.")
        if raw_score <= ideal:
            return 1.0
        if entry.threshold is not None:
            return float(0.5 ** ((raw_score - ideal) / (entry.threshold - ideal)))
        if np.isinf(entry.max_value):
            return float(np.exp(ideal - raw_score))
        return float(1.0 - (raw_score - ideal) / (entry.max_value - ideal))

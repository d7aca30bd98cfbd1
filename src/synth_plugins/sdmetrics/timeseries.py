"""The suite's longitudinal metric as an SDMetrics time-series metric.

SDMetrics compares sequential tables with ``TimeSeriesMetric.compute(real_data,
synthetic_data, metadata, sequence_key=...)``; this class follows that call and takes the
sequence key and index from SDV's sequential metadata (``sequence_key``,
``sequence_index``) when they are not passed. Per-patient columns are the metadata's
``context_columns`` if given (as for ``PARSynthesizer``), else inferred from the real data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sdmetrics.goal import Goal
from sdmetrics.timeseries.base import TimeSeriesMetric

from synth_plugins.errors import InvalidParameterError
from synth_plugins.metrics.longitudinal import LONGITUDINAL_FIDELITY, longitudinal_fidelity


def _one_key(value: str | Iterable[str] | None, what: str) -> str | None:
    """SDMetrics passes keys as lists; the longitudinal metric takes one column."""
    if value is None or isinstance(value, str):
        return value
    keys = list(value)
    if len(keys) != 1:
        raise InvalidParameterError(f"{what} must name one column, got {keys!r}")
    return keys[0]


class LongitudinalFidelity(TimeSeriesMetric):
    """Longitudinal fidelity of long-format visit tables (the headline is the mean part score).

    ``compute_breakdown`` returns every part and figure; options are those of
    :func:`synth_plugins.metrics.longitudinal.longitudinal_fidelity` (``event_column``,
    ``static_columns``, ``time_per_year``, ``parts``...).
    """

    name = "LongitudinalFidelity"
    goal = Goal.MAXIMIZE
    min_value = LONGITUDINAL_FIDELITY.min_value
    max_value = LONGITUDINAL_FIDELITY.max_value

    @classmethod
    def compute_breakdown(
        cls,
        real_data: pd.DataFrame,
        synthetic_data: pd.DataFrame,
        metadata: Mapping[str, Any] | None = None,
        sequence_key: str | list[str] | None = None,
        sequence_index: str | None = None,
        **options: Any,
    ) -> dict[str, float]:
        """Every figure of the metric, with the headline under ``"score"``."""
        metadata = dict(metadata or {})
        id_column = _one_key(sequence_key or metadata.get("sequence_key"), "sequence_key")
        time_column = sequence_index or metadata.get("sequence_index")
        if id_column is None or time_column is None:
            raise InvalidParameterError(
                "LongitudinalFidelity needs the patient id and visit time columns: pass "
                "metadata with 'sequence_key' and 'sequence_index' (SDV sequential metadata) "
                "or sequence_key=... and sequence_index=..."
            )
        described = metadata.get("columns", {})
        categorical = [
            c for c, d in described.items() if d.get("sdtype") in ("categorical", "boolean")
        ]
        options.setdefault("categorical_columns", [c for c in categorical if c != id_column])
        if "context_columns" in metadata:
            options.setdefault("static_columns", metadata["context_columns"])
        result = longitudinal_fidelity(
            real_data, synthetic_data, id_column=id_column, time_column=time_column, **options
        )
        return result.to_dict()

    @classmethod
    def compute(
        cls,
        real_data: pd.DataFrame,
        synthetic_data: pd.DataFrame,
        metadata: Mapping[str, Any] | None = None,
        sequence_key: str | list[str] | None = None,
        sequence_index: str | None = None,
        **options: Any,
    ) -> float:
        """The headline score in [0, 1], 1 best."""
        breakdown = cls.compute_breakdown(
            real_data, synthetic_data, metadata, sequence_key, sequence_index, **options
        )
        return float(breakdown["score"])

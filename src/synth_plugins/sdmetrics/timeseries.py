"""The base of the suite's SDMetrics time-series metrics (catalog metrics of visit sequences).

SDMetrics compares sequential tables with ``TimeSeriesMetric.compute(real_data,
synthetic_data, metadata, sequence_key=...)``; this base follows that call and takes the
sequence key and index from SDV's sequential metadata (``sequence_key``,
``sequence_index``) when they are not passed: a single table's dict, SDV's
``Metadata.to_dict()`` (one table under ``"tables"``) or a ``Metadata`` object. Per-patient
columns are the metadata's ``context_columns`` if given (as for ``PARSynthesizer``), else
inferred from the real data. As SDV's ``PARSynthesizer`` does, rows need not be in time
order: each patient's visits are sorted by time (stably) before they are compared, and the
sequence index may hold dates (a datetime column, or strings the metadata marks as
``"datetime"`` with their ``datetime_format``): they become days since the first real visit,
with ``time_per_year=365.25`` unless given.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sdmetrics.timeseries.base import TimeSeriesMetric

from synth_plugins.catalog import MetricEntry
from synth_plugins.encoding.parsing import read_text_dates
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.long_format import DAYS_PER_YEAR
from synth_plugins.metrics.dispatch import evaluate_metric
from synth_plugins.sdmetrics._metadata import LEVEL_SDTYPES, table_data, table_metadata


def _one_key(value: Hashable | Iterable[Hashable] | None, what: str) -> Hashable | None:
    """SDMetrics passes keys as lists; the longitudinal metric takes one column.

    A single label (text, or an integer as a frame built from an array has) is that column.
    """
    if value is None or isinstance(value, str) or not isinstance(value, Iterable):
        return value
    keys = list(value)
    if len(keys) != 1:
        raise InvalidParameterError(f"{what} must name one column, got {keys!r}")
    return keys[0]


def _dates_as_days(
    real: Any, synthetic: Any, time_column: str, described: Mapping[str, Any]
) -> tuple[Any, Any, bool]:
    """Date visit times as days since the first real visit; whether they were dates.

    Times are dates when either table's column has a datetime dtype or the metadata gives
    the column the sdtype ``"datetime"`` (read with its ``datetime_format``, if any).
    """
    frames = [f for f in (real, synthetic) if isinstance(f, pd.DataFrame) and time_column in f]
    spec = described.get(time_column, {})
    dated = spec.get("sdtype") == "datetime" or any(
        pd.api.types.is_datetime64_any_dtype(f[time_column]) for f in frames
    )
    if not dated or len(frames) < 2:
        return real, synthetic, False
    fmt = spec.get("datetime_format")

    def parse(frame: pd.DataFrame, name: str) -> pd.Series:
        try:
            return read_text_dates(frame[time_column], fmt)
        except (TypeError, ValueError) as error:
            how = f" with the metadata's datetime_format {fmt!r}" if fmt else ""
            raise InvalidDataError(
                f"time column {time_column!r} of {name} cannot be read as dates{how}: {error}"
            ) from None

    real_dates, synthetic_dates = parse(real, "real_data"), parse(synthetic, "synthetic_data")
    origin = real_dates.min()

    def days(dates: pd.Series) -> pd.Series:
        return (dates - origin) / pd.Timedelta(days=1)

    return (
        real.assign(**{time_column: days(real_dates)}),
        synthetic.assign(**{time_column: days(synthetic_dates)}),
        True,
    )


def _sorted_visits(data: Any, id_column: str, time_column: str) -> Any:
    """Each patient's rows in time order (stable; patients keep their order).

    Tables the core would refuse anyway (no such columns, a non-numeric time) are returned
    unchanged, so that its error names the problem.
    """
    if not isinstance(data, pd.DataFrame) or not {id_column, time_column} <= set(data.columns):
        return data
    times = data[time_column]
    if pd.api.types.is_bool_dtype(times) or not pd.api.types.is_numeric_dtype(times):
        return data
    patients, _ = pd.factorize(data[id_column], sort=False)
    order = np.lexsort((times.to_numpy(dtype=float, na_value=np.nan), patients))
    return data.iloc[order].reset_index(drop=True)


class SuiteTimeSeriesMetric(TimeSeriesMetric):
    """Bridge from SDMetrics' time-series metric API to a catalog metric's core.

    ``compute_breakdown`` returns every figure of the core result; options are the core's
    (for ``longitudinal_fidelity``: ``event_column``, ``static_columns``,
    ``time_per_year``, ``therapy_column`` and ``high_efficacy``, ``trajectory_columns``,
    ``parts``...). Each metric's class is derived from its catalog entry
    by :func:`synth_plugins.sdmetrics.metric_class`.
    """

    entry: ClassVar[MetricEntry]

    @classmethod
    def compute_breakdown(
        cls,
        real_data: pd.DataFrame,
        synthetic_data: pd.DataFrame,
        metadata: Mapping[str, Any] | Any | None = None,
        table_name: str | None = None,
        sequence_key: str | list[str] | None = None,
        *,
        sequence_index: str | None = None,
        **options: Any,
    ) -> dict[str, float]:
        """Every figure of the metric, with the headline under ``"score"``.

        ``metadata`` may be one table's dict, SDV's ``Metadata.to_dict()`` or a
        ``Metadata`` object (``table_name`` picks the table when it has several); each
        table a DataFrame or SDV 2's ``{table_name: DataFrame}``.
        """
        real_data = table_data(real_data, table_name, "real_data")
        synthetic_data = table_data(synthetic_data, table_name, "synthetic_data")
        metadata = table_metadata(metadata, table_name)
        if sequence_key is None:  # a column label may be 0
            sequence_key = metadata.get("sequence_key")
        id_column = _one_key(sequence_key, "sequence_key")
        time_column = metadata.get("sequence_index") if sequence_index is None else sequence_index
        if id_column is None or time_column is None:
            raise InvalidParameterError(
                f"{cls.__name__} needs the patient id and visit time columns: pass "
                "metadata with 'sequence_key' and 'sequence_index' (SDV sequential metadata) "
                "or sequence_key=... and sequence_index=..."
            )
        described = metadata.get("columns", {})
        categorical = [c for c, d in described.items() if d.get("sdtype") in LEVEL_SDTYPES]
        options.setdefault("categorical_columns", [c for c in categorical if c != id_column])
        if "context_columns" in metadata:
            options.setdefault("static_columns", metadata["context_columns"])
        real_data, synthetic_data, dated = _dates_as_days(
            real_data, synthetic_data, time_column, described
        )
        if dated:
            options.setdefault("time_per_year", DAYS_PER_YEAR)
        real_data = _sorted_visits(real_data, id_column, time_column)
        synthetic_data = _sorted_visits(synthetic_data, id_column, time_column)
        result = evaluate_metric(
            cls.entry,
            real_data,
            synthetic_data,
            id_column=id_column,
            time_column=time_column,
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
        sequence_key: str | list[str] | None = None,
        *,
        sequence_index: str | None = None,
        **options: Any,
    ) -> float:
        """The headline score in [0, 1], 1 best."""
        breakdown = cls.compute_breakdown(
            real_data,
            synthetic_data,
            metadata,
            table_name,
            sequence_key,
            sequence_index=sequence_index,
            **options,
        )
        return float(breakdown["score"])

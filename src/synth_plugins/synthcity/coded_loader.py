"""A ``TimeSeriesDataLoader`` that knows how the suite encoded its temporal columns.

Synthcity's time-series loader takes numbers only, and drops a visit with any missing
value, so :func:`~synth_plugins.synthcity.timeseries.to_timeseries_loader` integer-codes
categorical visit columns (a therapy, an MRI result) and fills missing visit values, with
a 0/1 ``<column>__observed`` column saying where a value was observed. In the loader's
``dataframe()`` the codes look like any whole-number column and the fills like observed
values: a metric reading it would average therapies, correlate them with EDSS and score
the fills as data. :class:`CodedTimeSeriesDataLoader` keeps both encodings (by their
``dataframe()`` names, ``seq_temporal_<column>``) through everything Synthcity builds from
a loader: ``train()``, ``test()``, ``sample()``, ``match()`` and ``drop()`` (through
``decorate``), and ``from_info`` with its ``info()`` (the keys :data:`CODED_COLUMNS_KEY` and
:data:`OBSERVED_KEY`), so ``Metrics.evaluate`` and ``Benchmarks.evaluate`` hand the suite's
evaluators loaders that still know them. A generator's output, which Synthcity builds with
``create_from_info``, is a plain ``TimeSeriesDataLoader`` with the training loader's
columns, so an evaluator takes the encodings of either loader (:func:`encodings`) and
reads both loaders' frames through :func:`decoded_values`. It also keeps how many units
of its observation times make a year (:data:`TIME_PER_YEAR_KEY`: 365.25 when the visit
times were dates, given as days), which the ``longitudinal_fidelity`` evaluator reads
(:func:`time_per_year`) so that its per-year figures count years, not days.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from synthcity.plugins.core.dataloader import TimeSeriesDataLoader

from synth_plugins.synthcity.sequence_loader import info_settings, kept_settings
from synth_plugins.synthcity.timeseries import nearest_codes, was_observed

#: The ``info()`` key of the temporal columns that hold category codes.
CODED_COLUMNS_KEY = "synth_plugins_coded_columns"
#: The ``info()`` key mapping temporal columns with filled values to their indicators.
OBSERVED_KEY = "synth_plugins_observed"
#: The ``info()`` key of the observation times' units per year (365.25: days).
TIME_PER_YEAR_KEY = "synth_plugins_time_per_year"


class CodedTimeSeriesDataLoader(TimeSeriesDataLoader):
    """Synthcity's time-series loader plus the suite's encodings of its temporal columns.

    Args:
        *args: ``TimeSeriesDataLoader``'s arguments.
        coded_columns: The temporal columns that hold category codes -> their number of
            levels (codes ``0 .. n - 1``).
        observed: Temporal columns whose missing values were filled -> their 0/1
            indicator column (1 where the value was observed).
        time_per_year: Units of the observation times per year (1: years, 365.25: days).
        **kwargs: ``TimeSeriesDataLoader``'s keyword arguments.

    Every name is a ``dataframe()`` name (``seq_temporal_<column>``).
    """

    def __init__(
        self,
        *args: Any,
        coded_columns: Mapping[str, int] | None = None,
        observed: Mapping[str, str] | None = None,
        time_per_year: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.coded_columns: dict[str, int] = dict(coded_columns or {})
        self.observed: dict[str, str] = dict(observed or {})
        self.time_per_year = float(time_per_year)

    def info(self) -> dict:
        """Synthcity's loader information plus the encodings."""
        return {
            **super().info(),
            CODED_COLUMNS_KEY: dict(self.coded_columns),
            OBSERVED_KEY: dict(self.observed),
            TIME_PER_YEAR_KEY: self.time_per_year,
        }

    def decorate(self, data: Any) -> CodedTimeSeriesDataLoader:
        """As Synthcity's ``decorate`` (new data, this loader's settings), keeping the encodings."""
        static_data, temporal_data, observation_times, outcome = data
        return CodedTimeSeriesDataLoader(
            temporal_data,
            observation_times=observation_times,
            static_data=static_data,
            outcome=outcome,
            **kept_settings(self),
            coded_columns=self.coded_columns,
            observed=self.observed,
            time_per_year=self.time_per_year,
        )

    @staticmethod
    def from_info(data: Any, info: dict) -> CodedTimeSeriesDataLoader:
        """As Synthcity's ``from_info``, with the encodings the information holds."""
        static_data, temporal_data, observation_times, outcome = (
            TimeSeriesDataLoader.unpack_raw_data(data, info)
        )
        return CodedTimeSeriesDataLoader(
            temporal_data,
            observation_times=observation_times,
            static_data=static_data,
            outcome=outcome,
            fill=info["fill"],
            **info_settings(info),
            coded_columns=info.get(CODED_COLUMNS_KEY),
            observed=info.get(OBSERVED_KEY),
            time_per_year=info.get(TIME_PER_YEAR_KEY, 1.0),
        )


def encodings(*loaders: Any) -> tuple[dict[str, int], dict[str, str]]:
    """``(coded_columns, observed)`` that any of ``loaders`` knows of (first seen first).

    A plain loader or a DataFrame knows none.
    """
    coded: dict[str, int] = {}
    observed: dict[str, str] = {}
    for loader in loaders:
        if isinstance(loader, CodedTimeSeriesDataLoader):
            coded.update(loader.coded_columns)
            observed.update(loader.observed)
    return coded, observed


def time_per_year(*loaders: Any) -> float | None:
    """The observation times' units per year the first of ``loaders`` that knows them says.

    None when none does (plain loaders and DataFrames): the metric's own default applies.
    """
    for loader in loaders:
        if isinstance(loader, CodedTimeSeriesDataLoader):
            return getattr(loader, "time_per_year", 1.0)  # (one pickled before it was kept)
    return None


def decoded_values(
    frame: pd.DataFrame, coded_columns: Mapping[str, int], observed: Mapping[str, str]
) -> pd.DataFrame:
    """A loader's long frame with the values the decoded long table has, in its columns.

    As :func:`~synth_plugins.synthcity.timeseries.from_timeseries_loader` reads them: a
    finite category code is the nearest level's (generated codes need not be whole), a filled
    value is missing where its indicator says so, and the indicator columns are dropped.
    The codes stay codes and the names Synthcity's; columns not in ``frame`` are skipped.
    """
    frame = frame.copy()
    for column, n_levels in coded_columns.items():
        if column in frame.columns:
            codes = frame[column].to_numpy(dtype=float, copy=True)
            known = np.isfinite(codes)  # the metric names a column with infinite values
            codes[known] = nearest_codes(codes[known], n_levels)
            frame[column] = codes
    pairs = {v: i for v, i in observed.items() if v in frame.columns and i in frame.columns}
    for value, indicator in pairs.items():
        frame[value] = frame[value].where(was_observed(frame[indicator]))
    return frame.drop(columns=list(pairs.values()))

"""Synthcity's time-series loaders with their long-frame conversions vectorised.

A ``TimeSeriesDataLoader`` holds its sequences twice: as parts (static rows, one temporal
frame per sequence, observation times, outcome rows) and as the long frame
``dataframe()`` returns. Synthcity 0.2.12 builds the long frame row by row
(``TimeSeriesDataLoader.sequential_view``: ``iterrows`` and a ``.loc`` per visit) and splits
a long frame into parts with one scan of the whole frame per sequence
(``unpack_raw_data``), and ``Plugin.generate`` converts four times (the generated parts,
``create_from_info``, ``decode``, ``match``): about 5 CPU s per 1,000 generated sequences
for each, a hundred times the model's own sampling.

:func:`pack` and :func:`unpack` compute what Synthcity's ``pack_raw_data`` and
``unpack_raw_data`` compute, with whole-column operations (the same values, dtypes, column
order, index labels and renumbered sequence ids; a test compares them on the pinned
Synthcity). :class:`VectorisedTimeSeriesDataLoader` and
:class:`VectorisedTimeSeriesSurvivalDataLoader` are Synthcity's two loaders using them in
the constructor, ``from_info`` (``create_from_info``, ``decode``, ``encode``) and
``unpack_and_decorate`` (``match``, ``drop``, ``train``, ``test``, ``sample``); the
``longitudinal_lstm`` plugin returns them.

Inputs that Synthcity's own conversions treat specially go through them unchanged (a
missing temporal value or observation time: Synthcity drops the visit row and shifts the
times; ``masked_`` columns; sequences with different temporal columns or dtypes; a static
or outcome frame not indexed ``0 .. n-1``; a time list not as long as its sequence).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from synthcity.plugins.core.dataloader import (
    DataLoader,
    TimeSeriesDataLoader,
    TimeSeriesSurvivalDataLoader,
)

#: Synthcity's ``(static, temporal, observation_times, outcome)`` of a loader.
Parts = tuple[pd.DataFrame, list[pd.DataFrame], list[list[Any]], pd.DataFrame]


def _visit_values(
    static: pd.DataFrame,
    temporal: list[pd.DataFrame],
    observation_times: list[Any],
    outcome: pd.DataFrame,
) -> np.ndarray | None:
    """Every visit's temporal values, when Synthcity would keep every visit as given.

    One row per visit, in the first sequence's column order, each sequence's rows in its
    own common dtype (as Synthcity reads a row), so the array's dtype is theirs if shared.
    None (Synthcity's own ``pack_raw_data`` then runs) for a missing temporal value or
    time, a ``masked_`` column, an empty sequence, a time list not as long as its
    sequence, sequences whose columns differ from the first's (in name or order), or
    static and outcome rows not indexed ``0 .. n-1``.
    """
    n = len(temporal)
    columns = temporal[0].columns
    if any(str(c).startswith("masked_") for c in columns):
        return None
    for frame, times in zip(temporal, observation_times):
        if len(frame) == 0 or len(frame) != len(times) or not frame.columns.equals(columns):
            return None
    if any(not frame.index.equals(pd.RangeIndex(n)) for frame in (static, outcome)):
        return None
    values = np.concatenate([frame.to_numpy() for frame in temporal])
    times = np.concatenate([np.asarray(t, dtype=float) for t in observation_times])
    if pd.isna(values).any() or np.isnan(times).any():
        return None
    return values


#: The dtype a column of Python numbers of one numpy kind is inferred as.
_INFERRED = {"i": np.dtype("int64"), "u": np.dtype("int64"), "f": np.dtype("float64"),
             "b": np.dtype("bool")}  # fmt: skip


def _long_frame(
    columns: list[str], leading: list[tuple[int, Any]], blocks: list[np.ndarray]
) -> pd.DataFrame:
    """Synthcity's ``pd.DataFrame(rows, columns=columns)`` of the rows it builds.

    ``leading``: each row's ``(seq_id, time)``; ``blocks``: the rows' static, temporal and
    outcome values, each in its frame's common dtype. pandas infers each column of a list
    of rows on its own, so a block is inferred alone: from its Python values, or, when it
    holds numbers or booleans, as the ``int64``, ``float64`` or ``bool`` they give.
    """
    parts = [pd.DataFrame(leading, columns=columns[:2])]
    start = 2
    for block in blocks:
        names = columns[start : start + block.shape[1]]
        start += block.shape[1]
        kind = block.dtype.kind
        if kind in _INFERRED and not (kind == "u" and block.dtype.itemsize == 8):
            parts.append(pd.DataFrame(block.astype(_INFERRED[kind]), columns=names))
        else:
            parts.append(pd.DataFrame(block.tolist(), columns=names))
    return pd.concat(parts, axis=1)


def pack(
    static: pd.DataFrame,
    temporal: list[pd.DataFrame],
    observation_times: list[Any],
    outcome: pd.DataFrame,
    seq_offset: int = 0,
) -> tuple[pd.DataFrame, list[pd.DataFrame], list[list[Any]], pd.DataFrame, pd.DataFrame, dict]:
    """Synthcity's ``TimeSeriesDataLoader.pack_raw_data``, vectorised.

    Returns ``(static, temporal, observation_times, outcome, long_frame, seq_info)``, as it
    does: the long frame has one row per visit, ``seq_id`` (the sequence's position plus
    ``seq_offset``), ``seq_time_id``, then the ``seq_static_``, ``seq_temporal_`` (sorted by
    name) and ``seq_out_`` columns, with the dtypes Synthcity's rows of Python values give
    (a row's static, temporal and outcome values share their frame's common dtype).
    """
    visits = _visit_values(static, temporal, observation_times, outcome)
    if visits is None:
        return TimeSeriesDataLoader.pack_raw_data(
            static, temporal, observation_times, outcome, seq_offset=seq_offset
        )
    temporal_features = TimeSeriesDataLoader.unique_temporal_features(temporal)
    static_features, outcome_features = list(static.columns), list(outcome.columns)
    sequence = np.repeat(np.arange(len(temporal)), [len(frame) for frame in temporal])
    times = [time for sequence in observation_times for time in sequence]
    leading = list(zip((sequence + seq_offset).tolist(), times))
    blocks = [
        static.to_numpy()[sequence],
        visits[:, [list(temporal[0].columns).index(c) for c in temporal_features]],
        outcome.to_numpy()[sequence],
    ]
    info = {
        "seq_static_features": [f"seq_static_{c}" for c in static_features],
        "seq_temporal_features": [f"seq_temporal_{c}" for c in temporal_features],
        "seq_outcome_features": [f"seq_out_{c}" for c in outcome_features],
        "seq_offset": seq_offset,
        "seq_id_feature": "seq_id",
        "seq_time_id_feature": "seq_time_id",
    }
    columns = ["seq_id", "seq_time_id", *info["seq_static_features"],
               *info["seq_temporal_features"], *info["seq_outcome_features"]]  # fmt: skip
    frame = _long_frame(columns, leading, blocks)
    info["seq_features"] = list(frame.columns)
    times_lists = [list(sequence) for sequence in observation_times]
    return static, list(temporal), times_lists, outcome, frame, info


def _first_values(
    data: pd.DataFrame, columns: list[str], first: np.ndarray, names: list[str]
) -> pd.DataFrame:
    """Each sequence's first-row values of ``columns`` (their common dtype), re-inferred."""
    return pd.DataFrame(data[columns].to_numpy()[first].tolist(), columns=names)


def unpack(data: pd.DataFrame, info: dict) -> Parts:
    """Synthcity's ``TimeSeriesDataLoader.unpack_raw_data``, vectorised.

    Sequences in sorted ``seq_id`` order, their rows in frame order; static and outcome
    values from each sequence's first row; temporal frames keep the frame's index labels
    and drop rows with a missing value (their times stay, as Synthcity keeps them).
    """
    id_col, time_col = info["seq_id_feature"], info["seq_time_id_feature"]
    static_cols = info["seq_static_features"]
    temporal_cols = info["seq_temporal_features"]
    outcome_cols = info["seq_outcome_features"]
    ids = data[id_col].to_numpy()
    order = np.argsort(ids, kind="stable")
    starts = np.flatnonzero(np.r_[True, ids[order][1:] != ids[order][:-1]])
    ends = np.r_[starts[1:], len(ids)]
    first = order[starts]
    static = _first_values(
        data, static_cols, first, [c.split("seq_static_")[1] for c in static_cols]
    )
    outcome = _first_values(
        data, outcome_cols, first, [c.split("seq_out_")[1] for c in outcome_cols]
    )
    visits = data[temporal_cols].iloc[order]
    visits.columns = [c.split("seq_temporal_")[1] for c in temporal_cols]
    kept = visits.notna().all(axis=1).to_numpy()
    kept_before = np.r_[0, np.cumsum(kept)]
    visits = visits[kept]
    times = data[time_col].to_numpy()[order].tolist()
    temporal = [
        visits.iloc[kept_before[start] : kept_before[end]].copy()
        for start, end in zip(starts, ends)
    ]
    observation_times = [times[start:end] for start, end in zip(starts, ends)]
    return static, temporal, observation_times, outcome


def kept_settings(loader: TimeSeriesDataLoader) -> dict[str, Any]:
    """The settings a time-series loader passes on to the loader ``decorate`` makes.

    Synthcity's ``decorate`` builds a new loader of new data with the old one's feature
    lists, seed, split size and offset; the suite's loaders (this module's, and the coded
    loader) pass the same ones, from this one place.
    """
    return {
        "sensitive_features": loader.sensitive_features,
        "important_features": loader.important_features,
        "fairness_column": loader.fairness_column,
        "random_state": loader.random_state,
        "train_size": loader.train_size,
        "seq_offset": loader.seq_offset,
    }


def info_settings(info: dict) -> dict[str, Any]:
    """The settings Synthcity's ``from_info`` reads back from a loader's ``info()``.

    (The seed and split size are not in it: a loader rebuilt from its information has
    Synthcity's defaults, as Synthcity's own do.)
    """
    keys = ("sensitive_features", "important_features", "fairness_column", "seq_offset")
    return {key: info[key] for key in keys}


class VectorisedTimeSeriesDataLoader(TimeSeriesDataLoader):
    """Synthcity's ``TimeSeriesDataLoader``, converting with :func:`pack` and :func:`unpack`.

    Same arguments, state and methods; only the conversions between parts and the long
    frame are vectorised (see the module docstring).
    """

    def __init__(
        self,
        temporal_data: list[pd.DataFrame],
        observation_times: list[Any],
        outcome: pd.DataFrame | None = None,
        static_data: pd.DataFrame | None = None,
        sensitive_features: list[str] | None = None,
        important_features: list[str] | None = None,
        fairness_column: str | None = None,
        random_state: int = 0,
        train_size: float = 0.8,
        seq_offset: int = 0,
        **kwargs: Any,
    ) -> None:
        """Set what ``TimeSeriesDataLoader.__init__`` sets, packing with :func:`pack`."""
        if len(temporal_data) == 0:
            raise ValueError("Empty temporal data")
        temporal_features = TimeSeriesDataLoader.unique_temporal_features(temporal_data)
        n = len(temporal_data)
        if static_data is not None and len(static_data) != n:
            raise ValueError("Static and temporal data mismatch")
        if outcome is not None and len(outcome) != n:
            raise ValueError("Temporal and outcome data mismatch")
        static_features = [] if static_data is None else list(static_data.columns)
        self.outcome_features = [] if outcome is None else list(outcome.columns)
        static_data = pd.DataFrame(np.zeros((n, 0))) if static_data is None else static_data
        outcome = pd.DataFrame(np.zeros((n, 0))) if outcome is None else outcome
        self.window_len = max(len(frame) for frame in temporal_data)
        self.fill = np.nan
        self.seq_offset = seq_offset
        static_data, temporal, times, outcome, frame, self.seq_info = pack(
            static_data, list(temporal_data), list(observation_times), outcome, seq_offset
        )
        self.fairness_column = fairness_column
        DataLoader.__init__(
            self,
            data={
                "static_data": static_data,
                "temporal_data": temporal,
                "observation_times": times,
                "outcome": outcome,
                "seq_data": frame,
            },
            data_type="time_series",
            static_features=static_features,
            temporal_features=temporal_features,
            outcome_features=self.outcome_features,
            sensitive_features=list(sensitive_features or []),
            important_features=list(important_features or []),
            random_state=random_state,
            train_size=train_size,
            **kwargs,
        )

    def decorate(self, data: Any) -> DataLoader:
        """As Synthcity's ``decorate`` (new parts, this loader's settings)."""
        static_data, temporal_data, observation_times, outcome = data
        return type(self)(
            temporal_data,
            observation_times=observation_times,
            static_data=static_data,
            outcome=outcome,
            **kept_settings(self),
        )

    def unpack_and_decorate(self, data: pd.DataFrame) -> DataLoader:
        """As Synthcity's, splitting ``data`` with :func:`unpack`."""
        return self.decorate(unpack(data, self.info()))

    @staticmethod
    def from_info(data: pd.DataFrame, info: dict) -> DataLoader:
        """As Synthcity's ``from_info`` (its settings: the default seed and split size)."""
        static_data, temporal_data, observation_times, outcome = unpack(data, info)
        return VectorisedTimeSeriesDataLoader(
            temporal_data,
            observation_times=observation_times,
            static_data=static_data,
            outcome=outcome,
            **info_settings(info),
        )


class VectorisedTimeSeriesSurvivalDataLoader(
    TimeSeriesSurvivalDataLoader, VectorisedTimeSeriesDataLoader
):
    """Synthcity's ``TimeSeriesSurvivalDataLoader``, converting with :func:`pack`/:func:`unpack`.

    Its constructor is Synthcity's, whose parent call reaches
    :class:`VectorisedTimeSeriesDataLoader` (the class order).
    """

    def decorate(self, data: Any) -> DataLoader:
        """As Synthcity's ``decorate`` (new parts, this loader's settings)."""
        static_data, temporal_data, observation_times, outcome = data
        for column in (self.time_to_event_col, self.event_col):
            if column not in outcome:
                raise ValueError(f"Survival outcome is missing column {column}")
        return VectorisedTimeSeriesSurvivalDataLoader(
            temporal_data,
            observation_times=observation_times,
            static_data=static_data,
            T=outcome[self.time_to_event_col],
            E=outcome[self.event_col],
            time_horizons=self.time_horizons,
            **kept_settings(self),
        )

    @staticmethod
    def from_info(data: pd.DataFrame, info: dict) -> DataLoader:
        """As Synthcity's ``from_info`` (its settings: the default seed and split size)."""
        static_data, temporal_data, observation_times, outcome = unpack(data, info)
        return VectorisedTimeSeriesSurvivalDataLoader(
            temporal_data,
            observation_times=observation_times,
            static_data=static_data,
            T=outcome[info["time_to_event_column"]],
            E=outcome[info["event_column"]],
            time_horizons=info["time_horizons"],
            **info_settings(info),
        )


def vectorised_from_info(data: pd.DataFrame, info: dict) -> DataLoader:
    """Synthcity's ``create_from_info`` for a time-series frame, as a vectorised loader."""
    if info["data_type"] == "time_series_survival":
        return VectorisedTimeSeriesSurvivalDataLoader.from_info(data, info)
    return VectorisedTimeSeriesDataLoader.from_info(data, info)

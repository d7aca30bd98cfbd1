"""The vectorised time-series loaders build what Synthcity's own conversions build.

Each case builds a loader twice, with Synthcity's class and with ours, from the same parts,
and compares every attribute and every part (values, dtypes, column order, index labels),
then the same through ``from_info``, ``match`` and ``decode`` of a long frame.
"""

import numpy as np
import pandas as pd
import pytest
from synthcity.plugins.core.constraints import Constraints
from synthcity.plugins.core.dataloader import (
    TimeSeriesDataLoader,
    TimeSeriesSurvivalDataLoader,
    create_from_info,
)

from synth_plugins.synthcity.sequence_loader import (
    VectorisedTimeSeriesDataLoader,
    VectorisedTimeSeriesSurvivalDataLoader,
    vectorised_from_info,
)


def _parts(n: int, seed: int, static_columns: int, outcome: bool, gap: bool = False):
    """Random parts: mixed int/float columns, unsorted temporal names, uneven lengths."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 6, n)
    temporal = [
        pd.DataFrame({"z": rng.normal(size=k), "a": rng.integers(0, 4, k), "m": rng.normal(size=k)})
        for k in lengths
    ]
    if gap:  # a missing temporal value: Synthcity drops the visit and shifts the times
        temporal[0].loc[0, "m"] = np.nan
    times = [np.cumsum(rng.uniform(1, 5, k)).tolist() for k in lengths]
    static = pd.DataFrame(
        {
            f"s{i}": (rng.integers(0, 3, n) if i % 2 else rng.normal(size=n))
            for i in range(static_columns)
        }
    )
    out = pd.DataFrame({"y": rng.integers(0, 2, n)}) if outcome else None
    return static if static_columns else None, temporal, times, out


def _state(loader) -> dict:
    state = {k: v for k, v in vars(loader).items() if k != "data"}
    return {**state, **{f"data.{k}": v for k, v in loader.data.items()}}


def _types(value):
    """The Python types inside nested lists and dicts (``1 == 1.0``, but not as a type)."""
    if isinstance(value, (list, tuple)):
        return [_types(v) for v in value]
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    return type(value)


def _assert_same(mine, theirs) -> None:
    a, b = _state(mine), _state(theirs)
    assert a.keys() == b.keys()
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, obj=key)
        elif key == "data.temporal_data":
            assert len(x) == len(y)
            for i, (p, q) in enumerate(zip(x, y)):
                pd.testing.assert_frame_equal(p, q, obj=f"{key}[{i}]")
        elif key == "fill":
            assert np.isnan(x) and np.isnan(y)
        else:
            assert x == y, key
            assert _types(x) == _types(y), key


CASES = [(12, 0, 3, True), (9, 1, 1, False), (7, 2, 0, True), (1, 3, 2, False)]


@pytest.mark.parametrize(("n", "seed", "static_columns", "outcome"), CASES)
def test_same_loader_as_synthcity(n, seed, static_columns, outcome):
    static, temporal, times, out = _parts(n, seed, static_columns, outcome)
    args = {"temporal_data": temporal, "observation_times": times, "static_data": static,
            "outcome": out, "seq_offset": 4,
            "random_state": 7, "train_size": 0.6}  # kept by decorate (match)  # fmt: skip
    theirs, mine = TimeSeriesDataLoader(**args), VectorisedTimeSeriesDataLoader(**args)
    _assert_same(mine, theirs)
    frame = theirs.dataframe().sample(frac=1.0, random_state=seed)  # unsorted ids
    _assert_same(vectorised_from_info(frame, theirs.info()), create_from_info(frame, theirs.info()))
    rule = Constraints(rules=[("seq_temporal_z", "<=", 0.5)])
    _assert_same(mine.match(rule), theirs.match(rule))
    # Synthcity's encode/decode round trip (seq_id among the encoded columns: no offset)
    args["seq_offset"] = 0
    (theirs, encoders), (mine, _) = (
        kind(**args).encode() for kind in (TimeSeriesDataLoader, VectorisedTimeSeriesDataLoader)
    )
    _assert_same(mine, theirs)
    _assert_same(mine.decode(encoders), theirs.decode(encoders))


def test_same_survival_loader_as_synthcity():
    static, temporal, times, _ = _parts(10, 5, 2, False)
    rng = np.random.default_rng(5)
    args = {"temporal_data": temporal, "observation_times": times, "static_data": static,
            "T": pd.Series(rng.uniform(1, 9, 10)),
            "E": pd.Series(rng.integers(0, 2, 10)),
            "random_state": 7, "train_size": 0.6}  # kept by decorate (match)  # fmt: skip
    theirs = TimeSeriesSurvivalDataLoader(**args)
    mine = VectorisedTimeSeriesSurvivalDataLoader(**args)
    _assert_same(mine, theirs)
    frame = theirs.dataframe()
    _assert_same(vectorised_from_info(frame, theirs.info()), create_from_info(frame, theirs.info()))
    rule = Constraints(rules=[("seq_temporal_a", "<=", 2)])
    _assert_same(mine.match(rule), theirs.match(rule))
    _assert_same(mine.train(), theirs.train())


def test_text_static_values_build_rows_as_synthcity():
    static, temporal, times, out = _parts(8, 6, 2, True)
    static["site"] = np.where(static["s0"] > 0, "north", "south")  # a common dtype of objects
    args = {"temporal_data": temporal, "observation_times": times, "static_data": static,
            "outcome": out}  # fmt: skip
    theirs, mine = TimeSeriesDataLoader(**args), VectorisedTimeSeriesDataLoader(**args)
    _assert_same(mine, theirs)
    frame = theirs.dataframe()
    _assert_same(vectorised_from_info(frame, theirs.info()), create_from_info(frame, theirs.info()))


def test_missing_visit_values_go_through_synthcity():
    static, temporal, times, out = _parts(6, 7, 1, True, gap=True)
    args = {"temporal_data": temporal, "observation_times": times, "static_data": static,
            "outcome": out}  # fmt: skip
    _assert_same(VectorisedTimeSeriesDataLoader(**args), TimeSeriesDataLoader(**args))

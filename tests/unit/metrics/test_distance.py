"""The exact Hamming nearest-neighbour kernel and the binning helpers."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics.distance import (
    NEVER_MATCHES,
    WIDE_LEVELS,
    assign_bins,
    equal_width_edges,
    int8_supported,
    nearest_hamming,
    nearest_hamming_bruteforce,
    quantile_edges,
)

BACKENDS = ["float32", "int8"] if int8_supported() else ["float32"]


@st.composite
def code_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Codes of a few columns, some with more than ``WIDE_LEVELS`` levels (compared by
    value), whose rows share a handful of those levels so that they can match."""
    p = draw(st.integers(1, 6))
    levels = draw(
        st.lists(
            st.integers(1, 5) | st.integers(WIDE_LEVELS + 1, WIDE_LEVELS + 400),
            min_size=p,
            max_size=p,
        )
    )
    n_query = draw(st.integers(1, 12))
    n_ref = draw(st.integers(1, 40))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)

    def column(level: int, n_rows: int) -> np.ndarray:
        if level <= 5:
            return rng.integers(-1, level, n_rows)
        return rng.choice([NEVER_MATCHES, 0, 1, level - 1], n_rows)

    query = np.stack([column(level, n_query) for level in levels], axis=1)
    reference = np.stack([column(level, n_ref) for level in levels], axis=1)
    return query, reference


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=code_pairs(), chunk=st.integers(1, 5000))
def test_kernel_equals_bruteforce(backend: str, pair: tuple, chunk: int) -> None:
    query, reference = pair
    got = nearest_hamming(query, reference, count_nearest=True, backend=backend, chunk_bytes=chunk)
    expected = nearest_hamming_bruteforce(query, reference)
    for got_part, expected_part in zip(got, expected):
        np.testing.assert_array_equal(got_part, expected_part)
    plain = nearest_hamming(query, reference, backend=backend, chunk_bytes=chunk)
    assert len(plain) == 2
    np.testing.assert_array_equal(plain[0], expected[0])
    np.testing.assert_array_equal(plain[1], expected[1])


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=40, deadline=None)
@given(pair=code_pairs())
def test_kernel_leave_one_out_equals_bruteforce(backend: str, pair: tuple) -> None:
    _, reference = pair
    if len(reference) < 2:
        reference = np.vstack([reference, reference])
    got = nearest_hamming(
        reference, reference, exclude_self=True, count_nearest=True, backend=backend
    )
    expected = nearest_hamming_bruteforce(reference, reference, exclude_self=True)
    for got_part, expected_part in zip(got, expected):
        np.testing.assert_array_equal(got_part, expected_part)


def test_hand_example() -> None:
    reference = np.array([[0, 0, 0], [1, 1, 1], [0, 1, 0]])
    query = np.array([[0, 0, 1], [NEVER_MATCHES, 1, 1]])
    d1, d2 = nearest_hamming(query, reference)
    # row 0: distances 1, 2, 2; row 1 (first value never matches): 3, 1, 2
    assert d1.tolist() == [1, 1]
    assert d2.tolist() == [2, 2]


def test_count_of_reference_rows_at_the_smallest_distance() -> None:
    reference = np.array([[0, 0, 0], [1, 1, 1], [0, 1, 0], [0, 0, 1]])
    query = np.array([[0, 0, 1], [1, 1, 0]])
    # row 0: distances 1, 2, 2, 0; row 1: distances 2, 1, 1, 3
    d1, _, n1 = nearest_hamming(query, reference, count_nearest=True)
    assert d1.tolist() == [0, 1]
    assert n1.tolist() == [1, 2]
    # leave-one-out with nothing in common: the row's own entry is not counted
    codes = np.array([[0], [1], [NEVER_MATCHES]])
    d1, _, n1 = nearest_hamming(codes, codes, exclude_self=True, count_nearest=True)
    assert d1.tolist() == [1, 1, 1]
    assert n1.tolist() == [2, 2, 2]
    empty = nearest_hamming(query[:0], reference, count_nearest=True)
    assert [part.size for part in empty] == [0, 0, 0]


def test_never_matches_does_not_match_itself() -> None:
    codes = np.array([[NEVER_MATCHES], [NEVER_MATCHES]])
    d1, d2 = nearest_hamming(codes, codes)
    assert d1.tolist() == [1, 1]
    assert d2.tolist() == [1, 1]


def test_single_reference_row_repeats_d1() -> None:
    d1, d2 = nearest_hamming(np.array([[0, 1], [1, 1]]), np.array([[0, 0]]))
    assert d1.tolist() == [1, 2]
    assert d2.tolist() == d1.tolist()


def test_wide_tables_fall_back_to_float32() -> None:
    rng = np.random.default_rng(3)
    query = rng.integers(-1, 3, (5, 130))
    reference = rng.integers(-1, 3, (9, 130))
    # 2p > 255: int8 cannot hold the scores
    got = nearest_hamming(query, reference, count_nearest=True)
    expected = nearest_hamming_bruteforce(query, reference)
    for got_part, expected_part in zip(got, expected):
        np.testing.assert_array_equal(got_part, expected_part)
    with pytest.raises(InvalidParameterError, match="int8"):
        nearest_hamming(query, reference, backend="int8")


def test_a_many_level_column_costs_no_one_hot_memory() -> None:
    """A 5,000-level column would take 5,000 one-hot slots a row (about 100 MB of factors
    for 5,000 rows); compared by value it costs the codes and one chunk of counts."""
    rng = np.random.default_rng(0)
    query = np.stack([rng.integers(0, 5000, 5000), rng.integers(0, 3, 5000)], axis=1)
    reference = np.stack([rng.integers(0, 5000, 5000), rng.integers(0, 3, 5000)], axis=1)
    reference[:50] = query[:50]
    tracemalloc.start()
    try:
        d1, _ = nearest_hamming(query, reference, chunk_bytes=2**20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20
    assert (d1[:50] == 0).all()
    np.testing.assert_array_equal(d1[:300], nearest_hamming_bruteforce(query[:300], reference)[0])


def test_kernel_errors() -> None:
    codes = np.zeros((1, 2), dtype=int)
    with pytest.raises(InvalidDataError, match="no row"):
        nearest_hamming(codes, codes, exclude_self=True)
    with pytest.raises(InvalidParameterError, match="backend"):
        nearest_hamming(codes, codes, backend="gpu")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="same rows"):
        nearest_hamming(codes, np.zeros((3, 2), dtype=int), exclude_self=True)


@settings(max_examples=50, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.integers(-(10**6), 10**6).map(lambda v: v / 100), st.just(float("nan"))),
        min_size=1,
        max_size=40,
    ),
    num_bins=st.integers(1, 12),
)
def test_quantile_bins_match_pandas(values: list[float], num_bins: int) -> None:
    array = np.array(values)
    edges = quantile_edges(array, num_bins)
    codes = assign_bins(array, edges, missing_code=-1)
    observed = array[~np.isnan(array)]
    assert edges[0] == -np.inf and edges[-1] == np.inf
    if np.unique(observed).size >= 2:
        _, pandas_edges = pd.qcut(observed, q=num_bins, retbins=True, duplicates="drop")
        np.testing.assert_array_equal(edges[1:-1], pandas_edges[1:-1])
        expected = pd.cut(array, bins=edges, labels=False)
        np.testing.assert_array_equal(codes, np.where(np.isnan(expected), -1, expected))
    else:
        assert set(codes[~np.isnan(array)].tolist()) <= {0}
    assert (codes[np.isnan(array)] == -1).all()


def test_equal_width_edges_are_open_and_even() -> None:
    edges = equal_width_edges(np.array([0.0, 10.0, np.nan]), 5)
    np.testing.assert_allclose(edges, [-np.inf, 2, 4, 6, 8, np.inf])
    assert equal_width_edges(np.array([np.nan]), 3).tolist() == [-np.inf, np.inf]


def test_the_int8_kernel_is_quiet_about_pytorchs_quantization_deprecation() -> None:
    """PyTorch 2.13 warns once per process that quantized tensors will be removed; the
    warning is about the suite's internals, not for the user (the float32 path takes
    over when they are gone)."""
    import subprocess
    import sys

    script = (
        "import numpy as np\n"
        "from synth_plugins.metrics.distance import nearest_hamming\n"
        "print(nearest_hamming(np.array([[0, 1], [1, 1]]), np.array([[0, 0], [1, 1]]))[0])\n"
    )
    run = subprocess.run(
        [sys.executable, "-W", "always", "-c", script],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[1 0]"
    assert "quantize" not in run.stderr

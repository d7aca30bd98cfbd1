"""``peak_rss``: a call's peak memory, whatever ran before it in the process."""

from __future__ import annotations

import platform
import time

import numpy as np
import pytest

from synth_plugins.benchmark import meter

#: Pieces of :func:`_allocate_and_free`: 100 kB is under glibc's mmap threshold (128 kB), so
#: they come from the heap, and freeing them leaves resident pages glibc keeps for reuse.
PIECES, PIECE_BYTES, SURVIVOR_BYTES = 1500, 100_000, 20_000
ALLOCATED_MB = PIECES * PIECE_BYTES / 2**20


def _allocate_and_free(survivors: list[bytearray]) -> None:
    """Allocate ~143 MB in pieces and free them; a survivor after each pins the heap."""
    pieces = []
    for _ in range(PIECES):
        pieces.append(bytearray(PIECE_BYTES))
        survivors.append(bytearray(SURVIVOR_BYTES))
    del pieces


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's heap keeps the pieces")
def test_a_call_after_a_memory_hungry_one_reports_its_own_peak():
    # A generator run after a hungrier one reused the memory that one freed (and glibc
    # kept), and its peak looked tiny: 1.5 MB after 262.6 MB in the survival suite.
    survivors: list[bytearray] = []
    peaks = []
    for _ in range(2):
        with meter.peak_rss() as peak:
            _allocate_and_free(survivors)
        peaks.append(peak())
    assert peaks[0] >= 0.8 * ALLOCATED_MB
    assert peaks[1] >= 0.8 * ALLOCATED_MB, peaks


def test_an_inner_block_keeps_the_outer_blocks_earlier_peak():
    # The inner block resets the kernel's high-water mark: the outer block's peak, reached
    # before it, must not be lost.
    with meter.peak_rss() as outer:
        held = np.ones(int(100 * 2**20 / 8))
        del held
        with meter.peak_rss() as inner:
            pass
    assert outer() >= 80
    assert inner() < 80


def test_without_the_kernels_peak_counter_the_rss_is_sampled(monkeypatch, tmp_path):
    # Another system, or a sandbox without /proc/self/clear_refs: sampling (and the RSS at
    # the end of the block) still give the figure.
    monkeypatch.setattr(meter, "_CLEAR_REFS", tmp_path / "missing" / "clear_refs")
    with meter.peak_rss() as peak:
        held = np.ones(int(100 * 2**20 / 8))
        time.sleep(0.1)  # several sampling periods
        del held  # freed inside the block: only the sampler can have seen the peak
    assert peak() >= 80

"""Fit time, sample time and peak memory per generator, which Synthcity's Benchmarks lacks.

:class:`PluginMeter` wraps ``Plugin.fit`` and ``Plugin.generate`` of Synthcity's base class
for the duration of a ``with`` block, so every plugin that ``Benchmarks.evaluate`` builds
is measured without changing the harness. Memory (:func:`peak_rss`) is the peak resident
set size (RSS) of the process during the call less its RSS when the call started; it
includes torch's allocations, which ``tracemalloc`` does not see. Blocks in threads of one
process (a Dask worker with several threads, joblib's ``threading`` backend) run one at a
time: the wrappers are process-wide and so is the RSS, so overlapping blocks would measure
(and unwrap) each other.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

#: The kernel's per-process memory figures: ``VmRSS`` (now) and ``VmHWM`` (the peak).
_STATUS = Path("/proc/self/status")
#: Writing ``5`` here resets ``VmHWM`` to the current RSS (Linux 4.0 and later).
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _find_malloc_trim() -> Callable[[int], int] | None:
    """The C library's ``malloc_trim`` (glibc), or None where it has none (musl, macOS, Windows)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError, TypeError):
        return None


_MALLOC_TRIM = _find_malloc_trim()


def release_freed_memory() -> None:
    """Hand memory that is free but still resident back to the operating system.

    Collects Python's garbage, then (with glibc) ``malloc_trim(0)`` returns the heap's free
    pages, which glibc otherwise keeps for later allocations. Without it, a call made after
    a memory-hungry one reuses those pages without raising the RSS, and its peak looks small.
    """
    gc.collect()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _kernel_peak() -> int | None:
    """``VmHWM`` in bytes, or None where ``/proc/self/status`` does not give it."""
    try:
        lines = _STATUS.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


def _reset_kernel_peak() -> bool:
    """Reset ``VmHWM`` to the current RSS; False where the kernel does not allow it."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return _kernel_peak() is not None


@dataclass(eq=False)
class _Peak:
    """The highest RSS (bytes) seen so far by one :func:`peak_rss` block."""

    rss: int


#: The :func:`peak_rss` blocks now open: a block that resets ``VmHWM`` first folds the
#: mark reached so far into every open block's peak, so blocks may nest or overlap.
_OPEN_PEAKS: list[_Peak] = []
#: Guards :data:`_OPEN_PEAKS` and the fold-then-reset of ``VmHWM``.
_PEAK_LOCK = threading.Lock()


def _fold_kernel_peak() -> None:
    """Raise every open block's peak to ``VmHWM`` (call with :data:`_PEAK_LOCK` held)."""
    mark = _kernel_peak()
    if mark is not None:
        for peak in _OPEN_PEAKS:
            peak.rss = max(peak.rss, mark)


@contextmanager
def peak_rss() -> Iterator[Callable[[], float]]:
    """Measure the block's peak rise of this process's RSS; yields a function giving it (MB).

    Before the baseline is read, :func:`release_freed_memory` hands back what earlier work
    freed, so the figure does not depend on what ran before in the process. The peak is the
    kernel's high-water mark (``VmHWM``, reset at the start), which sees every peak however
    short; where Linux does not offer it (another system, a sandbox without
    ``/proc/self/clear_refs``) the RSS is sampled every 10 ms instead, which can miss short
    peaks. Still order-dependent: one-time costs (a library's first import, torch's or the
    BLAS's first-use buffers) fall on the first call that needs them. The figure is final
    once the block has ended. Blocks may nest: an inner block's reset does not lose the
    outer block's peak.
    """
    process = psutil.Process()
    release_freed_memory()
    with _PEAK_LOCK:
        _fold_kernel_peak()
        kernel = _reset_kernel_peak()
        baseline = process.memory_info().rss
        peak = _Peak(baseline)
        _OPEN_PEAKS.append(peak)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.01):
            peak.rss = max(peak.rss, process.memory_info().rss)

    sampler = None if kernel else threading.Thread(target=sample, daemon=True)
    if sampler is not None:
        sampler.start()
    try:
        yield lambda: (peak.rss - baseline) / 2**20
    finally:
        stop.set()
        if sampler is not None:
            sampler.join()
        with _PEAK_LOCK:
            _fold_kernel_peak()
            _OPEN_PEAKS.remove(peak)
        peak.rss = max(peak.rss, process.memory_info().rss)


@dataclass
class Measurements:
    """Per-plugin lists of fit/generate seconds and peak memory rises (MB)."""

    fit_s: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    generate_s: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    peak_mb: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


#: Held for the whole of a :class:`PluginMeter` block (re-entrant: a block may nest).
_ONE_BLOCK = threading.RLock()


class PluginMeter:
    """Measure every Synthcity plugin's ``fit`` and ``generate`` inside a ``with`` block.

    One block at a time per process (:data:`_ONE_BLOCK`): another thread's block waits.
    """

    def __init__(self) -> None:
        self.measurements = Measurements()
        self._originals: dict[str, Any] = {}

    def _wrap(self, method: Callable[..., Any], seconds: dict[str, list[float]]) -> Any:
        measurements = self.measurements

        @functools.wraps(method)
        def measured(plugin: Any, *args: Any, **kwargs: Any) -> Any:
            with peak_rss() as peak:
                start = time.perf_counter()
                result = method(plugin, *args, **kwargs)
                seconds[plugin.name()].append(time.perf_counter() - start)
            measurements.peak_mb[plugin.name()].append(peak())
            return result

        return measured

    def __enter__(self) -> PluginMeter:
        from synthcity.plugins.core.plugin import Plugin

        _ONE_BLOCK.acquire()
        self._originals = {"fit": Plugin.fit, "generate": Plugin.generate}
        Plugin.fit = self._wrap(Plugin.fit, self.measurements.fit_s)
        Plugin.generate = self._wrap(Plugin.generate, self.measurements.generate_s)
        return self

    def __exit__(self, *exc: object) -> None:
        from synthcity.plugins.core.plugin import Plugin

        Plugin.fit = self._originals["fit"]
        Plugin.generate = self._originals["generate"]
        _ONE_BLOCK.release()

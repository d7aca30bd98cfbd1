"""Fit time, sample time and peak memory per generator, which Synthcity's Benchmarks lacks.

:class:`PluginMeter` wraps ``Plugin.fit`` and ``Plugin.generate`` of Synthcity's base class
for the duration of a ``with`` block, so every plugin that ``Benchmarks.evaluate`` builds
is measured without changing the harness. Memory is the peak resident set size of the
process above its level when the call started (sampled every 10 ms; it includes torch's
allocations, which ``tracemalloc`` does not see). Blocks in threads of one process (a
Dask worker with several threads, joblib's ``threading`` backend) run one at a time: the
wrappers are process-wide and so is the RSS, so overlapping blocks would measure (and
unwrap) each other.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psutil


@contextmanager
def peak_rss() -> Iterator[Callable[[], float]]:
    """Sample this process's RSS in a thread; yields a function giving the peak rise (MB)."""
    process = psutil.Process()
    baseline = process.memory_info().rss
    peak = [baseline]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.01):
            peak[0] = max(peak[0], process.memory_info().rss)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield lambda: (peak[0] - baseline) / 2**20
    finally:
        stop.set()
        thread.join()
        peak[0] = max(peak[0], process.memory_info().rss)


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

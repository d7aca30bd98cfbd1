"""What :func:`synthcity_failures` collects for one test case, when cases share a process.

Cases run as threads of one process under joblib's ``"threading"`` backend and on a Dask
worker; loguru's sinks are process-wide, so each case's collector must keep its own.
"""

import threading

from joblib import Parallel, delayed
from loguru import logger
from synthcity.metrics.scores import ScoreEvaluator

from synth_plugins.benchmark.tabular import synthcity_failures


def _case(plugin: str, fails: bool, both_open: threading.Barrier) -> list[str]:
    """One case's collector, open while the other case's is; ``fails``: log as Synthcity does."""
    with synthcity_failures() as errors:
        both_open.wait()
        if fails:
            logger.critical(f"[{plugin}][take 0] failed: boom")
        both_open.wait()  # the other case's collector is still open when this one logs
    return errors


def test_a_case_collects_only_its_own_failures_beside_a_case_in_another_thread():
    both_open = threading.Barrier(2, timeout=30)
    failing, clean = Parallel(n_jobs=2, backend="threading")(
        delayed(_case)(plugin, fails, both_open)
        for plugin, fails in (("ctgan", True), ("med_vae", False))
    )
    assert failing == ["[ctgan][take 0] failed: boom"]
    assert clean == []  # was ["[ctgan][take 0] failed: boom"]: a shared sink


class _FailingMetric:
    """The part of a Synthcity metric that ``ScoreEvaluator`` calls; its evaluation raises."""

    def evaluate(self) -> dict:
        raise ValueError("NaN in the table")

    def fqdn(self) -> str:
        return "stats.failing"

    def direction(self) -> str:
        return "minimize"


def _score_a_failing_metric() -> list[str]:
    """Score one failing metric as ``Metrics.evaluate`` does, inside a case's collector."""
    with synthcity_failures() as errors:
        scores = ScoreEvaluator()
        scores.queue(_FailingMetric())
        scores.compute()
    return errors


def test_a_metric_failure_of_a_case_run_in_a_worker_thread_is_collected():
    (errors,) = Parallel(n_jobs=2, backend="threading")([delayed(_score_a_failing_metric)()])
    assert errors == [">> Evaluator stats.failing failed: NaN in the table"]


def test_meter_blocks_of_two_threads_run_in_turn_and_unwrap_cleanly():
    """Two overlapping PluginMeter blocks in threads unwrapped each other: the first to
    leave put back the original methods (the other's fits went unmeasured) and the last
    put back the first's wrapper for good."""
    import threading
    import time

    from synthcity.plugins.core.plugin import Plugin

    from synth_plugins.benchmark.meter import PluginMeter

    original = Plugin.fit
    entered = threading.Event()
    spans: dict[str, tuple[float, float]] = {}

    def block(name: str, hold: float) -> None:
        with PluginMeter():
            start = time.perf_counter()
            entered.set()
            time.sleep(hold)
            spans[name] = (start, time.perf_counter())

    first = threading.Thread(target=block, args=("first", 0.3))
    first.start()
    entered.wait()
    second = threading.Thread(target=block, args=("second", 0.0))
    second.start()
    first.join()
    second.join()
    assert spans["second"][0] >= spans["first"][1]  # the second block waited
    assert Plugin.fit is original

"""How the survival suite ranks and marks its columns, without fitting anything.

``Benchmarks.evaluate`` is replaced by canned results (:func:`_outcome`), so the suite's
own ranking, compact table, summary table and report run as in a real run.
"""

import pandas as pd
import pytest

from synth_plugins.benchmark import survival
from synth_plugins.benchmark.report import best_cells, failure_notes
from synth_plugins.benchmark.summary import summary_columns, summary_table
from synth_plugins.benchmark.survival import DatasetRun, SurvivalBenchmark
from synth_plugins.benchmark.tabular import CaseOutcome

#: Hamming leakage coefficients: "a" below the ideal 0, "b" just above it, "c" above it.
LEAKAGE = {"a": -0.02, "b": 0.001, "c": 0.03}


def _outcome(coefficient: float) -> CaseOutcome:
    """One test case's ``Benchmarks`` result: every other ranked score the same."""
    results = pd.DataFrame(
        {
            "mean": {
                "stats.km_survival_scores.score": 0.9,
                "privacy.hamming_leakage.score": coefficient,
                "privacy.hamming_leakage.coefficient": coefficient,
            }
        }
    )
    timings = {"fit_s": 1.0, "sample_s": 0.1, "peak_mb": 10.0}
    return CaseOutcome(
        results=results, timings=timings, synthetic=[], seconds=1.0, errors=[], seeds=1
    )


@pytest.fixture
def bench(tmp_path, monkeypatch):
    """A survival suite of three test cases whose harness results are :data:`LEAKAGE`."""
    empty = pd.DataFrame()

    def prepare(self, name):
        run = DatasetRun(name=name, dataset=None, train=empty, holdout=empty, notes=[])
        run.loader = None
        return run

    def run_cases(function, cases, *, n_jobs=1, backend=None):
        return [_outcome(LEAKAGE[args[0]]) for args, _ in cases]

    monkeypatch.setattr(SurvivalBenchmark, "prepare", prepare)
    monkeypatch.setattr(SurvivalBenchmark, "_workspace", lambda self, run: tmp_path)
    monkeypatch.setattr(survival, "run_cases", run_cases)
    monkeypatch.setattr(SurvivalBenchmark, "tests", lambda self: [(g, g, {}) for g in LEAKAGE])
    return SurvivalBenchmark(output=tmp_path, figures=False, log=lambda line: None)


def test_hamming_leakage_at_or_below_zero_is_best_as_in_the_tabular_suite(bench, tmp_path):
    """A coefficient below 0 (the synthetic rows are merely nearer the holdout) is no better
    than 0, as SDMetrics' normalisation of the metric has it (every value <= 0 reads 1).
    Before, the suite ranked by the distance to 0, so a small leak (0.001) beat -0.02."""
    run = bench.evaluate_dataset("gbsg2")
    ranked = run.ranked
    assert list(ranked.index) == ["a", "b", "c"]  # -0.02 counts as 0 < 0.001 < 0.03
    assert "privacy.hamming_leakage.score" in ranked.columns
    # the summary table marks it ↓0 with the value at or below 0 as the best, as the tabular one
    frame, directions = summary_table(ranked, summary_columns("survival", "synthcity:gbsg2"))
    assert directions["Hamming leakage ↓0"] == 0.0
    best = best_cells(frame["Hamming leakage ↓0"], 0.0)
    assert list(best[best].index) == ["a"]
    # and the report's ranked table says ↓0 and sets -0.02 in bold
    page = bench.write_html({"synthcity:gbsg2": ranked}, tmp_path, 1.0).read_text()
    assert "privacy.hamming_leakage.score ↓0</th>" in page
    assert '<td class="best">-0.02</td>' in page
    assert '<td class="best">0.001</td>' not in page


def test_a_case_without_a_scored_seed_is_not_ranked_and_named(bench, monkeypatch):
    """A test case whose every repeat failed ranked last with a mean rank, unnamed in
    report.md and the index page."""
    failed = CaseOutcome(
        results=None, timings={"fit_s": float("nan"), "sample_s": float("nan"),
                               "peak_mb": float("nan")},
        synthetic=[], seconds=1.0, errors=["[c][take 0] failed: boom"], seeds=0,
    )  # fmt: skip

    def run_cases(function, cases, *, n_jobs=1, backend=None):
        return [_outcome(LEAKAGE[args[0]]) if args[0] != "c" else failed for args, _ in cases]

    monkeypatch.setattr(survival, "run_cases", run_cases)
    ranked = bench.evaluate_dataset("gbsg2").ranked
    assert list(ranked.index) == ["a", "b", "c"] and pd.isna(ranked.loc["c", "mean_rank"])
    frame, _ = summary_table(ranked, summary_columns("survival", "synthcity:gbsg2"))
    assert list(frame.index) == ["a", "b", "c (failed)"]
    assert "c: failed, not ranked: [c][take 0] failed: boom" in failure_notes(ranked)


def test_a_figure_that_fails_keeps_the_tables_and_is_reported(bench, monkeypatch, tmp_path):
    """km_comparison raising in the figures lost every table of the suite."""

    def broken(self, dataset, testcase, folder, prefix=""):
        raise ValueError("strata column missing")

    monkeypatch.setattr(SurvivalBenchmark, "plot", broken)
    monkeypatch.setattr(SurvivalBenchmark, "write_html", lambda self, *a: tmp_path)
    bench.figures = True
    tables = bench.run()
    assert list(tables["synthcity:gbsg2"].index) == ["a", "b", "c"]
    assert any("strata column missing" in note for note in bench.reading_notes)

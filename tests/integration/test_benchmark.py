"""The main job end to end through Synthcity's Benchmarks, on a small scale."""

import pandas as pd
import pytest

from synth_plugins.benchmark import run_suite
from synth_plugins.benchmark.report import rank_generators, to_markdown
from synth_plugins.benchmark.tabular import TabularBenchmark
from synth_plugins.datasets import load


def test_ranking_respects_each_metrics_direction():
    scores = pd.DataFrame(
        {"up": [0.9, 0.5, 0.95], "down": [0.3, 0.1, 0.05], "failed": [1.0, None, 2.0]},
        index=["a", "b", "c"],
    )
    ranked = rank_generators(scores, {"up": "maximize", "down": "minimize"})
    assert list(ranked.index) == ["c", "a", "b"]  # c best on both; a: ranks 2, 3; b: 3, 2
    assert ranked.loc["c", "mean_rank"] == 1.0 and ranked.loc["a", "mean_rank"] == 2.5
    with_failure = rank_generators(scores, {"failed": "minimize"})
    assert with_failure.index[-1] == "b"  # a missing score ranks last
    assert "| c | 1 |" in to_markdown(ranked)


@pytest.mark.slow
def test_tabular_suite_produces_a_ranked_table_with_timings(tmp_path, monkeypatch):
    bench = TabularBenchmark(
        datasets=("heart_failure",),
        synthcity_builtins={"marginal_distributions": {}},
        sdgym=False,
        output=tmp_path,
        log=lambda line: None,
    )
    monkeypatch.setattr("synth_plugins.benchmark.TabularBenchmark", lambda **kw: _with(bench, kw))
    tables = run_suite(
        datasets=["heart_failure"], output=tmp_path, sdgym=False, show=lambda t: None
    )
    table = tables["synthcity:heart_failure"]
    assert "marginal_distributions" in table.index
    assert {"mean_rank", "fit_s", "sample_s", "peak_mb"} <= set(table.columns)
    assert (table["fit_s"] > 0).all() and (table["sample_s"] > 0).all()
    assert any(c.startswith("stats.jensenshannon_dist") for c in table.columns)
    # the harness keeps every figure of the suite's metrics, not Synthcity's headline only
    assert "privacy.hamming_leakage.synthetic_train_p50" in table.columns
    report = (tmp_path / "tabular" / "report.md").read_text()
    assert "synthcity 0.2.12" in report and "marginal_distributions" in report
    # report.md holds the attack table report.html shows (docs/benchmarking.md)
    assert "## Privacy attacks: synthcity:heart_failure (anonymeter_risk" in report

    # only the scores are ranked: of our metrics "score", of Synthcity's all but "gt"
    ranked = bench.runs["heart_failure"].directions
    assert "privacy.hamming_leakage.score" in ranked and "stats.ks_test.marginal" in ranked
    assert not [key for key in ranked if key.endswith(".gt")]
    ours = [key for key in ranked if key.split(".")[1] in {"hamming_leakage", "tabsyndex"}]
    assert ours and all(key.endswith(".score") for key in ours)

    # figures from the synthetic data the harness cached, embedded in report.html
    folder = tmp_path / "tabular"
    figures = bench.runs["heart_failure"].figures
    assert sorted(p.name for p in figures) == [
        "associations_heart_failure_ctabgan_plus.png",
        "associations_heart_failure_marginal_distributions.png",
        "associations_heart_failure_med_vae.png",
        "associations_heart_failure_mle_copula.png",
        "distances_heart_failure.png",
        "marginals_heart_failure.png",
    ]
    assert all(p.parent == folder and p.stat().st_size > 10_000 for p in figures)
    page = (folder / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == len(figures)
    assert "synthcity" in page and "0.2.12" in page and "random_state" in page
    assert "Privacy attacks (anonymeter_risk" in page

    # a resumed run reuses the cached fits and keeps the timings measured when fitting
    bench.figures = bench.html = False
    again = bench.run()["synthcity:heart_failure"]
    for column in ("fit_s", "sample_s"):
        assert again[column].to_dict() == table[column].to_dict()


def _with(bench, overrides):
    bench.datasets = overrides["datasets"]
    bench.output = overrides["output"]
    return bench


def test_the_tabular_suite_scores_utility_on_a_survival_table():
    """A survival table is a plain table in this suite, its event the utility's target:
    Synthcity's linear_model gave no row for a survival loader, and the utility column
    vanished from the summary without a word."""
    from synthcity.metrics import Metrics

    from synth_plugins.benchmark.tabular import table_loader

    loader = table_loader(load("gbsg2"))
    assert loader.type() == "generic" and loader.target_column == "cens"
    scores = Metrics.evaluate(
        loader.test(), loader.train(), X_train=loader.train(),
        metrics={"performance": ["linear_model"]}, task_type="classification", use_cache=False,
    )  # fmt: skip
    assert any("linear_model" in row for row in scores.index)


def test_the_utility_column_is_scored_on_holdout_rows_only(tmp_path, monkeypatch):
    """Synthcity's ``linear_model.syn_id`` is "tested on real data": through the suite's
    ``Benchmarks.evaluate`` call every row it is scored on is a holdout row, none a row the
    generator was fitted on (``Benchmarks`` hands its metrics the loader's test split)."""
    import numpy as np
    from synthcity.metrics import eval_performance

    from synth_plugins.benchmark.tabular import TASK_TYPE, evaluate_case, table_loader

    loader = table_loader(load("heart_failure"))
    train, holdout = (
        split.dataframe().drop(columns="DEATH_EVENT") for split in (loader.train(), loader.test())
    )
    scored = []
    score = eval_performance.PerformanceEvaluator._evaluate_performance_classification

    def spy(self, model, args, X_train, y_train, X_test, y_test):
        scored.append(np.asarray(X_test, dtype=float))
        return score(self, model, args, X_train, y_train, X_test, y_test)

    monkeypatch.setattr(
        eval_performance.PerformanceEvaluator, "_evaluate_performance_classification", spy
    )
    outcome = evaluate_case(
        "marginal_distributions", "marginal_distributions", {}, loader,
        metrics={"performance": ["linear_model"]}, repeats=1, task_type=TASK_TYPE,
        workspace=tmp_path,
    )  # fmt: skip
    assert "performance.linear_model.syn_id" in outcome.results.index
    rows = {tuple(r) for r in np.round(holdout.to_numpy(dtype=float), 6)}
    fitted = {tuple(r) for r in np.round(train.to_numpy(dtype=float), 6)}
    tested = {tuple(r) for r in np.round(np.vstack(scored), 6)}
    assert tested and tested <= rows and not tested & fitted


@pytest.mark.slow
def test_the_sdgym_tables_correlation_l1_is_a_readable_mean_per_pair(monkeypatch):
    """SDGym keeps only SDMetrics' normalised score, exp(-L1); with the metric's default sum
    over heart_failure's 78 column pairs every synthesizer got 0.0003 - 0.005 (ranked as the
    mean ranks them, but unreadable). The harness runs the mean per pair, so the column is
    exp(-mean |real - synthetic correlation|), a monotone rescaling that can be read."""
    from synth_plugins import catalog

    monkeypatch.setattr(catalog, "GENERATORS", ())  # GaussianCopula and SDGym's baseline only
    frame = TabularBenchmark(log=lambda line: None)._sdgym("heart_failure")
    assert 0.5 < frame.loc["GaussianCopulaSynthesizer", "CorrelationL1"] <= 1


def test_tabular_suite_leaves_out_survival_metrics():
    names = [n for group in TabularBenchmark().all_metrics().values() for n in group]
    assert "hamming_leakage" in names and "tabsyndex" in names
    # "...augmentation" would switch Synthcity's Benchmarks to its fairness pipeline
    assert not {"survival_augmentation", "km_survival_scores", "hazard_ratio_alignment"} & set(
        names
    )


def test_failed_seeds_are_counted_named_and_a_generator_without_one_is_not_ranked(tmp_path):
    """Benchmarks skips a repeat whose sampling fails and only logs it: failing_gen got a
    rank with no score at all, flaky_gen's mean over one repeat read as one over two, and
    neither failure was named anywhere."""
    from synthcity.plugins import Plugins
    from synthcity.plugins.generic.plugin_marginal_distributions import (
        MarginalDistributionPlugin as Marginal,
    )

    import synth_plugins

    class Failing(Marginal):  # fits, then fails to sample in every repeat
        @staticmethod
        def name():
            return "failing_gen"

        def _generate(self, count, syn_schema, **kwargs):
            raise RuntimeError("boom: sampling failed")

    class Flaky(Marginal):  # fails to sample in the repeat seeded 1 only
        @staticmethod
        def name():
            return "flaky_gen"

        def _generate(self, count, syn_schema, **kwargs):
            if self.random_state == 1:
                raise RuntimeError("boom in repeat 1")
            return super()._generate(count, syn_schema, **kwargs)

    synth_plugins.register()
    Plugins().add("failing_gen", Failing)
    Plugins().add("flaky_gen", Flaky)
    bench = TabularBenchmark(
        datasets=("heart_failure",),
        repeats=2,
        synthcity_builtins={"marginal_distributions": {}, "failing_gen": {}, "flaky_gen": {}},
        metrics={"stats": ["jensenshannon_dist"]},
        sdgym=False,
        figures=False,
        html=False,
        output=tmp_path,
        log=lambda line: None,
    )
    bench.contenders = lambda: bench.synthcity_builtins
    bench.all_metrics = lambda: bench.metrics
    table = bench.run()["synthcity:heart_failure"]
    assert table.index[-1] == "failing_gen"  # after the ranked ones, without a rank
    assert table["mean_rank"].iloc[:2].notna().all()
    assert pd.isna(table.loc["failing_gen", "mean_rank"])
    assert table["seeds"].to_dict() == {
        "marginal_distributions": 2,
        "flaky_gen": 1,
        "failing_gen": 0,
    }
    assert "[flaky_gen][take 1] failed: boom in repeat 1" in table.loc["flaky_gen", "errors"]
    assert "boom: sampling failed" in table.loc["failing_gen", "errors"]
    assert table.loc["marginal_distributions", "errors"] == ""  # no loading notices


def test_each_training_split_and_loader_has_its_own_workspace(tmp_path):
    """The cache was keyed by the whole table: a second run with another train_size reused
    the first run's fitted generators (a DCR holdout share of 1.000 on a copying sampler
    scored on its new split), and the two suites shared fits of gbsg2 across loaders."""
    from synth_plugins.benchmark.survival import SurvivalBenchmark
    from synth_plugins.benchmark.tabular import case_workspace, table_loader

    def folder(train_size):
        loader = SurvivalBenchmark(train_size=train_size).prepare("gbsg2").loader
        return case_workspace(tmp_path, loader, "survival_analysis")

    assert folder(0.8) == folder(0.8)
    assert folder(0.8) != folder(0.5)
    tabular = case_workspace(tmp_path, table_loader(load("gbsg2")), "classification")
    assert tabular not in (folder(0.8), folder(0.5))
    assert tabular.is_dir() and tabular.parent.parent == tmp_path / "workspace"

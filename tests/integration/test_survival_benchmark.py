"""The survival suite end to end through Synthcity's Benchmarks, on a small scale."""

import pandas as pd
import pytest

from synth_plugins.benchmark.survival import RANKED_METRICS, SurvivalBenchmark


@pytest.mark.slow
def test_survival_suite_ranks_ck4gen_against_a_builtin_and_draws_figures(tmp_path):
    bench = SurvivalBenchmark(
        datasets=("gbsg2",),
        ck4gen={"n_iter": 10, "lr": 5e-3, "batch_size": 128},
        synthcity_builtins={"marginal_distributions": {}},
        augmentation_seeds=2,
        rsf_params={"n_estimators": 10},
        metrics={
            "stats": ["km_survival_scores", "hazard_ratio_alignment"],
            "privacy": ["hamming_leakage"],
        },
        output=tmp_path,
        log=lambda line: None,
    )
    tables = bench.run()

    table = tables["synthcity:gbsg2"]
    assert set(table.index) == {"ck4gen_copy", "ck4gen_model", "marginal_distributions"}
    assert {"dataset", "mean_rank", *RANKED_METRICS} <= set(table.columns)
    assert {"fit_s", "sample_s", "peak_mb", "aug.ibs_delta"} <= set(table.columns)
    assert table["mean_rank"].is_monotonic_increasing
    assert (table["fit_s"] > 0).all() and (table["sample_s"] > 0).all()
    # hazard-ratio alignment against the training data, for every generator
    assert table["hr.mean_abs_log_hr_error"].notna().all()
    assert table["hr.mean_abs_log_hr_error"].ge(0).all()
    assert table["hr.sign_agreement_significant"].between(0, 1).all()
    # ... and inside Benchmarks (holdout against synthetic data), with the KM scores
    assert table["stats.hazard_ratio_alignment.score"].notna().all()
    assert table["stats.km_survival_scores.score"].between(0, 1).all()
    assert table["aug.c_index_delta"].between(-1, 1).all()

    full = bench.runs["gbsg2"].full
    assert full is not None and "aug.rsf_c_index_delta" in full.columns
    assert "privacy.hamming_leakage.synthetic_train_p50" in full.columns  # every figure
    assert (tmp_path / "survival" / "gbsg2_full.csv").exists()
    best = table.index[0]
    for kind in ("km", "hr"):
        figure = tmp_path / "survival" / f"{kind}_gbsg2_{best}.png"
        assert figure.exists() and figure.stat().st_size > 10_000
    page = (tmp_path / "survival" / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == 2
    assert "ck4gen_model" in page and "hr.mean_abs_log_hr_error ↓" in page
    # lower is better down to 0, as in the tabular suite (every value at or below 0 ties)
    assert "privacy.hamming_leakage.score ↓0" in page
    assert "hold by construction" in page  # the reading note on copy mode's KM score


def test_every_figure_points_at_the_full_table_not_the_ranked_one(tmp_path, monkeypatch, capsys):
    """Before, report.md's "Every figure" section and the terminal's "every figure:" line
    showed the ranked table (21 columns of gbsg2's 118); every figure was in gbsg2_full.csv."""
    import synth_plugins.benchmark as benchmark
    from synth_plugins.benchmark import survival
    from synth_plugins.benchmark.survival import DatasetRun

    full = pd.DataFrame(
        {"dataset": "gbsg2", "mean_rank": [1.0], **dict.fromkeys(RANKED_METRICS, 0.5)},
        index=pd.Index(["ck4gen_model"], name="generator"),
    )
    full["aug.only_in_the_full_table"] = 0.25

    def evaluate_dataset(self, name):
        run = DatasetRun(name, None, pd.DataFrame(), pd.DataFrame(), [], full=full)
        run.ranked = full[["dataset", "mean_rank", *RANKED_METRICS]]
        self.runs[name] = run
        return run

    monkeypatch.setattr(SurvivalBenchmark, "evaluate_dataset", evaluate_dataset)
    monkeypatch.setattr("synth_plugins.register", lambda: None)  # no fit: no plugin to load
    monkeypatch.setattr(survival, "silence_synthcity_sinks", lambda: None)
    monkeypatch.setattr(SurvivalBenchmark, "write_html", lambda self, *a: tmp_path / "r.html")
    benchmark.run_suite("survival", ["gbsg2"], output=tmp_path, show=lambda table: None)

    folder = tmp_path / "survival"
    assert f"every figure: {folder / 'gbsg2_full.csv'}" in capsys.readouterr().out
    assert "aug.only_in_the_full_table" in pd.read_csv(folder / "gbsg2_full.csv").columns
    report = (folder / "report.md").read_text()
    every = report[report.index("## Every figure: synthcity:gbsg2") :]
    assert "aug.only_in_the_full_table" in every
    assert "aug.only_in_the_full_table" not in pd.read_csv(folder / "synthcity_gbsg2.csv").columns

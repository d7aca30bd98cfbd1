"""The main job's short summary tables, its index page and ``synth-plugins benchmark all``."""

import re

import numpy as np
import pandas as pd
import pytest

import synth_plugins.benchmark as benchmark
from synth_plugins.benchmark.report import REFERENCE_ROW
from synth_plugins.benchmark.summary import (
    MAX_COLUMNS,
    SUMMARY_COLUMNS,
    SuiteResult,
    summary_columns,
    summary_markdown,
    summary_table,
    write_index,
)
from synth_plugins.cli import main

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def _wide(columns, generators=("med_vae", "tvae", "ctgan"), width=120):
    """A ranked table as a suite writes it: the summary's sources among many columns."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        rng.uniform(0.1, 0.9, size=(len(generators), width)),
        index=list(generators),
        columns=[f"stats.other_{i}.value" for i in range(width)],
    )
    for i, column in enumerate(columns):
        frame[column.source] = [0.2 + 0.1 * i + 0.3 * k for k in range(len(generators))]
    frame.index.name = "generator"
    return frame


@pytest.mark.parametrize("kind", sorted(SUMMARY_COLUMNS))
def test_summary_has_few_columns_each_with_a_direction(kind):
    columns = SUMMARY_COLUMNS[kind]
    frame, directions = summary_table(_wide(columns), columns)
    assert 1 <= frame.shape[1] <= MAX_COLUMNS
    compared = [c.label for c in columns if c.direction is not None]
    assert [h.rsplit(" ", 1)[0] for h in directions] == compared
    shown_only = [c.label for c in columns if c.direction is None]
    assert [h for h in frame.columns if h not in directions] == shown_only
    for header, direction in directions.items():
        if isinstance(direction, float):  # an inner ideal: lower is better down to it
            assert header.endswith(f" ↓{direction:g}")
        else:
            assert header.endswith(" ↑" if direction == "maximize" else " ↓")
    assert set(frame.index) == {"med_vae", "tvae", "ctgan"}


def test_a_column_with_an_inner_ideal_marks_every_value_at_or_below_it():
    """Hamming leakage is no better below 0 than at 0 (its SDMetrics normalisation gives
    every such value 1): every coefficient at or below 0 is bold, a leak (0.001) is not.
    Before, the value closest to 0 was bold, so a leak beat a negative coefficient."""
    from synth_plugins.benchmark.report import html_table

    columns = summary_columns("tabular", "synthcity:pima")
    table = _wide(columns, generators=("med_vae", "tvae", "ctgan", "survae"))
    table["privacy.hamming_leakage.score"] = [-0.02, 0.001, 0.03, 0.0]
    frame, directions = summary_table(table, columns)
    assert directions["Hamming leakage ↓0"] == 0.0
    rows = {
        line.split(" | ")[0].strip("| "): line
        for line in summary_markdown(frame, directions).splitlines()[2:]
    }
    assert "**-0.02**" in rows["med_vae"] and "**0**" in rows["survae"]
    assert "0.001" in rows["tvae"] and "**0.001**" not in rows["tvae"]
    full = html_table(
        table[["privacy.hamming_leakage.score"]],
        directions={"privacy.hamming_leakage.score": "minimize"},
    )
    assert '<td class="best">-0.02</td>' in full and '<td class="best">0</td>' in full
    assert '<td class="best">0.001</td>' not in full and "↓0" in full


def test_summary_marks_the_best_value_of_each_column_by_its_direction():
    columns = summary_columns("survival", "synthcity:gbsg2")
    table = _wide(columns, generators=("ck4gen_copy", "survae", REFERENCE_ROW))
    frame, directions = summary_table(table, columns)
    assert list(frame.index)[-1] == REFERENCE_ROW  # shown last, for reference
    text = summary_markdown(frame, directions)
    reference = text.splitlines()[-1]
    assert reference.startswith(f"| {REFERENCE_ROW} |") and "**" not in reference
    rows = {line.split(" | ")[0].strip("| "): line for line in text.splitlines()[2:]}
    # values grow with the row: the first generator is best where lower is better
    for position, (header, direction) in enumerate(directions.items(), start=1):
        winner = "survae" if direction == "maximize" else "ck4gen_copy"
        loser = "ck4gen_copy" if winner == "survae" else "survae"
        assert rows[winner].split(" | ")[position].startswith("**"), header
        assert "**" not in rows[loser].split(" | ")[position], header
    assert "HR abs log error vs training ↓" in text and "KM score ↑" in text


def test_each_summary_column_names_the_rows_it_is_scored_on():
    """The tabular utility column is scored on the holdout, and says so, with its model;
    the survival hazard-ratio columns compare with the training rows, and say so. Before,
    the headers read "utility (linear, TSTR)" and "HR abs log error": a reader could not
    tell a holdout score from a training one."""
    (utility,) = [c for c in summary_columns("tabular", "synthcity:x") if c.aspect == "utility"]
    # syn_id: trained on synthetic, tested on the test split Benchmarks passes as the real
    # data (tests/integration/test_benchmark.py checks the rows); "gt" is real-trained
    assert utility.source == "performance.linear_model.syn_id"
    assert "logistic" in utility.label and "holdout" in utility.label
    trained = [c for c in summary_columns("survival", "synthcity:x") if c.source.startswith("hr.")]
    assert trained and all(c.label.endswith("vs training") for c in trained)
    from synth_plugins.benchmark.tabular import UTILITY_NOTE, TabularBenchmark

    assert UTILITY_NOTE in TabularBenchmark(sdgym=False).reading_notes
    assert utility.source in UTILITY_NOTE and "holdout" in UTILITY_NOTE


@pytest.mark.parametrize("kind", sorted(SUMMARY_COLUMNS))
def test_memory_is_shown_but_never_marked_best(kind):
    """A peak memory depends on what ran before in the process (a library's first import
    and first use fall on the first generator): shown, never ranked or bold."""
    columns = SUMMARY_COLUMNS[kind]
    frame, directions = summary_table(_wide(columns), columns)
    memory = [h for h in frame.columns if " MB" in h]
    assert memory or kind == "longitudinal"
    for header in memory:
        assert header not in directions and header.endswith(" MB")
        assert all(
            "**" not in line.split(" | ")[list(frame.columns).index(header) + 1]
            for line in summary_markdown(frame, directions).splitlines()[2:]
        )


def test_longitudinal_summary_shows_the_training_score_as_a_memorisation_signal():
    """The score against the training patients sits beside the holdout score, unranked:
    a generator that copies its patients scores higher there, which is no merit."""
    columns = summary_columns("longitudinal", "longitudinal:pbc_visits")
    table = _wide(columns, generators=("longitudinal_lstm", "par", REFERENCE_ROW))
    frame, directions = summary_table(table, columns)
    assert "quality vs training patients" in frame.columns
    assert "quality vs training patients" not in directions
    position = list(frame.columns).index("quality vs training patients") + 1
    lines = summary_markdown(frame, directions).splitlines()[2:]
    assert all("**" not in line.split(" | ")[position] for line in lines)


def test_summary_skips_columns_a_table_lacks_and_refuses_too_many():
    columns = summary_columns("longitudinal", "longitudinal:pbc_visits")
    table = _wide(columns[:3])
    frame, _ = summary_table(table, columns)
    assert frame.shape[1] == 3
    with pytest.raises(ValueError, match="at most"):
        summary_table(table, columns * 2)


def _suite_result(tmp_path, suite, kind):
    """A finished suite: its folder with a report, a CSV and a figure, and its table."""
    folder = tmp_path / suite
    folder.mkdir(parents=True)
    (folder / "report.html").write_text("<html></html>")
    (folder / f"{kind}_data.csv").write_text("a\n1\n")
    (folder / f"figure_{suite}.png").write_bytes(PNG)
    table = _wide(summary_columns(suite, f"{kind}:data"))
    return SuiteResult(
        suite=suite,
        tables={f"{kind}:data": table},
        seconds=12.0,
        seeds={"generators": "random_state 0"},
        generators=list(table.index),
        notes=(f"how to read {suite}'s rows",),
        files=("report.html", f"{kind}_data.csv", f"figure_{suite}.png"),
    )


def test_index_page_shows_every_suite_and_links_its_report(tmp_path):
    kinds = {"tabular": "synthcity", "survival": "synthcity", "longitudinal": "longitudinal"}
    results = [_suite_result(tmp_path, suite, kind) for suite, kind in kinds.items()]
    md, page = write_index(
        tmp_path,
        results,
        command="synth-plugins benchmark all",
        environment={"synthcity": "0.2.12"},
        mode="quick",
        seconds=30.0,
    )
    html, text = page.read_text(), md.read_text()
    for suite, kind in kinds.items():
        assert f'href="{suite}/report.html"' in html and f"({suite}/report.html)" in text
        assert f'href="{suite}/{kind}_data.csv"' in html
        assert f"<caption>{kind}:data</caption>" in html
    # each suite's own columns: both survival and tabular tables are titled "synthcity:..."
    for header in ("TabSynDex ↑", "KM score ↑", "HR abs log error vs training ↓", "visit gaps ↑"):
        assert header in html and header in text
    assert html.count('src="data:image/png;base64,') == 3
    assert html.count('class="best"') >= 3
    for needle in ("synth-plugins benchmark all", "0.2.12", "random_state 0", "quick"):
        assert needle in html and needle in text
    for suite in kinds:  # each suite's reading notes, beside its tables
        assert f"how to read {suite}&#x27;s rows" in html and f"how to read {suite}'s rows" in text
    # each summary table in the Markdown page: at most MAX_COLUMNS columns besides the name
    headers = [line for line in text.splitlines() if line.startswith("| generator")]
    assert len(headers) == 3
    assert all(1 < line.count(" | ") <= MAX_COLUMNS for line in headers)


def test_benchmark_without_a_suite_runs_all_three_and_writes_the_index(tmp_path, monkeypatch):
    ran = []

    def fake(suite, datasets, quick, repeats, output, *rest):
        ran.append((suite, datasets, quick))
        (output / suite).mkdir(parents=True, exist_ok=True)
        if suite == "survival":
            raise RuntimeError("no synthetic data")
        return SuiteResult(suite=suite, tables={}, seconds=1.0)

    monkeypatch.setattr(benchmark, "run_suite_result", fake)
    code = main(["benchmark", "--output", str(tmp_path), "--n-jobs", "1"])
    assert [suite for suite, _, _ in ran] == ["tabular", "survival", "longitudinal"]
    assert all(datasets is None and quick for _, datasets, quick in ran)
    assert code == 1  # a failed suite fails the job, but the others still ran
    page = (tmp_path / "index.html").read_text()
    assert "Failed: RuntimeError: no synthetic data" in page
    assert "synth-plugins benchmark --output" in page

    ran.clear()
    assert main(["benchmark", "all", "--dataset", "pima", "--output", str(tmp_path)]) == 2
    assert not ran


def _tabular_result(wide, output, monkeypatch):
    """``run_suite_result("tabular")`` with a TabularBenchmark that returns ``wide``."""

    class Bench:
        def __init__(self, **kwargs):
            pass

        def run(self):
            return {"synthcity:heart_failure": wide}

    monkeypatch.setattr(benchmark, "TabularBenchmark", Bench)
    return benchmark.run_suite_result("tabular", output=output, show=lambda t: None)


def test_suite_report_opens_with_its_summary_table(tmp_path, monkeypatch):
    columns = summary_columns("tabular", "synthcity:heart_failure")
    wide = _wide(columns)

    result = _tabular_result(wide, tmp_path, monkeypatch)
    assert result.generators == sorted(wide.index)
    report = (tmp_path / "tabular" / "report.md").read_text()
    first_table = next(line for line in report.splitlines() if line.startswith("|"))
    assert first_table.count(" | ") <= MAX_COLUMNS and "mean rank ↓" in first_table
    assert report.index("## Summary: synthcity:heart_failure") < report.index("## Every figure")
    assert re.search(r"\*\*[0-9.]+\*\*", report)


def test_a_reused_output_folder_shows_only_this_runs_files(tmp_path, monkeypatch):
    """A second run into the same --output: its report and index leave the first's files out."""
    wide = _wide(summary_columns("survival", "synthcity:x"))

    class Bench:
        def __init__(self, datasets, output, **kwargs):
            self.datasets, self.output = datasets, output

        def run(self):
            for name in self.datasets:
                (self.output / "survival" / f"km_{name}_case.png").write_bytes(PNG)
                (self.output / "survival" / f"{name}_full.csv").write_text(f"{name}\n")
            return {f"synthcity:{name}": wide for name in self.datasets}

    monkeypatch.setattr(benchmark, "SurvivalBenchmark", Bench)
    run = lambda name: benchmark.run_suite_result(  # noqa: E731
        "survival", [name], output=tmp_path, show=lambda t: None
    )
    run("gbsg2")
    result = run("whas500")
    report = (tmp_path / "survival" / "report.md").read_text()
    assert "km_whas500_case.png" in report and "gbsg2" not in report
    assert not any("gbsg2" in name for name in result.files)
    assert "synthcity_whas500.csv" in result.files and "report.md" in result.files
    md, page = write_index(
        tmp_path, [result], command="c", environment={}, mode="quick", seconds=1.0
    )
    assert "gbsg2" not in md.read_text() and "gbsg2" not in page.read_text()
    assert "survival/whas500_full.csv" in md.read_text()


def test_index_of_a_failed_suite_links_only_files_that_exist(tmp_path):
    """Before, it linked survival/report.html and report.md that were never written, and
    said 'Generators: ; wall time 3 s'."""
    failed = SuiteResult(suite="survival", seconds=3.0, error="RuntimeError: boom")
    md, page = write_index(
        tmp_path, [failed], command="c", environment={}, mode="quick", seconds=3.0
    )
    text, html = md.read_text(), page.read_text()
    assert "survival/report" not in text and "survival/report" not in html
    assert "Generators: none; wall time 3 s." in text and "Generators: none;" in html
    for link in re.findall(r"\]\(([^)]+)\)", text):
        assert (tmp_path / link).exists()


def test_a_dataset_named_twice_runs_once(tmp_path, monkeypatch):
    """Before, --dataset whas500 --dataset whas500 fitted it twice and listed it twice."""
    seen = []

    class Bench:
        def __init__(self, datasets, **kwargs):
            seen.append(datasets)

        def run(self):
            return {}

    monkeypatch.setattr(benchmark, "SurvivalBenchmark", Bench)
    names = ["whas500", "gbsg2", "whas500"]
    benchmark.run_suite_result("survival", names, output=tmp_path, show=lambda t: None)
    assert seen == [("whas500", "gbsg2")]
    report = (tmp_path / "survival" / "report.md").read_text()
    assert "datasets: whas500, gbsg2;" in report and report.count("--dataset whas500") == 1


def test_every_page_marks_and_names_failed_generators(tmp_path, monkeypatch):
    """A generator that failed on some or every seed: report.md and the index page showed a
    blank or ranked row and never said why (the error was in report.html only)."""
    columns = summary_columns("tabular", "synthcity:heart_failure")
    wide = _wide(columns, generators=("med_vae", "flaky", "tvae"))
    wide["seeds"], wide["seeds_asked"] = [2, 1, 0], [2, 2, 2]
    wide["errors"] = [
        "",
        "[flaky][take 1] failed: boom",
        "Benchmarks: ValueError: Input X contains NaN",
    ]
    wide.loc["tvae", [c.source for c in columns]] = np.nan

    result = _tabular_result(wide, tmp_path, monkeypatch)
    md, page = write_index(
        tmp_path, [result], command="c", environment={}, mode="quick", seconds=1.0
    )
    for text in ((tmp_path / "tabular" / "report.md").read_text(), md.read_text()):
        assert "| flaky (1 of 2 seeds) |" in text and "| tvae (failed) |" in text
        assert "- flaky: 1 of 2 seeds: [flaky][take 1] failed: boom" in text
        assert "- tvae: failed, not ranked: Benchmarks: ValueError: Input X contains NaN" in text
    html = page.read_text()
    assert "tvae (failed)" in html and "Input X contains NaN" in html


def test_only_a_quick_run_is_called_a_smoke_comparison(tmp_path):
    for mode, smoke in (("quick", True), ("full", False)):
        md, page = write_index(
            tmp_path, [SuiteResult(suite="tabular")], command="c", environment={},
            mode=mode, seconds=1.0,
        )  # fmt: skip
        for text in (md.read_text(), page.read_text()):
            assert ("smoke comparison" in text) is smoke

"""The ranking's keys and the HTML report (structure, embedded figures, escaping)."""

import base64
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd

from synth_plugins.benchmark.report import (
    REFERENCE_ROW,
    ReportSection,
    html_report,
    html_table,
    overall_ranking,
    rank_generators,
    score_directions,
    suite_ideals,
    write_html_report,
)
from synth_plugins.benchmark.tabular import TabularBenchmark, TabularRun
from synth_plugins.datasets import load

VOID = {"meta", "img", "br", "hr", "link", "input"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class _Structure(HTMLParser):
    """Checks that every element is closed in order; collects image sources and text."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.images: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Structure:
    parser = _Structure()
    parser.feed(page)
    parser.close()
    assert parser.errors == [] and parser.stack == []
    return parser


def test_only_scores_of_our_metrics_and_no_real_data_baseline_are_ranked():
    directions = {
        "privacy.hamming_leakage.score": "minimize",
        "privacy.hamming_leakage.n_pairs": "minimize",
        "privacy.dcr_holdout_share.n_holdout": "minimize",
        "stats.tabsyndex.score": "maximize",
        "stats.tabsyndex.basic_measure": "maximize",
        "stats.jensenshannon_dist.marginal": "minimize",
        "performance.linear_model.gt": "maximize",
        "performance.xgb.gt.c_index": "maximize",
        "performance.xgb.syn_id.c_index": "maximize",
        "performance.linear_model.syn_id": "maximize",
        "detection.detection_xgb.mean": "minimize",
        "fit_s": "minimize",
    }
    kept = score_directions(directions, ["hamming_leakage", "dcr_holdout_share", "tabsyndex"])
    assert kept == {
        "privacy.hamming_leakage.score": "minimize",
        "stats.tabsyndex.score": "maximize",
        "stats.jensenshannon_dist.marginal": "minimize",
        "performance.linear_model.syn_id": "maximize",
        "performance.xgb.syn_id.c_index": "maximize",
        "detection.detection_xgb.mean": "minimize",
    }


def test_overall_ranking_averages_the_tables_mean_ranks():
    scores = pd.DataFrame({"s": [0.9, 0.5, 0.1]}, index=["a", "b", "c"])
    first = rank_generators(scores, {"s": "maximize"})
    second = rank_generators(scores.loc[["a", "b"]], {"s": "minimize"})
    sdgym = pd.DataFrame({"Quality_Score": [0.8]}, index=["x"])
    ranking = overall_ranking({"one": first, "two": second, "sdgym": sdgym})
    assert list(ranking.columns) == ["one", "two", "mean_rank"]
    assert ranking.loc["a", "mean_rank"] == 1.5 and ranking.loc["c", "mean_rank"] == 3.0
    assert overall_ranking({"sdgym": sdgym}).empty


def test_table_marks_the_best_value_and_the_direction_of_ranked_columns():
    frame = pd.DataFrame({"up": [0.2, 0.9], "down": [0.2, 0.9], "n": [np.nan, 3.0]})
    frame.index = pd.Index(["g1", "g2"], name="generator")
    table = html_table(frame, directions={"up": "maximize", "down": "minimize"})
    assert "up ↑" in table and "down ↓" in table
    assert '<td class="best">0.9</td>' in table and '<td class="best">0.2</td>' in table
    assert table.count('class="best"') == 2
    assert "<td></td>" in table  # NaN is an empty cell
    _parse(table)


def test_the_real_data_reference_row_is_never_marked_best():
    """The longitudinal suite's reference row (real training patients against the holdout)
    usually out-scores every generator; it is shown, not ranked."""
    frame = pd.DataFrame({"score": [0.8, 0.7, 0.95]})
    frame.index = pd.Index(["g1", "g2", REFERENCE_ROW], name="generator")
    table = html_table(frame, directions={"score": "maximize"})
    assert table.count('class="best"') == 1
    assert '<td class="best">0.8</td>' in table


def _page(tmp_path, name="<script>alert('x')</script>"):
    figure = tmp_path / "marginals_a&b.png"
    figure.write_bytes(PNG)
    table = pd.DataFrame({"score & more": [1.0, 2.0]}, index=pd.Index([name, "ok"], name="gen"))
    section = ReportSection(
        title="data <1>",
        tables=[("ranked", table)],
        details=[("everything", table)],
        figures=[figure],
        notes=[f"{name}: failed"],
        directions={"score & more": "minimize"},
    )
    return html_report(
        "bench <tabular>",
        summary={"mode": "quick", "datasets": "data <1>"},
        sections=[section],
        environment={"synthcity": "0.2.12", "python": "3.11"},
        seeds={"split": "random_state=0"},
        ranking=overall_ranking({"t": rank_generators(table, {"score & more": "minimize"})}),
    )


def test_report_is_well_formed_and_self_contained(tmp_path):
    page = _page(tmp_path)
    assert page.startswith("<!DOCTYPE html>")
    parsed = _parse(page)
    assert {"html", "head", "style", "body", "table", "figure", "details"} <= set(parsed.tags)
    assert "<link" not in page and "<script" not in page  # no external stylesheet or script
    (source,) = parsed.images
    prefix = "data:image/png;base64,"
    assert source.startswith(prefix)
    assert base64.b64decode(source[len(prefix) :]) == PNG
    text = "".join(parsed.text)
    assert "Seeds" in text and "random_state=0" in text and "synthcity" in text
    assert "0.2.12" in text and "Ranking" in text


def test_report_escapes_names_and_values(tmp_path):
    page = _page(tmp_path)
    assert "<script>" not in page and "data <1>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "data &lt;1&gt;" in page and "score &amp; more" in page
    assert 'alt="marginals_a&amp;b"' in page
    text = "".join(_parse(page).text)
    assert "<script>alert('x')</script>: failed" in text  # what a reader sees


def test_write_html_report_writes_utf8(tmp_path):
    path = write_html_report(
        tmp_path / "out" / "report.html",
        "t",
        summary={"mode": "quick"},
        sections=[ReportSection("s", tables=[("↑", pd.DataFrame({"a": [1.0]}))])],
        environment={},
        seeds={},
    )
    assert path.read_text(encoding="utf-8").count("↑") >= 1


def test_tabular_suite_report_has_every_dataset_part(tmp_path):
    dataset = load("heart_failure")
    figure = tmp_path / "marginals_heart_failure.png"
    figure.write_bytes(PNG)
    ranked = pd.DataFrame(
        {
            "dataset": ["heart_failure"] * 2,
            "mean_rank": [1.0, 2.0],
            "stats.tabsyndex.score": [0.9, 0.8],
            "stats.tabsyndex.n_rows": [10.0, 10.0],
            "fit_s": [1.0, 2.0],
            "seeds": [2, 1],
            "seeds_asked": [2, 2],
            "errors": ["", "Benchmarks: RuntimeError: boom"],
        },
        index=pd.Index(["med_vae", "tvae"], name="generator"),
    )
    bench = TabularBenchmark(output=tmp_path, repeats=2)
    bench.runs["heart_failure"] = TabularRun(
        dataset=dataset,
        train=dataset.data,
        holdout=dataset.data,
        ranked=ranked,
        directions={"stats.tabsyndex.score": "maximize"},
        figures=[figure],
        errors={"tvae": ["Benchmarks: RuntimeError: boom"]},
    )
    sdgym = pd.DataFrame({"Quality_Score": [0.8]}, index=pd.Index(["Gc"], name="generator"))
    tables = {"synthcity:heart_failure": ranked, "sdgym:heart_failure": sdgym}
    path = bench.write_html(tables, tmp_path, 12.0)
    page = path.read_text()
    parsed = _parse(page)
    assert len(parsed.images) == 1
    text = "".join(parsed.text)
    for expected in (
        "heart_failure",
        "SDGym",
        "tvae: 1 of 2 seeds: Benchmarks: RuntimeError: boom",
        "12 s",
        "SDGym table: one run per synthesizer",  # not a mean over --repeats
        "UniformSynthesizer is SDGym's own baseline",
        "SDGym: Gc",  # the generators line names the SDGym table's synthesizers too
    ):
        assert expected in text
    assert "repeats 0 .. 1" in text  # the seeds of the run
    compact = page.split("<caption>")[1].split("</table>")[0]
    assert "stats.tabsyndex.score ↑" in compact and "n_rows" not in compact
    assert re.search(r"<details>.*stats\.tabsyndex\.n_rows", page, re.S)


def test_a_score_below_its_inner_ideal_ties_with_the_ideal():
    """A DCR holdout share below 0.5 and a Hamming leakage coefficient below 0 are no
    better than the ideal (the catalog's inner ideal, which SDMetrics' normalisation reads
    too): they tie as best, and lower is better above it. Before, the distance to the
    ideal ranked a negative coefficient below a small leak."""
    dcr, hamming = "privacy.dcr_holdout_share.score", "privacy.hamming_leakage.score"
    assert suite_ideals() == {hamming: 0.0, dcr: 0.5}
    scores = pd.DataFrame({dcr: [0.40, 0.50, 0.52, 0.90]}, index=["below", "at", "near", "copies"])
    ranked = rank_generators(scores, {dcr: "minimize"}, suite_ideals())
    assert ranked["mean_rank"].to_dict() == {"below": 1.5, "at": 1.5, "near": 3.0, "copies": 4.0}
    # the survival benchmark's GBSG2 coefficients: the only leak (+0.006) ranks last
    leakage = pd.DataFrame(
        {hamming: [-0.007694, 0.005962, -0.019620, -0.011680]},
        index=["survae", "ck4gen_copy", "survival_nflow", "ck4gen_model"],
    )
    ranked = rank_generators(leakage, {hamming: "minimize"}, suite_ideals())
    assert ranked.loc["ck4gen_copy", "mean_rank"] == 4.0
    assert set(ranked["mean_rank"].drop("ck4gen_copy")) == {2.0}
    plain = rank_generators(leakage, {hamming: "minimize"})
    assert plain.index[0] == "survival_nflow"


def test_a_generator_without_a_scored_seed_is_not_ranked_and_failures_are_named():
    """A generator that produced nothing ranked last *with* a mean rank, as if it had
    lost on every metric, and its error was in report.html only."""
    from synth_plugins.benchmark.report import failure_notes

    scores = pd.DataFrame(
        {
            "up": [0.9, 0.5, np.nan],
            "seeds": [2, 1, 0],
            "seeds_asked": [2, 2, 2],
            "errors": ["", "[b][take 1] failed: boom", "Benchmarks: ValueError: NaN"],
        },
        index=["a", "b", "dead"],
    )
    ranked = rank_generators(scores, {"up": "maximize"})
    assert list(ranked.index) == ["a", "b", "dead"]
    assert ranked.loc["a", "mean_rank"] == 1 and ranked.loc["b", "mean_rank"] == 2
    assert np.isnan(ranked.loc["dead", "mean_rank"])
    assert failure_notes(ranked) == [
        "b: 1 of 2 seeds: [b][take 1] failed: boom",
        "dead: failed, not ranked: Benchmarks: ValueError: NaN",
    ]


def test_score_directions_read_each_figure_in_its_own_direction():
    """Synthcity gives every key of a metric the metric's direction: a Brier score under
    a maximised performance metric was maximised, a signed optimism minimised."""
    from synth_plugins.benchmark.report import score_directions

    kept = score_directions(
        {
            "performance.linear_model.syn_id.c_index": "maximize",
            "performance.linear_model.syn_id.brier_score": "maximize",
            "performance.linear_model.gt.c_index": "maximize",
            "stats.survival_km_distance.optimism": "minimize",
            "stats.survival_km_distance.abs_optimism": "minimize",
        },
        [],
    )
    assert kept == {
        "performance.linear_model.syn_id.c_index": "maximize",
        "performance.linear_model.syn_id.brier_score": "minimize",
        "stats.survival_km_distance.abs_optimism": "minimize",
    }


def test_environment_records_the_scoring_packages_and_the_hash_seed(monkeypatch):
    from importlib.metadata import PackageNotFoundError, version

    from synth_plugins.benchmark.tabular import environment

    monkeypatch.setenv("PYTHONHASHSEED", "7")
    found = environment()
    for package in ("lifelines", "scikit-survival", "anonymeter", "xgboost", "scikit-learn"):
        try:
            installed = version(package)
        except PackageNotFoundError:  # (the SDV stack has no anonymeter)
            assert package not in found
        else:
            assert found[package] == installed
    assert found["PYTHONHASHSEED"] == "7"
    assert "not installed" not in found.values()  # only installed packages are listed

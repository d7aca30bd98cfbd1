"""The CK4Gen benchmark's report (benchmarks/ck4gen_vs_builtins.py): current rows and summary."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"


@pytest.fixture(scope="module")
def harness():
    """The script as a module; its sibling scripts, which it imports, are unloaded after."""
    before = set(sys.modules)
    sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(
        "ck4gen_vs_builtins", BENCHMARKS / "ck4gen_vs_builtins.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    sys.path.remove(str(BENCHMARKS))
    for name in set(sys.modules) - before:
        if (BENCHMARKS / f"{name}.py").exists():
            del sys.modules[name]


def _run(harness, dataset, generator, seed, mean, budget=None, **fields):
    """One record as the benchmark writes it (only what the report reads)."""
    return {
        "dataset": dataset,
        "generator": generator,
        "seed": seed,
        "budget": budget or harness.BUDGET_LABELS["default"],
        "scoring": harness.SCORING,
        "fit_s": 1.0,
        "load_start": 1.0,
        "load_end": 1.0,
        "mean_error": mean,
        "median_error": mean / 2,
        "largest_error": mean * 3,
        "largest_covariate": "x",
        "sign_significant": fields.get("sign", 1.0),
        "delta_c_cox": 0.0,
        "delta_c_rsf": 0.0,
        "leakage": fields.get("leakage", 0.0),
        "copies": fields.get("excess", 0),
        "copies_allowed": 0,
        "copies_excess": fields.get("excess", 0),
    }


@pytest.fixture
def runs(harness, tmp_path):
    earlier = "default (500/500 epochs, lr=1e-3, batch 64, early stopping), before the change"
    records = [
        # table a: CK4Gen lowest; an earlier CK4Gen row lower still must not count
        _run(harness, "a", "ck4gen_model", 0, 0.10),
        _run(harness, "a", "ck4gen_model", 0, 0.01, budget=earlier),
        _run(harness, "a", "survival_gan", 0, 0.20),
        _run(harness, "a", "real_bootstrap", 0, 0.05, budget="reference", leakage=0.3),
        # table b: the lowest generator breaks the privacy rule, so the next one is bold
        _run(harness, "b", "ck4gen_model", 0, 0.30),
        _run(harness, "b", "survival_gan", 0, 0.20, excess=4),
        _run(harness, "b", "real_bootstrap", 0, 0.05, budget="reference", leakage=0.3),
    ]
    path = tmp_path / "runs.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return harness.load_runs(path)


def test_superseded_ck4gen_rows_are_not_current(harness, runs):
    current = runs[harness.is_current(runs)]
    assert sorted(current.loc[current["dataset"].eq("a"), "mean_error"]) == [0.05, 0.10, 0.20]


def test_summary_bolds_the_lowest_generator_that_keeps_the_privacy_rule(harness, runs):
    rows = {line.split(" | ")[0]: line for line in harness.summary(runs).splitlines()}
    ck4gen, gan = rows["| **`ck4gen`** (default)"], rows["| `survival_gan`"]
    assert "| **0.100** | **0.300** | 2 of 2 |" in ck4gen
    assert "| 0.200 | 0.200 ‡ | 0 of 2 |" in gan
    assert gan.endswith("| 0 of 2 | 1 of 2 |")  # leakage breaches, runs with excess copies
    reference = rows["| `real_bootstrap`"]
    assert "**" not in reference and "‡" not in reference  # a reference, never ranked


def test_report_puts_superseded_rows_in_their_own_tables(harness, runs):
    report = harness.report(runs)
    current, superseded = report.split("### Superseded CK4Gen settings")
    assert "before the change" not in current
    assert "before the change" in superseded
    assert current.index("**`ck4gen`** (default)") < current.index("`survival_gan`")


def test_key_figures_count_errors_strictly_above_one_and_the_presets_ratios(harness, tmp_path):
    records = [
        _run(harness, "a", "ck4gen_model", 0, 0.10),  # largest error 0.30
        _run(harness, "a", "ck4gen_model", 1, 0.3348),  # largest 1.0044: above 1.0
        _run(harness, "a", "ck4gen_paper", 0, 0.45),
        _run(harness, "a", "ck4gen_paper", 1, 0.45),
        _run(harness, "b", "ck4gen_model", 0, 0.20),
        _run(harness, "b", "ck4gen_paper", 0, 0.02, excess=300, leakage=0.4),
        _run(harness, "b", "survival_gan", 0, 0.10),
    ]
    path = tmp_path / "runs.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    figures = harness.key_figures(harness.load_runs(path)).splitlines()
    assert figures[0] == (
        "- CK4Gen's default has the lowest unmarked mean on 1 of 2 tables; "
        "on b `survival_gan` is lower (0.100 against 0.200)."
    )
    assert "above 1.0 in 1 of 3 runs" in figures[1]
    assert "a seed 1 (`x` 1.004)" in figures[1]
    assert "2.07 to 2.07 times the default's on 1 tables (a 2.07)" in figures[2]
    assert "on b it is 0.10 times, with 300 to 300 exact copies" in figures[2]
    assert "leakage coefficients of +0.400 to +0.400" in figures[2]

"""The sequential benchmark (benchmarks/longitudinal_table.py) records a command that runs."""

from __future__ import annotations

import importlib.util
import json
import shlex
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "benchmarks" / "longitudinal_table.py"


@pytest.fixture
def script():
    """The script as a module; its sibling scripts, which it imports, are unloaded after."""
    pytest.importorskip("sdv")
    before = set(sys.modules)
    sys.path.insert(0, str(SCRIPT.parent))
    spec = importlib.util.spec_from_file_location("longitudinal_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.path.remove(str(SCRIPT.parent))
    for name in set(sys.modules) - before:
        if (SCRIPT.parent / f"{name}.py").exists():
            del sys.modules[name]


def test_an_empty_only_is_recorded_quoted(script, tmp_path, monkeypatch):
    """``--only ""`` (rewrite the report from the kept rows) was recorded as ``--only  --append``,
    which argparse refuses ("expected one argument"); docs/benchmarks/longitudinal.md carried
    that line. Report-only run on copies of the stored rows: nothing is fitted."""
    for name in ("longitudinal_results.csv", "longitudinal_million.json"):
        shutil.copy(ROOT / "docs" / "benchmarks" / name, tmp_path / name)
    argv = ["--only", "", "--append", "--output", str(tmp_path)]
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), *argv])
    script.main()
    command = json.loads((tmp_path / "longitudinal_commands.json").read_text())[-1]
    assert shlex.split(command) == ["python", "benchmarks/longitudinal_table.py", *argv]
    assert f"`{command}`" in (tmp_path / "longitudinal.md").read_text()


def test_the_report_shows_every_part_beside_the_others(script, tmp_path, monkeypatch):
    """The report's table left out the trajectory and spearman_static parts, which
    Quality_Score averages."""
    import pandas as pd

    rows = pd.read_csv(ROOT / "docs" / "benchmarks" / "longitudinal_results.csv")
    rows.assign(trajectory=0.5, spearman_static=0.5).to_csv(
        tmp_path / "longitudinal_results.csv", index=False
    )
    argv = ["--only", "", "--append", "--output", str(tmp_path)]
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), *argv])
    script.main()
    report = (tmp_path / "longitudinal.md").read_text()
    header = "| spearman_longitudinal | trajectory | static_ks | spearman_static | event_rate |"
    assert header in report


def test_rows_scored_before_the_patient_split_are_not_reused(script, tmp_path, monkeypatch):
    """The finished-rows cache was keyed by dataset, generator and parameters: a row fitted
    on, and scored against, the whole table would have been reused as a holdout-scored row.
    Nothing is fitted: run_one is replaced by a stub that records its calls."""
    from types import SimpleNamespace

    from synth_plugins.benchmark.longitudinal import Contender, Run
    from synth_plugins.datasets import load

    pbc = load("pbc_visits")
    contender = Contender("longitudinal_lstm", "core", {"epochs": 1})
    params = json.dumps(contender.params, sort_keys=True)
    old = {"Dataset": pbc.name, "Synthesizer": contender.label, "_params": params}
    finished = tmp_path / "longitudinal_rows.jsonl"
    finished.write_text(json.dumps({**old, "Quality_Score": 0.99}) + "\n")
    calls = []

    def run_one(contender, dataset, **options):
        calls.append(dataset.name)
        return Run({"Dataset": dataset.name, "Synthesizer": contender.label}, None)

    monkeypatch.setattr(script, "run_one", run_one)
    args = SimpleNamespace(epochs=1)
    run = lambda: script.run_resumable(pbc, None, {pbc.name: [contender]}, args, finished)  # noqa: E731
    run()
    assert calls == [pbc.name]  # the whole-table row was not reused: the generator ran
    written = json.loads(finished.read_text().splitlines()[-1])
    assert written["_split"] == script.PATIENT_SPLIT
    run()  # the row just written is scored against the holdout: reused, not run again
    assert calls == [pbc.name]

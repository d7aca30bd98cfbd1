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

"""The AML-style privacy table (benchmarks/privacy_table.py) says which code it measured."""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "privacy_table.py"


@pytest.fixture
def script():
    """The script as a module; its sibling scripts, which it imports, are unloaded after."""
    pytest.importorskip("synthcity")
    before = set(sys.modules)
    spec = importlib.util.spec_from_file_location("privacy_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    while str(SCRIPT.parent) in sys.path:
        sys.path.remove(str(SCRIPT.parent))
    for name in set(sys.modules) - before:
        if (SCRIPT.parent / f"{name}.py").exists():
            del sys.modules[name]


def test_the_page_records_the_commit_and_date(script, tmp_path, monkeypatch):
    """The stored page had neither, so its Med-VAE rows (1.33 exact matches on pima) could not
    be told apart from the current default's, which has the copy filter."""
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), "--quick"])
    args = argparse.Namespace(output=tmp_path, repeats=1, epochs=5)
    table = pd.DataFrame([{"dataset": "pima", "generator": "med_vae", "leakage": 0.0}])
    script.write_report(args, table, elapsed=60.0)
    head = (tmp_path / "privacy.md").read_text().splitlines()[2]
    assert head.startswith("Command: `python benchmarks/privacy_table.py --quick`; code `")
    assert re.search(r"finished \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", head)

"""Shared test set-up: one torch thread, no progress bars, no files in the checkout.

It also holds :data:`NEEDS`, the one place that says which tests need a package that the
SDV stack (``.venv-sdv``: SDV 2, numpy 2, no Synthcity) lacks; they are skipped there,
named, and run on the Synthcity stack (``.venv``), which has every package.
"""

from __future__ import annotations

import os
from fnmatch import fnmatchcase
from importlib.util import find_spec
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest

#: node-id pattern (``fnmatch``) -> the package its tests need. A bare file path skips the
#: whole file without importing it; a pattern with ``::`` skips the matching tests. A test
#: that needs one of these packages and is not listed fails on the SDV stack, so the table
#: cannot silently fall behind.
NEEDS: dict[str, str] = {
    # Synthcity itself: its plugins, metrics, Benchmarks harness, loaders and tuning
    "tests/integration/test_synthcity_host.py": "synthcity",
    "tests/integration/test_metric_hosts.py": "synthcity",
    "tests/integration/test_tuning.py": "synthcity",
    "tests/unit/test_synthcity_held_columns.py": "synthcity",
    # anonymeter needs numpy < 1.27
    "tests/unit/metrics/test_attacks.py": "anonymeter",
}

_ROOT = Path(__file__).resolve().parent.parent


def _missing(pattern: str) -> str | None:
    """The package that the tests of ``pattern`` need, when it is not installed."""
    package = NEEDS[pattern]
    return package if find_spec(package) is None else None


def _reason(package: str) -> str:
    return f"needs {package}, which this stack lacks (the Synthcity stack runs it)"


class _SkippedFile(pytest.Module):
    """A test file whose needed package is missing: reported skipped, never imported."""

    reason = ""

    def collect(self):
        pytest.skip(self.reason)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector):
    """Files listed in :data:`NEEDS` whose package is missing are skipped unimported."""
    relative = module_path.resolve().relative_to(_ROOT).as_posix()
    package = _missing(relative) if relative in NEEDS else None
    if package is None:
        return None
    skipped = _SkippedFile.from_parent(parent, path=module_path)
    skipped.reason = _reason(package)
    return skipped


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests matching a ``::`` pattern of :data:`NEEDS` whose package is missing: skipped."""
    patterns = [p for p in NEEDS if "::" in p]
    for item in items:
        for pattern in patterns:
            if fnmatchcase(item.nodeid, pattern) and (package := _missing(pattern)):
                item.add_marker(pytest.mark.skip(reason=_reason(package)))
                break


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch):
    """Hosts write ``workspace/`` and logs into the current folder: keep them in tmp."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session", autouse=True)
def _one_thread():
    import torch

    torch.set_num_threads(1)

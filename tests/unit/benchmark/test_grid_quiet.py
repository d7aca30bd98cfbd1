"""The benchmark grid runs its cases without progress bars and leaves the caller's setting.

In one process here: worker processes run the same wrapper (and take a minute to start).
"""

from __future__ import annotations

import os

from synth_plugins.benchmark.grid import run_cases


def _bars_setting(case: int) -> tuple[int, str | None]:
    return case, os.environ.get("TQDM_DISABLE")


def test_cases_run_with_bars_off_and_the_environment_is_restored(monkeypatch):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    results = run_cases(_bars_setting, [((case,), {}) for case in range(3)])
    assert results == [(0, "1"), (1, "1"), (2, "1")]
    assert "TQDM_DISABLE" not in os.environ


def test_a_setting_of_the_caller_is_kept(monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "")
    assert run_cases(_bars_setting, [((0,), {})]) == [(0, "")]

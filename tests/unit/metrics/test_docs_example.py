"""The worked example of docs/metrics.md runs and prints what the page shows."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "metrics.md"


def _block_after(text: str, marker: str) -> str:
    """The first fenced block after ``marker``."""
    found = re.search(re.escape(marker) + r".*?```[a-z]*\n(.*?)```", text, flags=re.DOTALL)
    assert found, f"no fenced block after {marker!r} in {DOC}"
    return found.group(1)


def test_worked_example_runs_and_matches_the_page() -> None:
    text = DOC.read_text()
    code = _block_after(text, "## Worked example")
    shown = _block_after(text, "Output:").strip().splitlines()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(DOC), "exec"), {"__name__": "docs_example"})
    lines = printed.getvalue().strip().splitlines()
    assert len(lines) == len(shown)
    # the privacy and survival figures are exact computations: they must match the page
    for prefix in ("leakage:", "DCR share:", "KM:", "correlation L1"):
        assert [line for line in lines if line.startswith(prefix)] == [
            line for line in shown if line.startswith(prefix)
        ]

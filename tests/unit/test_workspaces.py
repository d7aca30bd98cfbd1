"""The kits' plugin workspaces are removed when the process that made them exits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import synth_plugins


def test_workspaces_are_fresh_and_removed_at_exit() -> None:
    code = (
        "from synth_plugins.testing.workspaces import new_workspace\n"
        "a, b = new_workspace(), new_workspace()\n"
        "assert a != b and a.parent == b.parent and not any(a.iterdir())\n"
        "(a / 'model.bkp').write_text('x')\n"
        "print(a)\n"
    )
    source = str(Path(synth_plugins.__file__).parents[1])  # this checkout, not an install
    env = {**os.environ, "PYTHONPATH": source}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    workspace = Path(done.stdout.strip())
    assert workspace.name and not workspace.parent.exists()

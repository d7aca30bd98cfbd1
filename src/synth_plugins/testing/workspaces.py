"""Workspaces for the Synthcity plugins the kits make, removed when the process exits.

Synthcity plugins write to a workspace folder. Each plugin a kit makes gets a fresh folder
of its own inside one temporary folder per process, which is removed at exit, so a test
run leaves nothing in the system's temporary directory (a process that ends with
``os._exit``, as a forked test child does, leaves its parent folder if it made one).
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path


@functools.cache
def _root() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="synth_plugins_ws_")


def new_workspace() -> Path:
    """A fresh, empty folder for one plugin's workspace."""
    return Path(tempfile.mkdtemp(dir=_root().name))

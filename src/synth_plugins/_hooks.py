"""Run a function right after a given module finishes importing (a post-import hook).

Synthcity takes about 25 s to import and SDV about 10 s, so ``import synth_plugins`` must
not import them. Instead it asks to be called back when the user (or a harness) imports
the host module; the callback then registers the suite inside it. If the host module is
already imported, the callback runs at once.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
from collections.abc import Callable
from types import ModuleType

Hook = Callable[[ModuleType], None]

_hooks: dict[str, list[Hook]] = {}
_lock = threading.RLock()


class _HookedLoader(importlib.abc.Loader):
    """Delegate to the real loader, then run the hooks registered for the module."""

    def __init__(self, loader: importlib.abc.Loader, fullname: str) -> None:
        self._loader = loader
        self._fullname = fullname

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        _run(self._fullname, module)


class _PostImportFinder(importlib.abc.MetaPathFinder):
    """Find hooked modules with the normal machinery and wrap their loader."""

    def __init__(self) -> None:
        self._resolving: set[str] = set()

    def find_spec(self, fullname, path, target=None):
        if fullname not in _hooks or fullname in self._resolving:
            return None
        self._resolving.add(fullname)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._resolving.discard(fullname)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _HookedLoader(spec.loader, fullname)
        return spec


_finder = _PostImportFinder()


def _run(fullname: str, module: ModuleType) -> None:
    with _lock:
        hooks = _hooks.pop(fullname, [])
    for hook in hooks:
        hook(module)


def when_imported(fullname: str, hook: Hook) -> None:
    """Call ``hook(module)`` once ``fullname`` is imported (now, if it already is)."""
    with _lock:
        module = sys.modules.get(fullname)
        if module is None:
            _hooks.setdefault(fullname, []).append(hook)
            if _finder not in sys.meta_path:
                sys.meta_path.insert(0, _finder)
            return
    hook(module)

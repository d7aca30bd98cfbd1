"""Layer rules read from the source: no package imports another package's private code.

A module or name whose own name starts with ``_`` belongs to the package that holds it (and
that package's sub-packages). Code that more than one package uses lives in a public module
of the lowest package they share (``synth_plugins.long_format``, ``synth_plugins.survival``,
``synth_plugins.metrics.validation``, ...), so each package can be read, tested and upstreamed
on its own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def _package_of(path: Path, root: Path) -> tuple[str, ...]:
    """The dotted package a source file belongs to (a package's ``__init__`` is its own)."""
    return path.relative_to(root).with_suffix("").parts[:-1]


def _imported(tree: ast.Module, package: tuple[str, ...]) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Each imported dotted path (``from m import n`` gives ``m`` and ``m.n``), made absolute."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, tuple(alias.name.split("."))
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = base + tuple(node.module.split(".") if node.module else ())
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, (*module, alias.name)


def _owner(dotted: tuple[str, ...], root: Path) -> tuple[str, ...] | None:
    """The package a private module or name belongs to, or None if ``dotted`` is public."""
    for i, part in enumerate(dotted):
        if not part.startswith("_") or part.startswith("__"):
            continue
        if root.joinpath(*dotted[:i]).is_dir():
            return dotted[:i]  # a private module, or a private name of a package's __init__
        return dotted[: i - 1]  # a private name of a module: it belongs to the module's package
    return None


def private_imports(root: Path, top: str = "synth_plugins") -> list[str]:
    """Every import under ``root/top`` of a private module or name from another package."""
    found: dict[tuple[Path, int], str] = {}
    for path in sorted((root / top).rglob("*.py")):
        package = _package_of(path, root)
        for line, dotted in _imported(ast.parse(path.read_text(encoding="utf-8")), package):
            owner = _owner(dotted, root) if dotted[0] == top else None
            if owner is not None and package[: len(owner)] != owner:
                where = path.relative_to(root)
                found.setdefault((where, line), f"{where}:{line} imports {'.'.join(dotted)}")
    return sorted(found.values())


def test_no_package_imports_another_packages_private_code() -> None:
    found = private_imports(SRC)
    assert not found, "make the shared code public at the layer that owns it:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("importer", "source", "flagged"),
    [
        ("pkg/b/user.py", "from pkg.a._helpers import f", True),
        ("pkg/b/user.py", "from pkg.a import _helpers", True),
        ("pkg/b/user.py", "from pkg.a.public import _f", True),
        ("pkg/b/user.py", "import pkg.a._helpers", True),
        ("pkg/a/user.py", "from pkg.a._helpers import f", False),
        ("pkg/a/sub/user.py", "from pkg.a._helpers import f", False),
        ("pkg/a/sub/user.py", "from .._helpers import f", False),
        ("pkg/b/user.py", "from ..a._helpers import f", True),
        ("pkg/b/user.py", "from pkg.a.public import f", False),
        ("pkg/b/user.py", "from __future__ import annotations", False),
    ],
)
def test_the_rule_flags_what_it_should(
    tmp_path: Path, importer: str, source: str, flagged: bool
) -> None:
    for name in ("pkg/__init__.py", "pkg/a/__init__.py", "pkg/a/_helpers.py", "pkg/a/public.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    for folder in ("pkg/b", "pkg/a/sub"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / importer).write_text(source + "\n")
    assert bool(private_imports(tmp_path, top="pkg")) is flagged

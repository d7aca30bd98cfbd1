"""Every ```python block of the user-facing docs runs, in order, page by page."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["README.md", "docs/quickstart.md"]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_python_blocks_run(page):
    text = (ROOT / page).read_text()
    blocks = BLOCK.findall(text)
    assert blocks, f"{page} has no python examples"
    namespace: dict = {}
    for number, block in enumerate(blocks, 1):
        try:
            exec(compile(block, f"{page}[block {number}]", "exec"), namespace)
        except Exception as error:  # pragma: no cover - the message is the point
            raise AssertionError(f"{page}, python block {number} failed: {error!r}") from error


def _modules_with_examples() -> list[str]:
    source = ROOT / "src"
    return sorted(
        ".".join(path.relative_to(source).with_suffix("").parts)
        for path in source.rglob("*.py")
        if ">>> " in path.read_text()
    )


@pytest.mark.parametrize("module", _modules_with_examples())
def test_docstring_examples_run(module):
    """The ``Example:`` sections of the public classes: a plugin's ``plugin.fit(X)`` printed
    the plugin, which its example did not show."""
    import doctest
    import importlib

    try:
        imported = importlib.import_module(module)
    except ImportError as error:  # Synthcity's plugins on the SDV stack
        pytest.skip(f"{module} needs a package this stack lacks: {error}")
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(imported, optionflags=flags, verbose=False)
    assert result.attempted > 0 and result.failed == 0, f"{module}: {result}"

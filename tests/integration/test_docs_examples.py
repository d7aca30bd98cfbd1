"""Every ```python block of the user-facing docs runs, in order, page by page.

The blocks of a page run in one namespace, as a reader pastes them one after the other. A
page whose examples import Synthcity is in :data:`SYNTHCITY_PAGES` (skipped on the SDV stack,
see ``NEEDS`` in ``tests/conftest.py``); the others are in :data:`PAGES` and run on both
stacks. The metric cards (``docs/methods/metrics/``) run in ``test_docs_site.py``. A block
that starts a process pool under ``if __name__ == "__main__":`` (``docs/benchmarking.md``)
runs as an importing worker runs it: the guarded body is left out, and
``test_benchmark_dask.py`` runs a suite on a Dask cluster.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: pages whose examples need only the core, SDV and the metrics' packages
PAGES = [
    "docs/benchmarking.md",
    "docs/datasets.md",
    "docs/metrics.md",
    "docs/survival_evaluation.md",
    "docs/methods/ck4gen.md",
    "docs/methods/med_vae.md",
    "docs/methods/mle_copula.md",
]
#: pages whose examples import Synthcity
SYNTHCITY_PAGES = [
    "README.md",
    "docs/quickstart.md",
    "docs/methods/ctabgan_plus.md",
    "docs/methods/longitudinal_lstm.md",
]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
IMPORTS_SYNTHCITY = re.compile(r"^\s*(?:from|import) synthcity\b", re.MULTILINE)


def _run_blocks(page: str) -> None:
    text = (ROOT / page).read_text()
    blocks = BLOCK.findall(text)
    assert blocks, f"{page} has no python examples"
    namespace: dict = {}
    for number, block in enumerate(blocks, 1):
        try:
            exec(compile(block, f"{page}[block {number}]", "exec"), namespace)
        except Exception as error:  # pragma: no cover - the message is the point
            raise AssertionError(f"{page}, python block {number} failed: {error!r}") from error


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_python_blocks_run(page):
    _run_blocks(page)


@pytest.mark.slow
@pytest.mark.parametrize("page", SYNTHCITY_PAGES)
def test_synthcity_python_blocks_run(page):
    _run_blocks(page)


def test_every_page_with_python_examples_is_run():
    """A page's examples are run on the stacks that can run them: a new page with examples
    must join a list, and a page joins the Synthcity list only if it imports Synthcity."""
    cards = ROOT / "docs" / "methods" / "metrics"
    examples = {
        path.relative_to(ROOT).as_posix(): "".join(BLOCK.findall(path.read_text()))
        for path in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
        if cards not in path.parents
    }
    examples = {page: code for page, code in examples.items() if code}
    assert sorted(examples) == sorted(PAGES + SYNTHCITY_PAGES)
    needs_synthcity = sorted(p for p, code in examples.items() if IMPORTS_SYNTHCITY.search(code))
    assert needs_synthcity == sorted(SYNTHCITY_PAGES)


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

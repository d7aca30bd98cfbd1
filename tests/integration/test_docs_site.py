"""The documentation site builds without warnings, lists every page, and its cards' code runs.

``mkdocs build --strict`` fails on any warning: a link to a missing page or anchor, a page
left out of the navigation (``validation.omitted_files: warn`` in ``mkdocs.yml``). The nav
check repeats the orphan rule here so that its failure names the pages. The home page names
every generator and metric of ``synth_plugins.catalog`` and every dataset. The metric cards'
Python examples (``docs/methods/metrics/*.md``) run like those of the quickstart in
``test_docs_examples.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CONFIG = ROOT / "mkdocs.yml"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
CARDS = sorted((DOCS / "methods" / "metrics").glob("*.md"))


def _nav_pages(node: object) -> list[str]:
    """Every page path listed in a (nested) mkdocs nav."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [page for item in node for page in _nav_pages(item)]
    if isinstance(node, dict):
        return [page for value in node.values() for page in _nav_pages(value)]
    return []


def test_strict_build_has_no_warnings(tmp_path):
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(CONFIG), "--site-dir",
         str(site)],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    output = result.stdout + result.stderr
    warnings = [line for line in output.splitlines() if "WARNING" in line]
    assert result.returncode == 0, output
    assert not warnings, "\n".join(warnings)
    assert (site / "index.html").is_file()


def test_every_page_is_in_the_nav():
    config = yaml.safe_load(CONFIG.read_text())
    assert Path(config["docs_dir"]) == Path("docs")
    listed = _nav_pages(config["nav"])
    pages = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    assert len(listed) == len(set(listed)), "a page is listed twice in the nav"
    missing = sorted(set(pages) - set(listed))
    assert not missing, f"pages under docs/ missing from the nav of mkdocs.yml: {missing}"
    absent = sorted(set(listed) - set(pages))
    assert not absent, f"nav entries of mkdocs.yml without a page: {absent}"


def test_every_metric_has_a_card():
    from synth_plugins import catalog

    cards = {card.stem for card in CARDS}
    assert {entry.name for entry in catalog.METRICS} <= cards
    overview = (DOCS / "metrics.md").read_text()
    for entry in catalog.METRICS:
        assert f"(methods/metrics/{entry.name}.md)" in overview, entry.name


def test_the_index_names_every_generator_metric_and_dataset():
    from synth_plugins import catalog, datasets

    index = (DOCS / "index.md").read_text()
    table = {row.split("|")[1].strip() for row in index.splitlines() if row.startswith("| `")}
    expected = {f"`{entry.name}`" for entry in (*catalog.GENERATORS, *catalog.METRICS)}
    assert not expected - table, f"missing from the index table: {sorted(expected - table)}"
    unnamed = [name for name in datasets.names() if f"`{name}`" not in index]
    assert not unnamed, f"datasets the index does not name: {unnamed}"


@pytest.mark.slow
@pytest.mark.parametrize("card", CARDS, ids=[card.stem for card in CARDS])
def test_metric_card_examples_run(card, monkeypatch):
    import synth_plugins

    # register first: importing an evaluator module before Synthcity's metrics would run
    # the registration hook while that module is half imported
    synth_plugins.register()
    from synth_plugins.synthcity.metrics.evaluators import LongitudinalFidelityEvaluator

    # a card may set the evaluator's options; undo it after the test
    monkeypatch.setattr(
        LongitudinalFidelityEvaluator, "options", LongitudinalFidelityEvaluator.options
    )
    blocks = BLOCK.findall(card.read_text())
    assert blocks, f"{card.name} has no python example"
    namespace: dict = {"__name__": "docs_card"}
    for number, block in enumerate(blocks, 1):
        try:
            exec(compile(block, f"{card.name}[block {number}]", "exec"), namespace)
        except Exception as error:  # pragma: no cover - the message is the point
            raise AssertionError(f"{card.name}, python block {number} failed: {error!r}") from error

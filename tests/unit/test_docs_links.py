"""The docs stand on their own: no absolute filesystem paths, no links out of the repository.

A reader of the site, of the README or of a benchmark script has only this repository and
the public web. Every Markdown link must therefore point to a public ``http(s)`` URL or to a
file inside the repository that exists, and no page or script may name an absolute path of
somebody's machine (a design folder, a home directory, a temporary folder) or cite the
team's internal design documents, which a user does not have.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
SCRIPTS = sorted([*(ROOT / "benchmarks").glob("*.py"), *(ROOT / "src").rglob("*.py")])
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
#: a path that starts at a filesystem root: "/work/...", "/home/x/...", "C:\..."
ABSOLUTE = re.compile(r"(?<![\w.~:/<>{}-])(/[A-Za-z_][\w.-]*/[\w.-]+|[A-Z]:\\\w)")
#: the kernel's own files, which a script may read to describe the machine
SYSTEM = ("/proc/", "/sys/", "/dev/")
PRIVATE_HOSTS = ("localhost", "127.", "0.0.0.0", "10.", "192.168.", "[::1]")
#: the team's internal design documents (not shipped; the public docs are lower-case pages)
INTERNAL = re.compile(r"\b(?:METHODS|ARCHITECTURE|STACK|HOSTS|DATASETS|STYLE)\.md\b")


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _public_url(target: str) -> bool:
    parsed = urlparse(target)
    host = parsed.hostname or ""
    return parsed.scheme in ("http", "https") and "." in host and not host.startswith(PRIVATE_HOSTS)


def check_link(page: Path, target: str) -> str | None:
    """Why ``target`` (a link on ``page``) is not allowed, or None."""
    if target.startswith("#") or target.startswith("mailto:"):
        return None
    if "://" in target:
        return None if _public_url(target) else f"{target} is not a public http(s) URL"
    if target.startswith("/"):
        return f"{target} is an absolute path"
    resolved = (page.parent / target.split("#", 1)[0]).resolve()
    if ROOT not in resolved.parents and resolved != ROOT:
        return f"{target} leaves the repository"
    if not resolved.exists():
        return f"{target} does not exist"
    return None


def absolute_paths(text: str) -> list[str]:
    """Absolute filesystem paths named in ``text`` (URLs removed first)."""
    found = ABSOLUTE.findall(URL.sub(" ", text))
    return [path for path in found if not path.startswith(SYSTEM)]


@pytest.mark.parametrize("page", PAGES, ids=_relative)
def test_links_stay_in_the_repository_or_go_to_public_urls(page):
    text = page.read_text()
    problems = [
        problem
        for target in LINK.findall(text) + IMAGE.findall(text)
        if (problem := check_link(page, target))
    ]
    assert not problems, f"{_relative(page)}: " + "; ".join(problems)


@pytest.mark.parametrize("path", PAGES + SCRIPTS, ids=_relative)
def test_no_absolute_filesystem_paths(path):
    found = absolute_paths(path.read_text())
    assert not found, f"{_relative(path)} names absolute paths: {sorted(set(found))}"


@pytest.mark.parametrize("path", PAGES + SCRIPTS, ids=_relative)
def test_no_citation_of_internal_design_documents(path):
    found = INTERNAL.findall(path.read_text())
    assert not found, f"{_relative(path)} cites internal documents: {sorted(set(found))}"


@pytest.mark.parametrize(
    ("target", "allowed"),
    [
        ("https://arxiv.org/abs/2410.16872", True),
        ("http://127.0.0.1:8000", False),
        ("file:///work/shared/design/METHODS.md", False),
        ("/work/shared/design/METHODS.md", False),
        ("../../../shared/design/METHODS.md", False),
        ("methods/med_vae.md", True),
        ("methods/missing_page.md", False),
    ],
)
def test_the_link_rule_itself(target, allowed):
    assert (check_link(ROOT / "docs" / "index.md", target) is None) is allowed


def test_the_internal_document_rule_itself():
    assert INTERNAL.findall("the acceptance target of METHODS.md §2.5")
    assert not INTERNAL.findall("see docs/architecture.md and docs/datasets.md")


def test_the_path_rule_itself():
    assert absolute_paths("Spec: `/work/shared/design/METHODS.md` §2")
    assert absolute_paths("see /home/user/data.csv")
    assert not absolute_paths("see https://example.org/work/shared/x and events/year")

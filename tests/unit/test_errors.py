"""A missing optional package is reported with the install the docs describe.

``docs/install.md`` ("Two supported stacks") installs from a clone of the repository with a
stack's constraints file; an extra that needs Synthcity's caps installs on that stack only.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from synth_plugins.errors import SYNTHCITY_STACK_EXTRAS, MissingDependencyError

ROOT = Path(__file__).resolve().parents[2]


def _extras() -> dict[str, list[str]]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["project"]["optional-dependencies"]


def _nested(requirement: list[str]) -> set[str]:
    """The extras ``["synth-plugins[a,b]"]`` names."""
    (only,) = requirement
    return set(re.fullmatch(r"synth-plugins\[([\w,-]+)\]", only).group(1).split(","))


def test_synthcity_stack_extras_match_pyproject():
    extras = _extras()
    assert SYNTHCITY_STACK_EXTRAS == {"all"} | (
        _nested(extras["all"]) - _nested(extras["sdv-stack"])
    )


def test_an_extra_of_both_stacks_names_both_constraints_files():
    message = str(MissingDependencyError("opacus", "Med-VAE with dp=True", "dp"))
    assert message.startswith("Med-VAE with dp=True needs the package 'opacus'")
    assert 'pip install ".[dp]" -c requirements/constraints.txt on the Synthcity stack' in message
    assert "-c requirements/sdv-constraints.txt on the SDV stack" in message
    assert '"Two supported stacks" in its docs/install.md' in message
    assert "synth-plugins[" not in message


@pytest.mark.parametrize("extra", sorted(SYNTHCITY_STACK_EXTRAS))
def test_a_synthcity_stack_extra_names_that_stack_only(extra):
    message = str(MissingDependencyError("synthcity", "the harness", extra))
    assert f'pip install ".[{extra}]" -c requirements/constraints.txt' in message
    assert "on the Synthcity stack only (Python 3.11 and numpy < 2" in message
    assert "sdv-constraints" not in message

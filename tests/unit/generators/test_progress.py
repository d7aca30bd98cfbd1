"""Progress bars: a default fit shows one once it runs long, ``verbose=False`` never does.

Every generator core with a training loop takes ``verbose``: None (the default) delays the
bar by :data:`~synth_plugins.generators._torch.PROGRESS_DELAY_S`, so here the delay is set
to 0 (a bar at once) or to an hour (none in a tiny fit) instead of timing a real fit.
"""

from __future__ import annotations

import inspect

import pytest

from synth_plugins.catalog import GENERATORS, GeneratorEntry, resolve
from synth_plugins.errors import InvalidParameterError
from synth_plugins.generators import _torch
from synth_plugins.testing.bad_input import base_table, core_params

#: The generators whose core trains a network (and so has a progress bar).
TRAINED = [e for e in GENERATORS if "verbose" in inspect.signature(resolve(e.core)).parameters]


def _fit_stderr(entry: GeneratorEntry, capsys: pytest.CaptureFixture[str], **params) -> str:
    """What a one-epoch fit of ``entry``'s core on its tiny table writes to stderr."""
    table = base_table(entry.synthcity_type)
    capsys.readouterr()
    resolve(entry.core)(**core_params(entry, table, epochs=1), **params).fit(table.data)
    return capsys.readouterr().err


@pytest.fixture
def bars_allowed(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Let tqdm draw (the test set-up turns every bar off with ``TQDM_DISABLE``)."""
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    return monkeypatch


def test_every_trained_core_is_covered():
    assert {e.name for e in TRAINED} >= {"med_vae", "ctabgan_plus", "ck4gen", "longitudinal_lstm"}


@pytest.mark.parametrize("entry", TRAINED, ids=lambda e: e.name)
def test_a_default_fit_shows_a_bar_once_the_delay_has_passed(entry, bars_allowed, capsys):
    bars_allowed.setattr(_torch, "PROGRESS_DELAY_S", 0.0)
    assert "%|" in _fit_stderr(entry, capsys)


@pytest.mark.parametrize("entry", TRAINED, ids=lambda e: e.name)
def test_a_default_fit_shorter_than_the_delay_prints_nothing(entry, bars_allowed, capsys):
    bars_allowed.setattr(_torch, "PROGRESS_DELAY_S", 3600.0)
    assert "%|" not in _fit_stderr(entry, capsys)


@pytest.mark.parametrize("entry", TRAINED, ids=lambda e: e.name)
def test_verbose_false_never_shows_a_bar(entry, bars_allowed, capsys):
    bars_allowed.setattr(_torch, "PROGRESS_DELAY_S", 0.0)
    assert "%|" not in _fit_stderr(entry, capsys, verbose=False)


@pytest.mark.parametrize("entry", TRAINED, ids=lambda e: e.name)
def test_verbose_is_auto_by_default_and_documented_with_the_declared_delay(entry):
    core = resolve(entry.core)
    assert inspect.signature(core).parameters["verbose"].default is None
    assert f"has run {_torch.PROGRESS_DELAY_S:g} s" in " ".join(core.__doc__.split())
    layout = core_params(entry, base_table(entry.synthcity_type))
    with pytest.raises(InvalidParameterError, match="verbose must be True, False or None"):
        core(**layout, verbose="yes")

"""The "Adding a generator" guide of docs/architecture.md, followed literally with a toy generator.

Steps 1-3 (the core, the Synthcity plugin, the SDV synthesizer) are the modules of
``tests/support/toy_generator``, written as the guide says; step 4 adds their catalog entry
for the duration of each test; step 5 is this file: the generator runs by name in each
host and passes every kit the guide names (conformance, adapter defaults, Synthcity's
conventions, the bad-input matrix) with nothing else written. The SDV tests need no
Synthcity, so they run on both stacks; the ``test_synthcity_*`` ones are listed in ``NEEDS``.
Registration is undone after each test (``test_*_registration_is_undone`` checks it).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import synth_plugins
from synth_plugins import catalog
from synth_plugins.catalog import GeneratorEntry
from synth_plugins.datasets import load
from synth_plugins.testing import conformance
from synth_plugins.testing.adapter_defaults import adapter_default_mismatches
from synth_plugins.testing.bad_input import case_id, matrix, run_case

#: step 4: the catalog entry
ENTRY = GeneratorEntry(
    name="toy_marginals",
    title="Toy marginals",
    summary="Each column drawn on its own from its training values (guide test)",
    synthcity_type="generic",
    core="tests.support.toy_generator.core:ToyMarginals",
    synthcity_plugin="tests.support.toy_generator.plugin_toy_marginals:ToyMarginalsPlugin",
    sdv_synthesizer="tests.support.toy_generator.synthesizer:ToyMarginalsSynthesizer",
    dataset="heart_failure",
    synthcity_quick={"bandwidth": 0.1},
    sdv_quick={"bandwidth": 0.1},
)


@contextmanager
def in_the_catalog(*, synthcity: bool) -> Iterator[GeneratorEntry]:
    """The toy entry in ``catalog.GENERATORS`` (and registered in Synthcity), then removed."""
    import synth_plugins.synthcity as adapters

    if synthcity:
        synth_plugins.register()  # imports Synthcity first: its import hook must not see the toy
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(adapters, "_registered", dict(adapters._registered))
            patch.setattr(catalog, "GENERATORS", (*catalog.GENERATORS, ENTRY))
            if synthcity:
                synth_plugins.register()
            yield ENTRY
    finally:
        # Plugins() and reload() rebind Synthcity's registries: clean the current ones
        host = sys.modules.get("synthcity.plugins.core.plugin")
        if host is not None:
            host.PLUGIN_REGISTRY.pop(ENTRY.name, None)
            for members in host.PLUGIN_CATEGORY_REGISTRY.values():
                while ENTRY.name in members:
                    members.remove(ENTRY.name)


@pytest.fixture
def toy() -> Iterator[GeneratorEntry]:
    with in_the_catalog(synthcity=False) as entry:
        yield entry


@pytest.fixture
def toy_in_synthcity() -> Iterator[GeneratorEntry]:
    with in_the_catalog(synthcity=True) as entry:
        yield entry


@pytest.fixture(scope="module")
def heart():
    return load(ENTRY.dataset)


# ---------------------------------------------------------------------- SDV (both stacks)


def test_the_sdv_synthesizer_fits_and_samples_by_name(toy, heart):
    import synth_plugins.sdv
    from synth_plugins.sdv import compat
    from synth_plugins.sdv.metadata import metadata_for

    cls = synth_plugins.sdv.ToyMarginalsSynthesizer
    assert cls is catalog.resolve(toy.sdv_synthesizer)
    synthesizer = compat.fit(cls(metadata_for(heart), bandwidth=0.1), heart.data)
    rows = compat.sample(synthesizer, 40)
    assert list(rows.columns) == list(heart.data.columns) and len(rows) == 40
    assert synthesizer.get_parameters()["bandwidth"] == 0.1


def test_the_sdv_defaults_are_the_cores(toy):
    assert adapter_default_mismatches(toy, "sdv") == []


def test_the_sdv_synthesizer_passes_the_conformance_kit(toy, heart):
    synthesizer = conformance.check_sdv_sample(toy, heart)
    conformance.check_sdv_save_load(synthesizer)
    conformance.check_sdv_determinism(toy, heart)
    conformance.check_sdv_bad_input(toy, heart)
    conformance.check_sdv_copies(toy)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(
    ("host", "case"),
    [pytest.param(h, c, id=case_id(e, h, c)) for e, h, c in matrix([ENTRY], ("core", "sdv"))],
)
def test_bad_input(toy, host, case):
    run_case(toy, host, case)


def test_sdv_registration_is_undone():
    import synth_plugins.sdv

    with in_the_catalog(synthcity=False):
        assert synth_plugins.sdv.ToyMarginalsSynthesizer is not None
    assert ENTRY not in catalog.GENERATORS
    with pytest.raises(AttributeError, match="no synthesizer 'ToyMarginalsSynthesizer'"):
        synth_plugins.sdv.ToyMarginalsSynthesizer  # noqa: B018


# ---------------------------------------------------------------------------- Synthcity


def test_synthcity_plugin_fits_and_generates_by_name(toy_in_synthcity, heart):
    from synthcity.plugins import Plugins

    plugin = Plugins().get("toy_marginals", bandwidth=0.1).fit(heart.data)
    generated = plugin.generate(count=40).dataframe()
    assert list(generated.columns) == list(heart.data.columns) and len(generated) == 40
    assert "toy_marginals" in Plugins(categories=["generic"]).list()


def test_synthcity_and_sdv_defaults_are_the_cores(toy_in_synthcity):
    from synth_plugins.testing.adapter_defaults import check_adapter_defaults

    check_adapter_defaults(toy_in_synthcity)


def test_synthcity_plugin_passes_the_conformance_kit(toy_in_synthcity, heart):
    from synth_plugins.synthcity.loaders import to_dataloader

    loader = to_dataloader(heart)
    conformance.check_synthcity_registration(toy_in_synthcity)
    plugin = conformance.check_synthcity_generate(toy_in_synthcity, heart, loader)
    conformance.check_synthcity_save_load(toy_in_synthcity, plugin, loader)
    conformance.check_synthcity_determinism(toy_in_synthcity, loader)
    conformance.check_synthcity_bad_input(toy_in_synthcity, loader)
    conformance.check_synthcity_copies(toy_in_synthcity)


def test_synthcity_plugin_follows_synthcitys_conventions(toy_in_synthcity):
    from synth_plugins.testing import synthcity_conventions

    synthcity_conventions.check_synthcity_conventions(toy_in_synthcity)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(
    "case", [pytest.param(c, id=case_id(e, h, c)) for e, h, c in matrix([ENTRY], ("synthcity",))]
)
def test_synthcity_bad_input(toy_in_synthcity, case):
    run_case(toy_in_synthcity, "synthcity", case)


def test_synthcity_registration_is_undone():
    from synthcity.plugins import Plugins

    with in_the_catalog(synthcity=True):
        assert "toy_marginals" in Plugins().list()
        Plugins().reload()  # what the conventions kit does: registration must survive it
        assert "toy_marginals" in Plugins().list()
    assert "toy_marginals" not in Plugins().list()
    Plugins().reload()
    assert "toy_marginals" not in Plugins().list()
    assert all(e.name in Plugins().list() for e in catalog.GENERATORS)

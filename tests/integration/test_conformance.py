"""Every generator of the catalog, through the conformance kit, in Synthcity and in SDV."""

import pytest

import synth_plugins
from synth_plugins import catalog
from synth_plugins.datasets import load
from synth_plugins.synthcity.loaders import to_dataloader
from synth_plugins.testing import conformance
from synth_plugins.testing.names import check_parameter_names

# Sequence generators (Synthcity type "time_series") have their own kit.
GENERATORS = [
    pytest.param(e, id=e.name) for e in catalog.GENERATORS if e.synthcity_type != "time_series"
]


@pytest.fixture(scope="module", autouse=True)
def _registered():
    synth_plugins.register()


@pytest.mark.parametrize("entry", GENERATORS)
class TestSynthcity:
    def test_registration(self, entry):
        conformance.check_synthcity_registration(entry)

    def test_generate_save_load_and_bad_input(self, entry):
        dataset = load(entry.dataset)
        loader = to_dataloader(dataset)
        plugin = conformance.check_synthcity_generate(entry, dataset, loader)
        conformance.check_synthcity_save_load(entry, plugin, loader)
        conformance.check_synthcity_bad_input(entry, loader)

    def test_determinism(self, entry):
        conformance.check_synthcity_determinism(entry, to_dataloader(load(entry.dataset)))


@pytest.mark.parametrize("entry", GENERATORS)
class TestSDV:
    def test_sample_save_load_and_conditions(self, entry):
        dataset = load(entry.dataset)
        synthesizer = conformance.check_sdv_sample(entry, dataset)
        conformance.check_sdv_save_load(synthesizer)
        if entry.condition is not None:
            conformance.check_sdv_conditions(synthesizer, *entry.condition)

    def test_determinism(self, entry):
        conformance.check_sdv_determinism(entry, load(entry.dataset))

    def test_bad_input(self, entry):
        conformance.check_sdv_bad_input(entry, load(entry.dataset))


#: Every tabular and survival generator follows the exact-copy rule (each adopts
#: synth_plugins.generators.privacy.CopyFilter). The sequence generator's rule is per patient
#: (a whole copied sequence): tests/integration/test_sequence_conformance.py checks it.
COPY_GENERATORS = [
    pytest.param(entry, id=entry.name)
    for entry in catalog.GENERATORS
    if entry.synthcity_type != "time_series"
]


@pytest.mark.parametrize("entry", COPY_GENERATORS)
def test_synthcity_exact_copies(entry):
    conformance.check_synthcity_copies(entry)


@pytest.mark.parametrize("entry", COPY_GENERATORS)
def test_sdv_exact_copies(entry):
    conformance.check_sdv_copies(entry)


ALL_GENERATORS = [pytest.param(e, id=e.name) for e in catalog.GENERATORS]


@pytest.mark.parametrize("entry", ALL_GENERATORS)
def test_parameter_names(entry):
    """The core and the SDV synthesizer use the glossary's names (docs/architecture.md)."""
    check_parameter_names(entry, hosts=("sdv",))


@pytest.mark.parametrize("entry", ALL_GENERATORS)
def test_synthcity_parameter_names(entry):
    """The Synthcity plugin uses the glossary's names, or Synthcity's own mapped ones."""
    check_parameter_names(entry, hosts=("synthcity",))

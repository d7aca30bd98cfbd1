"""Every sequence generator of the catalog, through the sequence conformance kit, in both hosts."""

import pytest

import synth_plugins
from synth_plugins import catalog
from synth_plugins.datasets import load
from synth_plugins.testing import sequence_conformance as kit

GENERATORS = [
    pytest.param(e, id=e.name) for e in catalog.GENERATORS if e.synthcity_type == "time_series"
]


def small(entry):
    """The entry's dataset, kept small so that every check runs in seconds."""
    if entry.dataset == "ms_registry":
        return load("ms_registry", n_patients=60, seed=0)
    return load(entry.dataset)


@pytest.fixture(scope="module", autouse=True)
def _registered():
    synth_plugins.register()


@pytest.mark.parametrize("entry", GENERATORS)
class TestSynthcity:
    def test_registration(self, entry):
        kit.check_synthcity_registration(entry)

    def test_generate_save_load_and_bad_input(self, entry):
        dataset = small(entry)
        plugin = kit.check_synthcity_generate(entry, dataset)
        kit.check_synthcity_save_load(plugin)
        kit.check_synthcity_bad_input(entry, dataset)

    def test_determinism(self, entry):
        kit.check_synthcity_determinism(entry, small(entry))

    def test_patient_copies(self, entry):
        kit.check_synthcity_patient_copies(entry, small(entry))


@pytest.mark.parametrize("entry", GENERATORS)
class TestSDV:
    def test_sample_and_save_load(self, entry):
        dataset = small(entry)
        synthesizer = kit.check_sdv_sample(entry, dataset)
        kit.check_sdv_save_load(synthesizer)

    def test_determinism(self, entry):
        kit.check_sdv_determinism(entry, small(entry))

    def test_bad_input(self, entry):
        kit.check_sdv_bad_input(entry, small(entry))

    def test_patient_copies(self, entry):
        kit.check_sdv_patient_copies(entry, small(entry))


def test_pbc_visits_with_missing_values_round_trip():
    """PBC (real, with missing lab values) through the loader adapter and both hosts."""
    from synth_plugins.sdv.sequential_metadata import sequential_metadata_for
    from synth_plugins.synthcity.timeseries import (
        dataset_to_timeseries_loader,
        from_timeseries_loader,
    )

    dataset = load("pbc_visits")
    loader, spec = dataset_to_timeseries_loader(dataset)
    back = from_timeseries_loader(loader, spec)
    assert back.drop(columns=["id"]).equals(dataset.data.drop(columns=["id"]))
    entry = catalog.generator("longitudinal_lstm")
    plugin = kit.fit_synthcity(entry, loader)
    long = from_timeseries_loader(plugin.generate(count=30), spec)
    kit.assert_long_schema(
        dataset.data, long, id_column="id", time_column="year",
        static_columns=dataset.static_columns, roles=dataset.roles, n_sequences=30,
    )  # fmt: skip
    assert long["serChol"].isna().any()
    synthesizer = kit.sdv_class(entry)(sequential_metadata_for(dataset), **entry.sdv_quick)
    synthesizer.fit(dataset.data)
    sampled = synthesizer.sample(num_sequences=25)
    kit.assert_long_schema(
        dataset.data, sampled, id_column="id", time_column="year",
        static_columns=dataset.static_columns, roles=dataset.roles, n_sequences=25,
    )  # fmt: skip

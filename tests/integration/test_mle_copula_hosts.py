"""The MLE-copula adapters: defaults equal the core's, the fit table reaches SDV users."""

from __future__ import annotations

import inspect

import pytest

import synth_plugins
from synth_plugins.datasets import load
from synth_plugins.generators import MLECopula


@pytest.fixture(scope="module", autouse=True)
def _registered():
    synth_plugins.register()  # before importing a plugin module (registration imports it)


def test_synthcity_and_sdv_defaults_equal_the_core():
    from synth_plugins.sdv.mle_copula import MLECopulaSynthesizer
    from synth_plugins.synthcity.plugins.generic.plugin_mle_copula import MLECopulaPlugin

    core = {
        name: parameter.default
        for name, parameter in inspect.signature(MLECopula).parameters.items()
        if name != "roles"
    }
    for adapter in (MLECopulaPlugin, MLECopulaSynthesizer):
        parameters = inspect.signature(adapter).parameters
        assert {name: parameters[name].default for name in core} == core, adapter.__name__


def test_sdv_forwards_parameters_and_shows_the_fit_table():
    from synth_plugins.sdv import MLECopulaSynthesizer
    from synth_plugins.sdv.metadata import metadata_for

    dataset = load("heart_failure")
    synthesizer = MLECopulaSynthesizer(metadata_for(dataset), level=1, selection="bic")
    synthesizer.fit(dataset.data)
    table = synthesizer.fit_table()
    assert list(table["column"]) == list(dataset.data.columns)
    assert synthesizer._model.level == 1 and synthesizer._model.selection == "bic"
    assert table.set_index("column").loc["sex", "family"] == "categorical"

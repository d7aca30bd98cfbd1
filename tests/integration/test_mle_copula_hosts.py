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


def test_sdv_refuses_a_missing_value_as_a_condition_with_the_way_round():
    """A column with missing values in training used to accept ``Condition({c: None})`` and
    end in SDV's "Sampling terminated" (SDV drops a missing value from its condition
    groups); the refusal names the column and how to get such rows."""
    import numpy as np
    import pandas as pd
    from sdv.metadata import Metadata
    from sdv.sampling import Condition

    from synth_plugins.errors import InvalidParameterError
    from synth_plugins.sdv import MLECopulaSynthesizer
    from synth_plugins.sdv.metadata import metadata_dict

    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {
            "lab": np.where(rng.random(200) < 0.2, np.nan, rng.normal(size=200)),
            "site": np.where(rng.random(200) < 0.2, None, rng.choice(["A", "B"], 200)),
        }
    )
    roles = {"lab": "numerical", "site": "categorical"}
    synthesizer = MLECopulaSynthesizer(Metadata.load_from_dict(metadata_dict(data, roles, "t")))
    synthesizer.fit(data)
    for column in ("lab", "site"):
        with pytest.raises(InvalidParameterError, match=rf"{column}=missing: .*\.isna\(\)"):
            synthesizer.sample_from_conditions([Condition({column: None}, num_rows=5)])

"""Med-VAE's Synthcity-specific behaviour: ``cond=`` at fit and generate time."""

import numpy as np
import pytest

import synth_plugins
from synth_plugins.datasets import load
from synth_plugins.errors import InvalidParameterError
from synth_plugins.synthcity.loaders import to_dataloader


@pytest.fixture(scope="module")
def heart():
    synth_plugins.register()
    return load("heart_failure").data


def test_cond_on_a_training_column_steers_generation(heart):
    from synthcity.plugins import Plugins

    plugin = Plugins().get("med_vae", n_iter=40)
    plugin.fit(heart, cond=heart["sex"])
    assert plugin.cond_column == "sex"
    women = plugin.generate(count=80, cond=np.zeros(80)).dataframe()
    men = plugin.generate(count=80, cond=np.ones(80)).dataframe()
    # library conditioning (the paper's, no rejection): most rows, far above the base rates
    # of 0.35 (sex=0) and 0.65 (sex=1)
    assert (heart["sex"] == 0).mean() < 0.4
    assert (women["sex"] == 0).mean() >= 0.75
    assert (men["sex"] == 1).mean() >= 0.75


def test_cond_that_is_not_a_column_is_refused(heart):
    from synthcity.plugins import Plugins

    plugin = Plugins().get("med_vae", n_iter=2)
    with pytest.raises(InvalidParameterError, match="one of the training columns"):
        plugin.fit(to_dataloader(load("heart_failure")), cond=np.arange(len(heart)) % 3)

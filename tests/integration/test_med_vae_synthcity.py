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


def test_generate_cond_takes_one_value_or_one_per_row_of_the_training_levels():
    """A cond of another length was cycled or cut without a word; an unseen text level was
    named by its label code; rows came grouped by value, not in cond's order."""
    import pandas as pd
    from synthcity.plugins import Plugins

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"sex": rng.choice(["F", "M"], 120), "age": rng.normal(60, 9, 120)})
    plugin = Plugins().get("ctabgan_plus", n_iter=2, batch_size=60)
    plugin.fit(frame, cond=frame["sex"])
    assert (plugin.generate(count=6, cond=["F"]).dataframe()["sex"] == "F").all()
    # one value per row: row i holds cond[i] (the rows used to come grouped by value)
    assert (
        plugin.generate(count=6, cond=["F", "M"] * 3).dataframe()["sex"].tolist()
        == [
            "F",
            "M",
        ]
        * 3
    )
    with pytest.raises(InvalidParameterError, match=r"cond has 5 values.*count=20"):
        plugin.generate(count=20, cond=["F"] * 5)
    with pytest.raises(InvalidParameterError, match=r"\['X'\].*levels are \['F', 'M'\]"):
        plugin.generate(count=4, cond=["X"] * 4)

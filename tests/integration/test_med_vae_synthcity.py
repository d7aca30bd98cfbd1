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


def test_cond_on_a_training_column_holds_on_every_row(heart):
    """Rows are generated under the core's enforce_conditions, as SDV samples: every row
    holds the value even after a short fit (library conditioning alone left 40 % to 60 %
    after 2 epochs, with a warning recommending an option the plugin did not take)."""
    import warnings

    from synthcity.plugins import Plugins

    plugin = Plugins().get("med_vae", n_iter=2)
    plugin.fit(heart, cond=heart["sex"])
    assert plugin.cond_column == "sex"
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*hold the conditions")
        women = plugin.generate(count=80, cond=np.zeros(80)).dataframe()
        men = plugin.generate(count=80, cond=np.ones(80)).dataframe()
    assert (women["sex"] == 0).all() and (men["sex"] == 1).all()


def test_min_library_size_is_a_plugin_argument(heart):
    """A value fewer than 5 training rows hold is refused, naming min_library_size, which
    the plugin takes (it named an option no host accepted)."""
    from synthcity.plugins import Plugins

    from synth_plugins.errors import InvalidDataError

    ages = heart["age"].value_counts()
    rare = float(ages[ages == 1].index[0])
    strict = Plugins().get("med_vae", n_iter=2)
    strict.fit(heart, cond=heart["age"])
    with pytest.raises(InvalidDataError, match="min_library_size=5"):
        strict.generate(count=4, cond=[rare])
    loose = Plugins().get("med_vae", n_iter=2, min_library_size=1)
    loose.fit(heart, cond=heart["age"])
    assert (loose.generate(count=4, cond=[rare]).dataframe()["age"] == rare).all()


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


@pytest.mark.parametrize("name", ["med_vae", "ctabgan_plus"])
def test_cond_on_a_column_with_missing_values_is_found(name):
    """Synthcity codes a missing value of a few-level column as a class of its own; the
    check that cond's values are among the classes compared NaN with NaN as different, so
    the column was "no training column"."""
    import pandas as pd
    from synthcity.plugins import Plugins

    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {"age": rng.normal(60, 10, 200).round(1), "y": rng.integers(0, 2, 200).astype(float)}
    )
    data.loc[::10, "y"] = np.nan
    plugin = Plugins().get(name, n_iter=2)
    plugin.fit(data, cond=data["y"])
    generated = plugin.generate(count=20, cond=np.ones(20)).dataframe()
    assert (generated["y"] == 1.0).all()

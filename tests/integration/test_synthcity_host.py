"""Registration in Synthcity 0.2.12, checked through Synthcity's own public entry points."""

import pandas as pd
import pytest

import synth_plugins
from synth_plugins import catalog
from synth_plugins.datasets import load
from synth_plugins.metrics.copies import exact_copies
from synth_plugins.synthcity import register_generators, register_metrics
from synth_plugins.synthcity.loaders import to_dataloader
from synth_plugins.testing import conformance
from tests.support.synthcity_fixtures import BOOTSTRAP, COPY, ROW_COUNT, UNSEEDED


@pytest.fixture(scope="module")
def registered():
    synth_plugins.register()
    register_generators([BOOTSTRAP, UNSEEDED, COPY])
    register_metrics([ROW_COUNT])


@pytest.fixture(scope="module")
def heart():
    dataset = load("heart_failure")
    return dataset, to_dataloader(dataset)


def test_stack_loads_every_shipped_synthcity_plugin():
    from synthcity.plugins import Plugins

    listed = set(Plugins().list())
    # goggle needs dgl, which has no wheel for torch 2.2 (see docs/install.md)
    assert "goggle" not in listed
    for name in ("ctgan", "tvae", "nflow", "survival_gan", "timegan", "great", "ddpm"):
        assert name in listed
    assert len(listed & _builtin_names()) == 27


def _builtin_names():
    from pathlib import Path

    import synthcity.plugins

    root = Path(synthcity.plugins.__file__).parent
    return {p.stem.removeprefix("plugin_") for p in root.glob("*/plugin_*.py")}


def test_registration_is_idempotent_and_survives_new_instances(registered):
    from synthcity.plugins import Plugins

    register_generators([BOOTSTRAP])  # again: no error, still one entry
    for _ in range(2):
        plugins = Plugins()
        assert "sp_test_bootstrap" in plugins.list()
        assert plugins.get("sp_test_bootstrap", jitter=0.05).jitter == 0.05
    assert "sp_test_bootstrap" in Plugins(categories=["generic"]).list()


def test_a_plugin_whose_catalog_entry_lies_raises(registered):
    from dataclasses import replace

    with pytest.raises(TypeError, match="catalog says 'other_name'"):
        register_generators([replace(BOOTSTRAP, name="other_name")])


def test_metric_runs_by_name_and_sees_the_training_data(registered, heart):
    from synthcity.metrics import Metrics

    _, loader = heart
    train, test = loader.train(), loader.test()
    assert "sp_test_rows" in Metrics.list()["stats"]
    scores = Metrics.evaluate(
        test, test, train, metrics={"stats": ["sp_test_rows"]}, use_cache=False
    )
    assert scores.loc["stats.sp_test_rows.train_rows", "mean"] == len(train)
    assert scores.loc["stats.sp_test_rows.gt_rows", "mean"] == len(test)


@pytest.mark.slow
def test_benchmarks_evaluate_runs_registered_plugin_and_metric_by_name(registered, heart, tmp_path):
    from synthcity.benchmark import Benchmarks

    dataset, _ = heart
    results = Benchmarks.evaluate(
        [("ours", "sp_test_bootstrap", {}), ("builtin", "marginal_distributions", {})],
        to_dataloader(dataset, train_size=0.8, random_state=0),
        metrics={"stats": ["sp_test_rows", "jensenshannon_dist"]},
        repeats=1,
        workspace=tmp_path,
    )
    ours = results["ours"]["mean"]
    assert ours["stats.sp_test_rows.train_rows"] == round(0.8 * len(dataset.data))
    assert "stats.jensenshannon_dist.marginal" in results["builtin"].index


class TestConformanceKitItself:
    """The kit must pass a correct plugin and reject a broken one."""

    def test_correct_plugin_passes(self, registered, heart):
        dataset, loader = heart
        conformance.check_synthcity_registration(BOOTSTRAP)
        plugin = conformance.check_synthcity_generate(BOOTSTRAP, dataset, loader)
        conformance.check_synthcity_save_load(BOOTSTRAP, plugin, loader)
        conformance.check_synthcity_determinism(BOOTSTRAP, loader)
        conformance.check_synthcity_bad_input(BOOTSTRAP, loader)

    def test_unseeded_plugin_fails_determinism(self, registered, heart):
        _, loader = heart
        with pytest.raises(AssertionError, match="same random_state"):
            conformance.check_synthcity_determinism(UNSEEDED, loader)

    def test_copy_check_passes_a_bootstrap_and_rejects_a_copier(self, registered):
        conformance.check_synthcity_copies(BOOTSTRAP)
        with pytest.raises(AssertionError, match=r"160 of 160 synthetic rows \(1.000\)"):
            conformance.check_synthcity_copies(COPY)

    def test_repeated_rows_table_collides_at_one_half(self):
        dataset, holdout = conformance.repeated_rows_dataset(BOOTSTRAP)
        result = exact_copies(dataset.data, dataset.data, holdout, roles=dataset.roles)
        assert result.natural_rate == 0.5 and result.reference == "holdout"
        assert exact_copies(holdout, dataset.data).natural_rate == 0.5  # leave-one-out
        assert len(dataset.data) == len(holdout) == 160
        assert dataset.data.drop(columns="record_id").drop_duplicates().shape[0] == 160 - 40

    def test_schema_check_catches_out_of_range_and_unseen_levels(self, heart):
        dataset, _ = heart
        real = dataset.data
        bad = real.copy()
        bad.loc[0, "age"] = real["age"].max() + 10
        with pytest.raises(AssertionError, match="'age' leaves the real range"):
            conformance.assert_same_schema(real, bad, dataset.roles, len(real))
        bad = real.copy().astype({"sex": object})
        bad.loc[0, "sex"] = 7
        with pytest.raises(AssertionError, match="'sex' has unseen levels"):
            conformance.assert_same_schema(real, bad, dataset.roles, len(real))
        with pytest.raises(AssertionError, match="asked for 5 rows"):
            conformance.assert_same_schema(real, real, dataset.roles, 5)
        with pytest.raises(AssertionError, match="columns differ"):
            conformance.assert_same_schema(real, real.iloc[:, 1:], dataset.roles, len(real))
        assert isinstance(real, pd.DataFrame)


@pytest.mark.parametrize("name", [entry.name for entry in catalog.GENERATORS])
def test_fit_refuses_an_array_naming_what_it_takes(registered, name):
    import numpy as np
    from synthcity.plugins import Plugins

    from synth_plugins.errors import InvalidDataError

    with pytest.raises(InvalidDataError, match="got a ndarray"):
        Plugins().get(name).fit(np.zeros((20, 3)))


@pytest.mark.parametrize(
    ("name", "argument", "value", "said"),
    [
        ("med_vae", "n_iter", "abc", "n_iter must be an integer, got 'abc'"),
        ("med_vae", "hidden_2", 0, "hidden_2 must be an integer >= 1, got 0"),
        ("ctabgan_plus", "n_iter", -3, "n_iter must be 'auto' or an integer >= 1, got -3"),
        ("ck4gen", "n_iter", "abc", "n_iter must be an integer, got 'abc'"),
        ("ck4gen", "hidden_3", -1, "hidden_3 must be an integer >= 1, got -1"),
        ("ck4gen", "lr", -1.0, "lr must be > 0.0, got -1.0"),
        ("longitudinal_lstm", "static_n_iter", "x", "static_n_iter must be an integer"),
    ],
)
def test_a_bad_argument_is_refused_at_construction_under_synthcitys_name(
    registered, name, argument, value, said
):
    """The core's check runs when the plugin is made, and names the argument as given.

    The cores call ``n_iter`` ``epochs`` (or ``encoder_epochs``) and ``hidden_1``
    ``hidden[0]``; ck4gen used to check its arguments only at fit.
    """
    from synthcity.plugins import Plugins

    from synth_plugins.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match=f"^{said}") as caught:
        Plugins().get(name, **{argument: value})
    assert caught.value.parameter == argument

"""The suite's metrics inside the hosts' own harnesses: Benchmarks.evaluate and SDGym."""

import pytest

import synth_plugins
from synth_plugins.datasets import load
from synth_plugins.synthcity import register_generators
from synth_plugins.synthcity.loaders import to_dataloader
from tests.support.synthcity_fixtures import BOOTSTRAP, COPY


@pytest.mark.slow
def test_leakage_through_benchmarks_evaluate_flags_a_copying_generator(tmp_path):
    from synthcity.benchmark import Benchmarks

    synth_plugins.register()
    register_generators([BOOTSTRAP, COPY])
    dataset = load("heart_failure")
    results = Benchmarks.evaluate(
        [("copy", "sp_test_copy", {}), ("bootstrap", "sp_test_bootstrap", {})],
        to_dataloader(dataset, train_size=0.8, random_state=0),
        metrics={"privacy": ["hamming_leakage", "dcr_holdout_share"]},
        repeats=1,
        synthetic_size=120,
        workspace=tmp_path,
    )
    copy = results["copy"]["mean"]
    bootstrap = results["bootstrap"]["mean"]
    # Benchmarks passed X_train: distances to the training rows are 0 for copied rows
    assert copy["privacy.hamming_leakage.synthetic_train_exact_matches"] > 0
    assert copy["privacy.hamming_leakage.breach"] == 1.0
    assert copy["privacy.hamming_leakage.coefficient"] > 0.05
    assert (
        bootstrap["privacy.hamming_leakage.coefficient"]
        < copy["privacy.hamming_leakage.coefficient"]
    )
    assert copy["privacy.dcr_holdout_share.score"] > bootstrap["privacy.dcr_holdout_share.score"]
    assert results["copy"].loc["privacy.hamming_leakage.score", "direction"] == "minimize"


@pytest.mark.slow
def test_suite_metrics_run_by_name_in_sdgym_with_a_holdout(tmp_path):
    from synth_plugins.datasets import Dataset
    from synth_plugins.sdgym import run_sdgym

    dataset = load("heart_failure")
    train = dataset.data.sample(frac=0.8, random_state=0)
    holdout = dataset.data.drop(train.index)
    train_only = Dataset(**{**dataset.__dict__, "data": train.reset_index(drop=True)})
    results = run_sdgym(
        [train_only],
        synthesizers=("GaussianCopulaSynthesizer",),
        sdmetrics=["CorrelationL1", "TabSynDex", ("HammingLeakage", {"holdout_data": holdout})],
        root=tmp_path,
    )
    row = results.set_index("Synthesizer").loc["GaussianCopulaSynthesizer"]
    assert 0 <= row["CorrelationL1"] < 10
    assert 0 < row["TabSynDex"] <= 1
    assert row["HammingLeakage"] > -1

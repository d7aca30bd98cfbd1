"""The suite's metrics inside the hosts' own harnesses: Benchmarks.evaluate and SDGym."""

import pandas as pd
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
    assert copy["privacy.hamming_leakage.score"] > 0.05
    assert bootstrap["privacy.hamming_leakage.score"] < copy["privacy.hamming_leakage.score"]
    assert copy["privacy.dcr_holdout_share.score"] > bootstrap["privacy.dcr_holdout_share.score"]
    assert results["copy"].loc["privacy.hamming_leakage.score", "direction"] == "minimize"
    # a few rows per metric: the score and its catalog entry's headline figures
    leakage = [k.removeprefix("privacy.hamming_leakage.") for k in copy.index if "leakage" in k]
    assert leakage == ["score", "breach", "synthetic_train_exact_matches", "real_coefficient"]


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


def _cohort(n: int, seed: int):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.normal(60, 10, n).round(1),
            "region": rng.choice([f"r{i}" for i in range(15)], n),
            "sex": rng.choice(["f", "m"], n),
            "wbc": rng.lognormal(1, 0.3, n),
        }
    )


def test_metrics_evaluate_caches_per_training_table_and_options(tmp_path):
    """Synthcity keys its cache on X_gt and X_syn only: a second call with other training
    data (here: the synthetic rows themselves) or other options must not get the first
    call's result back from the workspace."""
    from synthcity.metrics import Metrics

    from synth_plugins.metrics import aml_fidelity, hamming_leakage
    from synth_plugins.synthcity.metrics import evaluators

    synth_plugins.register()
    train, holdout, synthetic = _cohort(200, 0), _cohort(200, 1), _cohort(200, 2)
    for training in (train, synthetic.copy(), train):
        result = Metrics.evaluate(
            holdout, synthetic, X_train=training,
            metrics={"privacy": ["hamming_leakage"]}, workspace=tmp_path,
        )  # fmt: skip
        expected = hamming_leakage(training, holdout, synthetic).score
        assert result.loc["privacy.hamming_leakage.score", "mean"] == pytest.approx(expected)
    cls = evaluators.AmlFidelityEvaluator
    try:
        for options in ({}, {"num_bins": 2}):
            cls.options = options
            result = Metrics.evaluate(
                holdout, synthetic, metrics={"stats": ["aml_fidelity"]}, workspace=tmp_path
            )
            expected = aml_fidelity(holdout, synthetic, **options).score
            assert result.loc["stats.aml_fidelity.score", "mean"] == pytest.approx(expected)
    finally:
        cls.options = {}


def test_text_columns_keep_their_role_through_synthcitys_encoding(tmp_path):
    """Synthcity label-encodes text before the evaluators see it; a text column of 15
    levels must still be scored as categorical, as the core and SDMetrics score it."""
    from synthcity.metrics import Metrics

    from synth_plugins.metrics import aml_fidelity
    from synth_plugins.sdmetrics import AmlFidelity

    synth_plugins.register()
    real, synthetic = _cohort(200, 0), _cohort(200, 1)
    result = Metrics.evaluate(
        real, synthetic, metrics={"stats": ["aml_fidelity"]}, workspace=tmp_path
    )
    core = aml_fidelity(real, synthetic).score
    assert AmlFidelity.compute(real, synthetic) == pytest.approx(core)
    assert result.loc["stats.aml_fidelity.score", "mean"] == pytest.approx(core)


def test_metrics_evaluate_scores_the_callers_tables_not_synthcitys_codes(tmp_path):
    """Metrics.evaluate label-encodes a number column with fewer than 15 values, a missing
    value becoming the largest code, and samples as many rows of each table as the smaller
    has; the suite's evaluators score the caller's values of the sampled rows, so the
    figures are the core's on those rows (correlation_l1 read 1.03 where the core read 0.50).
    """
    import numpy as np
    from synthcity.metrics import Metrics
    from synthcity.plugins.core.dataloader import GenericDataLoader

    from synth_plugins.metrics import aml_fidelity, correlation_l1, table_one

    synth_plugins.register()
    real, synthetic = _cohort(200, 0), _cohort(260, 1)
    for frame, seed in ((real, 3), (synthetic, 4)):  # 13 odd values: numeric to the suite
        frame["grade"] = 2.0 * np.random.default_rng(seed).integers(0, 13, len(frame)) + 1
    synthetic.loc[::4, "grade"] = np.nan
    metrics = {"stats": ["correlation_l1", "table_one", "aml_fidelity"]}
    result = Metrics.evaluate(real, synthetic, metrics=metrics, workspace=tmp_path)
    # the rows Synthcity's sample takes (seeded), with the caller's values
    real_rows, synthetic_rows = (
        GenericDataLoader(frame).sample(200).dataframe() for frame in (real, synthetic)
    )
    for name, core in (
        ("correlation_l1", correlation_l1),
        ("table_one", table_one),
        ("aml_fidelity", aml_fidelity),
    ):
        expected = core(real_rows, synthetic_rows).score
        assert result.loc[f"stats.{name}.score", "mean"] == pytest.approx(expected), name


def test_metrics_evaluate_gives_the_cores_figure_on_the_callers_rows_in_their_order(tmp_path):
    """Synthcity shuffles the rows it hands an evaluator; TabSynDex's seeded model split
    reads rows in order, so a shuffled copy moved its figure (0.829 against the core's
    0.830 on the same rows). The evaluators take the caller's rows in the caller's order."""
    from synthcity.metrics import Metrics
    from synthcity.plugins.core.dataloader import GenericDataLoader

    from synth_plugins.metrics import tabsyndex

    synth_plugins.register()
    data = load("heart_failure").data
    real, synthetic = data.iloc[:120].reset_index(drop=True), data.iloc[120:240]
    synthetic = synthetic.reset_index(drop=True)
    loaders = [GenericDataLoader(f, target_column="DEATH_EVENT") for f in (real, synthetic)]
    result = Metrics.evaluate(
        *loaders,
        metrics={"stats": ["tabsyndex"]},
        task_type="classification",
        use_cache=False,
        workspace=tmp_path,
    )
    core = tabsyndex(real, synthetic, target_column="DEATH_EVENT")
    assert result.loc["stats.tabsyndex.score", "mean"] == pytest.approx(core.score, abs=1e-12)


def test_loaders_naming_another_outcome_column_are_refused(tmp_path):
    """A GenericDataLoader without target_column takes its last column: a synthetic table
    in another column order would have had the metric read another outcome, silently."""
    from synthcity.metrics import Metrics
    from synthcity.plugins.core.dataloader import GenericDataLoader

    from synth_plugins.errors import InvalidDataError

    synth_plugins.register()
    real, synthetic = _cohort(100, 0), _cohort(100, 1)
    holdout = GenericDataLoader(real, target_column="sex")
    reordered = GenericDataLoader(synthetic[["sex", "age", "region", "wbc"]])
    with pytest.raises(InvalidDataError, match="X_syn has target_column='wbc' where X_gt has"):
        Metrics.evaluate(
            holdout, reordered, metrics={"performance": ["model_understanding"]},
            workspace=tmp_path,
        )  # fmt: skip


@pytest.mark.parametrize(
    "change, match",
    [
        (
            lambda f: f.assign(region=f["region"].astype("string").where(f.index % 5 > 0)),
            "X_gt: column 'region' is string with missing values",
        ),
        (
            lambda f: f.assign(region=f["region"].where(f.index % 5 > 0, 7)),
            "X_gt and X_syn: column 'region' mixes text",
        ),
        (
            lambda f: f.assign(
                seen=pd.Timestamp("2020-01-01", tz="Europe/Berlin") + pd.to_timedelta(f.index, "D")
            ),
            "X_gt and X_syn: column 'seen' holds time-zone-aware dates",
        ),
        (
            lambda f: f.rename(columns={"wbc": "age"}),
            "X_gt has column labels that read the same as text: 'age' and 'age'",
        ),
    ],
    ids=["string-with-missing", "text-and-numbers", "zoned-dates", "repeated-labels"],
)
def test_columns_synthcitys_encoders_stop_on_are_named(tmp_path, change, match):
    """Synthcity's own encoding stops on these before any evaluator runs, naming no column."""
    from synthcity.metrics import Metrics

    from synth_plugins.errors import InvalidDataError

    synth_plugins.register()
    real, synthetic = _cohort(100, 0), _cohort(100, 1)
    with pytest.raises(InvalidDataError, match=match):
        Metrics.evaluate(
            change(real), change(synthetic), metrics={"stats": ["correlation_l1"]},
            workspace=tmp_path,
        )  # fmt: skip


def test_what_synthcity_encodes_is_not_refused(tmp_path):
    """Refusals are for what Synthcity cannot encode: a few zoned dates are label-encoded,
    and X_train may name another target than X_gt (the suite reads X_gt's); text in one
    table against numbers in the other is refused, naming the column."""
    from synthcity.metrics import Metrics
    from synthcity.plugins.core.dataloader import GenericDataLoader

    from synth_plugins.errors import InvalidDataError

    synth_plugins.register()
    real, synthetic, train = _cohort(100, 0), _cohort(100, 1), _cohort(100, 2)
    zone = pd.Timestamp("2020-01-01", tz="Europe/Berlin")
    few = {"seen": lambda f: zone + pd.to_timedelta(f.index % 5, "D")}
    result = Metrics.evaluate(
        real.assign(**few), synthetic.assign(**few), metrics={"stats": ["correlation_l1"]},
        workspace=tmp_path,
    )  # fmt: skip
    assert "stats.correlation_l1.score" in result.index
    result = Metrics.evaluate(
        GenericDataLoader(real, target_column="sex"),
        GenericDataLoader(synthetic, target_column="sex"),
        X_train=GenericDataLoader(train),
        metrics={"privacy": ["dcr_holdout_share"]},
        workspace=tmp_path,
    )
    assert "privacy.dcr_holdout_share.score" in result.index
    codes = synthetic.assign(sex=(synthetic["sex"] == "m").astype(int))
    with pytest.raises(InvalidDataError, match="X_gt and X_syn: column 'sex' mixes text"):
        Metrics.evaluate(real, codes, metrics={"stats": ["correlation_l1"]}, workspace=tmp_path)


def test_every_figure_on_request(tmp_path, monkeypatch):
    """``Metrics.evaluate`` shows a metric's headline; ``all_figures`` shows its whole result
    (from the same cache entry: the cache holds every figure)."""
    from synthcity.metrics import Metrics

    from synth_plugins import catalog
    from synth_plugins.metrics import correlation_l1
    from synth_plugins.synthcity.metrics.evaluators import SuiteEvaluator

    synth_plugins.register()
    dataset = load("heart_failure")
    loader = to_dataloader(dataset)

    def figures() -> list[str]:
        result = Metrics.evaluate(
            loader, loader, metrics={"stats": ["correlation_l1"]}, workspace=tmp_path
        )
        return [k.removeprefix("stats.correlation_l1.") for k in result.index]

    assert figures() == ["score", *catalog.metric("correlation_l1").headline_figures]
    monkeypatch.setattr(SuiteEvaluator, "all_figures", True)
    assert figures() == list(correlation_l1(dataset.data, dataset.data).to_dict())

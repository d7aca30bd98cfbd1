"""A suite metric that fails inside Synthcity's Metrics.evaluate tells the user why.

Synthcity catches the error, logs it to a silent logger and drops the metric's rows; the
suite warns (visible by default) with the metric's key and the reason, and lists the
reasons in the result's ``attrs["failed_metrics"]``.
"""

import warnings

import pytest

import synth_plugins
from synth_plugins.datasets import load
from synth_plugins.synthcity.loaders import to_dataloader
from synth_plugins.synthcity.metrics.context import MetricFailedWarning


@pytest.fixture(scope="module")
def loaders():
    synth_plugins.register()
    data = load("heart_failure")
    return to_dataloader(data, train_size=0.5, random_state=0)


@pytest.mark.parametrize(
    ("privacy", "message"),
    [
        (["hamming_leakage"], r"^hamming_leakage needs the generator's training data: .*X_train="),
        # Synthcity also takes one name as a string; it was read letter by letter and skipped
        ("hamming_leakage", r"^hamming_leakage needs the generator's training data: "),
        (
            ["hamming_leakage", "dcr_holdout_share"],
            r"^hamming_leakage, dcr_holdout_share need the generator's training data: ",
        ),
    ],
)
def test_missing_training_data_is_refused_before_synthcity_starts(
    loaders, tmp_path, privacy, message
):
    """Without X_train the metric's rows would be dropped: the call is refused up front."""
    from synthcity.metrics import Metrics

    from synth_plugins.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match=message):
        Metrics.evaluate(
            loaders.test(),
            loaders.train(),
            metrics={"privacy": privacy, "stats": ["correlation_l1"]},
            workspace=tmp_path,
        )


def test_a_failure_is_shown_although_synthcity_ignores_every_warning(loaders, tmp_path):
    from synthcity.metrics import Metrics

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")  # what importing Synthcity's dependencies does
        result = Metrics.evaluate(
            loaders.test(),
            loaders.train(),
            metrics={"stats": ["km_survival_scores", "correlation_l1"]},
            workspace=tmp_path,
        )
    told = [str(w.message) for w in caught if issubclass(w.category, MetricFailedWarning)]
    assert len(told) == 1 and "stats.km_survival_scores" in told[0]
    assert "stats.correlation_l1.score" in result.index  # the other metric still ran
    assert set(result.attrs["failed_metrics"]) == {"stats.km_survival_scores"}


def test_a_survival_metric_on_a_generic_loader_names_the_loader_it_needs(loaders, tmp_path):
    """``Metrics.evaluate`` takes no duration or event argument: the message said
    "needs duration_column", which a Synthcity user cannot pass; it now names the loader.
    The warning points at this file's call, not at a line of the suite or Synthcity."""
    from synthcity.metrics import Metrics

    with pytest.warns(
        MetricFailedWarning, match=r"stats\.km_survival_scores.*SurvivalAnalysis"
    ) as told:
        result = Metrics.evaluate(
            loaders.test(),
            loaders.train(),
            metrics={"stats": ["km_survival_scores"]},
            workspace=tmp_path,
        )
    assert "time_to_event_column" in result.attrs["failed_metrics"]["stats.km_survival_scores"]
    assert [w.filename for w in told] == [__file__]


def test_a_successful_call_warns_nothing_and_lists_no_failure(loaders, tmp_path):
    from synthcity.metrics import Metrics

    with warnings.catch_warnings():
        warnings.simplefilter("error", MetricFailedWarning)
        result = Metrics.evaluate(
            loaders.test(),
            loaders.train(),
            metrics={"stats": ["correlation_l1"]},
            workspace=tmp_path,
        )
    assert result.attrs["failed_metrics"] == {}


def test_direct_evaluator_calls_raise_without_a_warning(loaders, tmp_path):
    from synth_plugins.errors import InvalidParameterError
    from synth_plugins.synthcity.metrics.evaluators import HammingLeakageEvaluator

    with warnings.catch_warnings():
        warnings.simplefilter("error", MetricFailedWarning)
        with pytest.raises(InvalidParameterError, match="X_train"):
            HammingLeakageEvaluator(workspace=tmp_path).evaluate(loaders.test(), loaders.train())


def test_a_count_in_the_message_says_it_is_of_synthcitys_sample(tmp_path):
    """Metrics.evaluate samples as many rows of each table as the smaller has: a message
    counting 137 rows of a 548-row synthetic table says so."""
    from synthcity.metrics import Metrics
    from synthcity.plugins.core.dataloader import SurvivalAnalysisDataLoader

    synth_plugins.register()
    split = to_dataloader(load("gbsg2"), train_size=0.8, random_state=0)
    info = split.train().info()
    censored = split.train().dataframe().assign(**{info["target_column"]: 0})
    synthetic = SurvivalAnalysisDataLoader(
        censored,
        target_column=info["target_column"],
        time_to_event_column=info["time_to_event_column"],
    )
    with pytest.warns(MetricFailedWarning, match=r"censored.*of the 548 rows of X_syn"):
        Metrics.evaluate(
            split.test(),
            synthetic,
            metrics={"stats": ["hazard_ratio_alignment"]},
            task_type="survival_analysis",
            workspace=tmp_path,
        )


def test_benchmarks_refuse_survival_augmentation_before_fitting(tmp_path):
    """Benchmarks.evaluate runs every metric named '...augmentation...' as its fairness
    pipeline: without a fairness column the whole run's metrics were lost (one CRITICAL
    log line), after the generators had been fitted."""
    from synthcity.benchmark import Benchmarks

    from synth_plugins.errors import InvalidParameterError

    loader = to_dataloader(load("gbsg2"), train_size=0.8, random_state=0)
    with pytest.raises(InvalidParameterError, match="cannot run in Synthcity's Benchmarks"):
        Benchmarks.evaluate(
            [("ck", "ck4gen", {"n_iter": 1})],
            loader,
            task_type="survival_analysis",
            metrics={"performance": ["survival_augmentation"]},
            repeats=1,
            workspace=tmp_path,
        )
    assert not any(tmp_path.iterdir())  # refused before any fit

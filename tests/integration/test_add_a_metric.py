"""The "Adding a metric" guide of docs/architecture.md, followed literally with a toy metric.

Step 1 writes a core module (in a temporary package on ``sys.path``), step 2 adds its entry
to ``catalog.METRICS``; nothing else is written. The metric must then run by name in
Synthcity's ``Metrics.evaluate``, exist as an SDMetrics class found by name, and pass the
metric conformance kit.
"""

import textwrap
from dataclasses import replace

import pandas as pd
import pytest

import synth_plugins
from synth_plugins import catalog
from synth_plugins.catalog import MetricEntry
from synth_plugins.datasets import load
from synth_plugins.errors import InvalidParameterError
from synth_plugins.metrics.dispatch import core_parameters, evaluate_metric
from synth_plugins.testing import metric_conformance as kit

#: step 1: the core, a function named like the metric returning a result with a score
CORE = '''
"""Toy metric: mean absolute difference of the numeric columns' means, in real SDs."""

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class MeanGapResult:
    """The standardised gap of every numeric column's mean, and their mean (the score)."""

    gaps: dict

    @property
    def score(self) -> float:
        return float(sum(self.gaps.values()) / len(self.gaps))

    def to_dict(self) -> dict:
        return {"score": self.score, **{f"gap_{k}": v for k, v in self.gaps.items()}}


def mean_gap(real: pd.DataFrame, synthetic: pd.DataFrame, *, scale: float = 1.0):
    numeric = real.select_dtypes("number").columns
    spread = real[numeric].std().replace(0.0, 1.0)
    gaps = ((real[numeric].mean() - synthetic[numeric].mean()).abs() / spread) * scale
    return MeanGapResult({k: float(v) for k, v in gaps.items()})
'''

#: step 2: the catalog entry
ENTRY = MetricEntry(
    name="toy_mean_gap",
    title="Toy mean gap",
    summary="Mean standardised gap between real and synthetic column means",
    synthcity_type="stats",
    core="toy_metrics.mean_gap:mean_gap",
    direction="minimize",
    min_value=0.0,
    max_value=float("inf"),
    description="Mean absolute difference of the numeric columns' means, in real SDs.",
    sdmetrics_name="ToyMeanGap",
    ideal=0.0,
    headline_figures=("gap_age",),
)


@pytest.fixture
def toy_metric(tmp_path, monkeypatch):
    """The toy module and entry added as the guide says; every registry restored after."""
    import synthcity.metrics.eval as synthcity_eval

    import synth_plugins.sdmetrics as sdmetrics_module

    package = tmp_path / "toy_metrics"
    package.mkdir()
    (package / "__init__.py").write_text('"""Toy metrics."""\n')
    (package / "mean_gap.py").write_text(textwrap.dedent(CORE))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(catalog, "METRICS", (*catalog.METRICS, ENTRY))
    # undo what registration does: Synthcity's list, the SDMetrics namespace
    monkeypatch.setattr(synthcity_eval, "standard_metrics", list(synthcity_eval.standard_metrics))
    monkeypatch.setattr(sdmetrics_module, ENTRY.sdmetrics_name, None, raising=False)
    monkeypatch.setattr(sdmetrics_module, "__all__", list(sdmetrics_module.__all__))
    synth_plugins.register()
    return ENTRY


@pytest.fixture(scope="module")
def heart():
    return load("heart_failure")


def test_the_toy_metric_runs_by_name_in_synthcity(toy_metric, heart, tmp_path):
    from synthcity.metrics import Metrics

    from synth_plugins.synthcity.loaders import to_dataloader

    assert "toy_mean_gap" in Metrics.list()["stats"]
    loader = to_dataloader(heart)
    scores = Metrics.evaluate(
        loader,
        loader,
        metrics={"stats": ["toy_mean_gap"]},
        workspace=tmp_path,
        use_cache=False,
    )
    assert scores.loc["stats.toy_mean_gap.score", "mean"] == pytest.approx(0.0)
    assert scores.loc["stats.toy_mean_gap.score", "direction"] == "minimize"
    assert "stats.toy_mean_gap.gap_age" in scores.index


def test_the_toy_metric_is_an_sdmetrics_class(toy_metric, heart):
    from sdmetrics.goal import Goal
    from sdmetrics.single_table import SingleTableMetric

    import synth_plugins.sdmetrics

    cls = SingleTableMetric.get_subclasses()["ToyMeanGap"]
    assert synth_plugins.sdmetrics.ToyMeanGap is cls
    assert "ToyMeanGap" in synth_plugins.sdmetrics.__all__
    assert (cls.goal, cls.min_value, cls.max_value) == (Goal.MINIMIZE, 0.0, float("inf"))
    real = heart.data
    shifted = real.assign(age=real["age"] + real["age"].std())
    breakdown = cls.compute_breakdown(real, shifted, scale=2.0)
    assert breakdown["gap_age"] == pytest.approx(2.0)
    assert cls.compute(real, real) == pytest.approx(0.0)


def test_the_toy_metric_passes_the_conformance_kit(toy_metric, heart):
    kit.check_metric_declaration(toy_metric)
    kit.check_metric_registration(toy_metric)
    data = kit.metric_data(heart)
    scores = kit.check_metric_range_and_direction(toy_metric, data)
    assert scores["copy"] == pytest.approx(0.0)
    kit.check_metric_bad_input(toy_metric, data)


def test_a_wrong_entry_or_option_is_refused_with_its_name(toy_metric):
    renamed = replace(toy_metric, arguments={"real": "reference"})
    with pytest.raises(InvalidParameterError, match="arguments maps 'real' to 'reference'"):
        core_parameters(renamed)
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    with pytest.raises(InvalidParameterError, match=r"no option \['num_bins'\]"):
        evaluate_metric(toy_metric, frame, frame, num_bins=3)

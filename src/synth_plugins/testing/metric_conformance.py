"""The conformance kit for metrics: what every metric must do in every host.

The checks use three real tables from one dataset (``train``, ``holdout``, ``fresh``, all
disjoint) and two reference "generators": one that copies the training rows and one that
draws every column uniformly over its range or levels.

- declaration: the catalog entry matches its core's parameters (what it needs reaches the
  core; no host code is involved, since both hosts' classes are derived from the entry);

Through the host APIs only:

- registration: listed by Synthcity under its category with the catalog's direction, and
  found by name among SDMetrics' single-table metrics with the same goal and range;
- range and direction: no score is NaN and every one is inside ``[min_value, max_value]``;
  SDMetrics' ``normalize`` lands in [0, 1]; a fidelity metric scores a copy of the real
  data at least as well as uniform noise, and a privacy metric scores fresh real rows
  better than a copy of the training rows;
- bad input: mismatched columns and empty tables fail with an error naming the problem
  (the full bad-input matrix over every host is :mod:`synth_plugins.testing.metric_matrix`);
- headline: each of the entry's ``headline_figures`` names a figure of the core's result,
  and the figures Synthcity shows for the metric stay few (:data:`MAX_HEADLINE`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins import catalog
from synth_plugins.catalog import MetricEntry
from synth_plugins.datasets import Dataset
from synth_plugins.errors import SynthPluginsError
from synth_plugins.metrics.dispatch import core_parameters, evaluate_metric

#: Options that keep the kit quick (fewer repeated model fits); the defaults are tested
#: by each metric's own unit tests.
KIT_OPTIONS: dict[str, dict[str, Any]] = {"survival_augmentation": {"seeds": 2}}
#: The most rows one metric may add to Synthcity's ``Metrics.evaluate`` table (``score``
#: and its headline figures), so that a call with a dozen metrics still reads on a screen
#: or two: longitudinal fidelity's 13 parts take 14, Anonymeter's four attacks with their
#: intervals 13.
MAX_HEADLINE = 14


@dataclass(frozen=True)
class MetricData:
    """Disjoint real splits and the two reference synthetic tables."""

    train: pd.DataFrame
    holdout: pd.DataFrame
    fresh: pd.DataFrame
    copy: pd.DataFrame
    uniform: pd.DataFrame
    survival_columns: dict[str, Any]
    target_column: str | None = None


def metric_data(dataset: Dataset, seed: int = 0) -> MetricData:
    """Split ``dataset`` in three equal disjoint parts and build the reference tables."""
    rng = np.random.default_rng(seed)
    shuffled = dataset.data.iloc[rng.permutation(len(dataset.data))].reset_index(drop=True)
    train, holdout, fresh = np.array_split(shuffled, 3)
    uniform = pd.DataFrame(index=range(len(train)))
    for column in train.columns:
        observed = dataset.data[column].dropna()
        if dataset.roles.get(column) in ("numerical", "integer"):
            values = rng.uniform(observed.min(), observed.max(), len(train))
            uniform[column] = np.round(values) if dataset.roles[column] == "integer" else values
        else:
            uniform[column] = rng.choice(observed.unique(), len(train))
    survival_columns = {}
    if dataset.duration_column:
        survival_columns = {
            "duration_column": dataset.duration_column,
            "event_column": dataset.event_column,
        }
    return MetricData(
        train.reset_index(drop=True),
        holdout.reset_index(drop=True),
        fresh.reset_index(drop=True),
        train.reset_index(drop=True).copy(),
        uniform.astype(train.dtypes.to_dict()),
        survival_columns,
        dataset.target,
    )


def _sdmetrics_class(entry: MetricEntry) -> Any:
    from sdmetrics.single_table import SingleTableMetric

    import synth_plugins.sdmetrics  # noqa: F401 - defines the classes

    return SingleTableMetric.get_subclasses()[entry.sdmetrics_name]


def _synthcity_class(entry: MetricEntry) -> Any:
    """The evaluator Synthcity's ``Metrics.evaluate`` runs for ``entry``."""
    from synthcity.metrics.eval import standard_metrics

    found = [
        m for m in standard_metrics if (m.type(), m.name()) == (entry.synthcity_type, entry.name)
    ]
    assert len(found) == 1, f"{entry.synthcity_key}: {len(found)} evaluators in Synthcity's list"
    return found[0]


def check_metric_declaration(entry: MetricEntry) -> None:
    """The catalog entry matches its core: every input it needs reaches a core parameter.

    The core must take the holdout exactly when the entry needs one, an outcome or the
    survival columns when it needs them, and every required parameter must be a host
    input (see :func:`synth_plugins.metrics.dispatch.core_parameters`, which raises).
    """
    assert callable(catalog.resolve(entry.core)), f"{entry.core} is not callable"
    sources = {source for source, _ in core_parameters(entry).values() if source}
    wanted = {
        "holdout": {"holdout"},
        "target": {"target_column"},
        "survival": {"duration_column", "real_duration"},
    }
    for need, inputs in wanted.items():
        takes = bool(sources & inputs)
        if need == "holdout":
            assert takes == (need in entry.needs), (
                f"{entry.name}: needs holdout is {need in entry.needs}, but the core "
                f"{'takes' if takes else 'has no parameter for'} a holdout"
            )
        elif need in entry.needs:
            assert takes, f"{entry.name} needs {need}, but {entry.core} takes none of {inputs}"
    assert entry.min_value < entry.max_value, f"{entry.name}: empty range"
    if entry.ideal is not None:
        assert entry.min_value <= entry.ideal <= entry.max_value, f"{entry.name}: ideal"


def _options(entry: MetricEntry, data: MetricData) -> dict[str, Any]:
    options = dict(KIT_OPTIONS.get(entry.name, {}))
    if "survival" in entry.needs:
        options.update(data.survival_columns)
    if "target" in entry.needs:
        options["target_column"] = data.target_column
    return options


def _score(entry: MetricEntry, data: MetricData, synthetic: pd.DataFrame) -> float:
    cls = _sdmetrics_class(entry)
    holdout = data.holdout if "holdout" in entry.needs else None
    return cls.compute(data.train, synthetic, holdout_data=holdout, **_options(entry, data))


def check_metric_registration(entry: MetricEntry) -> None:
    """Listed in both hosts under the same name, category, direction and range."""
    from sdmetrics.goal import Goal
    from synthcity.metrics import Metrics

    assert entry.name in Metrics.list().get(entry.synthcity_type, []), (
        f"{entry.name!r} not listed by Synthcity under {entry.synthcity_type!r}"
    )
    evaluator = _synthcity_class(entry)
    assert evaluator.direction() == entry.direction, "Synthcity direction != catalog entry"
    cls = _sdmetrics_class(entry)
    expected = Goal.MAXIMIZE if entry.direction == "maximize" else Goal.MINIMIZE
    assert cls.goal == expected, f"SDMetrics goal {cls.goal} != {expected}"
    assert (cls.min_value, cls.max_value) == (entry.min_value, entry.max_value)


def check_metric_range_and_direction(entry: MetricEntry, data: MetricData) -> dict[str, float]:
    """Scores are never NaN, stay in the declared range, normalise to [0, 1], rank right."""
    cls = _sdmetrics_class(entry)
    scores = {
        name: _score(entry, data, synthetic)
        for name, synthetic in (
            ("copy", data.copy),
            ("fresh", data.fresh),
            ("uniform", data.uniform),
        )
    }
    for name, score in scores.items():
        assert np.isfinite(score), f"{entry.name} on the {name} table is {score}"
        assert entry.min_value <= score <= entry.max_value, (
            f"{entry.name} on the {name} table is {score}, outside "
            f"[{entry.min_value}, {entry.max_value}]"
        )
        assert 0.0 <= cls.normalize(score) <= 1.0, f"normalize({score}) leaves [0, 1]"
    better = (lambda a, b: a >= b) if entry.direction == "maximize" else (lambda a, b: a <= b)
    if entry.synthcity_type == "privacy":
        assert better(scores["fresh"], scores["copy"]), (
            f"{entry.name}: fresh real rows ({scores['fresh']}) do not score better than a "
            f"copy of the training rows ({scores['copy']})"
        )
    else:
        assert better(scores["copy"], scores["uniform"]), (
            f"{entry.name}: a copy of the real data ({scores['copy']}) does not score at "
            f"least as well as uniform noise ({scores['uniform']})"
        )
    return scores


def check_metric_bad_input(entry: MetricEntry, data: MetricData) -> None:
    """Mismatched columns and empty tables fail with an error that names the problem."""
    cls = _sdmetrics_class(entry)
    holdout = data.holdout if "holdout" in entry.needs else None
    options = _options(entry, data)
    dropped = next(c for c in data.train.columns if c not in options.values())
    cases = {
        "mismatched columns": (data.train, data.copy.drop(columns=[dropped])),
        "empty synthetic table": (data.train, data.copy.iloc[:0]),
    }
    for what, (real, synthetic) in cases.items():
        try:
            cls.compute(real, synthetic, holdout_data=holdout, **options)
        except SynthPluginsError as error:
            assert str(error), f"{entry.name}: the error for {what} has no message"
        else:
            raise AssertionError(f"{entry.name}: {what} did not raise")


def check_metric_headline(entry: MetricEntry, data: MetricData) -> None:
    """Each headline figure is a figure of the core's result; they are few, ``score`` first.

    A misspelt name in ``headline_figures`` would silently drop that figure from Synthcity.
    Checked on the core's result (what the evaluator filters), not through Synthcity.
    """
    holdout = data.holdout if "holdout" in entry.needs else None
    options = _options(entry, data)
    figures = evaluate_metric(entry, data.train, data.fresh, holdout=holdout, **options).to_dict()
    optional = set(entry.headline_figures) - set(figures)
    # a survival model the call did not run is the only figure a result may lack
    missing = {name for name in optional if not name.startswith(catalog.SURVIVAL_MODELS)}
    assert not missing, (
        f"{entry.name}: headline figures {sorted(missing)} are none of the core's {sorted(figures)}"
    )
    shown = entry.headline(figures)
    assert next(iter(shown)) == "score", f"{entry.name}: score is not the first figure"
    assert len(shown) <= MAX_HEADLINE, f"{entry.name}: {len(shown)} headline figures"

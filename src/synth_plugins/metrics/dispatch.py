"""One entry point that maps host inputs onto each metric core's own signature.

Hosts hand a metric a real table, a synthetic table and sometimes more (a holdout, the
target column, the survival columns, which columns are categorical). Each core takes what
its method needs; :func:`evaluate_metric` does the mapping once, so the Synthcity and
SDMetrics adapters stay a few lines each and cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from synth_plugins.errors import InvalidParameterError, UnknownNameError
from synth_plugins.metrics import (
    METRIC_INFOS,
    aml_fidelity,
    correlation_l1,
    dcr_holdout_share,
    hamming_leakage,
    km_survival_scores,
    tabsyndex,
)
from synth_plugins.metrics._validation import align_columns, check_frame

#: Metrics that compare synthetic data with the training data *and* a holdout.
HOLDOUT_METRICS = frozenset({"hamming_leakage", "dcr_holdout_share"})
#: Metrics that read a duration and an event column.
SURVIVAL_METRICS = frozenset({"km_survival_scores"})
_MAX_CLASS_LEVELS = 20


def needs_holdout(name: str) -> bool:
    """Whether the metric needs a holdout besides the real (training) table."""
    return name in HOLDOUT_METRICS


def evaluate_metric(
    name: str,
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    holdout: pd.DataFrame | None = None,
    categorical_columns: Iterable[str] | None = None,
    target_column: str | None = None,
    duration_column: str | None = None,
    event_column: str | None = None,
    **params: Any,
) -> Any:
    """Compute the suite metric ``name`` and return its result object.

    Args:
        name: a suite metric name (``synth_plugins.metrics.METRIC_INFOS``).
        real: the real table; for the privacy metrics, the generator's training data.
            Every table must have the real table's columns (an error names the difference).
        synthetic: the synthetic table.
        holdout: real rows the generator did not see (privacy metrics only).
        categorical_columns: the nominal columns; None lets the metric infer them.
        target_column: the outcome for TabSynDex's ML efficacy (classification when it is
            categorical or has at most 20 levels, regression otherwise).
        duration_column: the follow-up time column (``km_survival_scores``).
        event_column: the event indicator column (``km_survival_scores``).
        **params: the core function's own options (e.g. ``num_bins``, ``threshold``).
    """
    if name not in METRIC_INFOS:
        raise UnknownNameError("metric", name, METRIC_INFOS)
    check_frame(real, "real")
    check_frame(synthetic, "synthetic")
    synthetic = align_columns(real, synthetic, "real", "synthetic")
    if holdout is not None:
        holdout = align_columns(real, check_frame(holdout, "holdout"), "real", "holdout")
    categorical = None if categorical_columns is None else list(categorical_columns)
    if name in HOLDOUT_METRICS:
        if holdout is None:
            raise InvalidParameterError(
                f"{name} compares synthetic data with the generator's training data and a "
                "holdout it never saw; pass the holdout (Synthcity: Metrics.evaluate(X_gt="
                "holdout, X_syn, X_train=training data); SDMetrics/SDGym: holdout_data=...)"
            )
        core = hamming_leakage if name == "hamming_leakage" else dcr_holdout_share
        return core(real, holdout, synthetic, categorical_columns=categorical, **params)
    if name in SURVIVAL_METRICS:
        for argument, column in (
            ("duration_column", duration_column),
            ("event_column", event_column),
        ):
            if column is None or column not in real.columns or column not in synthetic.columns:
                raise InvalidParameterError(
                    f"{name} needs {argument}: the name of a column present in both tables "
                    f"(got {column!r}; columns are {list(real.columns)})"
                )
        return km_survival_scores(
            real[duration_column],
            real[event_column],
            synthetic[duration_column],
            synthetic[event_column],
            **params,
        )
    if name == "tabsyndex":
        if target_column is not None and "task" not in params:
            params["task"] = _task(real[target_column], categorical)
        return tabsyndex(
            real, synthetic, categorical_columns=categorical, target_column=target_column, **params
        )
    core = aml_fidelity if name == "aml_fidelity" else correlation_l1
    return core(real, synthetic, categorical_columns=categorical, **params)


def _task(target: pd.Series, categorical: list[str] | None) -> str:
    """``"class"`` for a categorical or few-level target, else ``"regr"``."""
    if categorical is not None and target.name in categorical:
        return "class"
    numeric = pd.api.types.is_numeric_dtype(target) and not pd.api.types.is_bool_dtype(target)
    return "regr" if numeric and target.nunique() > _MAX_CLASS_LEVELS else "class"

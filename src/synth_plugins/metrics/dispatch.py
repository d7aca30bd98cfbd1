"""One entry point that maps host inputs onto each metric core's own signature.

Hosts hand a metric a real table, a synthetic table and sometimes more (a holdout, the
target column, the survival columns, which columns are categorical). Each core takes what
its method needs; :func:`evaluate_metric` does the mapping once, so the Synthcity and
SDMetrics adapters stay a few lines each and cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from synth_plugins.errors import InvalidParameterError, UnknownNameError
from synth_plugins.metrics import (
    METRIC_INFOS,
    aml_fidelity,
    anonymeter_risk,
    correlation_l1,
    dcr_holdout_share,
    effect_agreement,
    hamming_leakage,
    hazard_ratio_alignment,
    km_survival_scores,
    model_understanding,
    survival_augmentation,
    table_one,
    tabsyndex,
)
from synth_plugins.metrics._validation import align_columns, check_frame

_MAX_CLASS_LEVELS = 20


@dataclass(frozen=True)
class Inputs:
    """Everything a host can hand over, already checked and aligned."""

    real: pd.DataFrame
    synthetic: pd.DataFrame
    holdout: pd.DataFrame | None
    categorical: list[str] | None
    target_column: str | None
    duration_column: str
    event_column: str


@dataclass(frozen=True)
class _Route:
    """What a metric needs besides real and synthetic data, and how to call its core."""

    call: Callable[[Inputs, dict[str, Any]], Any]
    holdout: bool = False
    survival: bool = False
    target: bool = False


def _tabsyndex(x: Inputs, params: dict[str, Any]) -> Any:
    if x.target_column is not None and "task" not in params:
        params["task"] = _task(x.real[x.target_column], x.categorical)
    return tabsyndex(
        x.real,
        x.synthetic,
        categorical_columns=x.categorical,
        target_column=x.target_column,
        **params,
    )


def _effect_agreement(x: Inputs, params: dict[str, Any]) -> Any:
    """Hazard ratios when the host names survival columns, odds ratios otherwise."""
    if x.duration_column and x.event_column:
        params.setdefault("duration_column", x.duration_column)
        params.setdefault("event_column", x.event_column)
    elif x.target_column is not None:
        params.setdefault("target_column", x.target_column)
    return effect_agreement(x.real, x.synthetic, categorical_columns=x.categorical, **params)


_ROUTES: dict[str, _Route] = {
    "hamming_leakage": _Route(
        lambda x, p: hamming_leakage(
            x.real, x.holdout, x.synthetic, categorical_columns=x.categorical, **p
        ),
        holdout=True,
    ),
    "dcr_holdout_share": _Route(
        lambda x, p: dcr_holdout_share(
            x.real, x.holdout, x.synthetic, categorical_columns=x.categorical, **p
        ),
        holdout=True,
    ),
    "anonymeter_risk": _Route(
        lambda x, p: anonymeter_risk(
            x.real, x.holdout, x.synthetic, categorical_columns=x.categorical, **p
        ),
        holdout=True,
    ),
    "tabsyndex": _Route(_tabsyndex),
    "aml_fidelity": _Route(
        lambda x, p: aml_fidelity(x.real, x.synthetic, categorical_columns=x.categorical, **p)
    ),
    "correlation_l1": _Route(
        lambda x, p: correlation_l1(x.real, x.synthetic, categorical_columns=x.categorical, **p)
    ),
    "km_survival_scores": _Route(
        lambda x, p: km_survival_scores(
            x.real[x.duration_column],
            x.real[x.event_column],
            x.synthetic[x.duration_column],
            x.synthetic[x.event_column],
            **p,
        ),
        survival=True,
    ),
    "hazard_ratio_alignment": _Route(
        lambda x, p: hazard_ratio_alignment(
            x.real,
            x.synthetic,
            x.duration_column,
            x.event_column,
            categorical_columns=x.categorical,
            **p,
        ),
        survival=True,
    ),
    "survival_augmentation": _Route(
        lambda x, p: survival_augmentation(
            x.real,
            x.holdout,
            x.synthetic,
            x.duration_column,
            x.event_column,
            categorical_columns=x.categorical,
            **p,
        ),
        holdout=True,
        survival=True,
    ),
    "model_understanding": _Route(
        lambda x, p: model_understanding(
            x.real,
            x.holdout,
            x.synthetic,
            x.target_column,
            categorical_columns=x.categorical,
            **p,
        ),
        holdout=True,
        target=True,
    ),
    "table_one": _Route(
        lambda x, p: table_one(x.real, x.synthetic, categorical_columns=x.categorical, **p)
    ),
    "effect_agreement": _Route(_effect_agreement, target=True),
}


def needs_holdout(name: str) -> bool:
    """Whether the metric needs a holdout besides the real (training) table."""
    return name in _ROUTES and _ROUTES[name].holdout


def needs_target(name: str) -> bool:
    """Whether the metric reads an outcome column (``target_column``)."""
    return name in _ROUTES and _ROUTES[name].target


def needs_survival_columns(name: str) -> bool:
    """Whether the metric reads a duration and an event column."""
    return name in _ROUTES and _ROUTES[name].survival


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
        real: the real table; for metrics with a holdout, the generator's training data.
            Every table must have the real table's columns (an error names the difference).
        synthetic: the synthetic table.
        holdout: real rows the generator did not see (privacy and augmentation metrics).
        categorical_columns: the nominal columns; None lets the metric infer them.
        target_column: the outcome: TabSynDex's ML efficacy (classification when it is
            categorical or has at most 20 levels, regression otherwise), the class label of
            ``model_understanding``, the binary outcome of ``effect_agreement``.
        duration_column: the follow-up time column (survival metrics; with
            ``event_column`` it makes ``effect_agreement`` compare hazard ratios).
        event_column: the event indicator column (survival metrics).
        **params: the core function's own options (e.g. ``num_bins``, ``seeds``).
    """
    route = _ROUTES.get(name)
    if route is None or name not in METRIC_INFOS:
        raise UnknownNameError("metric", name, _ROUTES)
    check_frame(real, "real")
    check_frame(synthetic, "synthetic")
    synthetic = align_columns(real, synthetic, "real", "synthetic")
    if route.holdout and holdout is None:
        raise InvalidParameterError(
            f"{name} compares synthetic data with the generator's training data and a "
            "holdout it never saw; pass the holdout (Synthcity: Metrics.evaluate(X_gt="
            "holdout, X_syn, X_train=training data); SDMetrics/SDGym: holdout_data=...)"
        )
    if holdout is not None:
        holdout = align_columns(real, check_frame(holdout, "holdout"), "real", "holdout")
    if route.survival:
        for argument, column in (
            ("duration_column", duration_column),
            ("event_column", event_column),
        ):
            if column is None or column not in real.columns:
                raise InvalidParameterError(
                    f"{name} needs {argument}: the name of a column of the tables "
                    f"(got {column!r}; columns are {list(real.columns)})"
                )
    inputs = Inputs(
        real=real,
        synthetic=synthetic,
        holdout=holdout,
        categorical=None if categorical_columns is None else list(categorical_columns),
        target_column=target_column,
        duration_column=duration_column or "",
        event_column=event_column or "",
    )
    return route.call(inputs, dict(params))


def _task(target: pd.Series, categorical: list[str] | None) -> str:
    """``"class"`` for a categorical or few-level target, else ``"regr"``."""
    if categorical is not None and target.name in categorical:
        return "class"
    numeric = pd.api.types.is_numeric_dtype(target) and not pd.api.types.is_bool_dtype(target)
    return "regr" if numeric and target.nunique() > _MAX_CLASS_LEVELS else "class"

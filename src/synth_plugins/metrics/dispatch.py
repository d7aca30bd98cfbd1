"""Call any catalog metric's core with what a host hands over, matched by parameter name.

Hosts hand a metric a real table, a synthetic table and sometimes more (a holdout, the
outcome column, the survival columns, the id and time columns of visit sequences, which
columns are categorical). :func:`evaluate_metric` checks those inputs once against what the
catalog entry says the metric needs, then passes each of the core's parameters the input of
the same name, so the Synthcity evaluators and SDMetrics classes derived from the catalog
contain no code of their own per metric. Adding a metric needs no change here.

How a core parameter finds its input:

- by its name: ``real`` (also ``train``: in a metric with a holdout, the real table is the
  generator's training data), ``synthetic``, ``holdout``, ``categorical_columns``,
  ``target_column``, ``duration_column``, ``event_column``, ``id_column``,
  ``time_column``, ``static_columns``, and the series ``real_duration``, ``real_event``,
  ``synthetic_duration``, ``synthetic_event`` (the survival columns of each table);
- or through the entry's ``arguments`` (core name -> input name), for a core whose
  parameter names differ;
- any other parameter is one of the core's own options, taken from the caller's options
  (the entry's ``host_options`` fill those the caller leaves out).

Inputs a core has no parameter for are not passed: every host offers the outcome and
survival columns it knows, and each core takes what its method reads.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

import pandas as pd

from synth_plugins import catalog
from synth_plugins.catalog import MetricEntry
from synth_plugins.errors import InvalidParameterError
from synth_plugins.metrics.validation import align_columns, check_frame, name_list

#: the tables, by input name (``train`` is the real table under its holdout-metric name)
TABLES = ("real", "synthetic", "holdout")
#: the column options every host may offer, whichever metric it calls
COLUMN_INPUTS = (
    "categorical_columns",
    "target_column",
    "duration_column",
    "event_column",
    "id_column",
    "time_column",
    "static_columns",
)
#: the survival series, input name -> (table, column option)
SERIES_INPUTS = {
    "real_duration": ("real", "duration_column"),
    "real_event": ("real", "event_column"),
    "synthetic_duration": ("synthetic", "duration_column"),
    "synthetic_event": ("synthetic", "event_column"),
}
_ALIASES = {"train": "real"}


def _entry(metric: str | MetricEntry) -> MetricEntry:
    return metric if isinstance(metric, MetricEntry) else catalog.metric(metric)


def core_parameters(entry: MetricEntry) -> dict[str, tuple[str | None, bool]]:
    """Each core parameter's input (None: one of the core's own options) and if it is required.

    Raises:
        InvalidParameterError: The entry's ``arguments`` name a parameter the core does
            not have or an input that does not exist, or a required core parameter is
            neither an input nor renamed to one.
    """
    parameters = inspect.signature(catalog.resolve(entry.core)).parameters
    inputs = {*TABLES, *COLUMN_INPUTS, *SERIES_INPUTS}
    for name, source in entry.arguments.items():
        if name not in parameters or source not in inputs:
            raise InvalidParameterError(
                f"catalog entry {entry.name!r}: arguments maps {name!r} to {source!r}, but "
                f"{entry.core} has the parameters {list(parameters)} and the inputs are "
                f"{sorted(inputs)}"
            )
    unknown = [k for k in entry.host_options if k not in parameters]
    if unknown:
        raise InvalidParameterError(
            f"catalog entry {entry.name!r}: host_options {unknown} are no parameters of "
            f"{entry.core} ({list(parameters)})"
        )
    bound: dict[str, tuple[str | None, bool]] = {}
    for name, parameter in parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        required = parameter.default is parameter.empty
        source = entry.arguments.get(name, _ALIASES.get(name, name))
        if source in SERIES_INPUTS and "survival" not in entry.needs:
            raise InvalidParameterError(
                f"catalog entry {entry.name!r}: {entry.core} takes the survival series "
                f'{name!r}; add "survival" to the entry\'s needs'
            )
        if source in inputs:
            bound[name] = (source, required)
        elif required:
            raise InvalidParameterError(
                f"catalog entry {entry.name!r}: {entry.core} requires {name!r}, which is no "
                f"host input ({sorted(inputs)}); rename it in the entry's arguments"
            )
        else:
            bound[name] = (None, False)
    return bound


def evaluate_metric(
    metric: str | MetricEntry,
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    holdout: pd.DataFrame | None = None,
    categorical_columns: Iterable[str] | None = None,
    **options: Any,
) -> Any:
    """Compute a catalog metric and return its core's result object.

    Args:
        metric: A suite metric name (``catalog.METRICS``) or its catalog entry.
        real: The real table; for metrics with a holdout, the generator's training data.
            For a table metric every table must have the real table's columns (an error
            names the difference).
        synthetic: The synthetic table.
        holdout: Real rows the generator did not see (privacy and augmentation metrics).
        categorical_columns: The nominal columns; None lets the metric infer them.
        **options: The columns the host knows (``target_column``, ``duration_column``,
            ``event_column``; ``id_column``, ``time_column``, ``static_columns`` for visit
            sequences), passed to the cores that read them, and the core's own options
            (e.g. ``num_bins``, ``seeds``).

    Raises:
        InvalidParameterError: A needed holdout or column is missing, or an option is
            not one of the core's.
        InvalidDataError: A table is empty or malformed, or its columns differ from the
            real table's.
    """
    entry = _entry(metric)
    bound = core_parameters(entry)
    own = {name for name, (source, _) in bound.items() if source is None}
    unknown = [k for k in options if k not in own and k not in COLUMN_INPUTS]
    if unknown:
        raise InvalidParameterError(
            f"{entry.name} has no option {unknown}; its options are {sorted(own)}"
        )
    if entry.data == "table":
        check_frame(real, "real")
        check_frame(synthetic, "synthetic")
        synthetic = align_columns(real, synthetic, "real", "synthetic")
        if holdout is not None:
            holdout = align_columns(real, check_frame(holdout, "holdout"), "real", "holdout")
    if "holdout" in entry.needs and holdout is None:
        raise InvalidParameterError(
            f"{entry.name} compares synthetic data with the generator's training data and a "
            "holdout it never saw; pass the holdout (Synthcity: Metrics.evaluate(X_gt="
            "holdout, X_syn, X_train=training data); SDMetrics/SDGym: holdout_data=...)"
        )
    if "survival" in entry.needs:
        for argument in ("duration_column", "event_column"):
            column = options.get(argument)
            if column is None or column not in real.columns:
                raise InvalidParameterError(
                    f"{entry.name} needs {argument}: the name of a column of the tables "
                    f"(got {column!r}; columns are {list(real.columns)})"
                )
    tables = {"real": real, "synthetic": synthetic, "holdout": holdout}
    columns = {k: v for k, v in options.items() if k in COLUMN_INPUTS}
    if categorical_columns is not None:
        columns["categorical_columns"] = name_list("categorical_columns", categorical_columns)
    inputs: dict[str, Any] = {**tables, **columns}
    wanted = {source for source, _ in bound.values()}
    for name, (table, column) in SERIES_INPUTS.items():
        if name in wanted and columns.get(column) is not None:
            inputs[name] = tables[table][columns[column]]
    chosen = {**entry.host_options, **{k: v for k, v in options.items() if k in own}}
    arguments: dict[str, Any] = {}
    for name, (source, required) in bound.items():
        if source is None:
            if name in chosen:
                arguments[name] = chosen[name]
        elif inputs.get(source) is not None or required:
            # a missing required input reaches the core, whose error names it
            arguments[name] = inputs.get(source)
    return catalog.resolve(entry.core)(**arguments)

"""The bad-input matrix for metrics: every catalog metric, every host, every awkward input.

Each case builds the inputs of one metric call from small real tables (a few dozen rows of
a bundled dataset, or of simulated visit sequences for metrics with ``data="sequences"``)
and runs it in one host:

- ``core``: the core function, through :func:`synth_plugins.metrics.dispatch.evaluate_metric`;
- ``synthcity``: Synthcity's ``Metrics.evaluate``, which catches evaluator errors; the
  suite's warning and ``attrs["failed_metrics"]`` must carry the reason;
- ``synthcity-direct``: the Synthcity evaluator's own ``evaluate``;
- ``sdmetrics``: the SDMetrics class's ``compute_breakdown``.

A case ends in one of two acceptable ways: an error raised by the suite
(:class:`~synth_plugins.errors.SynthPluginsError`) whose message matches the case's pattern
(the argument or column at fault), or a headline score that is finite and inside the
metric's ``[min_value, max_value]`` with no infinite figure beside it. Cases marked
``must_fail`` only accept the error; cases marked ``same_figures`` (pandas' nullable
dtypes, integer column labels) must also give the figures of the unchanged inputs.
Anything else (an error from inside a library, NaN or inf) fails the check. Cases are
derived from ``catalog.METRICS``, so a new metric is covered as soon as it is listed.
"""

from __future__ import annotations

import inspect
import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins import catalog, errors
from synth_plugins.catalog import MetricEntry
from synth_plugins.datasets import load, simulate_ms_registry
from synth_plugins.errors import SynthPluginsError
from synth_plugins.metrics.dispatch import evaluate_metric

HOSTS: tuple[str, ...] = ("core", "synthcity", "synthcity-direct", "sdmetrics")

#: Options that keep the matrix quick where a host lets us pass them.
MATRIX_OPTIONS: dict[str, dict[str, Any]] = {
    "survival_augmentation": {"seeds": 1, "models": ("cox",)},
    "longitudinal_fidelity": {"n_folds": 2},
}

#: The suite's error classes, by name (Synthcity reports failures as ``"Name: message"``).
_OUR_ERRORS = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, SynthPluginsError)
}


@dataclass(frozen=True)
class Inputs:
    """One metric call: real (training) data, synthetic data, holdout, id/time/survival columns."""

    real: pd.DataFrame
    synthetic: pd.DataFrame
    holdout: pd.DataFrame | None = None
    #: duration and event column (survival metrics); id and time column (sequences)
    columns: dict[str, str] = field(default_factory=dict)
    #: the outcome column of metrics that read one (``target_column``)
    target: str | None = None


@dataclass(frozen=True)
class Case:
    """One awkward input: how to build it, and what a clear error must mention."""

    name: str
    build: Callable[[MetricEntry, Inputs], Inputs]
    #: a regular expression the error message must match
    expect: str
    #: only an error is acceptable (the input is unusable)
    must_fail: bool = False
    #: which metrics the case applies to
    applies: Callable[[MetricEntry], bool] = lambda entry: True
    #: the inputs hold the base inputs' values under other labels or dtypes, so the
    #: figures must equal the base inputs' (see :func:`check_same_figures`)
    same_figures: bool = False


@dataclass(frozen=True)
class Outcome:
    """What a host did: an error (class name, message) or a breakdown of figures."""

    error: str | None = None
    message: str = ""
    figures: dict[str, float] = field(default_factory=dict)


# ------------------------------------------------------------------------ base inputs
#: heart_failure's follow-up and death columns
SURVIVAL_COLUMNS = {"duration_column": "time", "event_column": "DEATH_EVENT"}
#: heart_failure's outcome, for metrics with a ``target_column`` (Synthcity's loaders use
#: the last column, which is this one)
TARGET = "DEATH_EVENT"


def base_inputs(entry: MetricEntry, rows: int = 40, patients: int = 16, seed: int = 0) -> Inputs:
    """Small, disjoint real, holdout and synthetic tables (or visit sequences) for ``entry``."""
    if entry.data == "sequences":
        real = simulate_ms_registry(n_patients=patients, seed=seed).data
        other = simulate_ms_registry(n_patients=patients, seed=seed + 1).data
        return Inputs(real, other, None, {"id_column": "patient_id", "time_column": "time"})
    data = load("heart_failure").data
    order = np.random.default_rng(seed).permutation(len(data))
    train, holdout, synthetic = (
        data.iloc[order[i * rows : (i + 1) * rows]].reset_index(drop=True) for i in range(3)
    )
    holdout = holdout if "holdout" in entry.needs else None
    columns = dict(SURVIVAL_COLUMNS) if "survival" in entry.needs else {}
    target = TARGET if "target" in entry.needs and not columns else None
    return Inputs(train, synthetic, holdout, columns, target)


# ------------------------------------------------------------------------------ cases
def _is_sequences(entry: MetricEntry) -> bool:
    return entry.data == "sequences"


def _protected(base: Inputs) -> set[str]:
    """Columns a case must not drop or break: survival, id, time and target columns."""
    return set(base.columns.values()) | ({base.target} if base.target else set())


def _each_table(base: Inputs, change: Callable[[pd.DataFrame], pd.DataFrame]) -> Inputs:
    holdout = None if base.holdout is None else change(base.holdout)
    return replace(base, real=change(base.real), synthetic=change(base.synthetic), holdout=holdout)


#: the column the mismatched-columns case drops from the synthetic table
DROPPED = {"table": "age", "sequences": "edss"}


def _mismatched(entry: MetricEntry, base: Inputs) -> Inputs:
    return replace(base, synthetic=base.synthetic.drop(columns=[DROPPED[entry.data]]))


def _constant(entry: MetricEntry, base: Inputs) -> Inputs:
    keep = set(base.columns.values())

    def change(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        for column in out.columns:
            if column not in keep:
                out[column] = base.real[column].iloc[0]
        return out

    if _is_sequences(entry):
        return _each_table(base, change)
    # every column constant, the survival columns too: one repeated row
    return _each_table(base, lambda frame: pd.concat([base.real.iloc[:1]] * len(frame)))


def _identical(entry: MetricEntry, base: Inputs) -> Inputs:
    return replace(base, synthetic=base.real.copy())


def _nan(entry: MetricEntry, base: Inputs) -> Inputs:
    protected = _protected(base)

    def change(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        for column in [c for c in out.columns if c not in protected][:3]:
            out.loc[out.index[::4], column] = np.nan
        return out

    return _each_table(base, change)


def _inf(entry: MetricEntry, base: Inputs) -> Inputs:
    column = "edss" if _is_sequences(entry) else "serum_creatinine"
    synthetic = base.synthetic.copy()
    synthetic.loc[synthetic.index[1], column] = np.inf
    return replace(base, synthetic=synthetic)


def _single_row(entry: MetricEntry, base: Inputs) -> Inputs:
    return _each_table(base, lambda frame: frame.iloc[:1].reset_index(drop=True))


def _empty_real(entry: MetricEntry, base: Inputs) -> Inputs:
    return replace(base, real=base.real.iloc[:0])


def _zero_synthetic(entry: MetricEntry, base: Inputs) -> Inputs:
    return replace(base, synthetic=base.synthetic.iloc[:0])


def _missing_holdout(entry: MetricEntry, base: Inputs) -> Inputs:
    return replace(base, holdout=None)


def _only(kind: str) -> Callable[[MetricEntry, Inputs], Inputs]:
    """Keep the categorical (or numeric) columns, plus the id/time/survival columns."""

    def build(entry: MetricEntry, base: Inputs) -> Inputs:
        protected = _protected(base)

        def categorical(series: pd.Series) -> bool:
            numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(
                series
            )
            return not numeric or series.dropna().nunique() <= 2

        keep = [
            c
            for c in base.real.columns
            if c in protected or categorical(base.real[c]) == (kind == "categorical")
        ]
        return _each_table(base, lambda frame: frame[keep])

    return build


def _keys_and_dates(entry: MetricEntry, base: Inputs) -> Inputs:
    """A fresh record key and an admission date first in every table (keys differ per table).

    They go first so that Synthcity's loaders keep the last column as their target.
    """

    def change(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
        rng = np.random.default_rng(len(prefix))
        days = pd.to_timedelta(rng.integers(0, 700, len(frame)), unit="D")
        added = pd.DataFrame(
            {
                "record_id": [f"{prefix}-{i:05d}" for i in range(len(frame))],
                "admission": pd.Timestamp("2019-01-01") + days,
            },
            index=frame.index,
        )
        return pd.concat([added, frame], axis=1)

    holdout = None if base.holdout is None else change(base.holdout, "holdout")
    return replace(
        base,
        real=change(base.real, "real"),
        synthetic=change(base.synthetic, "synthetic"),
        holdout=holdout,
    )


def _nullable_dtypes(entry: MetricEntry, base: Inputs) -> Inputs:
    """Pandas' nullable dtypes (Int64, Float64, boolean, string) for every other column."""
    protected = _protected(base)

    def nullable(series: pd.Series) -> pd.Series:
        if pd.api.types.is_bool_dtype(series):
            return series.astype("boolean")
        if pd.api.types.is_integer_dtype(series):
            return series.astype("Int64")
        if pd.api.types.is_float_dtype(series):
            return series.astype("Float64")
        return series.astype("string") if series.dtype == object else series

    return _each_table(
        base,
        lambda frame: frame.apply(lambda s: s if s.name in protected else nullable(s)),
    )


def _integer_labels(entry: MetricEntry, base: Inputs) -> Inputs:
    """Two covariates labelled 0 and 1, as in a frame built from an array."""
    protected = _protected(base)
    chosen = [c for c in base.real.columns if c not in protected][:2]
    labels = {column: i for i, column in enumerate(chosen)}
    return _each_table(base, lambda frame: frame.rename(columns=labels))


def _without_survival_columns(entry: MetricEntry, base: Inputs) -> Inputs:
    return replace(base, columns={})


CASES: tuple[Case, ...] = (
    Case(
        "mismatched-columns",
        _mismatched,
        r"same columns.*missing from \w+: \['(seq_temporal_)?(age|edss)'\]",
        must_fail=True,
    ),
    Case("zero-synthetic-rows", _zero_synthetic, r"synthetic|X_syn", must_fail=True),
    Case(
        "missing-holdout",
        _missing_holdout,
        r"holdout|X_train|training data",
        must_fail=True,
        applies=lambda entry: "holdout" in entry.needs,
    ),
    Case("constant", _constant, r"constant|varies|variance|column|event|row|patient|part"),
    Case("identical", _identical, r"^$"),
    Case("empty-real", _empty_real, r"real|train|X_gt|empty", must_fail=True),
    Case("nan", _nan, r"missing|NaN|column"),
    Case("inf", _inf, r"infinite"),
    Case("single-row", _single_row, r"row|patient|visit|at least|part"),
    Case("categorical-only", _only("categorical"), r"column|numeric|categorical|part"),
    Case("numeric-only", _only("numeric"), r"column|numeric|categorical|part"),
    Case(
        "keys-and-dates",
        _keys_and_dates,
        r"record_id|admission",
        applies=lambda entry: not _is_sequences(entry),
    ),
    Case("nullable-dtypes", _nullable_dtypes, r"^$", same_figures=True),
    # tables only: Synthcity's own Metrics.evaluate fails on a time-series loader with
    # integer labels (``X.encode()`` raises "Empty temporal data") before any metric runs
    Case(
        "integer-labels",
        _integer_labels,
        r"^$",
        applies=lambda entry: not _is_sequences(entry),
        same_figures=True,
    ),
    Case(
        "no-survival-columns",
        _without_survival_columns,
        r"duration_column|event_column|time_to_event",
        must_fail=True,
        applies=lambda entry: "survival" in entry.needs,
    ),
)


def matrix() -> list[tuple[MetricEntry, str, Case]]:
    """Every (metric, host, case) triple of the catalog, in a stable order."""
    return [
        (entry, host, case)
        for entry in catalog.METRICS
        for case in CASES
        if case.applies(entry)
        for host in HOSTS
    ]


def case_id(entry: MetricEntry, host: str, case: Case) -> str:
    """``<metric>-<host>-<case>``, e.g. ``tabsyndex-sdmetrics-identical``."""
    return f"{entry.name}-{host}-{case.name}"


# ------------------------------------------------------------------------------ hosts
def _options(entry: MetricEntry, inputs: Inputs) -> dict[str, Any]:
    """Keyword options of a direct call: the quick settings and the target column."""
    options = dict(MATRIX_OPTIONS.get(entry.name, {}))
    if inputs.target is not None:
        options["target_column"] = inputs.target
    return options


def _core(entry: MetricEntry, inputs: Inputs) -> dict[str, float]:
    options = _options(entry, inputs)
    return evaluate_metric(
        entry.name,
        inputs.real,
        inputs.synthetic,
        holdout=inputs.holdout,
        **inputs.columns,
        **options,
    ).to_dict()


def _sdmetrics(entry: MetricEntry, inputs: Inputs) -> dict[str, float]:
    import synth_plugins.sdmetrics as classes

    cls = getattr(classes, entry.sdmetrics_name)
    options = _options(entry, inputs)
    if entry.data == "sequences":
        return cls.compute_breakdown(
            inputs.real,
            inputs.synthetic,
            sequence_key=inputs.columns.get("id_column"),
            sequence_index=inputs.columns.get("time_column"),
            **options,
        )
    return cls.compute_breakdown(
        inputs.real, inputs.synthetic, holdout_data=inputs.holdout, **inputs.columns, **options
    )


def _loader(entry: MetricEntry, frame: pd.DataFrame, inputs: Inputs) -> Any:
    """The Synthcity loader a user would build for ``frame``."""
    from synthcity.plugins.core.dataloader import GenericDataLoader, SurvivalAnalysisDataLoader

    from synth_plugins.synthcity.timeseries import to_timeseries_loader

    if entry.data == "sequences":
        static = [c for c in simulate_ms_registry(n_patients=2).static_columns if c in frame]
        loader, _ = to_timeseries_loader(
            frame, inputs.columns["id_column"], inputs.columns["time_column"], static
        )
        return loader
    columns = inputs.columns
    if columns:
        return SurvivalAnalysisDataLoader(
            frame,
            target_column=columns["event_column"],
            time_to_event_column=columns["duration_column"],
        )
    return GenericDataLoader(frame)


def _synthcity_arguments(entry: MetricEntry, inputs: Inputs) -> dict[str, Any]:
    """``Metrics.evaluate``'s loaders: X_gt holdout, X_train training data (privacy).

    A loader that cannot be built raises the suite's error prefixed with the argument the
    frame was meant for (the user knows which frame they were converting).
    """

    def loader(frame: pd.DataFrame, argument: str) -> Any:
        try:
            return _loader(entry, frame, inputs)
        except SynthPluginsError as error:
            raise type(error)(f"{argument}: {error}") from error

    train = loader(inputs.real, "X_gt" if "holdout" not in entry.needs else "X_train")
    synthetic = loader(inputs.synthetic, "X_syn")
    if "holdout" in entry.needs:
        gt = None if inputs.holdout is None else loader(inputs.holdout, "X_gt")
        # without a holdout, the user passes the training data as X_gt and no X_train
        return {"X_gt": gt or train, "X_syn": synthetic, "X_train": train if gt else None}
    return {"X_gt": train, "X_syn": synthetic}


def _task_type(entry: MetricEntry, inputs: Inputs) -> str:
    if entry.data == "sequences":
        return "time_series"
    return "survival_analysis" if inputs.columns else "classification"


def _synthcity(entry: MetricEntry, inputs: Inputs, workspace: Path) -> dict[str, float]:
    from synthcity.metrics import Metrics

    from synth_plugins.synthcity.metrics.context import MetricFailedWarning

    arguments = _synthcity_arguments(entry, inputs)
    key = f"{entry.synthcity_type}.{entry.name}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MetricFailedWarning)
        result = Metrics.evaluate(
            **arguments,
            metrics={entry.synthcity_type: [entry.name]},
            task_type=_task_type(entry, inputs),
            workspace=workspace,
            use_cache=False,
        )
    failure = result.attrs.get("failed_metrics", {}).get(key)
    if failure is not None:
        told = [w for w in caught if issubclass(w.category, MetricFailedWarning)]
        assert any(key in str(w.message) and failure in str(w.message) for w in told), (
            f"{key} failed ({failure}) without a MetricFailedWarning naming it"
        )
        name, _, message = failure.partition(": ")
        raise _Reported(name, message)
    prefix = key + "."
    return {
        k.removeprefix(prefix): float(v) for k, v in result["mean"].items() if k.startswith(prefix)
    }


def _synthcity_direct(entry: MetricEntry, inputs: Inputs, workspace: Path) -> dict[str, float]:
    from synth_plugins.synthcity.metrics.context import metrics_call

    arguments = _synthcity_arguments(entry, inputs)
    from synth_plugins.synthcity.metrics.evaluators import evaluator_class

    evaluator = evaluator_class(entry)(workspace=workspace, use_cache=False)
    with metrics_call(**arguments):
        return evaluator.evaluate(arguments["X_gt"], arguments["X_syn"])


class _Reported(Exception):
    """A failure Synthcity caught and the suite reported (class name and message)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def run_case(entry: MetricEntry, host: str, case: Case, workspace: Path) -> Outcome:
    """Build the case's inputs and run the metric in ``host``."""
    inputs = case.build(entry, base_inputs(entry))
    runners: dict[str, Callable[[], dict[str, float]]] = {
        "core": lambda: _core(entry, inputs),
        "sdmetrics": lambda: _sdmetrics(entry, inputs),
        "synthcity": lambda: _synthcity(entry, inputs, workspace),
        "synthcity-direct": lambda: _synthcity_direct(entry, inputs, workspace),
    }
    try:
        return Outcome(figures=runners[host]())
    except _Reported as reported:
        return Outcome(reported.name, str(reported))
    except Exception as error:
        return Outcome(type(error).__name__, str(error))


def bool_options(entry: MetricEntry) -> list[str]:
    """The core's options typed ``bool``: each must refuse a value that is not a bool.

    A truthy string such as ``"no"`` read as True would silently do the opposite of what
    the caller wrote (see :func:`check_bool_option`).
    """
    parameters = inspect.signature(catalog.resolve(entry.core)).parameters
    return [name for name, p in parameters.items() if p.annotation in ("bool", bool)]


def check_bool_option(entry: MetricEntry, option: str, value: Any = "no") -> None:
    """The core, called with ``option=value``, raises an error naming ``option``."""
    inputs = base_inputs(entry)
    try:
        figures = evaluate_metric(
            entry.name,
            inputs.real,
            inputs.synthetic,
            holdout=inputs.holdout,
            **inputs.columns,
            **{**_options(entry, inputs), option: value},
        ).to_dict()
    except errors.InvalidParameterError as error:
        assert error.parameter == option, f"{entry.name}: {option}={value!r}: {error}"
        return
    raise AssertionError(f"{entry.name}: {option}={value!r} accepted: {figures}")


def check_outcome(entry: MetricEntry, host: str, case: Case, outcome: Outcome) -> None:
    """A clear error from the suite naming the problem, or a finite score in range."""
    where = case_id(entry, host, case)
    if outcome.error is not None:
        assert outcome.error in _OUR_ERRORS, (
            f"{where}: {outcome.error} from inside a library, not a clear error: "
            f"{outcome.message[:300]}"
        )
        assert re.search(case.expect, outcome.message), (
            f"{where}: the error does not name the problem (expected /{case.expect}/): "
            f"{outcome.message[:300]}"
        )
        return
    assert not case.must_fail, f"{where}: unusable input accepted: {outcome.figures}"
    score = outcome.figures["score"]
    assert math.isfinite(score), f"{where}: score {score}"
    assert entry.min_value <= score <= entry.max_value, (
        f"{where}: score {score} outside [{entry.min_value}, {entry.max_value}]"
    )
    infinite = [k for k, v in outcome.figures.items() if np.isinf(v)]
    assert not infinite, f"{where}: infinite figures {infinite}"


def check_same_figures(
    entry: MetricEntry, host: str, case: Case, outcome: Outcome, workspace: Path
) -> None:
    """A ``same_figures`` case gives the base inputs' figures (labels and dtypes are no data).

    The headline score must be equal, and so must the figures as a whole; they are compared
    as sorted values, since per-column figures are named after the (relabelled) columns.
    """
    where = case_id(entry, host, case)
    base = run_case(entry, host, replace(case, build=lambda entry, inputs: inputs), workspace)
    assert base.error is None, f"{where}: the base inputs failed: {base.message[:300]}"
    assert np.isclose(base.figures["score"], outcome.figures["score"], rtol=1e-9), (
        f"{where}: score {outcome.figures['score']} against {base.figures['score']} on the "
        "base inputs"
    )
    expected, got = (np.sort(list(figures.values())) for figures in (base.figures, outcome.figures))
    assert len(expected) == len(got) and np.allclose(expected, got, rtol=1e-9, equal_nan=True), (
        f"{where}: figures differ from the base inputs': {outcome.figures} against {base.figures}"
    )

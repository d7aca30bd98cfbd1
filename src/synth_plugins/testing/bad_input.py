"""The bad-input matrix for generators: odd data through every generator in every host.

Each case builds a small, deliberately odd table (or an odd ``n`` or condition) for one
generator category and says what is acceptable: a clear error that names the column or
argument at fault, or valid output. The matrix is every applicable
``(generator, host, case)`` triple over :data:`synth_plugins.catalog.GENERATORS` and the
hosts ``core``, ``synthcity`` and ``sdv``, so a new catalog generator is covered without
writing a test.

A case passes when the call ends in

- an error of our own (:class:`~synth_plugins.errors.SynthPluginsError`) or Python's own
  ``ValueError``/``TypeError`` (not a library's subclass) whose message names one of the
  case's expected words
  (the column or argument at fault); a crash from inside a library (``AttributeError``,
  ``KeyError``, ``IndexError``, a host's own exception types, ...) fails the case; or
- valid output, where the case allows it: the training columns in order, the asked
  number of rows (sequences for sequence generators), no missing values where the real
  data had none, no infinite values, no training value of an identifier-like column, and
  datetimes that come back as datetimes, generated rather than copied; for cases that
  only retype or relabel valid data (pandas' nullable dtypes, integer column labels), the
  core also gives every column back with its training dtype and label. A fit on fewer
  than :data:`~synth_plugins.validation.SMALL_TRAINING_SIZE` rows (patients for sequence
  generators) gives exactly one :class:`~synth_plugins.errors.SmallTrainingSetWarning`
  naming that number, shown at a line outside the suite and the hosts; a larger one
  gives none.

The table sizes around a generator's minimum are read from its core
(``MIN_TRAINING_SIZE``): one row (patient) fewer must be refused, the minimum itself fitted
(in every host but one: the Synthcity plugin of CK4Gen refuses its 10 rows, which hold
fewer than the 15 distinct durations it needs).

Usage (the suite's test does exactly this)::

    from synth_plugins.testing.bad_input import matrix, run_case
    for generator, host, case in matrix():
        run_case(generator, host, case)
"""

from __future__ import annotations

import inspect
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import synth_plugins
from synth_plugins.catalog import GENERATORS, GeneratorEntry, resolve
from synth_plugins.errors import (
    InvalidDataError,
    SmallTrainingSetWarning,
    SynthPluginsError,
    SynthPluginsWarning,
)
from synth_plugins.validation import SMALL_TRAINING_SIZE

HOSTS: tuple[str, ...] = ("core", "synthcity", "sdv")
#: Epochs (or iterations) every quick fit of the matrix uses.
QUICK_EPOCHS = 2
#: Rows asked of a generator after a successful fit (patients for sequence generators).
N_SAMPLE = 7
#: Largest share of output rows whose datetime equals a training datetime (the tables'
#: dates are whole days over about eight years, so chance collisions are rare).
MAX_COPIED_DATETIMES = 0.5
#: A level that never occurs in the base tables' ``stage`` column.
UNSEEN_LEVEL = "IV"

# ---------------------------------------------------------------------------- base tables


@dataclass(frozen=True)
class Table:
    """A training table and what a host needs to know about its layout.

    Attributes:
        data: The (possibly odd) training table.
        kind: ``"generic"``, ``"survival_analysis"`` or ``"time_series"`` (the catalog's
            Synthcity type, which decides the base table).
        duration: The duration column of survival tables.
        event: The event column of survival tables.
        id_column: The patient id column of long tables.
        time_column: The visit time column of long tables.
        static: The per-patient columns of long tables.
        identifiers: Identifier-like columns: no training value may come back.
        datetimes: Datetime columns: they must come back as datetimes, generated rather
            than copied (at most :data:`MAX_COPIED_DATETIMES` of the output rows may hold
            a training value; a model of the column as levels copies them all).
    """

    data: pd.DataFrame
    kind: str
    duration: str | None = None
    event: str | None = None
    id_column: str | None = None
    time_column: str | None = None
    static: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    datetimes: tuple[str, ...] = ()

    def with_data(self, data: pd.DataFrame, **changes: Any) -> Table:
        """The same layout over other data."""
        return replace(self, data=data, **changes)


def _covariates(n: int, rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": np.round(rng.uniform(30, 80, n), 1),
            "bmi": np.round(rng.normal(26, 4, n), 2),
            "sex": rng.integers(0, 2, n),
            "stage": rng.choice(["I", "II", "III"], n),
            "visits": rng.integers(0, 30, n),
        }
    )


def base_table(kind: str) -> Table:
    """The valid tiny table of a generator category (40 rows; 12 patients for sequences)."""
    rng = np.random.default_rng(7)
    if kind == "generic":
        return Table(_covariates(40, rng), kind)
    if kind == "survival_analysis":
        data = _covariates(40, rng)
        data["time"] = np.round(rng.exponential(500, 40) + 1.0, 1)
        data["event"] = (rng.uniform(size=40) < 0.6).astype(int)
        return Table(data, kind, duration="time", event="event")
    if kind == "time_series":
        rows = []
        for patient in range(12):
            sex = int(rng.integers(0, 2))
            day = int(rng.integers(0, 50))
            for _ in range(int(rng.integers(3, 5))):
                rows.append(
                    {
                        "patient": patient + 1,
                        "day": day,
                        "sex": sex,
                        "value": round(float(rng.normal(5, 1)), 2),
                        "stage": str(rng.choice(["I", "II", "III"])),
                    }
                )
                day += int(rng.integers(20, 200))
        data = pd.DataFrame(rows)
        return Table(data, kind, id_column="patient", time_column="day", static=("sex",))
    raise ValueError(f"unknown generator category {kind!r}")


# ---------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Case:
    """One odd input and what is acceptable for it.

    Attributes:
        name: Short id (``inf``, ``duplicate_names``, ...), used in test ids.
        kinds: The generator categories the case applies to.
        build: Makes the case's training table from the category's base table.
        mentions: Words of which an error message must contain at least one (the column
            or argument at fault); compared case-insensitively. Empty for valid input:
            then only output is acceptable.
        output_ok: Whether valid output is an acceptable end (else only an error is).
        n: Rows (patients) asked after the fit.
        condition: ``(column, value)`` to generate under, for conditioning hosts.
        same_dtypes: Whether the core's output must keep every training column's dtype
            (the hosts cast to their own types, as they do for their built-in generators).
        size: The generator's training rows (patients), from its core class; the built
            table is cut to its first ones. None keeps the built table.
        host_refusals: ``(generator, host)`` pairs whose host refuses the input before the
            generator sees it, each with the words its error must name: there an error
            naming one of them is acceptable too, whatever ``mentions`` says.
    """

    name: str
    kinds: frozenset[str]
    build: Callable[[Table], Table]
    mentions: tuple[str, ...]
    output_ok: bool = True
    n: int = N_SAMPLE
    condition: tuple[str, Any] | None = None
    same_dtypes: bool = False
    size: Callable[[type], int] | None = None
    host_refusals: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)


ALL = frozenset({"generic", "survival_analysis", "time_series"})
TABULAR = frozenset({"generic", "survival_analysis"})
SURVIVAL = frozenset({"survival_analysis"})
SEQUENCES = frozenset({"time_series"})


def _with_column(table: Table, name: str, values: Any, **changes: Any) -> Table:
    data = table.data.copy()
    data[name] = values
    return table.with_data(data, **changes)


def _with_values(table: Table, column: str, rows: Sequence[int], value: Any) -> Table:
    data = table.data.copy()
    if value is None or (isinstance(value, float) and np.isnan(value)):
        data[column] = data[column].astype(object if data[column].dtype == object else float)
    data.loc[list(rows), column] = value
    return table.with_data(data)


def _first_rows(table: Table, n: int) -> Table:
    if table.kind != "time_series":
        return table.with_data(table.data.iloc[:n].reset_index(drop=True))
    keep = table.data[table.id_column].drop_duplicates().iloc[:n]
    return table.with_data(table.data[table.data[table.id_column].isin(keep)])


def _infinite_grade(table: Table) -> Table:
    """A three-valued number with one infinite value (generators model such columns as levels)."""
    grade = (np.arange(len(table.data)) % 3 + 1).astype(float)
    grade[1] = np.inf
    return _with_column(table, "grade", grade)


def _identifier(table: Table) -> Table:
    values = [f"MRN{100000 + 37 * i}" for i in range(len(table.data))]
    return _with_column(table, "record_id", values, identifiers=("record_id",))


def _numeric_strings(table: Table) -> Table:
    rng = np.random.default_rng(3)
    return _with_column(table, "lab", [f"{v:.2f}" for v in rng.uniform(10, 40, len(table.data))])


def _datetimes(table: Table) -> Table:
    rng = np.random.default_rng(4)
    days = rng.integers(0, 3000, len(table.data))
    dates = pd.Timestamp("2010-01-01") + pd.to_timedelta(days, "D")
    return _with_column(table, "seen_on", dates, datetimes=("seen_on",))


def _missing_dates(table: Table) -> Table:
    """Dates with one in eight missing (Synthcity hands a missing date over as year 1677)."""
    dated = _datetimes(table)
    data = dated.data.copy()
    data.loc[data.index[::8], "seen_on"] = pd.NaT
    return dated.with_data(data)


def _timedeltas(table: Table) -> Table:
    """Lengths of stay as ``timedelta64`` (no role fits them; the error names the column)."""
    days = np.random.default_rng(5).integers(1, 30, len(table.data))
    return _with_column(table, "stay", pd.to_timedelta(days, "D"))


def _mixed_object(table: Table) -> Table:
    values = np.resize(np.array([1, "a", 2.5, "b"], dtype=object), len(table.data))
    return _with_column(table, "mixed", values)


def _duplicate_names(table: Table) -> Table:
    data = table.data.copy()
    data.insert(len(data.columns), "dup", data.iloc[:, -1])
    data.insert(len(data.columns), "dup", data.iloc[:, 0], allow_duplicates=True)
    return table.with_data(data)


def _one_visit(table: Table) -> Table:
    data = table.data.drop_duplicates(subset=[table.id_column], keep="first")
    return table.with_data(data.reset_index(drop=True))


def _unsorted(table: Table) -> Table:
    data = table.data.sample(frac=1.0, random_state=0).reset_index(drop=True)
    return table.with_data(data)


def _duplicate_times(table: Table) -> Table:
    data = table.data
    repeated = pd.concat([data, data.iloc[[1]]]).sort_values(
        [table.id_column, table.time_column], kind="stable"
    )
    return table.with_data(repeated.reset_index(drop=True))


def _varying_static(table: Table) -> Table:
    data = table.data.copy()
    first = data.index[data[table.id_column] == data[table.id_column].iloc[0]]
    data.loc[first[-1], "sex"] = 1 - data.loc[first[-1], "sex"]
    return table.with_data(data)


def _missing_id(table: Table) -> Table:
    data = table.data.copy()
    data[table.id_column] = data[table.id_column].astype(float)
    data.loc[2, table.id_column] = np.nan
    return table.with_data(data)


def _nullable_numbers(table: Table) -> Table:
    """Pandas' nullable dtypes: whole numbers with missing values, booleans."""
    data = table.data.copy()
    count = pd.array(np.arange(len(data)) % 7, dtype="Int64")
    count[[1, 4]] = pd.NA
    data["count_na"] = count
    data["flag"] = pd.array(np.arange(len(data)) % 3 == 0, dtype="boolean")
    return table.with_data(data)


def _string_dtype(table: Table) -> Table:
    """Pandas' ``string`` dtype (Synthcity's schema refuses it, naming the column)."""
    return _with_column(
        table, "label", pd.array(np.resize(["low", "high"], len(table.data)), dtype="string")
    )


def _number_categories(table: Table) -> Table:
    """Pandas categories whose levels are numbers (R factors of codes): 16 centres, a grade."""
    n = len(table.data)
    grade = pd.Categorical(np.arange(n) % 3, categories=[0, 1, 2])
    grade[3] = np.nan
    centre = pd.Categorical((np.arange(n) % 16) * 5 + 100)
    return table.with_data(table.data.assign(centre=centre, grade=grade))


def _integer_names(table: Table) -> Table:
    """Two modelled columns named by integers, as a frame built from an array has."""
    names = ("value",) if table.kind == "time_series" else ("age", "bmi")
    return table.with_data(table.data.rename(columns={n: i for i, n in enumerate(names)}))


def _event_values(values: Callable[[pd.Series], Any]) -> Callable[[Table], Table]:
    def build(table: Table) -> Table:
        data = table.data.copy()
        data[table.event] = values(data[table.event])
        return table.with_data(data)

    return build


def _same(table: Table) -> Table:
    return table


CASES: tuple[Case, ...] = (
    Case("empty", ALL, lambda t: t.with_data(t.data.iloc[:0]), ("empty", "row", "0")),
    Case(
        "below_minimum",
        ALL,
        _same,
        ("row", "patient", "at least"),
        output_ok=False,
        size=lambda core: core.MIN_TRAINING_SIZE - 1,
    ),
    Case(
        "at_minimum",
        ALL,
        _same,
        (),  # the generator fits its own minimum
        size=lambda core: core.MIN_TRAINING_SIZE,
        # CK4Gen's 10 rows hold 10 durations, and the Synthcity plugin refuses fewer than
        # 15 distinct ones (Synthcity's encoder would label-encode the column)
        host_refusals={("ck4gen", "synthcity"): ("distinct values",)},
    ),
    Case("all_nan_column", ALL, lambda t: _with_column(t, "empty_col", np.nan), ("empty_col",)),
    Case(
        "nan_in_categorical", ALL, lambda t: _with_values(t, "stage", [0, 3, 5], None), ("stage",)
    ),
    Case(
        "inf",
        ALL,
        lambda t: _with_values(t, "value" if t.kind == "time_series" else "bmi", [1], np.inf),
        ("bmi", "value", "inf"),
    ),
    Case("inf_few_values", ALL, _infinite_grade, ("grade",), output_ok=False),
    Case("constant_column", ALL, lambda t: _with_column(t, "site", "A"), ("site",)),
    Case("identifier_column", ALL, _identifier, ("record_id",)),
    Case("numeric_strings", ALL, _numeric_strings, ("lab",)),
    Case("datetimes", ALL, _datetimes, ("seen_on",)),
    Case(
        "bool_column",
        ALL,
        lambda t: _with_column(t, "smoker", np.arange(len(t.data)) % 3 == 0),
        ("smoker",),
    ),
    Case("missing_dates", ALL, _missing_dates, ("seen_on",)),
    Case("timedeltas", ALL, _timedeltas, ("stay",), output_ok=False),
    Case("mixed_object", ALL, _mixed_object, ("mixed",)),
    Case("duplicate_names", ALL, _duplicate_names, ("dup",), output_ok=False),
    Case("nullable_numbers", ALL, _nullable_numbers, ("count_na", "flag"), same_dtypes=True),
    Case("string_dtype", ALL, _string_dtype, ("label",), same_dtypes=True),
    Case("integer_names", ALL, _integer_names, ("0", "1", "name"), same_dtypes=True),
    Case("number_categories", ALL, _number_categories, (), same_dtypes=True),
    Case("n_zero", ALL, _same, ("n", "count", "num_rows", "num_sequences"), n=0),
    Case(
        "n_negative", ALL, _same, ("n", "count", "num_rows", "num_sequences"), output_ok=False, n=-3
    ),
    Case(
        "unseen_condition",
        TABULAR,
        _same,
        ("stage", UNSEEN_LEVEL),
        output_ok=False,
        condition=("stage", UNSEEN_LEVEL),
    ),
    # survival outcomes
    Case(
        "duration_not_positive",
        SURVIVAL,
        lambda t: _with_values(t, "time", [0, 1], 0.0),
        ("time",),
        output_ok=False,
    ),
    Case(
        "duration_nan",
        SURVIVAL,
        lambda t: _with_values(t, "time", [0], np.nan),
        ("time",),
        output_ok=False,
    ),
    Case(
        "event_outside_0_1",
        SURVIVAL,
        lambda t: _with_values(t, "event", [0], 2),
        ("event",),
        output_ok=False,
    ),
    Case("all_censored", SURVIVAL, _event_values(lambda e: 0), ("event",)),
    Case("no_censoring", SURVIVAL, _event_values(lambda e: 1), ("event",)),
    # visit sequences
    Case("one_visit_per_patient", SEQUENCES, _one_visit, ("visit", "gap", "patient")),
    Case("unsorted_visits", SEQUENCES, _unsorted, ("sort",)),
    Case("duplicate_times", SEQUENCES, _duplicate_times, ("duplicate",), output_ok=False),
    Case("varying_static", SEQUENCES, _varying_static, ("sex",)),
    Case("missing_patient_id", SEQUENCES, _missing_id, ("patient",), output_ok=False),
)


def matrix(
    generators: Sequence[GeneratorEntry] = GENERATORS, hosts: Sequence[str] = HOSTS
) -> Iterator[tuple[GeneratorEntry, str, Case]]:
    """Every applicable ``(generator, host, case)`` triple."""
    for entry in generators:
        for host in hosts:
            for case in CASES:
                if entry.synthcity_type in case.kinds and _applies(entry, host, case):
                    yield entry, host, case


def case_id(entry: GeneratorEntry, host: str, case: Case) -> str:
    """A readable test id, e.g. ``med_vae-sdv-inf``."""
    return f"{entry.name}-{host}-{case.name}"


def _applies(entry: GeneratorEntry, host: str, case: Case) -> bool:
    if case.condition is None:
        return True
    if host == "core":
        return "conditions" in inspect.signature(resolve(entry.core).sample).parameters
    return True


# ---------------------------------------------------------------------------- hosts


def _quick(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with every epoch/iteration count lowered to :data:`QUICK_EPOCHS`."""
    return {
        key: min(value, QUICK_EPOCHS) if ("epoch" in key or "n_iter" in key) else value
        for key, value in params.items()
    }


def core_params(entry: GeneratorEntry, table: Table, epochs: int = QUICK_EPOCHS) -> dict[str, Any]:
    """Constructor arguments of the core: layout columns plus ``epochs``, by signature.

    Every parameter whose name contains ``epoch`` gets ``epochs``; ``calibrate_stop`` and
    ``calibrate_steps`` (the sequence core's post-fit sampling loop) are turned off.
    """
    parameters = inspect.signature(resolve(entry.core)).parameters
    layout = {
        "duration_column": table.duration,
        "event_column": table.event,
        "id_column": table.id_column,
        "time_column": table.time_column,
    }
    params: dict[str, Any] = {k: v for k, v in layout.items() if k in parameters}
    params.update({k: epochs for k in parameters if "epoch" in k})
    params.update({k: False for k in ("calibrate_stop", "calibrate_steps") if k in parameters})
    return params


def _run_core(entry: GeneratorEntry, table: Table, case: Case) -> pd.DataFrame:
    model = resolve(entry.core)(**core_params(entry, table)).fit(table.data)
    sample = model.sample
    if case.condition is not None:
        column, value = case.condition
        return sample(case.n, conditions={column: value})
    return sample(case.n)


def _run_synthcity(entry: GeneratorEntry, table: Table, case: Case) -> pd.DataFrame:
    with tempfile.TemporaryDirectory(prefix="synth_plugins_bad_") as workspace:
        return _fit_and_generate_in_synthcity(entry, table, case, Path(workspace))


def _fit_and_generate_in_synthcity(
    entry: GeneratorEntry, table: Table, case: Case, workspace: Path
) -> pd.DataFrame:
    from synthcity.plugins import Plugins

    plugin = Plugins().get(entry.name, **_quick(entry.synthcity_quick), workspace=workspace)
    if table.kind == "time_series":
        from synth_plugins.synthcity.timeseries import from_timeseries_loader, to_timeseries_loader

        assert table.id_column is not None and table.time_column is not None
        loader, spec = to_timeseries_loader(
            table.data, table.id_column, table.time_column, list(table.static)
        )
        plugin.fit(loader)
        return from_timeseries_loader(plugin.generate(count=case.n), spec)
    from synthcity.plugins.core.dataloader import GenericDataLoader, SurvivalAnalysisDataLoader

    if table.kind == "survival_analysis":
        loader = SurvivalAnalysisDataLoader(  # a copy: the loaders relabel the frame in place
            table.data.copy(), target_column=table.event, time_to_event_column=table.duration
        )
    else:
        loader = GenericDataLoader(table.data.copy())
    if case.condition is not None:
        column, value = case.condition
        plugin.fit(loader, cond=table.data[column])
        return plugin.generate(count=case.n, cond=[value] * max(case.n, 1)).dataframe()
    plugin.fit(loader)
    return plugin.generate(count=case.n).dataframe()


def _fit_sdv(synthesizer: Any, data: pd.DataFrame) -> None:
    """Fit in the SDV host; bad data must be SDV's ``InvalidDataError`` too.

    Code written for SDV's synthesizers catches ``sdv.errors.InvalidDataError`` around
    ``fit``; the suite's checks, which speak first, must raise that class as well.
    """
    from sdv.errors import InvalidDataError as SDVInvalidData

    from synth_plugins.sdv import compat

    try:
        compat.fit(synthesizer, data)
    except InvalidDataError as error:
        if not isinstance(error, SDVInvalidData):
            raise AssertionError(
                f"fit refused the data with the suite's InvalidDataError but not SDV's "
                f"sdv.errors.InvalidDataError: {error}"
            ) from error
        raise


def _run_sdv(entry: GeneratorEntry, table: Table, case: Case) -> pd.DataFrame:
    from sdv.metadata import Metadata

    import synth_plugins.sdv
    from synth_plugins.sdv import compat

    cls = getattr(synth_plugins.sdv, entry.sdv_name)
    params = _quick(entry.sdv_quick)
    if table.kind == "time_series":
        from synth_plugins.sdv.sequential_metadata import sequential_metadata_dict

        assert table.id_column is not None and table.time_column is not None
        described = sequential_metadata_dict(table.data, table.id_column, table.time_column, {})
        params["context_columns"] = list(table.static)
        synthesizer = cls(Metadata.load_from_dict(described), **params)
        _fit_sdv(synthesizer, table.data)
        return compat.sample_sequences(synthesizer, case.n)
    from synth_plugins.sdv.metadata import metadata_dict

    if table.kind == "survival_analysis":
        params.update({"duration_column": table.duration, "event_column": table.event})
    synthesizer = cls(Metadata.load_from_dict(metadata_dict(table.data, {})), **params)
    _fit_sdv(synthesizer, table.data)
    if case.condition is not None:
        from sdv.sampling import Condition

        column, value = case.condition
        conditions = [Condition({column: value}, num_rows=case.n)]
        return compat.single_table(synthesizer.sample_from_conditions(conditions))
    return compat.sample(synthesizer, case.n)


_RUNNERS: dict[str, Callable[[GeneratorEntry, Table, Case], pd.DataFrame]] = {
    "core": _run_core,
    "synthcity": _run_synthcity,
    "sdv": _run_sdv,
}


# ---------------------------------------------------------------------------- checks


@dataclass
class Outcome:
    """What a case ended in: the output, or the error."""

    output: pd.DataFrame | None = None
    error: BaseException | None = None
    notes: list[str] = field(default_factory=list)


def _is_clear(error: BaseException) -> bool:
    """Whether ``error`` is ours, or Python's own ValueError/TypeError.

    A library's subclass of them (pydantic's ``ValidationError`` from inside Synthcity's
    schema) is not clear: the suite's checks should have spoken first.
    """
    if isinstance(error, SynthPluginsError):
        return True
    return type(error).__module__ == "builtins" and isinstance(error, ValueError | TypeError)


def assert_clear_error(error: BaseException, mentions: Sequence[str], what: str) -> None:
    """The error is ours (or a ValueError/TypeError) and its message names the culprit."""
    message = str(error)
    if not _is_clear(error):
        raise AssertionError(
            f"{what}: a crash from inside a library, {type(error).__module__}."
            f"{type(error).__name__}: {message[:300]}"
        ) from error
    if not mentions:
        raise AssertionError(
            f"{what}: raised {type(error).__name__} where output was expected: {message[:300]}"
        ) from error
    lowered = message.lower()
    if not any(word.lower() in lowered for word in mentions):
        raise AssertionError(
            f"{what}: the {type(error).__name__} does not name any of {list(mentions)}: "
            f"{message[:300]}"
        ) from error


def assert_valid_output(table: Table, output: Any, n: int, what: str) -> None:
    """Output has the training columns and ``n`` rows, copies no identifier/datetime, no NaN/inf.

    For sequence generators ``n`` counts distinct ids; NaN is allowed only in columns
    that had NaN in the training table.
    """
    real = table.data
    assert isinstance(output, pd.DataFrame), f"{what}: expected a DataFrame, got {type(output)}"
    assert list(output.columns) == list(real.columns), (
        f"{what}: columns differ: real {list(real.columns)}, output {list(output.columns)}"
    )
    if table.kind == "time_series" and table.id_column is not None:
        count = output[table.id_column].nunique() if len(output) else 0
        assert count == max(n, 0), f"{what}: asked for {n} sequences, got {count}"
    else:
        assert len(output) == n, f"{what}: asked for {n} rows, got {len(output)}"
    for column in real.columns:
        series = output[column]
        if series.isna().any() and not real[column].isna().any():
            raise AssertionError(f"{what}: column {column!r} has NaN the real data lacks")
        if isinstance(real[column].dtype, pd.CategoricalDtype):
            unknown = set(series.dropna()) - set(real[column].cat.categories)
            assert not unknown, f"{what}: column {column!r} has levels {unknown} never trained on"
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            values = series.dropna().to_numpy(dtype=float)
            assert np.all(np.isfinite(values)), f"{what}: column {column!r} has inf"
    for column in table.identifiers:
        copied = set(output[column].dropna()) & set(real[column].dropna())
        assert not copied, f"{what}: identifier {column!r} copies {sorted(map(str, copied))[:5]}"
    for column in table.datetimes:
        series = output[column]
        assert pd.api.types.is_datetime64_any_dtype(series), (
            f"{what}: datetime column {column!r} came back as {series.dtype}"
        )
        share = series.isin(set(real[column].dropna())).mean() if len(series) else 0.0
        assert share <= MAX_COPIED_DATETIMES, (
            f"{what}: {share:.0%} of {column!r} values are training datetimes (copied)"
        )


def training_size(table: Table) -> int:
    """The rows of a training table, or its patients for a sequence generator."""
    if table.kind == "time_series":
        return int(table.data[table.id_column].nunique())
    return len(table.data)


def assert_size_warning(
    entry: GeneratorEntry, table: Table, caught: Sequence[warnings.WarningMessage], what: str
) -> None:
    """One warning naming the training size below ``SMALL_TRAINING_SIZE``, none from it.

    The warning must name the rows (patients) and be shown at the user's line, neither in
    the suite's code nor in a host's (their frames are skipped whatever the host).
    """
    size, unit = training_size(table), resolve(entry.core).TRAINING_UNIT
    small = [w for w in caught if issubclass(w.category, SmallTrainingSetWarning)]
    expected = 1 if size < SMALL_TRAINING_SIZE else 0
    assert len(small) == expected, (
        f"{what}: a fit on {size} {unit} gave {len(small)} small-training-set warnings, "
        f"expected {expected}: {[str(w.message)[:80] for w in small]}"
    )
    suite = str(Path(synth_plugins.__file__).parent)
    for w in small:
        assert f" {size} {unit}" in str(w.message), (
            f"{what}: the warning does not name the {size} {unit}: {w.message}"
        )
        assert not w.filename.startswith(suite) and "site-packages" not in w.filename, (
            f"{what}: the small-training-set warning is shown at {w.filename}:{w.lineno}, "
            "not at the caller's line"
        )


def run_case(entry: GeneratorEntry, host: str, case: Case) -> Outcome:
    """Run one case and assert it ends in a clear error or valid output."""
    what = case_id(entry, host, case)
    table = case.build(base_table(entry.synthcity_type))
    if case.size is not None:
        table = _first_rows(table, case.size(resolve(entry.core)))
    with warnings.catch_warnings(record=True) as caught:
        # every suite warning, repeats included: a filter naming the class decides, even
        # after Synthcity's imports (synth_plugins.errors.warn)
        warnings.filterwarnings("always", category=SynthPluginsWarning)
        try:
            output = _RUNNERS[host](entry, table, case)
        except AssertionError:
            raise
        except Exception as error:  # judging every error is the point
            mentions = case.host_refusals.get((entry.name, host), case.mentions)
            assert_clear_error(error, mentions, what)
            return Outcome(error=error)
    if not case.output_ok:
        raise AssertionError(
            f"{what}: returned output where an error naming {list(case.mentions)} was expected"
        )
    assert_size_warning(entry, table, caught, what)
    if host == "synthcity" and table.kind != "time_series":
        # Synthcity's loaders name columns by text (they relabel the caller's frame in
        # place), so its generators, ours and its own, give text labels back
        table = table.with_data(table.data.rename(columns=str))
    assert_valid_output(table, output, case.n, what)
    if case.same_dtypes and host == "core":
        changed = {
            column: f"{table.data[column].dtype} -> {output[column].dtype}"
            for column in table.data.columns
            if output[column].dtype != table.data[column].dtype
        }
        assert not changed, f"{what}: columns came back with other dtypes: {changed}"
    return Outcome(output=output)

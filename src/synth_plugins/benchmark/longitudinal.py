"""The sequential benchmark: longitudinal generators on long visit tables, SDGym-style output.

SDGym has no sequential mode and Synthcity's ``Benchmarks`` does not finish on time series
(issue #354), so this harness runs each generator as its users would (the core, SDV's
``PARSynthesizer`` from sequential metadata, Synthcity time-series plugins through our
``TimeSeriesDataLoader`` adapter), in one process, one after the other, and reports one row
per (dataset, generator) with SDGym-like columns:

``Patients`` and ``Visits`` (what the generator produced; on the reference row the real
training patients'), ``Train_Time`` and ``Sample_Time`` (seconds), ``Peak_Memory_MB`` (peak
rise of the process's resident memory during fit + sample, torch allocations included, see
:func:`~synth_plugins.benchmark.meter.peak_rss`), ``Quality_Score``
(:func:`~synth_plugins.metrics.longitudinal.longitudinal_fidelity` against the holdout
patients), the scores of its parts, ``Quality_Score_Train``, a few raw figures (mean visits,
follow-up, lag-1 correlation error, event rate) and ``Error`` (the message when a generator
failed; the run continues).

Like every suite, the harness scores against real data the generator never saw: each
dataset is split by patient (:func:`split_patients`, whole patients on one side, the
tabular suite's :data:`~synth_plugins.benchmark.tabular.TRAIN_SIZE` and
:data:`~synth_plugins.benchmark.tabular.SPLIT_SEED`, the same split for every generator
and seed). Every generator is fitted on the training patients and asked for as many
patients as they are; ``Quality_Score`` and every part column score its output against
the holdout patients. ``Quality_Score_Train`` is the same metric against the training
patients: a memorisation signal, not quality (a generator that copies its training
patients scores near 1 there and lower on the holdout). The reference row,
:data:`REFERENCE_ROW`, scores the real training patients against the holdout: the reference
a generator is read against (two real samples of the same cohort differ this much).
"""

from __future__ import annotations

import math
import os
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.benchmark.grid import run_cases
from synth_plugins.benchmark.meter import peak_rss
from synth_plugins.benchmark.report import (
    ERRORS_COLUMN,
    REFERENCE_ROW,
    SEEDS_ASKED_COLUMN,
    SEEDS_COLUMN,
    ReportSection,
    failure_notes,
    write_html_report,
)
from synth_plugins.benchmark.tabular import SPLIT_SEED, TRAIN_SIZE, environment
from synth_plugins.datasets import Dataset
from synth_plugins.errors import InvalidDataError, UnderTrainedWarning
from synth_plugins.figures import new_figure, save_figure
from synth_plugins.long_format import patient_index
from synth_plugins.metrics.longitudinal import longitudinal_fidelity

#: Quality columns reported per run (part scores of the longitudinal fidelity).
SCORE_PARTS: tuple[str, ...] = (
    "sequence_length",
    "visit_gaps",
    "follow_up",
    "category_shares",
    "visit_numerics",
    "spearman_longitudinal",
    "trajectory",
    "static_ks",
    "spearman_static",
    "event_rate",
    "discriminative",
    "predictive",
)

#: The parts scored on a dataset without an event column.
_PARTS_WITHOUT_EVENTS = tuple(part for part in SCORE_PARTS if part != "event_rate")
#: How :func:`split_patients` splits (recorded with every run; part of the cache key of
#: ``benchmarks/longitudinal_table.py``'s rows, so a row scored otherwise is never reused).
PATIENT_SPLIT = f"by patient, train_size={TRAIN_SIZE}, random_state={SPLIT_SEED}"
#: The title of each dataset's compact table in report.html.
RANKED_TITLE = (
    "Ranked on Quality_Score (longitudinal_fidelity against the holdout patients); "
    "Quality_Score_Train scores the same output against the training patients "
    "(a memorisation signal, not quality)"
)
#: The label of the real side in the figures: the holdout patients.
HOLDOUT_LABEL = "real holdout"


def split_patients(dataset: Dataset) -> tuple[Dataset, Dataset]:
    """The training and the holdout patients of a long table, as two datasets.

    Patients, not visits, are split (every visit of a patient is on one side), with
    scikit-learn's ``train_test_split`` of the patient ids at the tabular suite's
    :data:`~synth_plugins.benchmark.tabular.TRAIN_SIZE` and
    :data:`~synth_plugins.benchmark.tabular.SPLIT_SEED`: the same split for every generator
    and seed, so their rows compare. Each part keeps the dataset's name and metadata and its
    rows in their order; its ``n_patients`` counts the part's patients.
    """
    from sklearn.model_selection import train_test_split

    ids = dataset.data[dataset.id_column].drop_duplicates().to_numpy()
    if len(ids) < 2:
        raise InvalidDataError(
            f"dataset {dataset.name!r}: {len(ids)} patient(s) in {dataset.id_column!r}; "
            "the benchmark needs at least 2 to split training from holdout patients"
        )
    train_ids, _ = train_test_split(ids, train_size=TRAIN_SIZE, random_state=SPLIT_SEED)
    in_train = dataset.data[dataset.id_column].isin(train_ids)

    def part(rows: pd.Series) -> Dataset:
        return replace(dataset, data=dataset.data[rows].reset_index(drop=True))

    return part(in_train), part(~in_train)


@dataclass(frozen=True)
class Contender:
    """A generator to benchmark.

    Attributes:
        label: The row label (e.g. ``"longitudinal_lstm"``, ``"PARSynthesizer"``).
        host: ``"core"`` (our :class:`LongitudinalLSTM`), ``"sdv_par"`` (SDV's PAR) or
            ``"synthcity"`` (a Synthcity time-series plugin, by ``plugin`` name).
        params: Constructor parameters.
        plugin: The Synthcity plugin name (``host="synthcity"``).
        outcome_columns: Static columns given to Synthcity as the outcome (several
            built-in plugins cannot train without one, Synthcity #326).
    """

    label: str
    host: str
    params: Mapping[str, Any] = field(default_factory=dict)
    plugin: str | None = None
    outcome_columns: tuple[str, ...] = ()


@dataclass
class Run:
    """One (dataset, generator) result: the table row, the output and the fitted model."""

    row: dict[str, Any]
    synthetic: pd.DataFrame | None
    model: Any = None


def _fit_sample(
    contender: Contender, dataset: Dataset, n: int, workspace: Path
) -> tuple[Callable[[], Any], Callable[[], Any], Any]:
    """(fit, sample, model) for a contender; ``sample()`` returns a long table.

    ``workspace``: the folder a Synthcity plugin is given (its constructor creates it).
    """
    id_column, time_column = dataset.id_column, dataset.time_column
    static = list(dataset.static_columns)
    if contender.host == "core":
        from synth_plugins.generators.longitudinal_lstm import LongitudinalLSTM

        model = LongitudinalLSTM(
            id_column, time_column, static_columns=static, roles=dataset.roles,
            **contender.params,
        )  # fmt: skip
        seed = contender.params.get("random_state", 0)  # the case's seed samples too

        def sample() -> Any:
            return model.sample(n, random_state=seed)

        def fit() -> Any:
            # a fit cut short is reported with the run (``Cut_Short``, the report's notes)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UnderTrainedWarning)
                return model.fit(dataset.data)

        return fit, sample, model
    if contender.host == "sdv_par":
        from sdv.sequential import PARSynthesizer

        from synth_plugins.sdv import compat
        from synth_plugins.sdv.sequential_metadata import sequential_metadata_for

        params = {"cuda": False, "verbose": False, **contender.params}
        # PAR has no seed argument: it draws from torch's and numpy's global generators
        seed = params.pop("seed", None)
        par = PARSynthesizer(sequential_metadata_for(dataset), context_columns=static, **params)

        def seeded(call: Callable[[], Any]) -> Any:
            if seed is not None:
                import torch

                torch.manual_seed(seed)
                np.random.seed(seed)  # noqa: NPY002 - the generator PAR reads
            return call()

        def sample_par() -> pd.DataFrame:
            out = seeded(lambda: compat.sample_sequences(par, n))
            # PAR keeps rows in generation order; sort like every other output
            return out.sort_values([id_column, time_column], kind="stable").reset_index(drop=True)

        return (lambda: seeded(lambda: compat.fit(par, dataset.data))), sample_par, par
    if contender.host == "synthcity":
        from synthcity.plugins import Plugins

        from synth_plugins.synthcity.timeseries import (
            dataset_to_timeseries_loader,
            from_timeseries_loader,
        )

        loader, spec = dataset_to_timeseries_loader(
            dataset, outcome_columns=list(contender.outcome_columns)
        )
        params = dict(contender.params)
        strict = params.pop("strict", True)
        plugin = Plugins().get(contender.plugin, workspace=workspace, **params)
        # Synthcity 0.2.12's time-series plugins do not pass ``strict`` on to the base
        # class, so the constructor argument is lost; set the attribute it reads instead
        plugin.strict = strict

        def sample_plugin() -> pd.DataFrame:
            generated = plugin.generate(count=n)
            return from_timeseries_loader(generated, spec)

        return (lambda: plugin.fit(loader)), sample_plugin, plugin
    raise ValueError(f"unknown host {contender.host!r}")


def _clean(synthetic: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """Make a generator's output a valid long table for the metric (and say what was fixed).

    Generators that do not guarantee strictly increasing times (PAR, Synthcity's) may emit
    repeated or decreasing times within a sequence: rows are sorted by time and repeated
    ``(id, time)`` rows dropped, and the number of fixed rows is reported.
    """
    id_column, time_column = dataset.id_column, dataset.time_column
    data = synthetic.dropna(subset=[time_column])
    data = data.sort_values([id_column, time_column], kind="stable")
    data = data.drop_duplicates(subset=[id_column, time_column], keep="first")
    return data.reset_index(drop=True)


def _time_violations(synthetic: pd.DataFrame, dataset: Dataset) -> float:
    """Share of consecutive visit pairs (in output order) whose time does not increase."""
    index = patient_index(synthetic, dataset.id_column)
    times = pd.to_numeric(synthetic[dataset.time_column], errors="coerce").to_numpy(float)
    same = ~index.is_last_row()[:-1]
    if not same.any():
        return 0.0
    return float(np.mean(~(np.diff(times)[same] > 0)))


def run_one(
    contender: Contender,
    dataset: Dataset,
    *,
    event_column: str | None = None,
    log: Callable[[str], None] = print,
) -> Run:
    """Fit on the training patients, sample as many, time, measure and score one generator.

    The dataset is split by :func:`split_patients`; the generator sees only the training
    patients. ``Quality_Score`` and its part columns score the output against the holdout
    patients, ``Quality_Score_Train`` against the training patients (a memorisation
    signal). ``Patients`` and ``Visits`` count the generator's output as it came (before
    repeated or time-less visits are dropped for scoring); NaN when it failed.
    """
    train, holdout = split_patients(dataset)
    n = train.n_patients
    row: dict[str, Any] = {
        "Dataset": dataset.name,
        "Synthesizer": contender.label,
        "Patients": np.nan,
        "Visits": np.nan,
    }
    synthetic = model = None
    scratch = tempfile.TemporaryDirectory(prefix="synth_plugins_bench_")  # removed at the end
    try:
        fit, sample, model = _fit_sample(contender, train, n, Path(scratch.name))
        with peak_rss() as peak:
            start = time.perf_counter()
            fit()
            row["Train_Time"] = time.perf_counter() - start
            log(f"  {contender.label}: fitted in {row['Train_Time']:.1f} s")
            start = time.perf_counter()
            raw = sample()
            row["Sample_Time"] = time.perf_counter() - start
        row["Peak_Memory_MB"] = peak()
        if contender.host == "core":
            row["Epochs_Run"] = model.n_epochs_
            row["Cut_Short"] = float(model.cut_short_)
        if contender.host == "sdv_par":
            row["Epochs_Run_PAR"] = contender.params.get("epochs", 128)
        row["Patients"] = raw[dataset.id_column].nunique()
        row["Visits"] = len(raw)
        row["Time_Order_Violations"] = _time_violations(raw, dataset)
        synthetic = _clean(raw, dataset)
        row.update(score(holdout, synthetic, event_column=event_column))
        memorised = score(train, synthetic, event_column=event_column)["Quality_Score"]
        row["Quality_Score_Train"] = memorised
        row["Error"] = ""
    except Exception as error:  # the harness reports a failure and goes on, as SDGym does
        row["Error"] = f"{type(error).__name__}: {error}"[:300]
        log(f"  {contender.label} failed: {row['Error']}\n{traceback.format_exc(limit=3)}")
    finally:
        scratch.cleanup()
    return Run(row, synthetic, model)


def categorical_columns(dataset: Dataset) -> list[str]:
    """The columns the benchmark scores as levels: those of a discrete role held as text.

    Discrete roles held as numbers (PBC's histologic stage 1-4, MS's EDSS grid) are left
    to the longitudinal metrics' column rule (:mod:`synth_plugins.metrics.longitudinal`),
    which reads numbers of more than two levels as numbers.
    """
    scored = set(dataset.visit_columns) | set(dataset.static_columns)
    return [
        c for c in dataset.categorical_columns
        if c in scored and not pd.api.types.is_numeric_dtype(dataset.data[c])
    ]  # fmt: skip


def score(
    real: Dataset, synthetic: pd.DataFrame, *, event_column: str | None = None
) -> dict[str, float]:
    """Quality columns of one synthetic long table against the real patients of ``real``.

    The raw figures (``visits_per_patient``, ``follow_up_mean``,
    ``events_per_patient_year``) are the synthetic table's.
    """
    result = longitudinal_fidelity(
        real.data,
        synthetic,
        id_column=real.id_column,
        time_column=real.time_column,
        static_columns=list(real.static_columns),
        categorical_columns=categorical_columns(real),
        event_column=event_column,
    )  # fmt: skip
    values = result.to_dict()
    row = {"Quality_Score": result.score}
    # without an event column the event-rate part is not computed: no column, not a blank one
    for part in SCORE_PARTS if event_column is not None else _PARTS_WITHOUT_EVENTS:
        row[part] = values.get(f"{part}_score", np.nan)
    marginals = [row[p] for p in ("category_shares", "visit_numerics") if np.isfinite(row[p])]
    row["visit_marginals"] = float(np.mean(marginals)) if marginals else np.nan
    row["visits_per_patient"] = values.get("sequence_length_synthetic_mean", np.nan)
    row["follow_up_mean"] = values.get("follow_up_synthetic_mean", np.nan)
    row["lag1_abs_diff"] = values.get("spearman_longitudinal_lag1_mean_abs_difference", np.nan)
    row["gap_wasserstein_log"] = values.get("visit_gaps_wasserstein_log", np.nan)
    if event_column is not None:
        row["events_per_patient_year"] = values.get("event_rate_synthetic_pooled", np.nan)
    return row


def real_reference(dataset: Dataset, event_column: str | None = None) -> dict[str, Any]:
    """The reference row: the real training patients scored as a generator's output would be.

    Scored against the holdout patients (:func:`split_patients`), it is what a generator
    that drew real patients of the cohort would get (a copy of its training patients gets
    exactly this): a reference, not an upper bound.
    ``Patients``, ``Visits`` and the raw figures are the training patients'.
    """
    train, holdout = split_patients(dataset)
    return {
        "Dataset": dataset.name,
        "Synthesizer": REFERENCE_ROW,
        "Patients": train.n_patients,
        "Visits": len(train.data),
        **score(holdout, train.data, event_column=event_column),
    }


def sample_million_rows(
    model: Any, visits_per_patient: float, rows: int = 1_000_000, seed: int = 0
) -> dict[str, float]:
    """Time and memory of sampling at least ``rows`` visit rows from a fitted core.

    Besides the wall time, the process CPU time (all threads) per generated row and the
    1-minute load average at the end: on a shared machine the wall time depends on the
    other jobs, the CPU time per row much less.
    """
    n = math.ceil(rows / max(visits_per_patient, 1e-9) * 1.02)
    with peak_rss() as peak:
        start, cpu_start = time.perf_counter(), time.process_time()
        sampled = model.sample(n, random_state=seed)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        "patients": float(n),
        "rows": float(len(sampled)),
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "cpu_us_per_row": 1e6 * cpu / max(len(sampled), 1),
        "load_average_1min": os.getloadavg()[0],
        "peak_memory_mb": peak(),
    }


# ------------------------------------------------------------------------------ plots
def plot_gaps(
    dataset: Dataset, synthetic: Mapping[str, pd.DataFrame], path: Path, unit: str = "years"
) -> None:
    """Histograms of the gaps between visits (log scale), holdout patients vs each generator.

    The real side is the holdout patients of :func:`split_patients`, the patients the
    generators are scored against.
    """

    def gaps(data: pd.DataFrame) -> np.ndarray:
        diff = data.groupby(dataset.id_column, sort=False)[dataset.time_column].diff()
        values = diff.dropna().to_numpy(float)
        return values[values > 0]

    real = gaps(split_patients(dataset)[1].data)
    bins = np.geomspace(max(real.min(), 1e-3), real.max() * 1.5, 50)
    panels = [(name, gaps(data)) for name, data in synthetic.items()]
    fig = new_figure(4 * max(len(panels), 1), 3.2)
    axes = fig.subplots(1, max(len(panels), 1), sharey=True, squeeze=False)
    for ax, (name, values) in zip(axes[0], panels):
        ax.hist(real, bins=bins, density=True, alpha=0.5, label=HOLDOUT_LABEL, color="tab:gray")
        ax.hist(np.clip(values, bins[0], bins[-1]), bins=bins, density=True, alpha=0.5,
                label=name, color="tab:blue")  # fmt: skip
        ax.set_xscale("log")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(f"gap between visits ({unit}, log scale)")
        ax.legend(fontsize=7)
    fig.suptitle(f"{dataset.name}: visit gaps, real holdout patients vs synthetic", fontsize=10)
    save_figure(fig, path)


def plot_trajectories(
    dataset: Dataset,
    synthetic: Mapping[str, pd.DataFrame],
    column: str,
    path: Path,
    *,
    n_patients: int = 6,
    log_scale: bool = False,
) -> None:
    """Mean ``column`` by whole year since the first visit, plus a few single patients.

    The real side is the holdout patients of :func:`split_patients`, as in the scores.
    """

    def by_year(data: pd.DataFrame) -> pd.Series:
        first = data.groupby(dataset.id_column, sort=False)[dataset.time_column].transform("min")
        years = np.floor(data[dataset.time_column] - first).astype(int)
        values = pd.to_numeric(data[column], errors="coerce")
        grouped = values.groupby(years)
        means = grouped.mean()
        return means[grouped.count() >= 20]

    holdout = split_patients(dataset)[1].data
    frames = {HOLDOUT_LABEL: holdout, **synthetic}
    fig = new_figure(10, 3.6)
    axes = fig.subplots(1, 2)
    for name, data in frames.items():
        means = by_year(data)
        axes[0].plot(means.index, means.to_numpy(), marker="o", ms=3, label=name,
                     color="black" if name == HOLDOUT_LABEL else None)  # fmt: skip
    axes[0].set_xlabel("years since first visit")
    axes[0].set_ylabel(f"mean {column}")
    axes[0].legend(fontsize=7)
    axes[0].set_title(f"mean {column} by year of follow-up", fontsize=9)
    rng = np.random.default_rng(0)
    for name, data, style in ((HOLDOUT_LABEL, holdout, "-"),
                              *[(n, d, "--") for n, d in list(synthetic.items())[:1]]):  # fmt: skip
        ids = data[dataset.id_column].unique()
        counts = data.groupby(dataset.id_column).size()
        ids = counts.index[counts >= 4].to_numpy() if (counts >= 4).any() else ids
        for i, pid in enumerate(rng.choice(ids, min(n_patients, len(ids)), replace=False)):
            rows = data[data[dataset.id_column] == pid]
            axes[1].plot(rows[dataset.time_column] - rows[dataset.time_column].min(),
                         pd.to_numeric(rows[column], errors="coerce"), style, marker=".",
                         color=f"C{i}", alpha=0.8,
                         label=f"{name}" if i == 0 else None)  # fmt: skip
    axes[1].set_xlabel("years since first visit")
    axes[1].set_title(f"single patients: holdout (solid) vs {list(synthetic)[:1]} (dashed)",
                      fontsize=9)  # fmt: skip
    if log_scale:
        for ax in axes:
            ax.set_yscale("log")
    fig.suptitle(f"{dataset.name}: {column} trajectories", fontsize=10)
    save_figure(fig, path)


def _run_case(
    contender: Contender, dataset: Dataset, *, event_column: str | None, log: Callable[[str], None]
) -> Run:
    """:func:`run_one` in a grid worker: one torch thread, and no fitted model sent back."""
    import torch

    torch.set_num_threads(1)
    run = run_one(contender, dataset, event_column=event_column, log=log)
    return Run(run.row, run.synthetic)


def cut_short_notes(runs: pd.DataFrame) -> list[str]:
    """A reading note per generator whose fits reached their epoch cap still improving.

    ``runs``: one dataset's rows (``Cut_Short`` 1 where the fit was cut short; see
    :attr:`LongitudinalLSTM.cut_short_`). Its scores are those of an under-trained model:
    the quick mode's short budget, or an ``epochs`` set too low.
    """
    if "Cut_Short" not in runs:
        return []
    notes = []
    for label, group in runs[runs["Cut_Short"] == 1].groupby("Synthesizer", sort=True):
        epochs = ", ".join(str(int(e)) for e in sorted(set(group["Epochs_Run"])))
        seeds = ", ".join(str(int(s)) for s in group["Seed"])
        notes.append(
            f"{label}: the validation loss was still falling when training reached "
            f"epochs={epochs} (seed{'s' if len(group) > 1 else ''} {seeds}): these are the "
            "scores of an under-trained model (raise its epochs for a full comparison)"
        )
    return notes


# ------------------------------------------------------------------------- the suite
#: Visit columns counting events since the previous visit, per dataset (the event rate),
#: for datasets that declare none (see :func:`event_column`).
EVENT_COLUMNS: dict[str, str] = {"ms_registry": "relapses"}


def event_column(dataset: Dataset) -> str | None:
    """The visit column counting events since the previous visit, for the event rate.

    The dataset's declared ``event_column`` when it is such a visit column, else the suite's
    (:data:`EVENT_COLUMNS`); None when there is none. ``pbc_visits`` declares ``status2``,
    its survival outcome: a static column (death, repeated on every visit) that counts no
    events between visits, so it has none.
    """
    for column in (dataset.event_column, EVENT_COLUMNS.get(dataset.name)):
        if column is not None and column in dataset.visit_columns:
            return column
    return None


def no_event_rate_note(dataset: Dataset) -> str:
    """Why ``dataset`` has no event-rate figures (it has no event column).

    Only the tables of every figure hold ``event_rate`` and ``events_per_patient_year``,
    for datasets that have them; no summary table shows an event rate.
    """
    declared = (
        f"its event column {dataset.event_column!r} is a static outcome, not a visit count"
        if dataset.event_column
        else "it declares no event column"
    )
    return (
        f"{dataset.name}: the event-rate part is not scored (its table of every figure has "
        f"no event_rate or events_per_patient_year column): it needs a visit column "
        f"counting events since the previous visit, and {declared}."
    )


#: The visit column drawn in trajectory plots, and whether on a log scale, per dataset.
TRAJECTORY_COLUMNS: dict[str, tuple[str, bool]] = {
    "pbc_visits": ("serBilir", True),
    "ms_registry": ("edss", False),
}
#: Patients simulated for ``ms_registry`` in the suite (quick, full).
MS_PATIENTS = {True: 300, False: 10_000}
#: Synthcity time-series plugins compared; they cannot train without an outcome (#326),
#: so one static column per dataset is given to them as the outcome.
SYNTHCITY_TIME_SERIES = ("timegan", "timevae", "fflows")
SYNTHCITY_OUTCOME = {"pbc_visits": ("status2",), "ms_registry": ("phenotype",)}
#: Quick mode keeps one plugin, on the MS cohort only: on PBC visits (missing lab values)
#: Synthcity drops every generated visit with a missing value and timegan and timevae
#: returned no data at 2 iterations ("Empty temporal data"); fflows took 175 s for 2
#: iterations on PBC and timegan 689 s for 50 (2 loaded cores).
QUICK_SYNTHCITY = {"ms_registry": ("timegan",)}


@dataclass
class LongitudinalBenchmark:
    """The ``longitudinal`` suite of ``synth-plugins benchmark``.

    ``longitudinal_lstm`` against SDV's ``PARSynthesizer`` and (unless ``synthcity`` is
    False) Synthcity's time-series plugins, on each dataset, through :func:`run_one`
    (fitted on the training patients, scored against the holdout patients);
    seeds ``0 .. repeats - 1``. Quick mode uses short fits and a 300-patient MS cohort;
    full mode the defaults of every generator and 10,000 patients.
    """

    datasets: Sequence[str] = ("pbc_visits", "ms_registry")
    quick: bool = True
    repeats: int = 1
    output: Path = Path("benchmark-output")
    synthcity: bool = True
    log: Callable[[str], None] = print
    #: parameters overriding the mode's, for longitudinal_lstm, PAR and Synthcity's plugins
    lstm_params: Mapping[str, Any] = field(default_factory=dict)
    par_params: Mapping[str, Any] = field(default_factory=dict)
    synthcity_params: Mapping[str, Any] = field(default_factory=dict)
    #: MS cohort size (default: :data:`MS_PATIENTS` of the mode)
    ms_patients: int | None = None
    #: (seed, generator) cases of a dataset run at the same time; 1 runs them one after the
    #: other here (see :mod:`synth_plugins.benchmark.grid`)
    n_jobs: int = 1
    #: the joblib backend that runs them (``"loky"``, ``"dask"``, ``"ray"``)
    backend: str | None = None
    #: the per-seed rows of the last run (the tables show their means)
    runs: pd.DataFrame | None = None
    #: per dataset, what a reader needs to read the last run's table (e.g. a part left out)
    dataset_notes: dict[str, list[str]] = field(default_factory=dict, init=False)

    @property
    def reading_notes(self) -> tuple[str, ...]:
        """The last run's notes, shown with its tables in report.md and on the index page."""
        return tuple(note for notes in self.dataset_notes.values() for note in notes)

    def contenders(self, dataset: Dataset, seed: int) -> list[Contender]:
        """The generators compared on ``dataset`` for one seed."""
        if self.quick:
            ours = {"epochs": 40, "static_epochs": 150}
            par, synthcity_iter = {"epochs": 10}, 5
        else:
            ours, par, synthcity_iter = {}, {}, 1000
        if dataset.n_patients > 2_000:
            ours = {**ours, "batch_size": 256}
        ours, par = {**ours, **self.lstm_params}, {**par, **self.par_params}
        found = [
            Contender("longitudinal_lstm", "core", {**ours, "random_state": seed}),
            Contender("PARSynthesizer", "sdv_par", {**par, "seed": seed}),
        ]
        plugins = QUICK_SYNTHCITY.get(dataset.name, ()) if self.quick else SYNTHCITY_TIME_SERIES
        outcome = SYNTHCITY_OUTCOME.get(dataset.name)
        if self.synthcity and outcome and plugins:
            # strict=False: Synthcity's schema filter drops every sequence these plugins
            # generate on our loaders; sampling_patience=3 bounds its retry loop
            params = {
                "n_iter": synthcity_iter,
                "random_state": seed,
                "sampling_patience": 3,
                "strict": False,
                **self.synthcity_params,
            }
            found += [
                Contender(name, "synthcity", params, plugin=name, outcome_columns=outcome)
                for name in plugins
            ]
        return found

    def load(self, name: str) -> Dataset:
        """A longitudinal dataset of the suite (the MS simulator at the mode's size)."""
        from synth_plugins.datasets import load

        if name == "ms_registry":
            return load(name, n_patients=self.ms_patients or MS_PATIENTS[self.quick], seed=0)
        from synth_plugins.benchmark import check_suite_kind  # the package imports this one

        dataset = load(name)
        check_suite_kind("longitudinal", name, dataset.kind)
        return dataset

    def run(self) -> dict[str, pd.DataFrame]:
        """Run every contender on every dataset; returns one ranked table per dataset."""
        import torch

        torch.set_num_threads(1)
        folder = self.output / "longitudinal"
        folder.mkdir(parents=True, exist_ok=True)
        tables: dict[str, pd.DataFrame] = {}
        all_rows = []
        self.dataset_notes = {}
        start = time.perf_counter()
        for name in self.datasets:
            dataset = self.load(name)
            event = event_column(dataset)
            notes = self.dataset_notes[name] = []
            if event is None:
                notes.append(no_event_rate_note(dataset))
            train, holdout = split_patients(dataset)
            self.log(
                f"{dataset.name}: {dataset.n_patients} patients, {len(dataset.data)} visits; "
                f"fitted on {train.n_patients}, scored against {holdout.n_patients} holdout"
            )
            grid = [(s, c) for s in range(self.repeats) for c in self.contenders(dataset, s)]
            cases = [((c, dataset), {"event_column": event, "log": self.log}) for _, c in grid]
            done = run_cases(_run_case, cases, n_jobs=self.n_jobs, backend=self.backend)
            frame = pd.DataFrame([real_reference(dataset, event), *(run.row for run in done)])
            frame["Seed"] = [0, *(s for s, _ in grid)]
            outputs = {
                c.label: run.synthetic
                for (s, c), run in zip(grid, done, strict=True)
                if s == 0 and run.synthetic is not None
            }
            notes += cut_short_notes(frame)
            all_rows.append(frame)
            tables[f"longitudinal:{name}"] = rank_runs(frame)
            self.plots(dataset, outputs, folder)
        self.runs = pd.concat(all_rows, ignore_index=True)
        self.runs.to_csv(folder / "runs.csv", index=False)
        self.write_html(tables, folder, time.perf_counter() - start)
        return tables

    def write_html(self, tables: Mapping[str, pd.DataFrame], folder: Path, seconds: float) -> Path:
        """Write ``<folder>/report.html``: ranked tables, figures, failures, seeds, versions."""
        shown = ["rank", "Quality_Score", *SCORE_PARTS, "Quality_Score_Train"]
        shown += ["Train_Time", "Sample_Time"]
        sections = []
        for name in self.datasets:
            table = tables.get(f"longitudinal:{name}")
            if table is None:
                continue
            kept = [*shown, "Peak_Memory_MB", SEEDS_COLUMN]
            compact = table[[c for c in kept if c in table.columns]]
            sections.append(
                ReportSection(
                    title=name,
                    tables=[(RANKED_TITLE, compact)],
                    details=[("Every figure (means over seeds)", table)],
                    figures=sorted(folder.glob(f"*_{name}.png")),
                    notes=[*self.dataset_notes.get(name, ()), *failure_notes(table)],
                    directions={c: "maximize" for c in ("Quality_Score", *SCORE_PARTS)},
                )
            )
        generators = sorted(set(self.runs["Synthesizer"]) - {REFERENCE_ROW})
        return write_html_report(
            folder / "report.html",
            "synth-plugins benchmark: longitudinal",
            summary={
                "mode": "quick" if self.quick else "full",
                "repeats": self.repeats,
                "datasets": ", ".join(self.datasets),
                "generators": ", ".join(generators),
                "wall time": f"{seconds:.0f} s",
            },
            sections=sections,
            environment=environment(),
            seeds=self.recorded_seeds(),
        )

    def recorded_seeds(self) -> dict[str, str]:
        """What the run seeds, and how (recorded in the reports)."""
        # PAR's rows also follow Python's hash seed (set iteration inside SDV): the same
        # PYTHONHASHSEED reproduces them in another process, a random one does not
        hash_seed = os.environ.get("PYTHONHASHSEED", "random")
        seeds = {
            "split": PATIENT_SPLIT,
            "generators": f"random_state 0 .. {self.repeats - 1} (PAR: torch/numpy seeds "
            f"and PYTHONHASHSEED={hash_seed})",
        }
        if "ms_registry" in self.datasets:
            cohort = self.ms_patients or MS_PATIENTS[self.quick]
            seeds["ms_registry"] = f"simulated with seed 0, {cohort} patients"
        return seeds

    def plots(self, dataset: Dataset, outputs: Mapping[str, pd.DataFrame], folder: Path) -> None:
        """Visit-gap histograms and trajectories of the first seed's outputs."""
        if not outputs:
            return
        plot_gaps(dataset, outputs, folder / f"gaps_{dataset.name}.png")
        column, log_scale = TRAJECTORY_COLUMNS.get(
            dataset.name, (next(iter(dataset.visit_columns)), False)
        )
        path = folder / f"trajectories_{dataset.name}.png"
        plot_trajectories(dataset, outputs, column, path, log_scale=log_scale)


def rank_runs(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per generator, ranked; the reference row (:data:`REFERENCE_ROW`) last.

    A generator's figures are means over the seeds it ran on (a run with an ``Error``
    produced nothing to score); :data:`~synth_plugins.benchmark.report.SEEDS_COLUMN`
    counts those seeds, ``seeds_asked`` the seeds run, ``errors`` says what failed. The
    ranking: generators that ran on every seed first, by ``Quality_Score``; then those that
    failed on some seeds, by ``Quality_Score`` (a mean over fewer seeds is not compared
    with complete ones); a generator that failed on every seed gets no rank and comes last.
    """
    numeric = frame.select_dtypes("number").columns.drop("Seed", errors="ignore")
    errors = frame["Error"].fillna("") if "Error" in frame else pd.Series("", frame.index)
    ran = errors.eq("")
    grouped = frame.groupby("Synthesizer", sort=False)
    table = frame[ran].groupby("Synthesizer", sort=False)[list(numeric)].mean()
    table = table.reindex(list(grouped.groups))
    table[SEEDS_COLUMN] = ran.groupby(frame["Synthesizer"], sort=False).sum()
    table[SEEDS_ASKED_COLUMN] = grouped.size()
    table[ERRORS_COLUMN] = errors.groupby(frame["Synthesizer"], sort=False).agg(
        lambda found: "; ".join(sorted({e for e in found if e}))
    )
    real = table.loc[[REFERENCE_ROW]] if REFERENCE_ROW in table.index else table.iloc[:0]
    real = real.assign(**{SEEDS_COLUMN: np.nan, SEEDS_ASKED_COLUMN: np.nan})
    others = table.drop(index=real.index)
    complete = others[SEEDS_COLUMN] == others[SEEDS_ASKED_COLUMN]
    others = others.assign(_complete=complete, _ran=others[SEEDS_COLUMN] > 0).sort_values(
        ["_ran", "_complete", "Quality_Score"], ascending=False, na_position="last"
    )
    rank = np.arange(1, len(others) + 1, dtype=float)
    rank[~others["_ran"].to_numpy()] = np.nan
    others = others.drop(columns=["_complete", "_ran"])
    others.insert(0, "rank", rank)
    return pd.concat([others, real])

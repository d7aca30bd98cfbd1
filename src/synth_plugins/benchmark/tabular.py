"""The ``tabular`` benchmark suite: the suite's tabular generators against built-ins.

Two harnesses, each used as its users use it:

- Synthcity's ``Benchmarks.evaluate`` fits every Synthcity plugin (the suite's, registered
  by name, and built-ins) on the training split and scores it on the holdout with
  Synthcity's metrics and the suite's; :class:`~synth_plugins.benchmark.meter.PluginMeter`
  adds fit time, sample time and peak memory. Each test case is its own call
  (:func:`evaluate_case`, shared with the survival suite), so timings are per case and a
  generator that fails to fit costs one row, not the run. Fitted generators, synthetic
  data and timings are cached in ``<output>/workspace`` so an interrupted run resumes.
- SDGym fits SDV synthesizers (the suite's and built-ins) on a local copy of the data
  (no download) and reports its quality scores, timings and memory.

Generators are ranked on the score of each metric only (see
:func:`~synth_plugins.benchmark.report.score_directions`). From the synthetic data the
harness caches (first repeat) the suite draws figures per dataset
(:mod:`synth_plugins.benchmark.plots`) and writes ``<output>/tabular/report.html``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import platform
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins import __version__, catalog
from synth_plugins.benchmark.grid import run_cases
from synth_plugins.benchmark.meter import PluginMeter
from synth_plugins.benchmark.report import (
    ERRORS_COLUMN,
    SEEDS_ASKED_COLUMN,
    SEEDS_COLUMN,
    ReportSection,
    failure_notes,
    overall_ranking,
    rank_generators,
    score_directions,
    suite_ideals,
    write_html_report,
)
from synth_plugins.datasets import Dataset, load

#: Epochs of every neural generator in quick mode (equal for all, so timings compare).
QUICK_EPOCHS = 100
#: Synthcity built-ins compared in quick mode, with their quick parameters.
QUICK_SYNTHCITY_BUILTINS: dict[str, dict[str, Any]] = {
    "tvae": {"n_iter": QUICK_EPOCHS},
    "ctgan": {"n_iter": QUICK_EPOCHS},
    "marginal_distributions": {},
}
FULL_SYNTHCITY_BUILTINS: dict[str, dict[str, Any]] = {
    "tvae": {},
    "ctgan": {},
    "nflow": {},
    "marginal_distributions": {},
}
#: Synthcity metrics reported for every generator (the suite's metrics are added). Its
#: ``max_mean_discrepancy`` is left out: an RBF kernel of width 1 on unscaled columns gave
#: every generator the same value (0.01299 for all six on pima), a tie in every ranking.
SYNTHCITY_METRICS: dict[str, list[str]] = {
    "stats": ["jensenshannon_dist", "ks_test"],
    "detection": ["detection_xgb"],
    "performance": ["linear_model"],
}
SDGYM_BUILTINS = ("GaussianCopulaSynthesizer",)
#: The suite's metrics in the SDGym table, as SDGym takes them: (SDMetrics name, options).
#: SDGym keeps only SDMetrics' normalised score, exp(-L1) for CorrelationL1: the default sum
#: over heart_failure's 78 column pairs (5 to 8) normalised to 0.0003 - 0.005 for every
#: synthesizer, so it runs with the mean per pair (at most 2), exp(-mean) in [0.14, 1].
SDGYM_METRICS: tuple[tuple[str, dict[str, Any]], ...] = (
    (catalog.metric("correlation_l1").sdmetrics_name, {"reduce": "mean"}),
)
#: ``Benchmarks``' task type in this suite: a survival table's event is the target.
TASK_TYPE = "classification"
#: Shown after the ranked scores in the report's compact tables (``peak_mb`` is the
#: largest over the seeds, the others are means).
COST_COLUMNS = ("fit_s", "sample_s", "peak_mb")
#: What SDGym's table is, shown with it: SDGym takes no seed, and adds a baseline.
SDGYM_NOTE = (
    "SDGym table: one run per synthesizer (SDGym takes no seed, so --repeats applies to the "
    "Synthcity table only). UniformSynthesizer is SDGym's own baseline (uniform draws per "
    "column), which SDGym adds to every run. CorrelationL1 is exp(-mean per-pair L1): SDMetrics' "
    "normalised score of the mean |real - synthetic correlation| over the column pairs, in "
    "[0.14, 1], higher is better."
)
#: What the summary's utility column is, and how far chance reaches on a small holdout
#: (shown with the suite's tables). ``Benchmarks.evaluate`` hands its metrics the loader's
#: test split as the real data (Synthcity 0.2.12, ``benchmark/__init__.py``), and
#: ``linear_model`` splits that again: ``syn_id`` is the mean over 5 folds of 80 % of the
#: holdout, ``syn_ood`` (in the report) the other 20 %, both of one model.
UTILITY_NOTE = (
    "Utility column: Synthcity's performance.linear_model.syn_id, a logistic regression "
    "(unscaled features) trained on the synthetic rows (a sample of the holdout's size) and "
    "scored by ROC AUC on real holdout rows the generator never saw (mean over 5 folds of "
    "80 % of the holdout). 0.5 is chance, but one model trained on rows that carry no "
    "association between the features and the target lands far from it on a small holdout: "
    "on heart_failure (60 holdout rows) 12 such tables (training rows, target shuffled) "
    "scored 0.09 to 0.83 (sd 0.22), so one seed's values below about 0.85 do not tell a "
    "generator that learned nothing from one that learned a little; more seeds (--repeats) "
    "average the spread down."
)
#: The share of rows the generators are fitted on, and the seed of the split (Synthcity's
#: loader split); the rest is the holdout they are scored on. Every suite and ``tune``
#: (which seeds the split with its own ``--seed``) split this way.
TRAIN_SIZE = 0.8
SPLIT_SEED = 0
SPLIT = {"train_size": TRAIN_SIZE, "random_state": SPLIT_SEED}
#: Packages that compute or host the reported figures, recorded (when installed) with
#: every result: the hosts, and the libraries behind the survival, privacy, detection and
#: tuning figures.
RECORDED_PACKAGES = (
    "synthcity",
    "sdv",
    "sdmetrics",
    "sdgym",
    "torch",
    "numpy",
    "pandas",
    "scikit-learn",
    "xgboost",
    "lifelines",
    "scikit-survival",
    "anonymeter",
    "optuna",
)


@dataclass
class CaseOutcome:
    """What one ``Benchmarks.evaluate`` call for one test case gave.

    Attributes:
        results: ``Benchmarks``' frame of the case (``mean``, ``direction``, ... by metric
            key), or None when the call failed.
        timings: ``fit_s``, ``sample_s`` (means over repeats) and ``peak_mb`` (max), NaN
            when nothing was measured; ``load_avg`` too when measured in this run.
        synthetic: The synthetic table of each repeat the workspace holds, in repeat order.
        seconds: Wall time of the call.
        errors: What failed, in words: the call's exception, and what ``Benchmarks`` only
            logged (a repeat whose sampling failed, a metric that raised).
        seeds: The repeats that were scored (``results`` are means over them).
    """

    results: pd.DataFrame | None
    timings: dict[str, float]
    synthetic: list[pd.DataFrame]
    seconds: float
    errors: list[str]
    seeds: int = 0


def evaluate_case(
    testcase: str,
    plugin: str,
    params: Mapping[str, Any],
    loader: Any,
    *,
    metrics: Mapping[str, Sequence[str]],
    repeats: int,
    task_type: str,
    workspace: Path,
) -> CaseOutcome:
    """One test case through ``Benchmarks.evaluate``, metered, with its cached outputs.

    :class:`~synth_plugins.benchmark.meter.PluginMeter` times the plugin's fit and generate
    calls. When ``Benchmarks`` reuses a cached generator (a resumed run) nothing is fitted,
    so the timings measured when it was fitted are kept next to the cache
    (``<stem>_timings_<repeats>.json``) and read back. The synthetic tables are read from
    the workspace (``<stem>_<repeat>.bkp``, see :func:`cache_stem`).

    Args:
        testcase: The test name (a column of ``Benchmarks``' results).
        plugin: The Synthcity plugin name.
        params: The plugin's parameters.
        loader: The Synthcity DataLoader (its training split is fitted).
        metrics: ``Benchmarks``' ``metrics`` argument.
        repeats: Repeats (seeds ``0 .. repeats - 1``).
        task_type: ``Benchmarks``' task type.
        workspace: ``Benchmarks``' cache folder.

    ``Benchmarks`` skips a repeat whose sampling fails and drops a metric that raises,
    and only logs either: a temporary log sink collects those messages into ``errors``,
    and ``seeds`` counts the repeats that were scored.

    Returns:
        A :class:`CaseOutcome`; a call that raises is reported in ``errors``.
    """
    from synthcity.benchmark import Benchmarks
    from synthcity.utils.serialization import load_from_file

    from synth_plugins.synthcity.metrics.evaluators import every_figure

    stem = cache_stem(loader, testcase, plugin, params)
    timings_file = workspace / f"{stem}_timings_{repeats}.json"
    results: dict[str, pd.DataFrame] = {}
    start = time.perf_counter()
    load_before = os.getloadavg()[0]
    with PluginMeter() as meter, synthcity_failures() as errors, every_figure():
        try:
            results = Benchmarks.evaluate(
                [(testcase, plugin, dict(params))],
                loader,
                metrics={k: list(v) for k, v in metrics.items()},
                repeats=repeats,
                task_type=task_type,
                workspace=workspace,
            )
        except Exception as error:  # a fit that raises is not caught by Benchmarks
            errors.append(f"Benchmarks: {type(error).__name__}: {error}")
    seconds = time.perf_counter() - start
    timings = _timings(meter, plugin)
    if not np.isnan(timings["fit_s"]):  # measured now: keep for cached reruns
        timings["load_avg"] = (load_before + os.getloadavg()[0]) / 2
        timings_file.write_text(json.dumps(timings))
    elif timings_file.exists():
        timings = json.loads(timings_file.read_text())
    synthetic = [
        load_from_file(path).dataframe()
        for path in (workspace / f"{stem}_{repeat}.bkp" for repeat in range(repeats))
        if path.exists()
    ]
    frame = results.get(testcase)
    seeds = int(frame["rounds"].max()) if frame is not None and len(frame) else 0
    if frame is not None and seeds:
        short = frame["rounds"] < seeds  # a metric that failed on some of the scored seeds
        errors += [f"{key}: {n} of {seeds} seeds" for key, n in frame["rounds"][short].items()]
    return CaseOutcome(frame, timings, synthetic, seconds, errors, seeds)


@contextlib.contextmanager
def synthcity_failures() -> Iterator[list[str]]:
    """Collect the failures Synthcity only logs (level ERROR and above) while inside.

    ``Benchmarks.evaluate`` logs a repeat whose sampling failed (``[plugin][take r]
    failed: ...``) and a metric that raised (``Evaluator ... failed: ...``) and goes on;
    the suite removes Synthcity's own sinks (:func:`silence_synthcity_sinks`), so without
    this sink those failures would be lost. Plugin-loading notices (a plugin disabled for
    a missing optional dependency) are not failures of the run and are left out.

    Only records logged from the calling thread are kept. Loguru's sinks are process-wide,
    and cases may run as threads of one process (joblib's ``"threading"`` backend, a Dask
    worker's threads): without this filter each would collect the others' failures. The
    calling thread sees all of its own case's failures: ``Benchmarks.evaluate`` runs its
    repeats in a plain loop and ``Metrics.evaluate`` its metrics through
    ``Parallel(n_jobs=1)``, which runs them one after another in the caller (synthcity
    0.2.12, ``benchmark/__init__.py`` and ``metrics/scores.py``).
    """
    import threading

    import loguru

    messages: list[str] = []
    caller = threading.get_ident()

    def keep(message: Any) -> None:
        text = str(message.record["message"]).strip()
        if "module disabled" not in text and text not in messages:
            messages.append(text)

    sink = loguru.logger.add(
        keep, level="ERROR", format="{message}", filter=lambda r: r["thread"].id == caller
    )
    try:
        yield messages
    finally:
        loguru.logger.remove(sink)


def case_workspace(output: Path, loader: Any, task_type: str) -> Path:
    """The folder ``Benchmarks`` caches a suite's fits of one training split in (made here).

    ``<output>/workspace/synth-plugins-<version>/<loader type>-<task type>-<hash>``: the
    hash covers the training split's rows and the loader's settings (target, outcome
    columns). ``Benchmarks`` names its cache files by a hash of the *whole* table, so a
    folder shared by two splits of one table (another ``train_size``) or two loaders of it
    (the tabular and the survival suite on ``gbsg2``) would hand a generator fitted on one
    to the other.
    """
    key = json.dumps(
        {"type": loader.type(), "task": task_type, "train": loader.train().hash(), **loader.info()},
        sort_keys=True,
        default=str,
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    folder = (
        Path(output)
        / "workspace"
        / f"synth-plugins-{__version__}"
        / f"{loader.type()}-{task_type}-{digest}"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def evaluate_registered(*args: Any, **kwargs: Any) -> CaseOutcome:
    """:func:`evaluate_case` in a worker: the suite registered in its Synthcity first."""
    import synth_plugins

    synth_plugins.register(("synthcity",))
    return evaluate_case(*args, **kwargs)


def cache_stem(loader: Any, testcase: str, plugin: str, params: Mapping[str, Any]) -> str:
    """The file-name stem ``Benchmarks.evaluate`` caches a test case's data under.

    ``{X.hash()}_{testcase}_{plugin}_{sha256(kwargs)}_{python version}``; the synthetic
    table of repeat ``r`` is ``<stem>_<r>.bkp`` (synthcity 0.2.12,
    ``synthcity/benchmark/__init__.py``).
    """
    from synthcity.benchmark.utils import get_json_serializable_kwargs

    kwargs_hash = ""
    if params:
        raw = json.dumps(get_json_serializable_kwargs(dict(params)), sort_keys=True).encode()
        kwargs_hash = hashlib.sha256(raw).hexdigest()
    return f"{loader.hash()}_{testcase}_{plugin}_{kwargs_hash}_{platform.python_version()}"


def _timings(meter: PluginMeter, plugin: str) -> dict[str, float]:
    m = meter.measurements
    return {
        "fit_s": float(np.mean(m.fit_s[plugin])) if m.fit_s[plugin] else np.nan,
        "sample_s": float(np.mean(m.generate_s[plugin])) if m.generate_s[plugin] else np.nan,
        "peak_mb": float(np.max(m.peak_mb[plugin])) if m.peak_mb[plugin] else np.nan,
    }


@dataclass
class TabularRun:
    """One dataset's split, the synthetic data scored on it and its tables.

    Attributes:
        dataset: The loaded dataset.
        train: The training split the generators were fitted on.
        holdout: The holdout split they were scored on.
        synthetic: Generator -> its first repeat's synthetic table (for the figures).
        ranked: The ranked Synthcity table (every key).
        directions: The keys it was ranked on, with their directions.
        figures: The PNGs written for the dataset.
        errors: Generator (or ``"figures"``) -> what failed.
    """

    dataset: Dataset
    train: pd.DataFrame
    holdout: pd.DataFrame
    synthetic: dict[str, pd.DataFrame] = field(default_factory=dict)
    ranked: pd.DataFrame | None = None
    directions: dict[str, str] = field(default_factory=dict)
    figures: list[Path] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


def table_loader(dataset: Dataset) -> Any:
    """The suite's Synthcity loader of ``dataset``, split by :data:`SPLIT`.

    A survival dataset is a plain table here, its event the classification target (the
    duration an ordinary column): Synthcity's classification metrics (the utility column,
    ``performance.linear_model``) give nothing for a survival loader.
    """
    from synth_plugins.synthcity.loaders import to_dataloader

    if dataset.kind == "survival":
        dataset = replace(dataset, kind="tabular", target=dataset.event_column)
    return to_dataloader(dataset, **SPLIT)


@dataclass
class TabularBenchmark:
    """What to run; ``quick`` keeps every fit short enough for a laptop.

    Attributes:
        datasets: Bundled tabular datasets.
        quick: Short fits (:data:`QUICK_EPOCHS`) and fewer built-ins.
        repeats: Seeds per generator (``Benchmarks``' repeats, ``random_state`` 0, 1, ...).
        output: Results folder: the workspace cache is ``<output>/workspace``, figures and
            ``report.html`` go to ``<output>/tabular``.
        synthcity_builtins: Synthcity plugin name -> parameters; None uses the mode's.
        sdgym: Also run the SDGym harness.
        log: Progress lines.
        metrics: Synthcity's metrics (the suite's are added, see :meth:`all_metrics`).
        figures: Draw the marginal, association and distance figures of every dataset.
        html: Write ``report.html`` at the end of :meth:`run`.
        n_jobs: Generators of a dataset evaluated at the same time (one ``Benchmarks``
            call each, seeds inside it); 1 runs them one after the other in this process.
        backend: The joblib backend that runs them (default ``"loky"``: worker processes
            on this machine). A grid that outgrows one machine runs on a cluster through
            joblib's ``"dask"`` backend (tested on a local cluster) or ``"ray"`` (not
            tested), with ``output`` on storage every worker sees, so that the workspace
            cache is shared (see :mod:`synth_plugins.benchmark.grid`).
    """

    datasets: Sequence[str] = ("heart_failure",)
    quick: bool = True
    repeats: int = 1
    output: Path = Path("benchmark-output")
    synthcity_builtins: dict[str, dict[str, Any]] | None = None
    sdgym: bool = True
    log: Callable[[str], None] = print
    metrics: dict[str, list[str]] = field(default_factory=lambda: dict(SYNTHCITY_METRICS))
    figures: bool = True
    html: bool = True
    n_jobs: int = 1
    backend: str | None = None
    runs: dict[str, TabularRun] = field(default_factory=dict, init=False)

    def contenders(self) -> dict[str, dict[str, Any]]:
        """Synthcity plugin name -> parameters: the suite's generic generators + built-ins."""
        builtins = self.synthcity_builtins
        if builtins is None:
            builtins = QUICK_SYNTHCITY_BUILTINS if self.quick else FULL_SYNTHCITY_BUILTINS
        ours = {
            # only generators trained in epochs (their quick parameters say so) get fewer
            e.name: (
                {"n_iter": QUICK_EPOCHS} if self.quick and "n_iter" in e.synthcity_quick else {}
            )
            for e in catalog.GENERATORS
            if e.synthcity_type == "generic"
        }
        return {**ours, **builtins}

    def all_metrics(self) -> dict[str, list[str]]:
        """Synthcity metrics plus every metric of the suite that applies to plain tables.

        Survival metrics are left out: they need survival loaders, and Synthcity's
        Benchmarks treats any metric named "...augmentation..." as its own fairness
        augmentation pipeline, which skips every repeat of a plain table.
        """
        metrics = {k: list(v) for k, v in self.metrics.items()}
        for entry in catalog.METRICS:
            if entry.data == "table" and "survival" not in entry.needs:
                metrics.setdefault(entry.synthcity_type, []).append(entry.name)
        return metrics

    def run(self) -> dict[str, pd.DataFrame]:
        """Run every harness on every dataset; returns the tables by name.

        With ``figures``, also writes ``<output>/tabular/marginals_<dataset>.png``,
        ``associations_<dataset>_<generator>.png`` and ``distances_<dataset>.png``; with
        ``html``, ``<output>/tabular/report.html``.
        """
        import synth_plugins

        start = time.perf_counter()
        synth_plugins.register()
        silence_synthcity_sinks()
        folder = Path(self.output) / "tabular"
        tables: dict[str, pd.DataFrame] = {}
        for name in self.datasets:
            tables[f"synthcity:{name}"] = self._synthcity(name)
            if self.figures:
                self._figures(name, folder)
            if self.sdgym:
                tables[f"sdgym:{name}"] = self._sdgym(name)
        if self.html:
            path = self.write_html(tables, folder, time.perf_counter() - start)
            self.log(f"[tabular] wrote {path}")
        return tables

    @property
    def reading_notes(self) -> tuple[str, ...]:
        """What a reader needs to read the tables: the utility column, the SDGym table."""
        return (UTILITY_NOTE, SDGYM_NOTE) if self.sdgym else (UTILITY_NOTE,)

    def recorded_seeds(self) -> dict[str, str]:
        """What the run seeds, and how (recorded in the report)."""
        seeds = {
            "split": f"train_size={TRAIN_SIZE}, random_state={SPLIT_SEED}",
            "generators": f"random_state = repeat, repeats 0 .. {self.repeats - 1} "
            "(Benchmarks.evaluate)",
            "figures": "synthetic table of repeat 0; distance subsample and balancing seed 0",
        }
        if self.sdgym:
            seeds["sdgym"] = "one run per synthesizer, unseeded (SDGym takes no seed)"
        return seeds

    def _synthcity(self, name: str) -> pd.DataFrame:
        dataset = load(name)
        loader = table_loader(dataset)
        run = TabularRun(
            dataset=dataset, train=loader.train().dataframe(), holdout=loader.test().dataframe()
        )
        self.runs[name] = run
        workspace = case_workspace(self.output, loader, TASK_TYPE)
        contenders = self.contenders()
        self.log(
            f"[synthcity] {name}: {len(contenders)} generators x {self.repeats} repeat(s): "
            + ", ".join(contenders)
        )
        rows: dict[str, dict[str, float]] = {}
        directions: dict[str, str] = {}
        outcomes = self._evaluate_cases(loader, contenders, workspace)
        for plugin, outcome in outcomes.items():
            self.log(
                f"[synthcity] {name}: {plugin} done in {outcome.seconds:.0f} s "
                f"(fit {outcome.timings['fit_s']:.1f} s)"
                + (f"; {outcome.errors[-1][:200]}" if outcome.errors else "")
            )
            row: dict[str, float] = {}
            if outcome.results is not None and len(outcome.results):
                row.update(outcome.results["mean"].astype(float).to_dict())
                directions.update(outcome.results["direction"].to_dict())
            row.update({k: outcome.timings[k] for k in COST_COLUMNS})
            row[SEEDS_COLUMN] = outcome.seeds
            row[SEEDS_ASKED_COLUMN] = self.repeats
            row[ERRORS_COLUMN] = "; ".join(outcome.errors)
            rows[plugin] = row
            if outcome.synthetic:
                run.synthetic[plugin] = outcome.synthetic[0]
            if outcome.errors:
                run.errors[plugin] = outcome.errors
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.index.name = "generator"
        run.directions = score_directions(directions, [e.name for e in catalog.METRICS])
        ranked = rank_generators(table, run.directions, suite_ideals())
        ranked.insert(0, "dataset", name)
        run.ranked = ranked
        return ranked

    def _evaluate_cases(
        self, loader: Any, contenders: Mapping[str, Mapping[str, Any]], workspace: Path
    ) -> dict[str, CaseOutcome]:
        """One :func:`evaluate_case` per generator, through joblib (see ``n_jobs``)."""
        metrics = self.all_metrics()
        cases = [
            (
                (plugin, plugin, params, loader),
                {
                    "metrics": metrics,
                    "repeats": self.repeats,
                    "task_type": TASK_TYPE,
                    "workspace": workspace,
                },
            )
            for plugin, params in contenders.items()
        ]
        outcomes = run_cases(evaluate_registered, cases, n_jobs=self.n_jobs, backend=self.backend)
        return dict(zip(contenders, outcomes, strict=True))

    def _figures(self, name: str, folder: Path) -> None:
        """Draw one dataset's figures from the synthetic tables the harness cached.

        A failure is logged and reported in the HTML report; the tables are kept.
        """
        from synth_plugins.benchmark.plots import discrete_columns, tabular_figures

        run = self.runs[name]
        start = time.perf_counter()
        try:
            run.figures = tabular_figures(
                name,
                run.train,
                run.holdout,
                run.synthetic,
                discrete_columns(run.dataset.roles, run.train),
                folder,
            )
        except Exception as error:  # a figure must not cost the tables of a finished run
            run.errors.setdefault("figures", []).append(f"{type(error).__name__}: {error}")
        self.log(
            f"[tabular] {name}: {len(run.figures)} figures in {time.perf_counter() - start:.0f} s"
            + (f"; {run.errors['figures'][-1][:200]}" if "figures" in run.errors else "")
        )

    def write_html(self, tables: Mapping[str, pd.DataFrame], folder: Path, seconds: float) -> Path:
        """Write ``<folder>/report.html`` from the run's tables, figures, seeds and versions."""
        sections = []
        sdgym = sorted({g for t, f in tables.items() if t.startswith("sdgym:") for g in f.index})
        for name in self.datasets:
            run = self.runs.get(name)
            section = ReportSection(title=name)
            synthcity = tables.get(f"synthcity:{name}")
            if run is not None and synthcity is not None:
                shown = ["mean_rank", *run.directions, *COST_COLUMNS, SEEDS_COLUMN]
                compact = synthcity[[c for c in shown if c in synthcity.columns]]
                section.tables.append(("Synthcity Benchmarks, ranked on these scores", compact))
                attacks = attack_table(synthcity)
                if attacks is not None:
                    section.tables.append((attack_title(self.repeats), attacks))
                section.details.append(("Every figure Synthcity reported", synthcity))
                section.directions = run.directions
                section.figures = list(run.figures)
                section.notes = [
                    *failure_notes(synthcity),
                    *(f"figures: {error}" for error in run.errors.get("figures", ())),
                ]
            if f"sdgym:{name}" in tables:
                section.tables.append(("SDGym", tables[f"sdgym:{name}"]))
                section.notes.append(SDGYM_NOTE)
            sections.append(section)
        return write_html_report(
            folder / "report.html",
            "synth-plugins benchmark: tabular",
            summary={
                "mode": "quick" if self.quick else "full",
                "repeats": self.repeats,
                "datasets": ", ".join(self.datasets),
                "generators": ", ".join(self.contenders())
                + (f"; SDGym: {', '.join(sdgym)}" if sdgym else ""),
                "wall time": f"{seconds:.0f} s",
            },
            sections=sections,
            environment=environment(),
            seeds=self.recorded_seeds(),
            ranking=overall_ranking(tables),
        )

    def _sdgym(self, name: str) -> pd.DataFrame:
        from synth_plugins.sdgym import run_sdgym, sdgym_synthesizer

        dataset = load(name)
        custom = [
            sdgym_synthesizer(
                e.name,
                **({"epochs": QUICK_EPOCHS} if self.quick and "epochs" in e.sdv_quick else {}),
            )
            for e in catalog.GENERATORS
            if e.synthcity_type == "generic"
        ]
        self.log(f"[sdgym] {name}: {', '.join([*SDGYM_BUILTINS, *(c.__name__ for c in custom)])}")
        frame = run_sdgym([dataset], SDGYM_BUILTINS, custom, SDGYM_METRICS)
        frame = frame.set_index("Synthesizer")
        frame.index.name = "generator"
        return frame.sort_values("Quality_Score", ascending=False)


def attack_title(repeats: int) -> str:
    """The title of :func:`attack_table`: what its bounds are for ``repeats`` seeds.

    Synthcity's ``Benchmarks`` averages every key over the repeats, so with several seeds
    the bounds are means of each seed's interval bounds, not an interval for the mean.
    """
    if repeats == 1:
        return "Privacy attacks (anonymeter_risk: risk [95 % interval])"
    return (
        f"Privacy attacks (anonymeter_risk: mean risk over {repeats} seeds [means of each "
        "seed's 95 % interval bounds, not an interval for the mean])"
    )


def attack_table(table: pd.DataFrame) -> pd.DataFrame | None:
    """Each generator's Anonymeter risk per attack, as ``risk [low, high]`` (lower is better).

    Read from the ``privacy.anonymeter_risk.*`` keys of a Synthcity results table; None when
    the table has none.
    """
    from synth_plugins.metrics.attacks import ATTACKS

    prefix = "privacy.anonymeter_risk."
    columns = {}
    for attack in ATTACKS:
        keys = [f"{prefix}{attack}_risk{end}" for end in ("", "_ci_low", "_ci_high")]
        if all(k in table.columns for k in keys):
            risk, low, high = (table[k] for k in keys)
            columns[attack] = [
                f"{r:.2f} [{lo:.2f}, {hi:.2f}]" if np.isfinite(r) else "n/a"
                for r, lo, hi in zip(risk, low, high)
            ]
    if not columns:
        return None
    return pd.DataFrame(columns, index=table.index)


def silence_synthcity_sinks() -> None:
    """Load Synthcity's plugins without their import notices; drop the log sinks they add.

    Synthcity (and the ``decaf`` and ``fflows`` packages its plugins import) add stderr log
    sinks, through which every ``Plugins()`` logs a ``[CRITICAL] module disabled`` line for
    the ``goggle`` plugin (its ``dgl`` dependency has no wheel for torch 2.2); pyKeOps
    prints a CPU-only notice on stdout when first imported. The first load runs with both
    streams held, and the sinks are then removed; failures of our own runs are still raised
    or reported in the result tables.
    """
    import loguru

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        from synthcity.plugins import Plugins

        Plugins()
    loguru.logger.remove()


def environment() -> dict[str, str]:
    """Python, the installed :data:`RECORDED_PACKAGES` and ``PYTHONHASHSEED``, per result.

    Every suite's report and the index page record this one mapping. ``PYTHONHASHSEED``
    is there because SDV's PAR iterates over sets: its rows follow the hash seed
    (``random`` when it is not set).
    """
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version(), "synth-plugins": __version__}
    for package in RECORDED_PACKAGES:
        with contextlib.suppress(PackageNotFoundError):
            found[package] = version(package)
    found["PYTHONHASHSEED"] = os.environ.get("PYTHONHASHSEED", "random")
    return found

"""The ``survival`` benchmark suite: CK4Gen against Synthcity's survival generators.

Synthcity's ``Benchmarks.evaluate(..., task_type="survival_analysis")`` fits every test
case (CK4Gen in its two outcome modes, and built-ins) on the training split of a survival
dataset and scores it on the holdout with Synthcity's ``survival_km_distance`` and the
suite's ``km_survival_scores``, ``hazard_ratio_alignment``, ``hamming_leakage`` and
``dcr_holdout_share``; :class:`~synth_plugins.benchmark.meter.PluginMeter` adds fit time,
sample time and peak memory. Each test case is a separate ``Benchmarks.evaluate`` call, so
the meter (which keys by plugin name) tells ``ck4gen`` in copy mode from ``ck4gen`` in
model mode, and a generator that fails to fit costs one row, not the run.

Two figures are computed outside the harness, on the synthetic data it caches in the
workspace (``*.bkp``, one table per repeat):

- ``hr.*``: :func:`~synth_plugins.metrics.survival.hazard_ratio_alignment` of the full
  synthetic table against the real *training* table, with the dataset's roles. Inside
  ``Benchmarks`` the same metric sees the encoded holdout and an equal-size subsample of
  the synthetic data (137 rows each on GBSG2), which is reported too
  (``stats.hazard_ratio_alignment.*``) but is dominated by the holdout's own noise.
- ``aug.*``: :func:`~synth_plugins.metrics.survival.survival_augmentation` (C-index
  and integrated Brier score of Cox and random-survival-forest models trained on real vs
  real + synthetic rows, scored on the holdout). It cannot run inside ``Benchmarks``,
  which treats every metric named "...augmentation..." as its fairness-augmentation
  pipeline and skips the repeat when the loader has no ``fairness_column``.

Generators that do not run in Synthcity (e.g. SDV's GaussianCopula) can be added as
:class:`ExternalGenerator`: they are fitted and sampled outside the harness, metered the
same way, and scored with the same ``Metrics.evaluate`` call that ``Benchmarks`` makes.

:meth:`SurvivalBenchmark.run` ends by writing ``<output>/survival/report.html`` (tables,
figures, seeds and versions in one file).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins import catalog
from synth_plugins.benchmark.grid import run_cases
from synth_plugins.benchmark.meter import peak_rss
from synth_plugins.benchmark.report import (
    ERRORS_COLUMN,
    SCORE_KEY,
    SEEDS_ASKED_COLUMN,
    SEEDS_COLUMN,
    ReportSection,
    failure_notes,
    overall_ranking,
    rank_generators,
    suite_ideals,
    write_html_report,
)
from synth_plugins.benchmark.tabular import (
    SPLIT_SEED,
    TRAIN_SIZE,
    CaseOutcome,
    case_workspace,
    environment,
    evaluate_registered,
    silence_synthcity_sinks,
)
from synth_plugins.datasets import Dataset, load
from synth_plugins.figures import save_figure

#: CK4Gen's quick settings: fewer epochs, with the larger step the unit tests use.
QUICK_CK4GEN: dict[str, Any] = {"n_iter": 100, "lr": 5e-3, "batch_size": 128}
#: Epochs of the built-ins in quick mode (their defaults are 1,000 to 2,000).
QUICK_BUILTIN_EPOCHS = 50
#: Synthcity survival built-ins compared in quick mode, the fastest two measured on GBSG2
#: (survival_nflow, then survae; tvae, survival_ctgan and survival_gan are slower).
QUICK_SURVIVAL_BUILTINS: dict[str, dict[str, Any]] = {
    "survae": {"n_iter": QUICK_BUILTIN_EPOCHS},
    "survival_nflow": {"n_iter": QUICK_BUILTIN_EPOCHS},
}
FULL_SURVIVAL_BUILTINS: dict[str, dict[str, Any]] = {
    "survival_gan": {},
    "survival_ctgan": {},
    "survae": {},
    "survival_nflow": {},
    "tvae": {},
}
#: Metrics ``Benchmarks.evaluate`` computes (holdout against synthetic data).
#: Never add ``survival_augmentation`` here (see the module docstring).
SURVIVAL_METRICS: dict[str, list[str]] = {
    "stats": ["survival_km_distance", "km_survival_scores", "hazard_ratio_alignment"],
    "privacy": ["hamming_leakage", "dcr_holdout_share"],
}


def headline_score(name: str) -> dict[str, str]:
    """``{key: direction}`` of a suite metric's headline score in Synthcity's results.

    Both come from the catalog, as in the tabular suite, whose inner ideals
    (:func:`~synth_plugins.benchmark.report.suite_ideals`) are keyed the same way: the
    Hamming leakage coefficient then ranks lower-is-better down to its ideal 0 in both
    suites, every coefficient at or below 0 tied as best.
    """
    entry = catalog.metric(name)
    return {f"{entry.synthcity_key}.{SCORE_KEY}": entry.direction}


#: The columns the ranking uses, with their directions (1 = best in ``mean_rank``); a
#: column with an inner ideal (``suite_ideals()``) counts every value below it as the ideal.
RANKED_METRICS: dict[str, str] = {
    "hr.mean_abs_log_hr_error": "minimize",
    "hr.sign_agreement_significant": "maximize",
    **headline_score("km_survival_scores"),
    "aug.c_index_delta": "maximize",
    **headline_score("hamming_leakage"),
}
#: Further columns shown in the compact table, after the ranked ones.
SHOWN_METRICS: tuple[str, ...] = (
    "hr.sign_agreement",
    "hr.ci_overlap",
    "stats.hazard_ratio_alignment.score",
    "stats.survival_km_distance.abs_optimism",
    "aug.ibs_delta",
    "privacy.hamming_leakage.synthetic_train_exact_matches",
    "privacy.dcr_holdout_share.score",
    "fit_s",
    "sample_s",
    "peak_mb",
    SEEDS_COLUMN,
)
#: ``Benchmarks``' task type in this suite.
TASK_TYPE = "survival_analysis"
#: Covariate whose strata the Kaplan-Meier figure shows, per bundled dataset.
KM_STRATA: dict[str, str] = {
    "gbsg2": "horTh",
    "actg320": "tx",
    "whas500": "chf",
    "flchain": "mgus",
}
#: What a reader needs to read the two CK4Gen rows; shown above the tables of report.md and
#: under each dataset of report.html.
READING_NOTES: tuple[str, ...] = (
    "`ck4gen_model` is CK4Gen at its defaults (`outcome='model'`). `ck4gen_copy` is the "
    "paper's copy mode (`outcome='copy'`): every row carries a real training patient's "
    "(duration, event), so its Kaplan-Meier curve is the training patients' own (exactly, "
    "when as many rows as training rows are sampled) and its KM score, and the rank that "
    "comes with it, hold by construction.",
)
#: Random-survival-forest settings of the augmentation metric in quick mode.
QUICK_RSF: dict[str, Any] = {"n_estimators": 50}


@dataclass
class ExternalGenerator:
    """A generator run outside Synthcity, scored like the harness's test cases.

    Attributes:
        fit: ``(training frame, seed) -> fitted model``.
        sample: ``(fitted model, number of rows, seed) -> synthetic frame`` with the
            training frame's columns.
    """

    fit: Callable[[pd.DataFrame, int], Any]
    sample: Callable[[Any, int, int], pd.DataFrame]


@dataclass
class CaseResult:
    """What one test case produced on one dataset (kept for scripts and figures).

    Attributes:
        synthetic: the synthetic table of each repeat that generated data.
        hazard_ratios: the train-referenced hazard-ratio alignment of each of them.
        augmentation: the augmentation result (None when it failed).
        scores: the case's row of the full table.
        errors: what failed, in words.
    """

    synthetic: list[pd.DataFrame] = field(default_factory=list)
    hazard_ratios: list[Any] = field(default_factory=list)
    augmentation: Any = None
    scores: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class DatasetRun:
    """One dataset's split, its per-case results and its tables."""

    name: str
    dataset: Dataset
    train: pd.DataFrame
    holdout: pd.DataFrame
    notes: list[str]
    cases: dict[str, CaseResult] = field(default_factory=dict)
    full: pd.DataFrame | None = None
    ranked: pd.DataFrame | None = None
    figures: list[Path] = field(default_factory=list)
    figure_errors: list[str] = field(default_factory=list)


def full_csv(folder: Path, dataset: str) -> Path:
    """Where the suite writes ``dataset``'s table of every figure of every case."""
    return folder / f"{dataset}_full.csv"


@dataclass
class SurvivalBenchmark:
    """What to run; ``quick`` keeps the whole suite under ten minutes on two cores.

    Attributes:
        datasets: bundled survival datasets.
        quick: short fits, two built-ins, two augmentation seeds and a 50-tree forest.
        repeats: seeds per generator (``Benchmarks``' repeats).
        output: results folder; the workspace cache is ``<output>/workspace``, figures and
            full tables go to ``<output>/survival``.
        ck4gen: CK4Gen's Synthcity parameters (both modes); None uses the mode's default.
        synthcity_builtins: Synthcity plugin name -> parameters; None uses the mode's.
        external: generators run outside Synthcity, by test name.
        max_rows: subsample larger datasets to this many rows (``random_state=0``).
        complete_cases: drop rows with a missing value first (Synthcity's built-ins do
            not accept them).
        augmentation_seeds: seeds of the augmentation metric; None: 2 quick, 5 full.
        rsf_params: forest settings of the augmentation metric; None: 50 trees quick.
        train_size: share of rows the generators are fitted on (the rest is the holdout).
        figures: write the Kaplan-Meier and hazard-ratio PNGs of the best generator.
        html: write ``<output>/survival/report.html`` at the end of :meth:`run`.
        log: progress lines.
        metrics: the metrics ``Benchmarks.evaluate`` computes.
        n_jobs: Synthcity test cases of a dataset evaluated at the same time (one
            ``Benchmarks`` call each, seeds inside it); 1 runs them one after the other here.
        backend: the joblib backend that runs them (see
            :mod:`synth_plugins.benchmark.grid`: ``"loky"``, ``"dask"``, ``"ray"``).
    """

    datasets: Sequence[str] = ("gbsg2",)
    quick: bool = True
    repeats: int = 1
    output: Path = Path("benchmark-output")
    ck4gen: dict[str, Any] | None = None
    synthcity_builtins: dict[str, dict[str, Any]] | None = None
    external: Mapping[str, ExternalGenerator] = field(default_factory=dict)
    max_rows: int | None = None
    complete_cases: bool = True
    augmentation_seeds: int | None = None
    rsf_params: dict[str, Any] | None = None
    train_size: float = TRAIN_SIZE
    figures: bool = True
    html: bool = True
    log: Callable[[str], None] = print
    metrics: dict[str, list[str]] = field(default_factory=lambda: dict(SURVIVAL_METRICS))
    n_jobs: int = 1
    backend: str | None = None
    runs: dict[str, DatasetRun] = field(default_factory=dict, init=False)

    def tests(self) -> list[tuple[str, str, dict[str, Any]]]:
        """``Benchmarks`` test cases: CK4Gen in copy and model mode, then the built-ins."""
        ck4gen = self.ck4gen if self.ck4gen is not None else (QUICK_CK4GEN if self.quick else {})
        builtins = self.synthcity_builtins
        if builtins is None:
            builtins = QUICK_SURVIVAL_BUILTINS if self.quick else FULL_SURVIVAL_BUILTINS
        tests = [
            ("ck4gen_copy", "ck4gen", {**ck4gen, "outcome": "copy"}),
            ("ck4gen_model", "ck4gen", {**ck4gen, "outcome": "model"}),
        ]
        tests += [(plugin, plugin, dict(params)) for plugin, params in builtins.items()]
        return tests

    def seeds(self) -> int:
        """Seeds of the augmentation metric."""
        if self.augmentation_seeds is not None:
            return self.augmentation_seeds
        return 2 if self.quick else 5

    def run(self) -> dict[str, pd.DataFrame]:
        """Run every test case on every dataset; returns the compact ranked tables by name.

        Also writes ``<output>/survival/<dataset>_full.csv`` (every figure of every case),
        with ``figures`` ``km_<dataset>_<case>.png`` and ``hr_<dataset>_<case>.png`` for the
        best-ranked generator, and with ``html`` ``report.html``.
        """
        import synth_plugins

        start = time.perf_counter()
        synth_plugins.register()
        silence_synthcity_sinks()
        folder = Path(self.output) / "survival"
        folder.mkdir(parents=True, exist_ok=True)
        tables: dict[str, pd.DataFrame] = {}
        for name in self.datasets:
            run = self.evaluate_dataset(name)
            assert run.full is not None and run.ranked is not None
            run.full.to_csv(full_csv(folder, name))
            tables[f"synthcity:{name}"] = run.ranked
            if self.figures and len(run.ranked) and run.ranked["mean_rank"].notna().any():
                self._figures(run, folder)
        if self.html:
            path = self.write_html(tables, folder, time.perf_counter() - start)
            self.log(f"[survival] wrote {path}")
        return tables

    def every_figure(self) -> dict[str, tuple[Path, pd.DataFrame]]:
        """Per ranked table's title, the CSV :meth:`run` wrote with every figure, and its table.

        The ranked tables keep the ranked scores, the shown figures and the costs; every
        other figure of every case is in these (``<dataset>_full.csv``).
        """
        folder = Path(self.output) / "survival"
        return {
            f"synthcity:{name}": (full_csv(folder, name), run.full)
            for name, run in self.runs.items()
            if run.full is not None
        }

    def _figures(self, run: DatasetRun, folder: Path) -> None:
        """Draw the best-ranked generator's figures.

        A failure is logged and reported (report.html, report.md, the index page); the
        suite's tables are kept.
        """
        best = str(run.ranked.index[0]) if run.ranked is not None else ""
        try:
            run.figures = self.plot(run.name, best, folder)
        except Exception as error:  # a figure must not cost the tables of a finished run
            run.figure_errors.append(f"figures of {best}: {type(error).__name__}: {error}")
            self.log(f"[survival] {run.name}: {run.figure_errors[-1][:200]}")
        for path in run.figures:
            self.log(f"[survival] {run.name}: wrote {path}")

    @property
    def reading_notes(self) -> tuple[str, ...]:
        """What a reader needs to read the tables: the CK4Gen rows, figures that failed."""
        failed = tuple(e for run in self.runs.values() for e in run.figure_errors)
        return (*READING_NOTES, *failed)

    def recorded_seeds(self) -> dict[str, str]:
        """What the run seeds, and how (recorded in the report)."""
        seeds = {
            "split": f"train_size={self.train_size}, random_state={SPLIT_SEED}",
            "generators": f"random_state = repeat, repeats 0 .. {self.repeats - 1} "
            "(Benchmarks.evaluate; external generators get the repeat as seed)",
            "augmentation": f"{self.seeds()} seeds, 0 .. {self.seeds() - 1}",
            "figures": "synthetic table of repeat 0",
        }
        if self.max_rows is not None:
            seeds["subsample"] = f"max_rows={self.max_rows}, random_state=0"
        return seeds

    def write_html(self, tables: Mapping[str, pd.DataFrame], folder: Path, seconds: float) -> Path:
        """Write ``<folder>/report.html`` from the run's tables, figures, seeds and versions."""
        sections = []
        for name in self.datasets:
            run = self.runs.get(name)
            if run is None or run.ranked is None:
                continue
            section = ReportSection(
                title=name,
                tables=[("Ranked (columns with an arrow are ranked)", run.ranked)],
                figures=list(run.figures),
                notes=[*run.notes, *READING_NOTES, *run.figure_errors, *failure_notes(run.full)],
                directions=RANKED_METRICS,
            )
            if run.full is not None:
                section.details.append(("Every figure of every generator", run.full))
            sections.append(section)
        return write_html_report(
            folder / "report.html",
            "synth-plugins benchmark: survival",
            summary={
                "mode": "quick" if self.quick else "full",
                "repeats": self.repeats,
                "datasets": ", ".join(self.datasets),
                "generators": ", ".join([t[0] for t in self.tests()] + list(self.external)),
                "wall time": f"{seconds:.0f} s",
            },
            sections=sections,
            environment=environment(),
            seeds=self.recorded_seeds(),
            ranking=overall_ranking(tables),
        )

    # ------------------------------------------------------------------ one dataset
    def prepare(self, name: str) -> DatasetRun:
        """Load ``name``, apply ``complete_cases`` and ``max_rows``, and split it."""
        from synth_plugins.synthcity.loaders import to_dataloader

        dataset = load(name)
        frame = dataset.data
        notes: list[str] = []
        if self.complete_cases and frame.isna().any().any():
            before = len(frame)
            frame = frame.dropna().reset_index(drop=True)
            notes.append(f"complete cases: {len(frame)} of {before} rows")
        if self.max_rows is not None and len(frame) > self.max_rows:
            notes.append(f"subsampled {self.max_rows} of {len(frame)} rows (random_state=0)")
            frame = frame.sample(self.max_rows, random_state=0).reset_index(drop=True)
        loader = to_dataloader(
            dataset, data=frame, train_size=self.train_size, random_state=SPLIT_SEED
        )
        run = DatasetRun(
            name=name,
            dataset=dataset,
            train=loader.train().dataframe(),
            holdout=loader.test().dataframe(),
            notes=notes,
        )
        run.loader = loader  # type: ignore[attr-defined]
        return run

    def evaluate_dataset(self, name: str) -> DatasetRun:
        """Every test case (and external generator) on one dataset; fills ``runs[name]``."""
        run = self.prepare(name)
        self.runs[name] = run
        tests = self.tests()
        cases = [t[0] for t in tests] + list(self.external)
        self.log(
            f"[survival] {name}: {len(run.train)} train / {len(run.holdout)} holdout rows; "
            f"{len(cases)} generators x {self.repeats} repeat(s): {', '.join(cases)}"
            + (f" ({'; '.join(run.notes)})" if run.notes else "")
        )
        rows: dict[str, dict[str, float]] = {}
        cases = [
            (
                (testcase, plugin, params, run.loader),  # type: ignore[attr-defined]
                {
                    "metrics": self.metrics,
                    "repeats": self.repeats,
                    "task_type": TASK_TYPE,
                    "workspace": self._workspace(run),
                },
            )
            for testcase, plugin, params in tests
        ]
        outcomes = run_cases(evaluate_registered, cases, n_jobs=self.n_jobs, backend=self.backend)
        for (testcase, _, _), outcome in zip(tests, outcomes, strict=True):
            rows[testcase] = self._synthcity_case(run, testcase, outcome)
        for testcase, generator in self.external.items():
            rows[testcase] = self._external_case(run, testcase, generator)
        for testcase, row in rows.items():
            errors = run.cases[testcase].errors
            row.update({SEEDS_ASKED_COLUMN: self.repeats, ERRORS_COLUMN: "; ".join(errors)})
        full = pd.DataFrame.from_dict(rows, orient="index")
        full.index.name = "generator"
        ranked = rank_generators(full, RANKED_METRICS, suite_ideals())
        ranked.insert(0, "dataset", name)
        run.full = ranked
        shown = [c for c in (*RANKED_METRICS, *SHOWN_METRICS) if c in ranked.columns]
        shown += [SEEDS_ASKED_COLUMN, ERRORS_COLUMN]
        run.ranked = ranked[["dataset", "mean_rank", *shown]]
        return run

    def _workspace(self, run: DatasetRun) -> Path:
        """The workspace of ``run``'s training split (see :func:`case_workspace`)."""
        return case_workspace(self.output, run.loader, TASK_TYPE)  # type: ignore[attr-defined]

    def _synthcity_case(
        self, run: DatasetRun, testcase: str, outcome: CaseOutcome
    ) -> dict[str, float]:
        """One test case's ``Benchmarks.evaluate`` outcome, with the outside figures."""
        case = CaseResult()
        run.cases[testcase] = case
        case.errors.extend(outcome.errors)
        timings = outcome.timings
        self.log(
            f"[survival] {run.name}: {testcase} done in {outcome.seconds:.0f} s "
            f"(fit {timings['fit_s']:.1f} s, load average {timings.get('load_avg', np.nan):.1f})"
            + (f"; {case.errors[-1][:200]}" if case.errors else "")
        )
        row: dict[str, float] = {}
        if outcome.results is not None and len(outcome.results):
            row.update(outcome.results["mean"].astype(float).to_dict())
        case.synthetic = outcome.synthetic
        if outcome.seeds and not case.synthetic:  # scored, but no table for hr.* and aug.*
            case.errors.append("no synthetic data in the workspace")
        row.update(self._outside_figures(run, case))
        row.update({k: v for k, v in timings.items() if k != "load_avg"})
        row[SEEDS_COLUMN] = outcome.seeds
        case.scores = row
        return row

    def _external_case(
        self, run: DatasetRun, testcase: str, generator: ExternalGenerator
    ) -> dict[str, float]:
        """Fit and sample outside Synthcity, then score like ``Benchmarks`` does.

        The ``Metrics.evaluate`` call is ``Benchmarks``' own: the holdout as ``X_gt``, the
        training split as ``X_train``.
        """
        from synthcity.metrics import Metrics

        from synth_plugins.synthcity.metrics.evaluators import every_figure

        loader = run.loader  # type: ignore[attr-defined]
        case = CaseResult()
        run.cases[testcase] = case
        fit_s: list[float] = []
        sample_s: list[float] = []
        peak_mb: list[float] = []
        evaluations: list[pd.Series] = []
        start = time.perf_counter()
        for repeat in range(self.repeats):
            try:
                with peak_rss() as peak:
                    tick = time.perf_counter()
                    model = generator.fit(run.train.copy(), repeat)
                    fit_s.append(time.perf_counter() - tick)
                    tick = time.perf_counter()
                    synthetic = generator.sample(model, len(run.train), repeat)
                    sample_s.append(time.perf_counter() - tick)
                peak_mb.append(peak())
                synthetic = synthetic[list(run.train.columns)].reset_index(drop=True)
                with every_figure():  # the report and CSVs keep every figure
                    evaluation = Metrics.evaluate(
                        loader.test(),
                        synthetic,
                        loader.train(),
                        metrics={k: list(v) for k, v in self.metrics.items()},
                        task_type=TASK_TYPE,
                        workspace=self._workspace(run),
                        random_state=repeat,
                    )
            except Exception as error:
                case.errors.append(f"repeat {repeat}: {type(error).__name__}: {error}")
                continue
            case.synthetic.append(synthetic)
            evaluations.append(evaluation["mean"].astype(float))
        self.log(
            f"[survival] {run.name}: {testcase} (outside Synthcity) done in "
            f"{time.perf_counter() - start:.0f} s"
            + (f"; {case.errors[-1][:200]}" if case.errors else "")
        )
        row: dict[str, float] = {}
        if evaluations:
            row.update(pd.concat(evaluations, axis=1).mean(axis=1).to_dict())
        row.update(self._outside_figures(run, case))
        row["fit_s"] = float(np.mean(fit_s)) if fit_s else np.nan
        row["sample_s"] = float(np.mean(sample_s)) if sample_s else np.nan
        row["peak_mb"] = float(np.max(peak_mb)) if peak_mb else np.nan
        row[SEEDS_COLUMN] = len(evaluations)
        case.scores = row
        return row

    def _outside_figures(self, run: DatasetRun, case: CaseResult) -> dict[str, float]:
        """``hr.*`` (train-referenced, full size) and ``aug.*`` on the synthetic tables."""
        if not case.synthetic:
            return {}
        start = time.perf_counter()
        try:
            return self._hr_and_augmentation(run, case)
        finally:
            self.log(
                f"[survival] {run.name}: hr/augmentation figures in "
                f"{time.perf_counter() - start:.0f} s (load average {os.getloadavg()[0]:.1f})"
            )

    def _hr_and_augmentation(self, run: DatasetRun, case: CaseResult) -> dict[str, float]:
        from synth_plugins.metrics.survival import (
            hazard_ratio_alignment,
            survival_augmentation,
        )

        duration = run.dataset.duration_column
        event = run.dataset.event_column
        assert duration is not None and event is not None
        categorical = [c for c in run.dataset.categorical_columns if c not in (duration, event)]
        train = run.train
        out: dict[str, float] = {}
        summaries = []
        for synthetic in case.synthetic:
            try:
                result = hazard_ratio_alignment(
                    train, synthetic, duration, event, categorical_columns=categorical
                )
            except Exception as error:
                case.errors.append(f"hazard_ratio_alignment: {type(error).__name__}: {error}")
                continue
            case.hazard_ratios.append(result)
            summaries.append(result.to_dict())
        if summaries:
            mean = pd.DataFrame(summaries).mean()
            for key in (
                "mean_abs_log_hr_error",
                "sign_agreement",
                "sign_agreement_significant",
                "significance_agreement",
                "ci_overlap",
                "n_significant_real",
            ):
                out[f"hr.{key}"] = float(mean[key])
        seeds = self.seeds()
        tables = [case.synthetic[i % len(case.synthetic)] for i in range(seeds)]
        rsf = self.rsf_params if self.rsf_params is not None else (QUICK_RSF if self.quick else {})
        try:
            aug = survival_augmentation(
                train,
                run.holdout,
                tables,
                duration,
                event,
                seeds=seeds,
                rsf_params=rsf,
                categorical_columns=categorical,
            )
        except Exception as error:
            case.errors.append(f"survival_augmentation: {type(error).__name__}: {error}")
            return out
        case.augmentation = aug
        summary = aug.summary
        out["aug.c_index_delta"] = float(summary["c_index_delta"].mean())
        out["aug.ibs_delta"] = float(summary["ibs_delta"].mean())
        for model, values in summary.iterrows():
            for column in ("c_index_real", "c_index_augmented", "c_index_delta", "ibs_delta"):
                out[f"aug.{model}_{column}"] = float(values[column])
        out["aug.seeds"] = float(seeds)
        return out

    # ------------------------------------------------------------------ figures
    def plot(self, dataset: str, testcase: str, folder: Path, prefix: str = "") -> list[Path]:
        """Write the stratified Kaplan-Meier and hazard-ratio figures of one test case.

        Real is the training split, synthetic the case's first repeat. Returns the paths
        (``<prefix>km_<dataset>_<case>.png``, ``<prefix>hr_<dataset>_<case>.png``); none
        when the case has no synthetic data.
        """
        from synth_plugins.metrics.survival import km_comparison
        from synth_plugins.metrics.survival_plots import plot_hazard_ratios, plot_km

        run = self.runs[dataset]
        case = run.cases.get(testcase)
        if case is None or not case.synthetic:
            return []
        duration = run.dataset.duration_column
        event = run.dataset.event_column
        assert duration is not None and event is not None
        strata = KM_STRATA.get(dataset) or _first_binary(run.dataset, duration, event)
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        km = km_comparison(run.train, case.synthetic[0], duration, event, strata=strata)
        path = folder / f"{prefix}km_{dataset}_{testcase}.png"
        figure = plot_km(km, title=f"{dataset}: real (train) vs {testcase}, by {strata}")
        written.append(save_figure(figure, path))
        if case.hazard_ratios:
            result = case.hazard_ratios[0]
            path = folder / f"{prefix}hr_{dataset}_{testcase}.png"
            figure = plot_hazard_ratios(
                result,
                title=f"{dataset}, {testcase}: mean |log HR error| = "
                f"{result.mean_abs_log_hr_error:.3f}",
            )
            written.append(save_figure(figure, path))
        return written


def _first_binary(dataset: Dataset, duration: str, event: str) -> str | None:
    for column, role in dataset.roles.items():
        if column not in (duration, event) and role == "binary":
            return column
    return None

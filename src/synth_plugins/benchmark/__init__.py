"""Benchmarks of the suite's generators against built-ins, through the hosts' harnesses."""

from __future__ import annotations

import json
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import pandas as pd

from synth_plugins.benchmark.grid import check_backend, check_n_jobs
from synth_plugins.benchmark.longitudinal import LongitudinalBenchmark
from synth_plugins.benchmark.report import to_markdown
from synth_plugins.benchmark.summary import (
    LEGEND,
    REFERENCE_ROWS,
    SuiteResult,
    summary_markdown,
    summary_sections,
    write_index,
)
from synth_plugins.benchmark.survival import SurvivalBenchmark
from synth_plugins.benchmark.tabular import TabularBenchmark, attack_table, environment
from synth_plugins.datasets import load, names
from synth_plugins.errors import InvalidParameterError, UnknownNameError
from synth_plugins.validation import check_path_kind

#: The suites, in the order the main job (``suite="all"``) runs them.
SUITES = ("tabular", "survival", "longitudinal")
#: Files every suite writes into ``<output>/<suite>/`` whatever its datasets, those one
#: suite adds, and the main job's index pages in ``<output>/`` (see :func:`output_paths`).
REPORT_FILES = ("report.md", "report.html", "environment.json")
SUITE_FILES = {"longitudinal": ("runs.csv",)}
INDEX_FILES = ("index.md", "index.html")
DEFAULT_DATASETS = {
    "tabular": ("heart_failure",),
    "survival": ("gbsg2",),
    "longitudinal": ("pbc_visits", "ms_registry"),
}


def run_suite(
    suite: str = "tabular",
    datasets: Sequence[str] | None = None,
    quick: bool = True,
    repeats: int = 1,
    output: Path = Path("benchmark-output"),
    sdgym: bool = True,
    show: Callable[[pd.DataFrame], None] = print,
    n_jobs: int = 1,
    backend: str | None = None,
    command: str | None = None,
) -> dict[str, pd.DataFrame]:
    """Run a benchmark suite, show each ranked table's summary, and write them with a report.

    Writes ``<output>/<suite>/<table>.csv``, ``report.md`` (the short summary tables
    first, then every figure, the command and versions) and ``environment.json``. Files an
    earlier run left in a reused folder stay there but are not shown (see
    :func:`written_since`). Returns
    the tables by name. ``n_jobs`` and ``backend`` run the cases of a dataset (generators;
    seeds too in the longitudinal suite) in parallel through joblib, on this machine or a
    Dask cluster (see :mod:`synth_plugins.benchmark.grid`). ``command`` is the command
    the report records (the CLI passes the one it was started with); None records
    :func:`cli_command` of the arguments.
    """
    return run_suite_result(
        suite, datasets, quick, repeats, output, sdgym, show, n_jobs, backend, command
    ).tables


def run_all(
    quick: bool = True,
    repeats: int = 1,
    output: Path = Path("benchmark-output"),
    sdgym: bool = True,
    show: Callable[[pd.DataFrame], None] = print,
    n_jobs: int = 1,
    backend: str | None = None,
    command: str | None = None,
) -> list[SuiteResult]:
    """The main job: every suite on its default datasets, then ``<output>/index.html``.

    Runs :data:`SUITES` one after the other through :func:`run_suite_result`. A suite that
    fails is reported on the index page (and in the returned result's ``error``) and the
    others still run. Writes ``<output>/index.md`` and ``index.html`` (see
    :func:`synth_plugins.benchmark.summary.write_index`). A backend that cannot run here
    (see :func:`~synth_plugins.benchmark.grid.check_backend`) stops it before the first suite.
    ``command`` (recorded on the index page and in every suite's report) is the CLI's own
    command line; None records :func:`cli_command` of the arguments.
    """
    check_backend(backend)
    check_output("all", Path(output))
    if command is None:
        command = cli_command("all", None, quick, repeats, Path(output), sdgym, n_jobs, backend)
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    start = time.perf_counter()
    results = []
    for suite in SUITES:
        suite_start = time.perf_counter()
        try:
            result = run_suite_result(
                suite, None, quick, repeats, output, sdgym, show, n_jobs, backend, command
            )
        except (InvalidParameterError, UnknownNameError):
            raise
        except Exception as error:  # one failed suite must not hide the others
            log(f"[{suite}] failed: {type(error).__name__}: {error}")
            result = SuiteResult(
                suite=suite,
                seconds=time.perf_counter() - suite_start,
                error=f"{type(error).__name__}: {error}"[:500],
            )
        results.append(result)
    md, page = write_index(
        Path(output),
        results,
        command=command,
        environment=environment(),
        mode="quick" if quick else "full",
        seconds=time.perf_counter() - start,
    )
    print(f"\nwrote {page} and {md} ({time.perf_counter() - start:.0f} s)")
    return results


#: The dataset kinds each suite can run on (a survival table is a table too).
SUITE_KINDS = {
    "tabular": ("tabular", "survival"),
    "survival": ("survival",),
    "longitudinal": ("longitudinal",),
}


def check_suite_dataset(suite: str, name: str) -> None:
    """Refuse a dataset whose kind ``suite`` cannot run on, before anything is fitted.

    Raises:
        InvalidParameterError: the message names the dataset, its kind and the suite's
            datasets.
    """
    check_suite_kind(suite, name, load(name).kind)


def check_suite_kind(suite: str, name: str, kind: str) -> None:
    """Refuse dataset ``name`` of ``kind`` for ``suite`` (see :func:`check_suite_dataset`)."""
    if kind not in SUITE_KINDS[suite]:
        raise InvalidParameterError(
            f"dataset {name!r} is {kind}; the {suite} suite needs a "
            f"{' or '.join(SUITE_KINDS[suite])} dataset (its defaults: "
            f"{', '.join(DEFAULT_DATASETS[suite])})"
        )


def output_paths(suite: str, output: Path) -> dict[Path, Literal["file", "folder"]]:
    """Path -> ``"folder"`` or ``"file"`` of what ``suite`` (or ``"all"``) names alike always.

    What the run writes under ``output`` by a fixed name, whatever its datasets (checked
    before any fit by :func:`check_output`).
    """
    paths: dict[Path, Literal["file", "folder"]] = {}
    for name in SUITES if suite == "all" else (suite,):
        folder = Path(output) / name
        paths[folder] = "folder"
        for file in (*REPORT_FILES, *SUITE_FILES.get(name, ())):
            paths[folder / file] = "file"
    if suite == "all":
        paths.update({Path(output) / file: "file" for file in INDEX_FILES})
    return paths


def check_output(suite: str, output: Path, name: str = "output") -> None:
    """Refuse an ``output`` folder where a fixed name of ``suite``'s is taken by another kind.

    Every path of :func:`output_paths` is checked (see
    :func:`~synth_plugins.validation.check_path_kind`) before any fit, so that a run does
    not end on it after every fit. ``name``: the argument named in the error.
    """
    for path, kind in output_paths(suite, output).items():
        check_path_kind(name, path, kind)


def cli_command(
    suite: str,
    datasets: Sequence[str] | None,
    quick: bool,
    repeats: int,
    output: Path,
    sdgym: bool,
    n_jobs: int,
    backend: str | None,
) -> str:
    """The ``synth-plugins`` command that runs a suite (or ``"all"``) with these arguments.

    What a report records for a run started from Python (the CLI records its own command
    line): a path or name the shell would split is quoted, and with ``backend="dask"``
    the address of the active Dask client's scheduler becomes ``--scheduler``, without
    which the CLI refuses ``--backend dask``.
    """
    parts = ["synth-plugins benchmark", suite]
    parts += [f"--dataset {shlex.quote(name)}" for name in datasets or ()]
    parts += [] if quick else ["--full"]
    parts += [] if repeats == 1 else [f"--repeats {repeats}"]
    parts += [] if sdgym or suite != "tabular" else ["--no-sdgym"]
    parts += [] if n_jobs == 1 else [f"--n-jobs {n_jobs}"]
    parts += [] if backend is None else [f"--backend {backend}"]
    parts += [f"--scheduler {_dask_scheduler()}"] if backend == "dask" else []
    return " ".join([*parts, f"--output {shlex.quote(str(output))}"])


def _dask_scheduler() -> str:
    """The address of the active Dask client's scheduler (``<address>`` when there is none)."""
    try:
        from distributed import get_client

        return str(get_client().scheduler.address)
    except (ImportError, ValueError):
        return "<address>"


def run_suite_result(
    suite: str = "tabular",
    datasets: Sequence[str] | None = None,
    quick: bool = True,
    repeats: int = 1,
    output: Path = Path("benchmark-output"),
    sdgym: bool = True,
    show: Callable[[pd.DataFrame], None] = print,
    n_jobs: int = 1,
    backend: str | None = None,
    command: str | None = None,
) -> SuiteResult:
    """:func:`run_suite`, returning the tables with the run's time, seeds and generators."""
    if suite not in DEFAULT_DATASETS:
        raise UnknownNameError("benchmark suite", suite, DEFAULT_DATASETS)
    if repeats < 1:
        raise InvalidParameterError(
            f"repeats must be at least 1, got {repeats}", parameter="repeats"
        )
    check_n_jobs(n_jobs)
    check_backend(backend)
    if isinstance(datasets, str):
        raise InvalidParameterError(
            f"datasets must be a list of dataset names, not the string {datasets!r}"
        )
    # a dataset named twice is run once, in the order first given
    datasets = list(dict.fromkeys(datasets)) if datasets else None
    chosen = tuple(datasets or DEFAULT_DATASETS[suite])
    for name in chosen:
        if name not in names():
            raise UnknownNameError("dataset", name, names())
        check_suite_dataset(suite, name)
    check_output(suite, Path(output))
    folder = Path(output) / suite
    folder.mkdir(parents=True, exist_ok=True)
    before = _file_stamps(folder)
    start = time.perf_counter()
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    if suite == "longitudinal":
        # SDGym has no sequential mode: the suite runs through our sequential harness
        bench = LongitudinalBenchmark(
            datasets=chosen,
            quick=quick,
            repeats=repeats,
            output=Path(output),
            log=log,
            n_jobs=n_jobs,
            backend=backend,
        )
    elif suite == "survival":
        bench = SurvivalBenchmark(
            datasets=chosen,
            quick=quick,
            repeats=repeats,
            output=Path(output),
            log=log,
            n_jobs=n_jobs,
            backend=backend,
        )
    else:
        bench = TabularBenchmark(
            datasets=chosen,
            quick=quick,
            repeats=repeats,
            output=Path(output),
            sdgym=sdgym,
            log=log,
            n_jobs=n_jobs,
            backend=backend,
        )
    tables = bench.run()
    elapsed = time.perf_counter() - start
    sections_short = summary_sections(suite, tables)
    summaries = [
        f"## Summary: {title}\n\n{summary_markdown(frame, directions)}\n"
        + "".join(f"\n- {note}" for note in failures)
        + ("\n" if failures else "")
        for title, frame, directions, failures in sections_short
    ]
    for title, table in tables.items():  # the tabular suite's Anonymeter attacks
        attacks = attack_table(table)
        if attacks is not None:
            summaries.append(
                f"## Privacy attacks: {title} (anonymeter_risk: risk [95 % interval], ↓)\n\n"
                f"{to_markdown(attacks)}\n"
            )
    notes = tuple(getattr(bench, "reading_notes", ()))  # the survival suite's CK4Gen rows
    if summaries:
        summaries.insert(0, "\n\n".join([LEGEND, *notes]) + "\n")
    sections = []
    short = {title: frame for title, frame, _, _ in sections_short}
    # the survival suite's ranked tables hold part of the figures, the rest its own CSVs
    every_figure = getattr(bench, "every_figure", dict)()
    for title, table in tables.items():
        path = folder / f"{title.replace(':', '_')}.csv"
        table.to_csv(path)
        every_path, every = every_figure.get(title, (path, table))
        print(f"\n== {title} (ranked) ==")
        show(short.get(title, table))  # the summary a person reads; every figure in the CSV
        print(f"every figure: {every_path}")
        sections.append(f"## Every figure: {title}\n\n{to_markdown(every)}\n")
    figures = [p for p in written_since(folder, before) if p.suffix == ".png"]
    if figures:
        summaries.append(
            "## Figures\n\n" + "\n\n".join(f"![{png.stem}]({png.name})" for png in figures) + "\n"
        )
    if (folder / "report.html") in written_since(folder, before):
        summaries.insert(
            0,
            "The same results with figures and every figure reported: [report.html](report.html)\n",
        )
    env = environment()
    if command is None:
        command = cli_command(suite, datasets, quick, repeats, output, sdgym, n_jobs, backend)
    (folder / "environment.json").write_text(json.dumps(env, indent=2))
    (folder / "report.md").write_text(
        f"# synth-plugins benchmark: {suite}\n\n"
        f"Mode: {'quick' if quick else 'full'}; repeats: {repeats}; datasets: "
        f"{', '.join(chosen)}; wall time {elapsed:.0f} s.\n\n"
        f"Command: `{command}`\n\nVersions: "
        + ", ".join(f"{k} {v}" for k, v in env.items())
        + "\n\n"
        + "\n".join([*summaries, *sections])
    )
    print(f"\nwrote {folder}/report.md ({elapsed:.0f} s)")
    seeds = getattr(bench, "recorded_seeds", None)
    return SuiteResult(
        suite=suite,
        tables=tables,
        seconds=elapsed,
        seeds=seeds() if seeds else {"generators": f"seeds 0 .. {repeats - 1}"},
        generators=sorted({g for t in tables.values() for g in t.index} - set(REFERENCE_ROWS)),
        notes=notes,
        files=tuple(p.name for p in written_since(folder, before)),
    )


def _file_stamps(folder: Path) -> dict[Path, tuple[int, int]]:
    """Each file of ``folder`` (not its subfolders) -> its modification time and size."""
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir() if p.is_file()}


def written_since(folder: Path, before: dict[Path, tuple[int, int]]) -> list[Path]:
    """The files of ``folder`` made or rewritten since ``before`` (:func:`_file_stamps`), sorted.

    A reused ``--output`` folder keeps an earlier run's files (other datasets' figures and
    CSVs); a suite's report and the index page show only the files its own run wrote.
    """
    return sorted(p for p, stamp in _file_stamps(folder).items() if before.get(p) != stamp)

"""Benchmarks of the suite's generators against built-ins, through the hosts' harnesses."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from synth_plugins.benchmark.grid import check_n_jobs
from synth_plugins.benchmark.longitudinal import LongitudinalBenchmark
from synth_plugins.benchmark.report import to_markdown
from synth_plugins.benchmark.survival import SurvivalBenchmark
from synth_plugins.benchmark.tabular import TabularBenchmark, environment
from synth_plugins.datasets import names
from synth_plugins.errors import InvalidParameterError, UnknownNameError

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
) -> dict[str, pd.DataFrame]:
    """Run a benchmark suite, show each ranked table, and write them with a report.

    Writes ``<output>/<suite>/<table>.csv``, ``report.md`` (tables, command, versions)
    and ``environment.json``. Returns the tables by name. ``n_jobs`` and ``backend``
    run the cases of a dataset (generators; seeds too in the longitudinal suite) in
    parallel through joblib, on this machine or a Dask cluster (see
    :mod:`synth_plugins.benchmark.grid`).
    """
    if suite not in DEFAULT_DATASETS:
        raise UnknownNameError("benchmark suite", suite, DEFAULT_DATASETS)
    if repeats < 1:
        raise InvalidParameterError(f"repeats must be at least 1, got {repeats}")
    check_n_jobs(n_jobs)
    chosen = tuple(datasets or DEFAULT_DATASETS[suite])
    for name in chosen:
        if name not in names():
            raise UnknownNameError("dataset", name, names())
    folder = Path(output) / suite
    folder.mkdir(parents=True, exist_ok=True)
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
    sections = []
    for title, table in tables.items():
        print(f"\n== {title} (ranked) ==")
        show(table)
        table.to_csv(folder / f"{title.replace(':', '_')}.csv")
        sections.append(f"## {title}\n\n{to_markdown(table)}\n")
    figures = sorted(folder.glob("*.png"))
    if figures:
        sections.append(
            "## Figures\n\n" + "\n\n".join(f"![{png.stem}]({png.name})" for png in figures) + "\n"
        )
    if (folder / "report.html").exists():
        sections.insert(
            0,
            "The same results with figures and every figure reported: [report.html](report.html)\n",
        )
    env = environment()
    command = " ".join(["synth-plugins benchmark", suite, *sys.argv[3:]]).strip()
    (folder / "environment.json").write_text(json.dumps(env, indent=2))
    (folder / "report.md").write_text(
        f"# synth-plugins benchmark: {suite}\n\n"
        f"Mode: {'quick' if quick else 'full'}; repeats: {repeats}; datasets: "
        f"{', '.join(chosen)}; wall time {elapsed:.0f} s.\n\n"
        f"Command: `{command}`\n\nVersions: "
        + ", ".join(f"{k} {v}" for k, v in env.items())
        + "\n\n"
        + "\n".join(sections)
    )
    print(f"\nwrote {folder}/report.md ({elapsed:.0f} s)")
    return tables

"""The ``synth-plugins`` command: list what the suite provides, its datasets, and benchmark.

Exit codes: 0 success, 2 a usage or input mistake (reported in one line, no traceback),
1 a failure while running.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import shlex
import shutil
import sys
import tempfile
import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins import catalog
from synth_plugins.errors import InvalidParameterError, MissingDependencyError, SynthPluginsError
from synth_plugins.validation import check_path_kind

HOSTS = ("synthcity", "sdv", "sdmetrics")
#: The option of each Python parameter whose check the CLI leaves to the library: an error
#: naming the parameter (``InvalidParameterError.parameter``) is told with the option.
OPTIONS = {"n_trials": "--trials", "n_jobs": "--n-jobs", "repeats": "--repeats"}


#: Characters a printed line may take where the output is no terminal and ``COLUMNS`` is
#: unset (a pipe, a log); the longest one text cell may get; the narrowest a text column is
#: wrapped to before columns move on to the next block.
PIPE_WIDTH, CELL_WIDTH, MIN_CELL_WIDTH = 200, 60, 16
#: Blocks of columns a printed table may take, each under the row names: a benchmark's
#: summary (at most ten columns) fits in two on an 80-character terminal; columns beyond the
#: last block are named under the table instead (the CSVs and reports hold them all).
MAX_BLOCKS = 2

_Column = tuple[str, list[str], bool]  # header, cells, right-aligned (a number column)


def screen_width() -> int:
    """Characters a printed line may take: the terminal's width (``COLUMNS`` if set)."""
    return max(shutil.get_terminal_size((PIPE_WIDTH, 24)).columns, 2 * MIN_CELL_WIDTH)


def _cell(value: object) -> str:
    """One value as a table shows it: numbers to 4 significant digits, text cut at a word."""
    if isinstance(value, (float, np.floating)):
        return "" if np.isnan(value) else f"{value:.4g}"
    text = "" if value is None or value is pd.NA else str(value)
    return text if len(text) <= CELL_WIDTH else textwrap.shorten(text, CELL_WIDTH, placeholder="…")


def _least_width(column: _Column, natural: int) -> int:
    """The narrowest a data column may be wrapped to.

    Headers wrap at their words: a number column is as narrow as its longest header word or
    value ("quality vs training patients" over 0.9145 takes 8 characters, not 28); a text
    column goes down to :data:`MIN_CELL_WIDTH`.
    """
    header, cells, numeric = column
    if numeric:
        return max(map(len, [*header.split(), *cells]), default=0)
    return min(natural, MIN_CELL_WIDTH)


def _fit_block(names: _Column, columns: list[_Column], width: int) -> tuple[int, list[int]]:
    """How many of ``columns`` fit beside the row names in ``width``, and every width.

    None fits when the row names alone are as wide as the screen; the widest columns are
    narrowed first.
    """
    block = [names, *columns]
    natural = [max([len(header), *map(len, cells)]) for header, cells, _ in block]
    least = [natural[0], *(_least_width(c, n) for c, n in zip(columns, natural[1:]))]
    shown, used = 1, least[0] + 2
    while shown < len(block) and used + least[shown] <= width:
        used += least[shown] + 2
        shown += 1
    widths = natural[:shown]
    while sum(widths) + 2 * (shown - 1) > width:
        narrower = [i for i in range(shown) if widths[i] > least[i]]
        if not narrower:  # the row names alone are wider than the screen: they overflow
            break
        widths[max(narrower, key=widths.__getitem__)] -= 1
    return shown - 1, widths


def _print_block(block: list[_Column], widths: list[int], rows: int) -> None:
    """Print the header line and ``rows`` rows of ``block``, wrapping cells to ``widths``."""
    for row in range(-1, rows):
        pieces = []
        for (header, cells, numeric), size in zip(block, widths, strict=True):
            text = header if row < 0 else cells[row]
            lines = [text] if len(text) <= size else textwrap.wrap(text, size)
            pieces.append([line.rjust(size) if numeric else line.ljust(size) for line in lines])
        for line in range(max(map(len, pieces))):
            parts = [p[line] if line < len(p) else " " * size for p, size in zip(pieces, widths)]
            print("  ".join(parts).rstrip())


def _print_table(frame: pd.DataFrame) -> None:
    """Print ``frame`` in at most :func:`screen_width` characters a line.

    Text is left-aligned, numbers right-aligned. Where the table is too wide, its columns
    (not the row names) are narrowed, widest first, and wrapped onto more lines; the columns
    that still do not fit follow in a second block under the same row names (up to
    :data:`MAX_BLOCKS`), and any left after that are named under the table.
    """
    width = screen_width()
    names: _Column = (str(frame.index.name or ""), [_cell(v) for v in frame.index], False)
    columns: list[_Column] = [
        (
            str(name),
            [_cell(v) for v in frame[name]],
            pd.api.types.is_numeric_dtype(frame[name].dtype),
        )
        for name in frame.columns
    ]
    for block in range(MAX_BLOCKS):
        if not columns:
            return
        shown, widths = _fit_block(names, columns, width)
        if block:
            print()
        _print_block([names, *columns[:shown]], widths, len(frame))
        columns = columns[shown:]
        if not shown:  # the row names alone fill the screen: name the columns instead
            break
    if columns:
        hidden = ", ".join(header for header, _, _ in columns)
        print(textwrap.fill(f"(not shown here, {len(columns)} more: {hidden})", width))


def cmd_list(args: argparse.Namespace) -> int:
    """Print every generator and metric of the suite with its name in each host."""
    rows = []
    for g in catalog.GENERATORS:
        rows.append(
            {
                "kind": "generator",
                "name": g.name,
                "synthcity": f"Plugins().get({g.name!r})  [{g.synthcity_type}]",
                "sdv / sdmetrics": f"synth_plugins.sdv.{g.sdv_name}",
                "summary": g.summary,
            }
        )
    for m in catalog.METRICS:
        rows.append(
            {
                "kind": "metric",
                "name": m.name,
                "synthcity": f"metrics={{{m.synthcity_type!r}: [{m.name!r}]}}",
                "sdv / sdmetrics": f"synth_plugins.sdmetrics.{m.sdmetrics_name}",
                "summary": m.summary,
            }
        )
    if args.host == "synthcity":
        rows = [{k: r[k] for k in ("kind", "name", "synthcity", "summary")} for r in rows]
    elif args.host in ("sdv", "sdmetrics"):
        rows = [{k: r[k] for k in ("kind", "name", "sdv / sdmetrics", "summary")} for r in rows]
    if not rows:
        print("the suite provides no generators or metrics yet")
        return 0
    table = pd.DataFrame(rows)
    for kind, part in table.groupby("kind", sort=False):
        print(f"{kind}s:")
        _print_table(part.drop(columns="kind").set_index("name"))
        print()
    return 0


def cmd_datasets(args: argparse.Namespace) -> int:
    """Print every bundled dataset: kind, size, outcome and the data's licence.

    The licence comes before the column count, so that a narrow terminal leaves the
    count out, not the licence.
    """
    from synth_plugins.datasets import load, names

    rows = []
    for name in names():
        ds = load(name)
        outcome = ds.target or (
            f"{ds.duration_column}/{ds.event_column}" if ds.duration_column else ""
        )
        patients = ds.data[ds.id_column].nunique() if ds.id_column else len(ds.data)
        rows.append(
            {
                "name": name,
                "kind": ds.kind,
                "rows": len(ds.data),
                "patients": patients,
                "outcome": outcome,
                "licence": ds.license,  # the data's own, not the carrier's (ds.carrier)
                "columns": ds.data.shape[1],
            }
        )
    _print_table(pd.DataFrame(rows).set_index("name"))
    return 0


def _need_synthcity(command: str) -> None:
    """Refuse ``command`` in one line where Synthcity is missing (the SDV 2 stack)."""
    from importlib.util import find_spec

    if find_spec("synthcity") is None:
        raise MissingDependencyError(
            "synthcity", f"'synth-plugins {command}' (it runs Synthcity's harness)", "all"
        )


def _quiet_synthcity(verbose: bool) -> None:
    """Load Synthcity's plugins without their import notices, unless ``-v`` asks for them."""
    if verbose:
        return
    from synth_plugins.benchmark.tabular import silence_synthcity_sinks

    silence_synthcity_sinks()


def cmd_benchmark(args: argparse.Namespace) -> int:
    """Run a benchmark suite (or all three), print ranked tables, write them to ``--output``.

    ``all`` (the default) is the main job: every suite on its default datasets, then
    ``<output>/index.html``; it exits with 1 when a suite failed (the page says which).
    """
    _check_benchmark_options(args)
    from synth_plugins.benchmark.grid import check_backend

    with contextlib.ExitStack() as stack:
        if args.scheduler:
            stack.enter_context(_dask_client(args.scheduler))
        check_backend(args.backend)
        return _run_benchmark(args)


def _check_benchmark_options(args: argparse.Namespace) -> None:
    """Refuse options that cannot go together, before anything is loaded or fitted."""
    if args.scheduler and args.backend != "dask":
        raise InvalidParameterError("--scheduler needs --backend dask")
    if args.backend == "dask" and not args.scheduler:
        raise InvalidParameterError(
            "--backend dask needs --scheduler, the address of a running Dask scheduler "
            "(e.g. tcp://host:8786)"
        )
    if args.suite == "all" and args.dataset:
        raise InvalidParameterError(
            "--dataset needs one suite (tabular, survival or longitudinal); "
            "'all' runs each suite on its default datasets"
        )
    if args.no_sdgym and args.suite not in ("tabular", "all"):
        raise InvalidParameterError(
            f"--no-sdgym applies to the tabular suite only (its SDGym harness); the "
            f"{args.suite} suite does not run SDGym"
        )
    from synth_plugins.benchmark import check_output

    check_output(args.suite, Path(args.output), "--output")


def _dask_client(address: str) -> Any:
    """A client of the Dask scheduler at ``address`` (``--scheduler``), or a one-line error.

    Dask waits for a scheduler that does not answer until its connect timeout (30 s by
    default, ``distributed.comm.timeouts.connect``), then raises ``OSError``; a malformed
    address raises ``ValueError`` at once.
    """
    try:
        from dask.distributed import Client
    except ImportError:
        raise MissingDependencyError("distributed", "--backend dask", "dask") from None
    try:
        return Client(address)
    except (OSError, ValueError) as error:
        raise InvalidParameterError(
            f"--scheduler {address!r}: no Dask scheduler could be reached there ({error})"
        ) from None


def _run_benchmark(args: argparse.Namespace) -> int:
    """The suite (or all three) that ``args`` asks for, once its options are checked."""
    _need_synthcity("benchmark")
    _quiet_synthcity(args.verbose)
    from synth_plugins.benchmark import run_all, run_suite

    common = {
        "quick": not args.full,
        "repeats": args.repeats,
        "output": Path(args.output),
        "sdgym": not args.no_sdgym,
        "show": _print_table,
        "n_jobs": args.n_jobs,
        "backend": args.backend,
    }
    # the reports record the command line as given: run again, it runs the same suites
    # (a Dask --scheduler included)
    command = shlex.join(["synth-plugins", *getattr(args, "argv", ["benchmark"])])
    if args.suite == "all":
        results = run_all(**common, command=command)
        return 1 if any(r.error for r in results) else 0
    run_suite(suite=args.suite, datasets=args.dataset, **common, command=command)
    return 0


def _parameter(text: str) -> tuple[str, object]:
    """``name=value`` with the value read as JSON when it parses (numbers, booleans)."""
    import json

    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        return name, json.loads(value)
    except json.JSONDecodeError:
        return name, value


def _seed(text: str) -> int:
    """A seed: a whole number >= 0 (as numpy and scikit-learn take it)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value}")
    return value


def _seconds(text: str) -> float:
    """A time limit: a number of seconds > 0 (at 0 no trial would start)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:  # a negative number, 0, nan or no number
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text!r}")
    return value


def _folder(text: str) -> str:
    """An output folder: a folder, or a path where one can be made, that can be written to.

    Checked before any fit, so that a long run does not end on it; nothing is made here
    (a command that stops on another option leaves no folder behind).
    """
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} exists and is not a folder")
    existing = next(p for p in (path.absolute(), *path.absolute().parents) if p.exists())
    if not existing.is_dir():
        raise argparse.ArgumentTypeError(
            f"cannot write to the folder {text!r}: {str(existing)!r} is not a folder"
        )
    try:
        with tempfile.TemporaryDirectory(dir=existing):
            pass
    except OSError as error:
        raise argparse.ArgumentTypeError(
            f"cannot write to the folder {text!r}: {error.strerror or error}"
        ) from None
    return text


def cmd_tune(args: argparse.Namespace) -> int:
    """Tune a Synthcity plugin with Optuna; print and write the finished trials."""
    _need_synthcity("tune")
    _quiet_synthcity(args.verbose)
    from synth_plugins.benchmark.tuning import (
        all_failed,
        default_study_name,
        open_storage,
        summary,
        tune,
    )

    # a study name may hold characters a file name cannot ("team/run-1")
    name = args.study or default_study_name(args.generator, args.dataset)
    path = Path(args.output) / (re.sub(r"[^\w.-]", "_", name) + ".csv")
    check_path_kind("--output", path, "file")
    if not args.storage and path.exists():  # an in-memory study holds this call's trials only
        raise InvalidParameterError(
            f"--output: {str(path)!r} holds an earlier call's trials, which this call would "
            "replace (without --storage trials do not add up); give another --study or "
            "--output, remove the file, or tune with --storage"
        )
    study = tune(
        args.generator,
        args.dataset,
        n_trials=args.trials,
        objective=args.objective,
        fixed=dict(args.fix or []),
        storage=open_storage(args.storage, option="--storage") if args.storage else None,
        study_name=args.study,
        timeout=args.timeout,
        seed=args.seed,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    table = summary(study)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)
    _print_table(table.head(10))
    finished = int((table["state"] == "COMPLETE").sum()) if len(table) else 0
    if finished:
        # the tuned values with the fixed ones and the seed: the whole fit that scored it
        fitted = {**study.best_params, **dict(args.fix or []), "random_state": args.seed}
        print(f"\nbest {args.objective} = {study.best_value:.4f} with {fitted}")
    print(f"wrote {path} ({finished} finished, {len(table) - finished} failed trials in the study)")
    failed = all_failed(table)
    if failed:
        print(f"synth-plugins: error: {failed}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``synth-plugins`` command."""
    parser = argparse.ArgumentParser(
        prog="synth-plugins",
        description="Medical synthetic-data generators and metrics for Synthcity and SDV.",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show the hosts' logs, warnings and bars"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="generators and metrics, by host")
    p.add_argument(
        "--host",
        choices=[*HOSTS, "all"],
        default="all",
        help="show the names in this host only (default all)",
    )
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "datasets",
        help="the bundled offline datasets",
        description="The bundled datasets. The licence is the data's own; who ships the copy "
        "read (and under which licence) and whom to cite are load(name).carrier and "
        ".attribution in Python, and on the datasets page of the docs.",
    )
    p.set_defaults(func=cmd_datasets)

    p = sub.add_parser("benchmark", help="benchmark generators through the hosts' harnesses")
    p.add_argument(
        "suite",
        nargs="?",
        default="all",
        choices=["all", "tabular", "survival", "longitudinal"],
        help="all (default): the three suites, then <output>/index.html",
    )
    p.add_argument(
        "--dataset",
        action="append",
        help="dataset name (repeatable, a repeat runs once; default per suite)",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="short fits (default)")
    mode.add_argument("--full", action="store_true", help="paper-scale fits (hours)")
    p.add_argument("--repeats", type=int, default=1, help="seeds per generator (default 1)")
    p.add_argument(
        "--output",
        type=_folder,
        default="benchmark-output",
        help="folder for results (default benchmark-output)",
    )
    p.add_argument(
        "--no-sdgym",
        action="store_true",
        help="skip the SDGym harness (tabular suite; refused for the others)",
    )
    p.add_argument(
        "--n-jobs",
        type=int,
        default=1,
        help="cases (generators, and seeds in the longitudinal suite) run at once; -1: every "
        "worker",
    )
    p.add_argument(
        "--backend",
        choices=("loky", "dask", "ray"),
        help="joblib backend for --n-jobs: loky (default, this machine), dask (with "
        "--scheduler) or ray (a cluster whose client is configured; untested)",
    )
    p.add_argument(
        "--scheduler",
        help="with --backend dask: the Dask scheduler's address (tcp://host:8786); needs the "
        "'dask' extra",
    )
    p.set_defaults(func=cmd_benchmark)

    p = sub.add_parser(
        "tune",
        help="Optuna search over a Synthcity plugin's hyperparameter_space()",
        description="With --storage, each call adds trials to the study, and processes (or "
        "machines) sharing --storage and --study tune together. Without it the study lives "
        "for one call, and an <output>/<study>.csv of an earlier call is refused, not "
        "overwritten.",
    )
    p.add_argument("generator", help="a Synthcity plugin name (the suite's or a built-in)")
    p.add_argument("--dataset", required=True, help="a bundled tabular or survival dataset")
    p.add_argument("--trials", type=int, default=20, help="trials to add (default 20)")
    p.add_argument(
        "--objective",
        default="stats.aml_fidelity.score",
        help="Metrics.evaluate row to optimise, <category>.<metric>.<key>",
    )
    p.add_argument(
        "--fix", action="append", type=_parameter, metavar="NAME=VALUE", help="hold fixed"
    )
    p.add_argument("--storage", help="Optuna storage URL shared by workers, e.g. sqlite:///t.db")
    p.add_argument("--study", help="study name (default <generator>-<dataset>)")
    p.add_argument("--timeout", type=_seconds, help="stop starting trials after this many s (> 0)")
    p.add_argument(
        "--seed",
        type=_seed,
        default=0,
        help="seed of the train/holdout split and of every fit (and of the sampler without "
        "--storage); every worker of a shared study gives the same",
    )
    p.add_argument(
        "--output",
        type=_folder,
        default="tuning-output",
        help="folder for the trials table (default tuning-output)",
    )
    p.set_defaults(func=cmd_tune)
    return parser


def _quiet_hosts(verbose: bool) -> None:
    """Keep host noise (warnings, per-epoch bars, log sinks) off the terminal unless asked."""
    if verbose:
        return
    os.environ.setdefault("TQDM_DISABLE", "1")
    warnings.filterwarnings("ignore")
    logging.getLogger().setLevel(logging.ERROR)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``synth-plugins`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded in reports
    _quiet_hosts(args.verbose)
    try:
        return int(args.func(args))
    except SynthPluginsError as error:
        message, name = str(error), getattr(error, "parameter", None)
        if name in OPTIONS and message.startswith(name):
            message = OPTIONS[name] + message[len(name) :]
        print(f"synth-plugins: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("synth-plugins: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (`synth-plugins list | head`)
        # Python would report the failed flush of stdout at exit: point it at nothing
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())

"""Sequential benchmark: longitudinal_lstm vs SDV PAR and Synthcity's time-series plugins.

Writes ``docs/benchmarks/longitudinal.md`` (tables, targets, command, environment), the raw
rows as ``longitudinal_results.csv`` and PNG plots (visit-gap histograms, trajectories) into
the output folder (``docs/benchmarks/`` by default). Usage::

    python benchmarks/longitudinal_table.py            # the documented run (about 1-2 h)
    python benchmarks/longitudinal_table.py --quick    # smoke test, tiny sizes and epochs
    python benchmarks/longitudinal_table.py --only ms_small --output benchmark-output/ms_small

Everything runs in one process with one torch thread, one generator after the other. Each
generator is fitted on the training patients of the harness's patient split
(``split_patients``: the tabular suite's TRAIN_SIZE and SPLIT_SEED) and scored against the
holdout patients; the 1,000,000-row sampling uses the large cohort's model fitted so. Each
generator's row is appended to ``longitudinal_rows.jsonl`` in the output folder as soon as
it is done (with the load average); a re-run skips the (dataset, generator, parameters,
split) rows that file has, so a stopped run resumes (``--fresh`` starts the file again);
rows of runs before the split, scored against the whole table, are never reused.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TQDM_DISABLE", "1")

import numpy as np
import pandas as pd
import torch

from synth_plugins.benchmark.longitudinal import (
    PATIENT_SPLIT,
    Contender,
    plot_gaps,
    plot_trajectories,
    real_reference,
    run_one,
    sample_million_rows,
)
from synth_plugins.benchmark.report import to_markdown
from synth_plugins.benchmark.tabular import environment
from synth_plugins.datasets import load

ROOT = Path(__file__).resolve().parents[1]
SYNTHCITY_PLUGINS = ("timegan", "timevae", "fflows")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--quick", action="store_true", help="tiny sizes and epochs (smoke test)")
    add("--ms-patients", type=int, default=10_000, help="large MS cohort")
    add("--ms-small", type=int, default=1_000, help="MS cohort for the slow baselines")
    add("--epochs", type=int, default=100, help="longitudinal_lstm epochs (early stopping)")
    add("--static-epochs", type=int, default=300, help="longitudinal_lstm Stage A epochs")
    add("--par-epochs", type=int, default=128, help="PAR epochs on PBC and the small cohort")
    add("--par-epochs-large", type=int, default=3, help="PAR epochs on the large cohort")
    add("--synthcity-iter", type=int, default=50, help="n_iter of Synthcity's plugins")
    add("--no-synthcity", action="store_true")
    add("--synthcity-plugins", default=",".join(SYNTHCITY_PLUGINS), help="comma-separated")
    add("--only", default="pbc,ms_small,ms_large", help="comma-separated parts to run")
    add("--append", action="store_true", help="keep the other parts' rows of an earlier run")
    add("--output", type=Path, default=ROOT / "docs" / "benchmarks")
    add("--fresh", action="store_true", help="forget the finished rows of an earlier run")
    return parser.parse_args()


def ours(args: argparse.Namespace, batch_size: int = 64) -> Contender:
    params = {"epochs": args.epochs, "static_epochs": args.static_epochs, "batch_size": batch_size}
    return Contender("longitudinal_lstm", "core", params)


def synthcity_contenders(args: argparse.Namespace, outcome: tuple[str, ...]) -> list[Contender]:
    if args.no_synthcity:
        return []
    # strict=False: with Synthcity's schema filter on, every row these plugins generate on
    # our loaders was dropped ("Empty temporal data": category codes come back as floats);
    # sampling_patience=3: with the default 500 a plugin whose output violates the schema
    # loops for many minutes
    params = {"n_iter": args.synthcity_iter, "sampling_patience": 3, "strict": False}
    return [
        Contender(name, "synthcity", params, plugin=name, outcome_columns=outcome)
        for name in args.synthcity_plugins.split(",")
    ]


def main() -> None:
    args = parse()
    torch.set_num_threads(1)
    if args.quick:
        args.ms_patients, args.ms_small = 600, 200
        args.epochs, args.static_epochs = 3, 10
        args.par_epochs, args.par_epochs_large, args.synthcity_iter = 2, 1, 2
    start = time.perf_counter()
    pbc = load("pbc_visits")
    ms_small = dataclasses.replace(
        load("ms_registry", n_patients=args.ms_small, seed=0),
        name=f"ms_registry_{args.ms_small}",
    )
    ms_large = dataclasses.replace(
        load("ms_registry", n_patients=args.ms_patients, seed=0),
        name=_large_name(args),
    )
    par = Contender("PARSynthesizer", "sdv_par", {"epochs": args.par_epochs})
    par_large = Contender(
        "PARSynthesizer", "sdv_par", {"epochs": args.par_epochs_large}
    )  # fmt: skip
    contenders = {
        # Synthcity's built-in plugins cannot train without an outcome (#326): one static
        # column is given as the outcome (it is still compared as a static column)
        pbc.name: [ours(args), par, *synthcity_contenders(args, ("status2",))],
        ms_small.name: [ours(args), par, *synthcity_contenders(args, ("phenotype",))],
        ms_large.name: [ours(args, batch_size=256), par_large],
    }
    args.output.mkdir(parents=True, exist_ok=True)
    csv = args.output / "longitudinal_results.csv"
    commands_file = args.output / "longitudinal_commands.json"
    command = "python benchmarks/longitudinal_table.py " + shlex.join(sys.argv[1:])
    chosen = {"pbc": pbc, "ms_small": ms_small, "ms_large": ms_large}
    wanted = [chosen[p] for p in args.only.split(",") if p]  # "" only rewrites the report
    kept = pd.read_csv(csv) if args.append and csv.exists() else pd.DataFrame()
    if len(kept):
        kept = kept[~kept["Dataset"].isin([d.name for d in wanted])]
    commands = (
        json.loads(commands_file.read_text()) if args.append and commands_file.exists() else []
    )
    commands.append(command.strip())
    commands_file.write_text(json.dumps(commands, indent=2))
    parts, models = [kept], {}
    trajectory = {pbc.name: ("serBilir", True), ms_small.name: ("edss", False)}
    finished = args.output / "longitudinal_rows.jsonl"
    if args.fresh and finished.exists():
        finished.unlink()
    for dataset in wanted:
        event = None if dataset is pbc else "relapses"
        part, generated, fitted = run_resumable(dataset, event, contenders, args, finished)
        parts.append(part)
        models.update(fitted)
        # written after every dataset, so a long run that is stopped keeps what it did
        pd.concat(parts, ignore_index=True).to_csv(csv, index=False)
        outputs = generated.get(dataset.name, {})
        if outputs:
            column, log_scale = trajectory.get(dataset.name, ("edss", False))
            plot_gaps(dataset, outputs, args.output / f"longitudinal_gaps_{dataset.name}.png")
            plot_trajectories(
                dataset,
                outputs,
                column,
                args.output / f"longitudinal_trajectories_{dataset.name}.png",
                log_scale=log_scale,
            )
    table = pd.concat(parts, ignore_index=True)

    million = None
    model = models.get((ms_large.name, "longitudinal_lstm"))
    if model is not None:
        rows = 20_000 if args.quick else 1_000_000
        million = sample_million_rows(model, len(ms_large.data) / ms_large.n_patients, rows=rows)
        print(f"sampled {million}", file=sys.stderr, flush=True)
        (args.output / "longitudinal_million.json").write_text(json.dumps(million))
    elif (args.output / "longitudinal_million.json").exists() and args.append:
        million = json.loads((args.output / "longitudinal_million.json").read_text())
    names = [pbc.name, ms_small.name, ms_large.name]
    plots = [
        f"longitudinal_{kind}_{name}.png"
        for name in names
        for kind in ("gaps", "trajectories")
        if (args.output / f"longitudinal_{kind}_{name}.png").exists()
    ]
    elapsed = time.perf_counter() - start
    write_report(args, table, million, plots, elapsed, ms_large.name, commands)
    print(f"wrote {args.output / 'longitudinal.md'} ({elapsed / 60:.1f} min)")


def run_resumable(
    dataset: Any, event: str | None, contenders: dict, args: argparse.Namespace, finished: Path
) -> tuple[pd.DataFrame, dict, dict]:
    """One dataset, one generator after the other; each row appended to ``finished``.

    Rows already in ``finished`` (same dataset, generator, parameters and patient split)
    are reused, not re-run (their generated data and models are not kept, so plots and the
    1,000,000-row timing need the generators run in this process).
    """
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    done = [json.loads(line) for line in finished.read_text().splitlines()] if (
        finished.exists()
    ) else []  # fmt: skip
    rows = [real_reference(dataset, event)]
    generated: dict[str, dict[str, pd.DataFrame]] = {dataset.name: {}}
    models: dict[tuple[str, str], Any] = {}
    for contender in contenders.get(dataset.name, ()):
        key = (
            dataset.name, contender.label, json.dumps(contender.params, sort_keys=True),
            PATIENT_SPLIT,
        )  # fmt: skip
        old = [r for r in done if _key(r) == key]
        if old:
            log(f"{dataset.name} {contender.label}: reused the finished row")
            rows.append(old[-1])
            continue
        run = run_one(contender, dataset, event_column=event, log=log)
        row = {**run.row, "_params": key[2], "_split": key[3], "Load_Average": os.getloadavg()[0]}
        row["Epochs"] = _epochs(row, args)
        with finished.open("a") as handle:
            handle.write(json.dumps(row, default=float) + "\n")
        rows.append(row)
        if run.synthetic is not None:
            generated[dataset.name][contender.label] = run.synthetic
        if run.model is not None and not run.row.get("Error"):
            models[(dataset.name, contender.label)] = run.model
    table = pd.DataFrame(rows).drop(columns=["_params", "_split"], errors="ignore")
    return table, generated, models


def _key(row: dict) -> tuple:
    """The cache key of a finished row; rows written before the split have no ``_split``."""
    return (row["Dataset"], row["Synthesizer"], row["_params"], row.get("_split"))


def _large_name(args: argparse.Namespace) -> str:
    """The name of the large MS cohort (PAR runs it at ``--par-epochs-large``)."""
    return f"ms_registry_{args.ms_patients}"


def _epochs(row: dict, args: argparse.Namespace) -> str:
    name = row["Synthesizer"]
    if name == "longitudinal_lstm":
        return str(row.get("Epochs_Run", "")) or str(args.epochs)
    if name == "PARSynthesizer":
        return str(
            args.par_epochs_large if row["Dataset"] == _large_name(args) else args.par_epochs
        )
    if name in SYNTHCITY_PLUGINS:
        return f"n_iter {args.synthcity_iter}"
    return ""


def targets(table: pd.DataFrame, large: str, million: dict | None, par_epochs: int) -> list[str]:
    """The longitudinal targets, each with the numbers that decide it."""
    lines = ["| target | measured | holds |", "|---|---|---|"]
    ours = table[table.Synthesizer == "longitudinal_lstm"].set_index("Dataset")
    for name in ("PARSynthesizer", "timegan"):
        other = table[table.Synthesizer == name].set_index("Dataset")
        for dataset in ours.index.intersection(other.index):
            a, b = ours.loc[dataset], other.loc[dataset]
            if isinstance(b.get("Error"), str) and b.get("Error"):
                lines.append(f"| beat {name} on {dataset} | {name} failed: {b['Error'][:80]} | — |")
                continue
            for column, label, better in (
                ("sequence_length", "sequence-length similarity", "higher"),
                ("visit_marginals", "per-visit marginals", "higher"),
                ("lag1_abs_diff", "lag-1 correlation error", "lower"),
            ):
                x, y = a.get(column, np.nan), b.get(column, np.nan)
                if not (np.isfinite(x) and np.isfinite(y)):
                    continue
                holds = x > y if better == "higher" else x < y
                lines.append(
                    f"| {label} better than {name} ({dataset}) | ours {x:.3f} vs {y:.3f} "
                    f"({better} is better) | {'yes' if holds else 'no'} |"
                )
    if large in ours.index:
        par = table[(table.Synthesizer == "PARSynthesizer") & (table.Dataset == large)]
        if len(par) and np.isfinite(par.iloc[0].get("Train_Time", np.nan)):
            per_epoch = par.iloc[0]["Train_Time"] / max(par.iloc[0]["Epochs_Run_PAR"], 1)
            projected = per_epoch * par_epochs
            mine = ours.loc[large, "Train_Time"]
            ratio = projected / mine
            lines.append(
                f"| fit ≥ 5× faster than PAR at {large} | ours {mine:.0f} s; "
                f"PAR {par.iloc[0]['Train_Time']:.0f} s for {par.iloc[0]['Epochs_Run_PAR']} epochs "
                f"→ {projected:.0f} s projected for its default {par_epochs}; ratio {ratio:.1f}× "
                f"| {'yes' if ratio >= 5 else 'no'} |"
            )
        peak = ours.loc[large, "Peak_Memory_MB"]
        lines.append(
            f"| peak memory < 4 GB ({large}, fit + sample) | {peak:.0f} MB RSS rise "
            f"| {'yes' if peak < 4096 else 'no'} |"
        )
    if million is not None:
        lines.append(
            f"| 1,000,000 visit rows sampled < 60 s | {int(million['rows']):,} rows in "
            f"{million['seconds']:.1f} s, {million['peak_memory_mb']:.0f} MB RSS rise "
            f"| {'yes' if million['seconds'] < 60 and million['rows'] >= 1e6 else 'no'} |"
        )
    return lines


def write_report(args, table, million, plots, elapsed, large_name, commands) -> None:
    columns = [
        "Dataset", "Synthesizer", "Epochs", "Patients", "Visits", "Train_Time", "Sample_Time",
        "Peak_Memory_MB", "Quality_Score", "sequence_length", "visit_gaps", "follow_up",
        "visit_marginals", "category_shares", "visit_numerics", "spearman_longitudinal",
        "trajectory", "static_ks", "spearman_static", "event_rate", "discriminative", "predictive",
        "Quality_Score_Train", "visits_per_patient", "follow_up_mean", "events_per_patient_year",
        "lag1_abs_diff", "Time_Order_Violations", "Load_Average", "Error",
    ]  # fmt: skip
    shown = table[[c for c in columns if c in table.columns]].set_index("Dataset")
    load_average = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    env = {
        **environment(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, torch threads 1",
        "load_average_at_end": load_average,
    }
    lines = [
        "# Sequential benchmark: longitudinal_lstm vs PAR and Synthcity's time-series plugins",
        "",
        "Commands (a later one re-ran the parts it names and kept the other rows): "
        + "; ".join(f"`{c}`" for c in commands)
        + f" (wall time of the last {elapsed / 60:.1f} min).",
        "",
        "Environment: " + "; ".join(f"{k} {v}" for k, v in env.items()) + ".",
        "",
        "Harness: `synth_plugins.benchmark.longitudinal` (SDGym has no sequential mode and "
        "Synthcity's Benchmarks does not finish on time series, #354). One process, one "
        "generator after the other. Patients are split as in every suite "
        f"({PATIENT_SPLIT}, whole patients on one side): each generator is fitted on the "
        "training patients, generates as many patients, and Quality_Score and every part "
        "column score its output against the holdout patients; `Quality_Score_Train` scores "
        "the same output against the training patients, a memorisation signal, not quality. "
        "Train_Time / Sample_Time in seconds; Peak_Memory_MB is the rise of the process RSS "
        "during fit + sample (earlier runs' freed memory is reused, so later rows can "
        "under-count). Quality columns are `longitudinal_fidelity` part scores in [0, 1] "
        "(1 best; `trajectory` is the yearly mean course of the numerical visit columns, "
        "`spearman_static` the correlations among numerical static columns; a part that "
        "cannot be computed, as on a single generated patient, is blank); "
        "`visit_marginals` is the mean of "
        "`category_shares` and `visit_numerics`; "
        "`lag1_abs_diff` is the mean |Δρ| of lag-1 within-patient Spearman correlations "
        "(lower is better); `Time_Order_Violations` is the share of consecutive visit pairs "
        "whose time does not increase in the raw output (such rows are sorted and duplicate "
        "times dropped before scoring). The first row of each dataset, "
        "`(real training patients)`, scores the real training patients against the holdout "
        "(a reference, not an upper bound: what a second real sample of the cohort scores); "
        "its Patients, Visits and raw figures are the training patients'.",
        "",
        "## Targets",
        "",
        *targets(table, large_name, million, 128),
        "",
        "## Results",
        "",
        to_markdown(shown, float_format="{:.3g}"),
        "",
    ]
    lines += ["## Plots", ""] + [f"![{p}]({p})" for p in plots] + [""]
    (args.output / "longitudinal.md").write_text("\n".join(lines))
    (args.output / "longitudinal_environment.json").write_text(json.dumps(env, indent=2))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()

"""Long-follow-up drift of longitudinal_lstm: yearly means real vs synthetic, and more.

Fits the core on the MS simulator (``simulate_ms_registry(n, seed 0)``) or on PBC visits,
samples synthetic patients (``sample(m, random_state=1)``) and records, per run, the mean of
every numerical visit column by whole year of follow-up (real and synthetic, with visit
counts), the largest absolute yearly error up to year 20, and on the MS simulator the EDSS
step per visit by phenotype, switch consistency, high-efficacy therapy (HET) exposure,
events per patient-year, the share of visits with a switch with and without a relapse at
the visit, and whole-patient copies against an equal-size real holdout
(``simulate_ms_registry(n, seed 99)``; on PBC against the training patients' own duplicate
rate). Each run is one row of ``--results`` (JSON, with the command, seeds, versions, git
commit and load averages) and the page ``--page`` is rebuilt from all rows. A run whose
configuration already has a row is skipped (``--force`` re-runs it), so an interrupted
batch resumes; ``--label`` gives a run a row (and kept fit) of its own beside an unlabelled
one of the same configuration, named in its heading. The fitted model is kept in
``benchmark-output/`` so that ``--million`` (time to sample 1,000,000 visit rows) reuses it
without refitting. Usage::

    python benchmarks/longitudinal_drift.py --patients 10000 --epochs 60 --static-epochs 300
    python benchmarks/longitudinal_drift.py --dataset pbc_visits --epochs 100 --synthetic 1560
    python benchmarks/longitudinal_drift.py --patients 2000 --no-step-calibration  # ablation
    python benchmarks/longitudinal_drift.py --patients 10000 --epochs 25 --static-epochs 100 \
        --seed 1 --recalibrate  # the kept fit, calibrated again by the current code

A run's arguments plus ``--million`` add the time to sample 1,000,000 visit rows to its row
(measure it on an idle machine).

``--no-step-kernel`` turns the ordinal step kernel off (absolute level logits only) and
``--no-step-calibration`` the post-training drift calibration, for the ablations in the
method card. ``--recalibrate`` takes the kept fit of the configuration, undoes its
post-training calibration and runs the current code's (stop, drift and level calibration)
before sampling: the same trained network before and after a calibration change, in a row
of its own.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import pickle
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd
import torch

from synth_plugins.benchmark.longitudinal import sample_million_rows
from synth_plugins.benchmark.tabular import environment
from synth_plugins.datasets import Dataset, load
from synth_plugins.generators.longitudinal_lstm import (
    LongitudinalLSTM,
    _calibration,
    _layout,
    model,
)
from synth_plugins.metrics.copies import exact_copies
from synth_plugins.metrics.longitudinal import (
    MS_HIGH_EFFICACY,
    event_rates,
    flag_given_event,
    het_shares,
    patient_events,
    yearly_means,
)

ROOT = Path(__file__).resolve().parent.parent
#: Seeds: the MS cohort, its real holdout, and the synthetic sample.
COHORT_SEED, HOLDOUT_SEED, SAMPLE_SEED = 0, 99, 1
#: Years compared for the headline figure (the target: within 0.3 up to year 20).
TARGET_YEARS = 20


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--dataset", choices=("ms_registry", "pbc_visits"), default="ms_registry")
    add("--patients", type=int, default=2000, help="MS cohort size (PBC: all 312)")
    add("--synthetic", type=int, default=None, help="synthetic patients (default: as real)")
    add("--epochs", type=int, default=30, help="Stage B epochs at most (early stopping)")
    add("--static-epochs", type=int, default=100)
    add("--seed", type=int, default=0, help="model random_state")
    add("--no-step-kernel", action="store_true", help="ablation: no ordinal step kernel")
    add("--no-step-calibration", action="store_true", help="ablation: calibrate_steps=False")
    add("--recalibrate", action="store_true", help="calibrate the kept fit again (this code)")
    add("--million", action="store_true", help="time sampling 1,000,000 visit rows")
    add("--force", action="store_true", help="re-run a configuration that has a row")
    add("--label", default=None, help="a row of its own beside unlabelled ones (page heading)")
    add("--results", type=Path, default=ROOT / "docs/benchmarks/longitudinal_drift.json")
    add("--page", type=Path, default=ROOT / "docs/benchmarks/longitudinal_drift.md")
    add("--models", type=Path, default=ROOT / "benchmark-output/longitudinal_drift")
    return parser.parse_args()


def configuration(args: argparse.Namespace) -> dict[str, Any]:
    """What identifies a run (a row is skipped when one with these values exists)."""
    return {
        "dataset": args.dataset,
        "patients": args.patients if args.dataset == "ms_registry" else None,
        "epochs": args.epochs,
        "static_epochs": args.static_epochs,
        "seed": args.seed,
        "synthetic": args.synthetic,
        "step_kernel": not args.no_step_kernel,
        "calibrate_steps": not args.no_step_calibration,
        "recalibrated": args.recalibrate,
        "label": args.label,
    }


#: Values of configuration keys added after the first rows (rows without the key have them).
LEGACY = {"recalibrated": False, "label": None}


def cohorts(args: argparse.Namespace) -> tuple[Dataset, pd.DataFrame | None]:
    """The training dataset and an equal-size real holdout (None for PBC)."""
    if args.dataset == "pbc_visits":
        return load("pbc_visits"), None
    data = load("ms_registry", n_patients=args.patients, seed=COHORT_SEED)
    holdout = load("ms_registry", n_patients=args.patients, seed=HOLDOUT_SEED).data
    return data, holdout


def fit(args: argparse.Namespace, data: Dataset, path: Path) -> dict[str, Any]:
    """Fit (or load the kept fit of) this configuration: the model and how the fit went."""
    if path.exists():
        with path.open("rb") as handle:
            return pickle.load(handle)
    if args.no_step_kernel:
        columns_from = _layout.columns_from
        model.columns_from = lambda encoder: tuple(
            dataclasses.replace(c, ordinal=False) for c in columns_from(encoder)
        )
    load_before = os.getloadavg()
    start, cpu = time.perf_counter(), time.process_time()
    fitted = LongitudinalLSTM(
        data.id_column, data.time_column, roles=data.roles, epochs=args.epochs,
        static_epochs=args.static_epochs, random_state=args.seed,
        calibrate_steps=not args.no_step_calibration,
    ).fit(data.data)  # fmt: skip
    kept = {
        "model": fitted,
        "fit_seconds": round(time.perf_counter() - start, 1),
        "fit_cpu_seconds": round(time.process_time() - cpu, 1),
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        pickle.dump(kept, handle)
    return kept


def model_name(config: dict[str, Any]) -> str:
    """The kept fit's file name: the configuration without the recalibration flag."""
    kept = {k: v for k, v in config.items() if k != "recalibrated"}
    if kept["label"] is None:  # unlabelled fits keep their names from before labels
        del kept["label"]
    return "_".join(f"{v}" for v in kept.values())


def recalibrate(fitted: LongitudinalLSTM, data: Dataset) -> dict[str, Any]:
    """Undo the kept fit's post-training calibration and run this code's on it."""
    net = fitted.model_
    assert net is not None
    before = {"stop_shift": fitted.stop_shift_, "step_tilts": dict(fitted.step_tilts_)}
    for column, tilt in fitted.step_tilts_.items():
        _calibration.tilt_steps(net, [c.name for c in net.columns].index(column), -tilt)
    # fits kept from before the first-stop calibration lack its shift (their first_stop
    # is 0 and took the bias shift with the later decisions)
    first_shift = getattr(fitted, "first_stop_shift_", None)
    before["first_stop_shift"] = first_shift
    with torch.no_grad():
        net.stop_head[-1].bias -= fitted.stop_shift_
        if first_shift is not None:
            net.first_stop -= first_shift - fitted.stop_shift_
    # fits kept from before the level calibration lack its attributes
    net.later_offsets = {}
    fitted.calibrate_levels = True
    lengths = data.data.groupby(data.id_column).size()
    start, cpu = time.perf_counter(), time.process_time()
    fitted._calibrate(data.data, float(lengths.mean()), len(lengths), seed=fitted.random_state)
    return {
        "kept_calibration": before,
        "recalibration_seconds": round(time.perf_counter() - start, 1),
        "recalibration_cpu_seconds": round(time.process_time() - cpu, 1),
    }


def by_year(data: Dataset, synthetic: pd.DataFrame, column: str) -> pd.DataFrame:
    """Yearly means and visit counts of ``column``, real and synthetic (years both have)."""
    keys = (data.id_column, data.time_column, column, 1.0)
    real = yearly_means(data.data, *keys)
    syn = yearly_means(synthetic, *keys)
    both = real.join(syn, lsuffix="_real", rsuffix="_synthetic", how="inner")
    both = both[(both["visits_real"] >= 20) & (both["visits_synthetic"] >= 20)]
    both["error"] = both["mean_synthetic"] - both["mean_real"]
    return both


def ms_figures(data: Dataset, synthetic: pd.DataFrame) -> dict[str, Any]:
    """EDSS step by phenotype, switch consistency, HET exposure and event rates (MS)."""
    real = data.data
    step = {
        name: (frame["edss"] - frame.groupby("patient_id")["edss"].shift())
        .groupby(frame["phenotype"])
        .mean()
        .round(4)
        .to_dict()
        for name, frame in (("real", real), ("synthetic", synthetic))
    }
    previous = synthetic.groupby("patient_id")["dmt"].shift()
    changed = (synthetic["dmt"] != previous) & previous.notna()
    keys = ("patient_id", "time")
    het, rates, switches = {}, {}, {}
    for name, frame in (("real", real), ("synthetic", synthetic)):
        switches[name] = dict(
            zip(
                ("relapse", "no_relapse"),
                flag_given_event(frame, "patient_id", "relapses", "switch"),
                strict=True,
            )
        )
        het[name] = dict(
            zip(
                ("ever", "follow_up"),
                het_shares(frame, *keys, "dmt", MS_HIGH_EFFICACY),
                strict=True,
            )
        )
        pooled, mean = event_rates(frame, *keys, "relapses")
        events, years = patient_events(frame, *keys, "relapses")
        per_patient = events / years
        rates[name] = {
            "pooled": pooled,
            "mean_per_patient": mean,
            "max_per_patient": float(per_patient.max()),
            "p99_per_patient": float(np.quantile(per_patient, 0.99)),
        }
    return {
        "edss_step_per_visit_by_phenotype": step,
        "switch_consistent_share": float(((synthetic["switch"] == 1) == changed).mean()),
        "het_exposure": het,
        "relapses_per_patient_year": rates,
        "switch_given_relapse": switches,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Fit (or reuse), sample and measure one configuration; the row of the results."""
    torch.set_num_threads(1)
    config = configuration(args)
    data, holdout = cohorts(args)
    kept = fit(args, data, args.models / f"{model_name(config)}.pkl")
    fitted: LongitudinalLSTM = kept["model"]
    if args.recalibrate:
        kept = {**kept, **recalibrate(fitted, data)}
    n_synthetic = args.synthetic or data.n_patients
    synthetic = fitted.sample(n_synthetic, random_state=SAMPLE_SEED)
    columns = ["edss"] if args.dataset == "ms_registry" else list(visit_numbers(data))
    years = {column: by_year(data, synthetic, column) for column in columns}
    copies = exact_copies(
        synthetic, data.data, holdout, roles=data.roles, id_column=data.id_column,
        time_column=data.time_column,
    )  # fmt: skip
    row: dict[str, Any] = {
        **config,
        "real_patients": data.n_patients,
        "synthetic_patients": n_synthetic,
        "seeds": {"cohort": COHORT_SEED, "holdout": HOLDOUT_SEED, "sample": SAMPLE_SEED},
        "epochs_run": fitted.n_epochs_,
        "best_epoch": fitted.best_epoch_,
        "stop_shift": fitted.stop_shift_,
        "step_tilts": fitted.step_tilts_,
        "level_offsets": getattr(fitted, "level_offsets_", {}),
        **{k: v for k, v in kept.items() if k != "model"},
        "visits_per_patient": {
            "real": len(data.data) / data.n_patients,
            "synthetic": len(synthetic) / n_synthetic,
        },
        "by_year": {
            c: table.round(4).reset_index(names="year").to_dict("records")
            for c, table in years.items()
        },
        "max_abs_error_to_year_20": {
            c: float(t.loc[t.index <= TARGET_YEARS, "error"].abs().max()) for c, t in years.items()
        },
        "relative_error": {
            c: float(t["error"].abs().mean() / pd.to_numeric(data.data[c]).std())
            for c, t in years.items()
        },
        "patient_copies": copies.to_dict(),
        "command": shlex.join(["python", *sys.argv]),
        "commit": git_commit(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "versions": environment(),
        "load_at_end": os.getloadavg(),
    }
    if args.dataset == "ms_registry":
        row.update(ms_figures(data, synthetic))
    return row


def visit_numbers(data: Dataset) -> list[str]:
    """Numerical visit columns (not binary-valued) of a longitudinal dataset."""
    return [
        c for c in data.visit_columns
        if data.roles[c] in ("numerical", "integer", "ordinal")
        and pd.to_numeric(data.data[c], errors="coerce").nunique() > 2
    ]  # fmt: skip


def git_commit() -> str:
    """The short commit of the working tree (``+`` when it has changes)."""

    def git(*words: str) -> str:
        done = subprocess.run(["git", *words], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    return git("rev-parse", "--short", "HEAD") + ("+" if git("status", "--porcelain") else "")


def million(args: argparse.Namespace, row: dict[str, Any]) -> dict[str, Any]:
    """Time to sample 1,000,000 visit rows from the kept model (fitted again if absent)."""
    data, _ = cohorts(args)
    fitted = fit(args, data, args.models / f"{model_name(configuration(args))}.pkl")["model"]
    return sample_million_rows(fitted, row["visits_per_patient"]["real"])


def page(rows: list[dict[str, Any]]) -> str:
    """The Markdown page of every row: yearly tables and the figures around them."""
    out = [
        "# Longitudinal LSTM: drift over long follow-up",
        "",
        "Generated by `benchmarks/longitudinal_drift.py` from "
        "[longitudinal_drift.json](longitudinal_drift.json) (every figure, the command, "
        "seeds, versions and load averages of each run); do not edit by hand. "
        "Context: [longitudinal.md](longitudinal.md).",
        "",
    ]
    for row in rows:
        label = (
            f"{row['dataset']}, {row['real_patients']:,} patients"
            f" ({row['synthetic_patients']:,} synthetic), Stage B at most {row['epochs']}"
            f" epochs (ran {row['epochs_run']}, best {row['best_epoch']}), Stage A"
            f" {row['static_epochs']} epochs, model seed {row['seed']}"
        )
        flags = [k for k in ("step_kernel", "calibrate_steps") if not row[k]]
        if flags:
            label += ", without " + " and ".join(f.replace("_", " ") for f in flags)
        if row.get("recalibrated"):
            label += ", kept fit recalibrated"
        if row.get("label"):
            label += f", {row['label']}"
        out += [f"## {label}", ""]
        out += [
            f"Command `{row['command']}` at commit `{row['commit']}`, {row['date']}; fit"
            f" {row['fit_seconds']:,} s wall ({row.get('fit_cpu_seconds', '?')} s CPU), load"
            f" average {fmt_load(row['load_before'])} before, {fmt_load(row['load_after'])}"
            f" after the fit, {fmt_load(row['load_at_end'])} at the end; torch"
            f" {row['versions'].get('torch')}, Python {row['versions'].get('python')}."
            f" Seeds: {row['seeds']}. Calibration: stop shift {row['stop_shift']:+.3f},"
            f" step tilts {fmt_dict(row['step_tilts'])}.",
            "",
        ]
        if row.get("recalibrated"):
            kept = row["kept_calibration"]
            out[-1:-1] = [
                f"The trained network is the kept fit of the same configuration without"
                f" recalibration; its calibration (stop shift {kept['stop_shift']:+.3f}, step"
                f" tilts {fmt_dict(kept['step_tilts'])}) was undone and run again at this"
                f" row's commit in {row['recalibration_seconds']} s wall"
                f" ({row['recalibration_cpu_seconds']} s CPU).",
            ]
        if row.get("level_offsets"):
            out[-1:-1] = [
                "Level offsets (later visits): "
                + "; ".join(f"{c}: {fmt_dict(v)}" for c, v in row["level_offsets"].items())
                + ".",
            ]
        for column, records in row["by_year"].items():
            worst = row["max_abs_error_to_year_20"][column]
            out += [
                f"**{column}** by year of follow-up: max |error| years 0–{TARGET_YEARS}"
                f" **{worst:.3f}**; mean |error| / SD {row['relative_error'][column]:.3f}.",
                "",
                "| year | real | synthetic | error | real visits | synthetic visits |",
                "|---|---|---|---|---|---|",
            ]
            out += [
                f"| {r['year']} | {r['mean_real']:.3f} | {r['mean_synthetic']:.3f} |"
                f" {r['error']:+.3f} | {r['visits_real']} | {r['visits_synthetic']} |"
                for r in records
            ]
            out.append("")
        copies = row["patient_copies"]
        out.append(
            f"Whole-patient copies: {copies['copies']} of {copies['n_synthetic']} synthetic"
            f" patients; natural rate ({copies['reference']}) {copies['natural_rate']:.4f}."
            f" Visits per patient {fmt_dict(row['visits_per_patient'])}."
        )
        if "edss_step_per_visit_by_phenotype" in row:
            step = row["edss_step_per_visit_by_phenotype"]
            het = row["het_exposure"]
            rates = row["relapses_per_patient_year"]
            out += [
                f"EDSS step per visit by phenotype: real {fmt_dict(step['real'])}; synthetic"
                f" {fmt_dict(step['synthetic'])}. Switch consistent on"
                f" {100 * row['switch_consistent_share']:.1f} % of synthetic visits. HET:"
                f" ever real {het['real']['ever']:.3f} / synthetic"
                f" {het['synthetic']['ever']:.3f}, share of follow-up"
                f" {het['real']['follow_up']:.3f} / {het['synthetic']['follow_up']:.3f}."
                f" Relapses per patient-year: real {fmt_dict(rates['real'])}; synthetic"
                f" {fmt_dict(rates['synthetic'])}.",
            ]
            if "switch_given_relapse" in row:
                switches = row["switch_given_relapse"]
                out[-1] += (
                    " Share of later visits with a DMT switch, at a visit with / without a"
                    f" relapse: real {fmt_dict(switches['real'])}; synthetic"
                    f" {fmt_dict(switches['synthetic'])}."
                )
        if "million_rows" in row:
            m = row["million_rows"]
            out.append(
                f"Sampling {m['rows']:,.0f} visit rows: {m['seconds']:.1f} s wall,"
                f" {m['cpu_seconds']:.1f} s CPU ({m['cpu_us_per_row']:.1f} µs a row), load"
                f" {m['load_average_1min']:.2f}, peak RSS rise {m['peak_memory_mb']:.0f} MB."
            )
        out.append("")
    return "\n".join(out)


def fmt_load(load: Any) -> str:
    return "/".join(f"{x:.1f}" for x in load)


def fmt_dict(values: dict[str, Any]) -> str:
    return ", ".join(
        f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in values.items()
    )


def main() -> None:
    args = parse()
    rows = json.loads(args.results.read_text()) if args.results.exists() else []
    config = configuration(args)
    done = [i for i, r in enumerate(rows) if {k: r.get(k, LEGACY.get(k)) for k in config} == config]
    if done and not args.force and not args.million:
        print(f"skipped: a row for {config} exists (use --force to re-run)")
    else:
        if done and not args.force:
            row = rows[done[0]]
        else:
            row = run(args)
            rows = [r for i, r in enumerate(rows) if i not in done] + [row]
        if args.million:
            row["million_rows"] = million(args, row)
        print(json.dumps({k: row[k] for k in ("max_abs_error_to_year_20", "patient_copies")}))
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps(rows, indent=1, default=str) + "\n")
    args.page.write_text(page(rows) + "\n")


if __name__ == "__main__":
    main()

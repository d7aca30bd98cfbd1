"""Long-follow-up drift of longitudinal_lstm on the MS simulator: mean EDSS by year, and more.

Fits the core on ``simulate_ms_registry(n, seed 0)``, samples as many patients, and prints
(and appends to ``--output``, one JSON line per run, with the load average) the mean EDSS by
whole year of follow-up, real and synthetic, the largest absolute error up to year 20, the
mean EDSS step per visit by phenotype, visits per patient by phenotype, switch consistency,
the high-efficacy therapy exposure, whole-patient copies against an equal-size holdout, and
optionally the time to sample 1,000,000 visit rows. Usage::

    python benchmarks/longitudinal_drift.py --patients 2000 --epochs 30 --static-epochs 100
    python benchmarks/longitudinal_drift.py --patients 2000 --no-step-kernel   # ablation

``--no-step-kernel`` turns the ordinal step kernel off (every ordinal column then has
absolute level logits only, as before the kernel), for the ablation in the method card.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd
import torch

from synth_plugins.benchmark.longitudinal import sample_million_rows
from synth_plugins.datasets import load
from synth_plugins.generators.longitudinal_lstm import LongitudinalLSTM, _layout, model
from synth_plugins.metrics.longitudinal import longitudinal_fidelity


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--patients", type=int, default=2000)
    add("--epochs", type=int, default=30)
    add("--static-epochs", type=int, default=100)
    add("--seed", type=int, default=0, help="model random_state (the cohort is seed 0)")
    add("--no-step-kernel", action="store_true", help="ablation: no ordinal step kernel")
    add("--million", action="store_true", help="also time sampling 1,000,000 visit rows")
    add("--output", type=Path, default=Path("benchmark-output/longitudinal_drift.jsonl"))
    return parser.parse_args()


def by_year(data: pd.DataFrame) -> pd.Series:
    """Mean EDSS by whole year since the first visit (years with at least 20 visits)."""
    first = data.groupby("patient_id")["time"].transform("first")
    grouped = data.groupby(np.floor(data["time"] - first).astype(int))["edss"]
    return grouped.mean()[grouped.count() >= 20]


def signatures(data: pd.DataFrame) -> list[tuple]:
    """One hashable whole-patient record (static values, times, visits) per patient."""
    columns = [c for c in data.columns if c != "patient_id"]
    return [tuple(map(tuple, rows[columns].astype(str).to_numpy()))
            for _, rows in data.groupby("patient_id", sort=False)]  # fmt: skip


def main() -> None:
    args = parse()
    torch.set_num_threads(1)
    if args.no_step_kernel:
        columns_from = _layout.columns_from
        model.columns_from = lambda encoder: tuple(
            dataclasses.replace(c, ordinal=False) for c in columns_from(encoder)
        )
    data = load("ms_registry", n_patients=args.patients, seed=0)
    holdout = load("ms_registry", n_patients=args.patients, seed=99).data
    real = data.data
    start = time.perf_counter()
    fitted = LongitudinalLSTM(
        "patient_id", "time", roles=data.roles, epochs=args.epochs,
        static_epochs=args.static_epochs, random_state=args.seed,
    ).fit(real)  # fmt: skip
    fit_seconds = time.perf_counter() - start
    synthetic = fitted.sample(args.patients, random_state=1)
    years = pd.DataFrame({"real": by_year(real), "synthetic": by_year(synthetic)}).dropna()
    early = years[years.index <= 20]
    step = {name: (frame["edss"] - frame.groupby("patient_id")["edss"].shift())
            .groupby(frame["phenotype"]).mean().round(4).to_dict()
            for name, frame in (("real", real), ("synthetic", synthetic))}  # fmt: skip
    previous = synthetic.groupby("patient_id")["dmt"].shift()
    changed = (synthetic["dmt"] != previous) & previous.notna()
    report = longitudinal_fidelity(
        real, synthetic, id_column="patient_id", time_column="time", event_column="relapses",
        therapy_column="dmt", parts=["trajectory", "het_exposure", "event_rate"],
    ).to_dict()  # fmt: skip
    train = set(signatures(real))
    result = {
        "patients": args.patients,
        "epochs_run": fitted.n_epochs_,
        "seed": args.seed,
        "step_kernel": not args.no_step_kernel,
        "fit_seconds": round(fit_seconds, 1),
        "edss_by_year": years.round(3).to_dict(orient="index"),
        "max_abs_error_to_year_20": float((early["synthetic"] - early["real"]).abs().max()),
        "edss_step_per_visit_by_phenotype": step,
        "switch_consistent_share": float(((synthetic["switch"] == 1) == changed).mean()),
        "het": {k: v for k, v in report.items() if k.startswith("het_exposure")},
        "copies": sum(s in train for s in signatures(synthetic)),
        "holdout_collisions": sum(s in train for s in signatures(holdout)),
        "load_average": os.getloadavg(),
    }
    if args.million:
        result["million_rows"] = sample_million_rows(fitted, len(real) / args.patients)
    print(json.dumps(result, indent=1))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("a") as handle:
        handle.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()

"""Med-VAE's beta sweep (differentiable KL); writes its section of docs/benchmarks/med_vae.md.

The comparison of Med-VAE with every other generator, each at its own default budget and
scored against the real holdout, is ``benchmarks/tabular_quality.py``; this script keeps
the one measurement only Med-VAE needs: the core ``MedVAE`` trained for several ``beta``
on two tables, reporting quality against the holdout, the conditioning hit rate, the
spread of numeric columns and the Hamming leakage (synthetic n = holdout size). It chose
the default ``beta`` (see ``docs/methods/med_vae.md``). The split, quality and leakage
helpers are ``tabular_quality``'s, so both benchmarks use one protocol.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/med_vae_quality.py --epochs 200 --seeds 0

Timings are wall-clock with one PyTorch thread; the load average before and after is
recorded, because the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tabular_quality import (
    leakage,
    load_table,
    quality,
    single_threaded,
    split,
    table_metadata,
    write_section,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks" / "med_vae.md"
SWEEP_BETAS = (10.0, 1.0, 0.1, 0.03, 0.01)
#: Conditions of the beta sweep: a common binary value per table (value, real share in train).
SWEEP_CONDITIONS = {"heart_failure": ("sex", 0), "pima": ("target", 1)}
SWEEP_SECTION = ("<!-- med_vae_beta_sweep:start -->", "<!-- med_vae_beta_sweep:end -->")


# ----------------------------------------------------------------------- beta sweep
def sweep_one(table: str, beta: float, epochs: int, seed: int) -> dict[str, Any]:
    """Core MedVAE with a differentiable KL at one ``beta``: quality, conditioning, leakage."""
    from synth_plugins.generators.med_vae import MedVAE

    data, roles, target = load_table(table)
    train, holdout = split(data, target, seed)
    meta = table_metadata(data, roles)
    start = time.perf_counter()
    model = MedVAE(roles, beta=beta, epochs=epochs, random_state=seed).fit(train)
    fit_s = time.perf_counter() - start
    synthetic = model.sample(len(holdout), random_state=seed + 1)
    column, value = SWEEP_CONDITIONS[table]
    conditioned = model.sample(2_000, conditions={column: value}, random_state=seed + 2)
    numeric = [c for c, r in roles.items() if r in ("numerical", "integer")]
    wide = model.sample(2_000, random_state=seed + 3)
    sd_ratio = float(np.mean([wide[c].std() / train[c].std() for c in numeric]))
    record = {
        "table": table,
        "beta": beta,
        "epochs": epochs,
        "seed": seed,
        "final_kl": float(model.history_["kl"][-1]),
        "condition": f"{column}={value}",
        "base_rate": float((train[column] == value).mean()),
        "hit_rate": float((conditioned[column] == value).mean()),
        "sd_ratio": sd_ratio,
        "fit_s": fit_s,
    }
    record.update(quality(holdout, synthetic, meta))
    record.update(leakage(train, holdout, synthetic))
    return record


def run_sweep(args: argparse.Namespace) -> None:
    """Fit every (table, beta, seed), print each record and rewrite the section."""
    import torch

    torch.set_num_threads(1)
    tables = [t for t in args.datasets if t in SWEEP_CONDITIONS] or list(SWEEP_CONDITIONS)
    records = []
    load_before = os.getloadavg()
    for table in tables:
        for beta in args.betas:
            for seed in args.seeds:
                record = sweep_one(table, beta, args.epochs, seed)
                records.append(record)
                print(json.dumps(record), flush=True)
    load_after = os.getloadavg()
    command = "PYTHONPATH=src .venv/bin/python benchmarks/med_vae_quality.py " + shlex.join(
        sys.argv[1:]
    )
    lines = [
        SWEEP_SECTION[0],
        "## Beta sweep (differentiable KL)",
        "",
        f"Command: `{command.strip()}`",
        "",
        f"Core `MedVAE`, {args.epochs} epochs, seed(s) {', '.join(map(str, args.seeds))}, "
        "all other hyper-parameters at their defaults; 80/20 split stratified on the target, "
        "fitted on train. Quality: SDV Quality Report of `len(holdout)` library samples vs "
        "the holdout. Hit rate: share of 2,000 rows sampled with the condition (library "
        "restricted to matching rows, no rejection) that hold the asked value. SD ratio: "
        "mean over numeric columns of synthetic SD / train SD (2,000 rows). Leakage: "
        "`hamming_leakage(train, holdout, synthetic)` with `len(holdout)` synthetic rows. "
        f"Load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        f"({os.cpu_count()} CPUs, 1 PyTorch thread).",
        "",
        "| table | beta | final KL | condition (train share) | hit rate | SD ratio | Overall "
        "| Shapes | Pair trends | leakage coef. | Hamming 0 → train / holdout | fit (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        lines.append(
            f"| {r['table']} | {r['beta']:g} | {r['final_kl']:.2f} | {r['condition']} "
            f"({r['base_rate']:.2f}) | {r['hit_rate']:.3f} | {r['sd_ratio']:.2f} | "
            f"{r['overall']:.3f} | {r['column_shapes']:.3f} | {r['column_pair_trends']:.3f} | "
            f"{r['leakage']:+.3f} | {r['hamming_zero_train']} / {r['hamming_zero_holdout']} | "
            f"{r['fit_s']:.0f} |"
        )
    lines.append(SWEEP_SECTION[1])
    write_section(Path(args.output), "\n".join(lines[1:-1]), SWEEP_SECTION)
    json_path = Path(args.output).with_name("med_vae_beta_sweep.json")
    json_path.write_text(json.dumps(records, indent=1))
    print(f"wrote {args.output} and {json_path}")


def main() -> None:
    """Command-line entry point."""
    single_threaded()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(SWEEP_CONDITIONS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--epochs", type=int, default=200, help="epochs of every fit")
    parser.add_argument("--betas", nargs="+", type=float, default=list(SWEEP_BETAS))
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="markdown file to update")
    run_sweep(parser.parse_args())


if __name__ == "__main__":
    main()

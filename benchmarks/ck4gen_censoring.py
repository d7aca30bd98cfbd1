r"""CK4Gen model mode with each ``censoring_model``, one fit per table and seed.

Both samples come from one default-budget fit with ``censoring_model="stratified"`` (which
then samples either way), on the splits of ``benchmarks/ck4gen_vs_builtins.py``, sample
seed = fit seed. Per sample: the hazard-ratio alignment of the outcome (mean and largest
absolute log-HR error against the training fit), the same alignment of the *censoring*
process (the censorings taken as the events, so a covariate that shortens or lengthens
follow-up has a log-HR of its own), and the longest follow-up of each level of
``FOLLOW_UP_BY`` (FLChain's entry year) against the training rows', and the privacy
measures of ``ck4gen_vs_builtins.py`` (Hamming leakage coefficient, exact copies of
training rows against the holdout's collisions). The fit's note on its censoring law
(strata, or why the marginal one) is kept. Rows are appended to the given jsonl with the
load average; finished runs are skipped.

Usage (repository root)::

    OMP_NUM_THREADS=1 PYTHONPATH=src nice -n 10 .venv/bin/python \
        benchmarks/ck4gen_censoring.py docs/benchmarks/ck4gen_censoring.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from ck4gen_rare_privacy import BUDGETS, EXTRA, MAX_ROWS  # noqa: E402
from ck4gen_vs_builtins import fit_ck4gen, prepare  # noqa: E402
from tabular_quality import code_version  # noqa: E402

LAWS = ("stratified", "marginal")
#: Per table, a covariate whose levels' longest follow-up is reported.
FOLLOW_UP_BY = {"flchain": "sample.yr"}


def censored_as_events(frame: pd.DataFrame, event: str) -> pd.DataFrame:
    """``frame`` with the censoring indicator as its event column."""
    return frame.assign(**{event: 1 - frame[event].astype(int)})


def alignment(run: Any, synthetic: pd.DataFrame) -> dict[str, Any]:
    """Log-HR errors of the outcome and of its censoring process; leakage and copies."""
    from synth_plugins.metrics.copies import exact_copies
    from synth_plugins.metrics.hamming import hamming_leakage
    from synth_plugins.metrics.survival import hazard_ratio_alignment

    train, d, e = run.train, run.dataset.duration_column, run.dataset.event_column
    outcome = hazard_ratio_alignment(train, synthetic, d, e).table["abs_log_hr_error"]
    censoring = hazard_ratio_alignment(
        censored_as_events(train, e), censored_as_events(synthetic, e), d, e
    ).table["abs_log_hr_error"]
    row: dict[str, Any] = {
        "mean_error": float(outcome.mean()),
        "largest_error": float(outcome.max()),
        "largest_covariate": str(outcome.idxmax()),
        "censoring_mean_error": float(censoring.mean()),
        "censoring_largest_error": float(censoring.max()),
        "censoring_largest_covariate": str(censoring.idxmax()),
        "event_share": float(synthetic[e].mean()),
        "event_share_real": float(train[e].mean()),
        "leakage": float(hamming_leakage(train, run.holdout, synthetic).coefficient),
    }
    copies = exact_copies(synthetic, train, run.holdout, roles=dict(run.dataset.roles))
    row |= {"copies": copies.copies, "copies_allowed": copies.allowed}
    column = FOLLOW_UP_BY.get(run.name)
    if column is not None:
        row["longest_follow_up"] = {
            str(level): [float(train.loc[train[column] == level, d].max()),
                         float(synthetic.loc[synthetic[column] == level, d].max())]
            for level in sorted(train[column].unique())
        }  # fmt: skip
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument(
        "--datasets", nargs="+", choices=(*MAX_ROWS, *EXTRA), default=[*MAX_ROWS, *EXTRA]
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    done = set()
    if args.out.exists():
        done = {
            (row["dataset"], row["seed"], row["censoring_model"])
            for row in map(json.loads, args.out.read_text().splitlines())
        }
    version = code_version()
    for name in args.datasets:
        run = prepare(name)
        for seed in args.seeds:
            laws = [law for law in LAWS if (name, seed, law) not in done]
            if not laws:
                continue
            load = os.getloadavg()[0]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = fit_ck4gen(run, seed, {**BUDGETS["default"], "censoring_model": LAWS[0]})
                note = next(n for n in model.notes_ if "censor" in n)
                for law in laws:
                    model.censoring_model = law
                    synthetic = model.sample(len(run.train), random_state=seed, outcome="model")
                    row = {
                        "dataset": name, "seed": seed, "censoring_model": law,
                        "censoring_note": note, "code_version": version,
                        "load_start": load, **alignment(run, synthetic),
                        "load_end": os.getloadavg()[0], "time": time.strftime("%H:%M"),
                    }  # fmt: skip
                    with args.out.open("a") as handle:
                        handle.write(json.dumps(row) + "\n")
                    print(name, seed, law, round(row["mean_error"], 3), flush=True)


if __name__ == "__main__":
    main()

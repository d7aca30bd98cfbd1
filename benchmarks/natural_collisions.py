"""How far one holdout's collision count is from the table's natural collision rate.

The suite's copy rule (``synth_plugins.metrics.copies.exact_copies``) allows a synthetic
sample as many exact copies of training rows as an equal-size real sample would have. The
benchmarks estimate that rate from *one* holdout: the share of its rows equal to a training
row. On a small holdout with few collisions that share is a noisy draw, and the allowance
``floor(rate · n)`` moves with it. This script measures the noise: on the survival tables
of ``benchmarks/ck4gen_vs_builtins.py`` (the benchmark split, then 200 further 80/20
splits of the same rows with ``train_test_split(random_state=s)``), it reports the
holdout's collision rate and the training rows' leave-one-out rate (the estimate the
generators' copy filters use, which sees no holdout), each with the allowance at
n = training size.

Usage (repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/natural_collisions.py

Prints a Markdown table (copied into ``docs/benchmarks/ck4gen.md``); takes about a minute.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from ck4gen_vs_builtins import EXTRA, MAX_ROWS, prepare  # noqa: E402

#: Random re-splits per table.
SPLITS = 200


def rates(train: pd.DataFrame, holdout: pd.DataFrame, roles: dict) -> tuple[float, float]:
    """The holdout's collision rate with ``train`` and ``train``'s leave-one-out rate."""
    from synth_plugins.metrics.copies import exact_copies

    against_holdout = exact_copies(holdout, train, holdout, roles=roles).natural_rate
    leave_one_out = exact_copies(holdout, train, None, roles=roles).natural_rate
    return against_holdout, leave_one_out


def row(name: str, splits: int) -> str:
    """One table's Markdown row: the benchmark split, then ``splits`` re-splits."""
    from sklearn.model_selection import train_test_split

    run = prepare(name)
    roles = dict(run.dataset.roles)
    n = len(run.train)
    holdout0, loo0 = rates(run.train, run.holdout, roles)
    rows = pd.concat([run.train, run.holdout], ignore_index=True)
    found = np.array(
        [
            rates(*train_test_split(rows, train_size=len(run.train), random_state=s), roles)
            for s in range(splits)
        ]
    )

    def allowed(rate: np.ndarray | float) -> np.ndarray:
        return np.floor(np.asarray(rate) * n)

    low, high = np.quantile(allowed(found[:, 0]), [0.05, 0.95])
    return (
        f"| {name} | {n} / {len(run.holdout)} | {holdout0:.2%} ({allowed(holdout0):.0f}) | "
        f"{loo0:.2%} ({allowed(loo0):.0f}) | {found[:, 0].mean():.2%} "
        f"({allowed(found[:, 0]).mean():.1f}; {low:.0f} to {high:.0f}) | "
        f"{found[:, 1].mean():.2%} ({allowed(found[:, 1]).mean():.1f}) | "
        f"{np.mean(found[:, 0] == 0):.0%} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=[*MAX_ROWS, *EXTRA])
    parser.add_argument("--splits", type=int, default=SPLITS)
    args = parser.parse_args()
    print(
        "| table | training / holdout rows | benchmark split: holdout rate (allowed) | "
        "benchmark split: training leave-one-out (allowed) | re-splits: holdout rate "
        "(allowed; 5 % to 95 %) | re-splits: training leave-one-out (allowed) | "
        "re-splits whose holdout allows 0 |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in args.datasets:
        print(row(name, args.splits), flush=True)


if __name__ == "__main__":
    main()

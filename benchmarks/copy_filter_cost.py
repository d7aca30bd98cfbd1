"""What ``redraw_copies`` costs: quality with and without the exact-copy filter, seed-fixed.

For each (table, generator, seed) the core is fitted once at its **default** settings and
training budget (``MLECopula()``; ``CTABGANPlus()``: 300 epochs, batch 500) on the 80 %
split (stratified on the target, ``random_state=seed``; the split of
``benchmarks/tabular_quality.py``, whose helpers are imported), then sampled twice with the
same ``random_state``: with the filter (the default) and with ``redraw_copies=False``. Both
samples start from the same draw, so they differ only in the rows the filter replaced.
Recorded per pair: exact copies of training rows (``synth_plugins.metrics.copies``) against
the holdout's collision rate, rows replaced, SDV Quality Report against the holdout
(overall, column shapes, column pair trends), sampling seconds, and the load average.

Results are appended to ``docs/benchmarks/copy_filter_cost.jsonl`` as they finish (a
(table, generator, seed) already there is skipped, so the run resumes).

Usage (from the repository root)::

    OMP_NUM_THREADS=1 PYTHONPATH=src nice -n 10 .venv/bin/python benchmarks/copy_filter_cost.py
    PYTHONPATH=src .venv/bin/python benchmarks/copy_filter_cost.py --report
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tabular_quality as shared  # the split, metadata and quality helpers
from synth_plugins.metrics.copies import exact_copies

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "benchmarks" / "copy_filter_cost.jsonl"
TABLES = ("pima", "ckd")
GENERATORS = ("mle_copula", "ctabgan_plus")


def fit(generator: str, train: pd.DataFrame, roles: dict[str, str], seed: int) -> Any:
    """The core fitted at its defaults (``random_state=seed``)."""
    if generator == "mle_copula":
        from synth_plugins.generators import MLECopula

        return MLECopula(roles, random_state=seed).fit(train)
    from synth_plugins.generators import CTABGANPlus

    return CTABGANPlus(roles, random_state=seed).fit(train)


def run_one(table: str, generator: str, seed: int) -> dict[str, Any]:
    """Fit once, sample with and without the filter from the same seed, score both."""
    data, roles, target = shared.load_table(table)
    train, holdout = shared.split(data, target, seed)
    meta = shared.table_metadata(data, roles)
    start = time.perf_counter()
    model = fit(generator, train, roles, seed)
    record: dict[str, Any] = {
        "table": table, "generator": generator, "seed": seed, "n_train": len(train),
        "n_holdout": len(holdout), "fit_s": time.perf_counter() - start,
        "natural_rate_train": model.copy_filter_.natural_rate_,
    }  # fmt: skip
    samples = {}
    for label, redraw in (("with", True), ("without", False)):
        model.redraw_copies = redraw
        start = time.perf_counter()
        synthetic = model.sample(len(train), random_state=seed)
        record[f"sample_s_{label}"] = time.perf_counter() - start
        copies = exact_copies(synthetic, train, holdout, roles=roles)
        record[f"copies_{label}"] = copies.copies
        record[f"excess_{label}"] = copies.excess
        record["holdout_rate"] = copies.natural_rate
        for key, value in shared.quality(holdout, synthetic, meta).items():
            record[f"{key}_{label}"] = value
        samples[label] = synthetic
    changed = samples["with"].ne(samples["without"]) & ~(
        samples["with"].isna() & samples["without"].isna()
    )
    record["rows_replaced"] = int(changed.any(axis=1).sum())
    record["load_average"] = os.getloadavg()
    return record


def done(path: Path) -> set[tuple[str, str, int]]:
    if not path.exists():
        return set()
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {(r["table"], r["generator"], r["seed"]) for r in records}


def report(path: Path) -> str:
    """A markdown table: means over seeds, with and without the filter."""
    frame = pd.DataFrame([json.loads(line) for line in path.read_text().splitlines() if line])
    lines = [
        "| table | generator | seeds | holdout rate x n | copies without | copies with | "
        "rows replaced | overall without | overall with | shapes without | shapes with | "
        "pair trends without | pair trends with |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (table, generator), group in frame.groupby(["table", "generator"], sort=False):
        expected = (group["holdout_rate"] * group["n_train"]).mean()
        cells = [
            table, generator, str(len(group)), f"{expected:.1f}",
            f"{group['copies_without'].mean():.1f}", f"{group['copies_with'].mean():.1f}",
            f"{group['rows_replaced'].mean():.1f}",
        ]  # fmt: skip
        for key in ("overall", "column_shapes", "column_pair_trends"):
            for label in ("without", "with"):
                cells.append(f"{group[f'{key}_{label}'].mean():.4f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(TABLES))
    parser.add_argument("--generators", nargs="+", default=list(GENERATORS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--report", action="store_true", help="print the summary table")
    args = parser.parse_args()
    if args.report:
        print(report(RESULTS))
        return
    import torch

    torch.set_num_threads(1)
    finished = done(RESULTS)
    for table in args.tables:
        for generator in args.generators:
            for seed in args.seeds:
                if (table, generator, seed) in finished:
                    continue
                record = run_one(table, generator, seed)
                with RESULTS.open("a") as handle:
                    handle.write(json.dumps(record) + "\n")
                print(json.dumps(record), flush=True)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()

r"""CK4Gen model mode with and without ``numeric_residuals``, one fit per table and seed.

Both samples come from the same default-budget fit (the option acts at sampling time), on
the splits of ``benchmarks/ck4gen_vs_builtins.py``, scored by its ``score`` (sample seed =
fit seed) and, with ``DRAWS`` further samples, by the log-HR errors over all covariates and
over the covariates other than levels with fewer than ``COMMON_HOLDERS`` training rows (whose
errors are those of a handful of outcome draws). Rows are appended to the given jsonl with
the load average; finished runs are skipped.

Usage (repository root)::

    OMP_NUM_THREADS=1 PYTHONPATH=src nice -n 10 .venv/bin/python \
        benchmarks/ck4gen_residuals.py OUT.jsonl --datasets gbsg2 flchain --seeds 0 1 2
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
from ck4gen_vs_builtins import prepare, score  # noqa: E402

#: Further samples of each fit, scored by hazard-ratio alignment only.
DRAWS = 5
#: Fewest training holders of a level for its error to count in ``common_*``.
COMMON_HOLDERS = 10


def alignment(run: Any, synthetic: pd.DataFrame) -> dict[str, Any]:
    """Log-HR errors of one sample, over all covariates and without levels of few holders."""
    from synth_plugins.metrics.survival import hazard_ratio_alignment

    train, dataset = run.train, run.dataset
    hr = hazard_ratio_alignment(train, synthetic, dataset.duration_column, dataset.event_column)
    error = hr.table["abs_log_hr_error"]

    def holders(covariate: str) -> int:
        if "[" not in covariate:
            return len(train)
        column, level = covariate[:-1].split("[", 1)
        return int((train[column].astype(str) == level).sum())

    common = error[[holders(c) >= COMMON_HOLDERS for c in error.index]]
    return {
        "all_mean": float(error.mean()),
        "all_median": float(error.median()),
        "all_largest": float(error.max()),
        "common_mean": float(common.mean()),
        "common_largest": float(common.max()),
        "common_largest_covariate": str(common.idxmax()),
        "sign": hr.sign_agreement_significant,
        "lambda_log_hr": float(hr.table["log_hr_synthetic"].get("lambda", float("nan"))),
    }


def main() -> None:
    import torch

    from synth_plugins.generators.ck4gen import CK4Gen

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--datasets", nargs="+", default=["gbsg2", "actg320", "whas500", "flchain"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    args = parser.parse_args()
    torch.set_num_threads(1)
    done = set()
    if args.output.exists():
        done = {
            (row["dataset"], row["seed"])
            for row in map(json.loads, args.output.read_text().splitlines())
        }
    for name in args.datasets:
        run = prepare(name)
        dataset = run.dataset
        for seed in args.seeds:
            if (name, seed) in done:
                continue
            load = os.getloadavg()[0]
            tick = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = CK4Gen(
                    dataset.duration_column, dataset.event_column, dict(dataset.roles),
                    random_state=seed,
                ).fit(run.train)  # fmt: skip
                fit_s = time.perf_counter() - tick
                rows = []
                for residuals in (False, True):
                    model.numeric_residuals = residuals
                    synthetic = model.sample(len(run.train), random_state=seed, outcome="model")
                    redraws = [
                        alignment(
                            run, model.sample(len(run.train), random_state=r, outcome="model")
                        )
                        for r in range(1000 * seed + 1, 1000 * seed + 1 + DRAWS)
                    ]
                    rows.append(
                        {
                            "dataset": name,
                            "seed": seed,
                            "numeric_residuals": residuals,
                            "fit_s": fit_s,
                            "load_start": load,
                            **score(run, synthetic, seed),
                            **alignment(run, synthetic),
                            "redraws": redraws,
                            "load_end": os.getloadavg()[0],
                        }
                    )
            with args.output.open("a") as stream:
                stream.writelines(json.dumps(row) + "\n" for row in rows)
            print(f"[{name}] seed {seed}: fit {fit_s:.0f} s, load {load:.1f}", flush=True)


if __name__ == "__main__":
    main()

"""Med-VAE's quality and TSTR over many splits of one table, for options of the synthesizer.

TSTR on a small holdout moves by one patient's share (0.017 on heart_failure's 60 rows),
so comparing decoding or sampling options on the shared benchmark's 7 splits cannot
separate them. This script fits ``MedVAESynthesizer`` with the given keyword options on
``--splits`` splits of the shared benchmark (the same stratified 80/20 split, seeds 0, 1,
...), samples as many rows as it trained on, and prints per split and on average the
overall quality against the holdout, TSTR (``XGBClassifier`` trained on the synthetic
rows, accuracy on the holdout) and real-on-real, all with the shared benchmark's functions.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/med_vae_tstr.py --table heart_failure \
        --splits 20 --options '{"decoding": "mode"}'

Results: docs/methods/med_vae.md ("Why Med-VAE lost", item 8).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tabular_quality as shared  # the split, metadata, quality and TSTR helpers


def run(table: str, splits: int, options: dict) -> dict[str, float]:
    """Per-split and mean quality, TSTR and real-on-real of one option set."""
    import torch

    from synth_plugins.sdv import MedVAESynthesizer, compat

    torch.set_num_threads(1)
    data, roles, target = shared.load_table(table)
    meta = shared.table_metadata(data, roles)
    rows = []
    for seed in range(splits):
        train, holdout = shared.split(data, target, seed)
        shared.seed_everything(seed)
        synthesizer = MedVAESynthesizer(shared.sdv_metadata(meta), random_state=seed, **options)
        start = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compat.fit(synthesizer, train)
            synthetic = compat.sample(synthesizer, len(train))
        fit_cpu = time.process_time() - start
        synthetic = synthetic[list(train.columns)].reset_index(drop=True)
        row = (
            shared.quality(holdout, synthetic, meta)["overall"],
            shared.xgboost_accuracy(synthetic, holdout, target, seed)[0],
            shared.xgboost_accuracy(train, holdout, target, seed)[0],
            fit_cpu,
        )
        rows.append(row)
        print(f"split {seed}: quality {row[0]:.3f}  TSTR {row[1]:.3f}  real {row[2]:.3f}")
    quality_mean, tstr, real, cpu = np.mean(rows, axis=0)
    return {"quality": quality_mean, "tstr": tstr, "real_on_real": real, "cpu_s": cpu}


def main() -> None:
    """Command-line entry point."""
    shared.single_threaded()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", default="heart_failure", choices=shared.TABLES)
    parser.add_argument("--splits", type=int, default=20)
    parser.add_argument("--options", default="{}", help="MedVAESynthesizer keywords (JSON)")
    args = parser.parse_args()
    options = json.loads(args.options)
    result = run(args.table, args.splits, options)
    print(
        f"| {args.table} | {json.dumps(options)} | {result['quality']:.3f} "
        f"| {result['tstr']:.3f} | {result['real_on_real']:.3f} "
        f"| {result['tstr'] - result['real_on_real']:+.3f} | {result['cpu_s']:.1f} |"
    )


if __name__ == "__main__":
    main()

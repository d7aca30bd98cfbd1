"""Med-VAE's quality and TSTR over many splits of one table, for options of the synthesizer.

TSTR on a small holdout moves by one patient's share (0.017 on heart_failure's 60 rows),
so comparing decoding or sampling options on the shared benchmark's 7 splits cannot
separate them; and one synthetic draw moves it too (standard deviation 0.035 over draws
of the same fitted model on heart_failure). This script fits ``MedVAESynthesizer`` with
the given keyword options on ``--splits`` splits of the shared benchmark (the same
stratified 80/20 split, seeds 0, 1, ...), samples as many rows as it trained on
``--draws`` times (the synthesizer's own seed stream; with ``--stratify``, each outcome
level at its training share through ``sample_from_conditions``), and prints per split (mean over the
draws) and on average the overall quality against the holdout, TSTR (``XGBClassifier``
trained on the synthetic rows, accuracy on the holdout) and real-on-real, all with the
shared benchmark's functions. One record per option set is appended to ``--output`` (JSON
lines). Records without ``draws`` had one draw; in records with ``draws``,
``fit_and_sample_cpu_s`` (up to commit ``b43de6a``) and ``fit_and_draws_cpu_s`` (after)
both count one fit and all its draws.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/med_vae_tstr.py --table heart_failure \
        --splits 20 --draws 5 --options '{"decoding": "calibrated"}'

Results: docs/methods/med_vae.md ("Why Med-VAE lost", items 8 and 9); records:
docs/benchmarks/med_vae_tstr.jsonl.
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

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tabular_quality as shared  # the split, metadata, quality and TSTR helpers

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks" / "med_vae_tstr.jsonl"


def draw(synthesizer: Any, train: Any, target: str, stratify: bool, seed: int) -> Any:
    """As many rows as ``train``, one draw of ``synthesizer``.

    With ``stratify``, each level of the outcome at its training share
    (``sample_from_conditions``, one condition per level; the rows shuffled).
    """
    from sdv.sampling import Condition

    from synth_plugins.sdv import compat

    if not stratify:
        return compat.sample(synthesizer, len(train))
    shares = train[target].value_counts()
    conditions = [Condition({target: level}, num_rows=int(n)) for level, n in shares.items()]
    rows = synthesizer.sample_from_conditions(conditions)
    return rows.sample(frac=1.0, random_state=seed)


def run(
    table: str, splits: int, draws: int, options: dict[str, Any], stratify: bool = False
) -> dict[str, Any]:
    """Quality, TSTR and real-on-real of one option set: per split and their means."""
    import torch

    from synth_plugins.sdv import MedVAESynthesizer, compat

    torch.set_num_threads(1)
    data, roles, target = shared.load_table(table)
    meta = shared.table_metadata(data, roles)
    per_split: dict[str, list[float]] = {"quality": [], "tstr": [], "real_on_real": []}
    cpu = []
    for seed in range(splits):
        train, holdout = shared.split(data, target, seed)
        shared.seed_everything(seed)
        synthesizer = MedVAESynthesizer(shared.sdv_metadata(meta), random_state=seed, **options)
        start = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compat.fit(synthesizer, train)
            samples = [draw(synthesizer, train, target, stratify, k) for k in range(draws)]
        cpu.append(time.process_time() - start)
        quality, tstr = [], []
        for synthetic in samples:
            synthetic = synthetic[list(train.columns)].reset_index(drop=True)
            quality.append(shared.quality(holdout, synthetic, meta)["overall"])
            tstr.append(shared.xgboost_accuracy(synthetic, holdout, target, seed)[0])
        per_split["quality"].append(float(np.mean(quality)))
        per_split["tstr"].append(float(np.mean(tstr)))
        per_split["real_on_real"].append(shared.xgboost_accuracy(train, holdout, target, seed)[0])
        print(
            f"split {seed}: quality {per_split['quality'][-1]:.3f}  "
            f"TSTR {per_split['tstr'][-1]:.3f}  real {per_split['real_on_real'][-1]:.3f}"
        )
    means = {key: float(np.mean(values)) for key, values in per_split.items()}
    return {
        "table": table, "splits": splits, "draws": draws, "options": options,
        **({"stratify": True} if stratify else {}), **means,
        "gap": means["real_on_real"] - means["tstr"], "per_split": per_split,
        "fit_and_draws_cpu_s": float(np.mean(cpu)),  # one fit and all its draws
    }  # fmt: skip


def main() -> None:
    """Command-line entry point."""
    shared.single_threaded()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", default="heart_failure", choices=shared.TABLES)
    parser.add_argument("--splits", type=int, default=20)
    parser.add_argument("--draws", type=int, default=5, help="synthetic samples per split")
    parser.add_argument("--options", default="{}", help="MedVAESynthesizer keywords (JSON)")
    parser.add_argument(
        "--stratify",
        action="store_true",
        help="sample each outcome level at its training share (sample_from_conditions)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON lines to append to")
    args = parser.parse_args()
    if args.splits < 1 or args.draws < 1:
        parser.error("--splits and --draws must be at least 1")
    record = run(args.table, args.splits, args.draws, json.loads(args.options), args.stratify)
    record.update(
        code_version=shared.code_version(),
        time_utc=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        load=os.getloadavg(),
    )
    with args.output.open("a") as stream:
        stream.write(json.dumps(record) + "\n")
    print("| table | options | quality | TSTR | real-on-real | gap | fit + draws CPU s |")
    print(
        f"| {args.table} | {json.dumps(record['options'])} | {record['quality']:.3f} "
        f"| {record['tstr']:.3f} | {record['real_on_real']:.3f} | {record['gap']:.3f} "
        f"| {record['fit_and_draws_cpu_s']:.1f} |"
    )


if __name__ == "__main__":
    main()

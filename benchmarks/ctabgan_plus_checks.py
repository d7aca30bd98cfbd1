"""CTAB-GAN+'s own checks: auxiliary loss, time per epoch, sampling speed, AML-style selection.

The quality grid (CTAB-GAN+ against both CTGANs and every other generator) is
``benchmarks/tabular_quality.py``; this script measures what only CTAB-GAN+ needs. Raw
records go to ``docs/benchmarks/ctabgan_plus_checks.jsonl`` (one JSON object per line, with
its ``mode``); ``--report`` lists them in ``docs/benchmarks/ctabgan_plus.md``.

- ``--aux``: TSTR of CTAB-GAN+ with and without the downstream loss (``target``) on a
  synthetic table whose binary target depends on two of six features.
  ``--aux-weights`` lists the ``aux_weight`` arms (default 0.25, the core's; 1.0 is the
  paper's unweighted loss).
- ``--dp-utility``: quality against the holdout, TSTR and epsilon of CTAB-GAN+ with
  ``dp=True`` on heart_failure (``--dp-epochs``, ``--dp-noise``; default: the core's).
- ``--timing TABLE``: fit seconds per epoch of CTAB-GAN+ and SDV CTGAN (same epochs).
- ``--sample-speed``: seconds to sample 1,000,000 rows from a CTAB-GAN+ fit on heart_failure.
- ``--select TABLE``: the AML study's model selection. CTAB-GAN+ is fitted once per seed
  and sampled ``--samples`` times per fit. Every candidate is scored on the *training* rows
  with ``w * aml_fidelity - (1 - w) * max(hamming leakage coefficient, 0)``
  (``w = --select-weight``, 0.7 as in the study's ``best_70`` files). The best candidate's
  quality against the holdout is reported next to the mean over all candidates. The leakage
  coefficient compares distances to train and holdout, so the selection sees the holdout,
  as the study's did. The selection is a benchmark option, not part of the generator.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/ctabgan_plus_checks.py --aux --aux-weights 0.25 1.0
    PYTHONPATH=src .venv/bin/python benchmarks/ctabgan_plus_checks.py --dp-utility \
        --dp-epochs 30 --dp-noise 2
    PYTHONPATH=src .venv/bin/python benchmarks/ctabgan_plus_checks.py --timing heart_failure
    PYTHONPATH=src .venv/bin/python benchmarks/ctabgan_plus_checks.py --sample-speed
    PYTHONPATH=src .venv/bin/python benchmarks/ctabgan_plus_checks.py --report

Every run uses one PyTorch thread (``SAMPLE_THREADS`` for ``--sample-speed``, default 2).
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
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tabular_quality as shared  # the shared protocol and metric helpers

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "benchmarks" / "ctabgan_plus_checks.jsonl"
PAGE = ROOT / "docs" / "benchmarks" / "ctabgan_plus.md"
SECTION = ("<!-- ctabgan_plus_checks:start -->", "<!-- ctabgan_plus_checks:end -->")


def append(record: dict[str, Any]) -> None:
    """Add one record to the results file (written at once: a crash loses one run at most)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as handle:
        handle.write(json.dumps(record, default=float) + "\n")


# ---------------------------------------------------------------- other measurements
def two_feature_table(n: int, seed: int) -> pd.DataFrame:
    """Six standard-normal features; ``y`` is 1 when ``x1 * x2 > 0`` (an interaction)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, 6)), columns=[f"x{i}" for i in range(1, 7)])
    frame["y"] = (frame["x1"] * frame["x2"] > 0).astype(int)
    return frame


def run_aux(seeds: list[int], weights: list[float]) -> None:
    """TSTR of CTAB-GAN+ without ``target`` and with it at each downstream-loss weight."""
    import torch

    from synth_plugins.generators import CTABGANPlus

    torch.set_num_threads(1)
    for seed in seeds:
        data = two_feature_table(2500, seed)
        train, holdout = shared.split(data, "y", seed)
        for target, weight in [(None, None), *(("y", w) for w in weights)]:
            options = {} if weight is None else {"aux_weight": weight}
            start = time.perf_counter()
            model = CTABGANPlus(target=target, random_state=seed, **options).fit(train)
            fit_s = time.perf_counter() - start
            synthetic = model.sample(len(train), random_state=seed)
            tstr, _ = shared.xgboost_accuracy(synthetic, holdout, "y", seed)
            record = {"mode": "aux", "seed": seed, "target": target, "aux_weight": weight,
                      "tstr": tstr, "fit_s": fit_s, "load": os.getloadavg()}  # fmt: skip
            append(record)
            print(record, flush=True)


def run_dp_utility(seeds: list[int], epochs: int | None, noise: float | None) -> None:
    """Quality and TSTR against the holdout of CTAB-GAN+ with ``dp=True``, and its epsilon."""
    import torch

    from synth_plugins.generators import CTABGANPlus

    torch.set_num_threads(1)
    data, roles, target = shared.load_table("heart_failure")
    meta = shared.table_metadata(data, roles)
    options: dict[str, Any] = {}
    if epochs is not None:
        options["epochs"] = epochs
    if noise is not None:
        options["dp_noise_multiplier"] = noise
    for seed in seeds:
        train, holdout = shared.split(data, target, seed)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = CTABGANPlus(roles, dp=True, random_state=seed, **options).fit(train)
        fit_s = time.perf_counter() - start
        synthetic = model.sample(len(train), random_state=seed)
        tstr, _ = shared.xgboost_accuracy(synthetic, holdout, target, seed)
        record = {"mode": "dp_utility", "table": "heart_failure", "seed": seed, "dp": True,
                  "epochs": epochs, "noise": noise, "epsilon": model.epsilon_,
                  "delta": model.dp_delta_,
                  "quality": shared.quality(holdout, synthetic, meta)["overall"],
                  "tstr": tstr, "fit_s": fit_s, "load": os.getloadavg()}  # fmt: skip
        append(record)
        print(record, flush=True)


def run_timing(table: str, epochs: int) -> None:
    """Fit time per epoch, CTAB-GAN+ vs SDV CTGAN, one thread.

    Each is fitted for ``epochs // 5`` and for ``epochs`` epochs; the difference divided by
    the extra epochs is the cost of one epoch without the fixed costs (mixture fits, SDV's
    preprocessing); a 1-epoch fit before them pays the lazy imports. Both wall and CPU
    seconds (``time.process_time``) are recorded: on a shared machine the CPU seconds are
    the comparable figure.
    """
    import torch
    from sdv.single_table import CTGANSynthesizer

    from synth_plugins.sdv import CTABGANPlusSynthesizer, compat

    torch.set_num_threads(1)
    data, roles, _ = shared.load_table(table)
    metadata = shared.sdv_metadata(shared.table_metadata(data, roles))
    short = max(1, epochs // 5)
    for name, cls in (("ctabgan_plus", CTABGANPlusSynthesizer), ("sdv_ctgan", CTGANSynthesizer)):
        seconds = {}
        for n_epochs in (1, short, epochs):  # the 1-epoch fit pays the lazy imports
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                synthesizer = cls(metadata, epochs=n_epochs)
                wall, cpu = time.perf_counter(), time.process_time()
                compat.fit(synthesizer, data)
                seconds[n_epochs] = (time.perf_counter() - wall, time.process_time() - cpu)
        extra = epochs - short
        record = {
            "mode": "timing", "table": table, "generator": name, "epochs": [short, epochs],
            "fit_wall_s": [seconds[short][0], seconds[epochs][0]],
            "fit_cpu_s": [seconds[short][1], seconds[epochs][1]],
            "cpu_s_per_epoch": (seconds[epochs][1] - seconds[short][1]) / extra,
            "wall_s_per_epoch": (seconds[epochs][0] - seconds[short][0]) / extra,
            "load": os.getloadavg(),
        }  # fmt: skip
        append(record)
        print(record, flush=True)


def run_sample_speed(rows: int) -> None:
    """Wall and CPU seconds to sample ``rows`` rows from a CTAB-GAN+ fit on heart_failure."""
    import torch

    from synth_plugins.generators import CTABGANPlus

    torch.set_num_threads(int(os.environ.get("SAMPLE_THREADS", "2")))
    data, roles, _ = shared.load_table("heart_failure")
    model = CTABGANPlus(roles, epochs=5).fit(data)
    wall, cpu = time.perf_counter(), time.process_time()
    frame = model.sample(rows, random_state=0)
    record = {
        "mode": "sample_speed", "rows": len(frame), "sample_s": time.perf_counter() - wall,
        "sample_cpu_s": time.process_time() - cpu, "threads": torch.get_num_threads(),
        "load": os.getloadavg(),
    }  # fmt: skip
    append(record)
    print(record, flush=True)


def run_select(table: str, seeds: list[int], samples: int, weight: float) -> None:
    """Best-of seeds x samples by the weighted fidelity/privacy objective (training rows)."""
    import torch

    from synth_plugins.metrics import aml_fidelity, hamming_leakage
    from synth_plugins.sdv import CTABGANPlusSynthesizer, compat

    torch.set_num_threads(1)
    data, roles, target = shared.load_table(table)
    train, holdout = shared.split(data, target, 0)
    meta = shared.table_metadata(data, roles)
    metadata = shared.sdv_metadata(meta)
    candidates = []
    for seed in seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            synthesizer = CTABGANPlusSynthesizer(metadata, random_state=seed)
            compat.fit(synthesizer, train)
            for sample in range(samples):
                synthetic = compat.sample(synthesizer, len(train))[list(train.columns)]
                fidelity = aml_fidelity(train, synthetic).score
                leak = hamming_leakage(train, holdout, synthetic).coefficient
                objective = weight * fidelity - (1 - weight) * max(float(leak), 0.0)
                quality = shared.quality(holdout, synthetic, meta)["overall"]
                candidates.append(
                    {"seed": seed, "sample": sample, "objective": objective,
                     "aml_fidelity": fidelity, "leakage": float(leak), "quality": quality}
                )  # fmt: skip
    best = max(candidates, key=lambda c: c["objective"])
    record = {
        "mode": "select", "table": table, "weight": weight, "best": best,
        "mean_quality": float(np.mean([c["quality"] for c in candidates])),
        "n_candidates": len(candidates), "load": os.getloadavg(),
    }  # fmt: skip
    append(record)
    print(record, flush=True)


# ------------------------------------------------------------------------- report
def report() -> None:
    """List the recorded checks, by mode, in the page's generated section."""
    records = [json.loads(x) for x in RESULTS.read_text().splitlines() if x.strip()]
    lines = ["Generated by `benchmarks/ctabgan_plus_checks.py --report`.", ""]
    for mode in ("aux", "timing", "sample_speed", "select"):
        extra = [r for r in records if r.get("mode") == mode]
        if extra:
            lines += [f"**{mode}**", "", "```", *(json.dumps(r) for r in extra), "```", ""]
    shared.write_section(PAGE, "\n".join(lines), SECTION)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--aux", action="store_true", help="TSTR with vs without target")
    parser.add_argument(
        "--aux-weights", nargs="+", type=float, default=[0.25], help="aux_weight arms (--aux)"
    )
    parser.add_argument("--dp-utility", action="store_true", help="quality and eps with dp=True")
    parser.add_argument("--dp-epochs", type=int, help="epochs (--dp-utility; default: core's)")
    parser.add_argument("--dp-noise", type=float, help="noise multiplier (--dp-utility)")
    parser.add_argument("--timing", metavar="TABLE", help="fit s/epoch vs SDV CTGAN")
    parser.add_argument("--timing-epochs", type=int, default=50)
    parser.add_argument("--sample-speed", action="store_true", help="sample 1,000,000 rows")
    parser.add_argument("--select", metavar="TABLE", help="AML-style best-of selection")
    parser.add_argument("--samples", type=int, default=3, help="samples per fit (--select)")
    parser.add_argument("--select-weight", type=float, default=0.7)
    parser.add_argument("--report", action="store_true", help="only rewrite the list")
    args = parser.parse_args()
    if args.aux:
        run_aux(args.seeds, args.aux_weights)
    elif args.dp_utility:
        run_dp_utility(args.seeds, args.dp_epochs, args.dp_noise)
    elif args.timing:
        run_timing(args.timing, args.timing_epochs)
    elif args.sample_speed:
        run_sample_speed(1_000_000)
    elif args.select:
        run_select(args.select, args.seeds, args.samples, args.select_weight)
    report()


if __name__ == "__main__":
    main()

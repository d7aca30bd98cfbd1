r"""Per-covariate log-HRs of many CK4Gen model-mode samples, with and without ``numeric_residuals``.

One default-budget fit per seed (0, 1, 2) on the split of ``benchmarks/ck4gen_vs_builtins.py``;
``DRAWS`` samples per fit and setting (sample seeds ``5000 + 100 * seed + r``), each scored by
``hazard_ratio_alignment`` against the training split. Rows (synthetic and real log-HR and
synthetic SE per covariate) are appended to ``OUT`` with the load average.

Usage (repository root)::

    OMP_NUM_THREADS=1 PYTHONPATH=src nice -n 10 .venv/bin/python \
        benchmarks/ck4gen_residuals_draws.py flchain OUT.jsonl
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from ck4gen_vs_builtins import prepare  # noqa: E402

DRAWS = 15


def main() -> None:
    import torch

    from synth_plugins.generators.ck4gen import CK4Gen
    from synth_plugins.metrics.survival import hazard_ratio_alignment

    torch.set_num_threads(1)
    name, output = sys.argv[1], Path(sys.argv[2])
    run = prepare(name)
    dataset = run.dataset
    d, e = dataset.duration_column, dataset.event_column
    warnings.simplefilter("ignore")
    with output.open("a") as stream:
        for seed in (0, 1, 2):
            model = CK4Gen(d, e, dict(dataset.roles), random_state=seed).fit(run.train)
            for residuals in (False, True):
                model.numeric_residuals = residuals
                for r in range(DRAWS):
                    synthetic = model.sample(
                        len(run.train), random_state=5000 + 100 * seed + r, outcome="model"
                    )
                    table = hazard_ratio_alignment(run.train, synthetic, d, e).table
                    row = {
                        "dataset": name, "seed": seed, "numeric_residuals": residuals, "draw": r,
                        "syn": table["log_hr_synthetic"].to_dict(),
                        "se": table["se_synthetic"].to_dict(),
                        "real": table["log_hr_real"].to_dict(), "load": os.getloadavg()[0],
                    }  # fmt: skip
                    stream.write(json.dumps(row) + "\n")
            print(f"[{name}] seed {seed} done, load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()

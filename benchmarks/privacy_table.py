"""AML-style privacy table: Hamming leakage and DCR holdout share per generator and dataset.

Every generator is fitted through Synthcity's ``Benchmarks.evaluate`` on the 80 % training
split (seeds 0, 1, 2) and scored against that split and the 20 % holdout with the suite's
``hamming_leakage`` (the AML study's coefficient, breach above 0.05) and
``dcr_holdout_share`` (0.5 = no sign of memorisation). ``med_vae`` is run with its default
library sampling and with prior sampling. Writes ``docs/benchmarks/privacy.md`` and
``privacy_results.csv``. Usage::

    python benchmarks/privacy_table.py            # the documented run
    python benchmarks/privacy_table.py --quick    # smoke test (1 seed, 5 epochs, pima)
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")

import pandas as pd
import torch

from synth_plugins.benchmark.report import to_markdown
from synth_plugins.benchmark.tabular import SPLIT, environment, evaluate_case
from synth_plugins.datasets import load

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from tabular_quality import code_version  # noqa: E402

METRICS = {"privacy": ["hamming_leakage", "dcr_holdout_share"]}
LEAKAGE, DCR = "privacy.hamming_leakage", "privacy.dcr_holdout_share"


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 5 epochs, pima only")
    parser.add_argument("--datasets", default="pima,heart_failure", help="comma-separated")
    parser.add_argument("--epochs", type=int, default=100, help="epochs of neural generators")
    parser.add_argument("--repeats", type=int, default=3, help="seeds per generator")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks")
    return parser.parse_args()


def generators(epochs: int) -> dict[str, tuple[str, dict]]:
    """Test name -> (Synthcity plugin, parameters)."""
    return {
        "med_vae": ("med_vae", {"n_iter": epochs}),
        "med_vae (prior)": ("med_vae", {"n_iter": epochs, "sampling": "prior"}),
        "tvae": ("tvae", {"n_iter": epochs}),
        "ctgan": ("ctgan", {"n_iter": epochs}),
        "marginal_distributions": ("marginal_distributions", {}),
    }


def row(dataset: str, name: str, results: pd.DataFrame | None, repeats: int) -> dict:
    """The table row of one case: means over seeds, breaches counted."""
    out = {"dataset": dataset, "generator": name}
    if results is None:
        return out
    mean, std = results["mean"], results["stddev"]
    out.update(
        {
            "leakage": mean[f"{LEAKAGE}.score"],
            "leakage_sd": std[f"{LEAKAGE}.score"],
            "breaches": round(mean[f"{LEAKAGE}.breach"] * repeats),
            "exact_matches": mean[f"{LEAKAGE}.synthetic_train_exact_matches"],
            "dcr_share": mean[f"{DCR}.score"],
            "dcr_share_sd": std[f"{DCR}.score"],
        }
    )
    return out


def main() -> None:
    args = parse()
    torch.set_num_threads(1)
    if args.quick:
        args.datasets, args.epochs, args.repeats = "pima", 5, 1
    start = time.perf_counter()
    workspace = Path(tempfile.mkdtemp(prefix="privacy_table_"))
    rows, seconds = [], {}
    from synth_plugins.synthcity.loaders import to_dataloader

    for dataset in args.datasets.split(","):
        loader = to_dataloader(load(dataset), **SPLIT)
        for name, (plugin, params) in generators(args.epochs).items():
            outcome = evaluate_case(
                name,
                plugin,
                params,
                loader,
                metrics=METRICS,
                repeats=args.repeats,
                task_type="classification",
                workspace=workspace,
            )
            print(f"{dataset} {name}: {outcome.seconds:.0f} s {outcome.errors}", file=sys.stderr)
            rows.append(row(dataset, name, outcome.results, args.repeats))
            seconds[(dataset, name)] = outcome.seconds
    table = pd.DataFrame(rows)
    args.output.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.output / "privacy_results.csv", index=False)
    write_report(args, table, time.perf_counter() - start)


def write_report(args: argparse.Namespace, table: pd.DataFrame, elapsed: float) -> None:
    """``privacy.md``: the table, how to read it, the command, code version, date and versions.

    The commit and date say which defaults the rows measured (the first page had neither,
    so its Med-VAE rows could not be placed before or after the copy filter).
    """
    command = "python benchmarks/privacy_table.py " + shlex.join(sys.argv[1:])
    env = "; ".join(f"{k} {v}" for k, v in environment().items())
    finished = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    shown = table.set_index("dataset")
    lines = [
        "# Privacy table (AML-style): Hamming leakage and DCR holdout share",
        "",
        f"Command: `{command.strip()}`; code `{code_version()}`, finished {finished} (wall "
        f"time {elapsed / 60:.1f} min, 2 CPUs, torch threads 1, other jobs running). "
        f"Versions: {env}.",
        "",
        "Each generator is fitted through Synthcity's `Benchmarks.evaluate` on the 80 % "
        f"training split (seeds 0 .. {args.repeats - 1}, {args.epochs} epochs for the neural "
        "generators) and scored against the training split and the 20 % holdout. "
        "`leakage` is the AML study's Hamming privacy-leakage coefficient (mean over seeds, "
        "`_sd` its standard deviation; above 0.05 is a breach, `breaches` counts the seeds "
        "with one); `exact_matches` is the mean number of synthetic rows equal to a training "
        "row; `dcr_share` is `dcr_holdout_share`: the share of synthetic rows closer to "
        "training than to holdout rows over every row, put on the scale of equal-size sets "
        "(0.5 means no sign of memorisation, 1 a copy). Method cards: "
        "[hamming_leakage](../methods/metrics/hamming_leakage.md), "
        "[dcr_holdout_share](../methods/metrics/dcr_holdout_share.md).",
        "",
        to_markdown(shown, float_format="{:.3f}"),
        "",
    ]
    (args.output / "privacy.md").write_text("\n".join(lines))
    print(f"wrote {args.output / 'privacy.md'}")


if __name__ == "__main__":
    main()

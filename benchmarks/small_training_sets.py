"""How close synthetic rows stay to the training rows when a generator is fitted on few rows.

The measurement behind ``synth_plugins.validation.SMALL_TRAINING_SIZE``, below which every
fit warns that its output cannot be a learned distribution. For each generator's core at its
default settings, and each training size ``n``: ``n`` rows drawn at random from the
generator's conformance table (heart_failure; gbsg2 for CK4Gen; for the longitudinal LSTM,
``n`` patients of ms_registry) train it, ``n`` other rows (patients) are the holdout, and
300 synthetic rows (patients) are scored with the DCR holdout share
(``synth_plugins.metrics.dcr_holdout_share``: the share of synthetic rows nearer a training
row than a holdout row, 0.5 for a generator that does not memorise, 1 for copies). A patient
is compared by its first visit (static columns and first visit values). Each cell is the
mean over the seeds.

Usage (repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/small_training_sets.py

Prints a Markdown table (copied into ``docs/architecture.md``, *Training-set size*); takes
about 15 minutes on two CPU cores.
"""

from __future__ import annotations

import argparse
import inspect
import os
import warnings

import numpy as np
import pandas as pd

#: Training sizes (rows, or patients for a sequence generator).
SIZES = (10, 15, 20, 30, 149)
#: Seeds per cell.
SEEDS = 6
#: Synthetic rows (patients) scored per fit.
N_SYNTHETIC = 300


def _first_visits(data: pd.DataFrame, id_column: str, time_column: str) -> pd.DataFrame:
    first = data.groupby(id_column, sort=False).head(1)
    return first.drop(columns=[id_column, time_column]).reset_index(drop=True)


def share(name: str, size: int, seed: int) -> float:
    """The DCR holdout share of one fit of generator ``name`` on ``size`` rows (patients)."""
    from synth_plugins import catalog
    from synth_plugins.datasets import load
    from synth_plugins.metrics import dcr_holdout_share

    entry = catalog.generator(name)
    dataset = load(entry.dataset)
    core = catalog.resolve(entry.core)
    layout = ("duration_column", "event_column", "id_column", "time_column")
    params = {k: getattr(dataset, k) for k in layout if k in inspect.signature(core).parameters}
    rng = np.random.default_rng(seed)
    if entry.synthcity_type == "time_series":
        data, id_column = dataset.data, dataset.id_column
        ids = rng.permutation(data[id_column].unique())
        train = data[data[id_column].isin(ids[:size])]
        holdout = data[data[id_column].isin(ids[size : 2 * size])]
        params["static_columns"] = list(dataset.static_columns)
        synthetic = core(**params, random_state=seed).fit(train).sample(N_SYNTHETIC)
        train, holdout, synthetic = (
            _first_visits(frame, id_column, dataset.time_column)
            for frame in (train, holdout, synthetic)
        )
    else:
        order = rng.permutation(len(dataset.data))
        train = dataset.data.iloc[order[:size]].reset_index(drop=True)
        holdout = dataset.data.iloc[order[size : 2 * size]].reset_index(drop=True)
        synthetic = core(**params, random_state=seed).fit(train).sample(N_SYNTHETIC)
    return dcr_holdout_share(train, holdout, synthetic).score


def main() -> None:
    from synth_plugins.catalog import GENERATORS

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generators", nargs="+", default=[e.name for e in GENERATORS])
    parser.add_argument("--sizes", nargs="+", type=int, default=list(SIZES))
    parser.add_argument("--seeds", type=int, default=SEEDS)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # every fit below 20 rows warns, by design
    os.environ.setdefault("TQDM_DISABLE", "1")
    print("| generator | " + " | ".join(str(size) for size in args.sizes) + " |")
    print("|---|" + "---:|" * len(args.sizes))
    for name in args.generators:
        cells = [
            np.mean([share(name, size, seed) for seed in range(args.seeds)]) for size in args.sizes
        ]
        print(f"| {name} | " + " | ".join(f"{cell:.2f}" for cell in cells) + " |", flush=True)


if __name__ == "__main__":
    main()

"""How often ``hamming_leakage`` breaches its 0.05 threshold when nothing leaks.

A synthetic table drawn from the same distribution as the training rows, independently of
them, leaks nothing; the coefficient then measures only chance. This script draws such
"honest" tables and reports the coefficient's spread and how often it exceeds 0.05, so a
user can tell a breach from noise on a table of their size:

- **simulated**: a table of 4 columns with few values each (age in whole years, sex, stage
  1-3, a 0/1 outcome), and the same with 4 continuous columns added; train, holdout and
  synthetic tables of n rows each, drawn independently;
- **bundled**: a bundled table cut at random into three equal parts (train, holdout,
  synthetic), so the "synthetic" rows are real rows the other two never held.

Each setting is repeated over ``--seeds`` seeds (default 20) with the metric's defaults.

Usage (repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/hamming_null.py

Prints a Markdown table (copied into ``docs/methods/metrics/hamming_leakage.md``); takes
under a minute.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np
import pandas as pd

from synth_plugins.catalog import HAMMING_BREACH_THRESHOLD

#: Table sizes (rows of each of train, holdout and synthetic) of the simulated settings.
SIZES = (150, 400, 1000)
#: Bundled tables cut into thirds.
BUNDLED = ("heart_failure", "pima", "ckd")


def few_values(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Four columns with few distinct values (as in a small clinical table)."""
    return pd.DataFrame(
        {
            "age": rng.normal(60, 10, n).round(0),
            "sex": rng.choice(["f", "m"], n),
            "stage": rng.integers(1, 4, n),
            "outcome": rng.integers(0, 2, n),
        }
    )


def with_continuous(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """The four columns above and four continuous ones."""
    table = few_values(rng, n)
    for j in range(4):
        table[f"x{j}"] = rng.normal(size=n)
    return table


def summary(label: str, n: int, coefficients: list[float]) -> str:
    """One Markdown row: the setting, the coefficient's spread and the breach count."""
    values = np.asarray(coefficients)
    return (
        f"| {label} | {n} | {values.mean():+.3f} | {values.std(ddof=1):.3f} | "
        f"{np.quantile(values, 0.95):+.3f} | {values.max():+.3f} | "
        f"{int((values > HAMMING_BREACH_THRESHOLD).sum())} of {len(values)} |"
    )


def simulated(draw: Callable[[np.random.Generator, int], pd.DataFrame], n: int, seeds: int):
    """Coefficients of independent train, holdout and synthetic draws of ``n`` rows."""
    from synth_plugins.metrics import hamming_leakage

    found = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        train, holdout, synthetic = draw(rng, n), draw(rng, n), draw(rng, n)
        found.append(hamming_leakage(train, holdout, synthetic).coefficient)
    return found


def thirds(name: str, seeds: int) -> tuple[int, list[float]]:
    """Coefficients of a bundled table cut at random into three equal parts."""
    from synth_plugins.datasets import load
    from synth_plugins.metrics import hamming_leakage

    data = load(name).data
    n = len(data) // 3
    found = []
    for seed in range(seeds):
        order = np.random.default_rng(seed).permutation(len(data))
        train, holdout, synthetic = (data.iloc[order[i * n : (i + 1) * n]] for i in range(3))
        found.append(hamming_leakage(train, holdout, synthetic).coefficient)
    return n, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    seeds = parser.parse_args().seeds
    print("| honest synthetic rows | n (each table) | mean | SD | 95th percentile | max | "
          "above 0.05 |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for label, draw in (("4 columns, few values", few_values),
                        ("8 columns (4 continuous)", with_continuous)):  # fmt: skip
        for n in SIZES:
            print(summary(label, n, simulated(draw, n, seeds)))
    for name in BUNDLED:
        n, found = thirds(name, seeds)
        print(summary(f"`{name}` in thirds", n, found))


if __name__ == "__main__":
    main()

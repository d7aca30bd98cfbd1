"""Small tables on which the generators' copy handling warns at every draw.

Used by the tests that one host call (SDV's batches and reject sampling, Synthcity's draws
until enough rows meet the constraints) warns once, with its totals.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd


def distinct_levels() -> pd.DataFrame:
    """70 distinct rows of four 3-level columns ``a``-``d`` (levels 0, 1, 2).

    No row repeats, so the natural collision rate is 0, and independent marginals land on
    a training row most of the time (70 of the 81 combinations): the copy filter replaces
    most rows of every draw.
    """
    combos = list(itertools.product(range(3), repeat=4))
    order = np.random.default_rng(0).permutation(len(combos))[:70]
    return pd.DataFrame([combos[i] for i in order], columns=list("abcd"))


def survival_with_kept_copies() -> pd.DataFrame:
    """60 patients: ``treated`` (0/1), ``time`` (distinct) and ``event`` (0/1).

    With one binary covariate and few rows, CK4Gen's binned comparison finds most
    synthetic rows in a training row's bins, beyond the training rows' own rate, and its
    re-draw cannot move them all out: each sample warns that some are kept.
    """
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "treated": rng.integers(0, 2, 60),
        "time": np.round(rng.uniform(1, 10, 60), 3),
        "event": rng.integers(0, 2, 60),
    })  # fmt: skip

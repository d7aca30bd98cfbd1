"""A straightforward, row-by-row Hamming leakage evaluation, for cross-checks only.

This follows the AML procedure literally with pandas: shuffle and split, bin each pair with
``pd.qcut`` / ``pd.cut`` fitted on the target subset, then for every "from" row count the
differing columns against every target row and keep the two smallest counts. It is slow
(one pandas comparison per row) and exists so that the tests and the benchmark can check
the vectorised :func:`synth_plugins.metrics.hamming.hamming_leakage` against an obviously
correct implementation and measure the speed-up. It supports the study's settings only:
quantile bins fitted on the target, ``nan_policy="mismatch"``, balanced subsets.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np
import pandas as pd

from synth_plugins.metrics.hamming import PERCENTILES, n_subsets, split_subsets

_MISSING_LEVEL = "__missing__"


def _bin_pair(
    source: pd.DataFrame, target: pd.DataFrame, numeric: Sequence[str], num_bins: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    source = source.copy()
    target = target.copy()
    for column in numeric:
        observed = target[column].dropna()
        edges = np.unique(observed.quantile(np.linspace(0, 1, num_bins + 1)).to_numpy())
        if edges.size < 2:
            edges = np.array([-np.inf, np.inf])
        edges[0], edges[-1] = -np.inf, np.inf
        labels = list(range(len(edges) - 1))
        target[column] = pd.cut(target[column], bins=edges, labels=labels)
        source[column] = pd.cut(source[column], bins=edges, labels=labels)
    return source, target


def _pair(
    source: pd.DataFrame,
    target: pd.DataFrame,
    numeric: Sequence[str],
    num_bins: int,
    leave_one_out: bool = False,
) -> tuple[float, float, np.ndarray, int]:
    source, target = _bin_pair(source, target, numeric, num_bins)
    minimum, gap = [], []
    for i in range(len(source)):
        distances = (target != source.iloc[i]).sum(axis=1).to_list()
        if leave_one_out:
            distances.pop(i)
        smallest = heapq.nsmallest(2, distances)
        if len(smallest) == 1:
            smallest.append(smallest[0])
        minimum.append(smallest[0])
        gap.append(smallest[1] - smallest[0])
    minimum_array = np.array(minimum)
    return (
        float(np.mean(minimum_array)),
        float(np.mean(gap)),
        np.percentile(minimum_array, list(PERCENTILES)),
        int((minimum_array == 0).sum()),
    )


def _run(
    source: pd.DataFrame,
    target: pd.DataFrame,
    numeric: Sequence[str],
    balanced_count: int,
    num_bins: int,
    seed: int,
    same: bool,
) -> dict[str, float]:
    source_parts = [
        source.iloc[rows]
        for rows in split_subsets(len(source), n_subsets(len(source), balanced_count), seed)
    ]
    target_parts = [
        target.iloc[rows]
        for rows in split_subsets(len(target), n_subsets(len(target), balanced_count), seed)
    ]
    results = []
    for i, from_part in enumerate(source_parts):
        for j, to_part in enumerate(target_parts):
            if same and j <= i:
                continue
            results.append(_pair(from_part, to_part, numeric, num_bins))
    if same and not results:
        results.append(_pair(source_parts[0], source_parts[0], numeric, num_bins, True))
    n = len(results)
    return {
        "avg_min_distance": sum(r[0] for r in results) / n,
        "avg_gap": sum(r[1] for r in results) / n,
        "percentiles": sum(r[2] for r in results) / n,
        "exact_matches": sum(r[3] for r in results),
        "n_pairs": n,
    }


def hamming_leakage_rowwise(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    categorical_columns: Sequence[str],
    *,
    num_bins: int = 10,
    random_state: int = 1,
) -> dict[str, dict[str, float]]:
    """The four AML runs, computed row by row.

    Missing categorical values are recoded to one level first (the study's "-1" /
    "empty_val"); missing numeric values stay NaN and so never match after binning.

    Returns:
        ``{"synthetic_train" | "synthetic_test" | "real_train" | "real_test": stats}``
        with the keys ``avg_min_distance``, ``avg_gap``, ``percentiles``,
        ``exact_matches`` and ``n_pairs``.
    """
    categorical = [c for c in train.columns if c in set(categorical_columns)]
    numeric = [c for c in train.columns if c not in set(categorical)]

    def prepare(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[list(train.columns)].reset_index(drop=True).copy()
        for column in categorical:
            frame[column] = (
                frame[column].astype(object).where(frame[column].notna(), _MISSING_LEVEL)
            )
        for column in numeric:
            frame[column] = frame[column].astype("float64")
        return frame

    synthetic = synthetic.copy()
    for column in train.columns:
        target_dtype = train[column].dtype
        if (
            synthetic[column].dtype != target_dtype
            and pd.api.types.is_numeric_dtype(target_dtype)
            and pd.api.types.is_numeric_dtype(synthetic[column].dtype)
            and not synthetic[column].isna().any()
        ):
            synthetic[column] = synthetic[column].astype(target_dtype)
    train_p, holdout_p, synthetic_p = prepare(train), prepare(holdout), prepare(synthetic)
    count = len(holdout)
    return {
        "synthetic_train": _run(
            synthetic_p, train_p, numeric, count, num_bins, random_state, False
        ),
        "synthetic_test": _run(
            synthetic_p, holdout_p, numeric, count, num_bins, random_state, False
        ),
        "real_train": _run(train_p, train_p, numeric, count, num_bins, random_state, True),
        "real_test": _run(train_p, holdout_p, numeric, count, num_bins, random_state, False),
    }

"""Hamming-distance privacy leakage coefficient, as computed in the AML study.

The AML study (npj Digital Medicine 2024;7:76, "Assessment of privacy conservation") bins
every numeric column into 10 quantile bins, compares rows by the number of differing
columns (Hamming distance), and asks whether synthetic rows lie closer to the records the
generator was trained on than to records it never saw:

    coefficient = mean min distance(synthetic -> holdout)
                  / mean min distance(synthetic -> train) - 1

A coefficient above 0.05 flags a potential privacy breach. When every synthetic row has an
exact (binned) match among the training rows, the denominator is 0 and the paper's ratio is
infinite; this module then divides by the smallest positive value the average could take
(see :func:`ratio_minus_one`), so the coefficient stays finite and ranks such a copy above
every table with the same holdout distance. To compare sets of equal size,
every set is shuffled (seed 1) and split into ``round(n / n_holdout)`` near-equal subsets;
distances are computed per pair of subsets with bins fitted on the target subset, and the
pair statistics are averaged. The real-versus-real baseline repeats the procedure with the
training subsets in place of the synthetic data. (The study calls the holdout its "test"
set; the result fields keep that name: ``synthetic_test``, ``real_test``.)

Every figure of the study is returned: the four average minimum distances, the averaged
gap to the second-nearest row, the averaged percentiles of the minimum distance, and the
exact-match counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from synth_plugins.catalog import HAMMING_BREACH_THRESHOLD
from synth_plugins.errors import InvalidDataError
from synth_plugins.metrics.distance import (
    BACKENDS,
    Backend,
    CodedTables,
    equal_width_edges,
    nearest_hamming,
    quantile_edges,
)
from synth_plugins.metrics.validation import (
    align_columns,
    check_frame,
    feature_tables,
    resolve_categorical,
)
from synth_plugins.validation import (
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_random_state,
)

Binning = Literal["quantile_target", "quantile_pooled", "equal_width"]
NanPolicy = Literal["mismatch", "mismatch_all", "category"]
CoefficientFormula = Literal["paper", "code"]

BINNINGS: tuple[str, ...] = ("quantile_target", "quantile_pooled", "equal_width")
NAN_POLICIES: tuple[str, ...] = ("mismatch", "mismatch_all", "category")
COEFFICIENT_FORMULAS: tuple[str, ...] = ("paper", "code")

#: Percentiles of the per-row minimum distance reported by the AML code.
PERCENTILES: tuple[int, ...] = (5, 25, 50, 75, 95)


@dataclass(frozen=True)
class HammingRunStats:
    """Statistics of one run (one from-set against one to-set), averaged over subset pairs.

    Attributes:
        avg_min_distance: Mean over pairs of the mean minimum Hamming distance per row.
        avg_gap: Mean over pairs of the mean gap between the second-smallest and the
            smallest distance per row (the AML code's ``two_dif``).
        percentiles: Mean over pairs of the 5th, 25th, 50th, 75th and 95th percentiles of
            the per-row minimum distance (numpy linear interpolation).
        exact_matches: Rows at distance 0 after binning, summed over pairs.
        n_pairs: Number of subset pairs evaluated.
        resolution: The smallest positive value ``avg_min_distance`` can take with these
            subsets: one row of the largest from-subset at distance 1, averaged over the
            pairs, ``1 / (n_pairs * rows of the largest from-subset)``. It stands in for a
            zero denominator in the coefficient (see :func:`ratio_minus_one`).
    """

    avg_min_distance: float
    avg_gap: float
    percentiles: tuple[float, float, float, float, float]
    exact_matches: int
    n_pairs: int
    resolution: float

    @property
    def median_distance(self) -> float:
        """The averaged 50th percentile (the "median distance" of the AML Table 3)."""
        return self.percentiles[2]

    def to_dict(self, prefix: str) -> dict[str, float]:
        """Flat figures, keys prefixed with ``prefix`` (e.g. ``synthetic_train_``)."""
        out = {
            f"{prefix}avg_min_distance": self.avg_min_distance,
            f"{prefix}avg_gap": self.avg_gap,
        }
        for q, value in zip(PERCENTILES, self.percentiles):
            out[f"{prefix}p{q:02d}"] = value
        out[f"{prefix}exact_matches"] = float(self.exact_matches)
        out[f"{prefix}n_pairs"] = float(self.n_pairs)
        return out


@dataclass(frozen=True)
class HammingLeakageResult:
    """Everything the AML privacy evaluation computes.

    Attributes:
        coefficient: The privacy leakage coefficient (the headline ``score``).
        breach: ``coefficient > threshold``.
        threshold: The breach threshold used.
        coefficient_formula: ``"paper"`` (holdout / train - 1) or ``"code"`` (1 - train /
            holdout).
        synthetic_train: Synthetic subsets against training subsets.
        synthetic_test: Synthetic subsets against the holdout.
        real_train: Baseline: training subsets against each other (pairs i < j), or
            leave-one-out within the training set when it forms a single subset.
        real_test: Baseline: training subsets against the holdout.
        real_coefficient: The coefficient formula applied to the real baseline
            (``real_test`` over ``real_train``), the natural value for real data.
        synthetic_vs_real_train: ``synthetic_train / real_train - 1`` on the average
            minimum distances (stored, not published, by the AML code).
        synthetic_vs_real_test: ``synthetic_test / real_test - 1``.
        balanced_count: The subset size target, the number of holdout rows.
        n_subsets_train: Number of training subsets.
        n_subsets_synthetic: Number of synthetic subsets.
        real_train_leave_one_out: True when ``real_train`` is leave-one-out.
    """

    coefficient: float
    breach: bool
    threshold: float
    coefficient_formula: str
    synthetic_train: HammingRunStats
    synthetic_test: HammingRunStats
    real_train: HammingRunStats
    real_test: HammingRunStats
    real_coefficient: float
    synthetic_vs_real_train: float
    synthetic_vs_real_test: float
    balanced_count: int
    n_subsets_train: int
    n_subsets_synthetic: int
    real_train_leave_one_out: bool

    @property
    def score(self) -> float:
        """The headline number: the privacy leakage coefficient."""
        return self.coefficient

    def to_dict(self) -> dict[str, float]:
        """Every figure as a flat ``{name: float}`` dict with stable keys."""
        out: dict[str, float] = {
            "score": self.coefficient,
            "coefficient": self.coefficient,
            "breach": float(self.breach),
            "threshold": self.threshold,
        }
        out.update(self.synthetic_train.to_dict("synthetic_train_"))
        out.update(self.synthetic_test.to_dict("synthetic_test_"))
        out.update(self.real_train.to_dict("real_train_"))
        out.update(self.real_test.to_dict("real_test_"))
        out["real_coefficient"] = self.real_coefficient
        out["synthetic_vs_real_train"] = self.synthetic_vs_real_train
        out["synthetic_vs_real_test"] = self.synthetic_vs_real_test
        out["balanced_count"] = float(self.balanced_count)
        out["n_subsets_train"] = float(self.n_subsets_train)
        out["n_subsets_synthetic"] = float(self.n_subsets_synthetic)
        out["real_train_leave_one_out"] = float(self.real_train_leave_one_out)
        return out


def ratio_minus_one(numerator: float, denominator: float, resolution: float | None = None) -> float:
    """``numerator / denominator - 1`` for average minimum distances, finite by definition.

    ``0 / 0`` reads as 1 (no difference, result 0). A positive numerator over a zero
    denominator is divided by ``resolution`` instead: the smallest positive value the
    denominator could have taken (see :attr:`HammingRunStats.resolution`). Every positive
    average is at least that value, so the result is the largest ratio those subsets can
    produce for this numerator, a finite value above any table that is not an exact copy.
    Without ``resolution`` that case gives the mathematical limit, ``inf``.
    """
    if denominator > 0:
        return numerator / denominator - 1.0
    if numerator == 0:
        return 0.0
    return math.inf if resolution is None else numerator / resolution - 1.0


def leakage_coefficient(
    avg_min_train: float,
    avg_min_holdout: float,
    formula: CoefficientFormula = "paper",
    *,
    resolution: float | None = None,
) -> float:
    """The privacy leakage coefficient from the two average minimum distances.

    Args:
        avg_min_train: Average minimum distance of synthetic rows to training rows.
        avg_min_holdout: Average minimum distance of synthetic rows to holdout rows.
        formula: ``"paper"``: ``holdout / train - 1`` (the published values: 8.8587 / 8.7034
            - 1 = 0.0178); ``"code"``: ``1 - train / holdout``, what the AML code stored.
        resolution: The smallest positive value the denominator (train for ``"paper"``,
            holdout for ``"code"``) can take; it replaces a zero denominator (see
            :func:`ratio_minus_one`). :func:`hamming_leakage` always passes it.

    Returns:
        The coefficient; ``0.0`` when both distances are 0. When only the denominator is
        0: ``numerator / resolution - 1`` (paper) or ``1 - numerator / resolution``
        (code), or ``inf`` / ``-inf`` without a ``resolution``.
    """
    check_choice("coefficient_formula", formula, COEFFICIENT_FORMULAS)
    if formula == "paper":
        return ratio_minus_one(avg_min_holdout, avg_min_train, resolution)
    return -ratio_minus_one(avg_min_train, avg_min_holdout, resolution)


def split_subsets(n_rows: int, n_parts: int, seed: int) -> list[np.ndarray]:
    """Row indices of ``n_parts`` near-equal subsets after a seeded shuffle.

    The shuffle is ``DataFrame.sample(frac=1, random_state=seed)`` and the split is
    ``np.array_split``, as in the AML code, so the subsets are the study's.
    """
    order = pd.Series(np.arange(n_rows)).sample(frac=1, random_state=seed).to_numpy()
    return [np.sort(part) for part in np.array_split(order, n_parts)]


def n_subsets(n_rows: int, balanced_count: int) -> int:
    """``round(n_rows / balanced_count)`` (Python rounding, as the AML code), at least 1."""
    return max(1, round(n_rows / balanced_count))


#: mean d1, mean gap, percentiles of d1, exact matches, rows of the from-subset
PairStats = tuple[float, float, np.ndarray, int, int]


def _pair_stats(d1: np.ndarray, d2: np.ndarray) -> PairStats:
    percentiles = np.percentile(d1, list(PERCENTILES))
    zeros = int((d1 == 0).sum())
    return float(d1.mean()), float((d2 - d1).mean()), percentiles, zeros, len(d1)


def _aggregate(pairs: list[PairStats]) -> HammingRunStats:
    """Average pair statistics in order, as the AML code does (running sums, then / n)."""
    n = len(pairs)
    total_min, total_gap, total_zeros = 0.0, 0.0, 0
    total_percentiles = np.zeros(len(PERCENTILES))
    for avg_min, gap, percentiles, zeros, _ in pairs:
        total_min += avg_min
        total_gap += gap
        total_percentiles = total_percentiles + percentiles
        total_zeros += zeros
    return HammingRunStats(
        avg_min_distance=total_min / n,
        avg_gap=total_gap / n,
        percentiles=tuple(float(v) for v in total_percentiles / n),  # type: ignore[arg-type]
        exact_matches=total_zeros,
        n_pairs=n,
        resolution=1.0 / (n * max(rows for *_, rows in pairs)),
    )


def _cast_like(synthetic: pd.DataFrame, train: pd.DataFrame) -> pd.DataFrame:
    """Cast synthetic numeric columns to the training dtype, as the AML code does.

    Only numeric and boolean columns whose dtypes differ are cast, and only when the
    synthetic column has no missing value (an integer cast of NaN is impossible). An
    integer training column truncates the synthetic numbers toward zero, as the code's
    ``astype(int)`` does, but keeps them as floats: a nullable ``Int64`` column then takes
    decimals (pandas refuses to cast 41.5 to it), and a value outside a small integer
    dtype's range (300 for an ``int8`` column) stays 300 instead of wrapping round to 44.
    """
    out = synthetic
    for column in train.columns:
        target, source = train[column].dtype, synthetic[column].dtype
        if target == source:
            continue
        numeric_pair = all(
            pd.api.types.is_numeric_dtype(d) and not isinstance(d, pd.CategoricalDtype)
            for d in (target, source)
        )
        if numeric_pair and not synthetic[column].isna().any():
            if out is synthetic:
                out = synthetic.copy()
            values = synthetic[column]
            out[column] = (
                np.trunc(values.to_numpy(dtype=np.float64))
                if pd.api.types.is_integer_dtype(target)
                else values.astype(target)
            )
    return out


def _coefficient(
    to_train: HammingRunStats, to_holdout: HammingRunStats, formula: CoefficientFormula
) -> float:
    """The coefficient of two runs, a zero denominator replaced by its run's resolution."""
    denominator = to_train if formula == "paper" else to_holdout
    return leakage_coefficient(
        to_train.avg_min_distance,
        to_holdout.avg_min_distance,
        formula,
        resolution=denominator.resolution,
    )


def hamming_leakage(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    categorical_columns: Iterable[str] | None = None,
    num_bins: int = 10,
    binning: Binning = "quantile_target",
    nan_policy: NanPolicy = "mismatch",
    balanced: bool = True,
    random_state: int = 1,
    threshold: float = HAMMING_BREACH_THRESHOLD,
    coefficient_formula: CoefficientFormula = "paper",
    match_dtypes: bool = True,
    backend: Backend = "auto",
    n_threads: int | None = None,
) -> HammingLeakageResult:
    """The AML-study Hamming privacy leakage coefficient and every figure behind it.

    Args:
        train: The real rows the generator was trained on.
        holdout: Real rows the generator never saw; its size sets the subset size.
        synthetic: The generated rows; same columns as ``train``.
        categorical_columns: Columns compared by value (booleans, categories); the others
            are binned. None infers them from ``train`` (binary, categorical and ordinal
            roles of :mod:`synth_plugins.encoding.roles`).
            Identifier columns are left out and dates read as days (see
            :func:`~synth_plugins.metrics.validation.feature_tables`).
        num_bins: Number of bins per numeric column (10 in the study).
        binning: ``"quantile_target"`` (the study: quantile bins fitted on each target
            subset, outer edges open), ``"quantile_pooled"`` (fitted on both subsets of
            a pair) or ``"equal_width"`` (equal-width bins over the target's range).
        nan_policy: ``"mismatch"`` (the study): a missing numeric value matches nothing,
            not even another missing value, while a missing categorical value is a level of
            its own (the study recoded those to -1 / "empty_val" before comparing);
            ``"mismatch_all"``: no missing value matches anything; ``"category"``: every
            missing value is a level of its own (Platzer & Reutterer).
        balanced: True (the study) to split the sets into subsets of about the holdout
            size;
            False to compare whole sets.
        random_state: Seed of the shuffle before splitting (1 in the study).
        threshold: The coefficient above which ``breach`` is set (0.05, the study's:
            :data:`~synth_plugins.catalog.HAMMING_BREACH_THRESHOLD`).
        coefficient_formula: ``"paper"`` (the published ``holdout / train - 1``) or ``"code"``
            (``1 - train / holdout``, stored by the AML code; differs in the 4th decimal).
        match_dtypes: Cast synthetic numeric columns to the training dtypes first (the
            AML code does; e.g. float ages are truncated to int, for every integer dtype,
            without wrapping round a small dtype's range).
        backend: Matrix-product backend of the distance kernel (``"auto"``, ``"int8"``,
            ``"float32"``); every backend gives the same, exact, result.
        n_threads: PyTorch threads for the kernel; None keeps the current setting.

    Returns:
        A :class:`HammingLeakageResult`. Every figure is finite: when the synthetic rows
        all match training rows exactly (after binning), the coefficient divides by the
        smallest positive average distance these subsets allow (see
        :func:`ratio_minus_one`) instead of returning ``inf``.

    Raises:
        InvalidDataError: A frame is empty or not a frame, the columns differ, a numeric
            column holds text or infinities, or ``train`` has fewer than 2 rows.
        InvalidParameterError: A parameter is out of range.
    """
    check_frame(train, "train", min_rows=2)
    check_frame(holdout, "holdout")
    check_frame(synthetic, "synthetic")
    holdout = align_columns(train, holdout, "train", "holdout")
    synthetic = align_columns(train, synthetic, "train", "synthetic")
    balanced = check_bool("balanced", balanced)
    match_dtypes = check_bool("match_dtypes", match_dtypes)
    num_bins = check_int("num_bins", num_bins, minimum=1)
    check_choice("binning", binning, BINNINGS)
    check_choice("nan_policy", nan_policy, NAN_POLICIES)
    check_choice("coefficient_formula", coefficient_formula, COEFFICIENT_FORMULAS)
    check_choice("backend", backend, BACKENDS)
    threshold = check_float("threshold", threshold)
    random_state = check_random_state("random_state", random_state, none=False)
    features = feature_tables(
        {"train": train, "holdout": holdout, "synthetic": synthetic}, categorical_columns
    )
    train, holdout, synthetic = features["train"], features["holdout"], features["synthetic"]
    categorical = resolve_categorical([train, holdout, synthetic], categorical_columns)
    if match_dtypes:
        synthetic = _cast_like(synthetic, train)

    tables = CodedTables(
        {"train": train, "holdout": holdout, "synthetic": synthetic},
        categorical,
        categorical_missing="never" if nan_policy == "mismatch_all" else "level",
    )
    numeric_missing = "level" if nan_policy == "category" else "never"
    balanced_count = len(holdout)
    if balanced:
        train_parts = split_subsets(len(train), n_subsets(len(train), balanced_count), random_state)
        synthetic_parts = split_subsets(
            len(synthetic), n_subsets(len(synthetic), balanced_count), random_state
        )
    else:
        train_parts = [np.arange(len(train))]
        synthetic_parts = [np.arange(len(synthetic))]
    holdout_rows = np.arange(len(holdout))

    def edges_for(parts: list[tuple[str, np.ndarray]]) -> list[np.ndarray]:
        values = tables.numeric_rows(parts)
        fit = equal_width_edges if binning == "equal_width" else quantile_edges
        return [fit(values[:, j], num_bins) for j in range(values.shape[1])]

    # per run: ((from subset, to subset), pair statistics); sorted by subsets at the end so
    # that averages are summed in the AML code's order
    collected: dict[str, list[tuple[tuple[int, int], PairStats]]] = {
        "synthetic_train": [],
        "synthetic_test": [],
        "real_train": [],
        "real_test": [],
    }

    def run_target(
        target: tuple[str, np.ndarray],
        sources: list[tuple[str, str, np.ndarray, tuple[int, int]]],
        *,
        exclude_self: bool = False,
    ) -> None:
        """Distances of every (run, from-subset) in ``sources`` to one target subset."""
        if not sources:
            return
        groups = [sources] if binning != "quantile_pooled" else [[s] for s in sources]
        for group in groups:
            parts = [(frame, rows) for _, frame, rows, _ in group]
            fit_on = [target] if binning != "quantile_pooled" else [target, *parts]
            edges = edges_for(fit_on)
            target_codes = tables.codes([target], edges, numeric_missing=numeric_missing)
            if exclude_self:
                query = target_codes
            else:
                query = tables.codes(parts, edges, numeric_missing=numeric_missing)
            d1, d2 = nearest_hamming(
                query,
                target_codes,
                exclude_self=exclude_self,
                backend=backend,
                n_threads=n_threads,
            )
            start = 0
            for run, _, rows, key in group:
                stop = start + len(rows)
                collected[run].append((key, _pair_stats(d1[start:stop], d2[start:stop])))
                start = stop

    # the holdout as target: synthetic -> holdout and train -> holdout
    run_target(
        ("holdout", holdout_rows),
        [("synthetic_test", "synthetic", rows, (i, 0)) for i, rows in enumerate(synthetic_parts)]
        + [("real_test", "train", rows, (i, 0)) for i, rows in enumerate(train_parts)],
    )
    # every training subset as target: synthetic -> train and train i -> train j (i < j)
    for j, target_rows in enumerate(train_parts):
        run_target(
            ("train", target_rows),
            [
                ("synthetic_train", "synthetic", rows, (i, j))
                for i, rows in enumerate(synthetic_parts)
            ]
            + [("real_train", "train", train_parts[i], (i, j)) for i in range(j)],
        )
    leave_one_out = len(train_parts) < 2
    if leave_one_out:
        only = train_parts[0]
        if len(only) < 2:  # pragma: no cover - train has >= 2 rows, one subset holds all
            raise InvalidDataError("train needs at least 2 rows for the real baseline")
        run_target(("train", only), [("real_train", "train", only, (0, 0))], exclude_self=True)

    runs = {
        name: _aggregate([s for _, s in sorted(stats, key=lambda item: item[0])])
        for name, stats in collected.items()
    }
    coefficient = _coefficient(runs["synthetic_train"], runs["synthetic_test"], coefficient_formula)
    real_coefficient = _coefficient(runs["real_train"], runs["real_test"], coefficient_formula)
    return HammingLeakageResult(
        coefficient=coefficient,
        breach=bool(coefficient > threshold),
        threshold=threshold,
        coefficient_formula=coefficient_formula,
        synthetic_train=runs["synthetic_train"],
        synthetic_test=runs["synthetic_test"],
        real_train=runs["real_train"],
        real_test=runs["real_test"],
        real_coefficient=real_coefficient,
        synthetic_vs_real_train=ratio_minus_one(
            runs["synthetic_train"].avg_min_distance,
            runs["real_train"].avg_min_distance,
            runs["real_train"].resolution,
        ),
        synthetic_vs_real_test=ratio_minus_one(
            runs["synthetic_test"].avg_min_distance,
            runs["real_test"].avg_min_distance,
            runs["real_test"].resolution,
        ),
        balanced_count=balanced_count,
        n_subsets_train=len(train_parts),
        n_subsets_synthetic=len(synthetic_parts),
        real_train_leave_one_out=leave_one_out,
    )

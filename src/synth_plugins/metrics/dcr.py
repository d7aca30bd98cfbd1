"""Platzer & Reutterer holdout DCR share: are synthetic rows closer to training rows?

Platzer & Reutterer (Frontiers in Big Data 2021, reference code ``privacy.ipynb`` of
mostly-ai/paper-fidelity-accuracy) split the real data into a training set, which the
generator sees, and a holdout set of the same size, which it does not. Every numeric
column is cut into ``c = 100`` quantile bins computed on the pooled training, holdout and
synthetic rows; every column is one-hot encoded with missing values as a level of their
own, and the squared Euclidean distance on the one-hot vectors over 2, the number of
differing columns, is the distance. For each synthetic row the distance to the closest
record (DCR) is taken in the training and in the holdout set, and

    share = P(DCR_train < DCR_holdout)
            + n_train / (n_train + n_holdout) * P(DCR_train = DCR_holdout)

is about 0.5 when the generator does not memorise (the holdout is as close as the
training data) and approaches 1 when synthetic rows copy training rows. That tie weight is
the reference's, for sets of equal size; with unequal sizes (``balance=False``) a tie is
weighted by the share of training rows among the real rows at the tie distance
(:func:`tie_weights`), which keeps the expectation at ``n_train / (n_train + n_holdout)``.
A one-sided binomial test (as the authors' R helper) gives a p-value; the nearest-neighbour
distance ratio (NNDR, ``(d1 + 1e-8) / (d2 + 1e-8)``, the MOSTLY AI QA definition) is
reported too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
import pandas as pd

from synth_plugins.metrics.distance import (
    BACKENDS,
    Backend,
    balance_rows,
    nearest_hamming,
    pooled_bin_codes,
)
from synth_plugins.metrics.validation import (
    align_columns,
    check_frame,
    feature_tables,
    resolve_categorical,
)
from synth_plugins.validation import check_bool, check_choice, check_int, check_random_state

NanPolicy = Literal["category", "mismatch"]
NAN_POLICIES: tuple[str, ...] = ("category", "mismatch")

#: Smoothing of the nearest-neighbour distance ratio (MOSTLY AI QA).
NNDR_EPSILON = 1e-8


@dataclass(frozen=True)
class DcrHoldoutShareResult:
    """The holdout DCR share and the figures behind it.

    Attributes:
        share: The DCR share (the headline ``score``); about ``expected_share`` without
            memorisation, up to 1 when synthetic rows copy training rows.
        p_value: One-sided binomial test of ``share * n_synthetic`` successes (to the
            nearest integer, an exact half down: see :func:`binomial_successes`) in
            ``n_synthetic`` trials against ``expected_share`` (alternative: greater).
        expected_share: The share expected without memorisation, ``n_train / (n_train +
            n_holdout)`` (0.5 for equal sizes), exactly (see :func:`tie_weights`).
        n_closer_train: Synthetic rows strictly closer to the training set.
        n_closer_holdout: Synthetic rows strictly closer to the holdout set.
        n_ties: Synthetic rows at the same distance from both sets.
        dcr_train_mean: Mean DCR of the synthetic rows to the training set.
        dcr_holdout_mean: Mean DCR of the synthetic rows to the holdout set.
        dcr_train_median: Median DCR to the training set.
        dcr_holdout_median: Median DCR to the holdout set.
        exact_matches_train: Synthetic rows at distance 0 (after binning) from a row of the
            whole training set (``n_train_all`` rows): a count of copies, whatever the
            balancing, not limited to the ``n_train`` rows the share uses.
        exact_matches_holdout: Synthetic rows at distance 0 from a row of the whole holdout
            set (``n_holdout_all`` rows): how often rows the generator never saw are hit,
            the collision baseline. For rare matches, a generator that does not copy gives
            ``exact_matches_train / n_train_all`` about ``exact_matches_holdout /
            n_holdout_all``.
        nndr_train_mean: Mean NNDR of the synthetic rows in the training set.
        nndr_holdout_mean: Mean NNDR in the holdout set.
        nndr_train_p10: 10th percentile of the NNDR in the training set.
        nndr_holdout_p10: 10th percentile of the NNDR in the holdout set.
        holdout_reference_share: Calibration: the share obtained when the holdout rows
            themselves are scored as synthetic (their own row excluded); what a generator
            that draws fresh rows from the population would get (for unequal sizes its
            expectation is ``n_train / (n_train + n_holdout - 1)``).
        n_train: Training rows scored by the share (after balancing): with
            ``balance=True`` only these can show up as copies in ``share``.
        n_holdout: Holdout rows scored (after balancing).
        n_synthetic: Synthetic rows scored.
        n_train_all: Rows of the whole training set, the set ``exact_matches_train``
            searches (``n_train`` without balancing).
        n_holdout_all: Rows of the whole holdout set, the set ``exact_matches_holdout``
            searches.
    """

    share: float
    p_value: float
    expected_share: float
    n_closer_train: int
    n_closer_holdout: int
    n_ties: int
    dcr_train_mean: float
    dcr_holdout_mean: float
    dcr_train_median: float
    dcr_holdout_median: float
    exact_matches_train: int
    exact_matches_holdout: int
    nndr_train_mean: float
    nndr_holdout_mean: float
    nndr_train_p10: float
    nndr_holdout_p10: float
    holdout_reference_share: float
    n_train: int
    n_holdout: int
    n_synthetic: int
    n_train_all: int
    n_holdout_all: int

    @property
    def score(self) -> float:
        """The headline number: the DCR share."""
        return self.share

    def to_dict(self) -> dict[str, float]:
        """Every figure as a flat ``{name: float}`` dict with stable keys."""
        out = {"score": self.share}
        for name, value in self.__dict__.items():
            out[name] = float(value)
        return out


def dcr_share(
    dcr_train: np.ndarray, dcr_holdout: np.ndarray, tie_weight: float | np.ndarray
) -> float:
    """Mean of ``1[train < holdout] + tie_weight * 1[train == holdout]`` over the rows.

    ``tie_weight`` is one weight for every row or one per row (see :func:`tie_weights`).
    """
    closer = float(np.mean(dcr_train < dcr_holdout))
    return closer + float(np.mean(tie_weight * (dcr_train == dcr_holdout)))


def tie_weights(
    n_train: int, n_holdout: int, train_at_dcr: np.ndarray, holdout_at_dcr: np.ndarray
) -> float | np.ndarray:
    """The weight of a tie ``DCR_train = DCR_holdout`` that makes the share exact.

    Without memorisation the training and holdout rows are an exchangeable split of the
    real rows, so the real row nearest to a synthetic row, ties broken at random among
    the rows at the smallest distance, is a training row with probability ``n_train /
    (n_train + n_holdout)``. A tie counts for that chance given the rows at the tie:
    ``train_at_dcr / (train_at_dcr + holdout_at_dcr)``, the training and holdout rows at
    the distance; then the share's expectation is exactly ``expected_share``. With sets of
    the same size the reference's weight 1/2 is exact too (by symmetry) and is kept; for
    unequal sizes, the reference's ``n_train / (n_train + n_holdout)`` is not (a 10 times
    smaller holdout reads 0.96 instead of 0.91 on fresh rows with many ties).

    Args:
        n_train: Training rows scored.
        n_holdout: Holdout rows scored.
        train_at_dcr: Per synthetic row, training rows at its distance to the training set.
        holdout_at_dcr: Per synthetic row, holdout rows at its distance to the holdout set.

    Returns:
        0.5 for sets of equal size, else one weight per row.
    """
    if n_train == n_holdout:
        return 0.5
    return train_at_dcr / (train_at_dcr + holdout_at_dcr)


def binomial_successes(
    n_closer_train: int,
    n_train: int,
    n_holdout: int,
    train_at_tie: np.ndarray,
    holdout_at_tie: np.ndarray,
) -> int:
    """Successes of the binomial test: ``share * n_synthetic`` to the nearest integer.

    The rows closer to the training set plus every tie at its :func:`tie_weights` weight,
    summed as fractions: with weights of 1/2 the sum often ends in .5 exactly, and
    rounding the float ``share * n_synthetic`` let floating-point error pick the count.
    An exact half rounds down, which keeps the one-sided "greater" test conservative (a
    half-won tie never adds a whole success); other counts round to the nearest integer,
    as the reference's ``round``.

    Args:
        n_closer_train: Synthetic rows strictly closer to the training set.
        n_train: Training rows scored.
        n_holdout: Holdout rows scored.
        train_at_tie: Per tied synthetic row, training rows at the tie distance.
        holdout_at_tie: Per tied synthetic row, holdout rows at the tie distance.
    """
    if n_train == n_holdout:
        return n_closer_train + len(train_at_tie) // 2
    if len(train_at_tie) == 0:
        return n_closer_train
    pairs, counts = np.unique(
        np.stack([train_at_tie, holdout_at_tie], axis=1), axis=0, return_counts=True
    )
    ties = sum(Fraction(int(t) * int(c), int(t) + int(h)) for (t, h), c in zip(pairs, counts))
    return n_closer_train + math.ceil(ties - Fraction(1, 2))


def nndr(d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """Nearest-neighbour distance ratio ``(d1 + 1e-8) / (d2 + 1e-8)``, in ``[0, 1]``."""
    return (d1 + NNDR_EPSILON) / (d2 + NNDR_EPSILON)


def dcr_holdout_share(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    categorical_columns: Iterable[str] | None = None,
    num_bins: int = 100,
    nan_policy: NanPolicy = "category",
    balance: bool = True,
    random_state: int = 0,
    backend: Backend = "auto",
    n_threads: int | None = None,
) -> DcrHoldoutShareResult:
    """Platzer & Reutterer's holdout DCR share with its binomial test and NNDR.

    Args:
        train: The real rows the generator was trained on.
        holdout: Real rows the generator never saw (ideally as many as ``train``).
        synthetic: The generated rows; same columns as ``train``.
        categorical_columns: Columns compared by value; the others are binned. None infers
            them from ``train`` (binary, categorical and ordinal roles).
            Identifier columns are left out and dates read as days (see
            :func:`~synth_plugins.metrics.validation.feature_tables`).
        num_bins: Quantile bins per numeric column, fitted on the pooled rows (100 in the
            reference code).
        nan_policy: ``"category"`` (reference): a missing value is a level of its own and
            matches another missing value; ``"mismatch"``: a missing numeric value matches
            nothing (the AML convention).
        balance: When the training and holdout sets differ in size, subsample the larger
            one (seeded, without replacement) to the smaller's size so that the share is
            0.5 without memorisation, as in the reference design. The share then scores
            only ``n_holdout`` training rows: a full copy of the training set reads about
            ``0.5 + 0.5 * n_holdout / n_train`` (400 training rows, a 40-row holdout: a
            full copy 0.557, 30 % copies 0.536 with p = 0.09). With False the sets are used
            as given, ties weighed as :func:`tie_weights` says and the test run against
            ``expected_share = n_train / (n_train + n_holdout)`` (the same case: fresh rows
            0.924, p = 0.15; 30 % copies 0.934, p = 0.04; a full copy 1.0): with a holdout
            much smaller than the training set, read that share against its
            ``expected_share`` and ``p_value``. ``exact_matches_train`` counts copies of
            every training row either way.
        random_state: Seed of the balancing subsample.
        backend: Matrix-product backend of the distance kernel (same exact result).
        n_threads: PyTorch threads for the kernel; None keeps the current setting.

    Returns:
        A :class:`DcrHoldoutShareResult`.

    Raises:
        InvalidDataError: A frame is empty or not a frame, the columns differ, a numeric
            column holds text or infinities, or ``holdout`` (or, when balancing,
            ``train``) has fewer than 2 rows.
        InvalidParameterError: A parameter is out of range.
    """
    balance = check_bool("balance", balance)
    check_frame(train, "train", min_rows=2 if balance else 1)
    check_frame(holdout, "holdout", min_rows=2)
    check_frame(synthetic, "synthetic")
    holdout = align_columns(train, holdout, "train", "holdout")
    synthetic = align_columns(train, synthetic, "train", "synthetic")
    num_bins = check_int("num_bins", num_bins, minimum=1)
    check_choice("nan_policy", nan_policy, NAN_POLICIES)
    check_choice("backend", backend, BACKENDS)
    random_state = check_random_state("random_state", random_state, none=False)
    features = feature_tables(
        {"train": train, "holdout": holdout, "synthetic": synthetic}, categorical_columns
    )
    train, holdout, synthetic = features["train"], features["holdout"], features["synthetic"]
    categorical = resolve_categorical([train, holdout, synthetic], categorical_columns)
    if balance:
        train_rows, holdout_rows = balance_rows(len(train), len(holdout), random_state)
    else:
        train_rows, holdout_rows = np.arange(len(train)), np.arange(len(holdout))
    n_train, n_holdout, n_synthetic = len(train_rows), len(holdout_rows), len(synthetic)
    all_codes = pooled_bin_codes(
        {"train": train, "holdout": holdout, "synthetic": synthetic},
        categorical,
        num_bins=num_bins,
        numeric_missing="level" if nan_policy == "category" else "never",
        fit_rows={"train": train_rows, "holdout": holdout_rows},
    )
    codes = {
        "train": all_codes["train"][train_rows],
        "holdout": all_codes["holdout"][holdout_rows],
        "synthetic": all_codes["synthetic"],
    }

    def nearest(
        query: np.ndarray, reference: np.ndarray, exclude_self: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return nearest_hamming(
            query,
            reference,
            exclude_self=exclude_self,
            count_nearest=True,
            backend=backend,
            n_threads=n_threads,
        )

    syn_train_1, syn_train_2, syn_train_n = nearest(codes["synthetic"], codes["train"])
    syn_hol_1, syn_hol_2, syn_hol_n = nearest(codes["synthetic"], codes["holdout"])
    ref_train_1, _, ref_train_n = nearest(codes["holdout"], codes["train"])
    ref_hol_1, _, ref_hol_n = nearest(codes["holdout"], codes["holdout"], exclude_self=True)

    def exact_matches(name: str, used_d1: np.ndarray) -> int:
        """Synthetic rows equal to a row of the whole set, balanced away or not."""
        if len(codes[name]) < len(all_codes[name]):
            used_d1 = nearest(codes["synthetic"], all_codes[name])[0]
        return int(np.sum(used_d1 == 0))

    from scipy import stats

    expected_share = n_train / (n_train + n_holdout)
    share = dcr_share(
        syn_train_1, syn_hol_1, tie_weights(n_train, n_holdout, syn_train_n, syn_hol_n)
    )
    n_closer_train = int(np.sum(syn_train_1 < syn_hol_1))
    ties = syn_train_1 == syn_hol_1
    successes = binomial_successes(
        n_closer_train, n_train, n_holdout, syn_train_n[ties], syn_hol_n[ties]
    )
    p_value = float(
        stats.binomtest(successes, n_synthetic, expected_share, alternative="greater").pvalue
    )
    reference_share = dcr_share(
        ref_train_1, ref_hol_1, tie_weights(n_train, n_holdout, ref_train_n, ref_hol_n)
    )
    nndr_train = nndr(syn_train_1, syn_train_2)
    nndr_holdout = nndr(syn_hol_1, syn_hol_2)
    return DcrHoldoutShareResult(
        share=share,
        p_value=p_value,
        expected_share=expected_share,
        n_closer_train=n_closer_train,
        n_closer_holdout=int(np.sum(syn_train_1 > syn_hol_1)),
        n_ties=int(np.sum(ties)),
        dcr_train_mean=float(syn_train_1.mean()),
        dcr_holdout_mean=float(syn_hol_1.mean()),
        dcr_train_median=float(np.median(syn_train_1)),
        dcr_holdout_median=float(np.median(syn_hol_1)),
        exact_matches_train=exact_matches("train", syn_train_1),
        exact_matches_holdout=exact_matches("holdout", syn_hol_1),
        nndr_train_mean=float(nndr_train.mean()),
        nndr_holdout_mean=float(nndr_holdout.mean()),
        nndr_train_p10=float(np.percentile(nndr_train, 10)),
        nndr_holdout_p10=float(np.percentile(nndr_holdout, 10)),
        holdout_reference_share=reference_share,
        n_train=n_train,
        n_holdout=n_holdout,
        n_synthetic=n_synthetic,
        n_train_all=len(train),
        n_holdout_all=len(holdout),
    )

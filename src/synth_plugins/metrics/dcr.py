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
the reference's, for sets of equal size; with unequal sizes a tie is weighted by the share
of training rows among the real rows at the tie distance (:func:`tie_weights`), which keeps
the expectation at ``expected_raw_share = n_train / (n_train + n_holdout)``. Every row of
both sets is scored; with unequal sizes the headline is moved back to the paper's scale
(0.5 without memorisation, 1 for a full copy) by :func:`standardised_share`. A one-sided
binomial test (as the authors' R helper) gives a p-value; the nearest-neighbour distance
ratio (NNDR, ``(d1 + 1e-8) / (d2 + 1e-8)``, the MOSTLY AI QA definition) is reported too.
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
    nearest_hamming,
    pooled_bin_codes,
)
from synth_plugins.metrics.validation import (
    align_columns,
    check_frame,
    feature_tables,
    resolve_categorical,
)
from synth_plugins.validation import check_bool, check_choice, check_int

NanPolicy = Literal["category", "mismatch"]
NAN_POLICIES: tuple[str, ...] = ("category", "mismatch")

#: Smoothing of the nearest-neighbour distance ratio (MOSTLY AI QA).
NNDR_EPSILON = 1e-8


@dataclass(frozen=True)
class DcrHoldoutShareResult:
    """The holdout DCR share and the figures behind it.

    Attributes:
        share: The DCR share (the headline ``score``). With ``balance=True``,
            ``raw_share`` on the paper's equal-size scale (:func:`standardised_share`):
            about 0.5 without memorisation, 1 when every synthetic row copies a training
            row, whatever the sizes. With ``balance=False``, ``raw_share`` itself.
        raw_share: The share over every training and holdout row, ties weighed as
            :func:`tie_weights` says; about ``expected_raw_share`` without memorisation.
        expected_raw_share: What ``raw_share`` is expected to be without memorisation,
            ``n_train / (n_train + n_holdout)`` (0.5 for equal sizes), exactly.
        p_value: One-sided binomial test of ``raw_share * n_synthetic`` successes (to the
            nearest integer, an exact half down: see :func:`binomial_successes`) in
            ``n_synthetic`` trials against ``expected_raw_share`` (alternative: greater).
        n_closer_train: Synthetic rows strictly closer to the training set.
        n_closer_holdout: Synthetic rows strictly closer to the holdout set.
        n_ties: Synthetic rows at the same distance from both sets.
        dcr_train_mean: Mean DCR of the synthetic rows to the training set.
        dcr_holdout_mean: Mean DCR of the synthetic rows to the holdout set.
        dcr_train_median: Median DCR to the training set.
        dcr_holdout_median: Median DCR to the holdout set.
        exact_matches_train: Synthetic rows at distance 0 (after binning) from a training
            row: a count of copies.
        exact_matches_holdout: Synthetic rows at distance 0 from a holdout row: how often
            rows the generator never saw are hit, the collision baseline. For rare matches,
            a generator that does not copy gives ``exact_matches_train / n_train`` about
            ``exact_matches_holdout / n_holdout``.
        nndr_train_mean: Mean NNDR of the synthetic rows in the training set.
        nndr_holdout_mean: Mean NNDR in the holdout set.
        nndr_train_p10: 10th percentile of the NNDR in the training set.
        nndr_holdout_p10: 10th percentile of the NNDR in the holdout set.
        holdout_reference_share: Calibration: the share, on the scale of ``share``,
            obtained when the holdout rows themselves are scored as synthetic (their own
            row excluded); what a generator that draws fresh rows from the population would
            get (for unequal sizes its raw expectation is ``n_train / (n_train + n_holdout
            - 1)``, a little above ``expected_raw_share``).
        n_train: Training rows (all are scored).
        n_holdout: Holdout rows (all are scored).
        n_synthetic: Synthetic rows scored.
    """

    share: float
    raw_share: float
    expected_raw_share: float
    p_value: float
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


def standardised_share(raw_share: float, expected_raw_share: float) -> float:
    """A raw share on the paper's equal-size scale: ``expected_raw_share`` to 0.5, 1 to 1.

    ``1 - 0.5 * (1 - raw_share) / (1 - expected_raw_share)``, clipped at 0: linear, so
    that a generator that does not memorise reads about 0.5 and one that copies every
    synthetic row from the training set reads 1, whatever the sizes of the sets. With a
    training set 4 times the holdout (the 80/20 split) a raw share runs from 0.8 to 1, and
    30 % copies read about 0.86; here they read about 0.65, as with sets of equal size.
    Values below 0.5 (synthetic rows closer to the holdout) are stretched too and clipped
    at 0; they are no worse than 0.5 for privacy. With equal sizes (``expected_raw_share``
    0.5) the raw share is returned as it is, the reference's share bit for bit.
    """
    if expected_raw_share == 0.5:
        return raw_share
    return max(0.0, 1.0 - 0.5 * (1.0 - raw_share) / (1.0 - expected_raw_share))


def tie_weights(
    n_train: int, n_holdout: int, train_at_dcr: np.ndarray, holdout_at_dcr: np.ndarray
) -> float | np.ndarray:
    """The weight of a tie ``DCR_train = DCR_holdout`` that makes the share exact.

    Without memorisation the training and holdout rows are an exchangeable split of the
    real rows, so the real row nearest to a synthetic row, ties broken at random among
    the rows at the smallest distance, is a training row with probability ``n_train /
    (n_train + n_holdout)``. A tie counts for that chance given the rows at the tie:
    ``train_at_dcr / (train_at_dcr + holdout_at_dcr)``, the training and holdout rows at
    the distance; then the share's expectation is exactly ``expected_raw_share``. With sets of
    the same size the reference's weight 1/2 is exact too (by symmetry) and is kept; for
    unequal sizes, the reference's ``n_train / (n_train + n_holdout)`` is not (a 10 times
    smaller holdout reads 0.96 instead of 0.91 on fresh rows with many ties).

    Args:
        n_train: Training rows.
        n_holdout: Holdout rows.
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
        n_train: Training rows.
        n_holdout: Holdout rows.
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


def dcr_codes(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    categorical_columns: Iterable[str] | None = None,
    *,
    num_bins: int = 100,
    nan_policy: NanPolicy = "category",
) -> dict[str, np.ndarray]:
    """The three tables as :func:`dcr_holdout_share` compares them: integer codes per row.

    Record keys left out and dates read as days
    (:func:`~synth_plugins.metrics.validation.feature_tables`); categorical columns compared
    by value, numeric ones cut into ``num_bins`` quantile bins of all pooled rows, and a
    missing value a level of its own (``nan_policy="category"``) or matching nothing
    (``"mismatch"``). The number of differing codes is the metric's distance.
    """
    features = feature_tables(
        {"train": train, "holdout": holdout, "synthetic": synthetic}, categorical_columns
    )
    categorical = resolve_categorical(list(features.values()), categorical_columns)
    return pooled_bin_codes(
        features,
        categorical,
        num_bins=num_bins,
        numeric_missing="level" if nan_policy == "category" else "never",
    )


def dcr_holdout_share(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    categorical_columns: Iterable[str] | None = None,
    num_bins: int = 100,
    nan_policy: NanPolicy = "category",
    balance: bool = True,
    backend: Backend = "auto",
    n_threads: int | None = None,
) -> DcrHoldoutShareResult:
    """Platzer & Reutterer's holdout DCR share with its binomial test and NNDR.

    Args:
        train: The real rows the generator was trained on.
        holdout: Real rows the generator never saw (as many as ``train`` in the
            reference design; a smaller holdout, such as the 20 % split, is fine).
        synthetic: The generated rows; same columns as ``train``.
        categorical_columns: Columns compared by value; the others are binned. None infers
            them from ``train`` (binary, categorical and ordinal roles).
            Identifier columns are left out and dates read as days (see
            :func:`~synth_plugins.metrics.validation.feature_tables`).
        num_bins: Quantile bins per numeric column, fitted on the pooled training, holdout
            and synthetic rows, all of them (100 in the reference code).
        nan_policy: ``"category"`` (reference): a missing value is a level of its own and
            matches another missing value; ``"mismatch"``: a missing numeric value matches
            nothing (the AML convention).
        balance: Report ``share`` on the scale of sets of equal size, as in the reference
            design: about 0.5 without memorisation, 1 for a full copy, whatever the sizes
            (:func:`standardised_share` of ``raw_share``). False reports ``raw_share``
            itself, to be read against ``expected_raw_share``. Every training and holdout
            row is scored either way, and ``p_value`` is the same; with sets of equal size
            the two are the same share.
        backend: Matrix-product backend of the distance kernel (same exact result).
        n_threads: PyTorch threads for the kernel; None keeps the current setting.

    Returns:
        A :class:`DcrHoldoutShareResult`.

    Raises:
        InvalidDataError: A frame is empty or not a frame, the columns differ, a numeric
            column holds text or infinities, or ``holdout`` has fewer than 2 rows.
        InvalidParameterError: A parameter is out of range.
    """
    balance = check_bool("balance", balance)
    check_frame(train, "train")
    check_frame(holdout, "holdout", min_rows=2)
    check_frame(synthetic, "synthetic")
    holdout = align_columns(train, holdout, "train", "holdout")
    synthetic = align_columns(train, synthetic, "train", "synthetic")
    num_bins = check_int("num_bins", num_bins, minimum=1)
    check_choice("nan_policy", nan_policy, NAN_POLICIES)
    check_choice("backend", backend, BACKENDS)
    codes = dcr_codes(
        train, holdout, synthetic, categorical_columns, num_bins=num_bins, nan_policy=nan_policy
    )
    n_train, n_holdout, n_synthetic = (len(codes[n]) for n in ("train", "holdout", "synthetic"))

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

    from scipy import stats

    expected_raw_share = n_train / (n_train + n_holdout)
    raw_share = dcr_share(
        syn_train_1, syn_hol_1, tie_weights(n_train, n_holdout, syn_train_n, syn_hol_n)
    )
    n_closer_train = int(np.sum(syn_train_1 < syn_hol_1))
    ties = syn_train_1 == syn_hol_1
    successes = binomial_successes(
        n_closer_train, n_train, n_holdout, syn_train_n[ties], syn_hol_n[ties]
    )
    p_value = float(
        stats.binomtest(successes, n_synthetic, expected_raw_share, alternative="greater").pvalue
    )
    reference_share = dcr_share(
        ref_train_1, ref_hol_1, tie_weights(n_train, n_holdout, ref_train_n, ref_hol_n)
    )
    if balance:
        share = standardised_share(raw_share, expected_raw_share)
        reference_share = standardised_share(reference_share, expected_raw_share)
    else:
        share = raw_share
    nndr_train = nndr(syn_train_1, syn_train_2)
    nndr_holdout = nndr(syn_hol_1, syn_hol_2)
    return DcrHoldoutShareResult(
        share=share,
        raw_share=raw_share,
        expected_raw_share=expected_raw_share,
        p_value=p_value,
        n_closer_train=n_closer_train,
        n_closer_holdout=int(np.sum(syn_train_1 > syn_hol_1)),
        n_ties=int(np.sum(ties)),
        dcr_train_mean=float(syn_train_1.mean()),
        dcr_holdout_mean=float(syn_hol_1.mean()),
        dcr_train_median=float(np.median(syn_train_1)),
        dcr_holdout_median=float(np.median(syn_hol_1)),
        exact_matches_train=int(np.sum(syn_train_1 == 0)),
        exact_matches_holdout=int(np.sum(syn_hol_1 == 0)),
        nndr_train_mean=float(nndr_train.mean()),
        nndr_holdout_mean=float(nndr_holdout.mean()),
        nndr_train_p10=float(np.percentile(nndr_train, 10)),
        nndr_holdout_p10=float(np.percentile(nndr_holdout, 10)),
        holdout_reference_share=reference_share,
        n_train=n_train,
        n_holdout=n_holdout,
        n_synthetic=n_synthetic,
    )

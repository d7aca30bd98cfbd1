"""The AML study's normalised fidelity metrics (waldemar93/synthetic_data_pipeline).

The AML study (npj Digital Medicine 2024;7:76) implemented three metrics "based on the
descriptions by Chundawat et al." that differ from the TabSynDex reference code, so they
are kept under their own names:

- basic statistical measure: numeric columns only, every difference (mean, median, std with
  ddof 1) divided by the **real mean**, clipped at 1;
- log-transformed correlation score: ``sign(A) ln|A|`` of dython 0.5.1's association
  matrices (missing values replaced by -1), relative error **without** epsilon, NaN cells
  (0 / 0, the diagonal among them) skipped;
- regularized support coverage: missing values are a level, the ratio is capped at **1**
  per level, numeric columns use **10 quantile bins** of the real column.

The headline ``score`` of :func:`aml_fidelity` is the mean of the three (the study reports
them separately).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_plugins.metrics.associations import association_matrix, signed_log
from synth_plugins.metrics.validation import (
    align_columns,
    check_frame,
    feature_tables,
    numeric_values,
    resolve_categorical,
)
from synth_plugins.validation import check_float, check_int

#: dython 0.5.1 ``nan_replace_value`` used by the AML code.
AML_NAN_REPLACE_VALUE = -1.0


@dataclass(frozen=True)
class AmlFidelityResult:
    """The three AML fidelity metrics.

    Attributes:
        score: Mean of the three metrics.
        basic_statistical_measure: Mean of the mean, median and std scores.
        basic_mean_score: ``1 - mean over numeric columns of the clipped mean difference``.
        basic_median_score: The same for the median.
        basic_std_score: The same for the standard deviation.
        log_transformed_correlation_score: The AML log-transformed correlation score.
        regularized_support_coverage: The AML regularized support coverage.
        n_numeric_columns: Numeric columns used by the basic statistical measure.
        n_categorical_columns: Columns treated as categorical.
    """

    score: float
    basic_statistical_measure: float
    basic_mean_score: float
    basic_median_score: float
    basic_std_score: float
    log_transformed_correlation_score: float
    regularized_support_coverage: float
    n_numeric_columns: int
    n_categorical_columns: int

    def to_dict(self) -> dict[str, float]:
        """Every figure as a flat ``{name: float}`` dict with stable keys."""
        return {name: float(value) for name, value in self.__dict__.items()}


def check_clip_value(clip_value: float) -> float:
    """``clip_value`` checked to lie in ``(0, 1]``, the range that keeps each part in [0, 1].

    The study (after TabSynDex) caps every relative difference at 1, so that a part, 1
    minus a mean of capped differences, lies in [0, 1]; a cap above 1 would let it fall
    below 0 (-1.4 for the log-correlation score at a cap of 5).

    Raises:
        InvalidParameterError: ``clip_value`` is not a number in ``(0, 1]``.
    """
    return check_float("clip_value", clip_value, minimum=0.0, exclusive_minimum=True, maximum=1.0)


def _relative_difference(
    real: np.ndarray, synthetic: np.ndarray, scale: np.ndarray, clip_value: float
) -> np.ndarray:
    """``|(real - synthetic) / scale|`` clipped at ``clip_value``, undefined cases guarded.

    ``0 / 0`` is 0 (no difference); ``x / 0`` is ``clip_value`` (the reference gets inf,
    clipped); a statistic undefined on one side only is ``clip_value``, on both sides 0.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        difference = real - synthetic
        ratio = np.abs(difference / scale)
    ratio = np.where((difference == 0) & (scale == 0), 0.0, ratio)
    real_nan, syn_nan = np.isnan(real), np.isnan(synthetic)
    ratio = np.where(real_nan & syn_nan, 0.0, ratio)
    ratio = np.where(real_nan ^ syn_nan, clip_value, ratio)
    ratio = np.where(np.isnan(ratio), clip_value, ratio)  # e.g. an undefined real mean
    return np.minimum(ratio, clip_value)


def aml_basic_statistical_measure(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    numeric_columns: Sequence[str],
    *,
    clip_value: float = 1.0,
) -> tuple[float, float, float, float]:
    """The AML basic statistical measure on numeric columns.

    For every numeric column, ``|mean_R - mean_S|``, ``|median_R - median_S|`` and
    ``|sd_R - sd_S|`` (pandas std, ddof 1) are divided by ``|mean_R|`` and clipped at
    ``clip_value``; each score is 1 minus the mean over columns. Missing values are
    skipped. ``0 / 0`` counts 0, ``x / 0`` counts ``clip_value``; a statistic that is
    undefined (no observed value; std of one value) on one side counts ``clip_value``, on
    both sides 0. Without numeric columns every score is 1. Each score lies in
    ``[1 - clip_value, 1]``.

    Returns:
        ``(measure, mean_score, median_score, std_score)``, the measure being the mean of
        the three scores.

    Raises:
        InvalidParameterError: ``clip_value`` outside ``(0, 1]`` (see
            :func:`check_clip_value`).
    """
    clip_value = check_clip_value(clip_value)
    if not numeric_columns:
        return 1.0, 1.0, 1.0, 1.0
    r = np.column_stack([numeric_values(real[c], "real") for c in numeric_columns])
    s = np.column_stack([numeric_values(synthetic[c], "synthetic") for c in numeric_columns])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean_r, mean_s = np.nanmean(r, axis=0), np.nanmean(s, axis=0)
        median_r, median_s = np.nanmedian(r, axis=0), np.nanmedian(s, axis=0)
        std_r, std_s = np.nanstd(r, axis=0, ddof=1), np.nanstd(s, axis=0, ddof=1)
    scores = []
    for real_stat, syn_stat in ((mean_r, mean_s), (median_r, median_s), (std_r, std_s)):
        difference = _relative_difference(real_stat, syn_stat, mean_r, clip_value)
        scores.append(1.0 - float(difference.mean()))
    return float(np.mean(scores)), scores[0], scores[1], scores[2]


def aml_log_transformed_correlation_score(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    categorical_columns: Sequence[str],
    *,
    clip_value: float = 1.0,
) -> float:
    """The AML log-transformed correlation score.

    Association matrices as dython 0.5.1 ``_comp_assoc`` with Theil's U and missing values
    replaced by -1; ``L = sign(A) ln|A|`` with ``ln 0 = 0``; ``rel = |(L_R - L_S) / L_R|``
    with no epsilon, clipped at ``clip_value``; ``score = 1 - mean over columns of the
    mean over rows``, NaN cells (``0 / 0``, the diagonal among them) skipped. When every
    cell is skipped (all associations 0 or 1 in both tables, or a single column) the score
    is 1. The score lies in ``[1 - clip_value, 1]``.

    Raises:
        InvalidParameterError: ``clip_value`` outside ``(0, 1]`` (see
            :func:`check_clip_value`).
    """
    clip_value = check_clip_value(clip_value)
    log_r = signed_log(_associations(real, categorical_columns))
    log_s = signed_log(_associations(synthetic, categorical_columns))
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.abs((log_r - log_s) / log_r)
    relative = np.where(np.isnan(relative), np.nan, np.minimum(relative, clip_value))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        column_means = np.nanmean(relative, axis=0)
        overall = np.nanmean(column_means)
    if np.isnan(overall):
        return 1.0
    return float(1.0 - overall)


def _associations(frame: pd.DataFrame, categorical_columns: Sequence[str]) -> np.ndarray:
    return association_matrix(
        frame,
        categorical_columns,
        nominal="theil_u",
        nan_replace_value=AML_NAN_REPLACE_VALUE,
    ).to_numpy()


def _level_coverage(real: pd.Series, synthetic: pd.Series, scale: float, cap: float) -> float:
    real_counts = real.astype(object).value_counts(dropna=False)
    syn_counts = synthetic.astype(object).value_counts(dropna=False)
    syn_aligned = syn_counts.reindex(real_counts.index, fill_value=0).to_numpy(dtype=float)
    ratios = np.minimum(scale * syn_aligned / real_counts.to_numpy(dtype=float), cap)
    return float(ratios.mean())


def aml_regularized_support_coverage(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    categorical_columns: Sequence[str],
    *,
    num_bins: int = 10,
    level_cap: float = 1.0,
    column_cap: float = 1.0,
) -> float:
    """The AML regularized support coverage.

    Categorical columns: every value of the real column, missing included, is a level;
    the ratio ``(n_R / n_S) * count_S / count_R`` is capped at ``level_cap`` (0 for a level
    absent from the synthetic data); the column score is the mean capped at
    ``column_cap``. Numeric columns: buckets between the ``pd.qcut(real, num_bins,
    duplicates="drop")`` edges, each closed on the left and open on the right but the last,
    closed on both sides; missing values are not counted. The score is the sum over all
    columns divided by their number.

    Where the reference code divides by zero, documented values are used: a bucket with
    no real value is skipped, a constant real column has one bucket (its value), and a
    numeric column with no observed real value is scored like a categorical one (its only
    level is "missing").
    """
    scale = len(real) / len(synthetic)
    total = 0.0
    for column in real.columns:
        r, s = real[column], synthetic[column]
        if column in categorical_columns or r.isna().all():
            total += min(_level_coverage(r, s, scale, level_cap), column_cap)
            continue
        r_values = numeric_values(r, "real")
        s_values = numeric_values(s, "synthetic")
        observed = r_values[~np.isnan(r_values)]
        edges = np.unique(pd.Series(observed).quantile(np.linspace(0, 1, num_bins + 1)))
        if edges.size < 2:
            edges = np.array([edges[0], edges[0]])
        # bucket i holds [edges[i], edges[i + 1]); the last one also holds its upper edge
        real_bucket = np.searchsorted(edges, observed, side="right") - 1
        real_bucket = np.minimum(real_bucket, len(edges) - 2)
        s_obs = s_values[~np.isnan(s_values)]
        inside = (s_obs >= edges[0]) & (s_obs <= edges[-1])
        syn_bucket = np.minimum(
            np.searchsorted(edges, s_obs[inside], side="right") - 1, len(edges) - 2
        )
        n_buckets = len(edges) - 1
        real_n = np.bincount(real_bucket, minlength=n_buckets).astype(float)
        syn_n = np.bincount(syn_bucket, minlength=n_buckets).astype(float)
        present = real_n > 0
        ratios = np.minimum(scale * syn_n[present] / real_n[present], level_cap)
        total += min(float(ratios.sum()) / int(present.sum()), column_cap)
    return total / real.shape[1]


def aml_fidelity(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    categorical_columns: Iterable[str] | None = None,
    num_bins: int = 10,
    clip_value: float = 1.0,
) -> AmlFidelityResult:
    """The three AML fidelity metrics and their mean.

    Args:
        real: The real table (the study used the training split).
        synthetic: The synthetic table; same columns.
        categorical_columns: Boolean and categorical columns (the study's ``boolean +
            categorical``); the others are numeric. None infers them from ``real``.
            Identifier columns are left out and dates read as days (see
            :func:`~synth_plugins.metrics.validation.feature_tables`).
        num_bins: Quantile buckets per numeric column in the support coverage (10).
        clip_value: Cap of every relative difference, in ``(0, 1]`` (1 in the study).
            The study, after TabSynDex, caps each difference at 1 so that each part
            (``1 -`` a mean of capped differences) lies in [0, 1]; a smaller cap bounds
            how much one column can cost, and each part then lies in
            ``[1 - clip_value, 1]``. A cap above 1 would let a part fall below 0 and is
            refused.

    Returns:
        An :class:`AmlFidelityResult`; no figure is ever NaN.

    Raises:
        InvalidDataError: A table of fewer than 2 rows, mismatched tables, non-numeric
            numeric columns.
        InvalidParameterError: A parameter is out of range (``clip_value`` outside
            ``(0, 1]``).
    """
    check_frame(real, "real", min_rows=2)
    check_frame(synthetic, "synthetic", min_rows=2)
    synthetic = align_columns(real, synthetic, "real", "synthetic")
    num_bins = check_int("num_bins", num_bins, minimum=1)
    clip_value = check_clip_value(clip_value)
    features = feature_tables({"real": real, "synthetic": synthetic}, categorical_columns)
    real, synthetic = features["real"], features["synthetic"]
    categorical = resolve_categorical([real, synthetic], categorical_columns)
    numeric = [c for c in real.columns if c not in set(categorical)]
    basic, mean_score, median_score, std_score = aml_basic_statistical_measure(
        real, synthetic, numeric, clip_value=clip_value
    )
    log_corr = aml_log_transformed_correlation_score(
        real, synthetic, categorical, clip_value=clip_value
    )
    support = aml_regularized_support_coverage(real, synthetic, categorical, num_bins=num_bins)
    return AmlFidelityResult(
        score=float(np.mean([basic, log_corr, support])),
        basic_statistical_measure=basic,
        basic_mean_score=mean_score,
        basic_median_score=median_score,
        basic_std_score=std_score,
        log_transformed_correlation_score=log_corr,
        regularized_support_coverage=support,
        n_numeric_columns=len(numeric),
        n_categorical_columns=len(categorical),
    )

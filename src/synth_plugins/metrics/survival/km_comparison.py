"""Kaplan-Meier comparison: curves and log-rank tests of real against synthetic, by stratum."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.encoding.levels import level_text, sorted_levels
from synth_plugins.errors import InvalidParameterError
from synth_plugins.metrics.survival.km_scores import km_survival_scores
from synth_plugins.metrics.validation import feature_tables
from synth_plugins.survival import check_survival_frame
from synth_plugins.validation import check_int

__all__ = ["MAX_STRATUM_LEVELS", "KMComparisonResult", "km_comparison"]

#: A numeric strata column with more distinct values than this is cut into quantile bins.
MAX_STRATUM_LEVELS = 10


@dataclass(frozen=True, eq=False)
class KMComparisonResult:
    """Kaplan-Meier curves of real and synthetic data, overall and per stratum.

    Attributes:
        curves: long table for plots, one row per (stratum, source, time) with columns
            ``stratum`` (``"overall"`` or the stratum label), ``source`` (``"real"`` or
            ``"synthetic"``), ``time``, ``survival``, ``lower`` and ``upper`` (the 95 %
            confidence band of lifelines' ``KaplanMeierFitter``).
        tests: one row per stratum (index ``stratum``, ``"overall"`` first) with
            ``n_real``, ``n_synthetic``, ``events_real``, ``events_synthetic``,
            ``test_statistic`` and ``p_value`` of the log-rank test of real against
            synthetic, ``max_abs_difference``, the largest vertical distance between the
            two curves up to the shorter follow-up, and the area-based scores of
            :func:`~synth_plugins.metrics.survival.km_scores.km_survival_scores` (``optimism``,
            ``km_divergence``, ``short_sightedness`` and their normalised mean ``km_score``)
            computed within the stratum.
        strata_column: the covariate the strata come from (None without strata).
        between_strata_p_real: p-value of the log-rank test across strata in the real data
            (NaN without strata).
        between_strata_p_synthetic: the same in the synthetic data.
        notes: strata found in one table only (not compared) and synthetic levels not in
            the real data (left out of the strata), with their row counts.
    """

    curves: pd.DataFrame
    tests: pd.DataFrame
    strata_column: str | None = None
    between_strata_p_real: float = math.nan
    between_strata_p_synthetic: float = math.nan
    notes: tuple[str, ...] = ()

    @property
    def overall_p_value(self) -> float:
        """p-value of the log-rank test of the overall curves."""
        return float(self.tests.loc["overall", "p_value"])

    @property
    def score(self) -> float:
        """The overall log-rank p-value (large: no evidence the curves differ)."""
        return self.overall_p_value

    def to_dict(self) -> dict[str, float]:
        """Log-rank figures and curve distances as a flat ``{name: float}`` dict."""
        out: dict[str, float] = {"score": self.overall_p_value}
        for stratum, row in self.tests.iterrows():
            prefix = "overall" if stratum == "overall" else f"stratum[{stratum}]"
            out[f"{prefix}_p_value"] = float(row["p_value"])
            out[f"{prefix}_test_statistic"] = float(row["test_statistic"])
            for key in ("max_abs_difference", "optimism", "km_divergence", "km_score"):
                out[f"{prefix}_{key}"] = float(row[key])
            out[f"{prefix}_short_sightedness"] = float(row["short_sightedness"])
        if self.strata_column is not None:
            out["between_strata_p_real"] = self.between_strata_p_real
            out["between_strata_p_synthetic"] = self.between_strata_p_synthetic
        return out


def _km_curve(durations: np.ndarray, events: np.ndarray) -> pd.DataFrame:
    from lifelines import KaplanMeierFitter

    fitter = KaplanMeierFitter().fit(durations, events)
    band = fitter.confidence_interval_survival_function_
    return pd.DataFrame(
        {
            "time": fitter.survival_function_.index.to_numpy(dtype=float),
            "survival": fitter.survival_function_.iloc[:, 0].to_numpy(dtype=float),
            "lower": band.iloc[:, 0].to_numpy(dtype=float),
            "upper": band.iloc[:, 1].to_numpy(dtype=float),
        }
    )


def _step_at(curve: pd.DataFrame, times: np.ndarray) -> np.ndarray:
    """Right-continuous step function of a KM curve evaluated at ``times``."""
    index = np.searchsorted(curve["time"].to_numpy(), times, side="right") - 1
    values = curve["survival"].to_numpy()
    return np.where(index >= 0, values[np.clip(index, 0, None)], 1.0)


def _compare_pair(
    real: tuple[np.ndarray, np.ndarray], synthetic: tuple[np.ndarray, np.ndarray]
) -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame]:
    from lifelines.statistics import logrank_test

    curve_real, curve_syn = _km_curve(*real), _km_curve(*synthetic)
    horizon = min(real[0].max(), synthetic[0].max())
    grid = np.union1d(curve_real["time"], curve_syn["time"])
    grid = grid[grid <= horizon]
    gap = np.abs(_step_at(curve_real, grid) - _step_at(curve_syn, grid))
    if real[1].sum() + synthetic[1].sum() > 0:
        test = logrank_test(real[0], synthetic[0], real[1], synthetic[1])
        statistic, p_value = float(test.test_statistic), float(test.p_value)
    else:
        statistic, p_value = 0.0, 1.0  # no event anywhere: identical (flat) curves
    km = km_survival_scores(real[0], real[1], synthetic[0], synthetic[1])
    row = {
        "n_real": float(len(real[0])),
        "n_synthetic": float(len(synthetic[0])),
        "events_real": float(real[1].sum()),
        "events_synthetic": float(synthetic[1].sum()),
        "test_statistic": statistic,
        "p_value": p_value,
        "max_abs_difference": float(gap.max()) if gap.size else 0.0,
        "optimism": km.optimism,
        "km_divergence": km.km_divergence,
        "short_sightedness": km.short_sightedness,
        "km_score": km.score,
    }
    return row, curve_real, curve_syn


def _strata_labels(
    real: pd.Series, synthetic: pd.Series, n_bins: int
) -> tuple[pd.Series, pd.Series, list[Any]]:
    """Stratum label of every row (NaN for missing), and the real data's labels in order."""
    numeric = pd.api.types.is_numeric_dtype(real.dtype) and not pd.api.types.is_bool_dtype(
        real.dtype
    )
    if numeric and real.nunique(dropna=True) > MAX_STRATUM_LEVELS:
        edges = np.unique(np.nanquantile(real.to_numpy(dtype=float), np.linspace(0, 1, n_bins + 1)))
        edges[0], edges[-1] = -np.inf, np.inf
        labels = [
            f"({'-inf' if np.isinf(lo) else f'{lo:g}'}, {'inf' if np.isinf(hi) else f'{hi:g}'}]"
            for lo, hi in itertools.pairwise(edges)
        ]
        cut = [pd.cut(s.astype(float), edges, labels=labels) for s in (real, synthetic)]
        return cut[0].astype(object), cut[1].astype(object), labels
    levels = sorted_levels(pd.unique(real.dropna()))
    real_labels = real.astype(object).where(real.notna())
    syn_labels = synthetic.astype(object).where(synthetic.notna())
    return real_labels, syn_labels, levels


def km_comparison(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    duration_column: str,
    event_column: str,
    strata: str | None = None,
    *,
    n_bins: int = 4,
) -> KMComparisonResult:
    """Kaplan-Meier curves and log-rank tests of real against synthetic, overall and by stratum.

    When every synthetic row copies the outcome of a distinct real row (CK4Gen's ``copy``
    mode with as many rows as the real data), the overall curves coincide by construction;
    the stratified curves then show whether the covariates were kept with their outcomes.

    Args:
        real: the real table, with duration and event columns.
        synthetic: the synthetic table.
        duration_column: time-to-event column.
        event_column: event indicator column (0/1).
        strata: a covariate to stratify by; its levels (from the real data) define the
            strata, read as :func:`~synth_plugins.metrics.validation.feature_tables` reads
            them (``"1"``, ``1`` and ``True`` are one level). A numeric covariate with more
            than 10 distinct values is cut at the real data's quantiles into ``n_bins``
            bins. Rows with a missing value are left out of the strata (kept in the overall
            curves), and so are synthetic rows with a level the real data lack; a stratum
            that one table lacks is not compared. ``notes`` names both.
        n_bins: number of quantile bins of a numeric strata column (4).

    Returns:
        The curves (for plots), the log-rank tests and curve distances per stratum that
        both tables have, and the between-strata log-rank p-values within each table
        (over its rows in the real data's strata).

    Raises:
        InvalidDataError: invalid outcome columns.
        InvalidParameterError: an unknown strata column or a bad ``n_bins``.
    """
    n_bins = check_int("n_bins", n_bins, minimum=2)
    real_d, real_e = check_survival_frame(
        real, duration_column, event_column, name="real", require_events=False, min_rows=1
    )
    syn_d, syn_e = check_survival_frame(
        synthetic, duration_column, event_column, name="synthetic", require_events=False,
        min_rows=1,
    )  # fmt: skip
    if strata is not None:
        if strata not in real.columns or strata not in synthetic.columns:
            raise InvalidParameterError(
                f"strata {strata!r} is not a column of both tables; columns of real are "
                f"{list(real.columns)}"
            )
        if strata in (duration_column, event_column):
            raise InvalidParameterError(f"strata must be a covariate, not {strata!r}")
    rows: dict[Any, dict[str, float]] = {}
    curves: list[pd.DataFrame] = []

    def add(stratum: Any, real_pair: tuple, syn_pair: tuple) -> None:
        row, curve_real, curve_syn = _compare_pair(real_pair, syn_pair)
        rows[stratum] = row
        curves.append(curve_real.assign(stratum=stratum, source="real"))
        curves.append(curve_syn.assign(stratum=stratum, source="synthetic"))

    add("overall", (real_d, real_e), (syn_d, syn_e))
    p_real = p_syn = math.nan
    notes: list[str] = []
    if strata is not None:
        from lifelines.statistics import multivariate_logrank_test

        read = feature_tables({"real": real[[strata]], "synthetic": synthetic[[strata]]}, [strata])
        labels_real, labels_syn, order = _strata_labels(
            read["real"][strata], read["synthetic"][strata], n_bins
        )
        for label in order:
            in_real = (labels_real == label).to_numpy()
            in_syn = (labels_syn == label).to_numpy()
            if not in_real.any() or not in_syn.any():
                notes.append(
                    f"stratum {label!r} of {strata!r} is in one table only ({int(in_real.sum())} "
                    f"real, {int(in_syn.sum())} synthetic rows); not compared"
                )
                continue
            # a level read as a float (text numbers against numbers) shown as written
            stratum = level_text(label) if isinstance(label, float) else label
            add(stratum, (real_d[in_real], real_e[in_real]), (syn_d[in_syn], syn_e[in_syn]))
        unknown = labels_syn.notna() & ~labels_syn.isin(order)
        if unknown.any():
            levels = sorted_levels(pd.unique(labels_syn[unknown]))
            notes.append(
                f"synthetic levels of {strata!r} not in the real data, {int(unknown.sum())} "
                f"row(s) left out of the strata: {levels}"
            )
        for labels, durations, events, target in (
            (labels_real, real_d, real_e, "real"),
            (labels_syn, syn_d, syn_e, "synthetic"),
        ):
            known = labels.isin(order).to_numpy()
            if labels[known].nunique() >= 2 and events[known].sum() > 0:
                test = multivariate_logrank_test(
                    durations[known], labels[known].astype(str).to_numpy(), events[known]
                )
                if target == "real":
                    p_real = float(test.p_value)
                else:
                    p_syn = float(test.p_value)
    tests = pd.DataFrame.from_dict(rows, orient="index")
    tests.index.name = "stratum"
    columns = ["stratum", "source", "time", "survival", "lower", "upper"]
    return KMComparisonResult(
        curves=pd.concat(curves, ignore_index=True)[columns],
        tests=tests,
        strata_column=strata,
        between_strata_p_real=p_real,
        between_strata_p_synthetic=p_syn,
        notes=tuple(notes),
    )

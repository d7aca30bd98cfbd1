"""Survival evaluation of synthetic data: hazard ratios, Kaplan-Meier curves, augmentation.

Three comparisons of a synthetic survival table with the real one, usable for any generator
(they need a duration column, an event column and covariates, nothing else):

- :func:`hazard_ratio_alignment`: the same Cox model (same design, same penalizer) fitted on
  the real and on the synthetic rows; per covariate the log hazard-ratio difference, sign
  agreement, significance agreement and confidence-interval overlap; headline score the
  mean absolute log-HR error (0 is perfect).
- :func:`km_comparison`: Kaplan-Meier curves of both tables, overall and per stratum of a
  chosen covariate, with the log-rank test of real against synthetic in each stratum and
  the between-strata log-rank test within each table; per stratum it also reports the
  area-based KM scores of Norcliffe et al. / Synthcity computed by the suite's
  ``km_survival_scores`` metric (not re-implemented here).
- :func:`survival_augmentation`: a Cox model and a random survival forest trained on the real
  training rows alone and on the real training rows plus synthetic rows, both tested on
  held-out real rows: Harrell's (or Uno's) C-index and the integrated Brier score, mean and
  confidence interval over seeds; headline score the mean C-index gain.

The Cox fits use lifelines' ``CoxPHFitter``; the forest, the concordance indices and the
integrated Brier score come from scikit-survival. :func:`fit_cox` (with its penalizer
fallback) and :func:`check_survival_frame` are shared with the CK4Gen generator so that its
teacher and this evaluation fit Cox models the same way.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics._info import MetricInfo
from synth_plugins.metrics._validation import (
    align_columns,
    check_choice,
    check_frame,
    check_int,
    check_number,
    feature_tables,
    numeric_values,
    resolve_categorical,
)
from synth_plugins.metrics.survival import km_survival_scores

__all__ = [
    "HAZARD_RATIO_ALIGNMENT",
    "SURVIVAL_AUGMENTATION",
    "CoxFit",
    "HazardRatioAlignmentResult",
    "KMComparisonResult",
    "SurvivalAugmentationResult",
    "check_survival_frame",
    "fit_cox",
    "hazard_ratio_alignment",
    "km_comparison",
    "penalizer_ladder",
    "survival_augmentation",
]

CIndex = Literal["harrell", "uno"]
MODELS: tuple[str, ...] = ("cox", "rsf")
C_INDICES: tuple[str, ...] = ("harrell", "uno")

#: Penalizers tried, in order, after the requested one fails to converge.
FALLBACK_PENALIZERS: tuple[float, ...] = (0.01, 0.1, 1.0)
#: A numeric strata column with more distinct values than this is cut into quantile bins.
MAX_STRATUM_LEVELS = 10
#: The random survival forest settings used unless ``rsf_params`` overrides them.
DEFAULT_RSF_PARAMS: dict[str, Any] = {
    "n_estimators": 100,
    "min_samples_split": 10,
    "min_samples_leaf": 15,
    "max_features": "sqrt",
    "n_jobs": 1,
}

HAZARD_RATIO_ALIGNMENT = MetricInfo(
    name="hazard_ratio_alignment",
    category="stats",
    direction="minimize",
    min_value=0.0,
    max_value=math.inf,
    description=(
        "Mean absolute difference between the log hazard ratios of the same Cox model "
        "fitted on real and on synthetic data (0 when every hazard ratio is reproduced)."
    ),
    ideal=0.0,
)

SURVIVAL_AUGMENTATION = MetricInfo(
    name="survival_augmentation",
    # Synthcity files augmentation utility under its "performance" evaluators.
    category="performance",
    direction="maximize",
    min_value=-1.0,
    max_value=1.0,
    description=(
        "Mean gain in test C-index (Cox model and random survival forest, real test rows) "
        "from training on real plus synthetic rows instead of real rows alone."
    ),
)


# ================================================================== shared survival pieces
def check_survival_frame(
    data: Any,
    duration_column: Any,
    event_column: Any,
    *,
    name: str = "data",
    require_events: bool = True,
    min_rows: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """Check the outcome columns of a survival table and return them as arrays.

    Args:
        data: the table.
        duration_column: name of the time-to-event column (values must be finite and > 0).
        event_column: name of the event indicator (0 = censored, 1 = event; booleans are
            accepted).
        name: the argument name used in error messages.
        require_events: refuse a table in which every row is censored.
        min_rows: the fewest rows accepted.

    Returns:
        ``(durations, events)``: float64 durations and int64 0/1 events.

    Raises:
        InvalidDataError: not a data frame, a missing outcome column, missing, infinite or
            non-positive durations, events other than 0/1, or (with ``require_events``)
            no event at all.
        InvalidParameterError: the column names are not strings or are the same column.
    """
    frame = check_frame(data, name, min_rows=min_rows)
    for argument, column in (("duration_column", duration_column), ("event_column", event_column)):
        if not isinstance(column, str):
            raise InvalidParameterError(f"{argument} must be a column name, got {column!r}")
        if column not in frame.columns:
            raise InvalidDataError(
                f"{argument} {column!r} is not a column of {name}; "
                f"columns are {list(frame.columns)}"
            )
    if duration_column == event_column:
        raise InvalidParameterError(
            f"duration_column and event_column must be different columns, both are "
            f"{duration_column!r}"
        )
    durations = _duration_values(frame[duration_column], duration_column, name)
    events = _event_values(frame[event_column], event_column, name)
    if require_events and events.sum() == 0:
        raise InvalidDataError(
            f"all {len(events)} rows of {name} are censored (event column {event_column!r} "
            "is 0 everywhere); at least one event is needed"
        )
    return durations, events


def _duration_values(series: pd.Series, column: str, name: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series.dtype) or not pd.api.types.is_numeric_dtype(series.dtype):
        raise InvalidDataError(
            f"duration column {column!r} of {name} must be numeric, got dtype {series.dtype}"
        )
    values = series.to_numpy(dtype=float, na_value=np.nan)
    n_missing = int(np.isnan(values).sum())
    if n_missing:
        raise InvalidDataError(
            f"duration column {column!r} of {name} has {n_missing} missing value(s); "
            "every row needs a duration"
        )
    if not np.all(np.isfinite(values)):
        raise InvalidDataError(f"duration column {column!r} of {name} has infinite values")
    bad = values <= 0
    if bad.any():
        raise InvalidDataError(
            f"duration column {column!r} of {name} has {int(bad.sum())} value(s) <= 0 "
            f"(smallest {values.min():g}); durations must be > 0"
        )
    return values


def _event_values(series: pd.Series, column: str, name: str) -> np.ndarray:
    raw = series.astype(object) if isinstance(series.dtype, pd.CategoricalDtype) else series
    n_missing = int(raw.isna().sum())
    if n_missing:
        raise InvalidDataError(
            f"event column {column!r} of {name} has {n_missing} missing value(s); "
            "every row needs an event indicator (0 = censored, 1 = event)"
        )
    numbers = pd.to_numeric(raw.map(lambda v: float(v) if isinstance(v, bool) else v),
                            errors="coerce")  # fmt: skip
    values = numbers.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isin(values, (0.0, 1.0))
    if bad.any():
        shown = sorted(map(str, pd.unique(raw[bad])))[:10]
        raise InvalidDataError(
            f"event column {column!r} of {name} must hold 0/1 (or False/True); found {shown}"
        )
    return values.astype(np.int64)


def penalizer_ladder(penalizer: float) -> list[float]:
    """The penalizers tried in turn: the requested one, then the larger fallbacks."""
    return [penalizer, *[p for p in FALLBACK_PENALIZERS if p > penalizer]]


@dataclass(frozen=True, eq=False)
class CoxFit:
    """A fitted lifelines Cox model and how it was obtained.

    Attributes:
        fitter: the fitted ``lifelines.CoxPHFitter``.
        penalizer: the penalizer actually used (larger than requested after a fallback).
        notes: convergence messages and fallbacks, for the user.
    """

    fitter: Any
    penalizer: float
    notes: tuple[str, ...] = ()


def _fit_cox_once(
    covariates: pd.DataFrame,
    durations: np.ndarray,
    events: np.ndarray,
    penalizer: float,
    alpha: float,
) -> tuple[Any | None, list[str]]:
    """One lifelines fit; returns (None, messages) when it fails or is not finite."""
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError

    frame = covariates.reset_index(drop=True).astype(float)
    frame["__duration__"] = durations
    frame["__event__"] = events
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fitter = CoxPHFitter(penalizer=penalizer, alpha=alpha).fit(
                frame, duration_col="__duration__", event_col="__event__"
            )
        except (ConvergenceError, np.linalg.LinAlgError, ZeroDivisionError) as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            return None, [f"penalizer={penalizer:g}: {type(error).__name__}: {first_line}"]
    for warning in caught:
        text = str(warning.message).strip().splitlines()[0]
        messages.append(f"penalizer={penalizer:g}: {text}")
    finite = np.all(np.isfinite(fitter.params_.to_numpy())) and np.all(
        np.isfinite(fitter.standard_errors_.to_numpy())
    )
    if not finite:
        return None, [*messages, f"penalizer={penalizer:g}: non-finite coefficients"]
    return fitter, messages


def fit_cox(
    covariates: pd.DataFrame,
    durations: np.ndarray,
    events: np.ndarray,
    *,
    penalizer: float = 0.01,
    alpha: float = 0.05,
    fallback: bool = True,
) -> CoxFit:
    """Fit a lifelines Cox proportional hazards model, raising the penalizer if it fails.

    Args:
        covariates: the numeric design matrix (one column per coefficient, no outcome).
        durations: durations (> 0).
        events: 0/1 event indicators.
        penalizer: lifelines' ``penalizer`` (ridge by default) tried first.
        alpha: significance level of the confidence intervals.
        fallback: on a convergence failure, retry with the penalizers of
            :func:`penalizer_ladder` (0.01, 0.1, 1.0 above the requested one).

    Returns:
        The fitted model, the penalizer used, and convergence notes.

    Raises:
        InvalidDataError: when no penalizer gives a finite fit.
    """
    notes: list[str] = []
    ladder = penalizer_ladder(penalizer) if fallback else [penalizer]
    for value in ladder:
        fitter, messages = _fit_cox_once(covariates, durations, events, value, alpha)
        notes.extend(messages)
        if fitter is not None:
            if value != penalizer:
                notes.append(
                    f"the Cox model did not converge with penalizer={penalizer:g}; "
                    f"penalizer={value:g} was used"
                )
            return CoxFit(fitter, float(value), tuple(notes))
    raise InvalidDataError(
        f"the Cox model could not be fitted with penalizers {ladder}: " + "; ".join(notes[-3:])
    )


# ================================================================== design matrices
def _sorted_levels(values: pd.Series) -> list[Any]:
    levels = list(pd.unique(values.dropna()))
    try:
        return sorted(levels)
    except TypeError:
        return sorted(levels, key=str)


@dataclass(frozen=True)
class _Design:
    """How covariates become Cox design columns (levels and fills from a reference frame)."""

    numeric: tuple[str, ...]
    categorical: tuple[tuple[str, tuple[Any, ...]], ...]  # column, levels (first = reference)
    fills: Mapping[str, Any]

    @classmethod
    def from_reference(
        cls, reference: pd.DataFrame, categorical: Sequence[str], name: str
    ) -> _Design:
        numeric, levels, fills = [], [], {}
        for column in reference.columns:
            if column in categorical:
                observed = _sorted_levels(reference[column])
                if not observed:
                    raise InvalidDataError(f"column {column!r} of {name} has no observed value")
                levels.append((column, tuple(observed)))
                fills[column] = reference[column].mode(dropna=True).iloc[0]
            else:
                values = numeric_values(reference[column], name)
                if np.isnan(values).all():
                    raise InvalidDataError(f"column {column!r} of {name} has no observed value")
                numeric.append(column)
                fills[column] = float(np.nanmedian(values))
        return cls(tuple(numeric), tuple(levels), fills)

    @property
    def names(self) -> list[str]:
        """Design column names: numeric columns, then ``column[level]`` indicators."""
        out = list(self.numeric)
        for column, levels in self.categorical:
            out.extend(f"{column}[{level}]" for level in levels[1:])
        return out

    def matrix(
        self, frame: pd.DataFrame, name: str, *, impute: bool
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Design frame of ``frame``, the rows with a missing value, the unseen-level rows.

        With ``impute`` missing values take the reference median (numeric) or mode
        (categorical); otherwise their rows are flagged. Levels never seen in the reference
        are flagged (their design row is the reference level's).
        """
        n = len(frame)
        missing = np.zeros(n, dtype=bool)
        unseen = np.zeros(n, dtype=bool)
        parts: dict[str, np.ndarray] = {}
        for column in self.numeric:
            values = numeric_values(frame[column], name)
            isnan = np.isnan(values)
            if impute:
                values = np.where(isnan, self.fills[column], values)
            else:
                missing |= isnan
            parts[column] = values
        for column, levels in self.categorical:
            series = frame[column]
            if isinstance(series.dtype, pd.CategoricalDtype):
                series = series.astype(object)
            isnan = series.isna().to_numpy()
            if impute:
                series = series.where(~isnan, self.fills[column])
            else:
                missing |= isnan
            known = series.isin(list(levels)).to_numpy()
            unseen |= ~known & series.notna().to_numpy()
            for level in levels[1:]:
                parts[f"{column}[{level}]"] = (series == level).to_numpy(dtype=float)
        design = pd.DataFrame(parts, index=range(n), columns=self.names)
        return design, missing, unseen


def _covariate_columns(frame: pd.DataFrame, duration: str, event: str) -> list[str]:
    columns = [c for c in frame.columns if c not in (duration, event)]
    if not columns:
        raise InvalidDataError(
            f"the data have no covariate besides {duration!r} and {event!r}; "
            "a Cox model needs at least one covariate"
        )
    return columns


def _constant_columns(*designs: pd.DataFrame) -> list[str]:
    """Design columns that are constant in at least one of the frames."""
    constant: list[str] = []
    for column in designs[0].columns:
        for design in designs:
            values = design[column].to_numpy()
            if len(values) == 0 or np.nanmax(values) == np.nanmin(values):
                constant.append(column)
                break
    return constant


# ================================================================== hazard-ratio alignment
@dataclass(frozen=True, eq=False)
class HazardRatioAlignmentResult:
    """Hazard-ratio alignment between real and synthetic data.

    Attributes:
        table: one row per design covariate (index ``covariate``) with ``log_hr_real``,
            ``log_hr_synthetic``, ``se_real``, ``se_synthetic``, ``ci_lower_real``,
            ``ci_upper_real``, ``ci_lower_synthetic``, ``ci_upper_synthetic`` (log-HR
            confidence bounds), ``p_real``, ``p_synthetic``, ``hr_real``, ``hr_synthetic``,
            ``log_hr_difference`` (synthetic - real), ``abs_log_hr_error``, ``sign_agree``,
            ``significant_real``, ``significant_synthetic``, ``significance_agree`` and
            ``ci_overlap``.
        mean_abs_log_hr_error: mean of ``abs_log_hr_error`` (the headline ``score``).
        sign_agreement: share of covariates whose log-HR has the same sign in both fits.
        sign_agreement_significant: the same share among covariates significant in the
            real fit (NaN when none is).
        significance_agreement: share of covariates that are significant in both fits or
            in neither.
        ci_overlap: share of covariates whose two confidence intervals overlap.
        n_covariates: number of design covariates compared.
        n_significant_real: number of covariates significant in the real fit.
        penalizer: the penalizer used for both fits.
        alpha: the significance level.
        n_rows_real: real rows used (complete cases).
        n_rows_synthetic: synthetic rows used (complete cases, known levels).
        dropped_covariates: design columns left out because constant in a frame.
        notes: convergence messages, fallbacks and dropped rows.
    """

    table: pd.DataFrame
    mean_abs_log_hr_error: float
    sign_agreement: float
    sign_agreement_significant: float
    significance_agreement: float
    ci_overlap: float
    n_covariates: int
    n_significant_real: int
    penalizer: float
    alpha: float
    n_rows_real: int
    n_rows_synthetic: int
    dropped_covariates: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def score(self) -> float:
        """The headline number: the mean absolute log hazard-ratio error."""
        return self.mean_abs_log_hr_error

    def to_dict(self) -> dict[str, float]:
        """The summary figures as a flat ``{name: float}`` dict with stable keys."""
        return {
            "score": self.mean_abs_log_hr_error,
            "mean_abs_log_hr_error": self.mean_abs_log_hr_error,
            "sign_agreement": self.sign_agreement,
            "sign_agreement_significant": self.sign_agreement_significant,
            "significance_agreement": self.significance_agreement,
            "ci_overlap": self.ci_overlap,
            "n_covariates": float(self.n_covariates),
            "n_significant_real": float(self.n_significant_real),
            "penalizer": self.penalizer,
            "alpha": self.alpha,
            "n_rows_real": float(self.n_rows_real),
            "n_rows_synthetic": float(self.n_rows_synthetic),
        }


def _drop_rows(
    design: pd.DataFrame,
    durations: np.ndarray,
    events: np.ndarray,
    mask: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    keep = ~mask
    return design[keep].reset_index(drop=True), durations[keep], events[keep]


def hazard_ratio_alignment(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    duration_column: str,
    event_column: str,
    *,
    penalizer: float = 0.01,
    alpha: float = 0.05,
    categorical_columns: Iterable[str] | None = None,
) -> HazardRatioAlignmentResult:
    """Compare the hazard ratios of the same Cox model fitted on real and synthetic data.

    Both tables get the same design: numeric covariates as they are (hazard ratios per unit)
    and categorical covariates one-hot coded with the real data's first level (sorted order)
    as reference. Design columns constant in either table are left out of both fits. Rows
    with a missing covariate are left out (complete cases), as are synthetic rows with a
    level never seen in the real data; both are counted in ``notes``. The two fits use the
    same penalizer; when either fails to converge both are refitted with the next penalizer
    of :func:`penalizer_ladder`.

    Per covariate: ``log_hr_difference = beta_syn - beta_real``; the signs agree when
    ``sign(beta_syn) == sign(beta_real)``; a covariate is significant when its Wald p-value
    is below ``alpha``; the ``1 - alpha`` confidence intervals overlap when
    ``lower_syn <= upper_real`` and ``lower_real <= upper_syn``.

    Args:
        real: the real (training) table, with duration and event columns.
        synthetic: the synthetic table, with the same columns.
        duration_column: time-to-event column.
        event_column: event indicator column (0/1).
        penalizer: lifelines ridge penalizer of both fits (0.01).
        alpha: significance level of the tests and intervals (0.05).
        categorical_columns: covariates to one-hot code; None infers them (binary,
            categorical and ordinal roles).
            Identifier columns are left out and dates read as days (see
            :func:`~synth_plugins.metrics._validation.feature_tables`).

    Returns:
        The per-covariate table and the summary shares.

    Raises:
        InvalidDataError: invalid outcome columns, different columns, no covariate left, or
            no penalizer that fits both tables.
        InvalidParameterError: a bad ``alpha``, ``penalizer`` or categorical column.

    Example:
        >>> from synth_plugins.datasets import load
        >>> gbsg2 = load("gbsg2").data
        >>> result = hazard_ratio_alignment(gbsg2, gbsg2, "time", "cens")
        >>> result.score, result.sign_agreement, result.ci_overlap
        (0.0, 1.0, 1.0)
    """
    penalizer = check_number(penalizer, "penalizer", minimum=0.0)
    alpha = check_number(alpha, "alpha", minimum=0.0, maximum=1.0, exclusive=True)
    real_d, real_e = check_survival_frame(real, duration_column, event_column, name="real")
    syn_d, syn_e = check_survival_frame(synthetic, duration_column, event_column, name="synthetic")
    synthetic = align_columns(real, synthetic, "real", "synthetic")
    tables = feature_tables(
        {"real": real, "synthetic": synthetic},
        categorical_columns,
        keep=[duration_column, event_column],
    )
    real, synthetic = tables["real"], tables["synthetic"]
    covariates = _covariate_columns(real, duration_column, event_column)
    categorical = resolve_categorical(
        [real[covariates], synthetic[covariates]], categorical_columns
    )
    design = _Design.from_reference(real[covariates], categorical, "real")
    x_real, miss_real, _ = design.matrix(real[covariates], "real", impute=False)
    x_syn, miss_syn, unseen_syn = design.matrix(synthetic[covariates], "synthetic", impute=False)
    notes: list[str] = []
    if miss_real.any():
        notes.append(f"{int(miss_real.sum())} real row(s) with missing covariates left out")
    if miss_syn.any():
        notes.append(f"{int(miss_syn.sum())} synthetic row(s) with missing covariates left out")
    if unseen_syn.any():
        notes.append(
            f"{int(unseen_syn.sum())} synthetic row(s) with levels not in the real data left out"
        )
    x_real, real_d, real_e = _drop_rows(x_real, real_d, real_e, miss_real)
    x_syn, syn_d, syn_e = _drop_rows(x_syn, syn_d, syn_e, miss_syn | unseen_syn)
    for frame_name, events in (("real", real_e), ("synthetic", syn_e)):
        if len(events) < 2 or events.sum() == 0:
            raise InvalidDataError(
                f"{frame_name} has {len(events)} complete row(s) with {int(events.sum())} "
                "event(s); a Cox fit needs at least 2 rows and 1 event"
            )
    dropped = _constant_columns(x_real, x_syn)
    if dropped:
        notes.append(f"design columns constant in a table left out: {dropped}")
    kept = [c for c in x_real.columns if c not in dropped]
    if not kept:
        raise InvalidDataError("no covariate varies in both tables; nothing to compare")
    x_real, x_syn = x_real[kept], x_syn[kept]

    fits: tuple[CoxFit, CoxFit] | None = None
    for value in penalizer_ladder(penalizer):
        fit_real, messages_real = _fit_cox_once(x_real, real_d, real_e, value, alpha)
        fit_syn, messages_syn = _fit_cox_once(x_syn, syn_d, syn_e, value, alpha)
        notes.extend(f"real: {m}" for m in messages_real)
        notes.extend(f"synthetic: {m}" for m in messages_syn)
        if fit_real is not None and fit_syn is not None:
            fits = (CoxFit(fit_real, value), CoxFit(fit_syn, value))
            if value != penalizer:
                notes.append(f"penalizer raised from {penalizer:g} to {value:g} to converge")
            break
    if fits is None:
        raise InvalidDataError(
            "the Cox models could not be fitted on both tables with penalizers "
            f"{penalizer_ladder(penalizer)}: " + "; ".join(notes[-3:])
        )
    table = _alignment_table(fits[0].fitter, fits[1].fitter, alpha)
    significant = table["significant_real"].to_numpy(dtype=bool)
    return HazardRatioAlignmentResult(
        table=table,
        mean_abs_log_hr_error=float(table["abs_log_hr_error"].mean()),
        sign_agreement=float(table["sign_agree"].mean()),
        sign_agreement_significant=(
            float(table.loc[significant, "sign_agree"].mean()) if significant.any() else math.nan
        ),
        significance_agreement=float(table["significance_agree"].mean()),
        ci_overlap=float(table["ci_overlap"].mean()),
        n_covariates=len(table),
        n_significant_real=int(significant.sum()),
        penalizer=fits[0].penalizer,
        alpha=alpha,
        n_rows_real=len(real_e),
        n_rows_synthetic=len(syn_e),
        dropped_covariates=tuple(dropped),
        notes=tuple(notes),
    )


def _alignment_table(fit_real: Any, fit_syn: Any, alpha: float) -> pd.DataFrame:
    """Per-covariate comparison of two lifelines fits with the same design."""
    columns = {}
    for label, fitter in (("real", fit_real), ("synthetic", fit_syn)):
        bounds = fitter.confidence_intervals_
        columns[f"log_hr_{label}"] = fitter.params_
        columns[f"se_{label}"] = fitter.standard_errors_
        columns[f"ci_lower_{label}"] = bounds.iloc[:, 0]
        columns[f"ci_upper_{label}"] = bounds.iloc[:, 1]
        columns[f"p_{label}"] = fitter.summary["p"]
    table = pd.DataFrame(columns)
    table.index.name = "covariate"
    table["hr_real"] = np.exp(table["log_hr_real"])
    table["hr_synthetic"] = np.exp(table["log_hr_synthetic"])
    table["log_hr_difference"] = table["log_hr_synthetic"] - table["log_hr_real"]
    table["abs_log_hr_error"] = table["log_hr_difference"].abs()
    table["sign_agree"] = np.sign(table["log_hr_real"]) == np.sign(table["log_hr_synthetic"])
    table["significant_real"] = table["p_real"] < alpha
    table["significant_synthetic"] = table["p_synthetic"] < alpha
    table["significance_agree"] = table["significant_real"] == table["significant_synthetic"]
    table["ci_overlap"] = (table["ci_lower_synthetic"] <= table["ci_upper_real"]) & (
        table["ci_lower_real"] <= table["ci_upper_synthetic"]
    )
    return table


# ================================================================== Kaplan-Meier comparison
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
            :func:`~synth_plugins.metrics.survival.km_survival_scores` (``optimism``,
            ``km_divergence``, ``short_sightedness`` and their normalised mean ``km_score``)
            computed within the stratum.
        strata_column: the covariate the strata come from (None without strata).
        between_strata_p_real: p-value of the log-rank test across strata in the real data
            (NaN without strata).
        between_strata_p_synthetic: the same in the synthetic data.
    """

    curves: pd.DataFrame
    tests: pd.DataFrame
    strata_column: str | None = None
    between_strata_p_real: float = math.nan
    between_strata_p_synthetic: float = math.nan

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
    """Stratum label of every row (NaN for missing), and the labels in order."""
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
    levels = _sorted_levels(real)
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
            strata. A numeric covariate with more than 10 distinct values is cut at the real
            data's quantiles into ``n_bins`` bins. Rows with a missing value are left out of
            the strata (kept in the overall curves).
        n_bins: number of quantile bins of a numeric strata column (4).

    Returns:
        The curves (for plots), the log-rank tests and curve distances per stratum, and the
        between-strata log-rank p-values within each table.

    Raises:
        InvalidDataError: invalid outcome columns.
        InvalidParameterError: an unknown strata column or a bad ``n_bins``.
    """
    n_bins = check_int(n_bins, "n_bins", minimum=2)
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
    if strata is not None:
        from lifelines.statistics import multivariate_logrank_test

        labels_real, labels_syn, order = _strata_labels(real[strata], synthetic[strata], n_bins)
        for label in order:
            in_real = (labels_real == label).to_numpy()
            in_syn = (labels_syn == label).to_numpy()
            if not in_real.any() or not in_syn.any():
                continue
            add(label, (real_d[in_real], real_e[in_real]), (syn_d[in_syn], syn_e[in_syn]))
        for labels, durations, events, target in (
            (labels_real, real_d, real_e, "real"),
            (labels_syn, syn_d, syn_e, "synthetic"),
        ):
            known = labels.notna().to_numpy()
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
    )


# ================================================================== augmentation utility
@dataclass(frozen=True, eq=False)
class SurvivalAugmentationResult:
    """Test performance of survival models trained on real vs real + synthetic rows.

    Attributes:
        summary: one row per model (index ``model``) with, for ``metric`` in ``c_index``,
            ``ibs`` and ``arm`` in ``real``, ``augmented``, ``delta`` (augmented - real,
            paired by seed), the columns ``{metric}_{arm}`` (mean over seeds),
            ``{metric}_{arm}_ci_low`` and ``{metric}_{arm}_ci_high`` (Student-t confidence
            interval of the mean; NaN with one seed).
        per_seed: one row per (model, seed) with ``c_index_real``, ``c_index_augmented``,
            ``ibs_real``, ``ibs_augmented`` and ``n_synthetic``.
        models: the models evaluated.
        seeds: number of seeds.
        c_index: ``"harrell"`` or ``"uno"``.
        confidence: the confidence level of the intervals.
        times: the time grid of the integrated Brier score.
        n_train: real training rows; n_test: real test rows scored.
        notes: rows dropped, penalizer fallbacks.
    """

    summary: pd.DataFrame
    per_seed: pd.DataFrame
    models: tuple[str, ...]
    seeds: int
    c_index: str
    confidence: float
    times: np.ndarray
    n_train: int
    n_test: int
    notes: tuple[str, ...] = ()

    @property
    def score(self) -> float:
        """The headline number: the C-index gain from augmentation, averaged over models."""
        return float(self.summary["c_index_delta"].mean())

    def to_dict(self) -> dict[str, float]:
        """Every summary figure as a flat ``{name: float}`` dict (``{model}_{column}``)."""
        out: dict[str, float] = {"score": self.score}
        for model, row in self.summary.iterrows():
            for column, value in row.items():
                out[f"{model}_{column}"] = float(value)
        out["seeds"] = float(self.seeds)
        out["n_train"] = float(self.n_train)
        out["n_test"] = float(self.n_test)
        return out


def _mean_ci(values: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of the mean (NaN bounds for one value)."""
    from scipy import stats

    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = (
        float(stats.t.ppf(0.5 + confidence / 2, len(values) - 1))
        * float(values.std(ddof=1))
        / math.sqrt(len(values))
    )
    return mean, mean - half, mean + half


def _structured(durations: np.ndarray, events: np.ndarray) -> np.ndarray:
    from sksurv.util import Surv

    return Surv.from_arrays(event=events.astype(bool), time=durations)


def _default_times(test_durations: np.ndarray, train_max: float) -> np.ndarray:
    """20 points between the 10th and 90th percentiles of the test durations."""
    low, high = np.percentile(test_durations, [10, 90])
    times = np.unique(np.linspace(low, high, 20))
    upper = min(test_durations.max(), train_max)
    times = times[(times >= test_durations.min()) & (times < upper)]
    if times.size == 0:
        raise InvalidDataError(
            "no time grid for the integrated Brier score: the real test durations do not "
            "span an interval inside the training follow-up; pass times explicitly"
        )
    return times


def _fit_predict(
    model: str,
    x_train: pd.DataFrame,
    d_train: np.ndarray,
    e_train: np.ndarray,
    x_test: pd.DataFrame,
    times: np.ndarray,
    seed: int,
    penalizer: float,
    rsf_params: Mapping[str, Any],
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Fit one model; return test risk scores and survival probabilities at ``times``."""
    if model == "cox":
        fit = fit_cox(x_train, d_train, e_train, penalizer=penalizer)
        if fit.penalizer != penalizer:
            notes.append(f"cox (seed {seed}): penalizer {fit.penalizer:g} used to converge")
        risk = fit.fitter.predict_log_partial_hazard(x_test).to_numpy(dtype=float)
        surv = fit.fitter.predict_survival_function(x_test, times=times).to_numpy(dtype=float).T
        return risk, surv
    from sksurv.ensemble import RandomSurvivalForest

    params = {**DEFAULT_RSF_PARAMS, **dict(rsf_params), "random_state": seed}
    forest = RandomSurvivalForest(**params)
    forest.fit(x_train.to_numpy(dtype=float), _structured(d_train, e_train))
    x = x_test.to_numpy(dtype=float)
    risk = np.asarray(forest.predict(x), dtype=float)
    curves = np.asarray(forest.predict_survival_function(x, return_array=True), dtype=float)
    index = np.searchsorted(forest.unique_times_, times, side="right") - 1
    surv = np.where(index[None, :] >= 0, curves[:, np.clip(index, 0, None)], 1.0)
    return risk, surv


def survival_augmentation(
    real_train: pd.DataFrame,
    real_test: pd.DataFrame,
    synthetic: pd.DataFrame | Sequence[pd.DataFrame],
    duration_column: str,
    event_column: str,
    *,
    models: Sequence[str] = MODELS,
    seeds: int = 5,
    synthetic_size: int | None = None,
    penalizer: float = 0.01,
    rsf_params: Mapping[str, Any] | None = None,
    times: Sequence[float] | None = None,
    c_index: CIndex = "harrell",
    categorical_columns: Iterable[str] | None = None,
    confidence: float = 0.95,
) -> SurvivalAugmentationResult:
    """Does adding synthetic rows to the real training data help survival models?

    For each seed and model, the model is trained on ``real_train`` (the *real* arm) and on
    ``real_train`` plus synthetic rows (the *augmented* arm) and scored on ``real_test``:
    the concordance index (``c_index="harrell"``: scikit-survival's
    ``concordance_index_censored``; ``"uno"``: ``concordance_index_ipcw`` with the real
    training data's censoring distribution, truncated at the last grid time) of the risk
    scores, and the integrated Brier score (``integrated_brier_score``, censoring weights
    from ``real_train`` in both arms) of the predicted survival curves on ``times``.
    Models: ``"cox"`` (lifelines ``CoxPHFitter`` with ``penalizer``, raised if it fails to
    converge) and ``"rsf"`` (scikit-survival ``RandomSurvivalForest`` with
    :data:`DEFAULT_RSF_PARAMS` updated by ``rsf_params``, ``random_state`` = seed).

    What varies with the seed: the forest's randomness and, with ``synthetic_size``, which
    synthetic rows are drawn; pass one synthetic frame per seed (a list, e.g. samples of a
    generator with different seeds) to also include the generator's randomness. The real
    Cox arm is deterministic (zero-width interval).

    Features are built from ``real_train``: numeric covariates as they are, categorical ones
    one-hot coded with the first level as reference; missing values take the training
    median (numeric) or mode (categorical). Synthetic rows with a level unseen in
    ``real_train`` are dropped (counted in ``notes``); test rows with durations beyond the
    training follow-up are left out of every score (the censoring weights are undefined
    there).

    Args:
        real_train: real rows the models are trained on (duration, event, covariates).
        real_test: held-out real rows the models are scored on.
        synthetic: a synthetic table, or one table per seed.
        duration_column: time-to-event column.
        event_column: event indicator column (0/1).
        models: any of ``"cox"`` and ``"rsf"``.
        seeds: number of repetitions (>= 1; the issue's protocol asks for >= 5).
        synthetic_size: synthetic rows added per seed, drawn without replacement (with
            replacement when larger than the table); None adds every synthetic row.
        penalizer: Cox penalizer (0.01).
        rsf_params: overrides of the forest settings (e.g. ``{"n_estimators": 50}``).
        times: time grid of the integrated Brier score; None uses 20 points between the
            10th and 90th percentiles of the test durations.
        c_index: ``"harrell"`` (default) or ``"uno"``.
        categorical_columns: covariates to one-hot code; None infers them.
            Identifier columns are left out and dates read as days (see
            :func:`~synth_plugins.metrics._validation.feature_tables`).
        confidence: level of the confidence intervals over seeds (0.95).

    Returns:
        Per model the mean and confidence interval of each score in each arm and of the
        paired difference; ``score`` is the mean C-index gain.

    Raises:
        InvalidDataError: invalid outcome columns, mismatched columns, or a synthetic list
            whose length differs from ``seeds``.
        InvalidParameterError: unknown models, bad seeds, sizes or levels.
    """
    models = tuple(models)
    if not models or any(m not in MODELS for m in models) or len(set(models)) != len(models):
        raise InvalidParameterError(
            f"models must be distinct names among {list(MODELS)}, got {list(models)}"
        )
    seeds = check_int(seeds, "seeds", minimum=1)
    c_index = check_choice(c_index, "c_index", C_INDICES)
    confidence = check_number(confidence, "confidence", minimum=0.0, maximum=1.0, exclusive=True)
    penalizer = check_number(penalizer, "penalizer", minimum=0.0)
    if synthetic_size is not None:
        synthetic_size = check_int(synthetic_size, "synthetic_size", minimum=1)
    if rsf_params is not None and not isinstance(rsf_params, Mapping):
        raise InvalidParameterError(f"rsf_params must be a mapping, got {rsf_params!r}")
    frames = [synthetic] if isinstance(synthetic, pd.DataFrame) else list(synthetic)
    if not frames:
        raise InvalidDataError("synthetic is an empty list; pass a table or one per seed")
    if len(frames) > 1 and len(frames) != seeds:
        raise InvalidDataError(
            f"synthetic holds {len(frames)} tables but seeds={seeds}; pass one table per "
            f"seed (seeds={len(frames)}) or a single table"
        )

    train_d, train_e = check_survival_frame(
        real_train, duration_column, event_column, name="real_train"
    )
    test_d, test_e = check_survival_frame(
        real_test, duration_column, event_column, name="real_test", require_events=False
    )
    real_test = align_columns(real_train, real_test, "real_train", "real_test")
    labels = ["synthetic"] if len(frames) == 1 else [f"synthetic[{i}]" for i in range(len(frames))]
    outcomes = {}
    tables = {"real_train": real_train, "real_test": real_test}
    for label, frame in zip(labels, frames, strict=True):
        outcomes[label] = check_survival_frame(
            frame, duration_column, event_column, name=label, require_events=False
        )
        tables[label] = align_columns(real_train, frame, "real_train", label)
    tables = feature_tables(tables, categorical_columns, keep=[duration_column, event_column])
    real_train, real_test = tables["real_train"], tables["real_test"]
    covariates = _covariate_columns(real_train, duration_column, event_column)
    synthetic_parts = [(label, tables[label][covariates], *outcomes[label]) for label in labels]
    categorical = resolve_categorical(
        [real_train[covariates], real_test[covariates], *[p[1] for p in synthetic_parts]],
        categorical_columns,
    )
    design = _Design.from_reference(real_train[covariates], categorical, "real_train")
    notes: list[str] = []
    x_train, _, _ = design.matrix(real_train[covariates], "real_train", impute=True)
    x_test, _, unseen_test = design.matrix(real_test[covariates], "real_test", impute=True)
    if unseen_test.any():
        notes.append(
            f"{int(unseen_test.sum())} test row(s) with levels unseen in training scored "
            "at the reference level"
        )
    constant = _constant_columns(x_train)
    if constant:
        notes.append(f"design columns constant in real_train left out: {constant}")
        x_train = x_train.drop(columns=constant)
        x_test = x_test.drop(columns=constant)
    if x_train.shape[1] == 0:
        raise InvalidDataError("no covariate varies in real_train; nothing to model")
    synthetic_designs = []
    for label, frame, d, e in synthetic_parts:
        x_syn, _, unseen = design.matrix(frame, label, impute=True)
        if unseen.any():
            notes.append(f"{int(unseen.sum())} {label} row(s) with unseen levels dropped")
        keep = ~unseen
        if not keep.any():
            raise InvalidDataError(f"no {label} row has only levels seen in real_train")
        x_syn = x_syn.drop(columns=constant)[keep].reset_index(drop=True)
        synthetic_designs.append((x_syn, d[keep], e[keep]))

    in_range = test_d <= train_d.max()
    if not in_range.all():
        notes.append(f"{int((~in_range).sum())} test row(s) beyond the training follow-up left out")
    x_test = x_test[in_range].reset_index(drop=True)
    test_d, test_e = test_d[in_range], test_e[in_range]
    if len(test_d) < 2 or test_e.sum() == 0:
        raise InvalidDataError(
            f"real_test has {len(test_d)} usable row(s) with {int(test_e.sum())} event(s); "
            "at least 2 rows and 1 event are needed to score"
        )
    grid = (
        _default_times(test_d, float(train_d.max()))
        if times is None
        else np.sort(np.asarray(times, dtype=float))
    )
    if grid.size == 0 or grid.min() < test_d.min() or grid.max() >= test_d.max():
        raise InvalidParameterError(
            f"times must lie in [{test_d.min():g}, {test_d.max():g}) (the usable test "
            f"follow-up), got {grid.min() if grid.size else 'nothing'}..."
            f"{grid.max() if grid.size else ''}"
        )
    y_train = _structured(train_d, train_e)
    y_test = _structured(test_d, test_e)

    def scores(risk: np.ndarray, surv: np.ndarray) -> tuple[float, float]:
        from sksurv.metrics import (
            concordance_index_censored,
            concordance_index_ipcw,
            integrated_brier_score,
        )

        if c_index == "harrell":
            concordance = concordance_index_censored(test_e.astype(bool), test_d, risk)[0]
        else:
            concordance = concordance_index_ipcw(y_train, y_test, risk, tau=grid.max())[0]
        ibs = integrated_brier_score(y_train, y_test, surv, grid)
        return float(concordance), float(ibs)

    rows = []
    real_cache: dict[str, tuple[float, float]] = {}
    for seed in range(seeds):
        x_syn, d_syn, e_syn = synthetic_designs[seed % len(synthetic_designs)]
        if synthetic_size is not None:
            rng = np.random.default_rng(seed)
            replace = synthetic_size > len(d_syn)
            pick = rng.choice(len(d_syn), size=synthetic_size, replace=replace)
            x_syn, d_syn, e_syn = x_syn.iloc[pick].reset_index(drop=True), d_syn[pick], e_syn[pick]
        x_aug = pd.concat([x_train, x_syn], ignore_index=True)
        d_aug = np.concatenate([train_d, d_syn])
        e_aug = np.concatenate([train_e, e_syn])
        for model in models:
            if model == "cox" and model in real_cache:
                real_scores = real_cache[model]  # deterministic: fit once
            else:
                real_scores = scores(
                    *_fit_predict(model, x_train, train_d, train_e, x_test, grid, seed,
                                  penalizer, rsf_params or {}, notes)
                )  # fmt: skip
                real_cache[model] = real_scores
            aug_scores = scores(
                *_fit_predict(model, x_aug, d_aug, e_aug, x_test, grid, seed, penalizer,
                              rsf_params or {}, notes)
            )  # fmt: skip
            rows.append(
                {
                    "model": model,
                    "seed": seed,
                    "c_index_real": real_scores[0],
                    "c_index_augmented": aug_scores[0],
                    "ibs_real": real_scores[1],
                    "ibs_augmented": aug_scores[1],
                    "n_synthetic": len(d_syn),
                }
            )
    per_seed = pd.DataFrame(rows)
    summary_rows = {}
    for model in models:
        part = per_seed[per_seed["model"] == model]
        row: dict[str, float] = {}
        for metric in ("c_index", "ibs"):
            values = {
                "real": part[f"{metric}_real"].to_numpy(),
                "augmented": part[f"{metric}_augmented"].to_numpy(),
            }
            values["delta"] = values["augmented"] - values["real"]
            for arm, array in values.items():
                mean, low, high = _mean_ci(array, confidence)
                row[f"{metric}_{arm}"] = mean
                row[f"{metric}_{arm}_ci_low"] = low
                row[f"{metric}_{arm}_ci_high"] = high
        summary_rows[model] = row
    summary = pd.DataFrame.from_dict(summary_rows, orient="index")
    summary.index.name = "model"
    return SurvivalAugmentationResult(
        summary=summary,
        per_seed=per_seed,
        models=models,
        seeds=seeds,
        c_index=c_index,
        confidence=confidence,
        times=grid,
        n_train=len(train_d),
        n_test=len(test_d),
        notes=tuple(dict.fromkeys(notes)),
    )

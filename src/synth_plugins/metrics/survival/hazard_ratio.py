"""Hazard-ratio alignment: the same Cox model fitted on real and on synthetic data."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError
from synth_plugins.metrics.directions import direction
from synth_plugins.metrics.survival.design import CoxDesign, constant_columns, covariate_columns
from synth_plugins.metrics.validation import (
    align_columns,
    feature_tables,
    resolve_categorical,
)
from synth_plugins.survival import check_survival_frame, fit_cox_jointly
from synth_plugins.validation import check_float, check_fraction

__all__ = ["HazardRatioAlignmentResult", "hazard_ratio_alignment"]


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
        dropped_covariates: design columns left out because constant in a frame, or
            because a frame has no row at their covariate's reference level.
        empty_in_synthetic: design columns of covariates with no observed synthetic value:
            in the real fit, not in the synthetic one, scored as synthetic log-HR 0 with
            error ``max(|ci_lower_real|, |ci_upper_real|)`` (the far end of the real
            interval seen from 0); sign, significance and CI overlap count as disagreeing.
        notes: convergence messages, fallbacks, dropped rows and too few events per
            design column.
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
    empty_in_synthetic: tuple[str, ...] = ()
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


#: Events per design column below which a Cox fit's coefficients are unstable (the rule
#: of thumb of Peduzzi et al., J Clin Epidemiol 1995), said in the result's notes.
EVENTS_PER_COLUMN = 10


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
    as reference. Design columns constant in either table are left out of both fits, and
    so are the indicators of a categorical covariate that a table never takes at its
    reference level (they sum to 1 on every row there, so their hazard ratios are not
    identifiable); ``notes`` names them. A covariate with no observed synthetic value stays
    in the real fit; the synthetic fit goes without it and it is scored as carrying no
    effect there (log-HR 0, see ``empty_in_synthetic``). Rows with a missing covariate are left out
    (complete cases), as are synthetic rows with a level never seen in the real data; both
    are counted in ``notes``. The two fits use the
    same penalizer; when either fails to converge both are refitted with the next penalizer
    of :func:`~synth_plugins.survival.penalizer_ladder`.

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
            :func:`~synth_plugins.metrics.validation.feature_tables`).

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
    penalizer = check_float("penalizer", penalizer, minimum=0.0)
    alpha = check_fraction("alpha", alpha)
    real_d, real_e = check_survival_frame(real, duration_column, event_column, name="real")
    syn_d, syn_e = check_survival_frame(synthetic, duration_column, event_column, name="synthetic")
    synthetic = align_columns(real, synthetic, "real", "synthetic")
    tables = feature_tables(
        {"real": real, "synthetic": synthetic},
        categorical_columns,
        keep=[duration_column, event_column],
    )
    real, synthetic = tables["real"], tables["synthetic"]
    covariates = covariate_columns(real, duration_column, event_column)
    notes: list[str] = []
    empty = [c for c in covariates if synthetic[c].isna().all()]
    if len(empty) == len(covariates):
        raise InvalidDataError(
            f"every covariate has no observed value in synthetic ({empty}); nothing to compare"
        )
    present = [c for c in covariates if c not in empty]
    categorical = resolve_categorical(
        [real[covariates], synthetic[present]], categorical_columns, outside=real.columns
    )
    design = CoxDesign.from_reference(real[covariates], categorical, "real")
    x_real, miss_real, _ = design.matrix(real[covariates], "real", impute=False)
    # an emptied covariate would leave out every synthetic row: the synthetic fit goes
    # without it, and it is scored as carrying no effect there (log-HR 0)
    x_syn, miss_syn, unseen_syn = design.matrix(
        synthetic[covariates].fillna({c: design.fills[c] for c in empty}),
        "synthetic",
        impute=False,
    )
    absent = [t for c in empty for t in design.terms(c)]
    x_syn = x_syn.drop(columns=absent)
    if empty:
        notes.append(
            f"covariate(s) with no observed value in synthetic: {empty}; the synthetic fit "
            f"goes without them and their design columns {absent} count as log-HR 0 there "
            "(error: the far end of the real confidence interval from 0; sign, significance "
            "and CI overlap counted as disagreeing)"
        )
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
    for frame_name, events, frame in (
        ("real", real_e, real),
        ("synthetic", syn_e, synthetic),
    ):
        if len(events) < 2 or events.sum() == 0:
            losses = design.row_losses(frame[covariates])
            raise InvalidDataError(
                f"{frame_name} has {len(events)} complete row(s) with {int(events.sum())} "
                "event(s); a Cox fit needs at least 2 rows and 1 event"
                + (f"; rows left out by {'; '.join(losses)}" if losses else "")
            )
    dropped = constant_columns(x_real.drop(columns=absent), x_syn)
    dropped += constant_columns(x_real[absent])
    if dropped:
        notes.append(f"design columns constant in a table left out: {dropped}")
    for frame_name, x in (("real", x_real), ("synthetic", x_syn)):
        for column, reference, indicators in design.reference_absent(x.drop(columns=dropped)):
            notes.append(
                f"column {column!r}: no {frame_name} row has its reference level "
                f"{reference!r}, so its indicators sum to 1 on every row and their hazard "
                f"ratios are not identifiable; left out: {indicators}"
            )
            dropped.extend(indicators)
    kept = [c for c in x_real.columns if c not in dropped]
    if not kept:
        raise InvalidDataError("no covariate varies in both tables; nothing to compare")
    absent = [c for c in absent if c in kept]
    kept_syn = [c for c in kept if c not in absent]
    if not kept_syn:
        raise InvalidDataError(
            f"no covariate varies in synthetic once those with no observed value ({empty}) "
            "are left out; nothing to compare"
        )
    x_real, x_syn = x_real[kept], x_syn[kept_syn]
    for frame_name, events, x in (("real", real_e, x_real), ("synthetic", syn_e, x_syn)):
        if events.sum() < EVENTS_PER_COLUMN * x.shape[1]:
            notes.append(
                f"{frame_name} has {int(events.sum())} event(s) for {x.shape[1]} design "
                f"column(s), fewer than {EVENTS_PER_COLUMN} per column: its Cox coefficients "
                "are unstable, so read the errors with their standard errors"
            )

    fit_real, fit_syn = fit_cox_jointly(
        [(x_real, real_d, real_e), (x_syn, syn_d, syn_e)],
        labels=["real", "synthetic"],
        penalizer=penalizer,
        alpha=alpha,
    )
    notes.extend(fit_real.notes)
    table = _alignment_table(fit_real.fitter, fit_syn.fitter, alpha, absent)
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
        penalizer=fit_real.penalizer,
        alpha=alpha,
        n_rows_real=len(real_e),
        n_rows_synthetic=len(syn_e),
        dropped_covariates=tuple(dropped),
        empty_in_synthetic=tuple(absent),
        notes=tuple(notes),
    )


def _alignment_table(fit_real: Any, fit_syn: Any, alpha: float, absent: list[str]) -> pd.DataFrame:
    """Per-covariate comparison of two lifelines fits, the real design a superset.

    ``absent`` are the real fit's design columns that the synthetic fit goes without (their
    covariate has no observed synthetic value): synthetic log-HR 0 with no SE, interval or
    p-value, every agreement flag False, and as error the far end of the real interval
    seen from 0, ``max(|ci_lower_real|, |ci_upper_real|)``. ``|log_hr_real|`` alone would
    tie with a synthetic covariate shuffled against the outcome (an estimate of 0 plus
    noise), which keeps the column and its marginal; having no estimate at all is charged
    the largest error a no-effect estimate has against the real interval.
    """
    columns = {}
    for label, fitter in (("real", fit_real), ("synthetic", fit_syn)):
        bounds = fitter.confidence_intervals_
        columns[f"log_hr_{label}"] = fitter.params_
        columns[f"se_{label}"] = fitter.standard_errors_
        columns[f"ci_lower_{label}"] = bounds.iloc[:, 0]
        columns[f"ci_upper_{label}"] = bounds.iloc[:, 1]
        columns[f"p_{label}"] = fitter.summary["p"]
    table = pd.DataFrame(columns).reindex(fit_real.params_.index)
    table.index.name = "covariate"
    table.loc[absent, "log_hr_synthetic"] = 0.0
    table["hr_real"] = np.exp(table["log_hr_real"])
    table["hr_synthetic"] = np.exp(table["log_hr_synthetic"])
    table["log_hr_difference"] = table["log_hr_synthetic"] - table["log_hr_real"]
    table["abs_log_hr_error"] = table["log_hr_difference"].abs()
    far_end = table.loc[absent, ["ci_lower_real", "ci_upper_real"]].abs().max(axis=1)
    table.loc[absent, "abs_log_hr_error"] = far_end
    table["sign_agree"] = direction(table["log_hr_real"], table["se_real"]) == direction(
        table["log_hr_synthetic"], table["se_synthetic"]
    )
    table["significant_real"] = table["p_real"] < alpha
    table["significant_synthetic"] = table["p_synthetic"] < alpha
    table["significance_agree"] = table["significant_real"] == table["significant_synthetic"]
    table["ci_overlap"] = (table["ci_lower_synthetic"] <= table["ci_upper_real"]) & (
        table["ci_lower_real"] <= table["ci_upper_synthetic"]
    )
    table.loc[absent, ["sign_agree", "significance_agree"]] = False
    return table

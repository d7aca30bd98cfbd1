"""Do synthetic data give the same effect estimates as the real data?

The AML study (npj Digit. Med. 7, 76, 2024) reports the odds ratio of complete remission by
logistic regression and hazard ratios of event-free and overall survival by Cox regression,
risk factor by risk factor; a synthetic cohort is useful for research when those estimates
agree. Per covariate (a numeric covariate is one term; a categorical one gives one term per
level against its first level in the real data):

- binary outcome (``target_column``): a univariable logistic regression (statsmodels
  ``Logit`` with an intercept) on each table; the effect is the log odds ratio;
- survival outcome (``duration_column`` + ``event_column``): a univariable Cox model, fitted
  with the suite's Cox code (:func:`synth_plugins.survival.fit_cox`, the one
  behind ``hazard_ratio_alignment``); the effect is the log hazard ratio.

Per term: direction agreement (same sign), significance agreement (both p < alpha or both
not) and confidence-interval overlap. The headline ``score`` is the mean of the three shares
over the univariable terms. ``multivariable=True`` also fits one model with every covariate
and reports the same shares for it. Each model uses the rows that have its own covariates
(a complete-case analysis per model). A synthetic estimate that cannot be made (a term
constant in the synthetic data, perfect separation, no convergence) counts as disagreeing
on all three and is listed in ``notes``. A term that cannot be estimated on the real data
has no reference to agree with: it is left out and listed in ``notes``; when no univariable
term can be estimated on the real data the metric raises ``InvalidDataError``.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics.clinical._checks import (
    check_binary,
    check_not_constant,
    check_target,
    feature_columns,
    shares,
)
from synth_plugins.metrics.directions import direction
from synth_plugins.metrics.survival.design import CoxDesign
from synth_plugins.metrics.validation import (
    align_columns,
    check_frame,
    feature_tables,
    resolve_categorical,
)
from synth_plugins.survival import check_survival_frame, fit_cox
from synth_plugins.validation import check_bool, check_float, check_fraction

_ESTIMATE_COLUMNS = ("estimate", "se", "ci_lower", "ci_upper", "p")


@dataclass(frozen=True, eq=False)
class EffectAgreementResult:
    """Real vs synthetic effect estimates and their agreement.

    Attributes:
        score: Mean of ``direction_agreement``, ``significance_agreement`` and
            ``ci_overlap`` (univariable terms), in [0, 1].
        effect: ``"odds_ratio"`` or ``"hazard_ratio"``.
        table: One row per (``model``, ``term``): ``model`` is ``"univariable"`` or
            ``"multivariable"``, ``covariate`` the source column; per side (``_real``,
            ``_synthetic``) the log effect ``estimate``, ``se``, ``ci_lower``,
            ``ci_upper`` (log scale), ``p`` and ``ratio`` (exp of the estimate; NaN where
            the synthetic estimate could not be made); then ``direction_agree``,
            ``significance_agree``, ``ci_overlap``.
        direction_agreement: Share of univariable terms with the same sign.
        significance_agreement: Share of univariable terms significant in both or neither.
        ci_overlap: Share of univariable terms whose confidence intervals overlap.
        direction_agreement_significant: Direction agreement among the univariable terms
            significant in the real data (NaN when none is).
        multivariable: The three shares of the multivariable model (empty when not asked).
        alpha: The significance level.
        notes: Estimates that could not be made, dropped rows, Cox fallbacks.
    """

    score: float
    effect: str
    table: pd.DataFrame = field(repr=False)
    direction_agreement: float
    significance_agreement: float
    ci_overlap: float
    direction_agreement_significant: float
    multivariable: dict[str, float]
    alpha: float
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, float]:
        """The summary figures as a flat ``{name: float}`` dict with stable keys."""
        out = {
            "score": self.score,
            "direction_agreement": self.direction_agreement,
            "significance_agreement": self.significance_agreement,
            "ci_overlap": self.ci_overlap,
            "n_terms": float((self.table["model"] == "univariable").sum()),
        }
        out.update({f"multivariable_{k}": v for k, v in self.multivariable.items()})
        return out


def effect_agreement(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    target_column: str | None = None,
    duration_column: str | None = None,
    event_column: str | None = None,
    covariates: Iterable[str] | None = None,
    multivariable: bool = False,
    alpha: float = 0.05,
    penalizer: float = 0.01,
    categorical_columns: Iterable[str] | None = None,
) -> EffectAgreementResult:
    """Compare odds ratios or hazard ratios estimated on real and on synthetic data.

    Args:
        real: The real table.
        synthetic: The synthetic table; same columns.
        target_column: A binary outcome: odds ratios by logistic regression (the second of
            the two sorted levels is the event, e.g. 1 or True). ``1``, ``"1"`` and
            ``True`` in different tables are one level, as in every table metric.
        duration_column: Follow-up time (> 0): hazard ratios by Cox regression, with
            ``event_column`` (0/1). One outcome per call: with the survival columns,
            ``target_column`` may only name ``event_column`` (as a Synthcity survival
            loader's target does); another target column is refused.
        event_column: The event indicator of a survival outcome.
        covariates: The risk factors; None uses every other column.
        multivariable: Also fit one model with every covariate.
        alpha: Significance level (and 1 - confidence of the intervals).
        penalizer: Ridge penalizer of the Cox fits (raised automatically if a fit fails to
            converge, as in ``hazard_ratio_alignment``).
        categorical_columns: Nominal covariates (dummy-coded against their first level);
            None infers them.
            Identifier columns are left out and dates read as days (see
            :func:`~synth_plugins.metrics.validation.feature_tables`).

    Returns:
        An :class:`EffectAgreementResult`.

    Raises:
        InvalidParameterError: No outcome given, both a binary and a survival outcome, an
            outcome or covariate that is not a
            column, or an ``alpha`` or ``penalizer`` out of range (``penalizer`` must be a
            finite number >= 0, as in ``hazard_ratio_alignment``).
        InvalidDataError: Empty or mismatched tables, a missing or single-valued outcome,
            a non-binary target, invalid survival columns, no covariate, a covariate
            constant in the real data, or a real estimate that cannot be made.
    """
    check_frame(real, "real", min_rows=2)
    check_frame(synthetic, "synthetic", min_rows=2)
    synthetic = align_columns(real, synthetic, "real", "synthetic")
    alpha = check_fraction("alpha", alpha)
    penalizer = check_float("penalizer", penalizer, minimum=0.0)
    survival = duration_column is not None or event_column is not None
    if survival and target_column is not None and target_column != event_column:
        raise InvalidParameterError(
            "effect_agreement compares one outcome: target_column (binary, odds ratios) or "
            "duration_column and event_column (survival, hazard ratios), not both; got "
            f"target_column={target_column!r}, duration_column={duration_column!r}, "
            f"event_column={event_column!r}"
        )
    multivariable = check_bool("multivariable", multivariable)
    frames = {"real": real, "synthetic": synthetic}
    if survival:
        outcome = [duration_column, event_column]
        outcomes = {
            n: check_survival_frame(f, duration_column, event_column, name=n)
            for n, f in frames.items()
        }
    elif target_column is not None:
        outcome = [target_column]
        check_target(frames, target_column, categorical_columns)
    else:
        raise InvalidParameterError(
            "effect_agreement needs an outcome: target_column (binary, odds ratios) or "
            "duration_column and event_column (survival, hazard ratios)"
        )
    named = [] if covariates is None or isinstance(covariates, str) else list(covariates)
    frames = feature_tables(frames, categorical_columns, keep=[*outcome, *named])
    real, synthetic = frames["real"], frames["synthetic"]
    if not survival:
        # after feature_tables, which reads "1" and True as 1 where a table holds numbers
        event_level = check_binary(frames, target_column)[1]
        outcomes = {n: (f[target_column] == event_level).to_numpy(float) for n, f in frames.items()}
    names = _covariates(real, covariates, outcome)
    check_not_constant(real, names, "real")
    categorical = resolve_categorical(
        [real[names], synthetic[names]], categorical_columns, outside=real.columns
    )
    notes: list[str] = []
    fit = _cox_fit(penalizer, alpha) if survival else _logit_fit(alpha)
    rows = []
    for covariate in names:
        label = f"univariable model of {covariate}"
        design, matrices = _model_data(frames, outcomes, [covariate], categorical, label, notes)
        terms = design.terms(covariate)
        rows.extend(_compare(fit, design, matrices, terms, covariate, "univariable", notes))
    if multivariable:
        label = "multivariable model"
        if real[names].notna().all(axis=1).any():
            design, matrices = _model_data(frames, outcomes, names, categorical, label, notes)
            groups = [(c, design.terms(c)) for c in names]
            all_terms = [t for _, terms in groups for t in terms]
            owner = {t: c for c, terms in groups for t in terms}
            for row in _compare(fit, design, matrices, all_terms, None, "multivariable", notes):
                row["covariate"] = owner[row["term"]]
                rows.append(row)
        else:
            notes.append(f"{label}: no real row has every covariate, left out")
    uni_rows = [row for row in rows if row["model"] == "univariable"]
    if not uni_rows:
        raise InvalidDataError(
            "no univariable model can be fitted on real: " + "; ".join(notes[-3:])
        )
    table = _agreement(pd.DataFrame(rows), alpha)
    uni = table[table["model"] == "univariable"]
    summary = {k: shares(uni[c].to_numpy()) for k, c in _SHARES.items()}
    significant = uni["p_real"] < alpha
    multi = table[table["model"] == "multivariable"]
    return EffectAgreementResult(
        score=float(np.mean(list(summary.values()))),
        effect="hazard_ratio" if survival else "odds_ratio",
        table=table,
        **summary,
        direction_agreement_significant=(
            shares(uni.loc[significant, "direction_agree"].to_numpy())
            if significant.any()
            else float("nan")
        ),
        multivariable=(
            {k: shares(multi[c].to_numpy()) for k, c in _SHARES.items()} if multivariable else {}
        ),
        alpha=alpha,
        notes=tuple(notes),
    )


_SHARES = {
    "direction_agreement": "direction_agree",
    "significance_agreement": "significance_agree",
    "ci_overlap": "ci_overlap",
}


def _model_data(
    frames: dict[str, pd.DataFrame],
    outcomes: dict[str, Any],
    columns: list[Hashable],
    categorical: list[Hashable],
    label: str,
    notes: list[str],
) -> tuple[CoxDesign, dict[str, tuple[pd.DataFrame, Any]]]:
    """One model's design and, per table, its design rows and outcomes.

    A model uses the rows that have its own covariates (a row missing another covariate
    still counts in a univariable model), and its levels come from the real rows it uses,
    so that a level seen only in rows it leaves out is no constant design column. Rows
    left out (a missing value, a level the real rows do not have) are counted in ``notes``.
    """
    real = frames["real"]
    complete = real[columns].notna().all(axis=1)
    chosen = [c for c in categorical if c in columns]
    design = CoxDesign.from_reference(real.loc[complete, columns], chosen, "real")
    matrices = {}
    for name, frame in frames.items():
        x, missing, unseen = design.matrix(frame[columns], name, impute=False)
        drop = missing | unseen
        if drop.any():
            notes.append(
                f"{label}: {int(drop.sum())} {name} row(s) with missing or unseen values left out"
            )
        kept = ~drop
        y = outcomes[name]
        y = (y[0][kept], y[1][kept]) if isinstance(y, tuple) else y[kept]
        matrices[name] = (x.loc[kept].reset_index(drop=True), y)
    return design, matrices


def _covariates(real: pd.DataFrame, covariates: Iterable[str] | None, outcome: list) -> list[str]:
    if covariates is None:
        return feature_columns(real, outcome, "real")
    if isinstance(covariates, str):
        raise InvalidParameterError(f"covariates must be a list of names, not {covariates!r}")
    chosen = list(covariates)
    unknown = [c for c in chosen if c not in real.columns or c in outcome]
    if not chosen or unknown:
        raise InvalidParameterError(
            f"covariates must name non-outcome columns of the tables; not usable: {unknown}"
        )
    return chosen


def _compare(
    fit: Any,
    design: CoxDesign,
    matrices: dict[str, tuple[pd.DataFrame, Any]],
    terms: list[str],
    covariate: str | None,
    model: str,
    notes: list[str],
) -> list[dict]:
    """Fit one model on each table and return one row per term."""
    estimates = {}
    for name, (x, y) in matrices.items():
        label = covariate or "all covariates"
        if len(x) == 0:
            reason = "no row has the model's covariates"
        elif x[terms].nunique().min() < 2:
            reason = "a term is constant in the rows the model uses"
        elif absent := design.reference_absent(x[terms]):
            # the block's indicators sum to 1 on every row: not identifiable
            column, level, _ = absent[0]
            reason = f"no row has the reference level {level!r} of {column!r}"
        else:
            try:
                estimates[name] = fit(x[terms], y)
                continue
            except (InvalidDataError, ValueError, np.linalg.LinAlgError) as error:
                reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        if name == "real":
            # no reference estimate to agree with: the term is left out, and said so
            notes.append(f"{model} model of {label}: not estimable on real, left out ({reason})")
            return []
        notes.append(f"{model} model of {label}: not estimable on synthetic ({reason})")
        estimates[name] = pd.DataFrame(np.nan, index=terms, columns=list(_ESTIMATE_COLUMNS))
    rows = []
    for term in terms:
        row: dict[str, Any] = {"model": model, "term": term, "covariate": covariate}
        for name, side in (("real", "real"), ("synthetic", "synthetic")):
            for column in _ESTIMATE_COLUMNS:
                row[f"{column}_{side}"] = float(estimates[name].loc[term, column])
        rows.append(row)
    return rows


def _agreement(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    for side in ("real", "synthetic"):
        table[f"ratio_{side}"] = np.exp(table[f"estimate_{side}"])
    estimable = table["estimate_synthetic"].notna()
    table["direction_agree"] = estimable & (
        direction(table["estimate_real"], table["se_real"])
        == direction(table["estimate_synthetic"], table["se_synthetic"])
    )
    table["significance_agree"] = estimable & (
        (table["p_real"] < alpha) == (table["p_synthetic"] < alpha)
    )
    table["ci_overlap"] = (
        estimable
        & (table["ci_lower_synthetic"] <= table["ci_upper_real"])
        & (table["ci_lower_real"] <= table["ci_upper_synthetic"])
    )
    return table


def _logit_fit(alpha: float) -> Any:
    """A function fitting a logistic regression and returning its term estimates."""

    def fit(x: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
        import statsmodels.api as sm

        if len(np.unique(y)) < 2:
            raise InvalidDataError("the outcome has a single value in these rows")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = sm.Logit(y, sm.add_constant(x.astype(float), has_constant="add")).fit(
                disp=0, maxiter=200
            )
        bounds = result.conf_int(alpha)
        out = pd.DataFrame(
            {
                "estimate": result.params,
                "se": result.bse,
                "ci_lower": bounds.iloc[:, 0],
                "ci_upper": bounds.iloc[:, 1],
                "p": result.pvalues,
            }
        ).drop(index="const")
        if not np.isfinite(out.to_numpy()).all() or not result.mle_retvals.get("converged", True):
            raise InvalidDataError("the logistic regression did not converge (separation?)")
        return out

    return fit


def _cox_fit(penalizer: float, alpha: float) -> Any:
    """A function fitting a Cox model with the suite's Cox code and returning its terms."""

    def fit(x: pd.DataFrame, y: tuple[np.ndarray, np.ndarray]) -> pd.DataFrame:
        durations, events = y
        if events.sum() == 0:
            raise InvalidDataError("no event in these rows")
        fitter = fit_cox(x, durations, events, penalizer=penalizer, alpha=alpha).fitter
        bounds = fitter.confidence_intervals_
        return pd.DataFrame(
            {
                "estimate": fitter.params_,
                "se": fitter.standard_errors_,
                "ci_lower": bounds.iloc[:, 0],
                "ci_upper": bounds.iloc[:, 1],
                "p": fitter.summary["p"],
            }
        )

    return fit

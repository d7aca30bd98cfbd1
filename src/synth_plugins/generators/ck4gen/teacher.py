"""CK4Gen's Cox teachers: the outcome's (design columns, distillation grid) and the censoring's."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.encoding.tabular import TabularEncoder
from synth_plugins.errors import InvalidDataError, caller_stacklevel, warn
from synth_plugins.survival import CoxFit, fit_cox, fit_cox_once

#: Knot quantiles of a restricted cubic spline by number of knots (Harrell, *Regression
#: Modeling Strategies*, 2nd ed., 2015, on choosing the number and position of knots).
KNOT_QUANTILES: dict[int, tuple[float, ...]] = {
    3: (0.10, 0.50, 0.90),
    4: (0.05, 0.35, 0.65, 0.95),
    5: (0.05, 0.275, 0.50, 0.725, 0.95),
}
#: Significance level of the confidence intervals lifelines reports for the teacher's
#: spline fits (they are not used; the AIC decides).
CONFIDENCE_ALPHA = 0.05
#: The cost of the Cox fits on the teacher's design, rows x terms**2 summed over the fits a
#: CK4Gen fit runs (:func:`cox_fits`), above which :func:`warn_if_wide` warns before the
#: first fit. 600 rows with a 264-level code column (284 terms, 7 fits) cost 3.4e8: 33 s of
#: Cox fits on the shared 2-core machine at load 1.5 (65 to 90 s at load 5), 12 s (30 s)
#: once the spline tests started at the linear fit, 2 s without the code; the benchmark
#: tables cost at most 2.7e7 (FLChain, 7,874 rows, 24 terms).
SLOW_TEACHER = 10**8
#: ``censoring_model="stratified"``: at most this many strata, each with at least this many
#: censored training rows.
MAX_STRATA = 5
MIN_STRATUM_CENSORINGS = 20
#: ... and only where the censoring depends on the covariates: the Cox model of the
#: censoring times against none, likelihood-ratio test at this level.
CENSORING_ALPHA = 0.01


@dataclass(frozen=True, eq=False)
class Spline:
    """The nonlinear terms of a restricted cubic spline in one numeric covariate.

    Attributes:
        covariate: the covariate's name.
        column: its encoded column.
        knots: the knots, on the encoded scale (``len(knots) - 2`` terms).
    """

    covariate: str
    column: int
    knots: np.ndarray

    @property
    def names(self) -> list[str]:
        """The terms' names: ``"age[spline 1]"``, ..."""
        return [f"{self.covariate}[spline {j}]" for j in range(1, len(self.knots) - 1)]

    def __call__(self, matrix: np.ndarray) -> np.ndarray:
        """The terms of the encoded rows ``matrix``."""
        return spline_basis(matrix[:, self.column].astype(float), self.knots)


@dataclass(frozen=True, eq=False)
class TeacherDesign:
    """The Cox teacher's design: encoded columns, then spline terms of numeric covariates.

    Attributes:
        index: the encoded column of each linear term.
        linear_names: the linear terms' names.
        splines: the covariates whose effect may bend (see :func:`fit_teacher`).
    """

    index: np.ndarray
    linear_names: tuple[Hashable, ...]
    splines: tuple[Spline, ...] = ()

    @property
    def names(self) -> tuple[Hashable, ...]:
        """Every term's name: the linear terms, then the spline terms."""
        return (*self.linear_names, *[name for spline in self.splines for name in spline.names])

    @property
    def source(self) -> np.ndarray:
        """The encoded column each term is computed from."""
        spline_sources = [spline.column for spline in self.splines for _ in spline.names]
        return np.concatenate([self.index, np.asarray(spline_sources, dtype=np.int64)])

    def __call__(self, matrix: np.ndarray) -> np.ndarray:
        """The design of the encoded rows ``matrix``, one column per term of ``names``."""
        terms = [matrix[:, self.index].astype(float), *(s(matrix) for s in self.splines)]
        return np.hstack(terms)

    def frame(self, matrix: np.ndarray) -> pd.DataFrame:
        """:meth:`__call__` as a frame with the terms' names (what lifelines takes)."""
        return pd.DataFrame(self(matrix), columns=list(self.names))


def fit_teacher(
    preprocessor: TabularEncoder,
    matrix: np.ndarray,
    observed: pd.DataFrame,
    durations: np.ndarray,
    events: np.ndarray,
    *,
    knots: int,
    penalizer: float,
    notes: list[str],
    censoring_fit: bool = False,
) -> tuple[TeacherDesign, CoxFit]:
    """Fit the Cox teacher on the encoded training rows ``matrix``.

    The linear terms are those of :func:`design_layout`. With ``knots`` > 0, each numeric
    covariate is offered the nonlinear terms of a restricted cubic spline with knots at
    :data:`KNOT_QUANTILES` of its observed training values (``observed``: one boolean
    column per covariate; a covariate with fewer than 3 distinct knot values stays
    linear), and keeps them when adding them alone to the linear model lowers its partial
    AIC (lifelines' log-likelihood at the linear fit's ridge penalizer): the teacher's
    log-hazard bends where the data support it and stays linear, as in the paper, where
    they do not. Each of these tests starts Newton's method at the linear fit's
    coefficients (the spline terms at 0), the maximum it extends, so on a wide design it
    takes a few iterations instead of a fit from 0 (same maximum: see ``fit_cox_once``).
    The teacher is then fitted on the linear terms and the splines kept, at the same
    penalizer and from 0 like the linear fit; if that fit fails the teacher stays linear.
    ``notes`` says which.

    Before the first fit, :func:`warn_if_wide` warns when the fits :func:`cox_fits` counts
    (``censoring_fit``: the caller fits the stratified censoring model on this design
    afterwards) will be slow.
    """
    index, names = design_layout(preprocessor, matrix, notes)
    candidates: list[Spline] = []
    if knots:
        candidates, few = _candidate_splines(preprocessor, matrix, observed, index, knots)
        if few:
            notes.append(f"numeric covariates kept linear in the Cox teacher (few values): {few}")
    warn_if_wide(preprocessor, index, len(matrix), len(candidates), censoring_fit)
    linear = TeacherDesign(index, tuple(names))
    cox = fit_cox(linear.frame(matrix), durations, events, penalizer=penalizer)
    if not candidates:
        return linear, cox
    kept, failed = [], []
    for spline in candidates:
        start = np.concatenate([cox.fitter.params_.to_numpy(float), np.zeros(len(spline.names))])
        fitter = _fit_at(
            TeacherDesign(index, tuple(names), (spline,)), matrix, durations, events, cox, start
        )
        if fitter is None:
            failed.append(spline.covariate)
        elif fitter.AIC_partial_ < cox.fitter.AIC_partial_:
            kept.append(spline)
    if failed:
        notes.append(f"Cox teacher: the fits with a spline in {failed} failed; kept linear")
    if not kept:
        return linear, cox
    design = TeacherDesign(index, tuple(names), tuple(kept))
    fitter = _fit_at(design, matrix, durations, events, cox)
    if fitter is None:
        notes.append("Cox teacher: the fit with every spline kept failed; the teacher is linear")
        return linear, cox
    described = [f"{s.covariate} ({len(s.knots)} knots)" for s in kept]
    notes.append(f"Cox teacher: restricted cubic splines in {described}")
    return design, CoxFit(fitter, cox.penalizer, cox.notes)


def _fit_at(
    design: TeacherDesign,
    matrix: np.ndarray,
    durations: np.ndarray,
    events: np.ndarray,
    linear: CoxFit,
    start: np.ndarray | None = None,
) -> Any:
    """One lifelines fit of ``design`` at the linear teacher's penalizer; None if it fails.

    ``start``: the coefficients Newton's method starts at (None: 0).
    """
    fitter, _ = fit_cox_once(
        design.frame(matrix), durations, events, linear.penalizer, CONFIDENCE_ALPHA, start
    )
    return fitter


def cox_fits(n_splines: int, censoring_fit: bool) -> int:
    """The Cox fits on the teacher's design that a CK4Gen fit runs at most.

    The linear teacher, one test per candidate spline (``n_splines``) and, when there is a
    candidate, the teacher with the splines kept (:func:`fit_teacher`), then the censoring
    model of ``censoring_model="stratified"`` (``censoring_fit``). A fit that fails and is
    retried (``fit_cox``) counts once.
    """
    return 1 + n_splines + (1 if n_splines else 0) + int(censoring_fit)


def _candidate_splines(
    preprocessor: TabularEncoder,
    matrix: np.ndarray,
    observed: pd.DataFrame,
    index: np.ndarray,
    knots: int,
) -> tuple[list[Spline], list[str]]:
    """A spline per numeric covariate of the linear design, and those with too few values."""
    candidates, few = [], []
    for block in preprocessor.blocks:
        if block.kind != "numerical" or block.start not in index:
            continue
        values = matrix[observed[block.column].to_numpy(dtype=bool), block.start]
        at = np.unique(np.quantile(values.astype(float), KNOT_QUANTILES[knots]))
        if len(at) < 3:
            few.append(block.column)
        else:
            candidates.append(Spline(block.column, int(block.start), at))
    return candidates, few


def spline_basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """The ``k - 2`` nonlinear terms of a restricted cubic spline with ``k`` knots.

    Harrell's truncated-power form, scaled by ``(t_k - t_1)^2`` so the terms have the
    covariate's units: the spline is cubic between the knots, linear beyond the outer two.
    """
    first, last, before_last = knots[0], knots[-1], knots[-2]

    def cube(t: np.ndarray) -> np.ndarray:
        return np.maximum(t, 0.0) ** 3

    terms = [
        cube(x - t)
        - cube(x - before_last) * (last - t) / (last - before_last)
        + cube(x - last) * (before_last - t) / (last - before_last)
        for t in knots[:-2]
    ]
    return np.column_stack(terms) / (last - first) ** 2


def teacher_cost(n_rows: int, n_terms: int, n_fits: int) -> int:
    """The cost of ``n_fits`` Cox fits of ``n_terms`` terms on ``n_rows`` rows.

    Each Newton iteration of lifelines' Cox fit adds a terms x terms outer product per row,
    so a fit costs about rows x terms**2 (times its iterations, a dozen or two from 0).
    """
    return n_rows * n_terms**2 * n_fits


def warn_if_wide(
    preprocessor: TabularEncoder,
    index: np.ndarray,
    n_rows: int,
    n_splines: int,
    censoring_fit: bool,
) -> None:
    """Warn when the Cox fits on the teacher's design (``index``) will be slow.

    Above :data:`SLOW_TEACHER` (:func:`teacher_cost` of the fits :func:`cox_fits` counts
    with ``n_splines`` candidate splines and ``censoring_fit``) the warning names the
    categorical columns that make the design wide, widest first, as many as it takes to
    bring the cost under the threshold, and what to do. It also says that the balanced
    outcome draw costs about rows x terms**3 when sampling (one decomposition a row): with
    10,000 rows and 160 terms a fit took 153 s and a sample 51 s at one epoch, and a
    2,000-level column (1,400 terms) did not finish in 10 minutes.
    """
    n_terms, n_fits = len(index), cox_fits(n_splines, censoring_fit)
    cost = teacher_cost(n_rows, n_terms, n_fits)
    if cost <= SLOW_TEACHER:
        return
    wide, rest = wide_columns(preprocessor, index, n_rows, n_fits), n_terms
    described = []
    for column, terms in wide:
        levels = len(preprocessor.spec(column).categories or ())
        described.append(f"{column!r} ({levels} levels, {terms} terms)")
        rest -= terms
    where = (
        f" Most terms come from {', '.join(described)}: group their rare levels (codes by "
        f"chapter) or drop them ({rest} terms without them)."
        if wide
        else " No categorical column makes the design wide: the rows and terms do."
    )
    linear_fits = cox_fits(0, censoring_fit)
    warn(
        f"ck4gen: the Cox teacher's design has {n_terms} terms on {n_rows} rows, and the fit "
        f"runs up to {n_fits} Cox fits on it, each costing about rows x terms^2 "
        f"({cost:.2g} in all, above the {SLOW_TEACHER:.0e} where fitting starts to take "
        "tens of seconds, and hours on the widest tables); sampling with the balanced "
        f"outcome draw costs about rows x terms^3.{where} teacher_knots=0 runs "
        f"{linear_fits} Cox fit(s) instead of {n_fits}, and outcome_draw='independent' skips "
        "the terms^3 draw.",
        stacklevel=caller_stacklevel(),
    )


def wide_columns(
    preprocessor: TabularEncoder, index: np.ndarray, n_rows: int, n_fits: int
) -> list[tuple[Hashable, int]]:
    """The one-hot columns that make the design ``index`` slow, with their terms.

    The categorical and ordinal columns, widest first, until the design without them costs
    at most :data:`SLOW_TEACHER` (:func:`teacher_cost`); all of them if it never does.
    """
    terms = {
        block.column: int(np.count_nonzero((index >= block.start) & (index < block.stop)))
        for block in preprocessor.blocks
        if block.kind not in ("numerical", "missing", "binary")
    }
    wide, rest = [], len(index)
    for column in sorted(terms, key=lambda c: -terms[c]):
        if teacher_cost(n_rows, rest, n_fits) <= SLOW_TEACHER or not terms[column]:
            break
        wide.append((column, terms[column]))
        rest -= terms[column]
    return wide


def design_layout(
    preprocessor: TabularEncoder, matrix: np.ndarray, notes: list[str]
) -> tuple[np.ndarray, list[Hashable]]:
    """The teacher's linear terms: every encoded column but each one-hot block's first level.

    Constant columns are left out (a Cox coefficient is not identifiable for them).
    """
    index: list[int] = []
    names: list[Hashable] = []
    for block in preprocessor.blocks:
        spec = preprocessor.spec(block.column)
        if block.kind == "numerical":
            index.append(block.start)
            names.append(block.column)
        elif block.kind == "missing":
            index.append(block.start)
            names.append(f"{block.column}[missing]")
        elif block.kind == "binary":
            level = spec.categories[-1] if spec.categories else 1
            index.append(block.start)
            names.append(f"{block.column}[{level}]")
        else:
            for offset in range(1, block.width):
                index.append(block.start + offset)
                names.append(f"{block.column}[{spec.categories[offset]}]")
    columns = matrix[:, index] if index else np.empty((len(matrix), 0))
    varies = columns.max(axis=0) > columns.min(axis=0) if index else np.array([], bool)
    if not varies.all():
        dropped = [name for name, keep in zip(names, varies) if not keep]
        notes.append(f"constant columns left out of the Cox teacher's design: {dropped}")
    if not varies.any():
        raise InvalidDataError(
            "no covariate varies in the data; the Cox teacher needs at least one"
        )
    kept = np.flatnonzero(varies)
    return np.asarray(index, dtype=np.int64)[kept], [names[i] for i in kept]


def censoring_distribution(durations: np.ndarray, events: np.ndarray) -> Any:
    """Reverse Kaplan-Meier: the KM estimate with censorings as the events."""
    from lifelines import KaplanMeierFitter

    return KaplanMeierFitter(label="censoring").fit(durations, 1 - events)


@dataclass(frozen=True, eq=False)
class CensoringStrata:
    """Censoring laws by censoring risk: reverse Kaplan-Meier estimates within strata.

    Attributes:
        cox: a lifelines ``CoxPHFitter`` of the censoring times (the censorings as events)
            on the teacher's design; its log partial hazard ranks the rows.
        edges: the cut points between strata on that scale (increasing).
        times: every training censoring time (increasing, > 0).
        survival: one row per stratum, its reverse Kaplan-Meier estimate at ``times``.
    """

    cox: Any
    edges: np.ndarray
    times: np.ndarray
    survival: np.ndarray

    def stratum(self, frame: pd.DataFrame) -> np.ndarray:
        """The stratum of each row of the teacher's design ``frame``."""
        risk = self.cox.predict_log_partial_hazard(frame).to_numpy(dtype=float)
        return np.searchsorted(self.edges, risk, side="right")


def fit_censoring_strata(
    design: TeacherDesign,
    matrix: np.ndarray,
    durations: np.ndarray,
    events: np.ndarray,
    penalizer: float,
    notes: list[str],
) -> CensoringStrata | None:
    """The censoring laws of ``censoring_model="stratified"``; None for the marginal one.

    A Cox model of the censoring times on the teacher's ``design`` (the censorings as its
    events, at the teacher's penalizer, raised if the fit fails) ranks the training rows
    by their risk of being censored; the rows are cut into up to :data:`MAX_STRATA`
    strata of that risk (:func:`risk_edges`), each with at least
    :data:`MIN_STRATUM_CENSORINGS` censorings, and each stratum's censoring law is its own
    reverse Kaplan-Meier estimate. A proportional-hazards model alone cannot end follow-up
    on a date (its largest single-time drop is ``1 - 1/e``), which the strata can.

    None (the marginal law), with a note: when there are too few censorings for two
    strata; when the censoring does not depend on the covariates (the model's
    likelihood-ratio test against no covariates has ``p >= CENSORING_ALPHA``: strata cut
    on noise would only tie each row's censoring to a few training rows); when the
    censored rows share one risk (the dependence lies in rows never censored); and, with a
    warning too, when no penalizer gives a finite fit.
    """
    from lifelines import KaplanMeierFitter

    censored = events == 0
    n_strata = min(MAX_STRATA, int(censored.sum()) // MIN_STRATUM_CENSORINGS)
    if n_strata < 2:
        notes.append(
            f"{int(censored.sum())} censored training rows: censoring is drawn from the "
            "marginal reverse Kaplan-Meier estimate"
        )
        return None
    frame = design.frame(matrix)
    try:
        fit = fit_cox(frame, durations, 1 - events, penalizer=penalizer)
    except InvalidDataError as error:
        message = (
            f"the Cox model of the censoring times could not be fitted ({error}); "
            "censoring is drawn from the marginal reverse Kaplan-Meier estimate"
        )
        warn(message, stacklevel=caller_stacklevel())
        notes.append(message)
        return None
    p_value = float(fit.fitter.log_likelihood_ratio_test().p_value)
    if not p_value < CENSORING_ALPHA:
        notes.append(
            f"the censoring does not depend on the covariates (likelihood-ratio test "
            f"p = {p_value:.2g}): censoring is drawn from the marginal reverse Kaplan-Meier "
            "estimate"
        )
        return None
    risk = fit.fitter.predict_log_partial_hazard(frame).to_numpy(dtype=float)
    edges = risk_edges(risk[censored], n_strata, MIN_STRATUM_CENSORINGS)
    if not len(edges):
        notes.append(
            "the censored training rows share one censoring risk (the dependence comes "
            "from rows that are never censored), so no strata can be cut: censoring is "
            "drawn from the marginal reverse Kaplan-Meier estimate"
        )
        return None
    strata = np.searchsorted(edges, risk, side="right")
    times = np.unique(durations[censored])
    survival = np.ones((len(edges) + 1, len(times)))
    for s in np.unique(strata):
        rows = strata == s
        km = KaplanMeierFitter().fit(durations[rows], censored[rows].astype(int))
        survival[s] = km.survival_function_at_times(times).to_numpy(dtype=float)
    notes.append(
        f"censoring: reverse Kaplan-Meier estimates in {len(edges) + 1} strata of the "
        f"censoring risk (likelihood-ratio test p = {p_value:.2g})"
    )
    return CensoringStrata(fit.fitter, edges, times, survival)


def risk_edges(risk: np.ndarray, n_strata: int, minimum: int) -> np.ndarray:
    """Cut points of ``risk`` into at most ``n_strata`` strata of at least ``minimum`` values.

    One-dimensional k-means (Lloyd's iterations from the quantiles): the cuts fall in the
    gaps between groups of values, so a covariate that decides the censoring (an entry
    cohort) is not split across strata as quantile cuts would split it. A stratum left
    with fewer than ``minimum`` values is merged with its nearer neighbour.
    """
    values = np.sort(risk)
    edges = np.unique(np.quantile(values, np.linspace(0.0, 1.0, n_strata + 1)[1:-1]))
    for _ in range(100):
        strata = np.searchsorted(edges, values, side="right")
        centres = np.array([values[strata == s].mean() for s in np.unique(strata)])
        moved = (centres[:-1] + centres[1:]) / 2
        if len(moved) == len(edges) and np.allclose(moved, edges):
            break
        edges = moved
    while len(edges):
        strata = np.searchsorted(edges, values, side="right")
        counts = np.bincount(strata, minlength=len(edges) + 1)
        small = int(np.argmin(counts))
        if counts[small] >= minimum:
            break
        centres = np.array([values[strata == s].mean() if counts[s] else np.nan
                            for s in range(len(counts))])  # fmt: skip
        below = centres[small] - centres[small - 1] if small > 0 else np.inf
        above = centres[small + 1] - centres[small] if small < len(edges) else np.inf
        merge_up = small == 0 or above < below  # an empty stratum (nan) goes down unless first
        edges = np.delete(edges, small if merge_up else small - 1)
    return edges


def time_grid(durations: np.ndarray, events: np.ndarray, n_time_grid: int) -> np.ndarray:
    """``n_time_grid`` quantiles of the observed event times (unique values)."""
    event_times = durations[events == 1]
    quantiles = np.linspace(0.0, 1.0, n_time_grid + 2)[1:-1]
    return np.unique(np.quantile(event_times, quantiles))


def step(times: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Right-continuous step function ``values`` (0 before ``times[0]``) evaluated at ``at``."""
    index = np.searchsorted(times, at, side="right") - 1
    return np.where(index >= 0, values[np.clip(index, 0, None)], 0.0)

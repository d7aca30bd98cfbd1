"""CK4Gen's Cox teacher: its design columns, distillation grid and the censoring distribution."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from synth_plugins.encoding.tabular import TabularEncoder
from synth_plugins.errors import InvalidDataError

#: Knot quantiles of a restricted cubic spline by number of knots (Harrell, *Regression
#: Modeling Strategies*, 2nd ed., 2015, section 2.4.6).
KNOT_QUANTILES: dict[int, tuple[float, ...]] = {
    3: (0.10, 0.50, 0.90),
    4: (0.05, 0.35, 0.65, 0.95),
    5: (0.05, 0.275, 0.50, 0.725, 0.95),
}


@dataclass(frozen=True)
class TeacherDesign:
    """The Cox teacher's design: encoded columns, then spline terms of numeric ones.

    Attributes:
        index: the encoded column of each linear term.
        names: every term's name, the linear terms first, then the spline terms
            (``"age[spline 1]"``, ...).
        splines: ``(encoded column, knots)`` per numeric covariate given a restricted cubic
            spline; each adds ``len(knots) - 2`` terms (see :func:`spline_basis`).
    """

    index: np.ndarray
    names: tuple[str, ...]
    splines: tuple[tuple[int, np.ndarray], ...] = ()

    @property
    def source(self) -> np.ndarray:
        """The encoded column each term is computed from (linear terms, then spline terms)."""
        spline_sources = [column for column, knots in self.splines for _ in knots[2:]]
        return np.concatenate([self.index, np.asarray(spline_sources, dtype=np.int64)])

    def __call__(self, matrix: np.ndarray) -> np.ndarray:
        """The design of the encoded rows ``matrix``, one column per term of ``names``."""
        terms = [matrix[:, self.index].astype(float)]
        terms += [spline_basis(matrix[:, column].astype(float), k) for column, k in self.splines]
        return np.hstack(terms)


def teacher_design(
    preprocessor: TabularEncoder, matrix: np.ndarray, knots: int, notes: list[str]
) -> TeacherDesign:
    """The teacher's design on the training rows ``matrix`` (see :func:`design_layout`).

    With ``knots`` > 0, each numeric covariate also gets the nonlinear terms of a restricted
    cubic spline with knots at :data:`KNOT_QUANTILES` of its training values, so the
    teacher's log-hazard can bend in that covariate (linear beyond the outer knots). A
    covariate with fewer than 3 distinct knot values (few distinct values) stays linear.
    """
    index, names = design_layout(preprocessor, matrix, notes)
    if not knots:
        return TeacherDesign(index, tuple(names))
    splines, spline_names, linear = [], [], []
    for block in preprocessor.blocks:
        if block.kind != "numerical" or block.start not in index:
            continue
        values = matrix[:, block.start].astype(float)
        at = np.unique(np.quantile(values, KNOT_QUANTILES[knots]))
        if len(at) < 3:
            linear.append(block.column)
            continue
        splines.append((block.start, at))
        spline_names += [f"{block.column}[spline {j}]" for j in range(1, len(at) - 1)]
    if linear:
        notes.append(f"numeric covariates kept linear in the Cox teacher (few values): {linear}")
    return TeacherDesign(index, (*names, *spline_names), tuple(splines))


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


def design_layout(
    preprocessor: TabularEncoder, matrix: np.ndarray, notes: list[str]
) -> tuple[np.ndarray, list[str]]:
    """The teacher's linear terms: every encoded column but each one-hot block's first level.

    Constant columns are left out (a Cox coefficient is not identifiable for them).
    """
    index: list[int] = []
    names: list[str] = []
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


def time_grid(durations: np.ndarray, events: np.ndarray, n_time_grid: int) -> np.ndarray:
    """``n_time_grid`` quantiles of the observed event times (unique values)."""
    event_times = durations[events == 1]
    quantiles = np.linspace(0.0, 1.0, n_time_grid + 2)[1:-1]
    return np.unique(np.quantile(event_times, quantiles))


def step(times: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Right-continuous step function ``values`` (0 before ``times[0]``) evaluated at ``at``."""
    index = np.searchsorted(times, at, side="right") - 1
    return np.where(index >= 0, values[np.clip(index, 0, None)], 0.0)

"""The headline longitudinal fidelity: every part and their mean score."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.catalog import LONGITUDINAL_PARTS
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics.longitudinal._category_shares import category_shares
from synth_plugins.metrics.longitudinal._discriminative import discriminative
from synth_plugins.metrics.longitudinal._event_rate import event_rate
from synth_plugins.metrics.longitudinal._follow_up import follow_up
from synth_plugins.metrics.longitudinal._het_exposure import MS_HIGH_EFFICACY, het_exposure
from synth_plugins.metrics.longitudinal._numerics import static_numerics, visit_numerics
from synth_plugins.metrics.longitudinal._predictive import predictive
from synth_plugins.metrics.longitudinal._sequence_length import sequence_length
from synth_plugins.metrics.longitudinal._spearman import spearman_longitudinal, spearman_static
from synth_plugins.metrics.longitudinal._tables import prepare_tables
from synth_plugins.metrics.longitudinal._trajectory import trajectory
from synth_plugins.metrics.longitudinal._visit_gaps import visit_gaps
from synth_plugins.validation import check_bool, check_float, check_random_state

#: Sub-scores averaged into the headline score, in report order (declared in the catalog,
#: whose entry shows each one's score in Synthcity).
PARTS: tuple[str, ...] = LONGITUDINAL_PARTS


@dataclass(frozen=True)
class LongitudinalFidelityResult:
    """Every longitudinal comparison and their mean score.

    Attributes:
        parts: The sub-results by name (see :data:`PARTS`); a part that does not apply
            (e.g. no event column given) is absent.
        errors: Why a part could not be computed, by name (e.g. too few patients).
    """

    parts: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def score(self) -> float:
        """The mean of the computed parts' scores (at least one part is always computed)."""
        return float(np.mean([part.score for part in self.parts.values()]))

    def to_dict(self) -> dict[str, float]:
        """``score``, ``<part>_score`` per part, then every part figure as ``<part>_<key>``."""
        result = {"score": self.score}
        for name, part in self.parts.items():
            result[f"{name}_score"] = float(part.score)
        for name, part in self.parts.items():
            for key, value in part.to_dict().items():
                if key != "score":
                    result[f"{name}_{key}"] = float(value)
        return result


def longitudinal_fidelity(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    id_column: str,
    time_column: str,
    static_columns: Iterable[str] | None = None,
    categorical_columns: Iterable[str] | None = None,
    event_column: str | None = None,
    time_per_year: float = 1.0,
    count_first_visit: bool = False,
    predictive_target: str | None = None,
    trajectory_columns: Iterable[str] | None = None,
    trajectory_years: int | None = None,
    therapy_column: str | None = None,
    high_efficacy: Iterable[str] = MS_HIGH_EFFICACY,
    parts: Iterable[str] | None = None,
    n_folds: int = 5,
    random_state: int = 0,
) -> LongitudinalFidelityResult:
    """Compare real and synthetic longitudinal data (long format) on every part.

    Args:
        real: The real long table (one row per visit).
        synthetic: The synthetic long table, same columns.
        id_column: The patient id column.
        time_column: The numeric visit time column.
        static_columns: Per-patient columns; None infers them from the real table.
        categorical_columns: Columns to treat as categories even if numeric.
        event_column: A visit column counting events since the previous visit (e.g.
            relapses) for the event rate per patient-year; None skips that part.
        time_per_year: Time units per year (1 for years, 365.25 for days).
        count_first_visit: Whether events at the first visit count towards the rate.
        predictive_target: The visit column of the predictive score (None: the first
            numerical visit column).
        trajectory_columns: Numerical visit columns whose mean by year of follow-up is
            compared (None: all numerical visit columns).
        trajectory_years: Compare the first ``trajectory_years`` years of follow-up only
            (None: every year with at least 20 visits in both tables).
        therapy_column: A visit column holding each visit's therapy: adds the
            high-efficacy therapy exposure (share of patients ever on HET, share of
            follow-up on HET); None skips that part.
        high_efficacy: The therapy levels counted as high-efficacy (default: the MS study's
            ocrelizumab, ofatumumab, natalizumab, alemtuzumab, rituximab, cladribine,
            mitoxantrone).
        parts: The parts to compute (default: all of :data:`PARTS` that apply).
        n_folds: Cross-validation folds of the discriminative score.
        random_state: Seed of the discriminative and predictive scores.

    Returns:
        A :class:`LongitudinalFidelityResult`.

    Raises:
        InvalidDataError: Malformed tables (duplicate ``(id, time)`` rows, unsorted or
            missing times, non-numeric times), different columns, or none of the chosen
            ``parts`` could be computed.
        InvalidParameterError: Unknown part or column names.
    """
    chosen = list(PARTS if parts is None else parts)
    unknown = sorted(set(chosen) - set(PARTS))
    if unknown:
        raise InvalidParameterError(f"unknown parts {unknown}; parts are {list(PARTS)}")
    check_float("time_per_year", time_per_year, minimum=0.0, exclusive_minimum=True)
    count_first_visit = check_bool("count_first_visit", count_first_visit)
    random_state = check_random_state("random_state", random_state, none=False)
    tables = prepare_tables(
        real, synthetic, id_column, time_column, static_columns, categorical_columns
    )
    if event_column is not None and event_column not in real.columns:
        raise InvalidParameterError(
            f"event_column {event_column!r} is not a column; columns are {list(real.columns)}"
        )
    runners = {
        "follow_up": lambda: follow_up(tables),
        "event_rate": lambda: event_rate(
            tables,
            event_column,
            time_per_year=time_per_year,
            count_first_visit=count_first_visit,
        ),
        "category_shares": lambda: category_shares(tables),
        "visit_numerics": lambda: visit_numerics(tables),
        "static_ks": lambda: static_numerics(tables),
        "spearman_static": lambda: spearman_static(tables),
        "spearman_longitudinal": lambda: spearman_longitudinal(tables),
        "sequence_length": lambda: sequence_length(tables),
        "visit_gaps": lambda: visit_gaps(tables),
        "trajectory": lambda: trajectory(
            tables, trajectory_columns, time_per_year=time_per_year, max_years=trajectory_years
        ),
        "het_exposure": lambda: het_exposure(tables, therapy_column, high_efficacy),
        "discriminative": lambda: discriminative(
            tables, n_folds=n_folds, random_state=random_state
        ),
        "predictive": lambda: predictive(tables, predictive_target, random_state=random_state),
    }
    results: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in chosen:
        if name == "event_rate" and event_column is None:
            continue
        if name == "het_exposure" and therapy_column is None:
            continue
        if name == "trajectory" and not tables.numerical_visit:
            continue
        if name == "static_ks" and not tables.numerical_static:
            continue
        if name == "spearman_static" and len(tables.numerical_static) < 2:
            continue
        if name == "spearman_longitudinal" and not tables.numerical_visit:
            continue
        if name == "category_shares" and not tables.categorical_visit:
            continue
        if name == "visit_numerics" and not tables.numerical_visit:
            continue
        if name == "predictive" and not tables.visit_columns:
            continue
        try:
            results[name] = runners[name]()
        except InvalidDataError as error:
            if name not in ("discriminative", "predictive", "trajectory"):
                raise
            errors[name] = str(error)
    if not results:
        reasons = "; ".join(f"{name}: {why}" for name, why in errors.items())
        raise InvalidDataError(
            f"none of the parts {chosen} applies to these tables"
            + (f" ({reasons})" if reasons else "")
            + "; choose other parts"
        )
    return LongitudinalFidelityResult(results, errors)

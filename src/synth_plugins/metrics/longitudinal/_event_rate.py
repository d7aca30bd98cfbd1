"""Events per patient-year (e.g. the annualised relapse rate), real vs synthetic."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.long_format import patient_index
from synth_plugins.metrics.longitudinal._result import PartResult
from synth_plugins.metrics.longitudinal._tables import LongTables, per_patient


@dataclass(frozen=True)
class EventRateResult(PartResult):
    """Events per patient-year (e.g. the annualised relapse rate), real vs synthetic.

    Attributes:
        column: The event-count visit column.
        real_pooled, synthetic_pooled: ``sum(events) / sum(follow-up years)``.
        real_mean_per_patient, synthetic_mean_per_patient: Mean of per-patient rates.
        relative_error: ``|synthetic_pooled - real_pooled| / real_pooled``.
    """

    column: str
    real_pooled: float
    synthetic_pooled: float
    real_mean_per_patient: float
    synthetic_mean_per_patient: float
    relative_error: float

    @property
    def score(self) -> float:
        """``1 - min(1, relative error)`` of the pooled rate."""
        return 1.0 - min(1.0, self.relative_error)


def patient_events(
    data: pd.DataFrame,
    id_column: str,
    time_column: str,
    event_column: str,
    *,
    time_per_year: float = 1.0,
    count_first_visit: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Events and follow-up years of every patient with follow-up > 0 (one long table).

    Missing counts are 0. Args as in :func:`event_rates`; ``events / years`` are the
    per-patient rates.
    """
    index = patient_index(data, id_column)
    per = per_patient(data, id_column, time_column)
    counts = pd.to_numeric(data[event_column], errors="coerce").fillna(0.0).to_numpy(float)
    if not count_first_visit:
        counts = counts.copy()
        counts[index.starts] = 0.0
    events = np.add.reduceat(counts, index.starts) if counts.size else np.zeros(0)
    years = per["follow_up"].to_numpy() / time_per_year
    keep = years > 0
    return events[keep], years[keep]


def flag_given_event(
    data: pd.DataFrame, id_column: str, event_column: str, flag_column: str
) -> tuple[float, float]:
    """Share of later visits with ``flag_column`` = 1: with an event at the visit, without.

    The coupling of an event with a change at the same visit (on the MS registry: a DMT
    switch at a visit that records a relapse). A patient's rows must be contiguous and in
    visit order (as the suite's long tables are); first visits are left out (their events
    precede follow-up); missing counts are 0 and a missing flag is 0. NaN where no visit of
    the kind exists.

    Raises:
        InvalidDataError: a column is absent, the event column is not numeric, or the flag
            column holds a value other than 0, 1 or missing.
    """
    for column in (id_column, event_column, flag_column):
        if column not in data.columns:
            raise InvalidDataError(f"column {column!r} is not in the table")
    events = pd.to_numeric(data[event_column], errors="coerce")
    if (events.isna() & data[event_column].notna()).any():
        raise InvalidDataError(f"event column {event_column!r} must hold numbers (counts)")
    flags = pd.to_numeric(data[flag_column], errors="coerce")
    if not (flags.isin([0, 1]) | data[flag_column].isna()).all():
        raise InvalidDataError(f"flag column {flag_column!r} must hold 0, 1 or missing values")
    later = patient_index(data, id_column).position_of_row() > 0
    events = events.fillna(0.0).to_numpy() > 0
    flags = flags.fillna(0.0).to_numpy() == 1

    def share(rows: np.ndarray) -> float:
        return float(flags[rows].mean()) if rows.any() else float("nan")

    return share(later & events), share(later & ~events)


def event_rates(
    data: pd.DataFrame,
    id_column: str,
    time_column: str,
    event_column: str,
    *,
    time_per_year: float = 1.0,
    count_first_visit: bool = False,
) -> tuple[float, float]:
    """Pooled and mean per-patient event rate per patient-year of one long table.

    Patients with zero follow-up are excluded from both rates. Missing counts are 0.

    Args:
        data: A long table checked by ``check_long_format``.
        id_column: The patient id column.
        time_column: The visit time column.
        event_column: The visit column counting events since the previous visit.
        time_per_year: Time units per year (1 for years, 365.25 for days).
        count_first_visit: Whether events recorded at the first visit count (they precede
            follow-up, so by default they do not).
    """
    events, years = patient_events(
        data, id_column, time_column, event_column, time_per_year=time_per_year,
        count_first_visit=count_first_visit,
    )  # fmt: skip
    if not years.size:
        return float("nan"), float("nan")
    return float(events.sum() / years.sum()), float(np.mean(events / years))


def event_rate(
    tables: LongTables,
    event_column: str,
    *,
    time_per_year: float = 1.0,
    count_first_visit: bool = False,
) -> EventRateResult:
    """Compare events per patient-year (pooled and mean per patient)."""
    if event_column not in tables.visit_columns:
        raise InvalidParameterError(
            f"event_column {event_column!r} must be a visit column; visit columns are "
            f"{list(tables.visit_columns)}"
        )
    for name, frame in (("real", tables.real), ("synthetic", tables.synthetic)):
        if not pd.api.types.is_numeric_dtype(frame[event_column]):
            raise InvalidDataError(
                f"event_column {event_column!r} of {name} must hold event counts (numbers), "
                f"got dtype {frame[event_column].dtype}"
            )
    options = {"time_per_year": time_per_year, "count_first_visit": count_first_visit}
    args = (tables.id_column, tables.time_column, event_column)
    real_pooled, real_mean = event_rates(tables.real, *args, **options)
    syn_pooled, syn_mean = event_rates(tables.synthetic, *args, **options)
    error = abs(syn_pooled - real_pooled) / real_pooled if real_pooled > 0 else (
        0.0 if syn_pooled == real_pooled else 1.0
    )  # fmt: skip
    return EventRateResult(event_column, real_pooled, syn_pooled, real_mean, syn_mean, error)

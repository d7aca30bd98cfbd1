"""Trajectories: the mean of each numerical visit column by follow-up year, real vs synthetic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.long_format import patient_index
from synth_plugins.metrics.longitudinal._result import HIDDEN, PartResult
from synth_plugins.metrics.longitudinal._tables import LongTables
from synth_plugins.metrics.validation import name_list
from synth_plugins.validation import check_int


@dataclass(frozen=True)
class TrajectoryResult(PartResult):
    """Per-year means of numerical visit columns (visits grouped by whole years of follow-up).

    A year is compared when both tables have at least ``min_visits`` visits in it (and it is
    within ``max_years``).

    Attributes:
        year_error: ``{"<column>_<year>": synthetic mean - real mean}`` per compared year.
        mean_abs_error, max_abs_error: Per column, over the compared years.
        relative_error: Per column, ``mean_abs_error`` divided by the column's real SD over
            all visits (0 for a constant column).
        years: Compared years per column.
        table: One row per (column, year): ``real_mean, synthetic_mean, real_visits,
            synthetic_visits, error``.
    """

    year_error: dict[str, float]
    mean_abs_error: dict[str, float]
    max_abs_error: dict[str, float]
    relative_error: dict[str, float]
    years: dict[str, float]
    table: pd.DataFrame = field(repr=False, metadata=HIDDEN)

    @property
    def score(self) -> float:
        """``1 - min(1, mean relative error)`` over the columns with compared years."""
        values = [v for v in self.relative_error.values() if np.isfinite(v)]
        return float(1.0 - min(1.0, np.mean(values)))


def yearly_means(
    data: pd.DataFrame, id_column: str, time_column: str, column: str, time_per_year: float
) -> pd.DataFrame:
    """Mean and number of observed values of ``column`` per whole year since the first visit."""
    index = patient_index(data, id_column)
    times = data[time_column].to_numpy(dtype=float)
    since = times - np.repeat(times[index.starts], index.lengths)
    years = np.floor(since / time_per_year + 1e-9).astype(int)
    values = pd.to_numeric(data[column], errors="coerce")
    grouped = pd.Series(values.to_numpy(float)).groupby(years)
    return pd.DataFrame({"mean": grouped.mean(), "visits": grouped.count()})


def trajectory(
    tables: LongTables,
    columns: Iterable[str] | None = None,
    *,
    time_per_year: float = 1.0,
    max_years: int | None = None,
    min_visits: int = 20,
) -> TrajectoryResult:
    """Compare the mean of numerical visit columns by year of follow-up.

    The drift of a disability score over long follow-up (mean EDSS by year since the first
    visit) is invisible in pooled marginals; this part compares it year by year.

    Args:
        tables: Checked tables.
        columns: Numerical visit columns to compare (None: all of them).
        time_per_year: Time units per year (1 for years, 365.25 for days).
        max_years: Compare years ``0..max_years - 1`` only (None: every year with data).
        min_visits: Visits needed in a year, in each table, for the year to be compared.

    Raises:
        InvalidParameterError: A column that is not a numerical visit column.
        InvalidDataError: No year has ``min_visits`` visits in both tables.
    """
    chosen = (
        list(tables.numerical_visit)
        if columns is None
        else name_list("trajectory_columns", columns)
    )
    unknown = [c for c in chosen if c not in tables.numerical_visit]
    if unknown:
        raise InvalidParameterError(
            f"trajectory_columns {unknown} are not numerical visit columns; those are "
            f"{list(tables.numerical_visit)}"
        )
    min_visits = check_int("min_visits", min_visits, minimum=1)
    if max_years is not None:
        max_years = check_int("max_years", max_years, minimum=1)
    keys = (tables.id_column, tables.time_column)
    rows, year_error, mean_abs, max_abs, relative, years = [], {}, {}, {}, {}, {}
    for column in chosen:
        real = yearly_means(tables.real, *keys, column, time_per_year)
        syn = yearly_means(tables.synthetic, *keys, column, time_per_year)
        both = real.join(syn, lsuffix="_real", rsuffix="_syn", how="inner")
        both = both[(both["visits_real"] >= min_visits) & (both["visits_syn"] >= min_visits)]
        if max_years is not None:
            both = both[both.index < max_years]
        error = both["mean_syn"] - both["mean_real"]
        for year, value in error.items():
            year_error[f"{column}_{year}"] = float(value)
            rows.append({
                "column": column, "year": int(year),
                "real_mean": float(both.at[year, "mean_real"]),
                "synthetic_mean": float(both.at[year, "mean_syn"]),
                "real_visits": int(both.at[year, "visits_real"]),
                "synthetic_visits": int(both.at[year, "visits_syn"]),
                "error": float(value),
            })  # fmt: skip
        years[column] = float(len(error))
        sd = float(pd.to_numeric(tables.real[column], errors="coerce").std())
        if len(error):
            mean_abs[column] = float(error.abs().mean())
            max_abs[column] = float(error.abs().max())
            relative[column] = mean_abs[column] / sd if sd > 0 else 0.0
    if not rows:
        raise InvalidDataError(
            f"no year of follow-up has at least min_visits={min_visits} visits in both tables "
            f"for {chosen}; the trajectory part needs longer or larger tables"
        )
    table = pd.DataFrame(
        rows,
        columns=["column", "year", "real_mean", "synthetic_mean", "real_visits",
                 "synthetic_visits", "error"],
    ).set_index(["column", "year"])  # fmt: skip
    return TrajectoryResult(year_error, mean_abs, max_abs, relative, years, table)

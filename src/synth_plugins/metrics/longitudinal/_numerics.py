"""Numerical marginals: per-visit columns over all visits, static columns per patient."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from synth_plugins.metrics.longitudinal._result import PartResult, table_columns
from synth_plugins.metrics.longitudinal._stats import summary_rows
from synth_plugins.metrics.longitudinal._tables import LongTables, static_rows


@dataclass(frozen=True)
class VisitNumericsResult(PartResult):
    """Per-visit marginals of the numerical visit columns (all visit rows pooled).

    Attributes:
        table: Rows per column; columns ``real_mean, real_sd, synthetic_mean,
            synthetic_sd, ks, ks_pvalue``.
    """

    table: pd.DataFrame = field(metadata=table_columns("ks"))

    @property
    def score(self) -> float:
        """``1 - mean KS`` over the columns (1.0 without numerical visit columns)."""
        return 1.0 - float(self.table["ks"].mean()) if len(self.table) else 1.0


def visit_numerics(tables: LongTables) -> VisitNumericsResult:
    """Mean, SD and KS statistic of every numerical visit column over all visits."""
    return VisitNumericsResult(summary_rows(tables.real, tables.synthetic, tables.numerical_visit))


@dataclass(frozen=True)
class StaticNumericsResult(VisitNumericsResult):
    """Summary statistics and KS test per static numerical column (one row per patient).

    The same table and score as :class:`VisitNumericsResult`; the figures add p-values.
    """

    table: pd.DataFrame = field(metadata=table_columns("ks", "ks_pvalue"))


def static_numerics(tables: LongTables) -> StaticNumericsResult:
    """Mean, SD and two-sample KS test of every static numerical column."""
    real = static_rows(tables.real, tables.id_column, tables.numerical_static)
    syn = static_rows(tables.synthetic, tables.id_column, tables.numerical_static)
    return StaticNumericsResult(summary_rows(real, syn, tables.numerical_static))

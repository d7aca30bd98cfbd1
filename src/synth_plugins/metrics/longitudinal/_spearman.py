"""Spearman correlations, real vs synthetic: static, longitudinal and lag-1 within patient."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError
from synth_plugins.long_format import patient_index
from synth_plugins.metrics.longitudinal._result import HIDDEN, PartResult
from synth_plugins.metrics.longitudinal._tables import LongTables, static_rows


@dataclass(frozen=True)
class SpearmanResult(PartResult):
    """Spearman correlations of column pairs, real vs synthetic.

    Attributes:
        table: One row per pair: ``real, synthetic, abs_difference``.
    """

    DERIVED = ("max_abs_difference", "n_pairs")

    table: pd.DataFrame = field(metadata=HIDDEN)

    @property
    def score(self) -> float:
        """``1 - mean |rho_real - rho_syn| / 2`` over the pairs (there is always one)."""
        return 1.0 - float(self.table["abs_difference"].mean()) / 2

    @property
    def max_abs_difference(self) -> float:
        """The largest absolute difference of one pair."""
        return float(self.table["abs_difference"].max())

    @property
    def n_pairs(self) -> int:
        """The number of compared pairs."""
        return len(self.table)


@dataclass(frozen=True)
class LongitudinalSpearmanResult(SpearmanResult):
    """Spearman correlations over visits, the lag-1 pairs within patient among them.

    Only this part has lag-1 pairs, so only it reports their mean difference (the static
    part's was NaN in every call).
    """

    DERIVED = ("max_abs_difference", "lag1_mean_abs_difference", "n_pairs")

    @property
    def lag1_mean_abs_difference(self) -> float:
        """Mean absolute difference of the lag-1 pairs only (NaN without them)."""
        lagged = np.array([str(pair).endswith(" lag1") for pair in self.table.index], dtype=bool)
        return float(self.table.loc[lagged, "abs_difference"].mean()) if lagged.any() else np.nan


def _spearman(frame: pd.DataFrame) -> pd.DataFrame:
    matrix = frame.astype(float).corr(method="spearman")
    return matrix.where(np.isfinite(matrix), 0.0)


def _pairs(real: pd.DataFrame, syn: pd.DataFrame) -> pd.DataFrame:
    columns = list(real.columns)
    rr, ss = _spearman(real), _spearman(syn)
    rows = {}
    for i, a in enumerate(columns):
        for b in columns[i + 1 :]:
            r, s = float(rr.loc[a, b]), float(ss.loc[a, b])
            rows[f"{a} ~ {b}"] = {"real": r, "synthetic": s, "abs_difference": abs(r - s)}
    return pd.DataFrame.from_dict(
        rows, orient="index", columns=["real", "synthetic", "abs_difference"]
    )


def spearman_static(tables: LongTables) -> SpearmanResult:
    """Spearman correlations among the static numerical columns (one row per patient).

    Raises:
        InvalidDataError: fewer than two static numerical columns, so no pair to compare (a
            score of 1 would reward a table for what was never measured).
    """
    if len(tables.numerical_static) < 2:
        raise InvalidDataError(
            "spearman_static needs at least two static numerical columns to form a pair; "
            f"the tables have {list(tables.numerical_static)}"
        )
    real = static_rows(tables.real, tables.id_column, tables.numerical_static)
    syn = static_rows(tables.synthetic, tables.id_column, tables.numerical_static)
    return SpearmanResult(_pairs(real, syn))


def _longitudinal_frame(data: pd.DataFrame, tables: LongTables) -> pd.DataFrame:
    """Numerical visit columns, time since the first visit, and lag-1 partners."""
    index = patient_index(data, tables.id_column)
    times = data[tables.time_column].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {"time_since_first": times - np.repeat(times[index.starts], index.lengths)}
    )
    for column in tables.numerical_visit:
        frame[column] = pd.to_numeric(data[column], errors="coerce").to_numpy(float)
    return frame


def spearman_longitudinal(tables: LongTables) -> LongitudinalSpearmanResult:
    """Spearman correlations over visits, and lag-1 within patient.

    Pairs: every two of (time since first visit, numerical visit columns) over all visit
    rows, plus each numerical visit column at visit k against the same column at visit
    k + 1 of the same patient (named ``"<column> lag1"``).

    Raises:
        InvalidDataError: no numerical visit column, so no pair to compare.
    """
    if not tables.numerical_visit:
        raise InvalidDataError(
            "spearman_longitudinal needs a numerical visit column; the visit columns "
            f"{list(tables.visit_columns)} are all categorical"
        )
    real = _longitudinal_frame(tables.real, tables)
    syn = _longitudinal_frame(tables.synthetic, tables)
    table = _pairs(real, syn)
    rows = {}
    for column in tables.numerical_visit:
        values = []
        for data, frame in ((tables.real, real), (tables.synthetic, syn)):
            index = patient_index(data, tables.id_column)
            same = ~index.is_last_row()[:-1]
            x = frame[column].to_numpy()
            pair = pd.DataFrame({"a": x[:-1][same], "b": x[1:][same]})
            rho = _spearman(pair).loc["a", "b"] if len(pair) > 1 else 0.0
            values.append(float(rho))
        rows[f"{column} lag1"] = {
            "real": values[0], "synthetic": values[1], "abs_difference": abs(values[0] - values[1])
        }  # fmt: skip
    lagged = pd.DataFrame.from_dict(rows, orient="index", columns=list(table.columns))
    return LongitudinalSpearmanResult(pd.concat([table, lagged]) if len(lagged) else table)

"""Longitudinal fidelity: real vs synthetic patient histories in long format (one row per visit).

The statistics reported by the MS registry abstracts (METHODS.md §3.1, definitions §3.3),
generalised to any long table with a patient id and a visit time, plus sequence-level
checks. Each part has its own function and result; :func:`longitudinal_fidelity` runs them
all and averages their scores (each in [0, 1], 1 = synthetic indistinguishable from real):

- follow-up (last minus first visit time per patient): means with 95 % t-intervals; score
  ``1 - KS`` of the two follow-up distributions;
- event rate per patient-year (the annualised relapse rate for a relapse-count column):
  pooled ``sum(events) / sum(follow-up)`` over patients with follow-up > 0 (events at the
  first visit excluded by default, they precede follow-up), and the mean of per-patient
  rates; score ``1 - min(1, |rate_syn - rate_real| / rate_real)`` on the pooled rate;
- share of visits per category (e.g. treatment): score ``1 - total variation distance``
  averaged over the categorical visit columns;
- numerical visit columns over all visit rows (per-visit marginals): mean, SD and KS
  statistic; score ``1 - mean KS``;
- static numerical columns (one row per patient): mean, SD, KS statistic and p-value;
  score ``1 - mean KS``;
- Spearman correlations: among static numerical columns, and longitudinally among the
  numerical visit columns and the time since the first visit, plus lag-1 within patient
  (each numerical visit column at visit k against visit k + 1); score
  ``1 - mean |rho_real - rho_syn| / 2`` per group;
- sequence length (visits per patient): score ``1 - total variation distance``;
- gaps between visits: Wasserstein-1 distance and KS statistic of the log gaps; score
  ``1 - KS``;
- discriminative score: a gradient-boosting classifier on per-patient summary features
  (length, follow-up, gaps, static values, first/last/mean/SD/slope of numerical visit
  columns, per-patient category shares), cross-validated on equal numbers of real and
  synthetic patients; score ``1 - 2 |accuracy - 0.5|``;
- predictive score (train on synthetic, test on real): predict a visit column at visit
  k + 1 from visit k, the gap, the time since the first visit and the static values;
  trained on synthetic patients and, for reference, on 70 % of the real patients, both
  tested on the other 30 % of real patients (R² for numerical targets, accuracy for
  categorical ones); score ``min(1, max(0, TSTR / TRTR))``.

Numerical here means a numeric dtype that is not binary-valued; every other visit column
is categorical (strings, booleans, categoricals, numeric columns with two levels).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.generators._long_format import (
    check_long_format,
    check_static_columns,
    infer_static_columns,
    patient_index,
)
from synth_plugins.metrics._info import MetricInfo
from synth_plugins.metrics._validation import check_int, check_number

LONGITUDINAL_FIDELITY = MetricInfo(
    name="longitudinal_fidelity",
    category="stats",
    direction="maximize",
    min_value=0.0,
    max_value=1.0,
    description=(
        "Mean of longitudinal fidelity sub-scores in [0, 1] (follow-up, event rate per "
        "patient-year, category shares per visit, static KS, Spearman static/longitudinal/"
        "lag-1, sequence length, visit gaps, discriminative and predictive scores); 1 is best."
    ),
    ideal=1.0,
)

#: Sub-scores averaged into the headline score, in report order.
PARTS: tuple[str, ...] = (
    "follow_up",
    "event_rate",
    "category_shares",
    "visit_numerics",
    "static_ks",
    "spearman_static",
    "spearman_longitudinal",
    "sequence_length",
    "visit_gaps",
    "discriminative",
    "predictive",
)


# ---------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class LongTables:
    """Real and synthetic long tables, checked, with their column split.

    Attributes:
        real: The real table (each patient's rows together, time-ordered).
        synthetic: The synthetic table, same columns.
        id_column: The patient id column.
        time_column: The visit time column.
        static_columns: Per-patient columns.
        visit_columns: Per-visit columns.
        numerical_visit: Visit columns treated as numbers.
        categorical_visit: Visit columns treated as categories.
        numerical_static: Static columns treated as numbers.
    """

    real: pd.DataFrame
    synthetic: pd.DataFrame
    id_column: str
    time_column: str
    static_columns: tuple[str, ...]
    visit_columns: tuple[str, ...]
    numerical_visit: tuple[str, ...]
    categorical_visit: tuple[str, ...]
    numerical_static: tuple[str, ...]


def _is_numerical(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return False
    return series.dropna().nunique() > 2


def prepare_tables(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    id_column: str,
    time_column: str,
    static_columns: Iterable[str] | None = None,
    categorical_columns: Iterable[str] | None = None,
) -> LongTables:
    """Check both long tables and split their columns (shared by every part).

    Args:
        real: The real long table.
        synthetic: The synthetic long table (same columns).
        id_column: The patient id column.
        time_column: The numeric visit time column.
        static_columns: Per-patient columns; None infers them from the real table (columns
            constant within every real patient).
        categorical_columns: Columns to treat as categories even if numeric (e.g. ordinal
            codes); None: strings, booleans, categoricals and two-valued columns.

    Raises:
        InvalidDataError: A malformed long table (see ``check_long_format``), different
            columns in the two tables, or infinite values in a numerical column.
        InvalidParameterError: Unknown column names.
    """
    real = check_long_format(real, id_column, time_column, name="real")
    synthetic = check_long_format(synthetic, id_column, time_column, name="synthetic")
    missing = [c for c in real.columns if c not in synthetic.columns]
    extra = [c for c in synthetic.columns if c not in real.columns]
    if missing or extra:
        raise InvalidDataError(
            "synthetic must have the same columns as real; missing from synthetic: "
            f"{missing}; not in real: {extra}"
        )
    synthetic = synthetic[list(real.columns)]
    if static_columns is None:
        static = infer_static_columns(real, id_column, time_column)
    else:
        static = check_static_columns(real, id_column, time_column, static_columns)
    visit = [c for c in real.columns if c not in (id_column, time_column, *static)]
    forced = set()
    if categorical_columns is not None:
        if isinstance(categorical_columns, str):
            raise InvalidParameterError(
                "categorical_columns must be a list of names, not the string "
                f"{categorical_columns!r}"
            )
        forced = set(categorical_columns)
        unknown = sorted(forced - set(real.columns))
        if unknown:
            raise InvalidParameterError(f"categorical_columns are not columns: {unknown}")
    numerical_visit = [c for c in visit if c not in forced and _is_numerical(real[c])]
    categorical_visit = [c for c in visit if c not in numerical_visit]
    numerical_static = [c for c in static if c not in forced and _is_numerical(real[c])]
    for name, frame in (("real", real), ("synthetic", synthetic)):
        for column in (*numerical_visit, *numerical_static):
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
            if np.isinf(values).any():
                raise InvalidDataError(
                    f"column {column!r} of {name} holds infinite values; replace them first"
                )
    return LongTables(
        real, synthetic, id_column, time_column, tuple(static), tuple(visit),
        tuple(numerical_visit), tuple(categorical_visit), tuple(numerical_static),
    )  # fmt: skip


def _per_patient(data: pd.DataFrame, id_column: str, time_column: str) -> pd.DataFrame:
    """Visits, follow-up and first time per patient (table order)."""
    index = patient_index(data, id_column)
    times = data[time_column].to_numpy(dtype=float)
    first = times[index.starts]
    last = times[index.starts + index.lengths - 1]
    return pd.DataFrame({"visits": index.lengths, "follow_up": last - first, "first": first})


def _gaps(data: pd.DataFrame, id_column: str, time_column: str) -> np.ndarray:
    index = patient_index(data, id_column)
    times = data[time_column].to_numpy(dtype=float)
    same = index.patient_of_row()[1:] == index.patient_of_row()[:-1]
    return np.diff(times)[same]


def _mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t-interval (the interval collapses to the mean for n < 2)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(values.mean())
    if values.size < 2:
        return mean, mean, mean
    half = float(stats.t.ppf(0.5 + level / 2, values.size - 1) * stats.sem(values))
    return mean, mean - half, mean + half


def _ks(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size == 0 or b.size == 0:
        return float("nan"), float("nan")
    result = stats.ks_2samp(a, b)
    return float(result.statistic), float(result.pvalue)


def _tvd(real: pd.Series, synthetic: pd.Series) -> float:
    p = real.value_counts(normalize=True, dropna=False)
    q = synthetic.value_counts(normalize=True, dropna=False)
    p, q = p.align(q, fill_value=0.0)
    return float(0.5 * np.abs(p.to_numpy() - q.to_numpy()).sum())


# ------------------------------------------------------------------------- follow-up
@dataclass(frozen=True)
class FollowUpResult:
    """Follow-up per patient (last minus first visit time), real vs synthetic.

    Attributes:
        real_mean, real_ci_low, real_ci_high: Real mean follow-up and its 95 % t-interval.
        synthetic_mean, synthetic_ci_low, synthetic_ci_high: The same for synthetic data.
        ks: KS statistic between the two follow-up distributions.
        synthetic_mean_in_real_ci: Whether the synthetic mean lies in the real interval.
    """

    real_mean: float
    real_ci_low: float
    real_ci_high: float
    synthetic_mean: float
    synthetic_ci_low: float
    synthetic_ci_high: float
    ks: float
    synthetic_mean_in_real_ci: bool

    @property
    def score(self) -> float:
        """``1 - KS`` of the follow-up distributions."""
        return 1.0 - self.ks

    def to_dict(self) -> dict[str, float]:
        """Flat figures."""
        return {
            "score": self.score,
            "real_mean": self.real_mean,
            "real_ci_low": self.real_ci_low,
            "real_ci_high": self.real_ci_high,
            "synthetic_mean": self.synthetic_mean,
            "synthetic_ci_low": self.synthetic_ci_low,
            "synthetic_ci_high": self.synthetic_ci_high,
            "ks": self.ks,
            "synthetic_mean_in_real_ci": float(self.synthetic_mean_in_real_ci),
        }


def follow_up(tables: LongTables) -> FollowUpResult:
    """Compare per-patient follow-up (mean, 95 % CI, KS)."""
    real = _per_patient(tables.real, tables.id_column, tables.time_column)["follow_up"]
    syn = _per_patient(tables.synthetic, tables.id_column, tables.time_column)["follow_up"]
    r_mean, r_low, r_high = _mean_ci(real.to_numpy())
    s_mean, s_low, s_high = _mean_ci(syn.to_numpy())
    ks, _ = _ks(real.to_numpy(float), syn.to_numpy(float))
    return FollowUpResult(
        r_mean, r_low, r_high, s_mean, s_low, s_high, ks, bool(r_low <= s_mean <= r_high)
    )


# ------------------------------------------------------------------------ event rate
@dataclass(frozen=True)
class EventRateResult:
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

    def to_dict(self) -> dict[str, float]:
        """Flat figures."""
        return {
            "score": self.score,
            "real_pooled": self.real_pooled,
            "synthetic_pooled": self.synthetic_pooled,
            "real_mean_per_patient": self.real_mean_per_patient,
            "synthetic_mean_per_patient": self.synthetic_mean_per_patient,
            "relative_error": self.relative_error,
        }


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
    index = patient_index(data, id_column)
    per = _per_patient(data, id_column, time_column)
    counts = pd.to_numeric(data[event_column], errors="coerce").fillna(0.0).to_numpy(float)
    if not count_first_visit:
        counts = counts.copy()
        counts[index.starts] = 0.0
    events = np.add.reduceat(counts, index.starts) if counts.size else np.zeros(0)
    years = per["follow_up"].to_numpy() / time_per_year
    keep = years > 0
    if not keep.any():
        return float("nan"), float("nan")
    pooled = float(events[keep].sum() / years[keep].sum())
    return pooled, float(np.mean(events[keep] / years[keep]))


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


# -------------------------------------------------------------------- category shares
@dataclass(frozen=True)
class CategorySharesResult:
    """Share of visits per category of each categorical visit column.

    Attributes:
        tvd: Total variation distance per column.
        real_shares, synthetic_shares: ``{column: {level: share}}`` (missing as ``nan``).
    """

    tvd: dict[str, float]
    real_shares: dict[str, dict[Any, float]] = field(repr=False)
    synthetic_shares: dict[str, dict[Any, float]] = field(repr=False)

    @property
    def score(self) -> float:
        """``1 - mean TVD`` over columns (1.0 without categorical visit columns)."""
        return 1.0 - float(np.mean(list(self.tvd.values()))) if self.tvd else 1.0

    def to_dict(self) -> dict[str, float]:
        """Flat figures: the score and each column's TVD."""
        result = {"score": self.score}
        result.update({f"tvd_{c}": v for c, v in self.tvd.items()})
        return result


def category_shares(tables: LongTables) -> CategorySharesResult:
    """Compare the share of visits in each level of every categorical visit column."""
    tvd, real_shares, syn_shares = {}, {}, {}
    for column in tables.categorical_visit:
        r, s = tables.real[column], tables.synthetic[column]
        tvd[column] = _tvd(r, s)
        real_shares[column] = r.value_counts(normalize=True, dropna=False).to_dict()
        syn_shares[column] = s.value_counts(normalize=True, dropna=False).to_dict()
    return CategorySharesResult(tvd, real_shares, syn_shares)


# ------------------------------------------------------------------- visit numerics
@dataclass(frozen=True)
class VisitNumericsResult:
    """Per-visit marginals of the numerical visit columns (all visit rows pooled).

    Attributes:
        table: Rows per column; columns ``real_mean, real_sd, synthetic_mean,
            synthetic_sd, ks, ks_pvalue``.
    """

    table: pd.DataFrame

    @property
    def score(self) -> float:
        """``1 - mean KS`` over the columns (1.0 without numerical visit columns)."""
        return 1.0 - float(self.table["ks"].mean()) if len(self.table) else 1.0

    def to_dict(self) -> dict[str, float]:
        """Flat figures: the score and each column's KS statistic."""
        result = {"score": self.score}
        result.update({f"ks_{c}": float(row["ks"]) for c, row in self.table.iterrows()})
        return result


def _summary_rows(real: pd.DataFrame, syn: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    rows = {}
    for column in columns:
        r = pd.to_numeric(real[column], errors="coerce").to_numpy(float)
        s = pd.to_numeric(syn[column], errors="coerce").to_numpy(float)
        ks, p = _ks(r, s)
        rows[column] = {
            "real_mean": float(np.nanmean(r)) if np.isfinite(r).any() else np.nan,
            "real_sd": float(np.nanstd(r, ddof=1)) if np.isfinite(r).sum() > 1 else np.nan,
            "synthetic_mean": float(np.nanmean(s)) if np.isfinite(s).any() else np.nan,
            "synthetic_sd": float(np.nanstd(s, ddof=1)) if np.isfinite(s).sum() > 1 else np.nan,
            "ks": ks if np.isfinite(ks) else 1.0,
            "ks_pvalue": p,
        }
    columns_out = ["real_mean", "real_sd", "synthetic_mean", "synthetic_sd", "ks", "ks_pvalue"]
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns_out)


def visit_numerics(tables: LongTables) -> VisitNumericsResult:
    """Mean, SD and KS statistic of every numerical visit column over all visits."""
    return VisitNumericsResult(_summary_rows(tables.real, tables.synthetic, tables.numerical_visit))


# --------------------------------------------------------------------- static numerics
@dataclass(frozen=True)
class StaticNumericsResult(VisitNumericsResult):
    """Summary statistics and KS test per static numerical column (one row per patient).

    The same table and score as :class:`VisitNumericsResult`; the figures add p-values.
    """

    def to_dict(self) -> dict[str, float]:
        """Flat figures: the score and each column's KS statistic and p-value."""
        result = {"score": self.score}
        for column, row in self.table.iterrows():
            result[f"ks_{column}"] = float(row["ks"])
            result[f"ks_pvalue_{column}"] = float(row["ks_pvalue"])
        return result


def _static_rows(data: pd.DataFrame, id_column: str, columns: Sequence[str]) -> pd.DataFrame:
    return data.drop_duplicates(subset=id_column, keep="first")[list(columns)]


def static_numerics(tables: LongTables) -> StaticNumericsResult:
    """Mean, SD and two-sample KS test of every static numerical column."""
    real = _static_rows(tables.real, tables.id_column, tables.numerical_static)
    syn = _static_rows(tables.synthetic, tables.id_column, tables.numerical_static)
    return StaticNumericsResult(_summary_rows(real, syn, tables.numerical_static))


# --------------------------------------------------------------------------- Spearman
@dataclass(frozen=True)
class SpearmanResult:
    """Spearman correlations of column pairs, real vs synthetic.

    Attributes:
        table: One row per pair: ``real, synthetic, abs_difference``.
    """

    table: pd.DataFrame

    @property
    def score(self) -> float:
        """``1 - mean |rho_real - rho_syn| / 2`` (1.0 without pairs)."""
        return 1.0 - float(self.table["abs_difference"].mean()) / 2 if len(self.table) else 1.0

    @property
    def max_abs_difference(self) -> float:
        """The largest absolute difference of one pair (0 without pairs)."""
        return float(self.table["abs_difference"].max()) if len(self.table) else 0.0

    @property
    def lag1_mean_abs_difference(self) -> float:
        """Mean absolute difference of the lag-1 pairs only (NaN without them)."""
        lagged = np.array([str(pair).endswith(" lag1") for pair in self.table.index], dtype=bool)
        return float(self.table.loc[lagged, "abs_difference"].mean()) if lagged.any() else np.nan

    def to_dict(self) -> dict[str, float]:
        """Flat figures: the score, largest and lag-1 differences, number of pairs."""
        return {
            "score": self.score,
            "max_abs_difference": self.max_abs_difference,
            "lag1_mean_abs_difference": self.lag1_mean_abs_difference,
            "n_pairs": float(len(self.table)),
        }


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
    """Spearman correlations among the static numerical columns (one row per patient)."""
    real = _static_rows(tables.real, tables.id_column, tables.numerical_static)
    syn = _static_rows(tables.synthetic, tables.id_column, tables.numerical_static)
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


def spearman_longitudinal(tables: LongTables) -> SpearmanResult:
    """Spearman correlations over visits, and lag-1 within patient.

    Pairs: every two of (time since first visit, numerical visit columns) over all visit
    rows, plus each numerical visit column at visit k against the same column at visit
    k + 1 of the same patient (named ``"<column> lag1"``).
    """
    real = _longitudinal_frame(tables.real, tables)
    syn = _longitudinal_frame(tables.synthetic, tables)
    table = _pairs(real, syn)
    rows = {}
    for column in tables.numerical_visit:
        values = []
        for data, frame in ((tables.real, real), (tables.synthetic, syn)):
            index = patient_index(data, tables.id_column)
            same = index.patient_of_row()[1:] == index.patient_of_row()[:-1]
            x = frame[column].to_numpy()
            pair = pd.DataFrame({"a": x[:-1][same], "b": x[1:][same]})
            rho = _spearman(pair).loc["a", "b"] if len(pair) > 1 else 0.0
            values.append(float(rho))
        rows[f"{column} lag1"] = {
            "real": values[0], "synthetic": values[1], "abs_difference": abs(values[0] - values[1])
        }  # fmt: skip
    lagged = pd.DataFrame.from_dict(rows, orient="index", columns=list(table.columns))
    return SpearmanResult(pd.concat([table, lagged]) if len(lagged) else table)


# ----------------------------------------------------------------- sequence and gaps
@dataclass(frozen=True)
class SequenceLengthResult:
    """Visits per patient, real vs synthetic.

    Attributes:
        tvd: Total variation distance of the visit-count distributions.
        ks: KS statistic of the visit counts.
        real_mean, synthetic_mean: Mean visits per patient.
    """

    tvd: float
    ks: float
    real_mean: float
    synthetic_mean: float

    @property
    def score(self) -> float:
        """``1 - TVD``."""
        return 1.0 - self.tvd

    def to_dict(self) -> dict[str, float]:
        """Flat figures."""
        return {
            "score": self.score,
            "tvd": self.tvd,
            "ks": self.ks,
            "real_mean": self.real_mean,
            "synthetic_mean": self.synthetic_mean,
        }


def sequence_length(tables: LongTables) -> SequenceLengthResult:
    """Compare the distributions of visits per patient."""
    real = _per_patient(tables.real, tables.id_column, tables.time_column)["visits"]
    syn = _per_patient(tables.synthetic, tables.id_column, tables.time_column)["visits"]
    ks, _ = _ks(real.to_numpy(float), syn.to_numpy(float))
    return SequenceLengthResult(_tvd(real, syn), ks, float(real.mean()), float(syn.mean()))


@dataclass(frozen=True)
class VisitGapResult:
    """Gaps between consecutive visits, real vs synthetic.

    Attributes:
        wasserstein_log: Wasserstein-1 distance between the log gaps (0 when neither
            table has a second visit, NaN when only one has).
        ks: KS statistic of the gaps (1 when only one table has a second visit).
        real_median, synthetic_median: Median gaps (time units; NaN without gaps).
    """

    wasserstein_log: float
    ks: float
    real_median: float
    synthetic_median: float

    @property
    def score(self) -> float:
        """``1 - KS`` (1.0 when neither table has a second visit)."""
        return 1.0 - self.ks if np.isfinite(self.ks) else 1.0

    def to_dict(self) -> dict[str, float]:
        """Flat figures."""
        return {
            "score": self.score,
            "wasserstein_log": self.wasserstein_log,
            "ks": self.ks,
            "real_median": self.real_median,
            "synthetic_median": self.synthetic_median,
        }


def _median(values: np.ndarray) -> float:
    return float(np.median(values)) if values.size else np.nan


def visit_gaps(tables: LongTables) -> VisitGapResult:
    """Compare the distributions of gaps between consecutive visits."""
    real = _gaps(tables.real, tables.id_column, tables.time_column)
    syn = _gaps(tables.synthetic, tables.id_column, tables.time_column)
    if real.size == 0 or syn.size == 0:
        # no distance between a distribution and nothing: NaN, and the worst KS
        both_empty = real.size == 0 and syn.size == 0
        ks = 0.0 if both_empty else 1.0
        return VisitGapResult(0.0 if both_empty else np.nan, ks, _median(real), _median(syn))
    distance = float(stats.wasserstein_distance(np.log(real), np.log(syn)))
    ks, _ = _ks(real, syn)
    return VisitGapResult(distance, ks, _median(real), _median(syn))


# ------------------------------------------------------------ per-patient features
def patient_features(data: pd.DataFrame, tables: LongTables) -> pd.DataFrame:
    """Numeric summary features per patient (one row per patient, table order).

    Visits, follow-up, first time, mean/min/max log gap, static columns (numerical as
    numbers, others as level codes shared between real and synthetic data), and per
    numerical visit column the first, last, mean, SD and slope against time; per
    categorical visit column the share of the patient's visits in each level.
    """
    index = patient_index(data, tables.id_column)
    per = _per_patient(data, tables.id_column, tables.time_column)
    times = data[tables.time_column].to_numpy(dtype=float)
    patient = index.patient_of_row()
    features = per.copy()
    same = np.zeros(len(times), dtype=bool)
    same[1:] = patient[1:] == patient[:-1]
    gaps = np.full(len(times), np.nan)
    gaps[1:] = np.where(same[1:], np.log(np.maximum(np.diff(times), 1e-12)), np.nan)
    gap_frame = pd.DataFrame({"p": patient, "g": gaps}).groupby("p")["g"]
    features["gap_mean"] = gap_frame.mean().to_numpy()
    features["gap_min"] = gap_frame.min().to_numpy()
    features["gap_max"] = gap_frame.max().to_numpy()
    first_rows = data.iloc[index.starts]
    levels = _shared_levels(tables)
    for column in tables.static_columns:
        values = first_rows[column]
        if column in tables.numerical_static:
            features[f"static_{column}"] = pd.to_numeric(values, errors="coerce").to_numpy(float)
        else:
            lookup = {level: code for code, level in enumerate(levels[column])}
            features[f"static_{column}"] = values.map(lookup).to_numpy(dtype=float)
    t = times - np.repeat(times[index.starts], index.lengths)
    for column in tables.numerical_visit:
        x = pd.to_numeric(data[column], errors="coerce").to_numpy(float)
        frame = pd.DataFrame({"p": patient, "x": x, "t": t, "xt": x * t, "tt": t * t})
        g = frame.groupby("p")
        n = g["x"].count().to_numpy(float)
        mean_x, mean_t = g["x"].mean().to_numpy(), g["t"].mean().to_numpy()
        cov = g["xt"].mean().to_numpy() - mean_x * mean_t
        var = g["tt"].mean().to_numpy() - mean_t**2
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where((var > 1e-12) & (n > 1), cov / var, 0.0)
        features[f"{column}_first"] = g["x"].first().to_numpy()
        features[f"{column}_last"] = g["x"].last().to_numpy()
        features[f"{column}_mean"] = mean_x
        features[f"{column}_sd"] = g["x"].std().fillna(0.0).to_numpy()
        features[f"{column}_slope"] = slope
    for column in tables.categorical_visit:
        values = data[column].astype(object).where(data[column].notna(), "__missing__")
        for level in levels[column][:20]:
            hit = (values == level).to_numpy(float)
            features[f"{column}={level}"] = np.add.reduceat(hit, index.starts) / index.lengths
    return features


def _shared_levels(tables: LongTables) -> dict[str, list[Any]]:
    levels = {}
    for column in (*tables.static_columns, *tables.categorical_visit):
        pooled = pd.concat([tables.real[column], tables.synthetic[column]]).astype(object)
        pooled = pooled.where(pooled.notna(), "__missing__")
        counts = pooled.value_counts()
        levels[column] = list(counts.index)
    return levels


# ----------------------------------------------------------------- discriminative
@dataclass(frozen=True)
class DiscriminativeResult:
    """How well a classifier tells real from synthetic patients.

    Attributes:
        accuracy: Mean cross-validated accuracy (0.5 = indistinguishable).
        n_per_class: Patients per class used.
        n_folds: Cross-validation folds.
    """

    accuracy: float
    n_per_class: int
    n_folds: int

    @property
    def score(self) -> float:
        """``1 - 2 max(accuracy - 0.5, 0)``: 1 when the classifier does no better than chance.

        Accuracy below 0.5 is not a sign of a difference: held-out patients whose twins
        sit in the training folds with the other label (copies, or a table compared with
        itself) pull it down. SDMetrics' detection metrics clip at chance the same way.
        """
        return float(np.clip(1.0 - 2.0 * max(self.accuracy - 0.5, 0.0), 0.0, 1.0))

    def to_dict(self) -> dict[str, float]:
        """Flat figures."""
        return {
            "score": self.score,
            "accuracy": self.accuracy,
            "n_per_class": float(self.n_per_class),
        }


def discriminative(
    tables: LongTables,
    *,
    n_folds: int = 5,
    max_patients: int = 5000,
    random_state: int = 0,
) -> DiscriminativeResult:
    """Cross-validated gradient boosting on per-patient summary features.

    Equal numbers of real and synthetic patients are drawn (at most ``max_patients`` per
    class), then ``n_folds``-fold stratified cross-validation gives the accuracy.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from threadpoolctl import threadpool_limits

    n_folds = check_int(n_folds, "n_folds", minimum=2)
    real = patient_features(tables.real, tables)
    syn = patient_features(tables.synthetic, tables)
    rng = np.random.default_rng(random_state)
    n = min(len(real), len(syn), check_int(max_patients, "max_patients", minimum=2))
    if n < n_folds:
        raise InvalidDataError(
            f"the discriminative score needs at least n_folds={n_folds} patients per table, got {n}"
        )
    x = pd.concat(
        [real.iloc[rng.choice(len(real), n, replace=False)],
         syn.iloc[rng.choice(len(syn), n, replace=False)]], ignore_index=True,
    ).to_numpy(float)  # fmt: skip
    y = np.r_[np.ones(n), np.zeros(n)]
    model = HistGradientBoostingClassifier(
        max_iter=50, max_leaf_nodes=15, random_state=random_state
    )
    folds = StratifiedKFold(n_folds, shuffle=True, random_state=random_state)
    # one OpenMP thread: gradient boosting spins badly on a busy or small machine
    with threadpool_limits(limits=1, user_api="openmp"):
        accuracy = float(cross_val_score(model, x, y, cv=folds, scoring="accuracy").mean())
    return DiscriminativeResult(accuracy, n, n_folds)


# ---------------------------------------------------------------------- predictive
@dataclass(frozen=True)
class PredictiveResult:
    """Train on synthetic, test on real: predicting a visit column at the next visit.

    Attributes:
        target: The predicted visit column.
        task: ``"regression"`` (R²) or ``"classification"`` (accuracy).
        train_real: Score of the model trained on 70 % of the real patients (TRTR).
        train_synthetic: Score of the model trained on the synthetic patients (TSTR).
    """

    target: str
    task: str
    train_real: float
    train_synthetic: float

    @property
    def score(self) -> float:
        """``min(1, max(0, TSTR / TRTR))`` (0 when TRTR is not positive)."""
        if not np.isfinite(self.train_real) or self.train_real <= 0:
            return 0.0
        return float(np.clip(self.train_synthetic / self.train_real, 0.0, 1.0))

    def to_dict(self) -> dict[str, float]:
        """Flat figures."""
        return {
            "score": self.score,
            "train_real": self.train_real,
            "train_synthetic": self.train_synthetic,
        }


def _transitions(
    data: pd.DataFrame, tables: LongTables, target: str, levels: dict[str, list[Any]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features of visit k (+ gap, time, statics), target at visit k + 1, patient number."""
    index = patient_index(data, tables.id_column)
    patient = index.patient_of_row()
    times = data[tables.time_column].to_numpy(dtype=float)
    since = times - np.repeat(times[index.starts], index.lengths)
    columns = {"since_first": since}
    for column in (*tables.visit_columns, *tables.static_columns):
        values = data[column]
        if column in tables.numerical_visit or column in tables.numerical_static:
            columns[column] = pd.to_numeric(values, errors="coerce").to_numpy(float)
        else:
            lookup = {level: code for code, level in enumerate(levels[column])}
            values = values.astype(object).where(values.notna(), "__missing__")
            columns[column] = values.map(lookup).to_numpy(dtype=float)
    x = pd.DataFrame(columns).to_numpy(float)
    same = patient[1:] == patient[:-1]
    gap = np.diff(times)[same]
    features = np.column_stack([x[:-1][same], np.log(np.maximum(gap, 1e-12))])
    return features, pd.DataFrame(columns)[target].to_numpy()[1:][same], patient[1:][same]


def predictive(
    tables: LongTables,
    target: str | None = None,
    *,
    test_fraction: float = 0.3,
    max_transitions: int = 200_000,
    random_state: int = 0,
) -> PredictiveResult:
    """Train on synthetic / on real, test on held-out real patients: the next visit's value.

    Args:
        tables: Checked tables.
        target: The visit column to predict; None takes the first numerical visit column
            (else the first categorical one).
        test_fraction: Share of real patients held out for testing (0.3).
        max_transitions: Training transitions kept per model (subsampled beyond).
        random_state: Seed of the split, the subsampling and the models.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.metrics import accuracy_score, r2_score
    from threadpoolctl import threadpool_limits

    if target is None:
        candidates = [*tables.numerical_visit, *tables.categorical_visit]
        target = candidates[0]
    if target not in tables.visit_columns:
        raise InvalidParameterError(
            f"target {target!r} must be a visit column; visit columns are "
            f"{list(tables.visit_columns)}"
        )
    check_number(test_fraction, "test_fraction", minimum=0.0, maximum=1.0, exclusive=True)
    levels = _shared_levels(tables)
    x_real, y_real, p_real = _transitions(tables.real, tables, target, levels)
    x_syn, y_syn, _ = _transitions(tables.synthetic, tables, target, levels)
    regression = target in tables.numerical_visit
    rng = np.random.default_rng(random_state)
    n_patients = int(p_real.max()) + 1 if p_real.size else 0
    test_patients = rng.random(n_patients) < test_fraction
    test = test_patients[p_real] if p_real.size else np.zeros(0, dtype=bool)
    keep_real, keep_syn = np.isfinite(y_real), np.isfinite(y_syn)
    train_rows = np.flatnonzero(~test & keep_real)
    test_rows = np.flatnonzero(test & keep_real)
    syn_rows = np.flatnonzero(keep_syn)
    if min(train_rows.size, test_rows.size, syn_rows.size) < 10:
        raise InvalidDataError(
            "the predictive score needs at least 10 transitions (pairs of consecutive "
            f"visits with a known {target!r}) in each of real-train, real-test and synthetic"
        )

    def fit_score(rows: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
        if rows.size > max_transitions:
            rows = rng.choice(rows, max_transitions, replace=False)
        if regression:
            model = HistGradientBoostingRegressor(
                max_iter=50, max_leaf_nodes=15, random_state=random_state
            )
            model.fit(x[rows], y[rows])
            return float(r2_score(y_real[test_rows], model.predict(x_real[test_rows])))
        if np.unique(y[rows]).size < 2:
            prediction = np.full(test_rows.size, y[rows][0])
        else:
            model = HistGradientBoostingClassifier(
                max_iter=50, max_leaf_nodes=15, random_state=random_state
            )
            model.fit(x[rows], y[rows].astype(int))
            prediction = model.predict(x_real[test_rows])
        return float(accuracy_score(y_real[test_rows].astype(int), prediction))

    with threadpool_limits(limits=1, user_api="openmp"):
        trtr = fit_score(train_rows, x_real, y_real)
        if regression and not trtr > 0:
            raise InvalidDataError(
                f"the real data do not predict the next {target!r} (R² {trtr:.3f} on held-out "
                "real patients), so there is no real baseline to compare with: choose another "
                "predictive_target"
            )
        tstr = fit_score(syn_rows, x_syn, y_syn)
    return PredictiveResult(target, "regression" if regression else "classification", trtr, tstr)


# -------------------------------------------------------------------------- headline
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
    check_number(time_per_year, "time_per_year", minimum=0.0, exclusive=True)
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
        if name in ("spearman_static", "static_ks") and not tables.numerical_static:
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
            if name not in ("discriminative", "predictive"):
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

"""Checked real and synthetic long tables, their column split and per-patient views."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.encoding.roles import NUMERIC_ROLES
from synth_plugins.errors import InvalidParameterError, infinite_values
from synth_plugins.long_format import (
    check_long_format,
    check_static_columns,
    infer_static_columns,
    patient_index,
)
from synth_plugins.metrics.validation import _kind, align_columns, column_role, name_list


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


#: The longitudinal metrics' one exception to the metrics' column rule
#: (:func:`~synth_plugins.metrics.validation.column_role`, whose ``infer_role`` reads up to
#: 10 distinct whole numbers as levels): here whole numbers with more than two levels are
#: numbers. A stage, a score on a grid or a count (PBC's histologic stage 1-4, a relapse
#: count) is ordered, and the parts that follow patients over time (Spearman with time and
#: at lag 1, the trajectory of the mean by year, per-patient slopes) need that order; as
#: levels such a column would only be compared by shares. List it in
#: ``categorical_columns`` to compare it as levels.
MAX_NUMERIC_LEVELS = 2


def _is_numerical(frames: Sequence[pd.DataFrame], column: str) -> bool:
    """Whether the parts read ``column`` as numbers (else as levels).

    The role is :func:`~synth_plugins.metrics.validation.column_role`'s with
    :data:`MAX_NUMERIC_LEVELS`: ``numerical`` and ``integer`` columns are numbers (numbers
    written as text included), and so is a key made of numbers (``identifier``), whose
    values as levels would each be a level of its own; binary, categorical and ordinal
    columns, dates and text keys are levels. A column with no observed value in either
    table is levels too: missing is then its one level, which both tables share (as
    numbers it would have nothing to compare, and score as the worst).
    """
    if not any(frame[column].notna().any() for frame in frames):
        return False
    role = column_role(frames, column, MAX_NUMERIC_LEVELS)
    if role == "identifier":
        return _kind(frames[0][column]) == "numbers"
    return role in NUMERIC_ROLES


def _holds_infinity(series: pd.Series, numerical: bool) -> bool:
    """Whether ``series`` holds an infinite number.

    A numerical column is read as numbers (text numbers included); a categorical one only
    when it holds numbers (codes), where inf would otherwise be scored as a level: a text
    label stays a label.
    """
    if numerical:
        return bool(np.isinf(pd.to_numeric(series, errors="coerce").to_numpy(float)).any())
    if isinstance(series.dtype, pd.CategoricalDtype):  # judged by its values
        series = series.dropna().astype(series.cat.categories.dtype)
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return False
    return bool(np.isinf(series.to_numpy(float)).any())


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
            codes). The other columns are numbers or categories by the metrics' column
            rule, whole numbers of more than two levels being numbers here (see
            :func:`_is_numerical`).

    Raises:
        InvalidDataError: A malformed long table (see ``check_long_format``), different
            columns in the two tables, a column holding text labels in one table and
            numbers (codes) in the other, or infinite values in a column.
        InvalidParameterError: Unknown column names.
    """
    real = check_long_format(real, id_column, time_column, name="real")
    synthetic = check_long_format(synthetic, id_column, time_column, name="synthetic")
    # the table metrics' column rules (labels against codes refused); ids are never compared
    align_columns(
        real.drop(columns=id_column), synthetic.drop(columns=id_column), "real", "synthetic"
    )
    synthetic = synthetic[list(real.columns)]
    if static_columns is None:
        static = infer_static_columns(real, id_column, time_column)
    else:
        static = check_static_columns(real, id_column, time_column, static_columns)
    visit = [c for c in real.columns if c not in (id_column, time_column, *static)]
    forced = set()
    if categorical_columns is not None:
        forced = set(name_list("categorical_columns", categorical_columns))
        unknown = sorted(forced - set(real.columns))
        if unknown:
            raise InvalidParameterError(f"categorical_columns are not columns: {unknown}")
    frames = (real, synthetic)
    numerical_visit = [c for c in visit if c not in forced and _is_numerical(frames, c)]
    categorical_visit = [c for c in visit if c not in numerical_visit]
    numerical_static = [c for c in static if c not in forced and _is_numerical(frames, c)]
    numerical = {*numerical_visit, *numerical_static}
    for name, frame in (("real", real), ("synthetic", synthetic)):
        for column in (*static, *visit):
            if _holds_infinity(frame[column], column in numerical):
                raise infinite_values(column, name)
    return LongTables(
        real, synthetic, id_column, time_column, tuple(static), tuple(visit),
        tuple(numerical_visit), tuple(categorical_visit), tuple(numerical_static),
    )  # fmt: skip


def per_patient(data: pd.DataFrame, id_column: str, time_column: str) -> pd.DataFrame:
    """Visits, follow-up and first time per patient (table order)."""
    index = patient_index(data, id_column)
    times = data[time_column].to_numpy(dtype=float)
    first = times[index.starts]
    last = times[index.last_rows]
    return pd.DataFrame({"visits": index.lengths, "follow_up": last - first, "first": first})


def gaps_of(data: pd.DataFrame, id_column: str, time_column: str) -> np.ndarray:
    """Time between consecutive visits of the same patient, all patients pooled."""
    index = patient_index(data, id_column)
    times = data[time_column].to_numpy(dtype=float)
    return np.diff(times)[~index.is_last_row()[:-1]]


def static_rows(data: pd.DataFrame, id_column: str, columns: Sequence[str]) -> pd.DataFrame:
    """One row per patient (its first) with ``columns``."""
    return data.iloc[patient_index(data, id_column).starts][list(columns)]


def shared_levels(tables: LongTables) -> dict[str, list[Any]]:
    """Levels of each static and categorical visit column over both tables, commonest first.

    Missing values are the level ``"__missing__"``; codes mean the same in both tables.
    """
    levels = {}
    for column in (*tables.static_columns, *tables.categorical_visit):
        pooled = pd.concat([tables.real[column], tables.synthetic[column]]).astype(object)
        pooled = pooled.where(pooled.notna(), "__missing__")
        counts = pooled.value_counts()
        levels[column] = list(counts.index)
    return levels

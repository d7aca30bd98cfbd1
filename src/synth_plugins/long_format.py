"""Long-format visit tables: checks and per-patient splits shared by generators, metrics and hosts.

Long format is one row per visit: a patient id column, a visit time column, per-patient
("static") columns that repeat on every visit row of a patient, and per-visit columns. This
module only uses pandas/numpy, so the longitudinal core, the longitudinal metrics and both host
adapters import it (none of them imports another for it) and none of them needs torch for it.

Rules enforced by :func:`check_long_format` (each violation raises
:class:`~synth_plugins.errors.InvalidDataError` naming the patients at fault):

- the id and time columns exist, ids are never missing;
- the time column is numeric (not boolean, not datetime: convert dates to numbers first);
- every row has a finite time (a row without a time is a patient without a visit);
- no two rows of a patient share a time (duplicate ``(id, time)``);
- the rows of each patient are in increasing time order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError, InvalidParameterError

#: How many offending patient ids an error message lists.
_SHOWN = 5
#: Days per year: the ``time_per_year`` of visit times counted in days (times from dates).
DAYS_PER_YEAR = 365.25


def _ids(values: Iterable[object]) -> str:
    listed = list(values)
    shown = ", ".join(repr(v) for v in listed[:_SHOWN])
    return shown + (f" (and {len(listed) - _SHOWN} more)" if len(listed) > _SHOWN else "")


def check_long_format(
    data: object, id_column: str, time_column: str, *, name: str = "data"
) -> pd.DataFrame:
    """Validate a long-format visit table and return it with each patient's rows together.

    Patients keep the order of their first row; a patient's rows keep their order (which
    must already be increasing in time). The index is reset.

    Args:
        data: The table to check.
        id_column: The patient identifier column.
        time_column: The visit time column (numeric).
        name: The argument name used in error messages.

    Raises:
        InvalidDataError: For a non-DataFrame, an empty table, missing id/time columns,
            missing ids, a non-numeric time column, a row without a (finite) time,
            duplicate ``(id, time)`` rows or times that decrease within a patient.
        InvalidParameterError: When ``id_column`` and ``time_column`` are the same.
    """
    if not isinstance(data, pd.DataFrame):
        raise InvalidDataError(f"{name} must be a pandas DataFrame, got {type(data).__name__}")
    if id_column == time_column:
        raise InvalidParameterError(
            f"id_column and time_column must differ, both are {id_column!r}"
        )
    for role, column in (("id_column", id_column), ("time_column", time_column)):
        if column not in data.columns:
            raise InvalidDataError(
                f"{name} has no {role} {column!r}; columns are {list(data.columns)}"
            )
    duplicated = data.columns[data.columns.duplicated()].tolist()
    if duplicated:
        raise InvalidDataError(f"{name} has repeated column names: {duplicated}")
    if data.empty:
        raise InvalidDataError(f"{name} is empty: at least one visit row is needed")
    ids = data[id_column]
    if ids.isna().any():
        raise InvalidDataError(
            f"{name} has {int(ids.isna().sum())} row(s) without a patient id ({id_column!r})"
        )
    times = data[time_column]
    if (
        pd.api.types.is_bool_dtype(times)
        or not pd.api.types.is_numeric_dtype(times)
        or isinstance(times.dtype, pd.CategoricalDtype)
    ):
        hint = (
            " (convert dates to numbers first, e.g. days since a reference date)"
            if pd.api.types.is_datetime64_any_dtype(times) or times.dtype == object
            else ""
        )
        raise InvalidDataError(
            f"time column {time_column!r} of {name} must be numeric, got dtype {times.dtype}{hint}"
        )
    values = times.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        patients = pd.unique(ids[bad])
        raise InvalidDataError(
            f"{name}: {int(bad.sum())} row(s) have no finite visit time ({time_column!r} is "
            f"missing or infinite), i.e. patients without a visit: ids {_ids(patients)}; "
            "drop those rows or give every visit a time"
        )
    codes, _ = pd.factorize(ids, sort=False)
    order = np.argsort(codes, kind="stable")
    grouped = data.iloc[order].reset_index(drop=True)
    codes = codes[order]
    values = values[order]
    same_patient = codes[1:] == codes[:-1]
    step = np.diff(values)
    duplicate = same_patient & (step == 0)
    if duplicate.any():
        patients = pd.unique(grouped[id_column].to_numpy()[1:][duplicate])
        raise InvalidDataError(
            f"{name} has duplicate ({id_column!r}, {time_column!r}) rows: patients "
            f"{_ids(patients)} have two visits at the same time; merge or drop them"
        )
    decreasing = same_patient & (step < 0)
    if decreasing.any():
        patients = pd.unique(grouped[id_column].to_numpy()[1:][decreasing])
        raise InvalidDataError(
            f"{name}: visit times are not sorted within patients {_ids(patients)}; sort the "
            f"rows first, e.g. data.sort_values([{id_column!r}, {time_column!r}])"
        )
    return grouped


def visit_order(ids: pd.Series, times: pd.Series) -> np.ndarray:
    """Row positions that put each patient's rows together and in time order.

    Patients keep the order of their first row; rows of one patient at equal times keep
    theirs (a stable sort). The hosts sort a table given in any row order with it, as the
    cores' :func:`check_long_format` wants it.
    """
    patients = pd.factorize(ids, sort=False)[0]
    return np.lexsort((times.to_numpy(dtype=float, na_value=np.nan), patients))


@dataclass(frozen=True)
class PatientIndex:
    """Where each patient's rows are in a table checked by :func:`check_long_format`.

    Attributes:
        ids: The patient ids, in table order.
        starts: The first row of each patient.
        lengths: The number of visits of each patient.
    """

    ids: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray

    @property
    def n_patients(self) -> int:
        """The number of patients."""
        return len(self.ids)

    def patient_of_row(self) -> np.ndarray:
        """The patient number (0-based) of every row."""
        return np.repeat(np.arange(self.n_patients), self.lengths)

    def position_of_row(self) -> np.ndarray:
        """The visit number within its patient (0-based) of every row."""
        return np.arange(int(self.lengths.sum())) - np.repeat(self.starts, self.lengths)

    @property
    def last_rows(self) -> np.ndarray:
        """The last row of each patient."""
        return self.starts + self.lengths - 1

    def is_last_row(self) -> np.ndarray:
        """Whether each row is its patient's last visit.

        ``~is_last_row()[:-1]`` says which rows the next row continues (the same patient's
        next visit): the pairs whose time difference is a gap.
        """
        last = np.zeros(int(self.lengths.sum()), dtype=bool)
        last[self.last_rows] = True
        return last

    @classmethod
    def from_ids(cls, ids: np.ndarray) -> PatientIndex:
        """The index of a row-by-row array of patient ids whose equal values are contiguous.

        Each run of equal ids is one patient: where a patient's rows are split, it counts once
        per run, so ``is_last_row`` still says exactly where the next row's id differs (how
        checks of a table's row order use it) and ``n_patients`` exceeds the distinct ids.
        """
        if len(ids) == 0:
            return cls(ids, np.zeros(0, np.int64), np.zeros(0, np.int64))
        change = np.ones(len(ids), dtype=bool)
        change[1:] = pd.Series(ids[1:]).to_numpy() != pd.Series(ids[:-1]).to_numpy()
        starts = np.flatnonzero(change).astype(np.int64)
        lengths = np.diff(np.append(starts, len(ids))).astype(np.int64)
        return cls(ids[starts], starts, lengths)


def patient_index(data: pd.DataFrame, id_column: str) -> PatientIndex:
    """The :class:`PatientIndex` of a table whose patients' rows are contiguous."""
    return PatientIndex.from_ids(data[id_column].to_numpy())


def varies_within_patients(
    data: pd.DataFrame, id_column: str, columns: Sequence[str]
) -> pd.DataFrame:
    """Whether each of ``columns`` takes two values or more (missing is one) within each patient.

    One row per patient, in order of first row (the patients' rows need not be contiguous),
    one boolean column per name in ``columns``. Grouping by a categorical id, only the ids
    that have rows count (``observed=True``): an unused category has no values, so the
    answer is that of pandas' former default, which warned on every call.
    """
    grouped = data.groupby(id_column, sort=False, observed=True)[list(columns)]
    return grouped.nunique(dropna=False) > 1


def constant_within_patients(data: pd.DataFrame, id_column: str, column: str) -> bool:
    """Whether ``column`` has one value (missing counts as a value) within every patient."""
    return not varies_within_patients(data, id_column, [column])[column].any()


def infer_static_columns(
    data: pd.DataFrame, id_column: str, time_column: str, columns: Sequence[str] | None = None
) -> list[str]:
    """The columns (other than id and time) that are constant within every patient."""
    candidates = [
        c for c in (columns if columns is not None else data.columns)
        if c not in (id_column, time_column)
    ]  # fmt: skip
    if not candidates:
        return []
    varies = varies_within_patients(data, id_column, candidates)
    return [c for c in candidates if not varies[c].any()]


def check_static_columns(
    data: pd.DataFrame, id_column: str, time_column: str, static_columns: Iterable[str]
) -> list[str]:
    """Validate declared static columns: they exist and are constant within every patient.

    Raises:
        InvalidParameterError: A name is not a column, or is the id or time column.
        InvalidDataError: A column varies within a patient (the message names patients).
    """
    if isinstance(static_columns, str):
        raise InvalidParameterError(
            f"static_columns must be a list of column names, not the string {static_columns!r}"
        )
    columns = list(static_columns)
    unknown = [c for c in columns if c not in data.columns]
    if unknown:
        raise InvalidParameterError(
            f"static_columns names columns that are not in the data: {unknown}"
        )
    keyed = [c for c in columns if c in (id_column, time_column)]
    if keyed:
        raise InvalidParameterError(f"static_columns must not include the id/time column: {keyed}")
    if columns:
        varies = varies_within_patients(data, id_column, columns)
        for column in columns:
            varying = varies.index[varies[column]]
            if len(varying):
                raise InvalidDataError(
                    f"static column {column!r} changes within patients {_ids(varying)}; a "
                    "static column must have one value per patient (declare it a visit "
                    "column by leaving it out of static_columns)"
                )
    return columns

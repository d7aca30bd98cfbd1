"""The :class:`Dataset` container every loader returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from synth_plugins.encoding.roles import ROLES, Role, discrete_role_columns
from synth_plugins.errors import InvalidDataError

Kind = Literal["tabular", "survival", "longitudinal"]
KINDS: tuple[str, ...] = ("tabular", "survival", "longitudinal")


@dataclass(frozen=True, eq=False)
class Dataset:
    """A loaded dataset: the data, the role of each column and where the data came from.

    Attributes:
        name: Registry name (the one given to :func:`synth_plugins.datasets.load`).
        kind: ``"tabular"`` (one row per patient, optionally a ``target``), ``"survival"``
            (one row per patient with ``duration_column`` and ``event_column``) or
            ``"longitudinal"`` (long format: one row per visit, identified by ``id_column``
            and ordered by ``time_column``; the ``static_columns`` repeat on every visit row).
        data: The data frame. Categorical values keep their natural labels (strings or a
            pandas ``category``), events are ``int`` 0/1, missing values are ``NaN``.
        roles: A role (see :mod:`synth_plugins.encoding.roles`) for every column of ``data``
            except ``id_column`` and ``time_column``; outcome columns have roles too.
        target: Classification/regression target column, if any.
        duration_column: Time-to-event column (strictly positive), if any.
        event_column: Event indicator column (0 = censored, 1 = event), if any.
        id_column: Patient identifier (longitudinal data only).
        time_column: Visit time (longitudinal data only).
        static_columns: Per-patient columns of longitudinal data (constant within a patient).
        visit_columns: Per-visit columns of longitudinal data.
        description: What the data are and which cleaning was done.
        source: Where the data come from (repository, commit, reference).
        license: The data's own licence or terms of use, not those of the package or
            repository that carries the copy read (``carrier``).
        carrier: Who ships the copy the loader reads, with that carrier's licence; empty
            where the data are read from their own source or made here.
        attribution: Whom to cite when using or redistributing the data.
        levels: The order of the levels of ``ordinal`` columns whose order is not the sorted
            order of their values (e.g. Karnofsky scores stored as strings).
        truth: For simulated data: the generating parameters and the quantities they imply
            (e.g. the expected annualised relapse rate); ``None`` for real data.
    """

    name: str
    kind: Kind
    data: pd.DataFrame
    roles: dict[str, Role]
    target: str | None = None
    duration_column: str | None = None
    event_column: str | None = None
    id_column: str | None = None
    time_column: str | None = None
    static_columns: tuple[str, ...] = ()
    visit_columns: tuple[str, ...] = ()
    description: str = ""
    source: str = ""
    license: str = ""
    carrier: str = ""
    attribution: str = ""
    levels: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    truth: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        """Check that the metadata describe the data (a loader bug fails here, loudly)."""
        if self.kind not in KINDS:
            raise InvalidDataError(f"dataset {self.name!r}: kind {self.kind!r} not in {KINDS}")
        columns = list(self.data.columns)
        if len(set(columns)) != len(columns):
            raise InvalidDataError(f"dataset {self.name!r} has duplicated column names")
        named = {
            "target": self.target,
            "duration_column": self.duration_column,
            "event_column": self.event_column,
            "id_column": self.id_column,
            "time_column": self.time_column,
        }
        for attribute, column in named.items():
            if column is not None and column not in columns:
                raise InvalidDataError(
                    f"dataset {self.name!r}: {attribute}={column!r} is not a column"
                )
        keyed = {c for c in (self.id_column, self.time_column) if c is not None}
        expected = [c for c in columns if c not in keyed]
        if sorted(self.roles) != sorted(expected):
            raise InvalidDataError(
                f"dataset {self.name!r}: roles must cover exactly the columns {expected}; "
                f"got {sorted(self.roles)}"
            )
        bad = {c: r for c, r in self.roles.items() if r not in ROLES}
        if bad:
            raise InvalidDataError(f"dataset {self.name!r}: unknown roles {bad}")
        if self.kind == "survival" and (self.duration_column is None or self.event_column is None):
            raise InvalidDataError(f"survival dataset {self.name!r} needs duration and event")
        if self.kind == "longitudinal":
            if self.id_column is None or self.time_column is None:
                raise InvalidDataError(f"longitudinal dataset {self.name!r} needs id and time")
            split = set(self.static_columns) | set(self.visit_columns)
            if split != set(expected) or set(self.static_columns) & set(self.visit_columns):
                raise InvalidDataError(
                    f"dataset {self.name!r}: static_columns and visit_columns must split "
                    f"the columns {expected}"
                )

    @property
    def outcome_columns(self) -> tuple[str, ...]:
        """The target, duration and event columns that are set, in that order, no repeats."""
        found: list[str] = []
        for column in (self.target, self.duration_column, self.event_column):
            if column is not None and column not in found:
                found.append(column)
        return tuple(found)

    @property
    def covariates(self) -> tuple[str, ...]:
        """Columns that are neither an outcome (target/duration/event) nor the id or time."""
        excluded = set(self.outcome_columns) | {self.id_column, self.time_column}
        return tuple(c for c in self.data.columns if c not in excluded)

    @property
    def categorical_columns(self) -> tuple[str, ...]:
        """Columns whose role is ``binary``, ``categorical`` or ``ordinal`` (outcomes included)."""
        return tuple(discrete_role_columns(self.roles, self.data.columns))

    @property
    def n_patients(self) -> int:
        """Number of patients: distinct ids for longitudinal data, else the number of rows."""
        if self.kind == "longitudinal":
            return int(self.data[self.id_column].nunique())
        return len(self.data)

    def static(self) -> pd.DataFrame:
        """Return one row per patient: the id column and the static columns.

        Only for longitudinal data; values are taken from each patient's first visit row
        (missing values stay missing).
        """
        if self.kind != "longitudinal":
            raise InvalidDataError(
                f"static() is for longitudinal data; dataset {self.name!r} is {self.kind} "
                "(its data already have one row per patient)"
            )
        columns = [self.id_column, *self.static_columns]
        first = self.data.drop_duplicates(subset=self.id_column, keep="first")
        return first.loc[:, columns].reset_index(drop=True)

    def visits(self) -> pd.DataFrame:
        """Return the long visit table: id, time and the visit columns (longitudinal only)."""
        if self.kind != "longitudinal":
            raise InvalidDataError(
                f"visits() is for longitudinal data; dataset {self.name!r} is {self.kind}"
            )
        columns = [self.id_column, self.time_column, *self.visit_columns]
        return self.data.loc[:, columns].reset_index(drop=True)

    def __repr__(self) -> str:
        """Short summary (the data frame itself is not printed)."""
        rows = len(self.data)
        extra = f", patients={self.n_patients}" if self.kind == "longitudinal" else ""
        return (
            f"Dataset(name={self.name!r}, kind={self.kind!r}, rows={rows}, "
            f"columns={self.data.shape[1]}{extra}, outcome={list(self.outcome_columns)})"
        )

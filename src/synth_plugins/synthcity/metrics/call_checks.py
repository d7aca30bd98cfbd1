"""Refuse, clearly, the Metrics.evaluate calls that Synthcity cannot encode or would misread.

Before any evaluator runs, ``Metrics.evaluate`` (Synthcity 0.2.12) fits one encoder per
column on the pooled loaders and rebuilds each loader from its encoded frame. A column with
fewer than 15 distinct values gets a ``LabelEncoder``, so a duration column with few
distinct values (a constant table, a handful of rows) becomes codes 0, 1, ...; the rebuilt
``SurvivalAnalysisDataLoader`` then refuses the code 0 with "The time_to_event_column
contains N values less than or equal to zero", which names neither the cause nor the fix.
Every metric of the call fails that way, built-in or ours; :func:`check_survival_durations`
says what is wrong instead, before Synthcity starts.

The same encoding step fails on loaders with different columns (time-series loaders stop
with "y contains previously unseen labels") and on repeated column labels;
:func:`check_same_columns` names the columns. It also refuses an ``X_syn`` that names
another target or duration column than ``X_gt`` (a ``GenericDataLoader`` without
``target_column`` takes its last column, so the same table in another column order
disagrees): Synthcity's built-in metrics would read each table's own outcome, the suite's
``X_gt``'s. Synthcity's label encoder also stops, naming no column, on a column that
mixes text with numbers and on pandas ``string`` columns with missing values, and its
datetime encoder on time-zone-aware dates; :func:`check_encodable` names the column and
the conversion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from synth_plugins.encoding.labels import check_labels
from synth_plugins.errors import InvalidDataError
from synth_plugins.synthcity.checks import check_one_kind
from synth_plugins.synthcity.roles import SYNTHCITY_MAX_LEVELS


def frame_of(data: Any) -> pd.DataFrame:
    """The frame of a Synthcity DataLoader, or the DataFrame itself."""
    return data if isinstance(data, pd.DataFrame) else data.dataframe()


#: the loaders ``Metrics.evaluate`` pools, in its order
LOADER_ARGUMENTS = ("X_gt", "X_syn", "X_train", "X_ref_syn", "X_augmented")


def check_survival_durations(arguments: Mapping[str, Any]) -> None:
    """Raise if the pooled duration column of survival loaders would be label-encoded.

    Raises:
        InvalidDataError: The duration column has fewer than 15 distinct values over the
            loaders of the call; the message names the column and the way out.
    """
    loaders = {k: arguments[k] for k in LOADER_ARGUMENTS if arguments.get(k) is not None}
    survival = [
        v
        for v in loaders.values()
        if callable(getattr(v, "type", None)) and v.type() == "survival_analysis"
    ]
    if not survival:
        return
    column = survival[0].info()["time_to_event_column"]
    pooled = pd.concat([v.dataframe()[column] for v in survival if column in v.dataframe().columns])
    distinct = int(pooled.nunique())
    if distinct < SYNTHCITY_MAX_LEVELS:
        raise InvalidDataError(
            f"the duration column {column!r} has {distinct} distinct value(s) over the loaders "
            f"of this Metrics.evaluate call; Synthcity label-encodes columns with fewer than "
            f"{SYNTHCITY_MAX_LEVELS} values, which turns durations into codes from 0 that its "
            "survival loader then refuses. Evaluate more rows, or call the metric's core "
            "function or SDMetrics class, which take the durations as they are"
        )


def check_same_columns(arguments: Mapping[str, Any]) -> None:
    """Raise unless every table of the call has ``X_gt``'s columns, and ``X_syn`` its outcome.

    Synthcity's built-in metrics unpack each loader's own target, the suite's read
    ``X_gt``'s for both tables: an ``X_syn`` that names another target or duration column
    than ``X_gt`` (or than the last column, which a DataFrame ``X_gt`` gets as its target)
    would have the call's figures read different outcomes.

    Raises:
        InvalidDataError: A table repeats a column label (or has two that read the same
            as text), lacks a column of ``X_gt`` or has one more, or ``X_syn`` names
            another target or duration column than ``X_gt``; the message names the table
            and the columns.
    """
    loaders = {k: arguments[k] for k in LOADER_ARGUMENTS if arguments.get(k) is not None}
    frames = {k: frame_of(v) for k, v in loaders.items()}
    for name, frame in frames.items():
        check_labels(frame.columns, name)
    if "X_gt" not in frames:
        return
    reference = list(frames["X_gt"].columns)
    for name, frame in frames.items():
        missing = [c for c in reference if c not in frame.columns]
        extra = [c for c in frame.columns if c not in reference]
        if missing or extra:
            raise InvalidDataError(
                f"{name} must have the same columns as X_gt; missing from {name}: {missing}; "
                f"not in X_gt: {extra}"
            )
    if "X_syn" in loaders:
        ours, theirs = _outcome_roles(loaders["X_gt"]), _outcome_roles(loaders["X_syn"])
        for role, column in ours.items():
            if role in theirs and theirs[role] != column:
                raise InvalidDataError(
                    f"X_syn has {role}={theirs[role]!r} where X_gt has {column!r}; give both "
                    f"the same {role} (a GenericDataLoader without target_column, or a "
                    "DataFrame, takes its last column)"
                )


def _outcome_roles(data: Any) -> dict[str, Any]:
    """The target and duration columns of a loader; a DataFrame's last column is its target.

    (``Metrics.evaluate`` reads a DataFrame ``X_gt`` as a ``GenericDataLoader``, whose target
    is its last column, and gives a DataFrame ``X_syn`` the layout of ``X_gt``.)
    """
    if isinstance(data, pd.DataFrame):
        return {"target_column": data.columns[-1]} if data.shape[1] else {}
    if not callable(getattr(data, "info", None)):
        return {}
    info = data.info()
    return {k: info[k] for k in ("target_column", "time_to_event_column") if info.get(k)}


def check_encodable(arguments: Mapping[str, Any]) -> None:
    """Raise if Synthcity's encoders would stop on a column of the call's tables.

    ``Metrics.evaluate`` fits each column's encoder on ``X_gt`` and ``X_syn`` pooled.

    Raises:
        InvalidDataError: A column mixes text with other values (within a table, or text in
            one and numbers in another), is a pandas ``string`` column with missing values,
            or holds time-zone-aware dates with at least 15 distinct values (fewer are
            label-encoded, which works); the message names the column and the conversion.
    """
    frames = {
        name: frame_of(data)
        for name in ("X_gt", "X_syn")
        if (data := arguments.get(name)) is not None
    }
    if not frames:
        return
    names = " and ".join(frames)
    for column in next(iter(frames.values())).columns:
        columns = {n: frame[column] for n, frame in frames.items() if column in frame.columns}
        parts = list(columns.values())
        for name, series in columns.items():
            if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
                if series.isna().any():
                    raise InvalidDataError(
                        f"{name}: column {column!r} is {series.dtype} with missing values, "
                        "which Synthcity's label encoder cannot sort with text; cast it to "
                        f"object first: data[{column!r}] = data[{column!r}].astype(object)"
                    )
        pooled = pd.concat([part.astype(object) for part in parts], ignore_index=True)
        try:
            check_one_kind(pooled.rename(column))
        except InvalidDataError as error:
            raise InvalidDataError(f"{names}: {error}") from None
        zoned = [p for p in parts if isinstance(p.dtype, pd.DatetimeTZDtype)]
        if zoned and pd.concat(zoned).nunique() >= SYNTHCITY_MAX_LEVELS:
            raise InvalidDataError(
                f"{names}: column {column!r} holds time-zone-aware dates, which Synthcity's "
                f"encoder cannot read; drop the zone first: data[{column!r}] = "
                f"data[{column!r}].dt.tz_convert(None)"
            )

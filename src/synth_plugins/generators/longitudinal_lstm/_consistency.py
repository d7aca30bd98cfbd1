"""Rules that hold on every visit of the training data and are kept at sampling.

Change indicators (a binary visit column that says "this column changed since the last
visit") and the start-stop layout (a stop column equal to the next visit's time, a terminal
event only on each patient's last visit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_plugins.encoding.tabular import TabularEncoder
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.generators.longitudinal_lstm._layout import VisitColumn
from synth_plugins.long_format import PatientIndex


@dataclass(frozen=True)
class ChangeRule:
    """``indicator`` is 1 exactly when ``tracked`` differs from the previous visit.

    Attributes:
        indicator: Position of the binary indicator column in the model's visit columns.
        tracked: Position of the tracked column (categorical, ordinal or binary).
        first_value: The indicator's encoded value at every first visit (0.0 or 1.0).
    """

    indicator: int
    tracked: int
    first_value: float


def _changed(values: pd.Series, index: PatientIndex) -> np.ndarray:
    """Whether each non-first visit's value differs from the previous visit's (NaN = NaN)."""
    codes = pd.factorize(values, use_na_sentinel=True)[0]  # missing -> -1, a level of its own
    later = index.position_of_row() > 0
    rows = np.flatnonzero(later)
    return codes[rows] != codes[rows - 1]


def _indicator_codes(encoder: TabularEncoder, data: pd.DataFrame, column: str) -> np.ndarray | None:
    """The encoder's 0/1 codes of a two-level column without missing values, else None.

    The codes the model is trained on and samples (1: the encoder's second level), so a
    rule's first value is written in the encoding's own order.
    """
    if data[column].isna().any() or len(encoder.spec(column).categories) != 2:
        return None
    return encoder.codes(data, column).astype(float)


def _holds(
    data: pd.DataFrame,
    index: PatientIndex,
    encoder: TabularEncoder,
    indicator: str,
    tracked: str,
) -> tuple[bool, float | None]:
    """Whether the rule holds on every visit, and the indicator's constant first value."""
    codes = _indicator_codes(encoder, data, indicator)
    if codes is None:
        return False, None
    first = codes[index.starts]
    if first.min() != first.max():
        return False, None
    changed = _changed(data[tracked], index)
    later = codes[index.position_of_row() > 0]
    if changed.size == 0 or changed.all() or not changed.any():
        return False, None  # nothing to tell a change indicator from a constant
    return bool(np.array_equal(later, changed.astype(float))), float(first[0])


def change_rules(
    data: pd.DataFrame,
    index: PatientIndex,
    columns: Sequence[VisitColumn],
    encoder: TabularEncoder,
    declared: Mapping[str, str] | None,
) -> tuple[ChangeRule, ...]:
    """The change indicators of the visit columns: declared ones checked, or detected.

    Args:
        data: The checked long table (each patient's rows together, in time order).
        index: Its patient index.
        columns: The model's visit columns (encoding order).
        encoder: The fitted visit encoder (an indicator's codes are its codes).
        declared: ``{indicator column: tracked column}``; None detects every binary visit
            column that equals "the tracked column changed" on every visit of the data
            (and is constant at first visits); an empty mapping turns the rules off.

    Raises:
        InvalidParameterError: A declared name that is not a visit column, an indicator
            that is not a two-level column without missing values, or a tracked column that
            is numerical.
        InvalidDataError: A declared rule that the training data break.
    """
    position = {column.name: i for i, column in enumerate(columns)}
    levels = {c.name for c in columns if c.kind in ("categorical", "binary")}
    if declared is None:
        rules = []
        for indicator in (c.name for c in columns if c.kind == "binary"):
            for tracked in sorted(levels - {indicator}, key=position.__getitem__):
                holds, first = _holds(data, index, encoder, indicator, tracked)
                if holds and first is not None:
                    rules.append(ChangeRule(position[indicator], position[tracked], first))
                    break
        return tuple(rules)
    rules = []
    for indicator, tracked in declared.items():
        for name in (indicator, tracked):
            if name not in position:
                raise InvalidParameterError(
                    f"change_indicators names {name!r}, which is not a visit column; visit "
                    f"columns are {list(position)}"
                )
        if columns[position[indicator]].kind != "binary" or data[indicator].isna().any():
            raise InvalidParameterError(
                f"change_indicators: {indicator!r} must be a two-level visit column without "
                "missing values"
            )
        if tracked not in levels or tracked == indicator:
            raise InvalidParameterError(
                f"change_indicators: the tracked column {tracked!r} must be another "
                "categorical, ordinal or binary visit column"
            )
        holds, first = _holds(data, index, encoder, indicator, tracked)
        if not holds or first is None:
            raise InvalidDataError(
                f"change_indicators: {indicator!r} is not 'the {tracked!r} changed since the "
                "previous visit' on every visit of the training data (and constant at first "
                "visits); fix the data or drop the rule"
            )
        rules.append(ChangeRule(position[indicator], position[tracked], first))
    return tuple(rules)


@dataclass(frozen=True)
class StartStop:
    """The start-stop (counting-process) layout of a long table.

    Every SurvSet and lifelines time-varying table has it: each visit row is the interval
    from its time to ``stop``, which is the next visit's time on every row but a patient's
    last, and a terminal event is flagged on the last row only.

    Attributes:
        stop: The stop column: on every row but a patient's last it equals the next
            visit's time, and on every row it is later than the row's time.
        events: Terminal event columns, as ``(position in the model's visit columns,
            encoded value on every non-last row)``: two-level visit columns without missing
            values whose other value appears on last rows only.
    """

    stop: str
    events: tuple[tuple[int, float], ...]


def start_stop_layout(
    data: pd.DataFrame,
    index: PatientIndex,
    time_column: str,
    columns: Sequence[VisitColumn],
    encoder: TabularEncoder,
) -> StartStop | None:
    """The start-stop layout of the visit columns, or None where the data do not have it.

    The stop column is the first numeric visit column that equals the next visit's time on
    every row but a patient's last and is later than the row's time on every row (missing
    values nowhere), in data with at least one patient of two visits or more. Terminal
    event columns are looked for only beside a stop column (a rare flag alone can fall on
    last rows by chance).

    Args:
        data: The checked long table (each patient's rows together, in time order).
        index: Its patient index.
        time_column: The visit time column.
        columns: The model's visit columns (encoding order).
        encoder: The fitted visit encoder (an event's value is written in its codes).
    """
    last = index.is_last_row()
    rows = np.flatnonzero(~last)
    if not rows.size:
        return None
    times = data[time_column].to_numpy(dtype=float)
    stop = None
    for column in columns:
        values = data[column.name]
        if not pd.api.types.is_numeric_dtype(values) or values.isna().any():
            continue
        ends = values.to_numpy(dtype=float)
        if np.all(ends > times) and np.allclose(ends[rows], times[rows + 1], rtol=1e-12, atol=0):
            stop = column.name
            break
    if stop is None:
        return None
    events = []
    for position, column in enumerate(columns):
        codes = _indicator_codes(encoder, data, column.name) if column.kind == "binary" else None
        if codes is None:
            continue
        quiet = np.unique(codes[rows])
        if quiet.size == 1 and np.any(codes[last] != quiet[0]):
            events.append((position, float(quiet[0])))
    return StartStop(stop, tuple(events))


def keep_stops(
    frame: pd.DataFrame,
    layout: StartStop,
    time_column: str,
    patient: np.ndarray,
    end_gap: np.ndarray,
    decimals: int | None,
) -> pd.DataFrame:
    """Write the stop column of generated visits in the start-stop layout.

    Args:
        frame: Generated visits, sorted by patient then time (one row per visit).
        layout: The training data's start-stop layout.
        time_column: The visit time column.
        patient: The patient number of every row of ``frame``.
        end_gap: Per patient number, the gap the model drew at the step that ended the
            patient's follow-up (the time to a next visit that did not come).
        decimals: The decimals generated times are written at (None: not rounded).

    Returns:
        ``frame`` with the stop column set to the next visit's time on every row but a
        patient's last; a last row keeps the drawn stop where it is later than the row's
        time, else gets the row's time plus ``end_gap``.
    """
    times = frame[time_column].to_numpy(dtype=float)
    drawn = frame[layout.stop].to_numpy(dtype=float)
    last = PatientIndex.from_ids(patient).is_last_row()
    ends = times + end_gap[patient]
    if decimals is not None:  # sums of gaps: 0.1 + 0.2 is 0.30000000000000004
        ends = ends.round(decimals)
    stops = np.where(drawn > times, drawn, ends)  # a drawn stop is at the column's precision
    stops[~last] = times[1:][~last[:-1]]
    dtype = frame[layout.stop].dtype
    integer = pd.api.types.is_integer_dtype(dtype)
    frame[layout.stop] = np.round(stops).astype(dtype) if integer else stops
    return frame

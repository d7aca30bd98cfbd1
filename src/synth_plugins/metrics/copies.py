"""Exact copies of training rows against the table's natural collision rate.

The suite's privacy rule (see :mod:`synth_plugins.generators.privacy`): synthetic rows
identical to a training row must be no more frequent than holdout rows identical to one.
:func:`exact_copies` measures both rates and the excess, with the same row comparison as
the generators' :class:`~synth_plugins.generators.privacy.CopyFilter` (identifier columns
left out; numbers, instants and missing values compared as values, not as bytes).

For longitudinal (long-format) tables the unit is a patient: with ``id_column`` given, a
synthetic patient is a copy when its static values, visit times and visit values (all its
rows, in time order) equal a training patient's, and the natural rate is that of whole
holdout patients. The rule for sequence generators is per patient: sharing one visit row
with a training patient is common (a baseline visit of discrete values), copying a whole
history is not.

This is an exact, unbinned comparison; the ``exact_matches`` of ``hamming_leakage`` and
``dcr_holdout_share`` count rows at distance 0 after binning numeric columns, a coarser
notion of a copy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.generators.privacy import (
    Kind,
    collision_rate,
    compared_columns,
    row_hashes,
)
from synth_plugins.long_format import PatientIndex

__all__ = ["ExactCopiesResult", "exact_copies"]


@dataclass(frozen=True)
class ExactCopiesResult:
    """Synthetic exact copies of training rows and the natural rate they are held to.

    A unit is a row, or a patient (all its rows) when ``exact_copies`` got an ``id_column``.

    Attributes:
        n_synthetic: Synthetic units (rows or patients) compared.
        copies: Synthetic units equal to a training unit (on ``columns``).
        synthetic_rate: ``copies / n_synthetic`` (0 for an empty synthetic table).
        natural_rate: The table's natural collision rate: the share of holdout rows equal
            to a training row, or without a holdout the share of training rows equal to
            another training row (its leave-one-out estimate).
        reference: ``"holdout"`` or ``"training"``: where ``natural_rate`` comes from.
        allowed: ``floor(natural_rate * n_synthetic)``, the copies the rule allows.
        excess: ``max(0, copies - allowed)``: copies beyond the rule (0 when it holds).
        excess_rate: ``synthetic_rate - natural_rate`` (negative: fewer copies than a
            real sample would have).
        columns: The compared columns.
    """

    n_synthetic: int
    copies: int
    synthetic_rate: float
    natural_rate: float
    reference: Literal["holdout", "training"]
    allowed: int
    excess: int
    excess_rate: float
    columns: tuple[Any, ...]

    def to_dict(self) -> dict[str, Any]:
        """The numbers as a flat dict (``columns`` as a list)."""
        out = asdict(self)
        out["columns"] = list(self.columns)
        return out


def exact_copies(
    synthetic: pd.DataFrame,
    train: pd.DataFrame,
    holdout: pd.DataFrame | None = None,
    roles: Mapping[Any, str] | None = None,
    *,
    id_column: Any = None,
    time_column: Any = None,
) -> ExactCopiesResult:
    """Count synthetic rows (or patients) identical to a training one, against the natural rate.

    Args:
        synthetic: The generated table.
        train: The rows the generator was fitted on.
        holdout: Real rows the generator did not see; None estimates the natural rate
            from ``train`` alone (leave-one-out), as the generators' filter does.
        roles: Role per column; ``identifier`` columns are not compared (generators give
            fresh keys). Unnamed columns get the inferred role (from ``train``).
        id_column: For long tables: the patient id. Each patient (its rows, which need not
            be contiguous) is then one unit, compared on every other column; the id itself
            is never compared.
        time_column: For long tables: the visit time, which orders a patient's rows before
            they are compared (None: the table's row order). Needs ``id_column``.

    Returns:
        An :class:`ExactCopiesResult`.

    Raises:
        InvalidDataError: A table is not a DataFrame, ``train`` is empty, or a table lacks
            a compared column (or the id column).
        InvalidParameterError: ``time_column`` without ``id_column``.

    Example:
        >>> import pandas as pd
        >>> train = pd.DataFrame({"grade": [1, 1, 2, 3]})
        >>> holdout = pd.DataFrame({"grade": [1, 4, 5, 6]})
        >>> result = exact_copies(pd.DataFrame({"grade": [1, 2, 7, 8]}), train, holdout)
        >>> result.synthetic_rate, result.natural_rate, result.excess
        (0.5, 0.25, 1)
        >>> visits = pd.DataFrame({"id": [1, 1, 2], "t": [0, 1, 0], "edss": [2.0, 2.5, 2.0]})
        >>> exact_copies(visits.assign(id=[7, 7, 8]), visits, id_column="id").copies
        2
    """
    for name, frame in (("synthetic", synthetic), ("train", train), ("holdout", holdout)):
        if frame is not None and not isinstance(frame, pd.DataFrame):
            raise InvalidDataError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    if len(train) == 0:
        raise InvalidDataError("train has no rows; exact copies need training rows to compare")
    if time_column is not None and id_column is None:
        raise InvalidParameterError("time_column orders the rows of a patient: give id_column")
    if id_column is not None:
        roles = {**(roles or {}), id_column: "identifier"}
    kinds = compared_columns(train, roles)

    def hashes(frame: pd.DataFrame) -> np.ndarray:
        if id_column is None:
            return row_hashes(frame, kinds)
        return _patient_hashes(frame, kinds, id_column, time_column)

    train_hashes = hashes(train)
    known = np.unique(train_hashes)
    synthetic_hashes = hashes(synthetic)
    copies = int(np.isin(synthetic_hashes, known).sum())
    if holdout is None:
        natural, reference = collision_rate(train_hashes), "training"
    else:
        matched = np.isin(hashes(holdout), known)
        natural, reference = (float(matched.mean()) if len(matched) else 0.0), "holdout"
    n = len(synthetic_hashes)
    rate = copies / n if n else 0.0
    allowed = math.floor(natural * n + 1e-9)
    return ExactCopiesResult(
        n_synthetic=n,
        copies=copies,
        synthetic_rate=rate,
        natural_rate=natural,
        reference=reference,  # type: ignore[arg-type]
        allowed=allowed,
        excess=max(0, copies - allowed),
        excess_rate=rate - natural,
        columns=tuple(kinds),
    )


def _patient_hashes(
    frame: pd.DataFrame, kinds: Mapping[Any, Kind], id_column: Any, time_column: Any = None
) -> np.ndarray:
    """One 64-bit hash per patient of a long table over its rows, in time (or row) order.

    Patients with equal rows in the same order (on the columns of ``kinds``) hash alike,
    whatever their ids. Patients are in order of first appearance.

    Raises:
        InvalidDataError: ``frame`` lacks the id, time or a compared column.
    """
    for column in (id_column, time_column):
        if column is not None and column not in frame.columns:
            raise InvalidDataError(f"the frame lacks the column {column!r}")
    ids = pd.factorize(frame[id_column])[0]
    if time_column is None:
        order = np.argsort(ids, kind="stable")
    else:
        times = pd.to_numeric(frame[time_column], errors="coerce").to_numpy(float)
        order = np.lexsort((times, ids))
    rows = row_hashes(frame.iloc[order], kinds)
    index = PatientIndex.from_ids(ids[order])
    # position-weighted combination, then a second hash: (a, b) and (b, a) differ
    position = index.position_of_row().astype(np.uint64)
    salted = pd.util.hash_array(rows ^ (position * np.uint64(0x9E3779B97F4A7C15)))
    lengths = index.lengths.astype(np.uint64)
    with np.errstate(over="ignore"):
        summed = np.add.reduceat(salted, index.starts) if len(rows) else salted
        return pd.util.hash_array(summed ^ (lengths * np.uint64(0xBF58476D1CE4E5B9)))

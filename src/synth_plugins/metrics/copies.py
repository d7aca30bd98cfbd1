"""Exact copies of training rows against the table's natural collision rate.

The suite's privacy rule (see :mod:`synth_plugins.generators.privacy`): synthetic rows
identical to a training row must be no more frequent than holdout rows identical to one.
:func:`exact_copies` measures both rates and the excess, with the same row comparison as
the generators' :class:`~synth_plugins.generators.privacy.CopyFilter` (identifier columns
left out; numbers, instants and missing values compared as values, not as bytes).

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

from synth_plugins.errors import InvalidDataError
from synth_plugins.generators.privacy import (
    collision_rate,
    compared_columns,
    row_hashes,
)

__all__ = ["ExactCopiesResult", "exact_copies"]


@dataclass(frozen=True)
class ExactCopiesResult:
    """Synthetic exact copies of training rows and the natural rate they are held to.

    Attributes:
        n_synthetic: Synthetic rows compared.
        copies: Synthetic rows equal to a training row (on ``columns``).
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
) -> ExactCopiesResult:
    """Count synthetic rows identical to a training row and compare with the natural rate.

    Args:
        synthetic: The generated table.
        train: The rows the generator was fitted on.
        holdout: Real rows the generator did not see; None estimates the natural rate
            from ``train`` alone (leave-one-out), as the generators' filter does.
        roles: Role per column; ``identifier`` columns are not compared (generators give
            fresh keys). Unnamed columns get the inferred role (from ``train``).

    Returns:
        An :class:`ExactCopiesResult`.

    Raises:
        InvalidDataError: A table is not a DataFrame, ``train`` is empty, or a table lacks
            a compared column.

    Example:
        >>> import pandas as pd
        >>> train = pd.DataFrame({"grade": [1, 1, 2, 3]})
        >>> holdout = pd.DataFrame({"grade": [1, 4, 5, 6]})
        >>> result = exact_copies(pd.DataFrame({"grade": [1, 2, 7, 8]}), train, holdout)
        >>> result.synthetic_rate, result.natural_rate, result.excess
        (0.5, 0.25, 1)
    """
    for name, frame in (("synthetic", synthetic), ("train", train), ("holdout", holdout)):
        if frame is not None and not isinstance(frame, pd.DataFrame):
            raise InvalidDataError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    if len(train) == 0:
        raise InvalidDataError("train has no rows; exact copies need training rows to compare")
    kinds = compared_columns(train, roles)
    train_hashes = row_hashes(train, kinds)
    known = np.unique(train_hashes)
    copies = int(np.isin(row_hashes(synthetic, kinds), known).sum())
    if holdout is None:
        natural, reference = collision_rate(train_hashes), "training"
    else:
        matched = np.isin(row_hashes(holdout, kinds), known)
        natural, reference = (float(matched.mean()) if len(holdout) else 0.0), "holdout"
    n = len(synthetic)
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

"""Where each visit column sits in the encoded visit matrix, and its head's output size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth_plugins.encoding.tabular import TabularEncoder

#: Largest move, in levels, with its own logit for ordinal visit columns (the step kernel).
STEP_RADIUS = 2


@dataclass(frozen=True)
class VisitColumn:
    """One visit column in the encoded visit matrix, with the size of its head's output."""

    name: str
    kind: str  # "numerical", "binary" or "categorical"
    start: int  # first position of the value block (everything before: earlier columns)
    stop: int
    missing: int | None  # position of the missingness indicator, if any
    #: fold draws outside [0, 1] back into it instead of clipping (datetime columns:
    #: clipping would copy the earliest and latest training datetimes)
    fold: bool = False
    #: ordered levels (role ``ordinal``): the head also gives context-dependent logits for
    #: a move of ``-STEP_RADIUS..STEP_RADIUS`` levels from the previous visit's level
    ordinal: bool = False
    #: the range of a numerical column's values on the scale Stage B learns them in
    #: (:mod:`~synth_plugins.generators.longitudinal_lstm._transform`); draws are clipped to it
    low: float = 0.0
    high: float = 1.0
    #: whether one training row holds the lowest / highest value: draws past such an end
    #: are reflected into the range (clipping would give that row's value verbatim)
    reflect_low: bool = False
    reflect_high: bool = False

    def observed(self, visits: np.ndarray) -> np.ndarray:
        """Whether the column's value is observed in each row of the encoded ``visits``."""
        if self.missing is None:
            return np.ones(len(visits), dtype=bool)
        return visits[:, self.missing] < 0.5

    @property
    def end(self) -> int:
        """One past the last position of the column (value block and indicator)."""
        return self.stop if self.missing is None else self.missing + 1

    @property
    def carries_forward(self) -> bool:
        """Whether the column has a carry-forward bias (categorical, not ordinal)."""
        return self.kind == "categorical" and not self.ordinal

    @property
    def n_outputs(self) -> int:
        """Head outputs: missingness logit, value parameters, then step or carry logits."""
        value = {"numerical": 2, "binary": 1}.get(self.kind, self.stop - self.start)
        steps = 2 * STEP_RADIUS + 1 if self.ordinal else 0
        return value + steps + self.carries_forward + (self.missing is not None)


def columns_from(encoder: TabularEncoder) -> tuple[VisitColumn, ...]:
    """The visit columns of a fitted encoder, in encoding order (missingness paired)."""
    values: dict[str, tuple[str, int, int]] = {}
    missing: dict[str, int] = {}
    for block in encoder.blocks:
        if block.kind == "missing":
            missing[block.column] = block.start
        else:
            values[block.column] = (block.kind, block.start, block.stop)
    return tuple(
        VisitColumn(
            name,
            kind,
            start,
            stop,
            missing.get(name),
            fold=encoder.spec(name).role == "datetime",
            ordinal=encoder.spec(name).role == "ordinal" and stop - start > 1,
        )
        for name, (kind, start, stop) in values.items()
    )

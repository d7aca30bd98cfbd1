"""The scale Stage B learns numerical visit values in: min-max or normal scores of ranks.

The visit encoder gives every numerical column min-max scaled to [0, 1]. Stage B models a
value as a Gaussian given the history; with min-max values a skewed column (CD4 counts,
creatinine) cannot keep its shape once the previous value carries most of the mean: the
lag-1 regression's Gaussian residuals pull the marginal towards a symmetric one. Normal
scores of the training ranks (Med-VAE's quantile transform, smoothed inverse included) make
every marginal Gaussian, so the same regression keeps it. Datetime columns keep min-max: they
are folded back into their range at sampling.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from synth_plugins.generators.longitudinal_lstm._layout import VisitColumn
from synth_plugins.generators.med_vae.transforms import Transform, fit_transform


@dataclass(frozen=True)
class VisitTransform:
    """The transform of the numerical visit columns' values (positions in the visit matrix)."""

    positions: tuple[int, ...]
    transform: Transform

    @classmethod
    def identity(cls) -> VisitTransform:
        """No column transformed: the min-max values of fits saved before the transform."""
        return cls((), fit_transform("minmax", np.zeros((1, 0))))

    @classmethod
    def fit(cls, visits: np.ndarray, columns: tuple[VisitColumn, ...], kind: str) -> VisitTransform:
        """Fit ``kind`` (``"minmax"`` or ``"quantile"``) on the observed training values."""
        chosen = [c for c in columns if c.kind == "numerical" and not c.fold]
        positions = tuple(c.start for c in chosen)
        observed = np.stack([c.observed(visits) for c in chosen], axis=1) if chosen else None
        return cls(positions, fit_transform(kind, visits[:, list(positions)], observed))

    def forward(self, visits: np.ndarray) -> np.ndarray:
        """Encoded visits with the numerical values on the learned scale (a copy)."""
        out = np.array(visits, dtype=np.float32, copy=True)
        if self.positions:
            cols = list(self.positions)
            out[:, cols] = self.transform.forward(np.asarray(visits)[:, cols])
        return out

    def inverse(self, visits: np.ndarray) -> np.ndarray:
        """Encoded visits (min-max values) of visits on the learned scale (a copy)."""
        out = np.array(visits, dtype=np.float64, copy=True)
        if self.positions:
            cols = list(self.positions)
            out[:, cols] = self.transform.inverse(out[:, cols])
        return out

    def bounded(self, columns: tuple[VisitColumn, ...]) -> tuple[VisitColumn, ...]:
        """``columns`` with each transformed column's range on the scale and its lone ends."""
        ends = self.transform.ends(len(self.positions))
        where = {position: j for j, position in enumerate(self.positions)}

        def bound(column: VisitColumn, j: int) -> VisitColumn:
            return replace(
                column, low=float(ends.low[j]), high=float(ends.high[j]),
                reflect_low=bool(ends.reflect_low[j]), reflect_high=bool(ends.reflect_high[j]),
            )  # fmt: skip

        return tuple(bound(c, where[c.start]) if c.start in where else c for c in columns)

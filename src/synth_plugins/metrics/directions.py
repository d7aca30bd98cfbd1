"""The direction of an estimated effect, one rule for every metric that compares signs.

A log effect that is zero up to rounding has no direction: its sign is rounding noise,
which a fit of the same rows in another order flips (heart_failure's anaemia gave a log odds
ratio of -7e-17 in one row order and +4e-17 in another).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["NO_DIRECTION_Z", "direction"]

#: An estimate within this many of its standard errors of 0 has no direction.
NO_DIRECTION_Z = 1e-9


def direction(estimate: pd.Series, se: pd.Series) -> pd.Series:
    """The sign of each estimate; 0 where it is numerically zero against its error."""
    zero = estimate.abs() <= NO_DIRECTION_Z * se.abs().fillna(0.0)
    return np.sign(estimate).where(~zero, 0.0)

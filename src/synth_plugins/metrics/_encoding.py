"""Label encoding shared by the metrics that need numbers for categorical columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth_plugins.encoding.levels import sorted_levels


def label_codes(real: pd.Series, *others: pd.Series) -> tuple[list[np.ndarray], list[object]]:
    """Label-encode one categorical column of several tables with one mapping.

    Levels of the real column come first, in sorted order (the category order for an
    ordered categorical: ``"70" < "80" < "100"``, not the text order); levels seen only in
    the other columns follow, sorted, then one code for missing values if any. Values are
    matched by equality, as Python's ``dict`` and ``set`` match them (``1``, ``1.0`` and
    ``True`` are one level), so every observed value gets a code: a code is never NaN.

    Args:
        real: The column of the real table, whose levels come first.
        others: The same column of the other tables (synthetic, holdout).

    Returns:
        Float codes for ``real`` and then each of ``others``, and the levels in code order.
    """
    if isinstance(real.dtype, pd.CategoricalDtype) and real.dtype.ordered:
        levels: list[object] = [c for c in real.dtype.categories if (real == c).any()]
    else:
        levels = sorted_levels(real.dropna().unique())
    known = set(levels)
    seen = [v for other in others for v in pd.unique(other.dropna()) if v not in known]
    levels = levels + sorted_levels(seen)
    mapping = {value: float(code) for code, value in enumerate(levels)}
    missing_code = float(len(levels))

    def encode(series: pd.Series) -> np.ndarray:
        values = series.astype(object)
        missing = values.isna().to_numpy()
        codes = np.full(len(values), missing_code)
        # each distinct value looked up in the dict, not Series.map(dict): pandas matches a
        # dict's keys by index look-up, where True is not 1
        index, distinct = pd.factorize(values[~missing])
        codes[~missing] = np.array([mapping[value] for value in distinct], dtype=np.float64)[index]
        return codes

    return [encode(series) for series in (real, *others)], levels


def label_encode(
    real: pd.Series, synthetic: pd.Series
) -> tuple[np.ndarray, np.ndarray, list[object]]:
    """:func:`label_codes` of a real and a synthetic column.

    Returns:
        Float codes for the real and the synthetic column, and the levels in code order.
    """
    (real_codes, synthetic_codes), levels = label_codes(real, synthetic)
    return real_codes, synthetic_codes, levels

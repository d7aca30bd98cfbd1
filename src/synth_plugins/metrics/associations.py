"""Association matrix of a mixed table, as dython computes it, implemented natively.

TabSynDex and the AML study compare the association matrices of the real and synthetic
data, computed by dython (``compute_associations`` 0.6.6 and ``_comp_assoc`` 0.5.1):

- numeric - numeric: Pearson's r;
- categorical - numeric: the correlation ratio (eta);
- categorical - categorical: Theil's U (asymmetric) or Cramér's V with the
  Bergsma-Wicher bias correction (symmetric).

Conventions kept from dython: missing values are replaced by one value before anything
else (0.0 in TabSynDex, -1 in the AML code); a column with a single value after that has
all its associations set to 0, its diagonal included; any association that comes out NaN or
infinite is set to 0; the cell in row ``i`` and column ``j`` for Theil's U is ``U(j | i)``,
the share of the uncertainty of column ``j`` that column ``i`` removes. The matrix never
contains NaN.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError
from synth_plugins.validation import check_bool, check_choice

NominalMeasure = Literal["theil_u", "cramers_v"]
NOMINAL_MEASURES: tuple[str, ...] = ("theil_u", "cramers_v")


def _codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer codes of a nominal variable (a missing value is a level of its own)."""
    codes, uniques = pd.factorize(np.asarray(values), use_na_sentinel=False)
    return codes.astype(np.int64), len(uniques)


def _contingency(x: np.ndarray, nx: int, y: np.ndarray, ny: int) -> np.ndarray:
    return np.bincount(x * ny + y, minlength=nx * ny).reshape(nx, ny).astype(np.float64)


def _entropy(counts: np.ndarray) -> float:
    total = counts.sum()
    p = counts[counts > 0] / total
    return float(-(p * np.log(p)).sum())


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson's r; 0.0 when either variable is constant (r undefined)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    dx, dy = x - x.mean(), y - y.mean()
    denominator = np.sqrt((dx * dx).sum() * (dy * dy).sum())
    if denominator == 0 or not np.isfinite(denominator):
        return 0.0
    return float(np.clip((dx * dy).sum() / denominator, -1.0, 1.0))


def correlation_ratio(categories: np.ndarray, measurements: np.ndarray) -> float:
    """Correlation ratio eta of a numeric variable across the levels of a categorical one.

    ``eta = sqrt(sum_k n_k (mean_k - mean)^2 / sum_i (y_i - mean)^2)``, in ``[0, 1]``;
    0.0 when the between-level sum of squares is 0 (dython's convention).
    """
    codes, n_levels = _codes(np.asarray(categories))
    return _correlation_ratio_codes(codes, n_levels, np.asarray(measurements, dtype=np.float64))


def theils_u(x: np.ndarray, y: np.ndarray) -> float:
    """Theil's uncertainty coefficient ``U(x | y)``: how much knowing y tells about x.

    ``(H(x) - H(x | y)) / H(x)`` in ``[0, 1]``; 1.0 when x is constant (dython's
    convention: nothing is left to explain).
    """
    cx, nx = _codes(x)
    cy, ny = _codes(y)
    return _theils_u_codes(cx, nx, cy, ny)


def _theils_u_codes(cx: np.ndarray, nx: int, cy: np.ndarray, ny: int) -> float:
    """``U(x | y)`` from integer codes."""
    return _theils_u_both(cx, nx, cy, ny)[0]


def _theils_u_both(cx: np.ndarray, nx: int, cy: np.ndarray, ny: int) -> tuple[float, float]:
    """``(U(x | y), U(y | x))`` from one contingency table."""
    table = _contingency(cx, nx, cy, ny)
    h_x = _entropy(table.sum(axis=1))
    h_y = _entropy(table.sum(axis=0))
    h_xy = _entropy(table.ravel())

    def coefficient(h_target: float, h_given: float) -> float:
        if h_target == 0:
            return 1.0
        conditional = h_xy - h_given  # H(target | given)
        return float(np.clip((h_target - conditional) / h_target, 0.0, 1.0))

    return coefficient(h_x, h_y), coefficient(h_y, h_x)


def cramers_v(x: np.ndarray, y: np.ndarray, *, bias_correction: bool = True) -> float:
    """Cramér's V, by default with the Bergsma-Wicher (2013) bias correction.

    The chi-squared statistic is scipy's ``chi2_contingency`` (with Yates' continuity
    correction on 2 x 2 tables), as in dython. Returns 0.0 where V is undefined (a single
    level, too few rows for the correction).
    """
    bias_correction = check_bool("bias_correction", bias_correction)
    cx, nx = _codes(x)
    cy, ny = _codes(y)
    return _cramers_v_codes(cx, nx, cy, ny, bias_correction)


def _cramers_v_codes(
    cx: np.ndarray, nx: int, cy: np.ndarray, ny: int, bias_correction: bool
) -> float:
    table = _contingency(cx, nx, cy, ny)
    n = table.sum()
    r, k = table.shape
    if r < 2 or k < 2 or n < 2:
        return 0.0
    from scipy import stats

    chi2 = stats.chi2_contingency(table)[0]
    phi2 = chi2 / n
    if bias_correction:
        phi2 = max(0.0, phi2 - (k - 1) * (r - 1) / (n - 1))
        r_corr = r - (r - 1) ** 2 / (n - 1)
        k_corr = k - (k - 1) ** 2 / (n - 1)
        denominator = min(k_corr - 1, r_corr - 1)
    else:
        denominator = min(k - 1, r - 1)
    if denominator <= 0 or not np.isfinite(phi2):
        return 0.0
    return float(np.clip(np.sqrt(phi2 / denominator), 0.0, 1.0))


def association_matrix(
    data: pd.DataFrame,
    categorical_columns: Iterable[str],
    *,
    nominal: NominalMeasure = "theil_u",
    nan_replace_value: float = 0.0,
    bias_correction: bool = True,
) -> pd.DataFrame:
    """The association matrix of a mixed table (dython's conventions, no NaN).

    Args:
        data: The table.
        categorical_columns: The nominal columns; the others must be numeric.
        nominal: ``"theil_u"`` (asymmetric; TabSynDex and the AML study) or
            ``"cramers_v"`` for categorical-categorical pairs.
        nan_replace_value: The value that replaces missing values before anything else
            (dython's ``nan_strategy="replace"``; 0.0 in dython 0.6.6's default, -1 in the
            AML code).
        bias_correction: Bias-correct Cramér's V (ignored with Theil's U).

    Returns:
        A ``p x p`` float frame indexed by column name on both axes. Row ``i``, column
        ``j``: Pearson's r (numeric-numeric, in ``[-1, 1]``), eta (mixed, in ``[0, 1]``),
        ``U(j | i)`` or Cramér's V (nominal, in ``[0, 1]``); 1 on the diagonal; a row and
        column of 0 (diagonal included) for a single-valued column.

    Raises:
        InvalidDataError: A numeric column holds values that are not numbers.
    """
    check_choice("nominal", nominal, NOMINAL_MEASURES)
    bias_correction = check_bool("bias_correction", bias_correction)
    columns = list(data.columns)
    nominal_set = set(categorical_columns)
    p = len(columns)
    matrix = np.zeros((p, p), dtype=np.float64)
    codes: dict[int, tuple[np.ndarray, int]] = {}
    numbers: dict[int, np.ndarray] = {}
    for i, column in enumerate(columns):
        series = data[column]
        if column in nominal_set:
            values = series.astype(object).where(series.notna(), nan_replace_value)
            codes[i] = _codes(values.to_numpy())
            continue
        try:
            if not pd.api.types.is_numeric_dtype(series.dtype) or isinstance(
                series.dtype, pd.CategoricalDtype
            ):
                series = pd.to_numeric(series.astype(object))
            numbers[i] = series.astype(np.float64).fillna(nan_replace_value).to_numpy()
        except (TypeError, ValueError):
            raise InvalidDataError(
                f"column {column!r} is not in categorical_columns but holds non-numeric values"
            ) from None
    single = {i for i, (_, n_levels) in codes.items() if n_levels <= 1}
    single |= {i for i, values in numbers.items() if np.unique(values).size <= 1}
    # per numeric column: its mean and total sum of squares, shared by all its pairs
    moments = {i: (v.mean(), float(((v - v.mean()) ** 2).sum())) for i, v in numbers.items()}
    for i in range(p):
        if i in single:
            continue
        matrix[i, i] = 1.0
        for j in range(i + 1, p):
            if j in single:
                continue
            if i in codes and j in codes:
                if nominal == "theil_u":
                    # row i, column j: U(j | i); row j, column i: U(i | j)
                    matrix[j, i], matrix[i, j] = _theils_u_both(*codes[i], *codes[j])
                else:
                    value = _cramers_v_codes(*codes[i], *codes[j], bias_correction)
                    matrix[i, j] = matrix[j, i] = value
            elif i in codes or j in codes:
                cat, num = (i, j) if i in codes else (j, i)
                value = _correlation_ratio_codes(*codes[cat], numbers[num], *moments[num])
                matrix[i, j] = matrix[j, i] = value
            else:
                value = pearson(numbers[i], numbers[j])
                matrix[i, j] = matrix[j, i] = value
    matrix[~np.isfinite(matrix)] = 0.0
    return pd.DataFrame(matrix, index=columns, columns=columns)


def _correlation_ratio_codes(
    codes: np.ndarray,
    n_levels: int,
    y: np.ndarray,
    mean: float | None = None,
    total_ss: float | None = None,
) -> float:
    """Eta from integer codes; ``mean`` and ``total_ss`` of ``y`` may be passed in."""
    if mean is None or total_ss is None:
        mean = float(y.mean())
        total_ss = float(((y - mean) ** 2).sum())
    counts = np.bincount(codes, minlength=n_levels).astype(np.float64)
    sums = np.bincount(codes, weights=y, minlength=n_levels)
    level_means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    numerator = float((counts * (level_means - mean) ** 2).sum())
    if numerator == 0 or total_ss == 0:
        return 0.0
    return float(min(1.0, np.sqrt(numerator / total_ss)))


def signed_log(matrix: np.ndarray) -> np.ndarray:
    """``sign(A) * ln|A|`` elementwise, with ``ln 0`` taken as 0 (never NaN or inf)."""
    magnitude = np.abs(np.asarray(matrix, dtype=np.float64))
    logs = np.log(magnitude, out=np.zeros_like(magnitude), where=magnitude > 0)
    return np.sign(matrix) * logs

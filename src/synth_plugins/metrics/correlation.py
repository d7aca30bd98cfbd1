"""L1 distance between the correlation matrices of the real and synthetic data.

The KerusCloud evaluation slides (Exploristics) compares correlation heatmaps by the
"L1-norm-difference": the sum of absolute differences between the real and synthetic
correlations of the numerically encoded variables (sex 0/1, class 1-3, ...):

    L1 = sum over i < j of |rho_real[i, j] - rho_synthetic[i, j]|

The slides' values (1.28 without and 0.28 with modelled correlations on Titanic) are
reproduced by the upper-triangle sum of Pearson differences over sex, age, fare and survived
(``columns=``; see the method card for the candidates tried). The triangle, the reduction,
the correlation method and the column set are options; the defaults are the upper-triangle
sum of Pearson differences over every column.

A correlation that is undefined in one table only (a column constant there, or fewer than
two rows observed in both columns) counts as the largest difference the defined side
allows, ``1 + |rho|``: a generator that collapses a column has lost its dependence, and must
not score better than a faithful sample whose correlations differ by sampling noise.
Correlations need data: each table must have at least two rows, and a call in which no
compared correlation is defined in either table (every pair constant or never observed
together) is an error rather than the perfect score 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError
from synth_plugins.metrics._encoding import label_encode
from synth_plugins.metrics.validation import (
    align_columns,
    check_frame,
    column_subset,
    feature_tables,
    numeric_values,
    resolve_categorical,
)
from synth_plugins.validation import check_choice

Method = Literal["pearson", "spearman", "kendall"]
Triangle = Literal["upper", "full"]
Reduce = Literal["sum", "mean"]
METHODS: tuple[str, ...] = ("pearson", "spearman", "kendall")
TRIANGLES: tuple[str, ...] = ("upper", "full")
REDUCTIONS: tuple[str, ...] = ("sum", "mean")
#: The fewest rows a table needs for a correlation to be defined.
MIN_ROWS = 2


@dataclass(frozen=True)
class CorrelationL1Result:
    """The correlation L1 distance.

    Attributes:
        l1: The sum (or mean) of absolute differences (the headline ``score``).
        n_cells: Number of matrix cells compared.
        n_undefined: Compared cells whose correlation is undefined in exactly one table
            (scored ``1 + |rho|`` of the defined side).
        max_abs_difference: The largest absolute difference of one cell.
        method: ``"pearson"`` or ``"spearman"``.
        triangle: ``"upper"`` (pairs i < j) or ``"full"`` (all cells).
        reduce: ``"sum"`` or ``"mean"``.
        real_correlation: The real correlation matrix.
        synthetic_correlation: The synthetic correlation matrix.
    """

    l1: float
    n_cells: int
    max_abs_difference: float
    n_undefined: int
    method: str
    triangle: str
    reduce: str
    real_correlation: pd.DataFrame = field(compare=False, repr=False)
    synthetic_correlation: pd.DataFrame = field(compare=False, repr=False)

    @property
    def score(self) -> float:
        """The headline number: the L1 distance."""
        return self.l1

    def to_dict(self) -> dict[str, float]:
        """The figures as a flat ``{name: float}`` dict with stable keys."""
        return {
            "score": self.l1,
            "l1": self.l1,
            "n_cells": float(self.n_cells),
            "max_abs_difference": self.max_abs_difference,
            "n_undefined": float(self.n_undefined),
        }


def correlation_matrix(data: pd.DataFrame, method: Method = "pearson") -> pd.DataFrame:
    """Pairwise-complete correlations of a numeric table; NaN where undefined.

    A correlation is undefined (NaN) for a constant column or fewer than two rows observed
    in both columns; the diagonal is 1.
    """
    check_choice("method", method, METHODS)
    matrix = data.corr(method=method).to_numpy(dtype=np.float64, copy=True)
    matrix[~np.isfinite(matrix)] = np.nan
    np.fill_diagonal(matrix, 1.0)
    return pd.DataFrame(np.clip(matrix, -1.0, 1.0), index=data.columns, columns=data.columns)


def correlation_difference(real_corr: np.ndarray, syn_corr: np.ndarray) -> np.ndarray:
    """Cell-wise ``|rho_real - rho_synthetic|``, never NaN.

    Undefined in both tables: 0 (they agree). Undefined in one table: ``1 + |rho|`` of the
    other, the largest difference its value allows.
    """
    real_nan, syn_nan = np.isnan(real_corr), np.isnan(syn_corr)
    difference = np.abs(np.nan_to_num(real_corr) - np.nan_to_num(syn_corr))
    one_sided = real_nan ^ syn_nan
    defined = np.nan_to_num(real_corr) + np.nan_to_num(syn_corr)  # the defined side
    difference[one_sided] = 1.0 + np.abs(defined[one_sided])
    difference[real_nan & syn_nan] = 0.0
    return difference


def _holds_numbers(real: pd.Series) -> bool:
    """Whether a real column's values are numbers, correlated as they are.

    Numbers are a numeric (or boolean) column, or an unordered ``category`` column whose
    categories are numbers; an ordered categorical is encoded by its declared order. Only
    the real column decides, and the same encoding applies to the synthetic column, so
    the synthetic column's dtype never changes a correlation: grades 0, 1 and 10 are
    correlated as 0, 1 and 10 in both tables, whether the synthetic column holds them as
    integers or as a ``category``.
    """
    dtype = real.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if dtype.ordered:
            return False
        dtype = dtype.categories.dtype
    return pd.api.types.is_numeric_dtype(dtype)


def correlation_l1(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    method: Method = "pearson",
    triangle: Triangle = "upper",
    reduce: Reduce = "sum",
    columns: Iterable[str] | None = None,
    categorical_columns: Iterable[str] | None = None,
) -> CorrelationL1Result:
    """Sum or mean of ``|rho_real - rho_synthetic|`` over the correlation matrix.

    Args:
        real: The real table.
        synthetic: The synthetic table; same columns.
        method: ``"pearson"`` (the slides), ``"spearman"`` or ``"kendall"``.
        triangle: ``"upper"``: the ``p(p - 1) / 2`` pairs ``i < j``; ``"full"``: all
            ``p^2`` cells (twice the upper sum, the diagonal adding 0).
        reduce: ``"sum"`` (the slides' "sum of absolute values") or ``"mean"`` over the
            compared cells (0 when there is none, i.e. one column with ``"upper"``).
        columns: Compare only these columns (in this order); None compares every column.
            The KerusCloud Titanic figures use ``["sex", "age", "fare", "survived"]``.
        categorical_columns: Columns that are not numbers are encoded as numbers first:
            booleans as 0/1, other categorical columns by their level order (sorted
            levels, or the order of an ordered categorical); numeric columns, and
            categorical columns whose real values are numbers (an unordered ``category``
            of numbers included), are used as they are. The real column decides, for both
            tables, so the synthetic column's dtype never changes the score. None infers
            which columns hold categories.
            Identifier columns are left out and dates read as days (see
            :func:`~synth_plugins.metrics.validation.feature_tables`).

    Returns:
        A :class:`CorrelationL1Result`.

    Raises:
        InvalidDataError: Mismatched tables, a table with fewer than two rows,
            non-numeric numeric columns, or no compared correlation defined in either
            table.
        InvalidParameterError: An unknown option.
    """
    check_frame(real, "real", min_rows=MIN_ROWS)
    check_frame(synthetic, "synthetic", min_rows=MIN_ROWS)
    synthetic = align_columns(real, synthetic, "real", "synthetic")
    check_choice("method", method, METHODS)
    check_choice("triangle", triangle, TRIANGLES)
    check_choice("reduce", reduce, REDUCTIONS)
    if columns is not None:
        chosen = column_subset(columns, real)
        real, synthetic = real[chosen], synthetic[chosen]
    features = feature_tables({"real": real, "synthetic": synthetic}, categorical_columns)
    real, synthetic = features["real"], features["synthetic"]
    categorical = set(resolve_categorical([real, synthetic], categorical_columns))
    real_num, syn_num = {}, {}
    for column in real.columns:
        r, s = real[column], synthetic[column]
        if column in categorical and not _holds_numbers(r):
            real_codes, syn_codes, _ = label_encode(r, s)
            # missing values stay missing (pairwise-complete correlations)
            real_num[column] = np.where(r.isna(), np.nan, real_codes)
            syn_num[column] = np.where(s.isna(), np.nan, syn_codes)
        else:
            real_num[column] = numeric_values(r, "real")
            syn_num[column] = numeric_values(s, "synthetic")
    real_corr = correlation_matrix(pd.DataFrame(real_num), method)
    syn_corr = correlation_matrix(pd.DataFrame(syn_num), method)
    difference = correlation_difference(real_corr.to_numpy(), syn_corr.to_numpy())
    one_sided = np.isnan(real_corr.to_numpy()) ^ np.isnan(syn_corr.to_numpy())
    p = difference.shape[0]
    keep = (
        np.triu(np.ones((p, p), dtype=bool), k=1) if triangle == "upper" else np.ones((p, p), bool)
    )
    both_undefined = np.isnan(real_corr.to_numpy()) & np.isnan(syn_corr.to_numpy())
    if p > 1 and both_undefined[~np.eye(p, dtype=bool)].all():
        raise InvalidDataError(
            f"no correlation of the compared columns {list(real.columns)} is defined in real "
            "or synthetic: every pair has a constant column or fewer than two rows observed "
            "in both columns, so the score would be a meaningless 0"
        )
    cells = difference[keep]
    total = float(cells.sum())
    n_cells = int(cells.size)
    value = total if reduce == "sum" else (total / n_cells if n_cells else 0.0)
    return CorrelationL1Result(
        l1=value,
        n_cells=n_cells,
        max_abs_difference=float(cells.max()) if n_cells else 0.0,
        n_undefined=int(one_sided[keep].sum()),
        method=method,
        triangle=triangle,
        reduce=reduce,
        real_correlation=real_corr,
        synthetic_correlation=syn_corr,
    )

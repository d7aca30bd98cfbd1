"""Small two-sample statistics shared by the parts: KS, TVD, summary rows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats


def ks_two_sample(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """KS statistic and p-value of the finite values (NaN when either side has none)."""
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size == 0 or b.size == 0:
        return float("nan"), float("nan")
    result = stats.ks_2samp(a, b)
    return float(result.statistic), float(result.pvalue)


def total_variation(real: pd.Series, synthetic: pd.Series) -> float:
    """Total variation distance of two categorical distributions (missing is a level)."""
    p = real.value_counts(normalize=True, dropna=False)
    q = synthetic.value_counts(normalize=True, dropna=False)
    p, q = p.align(q, fill_value=0.0)
    return float(0.5 * np.abs(p.to_numpy() - q.to_numpy()).sum())


def summary_rows(real: pd.DataFrame, syn: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Mean, SD, KS and its p-value per column, real vs synthetic (KS 1 when undefined)."""
    rows = {}
    for column in columns:
        r = pd.to_numeric(real[column], errors="coerce").to_numpy(float)
        s = pd.to_numeric(syn[column], errors="coerce").to_numpy(float)
        ks, p = ks_two_sample(r, s)
        rows[column] = {
            "real_mean": float(np.nanmean(r)) if np.isfinite(r).any() else np.nan,
            "real_sd": float(np.nanstd(r, ddof=1)) if np.isfinite(r).sum() > 1 else np.nan,
            "synthetic_mean": float(np.nanmean(s)) if np.isfinite(s).any() else np.nan,
            "synthetic_sd": float(np.nanstd(s, ddof=1)) if np.isfinite(s).sum() > 1 else np.nan,
            "ks": ks if np.isfinite(ks) else 1.0,
            "ks_pvalue": p,
        }
    columns_out = ["real_mean", "real_sd", "synthetic_mean", "synthetic_sd", "ks", "ks_pvalue"]
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns_out)


def median_or_nan(values: np.ndarray) -> float:
    """The median, NaN for no values."""
    return float(np.median(values)) if values.size else np.nan

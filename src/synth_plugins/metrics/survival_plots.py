"""Figures of the survival evaluation: Kaplan-Meier curves and a hazard-ratio forest plot.

Both helpers take a result of :mod:`synth_plugins.metrics.survival` and return a
``matplotlib.figure.Figure`` drawn on an Agg canvas: nothing is shown, pyplot's global state
and backend are left alone, and ``figure.savefig(path)`` writes the file. matplotlib is
imported only when a helper is called.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from synth_plugins.errors import InvalidParameterError
from synth_plugins.figures import new_figure
from synth_plugins.validation import check_bool, check_int

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from synth_plugins.metrics.survival import (
        HazardRatioAlignmentResult,
        KMComparisonResult,
    )

__all__ = ["plot_hazard_ratios", "plot_km"]

#: Colours of the two sources (matplotlib's default cycle, first two entries).
COLORS: dict[str, str] = {"real": "#1f77b4", "synthetic": "#ff7f0e"}


def plot_km(
    comparison: KMComparisonResult,
    *,
    strata: Sequence[Any] | None = None,
    show_ci: bool = True,
    ncols: int = 3,
    title: str | None = None,
) -> Figure:
    """Real against synthetic Kaplan-Meier curves, one panel per stratum.

    Args:
        comparison: the result of :func:`~synth_plugins.metrics.survival.km_comparison`.
        strata: the strata to draw (``"overall"`` and/or stratum labels), in order; None
            draws all of them, overall first.
        show_ci: shade the 95 % confidence bands.
        ncols: panels per row.
        title: figure title; None uses the strata column's name.

    Returns:
        The figure; each panel's title gives the stratum and the log-rank p-value.

    Raises:
        InvalidParameterError: an unknown stratum or a bad ``ncols``.
    """
    show_ci = check_bool("show_ci", show_ci)
    available = list(comparison.tests.index)
    chosen = available if strata is None else list(strata)
    unknown = [s for s in chosen if s not in available]
    if unknown or not chosen:
        raise InvalidParameterError(f"strata must be among {available}, got {chosen}")
    ncols = min(check_int("ncols", ncols, minimum=1), len(chosen))
    nrows = math.ceil(len(chosen) / ncols)
    figure = new_figure(4.0 * ncols, 3.2 * nrows)
    axes = np.atleast_1d(figure.subplots(nrows, ncols, sharey=True, squeeze=False)).ravel()
    curves = comparison.curves
    for ax, stratum in zip(axes, chosen):
        part = curves[curves["stratum"] == stratum]
        for source in ("real", "synthetic"):
            curve = part[part["source"] == source]
            if curve.empty:
                continue
            ax.step(
                curve["time"], curve["survival"], where="post", color=COLORS[source],
                linestyle="-" if source == "real" else "--", label=source,
            )  # fmt: skip
            if show_ci:
                ax.fill_between(
                    curve["time"], curve["lower"], curve["upper"], step="post",
                    color=COLORS[source], alpha=0.15, linewidth=0,
                )  # fmt: skip
        p_value = float(comparison.tests.loc[stratum, "p_value"])
        label = stratum if stratum == "overall" else f"{comparison.strata_column} = {stratum}"
        ax.set_title(f"{label}\nlog-rank p = {p_value:.3g}", fontsize=9)
        ax.set_xlabel("time")
        ax.set_ylim(0.0, 1.02)
        ax.grid(alpha=0.3)
    for ax in axes[len(chosen) :]:
        ax.set_visible(False)
    axes[0].set_ylabel("survival probability")
    axes[0].legend(fontsize=8, loc="lower left")
    heading = title
    if heading is None:
        heading = "Kaplan-Meier: real vs synthetic"
        if comparison.strata_column is not None:
            heading += f" (by {comparison.strata_column})"
    figure.suptitle(heading)
    return figure


def plot_hazard_ratios(
    result: HazardRatioAlignmentResult,
    *,
    log_scale: bool = True,
    title: str | None = None,
) -> Figure:
    """Forest plot of the real and synthetic hazard ratios with their confidence intervals.

    Args:
        result: the result of
            :func:`~synth_plugins.metrics.survival.hazard_ratio_alignment`.
        log_scale: draw the hazard-ratio axis on a log scale (HR = 1 in the middle).
        title: figure title; None gives the mean absolute log-HR error.

    Returns:
        The figure: one row per covariate, real above synthetic, a vertical line at HR = 1;
        covariates whose signs disagree are marked with ``*``.
    """
    log_scale = check_bool("log_scale", log_scale)
    table = result.table
    n = len(table)
    figure = new_figure(6.5, max(2.5, 0.45 * n + 1.2))
    ax = figure.subplots()
    rows = np.arange(n)[::-1]
    for offset, source in ((0.15, "real"), (-0.15, "synthetic")):
        centre = np.exp(table[f"log_hr_{source}"].to_numpy(dtype=float))
        lower = np.exp(table[f"ci_lower_{source}"].to_numpy(dtype=float))
        upper = np.exp(table[f"ci_upper_{source}"].to_numpy(dtype=float))
        ax.errorbar(
            centre, rows + offset, xerr=[centre - lower, upper - centre], fmt="o",
            color=COLORS[source], label=source, capsize=2, markersize=4,
        )  # fmt: skip
    ax.axvline(1.0, color="grey", linewidth=1, linestyle=":")
    labels = [
        f"{name} *" if not agree else str(name)
        for name, agree in zip(table.index, table["sign_agree"])
    ]
    ax.set_yticks(rows, labels)
    if log_scale:
        ax.set_xscale("log")
    ax.set_xlabel(f"hazard ratio ({100 * (1 - result.alpha):.0f}% CI)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    ax.set_title(
        title
        if title is not None
        else f"Hazard ratios: mean |log HR error| = {result.mean_abs_log_hr_error:.3f}",
        fontsize=10,
    )
    return figure

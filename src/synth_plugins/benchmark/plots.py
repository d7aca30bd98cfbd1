"""Figures of the tabular benchmark: marginals, association heatmaps and DCR histograms.

For one dataset, real data against the synthetic table of every generator:

- :func:`plot_marginals`: one panel per column (at most :data:`MAX_MARGINAL_COLUMNS`), the
  real training split as grey bars and each generator as a coloured outline, as shares of
  rows so that tables of different sizes compare.
- :func:`plot_associations`: the association matrices of the real and the synthetic
  table (:func:`~synth_plugins.metrics.associations.association_matrix`, Pearson's r,
  correlation ratio and Theil's U) and their difference, one figure per generator.
- :func:`plot_distances`: histograms of each synthetic row's distance to the closest
  record of equal-size samples of the training split and of the holdout, with the binning
  and Hamming distance of the DCR holdout share (:mod:`synth_plugins.metrics.dcr`), each
  panel titled with the metric's share and copies over every row
  (:func:`distance_panel`); a generator that copies training rows shows training
  distances piled up at 0.

Figures are built with :mod:`synth_plugins.figures` (an Agg canvas, no pyplot, nothing
shown) and written as PNGs. :func:`tabular_figures` writes every figure of one dataset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from synth_plugins.encoding.roles import discrete_role_columns
from synth_plugins.figures import new_figure, save_figure
from synth_plugins.metrics.associations import association_matrix
from synth_plugins.metrics.dcr import dcr_codes, dcr_holdout_share
from synth_plugins.metrics.distance import nearest_hamming
from synth_plugins.metrics.validation import resolve_categorical

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Columns drawn in the marginal grid (the first ones of the table).
MAX_MARGINAL_COLUMNS = 12
#: Levels drawn per categorical column; rarer levels are pooled as "other".
MAX_LEVELS = 10
#: Bins of a numeric column's histogram.
HISTOGRAM_BINS = 20
#: Synthetic rows of the distance figure, and rows of each real sample its histograms use.
MAX_DISTANCE_ROWS = 5_000
#: Colour of the real data; generators take matplotlib's default cycle in order.
REAL_COLOR = "#7f7f7f"
GENERATOR_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#bcbd22", "#17becf",
)  # fmt: skip
#: Colours of the two reference sets of the distance histograms.
DISTANCE_COLORS = {"train": "#d62728", "holdout": "#1f77b4"}


def discrete_columns(roles: Mapping[str, str], frame: pd.DataFrame) -> list[str]:
    """The columns of ``frame`` compared by value: discrete roles, inferred for the rest.

    Args:
        roles: A dataset's roles by column (binary, categorical and ordinal are discrete).
        frame: The real table; a column without a role has it inferred from the data.

    Returns:
        Column names in the order of ``frame``.
    """
    unknown = [c for c in frame.columns if c not in roles]
    inferred = set(resolve_categorical([frame[unknown]], None)) if unknown else set()
    declared = set(discrete_role_columns(roles, frame.columns))
    return [c for c in frame.columns if c in declared or c in inferred]


# ---------------------------------------------------------------------------- marginals


def _labels(series: pd.Series) -> pd.Series:
    """Values as level labels that match across tables (``1`` and ``1.0`` are one level)."""
    values = series.dropna()
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(float).map("{:g}".format)
    return values.astype(str)


def _numeric(series: pd.Series) -> np.ndarray:
    values = pd.to_numeric(series.astype(object), errors="coerce").to_numpy(dtype=float)
    return values[np.isfinite(values)]


def _draw_numeric(ax: Axes, real: pd.Series, synthetic: Mapping[str, pd.Series]) -> None:
    """Shares of rows per bin; bins span the real range, synthetic outliers fall at its ends."""
    from matplotlib.ticker import MaxNLocator

    values = _numeric(real)
    if values.size == 0:
        return
    edges = np.histogram_bin_edges(values, bins=HISTOGRAM_BINS)

    def shares(x: np.ndarray) -> np.ndarray:
        counts, _ = np.histogram(np.clip(x, edges[0], edges[-1]), bins=edges)
        return counts / max(x.size, 1)

    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4))
    ax.stairs(shares(values), edges, fill=True, color=REAL_COLOR, alpha=0.45, label="real")
    for i, (name, series) in enumerate(synthetic.items()):
        ax.stairs(shares(_numeric(series)), edges, color=_color(i), linewidth=1.3, label=name)


def _draw_levels(ax: Axes, real: pd.Series, synthetic: Mapping[str, pd.Series]) -> None:
    """Grouped bars of level shares; the most frequent real levels, the rest as "other"."""
    real_labels = _labels(real)
    counts = real_labels.value_counts()
    shown = sorted(counts.index[:MAX_LEVELS], key=_level_key)
    sources = {"real": real_labels, **{k: _labels(v) for k, v in synthetic.items()}}
    pooled = any(not s.isin(shown).all() for s in sources.values())
    levels = [*shown, "other"] if pooled else shown
    width = 0.8 / len(sources)
    positions = np.arange(len(levels))
    for i, (name, labels) in enumerate(sources.items()):
        grouped = labels.where(labels.isin(shown), "other")
        share = grouped.value_counts(normalize=True).reindex(levels, fill_value=0.0)
        color, alpha = (REAL_COLOR, 0.6) if i == 0 else (_color(i - 1), 0.9)
        offset = (i - (len(sources) - 1) / 2) * width
        ax.bar(positions + offset, share.to_numpy(), width, color=color, alpha=alpha, label=name)
    ax.set_xticks(positions, levels, fontsize=7, rotation=30 if len(levels) > 4 else 0)


def _color(generator: int) -> str:
    """The colour of the ``generator``-th synthetic table (the palette repeats)."""
    return GENERATOR_COLORS[generator % len(GENERATOR_COLORS)]


def _level_key(label: str) -> tuple[int, float | str]:
    """Sort numeric-looking levels by value, the others after them by name."""
    try:
        return (0, float(label))
    except ValueError:
        return (1, label)


def plot_marginals(
    real: pd.DataFrame,
    synthetic: Mapping[str, pd.DataFrame],
    categorical_columns: Iterable[str],
    *,
    max_columns: int = MAX_MARGINAL_COLUMNS,
    ncols: int = 4,
    title: str | None = None,
) -> Figure:
    """A grid of per-column distributions, real against every generator's table.

    Numeric columns are histograms over the real range (synthetic values outside it are
    counted in the outer bins); categorical columns are grouped bars of level shares. Both
    show shares of rows, so tables of different sizes compare.

    Args:
        real: The real table (the training split the generators saw).
        synthetic: Generator name -> its synthetic table, with the real table's columns.
        categorical_columns: The columns drawn as levels.
        max_columns: The first this many columns are drawn.
        ncols: Panels per row.
        title: Figure title; None names the columns drawn.

    Returns:
        The figure, one panel per drawn column and a legend naming the sources.
    """
    columns = list(real.columns)[:max_columns]
    categorical = set(categorical_columns)
    ncols = max(1, min(ncols, len(columns)))
    nrows = -(-len(columns) // ncols)
    figure = new_figure(3.2 * ncols, 2.4 * nrows + 0.6)
    axes = np.atleast_1d(figure.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax, column in zip(axes, columns):
        parts = {name: frame[column] for name, frame in synthetic.items() if column in frame}
        draw = _draw_levels if column in categorical else _draw_numeric
        draw(ax, real[column], parts)
        ax.set_title(str(column), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(axis="y", alpha=0.3)
    for ax in axes[len(columns) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=8)
    heading = "Marginals: real vs synthetic (share of rows)"
    if len(columns) < real.shape[1]:
        heading += f", first {len(columns)} of {real.shape[1]} columns"
    figure.suptitle(title or heading)
    return figure


# ------------------------------------------------------------------------- associations


def association_difference(
    real: pd.DataFrame, synthetic: pd.DataFrame, categorical_columns: Iterable[str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The association matrices of both tables and their difference (synthetic - real).

    Args:
        real: The real table.
        synthetic: A synthetic table with the same columns.
        categorical_columns: The nominal columns (Theil's U between two of them, the
            correlation ratio against a numeric one, Pearson's r between numeric ones).

    Returns:
        ``(real, synthetic, difference)``, ``p x p`` frames indexed by column name.
    """
    categorical = list(categorical_columns)
    real_matrix = association_matrix(real, categorical)
    synthetic_matrix = association_matrix(synthetic[list(real.columns)], categorical)
    return real_matrix, synthetic_matrix, synthetic_matrix - real_matrix


def plot_associations(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    categorical_columns: Iterable[str],
    *,
    title: str | None = None,
) -> Figure:
    """Three heatmaps: real associations, synthetic associations, synthetic - real.

    All three share one colour scale from -1 to 1, so the difference panel reads in the
    units of the matrices; its title gives the largest absolute difference.

    Args:
        real: The real table.
        synthetic: A synthetic table with the same columns.
        categorical_columns: The nominal columns.
        title: Figure title.

    Returns:
        The figure.
    """
    matrices = association_difference(real, synthetic, categorical_columns)
    p = len(real.columns)
    side = min(max(3.2, 0.22 * p + 1.5), 6.0)
    figure = new_figure(3 * side + 2.5, side + 2.0)  # room for the rotated labels
    axes = figure.subplots(1, 3)
    labels = [str(c) for c in real.columns]
    largest = float(np.abs(matrices[2].to_numpy()).max()) if p else 0.0
    names = ("real", "synthetic", f"synthetic - real (max |diff| {largest:.2f})")
    image = None
    for ax, matrix, name in zip(axes, matrices, names):
        image = ax.imshow(matrix.to_numpy(), cmap="RdBu_r", vmin=-1.0, vmax=1.0)
        ax.set_title(name, fontsize=9)
        ax.set_xticks(np.arange(p), labels, rotation=90, fontsize=6)
        ax.set_yticks(np.arange(p), labels if ax is axes[0] else [], fontsize=6)
    if image is not None:
        figure.colorbar(image, ax=list(axes), shrink=0.8)
    if title:
        figure.suptitle(title)
    return figure


# ---------------------------------------------------------------------------- distances


@dataclass(frozen=True)
class DistancePanel:
    """What one generator's panel of the distance figure shows.

    Attributes:
        to_train: Per synthetic row drawn, the columns it differs in from the closest row
            of an equal-size sample of the training and holdout rows (see
            :func:`distance_panel`), for the histogram.
        to_holdout: The same, to the closest row of the holdout sample.
        share: The DCR holdout share, the metric's headline
            (:func:`~synth_plugins.metrics.dcr.dcr_holdout_share` ``.share``): every training
            and holdout row scored, about 0.5 without memorisation, 1 for a full copy.
        copies: Share of the synthetic rows drawn identical (after binning) to a row of the
            whole training set: the metric's ``exact_matches_train / n_synthetic``.
    """

    to_train: np.ndarray
    to_holdout: np.ndarray
    share: float
    copies: float


def _sample_rows(n_rows: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of ``size`` of ``n_rows`` rows, drawn without replacement (all if equal)."""
    if size >= n_rows:
        return np.arange(n_rows)
    return np.sort(rng.choice(n_rows, size=size, replace=False))


def distance_panel(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    categorical_columns: Iterable[str] | None = None,
    *,
    num_bins: int = 100,
    max_rows: int = MAX_DISTANCE_ROWS,
    seed: int = 0,
) -> DistancePanel:
    """One generator's distances to the closest record, its DCR share and its copies.

    The share and the copies are :func:`~synth_plugins.metrics.dcr.dcr_holdout_share`'s,
    with its defaults, on every training and holdout row. The histograms show distances in
    the metric's encoding (:func:`~synth_plugins.metrics.dcr.dcr_codes`:
    ``num_bins`` quantile bins per numeric column fitted on all pooled rows, missing values
    a level; the distance is the number of differing columns), but to samples of the
    training and holdout rows of one size, the smaller set's (at most ``max_rows``): the
    nearest of 640 rows is closer than the nearest of 160 for fresh rows too, so histograms
    of distances to sets of unequal size would show a gap that is not memorisation. With
    sets of equal size (and at most ``max_rows`` rows),
    :func:`~synth_plugins.metrics.dcr.dcr_share` of the distances with a tie weight of 1/2
    is ``share``.

    To keep the figures to seconds, a synthetic table longer than ``max_rows`` is cut to
    ``max_rows`` rows first (a seeded subsample without replacement); the share and the
    copies are then those of that sample.

    Args:
        train: The real rows the generator was fitted on.
        holdout: Real rows it never saw.
        synthetic: The generated rows, with the training columns.
        categorical_columns: Columns compared by value; None infers them from ``train``.
        num_bins: Quantile bins per numeric column.
        max_rows: Synthetic rows drawn, and the largest sample of training and of holdout
            rows the histograms use.
        seed: Seed of the subsamples.

    Returns:
        The panel.
    """
    rng = np.random.default_rng(seed)
    columns = list(train.columns)
    holdout = holdout[columns]
    synthetic = synthetic[columns].iloc[_sample_rows(len(synthetic), max_rows, rng)]
    result = dcr_holdout_share(
        train, holdout, synthetic, categorical_columns=categorical_columns, num_bins=num_bins
    )
    codes = dcr_codes(train, holdout, synthetic, categorical_columns, num_bins=num_bins)
    size = min(len(train), len(holdout), max_rows)
    to_train, _ = nearest_hamming(
        codes["synthetic"], codes["train"][_sample_rows(len(train), size, rng)]
    )
    to_holdout, _ = nearest_hamming(
        codes["synthetic"], codes["holdout"][_sample_rows(len(holdout), size, rng)]
    )
    return DistancePanel(
        to_train=to_train,
        to_holdout=to_holdout,
        share=result.share,
        copies=result.exact_matches_train / result.n_synthetic,
    )


#: Caption of the distance figure: what the bars and the panel titles are computed on.
DISTANCE_CAPTION = (
    "bars: distances to equal-size samples of the training and holdout rows; "
    "DCR share (dcr_holdout_share) and copies: every training and holdout row"
)


def plot_distances(
    panels: Mapping[str, DistancePanel],
    *,
    n_columns: int | None = None,
    ncols: int = 3,
    title: str | None = None,
) -> Figure:
    """Histograms of the distance to the closest record, one panel per generator.

    The bars compare distances to training and holdout samples of equal size (see
    :func:`distance_panel`); each panel's title gives the metric's DCR share and copies,
    over every row. The figure's caption (:data:`DISTANCE_CAPTION`) says so.

    Args:
        panels: Generator name -> its :func:`distance_panel`.
        n_columns: The number of columns compared (the largest possible distance); the
            x axis ends one past the largest distance observed, at most here.
        ncols: Panels per row.
        title: Figure title.

    Returns:
        The figure; each panel's title gives the DCR share (about 0.5 without
        memorisation, 1 for a full copy) and the share of synthetic rows identical to a
        training row.
    """
    names = list(panels)
    largest = max(
        (int(max(p.to_train.max(initial=0), p.to_holdout.max(initial=0))) for p in panels.values()),
        default=0,
    )
    top = largest + 1 if n_columns is None else min(largest + 1, n_columns)
    ncols = max(1, min(ncols, len(names)))
    nrows = max(1, -(-len(names) // ncols))
    figure = new_figure(3.6 * ncols, 2.7 * nrows + 0.7)
    axes = np.atleast_1d(figure.subplots(nrows, ncols, squeeze=False, sharey=True)).ravel()
    for ax, name in zip(axes, names):
        panel = panels[name]
        positions = np.arange(top + 1)
        for offset, label, values in (
            (-0.2, "train", panel.to_train),
            (0.2, "holdout", panel.to_holdout),
        ):
            share = np.bincount(values, minlength=top + 1)[: top + 1] / max(values.size, 1)
            color = DISTANCE_COLORS[label]
            ax.bar(positions + offset, share, 0.4, color=color, label=f"to {label}")
        ax.set_title(f"{name}: DCR share {panel.share:.2f}, copies {panel.copies:.1%}", fontsize=9)
        ax.set_xlabel("columns differing from the closest record", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(axis="y", alpha=0.3)
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    axes[0].set_ylabel("share of synthetic rows", fontsize=8)
    axes[0].legend(fontsize=8)
    figure.suptitle(title or "Distance to the closest record: synthetic -> train vs holdout")
    figure.supxlabel(DISTANCE_CAPTION, fontsize=8)
    return figure


# ------------------------------------------------------------------------------ a dataset


def tabular_figures(
    dataset: str,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: Mapping[str, pd.DataFrame],
    categorical_columns: Sequence[str],
    folder: Path,
) -> list[Path]:
    """Write every figure of one dataset; returns the paths written.

    ``marginals_<dataset>.png`` (all generators), ``associations_<dataset>_<generator>.png``
    (one per generator) and ``distances_<dataset>.png`` (all generators), in ``folder``.
    Generators with an empty table are left out; nothing is written without any.
    """
    synthetic = {name: frame for name, frame in synthetic.items() if len(frame)}
    if not synthetic:
        return []
    folder = Path(folder)
    written = [
        save_figure(
            plot_marginals(train, synthetic, categorical_columns, title=None),
            folder / f"marginals_{dataset}.png",
        )
    ]
    for name, frame in synthetic.items():
        figure = plot_associations(
            train, frame, categorical_columns, title=f"{dataset}: associations, {name}"
        )
        written.append(save_figure(figure, folder / f"associations_{dataset}_{name}.png"))
    panels = {
        name: distance_panel(train, holdout, frame, categorical_columns)
        for name, frame in synthetic.items()
    }
    figure = plot_distances(
        panels,
        n_columns=train.shape[1],
        title=f"{dataset}: distance to the closest record (DCR encoding)",
    )
    written.append(save_figure(figure, folder / f"distances_{dataset}.png"))
    return written

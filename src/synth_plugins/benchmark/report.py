"""Rank generators from harness results and render the tables and reports people read.

Markdown tables (:func:`to_markdown`) go into ``report.md``; :func:`write_html_report`
writes ``report.html``, one self-contained file (stylesheet inline, figures embedded as
base64 ``data:`` URIs) that opens in any browser without the results folder.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

#: The key of a suite metric's headline figure, the only one of its keys that is ranked.
SCORE_KEY = "score"
#: The label of the longitudinal suite's reference row: the real training patients scored
#: against the holdout as a generator's output is; shown beside the generators, never
#: ranked or marked best.
REFERENCE_ROW = "(real training patients)"
#: The key of a Synthcity metric computed on the real data alone (the same for every
#: generator, e.g. ``performance.linear_model.gt``), which is not ranked.
REAL_DATA_KEY = "gt"
#: Figures of Synthcity's metrics whose direction is not their metric's single one: the
#: Brier score (lower is better) of ``performance.*`` metrics that maximise, and signed
#: figures (0 is best, so neither direction ranks them) of ``survival_km_distance``.
FIGURE_DIRECTIONS: dict[str, str | None] = {
    "brier_score": "minimize",
    "optimism": None,
    "sightedness": None,
}
#: Columns of every suite's ranked table saying how each generator's row came about: the
#: seeds that produced scored data, the seeds asked for, and what failed (in words).
SEEDS_COLUMN = "seeds"
SEEDS_ASKED_COLUMN = "seeds_asked"
ERRORS_COLUMN = "errors"


def rank_generators(
    scores: pd.DataFrame,
    directions: Mapping[str, str],
    ideals: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Add per-metric ranks (1 = best, by each metric's direction) and their mean.

    ``scores`` has one row per generator and one column per metric; ``directions`` maps a
    metric column to ``"maximize"`` or ``"minimize"``. A column with an inner ideal
    (``ideals``, see :func:`suite_ideals`: 0 for the Hamming leakage coefficient, 0.5 for
    the DCR holdout share) counts every value below the ideal as the ideal (see
    :func:`rank_values`), so those generators tie as best. A metric missing for a generator
    that produced data (the metric failed) ranks last. A generator whose
    :data:`SEEDS_COLUMN` is 0 produced nothing on any seed: it gets no rank (``mean_rank``
    NaN) and comes after the ranked ones, its failure in :data:`ERRORS_COLUMN`. Rows come
    back sorted by ``mean_rank``.
    """
    ideals = ideals or {}
    failed = (
        scores[SEEDS_COLUMN].fillna(0) == 0
        if SEEDS_COLUMN in scores
        else pd.Series(False, index=scores.index)
    )
    contenders = scores[~failed]
    ranks = pd.DataFrame(index=contenders.index)
    for column, direction in directions.items():
        if column not in scores:
            continue
        values, order = rank_values(contenders[column].astype(float), ideals.get(column, direction))
        ranks[column] = values.rank(
            ascending=order == "minimize", method="average", na_option="bottom"
        )
    ranked = scores.copy()
    mean_rank = ranks.mean(axis=1) if len(ranks.columns) else pd.Series(np.nan, ranks.index)
    ranked.insert(0, "mean_rank", mean_rank.reindex(scores.index))
    return ranked.sort_values("mean_rank", na_position="last")


def seeds_status(seeds: float, asked: float) -> str:
    """``"failed"`` (no seed produced data), ``"k of n seeds"`` (fewer than asked) or ``""``."""
    if pd.isna(seeds) or pd.isna(asked) or seeds >= asked:
        return ""
    return "failed" if seeds == 0 else f"{seeds:g} of {asked:g} seeds"


def seeds_label(generator: object, seeds: float, asked: float) -> str:
    """A row's label in a summary table: the generator, marked when seeds failed.

    ``"tvae (failed)"`` when no seed produced data (the row is not ranked),
    ``"tvae (1 of 2 seeds)"`` when its figures are means over fewer seeds than asked for.
    """
    status = seeds_status(seeds, asked)
    return f"{generator} ({status})" if status else str(generator)


def failure_notes(table: pd.DataFrame) -> list[str]:
    """One line per generator of a ranked table that lost a seed or a metric, with why.

    Read from the table's :data:`SEEDS_COLUMN`, :data:`SEEDS_ASKED_COLUMN` and
    :data:`ERRORS_COLUMN` (each suite fills them), so that every page showing the table
    (``report.md``, ``report.html``, ``index.md``, ``index.html``) names the same failures.
    """
    if ERRORS_COLUMN not in table:
        return []
    notes = []
    for generator, row in table.iterrows():
        errors = row[ERRORS_COLUMN] if isinstance(row[ERRORS_COLUMN], str) else ""
        status = seeds_status(row.get(SEEDS_COLUMN, np.nan), row.get(SEEDS_ASKED_COLUMN, np.nan))
        if status == "failed":
            status = "failed, not ranked"
        if errors or status:
            said = f"{status}: " if status else ""
            notes.append(f"{generator}: {said}{errors or 'no error recorded'}")
    return notes


def rank_values(values: pd.Series, direction: str | float) -> tuple[pd.Series, str]:
    """``values`` as generators are compared on them, and the direction to compare them in.

    ``direction`` is ``"maximize"``, ``"minimize"`` or a minimised score's inner ideal
    (:attr:`~synth_plugins.catalog.MetricEntry.inner_ideal`), below which a score is no
    better than the ideal: such values count as the ideal, lower is better above it.
    """
    if isinstance(direction, int | float):
        return values.clip(lower=direction), "minimize"
    return values, direction


def score_directions(
    directions: Mapping[str, str], suite_metrics: Collection[str]
) -> dict[str, str]:
    """The keys of a Synthcity result that rank generators, with their directions.

    Every row Synthcity reports for a metric, ``<type>.<metric>.<key>``, carries the
    metric's single direction, so the figures behind a score (pair counts, set sizes, p-values)
    would be ranked as if they were scores. Kept: of the suite's metrics (``suite_metrics``,
    by name) the ``score`` key only; of Synthcity's own metrics every key but ``gt`` (and
    ``gt.*``), the value on the real data, which is the same for every generator, each in
    its own direction where it differs from its metric's (:data:`FIGURE_DIRECTIONS`: a
    Brier score is minimised, a signed figure is not ranked). ``tune`` takes its
    objective's direction from here too.

    Args:
        directions: Key -> ``"maximize"`` or ``"minimize"``, as ``Benchmarks`` reports them.
        suite_metrics: The names of the suite's metrics.

    Returns:
        The ranked keys, in the order of ``directions``.
    """
    ours = set(suite_metrics)
    kept: dict[str, str] = {}
    for key, direction in directions.items():
        parts = key.split(".")
        if len(parts) < 3:  # not a "<type>.<metric>.<key>" figure
            continue
        metric, figure = parts[1], parts[2:]
        if metric in ours:
            if figure == [SCORE_KEY]:
                kept[key] = direction
            continue
        own = FIGURE_DIRECTIONS.get(figure[-1], direction)
        if figure[0] != REAL_DATA_KEY and own is not None:
            kept[key] = own
    return kept


def suite_ideals() -> dict[str, float]:
    """Synthcity result keys of the suite's scores with an inner ideal, and the ideal.

    The catalog declares them (:attr:`~synth_plugins.catalog.MetricEntry.inner_ideal`):
    the Hamming leakage coefficient (0) and the DCR holdout share (0.5), minimised scores
    that are no better below the ideal than at it. They rank and are marked best as
    :func:`rank_values` reads them.
    """
    from synth_plugins import catalog

    return {
        f"{entry.synthcity_key}.{SCORE_KEY}": entry.inner_ideal
        for entry in catalog.METRICS
        if entry.inner_ideal is not None
    }


def overall_ranking(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Each generator's ``mean_rank`` in every ranked table, and the mean over them.

    Args:
        tables: Table title -> a table from :func:`rank_generators` (tables without a
            ``mean_rank`` column are skipped).

    Returns:
        One row per generator, one column per ranked table, then ``mean_rank`` (over the
        tables the generator appears in), sorted by it; empty when no table is ranked.
    """
    columns = {title: table["mean_rank"] for title, table in tables.items() if "mean_rank" in table}
    if not columns:
        return pd.DataFrame()
    frame = pd.DataFrame(columns)
    frame.index.name = "generator"
    frame["mean_rank"] = frame.mean(axis=1)
    return frame.sort_values("mean_rank")


def to_markdown(frame: pd.DataFrame, float_format: str = "{:.4g}") -> str:
    """A GitHub-flavoured Markdown table of ``frame`` (no extra dependency)."""
    header = [str(frame.index.name or "")] + [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for index, row in frame.iterrows():
        cells = [str(index)]
        for value in row:
            cells.append(_format(value, float_format))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _format(value: object, float_format: str) -> str:
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else float_format.format(value)
    return str(value)


# --------------------------------------------------------------------------------- HTML


@dataclass
class ReportSection:
    """One part of the HTML report, usually one dataset.

    Attributes:
        title: The section heading.
        tables: ``(caption, frame)`` pairs shown as they are (index as the first column).
        details: ``(caption, frame)`` pairs shown collapsed and transposed (one row per
            column of the frame), for wide tables with every figure.
        figures: PNG files embedded in the page, in order.
        notes: Lines shown under the heading (e.g. failures).
        directions: Column -> ``"maximize"`` or ``"minimize"`` of the ranked columns: their
            headers get an arrow and their best value is set in bold.
    """

    title: str
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    details: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    directions: Mapping[str, str] = field(default_factory=dict)


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1400px;
       padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
.scroll { overflow-x: auto; margin: 0.5em 0 1.2em; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; }
th { background: #f2f2f2; } tbody th { text-align: left; }
tbody tr:nth-child(even) { background: #fafafa; }
td.best { font-weight: bold; background: #e6f4e6; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 0.3em 0; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #555; }
.notes { color: #8a4b00; } dl.summary dt { font-weight: 600; float: left; width: 9em; }
dl.summary dd { margin-left: 10em; }
"""

#: Header suffixes of ranked columns.
ARROWS = {"maximize": " ↑", "minimize": " ↓"}


def header_mark(direction: str | float | None) -> str:
    """The header suffix of a ranked column: ↑, ↓, or ↓x (lower is better down to x).

    A float ``direction`` is an inner ideal (see :func:`rank_values`): every value at or
    below it ties as best.
    """
    if isinstance(direction, int | float):
        return f" ↓{direction:g}"
    return ARROWS.get(direction or "", "")


def best_cells(values: pd.Series, direction: str | float) -> pd.Series:
    """Whether each of ``values`` is its column's best, as the ranking reads it (ties too).

    ``direction`` is ``"maximize"``, ``"minimize"`` or an inner ideal (0 for the Hamming
    leakage coefficient: every value at or below 0 is best), see :func:`rank_values`.
    Missing and non-numeric cells are never best.
    """
    numbers, order = rank_values(pd.to_numeric(values, errors="coerce"), direction)
    if numbers.isna().all():
        return pd.Series(False, index=values.index)
    best = numbers.max() if order == "maximize" else numbers.min()
    return pd.Series(np.isclose(numbers, best), index=values.index)


def html_table(
    frame: pd.DataFrame,
    *,
    caption: str = "",
    directions: Mapping[str, str | float] | None = None,
    float_format: str = "{:.4g}",
) -> str:
    """An HTML table of ``frame``, every name and value escaped.

    Args:
        frame: The table; its index is the first column.
        caption: Shown above the table.
        directions: Ranked columns: a mark in the header (↑ higher is better, ↓ lower,
            ↓x lower down to x) and the best values in bold (the :data:`REFERENCE_ROW` row
            excepted). A Synthcity result key with an inner ideal (:func:`suite_ideals`) is
            marked as the ranking reads it.
        float_format: Format of float cells; NaN is an empty cell.

    Returns:
        A ``<table>`` element wrapped in a horizontally scrolling ``<div>``.
    """
    ideals = suite_ideals()
    directions = {
        column: ideals.get(column, direction) for column, direction in (directions or {}).items()
    }
    # the real data's reference row is shown, never marked best
    ranked = ~frame.index.isin([REFERENCE_ROW])
    best = {
        column: best_cells(frame[column].where(ranked), direction)
        for column, direction in directions.items()
        if column in frame and (direction in ARROWS or isinstance(direction, int | float))
    }
    esc = html.escape
    head = [f"<th>{esc(str(frame.index.name or ''))}</th>"]
    for column in frame.columns:
        mark = header_mark(directions.get(column))
        head.append(f"<th>{esc(str(column))}{mark}</th>")
    rows = []
    for position, (index, row) in enumerate(frame.iterrows()):
        cells = [f"<th>{esc(str(index))}</th>"]
        for column, value in row.items():
            marked = column in best and bool(best[column].iloc[position])
            text = esc(_format(value, float_format))
            cells.append(f'<td class="best">{text}</td>' if marked else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    title = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="scroll"><table>{title}<thead><tr>{"".join(head)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def html_figure(path: Path, caption: str | None = None) -> str:
    """A ``<figure>`` with the PNG at ``path`` embedded as a base64 ``data:`` URI."""
    path = Path(path)
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    text = html.escape(caption if caption is not None else path.stem)
    return (
        f'<figure><img src="data:image/png;base64,{encoded}" alt="{text}">'
        f"<figcaption>{text}</figcaption></figure>"
    )


def key_values_table(caption: str, values: Mapping[str, object]) -> str:
    """An HTML table of ``name -> value`` pairs (the seeds and versions of a page)."""
    frame = pd.DataFrame({"value": [str(v) for v in values.values()]}, index=list(values))
    return html_table(frame, caption=caption)


def html_report(
    title: str,
    *,
    summary: Mapping[str, object],
    sections: Sequence[ReportSection],
    environment: Mapping[str, str],
    seeds: Mapping[str, str],
    ranking: pd.DataFrame | None = None,
) -> str:
    """A self-contained HTML page: summary, overall ranking, sections, seeds, versions.

    Args:
        title: The page title and heading.
        summary: Facts about the run (mode, datasets, wall time, ...), in order.
        sections: The parts of the page, usually one per dataset.
        environment: Package -> version, as recorded by the run.
        seeds: What was seeded -> how (e.g. the split, each repeat, the figures).
        ranking: The overall ranking (see :func:`overall_ranking`); skipped when None or
            empty.

    Returns:
        The page; every text from the data (names, values, paths) is escaped.
    """
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        '<dl class="summary">',
        *(f"<dt>{esc(str(k))}</dt><dd>{esc(str(v))}</dd>" for k, v in summary.items()),
        "</dl>",
    ]
    if ranking is not None and len(ranking):
        parts.append("<h2>Ranking</h2>")
        parts.append(
            "<p>Mean rank (1 = best) of each generator over the ranked metrics of each "
            "table, and the mean over the tables.</p>"
        )
        parts.append(html_table(ranking, directions={"mean_rank": "minimize"}))
    for section in sections:
        parts.append(f"<h2>{esc(section.title)}</h2>")
        parts.extend(f'<p class="notes">{esc(note)}</p>' for note in section.notes)
        for caption, frame in section.tables:
            parts.append(html_table(frame, caption=caption, directions=section.directions))
        for caption, frame in section.details:
            parts.append(f"<details><summary>{esc(caption)}</summary>")
            parts.append(html_table(frame.T, directions=None))
            parts.append("</details>")
        parts.extend(html_figure(path) for path in section.figures)
    parts.append("<h2>Seeds and versions</h2>")
    parts.append(key_values_table("Seeds", seeds))
    parts.append(key_values_table("Versions", environment))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_html_report(
    path: Path,
    title: str,
    *,
    summary: Mapping[str, object],
    sections: Sequence[ReportSection],
    environment: Mapping[str, str],
    seeds: Mapping[str, str],
    ranking: pd.DataFrame | None = None,
) -> Path:
    """Write :func:`html_report` to ``path`` (UTF-8); returns the path."""
    page = html_report(
        title,
        summary=summary,
        sections=sections,
        environment=environment,
        seeds=seeds,
        ranking=ranking,
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path

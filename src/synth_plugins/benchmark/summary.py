"""Short summary tables of each suite and the one index page of the main job.

A suite's ranked tables have dozens of columns (every key of every metric); a reader needs
a handful: quality, utility, privacy and time, each with its direction and the best value
marked. :func:`summary_table` picks those columns (at most :data:`MAX_COLUMNS`) from a
ranked table; :func:`write_index` writes ``<output>/index.md`` and ``index.html``, one page
with each suite's summary tables, its figures and links to its full report and CSVs.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from synth_plugins.benchmark.report import (
    REFERENCE_ROW,
    SEEDS_ASKED_COLUMN,
    SEEDS_COLUMN,
    STYLE,
    best_cells,
    failure_notes,
    header_mark,
    html_figure,
    html_table,
    key_values_table,
    seeds_label,
    suite_ideals,
)

#: The most columns a summary table has (the generator name is the index, not a column).
MAX_COLUMNS = 10
#: Rows that are references, not generators (never marked best).
REFERENCE_ROWS = (REFERENCE_ROW,)


@dataclass(frozen=True)
class SummaryColumn:
    """One column of a summary table.

    Attributes:
        label: The header shown (the arrow of ``direction`` is appended).
        source: The column of the ranked table it is taken from.
        direction: ``"maximize"`` or ``"minimize"``; None for a column that is shown but
            not compared (no arrow, no best value): the memory columns, whose figures
            depend on what else ran in the process, and the longitudinal score against
            the training patients, a memorisation signal (:data:`LEGEND`).
        aspect: ``"rank"``, ``"quality"``, ``"utility"``, ``"privacy"`` or ``"time"``.
    """

    label: str
    source: str
    direction: str | None
    aspect: str


def _col(label: str, source: str, direction: str | None, aspect: str) -> SummaryColumn:
    return SummaryColumn(label, source, direction, aspect)


#: The tabular utility column: Synthcity's ``performance.linear_model.syn_id``, a logistic
#: regression trained on the synthetic rows and scored (ROC AUC) on the real holdout
#: (``Benchmarks.evaluate`` hands its metrics the loader's test split as the real data).
UTILITY_LABEL = "utility (logistic TSTR AUC, holdout)"
#: Summary columns per suite (``"tabular:<harness>"`` for the tabular suite's two
#: harnesses, whose tables are titled ``"<harness>:<dataset>"``), in order. Columns missing
#: from a table (a metric that did not run) are left out.
SUMMARY_COLUMNS: dict[str, tuple[SummaryColumn, ...]] = {
    "tabular:synthcity": (
        _col("mean rank", "mean_rank", "minimize", "rank"),
        _col("TabSynDex", "stats.tabsyndex.score", "maximize", "quality"),
        _col("JS distance", "stats.jensenshannon_dist.marginal", "minimize", "quality"),
        _col("detection AUC", "detection.detection_xgb.mean", "minimize", "quality"),
        _col(UTILITY_LABEL, "performance.linear_model.syn_id", "maximize", "utility"),
        _col("Hamming leakage", "privacy.hamming_leakage.score", "minimize", "privacy"),
        _col("attack risk", "privacy.anonymeter_risk.score", "minimize", "privacy"),
        _col("fit s", "fit_s", "minimize", "time"),
        _col("sample s", "sample_s", "minimize", "time"),
        _col("peak RSS rise MB", "peak_mb", None, "time"),
    ),
    "survival": (
        _col("mean rank", "mean_rank", "minimize", "rank"),
        _col("KM score", "stats.km_survival_scores.score", "maximize", "quality"),
        _col("HR abs log error vs training", "hr.mean_abs_log_hr_error", "minimize", "quality"),
        _col(
            "HR sign agreement vs training", "hr.sign_agreement_significant", "maximize", "quality"
        ),
        _col("augmentation ΔC", "aug.c_index_delta", "maximize", "utility"),
        _col("Hamming leakage", "privacy.hamming_leakage.score", "minimize", "privacy"),
        _col("fit s", "fit_s", "minimize", "time"),
        _col("sample s", "sample_s", "minimize", "time"),
        _col("peak RSS rise MB", "peak_mb", None, "time"),
    ),
    "longitudinal": (
        _col("rank", "rank", "minimize", "rank"),
        _col("quality", "Quality_Score", "maximize", "quality"),
        _col("visit gaps", "visit_gaps", "maximize", "quality"),
        _col("visit marginals", "visit_marginals", "maximize", "quality"),
        _col("lag correlations", "spearman_longitudinal", "maximize", "quality"),
        _col("static KS", "static_ks", "maximize", "quality"),
        _col("time-order violations", "Time_Order_Violations", "minimize", "quality"),
        _col("quality vs training patients", "Quality_Score_Train", None, "quality"),
        _col("fit s", "Train_Time", "minimize", "time"),
        _col("sample s", "Sample_Time", "minimize", "time"),
    ),
    "tabular:sdgym": (
        _col("quality (SDMetrics)", "Quality_Score", "maximize", "quality"),
        _col("diagnostic", "Diagnostic_Score", "maximize", "quality"),
        _col("fit s", "Train_Time", "minimize", "time"),
        _col("sample s", "Sample_Time", "minimize", "time"),
        _col("peak traced MB", "Peak_Memory_MB", None, "time"),
    ),
}


def summary_columns(suite: str, title: str) -> tuple[SummaryColumn, ...]:
    """The summary columns of ``suite``'s ranked table called ``title``.

    Args:
        suite: ``tabular``, ``survival`` or ``longitudinal``.
        title: The table's title, ``"<harness>:<dataset>"`` (e.g. ``"sdgym:pima"``).
    """
    harness = title.split(":")[0]
    return SUMMARY_COLUMNS.get(f"{suite}:{harness}", SUMMARY_COLUMNS.get(suite, ()))


def summary_table(
    table: pd.DataFrame, columns: Sequence[SummaryColumn]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The short table of ``table``: one row per generator, the chosen columns only.

    Args:
        table: A ranked table (one row per generator, means over seeds).
        columns: The columns to show; those not in ``table`` are skipped.

    Returns:
        The table, its headers the labels with the direction's arrow, each generator's row
        labelled by :func:`seeds_label` (a generator that failed on some or all seeds is
        marked so), reference rows (:data:`REFERENCE_ROWS`: real data scored as a
        generator's output is) last, for reading the generators against, never marked
        best; and header -> direction of the compared columns (those with a direction).

    Raises:
        ValueError: More than :data:`MAX_COLUMNS` columns were asked for.
    """
    if len(columns) > MAX_COLUMNS:
        raise ValueError(f"a summary table has at most {MAX_COLUMNS} columns, got {len(columns)}")
    present = [c for c in columns if c.source in table.columns]
    references = [r for r in REFERENCE_ROWS if r in table.index]
    rows = pd.concat([table.drop(index=references), table.loc[references]])
    ideals = suite_ideals()  # inner ideals, read as the ranking reads them
    marked = {c: ideals.get(c.source, c.direction) for c in present if c.direction}
    frame = pd.DataFrame(
        {
            c.label + header_mark(marked.get(c)): pd.to_numeric(rows[c.source], errors="coerce")
            for c in present
        },
        index=rows.index,
    )
    if SEEDS_COLUMN in rows and SEEDS_ASKED_COLUMN in rows:
        frame.index = [
            g if g in references
            else seeds_label(g, rows.at[g, SEEDS_COLUMN], rows.at[g, SEEDS_ASKED_COLUMN])
            for g in rows.index
        ]  # fmt: skip
    frame.index.name = "generator"
    return frame, {c.label + header_mark(d): d for c, d in marked.items()}


def summary_markdown(frame: pd.DataFrame, directions: Mapping[str, str | float]) -> str:
    """A Markdown table of a summary table, each column's best values in **bold**.

    Reference rows (:data:`REFERENCE_ROWS`) are shown and never bold.
    """
    ranked = ~frame.index.isin(REFERENCE_ROWS)
    best = {c: best_cells(frame[c].where(ranked), d) for c, d in directions.items()}
    header = [str(frame.index.name or "")] + [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for position, (index, row) in enumerate(frame.iterrows()):
        cells = [str(index)]
        for column, value in row.items():
            text = "" if pd.isna(value) else f"{value:.4g}"
            if column in best and best[column].iloc[position]:
                text = f"**{text}**"
            cells.append(text)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary_sections(
    suite: str, tables: Mapping[str, pd.DataFrame]
) -> list[tuple[str, pd.DataFrame, dict, list[str]]]:
    """``(title, summary table, directions, failure notes)`` of ``suite``'s summarised tables.

    The notes (:func:`failure_notes`) name every generator that failed on a seed or a
    metric, with the error; every page puts them under the table.
    """
    found = []
    for title, table in tables.items():
        frame, directions = summary_table(table, summary_columns(suite, title))
        if directions:
            found.append((title, frame, directions, failure_notes(table)))
    return found


LEGEND = (
    "↑ higher is better, ↓ lower is better, ↓x lower is better down to x, every value at or "
    "below x being as good as x (as the ranking reads it); the best values of each column "
    "are in bold. "
    "Rows are generators: means over the seeds that produced data (peak memory: the "
    "largest over them). Memory is shown, not compared: “peak RSS rise MB” is the largest "
    "rise of the process's resident memory during one fit or sample call, measured after "
    "the memory earlier calls freed is handed back, but a library's one-time costs (its "
    "first import, torch's first use) still fall on the first generator of a process; "
    "“peak traced MB” is SDGym's figure, Python-traced allocations only (torch's tensors "
    "are not counted). A generator marked “(k of n seeds)” produced data on k of the n "
    "seeds asked for; one marked “(failed)” on none, and is not ranked; under each table "
    "every failure is named with its error. In the longitudinal tables a generator that "
    "failed on a seed ranks after every generator that ran on all seeds; their last row, "
    f"“{REFERENCE_ROW}”, scores the real training patients against the holdout as a "
    "generator's output is scored, for reference (never ranked or bold); “quality vs "
    "training patients” is the same score against the patients the generator was fitted "
    "on, shown, not compared: a value well above “quality” is a sign of memorising. Every "
    "other figure is in the suite's report and CSVs."
)


def mode_note(mode: str) -> str:
    """What the index page says of the run's mode: quick mode is a smoke comparison."""
    if mode == "quick":
        return "short fits: a smoke comparison, not the paper-scale result"
    return "every generator at its default training length"


@dataclass
class SuiteResult:
    """What the index page shows of one suite's run.

    Attributes:
        suite: ``tabular``, ``survival`` or ``longitudinal``.
        tables: The suite's ranked tables by title (``"<kind>:<dataset>"``).
        seconds: The suite's wall time.
        seeds: What was seeded -> how.
        generators: The generators compared.
        error: Why the suite failed, if it did (its tables are then empty).
        notes: What a reader needs to read the tables (the suite's ``reading_notes``).
        files: The names of the files this run wrote in ``<output>/<suite>`` (an earlier
            run's files in a reused folder are not among them).
    """

    suite: str
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    seconds: float = float("nan")
    seeds: Mapping[str, str] = field(default_factory=dict)
    generators: Sequence[str] = ()
    error: str = ""
    notes: Sequence[str] = ()
    files: Sequence[str] = ()


def _suite_files(output: Path, result: SuiteResult) -> tuple[list[Path], list[Path]]:
    """The figures and CSVs of ``result``'s run that are in ``<output>/<suite>``."""
    folder = output / result.suite
    present = sorted(folder / name for name in result.files if (folder / name).is_file())
    return [p for p in present if p.suffix == ".png"], [p for p in present if p.suffix == ".csv"]


def write_index(
    output: Path,
    results: Sequence[SuiteResult],
    *,
    command: str,
    environment: Mapping[str, str],
    mode: str,
    seconds: float,
) -> tuple[Path, Path]:
    """Write ``<output>/index.md`` and ``index.html``: the page a person reads first.

    Per suite: its summary tables, links to its ``report.html``, ``report.md`` and CSVs,
    and its figures (embedded in the HTML page, linked from the Markdown one), those of the
    run only (``SuiteResult.files``); then the command, the seeds and the package versions.

    Returns:
        The paths of ``index.md`` and ``index.html``.
    """
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    md = [
        "# synth-plugins benchmark",
        "",
        f"Mode: **{mode}** ({mode_note(mode)}). Wall time {seconds:.0f} s. Command: `{command}`",
        "",
        LEGEND,
        "",
    ]
    esc = html.escape
    page = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>synth-plugins benchmark</title><style>{STYLE}</style></head><body>",
        "<h1>synth-plugins benchmark</h1>",
        f"<p>Mode: <b>{esc(mode)}</b> ({esc(mode_note(mode))}). Wall time {seconds:.0f} s. "
        f"Command: <code>{esc(command)}</code></p>",
        f"<p>{esc(LEGEND)}</p>",
    ]
    for result in results:
        suite = result.suite
        figures, csvs = _suite_files(output, result)
        reports = [f"{suite}/{name}" for name in ("report.html", "report.md")]
        links = [p for p in reports if (output / p).is_file()]
        md += [f"## {suite}", ""]
        page.append(f"<h2>{esc(suite)}</h2>")
        facts = f"{', '.join(result.generators) or 'none'}; wall time {result.seconds:.0f} s"
        md += [f"Generators: {facts}.", ""]
        page.append(f"<p>Generators: {esc(facts)}.</p>")
        if result.error:
            md += [f"**Failed:** {result.error}", ""]
            page.append(f'<p class="notes">Failed: {esc(result.error)}</p>')
        for note in result.notes:
            md += [note, ""]
            page.append(f"<p>{esc(note)}</p>")
        for title, frame, directions, failures in summary_sections(suite, result.tables):
            md += [f"### {title}", "", summary_markdown(frame, directions), ""]
            md += [f"- {note}" for note in failures] + ([""] if failures else [])
            page.append(html_table(frame, caption=title, directions=directions))
            page.extend(f'<p class="notes">{esc(note)}</p>' for note in failures)
        links += [f"{suite}/{c.name}" for c in csvs]  # only files that are there
        details = ", ".join(f"[{p}]({p})" for p in links) or "none (no report was written)"
        md += [f"Every figure: {details}", ""]
        page.append(
            "<p>Every figure: "
            + (
                ", ".join(f'<a href="{esc(p)}">{esc(p)}</a>' for p in links)
                or "none (no report was written)"
            )
            + "</p>"
        )
        md += [f"![{p.stem}]({suite}/{p.name})" for p in figures] + [""]
        page.extend(html_figure(p) for p in figures)
    seeds = {f"{r.suite}: {k}": v for r in results for k, v in r.seeds.items()}
    md += ["## Command, seeds and versions", "", f"Command: `{command}`", ""]
    md += [f"- seeds, {k}: {v}" for k, v in seeds.items()]
    md += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in environment.items()), ""]
    page.append("<h2>Command, seeds and versions</h2>")
    page.append(f"<p>Command: <code>{esc(command)}</code></p>")
    page.append(key_values_table("Seeds", seeds))
    page.append(key_values_table("Versions", environment))
    page.append("</body></html>")
    md_path, html_path = output / "index.md", output / "index.html"
    md_path.write_text("\n".join(md), encoding="utf-8")
    html_path.write_text("\n".join(page) + "\n", encoding="utf-8")
    return md_path, html_path

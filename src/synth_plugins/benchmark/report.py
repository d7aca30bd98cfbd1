"""Rank generators from harness results and render the tables people read."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def rank_generators(scores: pd.DataFrame, directions: Mapping[str, str]) -> pd.DataFrame:
    """Add per-metric ranks (1 = best, by each metric's direction) and their mean.

    ``scores`` has one row per generator and one column per metric; ``directions`` maps a
    metric column to ``"maximize"`` or ``"minimize"``. Metrics missing for a generator
    (a failed run) rank last. Rows come back sorted by ``mean_rank``.
    """
    ranks = pd.DataFrame(index=scores.index)
    for column, direction in directions.items():
        if column not in scores:
            continue
        values = scores[column].astype(float)
        ranks[column] = values.rank(
            ascending=direction == "minimize", method="average", na_option="bottom"
        )
    ranked = scores.copy()
    ranked.insert(0, "mean_rank", ranks.mean(axis=1) if len(ranks.columns) else np.nan)
    return ranked.sort_values("mean_rank")


def to_markdown(frame: pd.DataFrame, float_format: str = "{:.4g}") -> str:
    """A GitHub-flavoured Markdown table of ``frame`` (no extra dependency)."""
    header = [str(frame.index.name or "")] + [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for index, row in frame.iterrows():
        cells = [str(index)]
        for value in row:
            if isinstance(value, float | np.floating):
                cells.append("" if np.isnan(value) else float_format.format(value))
            else:
                cells.append(str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)

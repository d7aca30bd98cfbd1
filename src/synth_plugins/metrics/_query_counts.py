"""Anonymeter's singling-out query counts, without pandas rebuilding the columns per query.

Anonymeter counts the rows a predicate matches with ``len(df.query(q, engine="python"))``.
Each ``DataFrame.query`` call makes a new Series of every column (looking the whole dtype
table up once per column) before it reads the predicate's few columns: with
thousands of counts per attack (the singling-out correction term counts every
predicate on several samples of the control rows), that was most of the time of
:func:`~synth_plugins.metrics.attacks.anonymeter_risk`: 11.5 s of CPU on heart failure's
239 training rows and 13 columns, 4.4 s with the columns made once per frame. Inside
:func:`counted_queries` the column Series of each frame are made once and every count
evaluates the predicate on them exactly as ``DataFrame.query`` does, so the counts are the
same.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pandas as pd


@contextlib.contextmanager
def counted_queries(evaluators: Any) -> Iterator[None]:
    """Swap Anonymeter's ``safe_query_counts`` for one that reuses each frame's columns.

    Anonymeter looks the function up in its module at each call, so the block replaces it
    there and restores it after. The frames it is called with are kept (with their columns)
    until the block ends, so a frame's ``id`` cannot be reused by another while cached;
    the frames must not change inside the block (Anonymeter's do not). Predicates name
    columns only (Anonymeter writes them from column names and values); a frame whose
    column names are not distinct Python identifiers (which ``DataFrame.query`` rewrites)
    is counted by Anonymeter's own function.
    """
    module = evaluators.singling_out_evaluator
    saved = module.safe_query_counts
    columns: dict[int, tuple[pd.DataFrame, dict[str, pd.Series]]] = {}

    def safe_query_counts(query: str, df: pd.DataFrame) -> int | None:
        if not _plain_names(df):  # names pandas would rewrite: pandas' own way
            return saved(query, df)
        cached = columns.get(id(df))
        if cached is None or cached[0] is not df:
            cached = columns[id(df)] = (df, {name: df[name] for name in df.columns})
        try:
            # DataFrame.query: eval with the frame's columns as names, then select rows
            matched = pd.eval(query, engine="python", target=None, resolvers=(cached[1],))
            try:
                return len(df.loc[matched])
            except ValueError:
                return len(df[matched])
        except Exception:  # as Anonymeter's: a predicate that fails counts as None
            return None

    module.safe_query_counts = safe_query_counts
    try:
        yield
    finally:
        module.safe_query_counts = saved


def _plain_names(df: pd.DataFrame) -> bool:
    """Whether every column name is a distinct string that is a Python identifier."""
    names = list(df.columns)
    return len(set(names)) == len(names) and all(
        isinstance(name, str) and name.isidentifier() for name in names
    )

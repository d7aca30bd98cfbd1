"""The AML study's "Table 1": real and synthetic cohorts compared variable by variable.

A clinical trial report opens with a table of the cohort's characteristics; the AML study
(npj Digit. Med. 7, 76, 2024) compares the real and synthetic cohorts the same way. Per variable:

- numeric: a Shapiro-Wilk test of each sample; when neither rejects normality (p >= alpha),
  mean (SD) and Welch's t-test, otherwise median [Q1, Q3] and the Mann-Whitney U test
  (two-sided);
- categorical: counts and percentages per level; a chi-square test of the 2 x L
  contingency table (source x level; Yates' correction for 2 x 2, scipy's default), or
  Fisher's exact test when an expected count is below 5 (exact for 2 x 2, Monte Carlo with
  a fixed seed for larger tables).

A variable the synthetic data cannot be tested on (a numeric column with fewer than 3
observed values or a single value, a column with no observed value) counts as significantly
different, with a note: a generator that collapses or drops a variable has not reproduced
it. Date columns are tested as days and summarised as dates.

The headline ``score`` is the share of variables without a significant difference
(p >= alpha). :meth:`TableOneResult.to_markdown` and :meth:`TableOneResult.to_html` render the
table as a clinician reads it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synth_plugins.encoding.levels import level_text, sorted_levels
from synth_plugins.errors import InvalidDataError
from synth_plugins.metrics.clinical._checks import check_not_constant
from synth_plugins.metrics.validation import (
    align_columns,
    check_frame,
    column_subset,
    date_origins,
    feature_tables,
    numeric_values,
    resolve_categorical,
)
from synth_plugins.validation import check_fraction, check_random_state

#: An expected cell count below this sends a contingency table to Fisher's exact test.
MIN_EXPECTED = 5.0
_MIN_NUMERIC = 3  # Shapiro-Wilk needs at least three values


@dataclass(frozen=True, eq=False)
class TableOneResult:
    """A Table 1 of real vs synthetic data.

    Attributes:
        score: Share of variables with p >= alpha (the headline).
        tests: One row per variable (index ``variable``): ``kind`` (``"numeric"`` or
            ``"categorical"``), ``normal`` (both Shapiro-Wilk p >= alpha; False for
            categorical variables), ``shapiro_p_real``, ``shapiro_p_synthetic`` (NaN for
            categorical variables or constant samples), ``test``, ``statistic``,
            ``p_value`` (NaN where the synthetic sample cannot be tested), ``significant``,
            ``missing_real``, ``missing_synthetic``.
        rows: The display table: ``variable``, ``level`` (empty on a variable's first row),
            ``real``, ``synthetic``, ``test``, ``p_value`` (formatted text).
        n_real: Rows of the real table.
        n_synthetic: Rows of the synthetic table.
        alpha: The significance level.
        notes: The variables counted as different without a test, and why.
    """

    score: float
    tests: pd.DataFrame = field(repr=False)
    rows: pd.DataFrame = field(repr=False)
    n_real: int
    n_synthetic: int
    alpha: float
    notes: tuple[str, ...] = ()

    @property
    def n_significant(self) -> int:
        """Number of variables with a significant difference."""
        return int(self.tests["significant"].sum())

    def to_dict(self) -> dict[str, float]:
        """The summary figures as a flat ``{name: float}`` dict with stable keys."""
        return {
            "score": self.score,
            "n_variables": float(len(self.tests)),
            "n_significant": float(self.n_significant),
            # a variable counted as different without a test counts as p = 0
            "min_p_value": float(self.tests["p_value"].fillna(0.0).min()),
        }

    def _header(self) -> list[str]:
        return [
            "Variable",
            f"Real (n = {self.n_real})",
            f"Synthetic (n = {self.n_synthetic})",
            "Test",
            "p-value",
        ]

    def _cells(self) -> list[list[str]]:
        out = []
        for row in self.rows.itertuples(index=False):
            label = f"&nbsp;&nbsp;{row.level}" if row.level != "" else row.variable
            out.append([str(label), row.real, row.synthetic, row.test, row.p_value])
        return out

    def to_markdown(self) -> str:
        """The table as Markdown (levels indented under their variable)."""
        lines = ["| " + " | ".join(self._header()) + " |", "|" + "---|" * 5]
        for cells in self._cells():
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """The table as an HTML ``<table class="table-one">``."""
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self._header())
        body = []
        for cells in self._cells():
            first = cells[0] if cells[0].startswith("&nbsp;") else html.escape(cells[0])
            rest = "".join(f"<td>{html.escape(c)}</td>" for c in cells[1:])
            body.append(f"<tr><td>{first}</td>{rest}</tr>")
        return (
            f'<table class="table-one">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
            + "\n".join(body)
            + "\n</tbody>\n</table>\n"
        )


def table_one(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    alpha: float = 0.05,
    columns: Iterable[str] | None = None,
    categorical_columns: Iterable[str] | None = None,
    random_state: int = 0,
) -> TableOneResult:
    """Compare real and synthetic data variable by variable, as in a trial's Table 1.

    Args:
        real: The real table.
        synthetic: The synthetic table; same columns.
        alpha: Significance level of the normality and difference tests.
        columns: The variables to compare, in display order, each once; None compares
            every column.
        categorical_columns: Nominal columns; None infers them (binary, few-level and text
            columns are categorical).
            Identifier columns are left out and dates read as days (see
            :func:`~synth_plugins.metrics.validation.feature_tables`).
        random_state: Seed of the Monte Carlo Fisher test of tables larger than 2 x 2.

    Returns:
        A :class:`TableOneResult`.

    Raises:
        InvalidDataError: Mismatched tables, a table with fewer than two rows, a variable
            constant or with no observed value in the real table, a numeric variable with
            fewer than 3 observed values in the real table. (A variable constant,
            with no observed value or, if numeric, fewer than 3 in the synthetic table is a
            difference: it counts as significant, with a note.)
        InvalidParameterError: An option out of range, or ``columns`` naming an unknown
            column or one column twice.
    """
    check_frame(real, "real", min_rows=2)
    check_frame(synthetic, "synthetic", min_rows=2)
    synthetic = align_columns(real, synthetic, "real", "synthetic")
    alpha = check_fraction("alpha", alpha)
    random_state = check_random_state("random_state", random_state, none=False)
    chosen = list(real.columns) if columns is None else column_subset(columns, real)
    frames = {"real": real[chosen], "synthetic": synthetic[chosen]}
    origins = date_origins(frames, categorical_columns)
    features = feature_tables(frames, categorical_columns)
    real, synthetic = features["real"], features["synthetic"]
    chosen = list(real.columns)
    check_not_constant(real, chosen, "real")
    categorical = set(resolve_categorical([real, synthetic], categorical_columns))
    tests, rows, notes = [], [], []
    for column in chosen:
        if column in categorical:
            test, display = _categorical(
                real[column], synthetic[column], alpha, random_state, notes
            )
        else:
            summary = (
                _date_summary(origins[column], real[column], synthetic[column])
                if column in origins
                else _number_summary
            )
            test, display = _numeric(real[column], synthetic[column], alpha, summary, notes)
        tests.append({"variable": column, **test})
        rows.extend(display)
    table = pd.DataFrame(tests).set_index("variable")
    # a sample that cannot be tested (p NaN) is a difference
    table["significant"] = ~(table["p_value"] >= alpha)
    return TableOneResult(
        score=float(1.0 - table["significant"].mean()),
        tests=table,
        rows=pd.DataFrame(rows),
        n_real=len(real),
        n_synthetic=len(synthetic),
        alpha=alpha,
        notes=tuple(notes),
    )


def format_p(p: float) -> str:
    """A p-value as a report prints it (``<0.001`` below one in a thousand; ``n/a``: no test)."""
    if np.isnan(p):
        return "n/a"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


Summary = Callable[[float], str]


def _number_summary(value: float) -> str:
    """A numeric summary value as a Table 1 prints it."""
    return f"{value:.2f}"


def _date_summary(origin: pd.Timestamp, *days: pd.Series) -> Summary:
    """Days since ``origin`` printed as the dates they are, on the column's own clock.

    ``origin`` carries the column's time zone, if any (see
    :func:`~synth_plugins.metrics.validation.date_origins`): a value is read back as an
    instant and printed on that zone's wall clock, rounded to the minute. Where every
    observed value (of ``days``, the column's tables) is a midnight on that clock, a summary
    (a median between two days, a quartile) is rounded to the day and printed as a date;
    otherwise with the time.
    """
    values = np.concatenate([d.to_numpy(dtype=float) for d in days])
    observed = _wall_clock(origin, values[~np.isnan(values)])
    whole = bool((observed == observed.normalize()).all())

    def summary(value: float) -> str:
        wall = _wall_clock(origin, np.array([value]))[0]
        if whole:
            return wall.round("D").strftime("%Y-%m-%d")
        return wall.strftime("%Y-%m-%d %H:%M")

    return summary


def _wall_clock(origin: pd.Timestamp, days: np.ndarray) -> pd.DatetimeIndex:
    """``origin`` plus ``days``, on the origin's wall clock (zone dropped), to the minute.

    Rounding first: float days carry nanosecond errors that would truncate 12:00 to 11:59.
    """
    instants = origin + pd.to_timedelta(days, unit="D")
    if instants.tz is not None:
        instants = instants.tz_localize(None)
    return instants.round("min")


def _numeric(
    real: pd.Series, synthetic: pd.Series, alpha: float, summary: Summary, notes: list[str]
) -> tuple[dict, list[dict]]:
    """Shapiro-Wilk on both samples, then Welch's t-test or Mann-Whitney U.

    ``summary`` prints a location (a number, or a date for a date column); spreads of a date
    column are printed in days. A synthetic sample with fewer than 3 observed values or a
    single value cannot be tested: the variable counts as different (p NaN) and ``notes``
    says why. A constant sample otherwise went to Mann-Whitney U (Shapiro-Wilk is undefined
    on it), a test of location that a column collapsed to the real median passes.
    """
    from scipy import stats

    samples = {}
    for name, series in (("real", real), ("synthetic", synthetic)):
        values = numeric_values(series, name)
        samples[name] = values[~np.isnan(values)]
    r, s = samples["real"], samples["synthetic"]
    # inferred roles make such a column binary or constant, but a column declared numeric
    # (``categorical_columns=[]``) can reach here with 2 observed real values
    if len(r) < _MIN_NUMERIC:
        raise InvalidDataError(
            f"numeric column {real.name!r} of real has {len(r)} observed value(s); "
            f"Table 1 needs at least {_MIN_NUMERIC}"
        )
    dates = "" if summary is _number_summary else " days"  # unit of a date column's SD
    if len(s) < _MIN_NUMERIC or np.ptp(s) == 0:
        reason = (
            f"{len(s)} observed value(s)"
            if len(s) < _MIN_NUMERIC
            else f"a single value ({summary(float(s[0]))})"
        )
        notes.append(
            f"{real.name!r}: the synthetic data have {reason}; no test, counted as different"
        )
        cells = {
            "real": "{} [{}, {}]".format(*(summary(v) for v in np.percentile(r, [50, 25, 75]))),
            "synthetic": reason,
        }
        test = _numeric_test(real, synthetic, {"real": np.nan, "synthetic": np.nan}, False)
        test.update(test="not testable", statistic=np.nan, p_value=np.nan)
        label = f"{real.name}, median [Q1, Q3]"
        display = [_row(label, "", cells["real"], cells["synthetic"], "not testable", "n/a")]
        display.extend(_missing_row(real, synthetic))
        return test, display
    shapiro = {
        name: (float(stats.shapiro(v).pvalue) if np.ptp(v) > 0 else np.nan)
        for name, v in samples.items()
    }
    normal = all(np.isfinite(p) and p >= alpha for p in shapiro.values())
    if normal:
        result = stats.ttest_ind(r, s, equal_var=False)
        name = "Welch t-test"
        cells = {k: f"{summary(v.mean())} ({v.std(ddof=1):.2f}{dates})" for k, v in samples.items()}
        label = f"{real.name}, mean (SD)"
    else:
        result = stats.mannwhitneyu(r, s, alternative="two-sided")
        name = "Mann-Whitney U"
        cells = {
            k: "{} [{}, {}]".format(*(summary(q) for q in np.percentile(v, [50, 25, 75])))
            for k, v in samples.items()
        }
        label = f"{real.name}, median [Q1, Q3]"
    p = float(result.pvalue)
    test = _numeric_test(real, synthetic, shapiro, normal)
    test.update(test=name, statistic=float(result.statistic), p_value=p)
    display = [_row(label, "", cells["real"], cells["synthetic"], name, format_p(p))]
    display.extend(_missing_row(real, synthetic))
    return test, display


def _numeric_test(
    real: pd.Series, synthetic: pd.Series, shapiro: dict[str, float], normal: bool
) -> dict:
    """The ``tests`` row of a numeric variable, test and p-value to be filled in."""
    return {
        "kind": "numeric",
        "normal": normal,
        "shapiro_p_real": shapiro["real"],
        "shapiro_p_synthetic": shapiro["synthetic"],
        "test": "",
        "statistic": np.nan,
        "p_value": np.nan,
        "missing_real": int(real.isna().sum()),
        "missing_synthetic": int(synthetic.isna().sum()),
    }


def _categorical(
    real: pd.Series, synthetic: pd.Series, alpha: float, seed: int, notes: list[str]
) -> tuple[dict, list[dict]]:
    """Counts per level; chi-square, or Fisher's exact test when an expected count < 5.

    A synthetic column with no observed value cannot be tested: the variable counts as
    different (p NaN) and ``notes`` says so.
    """
    from scipy import stats

    levels = sorted_levels(pd.unique(pd.concat([real.dropna(), synthetic.dropna()])))
    counts = np.array(
        [[int((series == level).sum()) for level in levels] for series in (real, synthetic)]
    )
    totals = counts.sum(axis=1)
    if totals[0] == 0:
        raise InvalidDataError(f"column {real.name!r} of real has no observed value")
    if totals[1] == 0:
        notes.append(
            f"{real.name!r}: the synthetic data have no observed value; no test, counted as "
            "different"
        )
        name, statistic, p = "not testable", np.nan, np.nan
    elif stats.contingency.expected_freq(counts).min() >= MIN_EXPECTED:
        result = stats.chi2_contingency(counts)
        name, statistic, p = "Chi-square", float(result.statistic), float(result.pvalue)
    elif counts.shape[1] == 2:
        result = stats.fisher_exact(counts)
        name, statistic, p = "Fisher's exact", float(result.statistic), float(result.pvalue)
    else:
        method = stats.MonteCarloMethod(n_resamples=9999, rng=np.random.default_rng(seed))
        result = stats.fisher_exact(counts, method=method)
        name, statistic, p = "Fisher's exact (MC)", float(result.statistic), float(result.pvalue)
    test = {
        "kind": "categorical",
        "normal": False,
        "shapiro_p_real": np.nan,
        "shapiro_p_synthetic": np.nan,
        "test": name,
        "statistic": statistic,
        "p_value": p,
        "missing_real": int(real.isna().sum()),
        "missing_synthetic": int(synthetic.isna().sum()),
    }
    display = [_row(f"{real.name}, n (%)", "", "", "", name, format_p(p))]
    for j, level in enumerate(levels):
        cells = [
            f"{counts[i, j]} ({100 * counts[i, j] / totals[i]:.1f}%)" if totals[i] else "0"
            for i in (0, 1)
        ]
        display.append(_row(str(real.name), level_text(level), *cells, "", ""))
    display.extend(_missing_row(real, synthetic))
    return test, display


def _missing_row(real: pd.Series, synthetic: pd.Series) -> list[dict]:
    n_real, n_syn = int(real.isna().sum()), int(synthetic.isna().sum())
    if not (n_real or n_syn):
        return []
    return [_row(str(real.name), "missing", str(n_real), str(n_syn), "", "")]


def _row(variable: str, level: str, real: str, synthetic: str, test: str, p: str) -> dict:
    return {
        "variable": variable,
        "level": level,
        "real": real,
        "synthetic": synthetic,
        "test": test,
        "p_value": p,
    }

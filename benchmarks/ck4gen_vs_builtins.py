r"""CK4Gen against SDV's GaussianCopula and Synthcity's survival built-ins, 3 seeds, same splits.

A resumable, seed-replicated companion of ``benchmarks/ck4gen_survival.py`` (whose
Synthcity harness fits one seed per generator). On the splits of that script
(``SurvivalBenchmark.prepare``: 80/20, ``random_state=0``; FLChain complete cases
subsampled to 1,000 rows), and on the three extra real tables of
``benchmarks/ck4gen_rare_privacy.py`` (``--datasets rossi kidney_transplant veterans``,
lifelines and scikit-survival, 80/20 ``train_test_split(random_state=0)``), each generator
is fitted once per seed and sampled once (n = training size). Per sample:
``hazard_ratio_alignment`` against the training split (mean, median and largest absolute
log-HR error, sign agreement on the covariates significant in the real fit),
``survival_augmentation`` on the holdout (Cox and a 50-tree random
survival forest, one synthetic table, the seed of the sample), the Hamming leakage
coefficient and the exact copies of training rows against the holdout's collision rate
(``exact_copies``).

Generators and budgets: ``ck4gen_copy`` / ``ck4gen_model`` / ``ck4gen_model_uncalibrated``
(one fit at CK4Gen's default budget, up to 500/500 epochs at ``lr=1e-3``, batch 64, with
early stopping; sampled in both outcome modes, model mode also with
``calibrate_levels=False``, the draw of discrete levels before the level calibration;
``--ck4gen-budget short`` fits with the earlier benchmark settings instead, 200/200 epochs
at ``lr=5e-3``, batch 128), ``ck4gen_model_noise0.5`` (the same fit settings with
``latent_noise=0.5``, model mode only), ``ck4gen_paper`` (``CK4Gen.from_preset("paper")``
at the same fit settings: copied outcomes, a linear teacher, thresholded levels, no copy
filter), ``sdv_gaussian_copula`` (SDV defaults: no
training budget) and the Synthcity built-ins ``survival_nflow``, ``survae``, ``tvae``,
``survival_ctgan`` and ``survival_gan`` (Synthcity defaults; ``--n-iter`` overrides their
``n_iter``, whose defaults are in ``DEFAULT_ITER``). ``real_bootstrap`` is a reference, not a
generator: a resample (with replacement, n = training size) of the training rows themselves,
so its errors are the noise floor of each measure on that table (its copies and leakage are
those of copying by construction).

Rows carry ``scoring``: ``SCORING`` for rows scored since the Cox fits count a fit that
lifelines warns did not converge as failed (retry with a shorter Newton step, then a larger
penalizer); rows without it were scored when such fits were kept. The report uses the newer
row of a run when both exist and marks generators that still have older rows.

Usage (repository root)::

    OMP_NUM_THREADS=1 PYTHONPATH=src nice -n 10 .venv/bin/python \
        benchmarks/ck4gen_vs_builtins.py --generators ck4gen sdv_gaussian_copula

Results are appended to ``docs/benchmarks/ck4gen_vs_builtins.jsonl`` as each
(dataset, generator, seed) finishes, with the load average; finished runs are skipped.
``--write-docs`` rewrites, from that file, the summary between the ``builtins-summary``
markers of ``docs/benchmarks/ck4gen.md`` (mean log-HR error per generator and table at the
current settings), the figures the page quotes from it between the ``builtins-figures``
markers, and the tables between its ``builtins`` markers (per table, the current settings,
then CK4Gen's superseded settings and ablations).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from synth_plugins.catalog import HAMMING_BREACH_THRESHOLD

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "benchmarks" / "ck4gen_vs_builtins.jsonl"
DOC = ROOT / "docs" / "benchmarks" / "ck4gen.md"
MARKERS = ("<!-- builtins:start -->", "<!-- builtins:end -->")
SUMMARY_MARKERS = ("<!-- builtins-summary:start -->", "<!-- builtins-summary:end -->")
FIGURES_MARKERS = ("<!-- builtins-figures:start -->", "<!-- builtins-figures:end -->")
sys.path.insert(0, str(ROOT / "benchmarks"))
from ck4gen_rare_privacy import BUDGETS, EXTRA, MAX_ROWS  # noqa: E402
from ck4gen_rare_privacy import prepare as prepare_table  # noqa: E402
from tabular_quality import code_version  # noqa: E402

if TYPE_CHECKING:
    from synth_plugins.datasets import Dataset

#: Synthcity's default ``n_iter`` of each built-in (``survival_gan`` wraps ``adsgan``).
DEFAULT_ITER = {
    "survival_nflow": 1000,
    "survae": 1000,
    "tvae": 1000,
    "survival_ctgan": 2000,
    "survival_gan": 10000,
}
#: CK4Gen model mode with latent noise (the fidelity/privacy knob), as a separate row.
NOISY = {"ck4gen_model_noise0.5": 0.5}
#: The resample of the training rows that gives each measure's noise floor.
REFERENCE = "real_bootstrap"
#: CK4Gen's paper preset (``CK4Gen.from_preset("paper")``), as a separate row.
PAPER = "ck4gen_paper"
#: CK4Gen at its defaults (model mode), the row the page's figures are about.
MODEL = "ck4gen_model"
GENERATORS = ("ck4gen", *NOISY, PAPER, "sdv_gaussian_copula", *DEFAULT_ITER, REFERENCE)
#: The scoring of new rows (see the module docstring); older rows have no ``scoring``.
SCORING = "cox-retry"
RSF = {"n_estimators": 50}
#: The budget column of CK4Gen's rows per ``--ck4gen-budget`` (the rows of 200/200 epochs
#: before the level calibration are labelled "200/200 epochs, lr=5e-3, batch 128").
BUDGET_LABELS = {
    "default": "default (500/500 epochs, lr=1e-3, batch 64, early stopping)",
    "short": "200/200 epochs, lr=5e-3, batch 128, current code",
}


@dataclass(frozen=True)
class TrainingLoader:
    """An extra table's stand-in for a split loader: ``train()`` is its training split."""

    dataset: Dataset

    def train(self) -> Any:
        """The Synthcity loader of the whole training split (``to_dataloader``)."""
        from synth_plugins.synthcity.loaders import to_dataloader

        return to_dataloader(self.dataset)


def prepare(name: str) -> Any:
    """The benchmark split of ``name`` (the Synthcity loader is kept for the built-ins).

    The paper tables come from ``SurvivalBenchmark.prepare``; the extra tables (``EXTRA``)
    from ``ck4gen_rare_privacy.prepare``, the split its CK4Gen records were scored on.
    """
    from synth_plugins.benchmark.survival import DatasetRun, SurvivalBenchmark

    if name in EXTRA:
        from synth_plugins.datasets import Dataset
        from synth_plugins.encoding.roles import infer_roles

        train, holdout, duration, event, roles, notes = prepare_table(name)
        dataset = Dataset(
            name, "survival", train, infer_roles(train, roles),
            duration_column=duration, event_column=event,
        )  # fmt: skip
        run = DatasetRun(name, dataset, train, holdout, notes)
        run.loader = TrainingLoader(dataset)  # type: ignore[attr-defined]
        return run

    return SurvivalBenchmark(datasets=(name,), max_rows=MAX_ROWS[name]).prepare(name)


def fit_ck4gen(run: Any, seed: int, settings: dict[str, Any], preset: str | None = None) -> Any:
    """CK4Gen fitted on the training split: at ``settings``, from ``preset`` if given."""
    from synth_plugins.generators.ck4gen import CK4Gen

    dataset = run.dataset
    layout = (dataset.duration_column, dataset.event_column, dict(dataset.roles))
    options = {"random_state": seed, **settings}
    if preset is None:
        return CK4Gen(*layout, **options).fit(run.train)
    return CK4Gen.from_preset(preset, *layout, **options).fit(run.train)


def samples(
    generator: str, run: Any, seed: int, n_iter: int | None, ck4gen_budget: str = "default"
) -> dict[str, pd.DataFrame]:
    """Fit one generator on the training split and sample it (per CK4Gen outcome mode)."""
    dataset, train = run.dataset, run.train
    n = len(train)
    settings = BUDGETS[ck4gen_budget]
    if generator == REFERENCE:
        return {generator: train.sample(n, replace=True, random_state=seed)}
    if generator == "ck4gen":
        model = fit_ck4gen(run, seed, settings)
        out = {
            f"ck4gen_{mode}": model.sample(n, random_state=seed, outcome=mode)
            for mode in ("copy", "model")
        }
        model.calibrate_levels = False
        out["ck4gen_model_uncalibrated"] = model.sample(n, random_state=seed, outcome="model")
        return out
    if generator in NOISY:
        model = fit_ck4gen(run, seed, {**settings, "latent_noise": NOISY[generator]})
        return {generator: model.sample(n, random_state=seed, outcome="model")}
    if generator == PAPER:
        model = fit_ck4gen(run, seed, settings, preset="paper")
        return {generator: model.sample(n, random_state=seed)}
    if generator == "sdv_gaussian_copula":
        from sdv.metadata import Metadata
        from sdv.single_table import GaussianCopulaSynthesizer

        from synth_plugins.sdv import compat
        from synth_plugins.sdv.metadata import metadata_dict

        metadata = Metadata.load_from_dict(metadata_dict(train, dict(dataset.roles), "train"))
        synthesizer = GaussianCopulaSynthesizer(metadata)
        compat.fit(synthesizer, train)
        synthesizer._set_random_state(seed)  # SDV seeds its sampler this way (no public API)
        return {generator: compat.sample(synthesizer, n)}
    from synthcity.plugins import Plugins

    plugin = Plugins().get(generator, n_iter=n_iter, random_state=seed)
    plugin.fit(run.loader.train())
    out = plugin.generate(count=n, random_state=seed).dataframe()
    return {generator: out[list(train.columns)]}


def score(run: Any, synthetic: pd.DataFrame, seed: int) -> dict[str, Any]:
    """Hazard-ratio alignment, augmentation, leakage and exact copies of one sample."""
    from synth_plugins.metrics.copies import exact_copies
    from synth_plugins.metrics.hamming import hamming_leakage
    from synth_plugins.metrics.survival import hazard_ratio_alignment, survival_augmentation

    dataset, train, holdout = run.dataset, run.train, run.holdout
    d, e = dataset.duration_column, dataset.event_column
    hr = hazard_ratio_alignment(train, synthetic, d, e)
    error = hr.table["abs_log_hr_error"]
    aug = survival_augmentation(
        train, holdout, synthetic, d, e, seeds=1, rsf_params=RSF
    ).per_seed.set_index("model")
    copies = exact_copies(synthetic, train, holdout, roles=dict(dataset.roles))
    return {
        "mean_error": float(error.mean()),
        "median_error": float(error.median()),
        "largest_error": float(error.max()),
        "largest_covariate": str(error.idxmax()),
        "log_hr_error": error.round(4).to_dict(),
        "sign_significant": hr.sign_agreement_significant,
        "n_significant_real": hr.n_significant_real,
        "delta_c_cox": float(aug.loc["cox", "c_index_augmented"] - aug.loc["cox", "c_index_real"]),
        "delta_c_rsf": float(aug.loc["rsf", "c_index_augmented"] - aug.loc["rsf", "c_index_real"]),
        "leakage": float(hamming_leakage(train, holdout, synthetic).coefficient),
        "copies": copies.copies,
        "copies_allowed": copies.allowed,
        "copies_excess": copies.excess,
    }


def _cell(values: pd.Series, digits: int = 3, sign: bool = False) -> str:
    """``mean [min, max]`` over seeds (just the value for one seed)."""
    fmt = f"{{:{'+' if sign else ''}.{digits}f}}"
    values = values.dropna()
    if values.empty:
        return "–"
    if len(values) == 1:
        return fmt.format(values.iloc[0])
    return f"{fmt.format(values.mean())} [{fmt.format(values.min())}, {fmt.format(values.max())}]"


#: How the summary and the current tables name CK4Gen's rows at its default budget (model
#: mode has been the default outcome since 5 December 2026).
CURRENT_CK4GEN = {
    MODEL: "**`ck4gen`** (default)",
    PAPER: "`ck4gen` paper preset",
    "ck4gen_copy": '`ck4gen` `outcome="copy"`',
}
#: Hamming leakage coefficients above this are breaches (the AML default).
LEAKAGE_BREACH = HAMMING_BREACH_THRESHOLD
#: A covariate's absolute log-HR error above this misses CK4Gen's target (strictly above).
LARGE_ERROR = 1.0


def load_runs(path: Path) -> pd.DataFrame:
    """Every run of ``path``, one row per (dataset, generator, seed, budget).

    A run's row of the current scoring counts; of two rows of one scoring, the first.
    """
    runs = pd.DataFrame([json.loads(line) for line in path.read_text().splitlines()])
    runs["rescored"] = runs["scoring"].eq(SCORING) if "scoring" in runs else False
    first_rescored = runs.iloc[(~runs["rescored"]).argsort(kind="stable")]
    return first_rescored.drop_duplicates(
        ["dataset", "generator", "seed", "budget"], keep="first"
    ).sort_index()


def is_current(runs: pd.DataFrame) -> pd.Series:
    """Rows of the settings a user gets today: CK4Gen's default budget, every other generator.

    CK4Gen's rows at earlier budgets or before a sampling change (their budget label ends in
    "before ...") and its ablations (``ck4gen_model_uncalibrated``, ``latent_noise``) are
    superseded; they stay in the file and in the page's last tables.
    """
    ck4gen = runs["generator"].str.startswith("ck4gen")
    default = runs["generator"].isin(CURRENT_CK4GEN) & runs["budget"].eq(BUDGET_LABELS["default"])
    return ~ck4gen | default


def _label(generator: str) -> str:
    return CURRENT_CK4GEN.get(generator, f"`{generator}`")


@dataclass(frozen=True)
class Standings:
    """The summary's cells at the current settings, shared by the table and its figures.

    ``means``: mean error per generator (rows) and table (columns); ``unsafe``: whether some
    seed of the cell broke the privacy rule (a leakage coefficient above 0.05 or more exact
    copies than the holdout allows); ``best``: per table, the generator with the lowest
    unmarked mean (the reference excluded), None where every generator is marked.
    """

    current: pd.DataFrame
    datasets: list[str]
    means: pd.DataFrame
    unsafe: pd.DataFrame
    best: pd.Series


def standings(runs: pd.DataFrame) -> Standings:
    """The current rows of ``runs``, their mean error per cell, privacy marks and winners."""
    current = runs[is_current(runs)].assign(
        unsafe=lambda frame: frame["leakage"].gt(LEAKAGE_BREACH) | frame["copies_excess"].gt(0)
    )
    means = current.pivot_table("mean_error", "generator", "dataset", aggfunc="mean")
    unsafe = current.pivot_table("unsafe", "generator", "dataset", aggfunc="any")
    eligible = means.where(~unsafe.reindex_like(means).fillna(True).astype(bool))
    best = eligible.drop(index=REFERENCE, errors="ignore").apply(
        lambda column: column.idxmin() if column.notna().any() else None
    )
    return Standings(current, list(dict.fromkeys(current["dataset"])), means, unsafe, best)


def summary(runs: pd.DataFrame) -> str:
    """One screen: mean absolute log-HR error per generator and table, and privacy counts.

    Current settings only. A cell is marked ‡ where some seed broke the privacy rule (a
    leakage coefficient above 0.05 or more exact copies than the holdout allows); the
    lowest unmarked mean of each table (the reference excluded) is bold; a table where
    every generator is marked has none.
    """
    ranks = standings(runs)
    current, datasets, means, best = ranks.current, ranks.datasets, ranks.means, ranks.best
    unsafe = ranks.unsafe
    ours = [g for g in CURRENT_CK4GEN if g in means.index]
    others = sorted(g for g in means.index if g not in CURRENT_CK4GEN and g != REFERENCE)
    out = [
        "| generator | " + " | ".join(datasets) + " | lowest on | sign agreement (runs at 1.00) "
        "| leakage > 0.05 (runs) | excess exact copies (runs) |",
        "|---|" + "---|" * (len(datasets) + 4),
    ]
    for generator in [*ours, *others, *([REFERENCE] if REFERENCE in means.index else [])]:
        own = current[current["generator"].eq(generator)]
        cells = []
        for name in datasets:
            value = means.loc[generator].get(name)
            text = "–" if pd.isna(value) else f"{value:.3f}"
            if generator != REFERENCE and bool(unsafe.loc[generator].get(name, False)):
                text += " ‡"
            cells.append(f"**{text}**" if best.get(name) == generator else text)
        wins = f"{int(best.eq(generator).sum())} of {len(datasets)}"
        wins = "–" if generator == REFERENCE else wins
        out.append(
            f"| {_label(generator)} | " + " | ".join(cells) + f" | {wins} | "
            f"{int(own['sign_significant'].ge(1.0).sum())} of {len(own)} | "
            f"{int(own['leakage'].gt(LEAKAGE_BREACH).sum())} of {len(own)} | "
            f"{int(own['copies_excess'].gt(0).sum())} of {len(own)} |"
        )
    return "\n".join(out)


def _default_standing(ranks: Standings) -> str:
    """Where CK4Gen's default has the lowest unmarked mean, and who is lowest elsewhere."""
    if MODEL not in ranks.means.index:
        return ""
    text = []
    for name in ranks.datasets:
        winner = ranks.best.get(name)
        if winner is None:
            text.append(f"on {name} every generator is marked")
        elif winner != MODEL:
            marked = " (the default's cell is marked)" if ranks.unsafe.loc[MODEL, name] else ""
            text.append(
                f"on {name} `{winner}` is lower ({ranks.means.loc[winner, name]:.3f} against "
                f"{ranks.means.loc[MODEL, name]:.3f}{marked})"
            )
    wins = f"{int(ranks.best.eq(MODEL).sum())} of {len(ranks.datasets)}"
    head = f"CK4Gen's default has the lowest unmarked mean on {wins} tables"
    return head + ("; " + "; ".join(text) if text else "") + "."


def _default_large_errors(ranks: Standings) -> str:
    """The default's runs where some covariate's log-HR error is above 1.0 (strictly)."""
    own = ranks.current[ranks.current["generator"].eq(MODEL)]
    if own.empty:
        return ""
    large = own[own["largest_error"].gt(LARGE_ERROR)].sort_values(["dataset", "seed"])
    runs = ", ".join(
        f"{row.dataset} seed {row.seed} (`{row.largest_covariate}` {row.largest_error:.3f})"
        for row in large.itertuples()
    )
    return (
        f"CK4Gen's default has a covariate whose log-HR error is above {LARGE_ERROR:.1f} in "
        f"{len(large)} of {len(own)} runs" + (f" (the largest per run): {runs}." if runs else ".")
    )


def _paper_ratios(ranks: Standings) -> str:
    """The paper preset's mean error over the default's per table, and its copies where lower."""
    if PAPER not in ranks.means.index or MODEL not in ranks.means.index:
        return ""
    ratio = ranks.means.loc[PAPER] / ranks.means.loc[MODEL]
    higher = [name for name in ranks.datasets if ratio[name] >= 1]
    lower = [name for name in ranks.datasets if ratio[name] < 1]
    text = (
        f"The paper preset's mean error is {ratio[higher].min():.2f} to "
        f"{ratio[higher].max():.2f} times the default's on {len(higher)} tables ("
        + ", ".join(f"{name} {ratio[name]:.2f}" for name in higher)
        + ")"
    )
    paper = ranks.current[ranks.current["generator"].eq(PAPER)]
    for name in lower:
        rows = paper[paper["dataset"].eq(name)]
        text += (
            f"; on {name} it is {ratio[name]:.2f} times, with {rows['copies'].min()} to "
            f"{rows['copies'].max()} exact copies of training rows per run (allowed: "
            f"{rows['copies_allowed'].max()}) and leakage coefficients of "
            f"{rows['leakage'].min():+.3f} to {rows['leakage'].max():+.3f}"
        )
    return text + "."


def key_figures(runs: pd.DataFrame) -> str:
    """Sentences the page quotes from the summary's rows, so that no count is copied by hand."""
    ranks = standings(runs)
    lines = [_default_standing(ranks), _default_large_errors(ranks), _paper_ratios(ranks)]
    return "\n".join(f"- {line}" for line in lines if line)


def _table(part: pd.DataFrame, with_budget: bool) -> list[str]:
    """One dataset's rows, one per generator and budget, over its seeds."""
    head = "| generator | budget " if with_budget else "| generator "
    out = [
        head + "| seeds | mean abs log-HR error | median | largest (covariate) "
        "| sign (sig.) | ΔC cox | ΔC rsf | leakage | exact copies (allowed) | fit s |",
        "|---|" + ("---|" if with_budget else "") + "---|" * 10,
    ]
    groups = part.groupby(["generator", "budget"], sort=False)
    if not with_budget:  # lowest mean error first, the reference last
        groups = sorted(
            groups, key=lambda item: (item[0][0] == REFERENCE, item[1]["mean_error"].mean())
        )
    for (generator, budget), group in groups:
        worst = group.loc[group["largest_error"].idxmax()]
        older = "" if group["rescored"].all() else " †"
        name = f"`{generator}`" if with_budget else _label(generator)
        out.append(
            f"| {name}{older} | " + (f"{budget} | " if with_budget else "") + f"{len(group)} | "
            f"{_cell(group['mean_error'])} | {_cell(group['median_error'])} | "
            f"{worst['largest_error']:.2f} (`{worst['largest_covariate']}`) | "
            f"{_cell(group['sign_significant'], 2)} | {_cell(group['delta_c_cox'], 4, True)} "
            f"| {_cell(group['delta_c_rsf'], 4, True)} | {_cell(group['leakage'], 3, True)} | "
            f"{group['copies'].max()} ({group['copies_allowed'].max()}) | "
            f"{group['fit_s'].mean():.0f} |"
        )
    return out


def report(runs: pd.DataFrame) -> str:
    """Markdown: per dataset, the current settings, then CK4Gen's superseded rows."""
    current = is_current(runs)
    out = ["\n### Current settings, per table\n"]
    for name, part in runs[current].groupby("dataset", sort=False):
        out += [f"\n**{name}** (cells: mean [min, max] over seeds; lowest mean first)\n"]
        out += _table(part, with_budget=False)
        loads = pd.concat([part["load_start"], part["load_end"]])
        out.append(f"\nLoad average during {name}: {loads.min():.1f} to {loads.max():.1f}.")
    out.append(
        "\n### Superseded CK4Gen settings and ablations, per table\n\n"
        "Earlier budgets, rows sampled before a change of the defaults (their budget says "
        "before which), `calibrate_levels=False` and `latent_noise=0.5`; the notes below cite "
        "them.\n"
    )
    for name, part in runs[~current].groupby("dataset", sort=False):
        out += [f"\n**{name}**\n", *_table(part, with_budget=True)]
    if not runs["rescored"].all():
        out.append(
            "\n† Some seeds of this row were scored before the Cox fits retried a fit that "
            "lifelines warns did not converge (such a fit was kept then); see the module "
            "docstring of `benchmarks/ck4gen_vs_builtins.py`."
        )
    return "\n".join(out)


def write_docs(path: Path) -> None:
    """Rewrite the page's generated blocks (summary and tables) from ``path``."""
    runs = load_runs(path)
    text = DOC.read_text()
    for (start_marker, end_marker), block in (
        (SUMMARY_MARKERS, summary(runs)),
        (FIGURES_MARKERS, key_figures(runs)),
        (MARKERS, report(runs)),
    ):
        start = text.index(start_marker) + len(start_marker)
        end = text.index(end_marker)
        text = text[:start] + "\n" + block + "\n" + text[end:]
    DOC.write_text(text)


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--datasets", nargs="+", choices=(*MAX_ROWS, *EXTRA), default=list(MAX_ROWS)
    )
    parser.add_argument("--generators", nargs="+", choices=GENERATORS, default=list(GENERATORS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--n-iter", type=int, default=None, help="built-ins' n_iter")
    parser.add_argument("--ck4gen-budget", choices=tuple(BUDGETS), default="default")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if args.report_only or args.write_docs:
        runs = load_runs(RESULTS)
        print(summary(runs), key_figures(runs), report(runs), sep="\n")
        if args.write_docs:
            write_docs(RESULTS)
        return
    torch.set_num_threads(1)
    path = RESULTS
    done = set()
    if path.exists():
        for line in path.read_text().splitlines():
            row = json.loads(line)
            if row.get("scoring") == SCORING:
                done.add((row["dataset"], row["generator"], row["seed"], row.get("budget")))
    for name in args.datasets:
        run = prepare(name)
        for generator in args.generators:
            n_iter = args.n_iter or DEFAULT_ITER.get(generator)
            budget = f"n_iter={n_iter}" if generator in DEFAULT_ITER else "default"
            if generator == REFERENCE:
                budget = "reference (bootstrap of the training rows)"
            if generator in ("ck4gen", PAPER) or generator in NOISY:
                budget = BUDGET_LABELS[args.ck4gen_budget]
            for seed in args.seeds:
                key_name = MODEL if generator == "ck4gen" else generator
                if (name, key_name, seed, budget) in done:
                    continue
                load = os.getloadavg()[0]
                tick = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    tables = samples(generator, run, seed, n_iter, args.ck4gen_budget)
                fit_s = time.perf_counter() - tick
                for label, synthetic in tables.items():
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        row = {"dataset": name, "generator": label, "seed": seed,
                               "budget": budget, "scoring": SCORING, "fit_s": fit_s,
                               "code_version": code_version(),
                               "load_start": load, **score(run, synthetic, seed)}  # fmt: skip
                    row["load_end"] = os.getloadavg()[0]
                    with path.open("a") as stream:
                        stream.write(json.dumps(row) + "\n")
                print(f"[{name}] {generator} seed {seed}: {fit_s:.0f} s, load {load:.1f}")


if __name__ == "__main__":
    main()

"""Stage A's latent sampling in longitudinal_lstm, end to end: the prior against the mixture.

Why: Stage A (``MedVAE`` over the static columns) samples its latents from the prior
``N(0, I)`` by default, which pulls each group's mean of a static number towards the overall
mean (the MS simulator's baseline EDSS by phenotype, method card *Stage A's latent
sampling*).
``static_params={"sampling": "mixture"}`` samples instead from a Gaussian mixture fitted to
the training patients' posterior means. This script measures what that changes in the whole
generator's output, over tables and seeds, so the default can be chosen on figures.

What: for each table, variant and model seed, ``LongitudinalLSTM`` at its defaults
(``device="cpu"``; only ``static_params`` differs) is fitted on the training patients of
``split_patients`` (whole patients, the longitudinal suite's split) and recorded:

- ``longitudinal_fidelity`` (score and parts, through the suite's
  ``synth_plugins.benchmark.longitudinal.score``) against the holdout patients, the mean
  over :data:`N_SCORED` synthetic tables of as many patients as the holdout;
- from one sample of :data:`N_LARGE` patients (timed): the static rows against the holdout's
  (largest absolute difference of a level's share over the discrete static columns, mean
  and largest two-sample KS statistic over the numerical ones, mean absolute difference of
  the Spearman correlations between numerical static columns), and the same figures of the
  training patients against the holdout (two real samples of the cohort: the reference);
  exact copies of training static rows and of whole training patients
  (``synth_plugins.metrics.copies.exact_copies``) against the holdout's own collision rate;
- on the MS simulator: baseline EDSS by phenotype, the mean pre-baseline relapse count and
  mean EDSS by whole year of follow-up, of the synthetic, training, holdout and all real
  patients;
- fit and sampling seconds, with the command, git commit, date, versions and load averages.

Tables: ``ms_registry`` (1,000 simulated patients, cohort seed 0), ``pbc_visits`` (312
patients) and two start-stop tables bundled in the SurvSet package (Drysdale 2022,
arXiv:2203.03094; read offline from the installed wheel): ``aids`` (467 patients of the ddI
/ ddC trial, CD4 counts; R package JM) and ``heartvalve`` (256 aortic valve replacement
patients; R package joineR).

Variants (``static_params``): ``prior`` (the default, ``{}``), ``mixture``
(``{"sampling": "mixture"}``) and ``mixture_beta_0.03`` (``{"sampling": "mixture",
"beta": 0.03}``: the mixture with a tenth of Stage A's default KL weight, 0.3).

Each run appends one JSON line to ``--results`` (default
``docs/benchmarks/longitudinal_static_sampling.jsonl``); a (table, variant, seed) already
there is skipped, so an interrupted grid resumes (another budget, ``--epochs``,
``--static-epochs`` or ``--large``, needs its own ``--results``). ``--summary`` prints the
Markdown tables (mean [min, max] over seeds per table and variant) and writes them to
``--page``. The full
grid (72 runs, one process, one thread) took 14 minutes on a shared 2-core machine at load
1-2.

Usage (from the repository root)::

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/longitudinal_static_sampling.py
    PYTHONPATH=src .venv/bin/python benchmarks/longitudinal_static_sampling.py --summary
    PYTHONPATH=src .venv/bin/python benchmarks/longitudinal_static_sampling.py --quick  # smoke
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from longitudinal_drift import fmt_load, git_commit  # the commit and load formats of its rows
from synth_plugins.benchmark.longitudinal import PATIENT_SPLIT, event_column, score, split_patients
from synth_plugins.benchmark.tabular import environment
from synth_plugins.datasets import Dataset, load
from synth_plugins.encoding.roles import infer_roles
from synth_plugins.generators.longitudinal_lstm import LongitudinalLSTM
from synth_plugins.long_format import infer_static_columns, patient_index
from synth_plugins.metrics.copies import exact_copies
from synth_plugins.metrics.longitudinal import yearly_means

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "benchmarks" / "longitudinal_static_sampling.jsonl"
PAGE = ROOT / "docs" / "benchmarks" / "longitudinal_static_sampling.md"
QUICK_RESULTS = ROOT / "benchmark-output" / "longitudinal_static_sampling_quick.jsonl"
QUICK_PAGE = ROOT / "benchmark-output" / "longitudinal_static_sampling_quick.md"

TABLES = ("ms_registry", "pbc_visits", "aids", "heartvalve")
#: Start-stop tables read from the SurvSet package.
SURVSET_TABLES = ("aids", "heartvalve")
#: The MS cohort: simulated patients and the simulator's seed.
MS_PATIENTS, MS_COHORT_SEED = 1000, 0
#: ``static_params`` of each variant.
VARIANTS: dict[str, dict[str, Any]] = {
    "prior": {},
    "mixture": {"sampling": "mixture"},
    "mixture_beta_0.03": {"sampling": "mixture", "beta": 0.03},
}
SEEDS = tuple(range(6))
#: Holdout-sized synthetic tables scored with ``longitudinal_fidelity`` (the mean is kept),
#: sampled with ``random_state`` ``SCORED_SEED + k``.
N_SCORED, SCORED_SEED = 3, 1000
#: Patients of the large sample (static figures, copies, MS figures, sampling time), its seed.
N_LARGE, LARGE_SEED = 3000, 7
#: MS yearly EDSS: years ``0..LAST_YEAR`` of follow-up with ``MIN_VISITS`` visits in both tables.
LAST_YEAR, MIN_VISITS = 10, 20
#: The MS phenotypes, in the order of the summary.
PHENOTYPES = ("SP", "PP", "RR", "CIS")
#: Quick mode (smoke test): the table, Stage B and Stage A epochs, synthetic patients.
#: ``--epochs``, ``--static-epochs`` and ``--large`` of the grid in the default results file.
DEFAULT_BUDGET = (None, None, N_LARGE)
QUICK = {"tables": ("pbc_visits",), "epochs": 2, "static_epochs": 5, "large": 300}


def survset_visits(name: str) -> Dataset:
    """A SurvSet start-stop table as a long visit table (one row per visit).

    SurvSet's ``num_`` / ``fac_`` prefixes are removed, ``time2`` (the end of each row's
    interval: the next visit's time) is dropped, categorical values become strings (SurvSet's
    ``"missing"`` level stays a level), and the columns constant within every patient are the
    static ones; roles are inferred. ``event`` (1 on the last interval of a patient with the
    event) stays a visit column.
    """
    from SurvSet.data import SurvLoader

    raw = SurvLoader().load_dataset(name)["df"].drop(columns=["time2"])
    raw = raw.rename(columns=lambda c: c.removeprefix("num_").removeprefix("fac_"))
    raw["pid"] = raw["pid"].astype(int)
    raw = raw.sort_values(["pid", "time"], kind="stable").reset_index(drop=True)
    for column in raw.columns:
        if isinstance(raw[column].dtype, pd.CategoricalDtype):
            raw[column] = raw[column].astype(str)
    columns = [c for c in raw.columns if c not in ("pid", "time")]
    static = infer_static_columns(raw, "pid", "time")
    return Dataset(
        name=name, kind="longitudinal", data=raw, roles=infer_roles(raw[columns]),
        id_column="pid", time_column="time",
        static_columns=tuple(static),
        visit_columns=tuple(c for c in columns if c not in static),
        source=f"SurvSet SurvLoader().load_dataset({name!r}) (Drysdale 2022, arXiv:2203.03094)",
        carrier="SurvSet (GPL-3), read from the installed package, not copied",
    )  # fmt: skip


def dataset(table: str) -> Dataset:
    """The long table ``table`` (one of :data:`TABLES`)."""
    if table == "ms_registry":
        return load("ms_registry", n_patients=MS_PATIENTS, seed=MS_COHORT_SEED)
    if table in SURVSET_TABLES:
        return survset_visits(table)
    return load(table)


def static_rows(data: pd.DataFrame, source: Dataset) -> pd.DataFrame:
    """One row per patient (its first): its static columns."""
    starts = patient_index(data, source.id_column).starts
    return data.iloc[starts][list(source.static_columns)].reset_index(drop=True)


def static_errors(synthetic: pd.DataFrame, real: pd.DataFrame, source: Dataset) -> dict[str, float]:
    """Static rows against real ones: level shares, KS statistics and Spearman correlations.

    ``level_share_max_error``: the largest absolute difference of a level's share over the
    discrete static columns; ``numeric_ks_mean`` / ``numeric_ks_max``: two-sample KS
    statistics over the others; ``spearman_abs_error_mean``: mean absolute difference of the
    Spearman correlations between numerical static columns of more than two values (NaN
    where a table has no such column, or one).
    """
    levels, ks = [], []
    for column in source.static_columns:
        if source.roles[column] in ("binary", "categorical", "ordinal"):
            real_shares = real[column].astype(str).value_counts(normalize=True)
            syn_shares = synthetic[column].astype(str).value_counts(normalize=True)
            both = real_shares.index.union(syn_shares.index)
            gap = real_shares.reindex(both, fill_value=0) - syn_shares.reindex(both, fill_value=0)
            levels.append(float(gap.abs().max()))
        else:
            statistic = ks_2samp(real[column].dropna(), synthetic[column].dropna()).statistic
            ks.append(float(statistic))
    numbers = [
        c for c in source.static_columns
        if pd.api.types.is_numeric_dtype(real[c]) and real[c].nunique() > 2
    ]  # fmt: skip
    spearman = np.nan
    if len(numbers) > 1:
        upper = np.triu_indices(len(numbers), 1)
        real_rho = real[numbers].corr(method="spearman").to_numpy()
        syn_rho = synthetic[numbers].astype(float).corr(method="spearman").to_numpy()
        spearman = float(np.nanmean(np.abs(real_rho - syn_rho)[upper]))
    return {
        "level_share_max_error": max(levels) if levels else np.nan,
        "numeric_ks_mean": float(np.mean(ks)) if ks else np.nan,
        "numeric_ks_max": max(ks) if ks else np.nan,
        "spearman_abs_error_mean": spearman,
    }


def ms_figures(data: pd.DataFrame) -> dict[str, Any]:
    """Baseline EDSS by phenotype, pre-baseline relapses and EDSS by year (MS simulator)."""
    first = data.groupby("patient_id", sort=False).first()
    years = yearly_means(data, "patient_id", "time", "edss", 1.0)
    return {
        "baseline_edss_by_phenotype": first.groupby("phenotype")["baseline_edss"].mean().to_dict(),
        "baseline_relapses_mean": float(first["baseline_relapses"].mean()),
        "edss_by_year": {int(y): [float(r["mean"]), int(r["visits"])] for y, r in years.iterrows()},
    }


def run_one(table: str, variant: str, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    """Fit, sample and measure one (table, variant, seed): the row of the results."""
    source = dataset(table)
    train, holdout = split_patients(source)
    events = event_column(source)
    budget = {"epochs": args.epochs, "static_epochs": args.static_epochs}
    model = LongitudinalLSTM(
        source.id_column, source.time_column, static_columns=list(source.static_columns),
        roles=source.roles, static_params=VARIANTS[variant] or None, random_state=seed,
        verbose=False, device="cpu", **{k: v for k, v in budget.items() if v is not None},
    )  # fmt: skip
    load_before = os.getloadavg()
    start, cpu = time.perf_counter(), time.process_time()
    model.fit(train.data)
    fit_seconds, fit_cpu = time.perf_counter() - start, time.process_time() - cpu
    load_after_fit = os.getloadavg()
    scored = [
        score(holdout, model.sample(holdout.n_patients, random_state=SCORED_SEED + k),
              event_column=events)
        for k in range(N_SCORED)
    ]  # fmt: skip
    fidelity = {key: float(np.nanmean([s[key] for s in scored])) for key in scored[0]}
    start = time.perf_counter()
    large = model.sample(args.large, random_state=LARGE_SEED)
    sample_seconds = time.perf_counter() - start
    statics = {
        name: static_rows(frame, source)
        for name, frame in (("synthetic", large), ("train", train.data), ("holdout", holdout.data))
    }
    static_roles = {c: source.roles[c] for c in source.static_columns}
    row_copies = exact_copies(
        statics["synthetic"], statics["train"], statics["holdout"], roles=static_roles
    )
    patient_copies = exact_copies(
        large, train.data, holdout.data, roles=source.roles, id_column=source.id_column,
        time_column=source.time_column,
    )  # fmt: skip
    row: dict[str, Any] = {
        "table": table,
        "variant": variant,
        "static_params": VARIANTS[variant],
        "seed": seed,
        "epochs": model.epochs,
        "static_epochs": model.static_epochs,
        "patients": {
            "train": train.n_patients,
            "holdout": holdout.n_patients,
            "large_sample": args.large,
        },
        "split": PATIENT_SPLIT,
        "seeds": {
            "model": seed,
            "scored_samples": [SCORED_SEED + k for k in range(N_SCORED)],
            "large_sample": LARGE_SEED,
            **({"ms_cohort": MS_COHORT_SEED} if table == "ms_registry" else {}),
        },
        "epochs_run": model.n_epochs_,
        "best_epoch": model.best_epoch_,
        "fit_seconds": fit_seconds,
        "fit_cpu_seconds": fit_cpu,
        "sample_seconds_large": sample_seconds,
        "fidelity": fidelity,
        "static_vs_holdout": static_errors(statics["synthetic"], statics["holdout"], source),
        "static_train_vs_holdout": static_errors(statics["train"], statics["holdout"], source),
        "static_row_copies": row_copies.to_dict(),
        "patient_copies": patient_copies.to_dict(),
    }
    if table == "ms_registry":
        row["ms"] = {
            "synthetic": ms_figures(large),
            "train": ms_figures(train.data),
            "holdout": ms_figures(holdout.data),
            "all_real": ms_figures(source.data),
        }
    row.update(
        command=args.command, commit=args.commit,
        date=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        versions=environment(), cpu_count=os.cpu_count(),
        omp_num_threads=os.environ.get("OMP_NUM_THREADS"), torch_threads=torch_threads(),
        load_before=load_before, load_after_fit=load_after_fit, load_at_end=os.getloadavg(),
    )  # fmt: skip
    return row


def torch_threads() -> int:
    """Torch's intra-op thread count (set to 1 by :func:`main`)."""
    import torch

    return torch.get_num_threads()


def read(path: Path) -> list[dict[str, Any]]:
    """The rows of ``path`` (none if it does not exist)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def headline(row: dict[str, Any]) -> dict[str, float]:
    """The summary's figures of one row (MS figures on ``ms_registry`` rows only)."""
    fidelity, static = row["fidelity"], row["static_vs_holdout"]
    out = {
        "score": fidelity["Quality_Score"],
        "static_ks": fidelity["static_ks"],
        "spearman_static": fidelity["spearman_static"],
        "discriminative": fidelity["discriminative"],
        "level_share_max_error": static["level_share_max_error"],
        "numeric_ks_mean": static["numeric_ks_mean"],
        "spearman_abs_error_mean": static["spearman_abs_error_mean"],
        "static_row_copy_rate": row["static_row_copies"]["synthetic_rate"],
        "patient_copy_rate": row["patient_copies"]["synthetic_rate"],
        "fit_seconds": row["fit_seconds"],
        "sample_seconds_large": row["sample_seconds_large"],
    }
    if "ms" in row:
        synthetic, train = row["ms"]["synthetic"], row["ms"]["train"]
        edss, edss_train = (f["baseline_edss_by_phenotype"] for f in (synthetic, train))
        out.update({f"baseline_edss_{p}": edss[p] for p in PHENOTYPES})
        out["baseline_edss_phenotype_error"] = float(
            np.mean([abs(edss[p] - edss_train[p]) for p in PHENOTYPES])
        )
        out["baseline_relapses_mean"] = synthetic["baseline_relapses_mean"]
        out["yearly_edss_max_error"] = yearly_edss_error(synthetic, row["ms"]["all_real"])
    return out


def yearly_edss_error(synthetic: dict[str, Any], real: dict[str, Any]) -> float:
    """Largest absolute error of mean EDSS over years ``0..LAST_YEAR`` with enough visits."""
    syn_years, real_years = synthetic["edss_by_year"], real["edss_by_year"]
    errors = [
        abs(syn_years[year][0] - mean)
        for year, (mean, visits) in real_years.items()
        if int(year) <= LAST_YEAR and visits >= MIN_VISITS
        and year in syn_years and syn_years[year][1] >= MIN_VISITS
    ]  # fmt: skip
    return max(errors)


#: Summary lines: figure key, label, digits, and the real reference (a function of a row).
FIGURES: tuple[tuple[str, str, int, Any], ...] = (
    ("score", "longitudinal_fidelity score vs holdout", 3, None),
    ("static_ks", "fidelity part: static_ks", 3, None),
    ("spearman_static", "fidelity part: spearman_static", 3, None),
    ("discriminative", "fidelity part: discriminative", 3, None),
    ("level_share_max_error", "static level-share max error", 3,
     lambda r: r["static_train_vs_holdout"]["level_share_max_error"]),
    ("numeric_ks_mean", "static numeric KS, mean", 3,
     lambda r: r["static_train_vs_holdout"]["numeric_ks_mean"]),
    ("spearman_abs_error_mean", "static Spearman error, mean", 3,
     lambda r: r["static_train_vs_holdout"]["spearman_abs_error_mean"]),
    ("static_row_copy_rate", "static rows copied", 4,
     lambda r: r["static_row_copies"]["natural_rate"]),
    ("patient_copy_rate", "whole patients copied", 4,
     lambda r: r["patient_copies"]["natural_rate"]),
    *((f"baseline_edss_{p}", f"baseline EDSS, {p}", 2,
       lambda r, p=p: r["ms"]["train"]["baseline_edss_by_phenotype"][p]) for p in PHENOTYPES),
    ("baseline_edss_phenotype_error", "baseline EDSS by phenotype, mean abs error", 2, None),
    ("baseline_relapses_mean", "pre-baseline relapses, mean", 3,
     lambda r: r["ms"]["train"]["baseline_relapses_mean"]),
    ("yearly_edss_max_error", f"mean EDSS by year 0–{LAST_YEAR}, max abs error", 3, None),
    ("fit_seconds", "fit (s)", 1, None),
    ("sample_seconds_large", "sample (s)", 2, None),
)  # fmt: skip


def cell(values: list[float], digits: int, spread: bool = True) -> str:
    """``mean [min, max]`` over seeds, or the mean alone (``—`` when every value is NaN)."""
    array = np.asarray(values, dtype=float)
    if np.isnan(array).all():
        return "—"
    mean = f"{np.nanmean(array):.{digits}f}"
    if not spread:
        return mean
    return f"{mean} [{np.nanmin(array):.{digits}f}, {np.nanmax(array):.{digits}f}]"


def summary(rows: list[dict[str, Any]]) -> str:
    """The Markdown page: how the rows were made, then one table per dataset."""
    loads = [r[k][0] for r in rows for k in ("load_before", "load_after_fit", "load_at_end")]
    first = rows[0]
    versions = first["versions"]
    lines = [
        "# Longitudinal LSTM: Stage A's latent sampling, prior against mixture",
        "",
        "Generated by `benchmarks/longitudinal_static_sampling.py --summary` from "
        "[longitudinal_static_sampling.jsonl](longitudinal_static_sampling.jsonl) (every "
        "figure of every run, with its command, commit, seeds, versions and load averages); "
        "do not edit by hand. What is measured and why: the script's docstring.",
        "",
        f"Commands: {', '.join(f'`{c}`' for c in sorted({r['command'] for r in rows}))}; "
        f"commits {', '.join(f'`{c}`' for c in sorted({r['commit'] for r in rows}))}; "
        f"{min(r['date'] for r in rows)} to {max(r['date'] for r in rows)}. "
        f"Model seeds {sorted({r['seed'] for r in rows})}; Stage B at most {first['epochs']} "
        f"epochs, Stage A {first['static_epochs']}; {first['cpu_count']} CPUs, "
        f"OMP_NUM_THREADS={first['omp_num_threads']}, {first['torch_threads']} torch thread; "
        f"1-minute load average {min(loads):.1f}–{max(loads):.1f} (before and after each fit "
        f"and at the end of each run; e.g. first run {fmt_load(first['load_before'])}). "
        f"Python {versions.get('python')}, torch {versions.get('torch')}, numpy "
        f"{versions.get('numpy')}, pandas {versions.get('pandas')}, scikit-learn "
        f"{versions.get('scikit-learn')}.",
        "",
        "Cells: mean [min, max] over the seeds. Fidelity: mean over "
        f"{N_SCORED} holdout-sized synthetic tables, against the holdout patients. Static and "
        f"copy figures: {first['patients']['large_sample']:,} synthetic patients against the "
        "holdout; *real* is the training patients against the holdout (copies: the "
        "holdout's own collision rate with the training patients). MS: baseline EDSS and "
        "relapses of the synthetic patients; *real* and the phenotype error are against the "
        "training patients; mean EDSS by year of follow-up against all real patients, years "
        f"with at least {MIN_VISITS} visits in both. —: not defined (aids has no numerical "
        "static column; its four binary static columns take at most 16 combinations, so "
        "nearly every static row, real or synthetic, repeats a training row).",
    ]
    variants = [v for v in VARIANTS if any(r["variant"] == v for r in rows)]
    for table in dict.fromkeys(r["table"] for r in rows):
        group = [r for r in rows if r["table"] == table]
        patients = group[0]["patients"]
        lines += [
            "",
            f"## {table} ({patients['train']} training, {patients['holdout']} holdout patients)",
            "",
            "| figure | real | " + " | ".join(f"`{v}`" for v in variants) + " |",
            "|---|---|" + "---|" * len(variants),
        ]
        figures = {id(r): headline(r) for r in group}
        for key, label, digits, reference in FIGURES:
            if key not in figures[id(group[0])]:
                continue
            real = "" if reference is None else cell([reference(group[0])], digits, spread=False)
            cells = [
                cell([figures[id(r)][key] for r in group if r["variant"] == v], digits)
                for v in variants
            ]
            lines.append(f"| {label} | {real} | " + " | ".join(cells) + " |")
        seeds = {v: len([r for r in group if r["variant"] == v]) for v in variants}
        lines += ["", f"Seeds per variant: {seeds}."]
    return "\n".join(lines)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--tables", nargs="+", choices=TABLES, default=None, help="default: all")
    add("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    add("--seeds", nargs="+", type=int, default=list(SEEDS))
    add("--epochs", type=int, default=None, help="Stage B epochs at most (default: the model's)")
    add("--static-epochs", type=int, default=None, help="Stage A epochs (default: the model's)")
    add("--large", type=int, default=N_LARGE, help="patients of the large sample")
    add("--quick", action="store_true", help="smoke test: pbc_visits, seed 0, a few epochs")
    add("--results", type=Path, default=None, help=f"JSON lines (default {RESULTS})")
    add("--page", type=Path, default=None, help=f"Markdown summary (default {PAGE})")
    add("--summary", action="store_true", help="only print the summary and write --page")
    args = parser.parse_args()
    if args.quick:
        args.tables = args.tables or list(QUICK["tables"])
        args.seeds = args.seeds[:1]
        args.epochs = args.epochs or QUICK["epochs"]
        args.static_epochs = args.static_epochs or QUICK["static_epochs"]
        args.large = QUICK["large"]
    elif args.results is None and (args.epochs, args.static_epochs, args.large) != DEFAULT_BUDGET:
        # the default file holds the default-budget grid; a run is skipped by its cell alone
        parser.error("--epochs, --static-epochs and --large need their own --results file")
    args.tables = args.tables or list(TABLES)
    args.results = args.results or (QUICK_RESULTS if args.quick else RESULTS)
    args.page = args.page or (QUICK_PAGE if args.quick else PAGE)
    return args


def main() -> None:
    args = parse()
    if not args.summary:
        import torch

        torch.set_num_threads(1)
        # the commit before the first row is written (the rows then change the tree)
        args.command = shlex.join(["python", *sys.argv])
        args.commit = git_commit()
        done = {(r["table"], r["variant"], r["seed"]) for r in read(args.results)}
        args.results.parent.mkdir(parents=True, exist_ok=True)
        for table in args.tables:
            for seed in args.seeds:
                for variant in args.variants:
                    if (table, variant, seed) in done:
                        continue
                    row = run_one(table, variant, seed, args)
                    with args.results.open("a") as handle:
                        handle.write(json.dumps(row) + "\n")
                    print(
                        f"{table} {variant} seed {seed}: score"
                        f" {row['fidelity']['Quality_Score']:.4f}, fit"
                        f" {row['fit_seconds']:.1f} s, load {fmt_load(row['load_at_end'])}",
                        flush=True,
                    )
    text = summary(read(args.results))
    args.page.parent.mkdir(parents=True, exist_ok=True)
    args.page.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()

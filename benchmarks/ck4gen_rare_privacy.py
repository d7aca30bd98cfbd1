"""CK4Gen's rare-level and copy checks: per-covariate log-HR errors, copies, leakage, DCR.

A small, CK4Gen-only companion of ``benchmarks/ck4gen_survival.py`` (whose full run, with
the Synthcity built-ins, needs about 30 minutes of an idle 2-core machine). On the same
splits as that script (``SurvivalBenchmark.prepare``: 80/20, ``random_state=0``; FLChain
complete cases subsampled to 1,000 rows), and on three real survival tables the suite has
not used (``rossi`` and ``kidney_transplant`` from lifelines, ``veterans`` from
scikit-survival; 80/20 ``train_test_split(random_state=0)``), CK4Gen is fitted with the
same settings (``encoder_epochs = decoder_epochs = 200``, ``lr=5e-3``,
``batch_size=128``) once per seed, and each fit is sampled (n = training size) in both
outcome modes with

- ``"new"``: the defaults (``discrete_decoding="sample"``, ``redraw_copies=True``);
- ``"old"``: the previous behaviour (``discrete_decoding="threshold"``,
  ``redraw_copies=False``, ``numeric_residuals=False``);
- ``"noise=s"``: the defaults with ``latent_noise=s`` (the fidelity/privacy knob);
- ``"independent"``: the defaults with ``outcome_draw="independent"`` (model mode draws
  each row's outcome independently, the behaviour before the balanced draw);
- ``"uncalibrated"``: the defaults with ``calibrate_levels=False`` (model mode draws
  discrete levels from SynthNet's probabilities as they are, the behaviour before the
  level calibration);
- ``"no_residuals"``: the defaults with ``numeric_residuals=False`` (model mode keeps
  SynthNet's conditional mean of the numeric covariates, the behaviour before the
  residuals became the default).

``--budget default`` fits CK4Gen at its own defaults (up to 500/500 epochs, ``lr=1e-3``,
batch 64, early stopping) and writes ``<dataset>.default.jsonl``; ``--budget short``
(the default of this script, for the earlier results) uses the settings above.

Per sample: the absolute log-HR error of every covariate (``hazard_ratio_alignment``
against the training split), sign agreement on the covariates significant in the real fit,
raw exact copies of training rows (every column equal), rows matching a training row as
``redraw_copies`` compares them (10 training-quantile bins), each against the same count
for the real holdout scaled to the synthetic size, the Hamming leakage coefficient with
its binned exact matches (summed over subset pairs, as the metric does), and the DCR
holdout share.

Usage (repository root)::

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/ck4gen_rare_privacy.py

Results: ``benchmark-output/ck4gen_rare_privacy/<dataset>.json`` (one per dataset) and a
Markdown summary on stdout, copied into ``docs/benchmarks/ck4gen.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "benchmark-output" / "ck4gen_rare_privacy"
MAX_ROWS: dict[str, int | None] = {"gbsg2": None, "actg320": None, "whas500": None, "flchain": 1000}
SETTINGS: dict[str, Any] = {
    "encoder_epochs": 200,
    "decoder_epochs": 200,
    "lr": 5e-3,
    "batch_size": 128,
}
#: Fit settings per ``--budget``: CK4Gen's defaults, or the shorter ``SETTINGS`` used before.
BUDGETS: dict[str, dict[str, Any]] = {"default": {}, "short": SETTINGS}
NOISES = (0.5, 1.0)


def _rossi() -> tuple[pd.DataFrame, str, str, dict[str, str]]:
    from lifelines.datasets import load_rossi

    binary = ("fin", "race", "wexp", "mar", "paro")
    roles = {c: "binary" for c in binary} | {"age": "integer", "prio": "integer"}
    return load_rossi(), "week", "arrest", roles


def _kidney_transplant() -> tuple[pd.DataFrame, str, str, dict[str, str]]:
    from lifelines.datasets import load_kidney_transplant

    roles = {c: "binary" for c in ("black_male", "white_male", "black_female")}
    return load_kidney_transplant(), "time", "death", roles | {"age": "integer"}


def _veterans() -> tuple[pd.DataFrame, str, str, dict[str, str]]:
    from sksurv.datasets import load_veterans_lung_cancer

    covariates, outcome = load_veterans_lung_cancer()
    data = covariates.assign(time=outcome["Survival_in_days"], status=outcome["Status"].astype(int))
    roles = {"Celltype": "categorical", "Prior_therapy": "binary", "Treatment": "binary"}
    return data, "time", "status", roles


#: Real survival tables the suite's registry does not hold, shipped offline by lifelines and
#: scikit-survival; split 80/20 with ``train_test_split(random_state=0)``.
EXTRA = {"rossi": _rossi, "kidney_transplant": _kidney_transplant, "veterans": _veterans}


def prepare(name: str) -> tuple[pd.DataFrame, pd.DataFrame, str, str, dict[str, str], list]:
    """Training and holdout split, outcome columns, roles and notes of one table."""
    if name in EXTRA:
        from sklearn.model_selection import train_test_split

        data, duration, event, roles = EXTRA[name]()
        train, holdout = train_test_split(data, train_size=0.8, random_state=0)
        note = "80/20 train_test_split(random_state=0)"
        return (
            train.reset_index(drop=True),
            holdout.reset_index(drop=True),
            duration,
            event,
            (roles),
            [note],
        )
    from synth_plugins.benchmark.survival import SurvivalBenchmark

    run = SurvivalBenchmark(datasets=(name,), max_rows=MAX_ROWS[name]).prepare(name)
    dataset = run.dataset
    roles = dict(dataset.roles)
    return run.train, run.holdout, dataset.duration_column, dataset.event_column, roles, run.notes


def variants() -> dict[str, dict[str, Any]]:
    """Sampling variants of one fit: attribute overrides of the fitted model."""
    out = {
        "new": {},
        "old": {
            "discrete_decoding": "threshold",
            "redraw_copies": False,
            "numeric_residuals": False,
        },
    }
    for sigma in NOISES:
        out[f"noise={sigma:g}"] = {"latent_noise": sigma}
    out["independent"] = {"outcome_draw": "independent"}
    out["uncalibrated"] = {"calibrate_levels": False}
    out["no_residuals"] = {"numeric_residuals": False}
    return out


#: Variants run by default (``--variants`` picks others from :func:`variants`).
DEFAULT_VARIANTS = ("new",)


def teacher_outcomes(model: Any, train: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The training covariates as they are, with outcomes drawn from the fitted teacher.

    The noise floor of ``outcome="model"``: a generator that reproduced every covariate
    exactly and drew outcomes as model mode does would score this log-HR error.
    """
    rng = np.random.default_rng(seed)
    covariates = train.drop(columns=[model.duration_column, model.event_column])
    durations, events = model._model_outcomes(covariates, rng)
    out = train.copy()
    out[model.duration_column] = durations
    out[model.event_column] = events
    return out


def score(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    duration: str,
    event: str,
    roles: dict[str, str],
    privacy: bool = True,
) -> dict[str, Any]:
    """Per-covariate log-HR errors, copies, Hamming leakage and DCR share of one sample.

    ``privacy=False`` (the reference rows: teacher outcomes, bootstrap) skips the Hamming
    and DCR metrics, which say nothing about them.
    """
    from synth_plugins.metrics.dcr import dcr_holdout_share
    from synth_plugins.metrics.survival import hazard_ratio_alignment

    table = hazard_ratio_alignment(train, synthetic, duration, event).table
    error = (table["log_hr_synthetic"] - table["log_hr_real"]).abs()
    significant = table["significant_real"].astype(bool)
    sign = np.sign(table["log_hr_synthetic"]) == np.sign(table["log_hr_real"])
    out = {
        "log_hr_error": error.round(4).to_dict(),
        "log_hr_synthetic": table["log_hr_synthetic"].round(4).to_dict(),
        "log_hr_real": table["log_hr_real"].round(4).to_dict(),
        "se_real": table["se_real"].round(4).to_dict(),
        "sign_significant": float(sign[significant].mean()) if significant.any() else None,
        "exact_copies": exact_copy_count(synthetic, train, roles),
        "leakage": np.nan,
        "binned_exact": np.nan,
        "dcr_share": np.nan,
    }
    if privacy:
        leakage = hamming_leakage_of(train, holdout, synthetic)
        out["leakage"] = float(leakage.coefficient)
        out["binned_exact"] = int(leakage.synthetic_train.exact_matches)
        out["dcr_share"] = float(dcr_holdout_share(train, holdout, synthetic).share)
    return out


def run_dataset(
    name: str, seeds: list[int], shown: tuple[str, ...], budget: str = "short"
) -> dict[str, Any]:
    """Fit CK4Gen once per seed on ``name``'s training split and score the variants.

    Resumable: each seed's runs are appended to ``<dataset>.jsonl`` as soon as they are
    scored (with the load average), and seeds already there are skipped.
    """
    import torch

    from synth_plugins.generators.ck4gen import CK4Gen

    torch.set_num_threads(1)
    train, holdout, duration, event, roles, notes = prepare(name)
    real = hamming_leakage_of(train, holdout, holdout)  # the holdout scored as synthetic
    collisions = exact_copy_count(holdout, train, roles)
    result: dict[str, Any] = {
        "dataset": name,
        "train": len(train),
        "holdout": len(holdout),
        "notes": notes,
        "holdout_exact_copies": collisions,
        "holdout_exact_copies_per_train_size": collisions * len(train) / len(holdout),
        "holdout_binned_exact": int(real.synthetic_train.exact_matches),
        "settings": BUDGETS[budget],
    }
    path = OUTPUT / (f"{name}.jsonl" if budget == "short" else f"{name}.{budget}.jsonl")
    done = {(r["seed"], r["variant"], r["mode"]) for r in _read_runs(path)}
    for seed in seeds:
        wanted = [(seed, v, m) for v in shown for m in ("copy", "model")] + [
            (seed, "teacher", "model"),
            (seed, "bootstrap", "real"),
        ]
        if all(key in done for key in wanted):
            continue
        load = os.getloadavg()[0]
        fit_start = time.perf_counter()
        model = CK4Gen(duration, event, roles, random_state=seed, **BUDGETS[budget])
        model.fit(train)
        fit_s = time.perf_counter() - fit_start
        holdout_matches = int(model._is_training_row(holdout).sum())
        samples = {}
        for label in shown:
            variant = CK4Gen.__new__(CK4Gen)
            variant.__dict__.update(model.__dict__)
            variant.__dict__.update(variants()[label])
            for mode in ("copy", "model"):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    samples[(label, mode)] = variant.sample(
                        len(train), random_state=seed, outcome=mode
                    )
        samples[("teacher", "model")] = teacher_outcomes(model, train, seed)
        samples[("bootstrap", "real")] = train.sample(len(train), replace=True, random_state=seed)
        with path.open("a") as stream:
            for (label, mode), synthetic in samples.items():
                privacy = label not in ("teacher", "bootstrap")
                scores = score(train, holdout, synthetic, duration, event, roles, privacy)
                scores["binned_copies"] = int(model._is_training_row(synthetic).sum())
                scores["holdout_binned_copies"] = holdout_matches * len(train) / len(holdout)
                row = {"seed": seed, "variant": label, "mode": mode, "fit_s": fit_s, **scores}
                row["load_start"], row["load_end"] = load, os.getloadavg()[0]
                stream.write(json.dumps(row) + "\n")
        print(f"[{name}] seed {seed}: fit {fit_s:.1f} s, load {load:.1f}", flush=True)
    result["runs"] = [r for r in _read_runs(path) if r["seed"] in seeds]
    return result


def _read_runs(path: Path) -> list[dict[str, Any]]:
    """The runs kept in a dataset's jsonl (none when it does not exist)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def hamming_leakage_of(train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame) -> Any:
    """``hamming_leakage`` with its defaults (10 bins per numeric column)."""
    from synth_plugins.metrics.hamming import hamming_leakage

    return hamming_leakage(train, holdout, synthetic)


def exact_copy_count(synthetic: pd.DataFrame, train: pd.DataFrame, roles: dict[str, str]) -> int:
    """Rows of ``synthetic`` equal to a training row, as the suite's privacy rule compares."""
    from synth_plugins.metrics.copies import exact_copies

    return int(exact_copies(synthetic, train, roles=roles).copies)


def summary(result: dict[str, Any]) -> str:
    """Markdown rows: per variant and mode, mean over seeds of the headline figures."""
    runs = pd.DataFrame(result["runs"])
    lines = []
    for (variant, mode), group in runs.groupby(["variant", "mode"], sort=False):
        errors = pd.DataFrame(list(group["log_hr_error"]))
        worst = errors.max(axis=0)
        lines.append(
            f"| {result['dataset']} | {variant} | {mode} | {errors.mean(axis=1).mean():.3f} | "
            f"{errors.median(axis=1).mean():.3f} | {worst.max():.2f} (`{worst.idxmax()}`) | "
            f"{group['sign_significant'].mean():.2f} | {group['exact_copies'].mean():.1f} | "
            f"{group['binned_copies'].mean():.1f} ({group['holdout_binned_copies'].mean():.1f}) | "
            f"{group['binned_exact'].mean():.1f} | {group['leakage'].mean():+.3f} | "
            f"{group['dcr_share'].mean():.3f} |"
        )
    return "\n".join(lines)


def per_covariate(result: dict[str, Any], variants_shown: tuple[str, ...] = ("new", "old")) -> str:
    """Markdown table: mean over seeds of each covariate's absolute log-HR error.

    A design column that is constant in a synthetic table is left out of both fits for
    that seed; the mean is over the seeds where it was fitted (``n/3`` when not all).
    """
    runs = pd.DataFrame(result["runs"])
    runs = runs[runs["variant"].isin(variants_shown)]
    present = set(zip(runs["variant"], runs["mode"], strict=True))
    modes = ("copy", "model", "real")
    columns = [(v, m) for v in variants_shown for m in modes if (v, m) in present]
    real = pd.DataFrame(list(runs["log_hr_real"])).mean(axis=0)
    header = " | ".join(f"{v} {m}" for v, m in columns)
    lines = [
        f"| covariate | real log-HR | {header} |",
        "|---" * (2 + len(columns)) + "|",
    ]
    for covariate in real.index:
        cells = []
        for variant, mode in columns:
            group = runs[(runs["variant"] == variant) & (runs["mode"] == mode)]
            values = [e[covariate] for e in group["log_hr_error"] if covariate in e]
            note = "" if len(values) == len(group) else f" ({len(values)}/{len(group)})"
            cells.append(f"{np.mean(values):.3f}{note}" if values else "–")
        lines.append(f"| `{covariate}` | {real[covariate]:+.3f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=[*MAX_ROWS, *EXTRA])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--variants", nargs="+", default=list(DEFAULT_VARIANTS))
    parser.add_argument("--budget", choices=tuple(BUDGETS), default="short")
    args = parser.parse_args()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shown = tuple(args.variants)
    for name in args.datasets:
        result = run_dataset(name, args.seeds, shown, args.budget)
        runs = result["runs"]
        fits = sorted({(r["seed"], r["fit_s"]) for r in runs})
        loads = [r["load_start"] for r in runs] + [r["load_end"] for r in runs]
        print(
            f"\n{name}: train {result['train']}, holdout {result['holdout']}; holdout raw "
            f"copies {result['holdout_exact_copies']} (x train/holdout = "
            f"{result['holdout_exact_copies_per_train_size']:.1f}), holdout binned exact "
            f"{result['holdout_binned_exact']}; fit s per seed "
            f"{', '.join(f'{f:.0f}' for _, f in fits)}; load {min(loads):.1f} to {max(loads):.1f}"
        )
        print(summary(result))
        print(per_covariate(result, (*shown, "teacher", "bootstrap")))


if __name__ == "__main__":
    main()

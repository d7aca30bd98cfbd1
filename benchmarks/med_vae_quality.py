"""Med-VAE against SDV and Synthcity baselines, as in the paper; writes docs/benchmarks/med_vae.md.

The evaluation follows the Med-VAE paper's protocol (its evaluation section and the authors'
notebook, hogglet-rsc/Med-VAE at c34d19019f), adapted to small public tables:

- **Tables**: ``pima`` (target ``target``), ``ckd`` (``class``), ``heart_failure``
  (``DEATH_EVENT``) and ``whas500`` covariates (the duration ``lenfol`` dropped, the event
  ``fstat`` is the target).
- **Split**: 80/20 stratified on the target, ``random_state=seed``. Generators see the 80 %
  (train) only; the 20 % (holdout) is the real reference.
- **Generators**, through the hosts' own APIs: Med-VAE (``MedVAESynthesizer``, SDV), SDV
  ``TVAESynthesizer``, ``CTGANSynthesizer``, ``GaussianCopulaSynthesizer`` and Synthcity's
  ``tvae`` (``Plugins().get("tvae", n_iter=...)``). Every neural model gets the same number
  of epochs; every other setting is the host's default ("factory settings", as the paper).
- **Per (table, generator, seed)**, with ``n_synthetic = len(train)`` rows generated once:

  - SDV Quality Report (SDMetrics ``QualityReport``: Overall, Column Shapes, Column Pair
    Trends) of the synthetic rows against the real holdout, with the suite's SDV metadata;
  - XGBoost utility: ``XGBClassifier(eval_metric="logloss")`` (defaults, ``n_jobs=1``)
    trained on the synthetic rows (TSTR) or on the real train rows (real-on-real), tested
    on the real holdout; categoricals label-encoded;
  - Hamming leakage (``hamming_leakage(train, holdout, synthetic)``, the AML study's
    defaults): coefficient and exact matches to train / holdout;
  - fit wall time and peak resident memory during the fit (psutil, sampled every 5 ms, in a
    forked process per run, reported above the process's RSS before the fit).

- Mean ± 95 % CI (Student t) over seeds.

``--beta-sweep`` instead trains the core ``MedVAE`` (differentiable KL) for several ``beta``
on two tables and reports quality, conditioning hit rate and leakage (synthetic n = holdout
size); it chose the default ``beta`` (see ``docs/methods/med_vae.md``).

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/med_vae_quality.py             # full grid
    PYTHONPATH=src .venv/bin/python benchmarks/med_vae_quality.py --quick     # smoke run
    PYTHONPATH=src .venv/bin/python benchmarks/med_vae_quality.py --seeds 0 1 --epochs 100
    PYTHONPATH=src .venv/bin/python benchmarks/med_vae_quality.py --beta-sweep

Timings are wall-clock with one PyTorch thread per run; the load average before and after
each run is recorded, because the machine may be shared.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import math
import multiprocessing
import os
import platform
import random
import re
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks" / "med_vae.md"
TABLES = ("pima", "ckd", "heart_failure", "whas500")
GENERATORS = ("med_vae", "sdv_tvae", "sdv_ctgan", "sdv_gaussian_copula", "synthcity_tvae")
NEURAL = {"med_vae", "sdv_tvae", "sdv_ctgan", "synthcity_tvae"}
LABELS = {
    "med_vae": "Med-VAE (SDV host)",
    "sdv_tvae": "SDV TVAE",
    "sdv_ctgan": "SDV CTGAN",
    "sdv_gaussian_copula": "SDV GaussianCopula",
    "synthcity_tvae": "Synthcity tvae",
    "real_train": "*real train (reference)*",
}
SWEEP_BETAS = (10.0, 1.0, 0.1, 0.03, 0.01)
#: Conditions of the beta sweep: a common binary value per table (value, real share in train).
SWEEP_CONDITIONS = {"heart_failure": ("sex", 0), "pima": ("target", 1)}
SECTION = ("<!-- med_vae_quality:start -->", "<!-- med_vae_quality:end -->")
SWEEP_SECTION = ("<!-- med_vae_beta_sweep:start -->", "<!-- med_vae_beta_sweep:end -->")


# ------------------------------------------------------------------------------ data
def load_table(name: str) -> tuple[pd.DataFrame, dict[str, str], str]:
    """The modelled frame, its column roles and the target column of a benchmark table."""
    from synth_plugins.datasets import load

    dataset = load(name)
    data = dataset.data
    if name == "whas500":
        data = data.drop(columns=[dataset.duration_column])
        target = dataset.event_column
    else:
        target = dataset.target
    roles = {column: dataset.roles[column] for column in data.columns}
    data = data.reset_index(drop=True)
    for column in data.columns:  # SDV refuses the pandas "category" dtype
        if isinstance(data[column].dtype, pd.CategoricalDtype):
            data[column] = data[column].astype(object)
    return data, roles, str(target)


def split(data: pd.DataFrame, target: str, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """80/20 split stratified on the target."""
    from sklearn.model_selection import train_test_split

    train, holdout = train_test_split(data, test_size=0.2, stratify=data[target], random_state=seed)
    return train.reset_index(drop=True), holdout.reset_index(drop=True)


def table_metadata(data: pd.DataFrame, roles: dict[str, str]) -> dict[str, Any]:
    """The single-table SDV metadata dictionary (sdtypes from the suite's roles)."""
    from synth_plugins.sdv.metadata import metadata_dict

    return metadata_dict(data, roles, "table")["tables"]["table"]


def seed_everything(seed: int) -> None:
    """Seed the global generators SDV and Synthcity draw from."""
    import torch

    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - SDV's baselines use the global numpy state
    torch.manual_seed(seed)


# --------------------------------------------------------------------------- metrics
def quality(holdout: pd.DataFrame, synthetic: pd.DataFrame, meta: dict) -> dict[str, float]:
    """SDV Quality Report scores of ``synthetic`` against the real holdout."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from sdmetrics.reports.single_table import QualityReport

        report = QualityReport()
        report.generate(holdout, synthetic[holdout.columns], meta, verbose=False)
    properties = report.get_properties().set_index("Property")["Score"]
    return {
        "overall": float(report.get_score()),
        "column_shapes": float(properties["Column Shapes"]),
        "column_pair_trends": float(properties["Column Pair Trends"]),
    }


def _encode_features(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """Label-encode non-numeric columns with one mapping over all frames (NaN stays NaN)."""
    out = [frame.copy() for frame in frames]
    for column in frames[0].columns:
        if all(pd.api.types.is_numeric_dtype(f[column]) for f in frames) and not any(
            pd.api.types.is_bool_dtype(f[column]) for f in frames
        ):
            for frame in out:
                frame[column] = frame[column].astype(float)
            continue
        levels = sorted({str(v) for f in frames for v in f[column].dropna().unique()})
        lookup = {level: code for code, level in enumerate(levels)}
        for frame in out:
            frame[column] = frame[column].map(
                lambda v, lookup=lookup: np.nan if pd.isna(v) else lookup[str(v)]
            )
            frame[column] = frame[column].astype(float)
    return out


def xgboost_accuracy(
    train: pd.DataFrame, holdout: pd.DataFrame, target: str, seed: int
) -> tuple[float, str]:
    """Accuracy on the real holdout of ``XGBClassifier(eval_metric='logloss')`` fit on train."""
    from xgboost import XGBClassifier

    features = [c for c in holdout.columns if c != target]
    x_train, x_test = _encode_features([train[features], holdout[features]])
    classes = sorted({str(v) for v in holdout[target].dropna()} | set(map(str, train[target])))
    lookup = {level: code for code, level in enumerate(classes)}
    y_train = train[target].map(lambda v: lookup[str(v)]).to_numpy()
    y_test = holdout[target].map(lambda v: lookup[str(v)]).to_numpy()
    present = np.unique(y_train)
    if len(present) < 2:  # a collapsed generator can emit one class: predict it
        return float(np.mean(y_test == present[0])), "single class"
    remap = {code: i for i, code in enumerate(present)}
    model = XGBClassifier(eval_metric="logloss", n_jobs=1, random_state=seed)
    model.fit(x_train, np.vectorize(remap.get)(y_train))
    predicted = present[model.predict(x_test)]
    return float(np.mean(predicted == y_test)), ""


def leakage(train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame) -> dict:
    """The AML Hamming leakage coefficient and exact matches (study defaults)."""
    from synth_plugins.metrics import hamming_leakage

    result = hamming_leakage(train, holdout, synthetic[train.columns])
    return {
        "leakage": float(result.coefficient),
        "exact_train": int(result.synthetic_train.exact_matches),
        "exact_holdout": int(result.synthetic_test.exact_matches),
    }


class PeakRSS:
    """Peak resident set size of this process while the block runs (psutil sampling)."""

    def __init__(self, interval: float = 0.005) -> None:
        import psutil

        self._process = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.baseline = self.peak = 0

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakRSS:
        self.baseline = self.peak = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


# ------------------------------------------------------------------------ generators
def impute(frame: pd.DataFrame) -> pd.DataFrame:
    """Median / mode fill: Synthcity's tvae refuses missing values (its BayesianGMM does)."""
    if not frame.isna().any().any():
        return frame
    filled = frame.copy()
    for column in filled.columns[filled.isna().any()]:
        if pd.api.types.is_numeric_dtype(filled[column]):
            filled[column] = filled[column].fillna(filled[column].median())
        else:
            filled[column] = filled[column].fillna(filled[column].mode().iloc[0])
    return filled


def make_fitter(
    name: str, meta: dict, target: str, epochs: int, seed: int
) -> Callable[[pd.DataFrame], Callable[[int], pd.DataFrame]]:
    """A ``fit(train) -> sample(n)`` pair for one generator, through its host's API."""

    def sdv_metadata() -> Any:
        from sdv.metadata import Metadata

        spec = {"tables": {"table": meta}, "METADATA_SPEC_VERSION": "V1"}
        return Metadata.load_from_dict(spec)

    def fit(train: pd.DataFrame) -> Callable[[int], pd.DataFrame]:
        if name == "synthcity_tvae":
            from synthcity.plugins import Plugins
            from synthcity.plugins.core.dataloader import GenericDataLoader

            plugin = Plugins().get("tvae", n_iter=epochs, random_state=seed)
            plugin.fit(GenericDataLoader(impute(train), target_column=target))
            return lambda n: plugin.generate(count=n).dataframe()
        if name == "med_vae":
            from synth_plugins.sdv import MedVAESynthesizer

            synthesizer = MedVAESynthesizer(sdv_metadata(), epochs=epochs, random_state=seed)
        elif name == "sdv_tvae":
            from sdv.single_table import TVAESynthesizer

            synthesizer = TVAESynthesizer(sdv_metadata(), epochs=epochs)
        elif name == "sdv_ctgan":
            from sdv.single_table import CTGANSynthesizer

            synthesizer = CTGANSynthesizer(sdv_metadata(), epochs=epochs)
        elif name == "sdv_gaussian_copula":
            from sdv.single_table import GaussianCopulaSynthesizer

            synthesizer = GaussianCopulaSynthesizer(sdv_metadata())
        else:
            raise ValueError(f"unknown generator {name!r}")
        from synth_plugins.sdv import compat

        compat.fit(synthesizer, train)
        return lambda n: compat.sample(synthesizer, n)

    return fit


def run_reference(table: str, seed: int) -> dict[str, Any]:
    """The real train rows scored as if synthetic: the ceiling of quality and utility."""
    data, roles, target = load_table(table)
    train, holdout = split(data, target, seed)
    record: dict[str, Any] = {"table": table, "generator": "real_train", "seed": seed}
    record.update(n_train=len(train), n_holdout=len(holdout), n_synthetic=len(train))
    record.update(quality(holdout, train, table_metadata(data, roles)))
    record["tstr"], _ = xgboost_accuracy(train, holdout, target, seed)
    record["real_on_real"] = record["tstr"]
    return record


def run_one(table: str, generator: str, seed: int, epochs: int) -> dict[str, Any]:
    """Fit, sample and evaluate one (table, generator, seed)."""
    import torch

    if generator == "real_train":
        return run_reference(table, seed)
    torch.set_num_threads(1)
    data, roles, target = load_table(table)
    train, holdout = split(data, target, seed)
    meta = table_metadata(data, roles)
    seed_everything(seed)
    fit = make_fitter(generator, meta, target, epochs, seed)
    load_before = os.getloadavg()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with PeakRSS() as memory:
            start = time.perf_counter()
            sample = fit(train)
            fit_s = time.perf_counter() - start
        start = time.perf_counter()
        synthetic = sample(len(train))
        sample_s = time.perf_counter() - start
    synthetic = synthetic[list(train.columns)].reset_index(drop=True)
    record: dict[str, Any] = {
        "table": table,
        "generator": generator,
        "seed": seed,
        "epochs": epochs if generator in NEURAL else None,
        "n_train": len(train),
        "n_holdout": len(holdout),
        "n_synthetic": len(synthetic),
        "fit_s": fit_s,
        "sample_s": sample_s,
        "peak_rss_mb": memory.peak / 2**20,
        "fit_rss_increase_mb": (memory.peak - memory.baseline) / 2**20,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }
    record.update(quality(holdout, synthetic, meta))
    record["tstr"], record["tstr_note"] = xgboost_accuracy(synthetic, holdout, target, seed)
    record["real_on_real"], _ = xgboost_accuracy(train, holdout, target, seed)
    record.update(leakage(train, holdout, synthetic))
    return record


def _child(conn: Any, args: tuple) -> None:
    try:
        conn.send(("ok", run_one(*args)))
    except Exception:  # reported to the parent and recorded as a failure
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()
        # SDV's transformers start joblib/loky workers that idle for 300 s; a normal exit
        # would join them, so stop them and leave without running the exit handlers.
        loky = sys.modules.get("joblib.externals.loky.reusable_executor")
        executor = getattr(loky, "_executor", None)
        if executor is not None:
            executor.shutdown(wait=False, kill_workers=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def run_isolated(args: tuple, use_fork: bool) -> dict[str, Any]:
    """``run_one`` in a forked child (memory measured per run) or in this process."""
    if not use_fork:
        return run_one(*args)
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, args))
    process.start()
    child.close()
    status, payload = parent.recv()
    process.join()
    if status != "ok":
        raise RuntimeError(payload)
    return payload


def preload(generators: list[str]) -> None:
    """Import the hosts once in the parent so forked children start fast.

    Synthcity only when a Synthcity generator is asked for: the SDV stack has none.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import sdmetrics.reports.single_table  # noqa: F401
        import sdv.single_table  # noqa: F401
        import xgboost  # noqa: F401

        import synth_plugins
        import synth_plugins.metrics
        import synth_plugins.sdv

        synth_plugins.register()
        if any(name.startswith("synthcity_") for name in generators):
            from synthcity.plugins import Plugins

            Plugins().get("tvae", n_iter=1)  # loads the plugin registry


# ---------------------------------------------------------------------- aggregation
def ci95(values: list[float]) -> tuple[float, float]:
    """Mean and half-width of the Student-t 95 % interval (0 for one value)."""
    from scipy import stats

    array = np.asarray([v for v in values if v is not None and not math.isnan(v)], float)
    if len(array) == 0:
        return math.nan, math.nan
    if len(array) == 1:
        return float(array[0]), 0.0
    half = stats.t.ppf(0.975, len(array) - 1) * array.std(ddof=1) / math.sqrt(len(array))
    return float(array.mean()), float(half)


def fmt(values: list[float], digits: int = 3) -> str:
    mean, half = ci95(values)
    if math.isnan(mean):
        return "—"
    if len(values) == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {half:.{digits}f}"


METRIC_COLUMNS = (
    ("overall", "Overall", 3),
    ("column_shapes", "Shapes", 3),
    ("column_pair_trends", "Pair trends", 3),
    ("tstr", "TSTR acc.", 3),
    ("leakage", "Leakage coef.", 3),
    ("breach", "Breaches", -1),
    ("exact_train", "Exact → train", 1),
    ("exact_holdout", "Exact → holdout", 1),
    ("fit_s", "Fit (s)", 1),
    ("fit_rss_increase_mb", "Fit RSS +MB", 0),
)


def aggregate(records: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, list]]:
    groups: dict[tuple[str, str], dict[str, list]] = {}
    for record in records:
        group = groups.setdefault((record["table"], record["generator"]), {})
        for key, value in record.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                group.setdefault(key, []).append(float(value))
        if "leakage" in record:
            group.setdefault("breach", []).append(float(record["leakage"] > 0.05))
    return groups


def targets(records: list[dict[str, Any]], tables: list[str]) -> list[str]:
    """Check the three stated targets on the aggregated results."""
    groups = aggregate(records)
    lines = []
    wins, winners = 0, []
    for table in tables:
        scores = {
            g: np.mean(groups[(t, g)]["overall"])
            for t, g in groups
            if t == table and g != "real_train"
        }
        if not scores:
            continue
        best = max(scores, key=scores.get)
        winners.append(f"{table}: {LABELS[best]} ({scores[best]:.3f})")
        wins += best == "med_vae"
    need = min(3, len(tables))
    lines.append(
        f"- Highest Overall quality on at least {need} of {len(tables)} tables: "
        f"**{'holds' if wins >= need else 'does not hold'}** (Med-VAE best on {wins}; "
        + "; ".join(winners)
        + ")."
    )
    gaps = []
    for table in tables:
        group = groups.get((table, "med_vae"))
        if group:
            gap = np.mean(group["real_on_real"]) - np.mean(group["tstr"])
            gaps.append((table, gap))
    ok = all(gap <= 0.03 for _, gap in gaps)
    lines.append(
        "- TSTR within 0.03 of real-on-real (mean over seeds, per table): "
        f"**{'holds' if ok else 'does not hold'}** ("
        + "; ".join(f"{t}: gap {g:+.3f}" for t, g in gaps)
        + ")."
    )
    ratios = []
    for table in tables:
        mine, tvae = groups.get((table, "med_vae")), groups.get((table, "sdv_tvae"))
        if mine and tvae:
            ratios.append((table, np.mean(mine["fit_s"]) / np.mean(tvae["fit_s"])))
    ok = all(ratio <= 1.0 for _, ratio in ratios)
    lines.append(
        "- Fit time no worse than SDV TVAE at equal epochs: "
        f"**{'holds' if ok else 'does not hold'}** (Med-VAE / TVAE fit time: "
        + "; ".join(f"{t}: {r:.1f}×" for t, r in ratios)
        + ")."
    )
    return lines


def versions() -> str:
    names = ("synth-plugins", "torch", "sdv", "sdmetrics", "ctgan", "rdt", "synthcity")
    names += ("xgboost", "scikit-learn", "pandas", "numpy", "psutil")
    found = []
    for name in names:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    return ", ".join(found)


def machine() -> str:
    return (
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
        f"({platform.processor() or platform.machine()}), CPU only, 1 PyTorch thread per run"
    )


def render(records: list[dict[str, Any]], failures: list[dict], args: argparse.Namespace) -> str:
    tables = [t for t in args.datasets if any(r["table"] == t for r in records)]
    groups = aggregate(records)
    command = "PYTHONPATH=src .venv/bin/python benchmarks/med_vae_quality.py " + " ".join(
        sys.argv[1:]
    )
    timed = [r for r in records if "load_before" in r]
    loads = [r["load_before"][0] for r in timed] + [r["load_after"][0] for r in timed] or [0.0]
    lines = [
        SECTION[0],
        "## Quality, utility, privacy and cost (benchmarks/med_vae_quality.py)",
        "",
        f"Command: `{command.strip()}`",
        "",
        f"- Seeds: {', '.join(map(str, args.seeds))}; epochs for every neural model: "
        f"{args.epochs}, each with its host's default batch size: Med-VAE 32, SDV TVAE/CTGAN "
        "500, Synthcity tvae 200. On tables of 239–614 training rows an epoch is therefore "
        "8–20 optimizer steps for Med-VAE but 1 for SDV TVAE/CTGAN (`max(n // 500, 1)`), so "
        "equal epochs are far from equal training. GaussianCopula has no epochs.",
        "- SDV TVAE/CTGAN fit times include the ctgan `DataTransformer`, which transforms "
        "tables of ≥ 500 rows (here only `pima`) in parallel through joblib/loky worker "
        "processes; their start-up is part of the fit.",
        "- Synthcity's tvae refuses missing values (its BayesianGaussianMixture): on `ckd`, "
        "the only table with missing values, it is trained on a median/mode-filled copy of "
        "train, so its rows have none; every other generator sees the missing values.",
        "- *real train (reference)*: the real train rows scored as if synthetic (quality "
        "ceiling; its TSTR is the real-on-real accuracy).",
        "- Split 80/20 stratified on the target (`random_state=seed`); generators see train "
        "only. `n_synthetic = len(train)` rows, generated once per run and used for every "
        "metric.",
        "- Quality: SDMetrics `QualityReport` (single table) of synthetic vs the real holdout. "
        "TSTR: `XGBClassifier(eval_metric='logloss', n_jobs=1)` trained on synthetic rows, "
        "accuracy on the real holdout; real-on-real trains on the real train rows. Leakage: "
        "`hamming_leakage(train, holdout, synthetic)` (AML defaults; breach above 0.05). "
        "Fit RSS: peak resident memory during the fit above the RSS before it (forked "
        "process per run, psutil every 5 ms).",
        f"- Cells: mean ± 95 % CI (Student t) over {len(args.seeds)} seed(s).",
        f"- Versions: {versions()}.",
        f"- Machine: {machine()}. Load average (1 min) during the runs: "
        f"{min(loads):.1f}–{max(loads):.1f}"
        + (
            " — a **shared 2-core machine under load**: absolute times are inflated, "
            "ratios between generators are the meaningful figure."
            if max(loads) > 1.5
            else "."
        ),
        "",
        "### Targets",
        "",
        *targets(records, tables),
        "",
    ]
    for table in tables:
        real = groups[(table, "med_vae")] if (table, "med_vae") in groups else None
        any_group = next(g for (t, _), g in groups.items() if t == table)
        sample = next(r for r in records if r["table"] == table)
        lines += [
            f"### {table} (train {sample['n_train']}, holdout {sample['n_holdout']}; "
            f"real-on-real XGBoost accuracy {fmt((real or any_group)['real_on_real'])})",
            "",
            "| generator | " + " | ".join(label for _, label, _ in METRIC_COLUMNS) + " |",
            "|---|" + "---|" * len(METRIC_COLUMNS),
        ]
        for generator in (*GENERATORS, "real_train"):
            group = groups.get((table, generator))
            if group is None:
                continue
            cells = [
                fmt(group.get(key, []), digits)
                if digits >= 0
                else f"{int(sum(group[key]))}/{len(group[key])}"
                if key in group
                else "—"
                for key, _, digits in METRIC_COLUMNS
            ]
            lines.append(f"| {LABELS[generator]} | " + " | ".join(cells) + " |")
        lines.append("")
    summary = summary_table(records, tables)
    lines += ["### Summary (mean over tables of the per-table means)", "", *summary, ""]
    if failures:
        lines += ["### Failed runs", ""]
        lines += [
            f"- {f['table']} / {f['generator']} / seed {f['seed']}: `{f['error']}`"
            for f in failures
        ]
        lines.append("")
    lines.append(SECTION[1])
    return "\n".join(lines)


def summary_table(records: list[dict[str, Any]], tables: list[str]) -> list[str]:
    groups = aggregate(records)
    keys = (("overall", 3), ("tstr", 3), ("leakage", 3), ("fit_s", 1))
    lines = [
        "| generator | Overall | TSTR acc. | TSTR − real-on-real | Leakage coef. | Fit (s) |",
        "|---|---|---|---|---|---|",
    ]
    for generator in GENERATORS:
        per_table = [groups[(t, generator)] for t in tables if (t, generator) in groups]
        if not per_table:
            continue
        cells = [
            f"{np.mean([np.mean(g[key]) for g in per_table]):.{digits}f}" for key, digits in keys
        ]
        gap = np.mean([np.mean(g["tstr"]) - np.mean(g["real_on_real"]) for g in per_table])
        cells.insert(2, f"{gap:+.3f}")
        lines.append(f"| {LABELS[generator]} | " + " | ".join(cells) + " |")
    return lines


def write_section(path: Path, section: str, markers: tuple[str, str]) -> None:
    """Replace the marked section of ``path`` (append it, or create the file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text() if path.exists() else "# Med-VAE benchmarks\n"
    pattern = re.compile(re.escape(markers[0]) + ".*?" + re.escape(markers[1]), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


# ----------------------------------------------------------------------- beta sweep
def sweep_one(table: str, beta: float, epochs: int, seed: int) -> dict[str, Any]:
    """Core MedVAE with a differentiable KL at one ``beta``: quality, conditioning, leakage."""
    from synth_plugins.generators.med_vae import MedVAE

    data, roles, target = load_table(table)
    train, holdout = split(data, target, seed)
    meta = table_metadata(data, roles)
    start = time.perf_counter()
    model = MedVAE(roles, beta=beta, epochs=epochs, random_state=seed).fit(train)
    fit_s = time.perf_counter() - start
    synthetic = model.sample(len(holdout), random_state=seed + 1)
    column, value = SWEEP_CONDITIONS[table]
    conditioned = model.sample(2_000, conditions={column: value}, random_state=seed + 2)
    numeric = [c for c, r in roles.items() if r in ("numerical", "integer")]
    wide = model.sample(2_000, random_state=seed + 3)
    sd_ratio = float(np.mean([wide[c].std() / train[c].std() for c in numeric]))
    record = {
        "table": table,
        "beta": beta,
        "epochs": epochs,
        "seed": seed,
        "final_kl": float(model.history_["kl"][-1]),
        "condition": f"{column}={value}",
        "base_rate": float((train[column] == value).mean()),
        "hit_rate": float((conditioned[column] == value).mean()),
        "sd_ratio": sd_ratio,
        "fit_s": fit_s,
    }
    record.update(quality(holdout, synthetic, meta))
    record.update(leakage(train, holdout, synthetic))
    return record


def run_sweep(args: argparse.Namespace) -> None:
    import torch

    torch.set_num_threads(1)
    tables = [t for t in args.datasets if t in SWEEP_CONDITIONS] or list(SWEEP_CONDITIONS)
    records = []
    load_before = os.getloadavg()
    for table in tables:
        for beta in args.betas:
            for seed in args.seeds:
                record = sweep_one(table, beta, args.epochs, seed)
                records.append(record)
                print(json.dumps(record), flush=True)
    load_after = os.getloadavg()
    command = "PYTHONPATH=src .venv/bin/python benchmarks/med_vae_quality.py " + " ".join(
        sys.argv[1:]
    )
    lines = [
        SWEEP_SECTION[0],
        "## Beta sweep (differentiable KL; `--beta-sweep`)",
        "",
        f"Command: `{command.strip()}`",
        "",
        f"Core `MedVAE`, {args.epochs} epochs, seed(s) {', '.join(map(str, args.seeds))}, "
        "all other hyper-parameters at their defaults; 80/20 split stratified on the target, "
        "fitted on train. Quality: SDV Quality Report of `len(holdout)` library samples vs "
        "the holdout. Hit rate: share of 2,000 rows sampled with the condition (library "
        "restricted to matching rows, no rejection) that hold the asked value. SD ratio: "
        "mean over numeric columns of synthetic SD / train SD (2,000 rows). Leakage: "
        "`hamming_leakage(train, holdout, synthetic)` with `len(holdout)` synthetic rows. "
        f"Load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        f"({os.cpu_count()} CPUs, 1 PyTorch thread).",
        "",
        "| table | beta | final KL | condition (train share) | hit rate | SD ratio | Overall "
        "| Shapes | Pair trends | leakage coef. | exact → train / holdout | fit (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        lines.append(
            f"| {r['table']} | {r['beta']:g} | {r['final_kl']:.2f} | {r['condition']} "
            f"({r['base_rate']:.2f}) | {r['hit_rate']:.3f} | {r['sd_ratio']:.2f} | "
            f"{r['overall']:.3f} | {r['column_shapes']:.3f} | {r['column_pair_trends']:.3f} | "
            f"{r['leakage']:+.3f} | {r['exact_train']} / {r['exact_holdout']} | "
            f"{r['fit_s']:.0f} |"
        )
    lines.append(SWEEP_SECTION[1])
    write_section(Path(args.output), "\n".join(lines), SWEEP_SECTION)
    json_path = Path(args.output).with_name("med_vae_beta_sweep.json")
    json_path.write_text(json.dumps(records, indent=1))
    print(f"wrote {args.output} and {json_path}")


# ------------------------------------------------------------------------------ main
def single_threaded() -> None:
    """Re-execute with one OpenMP/BLAS thread (set before numpy, torch, xgboost load).

    One thread per run keeps timings comparable on a shared machine, and an OpenMP pool
    never started in the parent cannot deadlock a forked child (libgomp is not fork-safe).
    """
    wanted = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if any(os.environ.get(k) != v for k, v in wanted.items()):
        os.environ.update(wanted)
        os.execv(sys.executable, [sys.executable, *sys.argv])


def main() -> None:
    single_threaded()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(TABLES), choices=TABLES)
    parser.add_argument("--generators", nargs="+", default=list(GENERATORS), choices=GENERATORS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=200, help="epochs of every neural model")
    parser.add_argument("--quick", action="store_true", help="1 seed, 5 epochs, 2 tables")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="markdown file to update")
    parser.add_argument("--no-fork", action="store_true", help="run in-process (no RSS/run)")
    parser.add_argument("--resume", action="store_true", help="skip runs in the JSON file")
    parser.add_argument(
        "--render-only", action="store_true", help="rewrite the markdown from the JSON file"
    )
    parser.add_argument("--beta-sweep", action="store_true", help="the beta sweep instead")
    parser.add_argument("--betas", nargs="+", type=float, default=list(SWEEP_BETAS))
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.epochs = args.seeds[:1], 5
        args.datasets = args.datasets[:2]
    if args.beta_sweep:
        run_sweep(args)
        return

    records, failures = [], []
    json_path = Path(args.output).with_name("med_vae_quality.json")
    if (args.resume or args.render_only) and json_path.exists():
        stored = json.loads(json_path.read_text())
        records, failures = stored["records"], stored["failures"]
    if args.render_only:
        args.seeds = sorted({r["seed"] for r in records} & set(args.seeds))
        args.generators = []
    else:
        preload(args.generators)
    done = {(r["table"], r["generator"], r["seed"], r.get("epochs")) for r in records}
    for seed in [] if args.render_only else args.seeds:  # seed outermost: resumable per seed
        for table in args.datasets:
            if (table, "real_train", seed, None) not in done:
                records.append(run_isolated((table, "real_train", seed, 0), not args.no_fork))
            for generator in args.generators:
                epochs = args.epochs if generator in NEURAL else None
                if (table, generator, seed, epochs) in done:
                    continue
                try:
                    record = run_isolated((table, generator, seed, args.epochs), not args.no_fork)
                except Exception as error:  # a failed run is reported, the grid goes on
                    message = str(error).strip().splitlines()[-1][:300]
                    failures.append(
                        {"table": table, "generator": generator, "seed": seed, "error": message}
                    )
                    print(f"FAILED {table} {generator} {seed}: {message}", flush=True)
                    continue
                records.append(record)
                print(
                    f"{table:14s} {generator:20s} seed {seed}: overall {record['overall']:.3f} "
                    f"tstr {record['tstr']:.3f}/{record['real_on_real']:.3f} "
                    f"leak {record['leakage']:+.3f} fit {record['fit_s']:.1f}s "
                    f"rss+{record['fit_rss_increase_mb']:.0f}MB "
                    f"load {record['load_before'][0]:.1f}",
                    flush=True,
                )
                json_path.parent.mkdir(parents=True, exist_ok=True)
                json_path.write_text(json.dumps({"records": records, "failures": failures}))
    failures = [f for f in failures if f["table"] in args.datasets and f["seed"] in args.seeds]
    records = [
        r
        for r in records
        if r["table"] in args.datasets
        and r["seed"] in args.seeds
        and r.get("epochs") in (None, args.epochs)
    ]
    write_section(Path(args.output), render(records, failures, args), SECTION)
    print(f"wrote {args.output} and {json_path}")


if __name__ == "__main__":
    main()

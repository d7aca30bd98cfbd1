"""The fair tabular benchmark: every generator at its own default budget, scored on a holdout.

One resumable harness for the suite's tabular generators (``med_vae``, ``ctabgan_plus``,
``mle_copula``) and the hosts' built-ins (SDV GaussianCopula, TVAE, CTGAN; Synthcity
``tvae``, ``ctgan``, ``arf``, ``bayesian_network``, ``ddpm``). Raw records go to
``docs/benchmarks/tabular_quality.jsonl`` (one JSON object per run, appended as it
finishes); ``--report`` rewrites the generated sections of ``docs/benchmarks/tabular.md``
(every table), ``med_vae.md`` and ``ctabgan_plus.md`` (their targets) from that file only.

Protocol:

- **Tables**: ``pima``, ``ckd``, ``heart_failure``, ``whas500`` (covariates; the event is the
  target) and ``support2`` (the SUPPORT cohort, 9,105 patients; covariates, the death
  indicator is the target). 80/20 split stratified on the target, ``random_state=seed``;
  generators see the 80 % (train), the 20 % (holdout) is the real reference.
- **Generators** at their **own default training budget**, through their host's API (see
  ``GENERATORS``). Synthcity's plugins refuse missing values, so they get a median/mode
  filled copy of train (``ckd`` and ``support2`` have missing values).
- **Per run**, ``n_synthetic = len(train)`` rows generated once and used for every metric:
  SDV Quality Report against the holdout (and against train: a memorisation signal, not a
  quality), XGBoost TSTR accuracy on the holdout and real-on-real, TabSynDex and the AML
  fidelity score against the holdout, the Hamming leakage coefficient, exact copies of
  train rows next to the holdout's own collision rate with train (both counted by the
  suite's ``synth_plugins.metrics.copies.exact_copies``, identifier columns left out; a
  run has excess copies when its copies exceed that rate times ``n_synthetic``, the
  metric's ``excess``), fit and sample wall time,
  fit CPU time, peak RSS (forked child per run), and the fit time of the reference
  generator (SDV GaussianCopula) measured in the same child on the same rows, so times can
  be read as ratios on a shared machine. Load averages before and after.

Usage (from the repository root; one PyTorch/BLAS thread per run)::

    PYTHONPATH=src nice -n 10 .venv/bin/python benchmarks/tabular_quality.py --seeds 0 1 2
    PYTHONPATH=src .venv/bin/python benchmarks/tabular_quality.py --tables support2 --seeds 0
    PYTHONPATH=src .venv/bin/python benchmarks/tabular_quality.py --generators med_vae --rerun
    PYTHONPATH=src .venv/bin/python benchmarks/tabular_quality.py --report

A (table, generator, seed) already in the results file is skipped unless ``--rerun`` is
given; the report uses the newest record of each, so rerunning one generator (e.g. after
Med-VAE's defaults change) refreshes its rows and keeps the others.
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
import subprocess
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins import catalog
from synth_plugins.benchmark.report import best_cells
from synth_plugins.metrics.copies import exact_copies

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks"
RESULTS = DOCS / "tabular_quality.jsonl"
TABLES = ("pima", "ckd", "heart_failure", "whas500", "support2")
#: Generator whose fit time, measured in every run's child on the same rows, divides the
#: others' (time ratios that survive a shared machine's load).
REFERENCE = "sdv_gaussian_copula"
#: Most rows per table the TabSynDex ML-efficacy models use (only ``support2`` is larger).
TABSYNDEX_ML_ROWS = 2000
#: Hamming leakage coefficient above which a run is a breach (the AML study's threshold).
BREACH = catalog.HAMMING_BREACH_THRESHOLD
#: Seconds after which one run is stopped and recorded as a failure.
RUN_TIMEOUT_S = 3600


@dataclass(frozen=True)
class Generator:
    """A benchmarked generator: its label, host and default training budget in words."""

    label: str
    host: str
    budget: str
    ours: bool = False
    neural: bool = True


GENERATORS: dict[str, Generator] = {
    "med_vae": Generator("Med-VAE", "SDV", "its defaults (`MedVAESynthesizer`)", ours=True),
    "ctabgan_plus": Generator(
        "CTAB-GAN+",
        "SDV",
        "300 epochs, batch 500, at least 2,000 steps (`CTABGANPlusSynthesizer`)",
        ours=True,
    ),
    "mle_copula": Generator(
        "MLE copula", "SDV", "no training loop (`MLECopulaSynthesizer`)", ours=True, neural=False
    ),
    "sdv_gaussian_copula": Generator("SDV GaussianCopula", "SDV", "no training loop", neural=False),
    "sdv_tvae": Generator("SDV TVAE", "SDV", "300 epochs, batch 500"),
    "sdv_ctgan": Generator("SDV CTGAN", "SDV", "300 epochs, batch 500"),
    "synthcity_tvae": Generator(
        "Synthcity tvae", "Synthcity", "n_iter 1000, batch 200, early stopping (patience 5)"
    ),
    "synthcity_ctgan": Generator(
        "Synthcity ctgan", "Synthcity", "n_iter 2000, batch 200, early stopping (patience 5)"
    ),
    "synthcity_arf": Generator(
        "Synthcity arf", "Synthcity", "30 trees, up to 10 adversarial rounds", neural=False
    ),
    "synthcity_bayesian_network": Generator(
        "Synthcity bayesian_network", "Synthcity", "tree-search structure", neural=False
    ),
    "synthcity_ddpm": Generator(
        "Synthcity ddpm", "Synthcity", "n_iter 1000, batch 1024, 1000 diffusion steps"
    ),
}
#: Synthcity plugin name of each Synthcity generator.
SYNTHCITY_PLUGINS = {
    name: name.removeprefix("synthcity_") for name in GENERATORS if name.startswith("synthcity_")
}
#: Budget parameters read back from a fitted Synthcity plugin (stored with the record).
SYNTHCITY_BUDGET_KEYS = (
    "n_iter",
    "batch_size",
    "num_trees",
    "max_iters",
    "struct_learning_search_method",
)


# ------------------------------------------------------------------------------ data
def load_table(name: str) -> tuple[pd.DataFrame, dict[str, str], str]:
    """The modelled frame, its column roles and the target column of a benchmark table.

    Survival tables lose their duration column; their event indicator is the target.
    """
    from synth_plugins.datasets import load

    dataset = load(name)
    data = dataset.data
    if dataset.kind == "survival":
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


def sdv_metadata(meta: dict) -> Any:
    """An SDV ``Metadata`` for one table's metadata dictionary."""
    from sdv.metadata import Metadata

    return Metadata.load_from_dict({"tables": {"table": meta}, "METADATA_SPEC_VERSION": "V1"})


def categorical_columns(roles: dict[str, str]) -> list[str]:
    """Columns compared by value (binary, categorical and ordinal roles)."""
    return [c for c, role in roles.items() if role in ("binary", "categorical", "ordinal")]


def seed_everything(seed: int) -> None:
    """Seed the global generators SDV and Synthcity draw from."""
    import torch

    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - SDV's baselines use the global numpy state
    torch.manual_seed(seed)


def impute(frame: pd.DataFrame) -> pd.DataFrame:
    """Median / mode fill, for Synthcity's plugins, which refuse missing values."""
    if not frame.isna().any().any():
        return frame
    filled = frame.copy()
    for column in filled.columns[filled.isna().any()]:
        if pd.api.types.is_numeric_dtype(filled[column]):
            filled[column] = filled[column].fillna(filled[column].median())
        else:
            filled[column] = filled[column].fillna(filled[column].mode().iloc[0])
    return filled


# --------------------------------------------------------------------------- metrics
def quality(real: pd.DataFrame, synthetic: pd.DataFrame, meta: dict) -> dict[str, float]:
    """SDV Quality Report scores of ``synthetic`` against ``real``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from sdmetrics.reports.single_table import QualityReport

        report = QualityReport()
        report.generate(real, synthetic[real.columns], meta, verbose=False)
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
    """The AML Hamming leakage coefficient (study defaults) and its distance-0 row counts.

    The categorical columns are inferred from ``train``, as in the records imported from
    the first CTAB-GAN+ grid, so old and new coefficients compare.
    """
    from synth_plugins.metrics import hamming_leakage

    result = hamming_leakage(train, holdout, synthetic[train.columns])
    return {
        "leakage": float(result.coefficient),
        "hamming_zero_train": int(result.synthetic_train.exact_matches),
        "hamming_zero_holdout": int(result.synthetic_test.exact_matches),
    }


def fidelity(
    holdout: pd.DataFrame, synthetic: pd.DataFrame, categorical: list[str], target: str
) -> dict[str, float]:
    """TabSynDex and the AML fidelity score of ``synthetic`` against the real holdout."""
    from synth_plugins.metrics import aml_fidelity, tabsyndex

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = tabsyndex(
            holdout,
            synthetic[holdout.columns],
            categorical_columns=categorical,
            target_column=target,
            ml_sample_size=TABSYNDEX_ML_ROWS,
            n_jobs=1,
        )
        aml = aml_fidelity(holdout, synthetic[holdout.columns], categorical_columns=categorical)
    return {"tabsyndex": float(index.score), "aml_fidelity": float(aml.score)}


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
Sampler = Callable[[int], pd.DataFrame]


def fit_generator(
    name: str, train: pd.DataFrame, meta: dict, target: str, seed: int
) -> tuple[Sampler, dict[str, Any]]:
    """Fit one generator at its default budget; return ``sample(n)`` and its parameters."""
    if name in SYNTHCITY_PLUGINS:
        from synthcity.plugins import Plugins
        from synthcity.plugins.core.dataloader import GenericDataLoader

        plugin = Plugins().get(SYNTHCITY_PLUGINS[name], random_state=seed)
        plugin.fit(GenericDataLoader(impute(train), target_column=target))
        params = {k: getattr(plugin, k) for k in SYNTHCITY_BUDGET_KEYS if hasattr(plugin, k)}
        return (lambda n: plugin.generate(count=n).dataframe()), params
    metadata = sdv_metadata(meta)
    if name == "med_vae":
        from synth_plugins.sdv import MedVAESynthesizer

        synthesizer = MedVAESynthesizer(metadata, random_state=seed)
    elif name == "ctabgan_plus":
        from synth_plugins.sdv import CTABGANPlusSynthesizer

        synthesizer = CTABGANPlusSynthesizer(metadata, random_state=seed)
    elif name == "mle_copula":
        from synth_plugins.sdv import MLECopulaSynthesizer

        synthesizer = MLECopulaSynthesizer(metadata, random_state=seed)
    elif name == "sdv_gaussian_copula":
        from sdv.single_table import GaussianCopulaSynthesizer

        synthesizer = GaussianCopulaSynthesizer(metadata)
    elif name == "sdv_tvae":
        from sdv.single_table import TVAESynthesizer

        synthesizer = TVAESynthesizer(metadata)
    elif name == "sdv_ctgan":
        from sdv.single_table import CTGANSynthesizer

        synthesizer = CTGANSynthesizer(metadata)
    else:
        raise ValueError(f"unknown generator {name!r}; known: {sorted(GENERATORS)}")
    from synth_plugins.sdv import compat  # SDV 1 takes a DataFrame, SDV 2 a dictionary

    compat.fit(synthesizer, train)
    params = {
        k: v
        for k, v in synthesizer.get_parameters().items()
        if isinstance(v, int | float | str | bool) or v is None
    }
    return (lambda n: compat.sample(synthesizer, n)), params


def reference_fit_seconds(train: pd.DataFrame, meta: dict, target: str, seed: int) -> float:
    """Wall seconds of the reference generator's fit on the same rows, in this process."""
    start = time.perf_counter()
    fit_generator(REFERENCE, train, meta, target, seed)
    return time.perf_counter() - start


# ------------------------------------------------------------------------------ runs
def run_one(table: str, generator: str, seed: int, code_version: str) -> dict[str, Any]:
    """Fit, sample and evaluate one (table, generator, seed); ``real_train`` scores train."""
    import torch

    torch.set_num_threads(1)
    data, roles, target = load_table(table)
    train, holdout = split(data, target, seed)
    meta = table_metadata(data, roles)
    categorical = categorical_columns(roles)
    record: dict[str, Any] = {
        "table": table, "generator": generator, "seed": seed, "code_version": code_version,
        "n_train": len(train), "n_holdout": len(holdout), "n_synthetic": len(train),
        "holdout_copies": exact_copies(holdout, train, roles=roles).copies,
        "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_before": os.getloadavg(),
    }  # fmt: skip
    if generator == "real_train":  # the real train rows scored as if synthetic: the ceiling
        synthetic = train
    else:
        seed_everything(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with PeakRSS() as memory:
                wall, cpu = time.perf_counter(), time.process_time()
                sample, params = fit_generator(generator, train, meta, target, seed)
                record["fit_s"] = time.perf_counter() - wall
                record["fit_cpu_s"] = time.process_time() - cpu
            start = time.perf_counter()
            synthetic = sample(len(train))
            record["sample_s"] = time.perf_counter() - start
            record["reference_fit_s"] = reference_fit_seconds(train, meta, target, seed)
        record["params"] = params
        record["peak_rss_mb"] = memory.peak / 2**20
        record["fit_rss_increase_mb"] = (memory.peak - memory.baseline) / 2**20
        synthetic = synthetic[list(train.columns)].reset_index(drop=True)
        record["copies"] = exact_copies(synthetic, train, holdout, roles).copies
        record.update(leakage(train, holdout, synthetic))
    record.update(quality(holdout, synthetic, meta))
    record["overall_vs_train"] = quality(train, synthetic, meta)["overall"]
    record.update(fidelity(holdout, synthetic, categorical, target))
    record["tstr"], record["tstr_note"] = xgboost_accuracy(synthetic, holdout, target, seed)
    record["real_on_real"], _ = xgboost_accuracy(train, holdout, target, seed)
    record["load_after"] = os.getloadavg()
    return record


def _child(conn: Any, args: tuple) -> None:
    """Run one grid point in a forked child and send the record (or the traceback) back."""
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


def run_isolated(args: tuple, timeout_s: float) -> dict[str, Any]:
    """``run_one`` in a forked child (memory measured per run), stopped after ``timeout_s``."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, args))
    process.start()
    child.close()
    if not parent.poll(timeout_s):
        process.kill()
        process.join()
        raise TimeoutError(f"stopped after {timeout_s:.0f} s")
    status, payload = parent.recv()
    process.join()
    if status != "ok":
        raise RuntimeError(payload)
    return payload


def preload() -> None:
    """Import the installed hosts once in the parent so forked children start fast."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import sdmetrics.reports.single_table  # noqa: F401
        import sdv.single_table  # noqa: F401
        import xgboost  # noqa: F401

        import synth_plugins
        import synth_plugins.metrics
        import synth_plugins.sdv

        synth_plugins.register()
        if find_spec("synthcity") is not None:  # the SDV 2 stack has no Synthcity
            from synthcity.plugins import Plugins

            Plugins().get("tvae", n_iter=1)  # loads the plugin registry


def code_version() -> str:
    """The repository commit the runs use (``+dirty`` when the tree has changes)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+dirty" if git("status", "--porcelain", "--", "src") else "")


def read_records() -> list[dict[str, Any]]:
    """Every record of the results file, in the order they were written."""
    if not RESULTS.exists():
        return []
    return [json.loads(line) for line in RESULTS.read_text().splitlines() if line.strip()]


def append(record: dict[str, Any]) -> None:
    """Add one record to the results file (one write: a crash loses one run at most)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as handle:
        handle.write(json.dumps(record, default=float) + "\n")


def run_grid(
    tables: list[str], generators: list[str], seeds: list[int], rerun: bool, timeout_s: float
) -> None:
    """Every (table, generator, seed) not yet recorded (all of them with ``rerun``)."""
    preload()
    version = code_version()
    done = {(r["table"], r["generator"], r["seed"]) for r in read_records() if not r.get("failure")}
    for table in tables:
        for seed in seeds:
            for generator in ["real_train", *generators]:
                key = (table, generator, seed)
                if key in done and not (rerun and generator != "real_train"):
                    continue
                print(f"[run] {table} {generator} seed={seed}", flush=True)
                try:
                    record = run_isolated((table, generator, seed, version), timeout_s)
                except Exception as error:  # recorded, and the grid goes on
                    append({"failure": True, "table": table, "generator": generator,
                            "seed": seed, "code_version": version,
                            "error": str(error)[-2000:]})  # fmt: skip
                    print(f"  FAILED: {str(error).strip().splitlines()[-1]}", flush=True)
                    continue
                append(record)
                print(
                    f"  quality={record['overall']:.3f} tstr={record['tstr']:.3f} "
                    f"fit={record.get('fit_s', 0):.0f}s load={record['load_before'][0]:.1f}",
                    flush=True,
                )


# ------------------------------------------------------------------------ aggregation
def latest(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The newest successful record of each (table, generator, seed)."""
    newest: dict[tuple, dict[str, Any]] = {}
    for record in records:
        if not record.get("failure"):
            newest[(record["table"], record["generator"], record["seed"])] = record
    return list(newest.values())


def time_ratio(record: dict[str, Any], records: list[dict[str, Any]]) -> float:
    """Fit time over the reference generator's fit time on the same rows.

    Measured in the same child (``reference_fit_s``); for records imported from the first
    CTAB-GAN+ grid, the reference's own run on the same (table, seed) of that grid.
    """
    if "fit_s" not in record:
        return math.nan
    if record.get("reference_fit_s"):
        return record["fit_s"] / record["reference_fit_s"]
    for other in records:
        if (
            other["generator"] == REFERENCE
            and other["table"] == record["table"]
            and other["seed"] == record["seed"]
            and other.get("protocol") == record.get("protocol")
        ):
            return record["fit_s"] / other["fit_s"]
    return math.nan


def ci95(values: list[float]) -> tuple[float, float]:
    """Mean and half-width of the Student-t 95 % interval (0 for one value, NaN for none)."""
    from scipy import stats

    array = np.asarray([v for v in values if v is not None and not math.isnan(v)], float)
    if len(array) == 0:
        return math.nan, math.nan
    if len(array) == 1:
        return float(array[0]), 0.0
    half = stats.t.ppf(0.975, len(array) - 1) * array.std(ddof=1) / math.sqrt(len(array))
    return float(array.mean()), float(half)


#: (key, header, digits, direction): +1 higher is better, -1 lower, 0 not ranked.
COLUMNS = (
    ("overall", "Quality ↑", 3, 1),
    ("overall_vs_train", "vs train", 3, 0),
    ("tstr", "TSTR ↑", 3, 1),
    ("tabsyndex", "TabSynDex ↑", 3, 1),
    ("aml_fidelity", "AML fid. ↑", 3, 1),
    ("leakage", "Leakage ↓0", 3, -1),
    ("copies", "Copies ↓", 1, -1),
    ("fit_s", "Fit s ↓", 0, -1),
    ("fit_ratio", "Fit ÷ GC ↓", 1, -1),
    ("sample_s", "Sample s ↓", 1, -1),
    ("fit_rss_increase_mb", "Peak MB ↓", 0, -1),
)


def aggregate(records: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, list[float]]]:
    """Per (table, generator): the list over seeds of every numeric figure."""
    groups: dict[tuple[str, str], dict[str, list[float]]] = {}
    for record in records:
        group = groups.setdefault((record["table"], record["generator"]), {})
        figures = {**record, "fit_ratio": time_ratio(record, records)}
        for key, value in figures.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                group.setdefault(key, []).append(float(value))
        if "leakage" in record:
            group.setdefault("breach", []).append(float(record["leakage"] > BREACH))
        if "copies" in record:  # the metric's ``excess > 0``, from the stored counts
            expected = record["holdout_copies"] / record["n_holdout"] * record["n_synthetic"]
            group.setdefault("excess_copies", []).append(float(record["copies"] > expected))
    return groups


def mean(group: dict[str, list[float]] | None, key: str) -> float:
    """Mean of one figure over seeds (NaN when absent)."""
    values = [v for v in (group or {}).get(key, []) if not math.isnan(v)]
    return float(np.mean(values)) if values else math.nan


def cell(values: list[float], digits: int, bold: bool) -> str:
    """``mean ± half-width`` (bold when best), ``—`` when nothing was measured."""
    centre, half = ci95(values)
    if math.isnan(centre):
        return "—"
    text = f"{centre:.{digits}f}"
    if len([v for v in values if not math.isnan(v)]) > 1 and digits > 0:
        text += f" ± {half:.{digits}f}"
    return f"**{text}**" if bold else text


def best_generators(
    groups: dict[tuple[str, str], dict[str, list[float]]], table: str, key: str, direction: int
) -> set[str]:
    """The generators with the best mean of ``key`` on ``table`` (ties included).

    The leakage coefficient is read as the suite's ranking reads it: lower is better down
    to its catalog ideal 0, every mean at or below 0 tied as best.
    """
    scores = {
        g: mean(group, key)
        for (t, g), group in groups.items()
        if t == table and g != "real_train" and not math.isnan(mean(group, key))
    }
    if not scores or direction == 0:
        return set()
    order: str | float = "maximize" if direction > 0 else "minimize"
    if key == "leakage":
        order = catalog.metric("hamming_leakage").inner_ideal
    best = best_cells(pd.Series(scores), order)
    return set(best[best].index)


def label(generator: str) -> str:
    """The printed name of a generator; the suite's own are marked with a dagger."""
    if generator == "real_train":
        return "*real train (reference)*"
    spec = GENERATORS[generator]
    return spec.label + (" †" if spec.ours else "")


# ---------------------------------------------------------------------------- report
SECTIONS = {
    "tabular.md": ("<!-- tabular_quality:start -->", "<!-- tabular_quality:end -->"),
    "med_vae.md": (
        "<!-- tabular_quality_med_vae:start -->",
        "<!-- tabular_quality_med_vae:end -->",
    ),
    "ctabgan_plus.md": (
        "<!-- tabular_quality_ctabgan_plus:start -->",
        "<!-- tabular_quality_ctabgan_plus:end -->",
    ),
}
#: The built-ins that set the bar for Med-VAE's quality.
BUILTINS = tuple(g for g, spec in GENERATORS.items() if not spec.ours)
NEURAL_BUILTINS = tuple(g for g in BUILTINS if GENERATORS[g].neural)


def write_section(path: Path, section: str, markers: tuple[str, str]) -> None:
    """Replace the marked section of ``path`` (append it when the markers are missing)."""
    text = path.read_text() if path.exists() else ""
    pattern = re.compile(re.escape(markers[0]) + ".*?" + re.escape(markers[1]), re.S)
    body = f"{markers[0]}\n{section.strip()}\n{markers[1]}"
    if pattern.search(text):
        text = pattern.sub(lambda _: body, text)
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    path.write_text(text)


def versions() -> str:
    """Versions of the packages the runs depend on, as installed now."""
    names = ("synth-plugins", "torch", "sdv", "sdmetrics", "ctgan", "rdt", "synthcity")
    names += ("xgboost", "scikit-learn", "pandas", "numpy", "SurvSet")
    found = []
    for name in names:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    return ", ".join(found)


def tables_in(records: list[dict[str, Any]]) -> list[str]:
    """The benchmark tables that have records, in ``TABLES`` order."""
    return [t for t in TABLES if any(r["table"] == t for r in records)]


def table_section(
    table: str, records: list[dict[str, Any]], groups: dict[tuple[str, str], dict]
) -> list[str]:
    """The full table of one dataset: every generator, every column, best values in bold."""
    rows = [r for r in records if r["table"] == table]
    first = rows[0]
    real_on_real = {r["seed"]: r["real_on_real"] for r in rows}  # one value per split
    lines = [
        f"### {table} (train {first['n_train']}, holdout {first['n_holdout']}; holdout rows "
        f"identical to a train row: {first['holdout_copies']}; real-on-real TSTR "
        f"{cell(list(real_on_real.values()), 3, False)} over {len(real_on_real)} seeds)",
        "",
        "| generator | seeds | " + " | ".join(h for _, h, _, _ in COLUMNS) + " | breaches |",
        "|---|---|" + "---|" * (len(COLUMNS) + 1),
    ]
    best = {key: best_generators(groups, table, key, d) for key, _, _, d in COLUMNS}
    order = [g for g in GENERATORS if (table, g) in groups] + ["real_train"]
    for generator in order:
        group = groups.get((table, generator))
        if group is None:
            continue
        cells = [
            cell(group.get(key, []), digits, generator in best[key])
            for key, _, digits, _ in COLUMNS
        ]
        breaches = (
            f"{int(sum(group['breach']))}/{len(group['breach'])}" if "breach" in group else "—"
        )
        seeds = len({r["seed"] for r in rows if r["generator"] == generator})
        lines.append(f"| {label(generator)} | {seeds} | " + " | ".join(cells) + f" | {breaches} |")
    return [*lines, ""]


def pareto_line(table: str, groups: dict[tuple[str, str], dict]) -> str:
    """The equal-wall-clock view: generators no other one beats on both quality and fit time."""
    points = {
        g: (mean(group, "fit_ratio"), mean(group, "overall"))
        for (t, g), group in groups.items()
        if t == table and g != "real_train" and not math.isnan(mean(group, "fit_ratio"))
    }
    front = [
        g
        for g, (ratio, score) in points.items()
        if not any(r <= ratio and s > score for other, (r, s) in points.items() if other != g)
    ]
    front.sort(key=lambda g: points[g][0])
    steps = " → ".join(f"{label(g)} {points[g][0]:.1f}× {points[g][1]:.3f}" for g in front)
    return f"| {table} | {steps} |"


def coverage(records: list[dict[str, Any]]) -> list[str]:
    """Seeds recorded per generator and table (what has run and what is missing)."""
    lines = [
        "### Coverage (seeds recorded; 3 per cell, more where a verdict needs them)",
        "",
        "| generator | " + " | ".join(TABLES) + " |",
        "|---|" + "---|" * len(TABLES),
    ]
    for generator in ["real_train", *GENERATORS]:
        counts = [
            len({r["seed"] for r in records if r["table"] == t and r["generator"] == generator})
            for t in TABLES
        ]
        lines.append(f"| {label(generator)} | " + " | ".join(map(str, counts)) + " |")
    return [*lines, ""]


def load_range(records: list[dict[str, Any]]) -> str:
    """Lowest and highest 1-minute load average seen before or after the runs."""
    loads = [r[k][0] for r in records for k in ("load_before", "load_after") if k in r]
    return f"{min(loads):.1f}–{max(loads):.1f}" if loads else "—"


def render_full(records: list[dict[str, Any]], failures: list[dict[str, Any]]) -> str:
    """The generated section of ``tabular.md``."""
    groups = aggregate(records)
    tables = tables_in(records)
    seeds = sorted({r["seed"] for r in records})
    protocols = sorted({r.get("protocol", "tabular_quality") for r in records})
    lines = [
        "Generated by `benchmarks/tabular_quality.py --report` from "
        f"`tabular_quality.jsonl` ({len(records)} runs; seeds {', '.join(map(str, seeds))}; "
        f"record sources: {', '.join(protocols)}).",
        "",
        f"- Versions now installed: {versions()}.",
        f"- Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs shared with other jobs, CPU only, one thread per run; load "
        f"average (1 min) around the runs {load_range(records)}.",
        "- Cells: mean ± 95 % Student-t interval over seeds; best generator per column in "
        "bold (leakage: every mean at or below 0, its ideal). † the suite's own generators. "
        "Quality: SDV Quality "
        "Report against the **holdout**; *vs train*: the same against the training rows, a "
        "memorisation signal (higher than Quality means closer to train than to new "
        "patients), not ranked. Copies: synthetic rows identical to a train row (the "
        "holdout's own count is in the heading; it is the natural collision rate). "
        "Fit ÷ GC: fit time over SDV GaussianCopula's fit on the same rows, measured in "
        "the same process right after. Peak MB: RSS increase during the fit.",
        "",
    ]
    lines += coverage(records)
    for table in tables:
        lines += table_section(table, records, groups)
    lines += [
        "### Equal wall-clock view (quality against fit time)",
        "",
        "Per table, the generators that no other generator beats on both fit time and "
        "quality (the Pareto front), fastest first: `name fit÷GC quality`. Reading along a "
        "row shows what quality more fit time buys.",
        "",
        "| table | front |",
        "|---|---|",
        *(pareto_line(table, groups) for table in tables),
        "",
    ]
    if failures:
        lines += ["### Failed or stopped runs", ""]
        lines += [
            f"- {f['table']} / {f['generator']} / seed {f['seed']}: "
            f"`{f['error'].strip().splitlines()[-1][:200]}`"
            for f in failures
        ]
    return "\n".join(lines)


def seed_pairs(
    records: list[dict[str, Any]], table: str, first: str, second: str, key: str
) -> list[tuple[float, float]]:
    """``(first's key, second's key)`` for each seed (split) both generators ran on ``table``.

    Generators can have different seed sets (a verdict may extend the near-ties only), so
    comparing their means over their own seeds would compare different splits.
    """
    value = {
        (r["generator"], r["seed"]): r[key] for r in records if r["table"] == table and key in r
    }
    seeds = sorted(seed for generator, seed in value if generator == first)
    return [(value[(first, s)], value[(second, s)]) for s in seeds if (second, s) in value]


def closest_rival(
    records: list[dict[str, Any]], table: str, generator: str, rivals: tuple[str, ...]
) -> tuple[str, float, list[float]]:
    """The rival ``generator`` trails most (or leads least) in quality on common seeds.

    Returns its name, its mean quality on the seeds it shares with ``generator`` and the
    paired differences (``generator`` minus it) on those seeds; ``("", nan, [])`` when no
    rival shares a seed.
    """
    found: tuple[str, float, list[float]] = ("", math.nan, [])
    for rival in rivals:
        pairs = seed_pairs(records, table, generator, rival, "overall")
        if not pairs:
            continue
        differences = [a - b for a, b in pairs]
        if not found[0] or np.mean(differences) < np.mean(found[2]):
            found = (rival, float(np.mean([b for _, b in pairs])), differences)
    return found


def change_since_previous(
    records: list[dict[str, Any]], table: str, generator: str, key: str
) -> tuple[str, str, list[float]]:
    """``generator``'s ``key`` on ``table``: its newest code version minus the one before.

    ``records`` is the whole results file, superseded rows included; versions count in the
    file's order (newest last). Returns the two versions and the differences for each seed
    both ran ("", "", [] where the generator has rows of one version only).
    """
    rows = [
        r
        for r in records
        if r["table"] == table and r["generator"] == generator and not r.get("failure")
    ]
    versions = list(dict.fromkeys(r["code_version"] for r in rows))
    if len(versions) < 2:
        return "", "", []
    before, now = versions[-2:]
    value = {(r["code_version"], r["seed"]): r[key] for r in rows if key in r}
    seeds = sorted(seed for version, seed in value if version == now)
    return (
        before,
        now,
        [value[(now, s)] - value[(before, s)] for s in seeds if (before, s) in value],
    )


def render_version_changes(records: list[dict[str, Any]], generator: str) -> list[str]:
    """Markdown: per table, ``generator``'s quality and TSTR change since its previous rows.

    Paired by seed, mean ± the Student-t 95 % interval (``ci95``), the suite's one interval;
    the closing line names the changes whose interval excludes 0.
    """
    lines = [
        "| table | rows before → now | seeds | quality change | TSTR change |",
        "|---|---|---|---|---|",
    ]
    excluding = []
    for table in tables_in(records):
        before, now, quality = change_since_previous(records, table, generator, "overall")
        if not quality:
            continue
        cells = []
        for key, differences in (
            ("quality", quality),
            ("TSTR", change_since_previous(records, table, generator, "tstr")[2]),
        ):
            centre, half = ci95(differences)
            cells.append(f"{centre:+.3f} ± {half:.3f}")
            if abs(centre) > half:
                excluding.append(f"{table} {key}")
        lines.append(
            f"| {table} | `{before}` → `{now}` | {len(quality)} | " + " | ".join(cells) + " |"
        )
    if len(lines) == 2:
        return []
    return [
        *lines,
        "",
        "- Changes whose interval excludes 0: " + (", ".join(excluding) or "none") + ".",
    ]


def verdict(ok: bool) -> str:
    """Bold ``met`` or ``not met``."""
    return "**met**" if ok else "**not met**"


def render_med_vae(records: list[dict[str, Any]]) -> str:
    """Med-VAE against its targets, from the shared results.

    Every comparison with another generator is made on the seeds (splits) both ran, and
    says how many: the generators a verdict hinges on can have more seeds than the rest.
    """
    groups = aggregate(records)
    timed = [{**r, "fit_ratio": time_ratio(r, records)} for r in records]
    tables = [t for t in tables_in(records) if (t, "med_vae") in groups]
    versions_used = sorted({r["code_version"] for r in records if r["generator"] == "med_vae"})
    lines = [
        "Generated by `benchmarks/tabular_quality.py --report` (full tables: "
        "[tabular.md](tabular.md)). Med-VAE rows come from code version(s) "
        f"{', '.join(f'`{v}`' for v in versions_used)}; refresh them with "
        "`benchmarks/tabular_quality.py --generators med_vae --rerun`.",
        "",
        "| table | seeds | Med-VAE quality | best built-in | Med-VAE − best, paired | best "
        "neural built-in | Med-VAE TSTR / real | fit ÷ arf | breaches | runs with excess "
        "copies |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    wins = neural_ok = tstr_ok = 0
    arf_ratios: list[float] = []
    breaches = excess = runs = copy_runs = 0
    large_holdout = [
        r
        for r in records
        if r["generator"] == "med_vae" and r["n_holdout"] >= 200 and "leakage" in r
    ]
    large_breaches = sum(r["leakage"] > BREACH for r in large_holdout)
    for table in tables:
        mine = groups[(table, "med_vae")]
        score = mean(mine, "overall")
        best, best_score, differences = closest_rival(records, table, "med_vae", BUILTINS)
        neural, neural_score, neural_differences = closest_rival(
            records, table, "med_vae", NEURAL_BUILTINS
        )
        wins += bool(best) and np.mean(differences) >= 0
        neural_ok += bool(neural) and np.mean(neural_differences) >= 0
        tstr_ok += mean(mine, "tstr") - mean(mine, "real_on_real") >= -0.03
        # both as ratios to GC (load cancels), on the seeds both ran
        fits = seed_pairs(timed, table, "med_vae", "synthcity_arf", "fit_ratio")
        fits = [(a, b) for a, b in fits if not math.isnan(a + b)]
        ratio = np.mean([a for a, _ in fits]) / np.mean([b for _, b in fits]) if fits else math.nan
        if not math.isnan(ratio):
            arf_ratios.append(ratio)
        table_breaches = int(sum(mine.get("breach", [])))
        table_excess = int(sum(mine.get("excess_copies", [])))
        breaches, excess = breaches + table_breaches, excess + table_excess
        runs += len(mine.get("breach", []))
        copy_runs += len(mine.get("excess_copies", []))
        copies = f"{table_excess}/{len(mine['excess_copies'])}" if "excess_copies" in mine else "—"
        centre, half = ci95(differences)
        paired = f"{centre:+.3f} ± {half:.3f} ({len(differences)} seeds)" if differences else "—"
        lines.append(
            f"| {table} | {len(mine['overall'])} | {score:.3f} | {label(best)} {best_score:.3f} "
            f"| {paired} | {label(neural)} {neural_score:.3f} "
            f"({len(neural_differences)} seeds) "
            f"| {mean(mine, 'tstr'):.3f} / {mean(mine, 'real_on_real'):.3f} "
            f"| {'—' if math.isnan(ratio) else f'{ratio:.1f}×'} "
            f"| {table_breaches}/{len(mine.get('breach', []))} | {copies} |"
        )
    n, need = len(tables), min(3, len(tables))
    lines += [
        "",
        f"- Quality ≥ the best built-in on ≥ {need} of {n} tables: "
        f"{verdict(wins >= need)} ({wins} of {n}; each built-in compared on the seeds it "
        "shares with Med-VAE, its mean on them shown, the best being the one Med-VAE "
        "trails most or leads least).",
        f"- Quality ≥ every neural built-in on every table: {verdict(neural_ok == n)} "
        f"({neural_ok} of {n}, on shared seeds).",
        f"- Fit time within 3× arf's on every table: "
        f"{verdict(len(arf_ratios) == n and max(arf_ratios) <= 3)} (arf measured on "
        f"{len(arf_ratios)} of {n} tables"
        + (f"; worst {max(arf_ratios):.1f}×" if arf_ratios else "")
        + ").",
        f"- TSTR within 0.03 of real-on-real on every table: {verdict(tstr_ok == n)} "
        f"({tstr_ok} of {n}; real-on-real on Med-VAE's own splits).",
        f"- No leakage breach and no excess exact copies in any run: "
        f"{verdict(breaches == 0 and excess == 0 and copy_runs == runs)} ({breaches} "
        f"breach{'' if breaches == 1 else 'es'} in {runs} runs, {large_breaches} in the "
        f"{len(large_holdout)} runs whose holdout has ≥ 200 rows; excess copies in {excess} of "
        f"the {copy_runs} runs that counted copies).",
    ]
    large = groups.get(("support2", "med_vae")), groups.get(("support2", "sdv_tvae"))
    if all(large):
        mine_r, tvae_r = mean(large[0], "fit_ratio"), mean(large[1], "fit_ratio")
        lines.append(
            f"- Fit on support2 no slower than SDV TVAE, in fit time over GaussianCopula's: "
            f"{verdict(mine_r <= tvae_r)} (Med-VAE {mean(large[0], 'fit_s'):.0f} s, "
            f"{mine_r:.0f}× GC, {mean(large[0], 'fit_cpu_s'):.0f} CPU s; TVAE "
            f"{mean(large[1], 'fit_s'):.0f} s, {tvae_r:.0f}× GC, "
            f"{mean(large[1], 'fit_cpu_s'):.0f} CPU s in the fitting process)."
        )
    return "\n".join(lines)


def render_ctabgan_plus(records: list[dict[str, Any]], history: list[dict[str, Any]]) -> str:
    """CTAB-GAN+ against its targets (both CTGANs), and its change since its previous rows.

    ``records``: the newest successful run of each (table, generator, seed); ``history``:
    the whole results file, which still holds CTAB-GAN+'s superseded rows.
    """
    groups = aggregate(records)
    tables = [t for t in tables_in(records) if (t, "ctabgan_plus") in groups]
    lines = [
        "Generated by `benchmarks/tabular_quality.py --report` (full tables: "
        "[tabular.md](tabular.md)).",
        "",
        "| table | CTAB-GAN+ quality | SDV CTGAN | Synthcity ctgan | CTAB-GAN+ TSTR | SDV CTGAN "
        "| Synthcity ctgan | best other generator, same seeds | CTAB-GAN+ fit ÷ GC |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    beats = 0
    for table in tables:
        mine = groups[(table, "ctabgan_plus")]
        others = [groups.get((table, g)) for g in ("sdv_ctgan", "synthcity_ctgan")]
        quality_win = all(o and mean(mine, "overall") > mean(o, "overall") for o in others)
        tstr_win = all(o and mean(mine, "tstr") > mean(o, "tstr") for o in others)
        beats += quality_win and tstr_win
        best, best_score, _ = closest_rival(
            records, table, "ctabgan_plus", tuple(g for g in GENERATORS if g != "ctabgan_plus")
        )
        lines.append(
            f"| {table} | {mean(mine, 'overall'):.3f} | {mean(others[0], 'overall'):.3f} "
            f"| {mean(others[1], 'overall'):.3f} | {mean(mine, 'tstr'):.3f} "
            f"| {mean(others[0], 'tstr'):.3f} | {mean(others[1], 'tstr'):.3f} "
            f"| {label(best)} {best_score:.3f} | {mean(mine, 'fit_ratio'):.0f}× |"
        )
    need = min(3, len(tables))
    lines += [
        "",
        f"- Higher quality and higher TSTR than both CTGANs on ≥ {need} of {len(tables)} "
        f"tables: {verdict(beats >= need)} ({beats} of {len(tables)}).",
    ]
    changes = render_version_changes(history, "ctabgan_plus")
    if changes:
        lines += [
            "",
            "CTAB-GAN+'s newest rows against its previous ones, paired by seed (mean ± 95 % "
            "Student-t interval):",
            "",
            *changes,
        ]
    return "\n".join(lines)


def report() -> None:
    """Rewrite the generated sections of the three pages from the results file."""
    records = read_records()
    kept = latest(records)
    done = {(r["table"], r["generator"], r["seed"]) for r in kept}
    failures = [
        r
        for r in records
        if r.get("failure") and (r["table"], r["generator"], r["seed"]) not in done
    ]
    write_section(DOCS / "tabular.md", render_full(kept, failures), SECTIONS["tabular.md"])
    write_section(DOCS / "med_vae.md", render_med_vae(kept), SECTIONS["med_vae.md"])
    write_section(
        DOCS / "ctabgan_plus.md", render_ctabgan_plus(kept, records), SECTIONS["ctabgan_plus.md"]
    )
    print(f"{len(kept)} runs reported, {len(failures)} failed; wrote {DOCS}")


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
    """Command-line entry point."""
    single_threaded()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(TABLES[:4]), choices=TABLES)
    parser.add_argument("--generators", nargs="+", default=list(GENERATORS), choices=GENERATORS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--rerun", action="store_true", help="run again what is recorded")
    parser.add_argument("--timeout", type=float, default=RUN_TIMEOUT_S, help="s per run")
    parser.add_argument("--report", action="store_true", help="only rewrite the pages")
    args = parser.parse_args()
    if not args.report:
        run_grid(args.tables, args.generators, args.seeds, args.rerun, args.timeout)
    report()


if __name__ == "__main__":
    main()

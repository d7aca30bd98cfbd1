"""CTAB-GAN+ against CTGAN (SDV and Synthcity), TVAE, GaussianCopula and Med-VAE.

Writes raw records to ``docs/benchmarks/ctabgan_plus_results.jsonl`` (one JSON object per
line; a run is skipped when its (table, generator, seed) is already there, so the script is
resumable and can run one table at a time) and a summary section into
``docs/benchmarks/ctabgan_plus.md``.

Protocol (shared with ``benchmarks/med_vae_quality.py``, whose helpers are imported):

- **Tables**: the bundled mixed-type tables ``pima``, ``ckd``, ``heart_failure`` and the
  ``whas500`` covariates (target: the event). 80/20 split stratified on the target,
  ``random_state=seed``; generators see the 80 %, the 20 % holdout is the real reference.
- **Generators**, each at its **own default training budget**, through its host's API:
  ``ctabgan_plus`` (``CTABGANPlusSynthesizer``, SDV), SDV ``CTGANSynthesizer``,
  ``TVAESynthesizer``, ``GaussianCopulaSynthesizer``, Synthcity ``ctgan`` and ``med_vae``
  (``MedVAESynthesizer``).
- **Per run** (``n_synthetic = len(train)``): SDV Quality Report against the holdout,
  XGBoost TSTR accuracy on the holdout, Hamming leakage and exact matches, fit and sample
  wall time, peak RSS during the fit (forked child per run), load average before/after.

Other modes:

- ``--aux``: TSTR of CTAB-GAN+ with and without the downstream loss (``target``) on a
  synthetic table whose binary target depends on two of six features.
- ``--timing TABLE``: fit seconds per epoch of CTAB-GAN+ and SDV CTGAN (same epochs).
- ``--sample-speed``: seconds to sample 1,000,000 rows from a CTAB-GAN+ fit on heart_failure.
- ``--select TABLE``: the AML study's model selection. CTAB-GAN+ is fitted once per seed
  and sampled ``--samples`` times per fit. Every candidate is scored on the *training* rows
  with ``w * aml_fidelity - (1 - w) * max(hamming leakage coefficient, 0)``
  (``w = --select-weight``, 0.7 as in the study's ``best_70`` files). The best candidate's
  quality against the holdout is reported next to the mean over all candidates. The leakage
  coefficient compares distances to train and holdout, so the selection sees the holdout,
  as the study's did. The selection is a benchmark option, not part of the generator.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/ctabgan_plus_quality.py --tables heart_failure
    PYTHONPATH=src .venv/bin/python benchmarks/ctabgan_plus_quality.py --seeds 0 1 2
    PYTHONPATH=src .venv/bin/python benchmarks/ctabgan_plus_quality.py --aux
    PYTHONPATH=src .venv/bin/python benchmarks/ctabgan_plus_quality.py --timing heart_failure
    PYTHONPATH=src .venv/bin/python benchmarks/ctabgan_plus_quality.py --sample-speed
    PYTHONPATH=src .venv/bin/python benchmarks/ctabgan_plus_quality.py --report

Every run uses one PyTorch thread.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import med_vae_quality as shared  # the shared protocol and metric helpers

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "benchmarks" / "ctabgan_plus_results.jsonl"
PAGE = ROOT / "docs" / "benchmarks" / "ctabgan_plus.md"
SECTION = ("<!-- ctabgan_plus_quality:start -->", "<!-- ctabgan_plus_quality:end -->")
TABLES = ("pima", "ckd", "heart_failure", "whas500")
GENERATORS = (
    "ctabgan_plus",
    "sdv_ctgan",
    "synthcity_ctgan",
    "sdv_tvae",
    "sdv_gaussian_copula",
    "med_vae",
)
LABELS = {
    "ctabgan_plus": "CTAB-GAN+ (SDV host)",
    "sdv_ctgan": "SDV CTGAN",
    "synthcity_ctgan": "Synthcity ctgan",
    "sdv_tvae": "SDV TVAE",
    "sdv_gaussian_copula": "SDV GaussianCopula",
    "med_vae": "Med-VAE (SDV host)",
}


def make_fitter(
    name: str, meta: dict, target: str, seed: int
) -> Callable[[pd.DataFrame], Callable[[int], pd.DataFrame]]:
    """A ``fit(train) -> sample(n)`` pair at the generator's default budget."""

    def fit(train: pd.DataFrame) -> Callable[[int], pd.DataFrame]:
        metadata = shared_metadata(meta)
        if name == "synthcity_ctgan":
            from synthcity.plugins import Plugins
            from synthcity.plugins.core.dataloader import GenericDataLoader

            plugin = Plugins().get("ctgan", random_state=seed)
            plugin.fit(GenericDataLoader(shared.impute(train), target_column=target))
            return lambda n: plugin.generate(count=n).dataframe()
        if name == "ctabgan_plus":
            from synth_plugins.sdv import CTABGANPlusSynthesizer

            synthesizer = CTABGANPlusSynthesizer(metadata, random_state=seed)
        elif name == "med_vae":
            from synth_plugins.sdv import MedVAESynthesizer

            synthesizer = MedVAESynthesizer(metadata, random_state=seed)
        elif name == "sdv_ctgan":
            from sdv.single_table import CTGANSynthesizer

            synthesizer = CTGANSynthesizer(metadata)
        elif name == "sdv_tvae":
            from sdv.single_table import TVAESynthesizer

            synthesizer = TVAESynthesizer(metadata)
        elif name == "sdv_gaussian_copula":
            from sdv.single_table import GaussianCopulaSynthesizer

            synthesizer = GaussianCopulaSynthesizer(metadata)
        else:
            raise ValueError(f"unknown generator {name!r}")
        from synth_plugins.sdv import compat

        compat.fit(synthesizer, train)
        return lambda n: compat.sample(synthesizer, n)

    return fit


def run_one(table: str, generator: str, seed: int) -> dict[str, Any]:
    """Fit, sample and evaluate one (table, generator, seed)."""
    import torch

    torch.set_num_threads(1)
    data, roles, target = shared.load_table(table)
    train, holdout = shared.split(data, target, seed)
    meta = shared.table_metadata(data, roles)
    shared.seed_everything(seed)
    fit = make_fitter(generator, meta, target, seed)
    load_before = os.getloadavg()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with shared.PeakRSS() as memory:
            start = time.perf_counter()
            sample = fit(train)
            fit_s = time.perf_counter() - start
        start = time.perf_counter()
        synthetic = sample(len(train))
        sample_s = time.perf_counter() - start
    synthetic = synthetic[list(train.columns)].reset_index(drop=True)
    record: dict[str, Any] = {
        "table": table, "generator": generator, "seed": seed,
        "n_train": len(train), "n_holdout": len(holdout), "fit_s": fit_s, "sample_s": sample_s,
        "peak_rss_mb": memory.peak / 2**20,
        "fit_rss_increase_mb": (memory.peak - memory.baseline) / 2**20,
        "load_before": load_before, "load_after": os.getloadavg(),
    }  # fmt: skip
    record.update(shared.quality(holdout, synthetic, meta))
    record["tstr"], record["tstr_note"] = shared.xgboost_accuracy(synthetic, holdout, target, seed)
    record["real_on_real"], _ = shared.xgboost_accuracy(train, holdout, target, seed)
    record.update(shared.leakage(train, holdout, synthetic))
    return record


def done_keys() -> set[tuple[str, str, int]]:
    """(table, generator, seed) of the records already in the results file."""
    if not RESULTS.exists():
        return set()
    keys = set()
    for line in RESULTS.read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            if "mode" not in record:  # grid records (successes and failures) only
                keys.add((record["table"], record["generator"], record["seed"]))
    return keys


def append(record: dict[str, Any]) -> None:
    """Add one record to the results file (written at once: a crash loses one run at most)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as handle:
        handle.write(json.dumps(record, default=float) + "\n")


def run_grid(tables: list[str], generators: list[str], seeds: list[int]) -> None:
    """Every missing (table, generator, seed), each in a forked child."""
    shared.preload()
    done = done_keys()
    for table in tables:
        for seed in seeds:
            for generator in generators:
                if (table, generator, seed) in done:
                    continue
                print(f"[run] {table} {generator} seed={seed}", flush=True)
                args = (table, generator, seed)
                try:
                    context = shared.multiprocessing.get_context("fork")
                    parent, child = context.Pipe(duplex=False)
                    process = context.Process(target=_child, args=(child, args))
                    process.start()
                    child.close()
                    status, payload = parent.recv()
                    process.join()
                    if status != "ok":
                        raise RuntimeError(payload)
                    append(payload)
                    print(
                        f"  quality={payload['overall']:.3f} tstr={payload['tstr']:.3f} "
                        f"fit={payload['fit_s']:.0f}s",
                        flush=True,
                    )
                except Exception as error:  # recorded, and the grid goes on
                    append({"failure": True, "table": table, "generator": generator,
                            "seed": seed, "error": str(error)[-2000:]})  # fmt: skip


def _child(conn: Any, args: tuple) -> None:
    """Run one grid point in a forked child and send the record (or the traceback) back."""
    try:
        conn.send(("ok", run_one(*args)))
    except Exception:  # reported to the parent and recorded as a failure
        conn.send(("error", shared.traceback.format_exc()))
    finally:
        conn.close()
        # SDV's joblib/loky workers idle for 300 s; stop them and leave without exit handlers
        loky = sys.modules.get("joblib.externals.loky.reusable_executor")
        executor = getattr(loky, "_executor", None)
        if executor is not None:
            executor.shutdown(wait=False, kill_workers=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


# ---------------------------------------------------------------- other measurements
def two_feature_table(n: int, seed: int) -> pd.DataFrame:
    """Six standard-normal features; ``y`` is 1 when ``x1 * x2 > 0`` (an interaction)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, 6)), columns=[f"x{i}" for i in range(1, 7)])
    frame["y"] = (frame["x1"] * frame["x2"] > 0).astype(int)
    return frame


def run_aux(seeds: list[int]) -> None:
    """TSTR of CTAB-GAN+ with and without ``target`` on the interaction table."""
    import torch

    from synth_plugins.generators import CTABGANPlus

    torch.set_num_threads(1)
    for seed in seeds:
        data = two_feature_table(2500, seed)
        train, holdout = shared.split(data, "y", seed)
        for target in (None, "y"):
            start = time.perf_counter()
            model = CTABGANPlus(target=target, random_state=seed).fit(train)
            fit_s = time.perf_counter() - start
            synthetic = model.sample(len(train), random_state=seed)
            tstr, _ = shared.xgboost_accuracy(synthetic, holdout, "y", seed)
            record = {"mode": "aux", "seed": seed, "target": target, "tstr": tstr,
                      "fit_s": fit_s, "load": os.getloadavg()}  # fmt: skip
            append(record)
            print(record, flush=True)


def run_timing(table: str, epochs: int) -> None:
    """Fit time per epoch, CTAB-GAN+ vs SDV CTGAN, one thread.

    Each is fitted for ``epochs // 5`` and for ``epochs`` epochs; the difference divided by
    the extra epochs is the cost of one epoch without the fixed costs (mixture fits, SDV's
    preprocessing); a 1-epoch fit before them pays the lazy imports. Both wall and CPU
    seconds (``time.process_time``) are recorded: on a shared machine the CPU seconds are
    the comparable figure.
    """
    import torch
    from sdv.single_table import CTGANSynthesizer

    from synth_plugins.sdv import CTABGANPlusSynthesizer, compat

    torch.set_num_threads(1)
    data, roles, _ = shared.load_table(table)
    metadata = shared_metadata(shared.table_metadata(data, roles))
    short = max(1, epochs // 5)
    for name, cls in (("ctabgan_plus", CTABGANPlusSynthesizer), ("sdv_ctgan", CTGANSynthesizer)):
        seconds = {}
        for n_epochs in (1, short, epochs):  # the 1-epoch fit pays the lazy imports
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                synthesizer = cls(metadata, epochs=n_epochs)
                wall, cpu = time.perf_counter(), time.process_time()
                compat.fit(synthesizer, data)
                seconds[n_epochs] = (time.perf_counter() - wall, time.process_time() - cpu)
        extra = epochs - short
        record = {
            "mode": "timing", "table": table, "generator": name, "epochs": [short, epochs],
            "fit_wall_s": [seconds[short][0], seconds[epochs][0]],
            "fit_cpu_s": [seconds[short][1], seconds[epochs][1]],
            "cpu_s_per_epoch": (seconds[epochs][1] - seconds[short][1]) / extra,
            "wall_s_per_epoch": (seconds[epochs][0] - seconds[short][0]) / extra,
            "load": os.getloadavg(),
        }  # fmt: skip
        append(record)
        print(record, flush=True)


def run_sample_speed(rows: int) -> None:
    """Wall and CPU seconds to sample ``rows`` rows from a CTAB-GAN+ fit on heart_failure."""
    import torch

    from synth_plugins.generators import CTABGANPlus

    torch.set_num_threads(int(os.environ.get("SAMPLE_THREADS", "2")))
    data, roles, _ = shared.load_table("heart_failure")
    model = CTABGANPlus(roles, epochs=5).fit(data)
    wall, cpu = time.perf_counter(), time.process_time()
    frame = model.sample(rows, random_state=0)
    record = {
        "mode": "sample_speed", "rows": len(frame), "sample_s": time.perf_counter() - wall,
        "sample_cpu_s": time.process_time() - cpu, "threads": torch.get_num_threads(),
        "load": os.getloadavg(),
    }  # fmt: skip
    append(record)
    print(record, flush=True)


def run_select(table: str, seeds: list[int], samples: int, weight: float) -> None:
    """Best-of seeds x samples by the weighted fidelity/privacy objective (training rows)."""
    import torch

    from synth_plugins.metrics import aml_fidelity, hamming_leakage
    from synth_plugins.sdv import CTABGANPlusSynthesizer, compat

    torch.set_num_threads(1)
    data, roles, target = shared.load_table(table)
    train, holdout = shared.split(data, target, 0)
    meta = shared.table_metadata(data, roles)
    metadata = shared_metadata(meta)
    candidates = []
    for seed in seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            synthesizer = CTABGANPlusSynthesizer(metadata, random_state=seed)
            compat.fit(synthesizer, train)
            for sample in range(samples):
                synthetic = compat.sample(synthesizer, len(train))[list(train.columns)]
                fidelity = aml_fidelity(train, synthetic).score
                leak = hamming_leakage(train, holdout, synthetic).coefficient
                objective = weight * fidelity - (1 - weight) * max(float(leak), 0.0)
                quality = shared.quality(holdout, synthetic, meta)["overall"]
                candidates.append(
                    {"seed": seed, "sample": sample, "objective": objective,
                     "aml_fidelity": fidelity, "leakage": float(leak), "quality": quality}
                )  # fmt: skip
    best = max(candidates, key=lambda c: c["objective"])
    record = {
        "mode": "select", "table": table, "weight": weight, "best": best,
        "mean_quality": float(np.mean([c["quality"] for c in candidates])),
        "n_candidates": len(candidates), "load": os.getloadavg(),
    }  # fmt: skip
    append(record)
    print(record, flush=True)


def shared_metadata(meta: dict) -> Any:
    """An SDV ``Metadata`` for one table's metadata dictionary."""
    from sdv.metadata import Metadata

    return Metadata.load_from_dict({"tables": {"table": meta}, "METADATA_SPEC_VERSION": "V1"})


# ------------------------------------------------------------------------- report
def report() -> None:
    """Summarise the results file into the page's generated section."""
    records = [json.loads(x) for x in RESULTS.read_text().splitlines() if x.strip()]
    grid = [r for r in records if "mode" not in r and not r.get("failure")]
    lines = [SECTION[0], "", "Generated by `benchmarks/ctabgan_plus_quality.py --report`.", ""]
    if grid:
        lines += [
            "| table | generator | seeds | quality (holdout) | TSTR | leakage | exact train "
            "| fit s | peak MB |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        frame = pd.DataFrame(grid)
        for (table, generator), group in frame.groupby(["table", "generator"], sort=True):
            lines.append(
                f"| {table} | {LABELS.get(generator, generator)} | {len(group)} "
                f"| {shared.fmt(group['overall'].tolist())} | {shared.fmt(group['tstr'].tolist())} "
                f"| {shared.fmt(group['leakage'].tolist())} "
                f"| {group['exact_train'].mean():.1f} | {group['fit_s'].mean():.0f} "
                f"| {group['fit_rss_increase_mb'].mean():.0f} |"
            )
        lines.append("")
    for mode in ("aux", "timing", "sample_speed", "select"):
        extra = [r for r in records if r.get("mode") == mode]
        if extra:
            lines += [f"**{mode}**", "", "```", *(json.dumps(r) for r in extra), "```", ""]
    failures = [r for r in records if r.get("failure")]
    if failures:
        names = ", ".join(f"{r['table']}/{r['generator']}/{r['seed']}" for r in failures)
        lines += [f"Failures: {names}", ""]
    lines.append(SECTION[1])
    shared.write_section(PAGE, "\n".join(lines), SECTION)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(TABLES), choices=TABLES)
    parser.add_argument("--generators", nargs="+", default=list(GENERATORS), choices=GENERATORS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--aux", action="store_true", help="TSTR with vs without target")
    parser.add_argument("--timing", metavar="TABLE", help="fit s/epoch vs SDV CTGAN")
    parser.add_argument("--timing-epochs", type=int, default=50)
    parser.add_argument("--sample-speed", action="store_true", help="sample 1,000,000 rows")
    parser.add_argument("--select", metavar="TABLE", help="AML-style best-of selection")
    parser.add_argument("--samples", type=int, default=3, help="samples per fit (--select)")
    parser.add_argument("--select-weight", type=float, default=0.7)
    parser.add_argument("--report", action="store_true", help="only rewrite the summary")
    args = parser.parse_args()
    if args.aux:
        run_aux(args.seeds)
    elif args.timing:
        run_timing(args.timing, args.timing_epochs)
    elif args.sample_speed:
        run_sample_speed(1_000_000)
    elif args.select:
        run_select(args.select, args.seeds, args.samples, args.select_weight)
    elif not args.report:
        run_grid(args.tables, args.generators, args.seeds)
    report()


if __name__ == "__main__":
    main()

"""Speed and memory of the metric cores at scale; writes docs/benchmarks/metrics_speed.md.

Measures

1. ``hamming_leakage`` on 100,000 synthetic rows against 100,000 real rows (80,000 train,
   20,000 test: the AML 80/20 design, so 4 training and 5 synthetic subsets of 20,000 rows)
   and 50 columns (20 continuous with some missing values, 20 binary, 10 categorical),
   run in a fresh subprocess with 2 PyTorch threads: wall time, CPU time and peak memory;
2. the same metric on 2,000 rows against the straightforward row-by-row implementation
   (``synth_plugins.metrics._reference``, one pandas comparison per row, as the AML code),
   checking that both give the same figures, and the speed ratio;
3. ``tabsyndex`` on 100,000 real and 100,000 synthetic rows of the same table.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/metrics_speed.py
    PYTHONPATH=src .venv/bin/python benchmarks/metrics_speed.py --quick        # small sizes
    PYTHONPATH=src .venv/bin/python benchmarks/metrics_speed.py --full-tabsyndex

The machine may be shared: the load average before and after each measurement is written
next to the timings, and CPU time (all threads) is reported besides wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks" / "metrics_speed.md"
N_NUMERIC, N_BINARY, N_CATEGORICAL = 20, 20, 10


def make_tables(n_real: int, n_synthetic: int, seed: int = 0) -> tuple[pd.DataFrame, ...]:
    """Real and synthetic tables from one latent-factor model (a faithful generator)."""
    rng = np.random.default_rng(seed)
    n_factors = 4
    loadings = rng.normal(size=(N_NUMERIC + N_BINARY + N_CATEGORICAL, n_factors))
    levels = rng.integers(3, 7, N_CATEGORICAL)

    def draw(n: int) -> pd.DataFrame:
        z = rng.normal(size=(n, n_factors))
        latent = z @ loadings.T + rng.normal(size=(n, loadings.shape[0]))
        columns: dict[str, object] = {}
        for k in range(N_NUMERIC):
            values = np.exp(latent[:, k] / 3) * 10 if k % 4 == 0 else latent[:, k] * 7 + 50
            if k < 5:
                values = np.where(rng.random(n) < 0.1, np.nan, values)
            columns[f"num_{k}"] = values
        for k in range(N_BINARY):
            columns[f"bin_{k}"] = (latent[:, N_NUMERIC + k] > 0.5).astype(np.int64)
        for k in range(N_CATEGORICAL):
            raw = latent[:, N_NUMERIC + N_BINARY + k]
            cuts = np.quantile(raw, np.linspace(0, 1, levels[k] + 1)[1:-1])
            codes = np.digitize(raw, cuts)
            columns[f"cat_{k}"] = np.array([f"L{c}" for c in range(levels[k])])[codes]
        return pd.DataFrame(columns)

    return draw(n_real), draw(n_synthetic)


def categorical_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if not c.startswith("num_")]


def pair_count(n_train: int, n_test: int, n_synthetic: int) -> int:
    """Row pairs the AML procedure compares (all four runs)."""
    from synth_plugins.metrics.hamming import n_subsets, split_subsets

    train_parts = [len(p) for p in split_subsets(n_train, n_subsets(n_train, n_test), 1)]
    baseline = sum(
        train_parts[i] * train_parts[j] for j in range(len(train_parts)) for i in range(j)
    )
    return n_synthetic * n_train + n_synthetic * n_test + baseline + n_train * n_test


def _rss_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def child_hamming(rows: int, threads: int) -> dict[str, object]:
    """Run in a fresh process: time and memory of one hamming_leakage call."""
    import torch

    from synth_plugins.metrics import hamming_leakage
    from synth_plugins.metrics.distance import int8_engine

    torch.set_num_threads(threads)
    real, synthetic = make_tables(rows, rows)
    n_test = rows // 5
    train, test = real.iloc[: rows - n_test], real.iloc[rows - n_test :]
    engine = int8_engine()
    baseline = _rss_mb("VmRSS")
    reset = _reset_peak()
    load_before = os.getloadavg()
    wall, cpu = time.perf_counter(), time.process_time()
    result = hamming_leakage(
        train, test, synthetic, categorical_columns=categorical_columns(real), n_threads=threads
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = _rss_mb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pairs = pair_count(len(train), len(test), len(synthetic))
    return {
        "rows": rows,
        "columns": real.shape[1],
        "wall_s": wall,
        "cpu_s": cpu,
        "pairs": pairs,
        "ns_per_pair_wall": wall / pairs * 1e9,
        "ns_per_pair_cpu": cpu / pairs * 1e9,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak,
        "peak_is_since_call": reset,
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "engine": engine,
        "threads": threads,
        "coefficient": result.coefficient,
        "synthetic_train": result.synthetic_train.avg_min_distance,
        "synthetic_test": result.synthetic_test.avg_min_distance,
        "real_train": result.real_train.avg_min_distance,
        "real_test": result.real_test.avg_min_distance,
    }


def run_child(mode: str, rows: int, threads: int) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    command = [sys.executable, __file__, "--child", mode, "--rows", str(rows)]
    command += ["--threads", str(threads)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def rowwise_comparison(rows: int, threads: int) -> dict[str, object]:
    """Vectorised against row-by-row on ``rows`` real and ``rows`` synthetic rows."""
    import torch

    from synth_plugins.metrics import hamming_leakage
    from synth_plugins.metrics._reference import hamming_leakage_rowwise

    torch.set_num_threads(threads)
    real, synthetic = make_tables(rows, rows, seed=1)
    n_test = rows // 5
    train, test = real.iloc[: rows - n_test], real.iloc[rows - n_test :]
    cats = categorical_columns(real)
    hamming_leakage(train.iloc[:50], test.iloc[:20], synthetic.iloc[:50])  # warm-up imports
    load_before = os.getloadavg()
    start = time.perf_counter()
    fast = hamming_leakage(train, test, synthetic, categorical_columns=cats, n_threads=threads)
    fast_s = time.perf_counter() - start
    start = time.perf_counter()
    slow = hamming_leakage_rowwise(train, test, synthetic, cats)
    slow_s = time.perf_counter() - start
    same = all(
        abs(getattr(fast, run).avg_min_distance - slow[run]["avg_min_distance"]) < 1e-9
        and abs(getattr(fast, run).avg_gap - slow[run]["avg_gap"]) < 1e-9
        and np.allclose(getattr(fast, run).percentiles, slow[run]["percentiles"], atol=1e-9)
        and getattr(fast, run).exact_matches == slow[run]["exact_matches"]
        for run in ("synthetic_train", "synthetic_test", "real_train", "real_test")
    )
    return {
        "rows": rows,
        "vectorised_s": fast_s,
        "rowwise_s": slow_s,
        "ratio": slow_s / fast_s,
        "identical": same,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def tabsyndex_run(rows: int, task: str, sample: int | None) -> dict[str, object]:
    """Time one tabsyndex call on ``rows`` real and ``rows`` synthetic rows."""
    from synth_plugins.metrics import tabsyndex

    real, synthetic = make_tables(rows, rows, seed=2)
    target = "bin_0" if task == "class" else "num_1"
    cats = categorical_columns(real)
    load_before = os.getloadavg()
    start, cpu = time.perf_counter(), time.process_time()
    result = tabsyndex(
        real,
        synthetic,
        categorical_columns=cats,
        target_column=target,
        task=task,  # type: ignore[arg-type]
        ml_sample_size=sample,
        n_jobs=2,
    )
    return {
        "rows": rows,
        "task": task,
        "ml_sample_size": sample,
        "wall_s": time.perf_counter() - start,
        "cpu_s": time.process_time() - cpu,
        "score": result.score,
        "timings": result.timings,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def versions() -> dict[str, str]:
    import lifelines
    import sklearn
    import torch

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "torch": torch.__version__,
        "scikit-learn": sklearn.__version__,
        "lifelines": lifelines.__version__,
        "cpu": f"{cpu}, {os.cpu_count()} logical CPUs",
        "platform": platform.platform(),
    }


def _load(values: object) -> str:
    return "/".join(f"{v:.2f}" for v in values)  # type: ignore[attr-defined]


def write_report(path: Path, results: dict[str, object], command: str) -> None:
    h = results["hamming"]
    r = results["rowwise"]
    hamming_ok = h["wall_s"] < 60 and h["peak_rss_mb"] < 2048
    summary = [
        f"- `hamming_leakage`, {h['rows']:,} x {h['rows']:,} rows x {h['columns']} columns: "
        f"{h['wall_s']:.1f} s wall, peak RSS {h['peak_rss_mb']:.0f} MB "
        f"(targets: under 60 s and 2 GB: {'met' if hamming_ok else 'NOT met'}). It used "
        f"{h['cpu_s']:.1f} s of CPU time, so on two cores not shared with other jobs the wall "
        f"time lies between {h['cpu_s'] / h['threads']:.0f} s (all work on {h['threads']} "
        f"threads) and {h['cpu_s']:.0f} s (all work serial); the load average was "
        f"{h['load_before'][0]:.1f} when it started.",
        f"- Vectorised against row by row on {r['rows']:,} rows: {r['ratio']:.0f}x faster, "
        f"{'identical' if r['identical'] else 'DIFFERENT'} figures.",
    ]
    for t in results["tabsyndex"]:  # type: ignore[union-attr]
        sample = "all rows" if t["ml_sample_size"] is None else f"{t['ml_sample_size']:,} rows"
        other = sum(v for k, v in t["timings"].items() if k != "ml")
        summary.append(
            f"- `tabsyndex`, {t['rows']:,} rows, task `{t['task']}`, ML models on {sample}: "
            f"{t['wall_s']:.1f} s (target under 30 s: {'met' if t['wall_s'] < 30 else 'NOT met'});"
            f" the reference's eight model fits took {t['timings']['ml']:.0f} s, the other four "
            f"components and the encoding {other:.0f} s."
        )
    lines = [
        "# Metric speed benchmark",
        "",
        "Generated by `benchmarks/metrics_speed.py`; do not edit by hand. Command:",
        "",
        "```",
        command,
        "```",
        "",
        "## Summary",
        "",
        *summary,
        "",
        "Versions and machine: "
        + ", ".join(f"{k} {v}" for k, v in results["versions"].items())  # type: ignore[union-attr]
        + ".",
        "",
        "The machine is shared with other jobs; the 1/5/15-minute load averages before and after "
        "each measurement are listed. CPU time sums all threads of the process.",
        "",
        "## hamming_leakage at scale",
        "",
        f"{h['rows']:,} synthetic rows against {h['rows']:,} real rows (80/20 train/test, so "
        f"4 training and 5 synthetic subsets of {h['rows'] // 5:,} rows), {h['columns']} columns "
        f"(20 continuous, 5 of them with 10 % missing values; 20 binary; 10 categorical with 3-6 "
        f"levels), {h['threads']} PyTorch threads, int8 engine `{h['engine']}`. All four AML runs "
        f"compare {h['pairs']:,} row pairs.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| wall time | {h['wall_s']:.1f} s |",
        f"| CPU time | {h['cpu_s']:.1f} s |",
        f"| per row pair (wall / CPU) | {h['ns_per_pair_wall']:.2f} / "
        f"{h['ns_per_pair_cpu']:.2f} ns |",
        f"| peak RSS of the process during the call | {h['peak_rss_mb']:.0f} MB |",
        f"| RSS before the call (Python, PyTorch, the three tables) | "
        f"{h['baseline_rss_mb']:.0f} MB |",
        f"| load average before / after | {_load(h['load_before'])} / {_load(h['load_after'])} |",
        f"| coefficient (faithful generator) | {h['coefficient']:.4f} |",
        f"| avg min distance syn->train / syn->test | {h['synthetic_train']:.4f} / "
        f"{h['synthetic_test']:.4f} |",
        f"| avg min distance real train->train / train->test | {h['real_train']:.4f} / "
        f"{h['real_test']:.4f} |",
        "",
        "## Vectorised against row by row",
        "",
        f"{r['rows']:,} real rows (80/20) and {r['rows']:,} synthetic rows, same 50 columns; the "
        "row-by-row implementation is `synth_plugins.metrics._reference.hamming_leakage_rowwise` "
        "(one pandas comparison per row against the target subset, as the AML code).",
        "",
        "| figure | value |",
        "|---|---|",
        f"| vectorised | {r['vectorised_s']:.2f} s |",
        f"| row by row | {r['rowwise_s']:.1f} s |",
        f"| ratio | {r['ratio']:.0f}x |",
        f"| identical figures | {r['identical']} |",
        f"| load average before / after | {_load(r['load_before'])} / {_load(r['load_after'])} |",
        "",
        "## tabsyndex at scale",
        "",
        "| rows (real = synthetic) | task | ML rows | wall | CPU | seconds per step | score "
        "| load before / after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in results["tabsyndex"]:  # type: ignore[union-attr]
        sample = "all" if t["ml_sample_size"] is None else f"{t['ml_sample_size']:,}"
        steps = ", ".join(f"{k} {v:.1f}" for k, v in t["timings"].items())
        lines.append(
            f"| {t['rows']:,} | {t['task']} | {sample} | {t['wall_s']:.1f} s | {t['cpu_s']:.1f} s "
            f"| {steps} | {t['score']:.4f} | {_load(t['load_before'])} / "
            f"{_load(t['load_after'])} |"
        )
    lines += [
        "",
        "The classification task trains the reference MLP (two hidden layers of 50, up to 200 "
        "epochs of 200-row mini-batches) twice; on 100,000 rows it dominates the run time, so "
        "`ml_sample_size` (ours, off by default) bounds the rows the four models see. The "
        "regression task has no MLP.",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to try the script")
    parser.add_argument("--full-tabsyndex", action="store_true", help="also the reference MLP")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--json", type=Path, help="also write the raw results to this file")
    parser.add_argument(
        "--from-json", type=Path, help="rewrite the report from saved results, measure nothing"
    )
    parser.add_argument("--child", choices=["hamming"], help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=100_000, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "hamming":
        print(json.dumps(child_hamming(args.rows, args.threads)))
        return
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        write_report(args.output, saved, saved["command"])
        print(f"wrote {args.output}")
        return
    big = 5_000 if args.quick else 100_000
    small = 500 if args.quick else 2_000
    results: dict[str, object] = {"versions": versions()}
    print(f"hamming_leakage on {big:,} x {big:,} ...", flush=True)
    results["hamming"] = run_child("hamming", big, args.threads)
    print(results["hamming"], flush=True)
    print(f"vectorised vs row-by-row on {small:,} rows ...", flush=True)
    results["rowwise"] = rowwise_comparison(small, args.threads)
    print(results["rowwise"], flush=True)
    runs = [("regr", None), ("class", 10_000 if not args.quick else 1_000)]
    if args.full_tabsyndex:
        runs.append(("class", None))
    results["tabsyndex"] = []
    for task, sample in runs:
        print(f"tabsyndex on {big:,} rows, task={task}, ml_sample_size={sample} ...", flush=True)
        outcome = tabsyndex_run(big, task, sample)
        print(outcome, flush=True)
        results["tabsyndex"].append(outcome)  # type: ignore[union-attr]
    command = "PYTHONPATH=src .venv/bin/python benchmarks/metrics_speed.py " + shlex.join(
        sys.argv[1:]
    )
    results["command"] = command.strip()
    write_report(args.output, results, command.strip())
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=list))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

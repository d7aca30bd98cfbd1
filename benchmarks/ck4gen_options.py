r"""CK4Gen model mode with one option off and on, per table and seed.

The option is ``calibrate_numeric``, ``interpolate_durations`` (off: False, on: True) or
``teacher_knots`` (off: 0, on: 4) (``--option``); every other argument stays at its
default. For a sampling option both samples come from the same default-budget fit; for
``teacher_knots``, which acts at fit time, each value has its own fit (same seed). On
the splits of ``benchmarks/ck4gen_rare_privacy.py`` (the four paper tables as in
``ck4gen_vs_builtins.py``, and rossi, kidney_transplant and veterans), sample seed = fit
seed, n = training size. Per sample: SDMetrics' Quality Report against the real holdout
(all columns, the shared tabular benchmark's ``quality``), each numeric covariate's
Kolmogorov-Smirnov distance to the holdout and share at the training minimum (numeric by
role, or, where the table gives no role, numeric with more than two values), the
``table_one`` score against the holdout (share of covariates without a significant
difference at alpha 0.05; covariates constant in the holdout left out), and the
survival benchmark's ``score`` (log-HR errors, sign agreement, augmentation, Hamming
leakage, exact copies), and the share of synthetic durations equal to a training duration
(with the holdout's share, the natural one); then ``DRAWS`` further samples of the same
fit, each scored by its quality, log-HR errors, leakage and (for ``interpolate_durations``)
exact copies, and (for ``teacher_knots``) the augmentation's change in each model's
C-index (the random survival forest's a mean over 3 forest seeds), because one sample's
largest log-HR error, leakage, copies and augmentation move by the draw. Rows are
appended to the given jsonl with the load average and the commit; finished runs are
skipped.

Usage (repository root)::

    OMP_NUM_THREADS=1 PYTHONPATH=src nice -n 10 .venv/bin/python \
        benchmarks/ck4gen_options.py --option calibrate_numeric \
        docs/benchmarks/ck4gen_numeric_calibration.jsonl
    OMP_NUM_THREADS=1 PYTHONPATH=src nice -n 10 .venv/bin/python \
        benchmarks/ck4gen_options.py --option interpolate_durations \
        docs/benchmarks/ck4gen_interpolate_durations.jsonl
    OMP_NUM_THREADS=1 PYTHONPATH=src nice -n 10 .venv/bin/python \
        benchmarks/ck4gen_options.py --option teacher_knots \
        docs/benchmarks/ck4gen_teacher_knots.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import ck4gen_rare_privacy as rare  # noqa: E402
import tabular_quality as tabular  # noqa: E402
from ck4gen_vs_builtins import RSF, score  # noqa: E402

#: Further samples of each fit (sample seeds ``1000 * seed + 1, ...``).
DRAWS = 5
#: The options compared (CK4Gen constructor arguments), each with its (off, on) values.
OPTIONS: dict[str, tuple[Any, Any]] = {
    "calibrate_numeric": (False, True),
    "interpolate_durations": (False, True),
    "teacher_knots": (0, 4),
}
#: The options that act at fit time (a fit per value).
FIT_OPTIONS = ("teacher_knots",)
#: Forest seeds of a further sample's augmentation (``teacher_knots`` only).
FOREST_SEEDS = 3


def redraw(
    run: Any, synthetic: pd.DataFrame, meta: dict, copies: bool, augmentation: bool
) -> dict[str, Any]:
    """Quality, log-HR errors and leakage of one further sample (its copies, augmentation)."""
    from synth_plugins.metrics.copies import exact_copies
    from synth_plugins.metrics.hamming import hamming_leakage
    from synth_plugins.metrics.survival import hazard_ratio_alignment, survival_augmentation

    d = run.dataset
    hr = hazard_ratio_alignment(run.train, synthetic, d.duration_column, d.event_column)
    error = hr.table["abs_log_hr_error"]
    counted = {}
    if copies:
        found = exact_copies(synthetic, run.train, run.holdout, roles=dict(d.roles))
        counted = {"copies": found.copies, "copies_allowed": found.allowed}
    if augmentation:
        summary = survival_augmentation(
            run.train, run.holdout, synthetic, d.duration_column, d.event_column,
            seeds=FOREST_SEEDS, rsf_params=RSF,
        ).summary  # fmt: skip
        counted |= {f"delta_c_{m}": float(summary.loc[m, "c_index_delta"]) for m in summary.index}
    return {
        "overall": tabular.quality(run.holdout, synthetic, meta)["overall"],
        "mean_error": float(error.mean()),
        "median_error": float(error.median()),
        "largest_error": float(error.max()),
        "largest_covariate": str(error.idxmax()),
        "sign_significant": hr.sign_agreement_significant,
        "leakage": float(hamming_leakage(run.train, run.holdout, synthetic).coefficient),
        **counted,
    }


def on_training_durations(train: pd.DataFrame, frame: pd.DataFrame, duration: str) -> float:
    """Share of ``frame``'s durations equal to some training duration."""
    return float(frame[duration].isin(set(train[duration])).mean())


def numeric_covariates(train: pd.DataFrame, covariates: list, roles: dict) -> list:
    """Covariates modelled as numbers: by role, else (no role given) numeric with > 2 values."""
    numeric = ("numerical", "integer")
    return [
        c
        for c in covariates
        if roles.get(c) in numeric
        or (c not in roles and pd.api.types.is_numeric_dtype(train[c]) and train[c].nunique() > 2)
    ]


def shapes(train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame, numeric: list):
    """Per numeric covariate: KS distance to the holdout and the share at the training min."""
    from scipy.stats import ks_2samp

    out = {}
    for column in numeric:
        real, fake = holdout[column].dropna(), synthetic[column].dropna()
        low = train[column].min()
        out[column] = {
            "ks": float(ks_2samp(real, fake).statistic),
            "at_min": float((fake <= low).mean()),
            "at_min_train": float((train[column] == low).mean()),
        }
    return out


def table_one_score(holdout: pd.DataFrame, synthetic: pd.DataFrame, covariates: list) -> dict:
    """Table 1 of the covariates against the holdout: score and the differing covariates."""
    from synth_plugins.metrics.clinical.table_one import table_one

    columns = [c for c in covariates if holdout[c].nunique() > 1]
    result = table_one(holdout[columns], synthetic[columns])
    tests = result.tests
    return {
        "table_one": result.score,
        "table_one_differing": sorted(tests.index[tests["significant"]]),
    }


def main() -> None:
    import torch

    from synth_plugins.generators.ck4gen import CK4Gen

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--option", choices=OPTIONS, required=True)
    parser.add_argument("--datasets", nargs="+", default=[*rare.MAX_ROWS, *rare.EXTRA])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    args = parser.parse_args()
    torch.set_num_threads(1)
    done = set()
    if args.output.exists():
        runs = map(json.loads, args.output.open())
        done = {(r["dataset"], r["seed"]) for r in runs if args.option in r}
    for name in args.datasets:
        train, holdout, duration, event, roles, _ = rare.prepare(name)
        run = SimpleNamespace(
            train=train,
            holdout=holdout,
            dataset=SimpleNamespace(duration_column=duration, event_column=event, roles=roles),
        )
        covariates = [c for c in train.columns if c not in (duration, event)]
        numeric = numeric_covariates(train, covariates, roles)
        meta = tabular.table_metadata(train, {**roles, duration: "numerical", event: "categorical"})
        for seed in args.seeds:
            if (name, seed) in done:
                continue
            load = os.getloadavg()[0]
            rows = []
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = None
                for value in OPTIONS[args.option]:
                    if model is None or args.option in FIT_OPTIONS:
                        tick = time.perf_counter()
                        options = {args.option: value}  # validated by the constructor
                        model = CK4Gen(duration, event, roles, random_state=seed, **options)
                        model.fit(train)
                        fit_s = time.perf_counter() - tick
                    setattr(model, args.option, value)  # a sampling option's second value
                    synthetic = model.sample(len(train), random_state=seed, outcome="model")
                    rows.append(
                        {
                            "dataset": name,
                            "seed": seed,
                            args.option: value,
                            "fit_s": fit_s,
                            "load_start": load,
                            "code_version": tabular.code_version(),
                            **tabular.quality(holdout, synthetic, meta),
                            "columns": shapes(train, holdout, synthetic, numeric),
                            **table_one_score(holdout, synthetic, covariates),
                            **score(run, synthetic, seed),
                            "on_training_durations": on_training_durations(
                                train, synthetic, duration
                            ),
                            "holdout_on_training_durations": on_training_durations(
                                train, holdout, duration
                            ),
                            "redraws": [
                                redraw(
                                    run,
                                    model.sample(len(train), random_state=r, outcome="model"),
                                    meta,
                                    copies=args.option == "interpolate_durations",
                                    augmentation=args.option == "teacher_knots",
                                )
                                for r in range(1000 * seed + 1, 1000 * seed + 1 + DRAWS)
                            ],
                            "load_end": os.getloadavg()[0],
                        }
                    )
            with args.output.open("a") as stream:
                stream.writelines(json.dumps(row, default=_plain) + "\n" for row in rows)
            print(f"[{name}] seed {seed}: fit {fit_s:.0f} s, load {load:.1f}", flush=True)


def _plain(value: Any) -> Any:
    """Turn numpy scalars into Python numbers for json."""
    return value.item() if isinstance(value, np.generic) else str(value)


if __name__ == "__main__":
    main()

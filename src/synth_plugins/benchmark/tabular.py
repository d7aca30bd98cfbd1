"""The ``tabular`` benchmark suite: the suite's tabular generators against built-ins.

Two harnesses, each used as its users use it:

- Synthcity's ``Benchmarks.evaluate`` fits every Synthcity plugin (the suite's, registered
  by name, and built-ins) on the training split and scores it on the holdout with
  Synthcity's metrics and the suite's; :class:`~synth_plugins.benchmark.meter.PluginMeter`
  adds fit time, sample time and peak memory. Fitted generators and synthetic data are
  cached in ``<output>/workspace`` so an interrupted run resumes.
- SDGym fits SDV synthesizers (the suite's and built-ins) on a local copy of the data
  (no download) and reports its quality scores, timings and memory.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins import __version__, catalog
from synth_plugins.benchmark.meter import PluginMeter
from synth_plugins.benchmark.report import rank_generators
from synth_plugins.datasets import load

#: Epochs of every neural generator in quick mode (equal for all, so timings compare).
QUICK_EPOCHS = 100
#: Synthcity built-ins compared in quick mode, with their quick parameters.
QUICK_SYNTHCITY_BUILTINS: dict[str, dict[str, Any]] = {
    "tvae": {"n_iter": QUICK_EPOCHS},
    "ctgan": {"n_iter": QUICK_EPOCHS},
    "marginal_distributions": {},
}
FULL_SYNTHCITY_BUILTINS: dict[str, dict[str, Any]] = {
    "tvae": {},
    "ctgan": {},
    "nflow": {},
    "marginal_distributions": {},
}
#: Synthcity metrics reported for every generator (the suite's metrics are added).
SYNTHCITY_METRICS: dict[str, list[str]] = {
    "stats": ["jensenshannon_dist", "ks_test", "max_mean_discrepancy"],
    "detection": ["detection_xgb"],
    "performance": ["linear_model"],
}
SDGYM_BUILTINS = ("GaussianCopulaSynthesizer",)


@dataclass
class TabularBenchmark:
    """What to run; ``quick`` keeps every fit short enough for a laptop."""

    datasets: Sequence[str] = ("heart_failure",)
    quick: bool = True
    repeats: int = 1
    output: Path = Path("benchmark-output")
    synthcity_builtins: dict[str, dict[str, Any]] | None = None
    sdgym: bool = True
    log: Callable[[str], None] = print
    metrics: dict[str, list[str]] = field(default_factory=lambda: dict(SYNTHCITY_METRICS))

    def contenders(self) -> dict[str, dict[str, Any]]:
        """Synthcity plugin name -> parameters: the suite's generic generators + built-ins."""
        builtins = self.synthcity_builtins
        if builtins is None:
            builtins = QUICK_SYNTHCITY_BUILTINS if self.quick else FULL_SYNTHCITY_BUILTINS
        ours = {
            e.name: ({"n_iter": QUICK_EPOCHS} if self.quick else {})
            for e in catalog.GENERATORS
            if e.synthcity_type == "generic"
        }
        return {**ours, **builtins}

    def all_metrics(self) -> dict[str, list[str]]:
        """Synthcity metrics plus every metric of the suite that applies to plain tables.

        Survival metrics are left out: they need survival loaders, and Synthcity's
        Benchmarks treats any metric named "...augmentation..." as its own fairness
        augmentation pipeline, which skips every repeat of a plain table.
        """
        from synth_plugins.metrics.dispatch import needs_survival_columns

        metrics = {k: list(v) for k, v in self.metrics.items()}
        for entry in catalog.METRICS:
            if entry.data == "table" and not needs_survival_columns(entry.name):
                metrics.setdefault(entry.synthcity_type, []).append(entry.name)
        return metrics

    def run(self) -> dict[str, pd.DataFrame]:
        """Run every harness on every dataset; returns the tables by name."""
        import synth_plugins

        synth_plugins.register()
        _silence_synthcity_sinks()
        tables: dict[str, pd.DataFrame] = {}
        for name in self.datasets:
            tables[f"synthcity:{name}"] = self._synthcity(name)
            if self.sdgym:
                tables[f"sdgym:{name}"] = self._sdgym(name)
        return tables

    def _synthcity(self, name: str) -> pd.DataFrame:
        from synthcity.benchmark import Benchmarks

        from synth_plugins.synthcity.loaders import to_dataloader

        dataset = load(name)
        loader = to_dataloader(dataset, train_size=0.8, random_state=0)
        workspace = self.output / "workspace" / f"synth-plugins-{__version__}"
        workspace.mkdir(parents=True, exist_ok=True)
        contenders = self.contenders()
        tests = [(plugin, plugin, dict(params)) for plugin, params in contenders.items()]
        self.log(
            f"[synthcity] {name}: {len(tests)} generators x {self.repeats} repeat(s): "
            + ", ".join(contenders)
        )
        start = time.perf_counter()
        with PluginMeter() as meter:
            results = Benchmarks.evaluate(
                tests,
                loader,
                metrics=self.all_metrics(),
                repeats=self.repeats,
                task_type="classification",
                workspace=workspace,
            )
        self.log(f"[synthcity] {name}: done in {time.perf_counter() - start:.0f} s")
        return self._synthcity_table(results, meter, name)

    @staticmethod
    def _synthcity_table(
        results: dict[str, pd.DataFrame], meter: PluginMeter, dataset: str
    ) -> pd.DataFrame:
        rows: dict[str, dict[str, float]] = {}
        directions: dict[str, str] = {}
        for plugin, frame in results.items():
            row = frame["mean"].astype(float).to_dict()
            directions.update(frame["direction"].to_dict())
            m = meter.measurements
            row["fit_s"] = float(np.mean(m.fit_s[plugin])) if m.fit_s[plugin] else np.nan
            row["sample_s"] = (
                float(np.mean(m.generate_s[plugin])) if m.generate_s[plugin] else np.nan
            )
            row["peak_mb"] = float(np.max(m.peak_mb[plugin])) if m.peak_mb[plugin] else np.nan
            rows[plugin] = row
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.index.name = "generator"
        ranked = rank_generators(table, directions)
        ranked.insert(0, "dataset", dataset)
        return ranked

    def _sdgym(self, name: str) -> pd.DataFrame:
        from synth_plugins.sdgym import run_sdgym, sdgym_synthesizer

        dataset = load(name)
        custom = [
            sdgym_synthesizer(e.name, **({"epochs": QUICK_EPOCHS} if self.quick else {}))
            for e in catalog.GENERATORS
            if e.synthcity_type == "generic"
        ]
        sdmetrics = [e.sdmetrics_name for e in catalog.METRICS if e.name == "correlation_l1"]
        self.log(f"[sdgym] {name}: {', '.join([*SDGYM_BUILTINS, *(c.__name__ for c in custom)])}")
        frame = run_sdgym([dataset], SDGYM_BUILTINS, custom, sdmetrics)
        frame = frame.set_index("Synthesizer")
        frame.index.name = "generator"
        return frame.sort_values("Quality_Score", ascending=False)


def _silence_synthcity_sinks() -> None:
    """Drop the stderr log sinks Synthcity's first ``Plugins()`` installs (goggle notice).

    Synthcity logs a ``[CRITICAL] module disabled`` line for its ``goggle`` plugin (whose
    ``dgl`` dependency has no wheel for torch 2.2) on every ``Plugins()``; failures of our
    own runs are still raised or reported in the result tables.
    """
    import loguru
    from synthcity.plugins import Plugins

    Plugins()
    loguru.logger.remove()


def environment() -> dict[str, str]:
    """Versions of Python and of every host, recorded with each result."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version(), "synth-plugins": __version__}
    for package in ("synthcity", "sdv", "sdmetrics", "sdgym", "torch", "numpy", "pandas"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found

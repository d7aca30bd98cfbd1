"""A tiny Synthcity plugin and metric used to test registration and the conformance kit.

``ColumnBootstrapPlugin`` draws every column independently from its training values: a
real (if weak) generator that keeps the schema. ``UnseededPlugin`` does the same but
ignores ``random_state`` so that the determinism check must reject it. ``row_counts`` is
a metric core with a holdout: its derived Synthcity evaluator reports how many rows of each
role it could see, which shows that it read the training data of the recorded
Metrics.evaluate call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from synthcity.plugins.core.distribution import FloatDistribution
from synthcity.plugins.core.plugin import Plugin

from synth_plugins.catalog import GeneratorEntry, MetricEntry


class ColumnBootstrapPlugin(Plugin):
    """Independent per-column bootstrap of the training data."""

    def __init__(self, jitter: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.jitter = jitter

    @staticmethod
    def name() -> str:
        return "sp_test_bootstrap"

    @staticmethod
    def type() -> str:
        return "generic"

    @staticmethod
    def hyperparameter_space(**kwargs: Any) -> list:
        return [FloatDistribution(name="jitter", low=0.0, high=0.1)]

    def _fit(self, X: Any, *args: Any, **kwargs: Any) -> ColumnBootstrapPlugin:
        if len(X) == 0:
            raise ValueError("sp_test_bootstrap needs at least one training row")
        self._train = X.dataframe()
        return self

    def _rng(self) -> np.random.Generator:
        # Synthcity seeds the legacy global generator from random_state
        return np.random.default_rng(np.random.randint(0, 2**31))  # noqa: NPY002

    def _generate(self, count: int, syn_schema: Any, **kwargs: Any) -> Any:
        rng = self._rng()

        def draw(n: int) -> pd.DataFrame:
            return pd.DataFrame(
                {c: rng.choice(self._train[c].to_numpy(), n) for c in self._train.columns}
            )

        return self._safe_generate(draw, count, syn_schema)


class UnseededPlugin(ColumnBootstrapPlugin):
    """Broken on purpose: its output does not depend on random_state."""

    @staticmethod
    def name() -> str:
        return "sp_test_unseeded"

    def _rng(self) -> np.random.Generator:
        return np.random.default_rng()


class TrainingCopyPlugin(ColumnBootstrapPlugin):
    """A privacy disaster on purpose: it emits its training rows (shuffled)."""

    @staticmethod
    def name() -> str:
        return "sp_test_copy"

    def _generate(self, count: int, syn_schema: Any, **kwargs: Any) -> Any:
        rows = self._train.sample(frac=1.0, random_state=0).reset_index(drop=True)
        return self._safe_generate(lambda n: rows.head(n), count, syn_schema)


@dataclass(frozen=True)
class RowCounts:
    """The rows of the training data and of the holdout a metric received."""

    train_rows: int
    gt_rows: int

    @property
    def score(self) -> float:
        """The training rows."""
        return float(self.train_rows)

    def to_dict(self) -> dict[str, float]:
        """The score and both counts."""
        return {"score": self.score, "train_rows": self.train_rows, "gt_rows": self.gt_rows}


def row_counts(train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame) -> RowCounts:
    """Count the training and holdout rows (``synthetic`` is only checked by the hosts)."""
    return RowCounts(len(train), len(holdout))


def _entry(name: str, cls: str) -> GeneratorEntry:
    return GeneratorEntry(
        name=name,
        title=name,
        summary="test fixture",
        synthcity_type="generic",
        core="tests.support.synthcity_fixtures:ColumnBootstrapPlugin",
        synthcity_plugin=f"tests.support.synthcity_fixtures:{cls}",
        sdv_synthesizer="tests.support.synthcity_fixtures:NoSDV",
        dataset="heart_failure",
    )


BOOTSTRAP = _entry("sp_test_bootstrap", "ColumnBootstrapPlugin")
UNSEEDED = _entry("sp_test_unseeded", "UnseededPlugin")
COPY = _entry("sp_test_copy", "TrainingCopyPlugin")
ROW_COUNT = MetricEntry(
    name="sp_test_rows",
    title="rows",
    summary="test fixture",
    synthcity_type="stats",
    core="tests.support.synthcity_fixtures:row_counts",
    direction="maximize",
    min_value=0.0,
    max_value=float("inf"),
    description="The number of training rows.",
    sdmetrics_name="SpTestRows",
    needs=("holdout",),
    headline_figures=("train_rows", "gt_rows"),
)

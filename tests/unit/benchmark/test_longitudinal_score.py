"""The longitudinal benchmark's quality columns are the parts its Quality_Score averages."""

from __future__ import annotations

import numpy as np
import pytest

from synth_plugins.benchmark.longitudinal import (
    SCORE_PARTS,
    categorical_columns,
    event_column,
    score,
)
from synth_plugins.datasets import load
from synth_plugins.metrics.longitudinal import longitudinal_fidelity


@pytest.fixture(scope="module")
def pbc_scored() -> tuple[dict[str, float], dict[str, float]]:
    """The benchmark row and the metric's part scores of two thirds of PBC's patients."""
    pbc = load("pbc_visits")
    synthetic = pbc.data[pbc.data["id"] % 3 != 0]
    fidelity = longitudinal_fidelity(
        pbc.data,
        synthetic,
        id_column=pbc.id_column,
        time_column=pbc.time_column,
        static_columns=list(pbc.static_columns),
        categorical_columns=categorical_columns(pbc),
    )
    return score(pbc, synthetic), {name: part.score for name, part in fidelity.parts.items()}


def test_the_trajectory_part_has_a_column(pbc_scored):
    """Quality_Score averaged the trajectory part, which the results had no column for."""
    row, parts = pbc_scored
    assert "trajectory" in SCORE_PARTS
    assert row["trajectory"] == parts["trajectory"]


@pytest.mark.parametrize("name", ["pbc_visits", "ms_registry"])
def test_quality_score_is_the_mean_of_the_part_columns(name):
    """Quality_Score averaged spearman_static (and trajectory), which had no column: the
    mean of the columns was 0.977 against 0.979 on PBC."""
    dataset = load(name, n_patients=60, seed=0) if name == "ms_registry" else load(name)
    synthetic = dataset.data[dataset.data[dataset.id_column].astype(int) % 3 != 0]
    row = score(dataset, synthetic, event_column=event_column(dataset))
    parts = [row[part] for part in SCORE_PARTS if part in row]
    assert row["Quality_Score"] == pytest.approx(np.nanmean(parts), abs=1e-12)

"""The longitudinal benchmark's quality columns are the parts its Quality_Score averages."""

from __future__ import annotations

import pytest

from synth_plugins.benchmark.longitudinal import SCORE_PARTS, categorical_columns, score
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

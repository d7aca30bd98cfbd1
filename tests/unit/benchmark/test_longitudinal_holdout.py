"""The longitudinal suite fits on the training patients and scores against the holdout.

Before, every generator was fitted on the whole real long table and scored against that
same table, which rewards memorising; the tabular and survival suites score against a
20 % holdout.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from synth_plugins.benchmark import longitudinal
from synth_plugins.benchmark.longitudinal import Contender, real_reference, run_one
from synth_plugins.benchmark.tabular import SPLIT_SEED, TRAIN_SIZE
from synth_plugins.datasets import load


@pytest.fixture(scope="module")
def pbc():
    return load("pbc_visits")


def expected_ids(dataset) -> tuple[set, set]:
    """Training and holdout patient ids: the tabular suite's split of the patient ids."""
    ids = dataset.data[dataset.id_column].drop_duplicates().to_numpy()
    train, holdout = train_test_split(ids, train_size=TRAIN_SIZE, random_state=SPLIT_SEED)
    return set(train), set(holdout)


def rows_of(dataset, ids: set) -> pd.DataFrame:
    return dataset.data[dataset.data[dataset.id_column].isin(ids)].reset_index(drop=True)


@pytest.mark.parametrize("name", ["pbc_visits", "ms_registry"])
def test_patients_are_split_whole_and_the_same_way_every_time(name):
    from synth_plugins.benchmark.longitudinal import split_patients

    dataset = load(name, n_patients=50, seed=0) if name == "ms_registry" else load(name)
    train, holdout = split_patients(dataset)
    train_ids, holdout_ids = expected_ids(dataset)
    assert train_ids.isdisjoint(holdout_ids)
    # every visit of a patient is on the patient's side, in the table's order
    pd.testing.assert_frame_equal(train.data, rows_of(dataset, train_ids))
    pd.testing.assert_frame_equal(holdout.data, rows_of(dataset, holdout_ids))
    assert len(train.data) + len(holdout.data) == len(dataset.data)
    assert (train.n_patients, holdout.n_patients) == (len(train_ids), len(holdout_ids))
    assert train.n_patients == int(TRAIN_SIZE * dataset.n_patients)
    assert (train.name, train.static_columns) == (dataset.name, dataset.static_columns)
    again, _ = split_patients(dataset)
    pd.testing.assert_frame_equal(again.data, train.data)


def copying(monkeypatch, output: pd.DataFrame) -> list[SimpleNamespace]:
    """Every generator "generates" ``output``; returns what each was fitted on (a spy)."""
    seen: list[SimpleNamespace] = []

    def fit_sample(contender, dataset, n, workspace):
        seen.append(SimpleNamespace(data=dataset.data.copy(), n=n))
        return (
            (lambda: None),
            (lambda: output.copy()),
            SimpleNamespace(n_epochs_=1, cut_short_=False),
        )

    monkeypatch.setattr(longitudinal, "_fit_sample", fit_sample)
    return seen


def test_no_holdout_patient_reaches_the_generator(pbc, monkeypatch):
    """Before, the generator was fitted on all 312 PBC patients and asked for 312."""
    train_ids, holdout_ids = expected_ids(pbc)
    seen = copying(monkeypatch, rows_of(pbc, holdout_ids))
    row = run_one(Contender("spy", "core"), pbc, log=lambda line: None).row
    assert row["Error"] == ""
    (fitted,) = seen
    fitted_ids = set(fitted.data[pbc.id_column])
    assert fitted_ids == train_ids and fitted_ids.isdisjoint(holdout_ids)
    pd.testing.assert_frame_equal(fitted.data, rows_of(pbc, train_ids))
    assert fitted.n == len(train_ids) == 249


def test_quality_is_scored_on_the_holdout_and_memorisation_on_training(pbc, monkeypatch):
    """A copy of the holdout patients must beat a copy of the training patients on
    Quality_Score, and lose on Quality_Score_Train. Before, both were scored against the
    whole table, where the (larger) training copy scored higher: 0.983 vs 0.941 on PBC (now
    0.921 vs 1.0)."""
    train_ids, holdout_ids = expected_ids(pbc)
    scores = {}
    for side, ids in (("holdout", holdout_ids), ("train", train_ids)):
        copying(monkeypatch, rows_of(pbc, ids))
        scores[side] = run_one(Contender(side, "core"), pbc, log=lambda line: None).row
        assert scores[side]["Error"] == ""
    holdout_copy, train_copy = scores["holdout"], scores["train"]
    assert holdout_copy["Quality_Score"] > train_copy["Quality_Score"] + 0.03
    assert train_copy["Quality_Score_Train"] > holdout_copy["Quality_Score_Train"] + 0.03
    assert holdout_copy["Quality_Score"] > holdout_copy["Quality_Score_Train"]
    assert train_copy["Quality_Score_Train"] > train_copy["Quality_Score"]
    # the reference row is exactly the training patients scored against the holdout
    reference = real_reference(pbc)
    assert reference["Synthesizer"] == "(real training patients)"
    for column in ("Quality_Score", "visit_gaps", "visits_per_patient", "follow_up_mean"):
        assert reference[column] == pytest.approx(train_copy[column], abs=1e-12)
    train_visits = rows_of(pbc, train_ids).groupby(pbc.id_column).size()
    assert reference["visits_per_patient"] == pytest.approx(train_visits.mean())
    assert np.isfinite(reference["Quality_Score"]) and "Quality_Score_Train" not in reference

"""The sequence kit's per-patient copy check passes a holdout and rejects a copier."""

from dataclasses import replace

import pandas as pd
import pytest

import synth_plugins.sdv
from synth_plugins import catalog
from synth_plugins.datasets import load
from synth_plugins.sdv.compat import single_table
from synth_plugins.testing import sequence_conformance as kit


class CopyingSynthesizer:
    """A broken sequential synthesizer: it returns its training patients under new ids."""

    def __init__(self, metadata, context_columns=None, **params):
        self.metadata = metadata

    def fit(self, data: pd.DataFrame | dict[str, pd.DataFrame]) -> None:
        self.data = single_table(data)  # SDV 2 hands over {table_name: DataFrame}

    def sample(self, num_sequences: int) -> pd.DataFrame:
        ids = self.data["patient_id"].drop_duplicates().iloc[:num_sequences]
        chosen = self.data[self.data["patient_id"].isin(ids)]
        return chosen.assign(patient_id=chosen["patient_id"] + 10_000).reset_index(drop=True)

    sample_sequences = sample


def test_repeated_patients_collide_at_one_half():
    dataset, holdout = kit.repeated_patients_dataset()
    assert dataset.n_patients == holdout["patient_id"].nunique() == 160
    kit.assert_patient_copies_within_holdout_rate(holdout, dataset, None, "holdout")
    kit.assert_patient_copies_within_holdout_rate(holdout, dataset, holdout, "holdout")
    relabelled = dataset.data.assign(patient_id=dataset.data["patient_id"] + 500)
    with pytest.raises(AssertionError, match=r"160 of 160 synthetic patients \(1.000\)"):
        kit.assert_patient_copies_within_holdout_rate(relabelled, dataset, holdout, "copier")


def test_sdv_check_rejects_a_synthesizer_that_returns_training_patients(monkeypatch):
    monkeypatch.setattr(synth_plugins.sdv, "CopyingSynthesizer", CopyingSynthesizer, raising=False)
    entry = catalog.generator("longitudinal_lstm")
    entry = replace(
        entry,
        sdv_synthesizer=entry.sdv_synthesizer.rsplit(":", 1)[0] + ":CopyingSynthesizer",
        sdv_quick={},
    )
    with pytest.raises(AssertionError, match=r"160 of 160 synthetic patients \(1.000\)"):
        kit.check_sdv_patient_copies(entry, load("ms_registry", n_patients=60, seed=0))

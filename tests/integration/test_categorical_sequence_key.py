"""A categorical sequence key: no pandas FutureWarning from the suite, fresh text keys back.

Grouping by a categorical key without ``observed=`` made pandas warn on every call (six
FutureWarnings per SDV fit). The keys that come back are fresh text (``object``): the
key's categories are the real patient ids, which a synthetic table must not carry.
"""

import warnings

import pandas as pd
import pytest

from synth_plugins.generators.longitudinal_lstm import LongitudinalLSTM
from synth_plugins.testing.bad_input import base_table


@pytest.fixture
def visits() -> pd.DataFrame:
    data = base_table("time_series").data
    return data.assign(patient=pd.Categorical("p" + data["patient"].astype(str)))


@pytest.fixture
def warnings_of_the_suite_raise():
    """A FutureWarning raised from the suite's own code fails the test (others are not ours)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=FutureWarning, module=r"synth_plugins\.")
        yield


def _check_keys(synthetic: pd.DataFrame, visits: pd.DataFrame) -> None:
    assert synthetic["patient"].dtype == object
    assert not set(synthetic["patient"]) & set(visits["patient"].cat.categories)


def test_core(visits, warnings_of_the_suite_raise):
    model = LongitudinalLSTM("patient", "day", epochs=1, static_epochs=1, calibrate_stop=False,
                             calibrate_steps=False, random_state=0)  # fmt: skip
    _check_keys(model.fit(visits).sample(5), visits)


def test_sdv(visits, warnings_of_the_suite_raise):
    from sdv.metadata import Metadata

    from synth_plugins.sdv import LongitudinalLSTMSynthesizer, compat
    from synth_plugins.sdv.sequential_metadata import sequential_metadata_dict

    described = sequential_metadata_dict(visits, "patient", "day", {})
    synthesizer = LongitudinalLSTMSynthesizer(
        Metadata.load_from_dict(described), context_columns=["sex"], epochs=1, static_epochs=1,
        random_state=0,
    )  # fmt: skip
    compat.fit(synthesizer, visits)
    _check_keys(compat.sample_sequences(synthesizer, 5), visits)

"""The suite's SDV synthesizers on the installed SDV line (1.x on the Synthcity stack, 2.x on
the SDV stack): either input shape, the line's output shape, and the compat helpers."""

from __future__ import annotations

import importlib.metadata

import pandas as pd
import pytest
from sdv.metadata import Metadata
from sdv.single_table import GaussianCopulaSynthesizer

from synth_plugins.datasets import load
from synth_plugins.errors import InvalidDataError
from synth_plugins.sdv import LongitudinalLSTMSynthesizer, MLECopulaSynthesizer, compat
from synth_plugins.sdv.metadata import metadata_for
from synth_plugins.sdv.sequential_metadata import sequential_metadata_for


@pytest.fixture(scope="module")
def heart():
    return load("heart_failure")


def test_sdv_major_is_the_installed_line():
    assert str(compat.SDV_MAJOR) == importlib.metadata.version("sdv").split(".")[0]
    assert compat.SDV_MAJOR in (1, 2)


def test_either_input_shape_gives_the_same_rows_in_the_lines_shape(heart):
    outputs = []
    for data in (heart.data, {heart.name: heart.data}):
        synthesizer = MLECopulaSynthesizer(metadata_for(heart), level=2, random_state=3)
        synthesizer.fit(data)
        synthesizer.validate(data)
        sampled = synthesizer.sample(25)
        if compat.SDV_MAJOR < 2:
            assert isinstance(sampled, pd.DataFrame)
        else:
            assert list(sampled) == [heart.name]
            assert isinstance(sampled[heart.name], pd.DataFrame)
        outputs.append(compat.single_table(sampled))
    pd.testing.assert_frame_equal(outputs[0], outputs[1])
    assert list(outputs[0].columns) == list(heart.data.columns) and len(outputs[0]) == 25
    empty = compat.single_table(synthesizer.sample(0))
    assert empty.empty and list(empty.columns) == list(heart.data.columns)


def test_sdvs_own_synthesizers_through_compat(heart, tmp_path):
    synthesizer = compat.fit(GaussianCopulaSynthesizer(metadata_for(heart)), heart.data)
    sampled = compat.sample(synthesizer, 30)
    assert list(sampled.columns) == list(heart.data.columns) and len(sampled) == 30
    synthesizer.save(tmp_path / "gc.pkl")
    restored = compat.load_synthesizer(tmp_path / "gc.pkl")
    synthesizer.reset_sampling()
    restored.reset_sampling()
    pd.testing.assert_frame_equal(compat.sample(synthesizer, 10), compat.sample(restored, 10))


def test_longitudinal_samples_with_both_names_in_the_lines_shape():
    cohort = load("ms_registry", n_patients=40, seed=0)
    synthesizer = LongitudinalLSTMSynthesizer(
        sequential_metadata_for(cohort), epochs=1, static_epochs=2, hidden=8, num_layers=1
    )
    synthesizer.fit({cohort.name: cohort.data})  # SDV 2's shape, on both lines
    for sampled in (synthesizer.sample_sequences(3), synthesizer.sample(3)):
        assert isinstance(sampled, pd.DataFrame if compat.SDV_MAJOR < 2 else dict)
        assert compat.single_table(sampled)[cohort.id_column].nunique() == 3
    assert compat.sample_sequences(synthesizer, 2)[cohort.id_column].nunique() == 2


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (
            [1, 2],
            "data must be a pandas DataFrame (or, as SDV 2 takes it, {table_name: Data",
        ),
        ({}, "exactly one table {table_name: DataFrame}, got a dictionary with 0 entries"),
        ({"a": pd.DataFrame(), "b": pd.DataFrame()}, "got a dictionary with 2 entries ['a', 'b']"),
        ({"a": [1]}, "data['a'] must be a pandas DataFrame, got list"),
    ],
)
def test_bad_table_shapes_are_named(heart, data, words):
    with pytest.raises(InvalidDataError) as error:
        compat.single_table(data)
    assert words in str(error.value)
    synthesizer = MLECopulaSynthesizer(metadata_for(heart), level=1)
    with pytest.raises(InvalidDataError) as error:
        synthesizer.fit(data)
    assert words in str(error.value)


def test_native_uses_the_metadata_table_name(heart):
    metadata = Metadata.load_from_dict(
        {"tables": {"patients": {"columns": {"age": {"sdtype": "numerical"}}}},
         "METADATA_SPEC_VERSION": "V1"}
    )  # fmt: skip
    table = pd.DataFrame({"age": [1.0, 2.0]})
    shaped = compat.native(table, metadata)
    if compat.SDV_MAJOR < 2:
        assert shaped is table
    else:
        assert list(shaped) == ["patients"] and shaped["patients"] is table

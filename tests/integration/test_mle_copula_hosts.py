"""The MLE-copula adapters: defaults equal the core's, the fit table reaches SDV users."""

from __future__ import annotations

import inspect

import pytest

import synth_plugins
from synth_plugins.datasets import load
from synth_plugins.generators import MLECopula


@pytest.fixture(scope="module", autouse=True)
def _registered():
    synth_plugins.register()  # before importing a plugin module (registration imports it)


def test_synthcity_and_sdv_defaults_equal_the_core():
    from synth_plugins.sdv.mle_copula import MLECopulaSynthesizer
    from synth_plugins.synthcity.plugins.generic.plugin_mle_copula import MLECopulaPlugin

    core = {
        name: parameter.default
        for name, parameter in inspect.signature(MLECopula).parameters.items()
        if name != "roles"
    }
    for adapter in (MLECopulaPlugin, MLECopulaSynthesizer):
        parameters = inspect.signature(adapter).parameters
        assert {name: parameters[name].default for name in core} == core, adapter.__name__


def test_sdv_forwards_parameters_and_shows_the_fit_table():
    from synth_plugins.sdv import MLECopulaSynthesizer
    from synth_plugins.sdv.metadata import metadata_for

    dataset = load("heart_failure")
    synthesizer = MLECopulaSynthesizer(metadata_for(dataset), level=1, selection="bic")
    synthesizer.fit(dataset.data)
    table = synthesizer.fit_table()
    assert list(table["column"]) == list(dataset.data.columns)
    assert synthesizer._model.level == 1 and synthesizer._model.selection == "bic"
    assert table.set_index("column").loc["sex", "family"] == "categorical"


def test_sdv_refuses_a_missing_value_as_a_condition_with_the_way_round():
    """A column with missing values in training used to accept ``Condition({c: None})`` and
    end in SDV's "Sampling terminated" (SDV drops a missing value from its condition
    groups); the refusal names the column and how to get such rows."""
    import numpy as np
    import pandas as pd
    from sdv.metadata import Metadata
    from sdv.sampling import Condition

    from synth_plugins.errors import InvalidParameterError
    from synth_plugins.sdv import MLECopulaSynthesizer
    from synth_plugins.sdv.metadata import metadata_dict

    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {
            "lab": np.where(rng.random(200) < 0.2, np.nan, rng.normal(size=200)),
            "site": np.where(rng.random(200) < 0.2, None, rng.choice(["A", "B"], 200)),
        }
    )
    roles = {"lab": "numerical", "site": "categorical"}
    synthesizer = MLECopulaSynthesizer(Metadata.load_from_dict(metadata_dict(data, roles, "t")))
    synthesizer.fit(data)
    for column in ("lab", "site"):
        with pytest.raises(InvalidParameterError, match=rf"{column}=missing: .*\.isna\(\)"):
            synthesizer.sample_from_conditions([Condition({column: None}, num_rows=5)])


def _severity_metadata(levels: list, n_levels: list) -> object:
    """SDV metadata declaring the level order, as each SDV line writes it."""
    from synth_plugins.sdv.compat import SDV_MAJOR

    def ordered(order: list) -> dict:
        if SDV_MAJOR >= 2:
            return {"sdtype": "ordinal", "range_values": order}
        return {"sdtype": "categorical", "order": order}

    columns = {"x": {"sdtype": "numerical"}, "severity": ordered(levels), "n": ordered(n_levels)}
    if SDV_MAJOR >= 2:
        from sdv.metadata import Metadata

        return Metadata.load_from_dict({"tables": {"t": {"columns": columns}}})
    from sdv.metadata import SingleTableMetadata

    return SingleTableMetadata.load_from_dict({"columns": columns})


def test_sdv_reads_the_declared_level_order():
    """The declared order (SDV 2 ``ordinal`` range_values, SDV 1 ``order``) was dropped: the
    levels entered the copula in text order (high < low < medium < very_high), and the
    correlation of the severity with ``x`` fell from 0.89 to 0.15."""
    import numpy as np
    import pandas as pd

    from synth_plugins.sdv import MLECopulaSynthesizer
    from synth_plugins.sdv.compat import fit, sample

    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, 600)
    order = ["low", "medium", "high", "very_high"]
    severity = np.array(order)[np.digitize(x + rng.normal(0, 0.3, 600), [-0.7, 0, 0.7])]
    data = pd.DataFrame({"x": x.round(3), "severity": severity, "n": rng.integers(0, 4, 600)})
    metadata = _severity_metadata(order, [3, 0, 2, 1])  # numbers keep their numeric order
    out = sample(fit(MLECopulaSynthesizer(metadata, random_state=0), data), 2000)
    assert out["severity"].dtype == object and set(out["severity"]) <= set(order)
    codes = out["severity"].map({level: i for i, level in enumerate(order)})
    assert np.corrcoef(out["x"], codes)[0, 1] > 0.8
    assert out["n"].dtype == data["n"].dtype

    bad = data.assign(severity=data["severity"].replace("high", "severe"))
    with pytest.raises(Exception, match="severe"):  # ours on SDV 1, SDV 2's own check first
        fit(MLECopulaSynthesizer(metadata), bad)

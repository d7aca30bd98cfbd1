"""What run_sdgym refuses, before SDGym runs (so these run on both stacks, without SDGym)."""

import numpy as np
import pandas as pd
import pytest

from synth_plugins.datasets import load
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.sdgym import run_sdgym

_TABLE = pd.DataFrame({"age": np.arange(20, 40), "ward": ["icu", "renal"] * 10})


@pytest.mark.parametrize(
    ("datasets", "error", "words"),
    [
        ("heart_failure", InvalidParameterError, "got str 'heart_failure' (load a bundled"),
        (42, InvalidParameterError, "datasets must be a suite Dataset, a pandas DataFrame"),
        ([_TABLE], InvalidParameterError, "datasets[0] must be a suite Dataset, got DataFrame"),
        ({}, InvalidParameterError, "datasets is empty"),
        ({"a/b": _TABLE}, InvalidParameterError, "the name 'a/b' must be a name of letters"),
        ({"clinic": [1, 2]}, InvalidDataError, "datasets['clinic'] must be a pandas DataFrame"),
        ({"clinic": _TABLE.iloc[:0]}, InvalidDataError, "datasets['clinic'] has 0 rows"),
        (
            {"clinic": _TABLE.rename(columns={"ward": "age"})},
            InvalidDataError,
            "datasets['clinic'] has duplicate column names ['age']",
        ),
    ],
    ids=[
        "registry-name",
        "number",
        "unnamed-frame",
        "empty",
        "bad-name",
        "not-a-frame",
        "no-rows",
        "repeated-column",
    ],
)
def test_bad_datasets_are_refused_naming_the_argument(datasets, error, words):
    """A name or a DataFrame in a list failed inside (AttributeError: 'str' object has no
    attribute 'name'); a table of the user's could not be given at all."""
    with pytest.raises(error) as refused:
        run_sdgym(datasets)
    assert words in str(refused.value)


def test_two_datasets_of_one_name_are_refused():
    heart_failure = load("heart_failure")
    with pytest.raises(InvalidParameterError, match=r"names \['heart_failure'\] more than once"):
        run_sdgym([heart_failure, heart_failure])

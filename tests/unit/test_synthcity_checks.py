"""The checks our Synthcity plugins run on their input before Synthcity reads it."""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from synth_plugins.errors import InvalidDataError
from synth_plugins.synthcity.checks import check_one_kind, training_frame


def test_python_and_numpy_strings_are_one_kind_of_text():
    """``rng.choice`` gives ``numpy.str_``; with a literal ``str`` the column is still text."""
    rng = np.random.default_rng(0)
    site = ["island", *rng.choice(["north", "south"], 9)]
    frame = pd.DataFrame({"site": pd.Series(site, dtype=object), "age": np.arange(10.0)})
    assert {type(value).__name__ for value in frame["site"]} == {"str", "str_"}
    assert training_frame("med_vae", frame) is frame


@pytest.mark.parametrize(
    "values",
    [[True, np.bool_(False)], [1, np.int64(2), 2.5, np.float32(0.5), Decimal("1.5")]],
    ids=["bools", "numbers"],
)
def test_python_and_numpy_numbers_and_bools_are_not_refused(values):
    check_one_kind(pd.Series(values, dtype=object, name="flag"))


@pytest.mark.parametrize(
    "other", [1, np.int64(1), 2.5, Decimal("1.5"), True, np.bool_(True), b"north"]
)
def test_text_with_another_kind_is_refused_naming_the_column(other):
    column = pd.Series([np.str_("north"), "south", other], dtype=object, name="site")
    with pytest.raises(InvalidDataError, match=r"column 'site' mixes text with other values"):
        check_one_kind(column)

"""The copy filter warns once per SDV sampling call, with the call's totals.

SDV runs a synthesizer on many batches in one public call: ``sample`` in ``batch_size``
rows, and its reject sampling for conditions the model cannot meet with batches growing to
``10 * batch_size``. Each batch passes the copy filter, which warned per batch with new
counts (one ``sample_from_conditions`` of Med-VAE gave "replaces 25 of 40", "231 of 400",
"112 of 192"). The guide's toy synthesizer, whose independent marginals of a deduplicated
all-categorical table copy training rows often and which leaves conditions to SDV's reject
sampling, shows it in a fraction of a second.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sdv.metadata import Metadata
from sdv.sampling import Condition

from synth_plugins.sdv.compat import fit
from tests.support.toy_generator.core import ToyMarginals
from tests.support.toy_generator.synthesizer import ToyMarginalsSynthesizer


@pytest.fixture(scope="module")
def toy() -> ToyMarginalsSynthesizer:
    """Fitted on 70 distinct rows of four 3-level columns; 3 rows hold ``r="rare"``."""
    combos = list(itertools.product("012", repeat=4))
    order = np.random.default_rng(0).permutation(len(combos))[:70]
    table = pd.DataFrame([combos[i] for i in order], columns=list("abcd"))
    table["r"] = ["rare"] * 3 + ["common"] * 67
    columns = {column: {"sdtype": "categorical"} for column in table.columns}
    metadata = Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {"t": {"columns": columns}}}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the small-training-set warning
        return fit(ToyMarginalsSynthesizer(metadata, random_state=0), table)


CALLS: dict[str, Callable[[ToyMarginalsSynthesizer], Any]] = {
    "sample_from_conditions": lambda toy: toy.sample_from_conditions(
        [Condition({"r": "rare"}, num_rows=40)]
    ),
    "sample_remaining_columns": lambda toy: toy.sample_remaining_columns(
        pd.DataFrame({"r": ["rare"] * 8})
    ),
    "sample": lambda toy: toy.sample(100, batch_size=20),
}


@pytest.mark.parametrize("call", list(CALLS))
def test_one_sampling_call_warns_once_with_its_totals(toy, call, monkeypatch):
    drawn: list[int] = []
    core_sample = ToyMarginals.sample

    def counted(self: ToyMarginals, n: int, random_state: int | None = None) -> pd.DataFrame:
        drawn.append(n)  # each batch SDV asks the model for goes through the filter
        return core_sample(self, n, random_state)

    monkeypatch.setattr(ToyMarginals, "sample", counted)
    toy.reset_sampling()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CALLS[call](toy)
    told = [w for w in caught if "toy_marginals" in str(w.message)]
    assert len(drawn) > 1  # SDV ran the model on several batches
    assert len(told) == 1, [str(w.message)[:60] for w in told]
    found = re.match(
        r"toy_marginals: the copy filter replaces (\d+) of (\d+) synthetic rows \(drawn in "
        r"(\d+) batches for this sampling call\)",
        str(told[0].message),
    )
    assert found, str(told[0].message)
    replaced, rows, batches = map(int, found.groups())
    assert (rows, batches) == (sum(drawn), len(drawn))
    assert 0.1 * rows < replaced <= rows
    assert told[0].filename == __file__  # the line of the user's call

"""The copy filter warns once per SDV sampling call, with the call's totals.

SDV runs a synthesizer on many batches in one public call: ``sample`` in ``batch_size``
rows, and its reject sampling for conditions the model cannot meet with batches growing to
``10 * batch_size``. Each batch passes the copy filter, which warned per batch with new
counts (one ``sample_from_conditions`` of Med-VAE gave "replaces 25 of 40", "231 of 400",
"112 of 192"). The guide's toy synthesizer, whose independent marginals of a deduplicated
all-categorical table copy training rows often and which leaves conditions to SDV's reject
sampling, shows it in a fraction of a second. CK4Gen's own warning about copies its
re-draw keeps came per batch too ("3 synthetic rows still match", "2", "4", "13", ... in
one ``sample_from_conditions``); it is summed the same way. So is its warning that
``outcome="copy"`` returns real patients' outcomes, which came once per batch (5 times in
one ``sample(100, batch_size=20)``, at a line of the SDV synthesizer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from sdv.metadata import Metadata
from sdv.sampling import Condition

from synth_plugins.generators.ck4gen import CK4Gen
from synth_plugins.sdv import CK4GenSynthesizer
from synth_plugins.sdv.compat import fit
from tests.support.copy_tables import distinct_levels, survival_with_kept_copies
from tests.support.copy_warnings import (
    count_draws,
    once_at_the_users_line,
    one_call_total,
    warnings_with,
)
from tests.support.toy_generator.core import ToyMarginals
from tests.support.toy_generator.synthesizer import ToyMarginalsSynthesizer


@pytest.fixture(scope="module")
def toy() -> ToyMarginalsSynthesizer:
    """Fitted on 70 distinct rows of four 3-level columns; 3 rows hold ``r="rare"``."""
    table = distinct_levels().astype(str)
    table["r"] = ["rare"] * 3 + ["common"] * 67
    columns = {column: {"sdtype": "categorical"} for column in table.columns}
    metadata = Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {"t": {"columns": columns}}}
    )
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
    drawn = count_draws(monkeypatch, ToyMarginals)  # each batch SDV asks the model for
    toy.reset_sampling()
    told = warnings_with(lambda: CALLS[call](toy), "toy_marginals")
    replaced = one_call_total(told, "replaced", drawn, __file__)
    assert 0.1 * sum(drawn) < replaced <= sum(drawn)


def _fitted_ck4gen(**params: Any) -> CK4GenSynthesizer:
    """CK4Gen (2 epochs, seed 0) fitted on the table where each batch keeps some copies."""
    sdtypes = {"treated": "categorical", "time": "numerical", "event": "categorical"}
    columns = {column: {"sdtype": sdtype} for column, sdtype in sdtypes.items()}
    metadata = Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {"t": {"columns": columns}}}
    )
    synthesizer = CK4GenSynthesizer(metadata, "time", "event", epochs=2, random_state=0, **params)
    return fit(synthesizer, survival_with_kept_copies())


@pytest.fixture(scope="module")
def ck4gen() -> CK4GenSynthesizer:
    """Fitted on a table where each batch keeps some copies (see the table's docstring)."""
    return _fitted_ck4gen()


CK4GEN_CALLS: dict[str, Callable[[CK4GenSynthesizer], Any]] = {
    "sample_from_conditions": lambda ck4gen: ck4gen.sample_from_conditions(
        [Condition({"treated": 1}, num_rows=40)], batch_size=10
    ),
    "sample": lambda ck4gen: ck4gen.sample(100, batch_size=20),
}


@pytest.mark.parametrize("call", list(CK4GEN_CALLS))
def test_ck4gen_copies_kept_warn_once_per_sampling_call(ck4gen, call, monkeypatch):
    drawn = count_draws(monkeypatch, CK4Gen)
    ck4gen.reset_sampling()
    told = warnings_with(lambda: CK4GEN_CALLS[call](ck4gen), "they are kept")
    assert 0 < one_call_total(told, "kept", drawn, __file__) <= sum(drawn)


@pytest.fixture(scope="module")
def ck4gen_copy() -> CK4GenSynthesizer:
    """Fitted with ``outcome="copy"``: every sample call warns about the real outcomes."""
    return _fitted_ck4gen(outcome="copy")


@pytest.mark.parametrize("call", list(CK4GEN_CALLS))
def test_ck4gen_copy_outcome_warns_once_per_sampling_call(ck4gen_copy, call, monkeypatch):
    drawn = count_draws(monkeypatch, CK4Gen)
    told = warnings_with(lambda: CK4GEN_CALLS[call](ck4gen_copy), "outcome='copy'")
    once_at_the_users_line(told, drawn, __file__)

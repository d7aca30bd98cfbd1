"""Every table generator's core words the errors of one bad input alike.

The same infinite number or all-missing column got three wordings from the cores and the
Synthcity checks ("contains infinite values", "holds infinite values; replace them (e.g. by
NaN)", "columns [...] have no observed value"), so a user moving between generators or
hosts read different advice for one problem.
"""

from __future__ import annotations

import numpy as np
import pytest

from synth_plugins.catalog import GENERATORS, resolve
from synth_plugins.encoding.tabular import check_observed
from synth_plugins.errors import InvalidDataError, infinite_values
from synth_plugins.testing.bad_input import base_table, core_params

TABLE_CORES = [pytest.param(e, id=e.name) for e in GENERATORS if e.synthcity_type != "time_series"]


def _refusal(entry, change) -> str:
    table = base_table(entry.synthcity_type)
    table = table.with_data(change(table.data.copy()))
    with pytest.raises(InvalidDataError) as raised:
        resolve(entry.core)(**core_params(entry, table, epochs=1)).fit(table.data)
    return str(raised.value)


@pytest.mark.parametrize("entry", TABLE_CORES)
def test_an_infinite_number_reads_alike(entry):
    message = _refusal(
        entry, lambda data: data.assign(bmi=data["bmi"].where(data.index != 1, np.inf))
    )
    assert message == str(infinite_values("bmi"))


@pytest.mark.parametrize("entry", TABLE_CORES)
def test_an_all_missing_column_reads_alike(entry):
    with pytest.raises(InvalidDataError) as expected:
        check_observed(base_table("generic").data.assign(empty_col=np.nan)["empty_col"])
    assert _refusal(entry, lambda data: data.assign(empty_col=np.nan)) == str(expected.value)


@pytest.mark.parametrize("entry", TABLE_CORES)
def test_every_all_missing_column_is_named_at_once(entry):
    """A user with two empty columns learns of both from one error, not one per fit."""
    message = _refusal(entry, lambda data: data.assign(empty_a=np.nan, empty_b=np.nan))
    assert "'empty_a'" in message and "'empty_b'" in message

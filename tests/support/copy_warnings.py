"""Checks shared by the tests that a generator's warnings come once per host call."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

#: The start of each copy warning, with the counts it reports: the copy filter's and
#: CK4Gen's (copies its re-draw keeps).
_TOTALS = {
    "replaced": r"(?P<generator>\w+): the copy filter replaces (?P<count>\d+) of ",
    "kept": r"CK4Gen: (?P<count>\d+) of ",
}
_ROWS = r"(?P<rows>\d+) synthetic rows \(drawn in (?P<batches>\d+) batches for this sampling call\)"


def count_draws(monkeypatch: pytest.MonkeyPatch, core: type) -> list[int]:
    """The sizes of the core's ``sample`` calls from now on (each batch or draw of the host)."""
    drawn: list[int] = []
    core_sample = core.sample

    def counted(self: Any, n: int, *args: Any, **kwargs: Any) -> pd.DataFrame:
        drawn.append(n)
        return core_sample(self, n, *args, **kwargs)

    monkeypatch.setattr(core, "sample", counted)
    return drawn


def warnings_with(call: Callable[[], Any], marker: str) -> list[warnings.WarningMessage]:
    """The warnings whose text holds ``marker`` that ``call()`` gives."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [w for w in caught if marker in str(w.message)]


def one_call_total(
    told: list[warnings.WarningMessage], kind: str, drawn: list[int], test_file: str
) -> int:
    """Check ``told`` is one warning with the totals of every draw in ``drawn``; its count.

    ``kind`` is ``"replaced"`` (the copy filter) or ``"kept"`` (CK4Gen's re-draw). The
    warning must name the rows and batches of all draws and point at ``test_file`` (the
    line of the user's call).
    """
    assert len(drawn) > 1  # the host ran the model several times
    assert len(told) == 1, [str(w.message)[:60] for w in told]
    found = re.match(_TOTALS[kind] + _ROWS, str(told[0].message))
    assert found, str(told[0].message)
    assert (int(found["rows"]), int(found["batches"])) == (sum(drawn), len(drawn))
    assert told[0].filename == test_file
    return int(found["count"])


def once_at_the_users_line(
    told: list[warnings.WarningMessage], drawn: list[int], test_file: str
) -> None:
    """Check ``told`` is one warning, at ``test_file``, though the host drew several times."""
    assert len(drawn) > 1  # the host ran the model several times
    assert len(told) == 1, [str(w.message)[:60] for w in told]
    assert told[0].filename == test_file

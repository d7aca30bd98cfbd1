"""The copy warnings come once per Synthcity ``generate`` call, with the call's totals.

Synthcity's ``generate`` draws from the plugin again and again (``_safe_generate``, up to
``sampling_patience`` times) until enough rows meet the constraints. Each draw passed the
copy handling, which warned per draw: one ``generate(50)`` of the toy plugin under
``a == 0`` gave 51 warnings ("replaces 45 of 50", "43 of 50", ...), and CK4Gen's warning
about copies kept came per draw too.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import pandas as pd
import pytest
from synthcity.plugins import Plugins
from synthcity.plugins.core.constraints import Constraints
from synthcity.plugins.core.dataloader import GenericDataLoader, SurvivalAnalysisDataLoader

from synth_plugins.generators.ck4gen import CK4Gen
from tests.support.copy_tables import distinct_levels, survival_with_kept_copies
from tests.support.toy_generator.core import ToyMarginals
from tests.support.toy_generator.plugin_toy_marginals import ToyMarginalsPlugin


def _draws(monkeypatch: pytest.MonkeyPatch, core: type) -> list[int]:
    """The sizes of the core's ``sample`` calls from now on (each draw of Synthcity's)."""
    drawn: list[int] = []
    core_sample = core.sample

    def counted(self: Any, n: int, *args: Any, **kwargs: Any) -> pd.DataFrame:
        drawn.append(n)
        return core_sample(self, n, *args, **kwargs)

    monkeypatch.setattr(core, "sample", counted)
    return drawn


def _told(call: Any, marker: str) -> list[warnings.WarningMessage]:
    """The warnings whose text holds ``marker`` that ``call()`` gives."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [w for w in caught if marker in str(w.message)]


def test_the_copy_filter_warns_once_per_generate_call(monkeypatch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the small-training-set warning
        plugin = ToyMarginalsPlugin(random_state=0).fit(GenericDataLoader(distinct_levels()))
    drawn = _draws(monkeypatch, ToyMarginals)
    told = _told(
        lambda: plugin.generate(
            20, constraints=Constraints(rules=[("a", "<=", 1)]), random_state=1
        ),
        "toy_marginals",
    )
    assert len(drawn) > 1  # Synthcity drew again for rows meeting the constraint
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


def test_ck4gen_copies_kept_warn_once_per_generate_call(monkeypatch):
    loader = SurvivalAnalysisDataLoader(
        survival_with_kept_copies(), target_column="event", time_to_event_column="time"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the small-training-set warning
        plugin = Plugins().get("ck4gen", n_iter=2, random_state=0).fit(loader)
    drawn = _draws(monkeypatch, CK4Gen)
    told = _told(
        lambda: plugin.generate(
            30, constraints=Constraints(rules=[("treated", "==", 1)]), random_state=1
        ),
        "they are kept",
    )
    assert len(drawn) > 1
    assert len(told) == 1, [str(w.message)[:60] for w in told]
    found = re.match(
        r"CK4Gen: (\d+) of (\d+) synthetic rows \(drawn in (\d+) batches for this sampling "
        r"call\) still match a training row",
        str(told[0].message),
    )
    assert found, str(told[0].message)
    kept, rows, batches = map(int, found.groups())
    assert (rows, batches) == (sum(drawn), len(drawn))
    assert 0 < kept <= rows
    assert told[0].filename == __file__

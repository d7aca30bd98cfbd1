"""The copy warnings come once per Synthcity ``generate`` call, with the call's totals.

Synthcity's ``generate`` draws from the plugin again and again (``_safe_generate``, up to
``sampling_patience`` times) until enough rows meet the constraints. Each draw passed the
copy handling, which warned per draw: one ``generate(50)`` of the toy plugin under
``a == 0`` gave 51 warnings ("replaces 45 of 50", "43 of 50", ...), and CK4Gen's warning
about copies kept came per draw too, as did its warning that ``outcome="copy"`` returns
real patients' outcomes (at a line of the plugin).
"""

from __future__ import annotations

from synthcity.plugins import Plugins
from synthcity.plugins.core.constraints import Constraints
from synthcity.plugins.core.dataloader import GenericDataLoader, SurvivalAnalysisDataLoader

from synth_plugins.generators.ck4gen import CK4Gen
from tests.support.copy_tables import distinct_levels, survival_with_kept_copies
from tests.support.copy_warnings import (
    count_draws,
    once_at_the_users_line,
    one_call_total,
    warnings_with,
)
from tests.support.toy_generator.core import ToyMarginals
from tests.support.toy_generator.plugin_toy_marginals import ToyMarginalsPlugin


def test_the_copy_filter_warns_once_per_generate_call(monkeypatch):
    plugin = ToyMarginalsPlugin(random_state=0).fit(GenericDataLoader(distinct_levels()))
    drawn = count_draws(monkeypatch, ToyMarginals)
    told = warnings_with(
        lambda: plugin.generate(
            20, constraints=Constraints(rules=[("a", "<=", 1)]), random_state=1
        ),
        "toy_marginals",
    )
    replaced = one_call_total(told, "replaced", drawn, __file__)
    assert 0.1 * sum(drawn) < replaced <= sum(drawn)


def test_ck4gen_copies_kept_warn_once_per_generate_call(monkeypatch):
    loader = SurvivalAnalysisDataLoader(
        survival_with_kept_copies(), target_column="event", time_to_event_column="time"
    )
    plugin = Plugins().get("ck4gen", n_iter=2, random_state=0).fit(loader)
    drawn = count_draws(monkeypatch, CK4Gen)
    told = warnings_with(
        lambda: plugin.generate(
            30, constraints=Constraints(rules=[("treated", "==", 1)]), random_state=1
        ),
        "they are kept",
    )
    assert 0 < one_call_total(told, "kept", drawn, __file__) <= sum(drawn)


def test_ck4gen_copy_outcome_warns_once_per_generate_call(monkeypatch):
    loader = SurvivalAnalysisDataLoader(
        survival_with_kept_copies(), target_column="event", time_to_event_column="time"
    )
    plugin = Plugins().get("ck4gen", n_iter=2, outcome="copy", random_state=0).fit(loader)
    drawn = count_draws(monkeypatch, CK4Gen)
    told = warnings_with(
        lambda: plugin.generate(
            30, constraints=Constraints(rules=[("treated", "==", 1)]), random_state=1
        ),
        "outcome='copy'",
    )
    once_at_the_users_line(told, drawn, __file__)

"""Every warning the suite raises is a SynthPluginsWarning, raised through errors.warn.

The class is what a user names to silence the suite's warnings, and what keeps them shown
in a Synthcity session (see ``tests/integration/test_synthcity_warnings.py``).
"""

import ast
import importlib
import sys
import warnings
from pathlib import Path

import pytest

from synth_plugins.errors import SynthPluginsWarning, _show_suite_warnings, warn
from synth_plugins.synthcity.metrics.context import MetricFailedWarning

SRC = Path(__file__).resolve().parents[2] / "src"
SHOW = ("default", None, SynthPluginsWarning, None, 0)


def test_every_warning_of_the_suite_is_a_suite_warning():
    """Only errors.warn calls ``warnings.warn``; every other module calls errors.warn, with
    no category or a subclass of SynthPluginsWarning, so a new warning cannot be hidden."""
    direct, categories = [], []
    for path in sorted((SRC / "synth_plugins").rglob("*.py")):
        module = ".".join(path.relative_to(SRC).with_suffix("").parts)
        if module == "synth_plugins.errors":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            where = f"{module}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ImportFrom) and node.module == "warnings":
                direct.append(where)
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("warn", "warn_explicit")
                and isinstance(func.value, ast.Name)
                and func.value.id == "warnings"
            ):
                direct.append(where)
            elif isinstance(func, ast.Name) and func.id == "warn":
                given = node.args[1:2] + [k.value for k in node.keywords if k.arg == "category"]
                categories += [(module, where, category) for category in given]
    assert direct == [], "call synth_plugins.errors.warn, not warnings.warn"
    for module, where, category in categories:
        assert isinstance(category, ast.Name), f"{where}: name the warning class"
        cls = getattr(importlib.import_module(module), category.id)
        assert issubclass(cls, SynthPluginsWarning), f"{where}: {cls} is no SynthPluginsWarning"


def test_metric_failures_are_suite_warnings():
    assert issubclass(MetricFailedWarning, SynthPluginsWarning)
    assert issubclass(SynthPluginsWarning, UserWarning)


def test_the_suite_filter_goes_before_a_blanket_ignore_and_after_the_users():
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=MetricFailedWarning)  # the user's
        warnings.simplefilter("ignore")  # what Synthcity's imports add later
        warnings.filterwarnings("ignore", message="unrelated", category=UserWarning)
        _show_suite_warnings()
        _show_suite_warnings()  # once only
        assert warnings.filters[0][:3] == ("error", None, MetricFailedWarning)
        assert warnings.filters[1] == SHOW
        assert warnings.filters.count(SHOW) == 1
        assert warnings.filters[2][0] == "ignore" and warnings.filters[2][1] is not None


def test_the_suite_filter_is_not_added_where_nothing_hides_the_suite_warnings():
    with warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=UserWarning, module="torch")
        before = list(warnings.filters)
        _show_suite_warnings()
        assert warnings.filters == before


def test_outside_a_synthcity_session_the_users_blanket_ignore_applies(monkeypatch):
    monkeypatch.delitem(sys.modules, "synthcity", raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")
        warn("hidden", stacklevel=1)
    assert caught == []


def test_inside_a_synthcity_session_a_blanket_ignore_does_not_hide_them(monkeypatch):
    monkeypatch.setitem(sys.modules, "synthcity", sys.modules.get("synthcity", object()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")
        warn("shown", stacklevel=1)
        with pytest.raises(SynthPluginsWarning, match="raised"):
            warnings.filterwarnings("error", category=SynthPluginsWarning)
            warn("raised", stacklevel=1)
    assert [str(w.message) for w in caught] == ["shown"]
    assert caught[0].filename == __file__


def _function_of(module: str, source: str, **names: object):
    """The function ``run`` of ``source``, compiled as code of the module named ``module``."""
    namespace: dict = {"__name__": module, **names}
    exec(compile(source, f"<{module}>", "exec"), namespace)
    return namespace["run"]


@pytest.mark.parametrize("harness", ["sdgym", "tqdm", "pandas", "optuna"])
def test_a_warning_raised_through_a_harness_is_shown_at_the_users_line(harness):
    """SDGym's job loop (a ``map`` consumed by ``pandas.concat`` through ``tqdm``) and an
    Optuna trial call the suite back: a warning landed on their line in site-packages."""
    from synth_plugins.errors import caller_stacklevel

    raises = _function_of(
        "synth_plugins.fake_core",
        "def run():\n    warn('small', stacklevel=caller_stacklevel())\n",
        warn=warn,
        caller_stacklevel=caller_stacklevel,
    )
    loop = _function_of(f"{harness}.fake_loop", "def run():\n    core()\n", core=raises)
    suite = _function_of("synth_plugins.fake_benchmark", "def run():\n    loop()\n", loop=loop)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        suite()
    assert [w.filename for w in caught] == [__file__]

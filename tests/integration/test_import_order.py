"""Registration works whatever the user imports first (a fresh interpreter per order)."""

import ast
import subprocess
import sys

import pytest

from synth_plugins import catalog

SCRIPT = """
import synth_plugins
from {module} import *  # noqa: F403
from synthcity.metrics.eval import standard_metrics
print(sorted(m.name() for m in standard_metrics if m.__module__.startswith("synth_plugins")))
"""


@pytest.mark.parametrize(
    "module",
    ["synth_plugins.synthcity.metrics.evaluators", "synth_plugins.sdmetrics"],
)
def test_importing_an_evaluator_module_first_registers_every_metric(module):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(module=module)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    registered = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    assert registered == sorted(e.name for e in catalog.METRICS)


def test_importing_the_plugin_base_class_first_registers_every_generator():
    """``from synth_plugins.synthcity.suite_plugin import SuitePlugin`` (the page on adding
    a generator says to subclass it) failed in a fresh interpreter: its Synthcity import
    ran the registration, which imported the plugin modules, which import ``SuitePlugin``
    from the unfinished module."""
    script = (
        "from synth_plugins.synthcity.suite_plugin import SuitePlugin\n"
        "from synthcity.plugins import Plugins\n"
        f"print(sorted(set(Plugins().list()) & {set(e.name for e in catalog.GENERATORS)!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    registered = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    assert registered == sorted(e.name for e in catalog.GENERATORS)


def test_a_time_series_loader_as_the_first_call_after_import_synth_plugins():
    """``to_timeseries_loader`` imports the coded loader, which imports Synthcity, whose
    metrics package registers the suite's evaluators; they imported the coded loader at
    module level, half-initialised then: an ImportError in a fresh interpreter."""
    script = (
        "import pandas as pd\n"
        "import synth_plugins\n"
        "from synth_plugins.synthcity.timeseries import to_timeseries_loader\n"
        "frame = pd.DataFrame({'pid': [0, 0, 1, 1], 'time': [1, 2, 1, 2], 'y': [.1, .2, .3, .4]})\n"
        "loader, _ = to_timeseries_loader(frame, 'pid', 'time')\n"
        "print(type(loader).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "CodedTimeSeriesDataLoader"

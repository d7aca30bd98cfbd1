"""The suite's warnings are shown in a Synthcity session, and the user's filters still decide.

Importing Synthcity installs ``warnings.simplefilter("ignore")``, and the first
``Plugins()`` adds more filters that ignore every warning: without the suite's own filter,
the warning that synthetic rows equal training rows (or that CK4Gen's copy mode returns
personal data) was never shown. Each order of imports runs in a fresh interpreter, which
fits a plugin on a table too small to learn from and raises the copy filter's warning under
the user's filters (one interpreter for both: starting Python and importing Synthcity is
most of a run's time).
"""

import json
import subprocess
import sys

import pytest

#: Fits a Synthcity plugin on 5 rows, as a user would: Synthcity's ``Plugin.fit`` (pydantic's
#: argument check, the schema, the encoders) lies between the user's line and the core. Then
#: raises the copy filter's warning (all 3 synthetic rows equal a training row) once per
#: case, under the filters the case sets; prints the cases whose warning was an error. The
#: fit runs under ``catch_warnings`` so that the cases see the filters as Synthcity left
#: them, not as the fit's warning rearranged them (and the fit sees no case's).
USER_FIT = 'plugin.fit(to_dataloader(load("heart_failure"), data))  # the user\'s line'
SCRIPT = """
import json, sys, warnings
{imports}
Plugins()  # loads Synthcity's plugin modules, whose imports add "ignore" filters
import tempfile
import numpy as np, pandas as pd
from synth_plugins.datasets import load
from synth_plugins.errors import SynthPluginsWarning
from synth_plugins.generators.privacy import CopyFilter
from synth_plugins.synthcity.loaders import to_dataloader

with warnings.catch_warnings():
    synth_plugins.register()
    data = load("heart_failure").data.head(5)
    plugin = Plugins().get("mle_copula", workspace=tempfile.mkdtemp())
    {user_fit}

train = pd.DataFrame({{"age": [30, 40, 50], "bmi": [20.0, 25.0, 30.0]}})

def copies(tag):
    guard = CopyFilter(tag, max_rounds=1).fit(train)
    guard.redraw(train, lambda k: train.iloc[np.arange(k) % 3], np.random.default_rng(0))

raised = []
def case(tag, action=None, then_ignore_all=False):
    with warnings.catch_warnings():
        if action:
            warnings.filterwarnings(action, category=SynthPluginsWarning)
        if then_ignore_all:  # as a dependency imported later does
            warnings.simplefilter("ignore")
        try:
            copies(tag)
        except SynthPluginsWarning:
            raised.append(tag)

copies("shown")
case("ignored", "ignore")
case("ignored_before_a_later_blanket_ignore", "ignore", then_ignore_all=True)
case("error", "error")
case("shown_after_a_later_blanket_ignore", then_ignore_all=True)
sys.stderr.flush()
print(json.dumps(raised))
"""

ORDERS = {
    "suite_first": "import synth_plugins\nfrom synthcity.plugins import Plugins",
    "synthcity_first": "from synthcity.plugins import Plugins\nimport synth_plugins",
}


@pytest.fixture(scope="module", params=sorted(ORDERS))
def session(request) -> tuple[str, list[str], str]:
    """stderr, the tags whose warning was raised as an error and the script, for one import
    order."""
    script = SCRIPT.format(imports=ORDERS[request.param], user_fit=USER_FIT)
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stderr, json.loads(done.stdout.strip().splitlines()[-1]), script


def shown(stderr: str, tag: str) -> int:
    return stderr.count(f"SynthPluginsWarning: {tag}: 3 of 3 synthetic rows equal")


def test_a_suite_warning_is_shown_once(session):
    stderr, _, _ = session
    assert shown(stderr, "shown") == 1


def test_a_suite_warning_is_shown_through_a_later_ignore_everything_filter(session):
    stderr, _, _ = session
    assert shown(stderr, "shown_after_a_later_blanket_ignore") == 1


def test_the_users_ignore_filter_for_the_class_hides_it(session):
    stderr, _, _ = session
    assert shown(stderr, "ignored") == 0
    assert shown(stderr, "ignored_before_a_later_blanket_ignore") == 0


def test_the_users_error_filter_for_the_class_raises_it(session):
    stderr, raised, _ = session
    assert raised == ["error"] and shown(stderr, "error") == 0


def test_a_small_training_set_warns_once_at_the_users_fit_in_synthcity(session):
    """Synthcity's imports ignore every warning; the small-table warning is shown anyway."""
    stderr, _, script = session
    line = script.splitlines().index(f"    {USER_FIT}")
    shown = [row for row in stderr.splitlines() if "SmallTrainingSetWarning:" in row]
    assert len(shown) == 1, stderr[-2000:]
    assert shown[0].startswith(
        f"<string>:{line + 1}: SmallTrainingSetWarning: MLE copula is fitted on 5 rows,"
    ), shown[0]

"""Every catalog metric in every host on awkward input: a clear error or a finite score.

Inputs that only relabel or retype the base inputs must give the base inputs' figures.

The cases and the acceptance rule are in :mod:`synth_plugins.testing.metric_matrix`; ids read
``<metric>-<host>-<case>``, e.g. ``tabsyndex-sdmetrics-identical``.
"""

import pytest

import synth_plugins
from synth_plugins.testing import metric_matrix as matrix

CASES = [
    pytest.param(entry, host, case, id=matrix.case_id(entry, host, case))
    for entry, host, case in matrix.matrix()
]


@pytest.fixture(scope="module", autouse=True)
def registered():
    synth_plugins.register()


@pytest.mark.parametrize(("entry", "host", "case"), CASES)
def test_bad_input(entry, host, case, tmp_path_factory):
    workspace = tmp_path_factory.getbasetemp() / "metric_matrix"
    outcome = matrix.run_case(entry, host, case, workspace)
    matrix.check_outcome(entry, host, case, outcome)
    if case.same_figures:
        matrix.check_same_figures(entry, host, case, outcome, workspace)


BOOL_OPTIONS = [
    pytest.param(entry, option, id=f"{entry.name}-{option}")
    for entry in matrix.catalog.METRICS
    for option in matrix.bool_options(entry)
]


@pytest.mark.parametrize(("entry", "option"), BOOL_OPTIONS)
def test_bool_option_refuses_a_string(entry, option):
    """``balance="no"`` is an error naming ``balance``, not a truthy string read as True."""
    matrix.check_bool_option(entry, option)

"""The bad-input matrix: every catalog generator, in every host, on every odd input.

Each ``<generator>-<host>-<case>`` must end in a clear error naming the column or argument,
or in valid output (see :mod:`synth_plugins.testing.bad_input`). Cases that fail because
of code owned by another area are marked ``xfail(strict=True)`` with the owner and what
fails, so the mark must go once the fix is merged.
"""

import pytest

import synth_plugins
from synth_plugins.testing.bad_input import case_id, matrix, run_case

#: case id -> (owner, what fails today), for a case whose fix is not merged yet; strict
#: marks, so a fix turns the test red until its entry goes. Empty: every case passes.
KNOWN_FAILURES: dict[str, tuple[str, str]] = {}


def _params():
    for entry, host, case in matrix():
        name = case_id(entry, host, case)
        marks = []
        if name in KNOWN_FAILURES:
            owner, what = KNOWN_FAILURES[name]
            marks.append(pytest.mark.xfail(strict=True, reason=f"{owner}: {what}"))
        yield pytest.param(entry, host, case, id=name, marks=marks)


@pytest.fixture(scope="module", autouse=True)
def _registered():
    synth_plugins.register()


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(("entry", "host", "case"), list(_params()))
def test_bad_input(entry, host, case):
    run_case(entry, host, case)

"""The bad-input matrix: every catalog generator, in every host, on every odd input.

Each ``<generator>-<host>-<case>`` must end in a clear error naming the column or argument,
or in valid output (see :mod:`synth_plugins.testing.bad_input`). Cases that fail because
of code owned by another area are marked ``xfail(strict=True)`` with the owner and what
fails, so the mark must go once the fix is merged.
"""

import pytest

import synth_plugins
from synth_plugins.testing.bad_input import case_id, matrix, run_case

SYNTHCITY = "owned by synthcity adapters"
_SCHEMA = "Synthcity's Schema raises a pydantic ValidationError before our empty check"
_TTE = "Synthcity's loader: 'time_to_event_column contains values <= 0', not 'too few rows'"
_MIXED = "Synthcity's encoder raises a TypeError that does not name the column"
_SC_DUP = "AttributeError 'DataFrame' object has no attribute 'dtype' before our duplicate check"
_SC_ROLES = (
    "Synthcity label-encodes text before _fit and synthcity_roles declares the codes "
    "categorical, so identifiers are copied; infer roles from the decoded columns"
)

#: case id -> (owner, what fails today); strict marks, so a fix turns them red.
KNOWN_FAILURES: dict[str, tuple[str, str]] = {
    "med_vae-synthcity-empty": (SYNTHCITY, _SCHEMA),
    "ck4gen-synthcity-empty": (SYNTHCITY, _SCHEMA),
    "ck4gen-synthcity-one_row": (SYNTHCITY, _TTE),
    "ck4gen-synthcity-two_rows": (SYNTHCITY, _TTE),
    "med_vae-synthcity-mixed_object": (SYNTHCITY, _MIXED),
    "ck4gen-synthcity-mixed_object": (SYNTHCITY, _MIXED),
    "med_vae-synthcity-duplicate_names": (SYNTHCITY, _SC_DUP),
    "ck4gen-synthcity-duplicate_names": (SYNTHCITY, _SC_DUP),
    "ck4gen-synthcity-unseen_condition": (SYNTHCITY, "generate(cond=...) is ignored"),
    "longitudinal_lstm-synthcity-n_zero": (SYNTHCITY, "generate(count=0) gives one sequence"),
    "longitudinal_lstm-synthcity-n_negative": (SYNTHCITY, "count=-3 gives one sequence"),
    "longitudinal_lstm-synthcity-datetimes": (
        SYNTHCITY,
        "synthcity/timeseries.py codes non-numeric visit columns as levels: dates copied",
    ),
    **{
        f"{generator}-synthcity-identifier_column": (SYNTHCITY, _SC_ROLES)
        for generator in ("med_vae", "ck4gen", "longitudinal_lstm")
    },
    # ctabgan_plus (merged later) meets the same shared Synthcity causes as med_vae
    "ctabgan_plus-synthcity-mixed_object": (SYNTHCITY, _MIXED),
    "ctabgan_plus-synthcity-duplicate_names": (SYNTHCITY, _SC_DUP),
    "ctabgan_plus-synthcity-identifier_column": (SYNTHCITY, _SC_ROLES),
}


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

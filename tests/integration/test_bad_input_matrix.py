"""The bad-input matrix: every catalog generator, in every host, on every odd input.

Each ``<generator>-<host>-<case>`` must end in a clear error naming the column or argument,
or in valid output (see :mod:`synth_plugins.testing.bad_input`). Cases that fail because
of code owned by another area are marked ``xfail(strict=True)`` with the owner and what
fails, so the mark must go once the fix is merged.
"""

import pytest

import synth_plugins
from synth_plugins.testing.bad_input import case_id, matrix, run_case

SDV = "owned by sdv adapters"
MLE_CORE = "owned by the mle_copula core"
_DUP = "metadata helpers raise AttributeError 'DataFrame' object has no attribute 'dtype'"
_SDV_ROLES = (
    "metadata_dict has no sdtype for the roles 'identifier'/'datetime' (KeyError) and "
    "declares numbers written as text 'numerical', which SDV's validation refuses"
)

#: case id -> (owner, what fails today); strict marks, so a fix turns them red.
KNOWN_FAILURES: dict[str, tuple[str, str]] = {
    "mle_copula-synthcity-one_row": (
        MLE_CORE,
        "one row: numpy ValueError 'zero-size array' from the copula's correlation "
        "(the same as mle_copula-core-one_row)",
    ),
    "med_vae-sdv-duplicate_names": (SDV, _DUP),
    "ck4gen-sdv-duplicate_names": (SDV, _DUP),
    "longitudinal_lstm-sdv-duplicate_names": (SDV, _DUP),
    "med_vae-sdv-n_zero": (SDV, "sample(0) returns a frame without the training columns"),
    "ck4gen-sdv-n_zero": (SDV, "sample(0) returns a frame without the training columns"),
    "med_vae-sdv-n_negative": (SDV, "sample(-3) returns rows instead of an error"),
    "ck4gen-sdv-n_negative": (SDV, "sample(-3) returns rows instead of an error"),
    "med_vae-sdv-unseen_condition": (SDV, "SDV's 'Sampling terminated' hides our message"),
    "ck4gen-sdv-duration_nan": (SDV, "NaN durations pass SDV's transformer and come back"),
    "longitudinal_lstm-sdv-varying_static": (SDV, "SDV's own InvalidDataError comes first"),
    "longitudinal_lstm-sdv-missing_patient_id": (SDV, "SDV's own InvalidDataError comes first"),
    **{
        f"{generator}-sdv-{case}": (SDV, _SDV_ROLES)
        for generator in ("med_vae", "ck4gen", "longitudinal_lstm")
        for case in ("identifier_column", "datetimes", "numeric_strings")
    },
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

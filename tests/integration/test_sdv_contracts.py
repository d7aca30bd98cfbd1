"""The suite's SDV synthesizers against SDV's own contract (issue 17, SDV side).

Bad input must fail in our code first, with a message naming the column or argument:
repeated column names, conditions SDV's sampling wrapper would otherwise hide behind
"Sampling terminated", CK4Gen outcomes before SDV's transformers see them, bad row counts.
The synthesizers accept SDV's ``enable_gpu``, report every hyper-parameter, load as SDV's do,
never copy identifiers or dates, and the longitudinal one follows ``PARSynthesizer``'s
contract (datetime and string-datetime sequence index, unsorted rows, no sequence index).
"""

from __future__ import annotations

import copy
import inspect
import pickle
import re
from functools import partial

import numpy as np
import pandas as pd
import pytest
from sdv.errors import InvalidDataError as SDVInvalidDataError
from sdv.metadata import Metadata
from sdv.sampling import Condition

from synth_plugins.datasets import Dataset, load
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.generators.ck4gen import CK4Gen
from synth_plugins.sdv import (
    CK4GenSynthesizer,
    CTABGANPlusSynthesizer,
    LongitudinalLSTMSynthesizer,
    MedVAESynthesizer,
    MLECopulaSynthesizer,
)
from synth_plugins.sdv.compat import SDV_MAJOR, native, single_table
from synth_plugins.sdv.metadata import metadata_dict, metadata_for, roles_from_metadata
from synth_plugins.sdv.sequential_metadata import (
    sequential_metadata_dict,
    sequential_metadata_for,
)

LSTM_QUICK = {"epochs": 2, "static_epochs": 3, "hidden": 8, "num_layers": 1}


def _with_duplicate(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` whose last column is renamed to the first column's name."""
    duplicated = data.copy()
    duplicated.columns = [*data.columns[:-1], data.columns[0]]
    return duplicated


def _first_line(error: pytest.ExceptionInfo) -> str:
    return str(error.value).splitlines()[0]


# ------------------------------------------------------------------ single-table fixtures
@pytest.fixture(scope="module")
def heart():
    return load("heart_failure")


@pytest.fixture(scope="module")
def med_vae(heart):
    synthesizer = MedVAESynthesizer(metadata_for(heart), epochs=2, enable_gpu=False)
    synthesizer.fit(heart.data)
    return synthesizer


@pytest.fixture(scope="module")
def ctabgan(heart):
    synthesizer = CTABGANPlusSynthesizer(
        metadata_for(heart), epochs=2, batch_size=100, enable_gpu=False
    )
    synthesizer.fit(heart.data)
    return synthesizer


@pytest.fixture(scope="module")
def gbsg2():
    return load("gbsg2")


@pytest.fixture(scope="module")
def ck4gen(gbsg2):
    synthesizer = CK4GenSynthesizer(metadata_for(gbsg2), "time", "cens", epochs=2)
    synthesizer.fit(gbsg2.data)
    return synthesizer


# ------------------------------------------------------------------ sequential fixtures
def _visits(n_patients: int = 30, seed: int = 0) -> pd.DataFrame:
    """A small visit table: datetime visits at second resolution, ids, a birth date."""
    rng = np.random.default_rng(seed)
    rows = []
    for patient in range(n_patients):
        start = pd.Timestamp("2005-01-01") + pd.Timedelta(seconds=int(rng.integers(0, 3e8)))
        birth = pd.Timestamp("1950-01-01") + pd.Timedelta(seconds=int(rng.integers(0, 1e9)))
        time = start
        for visit in range(int(rng.integers(2, 5))):
            rows.append(
                {
                    "patient": 101 + patient,
                    "visit_time": time,
                    "record": f"MRN-{patient:04d}",
                    "visit_id": f"V-{patient:04d}-{visit}",
                    "birth": birth,
                    "sex": "F" if patient % 3 else "M",
                    "score": float(rng.normal(3, 1)),
                }
            )
            time += pd.Timedelta(seconds=int(rng.integers(5e6, 4e7)))
    return pd.DataFrame(rows)


def _sequential_metadata(index: str | None = "visit_time", time_format: str | None = None):
    columns = {
        "patient": {"sdtype": "id"},
        "visit_time": {"sdtype": "datetime"},
        "record": {"sdtype": "id"},
        "visit_id": {"sdtype": "id"},
        "birth": {"sdtype": "datetime"},
        "sex": {"sdtype": "categorical"},
        "score": {"sdtype": "numerical"},
    }
    if time_format:
        columns["visit_time"]["datetime_format"] = time_format
    table = {"columns": columns, "sequence_key": "patient"}
    if index is not None:
        table["sequence_index"] = index
    else:
        del columns["visit_time"]
    return Metadata.load_from_dict({"tables": {"visits": table}, "METADATA_SPEC_VERSION": "V1"})


@pytest.fixture(scope="module")
def visits():
    return _visits()


@pytest.fixture(scope="module")
def lstm(visits):
    """Fitted on the rows in shuffled order, with a datetime index and datetime context."""
    synthesizer = LongitudinalLSTMSynthesizer(
        _sequential_metadata(), context_columns=["record", "birth", "sex"], **LSTM_QUICK
    )
    synthesizer.fit(visits.sample(frac=1.0, random_state=0))
    return synthesizer


# ------------------------------------------------------------------ 1. duplicate names
def test_metadata_helpers_name_duplicate_columns(heart):
    duplicated = _with_duplicate(heart.data)
    for call in (
        lambda: metadata_dict(duplicated, {}),
        lambda: roles_from_metadata(metadata_for(heart), duplicated),
        lambda: sequential_metadata_dict(duplicated, "age", "time"),
    ):
        with pytest.raises(InvalidDataError, match=r"duplicate column names \['age'\]"):
            call()


def test_metadata_helpers_name_a_misspelled_column_or_role(heart, visits):
    """A typo in ``roles`` was ignored (the column kept its inferred sdtype) or ended in
    a bare ``KeyError``; the layout columns of a sequential table may be given roles."""
    with pytest.raises(InvalidParameterError, match=r"not in the data: \['tme'\]"):
        metadata_dict(heart.data, {"tme": "categorical"})
    with pytest.raises(InvalidParameterError, match=r"role 'identfier' for column 'time'"):
        metadata_dict(heart.data, {"time": "identfier"})
    with pytest.raises(InvalidParameterError, match=r"not in the data: \['sexx'\]"):
        sequential_metadata_dict(visits, "patient", "visit_time", roles={"sexx": "categorical"})
    described = sequential_metadata_dict(
        visits, "patient", "visit_time", roles={"patient": "identifier", "sex": "categorical"}
    )
    assert described["tables"]["table"]["columns"]["patient"] == {"sdtype": "id"}
    with pytest.raises(InvalidParameterError, match=r"gives 'visit_time' the role 'categor"):
        sequential_metadata_dict(
            visits, "patient", "visit_time", roles={"visit_time": "categorical"}
        )


def test_sequential_metadata_makes_a_per_patient_record_number_an_id(visits):
    """A record number repeats over its patient's visits: judged on the visit rows it read
    as levels (``categorical``), and every sampled row carried a real one."""
    columns = sequential_metadata_dict(visits, "patient", "visit_time")["tables"]["table"]
    assert columns["columns"]["record"] == {"sdtype": "id"}
    assert columns["columns"]["visit_id"] == {"sdtype": "id"}
    assert columns["columns"]["sex"] == {"sdtype": "categorical"}


def test_an_ordinal_role_of_numbers_survives_the_metadata_round_trip():
    """``metadata_dict`` wrote an ``ordinal`` role as sdtype ``categorical``, which came back
    as ``categorical``: the LSTM lost the EDSS's step kernel. Numbers declared ordered
    (SDV 2's ``ordinal``, SDV 1's ``order_by``) come back ``ordinal``; other levels do not."""
    data = pd.DataFrame(
        {
            "edss": [0.0, 1.0, 1.5, 2.0, 3.0, 1.0],
            "grade": [1, 2, 3, 1, 2, 3],
            "code": [1, 2, 3, 1, 2, 3],
            "stage": ["a", "b", "c", "a", "b", "c"],
        }
    )
    roles = {"edss": "ordinal", "grade": "ordinal", "code": "categorical", "stage": "ordinal"}
    metadata = Metadata.load_from_dict(metadata_dict(data, roles, "t"))
    columns = metadata.to_dict()["tables"]["t"]["columns"]
    ordered = {"sdtype": "ordinal"} if SDV_MAJOR >= 2 else {
        "sdtype": "categorical", "order_by": "numerical_value"
    }  # fmt: skip
    assert columns["edss"] == columns["grade"] == ordered
    assert columns["code"] == columns["stage"] == {"sdtype": "categorical"}
    assert roles_from_metadata(metadata, data) == {
        "edss": "ordinal", "grade": "ordinal", "code": "categorical", "stage": "categorical"
    }  # fmt: skip


def test_synthesizers_name_duplicate_columns_before_sdv(heart, gbsg2, visits):
    # caught as SDV's own InvalidDataError, as code written for SDV's synthesizers does;
    # the message is the suite's, and SDV's ``errors`` list holds it
    cases = [
        (MedVAESynthesizer(metadata_for(heart), epochs=1), heart.data),
        (CTABGANPlusSynthesizer(metadata_for(heart), epochs=1), heart.data),
        (CK4GenSynthesizer(metadata_for(gbsg2), "time", "cens", epochs=1), gbsg2.data),
        (LongitudinalLSTMSynthesizer(_sequential_metadata(), **LSTM_QUICK), visits),
    ]
    for synthesizer, data in cases:
        duplicated = _with_duplicate(data)
        for call in (synthesizer.fit, synthesizer.validate):
            with pytest.raises(SDVInvalidDataError, match="^data has duplicate column") as error:
                call(duplicated)
            assert isinstance(error.value, InvalidDataError)
            assert repr(data.columns[0]) in str(error.value)
            assert error.value.errors == [str(error.value)]


@pytest.mark.parametrize(
    ("make", "table"),
    [
        (lambda md, seed: MedVAESynthesizer(md, epochs=1, random_state=seed), "heart"),
        (lambda md, seed: CTABGANPlusSynthesizer(md, epochs=1, random_state=seed), "heart"),
        (lambda md, seed: MLECopulaSynthesizer(md, level=1, random_state=seed), "heart"),
        (
            lambda md, seed: CK4GenSynthesizer(md, "time", "cens", epochs=1, random_state=seed),
            "gbsg2",
        ),
    ],
    ids=["med_vae", "ctabgan_plus", "mle_copula", "ck4gen"],
)
def test_random_state_seeds_the_samples_too(request, make, table):
    """SDV restarts sampling at its fixed seed: every ``random_state`` gave one sample
    (the MLE copula's level 1, whose fit draws nothing, the same rows for any seed). The
    same fitted model, seeded otherwise, now samples otherwise."""
    dataset = request.getfixturevalue(table)
    synthesizer = make(metadata_for(dataset), 0)
    synthesizer.fit(dataset.data)
    first = single_table(synthesizer.sample(50))
    synthesizer.reset_sampling()
    pd.testing.assert_frame_equal(single_table(synthesizer.sample(50)), first)
    reseeded = copy.deepcopy(synthesizer)
    reseeded.random_state = 1
    reseeded.reset_sampling()
    assert not single_table(reseeded.sample(50)).equals(first)
    again = make(metadata_for(dataset), 0)
    again.fit(dataset.data)
    pd.testing.assert_frame_equal(single_table(again.sample(50)), first)


def test_the_lstm_random_state_seeds_the_samples_too(lstm):
    first = single_table(lstm.sample(5))
    reseeded = copy.deepcopy(lstm)
    reseeded.random_state = 1
    reseeded.reset_sampling()
    lstm.reset_sampling()
    pd.testing.assert_frame_equal(single_table(lstm.sample(5)), first)
    assert not single_table(reseeded.sample(5))["score"].equals(first["score"])
    lstm.reset_sampling()


@pytest.mark.parametrize(
    ("cls", "args"),
    [(MLECopulaSynthesizer, {}), (MedVAESynthesizer, {"epochs": 1})],
    ids=["mle_copula", "med_vae"],
)
def test_preprocess_then_fit_processed_data_is_fit(cls, args):
    """SDV's two-step route skipped what ``fit`` learnt from the raw table: a non-key
    ``id`` column repeated its values over batches and calls, ``sample(0)`` had no
    columns, an unseen level got SDV's "Unable to sample any rows"."""
    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {
            "mrn": [f"MRN{i:05d}" for i in rng.permutation(150)],
            "age": rng.integers(20, 80, 150),
            "sex": rng.choice(["F", "M"], 150),
        }
    )
    columns = {"mrn": {"sdtype": "id"}, "age": {"sdtype": "numerical"}}
    columns["sex"] = {"sdtype": "categorical"}
    metadata = Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {"t": {"columns": columns}}}
    )
    one, two = cls(metadata, random_state=0, **args), cls(metadata, random_state=0, **args)
    one.fit(data)
    two.fit_processed_data(two.preprocess(native(data, metadata)))
    first = single_table(two.sample(100, batch_size=10))
    pd.testing.assert_frame_equal(first, single_table(one.sample(100, batch_size=10)))
    assert not pd.concat([first, single_table(two.sample(20))])["mrn"].duplicated().any()
    assert list(single_table(two.sample(0)).columns) == ["mrn", "age", "sex"]
    with pytest.raises(InvalidParameterError, match="sex='X': value never seen"):
        two.sample_from_conditions([Condition({"sex": "X"}, num_rows=2)])


def test_ck4gen_model_mode_options_reach_the_core(gbsg2):
    # every option added since fits were first saved (all off, the censoring law
    # stratified: its legacy value is the default), and calibrate_levels
    legacy = {**CK4Gen.LEGACY_PARAMS, "censoring_model": "stratified"}
    options = {"outcome": "model", "calibrate_levels": False, **legacy}
    core = CK4GenSynthesizer(metadata_for(gbsg2), "time", "cens", **options)._new_model({})
    assert {name: getattr(core, name) for name in options} == options
    with pytest.raises(InvalidParameterError, match="numeric_residuals"):
        CK4GenSynthesizer(metadata_for(gbsg2), "time", "cens", numeric_residuals="yes")


#: CK4Gen options added after fits were first saved, each with the core state it brought.
CK4GEN_ADDED = {
    "numeric_residuals": ("_residual_factor", "_numeric_index"),
    "calibrate_numeric": ("_numeric_targets", "_sampled_tables", "_numeric_seed"),
    "interpolate_durations": (),
    "censoring_model": ("censoring_strata_", "_strata_estimated"),
}


@pytest.mark.parametrize("option", list(CK4GEN_ADDED))
def test_a_ck4gen_saved_before_an_option_loads_with_it_off(ck4gen, option):
    later = list(CK4GEN_ADDED)[list(CK4GEN_ADDED).index(option) :]
    old = copy.deepcopy(ck4gen)
    for name in later:  # as saved by an earlier version
        del old.__dict__[name]
        for attribute in (name, *CK4GEN_ADDED[name]):
            del old._model.__dict__[attribute]
    loaded = pickle.loads(pickle.dumps(old))
    for name in later:
        assert loaded.get_parameters()[name] == CK4Gen.LEGACY_PARAMS[name]
        assert getattr(loaded._model, name) == CK4Gen.LEGACY_PARAMS[name]
    assert len(single_table(loaded.sample(5))) == 5


def test_a_ck4gen_saved_before_teacher_knots_loads_with_its_linear_teacher(gbsg2):
    """Such a save holds the teacher's linear columns as ``_design_index``."""
    synthesizer = CK4GenSynthesizer(metadata_for(gbsg2), "time", "cens", epochs=2, teacher_knots=0)
    synthesizer.fit(gbsg2.data)
    old = copy.deepcopy(synthesizer)
    del old.__dict__["teacher_knots"]
    core = old._model.__dict__
    del core["teacher_knots"]
    core["_design_index"] = core.pop("_design").index
    loaded = pickle.loads(pickle.dumps(old))
    assert loaded.get_parameters()["teacher_knots"] == 0 and loaded._model.teacher_knots == 0
    assert loaded._model._design.names == tuple(synthesizer._model.design_columns_)
    assert len(single_table(loaded.sample(5))) == 5


# ------------------------------------------------------------------ 2. enable_gpu
def test_enable_gpu_maps_to_the_core_device(heart, gbsg2, med_vae, ctabgan, ck4gen, lstm):
    assert med_vae.get_parameters()["enable_gpu"] is False
    assert med_vae._model.device == "cpu"
    assert ctabgan.get_parameters()["enable_gpu"] is False and ctabgan._model.device == "cpu"
    assert CTABGANPlusSynthesizer(metadata_for(heart))._new_model({}).device == "auto"
    assert ck4gen.get_parameters()["enable_gpu"] is True and ck4gen._model.device == "auto"
    assert lstm.get_parameters()["enable_gpu"] is True and lstm._model.device == "auto"
    for cls, args in (
        (MedVAESynthesizer, (metadata_for(heart),)),
        (CTABGANPlusSynthesizer, (metadata_for(heart),)),
        (CK4GenSynthesizer, (metadata_for(gbsg2), "time", "cens")),
        (LongitudinalLSTMSynthesizer, (_sequential_metadata(),)),
    ):
        with pytest.raises(InvalidParameterError, match="enable_gpu"):
            cls(*args, enable_gpu="yes")
    # PAR's older name: cuda=False is enable_gpu=False; a contradiction is refused
    par_style = LongitudinalLSTMSynthesizer(_sequential_metadata(), cuda=False)
    assert par_style.get_parameters()["enable_gpu"] is False
    assert "cuda" not in par_style.get_parameters()
    with pytest.raises(InvalidParameterError, match="cuda=True contradicts enable_gpu=False"):
        LongitudinalLSTMSynthesizer(_sequential_metadata(), cuda=True, enable_gpu=False)


# ------------------------------------------------------------------ 3. conditions
@pytest.mark.parametrize(
    ("condition", "words"),
    [
        ({"sex": 7}, ["sex=7", "known values: [1, 0]"]),
        ({"nope": 1}, ["unknown column 'nope'"]),
        ({"age": 1000.0}, ["age=1000.0", "training range"]),
        ({"ejection_fraction": 38.5}, ["holds whole numbers", "use e.g. 38"]),
    ],
)
def test_conditions_are_checked_before_sdv_samples(med_vae, condition, words):
    with pytest.raises(InvalidParameterError) as error:
        med_vae.sample_from_conditions([Condition(condition, num_rows=5)])
    assert "Sampling terminated" not in str(error.value)
    assert all(word in _first_line(error) for word in words), _first_line(error)
    # the core's 'present'/'absent' rules are not conditions SDV can pass
    assert "present" not in _first_line(error)


@pytest.mark.parametrize("saved_to", [None, "partial.csv"])
def test_the_suites_error_surfaces_unless_sdv_saved_partial_results(saved_to):
    """SDV wraps an error raised while sampling in "Sampling terminated"; the suite's own
    error is shown instead, except where SDV's message says where partial rows were saved
    (the suite's error stays its cause)."""
    from sdv.single_table.utils import handle_sampling_error

    from synth_plugins.sdv._contract import _own_errors_surface

    ours = InvalidParameterError("cannot reach 5 rows with group='z'")
    with pytest.raises(InvalidParameterError) as error, _own_errors_surface():
        try:
            raise ours
        except InvalidParameterError as raised:
            handle_sampling_error(saved_to, raised)
    if saved_to is None:
        assert error.value is ours
    else:
        assert "Partial results are stored in partial.csv" in str(error.value)
        assert error.value.__cause__ is ours


def test_med_vae_enforces_conditions_in_the_core(med_vae, monkeypatch):
    """SDV keeps only rows that hold every condition: the core's rejection, with drawn
    levels, finds them even where a weak fit (2 epochs here) rarely decodes the asked level,
    and a number asked for is given to every row."""
    calls = []
    sample = med_vae._model.sample

    def recording(n, **kwargs):
        calls.append(kwargs.get("enforce_conditions", False))
        return sample(n, **kwargs)

    monkeypatch.setattr(med_vae._model, "sample", recording)
    rows = single_table(med_vae.sample_from_conditions([Condition({"sex": 0}, num_rows=8)]))
    assert len(rows) == 8 and (rows["sex"] == 0).all()
    assert calls and calls[-1] is True
    # a number is given to every row, decoded from the training rows that hold it
    rows = single_table(med_vae.sample_from_conditions([Condition({"age": 75.0}, num_rows=6)]))
    assert len(rows) == 6 and (rows["age"] == 75.0).all()


def _core_conditions(synthesizer: MedVAESynthesizer, monkeypatch) -> list:
    """The conditions of every call SDV makes of the synthesizer's core (None: none)."""
    calls: list = []
    sample = synthesizer._model.sample

    def recording(n, **kwargs):
        calls.append(kwargs.get("conditions"))
        return sample(n, **kwargs)

    monkeypatch.setattr(synthesizer._model, "sample", recording)
    return calls


def test_med_vae_min_library_size_is_a_synthesizer_argument(med_vae, heart, monkeypatch):
    """A number fewer than 5 training rows hold is not decoded from their posteriors (rows
    would come close to those patients): SDV's rejection sampling keeps the rows of the
    whole model that hold it. The synthesizer takes min_library_size (the error it gave
    named an option no host accepted); lowered, the library serves the number."""
    ages = heart.data["age"].value_counts()
    rare = 56.0
    assert ages[rare] == 1
    calls = _core_conditions(med_vae, monkeypatch)
    rows = single_table(med_vae.sample_from_conditions([Condition({"age": rare}, num_rows=3)]))
    assert len(rows) == 3 and (rows["age"] == rare).all()
    assert calls and all(conditions is None for conditions in calls)
    loose = MedVAESynthesizer(metadata_for(heart), epochs=2, min_library_size=1)
    loose.fit(heart.data)
    assert loose.get_parameters()["min_library_size"] == 1
    rounds = MedVAESynthesizer(metadata_for(heart), max_rejection_rounds=3)
    assert rounds._new_model({}).max_rejection_rounds == 3
    calls = _core_conditions(loose, monkeypatch)
    rows = single_table(loose.sample_from_conditions([Condition({"age": rare}, num_rows=3)]))
    assert (rows["age"] == rare).all()
    assert calls[-1] == {"age": rare}


@pytest.fixture(scope="module")
def clinic() -> pd.DataFrame:
    """Ages and one-decimal BMIs that few rows share each, and visits on three dates."""
    rng = np.random.default_rng(0)
    n = 300
    return pd.DataFrame(
        {
            "sex": rng.choice(["F", "M"], n),
            "age": rng.normal(60, 8, n).round(),
            "bmi": rng.normal(27, 3, n).round(1),
            "seen": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 3, n) * 30, unit="D"),
        }
    )


def _clinic_metadata() -> Metadata:
    sdtypes = {"sex": "categorical", "age": "numerical", "bmi": "numerical", "seen": "datetime"}
    columns = {column: {"sdtype": sdtype} for column, sdtype in sdtypes.items()}
    return Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {"clinic": {"columns": columns}}}
    )


@pytest.fixture(scope="module")
def clinic_vae(clinic):
    synthesizer = MedVAESynthesizer(_clinic_metadata(), epochs=5, random_state=0, enable_gpu=False)
    synthesizer.fit(clinic)
    return synthesizer


def test_med_vae_leaves_a_number_few_rows_hold_to_sdv(clinic_vae, clinic, monkeypatch):
    """As GaussianCopula and the suite's other synthesizers: a number fewer than
    min_library_size training rows hold (or none) is met by SDV's rejection sampling from
    the whole model (SDV matches floats to 1 % and writes the value in), where Med-VAE
    refused it ("only 2 training rows satisfy all conditions")."""
    rare = 27.2
    assert 1 <= (clinic["bmi"] == rare).sum() < 5
    calls = _core_conditions(clinic_vae, monkeypatch)
    for bmi in (rare, 27.35):  # held by 1 to 4 training rows; by none
        conditions = [Condition({"bmi": bmi, "sex": "F"}, num_rows=5)]
        rows = single_table(clinic_vae.sample_from_conditions(conditions))
        assert len(rows) == 5 and (rows["bmi"] == bmi).all() and (rows["sex"] == "F").all()
    assert calls and all(conditions is None for conditions in calls)
    # a level many rows hold is still decoded from their library
    rows = single_table(clinic_vae.sample_from_conditions([Condition({"sex": "F"}, num_rows=5)]))
    assert (rows["sex"] == "F").all() and calls[-1] == {"sex": "F"}


def test_med_vae_takes_known_numbers_that_few_rows_hold(clinic_vae, clinic):
    """sample_remaining_columns gave Med-VAE's error at the first known number that fewer
    than min_library_size training rows hold; SDV's rejection sampling meets it."""
    known = pd.DataFrame({"bmi": [26.5, 27.2, 28.2]})
    assert (clinic["bmi"].value_counts()[known["bmi"]] < 5).all()
    rows = single_table(clinic_vae.sample_remaining_columns(known))
    assert rows["bmi"].tolist() == known["bmi"].tolist()


def test_med_vae_leaves_a_date_condition_to_sdv(clinic_vae, clinic, monkeypatch):
    """Med-VAE generates dates as times and takes no condition on them: SDV's rejection
    sampling meets one, where the synthesizer refused it."""
    day = clinic["seen"].iloc[0]
    calls = _core_conditions(clinic_vae, monkeypatch)
    rows = single_table(clinic_vae.sample_from_conditions([Condition({"seen": day}, num_rows=4)]))
    assert len(rows) == 4 and (rows["seen"] == day).all()
    assert calls and all(conditions is None for conditions in calls)


def test_a_core_error_says_where_sdv_rewrote_the_conditions(clinic, monkeypatch):
    """The core names the conditions it gets: after update_transformers, SDV's (sex=1 for
    sex='F', time=1.0986 for time=3 under a LogScaler); a note names the transformers, as
    one names SDV's constraints where they took part."""
    from rdt.transformers.categorical import LabelEncoder
    from sdv.cag import Inequality

    def quick() -> MedVAESynthesizer:
        return MedVAESynthesizer(
            _clinic_metadata(), epochs=1, random_state=0, max_rejection_rounds=1, enable_gpu=False
        )

    relabelled = quick()
    relabelled.auto_assign_transformers(native(clinic, relabelled.metadata))
    relabelled.update_transformers({"sex": LabelEncoder()})
    relabelled.fit(clinic)
    constrained = quick()
    constrained.add_constraints([Inequality(low_column_name="bmi", high_column_name="age")])
    constrained.fit(clinic[clinic["bmi"] < clinic["age"]])
    asked = [Condition({"sex": "F"}, num_rows=900)]  # 1 round cannot reach 900 such rows
    with pytest.raises(
        InvalidParameterError, match=r"cannot reach 900 rows satisfying sex=1"
    ) as error:
        relabelled.sample_from_conditions(asked)
    notes = " ".join(error.value.__notes__)
    assert "transformers rewrite them" in notes and "('sex': LabelEncoder)" in notes
    assert "constraints" not in notes
    with pytest.raises(
        InvalidParameterError, match=r"cannot reach 900 rows satisfying sex='F'"
    ) as error:
        constrained.sample_from_conditions(asked)
    assert "as SDV's constraints rewrite them" in " ".join(error.value.__notes__)
    assert "transformers" not in " ".join(error.value.__notes__)

    def refusing(conditions):
        raise InvalidParameterError(f"refused {conditions}")

    # the check before SDV samples names the transformed values too
    monkeypatch.setattr(relabelled._model, "can_condition", refusing)
    with pytest.raises(InvalidParameterError, match=r"refused \{'sex': 1\}") as error:
        relabelled.sample_remaining_columns(pd.DataFrame({"sex": ["F"]}))
    assert "('sex': LabelEncoder)" in " ".join(error.value.__notes__)


def test_a_core_error_while_sampling_is_not_hidden_by_sdv(med_vae, monkeypatch):
    sample = med_vae._model.sample

    def unreachable(n, **kwargs):
        if n and kwargs.get("conditions"):
            raise InvalidParameterError("enforce_conditions cannot reach 8 rows satisfying sex=0")
        return sample(n, **kwargs)

    monkeypatch.setattr(med_vae._model, "sample", unreachable)
    with pytest.raises(InvalidParameterError, match="cannot reach 8 rows") as error:
        med_vae.sample_from_conditions([Condition({"sex": 0}, num_rows=8)])
    assert "Sampling terminated" not in str(error.value)


def test_known_columns_are_checked_before_sdv_samples(med_vae):
    with pytest.raises(InvalidParameterError, match="sex=7") as error:
        med_vae.sample_remaining_columns(pd.DataFrame({"sex": [7, 1]}))
    assert "known values" in _first_line(error)
    sampled = single_table(med_vae.sample_remaining_columns(pd.DataFrame({"sex": [0, 1, 1]})))
    assert sampled["sex"].tolist() == [0, 1, 1]


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        ({"sex": 7}, ["sex=7", "known values: [1, 0]"]),
        ({"nope": 1}, ["unknown column 'nope'"]),
        ({"age": 1000.0}, ["age=1000.0", "training range"]),
        ({"ejection_fraction": 38.5}, ["holds whole numbers", "use e.g. 38"]),
    ],
)
def test_ctabgan_conditions_are_checked_before_sdv_samples(ctabgan, condition, words):
    with pytest.raises(InvalidParameterError) as error:
        ctabgan.sample_from_conditions([Condition(condition, num_rows=5)])
    assert "Sampling terminated" not in str(error.value)
    assert all(word in _first_line(error) for word in words), _first_line(error)


def test_ctabgan_levels_are_met_through_the_conditional_vector(ctabgan):
    rows = single_table(
        ctabgan.sample_from_conditions([Condition({"sex": 0, "smoking": 1}, num_rows=20)])
    )
    assert len(rows) == 20 and (rows["sex"] == 0).all() and (rows["smoking"] == 1).all()
    known = single_table(ctabgan.sample_remaining_columns(pd.DataFrame({"sex": [0, 1, 1]})))
    assert known["sex"].tolist() == [0, 1, 1]


def test_ck4gen_conditions_are_checked(ck4gen):
    with pytest.raises(InvalidParameterError) as error:
        ck4gen.sample_from_conditions([Condition({"horTh": "maybe"}, num_rows=5)])
    assert "horTh='maybe'" in _first_line(error) and "['no', 'yes']" in _first_line(error)


# ------------------------------------------------------------------ 4. CK4Gen outcomes
@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("time", np.nan, "missing value"),
        ("time", 0.0, "<= 0"),
        ("cens", 2, "0/1"),
    ],
)
def test_ck4gen_checks_raw_outcomes_before_sdv(gbsg2, column, value, words):
    data = gbsg2.data.copy()
    data[column] = data[column].astype(float)
    data.loc[:4, column] = value
    synthesizer = CK4GenSynthesizer(metadata_for(gbsg2), "time", "cens", epochs=1)
    for call in (synthesizer.fit, synthesizer.validate):
        with pytest.raises(InvalidDataError, match=words) as error:
            call(data)
        assert repr(column) in str(error.value)


def test_ck4gen_writes_events_as_the_training_column_does(gbsg2):
    """An event column of category "0"/"1" came back NaN in every row."""
    data = gbsg2.data.assign(cens=gbsg2.data["cens"].astype(str).astype("category"))
    synthesizer = CK4GenSynthesizer(metadata_for(gbsg2), "time", "cens", epochs=1)
    synthesizer.fit(data)
    events = single_table(synthesizer.sample(100))["cens"]
    assert events.notna().all() and set(events) == {"0", "1"}
    assert events.dtype == data["cens"].dtype


# ------------------------------------------------------------------ 6. sample, load, ...
def test_sample_counts(med_vae, ctabgan, ck4gen, lstm, heart, gbsg2, visits):
    for synthesizer, data in ((med_vae, heart.data), (ctabgan, heart.data), (ck4gen, gbsg2.data)):
        empty = single_table(synthesizer.sample(0))
        assert empty.empty and list(empty.columns) == list(data.columns)
        assert (empty.dtypes == data.dtypes).all()
        for bad in (-1, 2.5, True):
            with pytest.raises(InvalidParameterError, match="num_rows"):
                synthesizer.sample(bad)
    empty = single_table(lstm.sample(0))
    assert empty.empty and list(empty.columns) == list(visits.columns)
    with pytest.raises(InvalidParameterError, match="num_sequences"):
        lstm.sample(-2)


def test_sample_of_no_rows_does_what_sdv_does_with_the_other_arguments(med_vae, heart, tmp_path):
    """SDV's own synthesizers check and act on the output path for 0 rows too (SDV 2
    creates the folder); ours did not reach SDV then."""
    from sdv.single_table import GaussianCopulaSynthesizer

    own = GaussianCopulaSynthesizer(metadata_for(heart))
    own.fit(native(heart.data, own.metadata))
    key = "output_folder_path" if SDV_MAJOR >= 2 else "output_file_path"
    for name, synthesizer in (("sdv", own), ("suite", med_vae)):
        path = tmp_path / (name if SDV_MAJOR >= 2 else f"{name}.csv")
        synthesizer.sample(0, **{key: str(path)})
        assert path.exists() == (SDV_MAJOR >= 2), name
    empty = single_table(med_vae.sample(0, **{key: str(tmp_path / "again")}))
    assert empty.empty and list(empty.columns) == list(heart.data.columns)


def test_get_parameters_lists_every_hyper_parameter(heart, gbsg2):
    for synthesizer in (
        MedVAESynthesizer(metadata_for(heart)),
        CTABGANPlusSynthesizer(metadata_for(heart)),
        CK4GenSynthesizer(metadata_for(gbsg2), "time", "cens"),
        LongitudinalLSTMSynthesizer(_sequential_metadata()),
    ):
        expected = set(inspect.signature(type(synthesizer).__init__).parameters)
        expected -= {"self", "metadata", "cuda"}
        parameters = synthesizer.get_parameters()
        assert set(parameters) == expected
        rebuilt = type(synthesizer)(synthesizer.get_metadata(), **parameters)
        assert rebuilt.get_parameters() == parameters


def test_every_core_hyper_parameter_reaches_the_core(heart, gbsg2):
    """Arguments the SDV adapters once lacked (CK4Gen's early stopping, encoder, decoder and
    copy handling; Med-VAE's network and clipping; the LSTM's Stage A and batch size)."""
    ck4gen = {
        "validation_fraction": 0.2, "patience": 5, "dcm_k": 2, "dcm_gamma": 0.5,
        "n_time_grid": 20, "decoder_hidden": (8, 8), "decoder_loss": "mse",
        "discrete_decoding": "threshold", "redraw_copies": False, "copy_bins": None,
        "sample_with_replacement": True,
    }  # fmt: skip
    med_vae = {
        "leaky_relu_slope": 0.1, "batch_norm": False, "numerical_activation": "linear",
        "loss_weights": {"numerical": 10.0}, "clipvalue": None,
    }  # fmt: skip
    lstm = {"static_params": {"beta": 0.1}, "sample_batch_size": 16}
    cases = (
        (CK4GenSynthesizer(metadata_for(gbsg2), "time", "cens", **ck4gen), ck4gen, ({},)),
        (MedVAESynthesizer(metadata_for(heart), **med_vae), med_vae, ({},)),
        (LongitudinalLSTMSynthesizer(_sequential_metadata(), **lstm), lstm, ({}, None)),
    )
    for synthesizer, arguments, model_args in cases:
        core = synthesizer._new_model(*model_args)
        for name, value in arguments.items():
            assert synthesizer.get_parameters()[name] == value, name
            expected = {**core.loss_weights, **value} if name == "loss_weights" else value
            assert getattr(core, name) == expected, name


def test_a_ck4gen_saved_before_its_later_arguments_loads_with_the_core_defaults(ck4gen):
    from synth_plugins.sdv.ck4gen import _ADDED

    old = copy.deepcopy(ck4gen)
    for name in _ADDED:  # as saved before the synthesizer took them
        del old.__dict__[name]
    loaded = pickle.loads(pickle.dumps(old))
    defaults = CK4Gen.__init__.__kwdefaults__
    assert all(loaded.get_parameters()[name] == defaults[name] for name in _ADDED)
    assert loaded._new_model({}).get_params() == ck4gen._new_model({}).get_params()


def test_loss_values_per_epoch_as_sdv_reports_them(med_vae, ctabgan, ck4gen, lstm, heart):
    """SDV's CTGAN/TVAE API: a frame of losses per epoch, a plotly figure, an error unfitted."""
    from sdv.errors import NotFittedError

    expected = {
        "med_vae": ("Loss", "Validation Loss", "KL Loss", "KL Weight"),
        "ctabgan": ("Generator Loss", "Discriminator Loss"),
        "ck4gen": ("Encoder Loss", "Encoder Validation Loss", "Decoder Loss"),
        "lstm": ("Loss", "Validation Loss"),
    }
    fitted = {"med_vae": med_vae, "ctabgan": ctabgan, "ck4gen": ck4gen, "lstm": lstm}
    for name, synthesizer in fitted.items():
        losses = synthesizer.get_loss_values()
        history = synthesizer._model.history_
        assert list(losses.columns[:1]) == ["Epoch"] and set(expected[name]) <= set(losses)
        assert len(losses) == max(map(len, history.values())) and losses["Epoch"].iloc[0] == 0
        assert np.isfinite(losses.drop(columns="Epoch").to_numpy()).all(), name  # equal stages
        figure = synthesizer.get_loss_values_plot()
        assert figure.layout.title.text.endswith("loss function")
        assert {trace.name for trace in figure.data} == set(losses.columns) - {"Epoch"}
    unfitted = MedVAESynthesizer(metadata_for(heart))
    with pytest.raises(NotFittedError, match="fit your synthesizer first"):
        unfitted.get_loss_values()


def test_loss_frame_pads_a_stage_that_stopped_earlier():
    from synth_plugins.sdv.loss_values import loss_frame

    frame = loss_frame(
        {"encoder_loss": [3.0, 2.0, 1.5], "encoder_val_loss": [], "decoder_val_loss": [0.5]}
    )  # no validation split while the encoder trained: its column is left out
    assert list(frame.columns) == ["Epoch", "Encoder Loss", "Decoder Validation Loss"]
    assert frame["Epoch"].tolist() == [0, 1, 2]
    assert frame["Decoder Validation Loss"].isna().tolist() == [False, True, True]


def test_get_metadata_and_load_as_sdv(med_vae, lstm, tmp_path):
    from sdv.errors import SynthesizerInputError
    from sdv.utils import load_synthesizer

    for synthesizer in (med_vae, lstm):
        assert isinstance(synthesizer.get_metadata(), Metadata)
        assert synthesizer.get_metadata().to_dict() == synthesizer.metadata.to_dict()
        path = tmp_path / f"{type(synthesizer).__name__}.pkl"
        synthesizer.save(path)
        assert type(load_synthesizer(str(path))) is type(synthesizer)
        if SDV_MAJOR < 2:  # SDV 2 removed the classmethod; load_synthesizer is on both lines
            assert type(type(synthesizer).load(path)) is type(synthesizer)
    if SDV_MAJOR < 2:
        with pytest.raises(SynthesizerInputError, match="MedVAESynthesizer"):
            CK4GenSynthesizer.load(tmp_path / "MedVAESynthesizer.pkl")
    else:
        assert not hasattr(CK4GenSynthesizer, "load")


def test_single_table_id_columns_are_generated(heart):
    data = heart.data.head(120).copy()
    data.insert(0, "record", [f"R{i:04d}" for i in range(len(data))])
    described = metadata_for(heart).to_dict()
    table = next(iter(described["tables"].values()))
    table["columns"] = {"record": {"sdtype": "id"}, **table["columns"]}  # not a key
    synthesizer = MedVAESynthesizer(Metadata.load_from_dict(described), epochs=1)
    synthesizer.fit(data)
    sampled = single_table(synthesizer.sample(50))
    assert not sampled["record"].isin(data["record"]).any()
    assert sampled["record"].is_unique


def _half_missing_bimodal(outcome: bool = False) -> tuple[pd.DataFrame, Metadata]:
    """``x`` near 0 or 10 where ``group`` is "b", missing where it is "a" (mean about 5).

    With ``outcome``, the table also has an unrelated survival outcome (``time``, ``event``).
    """
    rng = np.random.default_rng(0)
    group = rng.choice(["a", "b"], 400)
    value = np.where(rng.random(400) < 0.5, rng.normal(0, 0.5, 400), rng.normal(10, 0.5, 400))
    data = pd.DataFrame({"group": group, "x": np.where(group == "a", np.nan, value)})
    roles = {"group": "categorical", "x": "numerical"}
    if outcome:
        data["time"] = rng.exponential(10.0, 400) + 0.1
        data["event"] = rng.integers(0, 2, 400)
        roles.update(time="numerical", event="binary")
    return data, Metadata.load_from_dict(metadata_dict(data, roles, "table"))


#: Synthesizers whose core models missing numbers: (factory, quick options of the test,
#: whether the table needs a survival outcome).
_MISSING_AWARE = {
    "med_vae": (MedVAESynthesizer, {"epochs": 40}, False),  # a missingness indicator
    "ctabgan_plus": (CTABGANPlusSynthesizer, {"epochs": 300}, False),  # a missing mode
    "ck4gen": (  # a missingness indicator, drawn in model mode
        partial(CK4GenSynthesizer, duration_column="time", event_column="event"),
        # without the level calibration, which loosens this table's tie of ``group`` to
        # x's missingness (method card, *Level calibration*, limits)
        {
            "outcome": "model",
            "calibrate_levels": False,
            "epochs": 100,
            "batch_size": 200,
            "lr": 0.005,
        },
        True,
    ),
}


@pytest.mark.parametrize("argument", ["enforce_min_max_values", "enforce_rounding"])
def test_enforcement_switched_off_is_refused_not_ignored(heart, gbsg2, argument):
    """SDV's own synthesizers return unrounded or out-of-range values with ``False``; the
    suite's cores keep the training range and precision whatever SDV asks, so ``False``
    was silently ignored (it is refused, naming the argument, as SDV users catch it)."""
    from sdv.errors import SynthesizerInputError

    makers = [
        (MedVAESynthesizer, heart),
        (CTABGANPlusSynthesizer, heart),
        (MLECopulaSynthesizer, heart),
        (partial(CK4GenSynthesizer, duration_column="time", event_column="cens"), gbsg2),
    ]
    for make, dataset in makers:
        metadata = metadata_for(dataset)
        with pytest.raises(SynthesizerInputError, match=f"{argument}=False is not supported"):
            make(metadata, **{argument: False})
        assert make(metadata, **{argument: True}).get_parameters()[argument] is True


@pytest.mark.parametrize("name", sorted(_MISSING_AWARE))
def test_core_models_missing_numbers_itself(name: str) -> None:
    """SDV's default numerical transformer fills the mean and blanks values at random when
    sampling; these cores receive the missing values, so missingness keeps its tie to the
    other columns and no generated value sits at the fill."""
    synthesizer_class, options, outcome = _MISSING_AWARE[name]
    data, metadata = _half_missing_bimodal(outcome)
    synthesizer = synthesizer_class(metadata, enable_gpu=False, random_state=0, **options)
    synthesizer.fit(data)
    sampled = single_table(synthesizer.sample(1000))
    missing = sampled["x"].isna()
    assert missing[sampled["group"] == "a"].mean() > 0.9
    assert missing[sampled["group"] == "b"].mean() < 0.1
    assert sampled["x"].dropna().between(2.5, 7.5).mean() < 0.05  # the mean: about 5


@pytest.mark.parametrize("name", ["ck4gen", "med_vae"])
def test_missing_error_policy_reaches_the_core(name: str) -> None:
    """``missing="error"`` refuses missing numbers through SDV too; SDV's mean fill hid them."""
    synthesizer_class, options, outcome = _MISSING_AWARE[name]
    data, metadata = _half_missing_bimodal(outcome)
    synthesizer = synthesizer_class(metadata, enable_gpu=False, missing="error", **options)
    with pytest.raises(InvalidDataError, match="'x'"):
        synthesizer.fit(data)


def test_mle_copula_fits_marginals_on_observed_numbers():
    """With SDV's mean fill, half of ``x`` would sit at the mean and the fitted marginal
    would be too narrow by about 1/sqrt(2); the core sees the observed values only."""
    rng = np.random.default_rng(1)
    x = rng.normal(10, 2, 400)
    data = pd.DataFrame(
        {"x": np.where(rng.random(400) < 0.5, np.nan, x), "y": rng.normal(size=400)}
    )
    roles = {"x": "numerical", "y": "numerical"}
    metadata = Metadata.load_from_dict(metadata_dict(data, roles, "table"))
    synthesizer = MLECopulaSynthesizer(metadata)
    synthesizer.fit(data)
    sampled = single_table(synthesizer.sample(2000))
    assert 0.4 < sampled["x"].isna().mean() < 0.6
    observed_sd = data["x"].std()
    assert abs(sampled["x"].std() - observed_sd) < 0.15 * observed_sd


# ------------------------------------------------------------------ 5. PAR's contract
def test_datetime_index_unsorted_rows_fresh_keys_and_ids(lstm, visits):
    sampled = single_table(lstm.sample(12))
    assert list(sampled.columns) == list(visits.columns)
    assert sampled["visit_time"].dtype == visits["visit_time"].dtype
    assert sampled["patient"].nunique() == 12
    # fresh keys and ids: never a training value
    for column in ("patient", "record", "visit_id"):
        assert not sampled[column].isin(visits[column]).any(), column
    assert (sampled.groupby("patient")["record"].nunique() == 1).all()  # one per sequence
    assert sampled["visit_id"].is_unique  # varies within sequences: one per row
    # datetimes are modelled as times, not copied; visits strictly increase in time
    for column in ("visit_time", "birth"):
        assert sampled[column].isin(visits[column]).mean() < 0.1, column
    steps = sampled.groupby("patient")["visit_time"].diff().dropna()
    assert (steps > pd.Timedelta(0)).all()
    low, high = visits["visit_time"].min(), visits["visit_time"].max()
    assert sampled["visit_time"].between(low - pd.Timedelta(days=1), high).all()


@pytest.mark.parametrize("written", ["datetime64", "text"])
def test_dates_of_a_small_cohort_are_generated_not_copied(written):
    """20 sequences: the adapter gave the core the birth dates as numbers of days, which
    its ``discrete_levels`` rule (at most 25 values) made levels: every sampled date was a
    training patient's. The core models datetimes itself (role ``datetime``)."""
    visits = _visits(n_patients=20, seed=3)
    visits["birth"] = visits["birth"].dt.normalize()  # whole days, as a date of birth
    time_format = None
    if written == "text":  # day first, declared: read and written in the metadata's format
        time_format = "%d/%m/%Y"
        visits["birth"] = visits["birth"].dt.strftime(time_format)
    metadata = _sequential_metadata()
    if time_format:
        described = metadata.to_dict()
        described["tables"]["visits"]["columns"]["birth"]["datetime_format"] = time_format
        metadata = Metadata.load_from_dict(described)
    synthesizer = LongitudinalLSTMSynthesizer(
        metadata, context_columns=["record", "birth", "sex"], **LSTM_QUICK
    )
    synthesizer.fit(visits)
    assert synthesizer._model is not None and synthesizer._model.roles_["birth"] == "datetime"
    sampled = single_table(synthesizer.sample(60)).drop_duplicates("patient")
    assert sampled["birth"].dtype == visits["birth"].dtype
    births = sampled["birth"]
    if time_format:
        births = pd.to_datetime(births, format=time_format)  # every value in the format
    assert (births == births.dt.normalize()).all()  # at the training resolution (days)
    # 20 training dates over about 11,500 days: a fresh date equals one by chance 0.2 %
    assert sampled["birth"].isin(visits["birth"]).mean() <= 0.05


def test_sampling_for_given_context_is_refused_with_the_reason(lstm, visits):
    context = visits.drop_duplicates("patient").head(3)
    with pytest.raises(InvalidParameterError, match="cannot sample visits for given context"):
        lstm.sample_sequential_columns(context)


def test_predict_next_visit_keeps_history_keys(lstm, visits):
    history = visits[visits["patient"].isin([101, 102])]
    predicted = lstm.predict_next_visit(history)
    assert predicted["patient"].tolist() == [101, 102]
    last = history.groupby("patient")["visit_time"].max().to_numpy()
    assert (predicted["visit_time"].to_numpy() > last).all()


def test_string_datetime_index_and_text_keys():
    visits = _visits(n_patients=20, seed=1)
    visits["visit_time"] = visits["visit_time"].dt.strftime("%d/%m/%Y %H:%M:%S")
    visits["patient"] = "P" + visits["patient"].astype(str)
    metadata = _sequential_metadata(time_format="%d/%m/%Y %H:%M:%S")
    synthesizer = LongitudinalLSTMSynthesizer(metadata, **LSTM_QUICK)
    synthesizer.fit(visits)
    sampled = single_table(synthesizer.sample(5))
    assert (
        sampled["visit_time"]
        .map(lambda v: bool(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", v)))
        .all()
    )
    assert not sampled["visit_time"].isin(visits["visit_time"]).any()
    assert sampled["patient"].str.startswith("synthetic_").all()
    times = pd.to_datetime(sampled["visit_time"], format="%d/%m/%Y %H:%M:%S")
    assert (times.groupby(sampled["patient"]).diff().dropna() > pd.Timedelta(0)).all()


def _visits_with_text_dates(n_patients: int = 30, seed: int = 4) -> pd.DataFrame:
    """Visits on whole days written ``2020-01-31``, a birth date written ``31/01/1950``
    (constant within patients) and a lab date per visit written as the visit's."""
    visits = _visits(n_patients=n_patients, seed=seed)
    days = visits["visit_time"].dt.normalize()
    lab_on = days - pd.to_timedelta(np.arange(len(visits)) % 7, "D")
    return visits.assign(
        visit_time=days.dt.strftime("%Y-%m-%d"),
        birth=visits["birth"].dt.strftime("%d/%m/%Y"),
        lab_on=lab_on.dt.strftime("%Y-%m-%d"),
    )


def test_sequential_metadata_declares_dates_written_as_text():
    """A sequence index of dates written as text was declared ``numerical``, given the
    role ``datetime`` or not: SDV's validation then refused every value ("Invalid values
    found for numerical column"). It is ``datetime`` with its format, as every other column
    of dates written as text, also through ``sequential_metadata_for``."""
    visits = _visits_with_text_dates()
    day = {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"}
    for roles in (None, {"visit_time": "datetime"}):
        described = sequential_metadata_dict(visits, "patient", "visit_time", roles=roles)
        columns = described["tables"]["table"]["columns"]
        assert columns["visit_time"] == day
        assert columns["birth"] == {"sdtype": "datetime", "datetime_format": "%d/%m/%Y"}
        assert columns["lab_on"] == day
        assert list(columns) == list(visits.columns)
    dataset = Dataset(
        name="dated",
        kind="longitudinal",
        data=visits,
        roles={
            "record": "identifier",
            "birth": "datetime",
            "sex": "binary",
            "visit_id": "identifier",
            "score": "numerical",
            "lab_on": "datetime",
        },
        id_column="patient",
        time_column="visit_time",
        static_columns=("record", "birth", "sex"),
        visit_columns=("visit_id", "score", "lab_on"),
    )
    assert sequential_metadata_for(dataset).to_dict()["tables"]["dated"]["columns"] == columns
    # datetimes and numbers keep their sdtypes; a datetime role on numbers is named
    as_datetimes = visits.assign(visit_time=pd.to_datetime(visits["visit_time"]))
    as_days = visits.assign(visit_time=(as_datetimes["visit_time"] - pd.Timestamp(0)).dt.days)
    index = {"sdtype": "datetime"}, {"sdtype": "numerical"}
    for table, sdtype in zip((as_datetimes, as_days), index, strict=True):
        described = sequential_metadata_dict(table, "patient", "visit_time")
        assert described["tables"]["table"]["columns"]["visit_time"] == sdtype
    with pytest.raises(InvalidDataError, match="'visit_time' has role 'datetime' but holds"):
        sequential_metadata_dict(as_days, "patient", "visit_time", {"visit_time": "datetime"})


def test_metadata_refuses_dates_and_numbers_with_a_few_stray_values():
    """One ``"unknown"`` among dates written as text was declared sdtype ``id`` (fresh keys,
    every date lost), one censored ``"<5"`` among lab values ``categorical`` (training
    values copied), and an ``"unknown"`` visit date made the sequence index ``numerical``,
    which SDV refused listing valid dates. The suite's error names the column and the
    values; a declared sdtype is honoured."""
    visits = _visits_with_text_dates()
    visits["score"] = visits["score"].round(2).astype(object)
    stray_date = visits.assign(lab_on=visits["lab_on"].where(visits.index != 3, "unknown"))
    stray_lab = visits.assign(score=visits["score"].where(visits.index != 4, "<5"))
    for table, column, what, value in (
        (stray_date, "lab_on", "dates in the format '%Y-%m-%d'", "unknown"),
        (stray_lab, "score", "numbers", "<5"),
    ):
        expected = rf"'{column}' holds {what} except for 1 distinct value: '{value}' \(1 row\)"
        for describe in (
            partial(metadata_dict, table.drop(columns=["patient"]), {}),
            partial(sequential_metadata_dict, table, "patient", "visit_time"),
        ):
            with pytest.raises(InvalidDataError, match=expected + ".*'categorical'"):
                describe()
        described = metadata_dict(table, {column: "categorical", "patient": "identifier"})
        assert described["tables"]["table"]["columns"][column] == {"sdtype": "categorical"}
    stray_time = visits.assign(visit_time=visits["visit_time"].where(visits.index != 3, "unknown"))
    with pytest.raises(
        InvalidDataError,
        match=r"time column 'visit_time' holds dates in the format '%Y-%m-%d' except for 1 "
        r"distinct value: 'unknown' \(1 row\); it orders the visits",
    ):
        sequential_metadata_dict(stray_time, "patient", "visit_time")
    words = visits.assign(visit_time=np.where(visits.index % 2, "early", "late"))
    with pytest.raises(InvalidDataError, match="'visit_time' holds text that is neither"):
        sequential_metadata_dict(words, "patient", "visit_time")


def test_lstm_generates_dates_written_as_text_with_the_suites_metadata():
    """Fitting on the suite's own metadata for visits dated as text failed in SDV's
    validation. The dates come back as text in the training format, strictly increasing
    within each patient, inside the training span, and no patient's dates are a copy."""
    visits = _visits_with_text_dates()
    metadata = Metadata.load_from_dict(
        sequential_metadata_dict(visits, "patient", "visit_time", table_name="visits")
    )
    synthesizer = LongitudinalLSTMSynthesizer(metadata, random_state=0, **LSTM_QUICK)
    synthesizer.fit(visits)
    sampled = single_table(synthesizer.sample(40))
    for column, pattern in (
        ("visit_time", r"\d{4}-\d\d-\d\d"),
        ("lab_on", r"\d{4}-\d\d-\d\d"),
        ("birth", r"\d\d/\d\d/\d{4}"),
    ):
        assert sampled[column].str.fullmatch(pattern).all(), column
    times = pd.to_datetime(sampled["visit_time"], format="%Y-%m-%d")
    assert (times.groupby(sampled["patient"]).diff().dropna() > pd.Timedelta(0)).all()
    real = pd.to_datetime(visits["visit_time"], format="%Y-%m-%d")
    assert times.between(real.min(), real.max()).all()
    sequences = set(visits.groupby("patient")["visit_time"].agg(tuple))
    assert not sampled.groupby("patient")["visit_time"].agg(tuple).isin(sequences).any()


def test_no_sequence_index_uses_row_order():
    visits = _visits(n_patients=20, seed=2).drop(columns=["visit_time"])
    synthesizer = LongitudinalLSTMSynthesizer(_sequential_metadata(index=None), **LSTM_QUICK)
    synthesizer.fit(visits)
    sampled = single_table(synthesizer.sample(4))
    assert list(sampled.columns) == list(visits.columns)
    assert sampled["patient"].nunique() == 4


def test_unsupported_sdtypes_and_missing_keys_are_named(visits):
    described = _sequential_metadata().to_dict()
    described["tables"]["visits"]["columns"]["sex"] = {"sdtype": "email", "pii": True}
    synthesizer = LongitudinalLSTMSynthesizer(Metadata.load_from_dict(described), **LSTM_QUICK)
    with pytest.raises(InvalidDataError, match="'sex' has sdtype 'email', which .* not generate"):
        synthesizer.fit(visits.assign(sex="a@b.org"))
    no_key = visits.astype({"patient": float})
    no_key.loc[0, "patient"] = np.nan
    synthesizer = LongitudinalLSTMSynthesizer(_sequential_metadata(), **LSTM_QUICK)
    with pytest.raises(InvalidDataError, match="sequence key 'patient' is missing in 1 row"):
        synthesizer.fit(no_key)


def test_varying_context_is_named_by_our_check_first(visits):
    synthesizer = LongitudinalLSTMSynthesizer(
        _sequential_metadata(), context_columns=["sex"], **LSTM_QUICK
    )
    varying = visits.copy()
    last = varying.index[varying["patient"] == varying["patient"].iloc[0]][-1]
    varying.loc[last, "sex"] = "M" if varying.loc[last, "sex"] == "F" else "F"
    for call in (synthesizer.fit, synthesizer.validate):
        with pytest.raises(InvalidDataError, match="context column 'sex' changes inside"):
            call(varying)


def test_long_table_errors_name_the_users_sequence_keys(visits):
    """Two visits at one time, or a visit without a time, name the key, not its position."""
    text = visits.assign(patient="P" + visits["patient"].astype(str))
    row = text.index[text["patient"] == "P125"][1]  # the 25th sequence
    synthesizer = LongitudinalLSTMSynthesizer(_sequential_metadata(), **LSTM_QUICK)
    with pytest.raises(InvalidDataError, match=r"patients 'P125' have two visits at the same"):
        synthesizer.fit(pd.concat([text, text.loc[[row]]], ignore_index=True))
    no_time = text.copy()
    no_time.loc[row, "visit_time"] = pd.NaT
    with pytest.raises(InvalidDataError, match=r"without a visit: ids 'P125';"):
        synthesizer.fit(no_time)


def test_no_varying_column_names_context_columns(visits):
    """The core's static_columns error reaches the SDV user as context_columns."""
    first_visits = visits.groupby("patient").head(1)
    synthesizer = LongitudinalLSTMSynthesizer(_sequential_metadata(), **LSTM_QUICK)
    with pytest.raises(InvalidParameterError, match="^context_columns is None") as error:
        synthesizer.fit(first_visits)
    assert "static_columns" not in str(error.value)
    assert error.value.parameter == "context_columns"
    every = LongitudinalLSTMSynthesizer(
        _sequential_metadata(), context_columns=["record", "birth", "sex", "score"], **LSTM_QUICK
    )
    with pytest.raises(InvalidParameterError, match="^context_columns names every column"):
        every.fit(visits.assign(score=visits.groupby("patient")["score"].transform("first")))


def test_two_sequences_fit_at_the_default_validation_split(visits):
    two = visits[visits["patient"] <= 102]
    synthesizer = LongitudinalLSTMSynthesizer(_sequential_metadata(), **LSTM_QUICK)
    synthesizer.fit(two)
    assert single_table(synthesizer.sample(3))["patient"].nunique() == 3


# ------------------------------------------------------------------ column types
def _odd_table(n: int = 80, seed: int = 0) -> pd.DataFrame:
    """A small table with a text key, datetimes, dates as text and numbers as text."""
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 3000, n)
    return pd.DataFrame(
        {
            "record": [f"MRN{100000 + 37 * i}" for i in range(n)],
            "seen_on": pd.Timestamp("2012-01-01") + pd.to_timedelta(days, "D"),
            "born": (pd.Timestamp("1950-01-01") + pd.to_timedelta(days * 3, "D")).strftime(
                "%d/%m/%Y"
            ),
            "lab": [f"{v:.2f}" for v in rng.uniform(10, 40, n)],
            "stage": rng.choice(["I", "II", "III"], n),
            "age": np.round(rng.uniform(30, 80, n), 1),
        }
    )


def test_metadata_declares_ids_datetimes_and_numbers_as_text():
    data = _odd_table()
    columns = metadata_dict(data, {})["tables"]["table"]["columns"]
    assert columns["record"] == {"sdtype": "id"}
    assert columns["seen_on"] == {"sdtype": "datetime"}
    assert columns["born"] == {"sdtype": "datetime", "datetime_format": "%d/%m/%Y"}
    assert columns["lab"] == {"sdtype": "numerical"}
    metadata = Metadata.load_from_dict(metadata_dict(data, {}))
    roles = roles_from_metadata(metadata, data)
    assert roles["record"] == "identifier" and roles["lab"] == "numerical"
    assert roles["seen_on"] == roles["born"] == "datetime"
    # after SDV's own datetime transformer (numbers): modelled as numbers
    as_numbers = data.assign(seen_on=data["seen_on"].astype("int64").astype(float))
    assert roles_from_metadata(metadata, as_numbers)["seen_on"] == "numerical"
    with pytest.raises(InvalidDataError, match="'stage' has role 'datetime'"):
        metadata_dict(data, {"stage": "datetime"})


def test_metadata_helpers_refuse_a_numeric_role_on_dates(visits):
    """A numeric role on a column of dates was written as sdtype ``numerical``, and fitting
    failed in SDV: "Invalid values found for numerical column 'seen_on'" (datetimes, and
    dates written as text as a sequence index or in a sequential table), or "could not
    convert string to float: '...'" (dates written as text in a single table). The helpers
    refuse the role, naming the column, the role and the dates, and point to ``datetime``;
    numbers written as text keep a numeric role."""
    data = _odd_table()
    for column in ("seen_on", "born"):  # datetime64, dates written as text
        for role in ("numerical", "integer"):
            with pytest.raises(
                InvalidDataError, match=rf"'{column}' has role '{role}' but holds dates.*'datetime'"
            ):
                metadata_dict(data, {column: role})
    roles = {"lab": "numerical", "seen_on": "datetime", "born": "datetime"}
    columns = metadata_dict(data, roles)["tables"]["table"]["columns"]
    assert columns["lab"] == {"sdtype": "numerical"}
    assert columns["born"] == {"sdtype": "datetime", "datetime_format": "%d/%m/%Y"}
    # the sequence index and an ordinary column, as datetimes and as dates written as text
    for table in (visits, _visits_with_text_dates()):
        for column in ("visit_time", "birth"):
            for role in ("numerical", "integer"):
                with pytest.raises(
                    InvalidDataError,
                    match=rf"'{column}' has role '{role}' but holds dates.*'datetime'",
                ):
                    sequential_metadata_dict(table, "patient", "visit_time", {column: role})


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(
    "name",
    ["MedVAESynthesizer", "CK4GenSynthesizer", "MLECopulaSynthesizer", "CTABGANPlusSynthesizer"],
)
def test_single_table_synthesizers_generate_ids_dates_and_numbers(name):
    import synth_plugins.sdv

    data = _odd_table()
    data["time"] = np.round(np.random.default_rng(1).exponential(300, len(data)) + 1, 1)
    data["event"] = np.resize([0, 1, 1], len(data))
    metadata = Metadata.load_from_dict(metadata_dict(data, {}))
    cls = getattr(synth_plugins.sdv, name)
    options = {"MedVAESynthesizer": {"epochs": 2}, "MLECopulaSynthesizer": {"level": 2}}
    options["CTABGANPlusSynthesizer"] = {"epochs": 2, "enable_gpu": False}
    options["CK4GenSynthesizer"] = {"duration_column": "time", "event_column": "event"}
    options["CK4GenSynthesizer"]["epochs"] = 2
    synthesizer = cls(metadata, **options[name])
    synthesizer.fit(data)
    sampled = single_table(synthesizer.sample(60))
    assert list(sampled.columns) == list(data.columns)
    assert not sampled["record"].isin(data["record"]).any() and sampled["record"].is_unique
    seen = sampled["seen_on"]
    assert seen.dtype == data["seen_on"].dtype
    assert data["seen_on"].min() <= seen.min() and seen.max() <= data["seen_on"].max()
    assert (seen == seen.dt.normalize()).all()  # whole days, as in training
    assert seen.isin(set(data["seen_on"])).mean() < 0.5  # generated, not copied levels
    born = pd.to_datetime(sampled["born"], format="%d/%m/%Y")  # the input's text format
    assert born.notna().all()
    assert sampled["lab"].dtype == np.float64  # numbers written as text come back as numbers
    lab = data["lab"].astype(float)
    assert sampled["lab"].between(lab.min(), lab.max()).all()
    empty = single_table(synthesizer.sample(0))
    assert empty.empty and list(empty.columns) == list(data.columns)
    # keys continue over SDV's batches and calls (each batch numbered them from the first:
    # 100 distinct keys in 300 rows), and start again after reset_sampling, as SDV's do
    batched = single_table(synthesizer.sample(60, batch_size=25))["record"]
    conditions = [Condition({"stage": level}, num_rows=10) for level in ("I", "II")]
    conditioned = single_table(synthesizer.sample_from_conditions(conditions))["record"]
    given = pd.concat([sampled["record"], batched, conditioned])
    assert given.is_unique and not given.isin(data["record"]).any()
    synthesizer.reset_sampling()
    assert single_table(synthesizer.sample(60))["record"].equals(sampled["record"])
    with pytest.raises(InvalidParameterError, match="column 'record': it is an id column"):
        synthesizer.sample_from_conditions([Condition({"record": "MRN100000"}, num_rows=2)])


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(
    "name",
    ["MedVAESynthesizer", "CK4GenSynthesizer", "MLECopulaSynthesizer", "CTABGANPlusSynthesizer"],
)
def test_generated_ids_never_take_a_training_value(name):
    """SDV cast generated ``id`` columns back to the training dtype: 10**10 in an int32 or
    uint32 column wrapped round to 1,410,065,408 (100 of 100 keys were training keys),
    16-digit float keys repeated, nullable Int32 keys made every ``sample`` fail, and uint64
    keys of 19 digits were refused though 10**19 fits. SDV's ``RegexGenerator`` wrote a
    ``regex_format`` column from the pattern's first strings: the training values."""
    import re

    import synth_plugins.sdv

    n = 80
    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {
            "int32": (1_410_065_408 + np.arange(n)).astype(np.int32),
            "uint32": (4_000_000_000 + np.arange(n)).astype(np.uint32),
            "nullable": pd.array(1_410_065_408 + np.arange(n), dtype="Int32"),
            "float": 2e15 + np.arange(n, dtype=float),
            "uint64": np.uint64(2**63) + np.arange(n, dtype=np.uint64),
            "int8": np.arange(n, dtype=np.int8),  # its 28th fresh key, 128, wrapped round
            "record": [f"R{i:04d}" for i in rng.permutation(n)],
            "code": rng.permutation(n),  # numbers with a pattern of digits
            "alternate": [f"A{i:03d}" for i in range(n)],  # SDV's keys
            "primary": np.arange(n),
            "age": rng.normal(60, 10, n).round(),
            "time": np.round(rng.exponential(300, n) + 1, 1),
            "event": np.resize([0, 1, 1], n),
        }
    )
    ids = ("int32", "uint32", "nullable", "float", "uint64", "int8", "record", "code")
    columns = {c: {"sdtype": "id"} for c in (*ids, "alternate", "primary")}
    columns["record"]["regex_format"] = "R[0-9]{4}"
    columns["code"]["regex_format"] = "[0-9]{3}"
    columns["alternate"]["regex_format"] = "A[0-9]{3}"
    columns.update({c: {"sdtype": "numerical"} for c in ("age", "time")})
    columns["event"] = {"sdtype": "categorical"}
    metadata = Metadata.load_from_dict(
        {
            "METADATA_SPEC_VERSION": "V1",
            "tables": {
                "table": {
                    "columns": columns,
                    "primary_key": "primary",
                    "alternate_keys": ["alternate"],
                }
            },
        }
    )
    options = {"MedVAESynthesizer": {"epochs": 1}, "MLECopulaSynthesizer": {"level": 1}}
    options["CTABGANPlusSynthesizer"] = {"epochs": 1, "enable_gpu": False}
    options["CK4GenSynthesizer"] = {"duration_column": "time", "event_column": "event"}
    options["CK4GenSynthesizer"]["epochs"] = 1
    synthesizer = getattr(synth_plugins.sdv, name)(metadata, **options[name])
    synthesizer.fit(data)
    sampled = single_table(synthesizer.sample(40))
    later = single_table(synthesizer.sample(40, batch_size=15))
    wider = {"int32": "int64", "uint32": "int64", "nullable": "Int64", "float": "Int64"}
    wider["int8"] = "int64"
    for column, dtype in {**wider, "uint64": "uint64"}.items():
        assert sampled[column].dtype == dtype, column
    for column in (*ids, "alternate", "primary"):
        keys = pd.concat([sampled[column], later[column]])
        assert keys.is_unique and not keys.isin(set(data[column])).any(), column
    assert sampled["int32"].iloc[0] == 10**10 and sampled["float"].iloc[0] == 10**16
    assert sampled["uint64"].iloc[0] == 10**19
    assert sampled["record"].map(lambda v: re.fullmatch("R[0-9]{4}", v) is not None).all()
    assert sampled["code"].between(n, 999).all()
    synthesizer.reset_sampling()
    assert single_table(synthesizer.sample(40))["record"].equals(sampled["record"])


@pytest.mark.filterwarnings("ignore")
def test_generated_ids_of_a_table_with_number_labels_follow_their_pattern():
    """SDV names the columns 0, 1 ... as text: the pattern and the fresh keys were looked up
    by the number label, so the column kept SDV's generator (training values) and the core's
    keys (numbered from the first in each batch)."""
    n = 60
    data = pd.DataFrame({0: [f"R{i:04d}" for i in range(n)], 1: np.linspace(1, 9, n) ** 2})
    data[2] = np.arange(n) * 7  # an id without a pattern
    columns = {"0": {"sdtype": "id", "regex_format": "R[0-9]{4}"}, "1": {"sdtype": "numerical"}}
    columns["2"] = {"sdtype": "id"}
    metadata = Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {"table": {"columns": columns}}}
    )
    synthesizer = MLECopulaSynthesizer(metadata, level=1)
    synthesizer.fit(data)
    first = single_table(synthesizer.sample(10, batch_size=4))
    second = single_table(synthesizer.sample(10))
    assert list(first.columns) == [0, 1, 2]
    for column in (0, 2):
        given = pd.concat([first[column], second[column]])
        assert given.is_unique and not given.isin(set(data[column])).any(), column
    assert first[0].iloc[0] == "R0060"


#: The four single-table synthesizers at their quickest, for tests of the keys they give.
_QUICK_SINGLE_TABLE = {
    "med_vae": (MedVAESynthesizer, {"epochs": 1}),
    "ctabgan_plus": (CTABGANPlusSynthesizer, {"epochs": 1, "enable_gpu": False}),
    "mle_copula": (MLECopulaSynthesizer, {"level": 1}),
    "ck4gen": (
        CK4GenSynthesizer,
        {"duration_column": "time", "event_column": "event", "epochs": 1},
    ),
}


def _keyed_table(primary: str, n: int = 100) -> tuple[pd.DataFrame, Metadata]:
    """A table whose keys are numbered from the first: ``mrn`` (``MRN00000``, ... by its
    ``regex_format``) and ``record`` (int8 ``0, 1, ...``), ``primary`` its primary key and
    the other an alternate key."""
    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {
            "mrn": [f"MRN{i:05d}" for i in range(n)],
            "record": np.arange(n, dtype=np.int8),
            "age": rng.normal(60, 10, n).round(),
            "sex": rng.choice(["F", "M"], n),
            "time": np.round(rng.exponential(300, n) + 1, 1),
            "event": np.resize([0, 1, 1], n),
        }
    )
    columns = {
        "mrn": {"sdtype": "id", "regex_format": "MRN[0-9]{5}"},
        "record": {"sdtype": "id"},
        "age": {"sdtype": "numerical"},
        "sex": {"sdtype": "categorical"},
        "time": {"sdtype": "numerical"},
        "event": {"sdtype": "categorical"},
    }
    table = {"columns": columns, "primary_key": primary}
    table["alternate_keys"] = [column for column in ("mrn", "record") if column != primary]
    described = {"METADATA_SPEC_VERSION": "V1", "tables": {"table": table}}
    return data, Metadata.load_from_dict(described)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("primary", ["mrn", "record"], ids=["regex_primary", "integer_primary"])
@pytest.mark.parametrize("name", sorted(_QUICK_SINGLE_TABLE))
def test_sdv_keys_never_take_a_training_value(name, primary):
    """SDV generates its primary and alternate keys after the model's rows: its
    ``RegexGenerator`` enumerates the pattern from its first string (100 of 100 sampled
    ``MRN`` keys were the training keys ``MRN00000``, ...), and integer keys are drawn from
    0..127 in an int8 column (0..2**24 in wider ones), so keys numbered from 0 came back (72
    or more of 100). They take fresh values of their format now, unique over calls, batches
    and conditions, and again from the first after ``reset_sampling``."""
    data, metadata = _keyed_table(primary)
    cls, options = _QUICK_SINGLE_TABLE[name]
    synthesizer = cls(metadata, **options)
    synthesizer.fit(data)
    sampled = single_table(synthesizer.sample(100))
    later = single_table(synthesizer.sample(60, batch_size=25))
    condition = [Condition({"sex": "F"}, num_rows=10)]
    conditioned = single_table(synthesizer.sample_from_conditions(condition))
    keys = pd.concat([sampled, later, conditioned])[["mrn", "record"]]
    copied = {column: int(keys[column].isin(set(data[column])).sum()) for column in keys}
    assert copied == {"mrn": 0, "record": 0}
    assert keys["mrn"].is_unique and keys["record"].is_unique
    assert sampled["mrn"].str.fullmatch("MRN[0-9]{5}").all()
    assert pd.api.types.is_integer_dtype(sampled["record"])
    synthesizer.reset_sampling()
    again = single_table(synthesizer.sample(100))
    assert again[["mrn", "record"]].equals(sampled[["mrn", "record"]])


@pytest.mark.filterwarnings("ignore")
def test_sdv_keys_continue_after_the_synthesizer_is_saved_and_loaded(tmp_path):
    """A loaded synthesizer goes on where the saved one was, as SDV's keys do (SDV's own
    generator went on with the pattern's next strings: training keys)."""
    from sdv.utils import load_synthesizer

    data, metadata = _keyed_table("mrn")
    synthesizer = MLECopulaSynthesizer(metadata, level=1)
    synthesizer.fit(data)
    first = single_table(synthesizer.sample(30))[["mrn", "record"]]
    synthesizer.save(tmp_path / "keys.pkl")
    loaded = load_synthesizer(str(tmp_path / "keys.pkl"))
    later = single_table(loaded.sample(30))[["mrn", "record"]]
    assert later.equals(single_table(synthesizer.sample(30))[["mrn", "record"]])
    for column in ("mrn", "record"):
        keys = pd.concat([first[column], later[column]])
        assert keys.is_unique and not keys.isin(set(data[column])).any(), column
    loaded.reset_sampling()
    assert single_table(loaded.sample(30))[["mrn", "record"]].equals(first)


@pytest.mark.filterwarnings("ignore")
def test_a_key_pattern_without_room_for_fresh_keys_is_named():
    """``MRN000[0-9]{2}`` holds 100 strings, 95 of them training keys: after the other 5 a
    key cannot be fresh. SDV's generator gave the training keys, and past the pattern's end
    keys outside it; the error names the column (first line, not SDV's "Sampling
    terminated")."""
    data, _ = _keyed_table("mrn", n=95)
    columns = {"mrn": {"sdtype": "id", "regex_format": "MRN000[0-9]{2}"}}
    columns["age"] = {"sdtype": "numerical"}
    table = {"columns": columns, "primary_key": "mrn"}
    metadata = Metadata.load_from_dict({"METADATA_SPEC_VERSION": "V1", "tables": {"table": table}})
    synthesizer = MLECopulaSynthesizer(metadata, level=1)
    synthesizer.fit(data[["mrn", "age"]])
    assert single_table(synthesizer.sample(5))["mrn"].tolist() == [
        f"MRN000{i}" for i in range(95, 100)
    ]
    with pytest.raises(InvalidDataError, match=r"^column 'mrn': its regex_format .* allows 100"):
        synthesizer.sample(1)


def test_fractional_float_keys_beyond_2_to_the_53_are_refused():
    """As floats their fresh keys (from 10**16) repeat; SDV failed with a bare TypeError."""
    data = pd.DataFrame({"record": 1e15 + np.arange(40) + 0.5, "age": np.arange(40.0)})
    columns = {"record": {"sdtype": "id"}, "age": {"sdtype": "numerical"}}
    metadata = Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {"table": {"columns": columns}}}
    )
    with pytest.raises(SDVInvalidDataError, match="'record' holds fractions and keys of 16"):
        MLECopulaSynthesizer(metadata, level=1).fit(data)


# ------------------------------------------------------------------ 7. SDV constraints
@pytest.mark.parametrize(
    ("cls", "args"),
    [
        (MedVAESynthesizer, {"epochs": 1}),
        (CTABGANPlusSynthesizer, {"epochs": 1}),
        (MLECopulaSynthesizer, {}),
        (CK4GenSynthesizer, {"duration_column": "time", "event_column": "cens", "epochs": 1}),
    ],
    ids=["med_vae", "ctabgan_plus", "mle_copula", "ck4gen"],
)
def test_a_constraint_keeps_the_synthesizers_transformers(gbsg2, cls, args):
    """SDV's add_constraints rebuilds its data processor without the synthesizer's choices:
    categories would reach the core as UniformEncoder numbers and missing numbers as the
    column mean."""
    from sdv.cag import Inequality

    synthesizer = cls(metadata_for(gbsg2), **args)
    synthesizer.add_constraints([Inequality(low_column_name="pnodes", high_column_name="age")])
    synthesizer.auto_assign_transformers(native(gbsg2.data, synthesizer.metadata))
    transformers = synthesizer.get_transformers()
    assert transformers["tgrade"] is None  # the core gets the raw levels
    assert transformers["tsize"].missing_value_replacement is None  # and the missing values
    # no row misses pnodes or age, so the constraint's NaN marker is all missing: the core
    # gets SDV's "None" token for it instead (it refuses a column without observed values)
    synthesizer.fit(gbsg2.data)
    sampled = single_table(synthesizer.sample(20))
    assert (sampled["pnodes"] < sampled["age"]).all()


@pytest.mark.parametrize(
    ("cls", "args"),
    [(MedVAESynthesizer, {"epochs": 1}), (MLECopulaSynthesizer, {})],
    ids=["med_vae", "mle_copula"],
)
def test_conditions_on_every_column_of_a_constraint(gbsg2, cls, args, monkeypatch):
    """A condition giving both columns of an ``Inequality`` left SDV's missing-value marker
    missing, and SDV's grouping dropped it ("No objects to concatenate"); and the condition
    domain was read from the constraint's metadata, which lacks both columns, so an age
    outside the training range reached the model and SDV's rejection loop."""
    from sdv.cag import Inequality

    synthesizer = cls(metadata_for(gbsg2), random_state=0, **args)
    synthesizer.add_constraints([Inequality(low_column_name="pnodes", high_column_name="age")])
    synthesizer.fit(gbsg2.data)
    common = gbsg2.data.value_counts(["pnodes", "age"]).index[0]  # held by >= 5 rows
    pair = {"pnodes": float(common[0]), "age": float(common[1])}
    sampled = single_table(synthesizer.sample_from_conditions([Condition(pair, num_rows=4)]))
    assert len(sampled) == 4
    assert (sampled["pnodes"] == pair["pnodes"]).all() and (sampled["age"] == pair["age"]).all()
    beyond = {"pnodes": pair["pnodes"], "age": 150.0}
    with pytest.raises(InvalidParameterError, match="age=150.0: outside the training range"):
        synthesizer.sample_from_conditions([Condition(beyond, num_rows=4)])
    if cls is MedVAESynthesizer:  # its library needs 5 rows holding the pair
        counts = gbsg2.data.value_counts(["pnodes", "age"])
        calls = _core_conditions(synthesizer, monkeypatch)
        # fewer rows hold these pairs: SDV's rejection sampling from the whole model (as with
        # Inequality and FixedCombinations, where SDV passes the core no conditions; the
        # suite's "only 4 training rows satisfy" before). 4 rows hold pnodes=1, age=49, which
        # the model draws about once in 70 rows: every asked row comes
        assert counts[(1, 49)] == 4
        likely = Condition({"pnodes": 1.0, "age": 49.0}, num_rows=4)
        synthesizer.reset_sampling()
        sampled = single_table(synthesizer.sample_from_conditions([likely], max_tries_per_batch=50))
        assert len(sampled) == 4
        assert (sampled["pnodes"] == 1.0).all() and (sampled["age"] == 49.0).all()
        # pnodes=51, the training maximum, which one row holds (with age 61) and the model
        # never drew in 20,000 rows: SDV's own error, which names max_tries_per_batch
        assert counts[(51, 61)] == 1 and gbsg2.data["pnodes"].max() == 51
        unlikely = Condition({"pnodes": 51.0, "age": 61.0}, num_rows=4)
        with pytest.raises(ValueError, match="^Unable to sample any rows for the given cond"):
            synthesizer.sample_from_conditions([unlikely], max_tries_per_batch=3)
        assert calls and all(conditions is None for conditions in calls)


def test_float_conditions_finer_than_the_training_values_are_left_to_sdv():
    """SDV matches a float condition to 1 % and writes the asked value in: 70.55 in a
    column of one decimal, and a float32 column's own values, are met, not refused."""
    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {
            "age": rng.integers(20, 80, 300),
            "w": rng.normal(70, 5, 300).round(1),
            "f32": rng.normal(5, 1, 300).round(1).astype(np.float32),
        }
    )
    columns = {c: {"sdtype": "numerical"} for c in data}
    metadata = Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {"t": {"columns": columns}}}
    )
    synthesizer = MLECopulaSynthesizer(metadata, random_state=0)
    synthesizer.fit(data)
    rows = single_table(synthesizer.sample_from_conditions([Condition({"w": 70.55}, num_rows=3)]))
    assert (rows["w"] == 70.55).all()
    known = single_table(synthesizer.sample_remaining_columns(data[["f32"]].head(3)))
    assert known["f32"].tolist() == data["f32"].head(3).tolist()
    with pytest.raises(InvalidParameterError, match="age=33.5: column 'age' holds whole"):
        synthesizer.sample_from_conditions([Condition({"age": 33.5}, num_rows=3)])


def _admissions(text_dates: bool = False) -> tuple[pd.DataFrame, Metadata]:
    """Ages, a category-dtype level column and admission times at random seconds in 2020
    (as text with ``text_dates``), so that no generated time equals a training one."""
    rng = np.random.default_rng(0)
    n = 150
    admit = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 365 * 86400, n), "s")
    data = pd.DataFrame(
        {
            "age": rng.normal(60, 9, n).round(1),
            "smoking": pd.Categorical(rng.choice(["no", "yes"], n)),
            "admit": admit.strftime("%d.%m.%Y %H:%M:%S") if text_dates else admit,
        }
    )
    columns = {
        "age": {"sdtype": "numerical"},
        "smoking": {"sdtype": "categorical"},
        "admit": {"sdtype": "datetime"},
    }
    if text_dates:
        columns["admit"]["datetime_format"] = "%d.%m.%Y %H:%M:%S"
    metadata = Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {"admissions": {"columns": columns}}}
    )
    return data, metadata


#: the quickest of them to fit: the MLE copula, and CTAB-GAN+ at one epoch
_QUICKEST = ["mle_copula", "ctabgan_plus"]


@pytest.mark.parametrize("name", _QUICKEST)
def test_known_columns_in_the_training_tables_category_dtype(name):
    """Known columns taken from the training table keep its ``category`` dtype: SDV's
    grouping of the conditions made an empty group of each level not asked for
    (ZeroDivisionError; GaussianCopula's IndexError when one level is asked for)."""
    data, metadata = _admissions()
    cls, options = _QUICK_SINGLE_TABLE[name]
    synthesizer = cls(metadata, **options)
    synthesizer.fit(data)
    no, yes = data.index[data["smoking"] == "no"][:2], data.index[data["smoking"] == "yes"][:2]
    for rows in (sorted([*no, *yes]), list(no)):  # SDV orders the rows by their index
        known = data.loc[rows, ["smoking"]]
        sampled = single_table(synthesizer.sample_remaining_columns(known))
        assert sampled["smoking"].tolist() == known["smoking"].tolist()
        assert sampled["smoking"].dtype == data["smoking"].dtype
    frame = pd.DataFrame({"smoking": pd.Categorical(["yes"] * 3, categories=["no", "yes"])})
    if SDV_MAJOR >= 2:
        from sdv.sampling import DataFrameCondition

        rows = single_table(synthesizer.sample_from_conditions([DataFrameCondition(frame)]))
        assert (rows["smoking"] == "yes").all() and len(rows) == 3


@pytest.mark.parametrize("name", _QUICKEST)
@pytest.mark.parametrize("text_dates", [False, True], ids=["datetime64", "text"])
def test_a_date_condition_is_matched_as_sdv_matches_a_float(name, text_dates):
    """A known admission time (a training row's) is generated to within 1 % of the
    training span and written as asked, as SDV does for a float; SDV's exact match found
    none of these times (seconds apart over a year) and gave "Unable to sample"."""
    data, metadata = _admissions(text_dates)
    cls, options = _QUICK_SINGLE_TABLE[name]
    synthesizer = cls(metadata, **options)
    synthesizer.fit(data)
    known = data.loc[[3, 3, 3, 3, 7, 7, 7, 7], ["admit"]]
    sampled = single_table(synthesizer.sample_remaining_columns(known))
    assert sampled["admit"].tolist() == known["admit"].tolist()
    assert sampled["admit"].dtype == data["admit"].dtype
    asked = data["admit"].iloc[5]
    rows = single_table(synthesizer.sample_from_conditions([Condition({"admit": asked}, 4)]))
    assert len(rows) == 4 and (rows["admit"] == asked).all()
    with pytest.raises(InvalidParameterError, match="admit='soon': datetime column 'admit'"):
        synthesizer.sample_from_conditions([Condition({"admit": "soon"}, num_rows=2)])


@pytest.mark.parametrize("name", [*_QUICKEST, "med_vae"])
@pytest.mark.parametrize("text_dates", [False, True], ids=["datetime64", "text"])
def test_a_date_condition_outside_the_training_range_is_refused_naming_it(name, text_dates):
    """Admissions in 2020 conditioned on a date in 2030 (or 2019) ended in SDV's "Unable to
    sample any rows": generated dates never leave the training range. The date is refused
    as a number outside its column's range is, naming the column, the date and the range."""
    data, metadata = _admissions(text_dates)
    cls, options = _QUICK_SINGLE_TABLE[name]
    synthesizer = cls(metadata, **options)
    synthesizer.fit(data)
    times = pd.to_datetime(data["admit"], format="%d.%m.%Y %H:%M:%S" if text_dates else None)
    span = [data["admit"][times.idxmin()], data["admit"][times.idxmax()]]
    for year in (2030, 2019):
        day = pd.Timestamp(f"{year}-01-01")
        asked = day.strftime("%d.%m.%Y %H:%M:%S") if text_dates else day
        training = f"({span[0]} to {span[1]})"
        with pytest.raises(InvalidParameterError, match="outside the training range") as caught:
            synthesizer.sample_from_conditions([Condition({"admit": asked}, num_rows=5)])
        assert f"admit={str(asked)!r}" in str(caught.value) and training in str(caught.value)
        known = pd.DataFrame({"admit": [asked] * 2})
        with pytest.raises(InvalidParameterError, match=f"'admit' {re.escape(training)}"):
            synthesizer.sample_remaining_columns(known)


def test_fit_shows_sdvs_validation_warnings_once_as_sdvs_synthesizers_do():
    """The synthesizer's generator set-up ran SDV's validation a second time: its
    warnings (a datetime column without a format) showed twice."""
    import warnings
    from collections import Counter

    from sdv.single_table import GaussianCopulaSynthesizer

    data, _ = _admissions()
    data = data.assign(seen=data["admit"].dt.strftime("%Y-%m-%d"), pid=range(len(data)))
    columns = {
        "pid": {"sdtype": "id"},
        "age": {"sdtype": "numerical"},
        "seen": {"sdtype": "datetime"},
    }
    table = {"primary_key": "pid", "columns": columns}
    metadata = Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {"admissions": table}}
    )
    shown = {}
    for cls in (GaussianCopulaSynthesizer, MLECopulaSynthesizer):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cls(metadata).fit(native(data[list(columns)], metadata))
        shown[cls] = Counter(str(warning.message) for warning in caught)
    assert any("datetime_format" in message for message in shown[MLECopulaSynthesizer])
    assert shown[MLECopulaSynthesizer] == shown[GaussianCopulaSynthesizer]


def test_integer_column_labels_in_an_empty_sample_and_in_conditions():
    """sample(0) raised SDV's "Length mismatch" where the table has integer column labels;
    a condition on such a column names its text label, as SDV names it."""
    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {
            0: rng.normal(50, 10, 150).round(1),
            1: rng.choice(["a", "b"], 150),
            "y": rng.integers(0, 3, 150),
        }
    )
    columns = {
        "0": {"sdtype": "numerical"},
        "1": {"sdtype": "categorical"},
        "y": {"sdtype": "numerical"},
    }
    metadata = Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {"t": {"columns": columns}}}
    )
    synthesizer = MLECopulaSynthesizer(metadata, random_state=0)
    synthesizer.fit(native(data, metadata))
    empty = single_table(synthesizer.sample(0))
    assert empty.empty and list(empty.columns) == [0, 1, "y"]
    assert (empty.dtypes == data.dtypes).all()
    assert list(single_table(synthesizer.sample(3)).columns) == [0, 1, "y"]
    with pytest.raises(
        InvalidParameterError, match="column 1 \\(SDV names columns as text: '1'\\)"
    ):
        synthesizer.sample_from_conditions([Condition({1: "a"}, num_rows=2)])


@pytest.mark.skipif(SDV_MAJOR < 2, reason="the ordinal sdtype is SDV 2's")
def test_a_detected_ordinal_column_takes_its_levels_as_conditions():
    """SDV 2 detects a 0/1 column as ``ordinal``; the condition domain left it to SDV's
    rejection sampling ("Unable to sample any rows") for a value it never held."""
    rng = np.random.default_rng(1)
    data = pd.DataFrame({"age": rng.normal(50, 9, 200).round(1), "event": rng.integers(0, 2, 200)})
    metadata = Metadata.detect_from_dataframes({"t": data})
    synthesizer = MLECopulaSynthesizer(metadata, random_state=0)
    synthesizer.fit(data)
    with pytest.raises(InvalidParameterError, match="event=7: value never seen"):
        synthesizer.sample_from_conditions([Condition({"event": 7}, num_rows=3)])


def test_identifiers_declared_categorical_are_named_in_a_warning():
    """SDV's detection calls UUIDs and notes ``categorical``; their training values were
    generated verbatim, 100 %, with no word from the suite."""
    import uuid

    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {
            "uid": [str(uuid.UUID(int=int(i))) for i in rng.integers(0, 2**62, 100)],
            "note": [f"pain for {k} days" for k in range(100)],
            "age": rng.normal(50, 9, 100).round(1),
            "sex": rng.choice(["F", "M"], 100),
        }
    )
    columns = {"uid": {"sdtype": "categorical"}, "note": {"sdtype": "categorical"}}
    columns |= {"age": {"sdtype": "numerical"}, "sex": {"sdtype": "categorical"}}
    metadata = Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {"t": {"columns": columns}}}
    )
    with pytest.warns(UserWarning, match="column 'uid' has sdtype 'categorical'") as caught:
        MLECopulaSynthesizer(metadata).fit(data)
    named = [str(w.message) for w in caught if "sdtype 'categorical'" in str(w.message)]
    assert len(named) == 2 and "'note'" in named[1] and "'sex'" not in " ".join(named)


def test_lstm_names_a_per_sequence_identifier_declared_categorical(visits):
    """SDV's detection calls a record number ``categorical``; judged on the visit rows,
    where it repeats, it passed as levels and was generated verbatim without a word."""
    described = _sequential_metadata().to_dict()
    described["tables"]["visits"]["columns"]["record"] = {"sdtype": "categorical"}
    synthesizer = LongitudinalLSTMSynthesizer(Metadata.load_from_dict(described), **LSTM_QUICK)
    with pytest.warns(UserWarning, match=r"'record' has sdtype 'categorical'") as caught:
        synthesizer.fit(visits)
    named = [str(w.message) for w in caught if "sdtype 'categorical'" in str(w.message)]
    assert len(named) == 1 and "(30 distinct in 30 sequences)" in named[0]


@pytest.mark.skipif(SDV_MAJOR < 2, reason="the ordinal sdtype is SDV 2's")
def test_ordinal_columns_reach_the_core_raw():
    """SDV 2's detection makes a 0/1 event ``ordinal``; its transformer handed CK4Gen
    uniform numbers in (0, 1), which it refused as events."""
    rng = np.random.default_rng(5)
    data = pd.DataFrame(
        {
            "age": rng.normal(50, 10, 200).round(1),
            "time": rng.exponential(100, 200).round(0) + 1,
            "event": rng.integers(0, 2, 200),
        }
    )
    metadata = Metadata.detect_from_dataframes({"t": data})
    assert metadata.to_dict()["tables"]["t"]["columns"]["event"]["sdtype"] == "ordinal"
    synthesizer = CK4GenSynthesizer(metadata, "time", "event", epochs=1)
    synthesizer.fit(data)
    assert set(single_table(synthesizer.sample(30))["event"]) <= {0, 1}


@pytest.mark.skipif(SDV_MAJOR < 2, reason="the ordinal sdtype is SDV 2's")
def test_lstm_fits_the_ordinal_columns_sdv_detects():
    """SDV 2's detection makes the registry's relapse counts and switch ``ordinal``;
    PARSynthesizer fits that metadata, the LSTM refused it as "copying its values"."""
    data = load("ms_registry", n_patients=30, seed=0).data
    metadata = Metadata.detect_from_dataframes({"ms": data})
    metadata.update_column("patient_id", sdtype="id", table_name="ms")
    metadata.set_sequence_key("patient_id", table_name="ms")
    metadata.set_sequence_index("time", table_name="ms")
    columns = metadata.to_dict()["tables"]["ms"]["columns"]
    assert columns["relapses"]["sdtype"] == "ordinal"
    synthesizer = LongitudinalLSTMSynthesizer(metadata, **LSTM_QUICK)
    synthesizer.fit(data)
    sampled = single_table(synthesizer.sample(5))
    assert set(sampled["relapses"]) <= set(data["relapses"])


def test_ck4gen_refuses_a_constraint_that_rewrites_its_outcome(gbsg2):
    from sdv.cag import Inequality

    synthesizer = CK4GenSynthesizer(metadata_for(gbsg2), "time", "cens", epochs=1)
    with pytest.raises(InvalidParameterError, match=r"rewrite the outcome column\(s\) \['time'\]"):
        synthesizer.add_constraints([Inequality(low_column_name="age", high_column_name="time")])
    assert synthesizer.get_constraints() == []  # unchanged: it still fits and samples
    synthesizer.fit(gbsg2.data)
    assert len(single_table(synthesizer.sample(5))) == 5


def test_a_table_dictionary_must_name_the_metadatas_table(heart):
    synthesizer = MLECopulaSynthesizer(metadata_for(heart))
    with pytest.raises(SDVInvalidDataError, match="holds the table 'wrong'.*'heart_failure'"):
        synthesizer.fit({"wrong": heart.data})


def test_lstm_keys_continue_over_calls_until_reset_sampling(lstm, visits):
    """As PARSynthesizer's: every call numbered its patients from the first fresh key (two
    samples of 10 stacked held 10 keys), and the other ``id`` columns likewise."""
    lstm.reset_sampling()
    first, second = single_table(lstm.sample(10)), single_table(lstm.sample(10))
    assert first["patient"].iloc[0] == 1000  # the power of ten above the training keys
    for column in ("patient", "record", "visit_id"):
        assert not second[column].isin(first[column]).any(), column
    assert pd.concat([first, second])["patient"].nunique() == 20
    history = visits[visits["patient"] <= 103]
    predicted = lstm.predict_next_visit(history)
    assert predicted["patient"].tolist() == [101, 102, 103]  # their own keys
    assert not predicted["visit_id"].isin(pd.concat([first, second])["visit_id"]).any()
    lstm.reset_sampling()
    pd.testing.assert_frame_equal(single_table(lstm.sample(10)), first)
    lstm.reset_sampling()


def test_the_lstm_refuses_transformers_it_would_not_use(visits):
    synthesizer = LongitudinalLSTMSynthesizer(_sequential_metadata(), **LSTM_QUICK)
    with pytest.raises(InvalidParameterError, match="uses no SDV transformer"):
        synthesizer.update_transformers({"score": None})


def test_lstm_text_ids_with_a_regex_format_match_it_and_copy_no_training_value(visits):
    """SDV generates ``id`` values from their ``regex_format``; its diagnostic checks them."""
    import re

    data = visits.assign(patient="PT" + visits["patient"].astype(str))  # PT101, PT102, ...
    described = _sequential_metadata().to_dict()
    columns = described["tables"]["visits"]["columns"]
    columns["patient"]["regex_format"] = "PT[0-9]{3}"
    columns["visit_id"]["regex_format"] = "V-[0-9]{4}-[0-9]"
    synthesizer = LongitudinalLSTMSynthesizer(
        Metadata.load_from_dict(described), context_columns=["sex"], **LSTM_QUICK
    )
    synthesizer.fit(data)
    sampled = single_table(synthesizer.sample(6))
    for column, pattern in (("patient", r"PT[0-9]{3}"), ("visit_id", r"V-[0-9]{4}-[0-9]")):
        assert sampled[column].map(lambda v, p=pattern: re.fullmatch(p, v) is not None).all()
        assert not sampled[column].isin(data[column]).any()
    assert sampled["patient"].nunique() == 6
    assert sampled["visit_id"].nunique() == len(sampled)
    # the next call's values continue the pattern (each call started again: two samples
    # stacked merged their patients), and start again after reset_sampling
    later = single_table(synthesizer.sample(6))
    for column in ("patient", "visit_id"):
        assert not later[column].isin(sampled[column]).any()
        assert not later[column].isin(data[column]).any()
    synthesizer.reset_sampling()
    pd.testing.assert_frame_equal(single_table(synthesizer.sample(6)), sampled)
    # the pattern has room for 10 values besides the training ones: asking more is an error
    columns["patient"]["regex_format"] = "PT1[0-9]{2}"
    small = LongitudinalLSTMSynthesizer(Metadata.load_from_dict(described), **LSTM_QUICK)
    small.fit(data)
    with pytest.raises(InvalidDataError, match="regex_format 'PT1\\[0-9\\]\\{2\\}' allows 100"):
        small.sample(100)


def test_lstm_refuses_metadata_as_par_does():
    """Code written for PARSynthesizer catches SDV's classes; the messages are the suite's."""
    from sdv.errors import SynthesizerInputError
    from sdv.metadata.errors import InvalidMetadataError
    from sdv.sequential import PARSynthesizer

    keyless = _sequential_metadata(index=None).to_dict()
    del keyless["tables"]["visits"]["sequence_key"]
    keyless = Metadata.load_from_dict(keyless)
    with pytest.raises(SynthesizerInputError):
        PARSynthesizer(keyless)
    with pytest.raises(SynthesizerInputError, match="needs a sequence key") as caught:
        LongitudinalLSTMSynthesizer(keyless, **LSTM_QUICK)
    assert isinstance(caught.value, InvalidParameterError)
    two = _sequential_metadata().to_dict()
    two["tables"]["other"] = {"columns": {"a": {"sdtype": "numerical"}}}
    two = Metadata.load_from_dict(two)
    with pytest.raises(InvalidMetadataError):
        PARSynthesizer(two)
    with pytest.raises(InvalidMetadataError, match="more than one table"):
        LongitudinalLSTMSynthesizer(two, **LSTM_QUICK)


def _dated_table(values: pd.Series) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = len(values)
    return pd.DataFrame(
        {
            "age": rng.normal(60, 9, n).round(1),
            "time": np.round(rng.exponential(300, n) + 1, 1),
            "event": np.resize([0, 1, 1], n),
            "admit": values,
        }
    )


_ADMITTED = pd.Timestamp("2020-01-01") + pd.to_timedelta(np.arange(60) * 6, "D")


@pytest.mark.parametrize("name", sorted(_QUICK_SINGLE_TABLE))
@pytest.mark.parametrize(
    ("values", "declared"),
    [
        (pd.Series(_ADMITTED), "sdtype 'datetime', or convert"),
        (pd.Series(_ADMITTED.strftime("%Y-%m-%d")), "datetime_format '%Y-%m-%d'"),
    ],
    ids=["datetime64", "text"],
)
def test_metadata_declaring_dates_numerical_is_refused_naming_the_column(name, values, declared):
    """Metadata detected, then changed to sdtype ``numerical`` on a column of dates, failed
    in SDV's validation ("Invalid values found for numerical column 'admit'", or "could not
    convert string to float" for text); the suite's error names the column and the sdtype
    (and format) to declare, as a numeric role on dates is refused."""
    data = _dated_table(values)
    metadata = Metadata.detect_from_dataframes({"admissions": data})  # in SDV 1.x and 2.x
    metadata.update_column(column_name="admit", sdtype="numerical", table_name="admissions")
    cls, options = _QUICK_SINGLE_TABLE[name]
    synthesizer = cls(metadata, **options)
    for call in (synthesizer.fit, synthesizer.validate):
        with pytest.raises(InvalidDataError, match="'admit' has sdtype 'numerical'") as caught:
            call(native(data, metadata))
        assert "holds dates" in str(caught.value) and declared in str(caught.value)
        assert isinstance(caught.value, SDVInvalidDataError)


def test_text_dates_sdv_would_misread_need_their_datetime_format():
    """Day-first dates without a datetime_format were rewritten by SDV in its month-first
    guess: "20.08.2020" came back as "08.20.2020". They are refused, naming the format to
    declare; with it (or where SDV's guess is right) they fit and come back as written."""
    day_first = _dated_table(pd.Series(_ADMITTED.strftime("%d.%m.%Y")))[["age", "admit"]]
    columns = {"age": {"sdtype": "numerical"}, "admit": {"sdtype": "datetime"}}

    def metadata() -> Metadata:
        return Metadata.load_from_dict(
            {"METADATA_SPEC_VERSION": "V1", "tables": {"t": {"columns": copy.deepcopy(columns)}}}
        )

    with pytest.raises(InvalidDataError, match="datetime_format '%d.%m.%Y'"):
        MLECopulaSynthesizer(metadata()).fit(native(day_first, metadata()))
    columns["admit"]["datetime_format"] = "%d.%m.%Y"
    synthesizer = MLECopulaSynthesizer(metadata())
    synthesizer.fit(native(day_first, metadata()))
    sampled = single_table(synthesizer.sample(50))["admit"]
    assert pd.to_datetime(sampled, format="%d.%m.%Y", errors="coerce").notna().all()


def _admit_metadata(datetime_format: str | None) -> Metadata:
    """Metadata of ``age`` and ``admit`` (sdtype ``datetime``, with ``datetime_format``)."""
    admit = {"sdtype": "datetime"}
    if datetime_format is not None:
        admit["datetime_format"] = datetime_format
    columns = {"age": {"sdtype": "numerical"}, "admit": admit}
    return Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {"t": {"columns": columns}}}
    )


@pytest.mark.parametrize("name", _QUICKEST)
@pytest.mark.parametrize("written", ["%Y%m%d", "%d-%m-%y"])
def test_text_dates_the_synthesizers_cannot_read_are_named_in_sdtypes(name, written):
    """Text dates in a format the cores do not find ('20200101', '01-01-20') under sdtype
    'datetime' without a datetime_format were refused by the core's encoder in the suite's
    roles ("has role 'datetime'"), in ``fit`` only. The error speaks of the sdtype and names
    the datetime_format to declare (which the synthesizers read: see the next test), in
    ``validate`` too."""
    data = _dated_table(pd.Series(_ADMITTED.strftime(written)))[["age", "admit"]]
    metadata = _admit_metadata(None)
    cls, options = _QUICK_SINGLE_TABLE[name]
    synthesizer = cls(metadata, **options)
    for call in (synthesizer.validate, synthesizer.fit):
        with pytest.raises(InvalidDataError, match="'admit' has sdtype 'datetime' but") as caught:
            call(native(data, metadata))
        assert "update_column(column_name='admit', sdtype='datetime', datetime_format=" in str(
            caught.value
        )


@pytest.mark.parametrize("name", _QUICKEST)
@pytest.mark.parametrize("written", ["%Y%m%d", "%d-%m-%y"])
def test_text_dates_are_read_and_written_in_their_declared_datetime_format(name, written):
    """The single-table synthesizers ignored the metadata's datetime_format (their cores
    read text dates in the format they find): '20200131' and '31-01-20' were refused even
    with it declared. They are read in it, as SDV's own synthesizers read them, and
    generated dates come back as text in it, within the training range (a condition on the
    column too). Two-digit years are read as pandas reads ``%y`` (00-68 as 2000-2068)."""
    data = _dated_table(pd.Series(_ADMITTED.strftime(written)))[["age", "admit"]]
    metadata = _admit_metadata(written)
    cls, options = _QUICK_SINGLE_TABLE[name]
    synthesizer = cls(metadata, **options)
    synthesizer.validate(native(data, metadata))
    synthesizer.fit(native(data, metadata))
    sampled = single_table(synthesizer.sample(50))["admit"]
    assert sampled.map(type).eq(str).all()
    dates = pd.to_datetime(sampled, format=written, errors="coerce")
    assert dates.notna().all() and dates.between(_ADMITTED.min(), _ADMITTED.max()).all()
    asked = _ADMITTED[10].strftime(written)
    rows = single_table(synthesizer.sample_from_conditions([Condition({"admit": asked}, 3)]))
    assert rows["admit"].eq(asked).all()


@pytest.mark.parametrize("name", _QUICKEST)
@pytest.mark.parametrize("dtype", ["int64", "Int64", "float64"])
def test_dates_written_as_whole_numbers_are_read_and_written_in_their_datetime_format(name, dtype):
    """Registries store dates as whole numbers (20200131): SDV reads them in a declared
    '%Y%m%d', the single-table synthesizers refused numbers under sdtype 'datetime'. They
    are read by their digits in it and generated dates come back as whole numbers of the
    training dtype (missing where missing, for Int64 and float), within the training range;
    a date condition given as the number is met as the number."""
    numbers = pd.Series(_ADMITTED.strftime("%Y%m%d").astype("int64")).astype(dtype)
    if dtype != "int64":
        numbers[::7] = None
    data = _dated_table(numbers)[["age", "admit"]]
    metadata = _admit_metadata("%Y%m%d")
    cls, options = _QUICK_SINGLE_TABLE[name]
    synthesizer = cls(metadata, **options)
    synthesizer.validate(native(data, metadata))
    synthesizer.fit(native(data, metadata))
    sampled = single_table(synthesizer.sample(50))["admit"]
    assert sampled.dtype == dtype
    observed = sampled.dropna().astype("int64").astype(str)
    dates = pd.to_datetime(observed, format="%Y%m%d", errors="coerce")
    assert dates.notna().all() and dates.between(_ADMITTED.min(), _ADMITTED.max()).all()
    asked = int(_ADMITTED[10].strftime("%Y%m%d"))
    rows = single_table(synthesizer.sample_from_conditions([Condition({"admit": asked}, 3)]))
    assert rows["admit"].eq(asked).all() and rows["admit"].dtype == dtype


@pytest.mark.parametrize("name", _QUICKEST)
def test_dates_written_as_numbers_without_a_datetime_format_name_the_one_to_declare(name):
    """Whole-number dates under sdtype 'datetime' without a datetime_format stay refused,
    and the error names the '%Y%m%d' to declare where they read so; numbers that do not
    read in a declared format are refused naming the column, the format and one of them."""
    numbers = pd.Series(_ADMITTED.strftime("%Y%m%d").astype("int64"))
    data = _dated_table(numbers)[["age", "admit"]]
    cls, options = _QUICK_SINGLE_TABLE[name]
    synthesizer = cls(_admit_metadata(None), **options)
    with pytest.raises(InvalidDataError, match="'admit' has sdtype 'datetime' but") as caught:
        synthesizer.fit(data)
    assert "datetime_format='%Y%m%d'" in str(caught.value)
    numbers[7] = 20200231
    synthesizer = cls(_admit_metadata("%Y%m%d"), **options)
    with pytest.raises(InvalidDataError, match="'admit' has sdtype 'datetime' with") as caught:
        synthesizer.fit(_dated_table(numbers)[["age", "admit"]])
    assert "datetime_format '%Y%m%d'" in str(caught.value) and "'20200231'" in str(caught.value)


def test_a_declared_datetime_format_is_honoured_where_another_would_be_found():
    """Day-first dates whose days are all 12 or less read month first too: the cores read
    them so, ignoring the declared '%d/%m/%Y', and generated dates (5 March, written
    '03/05/2020', then rewritten in the declared format) left the training range. The
    declared format is the one read and written."""
    early = pd.Series(pd.date_range("2020-01-01", "2020-03-31", freq="D"))
    early = early[early.dt.day <= 12].reset_index(drop=True)
    data = _dated_table(early.dt.strftime("%d/%m/%Y"))[["age", "admit"]]
    metadata = _admit_metadata("%d/%m/%Y")
    synthesizer = MLECopulaSynthesizer(metadata, level=1)
    synthesizer.fit(native(data, metadata))
    sampled = single_table(synthesizer.sample(100))["admit"]
    dates = pd.to_datetime(sampled, format="%d/%m/%Y", errors="coerce")
    assert dates.notna().all() and dates.between(early.min(), early.max()).all()


@pytest.mark.parametrize("written", ["%d-%m-%Y", "%Y%m%d"])
def test_text_dates_not_in_their_declared_datetime_format_are_refused_naming_one(written):
    """Values that do not read in the declared datetime_format are refused before SDV's
    validation (which lists values without the format), naming the column, the format and
    a value that does not read in it, in ``validate`` and ``fit``."""
    values = pd.Series(_ADMITTED.strftime(written))
    values[7] = "2020-02-31"
    data = _dated_table(values)[["age", "admit"]]
    metadata = _admit_metadata(written)
    synthesizer = MLECopulaSynthesizer(metadata, level=1)
    for call in (synthesizer.validate, synthesizer.fit):
        with pytest.raises(InvalidDataError, match="'admit' has sdtype 'datetime' with") as caught:
            call(native(data, metadata))
        message = str(caught.value)
        assert f"datetime_format {written!r}" in message and "e.g. '2020-02-31'" in message
        assert isinstance(caught.value, SDVInvalidDataError)


@pytest.mark.parametrize("written", ["datetime64", "text"])
@pytest.mark.parametrize("column", ["visit_time", "birth"])
def test_sequential_metadata_declaring_dates_numerical_is_refused(visits, written, column):
    """The same rule for the sequential synthesizer: its sequence index or a context
    column of dates declared ``numerical`` is named, before SDV's validation."""
    table = visits.copy()
    time_format = None
    if written == "text":
        time_format = "%Y-%m-%d %H:%M:%S"
        for name in ("visit_time", "birth"):
            table[name] = table[name].dt.strftime(time_format)
    metadata = _sequential_metadata(time_format=time_format)
    metadata.update_column(column_name=column, sdtype="numerical", table_name="visits")
    synthesizer = LongitudinalLSTMSynthesizer(metadata, **LSTM_QUICK)
    with pytest.raises(InvalidDataError, match=f"'{column}' has sdtype 'numerical'"):
        synthesizer.fit(table)


def test_sequential_day_first_text_dates_need_no_datetime_format():
    """The longitudinal synthesizer reads and writes text dates itself, so day-first dates
    without a datetime_format, which SDV would guess month first from the first row
    ('06.11.2006'), were refused needlessly: the generated visit and birth dates come back
    day first, as written."""
    visits = _visits(n_patients=40, seed=4)
    days = visits["visit_time"].dt.normalize().where(visits.index > 0, pd.Timestamp("2006-11-06"))
    births = visits["birth"].where(visits["patient"] > 101, pd.Timestamp("1955-03-04"))
    formats = {"visit_time": "%d.%m.%Y", "birth": "%d/%m/%Y"}
    table = visits.assign(
        visit_time=days.dt.strftime(formats["visit_time"]),
        birth=births.dt.strftime(formats["birth"]),
    )
    assert table.loc[0, ["visit_time", "birth"]].tolist() == ["06.11.2006", "04/03/1955"]
    synthesizer = LongitudinalLSTMSynthesizer(
        _sequential_metadata(), context_columns=["record", "birth", "sex"], **LSTM_QUICK
    )
    synthesizer.fit(table)
    sampled = single_table(synthesizer.sample(30))
    for column, written in formats.items():
        dates = pd.to_datetime(sampled[column], format=written, errors="coerce")
        assert dates.notna().all(), column
        assert (dates.dt.day > 12).any(), column  # not month first


@pytest.mark.parametrize("name", _QUICKEST)
def test_a_date_condition_keeps_sdvs_constraints_on_every_row(name):
    """A date matched within 1 % of the training span was written as asked after SDV's
    constraints had checked the row: with admission before discharge (an ``Inequality``),
    5 of 6 rows conditioned on an admission date held it. Every row holds both now."""
    from sdv.cag import Inequality

    rng = np.random.default_rng(0)
    n = 200
    admission = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D")
    data = pd.DataFrame(
        {
            "age": rng.normal(60, 9, n).round(1),
            "admission_date": admission,
            "discharge_date": admission + pd.to_timedelta(rng.integers(1, 30, n), "D"),
        }
    )
    sdtypes = {"age": "numerical", "admission_date": "datetime", "discharge_date": "datetime"}
    columns = {column: {"sdtype": sdtype} for column, sdtype in sdtypes.items()}
    metadata = Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {"stays": {"columns": columns}}}
    )
    cls, options = _QUICK_SINGLE_TABLE[name]
    synthesizer = cls(metadata, **options)
    synthesizer.add_constraints(
        [Inequality(low_column_name="admission_date", high_column_name="discharge_date")]
    )
    synthesizer.fit(data)
    for day in ("2020-03-01", "2020-06-15", "2020-10-01"):
        conditions = [Condition({"admission_date": day}, num_rows=20)]
        rows = single_table(synthesizer.sample_from_conditions(conditions))
        assert len(rows) == 20 and (rows["admission_date"] == pd.Timestamp(day)).all()
        assert (rows["discharge_date"] >= rows["admission_date"]).all()

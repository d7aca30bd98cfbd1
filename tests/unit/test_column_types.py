"""Identifiers, datetimes and numbers written as text: generated, never copied, in every core.

The shared layer (``encoding.roles.infer_role`` and ``TabularEncoder``) decides these roles
once, so every generator core gets them; the tests below run each core of the catalog on a
table with an identifier column, a datetime column and a numeric-string column.
"""

import numpy as np
import pandas as pd
import pytest

from synth_plugins import catalog
from synth_plugins.encoding import TabularEncoder, infer_role, infer_roles
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.testing.bad_input import base_table, core_params

START = pd.Timestamp("2012-01-01")
N_DAYS = 3000


def _dates(n: int, seed: int) -> pd.Series:
    days = np.random.default_rng(seed).integers(0, N_DAYS, n)
    return pd.Series(START + pd.to_timedelta(days, "D"))


def _with_odd_columns(data: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """``data`` plus a text identifier, a datetime (to the second) and numbers as text.

    Times to the second make a chance collision with a training time negligible, so the
    share of training times in the output measures copying (a model that treats the
    column as levels copies 100 %).
    """
    rng = np.random.default_rng(seed)
    n = len(data)
    out = data.copy()
    out["record_id"] = [f"MRN{100000 + 37 * i + seed}" for i in range(n)]
    seconds = pd.to_timedelta(rng.integers(0, 86_400, n), "s")
    out["seen_on"] = (_dates(n, seed) + seconds).to_numpy()
    out["lab"] = [f"{v:.2f}" for v in rng.uniform(10, 40, n)]
    return out


class TestRoles:
    def test_inferred_roles(self):
        n = 40
        frame = pd.DataFrame(
            {
                "record_id": [f"R{i:04d}" for i in range(n)],
                "patient_id": np.random.default_rng(0).permutation(10_000)[:n],
                "row": np.arange(1, n + 1),
                "seen_on": _dates(n, 1).to_numpy(),
                "born": [f"{d:%d/%m/%Y}" for d in _dates(n, 2)],
                "lab": [f"{v:.2f}" for v in np.linspace(10, 40, n)],
                "grade": np.resize(["1", "2", "3"], n),
                "weight_g": np.random.default_rng(3).permutation(5000)[:n] + 2000,
            }
        )
        assert infer_roles(frame) == {
            "record_id": "identifier",  # text, > 95 % distinct
            "patient_id": "identifier",  # distinct whole numbers, named like a key
            "row": "identifier",  # distinct whole numbers 1..n
            "seen_on": "datetime",
            "born": "datetime",  # dates written as text, one format
            "lab": "numerical",  # numbers written as text
            "grade": "categorical",  # three whole numbers as text: levels
            "weight_g": "integer",  # distinct, but neither a run nor a key name
        }

    def test_key_names_written_together_need_the_word_apart(self):
        """Distinct whole numbers are a key only under a key's name: ``PatientID`` and
        CDISC's ``USUBJID`` are, upper-case measurements ending in ``ID`` are not."""
        values = np.random.default_rng(0).permutation(10_000)[:40]
        keys = ("PatientID", "patientId", "PATIENT_ID", "USUBJID", "PATID", "PATIENTID")
        for name in (*keys, "SUBJECTID", "PatientGUID", "PID", "RECORDID", "mrn"):
            assert infer_role(pd.Series(values, name=name)) == "identifier", name
        for name in ("URIC_ACID", "LIPID", "COVID", "PLATELETS_PAID", "uric_acid"):
            assert infer_role(pd.Series(values, name=name)) == "integer", name

    def test_distinct_whole_numbers_too_many_for_their_span_are_keys(self):
        """600 distinct record numbers between 100000 and 101999 under a name that is no
        key's (``record_no``) were modelled as a number: 588 of 2000 generated values were
        training keys. A measurement over that span would have repeated a value; 600
        distinct counts spread over 300000 values would not, and stay a measurement."""
        rng = np.random.default_rng(0)
        records = pd.Series(rng.choice(np.arange(100_000, 102_000), 600, replace=False))
        counts = pd.Series(rng.choice(np.arange(150_000, 450_000), 600, replace=False))
        for name in ("record_no", "accession", "x"):
            assert infer_role(records.rename(name)) == "identifier", name
            assert infer_role(records.astype(float).rename(name)) == "identifier", name
            assert infer_role(records.astype(str).rename(name)) == "identifier", name
        assert infer_role(counts.rename("platelets")) == "integer"
        repeated = pd.concat([records.iloc[:-1], records.iloc[:1]]).rename("record_no")
        assert infer_role(repeated) == "integer"  # one value twice: not keys
        frame = pd.DataFrame({"record_no": records, "age": rng.integers(18, 95, 600)})
        encoder = TabularEncoder().fit(frame)
        assert encoder.spec("record_no").role == "identifier"
        assert not encoder.fresh_keys("record_no", 2000).isin(records).any()

    def test_small_or_repeating_columns_are_not_identifiers(self):
        assert infer_role(pd.Series([f"R{i}" for i in range(10)], name="r")) == "categorical"
        repeating = pd.Series(np.resize([f"R{i}" for i in range(30)], 40), name="r")
        assert infer_role(repeating) == "categorical"

    def test_free_text_whose_rows_are_mostly_unique_is_an_identifier(self):
        """81 % distinct (a few repeated words, the rest one note per patient): modelled
        as levels, every generated note was a real patient's note (a privacy probe)."""
        rng = np.random.default_rng(0)
        notes = [f"pt reports pain level {v}" for v in rng.integers(0, 99_999, 240)]
        comment = pd.Series([*notes, *(["none", "stable"] * 30)], name="comment")
        assert 0.5 < (comment.map(comment.value_counts()) == 1).mean() < 0.95
        assert infer_role(comment) == "identifier"
        frame = pd.DataFrame({"comment": comment, "age": rng.normal(60, 10, len(comment))})
        encoder = TabularEncoder().fit(frame)
        assert not encoder.fresh_keys("comment", 50).isin(comment).any()

    def test_text_numbers_with_a_leading_zero_are_codes_not_quantities(self):
        """Phone numbers read as numbers came back as integers without their leading zero."""
        rng = np.random.default_rng(0)
        phone = pd.Series([f"07{v}" for v in rng.integers(10**8, 10**9, 60)], name="phone")
        assert infer_role(phone) == "identifier"
        frame = pd.DataFrame({"phone": phone, "age": rng.normal(60, 10, 60)})
        keys = TabularEncoder().fit(frame).inverse_transform(np.zeros((5, 1)))["phone"]
        assert keys.map(type).eq(str).all() and not keys.isin(phone).any()
        postcode = pd.Series(["01234", "02134", "01234", "00420"] * 10)
        assert infer_role(postcode) == "categorical"
        # numbers that merely start with zero stay numbers, and a declared role is honoured
        assert infer_role(pd.Series(["0.51", "0", "12.5", "3.25"] * 10)) == "numerical"
        codes = pd.DataFrame({"code": [f"{v:03d}" for v in range(100, 140)] + ["007"]})
        encoder = TabularEncoder({"code": "integer"}).fit(codes)
        assert encoder.spec("code").role == "integer" and encoder.spec("code").low == 7.0

    def test_given_roles_win(self):
        frame = pd.DataFrame({"code": [f"C{i}" for i in range(30)]})
        assert infer_roles(frame, {"code": "categorical"}) == {"code": "categorical"}
        enc = TabularEncoder({"code": "categorical"}).fit(frame)
        assert enc.blocks[0].width == 30

    def test_numeric_role_on_text_that_is_not_numbers_names_the_column(self):
        frame = pd.DataFrame({"lab": ["1.5", "2.5", "n/a", "3.0"]})
        with pytest.raises(InvalidDataError, match=r"'lab'.*'n/a'"):
            TabularEncoder({"lab": "numerical"}).fit(frame)

    def test_datetime_role_on_text_that_is_not_dates_names_the_column(self):
        with pytest.raises(InvalidDataError, match="'when'.*datetime"):
            TabularEncoder({"when": "datetime"}).fit(pd.DataFrame({"when": ["a", "b", "c"]}))

    def test_integer_role_on_fractions_names_the_column(self):
        # rounding 5.13 to 5 would lose data silently (every core shares the rule)
        frame = pd.DataFrame({"lab": [5.13, 4.87, 6.0], "x": [1.0, 2.0, 3.0]})
        with pytest.raises(InvalidDataError, match="'lab' has role 'integer' but holds fractional"):
            TabularEncoder({"lab": "integer"}).fit(frame)
        # whole up to floating-point error is whole (0.7 + 0.1 + 0.1 + 0.1 is 0.9999999999999999)
        sums = frame.assign(lab=[0.7 + 0.1 + 0.1 + 0.1, 2.9999999999999996, 4.0])
        TabularEncoder({"lab": "integer"}).fit(sums)

    def test_only_identifiers_is_an_error(self):
        frame = pd.DataFrame({"record_id": [f"R{i}" for i in range(30)]})
        with pytest.raises(InvalidDataError, match="no column to model.*record_id"):
            TabularEncoder().fit(frame)


class TestEncoder:
    @pytest.fixture
    def frame(self):
        frame = _with_odd_columns(base_table("generic").data)
        frame["seen_on"] = _dates(len(frame), 0).to_numpy()  # whole days
        frame["born"] = [f"{d:%d/%m/%Y}" for d in _dates(len(frame), 5)]
        frame["stamp"] = pd.date_range("2020-03-01 08:30", periods=len(frame), freq="37min",
                                       tz="Europe/Berlin")  # fmt: skip
        # dates at local midnight across changes of clocks (22:00 or 23:00 on the UTC clock)
        frame["admitted"] = _dates(len(frame), 7).dt.tz_localize("Europe/Berlin").to_numpy()
        return frame

    def test_round_trip(self, frame):
        enc = TabularEncoder().fit(frame)
        back = enc.inverse_transform(enc.transform(frame))
        for column in ("seen_on", "born", "stamp", "admitted"):
            pd.testing.assert_series_equal(back[column], frame[column], check_names=False)
        np.testing.assert_allclose(back["lab"], frame["lab"].astype(float))
        assert back["lab"].dtype == np.float64
        assert not set(back["record_id"]) & set(frame["record_id"])
        assert back["record_id"].is_unique

    def test_generated_values(self, frame):
        enc = TabularEncoder().fit(frame)
        noise = np.random.default_rng(0).uniform(size=(500, enc.n_features))
        out = enc.inverse_transform(noise)
        assert out["seen_on"].dtype == frame["seen_on"].dtype
        assert (out["seen_on"] == out["seen_on"].dt.normalize()).all(), "whole days, as in training"
        assert out["seen_on"].between(frame["seen_on"].min(), frame["seen_on"].max()).all()
        assert out["stamp"].dt.tz is not None and (out["stamp"].dt.second == 0).all()
        admitted = out["admitted"]
        assert admitted.dtype == frame["admitted"].dtype and admitted.nunique() > 50
        assert (admitted == admitted.dt.normalize()).all(), "local midnight, as in training"
        born = pd.to_datetime(out["born"], format="%d/%m/%Y")  # the training text format
        assert born.notna().all() and out["born"].nunique() > 100
        assert out["lab"].between(10, 40).all() and out["lab"].nunique() > 100

    def test_integer_keys_start_at_the_power_of_ten_above_the_largest(self):
        frame = pd.DataFrame({"id": np.arange(100, 130), "x": np.linspace(0, 1, 30)})
        enc = TabularEncoder().fit(frame)
        keys = enc.fresh_keys("id", 3)
        assert keys.tolist() == [1000, 1001, 1002] and keys.dtype == frame["id"].dtype

    def test_text_keys_avoid_a_prefix_in_use(self):
        frame = pd.DataFrame(
            {"id": [f"synthetic_{i}" for i in range(30)], "x": np.linspace(0, 1, 30)}
        )
        enc = TabularEncoder().fit(frame)
        assert not set(enc.fresh_keys("id", 60)) & set(frame["id"])

    def test_missing_dates_come_back_missing(self):
        frame = pd.DataFrame({"d": _dates(30, 0), "x": np.linspace(0, 1, 30)})
        frame.loc[[3, 7], "d"] = pd.NaT
        enc = TabularEncoder().fit(frame)
        back = enc.inverse_transform(enc.transform(frame))
        pd.testing.assert_series_equal(back["d"], frame["d"])


def _core(entry, table):
    return catalog.resolve(entry.core)(**core_params(entry, table, epochs=10))


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("entry", catalog.GENERATORS, ids=lambda e: e.name)
def test_every_core_generates_ids_dates_and_numbers(entry):
    table = base_table(entry.synthcity_type)
    train = _with_odd_columns(table.data, seed=0)
    holdout = _with_odd_columns(table.data, seed=1)
    model = _core(entry, table).fit(train)
    synthetic = model.sample(60)
    train_dates = set(train["seen_on"])

    assert not set(synthetic["record_id"]) & set(train["record_id"]), "copied identifiers"
    assert pd.api.types.is_datetime64_any_dtype(synthetic["seen_on"])
    copied = synthetic["seen_on"].isin(train_dates).mean()
    holdout_rate = holdout["seen_on"].isin(train_dates).mean()
    assert copied <= holdout_rate + 0.05, (
        f"{copied:.0%} of dates copied (holdout {holdout_rate:.0%})"
    )
    lab = synthetic["lab"]
    assert pd.api.types.is_float_dtype(lab), f"lab came back as {lab.dtype}"
    values = train["lab"].astype(float)
    assert lab.between(values.min(), values.max()).all()


def test_med_vae_refuses_conditions_on_identifiers_and_dates():
    from synth_plugins.generators.med_vae import MedVAE

    train = _with_odd_columns(base_table("generic").data)
    model = MedVAE(epochs=1).fit(train)
    for column, value in (("record_id", "MRN100000"), ("seen_on", START)):
        with pytest.raises(InvalidParameterError, match=f"'{column}'"):
            model.sample(5, conditions={column: value})
    rows = model.sample(40, conditions={"stage": "II"}, enforce_conditions=True)
    assert rows["record_id"].is_unique


@pytest.mark.filterwarnings("ignore")
def test_ctabgan_refuses_identifiers_as_conditions_or_target():
    from synth_plugins.generators.ctabgan_plus import CTABGANPlus

    train = _with_odd_columns(base_table("generic").data)
    model = CTABGANPlus(epochs=1, batch_size=20).fit(train)
    assert model.column_kinds_["seen_on"] == "continuous"  # days: no date is its own mode
    for column, value in (("record_id", "MRN100000"), ("seen_on", START)):
        with pytest.raises(InvalidParameterError, match=f"'{column}'"):
            model.sample(5, conditions={column: value})
    rows = model.sample(40, conditions={"stage": "II"})
    assert (rows["stage"] == "II").all() and rows["record_id"].is_unique
    with pytest.raises(InvalidParameterError, match="target 'record_id' is an identifier"):
        CTABGANPlus(epochs=1, target="record_id").fit(train)
    with pytest.raises(InvalidParameterError, match="'seen_on' is a datetime column"):
        CTABGANPlus(epochs=1, mixed_values={"seen_on": [0.0]}).fit(train)


@pytest.mark.filterwarnings("ignore")
def test_longitudinal_per_patient_key_is_fresh_and_constant_within_patients():
    from synth_plugins.generators.longitudinal_lstm import LongitudinalLSTM

    rows = [
        {"patient": p, "day": 30 * v, "mrn": f"MRN{9000 + p}", "value": float(p % 5 + v)}
        for p in range(25)
        for v in range(3)
    ]
    train = pd.DataFrame(rows)
    model = LongitudinalLSTM(
        "patient", "day", epochs=2, static_epochs=2, calibrate_stop=False, calibrate_steps=False
    )
    model.fit(train)
    assert model.roles_["mrn"] == "identifier"  # inferred on one row per patient
    synthetic = model.sample(30)
    per_patient = synthetic.groupby("patient")["mrn"].nunique()
    assert (per_patient == 1).all()
    keys = synthetic.drop_duplicates("patient")["mrn"]
    assert keys.is_unique and not set(keys) & set(train["mrn"])


def test_conformance_schema_compares_dates_as_times_and_keys_as_fresh():
    from synth_plugins.testing.conformance import assert_same_schema

    real = _with_odd_columns(base_table("generic").data.iloc[:30].reset_index(drop=True))
    real["born"] = _dates(30, 5).dt.strftime("%d/%m/%Y")
    synthetic = real.copy()
    inside = real["seen_on"].min() + (real["seen_on"].max() - real["seen_on"].min()) / 3
    synthetic["seen_on"] = inside  # a time the real data never has: not an "unseen level"
    synthetic["born"] = pd.Series(_dates(30, 5)).min().strftime("%d/%m/%Y")
    synthetic["record_id"] = [f"synthetic_{i}" for i in range(30)]
    synthetic["lab"] = real["lab"].astype(float)  # numbers as text come back as numbers
    assert_same_schema(real, synthetic, {}, 30)

    too_late = synthetic.assign(seen_on=real["seen_on"].max() + pd.Timedelta(days=1))
    with pytest.raises(AssertionError, match="'seen_on' leaves the real range"):
        assert_same_schema(real, too_late, {}, 30)
    as_text = synthetic.assign(seen_on=synthetic["seen_on"].astype(str))
    with pytest.raises(AssertionError, match="'seen_on' came back as object"):
        assert_same_schema(real, as_text, {}, 30)
    wrong_format = synthetic.assign(born="1999-01-01")
    with pytest.raises(AssertionError, match="'born' came back with values that are not dates"):
        assert_same_schema(real, wrong_format, {}, 30)
    copied = synthetic.assign(record_id=real["record_id"])
    with pytest.raises(AssertionError, match="identifier 'record_id' repeats real keys"):
        assert_same_schema(real, copied, {}, 30)
    with pytest.raises(AssertionError, match="'lab' leaves the real range"):
        assert_same_schema(real, synthetic.assign(lab=1e6), {}, 30)


def test_time_spans_are_refused_naming_the_column():
    """No role fits timedelta64: as text its levels would be compared and copied one by
    one (a metric crashed in pandas on them); every generator host refuses them through
    the bad-input kit's ``timedeltas`` case, the shared layer and a metric here."""
    from synth_plugins.metrics import correlation_l1

    data = base_table("generic").data
    data["stay"] = pd.to_timedelta(np.arange(len(data)) % 9 + 1, "D")
    with pytest.raises(InvalidDataError, match="'stay'.*time spans.*total_seconds"):
        infer_role(data["stay"])
    with pytest.raises(InvalidDataError, match="'stay'"):
        infer_roles(data, {"stay": "numerical"})
    with pytest.raises(InvalidDataError, match="'stay'"):
        correlation_l1(data, data.iloc[::-1].reset_index(drop=True))


#: Whole numbers after float round-off, on either side of the number.
ROUND_OFF = {"above": 0.1 * 3 * 10, "below": 0.29 * 100}  # 3.0000000000000004, 28.999999999999996


@pytest.mark.parametrize("side", sorted(ROUND_OFF))
def test_whole_numbers_are_one_rule_with_float_round_off(side):
    """ "Whole numbers?" was decided four ways: ``x % 1 == 0`` (SDV metadata),
    ``isclose(x % 1, 0)`` (inference, Synthcity's roles), ``allclose(x, round(x))`` (the
    check of a declared ``integer``): 3.0000000000000004 was an integer for inference but
    not for SDV metadata, 28.999999999999996 was numerical everywhere although the
    integer check accepted it. Every site now asks ``is_whole``."""
    from sdv.metadata import Metadata

    from synth_plugins.encoding.roles import check_whole_numbers
    from synth_plugins.sdv.metadata import roles_from_metadata
    from synth_plugins.synthcity.roles import synthcity_roles

    value = ROUND_OFF[side]
    assert value != round(value)
    column = pd.Series([value, *np.arange(10.0, 40.0), 10.0], name="x")  # (a repeat: no keys)
    assert infer_role(column) == "integer"
    assert synthcity_roles(column.to_frame(), {})["x"] == "integer"
    metadata = Metadata.load_from_dict(
        {"tables": {"t": {"columns": {"x": {"sdtype": "numerical"}}}}}
    )
    assert roles_from_metadata(metadata, column.to_frame())["x"] == "integer"
    check_whole_numbers(column.to_numpy(), "x")


def test_a_fraction_is_never_whole_however_large_the_number():
    """The tolerance is round-off, not a share of the value: ``np.allclose``'s relative
    1e-5 let the declared-``integer`` check round 100000.5 to a whole number."""
    from synth_plugins.encoding.roles import check_whole_numbers

    for fraction in (2.5, 100000.5, 1e9 + 0.25, -7.5):
        with pytest.raises(InvalidDataError, match="'x' has role 'integer'"):
            check_whole_numbers(np.array([1.0, fraction]), "x")


def test_is_whole_ignores_missing_values_and_refuses_infinity():
    from synth_plugins.encoding.roles import is_whole

    assert is_whole(np.array([1.0, np.nan, -3.0])) and is_whole(np.array([]))
    assert is_whole(pd.Series([1, None, 3], dtype="Int64"))
    assert not is_whole(np.array([1.0, np.inf])) and not is_whole(np.array([1.0, 2.5]))


def _object_numbers(n: int = 120) -> pd.DataFrame:
    """Lab values read with a ``"<5"`` among numbers, the text then set missing (``object``
    dtype kept), and counts stored as ``object``."""
    rng = np.random.default_rng(0)
    lab = pd.Series([round(float(v), 1) for v in rng.lognormal(2, 0.5, n)], dtype=object)
    lab[rng.random(n) < 0.1] = "<5"
    data = pd.DataFrame(
        {"lab": lab, "visits": pd.Series(list(rng.integers(0, 60, n)), dtype=object)}
    )
    data.loc[data["lab"] == "<5", "lab"] = np.nan
    return data


def test_an_object_column_of_numbers_only_is_read_as_those_numbers():
    """Its numbers were read as text levels: ``categorical``, or keys when mostly distinct."""
    from synth_plugins.sdv.metadata import metadata_dict

    data = _object_numbers()
    assert data.dtypes.tolist() == [object, object]
    for column in data.columns:
        assert infer_role(data[column]) == infer_role(pd.to_numeric(data[column]))
    assert infer_roles(data) == {"lab": "numerical", "visits": "integer"}
    described = metadata_dict(data, {})["tables"]["table"]["columns"]
    assert described == {"lab": {"sdtype": "numerical"}, "visits": {"sdtype": "numerical"}}
    # booleans and text are no numbers
    assert infer_role(pd.Series([True, False, np.nan, True], dtype=object)) == "binary"
    assert infer_role(pd.Series([1.5, "a", 2.5, 3.5] * 5, dtype=object)) == "categorical"

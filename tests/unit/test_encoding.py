from functools import partial

import numpy as np
import pandas as pd
import pytest

from synth_plugins.encoding import TabularEncoder, infer_role, infer_roles
from synth_plugins.encoding.levels import sorted_levels
from synth_plugins.encoding.parsing import from_days, text_date_format, time_step, to_days
from synth_plugins.encoding.tabular import (
    decimals_of,
    fold_into,
    fresh_keys,
    identifier_spec,
    text_decimals,
)
from synth_plugins.errors import InvalidDataError, InvalidParameterError, NotFittedError


@pytest.fixture
def mixed():
    return pd.DataFrame(
        {
            "age": [50.5, 61.25, np.nan, 70.0, 44.0],
            "sex": ["F", "M", None, "F", "M"],
            "stage": [1, 2, 3, 2, 1],
            "flag": [True, False, True, True, False],
            "grade": pd.Categorical(
                ["lo", "hi", "mid", "lo", "hi"], categories=["lo", "mid", "hi"], ordered=True
            ),
            "count": [0, 12, 5, 40, 33],
        }
    )


class TestRoles:
    def test_inference(self, mixed):
        roles = infer_roles(mixed)
        assert roles == {
            "age": "numerical",
            "sex": "binary",
            "stage": "categorical",
            "flag": "binary",
            "grade": "ordinal",
            "count": "categorical",  # 5 whole values: at most 10 levels -> categorical
        }
        assert infer_role(pd.Series(range(0, 24, 2), name="n")) == "integer"

    def test_given_roles_win_and_are_checked(self, mixed):
        assert infer_roles(mixed, {"stage": "integer"})["stage"] == "integer"
        with pytest.raises(InvalidParameterError, match="'nope'"):
            infer_roles(mixed, {"nope": "numerical"})
        with pytest.raises(InvalidParameterError, match="'weird'.*'age'"):
            infer_roles(mixed, {"age": "weird"})

    def test_a_numeric_role_on_dates_is_refused_naming_the_column(self):
        """A numeric role on dates failed later: the encoder said "non-numeric values ...;
        declare it 'categorical' or 'binary'", SDV refused its own ``numerical`` sdtype. The
        role check names the column, the role and the dates, and points to ``datetime``."""
        days = pd.Timestamp("2019-03-07") + pd.to_timedelta([0, 31, 45, 90, 200], "D")
        lab = ["12.5", "3", "7.25", "1", "2"]
        frame = pd.DataFrame({"seen": days, "born": days.strftime("%Y-%m-%d"), "lab": lab})
        for column, role, held in (
            ("seen", "numerical", r"dtype datetime64\[\w+\], e\.g\. '2019-03-07 00:00:00'"),
            ("born", "integer", r"text in the format '%Y-%m-%d', e\.g\. '2019-03-07'"),
        ):
            expected = rf"'{column}' has role '{role}' but holds dates \({held}\).*'datetime'"
            with pytest.raises(InvalidDataError, match=expected):
                infer_roles(frame, {column: role})
            with pytest.raises(InvalidDataError, match=expected):
                TabularEncoder({column: role}).fit(frame)
        # numbers written as text keep a numeric role; dates take the role datetime
        roles = {"lab": "numerical", "seen": "datetime", "born": "datetime"}
        encoder = TabularEncoder(roles).fit(frame)
        assert encoder.inverse_transform(encoder.transform(frame))["lab"].dtype == np.float64

    def test_all_missing_column_names_it(self):
        with pytest.raises(InvalidDataError, match="'x'"):
            infer_role(pd.Series([np.nan, np.nan], name="x"))

    def test_numbers_or_dates_with_a_few_stray_values_are_refused_by_name(self):
        """One ``"unknown"`` among dates written as text made the column an identifier
        (fresh keys, every date lost), one censored ``"<5"`` among lab values a categorical
        of ~100 levels (training values copied), without a word. The column is refused,
        naming it, the stray values with their rows and the ways out."""
        rng = np.random.default_rng(0)
        days = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 900, 300), "D")
        dates = pd.Series(days.strftime("%Y-%m-%d"), name="diagnosis_date", dtype=object)
        dates[[7, 8]] = "unknown"
        dates[9] = "n/a"
        lab = pd.Series(np.round(rng.gamma(2.0, 12.0, 300), 1), name="crp", dtype=object)
        lab[[4, 5, 6]] = "<5"
        lab[10] = np.nan  # missing values are not strays
        as_text = lab.map(lambda value: value if pd.isna(value) else str(value))
        for series, what, strays in (
            (dates, r"dates in the format '%Y-%m-%d'", r"'unknown' \(2 rows\), 'n/a' \(1 row\)"),
            (lab, "numbers", r"'<5' \(3 rows\)"),  # floats and text mixed
            (as_text, "numbers", r"'<5' \(3 rows\)"),  # all text
        ):
            expected = (
                rf"'{series.name}' holds {what} except for \d distinct values?: {strays};.*"
                rf"missing \(NaN\), e\.g\. data\['{series.name}'\] = pd\.to_.*errors='coerce'\).*"
                rf"roles=\{{'{series.name}': 'categorical'\}}"
            )
            with pytest.raises(InvalidDataError, match=expected):
                infer_role(series)
            frame = series.to_frame()
            with pytest.raises(InvalidDataError, match=expected):
                infer_roles(frame)
            with pytest.raises(InvalidDataError, match=expected):
                TabularEncoder().fit(frame)
            # a declared role, or a pandas category, is honoured: the text is levels
            assert infer_roles(frame, {series.name: "categorical"}) == {series.name: "categorical"}
            assert infer_role(series.astype("category")) in ("categorical", "identifier")
            # made missing as the error says, the values are dates or numbers again
            convert = (
                pd.to_numeric if what == "numbers" else partial(pd.to_datetime, format="%Y-%m-%d")
            )
            assert infer_role(convert(series, errors="coerce")) in ("datetime", "numerical")

    def test_long_columns_are_screened_on_a_sample_with_the_same_verdict(self):
        """Columns of many distinct values are first read on a seeded sample: keys and
        free text skip the full read, which doubled the time of role inference on a
        column of 500,000 text keys; strays among many numbers are still found."""
        rng = np.random.default_rng(1)
        lab = pd.Series(rng.gamma(2.0, 12.0, 5_000).round(3).astype(str), name="crp")
        lab[[3, 4]] = "<5"
        with pytest.raises(InvalidDataError, match=r"'crp' holds numbers except .* '<5' \(2"):
            infer_role(lab)
        keys = pd.Series([f"P-{i:06d}" for i in range(5_000)], name="patient")
        assert infer_role(keys) == "identifier"
        mixed = keys.copy()  # half keys, half numbers: neither reads as 90 %
        mixed[::2] = rng.normal(50, 10, 2_500).round(2).astype(str)
        assert infer_role(mixed) == "identifier"

    def test_text_held_as_numpy_strings_reads_as_text(self):
        """``rng.choice`` of strings gives ``numpy.str_`` values, which pandas' date
        parsers refuse (``TypeError: Expected str, got numpy.str_``): role inference failed
        on such dates and keys, and on a day count of them. They read as plain text."""
        days = [np.str_(f"2020-01-{day:02d}") for day in range(1, 29)]
        dates = pd.Series([*days, None], name="visit", dtype=object)
        assert infer_role(dates) == "datetime"
        assert to_days(dates, text_date_format(dates))[:2].tolist() == [18262.0, 18263.0]
        keys = pd.Series([np.str_(f"P{i}") for i in range(50)], name="patient")
        assert infer_role(keys) == "identifier"
        with pytest.raises(InvalidDataError, match=r"'visit' holds dates .* 'unknown'"):
            infer_role(pd.Series([*days, "unknown"], name="visit", dtype=object))

    def test_few_valued_text_with_another_value_stays_levels(self):
        """A grade written ``"1"``, ``"2"``, ``"3"`` with ``"unknown"`` is levels: read as
        numbers it would be levels too, so nothing is lost and nothing is refused; so is
        text of which a tenth or more of the distinct values are not numbers (lifeboat
        labels ``"13"``, ``"C"``, ``"5 7"``) and a handful of dates with ``"unknown"``."""
        rng = np.random.default_rng(1)
        grade = rng.choice(["1", "2", "3", "unknown"], 400, p=[0.3, 0.4, 0.25, 0.05])
        assert infer_role(pd.Series(grade, name="grade")) == "categorical"
        boats = [str(i) for i in range(1, 17)] + ["A", "B", "C", "D", "5 7", "13 15"]
        assert infer_role(pd.Series(rng.choice(boats, 300), name="boat")) == "categorical"
        visits = ["2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01", "unknown"]
        assert infer_role(pd.Series(rng.choice(visits, 300), name="visit")) == "categorical"


class TestEncoder:
    def test_round_trip_is_exact(self, mixed):
        enc = TabularEncoder().fit(mixed)
        back = enc.inverse_transform(enc.transform(mixed))
        pd.testing.assert_frame_equal(back, mixed.assign(sex=mixed["sex"].fillna(np.nan)))

    def test_layout(self, mixed):
        enc = TabularEncoder({"count": "integer"}).fit(mixed)
        kinds = [(b.column, b.kind, b.width) for b in enc.blocks]
        assert kinds == [
            ("age", "numerical", 1),
            ("age", "missing", 1),
            ("sex", "binary", 1),
            ("sex", "missing", 1),
            ("stage", "categorical", 3),
            ("flag", "binary", 1),
            ("grade", "categorical", 3),
            ("count", "numerical", 1),
        ]
        matrix = enc.transform(mixed)
        assert matrix.shape == (5, enc.n_features) and matrix.dtype == np.float32
        assert matrix.min() >= 0 and matrix.max() <= 1
        # ordinal blocks keep the declared order: "hi" is the third level
        grade = next(b for b in enc.blocks if b.column == "grade")
        assert matrix[1, grade.start + 2] == 1

    def test_decoding_clips_rounds_thresholds_and_argmaxes(self, mixed):
        enc = TabularEncoder({"count": "integer"}).fit(mixed)
        noisy = np.full((1, enc.n_features), 0.4)
        noisy[0, 0] = 1.7  # age beyond the top of the range
        stage = next(b for b in enc.blocks if b.column == "stage")
        noisy[0, stage.start : stage.stop] = [0.1, 0.2, 0.7]
        count = next(b for b in enc.blocks if b.column == "count")
        noisy[0, count.start] = 0.31  # 0.31 * 40 = 12.4 -> 12
        row = enc.inverse_transform(noisy).iloc[0]
        assert row["age"] == 70.0
        assert row["stage"] == 3
        assert row["count"] == 12
        assert row["flag"] is np.False_ or row["flag"] == False  # noqa: E712
        assert row["sex"] == "F"  # 0.4 < 0.5 -> first level; indicator 0.4 -> present

    def test_missing_indicator_writes_nan_back(self, mixed):
        enc = TabularEncoder().fit(mixed)
        matrix = enc.transform(mixed)
        assert np.isnan(enc.inverse_transform(matrix).loc[2, "age"])
        assert pd.isna(enc.inverse_transform(matrix).loc[2, "sex"])

    def test_impute_policy_never_outputs_nan(self, mixed):
        enc = TabularEncoder(missing="impute").fit(mixed)
        back = enc.inverse_transform(enc.transform(mixed))
        assert not back.isna().any().any()
        # the training median (55.875), rounded to the 2 decimals the column uses
        assert back.loc[2, "age"] == 55.88

    def test_error_policy_names_the_column(self, mixed):
        with pytest.raises(InvalidDataError, match="'age'.*missing"):
            TabularEncoder(missing="error").fit(mixed)

    def test_unseen_level_is_an_error(self, mixed):
        enc = TabularEncoder().fit(mixed)
        other = mixed.assign(stage=[1, 2, 9, 2, 1])
        with pytest.raises(InvalidDataError, match="'stage'.*9"):
            enc.transform(other)

    def test_column_mismatch_is_an_error(self, mixed):
        enc = TabularEncoder().fit(mixed)
        with pytest.raises(InvalidDataError, match="missing \\['age'\\]"):
            enc.transform(mixed.drop(columns="age"))

    def test_bad_inputs(self, mixed):
        with pytest.raises(InvalidDataError, match="empty"):
            TabularEncoder().fit(mixed.iloc[:0])
        with pytest.raises(InvalidDataError, match="'age'.*no observed"):
            TabularEncoder().fit(mixed.assign(age=np.nan))
        with pytest.raises(InvalidDataError, match="'sex'.*non-numeric"):
            TabularEncoder({"sex": "numerical"}).fit(mixed)
        with pytest.raises(InvalidParameterError, match="missing"):
            TabularEncoder(missing="drop")
        with pytest.raises(NotFittedError):
            TabularEncoder().transform(mixed)

    def test_constant_column_round_trips(self):
        frame = pd.DataFrame({"c": [3.5, 3.5, 3.5], "x": [1.0, 2.0, 3.0]})
        enc = TabularEncoder().fit(frame)
        pd.testing.assert_frame_equal(enc.inverse_transform(enc.transform(frame)), frame)

    def test_nullable_dtypes_round_trip_with_their_missing_values(self):
        frame = pd.DataFrame(
            {
                "count": pd.array([3, None, 17, 4, None, 8, 11, 2, 30, 21, 5, 9], dtype="Int64"),
                "dose": pd.array([1.5, 2.25, None, 4.0] * 3, dtype="Float64"),
                "flag": pd.array([True, None, False, True] * 3, dtype="boolean"),
                "site": pd.array(["a", "b", None, "a"] * 3, dtype="string"),
            }
        )
        enc = TabularEncoder().fit(frame)
        pd.testing.assert_frame_equal(enc.inverse_transform(enc.transform(frame)), frame)

    def test_float32_with_missing_values_keeps_its_dtype(self):
        """float32 holds NaN, but a column with missing values came back float64."""
        frame = pd.DataFrame({"lab": np.array([1.5, np.nan, 2.25, 4.0] * 3, dtype=np.float32)})
        enc = TabularEncoder().fit(frame)
        pd.testing.assert_frame_equal(enc.inverse_transform(enc.transform(frame)), frame)

    def test_non_text_column_labels_come_back_as_given(self):
        frame = pd.DataFrame({0: [1.5, 2.0, 3.25], 1: ["a", "b", "a"]})
        enc = TabularEncoder().fit(frame)
        assert enc.columns == [0, 1]
        pd.testing.assert_frame_equal(enc.inverse_transform(enc.transform(frame)), frame)

    def test_labels_that_read_alike_are_refused(self):
        frame = pd.DataFrame({1: ["a", "b", "a"], "1": ["x", "x", "y"], "v": [1.0, 2.0, 3.0]})
        with pytest.raises(InvalidDataError, match=r"read the same as text: 1 and '1'"):
            TabularEncoder().fit(frame)  # the Cox design would name both "1[...]"

    def test_explicit_ordinal_levels(self):
        frame = pd.DataFrame({"grade": ["II", "I", "III", "II"]})
        enc = TabularEncoder({"grade": "ordinal"}, ordinal_levels={"grade": ["I", "II", "III"]})
        enc.fit(frame)
        assert enc.spec("grade").categories == ("I", "II", "III")
        assert list(enc.codes(frame, "grade")) == [1, 0, 2, 1]


class TestSortedLevels:
    def test_numbers_in_numeric_order_text_in_text_order(self):
        assert sorted_levels([10, 2, 10, 1]) == [1, 2, 10]
        assert sorted_levels(np.array(["b", "a", "b"], dtype=object)) == ["a", "b"]

    def test_mixed_types_sorted_as_text_ties_in_first_seen_order(self):
        assert sorted_levels([10, "9", 1, "a"]) == [1, 10, "9", "a"]
        assert sorted_levels(["1", 1]) == ["1", 1]
        assert sorted_levels([1, "1"]) == [1, "1"]

    def test_the_encoder_and_the_metrics_share_the_order(self):
        from synth_plugins.metrics._encoding import label_encode

        column = pd.Series([3, "x", 1, 3, None], dtype=object)
        enc = TabularEncoder({"c": "categorical"}, missing="impute").fit(column.to_frame("c"))
        _, _, levels = label_encode(column, column)
        assert list(enc.spec("c").categories) == levels == [1, 3, "x"]


def test_fold_into_reflects_values_several_widths_out_strictly_inside():
    """A single reflection sent 2.5 widths out to -0.5, which a clip then put on the end
    (the training minimum); the fold keeps reflecting until inside."""
    values = np.array([2.5, -1.5, 3.25, -4.6, 7.9, 10.2, 0.3])
    folded = fold_into(values, 0.0, 1.0)
    np.testing.assert_allclose(folded, [0.5, 0.5, 0.75, 0.6, 0.1, 0.2, 0.3])
    assert ((folded > 0.0) & (folded < 1.0)).all()
    # in the data's units, one range per column; a one-point range gives its value
    low, high = np.array([10.0, -3.0, 5.0]), np.array([20.0, 1.0, 5.0])
    far = np.array([[10.0 + 10 * 6.3, -3.0 - 4 * 5.25, 40.0]])
    np.testing.assert_allclose(fold_into(far, low, high), [[13.0, 0.0, 5.0]])


def test_fresh_numeric_keys_do_not_reveal_the_largest_training_key():
    # high + 1 would tell anyone that a real record 9974742 exists
    spec = identifier_spec(pd.Series([3, 9_974_742, 5], dtype="int32"))
    made = fresh_keys(spec, 3)
    assert made.tolist() == [10_000_000, 10_000_001, 10_000_002] and made.dtype == "int32"
    assert fresh_keys(spec, 2, start=3).tolist() == [10_000_003, 10_000_004]  # a later batch
    # where the power of ten does not fit the dtype, the keys are 64-bit (int32 wrapped round
    # to negative keys, and high + 1 told the largest key)
    full = identifier_spec(pd.Series([1, 2_147_483_600], dtype="int32"))
    made = fresh_keys(full, 2)
    assert made.tolist() == [10**10, 10**10 + 1] and made.dtype == "int64"
    nullable = identifier_spec(pd.Series([1, None, 2_147_483_600], dtype="Int32"))
    assert fresh_keys(nullable, 1).dtype == "Int64"
    # float keys (a key column with missing values) beyond 2**53 are whole numbers in Int64
    # (as floats 10**16 and 10**16 + 1 are one number)
    floats = identifier_spec(pd.Series([1_234_567_890_123_456.0, 5.0, np.nan]))
    made = fresh_keys(floats, 3)
    assert made.tolist() == [10**16, 10**16 + 1, 10**16 + 2] and made.dtype == "Int64"
    # keys beyond 2**53 are read exactly (as a float 10**18 - 1 reads 10**18, 19 digits)
    long = identifier_spec(pd.Series([10**18 - 1, 5], dtype="int64"))
    assert fresh_keys(long, 2).tolist() == [10**18, 10**18 + 1]
    # above them no power of ten fits 64 bits (high + 1 gave training keys back)
    with pytest.raises(InvalidDataError, match="'accession' has keys of 19 digits.*as text"):
        identifier_spec(pd.Series([1_800_000_000_000_000_099, 5], name="accession"))
    # ... but in unsigned 64-bit integers 10**19 fits (they were refused all the same)
    unsigned = identifier_spec(pd.Series([2**63 + 5, 7], dtype="uint64"))
    made = fresh_keys(unsigned, 2, start=1)
    assert made.tolist() == [10**19 + 1, 10**19 + 2] and made.dtype == "uint64"
    with pytest.raises(InvalidDataError, match="keys of 20 digits"):
        identifier_spec(pd.Series([10**19 + 5, 7], dtype="uint64"))


def test_fresh_text_keys_use_a_prefix_no_training_key_starts_with():
    training = pd.Series(["synthetic_0", "P1"], dtype="string")
    made = fresh_keys(identifier_spec(training), 2)
    assert not made.isin(training).any() and made.dtype == "string"
    assert made.str.startswith("synthetic_x_").all()


def test_times_in_the_hour_clocks_go_back_keep_their_side():
    """Rounding on the zone's clock met the repeated hour with standard time for every
    value: the first pass (daylight time) moved one hour later, onto the next row."""
    instants = pd.date_range("2021-11-07 03:00", periods=30, freq="h", tz="UTC")
    local = pd.Series(instants.tz_convert("America/New_York"))
    step = time_step(local)
    assert step == 3_600 * 10**9
    back = from_days(to_days(local), local.dtype, None, step)
    assert back.tolist() == local.tolist()
    nudged = from_days(to_days(local) + 0.1 / 24, local.dtype, None, step)  # rounded back
    assert nudged.tolist() == local.tolist()


def test_text_with_a_utc_offset_keeps_its_instants():
    """Days and steps of dates written with ``%z`` are on the UTC clock (a +13:00 midnight
    came back a day early and without its offset)."""
    fmt = "%Y-%m-%d %H:%M:%S%z"
    text = pd.Series(["2021-03-01 00:00:00+13:00", "2021-03-05 00:00:00+13:00", None])
    back = from_days(to_days(text, fmt), object, fmt, time_step(text, fmt))
    parsed = pd.to_datetime(back, format=fmt)
    assert parsed.iloc[:2].tolist() == pd.to_datetime(text.iloc[:2], format=fmt).tolist()
    assert back.iloc[0].endswith("+0000") and pd.isna(back.iloc[2])


def test_text_with_offsets_that_change_with_the_clocks_is_read_as_instants():
    """Dates written with ``%z`` in a zone with summer time carry two offsets (+0100,
    +0200); pandas read them as objects, and every generator failed with "Can only use .dt
    accessor with datetimelike values"."""
    fmt = "%Y-%m-%d %H:%M:%S%z"
    local = pd.Series(pd.date_range("2020-03-20", periods=20, freq="D", tz="Europe/Berlin"))
    text = local.dt.strftime(fmt)
    assert text.str[-5:].nunique() == 2  # the clocks changed on 29 March
    days = to_days(text, fmt)
    np.testing.assert_allclose(days, to_days(local))
    back = from_days(days, object, fmt, time_step(text, fmt))
    assert pd.to_datetime(back, format=fmt).tolist() == local.dt.tz_convert("UTC").tolist()

    from synth_plugins.generators import MLECopula

    table = pd.DataFrame({"seen": text, "count": np.arange(20)})
    sampled = MLECopula(random_state=0).fit(table).sample(30)
    read = pd.to_datetime(sampled["seen"], format=fmt)
    assert read.between(local.min(), local.max()).all()


def test_text_numbers_are_read_by_position_whatever_the_index():
    """A table stacked without ``ignore_index`` repeats row labels; reading by label raised
    pandas' InvalidIndexError."""
    from synth_plugins.encoding.parsing import parse_numbers, text_numbers

    repeated = pd.Series(["1", None, "2.5", "4"], index=[0, 0, 1, 1])
    np.testing.assert_array_equal(parse_numbers(repeated).to_numpy(), [1.0, np.nan, 2.5, 4.0])
    assert list(parse_numbers(repeated).index) == [0, 0, 1, 1]
    assert text_numbers(pd.Series(["007", "12"])) is None  # codes with a leading zero
    codes = text_numbers(pd.Series(["1", "2"], dtype="category"))
    assert codes is not None and codes.tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        ([0.1 + 0.2, 1.5], None, 1),  # float noise is not a decimal
        ([26.31, 100000.25], None, 2),
        ([0.0, 2.0], None, 0),
        ([1234567.4], None, 1),  # not a whole number, however large
        ([0.1], np.float32, 1),  # float32's 0.1 is 0.10000000149...
        ([58.7668382433468, 56.4478151352535, 70.0744715803307], None, 6),  # 13 decimals
        ([1.2e-8, 3.4e-8, 4.9e-8], None, None),  # 6 decimals would make them zeros
        ([1.2e-6, 3.4e-6, 4.9e-6], None, None),
    ],
)
def test_decimals_of(values: list[float], dtype: object, expected: int | None) -> None:
    array = np.array(values, dtype=dtype or float).astype(float)
    assert decimals_of(array, dtype) == expected


def test_text_decimals_is_the_written_width_not_the_decimals_the_numbers_need() -> None:
    """Text numbers are written back as wide as the training text (trailing zeros kept);
    the numbers themselves need only ``decimals_of``."""
    text = pd.Series(["1.50", "2.25", "3.000", None, " 4 "])
    assert text_decimals(text) == 3
    assert decimals_of(np.array([1.5, 2.25, 3.0, 4.0])) == 2


def test_dates_the_date_rules_cannot_see_are_named_in_a_warning() -> None:
    """Dates written as whole numbers (20200131) were modelled as numbers and came out as
    20194666; a category of date strings as levels (training dates). Neither was said."""
    import warnings

    from synth_plugins.encoding.roles import warn_hidden_dates

    days = pd.Timestamp("2018-01-01") + pd.to_timedelta(np.arange(0, 600, 7), unit="D")
    data = pd.DataFrame(
        {
            "admitted": days.strftime("%Y%m%d").astype(int),
            "visit": pd.Categorical(days.strftime("%Y-%m-%d")),
            "count": np.arange(len(days)) + 20_000_000,  # 8 digits, not all dates
            "age": np.linspace(20, 80, len(days)),
        }
    )
    with pytest.warns(UserWarning) as caught:
        TabularEncoder().fit(data)
    told = [str(w.message) for w in caught if "give the column as dates" in str(w.message)]
    assert len(told) == 2
    assert "'admitted' holds whole numbers that all read as dates (YYYYMMDD)" in told[0]
    assert "'visit' holds a pandas category of dates" in told[1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a declared role is honoured without a word
        warn_hidden_dates(data, {"admitted": "integer", "visit": "categorical"})


def test_text_decimals_of_scientific_notation_keep_the_value() -> None:
    """ "1e-05" has no "." and counted 0 decimals: written back, it became "0"."""
    text = pd.Series(["1e-05", "2.5e-05", "1.2e3", "0.5"])
    decimals = text_decimals(text)
    assert decimals == 6
    written = [f"{float(v):.{decimals}f}" for v in text]
    assert [float(w) for w in written] == [float(v) for v in text]

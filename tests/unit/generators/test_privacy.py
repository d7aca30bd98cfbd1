"""The copy filter: natural duplicates kept, excess copies re-drawn, identifiers ignored."""

import warnings

import numpy as np
import pandas as pd
import pytest

from synth_plugins.errors import InvalidDataError, NotFittedError
from synth_plugins.generators.privacy import (
    MIN_REPLACED_TO_WARN,
    CopyFilter,
    collision_rate,
    compared_columns,
    one_warning_per_call,
    row_hashes,
)


def _repeated_table(rng: np.random.Generator) -> pd.DataFrame:
    """40 profiles x 3 rows plus 120 distinct rows: every row of the first part repeats."""
    profiles = pd.DataFrame(
        {
            "age": rng.integers(30, 80, 40),
            "sex": rng.choice(["F", "M"], 40),
            "bmi": rng.normal(27, 4, 40).round(1),
        }
    )
    unique = pd.DataFrame(
        {
            "age": rng.integers(30, 80, 120),
            "sex": rng.choice(["F", "M"], 120),
            "bmi": 100 + np.arange(120) / 10,  # never equal to a profile's
        }
    )
    return pd.concat([profiles] * 3 + [unique], ignore_index=True)


def _fresh(rng: np.random.Generator):
    """A ``draw(k)`` giving rows that never equal a training row (bmi out of range)."""

    def draw(k: int) -> pd.DataFrame:
        return pd.DataFrame(
            {"age": rng.integers(30, 80, k), "sex": rng.choice(["F", "M"], k),
             "bmi": rng.uniform(500, 600, k)}
        )  # fmt: skip

    return draw


class TestRate:
    def test_leave_one_out_share_of_rows_equal_to_another(self):
        hashes = np.array([1, 1, 1, 2, 3, 3, 4, 5], dtype=np.uint64)
        assert collision_rate(hashes) == pytest.approx(5 / 8)
        assert collision_rate(np.array([], dtype=np.uint64)) == 0.0

    def test_repeated_table_rate(self):
        train = _repeated_table(np.random.default_rng(0))
        guard = CopyFilter("test").fit(train)
        assert guard.natural_rate_ == pytest.approx(120 / 240)
        assert guard.allowance(240) == 120
        assert guard.allowance(7) == 3


class TestRedraw:
    def test_natural_duplicates_are_kept_up_to_the_allowance(self):
        rng = np.random.default_rng(1)
        train = _repeated_table(rng)
        guard = CopyFilter("test").fit(train)
        # a generator that returns its training rows: every row a copy
        out = guard.redraw(train.sample(frac=1.0, random_state=2), _fresh(rng), rng)
        assert len(out) == len(train)
        assert guard.is_copy(out).sum() == 120  # floor(0.5 * 240), not 0

    def test_output_below_the_allowance_is_returned_unchanged(self):
        rng = np.random.default_rng(1)
        train = _repeated_table(rng)
        guard = CopyFilter("test").fit(train)
        synthetic = pd.concat([train.iloc[:50], _fresh(rng)(190)], ignore_index=True)
        out = guard.redraw(synthetic, _fresh(rng), rng)
        pd.testing.assert_frame_equal(out, synthetic)

    def test_excess_copies_are_replaced_in_place(self):
        rng = np.random.default_rng(3)
        train = _fresh(rng)(200)  # all distinct: natural rate 0
        guard = CopyFilter("test").fit(train)
        assert guard.natural_rate_ == 0.0
        synthetic = _fresh(rng)(100)
        copied = [5, 17, 60, 99]
        synthetic.iloc[copied] = train.iloc[[0, 1, 2, 3]].to_numpy()
        out = guard.redraw(synthetic, _fresh(rng), rng)
        assert not guard.is_copy(out).any()
        untouched = np.setdiff1d(np.arange(100), copied)
        pd.testing.assert_frame_equal(out.iloc[untouched], synthetic.iloc[untouched])
        assert list(out.index) == list(synthetic.index)
        assert out.dtypes.equals(synthetic.dtypes)

    def test_a_generator_that_mostly_copies_is_filtered_in_few_rounds(self):
        rng = np.random.default_rng(9)
        train = _fresh(rng)(100)  # natural rate 0
        guard = CopyFilter("g", max_rounds=2).fit(train)

        def mostly_copies(k: int) -> pd.DataFrame:  # 90 % copies
            rows = train.iloc[rng.integers(0, 100, k)].reset_index(drop=True)
            new = rng.random(k) < 0.1
            rows.loc[new, "bmi"] = rng.uniform(500, 600, int(new.sum()))
            return rows

        # replacing 181 of 200 rows is said (the rate from the training rows may be too low)
        with pytest.warns(UserWarning, match=r"g: the copy filter replaces 181 of 200") as told:
            out = guard.redraw(mostly_copies(200), mostly_copies, rng)
        assert len(told) == 1  # and nothing else: the rule holds in two rounds
        assert len(out) == 200 and not guard.is_copy(out).any()

    def test_a_few_replaced_rows_are_not_many(self):
        # in a sample of a few rows the share is noise: one copy in a sample of one row is
        # 100 %, and is not worth a warning; five are
        rng = np.random.default_rng(3)
        train = _fresh(rng)(100)  # natural rate 0
        guard = CopyFilter("g").fit(train)
        fresh = _fresh(rng)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for n in (1, 2, MIN_REPLACED_TO_WARN - 1):
                out = guard.redraw(train.iloc[:n].reset_index(drop=True), fresh, rng)
                assert not guard.is_copy(out).any()
        few = train.iloc[:MIN_REPLACED_TO_WARN].reset_index(drop=True)
        counts = f"{MIN_REPLACED_TO_WARN} of {MIN_REPLACED_TO_WARN}"
        with pytest.warns(UserWarning, match=rf"replaces {counts} synthetic rows that"):
            guard.redraw(few, fresh, rng)

    def test_deterministic_with_a_seed_and_random_choice_of_kept_copies(self):
        train = _repeated_table(np.random.default_rng(4))
        guard = CopyFilter("test").fit(train)

        def run(seed: int) -> pd.DataFrame:
            rng = np.random.default_rng(seed)
            return guard.redraw(train, _fresh(rng), rng)

        pd.testing.assert_frame_equal(run(7), run(7))
        kept = [set(np.flatnonzero(guard.is_copy(run(seed)))) for seed in (7, 8)]
        assert kept[0] != kept[1]

    def test_persistent_copies_are_kept_with_a_warning(self):
        train = _fresh(np.random.default_rng(5))(30)
        guard = CopyFilter("my_generator", max_rounds=2).fit(train)
        kept = r"my_generator: 3 of 3 synthetic rows equal a training row beyond the 0 .* 2 rounds"
        with pytest.warns(UserWarning, match=kept):
            out = guard.redraw(
                train.iloc[:3], lambda k: train.iloc[np.arange(k) % 30], np.random.default_rng(0)
            )
        assert guard.is_copy(out).all()

    def test_no_warning_when_the_rule_holds(self):
        train = _fresh(np.random.default_rng(5))(30)
        guard = CopyFilter("g").fit(train)
        rng = np.random.default_rng(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            guard.redraw(pd.concat([train.iloc[:1], _fresh(rng)(19)]), _fresh(rng), rng)

    def test_bad_draw_is_refused(self):
        train = _fresh(np.random.default_rng(5))(30)
        guard = CopyFilter("g").fit(train)
        rng = np.random.default_rng(0)
        with pytest.raises(InvalidDataError, match=r"draw\(\d+\) must return .* rows, got 1 rows"):
            guard.redraw(train.iloc[:2], lambda k: train.iloc[:1], rng)
        with pytest.raises(InvalidDataError, match="returned columns"):
            guard.redraw(train.iloc[:2], lambda k: _fresh(rng)(k).iloc[:, :2], rng)

    def test_unfitted(self):
        with pytest.raises(NotFittedError):
            CopyFilter("g").is_copy(pd.DataFrame({"a": [1]}))


class TestComparison:
    def test_identifier_columns_are_not_compared(self):
        rng = np.random.default_rng(6)
        train = _fresh(rng)(30).assign(patient_id=np.arange(1000, 1030))
        fresh_keys = train.assign(patient_id=np.arange(5000, 5030))
        inferred = CopyFilter("g").fit(train)
        assert "patient_id" not in inferred.columns_
        assert inferred.is_copy(fresh_keys).all()  # same rows, new keys: still copies
        declared = CopyFilter("g").fit(train, roles={"patient_id": "identifier", "age": "integer"})
        assert declared.columns_ == ["age", "sex", "bmi"]
        as_value = CopyFilter("g").fit(train, roles={"patient_id": "integer"})
        assert not as_value.is_copy(fresh_keys).any()

    def test_missing_values_of_every_kind_are_equal(self):
        train = pd.DataFrame(
            {
                "x": [1.0, np.nan, 3.0],
                "level": pd.Categorical(["a", None, "b"]),
                "when": pd.to_datetime(["2020-01-01", None, "2021-05-03"]),
            }
        )
        synthetic = pd.DataFrame(
            {
                "x": pd.array([1, pd.NA, 4], dtype="Int64"),
                "level": pd.Series(["a", pd.NA, "b"], dtype=object),
                "when": pd.to_datetime(["2020-01-01", None, "2021-05-03"]).astype("datetime64[s]"),
            }
        )
        guard = CopyFilter("g").fit(train, roles={"x": "numerical"})
        assert guard.is_copy(synthetic).tolist() == [True, True, False]
        assert guard.is_copy(synthetic.assign(x=[1.0, 2.0, 3.0])).tolist() == [True, False, True]

    def test_values_compare_as_numbers_not_bytes(self):
        train = pd.DataFrame({"n": [0.0, 2.0], "flag": [True, False]})
        kinds = compared_columns(train)
        same = pd.DataFrame({"n": [-0.0, 2], "flag": [1, 0]})
        assert (row_hashes(same, kinds) == row_hashes(train, kinds)).all()
        assert (row_hashes(train.assign(n=[0.0, 2.5]), kinds) != row_hashes(train, kinds)).any()

    def test_numbers_written_as_text_compare_as_numbers_under_a_numeric_role(self):
        train = pd.DataFrame({"crp": ["1.50", "2.25", "3"], "sex": ["F", "M", "F"]})
        guard = CopyFilter("g").fit(train, roles={"crp": "numerical"})
        synthetic = pd.DataFrame({"crp": [1.5, 2.5, 3.0], "sex": ["F", "M", "F"]})
        assert guard.is_copy(synthetic).tolist() == [True, False, True]
        as_text = CopyFilter("g").fit(train, roles={"crp": "categorical"})
        assert not as_text.is_copy(synthetic).any()

    def test_missing_compared_column_is_named(self):
        guard = CopyFilter("g").fit(pd.DataFrame({"a": [1, 2], "b": [3, 4]}))
        with pytest.raises(InvalidDataError, match=r"lacks compared columns \['b'\]"):
            guard.is_copy(pd.DataFrame({"a": [1]}))


class TestOneWarningPerCall:
    """A host's one sampling call that runs the generator on many batches warns once."""

    def _batches(self, guard: CopyFilter, train: pd.DataFrame, draw, sizes=(3, 40, 100)):
        """Batches of training rows (every row a copy) through the filter, as SDV's are."""
        rng = np.random.default_rng(0)
        for size in sizes:
            guard.redraw(train.iloc[:size].reset_index(drop=True), draw, rng)

    def test_the_batches_of_one_call_warn_once_with_the_totals(self):
        train = _fresh(np.random.default_rng(3))(100)  # natural rate 0
        guard = CopyFilter("g").fit(train)
        fresh = _fresh(np.random.default_rng(4))
        with warnings.catch_warnings(record=True) as per_batch:
            warnings.simplefilter("always")
            self._batches(guard, train, fresh)
        assert [str(w.message)[:40] for w in per_batch] == [
            "g: the copy filter replaces 40 of 40 syn",
            "g: the copy filter replaces 100 of 100 s",
        ]  # outside a call, per batch (3 rows are too few to warn about)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with one_warning_per_call():
                self._batches(guard, train, fresh)
                assert caught == []  # nothing before the call ends
        (warning,) = caught
        assert str(warning.message).startswith(
            "g: the copy filter replaces 143 of 143 synthetic rows (drawn in 3 batches for "
            "this sampling call) that equal a training row"
        )
        assert warning.filename == __file__  # the caller's line, not the filter's

    def test_copies_kept_in_several_batches_are_reported_once_with_the_totals(self):
        train = _fresh(np.random.default_rng(5))(30)
        guard = CopyFilter("g", max_rounds=2).fit(train)

        def copies(k: int) -> pd.DataFrame:
            return train.iloc[np.arange(k) % 30].reset_index(drop=True)

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with one_warning_per_call():
                self._batches(guard, train, copies, sizes=(2, 3, 4))
        kept = [str(w.message) for w in caught if "they are kept" in str(w.message)]
        assert kept == [
            "g: 9 of 9 synthetic rows (drawn in 3 batches for this sampling call) equal a "
            "training row beyond the 0 that the table's natural collision rate (0) allows, "
            "after 2 rounds of fresh draws; they are kept"
        ]

    def test_an_inner_call_adds_to_the_outer_one(self):
        train = _fresh(np.random.default_rng(3))(100)
        guard = CopyFilter("g").fit(train)
        fresh = _fresh(np.random.default_rng(4))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with one_warning_per_call():
                with one_warning_per_call():
                    self._batches(guard, train, fresh, sizes=(10,))
                assert caught == []
                self._batches(guard, train, fresh, sizes=(20,))
        assert [str(w.message)[:48] for w in caught] == [
            "g: the copy filter replaces 30 of 30 synthetic r"
        ]

    def test_two_generators_in_one_call_keep_their_own_totals(self):
        train = _fresh(np.random.default_rng(3))(100)
        first, second = CopyFilter("g").fit(train), CopyFilter("h").fit(train)
        fresh = _fresh(np.random.default_rng(4))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with one_warning_per_call():
                self._batches(first, train, fresh, sizes=(10, 20))
                self._batches(second, train, fresh, sizes=(30,))
        assert sorted(str(w.message)[:63] for w in caught) == [
            "g: the copy filter replaces 30 of 30 synthetic rows (drawn in 2",
            "h: the copy filter replaces 30 of 30 synthetic rows that equal ",
        ]

    def test_a_call_that_fails_reports_nothing(self):
        train = _fresh(np.random.default_rng(3))(100)
        guard = CopyFilter("g").fit(train)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(RuntimeError, match="later batch"), one_warning_per_call():
                self._batches(guard, train, _fresh(np.random.default_rng(4)), sizes=(10,))
                raise RuntimeError("a later batch failed")
        assert caught == []

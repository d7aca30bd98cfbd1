"""Unit tests of the CTAB-GAN+ core (synth_plugins.generators.ctabgan_plus)."""

from __future__ import annotations

import copy
import inspect
import math
import pickle

import numpy as np
import pandas as pd
import pytest
import torch

from synth_plugins.errors import InvalidDataError, InvalidParameterError, NotFittedError
from synth_plugins.generators import CTABGANPlus
from synth_plugins.generators.ctabgan_plus.calibration import group_sums, level_offsets
from synth_plugins.generators.ctabgan_plus.transformer import MixedTypeTransformer, _fit_components
from synth_plugins.metrics.copies import exact_copies

torch.set_num_threads(1)

# A small budget (batch 100 on 500 rows: 5 steps per epoch) keeps every fit to seconds.
FAST = {"epochs": 40, "batch_size": 100, "random_state": 0}
# Networks small enough that a fit of a few thousand steps takes seconds.
TINY = {"noise_dim": 4, "generator_hidden": (8,), "discriminator_hidden": (8,)}


def mixed_frame(n: int = 500, seed: int = 0) -> pd.DataFrame:
    """40 % exact zeros in ``dose``, a log-normal ``crp``, a normal ``age``, two categoricals."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    return pd.DataFrame(
        {
            "dose": np.where(rng.random(n) < 0.4, 0.0, rng.gamma(4.0, 5.0, n).round(1) + 1),
            "crp": rng.lognormal(1.0, 0.8, n).round(3),
            "age": rng.normal(60, 8, n).round(1),
            "group": group,
            "sex": rng.choice(["F", "M"], n),
        }
    )


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return mixed_frame()


@pytest.fixture(scope="module")
def model(data: pd.DataFrame) -> CTABGANPlus:
    return CTABGANPlus(**FAST).fit(data)


class TestEncoder:
    def test_kinds_are_inferred(self, model: CTABGANPlus) -> None:
        kinds = model.column_kinds_
        assert kinds["dose"] == "mixed" and kinds["crp"] == "log"
        assert kinds["group"] == kinds["sex"] == "categorical"
        assert kinds["age"] in ("general", "continuous")
        assert model.transformer_ is not None
        assert model.transformer_.plan("dose").special == (0.0,)

    def test_overrides_win(self, data: pd.DataFrame) -> None:
        fitted = CTABGANPlus(
            column_kinds={"crp": "general", "age": "continuous"},
            mixed_values={"age": [60.0]},
            epochs=1,
        ).fit(data)
        assert fitted.column_kinds_["crp"] == "general"
        assert fitted.column_kinds_["age"] == "mixed"

    def test_round_trip_of_the_encoding(self, model: CTABGANPlus, data: pd.DataFrame) -> None:
        transformer = model.transformer_
        assert transformer is not None
        back = transformer.inverse_transform(transformer.transform(data))
        for column in ("dose", "age", "group", "sex"):
            if data[column].dtype == object:
                assert (back[column] == data[column]).all()
            else:
                np.testing.assert_allclose(back[column], data[column], atol=0.06)

    def test_modes_do_not_depend_on_the_unit(self) -> None:
        """scikit-learn's variance floor (1e-6) is absolute: a bimodal column in mol/L
        (its mmol/L values times 1e-3) came out with its modes merged."""
        rng = np.random.default_rng(0)
        values = np.concatenate([rng.normal(2.0, 0.2, 300), rng.normal(6.0, 0.3, 200)]).round(3)
        base = _fit_components(values, 10, 0)
        for scale in (1e-3, 1e-6):
            means, stds, weights = _fit_components(values * scale, 10, 0)
            np.testing.assert_allclose(means, np.array(base[0]) * scale, rtol=1e-6)
            np.testing.assert_allclose(stds, np.array(base[1]) * scale, rtol=1e-6)
            np.testing.assert_allclose(weights, base[2], rtol=1e-6)
        assert len(base[0]) == 2

    def test_a_column_of_tiny_magnitudes_keeps_its_values(self) -> None:
        """Values of 1e-6 mol/L have more than 6 decimals: rounding them at 6 (or at 0)
        gave every generated row the same value."""
        rng = np.random.default_rng(1)
        frame = pd.DataFrame(
            {"conc": rng.uniform(1, 5, 300) * 1e-6, "sex": rng.choice(["F", "M"], 300)}
        )
        sampled = CTABGANPlus(epochs=2, random_state=0).fit(frame).sample(300)
        assert sampled["conc"].nunique() > 250
        assert sampled["conc"].between(frame["conc"].min(), frame["conc"].max()).all()


class TestFidelity:
    def test_zero_mass_of_a_mixed_column_is_kept(
        self, model: CTABGANPlus, data: pd.DataFrame
    ) -> None:
        synthetic = model.sample(4000, random_state=1)
        real_share = (data["dose"] == 0).mean()
        assert abs((synthetic["dose"] == 0).mean() - real_share) <= 0.03

    def test_log_normal_median(self, model: CTABGANPlus, data: pd.DataFrame) -> None:
        synthetic = model.sample(4000, random_state=2)
        real = data["crp"].median()
        assert abs(synthetic["crp"].median() - real) <= 0.10 * real

    def test_schema_and_ranges(self, model: CTABGANPlus, data: pd.DataFrame) -> None:
        synthetic = model.sample(300, random_state=3)
        assert list(synthetic.columns) == list(data.columns) and len(synthetic) == 300
        for column in ("dose", "crp", "age"):
            assert synthetic[column].between(data[column].min(), data[column].max()).all()
        assert set(synthetic["group"]) <= {"a", "b", "c"}
        assert model.sample(0).shape == (0, 5)

    def test_conditional_vector_hits_the_asked_level(self, data: pd.DataFrame) -> None:
        # no rejection: the rows are the generator's own answer to the conditional vector
        fitted = CTABGANPlus(
            epochs=100, batch_size=50, enforce_conditions=False, random_state=0
        ).fit(data[["age", "group", "sex"]].iloc[:300])
        for level in ("a", "c"):
            rows = fitted.sample(1000, conditions={"group": level}, random_state=4)
            assert (rows["group"] == level).mean() >= 0.95, level

    def test_enforced_conditions_hold_on_every_row(self, model: CTABGANPlus) -> None:
        enforced = model.sample(200, conditions={"group": "c", "sex": "M"}, random_state=5)
        assert ((enforced["group"] == "c") & (enforced["sex"] == "M")).all()

    def test_condition_on_a_special_value(self, model: CTABGANPlus) -> None:
        rows = model.sample(100, conditions={"dose": 0.0}, random_state=6)
        assert (rows["dose"] == 0).all()

    def test_condition_on_a_nullable_integer_level(self, data: pd.DataFrame) -> None:
        """A categorical ``Int64`` column with missing values: the rows the generator leaves
        missing do not hold the condition (they used to fail the row mask's bool cast)."""
        frame = data[["age"]].iloc[:200].copy()
        codes = np.random.default_rng(1).integers(0, 4, len(frame)).astype(object)
        codes[::5] = None
        frame["stage"] = pd.array(codes, dtype="Int64")
        fitted = CTABGANPlus(roles={"stage": "categorical"}, **{**FAST, "epochs": 2}).fit(frame)
        rows = fitted.sample(20, conditions={"stage": 3}, random_state=2)
        assert len(rows) == 20 and (rows["stage"] == 3).all()

    def test_can_condition_is_what_the_conditional_vector_holds(self, model: CTABGANPlus) -> None:
        assert model.can_condition("group", "c") and model.can_condition("dose", 0.0)
        assert not model.can_condition("group", "z")  # unseen level
        assert not model.can_condition("age", 61.0)  # a continuous value: not a mode
        assert not model.can_condition("nope", 1)

    def test_dates_and_text_keys_are_generated(self, data: pd.DataFrame) -> None:
        frame = data.iloc[:200].copy()
        frame["visit"] = pd.Timestamp("2015-01-01") + pd.to_timedelta(np.arange(200) * 9, "D")
        frame["mrn"] = [f"P{i:05d}" for i in range(200)]
        fitted = CTABGANPlus(epochs=5, batch_size=100, random_state=0).fit(frame)
        assert fitted.column_kinds_["visit"] == "continuous" and "mrn" not in fitted.column_kinds_
        rows = fitted.sample(300, random_state=1)
        assert list(rows.columns) == list(frame.columns)
        assert rows["visit"].dtype == frame["visit"].dtype
        assert rows["visit"].between(frame["visit"].min(), frame["visit"].max()).all()
        ends = [frame["visit"].min(), frame["visit"].max()]
        assert rows["visit"].isin(ends).mean() < 0.03  # folded into range, not piled on the ends
        assert rows["mrn"].is_unique and not rows["mrn"].isin(frame["mrn"]).any()


def two_feature_target(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    return pd.DataFrame({"x1": x1, "x2": x2, "y": np.where(x1 + x2 > 0, "yes", "no")})


class TestAuxiliary:
    def test_classifier_loss_falls(self) -> None:
        fitted = CTABGANPlus(target="y", **FAST).fit(two_feature_target())
        loss = fitted.history_["auxiliary"]
        assert np.mean(loss[-5:]) < 0.6 * np.mean(loss[:5])
        assert len(fitted.history_["downstream"]) == FAST["epochs"]

    def test_regressor_target(self) -> None:
        frame = two_feature_target().assign(y=lambda f: 2 * f.x1 - f.x2)
        fitted = CTABGANPlus(target="y", **{**FAST, "epochs": 15}).fit(frame)
        loss = fitted.history_["auxiliary"]
        assert all(math.isfinite(v) for v in loss) and loss[-1] < loss[0]


class TestPrivacy:
    def test_epsilon_is_finite_and_grows_with_epochs(self, data: pd.DataFrame) -> None:
        small = data.iloc[:200]
        eps = [
            CTABGANPlus(dp=True, epochs=e, batch_size=50, random_state=0).fit(small).epsilon_
            for e in (1, 3)
        ]
        assert all(e is not None and math.isfinite(e) for e in eps)
        assert eps[1] > eps[0]

    @pytest.mark.parametrize(
        "kwargs", [{"target": "sex"}, {"info_weight": 1.0}], ids=["target", "info"]
    )
    def test_options_that_void_the_guarantee_are_refused(self, kwargs: dict) -> None:
        with pytest.raises(InvalidParameterError, match="dp=True"):
            CTABGANPlus(dp=True, **kwargs)

    def test_history_holds_only_the_losses_trained(self) -> None:
        """The information loss is not trained with dp=True (nor with info_weight=0): no
        column of zeros in ``history_`` for it."""
        train = TestCopies.grid_table()
        fast = {"epochs": 1, "batch_size": 30, "random_state": 0}
        trained = {"discriminator", "generator", "conditional"}
        assert set(CTABGANPlus(dp=True, **fast).fit(train).history_) == trained
        assert set(CTABGANPlus(info_weight=0.0, **fast).fit(train).history_) == trained
        assert set(CTABGANPlus(**fast).fit(train).history_) == trained | {"information"}

    def test_dp_leaves_out_the_copy_filter(self) -> None:
        """The copy filter compares generated rows with the training rows, outside DP-SGD:
        with ``dp=True`` it is not fitted and ``redraw_copies`` changes nothing."""
        train = TestCopies.grid_table()
        model = CTABGANPlus(dp=True, epochs=1, batch_size=30, random_state=0).fit(train)
        assert model.redraw_copies and model.copy_filter_ is None
        drawn = model.sample(300, random_state=1)
        assert exact_copies(drawn, train).excess > 0  # a filter would have replaced these
        model.redraw_copies = False
        pd.testing.assert_frame_equal(drawn, model.sample(300, random_state=1))


class TestCopies:
    """``redraw_copies``: copies held to the training data's own duplicate rate."""

    @staticmethod
    def grid_table() -> pd.DataFrame:
        """60 distinct pairs of two 10-level columns, with a text patient key."""
        pairs = np.random.default_rng(0).permutation(100)[:60]
        return pd.DataFrame(
            {
                "patient": [f"P{i:04d}" for i in range(60)],
                "stage": [f"s{p // 10}" for p in pairs],
                "site": [f"t{p % 10}" for p in pairs],
            }
        )

    def test_copies_are_replaced_also_under_conditions(self) -> None:
        train = self.grid_table()
        fast = {"epochs": 5, "batch_size": 30, "random_state": 0}
        plain = CTABGANPlus(redraw_copies=False, **fast).fit(train)
        assert exact_copies(plain.sample(300, random_state=1), train).excess > 50
        model = CTABGANPlus(**fast).fit(train)
        assert model.copy_filter_ is not None and model.copy_filter_.natural_rate_ == 0.0
        assert model.copy_filter_.columns_ == ["stage", "site"]
        synthetic = model.sample(300, random_state=1)
        assert exact_copies(synthetic, train).copies == 0
        assert synthetic["patient"].is_unique and not set(synthetic["patient"]) & set(
            train["patient"]
        )
        pd.testing.assert_frame_equal(synthetic, model.sample(300, random_state=1))
        conditioned = model.sample(100, conditions={"stage": "s3"}, random_state=2)
        assert (conditioned["stage"] == "s3").all()
        assert exact_copies(conditioned, train).copies == 0

    def test_extreme_values_are_not_piled_onto_the_training_ends(self) -> None:
        """Decoded numbers beyond the training range are reflected, not clipped: clipping
        gave 13 % of rows one of two real 7-digit record numbers (the lowest or the
        highest patient's) and 10 % the oldest or youngest patient's exact age."""
        rng = np.random.default_rng(0)
        train = pd.DataFrame(
            {
                "record": rng.integers(1_000_000, 9_999_999, 300),
                "age": rng.integers(18, 90, 300),
                "crp": rng.lognormal(1, 0.5, 300).round(6),
            }
        )
        model = CTABGANPlus(epochs=20, random_state=0).fit(train)
        synthetic = model.sample(600, random_state=0)
        for column in train.columns:
            ends = synthetic[column].isin([train[column].min(), train[column].max()]).mean()
            assert ends <= 0.03, f"{column}: {ends:.1%} of rows on a training end"
        for column in ("record", "crp"):  # a real value only by chance
            assert synthetic[column].isin(train[column]).mean() <= 0.01

    def test_values_decoded_several_widths_out_land_inside_not_on_an_end(self) -> None:
        """The top mode's mean + 4 sd lies several range widths above a log column's
        maximum: reflected only once and then clipped, it came out as the training minimum."""
        rng = np.random.default_rng(0)
        train = pd.DataFrame({"crp": rng.lognormal(1.0, 1.0, 400).round(2)})
        transformer = MixedTypeTransformer(
            None, None, None, mixed_threshold=0.1, log_skewness=2.0, max_modes=10,
            random_state=0,
        ).fit(train)  # fmt: skip
        plan = transformer.plan("crp")
        assert plan.kind == "log" and plan.one_hot is not None
        matrix = np.zeros((50, transformer.n_features), dtype=np.float32)
        matrix[:, plan.start] = np.linspace(0.5, 1.0, 50)
        matrix[:, plan.mode_start + len(plan.means) - 1] = 1.0
        decoded = transformer.inverse_transform(matrix)["crp"]
        low, high = train["crp"].min(), train["crp"].max()
        inside = (decoded > low) & (decoded < high)
        assert inside.all(), decoded[~inside].tolist()


class TestLevelCalibration:
    """``calibrate_levels``: offsets on the categorical logits so level shares match training."""

    @staticmethod
    def rare_level_table() -> pd.DataFrame:
        """300 rows of four common levels, plus one row whose level no other row has."""
        rng = np.random.default_rng(0)
        frame = pd.DataFrame(
            {
                "age": rng.normal(60, 10, 300).round(),
                "group": rng.choice(list("ABCD"), 300, p=[0.4, 0.3, 0.2, 0.1]),
                "site": rng.choice(["s1", "s2", "s3"], 300),
            }
        )
        return pd.concat(
            [frame, pd.DataFrame({"age": [61.0], "group": ["RARE"], "site": ["s1"]})],
            ignore_index=True,
        )

    @staticmethod
    def level_tvd(synthetic: pd.Series, real: pd.Series) -> float:
        shares = synthetic.value_counts(normalize=True)
        return 0.5 * float(
            (shares.reindex(real.unique(), fill_value=0) - real.value_counts(normalize=True))
            .abs()
            .sum()
        )

    def test_a_rare_level_keeps_its_training_share(self) -> None:
        """At 100 epochs the flat softmax gave the 1-in-301 level 4.7 % of the rows and
        the columns a level TVD of 0.12 and 0.10; calibrated: 0.33 %, 0.016 and 0.007."""
        train = self.rare_level_table()
        model = CTABGANPlus(epochs=100, random_state=0, calibrate_levels=False).fit(train)
        flat = model.sample(4000, random_state=1)
        model.calibrate_levels = True
        calibrated = model.sample(4000, random_state=1)
        assert (flat["group"] == "RARE").mean() > 0.03  # the floor this fixes
        assert (calibrated["group"] == "RARE").mean() < 0.012  # training: 0.33 %
        for column in ("group", "site"):
            tvd = self.level_tvd(calibrated[column], train[column])
            assert tvd < 0.03 and tvd < self.level_tvd(flat[column], train[column]), column

    def test_offsets_match_the_mean_softmax_to_the_targets(self) -> None:
        generator = torch.Generator().manual_seed(0)
        raw = torch.randn((5000, 7), generator=generator) * 2.0
        raw[:, 2] += 3.0  # level 2 of the first column dominates before
        target = torch.tensor([0.1, 0.2, 0.7 - 0.002, 0.002]), torch.tensor([0.5, 0.5])
        offsets = level_offsets(raw, [(0, 4), (5, 7)], target, [torch.arange(4), torch.arange(2)])
        assert offsets[4] == 0.0  # outside every span
        for (start, stop), share in zip([(0, 4), (5, 7)], target, strict=True):
            matched = torch.softmax(raw[:, start:stop] + offsets[start:stop], dim=1).mean(0)
            torch.testing.assert_close(matched, share, atol=2e-4, rtol=0)

    def test_a_numeric_column_keeps_its_missing_share(self) -> None:
        """``lab`` is missing on 50.6 % of rows (75 % above age 60, 25 % below). At 20
        epochs the generator alone left it missing on 42.6 % of rows (32.6 % and 40.9 % at
        seeds 1 and 2); with the missing mode calibrated, 50.2 % (51.5 %, 49.3 %)."""
        rng = np.random.default_rng(0)
        n = 500
        age = rng.normal(60, 10, n).round(1)
        lab = rng.lognormal(1.0, 0.5, n).round(2)
        group = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
        missing = rng.random(n) < np.where(age > 60, 0.75, 0.25)
        train = pd.DataFrame(
            {
                "age": age,
                "lab": np.where(missing, np.nan, lab),
                "group": group,
                "x": rng.normal(size=n),
            }
        )
        model = CTABGANPlus(epochs=20, batch_size=100, random_state=0).fit(train)
        generated = model.sample(4000, random_state=1)
        real_share = train["lab"].isna().mean()
        assert abs(generated["lab"].isna().mean() - real_share) < 0.03, real_share
        assert generated["lab"].notna().sum() > 1000  # observed values are still generated

    def test_group_sums_add_the_slots_of_each_group(self) -> None:
        slot_shares = torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=torch.float64)
        groups = torch.tensor([0, 1, 0, 0])  # a missing mode (slot 1) and the other modes
        summed = group_sums(slot_shares, groups, 2)
        torch.testing.assert_close(summed, torch.tensor([0.8, 0.2], dtype=torch.float64))
        assert group_sums(slot_shares, torch.arange(4), 4).equal(slot_shares)

    def test_grouped_offsets_match_group_shares_and_keep_odds_within_a_group(self) -> None:
        generator = torch.Generator().manual_seed(0)
        raw = torch.randn((5000, 4), generator=generator)
        raw[:, 1] -= 2.0  # slot 1 (the missing mode) is rare before
        groups = torch.tensor([0, 1, 0, 0])
        target = torch.tensor([0.4, 0.6], dtype=torch.float64)
        offsets = level_offsets(raw, [(0, 4)], [target], [groups])
        matched = torch.softmax(raw + offsets, dim=1).mean(0)
        torch.testing.assert_close(matched[1].double(), target[1], atol=2e-4, rtol=0)
        assert offsets[0] == offsets[2] == offsets[3]  # the other modes keep their odds

    def test_a_conditioned_column_is_left_to_its_condition(self) -> None:
        train = self.rare_level_table()
        model = CTABGANPlus(
            epochs=20, enforce_conditions=False, redraw_copies=False, random_state=0
        ).fit(train)
        asked = {"group": "D"}
        calibrated = model.sample(500, conditions=asked, random_state=2)
        model.calibrate_levels = False
        plain = model.sample(500, conditions=asked, random_state=2)
        pd.testing.assert_series_equal(calibrated["group"], plain["group"])
        assert not calibrated["site"].equals(plain["site"])  # the other column is calibrated

    def test_a_fit_pickled_before_the_option_samples_as_it_did(self, model: CTABGANPlus) -> None:
        state = model.__getstate__()
        del state["calibrate_levels"], state["level_offsets_"]
        legacy = CTABGANPlus.__new__(CTABGANPlus)
        legacy.__setstate__(state)
        assert legacy.calibrate_levels is False and legacy.level_offsets_ is None
        plain = copy.deepcopy(model)
        plain.calibrate_levels = False
        pd.testing.assert_frame_equal(
            legacy.sample(50, random_state=3), plain.sample(50, random_state=3)
        )


class TestTrainingBudget:
    """``epochs="auto"``: 300 epochs, but at least ``AUTO_MIN_STEPS`` optimiser steps.

    On a table under 1,000 rows an epoch is one step of ``min(500, n)`` rows, so the old
    default of 300 epochs was 300 steps, and the generator was under-trained (method card,
    *Training budget*)."""

    @staticmethod
    def small_table(n: int = 120) -> pd.DataFrame:
        rng = np.random.default_rng(0)
        return pd.DataFrame({"x": rng.normal(size=n).round(2), "g": rng.choice(["a", "b"], n)})

    def test_a_default_fit_on_a_small_table_takes_the_minimum_steps(self) -> None:
        from synth_plugins.generators.ctabgan_plus.config import AUTO_MIN_STEPS

        train = self.small_table()
        model = CTABGANPlus(**TINY).fit(train)
        # one step per epoch (120 rows fill one batch of 500): one history entry per step
        assert len(model.history_["generator"]) >= AUTO_MIN_STEPS > 300
        assert model.n_epochs_ == len(model.history_["generator"])

    def test_given_epochs_are_trained_exactly(self) -> None:
        model = CTABGANPlus(epochs=3, **TINY).fit(self.small_table())
        assert model.n_epochs_ == 3 and len(model.history_["generator"]) == 3
        assert CTABGANPlus(epochs=7).epochs_for(50) == CTABGANPlus(epochs=7).epochs_for(10**6) == 7

    def test_auto_epochs_by_table_size(self) -> None:
        """Computed, not fitted: every small table reaches the minimum with the fewest
        epochs, and from 3,500 rows (7 steps per epoch at batch 500) it is 300 epochs."""
        from synth_plugins.generators.ctabgan_plus.config import AUTO_EPOCHS, AUTO_MIN_STEPS
        from synth_plugins.generators.ctabgan_plus.model import steps_per_epoch

        model = CTABGANPlus()
        assert model.epochs == "auto" and AUTO_EPOCHS == 300
        for n in (2, 299, 999, 1_000, 1_499, 2_000, 3_499, 3_500, 9_105, 100_000):
            epochs, steps = model.epochs_for(n), steps_per_epoch(n, 500)
            assert epochs * steps >= min(AUTO_MIN_STEPS, AUTO_EPOCHS * steps), n
            assert epochs == AUTO_EPOCHS or (epochs - 1) * steps < AUTO_MIN_STEPS, n
        assert model.epochs_for(299) == AUTO_MIN_STEPS  # one step per epoch
        assert model.epochs_for(3_500) == model.epochs_for(100_000) == 300  # as before
        assert CTABGANPlus(batch_size=64).epochs_for(299) == math.ceil(AUTO_MIN_STEPS / 4)
        # DP: every step spends privacy budget, so "auto" stays at 300 epochs
        assert CTABGANPlus(dp=True).epochs_for(299) == AUTO_EPOCHS

    @pytest.mark.parametrize("epochs", ["10", "Auto", 0, 2.5, None])
    def test_bad_epochs_are_refused(self, epochs: object) -> None:
        with pytest.raises(InvalidParameterError, match="epochs must be 'auto' or an integer"):
            CTABGANPlus(epochs=epochs)

    def test_a_fit_pickled_before_auto_epochs_reports_its_epochs(self, model: CTABGANPlus) -> None:
        state = model.__getstate__()
        del state["n_epochs_"]
        legacy = CTABGANPlus.__new__(CTABGANPlus)
        legacy.__setstate__(state)
        assert legacy.n_epochs_ == FAST["epochs"]

    def test_paper_preset_is_the_paper_exactly(self) -> None:
        """The paper and the authors' code (Team-TUD/CTAB-GAN-Plus, ``CTABGANSynthesizer``)
        where they are hyper-parameters here (the method card lists what is not)."""
        params = CTABGANPlus.from_preset("paper").get_params()
        paper = {
            "epochs": 150,  # of max(1, n // 500) steps of batches of 500
            "batch_size": 500,
            "noise_dim": 100,  # random_dim
            "auxiliary_hidden": (256, 256, 256, 256),  # class_dim
            "generator_lr": 2e-4,
            "discriminator_lr": 2e-4,
            "weight_decay": 1e-5,  # l2scale
            "discriminator_steps": 1,  # ci
            "gp_weight": 10.0,
            "info_weight": 1.0,
            "aux_weight": 1.0,  # the downstream loss added unweighted
            "gumbel_tau": 0.2,
            "calibrate_levels": False,  # levels drawn from the softmax as it is
            "redraw_copies": False,  # no filter of copied rows
        }
        assert {name: params[name] for name in paper} == paper
        assert CTABGANPlus.from_preset("paper").epochs_for(299) == 150  # trained exactly
        overridden = CTABGANPlus.from_preset("paper", {"g": "categorical"}, epochs=3)
        assert overridden.epochs == 3 and overridden.roles == {"g": "categorical"}
        with pytest.raises(InvalidParameterError, match="preset"):
            CTABGANPlus.from_preset("recent")


class TestDeterminismAndScale:
    def test_same_seed_same_rows(self, data: pd.DataFrame) -> None:
        small = data.iloc[:200]
        runs = [
            CTABGANPlus(epochs=2, batch_size=50, random_state=seed).fit(small).sample(50)
            for seed in (7, 7, 8)
        ]
        pd.testing.assert_frame_equal(runs[0], runs[1])
        assert not runs[0].equals(runs[2])

    def test_more_than_1024_encoded_features(self) -> None:
        rng = np.random.default_rng(0)
        wide = pd.DataFrame(
            {f"c{j}": rng.choice([f"l{k}" for k in range(600)], 1300) for j in range(2)}
        ).assign(x=rng.normal(size=1300))
        fitted = CTABGANPlus(epochs=1, batch_size=500).fit(wide)
        assert fitted.transformer_ is not None and fitted.transformer_.n_features > 1024
        assert fitted.sample(20).shape == (20, 3)

    def test_missing_values_are_a_mode(self, data: pd.DataFrame) -> None:
        holed = data.copy()
        holed.loc[holed.index[::4], "age"] = np.nan
        holed.loc[holed.index[1::5], "group"] = np.nan
        fitted = CTABGANPlus(epochs=3, batch_size=100).fit(holed)
        plan = fitted.transformer_.plan("age")  # type: ignore[union-attr]
        assert plan.has_missing and plan.n_modes >= 2
        out = fitted.sample(500, random_state=0)
        assert out["age"].isna().any() and out["age"].notna().any()

    def test_pickle_round_trip(self, model: CTABGANPlus) -> None:
        restored = pickle.loads(pickle.dumps(model))
        pd.testing.assert_frame_equal(
            model.sample(30, random_state=9), restored.sample(30, random_state=9)
        )


class TestBadInput:
    def test_empty_frame(self, data: pd.DataFrame) -> None:
        with pytest.raises(InvalidDataError, match="at least 2 rows"):
            CTABGANPlus(epochs=1).fit(data.iloc[:0])

    def test_all_missing_column(self, data: pd.DataFrame) -> None:
        with pytest.raises(InvalidDataError, match="'dose'"):
            CTABGANPlus(epochs=1).fit(data.assign(dose=np.nan))

    def test_target_not_a_column(self, data: pd.DataFrame) -> None:
        with pytest.raises(InvalidParameterError, match="'outcome'"):
            CTABGANPlus(target="outcome", epochs=1).fit(data)

    def test_unseen_condition(self, model: CTABGANPlus) -> None:
        with pytest.raises(InvalidParameterError, match="never seen"):
            model.sample(5, conditions={"group": "z"})
        with pytest.raises(InvalidParameterError, match="unknown column"):
            model.sample(5, conditions={"nope": 1})
        with pytest.raises(InvalidParameterError, match="'age' is a .* without special values"):
            model.sample(5, conditions={"age": 61.0})
        with pytest.raises(InvalidParameterError, match="'group': conditioning on missing"):
            model.sample(5, conditions={"group": None})

    def test_a_special_value_no_row_holds_is_refused(self, data: pd.DataFrame) -> None:
        # declared but absent, it got a mode of its own: 15 % of rows in a probe
        assert not (data["crp"] == -5.0).any()
        with pytest.raises(InvalidParameterError, match=r"mixed_values\['crp'\] names \[-5.0\]"):
            CTABGANPlus(epochs=1, mixed_values={"crp": [-5.0]}).fit(data)

    @pytest.mark.parametrize("kind", ["continuous", "categorical"])
    def test_a_kind_on_an_inferred_identifier_is_refused(
        self, data: pd.DataFrame, kind: str
    ) -> None:
        """An override made the record numbers a modelled column: every generated
        ``patient_id`` was a training one. Declaring the role models it on purpose."""
        frame = data.iloc[:120].assign(patient_id=np.arange(1, 121))
        with pytest.raises(InvalidParameterError, match="'patient_id', an identifier column"):
            CTABGANPlus(epochs=1, column_kinds={"patient_id": kind}).fit(frame)
        fitted = CTABGANPlus(
            epochs=1, roles={"patient_id": "integer"}, column_kinds={"patient_id": "continuous"}
        ).fit(frame)
        assert fitted.column_kinds_["patient_id"] == "continuous"

    def test_not_fitted(self) -> None:
        with pytest.raises(NotFittedError):
            CTABGANPlus().sample(3)

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [
            ({"epochs": 0}, "epochs"),
            ({"column_kinds": {"age": "weird"}}, "column_kinds"),
            ({"mixed_values": {"age": []}}, "mixed_values"),
            ({"device": "tpu"}, "device"),
        ],
    )
    def test_bad_parameters_name_the_parameter(self, kwargs: dict, name: str) -> None:
        """Refused when the generator is made, as every other argument (an unknown kind
        used to pass until fit)."""
        with pytest.raises(InvalidParameterError, match=name):
            CTABGANPlus(**kwargs)


def test_adapters_forward_the_core_defaults() -> None:
    """Every hyper-parameter is keyword-only with a default, declared once in the core's
    signature; both host adapters' signatures carry exactly those defaults."""
    import synth_plugins
    from synth_plugins import catalog

    synth_plugins.register()  # imports Synthcity first, then the plugin module
    entry = catalog.generator("ctabgan_plus")
    CTABGANPlusPlugin = catalog.resolve(entry.synthcity_plugin)
    CTABGANPlusSynthesizer = catalog.resolve(entry.sdv_synthesizer)

    core = CTABGANPlus.__init__.__kwdefaults__
    assert [name for name in inspect.signature(CTABGANPlus).parameters if name not in core] == [
        "roles"
    ]
    synthcity = inspect.signature(CTABGANPlusPlugin).parameters
    sdv = inspect.signature(CTABGANPlusSynthesizer).parameters
    assert core["epochs"] == "auto"  # resolved at fit, in the core only
    for name, default in core.items():
        assert synthcity["n_iter" if name == "epochs" else name].default == default, name
        if name == "device":
            assert sdv["enable_gpu"].default is (default != "cpu")
        else:
            assert sdv[name].default == default, name

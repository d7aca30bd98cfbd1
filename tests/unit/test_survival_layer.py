"""The shared survival layer: one outcome rule everywhere, and the Cox fits with fallback."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.survival import (
    check_outcome_arrays,
    check_survival_frame,
    cox,
    event_labels,
    fit_cox,
    fit_cox_jointly,
    penalizer_ladder,
    write_events,
)


def simulate(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """Age (+0.5 per 10 years) and a treatment (-0.7) acting on an exponential hazard."""
    rng = np.random.default_rng(seed)
    age = rng.normal(60, 10, n)
    treated = rng.choice(["no", "yes"], n)
    eta = 0.05 * (age - 60) - 0.7 * (treated == "yes")
    t_event = rng.exponential(1 / (0.1 * np.exp(eta)))
    t_censor = rng.uniform(0, 15, n)
    return pd.DataFrame(
        {
            "age": age,
            "treated": treated,
            "time": np.round(np.maximum(np.minimum(t_event, t_censor), 0.01), 2),
            "event": (t_event <= t_censor).astype(int),
        }
    )


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    return simulate()


class TestOutcomeRule:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda d: d.assign(time=0.0), "<= 0"),
            (lambda d: d.assign(time=-1.0), "<= 0"),
            (lambda d: d.assign(time=np.nan), "missing"),
            (lambda d: d.assign(time=np.inf), "infinite"),
            (lambda d: d.assign(time="soon"), "numeric"),
            (lambda d: d.assign(time=d["time"].astype(str)), "numeric"),  # text numbers
            (lambda d: d.assign(time=d["time"].astype("category")), "numeric"),
            (lambda d: d.assign(event=2), "0/1"),
            (lambda d: d.assign(event="yes"), "0/1"),
            (lambda d: d.assign(event=np.nan), "missing"),
            (lambda d: d.assign(event=0), "censored"),
            (lambda d: d.drop(columns="event"), "event_column 'event' is not a column"),
        ],
    )
    def test_check_survival_frame(self, real, change, message):
        with pytest.raises(InvalidDataError, match=message):
            check_survival_frame(change(real.copy()), "time", "event")

    def test_booleans_are_accepted(self, real):
        durations, events = check_survival_frame(
            real.assign(event=real["event"].astype(bool)), "time", "event"
        )
        assert events.dtype == np.int64 and durations.dtype == np.float64
        assert events.sum() == real["event"].sum()

    @pytest.mark.parametrize(
        "written",
        [
            [0, 1],
            [0.0, 1.0],
            [False, True],
            pd.array([False, True], dtype="boolean"),
            pd.array([0, 1], dtype="Int64"),
            ["0", "1"],
            pd.Categorical(["0", "1"]),
            pd.Categorical([0, 1]),
            pd.array(["0", "1"], dtype="string"),
        ],
        ids=repr,
    )
    def test_events_are_written_back_as_the_column_writes_them(self, written):
        column = pd.Series(written)[[0, 1, 1, 0, 1]].reset_index(drop=True)
        out = write_events(np.array([1, 0, 0]), event_labels(column), column.dtype)
        assert out.dtype == column.dtype
        assert out.tolist() == [column[1], column[0], column[0]]

    def test_an_event_the_column_never_held_is_written_like_the_other(self):
        """All rows events: a 0 is still written in the column's representation."""
        for column, zero in [
            (pd.Series(["1", "1"]), "0"),
            (pd.Series([True, True]), False),
            (pd.Series([1.0, 1.0]), 0),
            (pd.Series(["1", "1"], dtype=pd.CategoricalDtype(["0", "1"])), "0"),
        ]:
            out = write_events(np.array([0, 1]), event_labels(column), column.dtype)
            assert out.tolist() == [zero, column[0]] and out.dtype == column.dtype
        # a category the training column lacks is added, not written as NaN
        only_events = pd.Series(["1", "1"], dtype="category")
        out = write_events(np.array([0, 1]), event_labels(only_events), only_events.dtype)
        assert out.tolist() == ["0", "1"] and list(out.cat.categories) == ["1", "0"]
        # an empty column (a fit saved before the labels were kept) has its dtype's say
        empty = pd.Series([], dtype=pd.CategoricalDtype(["no event", "1", "0"]))
        assert event_labels(empty) == ("0", "1")
        assert event_labels(pd.Series([], dtype=object)) == ("0", "1")
        assert event_labels(pd.Series([], dtype=bool)) == (False, True)

    def test_arrays_follow_the_same_rule(self):
        t, e = check_outcome_arrays([1.0, 2.5], [True, False], "real")
        assert t.tolist() == [1.0, 2.5] and e.tolist() == [1, 0]
        with pytest.raises(InvalidDataError, match="real durations has 1 value"):
            check_outcome_arrays([0.0, 2.5], [1, 0], "real")
        with pytest.raises(InvalidDataError, match="differ in length"):
            check_outcome_arrays([1.0, 2.5], [1], "real")
        # columns of a table (as the hosts pass them) are named, as check_survival_frame does
        table = pd.DataFrame({"time": [1.0, -2.0], "cens": [1, 2]})
        with pytest.raises(InvalidDataError, match="duration column 'time' of synthetic has 1"):
            check_outcome_arrays(table["time"], table["cens"], "synthetic")
        with pytest.raises(InvalidDataError, match=r"event column 'cens' of synthetic .*\['2'\]"):
            check_outcome_arrays(table["time"].abs(), table["cens"], "synthetic")

    def test_every_survival_entry_point_refuses_a_zero_duration(self, real):
        """One rule: the generator, the metrics and the SDV synthesizer agree on t > 0."""
        from synth_plugins.generators.ck4gen import CK4Gen
        from synth_plugins.metrics import (
            effect_agreement,
            hazard_ratio_alignment,
            km_comparison,
            km_survival_scores,
            survival_augmentation,
        )

        zero = real.copy()
        zero.loc[0, "time"] = 0.0
        calls = {
            "ck4gen": lambda: CK4Gen("time", "event").fit(zero),
            "hazard_ratio_alignment": lambda: hazard_ratio_alignment(real, zero, "time", "event"),
            "km_comparison": lambda: km_comparison(zero, real, "time", "event"),
            "km_survival_scores": lambda: km_survival_scores(
                zero["time"], zero["event"], real["time"], real["event"]
            ),
            "survival_augmentation": lambda: survival_augmentation(
                real, zero, real, "time", "event", seeds=1, models=("cox",)
            ),
            "effect_agreement": lambda: effect_agreement(
                zero, real, duration_column="time", event_column="event"
            ),
        }
        for call in calls.values():
            with pytest.raises(InvalidDataError, match="<= 0"):
                call()


class TestCox:
    def test_penalizer_ladder_and_fit(self, real):
        assert penalizer_ladder(0.0) == [0.0, 0.01, 0.1, 1.0]
        assert penalizer_ladder(0.5) == [0.5, 1.0]
        design = pd.get_dummies(real[["age", "treated"]], drop_first=True).astype(float)
        fit = fit_cox(design, real["time"].to_numpy(), real["event"].to_numpy(), penalizer=0.0)
        assert fit.penalizer == 0.0 and fit.fitter.params_["treated_yes"] < 0
        assert fit.fitter.params_["age"] > 0

    def test_a_fit_that_does_not_converge_is_retried_with_a_shorter_step(self):
        # One holder of a rare level, aged 50 years above everyone else, with an early event:
        # lifelines' default Newton step overshoots and stops at a log-HR near -357 with only
        # a warning. The retry keeps the penalizer and converges to a finite, positive value.
        rng = np.random.default_rng(32)
        n = int(rng.integers(100, 800))  # 714 rows
        rng.integers(1, 5)  # a draw of the search that found this table, kept for its stream
        design = pd.DataFrame(
            {"age": rng.normal(60, 10, n), "b": rng.integers(0, 2, n).astype(float)}
        )
        holder = rng.choice(n, 1)
        durations = rng.exponential(10, n)
        events = (rng.random(n) < rng.uniform(0.1, 0.9)).astype(int)
        design["rare"] = 0.0
        design.loc[holder, "rare"] = 1.0
        design.loc[holder, "age"] = design["age"].max() + 50
        assert events[holder].tolist() == [1]
        fit = fit_cox(design, durations, events, penalizer=0.01)
        assert fit.penalizer == 0.01
        assert 1.0 < fit.fitter.params_["rare"] < 5.0
        assert any("failed to converge" in note for note in fit.notes)
        assert "data: penalizer=0.01, step=0.1: converged" in fit.notes

    def test_a_fit_that_never_converges_raises_the_penalizer(self, real, monkeypatch):
        calls = []

        def never_at_small_penalizers(frame, penalizer, alpha, step, scaled_start=None):
            calls.append((penalizer, step))
            fitter, lines, _ = original(frame, penalizer, alpha, step, scaled_start)
            return fitter, lines, penalizer >= 0.1

        original = cox._fit_lifelines
        monkeypatch.setattr(cox, "_fit_lifelines", never_at_small_penalizers)
        design = pd.get_dummies(real[["age", "treated"]], drop_first=True).astype(float)
        fit = fit_cox(design, real["time"].to_numpy(), real["event"].to_numpy())
        assert fit.penalizer == 0.1
        assert calls == [(0.01, 0.95), (0.01, 0.1), (0.1, 0.95)]

    def test_a_fit_that_raises_is_retried_with_a_shorter_step(self, real, monkeypatch):
        original = cox._fit_lifelines

        def overshoots_at_the_default_step(frame, penalizer, alpha, step, scaled_start=None):
            if step == cox.NEWTON_STEPS[0]:
                return None, ["ConvergenceError: delta contains nan value(s)."], False
            return original(frame, penalizer, alpha, step, scaled_start)

        monkeypatch.setattr(cox, "_fit_lifelines", overshoots_at_the_default_step)
        design = pd.get_dummies(real[["age", "treated"]], drop_first=True).astype(float)
        fit = fit_cox(design, real["time"].to_numpy(), real["event"].to_numpy())
        assert fit.penalizer == 0.01  # kept: the shorter step converged
        assert any("step=0.1: converged" in note for note in fit.notes), fit.notes

    def test_a_fit_started_at_its_maximum_stays_there(self, real, monkeypatch):
        """``start`` (in the covariates' units) is where Newton's method starts: from the
        maximum a fit from 0 found it stops after at most 2 iterations, at that maximum."""
        from lifelines.fitters.coxph_fitter import SemiParametricPHFitter

        iterations = []

        def counting(gradients):
            def counted(self, *args):
                iterations.append(1)
                return gradients(self, *args)

            return counted

        for name in ("_get_efron_values_single", "_get_efron_values_batch"):
            gradients = getattr(SemiParametricPHFitter, name)
            monkeypatch.setattr(SemiParametricPHFitter, name, counting(gradients))
        design = pd.get_dummies(real[["age", "treated"]], drop_first=True).astype(float)
        d, e = real["time"].to_numpy(), real["event"].to_numpy()
        from_zero, _ = cox.fit_cox_once(design, d, e, 0.01, 0.05)
        n_from_zero = len(iterations)
        iterations.clear()
        start = from_zero.params_.to_numpy()
        started, _ = cox.fit_cox_once(design, d, e, 0.01, 0.05, start.copy())
        assert len(iterations) <= 2 < n_from_zero
        np.testing.assert_allclose(started.params_, from_zero.params_, atol=1e-6)
        with pytest.raises(InvalidParameterError, match=r"start has shape \(1,\); .* \(2,\)"):
            cox.fit_cox_once(design, d, e, 0.01, 0.05, start[:1])

    def test_a_retry_starts_where_the_first_try_started(self, real, monkeypatch):
        """lifelines moves its start in place; the shorter step starts from the given one."""
        original, starts = cox._fit_lifelines, []

        def fails_at_the_default_step(frame, penalizer, alpha, step, scaled_start=None):
            starts.append(scaled_start.copy())
            fitter, lines, converged = original(frame, penalizer, alpha, step, scaled_start)
            return fitter, lines, converged and step != cox.NEWTON_STEPS[0]

        monkeypatch.setattr(cox, "_fit_lifelines", fails_at_the_default_step)
        design = real[["age"]]
        fitter, _ = cox.fit_cox_once(
            design, real["time"].to_numpy(), real["event"].to_numpy(), 0.01, 0.05, np.array([0.2])
        )
        assert fitter is not None and len(starts) == 2
        np.testing.assert_array_equal(starts[0], starts[1])
        np.testing.assert_allclose(starts[0], [0.2 * design["age"].std()])

    def test_joint_fit_shares_the_raised_penalizer(self, real, monkeypatch):
        original = cox.fit_cox_once

        def flaky(covariates, durations, events, penalizer, alpha):
            if penalizer < 0.1 and len(durations) < len(real):
                return None, [f"penalizer={penalizer:g}: forced failure"]
            return original(covariates, durations, events, penalizer, alpha)

        monkeypatch.setattr(cox, "fit_cox_once", flaky)
        design = pd.get_dummies(real[["age", "treated"]], drop_first=True).astype(float)
        d, e = real["time"].to_numpy(), real["event"].to_numpy()
        whole, part = fit_cox_jointly(
            [(design, d, e), (design.iloc[:150], d[:150], e[:150])],
            labels=["real", "synthetic"],
            penalizer=0.0,
        )
        assert whole.penalizer == part.penalizer == 0.1
        assert any(n.startswith("synthetic: penalizer=0: forced") for n in whole.notes)
        assert "penalizer raised from 0 to 0.1 to converge" in whole.notes

    def test_no_penalizer_fits_is_an_error(self, real, monkeypatch):
        monkeypatch.setattr(cox, "fit_cox_once", lambda *a: (None, ["never"]))
        design = real[["age"]]
        with pytest.raises(InvalidDataError, match="could not be fitted on data"):
            fit_cox(design, real["time"].to_numpy(), real["event"].to_numpy())

"""Longitudinal fidelity metric: known answers on the MS simulator and on hand-built tables."""

import torch

torch.set_num_threads(1)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from synth_plugins import catalog  # noqa: E402
from synth_plugins.datasets import simulate_ms_registry  # noqa: E402
from synth_plugins.errors import InvalidDataError, InvalidParameterError  # noqa: E402
from synth_plugins.metrics.longitudinal import (  # noqa: E402
    MS_HIGH_EFFICACY,
    PARTS,
    event_rates,
    flag_given_event,
    het_exposure,
    longitudinal_fidelity,
    prepare_tables,
    sequence_length,
    spearman_longitudinal,
    spearman_static,
    trajectory,
    visit_gaps,
)

KEYS = {"id_column": "patient_id", "time_column": "time"}


@pytest.fixture(scope="module")
def cohorts():
    real = simulate_ms_registry(n_patients=300, seed=0)
    other = simulate_ms_registry(n_patients=300, seed=1)
    return real, other


@pytest.fixture(scope="module")
def good(cohorts):
    real, other = cohorts
    return longitudinal_fidelity(real.data, other.data, event_column="relapses", **KEYS)


def _toy(times_by_patient, value=None):
    rows = []
    for pid, times in times_by_patient.items():
        for k, t in enumerate(times):
            rows.append(
                {
                    "id": pid,
                    "t": t,
                    "sex": "F" if pid % 2 else "M",
                    "x": float(k if value is None else value),
                    "events": 1 if k else 0,
                }
            )
    return pd.DataFrame(rows)


class TestKnownAnswers:
    def test_event_rate_is_the_simulators_arr(self, cohorts):
        real, _ = cohorts
        pooled, per_patient = event_rates(real.data, "patient_id", "time", "relapses")
        # the cohort's realised ARR is close to its expected (Poisson-noise free) ARR
        assert pooled == pytest.approx(real.truth["expected_arr"], rel=0.15)
        assert per_patient > 0

    def test_event_rate_hand_computed(self):
        data = _toy({1: [0.0, 1.0, 2.0], 2: [0.0, 0.5], 3: [0.0]})
        pooled, mean = event_rates(data, "id", "t", "events")
        # patient 1: 2 events / 2 years; patient 2: 1 / 0.5; patient 3 has no follow-up
        assert pooled == pytest.approx(3 / 2.5)
        assert mean == pytest.approx((1.0 + 2.0) / 2)
        pooled_days, _ = event_rates(
            data.assign(t=data.t * 365.25), "id", "t", "events", time_per_year=365.25
        )
        assert pooled_days == pytest.approx(pooled)
        with_first, _ = event_rates(
            data.assign(events=1), "id", "t", "events", count_first_visit=True
        )
        assert with_first == pytest.approx(5 / 2.5)

    def test_flag_given_event_hand_computed(self):
        data = pd.DataFrame(
            {
                "id": [1, 1, 1, 1, 2, 2],
                "events": [2, 1, 0, 0, 1, np.nan],
                "flag": [1, 1, 0, 1, 0, 0],
            }
        )
        # later visits: (1, 1) (0, 0) (0, 1) for patient 1; (nan -> 0, 0) for patient 2;
        # the first visits' events and flags are left out
        with_event, without = flag_given_event(data, "id", "events", "flag")
        assert with_event == 1.0
        assert without == pytest.approx(1 / 3)
        none = flag_given_event(data.assign(events=0), "id", "events", "flag")
        assert np.isnan(none[0])

    @pytest.mark.parametrize(
        ("edit", "words"),
        [
            (lambda d: d.drop(columns="flag"), "column 'flag' is not in the table"),
            (lambda d: d.assign(flag=["yes", "no", "no", "no", "no", "no"]), "0, 1 or missing"),
            (lambda d: d.assign(flag=[2, 1, 0, 0, 0, 0]), "0, 1 or missing"),
            (lambda d: d.assign(events=list("abcdef")), "must hold numbers"),
        ],
    )
    def test_flag_given_event_names_a_bad_column(self, edit, words):
        data = pd.DataFrame({"id": [1, 1, 1, 2, 2, 2], "events": [0, 1, 0, 0, 1, 0],
                             "flag": [0, 1, 0, 0, 0, 1]})  # fmt: skip
        with pytest.raises(InvalidDataError, match=words):
            flag_given_event(edit(data), "id", "events", "flag")

    def test_switch_follows_relapse_in_the_simulator(self, cohorts):
        real, _ = cohorts
        after, otherwise = flag_given_event(real.data, "patient_id", "relapses", "switch")
        assert after > 2 * otherwise

    def test_sequence_length_and_gaps(self):
        real = _toy({1: [0.0, 1.0], 2: [0.0, 1.0, 2.0]})
        same = prepare_tables(real, real, "id", "t")
        assert sequence_length(same).score == 1.0
        assert visit_gaps(same).wasserstein_log == 0.0
        longer = _toy({1: [0.0, 2.0, 4.0, 6.0], 2: [0.0, 2.0, 4.0, 6.0]})
        tables = prepare_tables(real, longer, "id", "t")
        assert sequence_length(tables).tvd == pytest.approx(1.0)
        assert visit_gaps(tables).wasserstein_log == pytest.approx(np.log(2.0))


class TestTrajectoryAndTherapy:
    def test_trajectory_hand_computed(self):
        real = _toy({1: [0.0, 1.0, 2.0], 2: [0.0, 1.5, 2.5]})  # x = visit number
        flat = _toy({1: [0.0, 1.0, 2.0], 2: [0.0, 1.5, 2.5]}, value=0.0)
        tables = prepare_tables(real, flat, "id", "t")
        result = trajectory(tables, ["x"], min_visits=1)
        # year 0: real x 0, 0 (visits at 0) -> 0; year 1: 1, 1 -> 1; year 2: 2, 2 -> 2
        assert result.year_error == {"x_0": 0.0, "x_1": -1.0, "x_2": -2.0}
        assert result.mean_abs_error["x"] == pytest.approx(1.0)
        assert result.max_abs_error["x"] == pytest.approx(2.0)
        assert result.relative_error["x"] == pytest.approx(1.0 / real["x"].std())
        assert trajectory(prepare_tables(real, real, "id", "t"), min_visits=1).score == 1.0
        assert trajectory(tables, ["x"], min_visits=1, max_years=1).year_error == {"x_0": 0.0}
        with pytest.raises(InvalidParameterError, match="not numerical visit columns"):
            trajectory(tables, ["sex"])
        with pytest.raises(InvalidDataError, match="no year of follow-up"):
            trajectory(tables, ["x"])  # 2 patients: no year has 20 visits
        short = longitudinal_fidelity(real, flat, id_column="id", time_column="t",
                                      parts=["trajectory", "follow_up"])  # fmt: skip
        assert "trajectory" not in short.parts and "no year" in short.errors["trajectory"]

    def test_a_drifting_synthetic_cohort_has_the_larger_trajectory_error(self, cohorts):
        real, other = cohorts
        flat = other.data.copy()
        first = flat.groupby("patient_id")["edss"].transform("first")
        flat["edss"] = first  # no progression at all
        keys = {"event_column": "relapses", **KEYS}
        good = longitudinal_fidelity(real.data, other.data, parts=["trajectory"], **keys)
        bad = longitudinal_fidelity(real.data, flat, parts=["trajectory"], **keys)
        good_error = good.to_dict()["trajectory_mean_abs_error_edss"]
        assert bad.to_dict()["trajectory_mean_abs_error_edss"] > 2 * good_error
        assert bad.parts["trajectory"].score < good.parts["trajectory"].score

    def test_het_exposure_hand_computed(self):
        rows = [  # (id, time, therapy)
            (1, 0.0, "none"), (1, 1.0, "natalizumab"), (1, 3.0, "none"),
            (2, 0.0, "interferon"), (2, 2.0, "interferon"),
        ]  # fmt: skip
        real = pd.DataFrame(rows, columns=["id", "t", "dmt"])
        syn = real.assign(dmt="natalizumab")
        tables = prepare_tables(real, syn, "id", "t", static_columns=[])
        result = het_exposure(tables, "dmt")
        # patient 1 is on HET from t=1 to t=3 (2 of 5 follow-up years); patient 2 never
        assert result.real_ever == 0.5 and result.real_follow_up == pytest.approx(2 / 5)
        assert result.synthetic_ever == 1.0 and result.synthetic_follow_up == 1.0
        assert result.score == pytest.approx(1 - (0.5 + 0.6) / 2)
        assert het_exposure(tables, "dmt", ["interferon"]).real_follow_up == pytest.approx(2 / 5)
        # category codes (as Synthcity's loaders hold them): 3 matches 3.0
        coded = real.assign(
            dmt=real["dmt"].map({"none": 0.0, "natalizumab": 3.0, "interferon": 1.0})
        )
        by_code = het_exposure(
            prepare_tables(coded, coded, "id", "t", static_columns=[]), "dmt", [3]
        )
        assert by_code.real_ever == 0.5 and by_code.real_follow_up == pytest.approx(2 / 5)
        with pytest.raises(InvalidDataError, match="no level of high_efficacy"):
            het_exposure(tables, "dmt", ["ocrelizumab"])
        with pytest.raises(InvalidParameterError, match="not the string"):
            het_exposure(tables, "dmt", "natalizumab")
        with pytest.raises(InvalidParameterError, match="must be a visit column"):
            het_exposure(tables, "t")

    def test_het_exposure_in_the_headline_on_the_simulator(self, cohorts):
        real, other = cohorts
        result = longitudinal_fidelity(
            real.data, other.data, therapy_column="dmt", parts=["het_exposure"], **KEYS
        )
        values = result.to_dict()
        # the default set covers the simulator's high-efficacy therapies
        assert set(real.truth["high_efficacy_dmts"]) <= set(MS_HIGH_EFFICACY)
        assert 0.2 < values["het_exposure_real_ever"] < 0.9
        # two cohorts of one process: shares agree within sampling noise
        assert values["het_exposure_synthetic_ever"] == pytest.approx(
            values["het_exposure_real_ever"], abs=0.1
        )
        assert values["het_exposure_score"] > 0.9


class TestFidelity:
    def test_same_process_scores_high_and_in_range(self, cohorts, good):
        result = good
        values = result.to_dict()
        assert set(result.parts) == set(PARTS) - {"het_exposure"}  # no therapy column given
        assert 0.0 <= result.score <= 1.0
        assert result.score > 0.85
        assert values["discriminative_accuracy"] < 0.65
        assert values["follow_up_synthetic_mean_in_real_ci"] == 1.0
        # the two cohorts' own expected ARRs differ (patient heterogeneity); the realised rates
        # may differ by that much plus Poisson noise, no more
        real, other = cohorts
        expected_gap = abs(other.truth["expected_arr"] / real.truth["expected_arr"] - 1.0)
        assert values["event_rate_relative_error"] < expected_gap + 0.1
        for name in result.parts:
            assert 0.0 <= values[f"{name}_score"] <= 1.0
        assert catalog.metric("longitudinal_fidelity").direction == "maximize"

    def test_broken_synthetic_scores_lower(self, cohorts, good):
        real, other = cohorts
        broken = other.data.copy()
        rng = np.random.default_rng(0)
        # shuffle EDSS across rows (no within-patient dependence), double every time
        broken["edss"] = rng.permutation(broken["edss"].to_numpy())
        broken["time"] = broken["time"] * 2.0
        broken["relapses"] = 0
        bad = longitudinal_fidelity(real.data, broken, event_column="relapses", **KEYS)
        assert bad.score < good.score - 0.15
        for part in (
            "follow_up",
            "event_rate",
            "spearman_longitudinal",
            "visit_gaps",
            "discriminative",
        ):
            assert bad.parts[part].score < good.parts[part].score, part
        assert bad.parts["event_rate"].score == 0.0
        lag1 = bad.parts["spearman_longitudinal"].table.loc["edss lag1"]
        assert lag1["real"] > 0.8 and abs(lag1["synthetic"]) < 0.2

    def test_parts_subset_and_no_event_column(self, cohorts):
        real, other = cohorts
        result = longitudinal_fidelity(
            real.data, other.data, parts=["follow_up", "sequence_length", "event_rate"], **KEYS
        )
        assert set(result.parts) == {"follow_up", "sequence_length"}

    def test_a_table_against_itself_is_perfect(self, cohorts):
        real, _ = cohorts
        result = longitudinal_fidelity(real.data, real.data, event_column="relapses", **KEYS)
        # cross-validation puts each patient's twin in the training folds with the other
        # label, so accuracy falls below chance; that is no evidence of a difference
        assert result.parts["discriminative"].accuracy < 0.5
        assert result.parts["discriminative"].score == 1.0
        assert result.score == pytest.approx(1.0)

    def test_unpredictable_target_is_reported_not_scored(self, cohorts):
        real, other = cohorts
        rng = np.random.default_rng(0)
        # a visit value that is pure noise: no model predicts it from the history (R² <= 0)
        real_noise = real.data.assign(noise=rng.normal(size=len(real.data)))
        other_noise = other.data.assign(noise=rng.normal(size=len(other.data)))
        result = longitudinal_fidelity(real_noise, other_noise, predictive_target="noise", **KEYS)
        assert "predictive" not in result.parts
        assert "no real baseline" in result.errors["predictive"]

    def test_unpredictable_level_is_reported_not_scored(self, cohorts):
        """A categorical target that no history predicts: the real-trained model does no
        better than always the most frequent level (as R² ≤ 0 is no better than the mean
        for a numerical one). Before, it was scored, and the same levels shuffled across
        visits scored 1.0: their model, always the most frequent level, was as accurate."""
        real, other = cohorts
        rng = np.random.default_rng(0)
        real_coin, other_coin = (
            data.assign(coin=np.where(rng.random(len(data)) < 0.9, "heads", "tails"))
            for data in (real.data, other.data)
        )
        shuffled = other_coin.assign(coin=rng.permutation(other_coin["coin"].to_numpy()))
        for synthetic in (other_coin, shuffled):
            result = longitudinal_fidelity(
                real_coin, synthetic, predictive_target="coin", parts=["predictive", "follow_up"],
                **KEYS,
            )  # fmt: skip
            assert "predictive" not in result.parts
            assert "most frequent level" in result.errors["predictive"]


class TestSmallTables:
    """The model-based parts on a few dozen patients (Synthcity's 80/20 split of a small
    cohort): scikit-learn's default leaf of 20 patients could not split a training fold of
    fewer than 40, so below about 25 patients per table the discriminative part scored 1.0
    whatever the synthetic data, and on 5 patients the predictive part did too."""

    @pytest.fixture(scope="class")
    def patients(self):
        data = simulate_ms_registry(n_patients=200, seed=0).data
        ids = data["patient_id"].unique()

        def take(start: int, n: int) -> pd.DataFrame:
            return data[data["patient_id"].isin(ids[start : start + n])]

        return take

    @staticmethod
    def _garbled(data: pd.DataFrame) -> pd.DataFrame:
        bad = data.copy()
        for column in ("edss", "age_at_onset", "baseline_edss"):
            bad[column] = bad[column] * 3 + 100
        bad["time"] = bad["time"] * 10
        return bad

    def test_sixteen_patients_garbled_are_detected_and_real_ones_not(self, patients):
        real = patients(0, 16)
        bad = longitudinal_fidelity(real, self._garbled(patients(100, 16)), **KEYS)
        # accuracy 0.471 and score 1.0 before
        assert bad.parts["discriminative"].accuracy > 0.9
        assert bad.parts["discriminative"].score < 0.5
        same = longitudinal_fidelity(real, patients(50, 16), **KEYS)
        assert same.parts["discriminative"].score >= 0.5

    def test_too_few_patients_leave_the_part_out_with_the_reason(self, patients):
        real, bad = patients(0, 8), self._garbled(patients(100, 8))
        result = longitudinal_fidelity(real, bad, **KEYS)
        assert "discriminative" not in result.parts
        assert "at least 12 patients per table" in result.errors["discriminative"]
        assert "discriminative_score" not in result.to_dict()
        assert np.isfinite(result.score)

    @staticmethod
    def _shuffled(data: pd.DataFrame, column: str) -> pd.DataFrame:
        """``column`` shuffled across all visits: its marginal kept, its history broken."""
        bad = data.copy()
        bad[column] = np.random.default_rng(0).permutation(bad[column].to_numpy())
        return bad

    def test_too_few_patients_leave_the_predictive_part_out(self, patients):
        real, bad = patients(0, 5), self._shuffled(patients(100, 5), "dmt")
        result = longitudinal_fidelity(real, bad, predictive_target="dmt", **KEYS)
        # before: trained on 2 real patients, right on 8 % of the next therapies, against
        # 12 % for the shuffled therapies: score 1.0
        assert "predictive" not in result.parts
        assert "at least 20 patients per table" in result.errors["predictive"]
        assert np.isfinite(result.score)

    @pytest.mark.parametrize("target", ["edss", "dmt"])
    def test_twenty_patients_tell_shuffled_next_values_from_real_ones(self, patients, target):
        real = patients(0, 20)

        def score(other: pd.DataFrame) -> float:
            result = longitudinal_fidelity(
                real, other, predictive_target=target, parts=["predictive"], **KEYS
            )
            return result.parts["predictive"].score

        # EDSS 0.936 against 0.0 shuffled, therapy 0.872 against 0.089
        assert score(patients(50, 20)) >= 0.5 > score(self._shuffled(patients(100, 20), target))


class TestBadInput:
    def test_errors_name_the_problem(self, cohorts):
        real, other = cohorts
        data = real.data
        duplicated = pd.concat([data.iloc[:1], data]).reset_index(drop=True)
        with pytest.raises(InvalidDataError, match="duplicate"):
            longitudinal_fidelity(duplicated, other.data, **KEYS)
        unsorted = data.iloc[::-1].reset_index(drop=True)
        with pytest.raises(InvalidDataError, match="not sorted"):
            longitudinal_fidelity(data, unsorted, **KEYS)
        with pytest.raises(InvalidDataError, match="same columns"):
            longitudinal_fidelity(data, other.data.drop(columns=["edss"]), **KEYS)
        with pytest.raises(InvalidDataError, match="numeric"):
            longitudinal_fidelity(data.assign(time=data.time.astype(str)), other.data, **KEYS)
        infinite = other.data.assign(
            edss=other.data["edss"].replace(other.data["edss"].iloc[0], np.inf)
        )
        with pytest.raises(InvalidDataError, match="'edss' of synthetic holds infinite"):
            longitudinal_fidelity(data, infinite, **KEYS)
        with pytest.raises(InvalidParameterError, match="unknown parts"):
            longitudinal_fidelity(data, other.data, parts=["nope"], **KEYS)
        with pytest.raises(InvalidParameterError, match="event_column"):
            longitudinal_fidelity(data, other.data, event_column="sex", **KEYS)

    def test_labels_against_codes_and_infinite_levels_are_refused(self, cohorts):
        """Synthetic integer codes of a text column were scored against the real labels
        (TVD 1.0, no error), and inf in a categorical column was scored as a level."""
        real, other = cohorts
        coded = other.data.assign(dmt=other.data["dmt"].astype("category").cat.codes)
        with pytest.raises(InvalidDataError, match="'dmt' holds text in real and numbers in"):
            longitudinal_fidelity(real.data, coded, **KEYS)
        relapses = other.data["relapses"].astype(float)
        infinite = other.data.assign(relapses=relapses.where(relapses.index != 3, np.inf))
        with pytest.raises(InvalidDataError, match="'relapses' of synthetic holds infinite"):
            longitudinal_fidelity(real.data, infinite, categorical_columns=["relapses"], **KEYS)
        as_levels = infinite.assign(relapses=infinite["relapses"].astype("category"))
        with pytest.raises(InvalidDataError, match="'relapses' of synthetic holds infinite"):
            longitudinal_fidelity(real.data, as_levels, categorical_columns=["relapses"], **KEYS)


class TestEdgeShapes:
    def test_one_static_numeric_column_leaves_spearman_static_out(self):
        # one static numerical column: no static Spearman pair, so the part does not apply
        # (it scored 1.0 on zero pairs, which raised the headline of any such table)
        rng = np.random.default_rng(0)
        times = {p: np.cumsum(rng.uniform(0.5, 2.0, 2 + p % 4)).tolist() for p in range(40)}
        real = _toy(times).assign(age=lambda d: 20.0 + d["id"] % 37)
        other = _toy(times, value=1.0).assign(age=lambda d: 25.0 + d["id"] % 31)
        result = longitudinal_fidelity(real, other, id_column="id", time_column="t")
        breakdown = result.to_dict()
        assert "spearman_static" not in result.parts
        assert not any(key.startswith("spearman_static_") for key in breakdown)
        assert "static_ks" in result.parts
        assert result.score == pytest.approx(
            np.mean([part.score for part in result.parts.values()])
        )
        with pytest.raises(InvalidDataError, match="none of the parts"):
            longitudinal_fidelity(
                real, other, id_column="id", time_column="t", parts=["spearman_static"]
            )
        with pytest.raises(InvalidDataError, match="spearman_static needs at least two"):
            spearman_static(prepare_tables(real, other, "id", "t", None, None))
        assert not np.isnan(breakdown["spearman_longitudinal_lag1_mean_abs_difference"])
        assert 0.0 <= breakdown["score"] <= 1.0

    def test_no_numerical_visit_column_leaves_spearman_longitudinal_out(self):
        # time since the first visit alone forms no pair: the part scored 1.0 on zero pairs
        rng = np.random.default_rng(1)
        times = {p: np.cumsum(rng.uniform(0.5, 2.0, 2 + p % 4)).tolist() for p in range(40)}
        real, other = _toy(times).drop(columns="x"), _toy(times, value=1.0).drop(columns="x")
        result = longitudinal_fidelity(
            real, other, id_column="id", time_column="t", categorical_columns=["events"]
        )
        assert "spearman_longitudinal" not in result.parts
        with pytest.raises(InvalidDataError, match="spearman_longitudinal needs a numerical"):
            spearman_longitudinal(prepare_tables(real, other, "id", "t", None, ["events"]))

    def test_gaps_on_one_side_only_are_finite_figures(self):
        one_visit = _toy({1: [0.0], 2: [0.0]})
        two_visits = _toy({1: [0.0, 1.0], 2: [0.0, 3.0]})
        result = visit_gaps(prepare_tables(two_visits, one_visit, "id", "t"))
        assert result.score == 0.0 and result.ks == 1.0
        assert np.isnan(result.wasserstein_log)
        assert result.real_median == 2.0 and np.isnan(result.synthetic_median)

    def test_no_computable_part_is_an_error_not_a_nan_score(self):
        tiny = _toy({1: [0.0, 1.0], 2: [0.0, 2.0]})
        with pytest.raises(InvalidDataError, match="none of the parts.*discriminative"):
            longitudinal_fidelity(
                tiny, tiny, id_column="id", time_column="t", parts=["discriminative"]
            )


class TestColumnKinds:
    """Numbers or levels: the metrics' one column rule, with one declared exception."""

    @staticmethod
    def _visits():
        rng = np.random.default_rng(0)
        return pd.DataFrame(
            {
                "id": np.repeat(np.arange(40), 4),
                "t": np.tile(np.arange(4.0), 40),
                "stage": rng.integers(0, 5, 160),  # 5 whole numbers
                "hb_text": rng.normal(13, 1.5, 160).round(1).astype(str),  # numbers as text
                "label": rng.choice(["a", "b", "c"], 160),
                "empty": np.nan,
            }
        )

    def test_numbers_written_as_text_are_numbers_as_for_the_table_metrics(self):
        """``"13.2"`` was a level here (a numeric dtype was the test) but a number for the
        table metrics (``infer_role``): its KS, trajectory and correlations were lost."""
        from synth_plugins.metrics.validation import resolve_categorical

        data = self._visits()
        tables = prepare_tables(data, data, "id", "t", static_columns=[])
        assert "hb_text" not in resolve_categorical([data], None)
        assert "hb_text" in tables.numerical_visit
        assert set(tables.categorical_visit) == {"label", "empty"}

    def test_whole_numbers_of_more_than_two_levels_are_the_declared_exception(self):
        """The table metrics read 0-4 as levels; the longitudinal parts need its order
        (``MAX_NUMERIC_LEVELS``); ``categorical_columns`` still makes it levels."""
        from synth_plugins.metrics.longitudinal._tables import MAX_NUMERIC_LEVELS
        from synth_plugins.metrics.validation import resolve_categorical

        data = self._visits()
        assert MAX_NUMERIC_LEVELS == 2 and "stage" in resolve_categorical([data], None)
        assert "stage" in prepare_tables(data, data, "id", "t", static_columns=[]).numerical_visit
        forced = prepare_tables(
            data, data, "id", "t", static_columns=[], categorical_columns=["stage"]
        )
        assert "stage" in forced.categorical_visit

    def test_the_bundled_long_tables_split_as_the_published_benchmark_scored_them(self):
        """The benchmark's call (text levels listed as categorical): the PBC and MS
        columns are numbers or levels exactly as when docs/benchmarks/longitudinal.md was
        measured."""
        from synth_plugins.benchmark.longitudinal import categorical_columns
        from synth_plugins.datasets import load

        numbers = {
            "pbc_visits": {
                "age", "years", "serBilir", "serChol", "albumin", "alkaline", "SGOT",
                "platelets", "prothrombin", "histologic",
            },
            "ms_registry": {
                "age_at_onset", "onset_year", "baseline_year",
                "disease_duration_at_baseline", "baseline_edss", "baseline_relapses",
                "edss", "relapses",
            },
        }  # fmt: skip
        for dataset in (load("pbc_visits"), simulate_ms_registry(n_patients=300, seed=0)):
            data = dataset.data
            tables = prepare_tables(
                data, data, dataset.id_column, dataset.time_column,
                list(dataset.static_columns), categorical_columns(dataset),
            )  # fmt: skip
            assert {*tables.numerical_visit, *tables.numerical_static} == numbers[dataset.name]

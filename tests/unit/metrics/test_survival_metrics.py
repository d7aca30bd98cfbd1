"""Survival metrics: hazard-ratio alignment, KM comparison, augmentation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from synth_plugins import catalog
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics import effect_agreement
from synth_plugins.metrics.survival import (
    hazard_ratio_alignment,
    km_comparison,
    survival_augmentation,
)
from synth_plugins.survival import cox

torch.set_num_threads(1)


def simulate_cox(n: int = 600, seed: int = 0, treated_effect: float = -0.6) -> pd.DataFrame:
    """Known effects: age +0.8 per 10 years, treated -0.6, stage III +1.0, marker 0."""
    rng = np.random.default_rng(seed)
    age = np.round(rng.normal(60, 10, n), 1)
    treated = rng.choice(["no", "yes"], n)
    stage = rng.choice(["I", "II", "III"], n, p=[0.4, 0.35, 0.25])
    marker = np.round(rng.uniform(0, 5, n), 2)
    eta = (
        0.8 * (age - 60) / 10
        + treated_effect * (treated == "yes")
        + 0.4 * (stage == "II")
        + 1.0 * (stage == "III")
    )
    t_event = (-np.log(rng.uniform(size=n)) / (0.1 * np.exp(eta))) ** (1 / 1.5)
    t_censor = np.minimum(rng.uniform(0, 12, n), 8.0)
    return pd.DataFrame(
        {
            "age": age, "treated": treated, "stage": stage, "marker": marker,
            "time": np.round(np.maximum(np.minimum(t_event, t_censor), 0.01), 2),
            "event": (t_event <= t_censor).astype(int),
        }
    )  # fmt: skip


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    return simulate_cox()


class TestCatalogEntries:
    def test_values(self):
        hazard = catalog.metric("hazard_ratio_alignment")
        assert hazard.direction == "minimize"
        assert (hazard.min_value, hazard.ideal) == (0.0, 0.0)
        assert hazard.max_value == math.inf
        augmentation = catalog.metric("survival_augmentation")
        assert augmentation.direction == "maximize"
        assert (augmentation.min_value, augmentation.max_value) == (-1.0, 1.0)


class TestHazardRatioAlignment:
    def test_identical_data_align_perfectly(self, real):
        result = hazard_ratio_alignment(real, real.copy(), "time", "event")
        assert result.score == 0.0 and result.mean_abs_log_hr_error == 0.0
        assert result.sign_agreement == 1.0
        assert result.sign_agreement_significant == 1.0
        assert result.significance_agreement == 1.0
        assert result.ci_overlap == 1.0
        assert list(result.table.index) == [
            "age", "marker", "treated[yes]", "stage[II]", "stage[III]"
        ]  # fmt: skip
        np.testing.assert_array_equal(result.table["log_hr_real"], result.table["log_hr_synthetic"])
        keys = {
            "score", "mean_abs_log_hr_error", "sign_agreement", "sign_agreement_significant",
            "significance_agreement", "ci_overlap", "n_covariates", "n_significant_real",
            "penalizer", "alpha", "n_rows_real", "n_rows_synthetic",
        }  # fmt: skip
        summary = result.to_dict()
        assert set(summary) == keys and all(isinstance(v, float) for v in summary.values())
        assert summary["n_covariates"] == 5.0

    def test_teacher_style_fit_recovers_the_true_signs(self, real):
        table = hazard_ratio_alignment(real, real, "time", "event").table
        assert table.loc["age", "log_hr_real"] > 0
        assert table.loc["treated[yes]", "log_hr_real"] < 0
        assert table.loc["stage[III]", "log_hr_real"] > 0
        assert table.loc["stage[III]", "significant_real"]
        assert not table.loc["marker", "significant_real"]

    def test_a_reversed_effect_is_caught(self, real):
        synthetic = simulate_cox(seed=1, treated_effect=+0.9)
        result = hazard_ratio_alignment(real, synthetic, "time", "event")
        table = result.table
        assert not table.loc["treated[yes]", "sign_agree"]
        assert not table.loc["treated[yes]", "ci_overlap"]
        assert table.loc["age", "sign_agree"] and table.loc["stage[III]", "sign_agree"]
        expected = (table["log_hr_synthetic"] - table["log_hr_real"]).abs().mean()
        assert result.score == pytest.approx(expected)
        assert result.sign_agreement_significant < 1.0

    def test_hand_checked_fields(self, real):
        table = hazard_ratio_alignment(real, simulate_cox(seed=2), "time", "event").table
        row = table.loc["age"]
        assert row["hr_real"] == pytest.approx(math.exp(row["log_hr_real"]))
        assert row["ci_lower_real"] < row["log_hr_real"] < row["ci_upper_real"]
        overlap = (row["ci_lower_synthetic"] <= row["ci_upper_real"]) and (
            row["ci_lower_real"] <= row["ci_upper_synthetic"]
        )
        assert row["ci_overlap"] == overlap
        assert row["significant_real"] == (row["p_real"] < 0.05)

    def test_constant_and_unseen_levels_are_reported(self, real):
        synthetic = real.copy()
        synthetic["treated"] = "no"  # constant: left out of both fits
        synthetic.loc[:4, "stage"] = "IV"  # unseen in real: rows left out
        result = hazard_ratio_alignment(real, synthetic, "time", "event")
        assert result.dropped_covariates == ("treated[yes]",)
        assert "treated[yes]" not in result.table.index
        assert result.n_rows_synthetic == len(real) - 5
        assert any("not in the real data" in note for note in result.notes)

    def test_a_block_without_its_reference_level_is_left_out_and_named(self, real):
        # the synthetic rows never take stage I (the real reference): stage[II] + stage[III]
        # is 1 on every row, so their synthetic hazard ratios are not identified and the
        # ridge penalty alone would pick them (errors ~0.5, a false sign disagreement)
        synthetic = real.assign(stage=real["stage"].replace("I", "II"))
        result = hazard_ratio_alignment(real, synthetic, "time", "event")
        assert result.dropped_covariates == ("stage[II]", "stage[III]")
        assert list(result.table.index) == ["age", "marker", "treated[yes]"]
        assert any(
            "'stage'" in note and "reference level 'I'" in note and "synthetic" in note
            for note in result.notes
        )
        assert result.sign_agreement == 1.0  # the other covariates are untouched
        # the real complete cases may lack it too (every stage-I row misses its age)
        holes = real.assign(age=real["age"].where(real["stage"] != "I"))
        result = hazard_ratio_alignment(holes, real, "time", "event")
        assert result.dropped_covariates == ("stage[II]", "stage[III]")
        assert any("no real row" in note and "'I'" in note for note in result.notes)

    def test_too_few_events_per_design_column_are_noted(self, real):
        result = hazard_ratio_alignment(real, real, "time", "event")
        assert not any("per column" in note for note in result.notes)  # 600 rows
        few = real.copy()
        few.loc[few.index[12:], "event"] = 0  # at most 12 events for several columns
        result = hazard_ratio_alignment(real, few, "time", "event")
        assert any(
            note.startswith("synthetic has") and "fewer than 10 per column" in note
            for note in result.notes
        )

    def test_missing_covariates_are_complete_cases(self, real):
        synthetic = real.copy()
        synthetic.loc[:9, "age"] = np.nan
        result = hazard_ratio_alignment(real, synthetic, "time", "event")
        assert result.n_rows_synthetic == len(real) - 10

    def test_joint_penalizer_fallback(self, real, monkeypatch):
        original = cox.fit_cox_once

        def flaky(covariates, durations, events, penalizer, alpha):
            if penalizer < 0.1 and len(durations) < len(real):
                return None, ["forced failure"]
            return original(covariates, durations, events, penalizer, alpha)

        monkeypatch.setattr(cox, "fit_cox_once", flaky)
        result = hazard_ratio_alignment(real, real.iloc[:400], "time", "event")
        assert result.penalizer == 0.1
        assert any("raised" in note for note in result.notes)

    def test_a_covariate_missing_throughout_the_synthetic_table_counts_as_no_effect(self, real):
        """It was left out of both fits and only named in notes, so a synthetic table with
        the strongest covariate emptied scored like a copy (gbsg2 ``pnodes``: 0.000, sign
        1.000) and better than one with it shuffled (0.019, 0.889)."""
        rng = np.random.default_rng(0)
        base = simulate_cox(seed=3)
        shuffled = base.assign(stage=rng.permutation(base["stage"].to_numpy()))
        emptied = base.assign(stage=np.nan)
        kept = hazard_ratio_alignment(real, shuffled, "time", "event")
        result = hazard_ratio_alignment(real, emptied, "time", "event")
        terms = ["stage[II]", "stage[III]"]
        assert result.empty_in_synthetic == tuple(terms)
        assert list(result.table.index) == list(kept.table.index)
        rows = result.table.loc[terms]
        assert (rows["log_hr_synthetic"] == 0).all()
        far_end = rows[["ci_lower_real", "ci_upper_real"]].abs().max(axis=1)
        np.testing.assert_allclose(rows["abs_log_hr_error"], far_end)
        assert not rows[["sign_agree", "significance_agree", "ci_overlap"]].any().any()
        assert result.score > kept.score
        assert result.sign_agreement <= kept.sign_agreement
        assert any("'stage'" in note and "no observed value" in note for note in result.notes)
        # effect_agreement: the same terms are not estimable on synthetic, every flag False
        effects = effect_agreement(real, emptied, duration_column="time", event_column="event")
        stage = effects.table[effects.table["term"].isin(terms)]
        assert len(stage) and not stage["direction_agree"].any()
        notes = effects.notes
        assert any("stage" in note and "not estimable on synthetic" in note for note in notes)

    def test_rows_lost_to_an_unseen_level_are_named_in_the_error(self, real):
        synthetic = simulate_cox(seed=3).assign(stage="IV")
        with pytest.raises(InvalidDataError, match=r"'stage': 600 with levels not in the real"):
            hazard_ratio_alignment(real, synthetic, "time", "event")

    def test_errors_name_the_culprit(self, real):
        bad = real.assign(time=real["time"] * -1)
        with pytest.raises(InvalidDataError, match="'time' of synthetic"):
            hazard_ratio_alignment(real, bad, "time", "event")
        with pytest.raises(InvalidDataError, match="synthetic"):
            hazard_ratio_alignment(real, real.drop(columns="marker"), "time", "event")
        with pytest.raises(InvalidParameterError, match="alpha"):
            hazard_ratio_alignment(real, real, "time", "event", alpha=1.5)
        with pytest.raises(InvalidParameterError, match="categorical_columns"):
            hazard_ratio_alignment(real, real, "time", "event", categorical_columns=["nope"])
        with pytest.raises(InvalidDataError, match="covariate"):
            hazard_ratio_alignment(real[["time", "event"]], real[["time", "event"]], "time",
                                   "event")  # fmt: skip


class TestKMComparison:
    def test_identical_tables(self, real):
        result = km_comparison(real, real, "time", "event")
        assert result.overall_p_value == pytest.approx(1.0)
        assert result.tests.loc["overall", "max_abs_difference"] == 0.0
        # the area-based scores come from km_survival_scores, per stratum
        assert result.tests.loc["overall", "km_score"] == pytest.approx(1.0)
        assert result.tests.loc["overall", "optimism"] == pytest.approx(0.0)
        assert set(result.curves["source"]) == {"real", "synthetic"}
        assert result.curves["survival"].between(0, 1).all()
        assert math.isnan(result.between_strata_p_real)

    def test_stratified_curves_see_what_the_overall_curve_hides(self, real):
        # outcomes in place, treatment shuffled: the overall curve is identical, the
        # treated/untreated curves are not
        synthetic = real.copy()
        synthetic["stage"] = synthetic["stage"].sample(frac=1, random_state=0).to_numpy()
        result = km_comparison(real, synthetic, "time", "event", strata="stage")
        assert list(result.tests.index) == ["overall", "I", "II", "III"]
        assert result.overall_p_value == pytest.approx(1.0)
        assert result.tests.loc[["I", "III"], "p_value"].min() < 0.05
        assert result.between_strata_p_real < 1e-4
        assert result.between_strata_p_synthetic > result.between_strata_p_real
        summary = result.to_dict()
        assert {
            "overall_p_value", "stratum[III]_p_value", "stratum[III]_km_score",
            "stratum[I]_optimism", "between_strata_p_real",
        } <= set(summary)  # fmt: skip
        assert summary["stratum[III]_km_score"] < 1.0

    def test_strata_written_as_text_and_as_numbers_are_one_level(self, real):
        # 0/1 in the real table, "0"/"1" in the synthetic one (a CSV round trip): read as
        # feature_tables reads them, as hazard_ratio_alignment does, not silently dropped
        coded = real.assign(treated=(real["treated"] == "yes").astype(int))
        as_text = coded.assign(treated=coded["treated"].astype(str))
        result = km_comparison(coded, as_text, "time", "event", strata="treated")
        assert list(result.tests.index) == ["overall", 0, 1]
        assert result.tests.loc[1, "n_synthetic"] == (real["treated"] == "yes").sum()
        assert result.notes == ()
        assert "stratum[1]_p_value" in result.to_dict()

    def test_strata_read_as_numbers_are_labelled_as_written(self, real):
        # "0"/"1" in the real table and 0/1 in the synthetic one are read as 0.0/1.0
        as_text = real.assign(treated=(real["treated"] == "yes").astype(int).astype(str))
        coded = as_text.assign(treated=as_text["treated"].astype(int))
        result = km_comparison(as_text, coded, "time", "event", strata="treated")
        assert list(result.tests.index) == ["overall", "0", "1"]
        assert "stratum[1]_p_value" in result.to_dict()

    def test_strata_in_one_table_only_are_named(self, real):
        renamed = real.assign(treated=real["treated"].replace("yes", "YES"))
        result = km_comparison(real, renamed, "time", "event", strata="treated")
        assert list(result.tests.index) == ["overall", "no"]
        n_yes = int((real["treated"] == "yes").sum())
        assert any(
            "'yes'" in note and f"{n_yes} real, 0 synthetic" in note for note in result.notes
        )
        assert any("'YES'" in note and f"{n_yes} row(s)" in note for note in result.notes)
        # the synthetic rows outside the real strata are no stratum: one stratum, no test
        assert result.between_strata_p_real < 0.05
        assert math.isnan(result.between_strata_p_synthetic)

    def test_numeric_strata_are_binned(self, real):
        result = km_comparison(real, real, "time", "event", strata="age", n_bins=3)
        assert len(result.tests) == 4
        assert result.tests["n_real"].iloc[1:].sum() == len(real)
        assert (result.tests["p_value"] > 0.99).all()

    def test_errors(self, real):
        with pytest.raises(InvalidParameterError, match="strata"):
            km_comparison(real, real, "time", "event", strata="nope")
        with pytest.raises(InvalidParameterError, match="n_bins"):
            km_comparison(real, real, "time", "event", strata="age", n_bins=1)


class TestSurvivalAugmentation:
    @pytest.fixture(scope="class")
    def split(self, real):
        return real.iloc[:400].reset_index(drop=True), real.iloc[400:].reset_index(drop=True)

    def test_two_seeds_both_models(self, split):
        train, holdout = split
        synthetic = simulate_cox(n=300, seed=7)
        result = survival_augmentation(
            train, holdout, synthetic, "time", "event", seeds=2, rsf_params={"n_estimators": 15}
        )
        assert list(result.summary.index) == ["cox", "rsf"]
        assert len(result.per_seed) == 4
        for column in ("c_index_real", "c_index_augmented", "ibs_real", "ibs_augmented"):
            assert result.per_seed[column].between(0, 1).all()
        assert result.summary["c_index_real"].between(0.6, 0.9).all()
        cox = result.summary.loc["cox"]
        assert cox["c_index_real_ci_low"] == pytest.approx(cox["c_index_real_ci_high"])
        deltas = result.per_seed["c_index_augmented"] - result.per_seed["c_index_real"]
        assert result.score == pytest.approx(deltas.groupby(result.per_seed["model"]).mean().mean())
        summary = result.to_dict()
        assert {"score", "cox_c_index_delta", "rsf_ibs_augmented_ci_high", "seeds"} <= set(summary)
        assert result.times.min() >= holdout["time"].min()

    def test_data_from_the_same_process_do_not_hurt(self, split):
        train, holdout = split
        result = survival_augmentation(
            train, holdout, simulate_cox(n=400, seed=8), "time", "event", models=("cox",),
            seeds=2, c_index="uno",
        )  # fmt: skip
        assert result.summary.loc["cox", "c_index_delta"] > -0.02

    def test_one_synthetic_table_per_seed_and_subsampling(self, split):
        train, holdout = split
        frames = [simulate_cox(n=200, seed=s) for s in (10, 11)]
        result = survival_augmentation(
            train, holdout, frames, "time", "event", models=("cox",), seeds=2, synthetic_size=50
        )
        assert (result.per_seed["n_synthetic"] == 50).all()
        assert result.per_seed["c_index_augmented"].nunique() == 2

    def test_errors(self, split):
        train, holdout = split
        synthetic = simulate_cox(n=100, seed=3)
        with pytest.raises(InvalidParameterError, match="models"):
            survival_augmentation(train, holdout, synthetic, "time", "event", models=("svm",))
        with pytest.raises(InvalidParameterError, match="seeds"):
            survival_augmentation(train, holdout, synthetic, "time", "event", seeds=0)
        with pytest.raises(InvalidDataError, match="seeds=2"):
            survival_augmentation(train, holdout, [synthetic] * 3, "time", "event", seeds=2)
        with pytest.raises(InvalidDataError, match="synthetic"):
            survival_augmentation(train, holdout, synthetic.assign(event=5), "time", "event")
        # a holdout followed up longer than the training rows: the message says why rows
        # are missing from the count
        late = holdout.assign(time=holdout["time"] + train["time"].max())
        with pytest.raises(InvalidDataError, match=r"0 usable row.*beyond the training follow"):
            survival_augmentation(train, late, synthetic, "time", "event", models=("cox",))


class TestPlots:
    def test_plot_km_and_forest(self, real, tmp_path):
        from matplotlib.figure import Figure

        from synth_plugins.metrics.survival_plots import plot_hazard_ratios, plot_km

        comparison = km_comparison(real, simulate_cox(seed=4), "time", "event", strata="stage")
        figure = plot_km(comparison)
        assert isinstance(figure, Figure)
        assert sum(ax.get_visible() for ax in figure.axes) == 4
        figure.savefig(tmp_path / "km.png")
        assert (tmp_path / "km.png").stat().st_size > 0
        only = plot_km(comparison, strata=["overall"], show_ci=False)
        assert len(only.axes) == 1
        with pytest.raises(InvalidParameterError, match="strata"):
            plot_km(comparison, strata=["IV"])

        alignment = hazard_ratio_alignment(real, simulate_cox(seed=5), "time", "event")
        forest = plot_hazard_ratios(alignment)
        assert isinstance(forest, Figure)
        labels = [t.get_text().rstrip(" *") for t in forest.axes[0].get_yticklabels()]
        assert sorted(labels) == sorted(alignment.table.index)
        forest.savefig(tmp_path / "hr.png")
        with pytest.raises(InvalidParameterError, match="show_ci"):
            plot_km(comparison, show_ci="no")
        with pytest.raises(InvalidParameterError, match="log_scale"):
            plot_hazard_ratios(alignment, log_scale="no")


class TestDocsWorkedExample:
    def test_hazard_ratio_and_km_figures_match_docs(self):
        from synth_plugins.datasets import load

        gbsg2 = load("gbsg2").data
        real_train = gbsg2.sample(frac=0.8, random_state=0)
        synthetic = real_train.copy()
        synthetic["horTh"] = synthetic["horTh"].sample(frac=1, random_state=1).to_numpy()
        hr = hazard_ratio_alignment(real_train, synthetic, "time", "cens").to_dict()
        assert round(hr["mean_abs_log_hr_error"], 3) == 0.069
        assert (round(hr["sign_agreement"], 3), hr["sign_agreement_significant"]) == (0.889, 0.75)
        assert (round(hr["significance_agreement"], 3), hr["ci_overlap"]) == (0.778, 1.0)
        km = km_comparison(real_train, synthetic, "time", "cens", strata="horTh")
        assert km.tests["p_value"].round(3).tolist() == [1.0, 0.174, 0.062]
        assert round(km.between_strata_p_real, 4) == 0.0097
        assert round(km.between_strata_p_synthetic, 3) == 0.546

"""effect_agreement: odds ratios by logistic regression, hazard ratios by the suite's Cox."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth_plugins import catalog
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics import effect_agreement
from synth_plugins.survival import fit_cox


def _binary(sign_x: float, seed: int, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=n), rng.normal(size=n)
    group = rng.choice(["a", "b"], n)
    logit = sign_x * 1.5 * x - 1.0 * z + 0.8 * (group == "b")
    return pd.DataFrame(
        {"x": x, "z": z, "group": group, "remission": (logit + rng.logistic(size=n) > 0) * 1}
    )


def test_odds_ratios_agree_on_a_fresh_sample_and_flag_a_flipped_effect() -> None:
    import statsmodels.api as sm

    real = _binary(+1, 0)
    same = effect_agreement(real, _binary(+1, 1), target_column="remission")
    assert same.effect == "odds_ratio"
    assert same.direction_agreement == 1.0 and same.score > 0.8
    flipped = effect_agreement(real, _binary(-1, 1), target_column="remission")
    table = flipped.table.set_index("term")
    assert list(table.index) == ["x", "z", "group[b]"]
    assert not table.loc["x", "direction_agree"] and not table.loc["x", "ci_overlap"]
    assert table.loc["z", "direction_agree"] and table.loc["group[b]", "direction_agree"]
    assert flipped.direction_agreement == pytest.approx(2 / 3)
    assert flipped.score < same.score
    # the real odds ratio of x is statsmodels' univariable estimate
    fit = sm.Logit(real["remission"], sm.add_constant(real[["x"]])).fit(disp=0)
    assert table.loc["x", "estimate_real"] == pytest.approx(fit.params["x"])
    assert table.loc["x", "ratio_real"] == pytest.approx(np.exp(fit.params["x"]))
    assert catalog.metric("effect_agreement").direction == "maximize"


def test_multivariable_option_adds_its_shares() -> None:
    real = _binary(+1, 0)
    result = effect_agreement(real, real, target_column="remission", multivariable=True)
    assert result.to_dict()["multivariable_direction_agreement"] == 1.0
    assert (result.table["model"] == "multivariable").sum() == 3
    assert result.score == 1.0


def _survival(sign_x: float, seed: int, n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=n), rng.normal(size=n)
    hazard = np.exp(sign_x * 0.8 * x + 0.5 * z)
    time = rng.exponential(1 / hazard)
    censor = rng.exponential(2.0, n)
    return pd.DataFrame(
        {"x": x, "z": z, "time": np.minimum(time, censor) + 1e-3, "event": (time <= censor) * 1}
    )


def test_hazard_ratios_reuse_the_suite_cox_and_flag_a_flipped_effect() -> None:
    real = _survival(+1, 0)
    result = effect_agreement(real, _survival(-1, 1), duration_column="time", event_column="event")
    assert result.effect == "hazard_ratio"
    table = result.table.set_index("term")
    assert not table.loc["x", "direction_agree"]
    assert table.loc["z", "direction_agree"]
    cox = fit_cox(real[["x"]], real["time"].to_numpy(), real["event"].to_numpy()).fitter
    assert table.loc["x", "estimate_real"] == pytest.approx(cox.params_["x"])


def test_a_synthetic_term_that_cannot_be_estimated_disagrees() -> None:
    real = _binary(+1, 0)
    synthetic = _binary(+1, 1).assign(group="a")  # the level b never appears
    result = effect_agreement(real, synthetic, target_column="remission")
    row = result.table.set_index("term").loc["group[b]"]
    assert np.isnan(row["estimate_synthetic"]) and not row["direction_agree"]
    assert any("not estimable on synthetic" in note for note in result.notes)
    assert np.isfinite(list(result.to_dict().values())).all()


def test_a_real_term_that_cannot_be_estimated_is_left_out_and_named() -> None:
    real = _binary(+1, 0)
    real["separator"] = real["remission"] * 2.0 + np.linspace(0.0, 0.5, len(real))
    synthetic = _binary(+1, 1).assign(separator=np.linspace(0.0, 2.5, 400))
    result = effect_agreement(real, synthetic, target_column="remission")
    assert "separator" not in set(result.table["term"])
    assert {"x", "z", "group[b]"} <= set(result.table["term"])
    assert any("separator" in note and "not estimable on real" in note for note in result.notes)
    assert np.isfinite(result.score)
    with pytest.raises(InvalidDataError, match="no univariable model can be fitted on real"):
        effect_agreement(real, synthetic, target_column="remission", covariates=["separator"])


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda f: f.assign(remission=1), "single class"),
        (lambda f: f.assign(remission=f["remission"].where(f.index > 0)), "missing"),
        (lambda f: f.assign(z=0.0), r"\['z'\].*single observed value"),
        (lambda f: f.assign(z=np.nan), r"\['z'\].*no observed value \(all missing"),
        (lambda f: f[["remission"]], "no feature column"),
        (lambda f: f.assign(remission=np.arange(len(f)) % 3), "exactly two levels"),
    ],
    ids=[
        "single-class",
        "NaN target",
        "constant column",
        "all-missing column",
        "no covariate",
        "three levels",
    ],
)
def test_bad_input_is_named(change, match) -> None:
    bad = change(_binary(+1, 0))
    with pytest.raises(InvalidDataError, match=match):
        effect_agreement(bad, bad, target_column="remission")


@pytest.mark.parametrize("booleans", [False, True], ids=["text-numbers", "text-booleans"])
def test_an_outcome_written_as_text_is_the_same_outcome(booleans) -> None:
    """An outcome "0"/"1" in one table and 0/1 (or False/True) in the other was refused as
    four levels ([0, '0', 1, '1']) where model_understanding accepted it."""
    real, synthetic = _binary(+1, 0), _binary(+1, 1)
    expected = effect_agreement(real, synthetic, target_column="remission").score
    text = real.assign(remission=real["remission"].map(str))
    other = synthetic.assign(remission=synthetic["remission"] == 1) if booleans else synthetic
    assert effect_agreement(text, other, target_column="remission").score == expected


def test_an_outcome_is_required() -> None:
    real = _binary(+1, 0)
    with pytest.raises(InvalidParameterError, match="needs an outcome"):
        effect_agreement(real, real)
    with pytest.raises(InvalidDataError, match="event_column 'death'"):
        effect_agreement(real, real, duration_column="x", event_column="death")


def test_one_outcome_per_call() -> None:
    """A binary target given with survival columns was ignored without a word (and used
    as a covariate of the hazard ratios)."""
    real = _survival(+1, 0).assign(group=lambda f: np.where(f["z"] > 0, "a", "b"))
    survival = {"duration_column": "time", "event_column": "event"}
    message = r"one outcome.*target_column='group', duration_column='time', event_column='ev"
    with pytest.raises(InvalidParameterError, match=message):
        effect_agreement(real, real, target_column="group", **survival)
    # a survival loader names its event column as the target: one outcome, hazard ratios
    same = effect_agreement(real, real, target_column="event", **survival)
    assert same.effect == "hazard_ratio"
    assert same.score == effect_agreement(real, real, **survival).score


@pytest.mark.parametrize("penalizer", [-1.0, float("nan"), "0.1"])
def test_a_bad_penalizer_is_refused(penalizer) -> None:
    """A negative or NaN Cox penalizer was used without a word."""
    real = _survival(+1, 0)
    with pytest.raises(InvalidParameterError, match="penalizer"):
        effect_agreement(
            real, real, duration_column="time", event_column="event", penalizer=penalizer
        )


def test_each_model_uses_the_rows_that_have_its_own_covariates() -> None:
    """A univariable model keeps the rows missing only another covariate; the
    multivariable one leaves them out, and a level met only there is none of its terms."""
    real = _binary(+1, 0)
    incomplete = real.index[:20]
    real.loc[incomplete, "x"] = np.nan
    real["group"] = real["group"].astype(object)
    real.loc[incomplete, "group"] = "c"
    result = effect_agreement(real, _binary(+1, 1), target_column="remission", multivariable=True)
    table = result.table
    uni = table[table["model"] == "univariable"]
    multi = table[table["model"] == "multivariable"]
    assert list(uni["term"]) == ["x", "z", "group[b]", "group[c]"]
    assert list(multi["term"]) == ["x", "z", "group[b]"]
    assert np.isfinite(result.score)
    import statsmodels.api as sm

    z_fit = sm.Logit(real["remission"], sm.add_constant(real[["z"]])).fit(disp=0)  # all rows
    assert uni.set_index("term").loc["z", "estimate_real"] == pytest.approx(z_fit.params["z"])
    alternating = _binary(+1, 0)
    alternating.loc[alternating.index[::2], "x"] = np.nan
    alternating.loc[alternating.index[1::2], "z"] = np.nan
    both = effect_agreement(alternating, alternating, target_column="remission", multivariable=True)
    assert both.score == 1.0
    assert (both.table["model"] == "multivariable").sum() == 0
    assert "multivariable model: no real row has every covariate, left out" in both.notes


def test_a_synthetic_column_with_no_value_costs_only_its_own_terms() -> None:
    real, synthetic = _binary(+1, 0), _binary(+1, 1)
    full = effect_agreement(real, synthetic, target_column="remission")
    blank = synthetic.assign(z=np.nan)
    result = effect_agreement(real, blank, target_column="remission")
    rows = result.table.set_index("term")
    kept = full.table.set_index("term")
    for term in ("x", "group[b]"):
        assert rows.loc[term, "estimate_synthetic"] == kept.loc[term, "estimate_synthetic"]
    assert np.isnan(rows.loc["z", "estimate_synthetic"])
    assert not rows.loc["z", ["direction_agree", "significance_agree", "ci_overlap"]].any()
    assert any(
        note.startswith("univariable model of z: 400 synthetic row(s)") for note in result.notes
    )


def test_a_numerically_zero_real_effect_has_no_direction_in_any_row_order() -> None:
    """In the bad-input kit's heart_failure inputs the univariable log odds ratio of
    anaemia is 0 up to rounding, -7e-17 in one row order and +4e-17 in another; its sign
    must not decide the agreement (direction agreement moved 0.889 -> 0.861 before)."""
    from synth_plugins.testing import metric_matrix

    inputs = metric_matrix.base_inputs(catalog.metric("effect_agreement"))
    shuffled = inputs.real.sample(frac=1.0, random_state=5).reset_index(drop=True)
    first = effect_agreement(inputs.real, inputs.synthetic, target_column="DEATH_EVENT")
    second = effect_agreement(shuffled, inputs.synthetic, target_column="DEATH_EVENT")
    assert second.direction_agreement == first.direction_agreement
    for result in (first, second):
        row = result.table.set_index("term").loc["anaemia[1]"]
        assert abs(row["estimate_real"]) < 1e-12 < abs(row["estimate_synthetic"])
        assert not row["direction_agree"]


@pytest.mark.parametrize("outcome", ["survival", "binary"])
def test_a_table_without_the_reference_level_says_so(outcome: str) -> None:
    """With no synthetic grade-I row, the grade II and III indicators sum to 1 on every row
    (the baseline again): the penalty alone chose their estimates (SE 0.83) and a false
    direction disagreement was scored without a note."""
    from synth_plugins.datasets import load

    data = load("gbsg2").data
    real = data.sample(frac=0.8, random_state=0).reset_index(drop=True)
    synthetic = data.sample(400, random_state=3).reset_index(drop=True)
    synthetic["tgrade"] = synthetic["tgrade"].astype(object).replace("I", "II")
    columns = ["tgrade", "age", "time", "cens"]
    kwargs = (
        {"duration_column": "time", "event_column": "cens"}
        if outcome == "survival"
        else {"target_column": "cens"}
    )
    if outcome == "binary":
        columns.remove("time")
    result = effect_agreement(real[columns], synthetic[columns], **kwargs)
    assert any("no row has the reference level 'I' of 'tgrade'" in n for n in result.notes)
    grade = result.table[result.table["covariate"] == "tgrade"]
    assert grade["estimate_synthetic"].isna().all() and not grade["direction_agree"].any()

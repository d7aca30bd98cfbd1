"""table_one: the AML Table 1 tests, chosen as specified, with scipy's p-values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from synth_plugins import catalog
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics import table_one


def _frames(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n, m = 120, 100

    def draw(size: int, shift: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "age": rng.normal(60 + shift, 10, size),  # normal -> Welch t-test
                "crp": rng.lognormal(1.0 + shift / 10, 1.0, size),  # skewed -> Mann-Whitney U
                "sex": rng.choice(["f", "m"], size),  # 2 x 2, large counts -> chi-square
                "rare": rng.choice(["no", "yes"], size, p=[0.97, 0.03]),  # 2 x 2 -> Fisher
                "stage": rng.choice(["I", "II", "III"], size, p=[0.48, 0.48, 0.04]),  # r x c
            }
        )

    return draw(n, 0.0), draw(m, 5.0)


def test_tests_are_chosen_as_specified_and_match_scipy() -> None:
    real, synthetic = _frames()
    result = table_one(real, synthetic)
    tests = result.tests
    assert tests["test"].to_dict() == {
        "age": "Welch t-test",
        "crp": "Mann-Whitney U",
        "sex": "Chi-square",
        "rare": "Fisher's exact",
        "stage": "Fisher's exact (MC)",
    }
    assert bool(tests.loc["age", "normal"]) and not bool(tests.loc["crp", "normal"])
    assert tests.loc["age", "shapiro_p_real"] == pytest.approx(stats.shapiro(real["age"]).pvalue)
    welch = stats.ttest_ind(real["age"], synthetic["age"], equal_var=False)
    assert tests.loc["age", "p_value"] == pytest.approx(welch.pvalue)
    mwu = stats.mannwhitneyu(real["crp"], synthetic["crp"], alternative="two-sided")
    assert tests.loc["crp", "p_value"] == pytest.approx(mwu.pvalue)

    def counts(column: str) -> np.ndarray:
        return pd.crosstab(
            np.r_[["real"] * len(real), ["syn"] * len(synthetic)],
            pd.concat([real[column], synthetic[column]]).to_numpy(),
        ).to_numpy()

    chi2 = stats.chi2_contingency(counts("sex"))  # Yates' correction for 2 x 2
    assert tests.loc["sex", "p_value"] == pytest.approx(chi2.pvalue)
    fisher = stats.fisher_exact(counts("rare"))
    assert tests.loc["rare", "p_value"] == pytest.approx(fisher.pvalue)
    assert 0.0 <= tests.loc["stage", "p_value"] <= 1.0
    # the synthetic cohort is 5 years older: age must differ, and the headline counts it
    assert bool(tests.loc["age", "significant"])
    assert result.score == pytest.approx(1 - tests["significant"].mean())
    assert catalog.metric("table_one").direction == "maximize"


def test_identical_cohorts_score_one_and_render() -> None:
    real, _ = _frames(1)
    real.loc[0, "age"] = np.nan
    result = table_one(real, real.copy())
    assert result.score == 1.0
    assert result.to_dict()["n_variables"] == 5.0
    markdown = result.to_markdown()
    assert "| Variable | Real (n = 120) | Synthetic (n = 120) | Test | p-value |" in markdown
    assert "age, mean (SD)" in markdown and "crp, median [Q1, Q3]" in markdown
    assert "sex, n (%)" in markdown and "missing" in markdown
    html = result.to_html()
    assert html.startswith('<table class="table-one">') and "<th>p-value</th>" in html
    female = result.rows[(result.rows["variable"] == "sex") & (result.rows["level"] == "f")]
    share = (real["sex"] == "f").mean() * 100
    assert female["real"].iloc[0] == f"{(real['sex'] == 'f').sum()} ({share:.1f}%)"


def test_bad_input_is_named() -> None:
    real, synthetic = _frames()
    with pytest.raises(InvalidDataError, match=r"\['sex'\].*single observed value"):
        table_one(real.assign(sex="f"), synthetic)
    with pytest.raises(InvalidDataError, match=r"\['age'\].*single observed value"):
        table_one(real.assign(age=[1.0] + [np.nan] * 119), synthetic)
    with pytest.raises(InvalidDataError, match=r"\['age'\].*no observed value \(all missing"):
        table_one(real.assign(age=np.nan), synthetic)
    with pytest.raises(InvalidDataError, match="same columns"):
        table_one(real, synthetic.drop(columns="age"))
    with pytest.raises(InvalidParameterError, match="alpha"):
        table_one(real, synthetic, alpha=1.5)
    with pytest.raises(InvalidParameterError, match="unknown"):
        table_one(real, synthetic, columns=["weight"])


def test_a_collapsed_or_emptied_synthetic_variable_counts_as_different() -> None:
    """Numeric columns set to the real median scored 1.0 (Shapiro-Wilk is NaN on a constant
    sample, which went to Mann-Whitney U, a test of location); a synthetic column with 2
    observed values stopped the metric, so Synthcity dropped its row."""
    real, _ = _frames()
    synthetic = real.assign(age=real["age"].median(), crp=real["crp"].median())
    result = table_one(real, synthetic)
    assert result.tests.loc[["age", "crp"], "significant"].all()
    assert result.tests.loc[["age", "crp"], "test"].eq("not testable").all()
    assert result.score == pytest.approx(3 / 5)
    assert result.to_dict()["min_p_value"] == 0.0
    assert any("'age'" in note and "single value" in note for note in result.notes)
    assert "not testable" in result.to_markdown()

    sparse = real.assign(age=[1.0, 2.0] + [np.nan] * 118, sex=np.nan)
    result = table_one(real, sparse)
    assert result.tests.loc[["age", "sex"], "significant"].all()
    assert result.score == pytest.approx(3 / 5)
    assert any("'age'" in note and "2 observed value(s)" in note for note in result.notes)
    assert any("'sex'" in note and "no observed value" in note for note in result.notes)


def test_dates_are_summarised_as_dates() -> None:
    """A datetime64 column printed as days since 1970 ("16557.00 [16513.50, 16642.50]")."""
    rng = np.random.default_rng(5)
    start = pd.Timestamp("2015-01-01")

    def frame(n: int) -> pd.DataFrame:
        days = pd.to_timedelta(rng.integers(0, 200, n), unit="D")
        return pd.DataFrame({"admission": start + days, "sex": rng.choice(["f", "m"], n)})

    real, synthetic = frame(80), frame(90)
    result = table_one(real, synthetic)
    row = result.rows.iloc[0]
    median = real["admission"].sort_values().iloc[[39, 40]]
    assert row["real"].startswith(str(median.mean().round("D").date())) or row["real"].startswith(
        str(median.iloc[0].date())
    )
    assert row["real"].count("2015-") == 3 and row["synthetic"].count("2015-") == 3
    assert result.tests.loc["admission", "kind"] == "numeric"


def test_zoned_dates_are_summarised_on_their_own_clock() -> None:
    """Europe/Paris dates printed on the UTC clock and truncated to the minute: daily
    midnights showed a mean of "2020-01-20 10:59" (the 12:00 mean an hour early, less a
    nanosecond), and daily 08:00 readings 07:00 UTC."""
    rng = np.random.default_rng(3)

    def pair(dates: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
        x = rng.normal(size=len(dates))
        shuffled = dates.sample(frac=1, random_state=1).reset_index(drop=True)
        return pd.DataFrame({"at": dates, "x": x}), pd.DataFrame({"at": shuffled, "x": x})

    # local midnights across the spring change of clocks: whole days, printed as dates
    midnights = pd.Series(pd.date_range("2020-03-10", periods=41, freq="D", tz="Europe/Paris"))
    row = table_one(*pair(midnights)).rows.iloc[0]
    assert row["real"].startswith("2020-03-30 (")
    # 08:00 on the column's clock, no change of clocks: the mean is 08:00 on day 21
    mornings = pd.Series(pd.date_range("2020-01-01 08:00", periods=41, freq="D", tz="Europe/Paris"))
    row = table_one(*pair(mornings)).rows.iloc[0]
    assert row["real"].startswith("2020-01-21 08:00 ")


def test_a_numeric_real_variable_with_two_observed_values_is_refused() -> None:
    """Declared numeric (``categorical_columns=[]``), a real column with 2 observed values
    was tested (Mann-Whitney p = 0.061) instead of refused as before."""
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"lab": [1.5, 2.7] + [np.nan] * 8, "x": rng.normal(size=10)})
    synthetic = pd.DataFrame({"lab": rng.normal(size=10), "x": rng.normal(size=10)})
    with pytest.raises(InvalidDataError, match=r"'lab' of real has 2 observed value\(s\)"):
        table_one(real, synthetic, categorical_columns=[])


def test_a_repeated_column_is_refused_by_name() -> None:
    """columns=["age", "age"] ended in pandas' "truth value of a Series is ambiguous"."""
    real, synthetic = _frames()
    with pytest.raises(InvalidParameterError, match=r"columns repeats a name: \['age', 'age'\]"):
        table_one(real, synthetic, columns=["age", "age"])


def test_levels_are_shown_as_the_data_write_them() -> None:
    """Text numbers ("0"/"1") against numbers are read as floats to be one value; the
    display showed the levels as "0.0" and "1.0"."""
    real = pd.DataFrame({"sex": ["0", "1", "1", "0", "1"] * 20})
    synthetic = pd.DataFrame({"sex": [0, 1, 1, 1, 1] * 20})
    rows = table_one(real, synthetic).rows
    assert rows["level"].tolist() == ["", "0", "1"]
    halves = pd.DataFrame({"dose": [0.5, 1.0, 1.5] * 10})
    rows = table_one(halves, halves, categorical_columns=["dose"]).rows
    assert rows["level"].tolist() == ["", "0.5", "1", "1.5"]

"""model_understanding: RF real vs synthetic, Dummy baseline, SHAP order and direction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth_plugins import catalog
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics import model_understanding
from synth_plugins.metrics.validation import MAX_CLASS_LEVELS


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five features with clearly ordered effects (a > b > c > d, e none; b negative)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 5))
    logit = 3 * x[:, 0] - 2 * x[:, 1] + 1 * x[:, 2] + 0.5 * x[:, 3]
    frame = pd.DataFrame(x, columns=list("abcde"))
    frame["y"] = (logit + rng.logistic(size=600) > 0).astype(int)
    return frame.iloc[:400].reset_index(drop=True), frame.iloc[400:].reset_index(drop=True)


def test_a_copy_understands_the_data_exactly(tables) -> None:
    train, holdout = tables
    result = model_understanding(train, holdout, train.copy(), "y")
    assert result.importance_method == "shap"
    assert result.kendall_tau == pytest.approx(1.0)
    assert result.top_k_order_match and result.top_k_overlap == 1.0
    assert result.direction_agreement == 1.0
    assert result.score == pytest.approx(1.0)
    assert result.accuracy_synthetic == result.accuracy_real > result.accuracy_dummy + 0.2
    assert result.importance["rank_real"].idxmin() == "a"
    assert result.importance.loc["b", "direction_real"] == -1
    assert result.importance.loc["a", "direction_real"] == 1
    assert result.confusion_real.to_numpy().sum() == len(holdout)
    pd.testing.assert_frame_equal(result.confusion_real, result.confusion_synthetic)
    assert set(result.to_dict()) >= {"score", "accuracy_dummy", "kendall_tau"}
    assert catalog.metric("model_understanding").direction == "maximize"


def test_independently_shuffled_features_lose_the_understanding(tables) -> None:
    train, holdout = tables
    rng = np.random.default_rng(1)
    shuffled = train.copy()
    for column in "abcde":
        shuffled[column] = rng.permutation(shuffled[column].to_numpy())
    result = model_understanding(train, holdout, shuffled, "y")
    assert result.kendall_tau < 0.5
    assert not result.top_k_order_match
    assert result.accuracy_synthetic < result.accuracy_real - 0.2
    assert result.score < 0.75


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_structure_scores_near_the_null_not_two_thirds(tables, seed) -> None:
    """Features shuffled independently scored ~0.67 (accuracy part acc_syn / acc_real gave
    a majority-class model dummy / real, and (tau + 1) / 2 ~0.68 because importances favour
    features with many values); the accuracy and order parts now start at the Dummy and at
    structure-less models, so only the chance share of directions (~0.5) remains."""
    train, holdout = tables
    rng = np.random.default_rng(seed)
    shuffled = train.assign(**{c: rng.permutation(train[c].to_numpy()) for c in "abcde"})
    result = model_understanding(train, holdout, shuffled, "y")
    assert result.accuracy_gain < 0.3
    assert result.order_agreement < 0.3
    assert result.score < 0.45
    assert result.kendall_tau_null < 1.0


def test_the_accuracy_gain_is_measured_above_the_dummy(tables) -> None:
    """A synthetic model that predicts the majority class earns 0, not dummy / real."""
    train, holdout = tables
    majority = train.assign(y=int(train["y"].mode()[0]))
    majority.loc[0, "y"] = 1 - majority.loc[0, "y"]  # two classes, one row of the minority
    result = model_understanding(train, holdout, majority, "y")
    assert result.accuracy_synthetic == pytest.approx(result.accuracy_dummy, abs=0.01)
    assert result.accuracy_gain == pytest.approx(0.0, abs=0.03)


def test_permutation_importance_and_fallback_are_stated(tables) -> None:
    from sklearn.linear_model import LogisticRegression

    train, holdout = tables
    permuted = model_understanding(train, holdout, train, "y", importance="permutation")
    assert permuted.importance_method == "permutation"
    assert permuted.kendall_tau == pytest.approx(1.0)
    linear = model_understanding(train, holdout, train, "y", classifier=LogisticRegression())
    assert linear.importance_method == "permutation"
    assert any("instead of SHAP" in note for note in linear.notes)
    assert linear.importance.loc["b", "direction_real"] == -1


def test_a_binary_model_with_one_shap_output_is_explained(tables) -> None:
    """Gradient boosting's SHAP values of a binary model are one margin, that of
    ``classes_[1]`` (a 2-D array): it gives the directions (an IndexError before)."""
    from sklearn.ensemble import GradientBoostingClassifier

    train, holdout = tables
    boosted = GradientBoostingClassifier(n_estimators=20, random_state=0)
    result = model_understanding(train.iloc[:150], holdout, train, "y", classifier=boosted)
    assert result.importance_method == "shap"
    assert result.importance.loc["a", "direction_real"] == 1
    assert result.importance.loc["b", "direction_real"] == -1
    assert result.importance["importance_real"].idxmax() == "a"
    # the labels swapped: the margin is the new positive class's, so a now lowers it
    flipped = {0: 1, 1: 0}
    labels = {n: t.assign(y=t["y"].map(flipped)) for n, t in (("train", train), ("hold", holdout))}
    other = model_understanding(
        labels["train"].iloc[:150], labels["hold"], labels["train"], "y", classifier=boosted
    )
    assert other.positive_class == 1
    assert other.importance.loc["a", "direction_real"] == -1


@pytest.mark.parametrize("importance", ["shap", "permutation"])
def test_a_synthetic_model_without_the_positive_class_has_no_direction(importance) -> None:
    """A generator that lost the positive class: the synthetic model's directions are 0
    and all disagree (noted), never another class's SHAP values or probabilities (class 1
    stood in: 0.5 of the directions agreed, score 0.73 instead of 0.56)."""
    from synth_plugins.sdmetrics import ModelUnderstanding

    def table(n: int, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        a, b = rng.normal(size=n), rng.normal(size=n)
        y = np.where(b > 0.8, 2, (a > 0).astype(int))  # class 2, the positive, depends on b
        return pd.DataFrame({"a": a, "b": b, "y": y})

    real, holdout, synthetic = table(400, 1), table(400, 2), table(400, 3)
    lost = synthetic[synthetic["y"] < 2]
    result = model_understanding(real, holdout, lost, "y", importance=importance)
    assert result.positive_class == 2
    assert (result.importance["direction_synthetic"] == 0).all()
    assert not result.importance["direction_agree"].any()
    assert result.direction_agreement == 0.0
    assert any("positive class 2" in note for note in result.notes)
    faithful = model_understanding(real, holdout, synthetic, "y", importance=importance)
    assert not any("positive class" in note for note in faithful.notes)
    adapter = ModelUnderstanding.compute(
        real, lost, holdout_data=holdout, target_column="y", importance=importance
    )
    assert adapter == pytest.approx(result.score)


def test_categorical_features_and_text_labels() -> None:
    rng = np.random.default_rng(2)
    group = rng.choice(["x", "y", "z"], 300)
    label = np.where((group == "x") ^ (rng.random(300) < 0.1), "yes", "no")
    frame = pd.DataFrame({"group": group, "noise": rng.normal(size=300), "label": label})
    result = model_understanding(
        frame[:200], frame[200:].reset_index(drop=True), frame[:200], "label"
    )
    assert result.positive_class == "yes"
    assert list(result.confusion_real.index) == ["no", "yes"]
    assert result.importance["rank_real"].idxmin() == "group"


def test_an_ordered_categorical_is_coded_in_its_category_order() -> None:
    """actg320's ``karnof`` ('70' < '80' < '90' < '100') was coded by text sort ('100'
    first), so the same values stored as numbers in the synthetic table scored otherwise."""
    rng = np.random.default_rng(3)
    n = 450
    karnof = rng.choice([70, 80, 90, 100], n)
    noise = rng.normal(size=n)
    died = ((100 - karnof) / 10 + noise + rng.logistic(size=n) > 1.5).astype(int)
    order = pd.CategoricalDtype(["70", "80", "90", "100"], ordered=True)
    frame = pd.DataFrame({"karnof": karnof.astype(str), "noise": noise, "died": died})
    frame["karnof"] = frame["karnof"].astype(order)
    real, holdout = frame[:300], frame[300:].reset_index(drop=True)
    synthetic = frame[:300].sample(frac=1.0, replace=True, random_state=4).reset_index(drop=True)
    as_numbers = synthetic.assign(karnof=synthetic["karnof"].astype(int))
    coded = model_understanding(real, holdout, synthetic, "died", importance="permutation")
    numbers = model_understanding(real, holdout, as_numbers, "died", importance="permutation")
    assert coded.importance.loc["karnof", "direction_real"] == -1
    assert coded.score == numbers.score


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda f: f.assign(y=0), InvalidDataError, "single class"),
        (lambda f: f.assign(y=f["y"].where(f.index > 0)), InvalidDataError, "missing"),
        (lambda f: f.assign(e=1.0), InvalidDataError, r"\['e'\].*single observed value"),
        (lambda f: f[["y"]], InvalidDataError, "no feature column"),
        (lambda f: f.assign(y=f["e"] + 0.5), InvalidDataError, "continuous numbers"),
    ],
    ids=[
        "single-class target",
        "NaN in target",
        "constant column",
        "no feature column",
        "continuous target",
    ],
)
def test_bad_input_is_named(tables, change, error, match) -> None:
    train, holdout = tables
    bad = change(train)
    with pytest.raises(error, match=match):
        model_understanding(bad, holdout[bad.columns], bad, "y")


def test_whole_numbers_with_many_levels_are_a_quantity_not_classes(tables) -> None:
    """A follow-up time in days (79 whole-number levels in heart failure) was read as 79
    classes and scored 0.879 with every accuracy near 0.01; more than MAX_CLASS_LEVELS
    numbers are refused, as TabSynDex's task="auto" regresses on them."""
    days = [f.assign(y=(f["a"] * 10).round().abs()) for f in tables]
    assert days[0]["y"].nunique() > MAX_CLASS_LEVELS
    with pytest.raises(InvalidDataError, match=r"target column 'y' of real .* distinct values"):
        model_understanding(days[0], days[1], days[0], "y")
    few = [f.assign(y=f["y"].clip(upper=MAX_CLASS_LEVELS - 1)) for f in days]
    assert few[0]["y"].nunique() == MAX_CLASS_LEVELS
    model_understanding(few[0], few[1], few[0], "y")


def test_bad_arguments(tables) -> None:
    train, holdout = tables
    with pytest.raises(InvalidParameterError, match="target_column"):
        model_understanding(train, holdout, train, "outcome")
    with pytest.raises(InvalidParameterError, match="importance"):
        model_understanding(train, holdout, train, "y", importance="gain")
    with pytest.raises(InvalidDataError, match="single class"):
        model_understanding(train, holdout, train.assign(y=1), "y")


@pytest.mark.parametrize("name", ["SVC()", "LinearRegression()", "'rf'"])
def test_a_classifier_it_cannot_use_is_refused_by_name(tables, name) -> None:
    """SVC() (no predict_proba), a regressor or a name ended in raw scikit-learn errors."""
    from sklearn.linear_model import LinearRegression
    from sklearn.svm import SVC

    classifier = {"SVC()": SVC(), "LinearRegression()": LinearRegression(), "'rf'": "rf"}[name]
    train, holdout = tables
    with pytest.raises(InvalidParameterError, match=r"classifier must be None .*predict_proba"):
        model_understanding(train, holdout, train, "y", classifier=classifier)


def test_uncorrelated_ranks_have_no_direction_however_many_rows() -> None:
    """The importance directions took ``np.sign`` of the rank correlation: exactly
    uncorrelated ranks (x against x**2 on a symmetric range) gave +1 at 6,000,001 rows,
    the rounding of the correlating sums. They now follow the metrics' one sign rule
    (``directions.direction``): zero up to rounding is no direction."""
    from synth_plugins.metrics.clinical._features import spearman_sign

    x = np.arange(-3_000_000, 3_000_001, dtype=float)
    x = x[np.random.default_rng(0).permutation(x.size)]
    assert spearman_sign(x, x**2) == 0
    assert spearman_sign(x, x) == 1 and spearman_sign(x, -x) == -1
    assert spearman_sign(x[:5], np.ones(5)) == 0


def test_the_structure_less_models_are_explained_cheaply(tables, monkeypatch) -> None:
    """Each of the 5 structure-less models had a full forest and a full SHAP pass over the
    holdout: the metric became 3.2-3.6 times slower (pima 1.0 -> 3.6 s). They now grow at
    most NULL_TREES trees and are explained on NULL_ROWS seeded holdout rows."""
    import importlib

    module = importlib.import_module("synth_plugins.metrics.clinical.model_understanding")
    train, holdout = tables
    seen: list[tuple[int, int]] = []
    explain = module._shap_explanation

    def recording(model, x_test, positive):
        seen.append((len(model.estimators_), len(x_test)))
        return explain(model, x_test, positive)

    monkeypatch.setattr(module, "_shap_explanation", recording)
    model_understanding(train, holdout, train.copy(), "y")
    assert seen[:2] == [(100, len(holdout))] * 2
    assert seen[2:] == [(module.NULL_TREES, module.NULL_ROWS)] * module.NULL_DRAWS


def test_an_undefined_null_tau_is_left_out_of_the_mean() -> None:
    """A structure-less model with constant importances counted as tau 0 in the null."""
    from synth_plugins.metrics.clinical.model_understanding import _null_tau

    reference = np.array([3.0, 2.0, 1.0])
    notes: list[str] = []
    assert _null_tau(reference, [np.zeros(3), reference], notes) == pytest.approx(1.0)
    assert any("1 of 2" in note and "left out" in note for note in notes)
    notes.clear()
    assert _null_tau(reference, [np.zeros(3)], notes) == 0.0
    assert any("kendall_tau_null 0 used" in note for note in notes)

"""Anonymeter attack risks (singling out, linkability, inference) as the suite's metric."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth_plugins import catalog
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics import anonymeter_risk
from synth_plugins.metrics.attacks import ATTACKS
from synth_plugins.metrics.dispatch import evaluate_metric

#: few attacks keep every call to a second or two; the defaults are exercised by the
#: conformance kit
FAST = {"n_attacks": 60, "max_attempts": 300, "secrets": ["age", "sex"]}


def _population(n: int, seed: int) -> pd.DataFrame:
    """A mixed table whose rows are almost all unique (as patient records are)."""
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 90, n)
    return pd.DataFrame(
        {
            "age": age,
            "weight": np.round(rng.normal(60 + 0.2 * age, 12), 1),
            "creatinine": np.round(rng.lognormal(0, 0.4, n), 2),
            "sex": rng.choice(["f", "m"], n),
            "stage": rng.choice(["I", "II", "III", "IV"], n, p=[0.4, 0.3, 0.2, 0.1]),
        }
    )


def _independent_marginals(train: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Each column drawn on its own from the training column (with replacement)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({c: rng.choice(train[c].to_numpy(), len(train)) for c in train.columns})


@pytest.fixture(scope="module")
def tables():
    population = _population(360, seed=1)
    train, holdout = population.iloc[:180], population.iloc[180:].reset_index(drop=True)
    return train, holdout


@pytest.fixture(scope="module")
def copy_and_marginals(tables):
    train, holdout = tables
    copy = anonymeter_risk(train, holdout, train.copy(), **FAST)
    marginals = anonymeter_risk(train, holdout, _independent_marginals(train, 2), **FAST)
    return copy, marginals


def test_copying_the_training_rows_is_a_high_risk(copy_and_marginals):
    copy, _ = copy_and_marginals
    for attack in ("singling_out_univariate", "linkability", "inference"):
        assert copy.attacks[attack].risk > 0.8, (attack, copy.attacks[attack])
    # three-column predicates with ">=" / "<=" on numbers single out fewer rows
    assert copy.attacks["singling_out_multivariate"].risk > 0.5
    assert copy.score > 0.8


def test_a_numeric_secret_is_scored_whatever_its_sign_or_origin(tables):
    """Anonymeter 1.0 counts a guess right when |guess - secret| / guess <= 0.05, always
    for a negative guess: a copy of the training rows had inference risk 0 on a negated
    column and on a date before 1970 (days since 1970), and a window that moved with the
    calendar era. A numeric guess is now right within 5 % of the secret's training range."""
    train, holdout = tables

    def add(frame: pd.DataFrame, base: str) -> pd.DataFrame:
        born = pd.Timestamp(base) - pd.to_timedelta(frame["age"] * 365, unit="D")
        return frame.assign(born=born, negated=-frame["weight"]).drop(columns="age")

    options = {**FAST, "secrets": ["born", "negated", "weight"], "attacks": ["inference"]}
    risks = []
    for base in ("1960-01-01", "2075-01-01"):
        t, h = add(train, base), add(holdout, base)
        result = anonymeter_risk(t, h, t.copy(), **options)
        risks.append({c: a.risk for c, a in result.inference_by_secret.items()})
    assert risks[0] == risks[1]
    assert min(risks[0].values()) > 0.8, risks[0]


def test_a_copy_written_in_other_dtypes_is_the_same_copy(tables):
    """``1``, ``1.0`` and ``True`` are one value for Anonymeter as for every metric: a
    copy of the training rows with its codes as floats (or the real ones as booleans)
    keeps the risk of the copy (it fell to 0 when the values were compared as text)."""
    train, holdout = tables
    train = train.assign(smoker=(train["age"] % 3 == 0).astype(int))
    holdout = holdout.assign(smoker=(holdout["age"] % 3 == 0).astype(int))
    options = {**FAST, "secrets": ["smoker", "sex"]}
    same = anonymeter_risk(train, holdout, train.copy(), **options)
    as_floats = anonymeter_risk(
        train, holdout, train.assign(smoker=train["smoker"].astype(float)), **options
    )
    as_booleans = anonymeter_risk(
        train.assign(smoker=train["smoker"].astype(bool)), holdout, train.copy(), **options
    )
    assert same.inference_by_secret["smoker"].risk > 0.5
    for other in (as_floats, as_booleans):
        assert other.to_dict() == same.to_dict()


def test_independent_marginals_carry_little_linkage_or_multivariate_risk(copy_and_marginals):
    copy, marginals = copy_and_marginals
    for attack in ("singling_out_multivariate", "linkability"):
        assert marginals.attacks[attack].risk < 0.25, (attack, marginals.attacks[attack])
        # the intervals do not overlap: the copy is riskier beyond sampling noise
        assert copy.attacks[attack].ci_low > marginals.attacks[attack].ci_high
    assert marginals.score < copy.score


def test_result_figures_are_consistent(copy_and_marginals):
    for result in copy_and_marginals:
        assert set(result.attacks) == set(ATTACKS)
        assert result.score == max(a.risk for a in result.attacks.values())
        figures = result.to_dict()
        assert figures["score"] == result.score
        for attack, risk in result.attacks.items():
            assert 0.0 <= risk.ci_low <= risk.risk <= risk.ci_high <= 1.0
            assert figures[f"{attack}_risk"] == risk.risk
            assert risk.n_attacks == 60
        assert set(result.inference_by_secret) == {"age", "sex"}
        assert result.attacks["inference"].risk == max(
            r.risk for r in result.inference_by_secret.values()
        )
        assert all(np.isfinite(v) for v in figures.values())


def test_seeded_and_leaves_numpy_global_state_alone(tables):
    train, holdout = tables
    synthetic = _independent_marginals(train, 3)
    np.random.seed(123)  # noqa: NPY002 - the global generator is the point
    expected_draw = np.random.random()  # noqa: NPY002
    np.random.seed(123)  # noqa: NPY002 - the global generator is the point
    first = anonymeter_risk(train, holdout, synthetic, **FAST).to_dict()
    assert np.random.random() == expected_draw  # noqa: NPY002
    assert anonymeter_risk(train, holdout, synthetic, **FAST).to_dict() == first
    other = anonymeter_risk(train, holdout, synthetic, random_state=1, **FAST).to_dict()
    assert other != first


def test_an_attacks_figures_do_not_depend_on_the_others_run_with_it(tables):
    """Every attack drew from one stream, so the linkability and inference figures changed
    with the attacks and secrets run before them; each now has a stream of its own."""
    train, holdout = tables
    synthetic = _independent_marginals(train, 3)
    options = {**FAST, "n_attacks": 30, "max_attempts": 100}
    alone = anonymeter_risk(
        train, holdout, synthetic, attacks=["linkability", "inference"], **options
    )
    together = anonymeter_risk(train, holdout, synthetic, attacks=list(ATTACKS), **options)
    for attack in ("linkability", "inference"):
        assert together.attacks[attack] == alone.attacks[attack], attack
    one_secret = anonymeter_risk(
        train, holdout, synthetic, attacks=["inference"], **{**options, "secrets": ["sex"]}
    )
    assert one_secret.inference_by_secret["sex"] == alone.inference_by_secret["sex"]


def test_a_secret_whose_figure_name_is_the_attacks_own_is_refused(tables):
    """A column named ``ci_low`` wrote its risk over ``inference_risk_ci_low``."""
    train, holdout = tables
    renamed = [t.rename(columns={"weight": "ci_low"}) for t in (train, holdout)]
    with pytest.raises(InvalidParameterError, match=r"\['ci_low'\].*rename"):
        anonymeter_risk(*renamed, renamed[0], **{**FAST, "secrets": ["ci_low", "sex"]})
    options = {**FAST, "secrets": None, "attacks": ["linkability"], "n_attacks": 20}
    assert anonymeter_risk(*renamed, renamed[0], **options).score > 0.5  # no inference


def test_attacks_none_runs_every_attack(tables):
    """None means all, as for ``secrets`` and ``categorical_columns`` (it raised a bare
    TypeError: 'NoneType' object is not iterable)."""
    train, holdout = tables
    options = {**FAST, "n_attacks": 20, "max_attempts": 100, "secrets": ["sex"]}
    result = anonymeter_risk(train, holdout, train, attacks=None, **options)
    assert list(result.attacks) == list(ATTACKS)
    assert result.to_dict() == anonymeter_risk(train, holdout, train, **options).to_dict()


def test_singling_out_with_a_smaller_holdout_does_not_flag_a_fresh_generator():
    """With 500 training and 100 holdout rows, a generator that never saw the training rows
    had a univariate singling-out risk of 0.25-0.32, interval above 0, at every seed tried:
    Anonymeter's size correction fits nothing below 1000 holdout rows. Singling out is now
    scored on 100 training rows; linkability still sees all 500 and flags a copy."""
    population = _population(600, seed=1)
    train, holdout = population.iloc[:500], population.iloc[500:].reset_index(drop=True)
    options = {"attacks": ["singling_out_univariate", "linkability"], "n_attacks": 60}
    fresh = anonymeter_risk(train, holdout, _population(500, seed=3), **options)
    singling_out = fresh.attacks["singling_out_univariate"]
    assert singling_out.risk < 0.1 and singling_out.ci_low == 0.0, singling_out
    assert fresh.score < 0.1
    assert singling_out.n_train_rows == 100
    assert fresh.attacks["linkability"].n_train_rows == 500
    assert fresh.to_dict()["singling_out_univariate_n_train_rows"] == 100.0

    copy = anonymeter_risk(train, holdout, train.copy(), **options)
    assert copy.attacks["linkability"].ci_low > 0.5, copy.attacks["linkability"]
    assert copy.score > 0.5


def test_attack_count_is_capped_by_the_smallest_table(tables):
    train, holdout = tables
    result = anonymeter_risk(
        train, holdout.iloc[:40], train, attacks=["linkability"], n_attacks=500
    )
    assert set(result.attacks) == {"linkability"}
    assert result.attacks["linkability"].n_attacks == 40


def test_awkward_column_names_and_values_are_handled(tables):
    train, holdout = tables
    rename = {"age": "age (years)", "stage": "tumour stage"}
    train = train.rename(columns=rename).assign(sex=lambda d: d["sex"].replace("f", "f'x"))
    holdout = holdout.rename(columns=rename)
    result = anonymeter_risk(
        train, holdout, train, n_attacks=40, max_attempts=200, secrets=["tumour stage"]
    )
    assert result.attacks["singling_out_univariate"].risk > 0.5
    assert "inference_risk_tumour stage" in result.to_dict()


def test_record_keys_are_left_out_as_by_every_table_metric(tables):
    train, holdout = tables
    synthetic = _independent_marginals(train, 3)
    options = {**FAST, "attacks": ["linkability", "inference"]}
    reference = anonymeter_risk(train, holdout, synthetic, **options)
    keyed = [
        frame.assign(patient_id=[f"{tag}{i:04d}" for i in range(len(frame))])
        for tag, frame in zip("THS", (train, holdout, synthetic))
    ]
    assert anonymeter_risk(*keyed, **options).to_dict() == reference.to_dict()
    # a key the caller names as a secret is attacked
    named = anonymeter_risk(*keyed, **{**options, "secrets": ["patient_id"]})
    assert "inference_risk_patient_id" in named.to_dict()


def test_catalog_entry():
    entry = catalog.metric("anonymeter_risk")
    assert entry.direction == "minimize"
    assert (entry.min_value, entry.max_value) == (0.0, 1.0)
    assert entry.needs == ("holdout",)


def test_a_holdout_is_required(tables):
    train, _ = tables
    with pytest.raises(InvalidParameterError, match="holdout"):
        evaluate_metric("anonymeter_risk", train, train)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda t, h, s: (t, h, s.drop(columns="stage")), InvalidDataError, "stage"),
        (lambda t, h, s: (t, h.rename(columns={"age": "x"}), s), InvalidDataError, "holdout"),
        (lambda t, h, s: (t, h.iloc[:9], s), InvalidDataError, "holdout has 9 row"),
        (lambda t, h, s: (t.iloc[:5], h, s), InvalidDataError, "train has 5 row"),
        (lambda t, h, s: (t[["age"]], h[["age"]], s[["age"]]), InvalidDataError, "2"),
    ],
    ids=["synthetic-column", "holdout-column", "small-holdout", "small-train", "one-column"],
)
def test_bad_tables_are_named(tables, change, error, match):
    train, holdout = tables
    with pytest.raises(error, match=match):
        anonymeter_risk(*change(train, holdout, train))


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"attacks": ["membership"]}, "attacks"),
        ({"attacks": "linkability"}, "attacks"),
        ({"attacks": 3}, "attacks"),
        ({"attacks": []}, "attacks"),
        ({"n_cols": 6}, "n_cols"),
        ({"n_attacks": 0}, "n_attacks"),
        ({"confidence_level": 1.0}, "confidence_level"),
        ({"linkability_columns": (["age", "sex"], ["sex"])}, "disjoint"),
        ({"linkability_columns": (["age"], ["nope"])}, "nope"),
        ({"secrets": ["nope"]}, "nope"),
        ({"categorical_columns": ["nope"]}, "nope"),
    ],
)
def test_bad_options_are_named(tables, options, match):
    train, holdout = tables
    with pytest.raises(InvalidParameterError, match=match):
        anonymeter_risk(train, holdout, train, **options)


@pytest.mark.parametrize("dtype", ["string", "boolean", "Int64"])
def test_missing_values_of_nullable_columns_are_missing_values(tables, dtype):
    """pd.NA in a nullable column scores as NaN in an object column (sklearn's encoder
    inside Anonymeter refused pd.NA beside text)."""
    train, holdout = tables
    synthetic = _independent_marginals(train, 3)
    codes = {"string": {"f": "f", "m": "m"}, "boolean": {"f": True, "m": False}}
    codes["Int64"] = {"f": 0, "m": 1}

    def recode(frame, kind, missing=None):
        out = frame.copy()
        out["sex"] = out["sex"].map(codes[dtype]).astype(kind)
        if missing is not None:
            out.loc[out.index[:9], "sex"] = missing
        return out

    plain = anonymeter_risk(
        recode(train, object, np.nan), recode(holdout, object), recode(synthetic, object), **FAST
    )
    nullable = anonymeter_risk(
        recode(train, dtype, pd.NA), recode(holdout, dtype), recode(synthetic, dtype), **FAST
    )
    assert nullable.to_dict() == pytest.approx(plain.to_dict(), nan_ok=True)


def test_a_categorical_column_missing_throughout_the_synthetic_table_is_scored(tables):
    train, holdout = tables
    synthetic = _independent_marginals(train, 4)
    synthetic["stage"] = np.nan
    result = anonymeter_risk(
        train, holdout, synthetic, categorical_columns=["sex", "stage"], **FAST
    )
    assert 0.0 <= result.score <= 1.0


def test_a_foreign_inference_call_during_the_swap_is_scored_as_anonymeter_does():
    """The scoring swap is process-wide: another thread calling Anonymeter directly while
    the suite's attacks ran got the suite's function and a KeyError on its own secret's
    name. A secret that is not one of the suite's tolerances now gets Anonymeter's rule."""
    from synth_plugins.metrics.attacks import _anonymeter, _scored

    evaluators = _anonymeter()
    module = evaluators.inference_evaluator
    original = module.evaluate_inference_guesses
    guesses = pd.Series([10.0, -3.0, 100.0], name="serum_sodium")
    secrets = pd.Series([10.2, -3.0, 130.0], name="serum_sodium")
    expected = original(guesses, secrets, True, 0.05)
    with _scored(evaluators, {"c0": 1.0}):
        assert module.evaluate_inference_guesses is not original
        foreign = module.evaluate_inference_guesses(guesses, secrets, True, 0.05)
        own = module.evaluate_inference_guesses(guesses.rename("c0"), secrets.rename("c0"), True)
    np.testing.assert_array_equal(foreign, expected)
    np.testing.assert_array_equal(own, [True, True, False])
    assert module.evaluate_inference_guesses is original


def test_query_counts_reuse_each_frames_columns_and_count_as_pandas_does():
    """Each ``DataFrame.query`` rebuilt a Series of every column before reading the
    predicate: most of an attack's time. The swap counts as ``len(df.query(q,
    engine="python"))`` does (a failing predicate gives None), hands frames whose column
    names pandas rewrites to Anonymeter's own function, and is undone after the block."""
    from synth_plugins.metrics._query_counts import counted_queries
    from synth_plugins.metrics.attacks import _anonymeter

    evaluators = _anonymeter()
    module = evaluators.singling_out_evaluator
    original = module.safe_query_counts
    frame = pd.DataFrame(
        {
            "c0": [1.0, np.nan, 3.5, 3.5, -2.0],
            "c1": ["a", "it's", "b", None, "a"],
            "c2": [True, False, True, True, False],
            "c3": pd.array([1, 2, None, 4, 4], dtype="Int64"),
        }
    )
    queries = [
        "c0 >= 3.5", "c0.isna()", "not c0.isna() & c1 == 'a'", "c1 == 'it\\'s'", "c2",
        "not c2 & c0 < 0", "c3 == 4 & c0 <= 3.5", "c3.isna()", "c1 != 'a' & c2",
        "c9 == 1", "c0 >= ", "c1 > 2",
    ]  # fmt: skip
    expected = [original(q, frame) for q in queries]
    assert expected[:9] == [2, 1, 2, 1, 3, 1, 2, 1, 2] and expected[9:] == [None] * 3
    spaced = frame.rename(columns={"c0": "c 0"})
    with counted_queries(evaluators):
        counts = module.safe_query_counts
        assert counts is not original
        assert [counts(q, frame) for q in queries] == expected
        for rows in (frame.iloc[1:], frame.iloc[1:].reset_index(drop=True)):  # a new frame
            assert [counts(q, rows) for q in queries] == [original(q, rows) for q in queries]
        assert counts("`c 0` >= 3.5", spaced) == original("`c 0` >= 3.5", spaced) == 2
    assert module.safe_query_counts is original

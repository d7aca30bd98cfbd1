"""Shared input checks, the metrics' catalog entries, and the light package import."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import synth_plugins.metrics as metrics
from synth_plugins import catalog
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics.validation import (
    align_columns,
    check_frame,
    resolve_categorical,
)

NAMES = [
    "hamming_leakage",
    "dcr_holdout_share",
    "tabsyndex",
    "aml_fidelity",
    "km_survival_scores",
    "correlation_l1",
]


def test_every_metric_has_a_function_and_a_catalog_entry() -> None:
    for name in NAMES:
        entry = catalog.metric(name)
        assert callable(getattr(metrics, name))
        assert catalog.resolve(entry.core) is getattr(metrics, name)
        assert entry.direction in ("maximize", "minimize")
        assert entry.synthcity_type in ("privacy", "stats")
        assert entry.min_value < entry.max_value
        assert entry.description
    assert catalog.metric("hamming_leakage").synthcity_type == "privacy"
    assert catalog.metric("dcr_holdout_share").synthcity_type == "privacy"


def test_import_does_not_load_torch_or_sklearn() -> None:
    code = (
        "import sys, synth_plugins.metrics; "
        "print(any(m in sys.modules for m in ('torch', 'sklearn', 'lifelines')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_check_frame_and_align_columns() -> None:
    with pytest.raises(InvalidDataError, match="no columns"):
        check_frame(pd.DataFrame(index=[0, 1]), "real")
    with pytest.raises(InvalidDataError, match="repeated"):
        check_frame(pd.DataFrame([[1, 2]], columns=["a", "a"]), "real")
    with pytest.raises(InvalidDataError, match=r"real has column labels .* 1 and '1'"):
        check_frame(pd.DataFrame([[1, 2]], columns=[1, "1"]), "real")
    a = pd.DataFrame({"x": [1], "y": [2]})
    b = pd.DataFrame({"y": [3], "x": [4]})
    assert list(align_columns(a, b, "real", "synthetic").columns) == ["x", "y"]
    with pytest.raises(InvalidDataError, match=r"missing from synthetic: \['y'\]"):
        align_columns(a, b[["x"]], "real", "synthetic")


def test_zero_padded_codes_are_text_against_generated_keys() -> None:
    """Real phone numbers ("07...") against the fresh text keys the generators give them."""
    real = pd.DataFrame({"phone": ["07700900461", "07700900462"]})
    synthetic = pd.DataFrame({"phone": ["synthetic_0", "synthetic_1"]})
    assert align_columns(real, synthetic, "real", "synthetic").equals(synthetic)
    with pytest.raises(InvalidDataError, match="holds numbers in real and text"):
        align_columns(pd.DataFrame({"phone": ["7700900461"]}), synthetic, "real", "synthetic")


def test_resolve_categorical() -> None:
    frame = pd.DataFrame(
        {
            "num": np.linspace(0, 1, 20),
            "flag": [True, False] * 10,
            "text": ["a", "b", "c", "d"] * 5,
            "small_int": [1, 2, 3, 4] * 5,
            "empty_num": [np.nan] * 20,
            "empty_obj": pd.Series([None] * 20, dtype=object),
        }
    )
    assert resolve_categorical([frame], None) == ["flag", "text", "small_int", "empty_obj"]
    assert resolve_categorical([frame], ["text", "num"]) == ["num", "text"]
    with pytest.raises(InvalidParameterError, match="not the string"):
        resolve_categorical([frame], "text")  # type: ignore[arg-type]


def test_one_label_coding_for_every_metric() -> None:
    """The distance and attack metrics code categoricals with ``label_codes``, the rule of
    the fidelity metrics: equal values (``1``, ``1.0``, ``True``) share a code across the
    tables, and missing values get one code of their own after the levels."""
    from synth_plugins.metrics._encoding import label_codes
    from synth_plugins.metrics.attacks import _for_anonymeter
    from synth_plugins.metrics.distance import CodedTables

    (a, b), levels = label_codes(
        pd.Series([1, 2, None], dtype=object), pd.Series([1.0, True, "x"], dtype=object)
    )
    assert a[0] == b[0] == b[1]  # 1, 1.0 and True are one level
    assert a[2] == len(levels)  # the missing code follows the levels
    frames = {
        "train": pd.DataFrame({"c": pd.Series([1, None, "u"], dtype=object)}),
        "synthetic": pd.DataFrame({"c": pd.Series([True, None, "u"], dtype=object)}),
    }
    for missing, expected in (("level", 2), ("never", -1)):
        coded = CodedTables(frames, ["c"], categorical_missing=missing)
        assert (
            coded.categorical["train"][:, 0].tolist()
            == coded.categorical["synthetic"][:, 0].tolist()
        )
        assert coded.categorical["train"][1, 0] == expected
    labels = _for_anonymeter(frames, ["c"], {"c": "c"})
    assert labels["train"]["c"].tolist()[::2] == labels["synthetic"]["c"].tolist()[::2]
    assert labels["train"]["c"].isna().tolist() == [False, True, False]


def test_labels_against_their_codes_are_named():
    """A label-encoded synthetic column (0/1) scored against its text labels would compare
    every value as different; numbers written as text are numbers."""
    from synth_plugins.metrics import table_one
    from synth_plugins.metrics.validation import align_columns

    real = pd.DataFrame({"sex": ["F", "M"] * 20, "age": np.arange(40.0)})
    coded = real.assign(sex=[0, 1] * 20)
    with pytest.raises(InvalidDataError, match=r"'sex' holds text in real and numbers in synth"):
        align_columns(real, coded, "real", "synthetic")
    with pytest.raises(InvalidDataError, match=r"e\.g\. 'F' and 0"):
        table_one(real, coded)
    as_text = real.assign(age=real["age"].map(str))
    assert align_columns(real, as_text, "real", "synthetic").shape == real.shape


def test_a_record_key_in_another_format_is_left_out_of_every_table_metric():
    """Text MRNs in the real rows and numeric keys in the synthetic ones: keys are left out
    of every table metric, so their format is not compared (it stopped every metric with
    "column 'mrn' holds text in real and numbers in synthetic"); any other column with
    text against numbers is still refused, and so is a key the caller asks to compare."""
    from synth_plugins.metrics import aml_fidelity, hamming_leakage

    rng = np.random.default_rng(0)
    n = 60
    real = pd.DataFrame(
        {
            "mrn": [f"MRN{i:07d}" for i in range(n)],
            "age": rng.normal(60, 10, n).round(1),
            "sex": rng.choice(["F", "M"], n),
        }
    )
    holdout = real.assign(mrn=[f"MRN{i:07d}" for i in range(n, 2 * n)])
    text_keys = real.assign(mrn=[f"SYN{i:07d}" for i in range(n)])
    number_keys = real.assign(mrn=np.arange(n) + 10**6)
    assert aml_fidelity(real, number_keys).score == aml_fidelity(real, text_keys).score
    expected = hamming_leakage(real, holdout, text_keys).score
    assert hamming_leakage(real, holdout, number_keys).score == expected
    coded = number_keys.assign(sex=(real["sex"] == "M").astype(int))
    with pytest.raises(InvalidDataError, match=r"'sex' holds text in real and numbers in synth"):
        aml_fidelity(real, coded)
    with pytest.raises(InvalidDataError, match=r"'mrn' holds text in real and numbers in synth"):
        aml_fidelity(real, number_keys, categorical_columns=["mrn", "sex"])


@pytest.mark.parametrize("side", ["real", "synthetic", "category"])
def test_numbers_written_as_text_are_the_same_numbers_in_every_table_metric(side):
    """A synthetic copy of the real rows whose binary codes are text (``"0"``/``"1"``, as
    a CSV with quoted fields gives them), or real rows read that way against generated
    numbers, score as the same table: the values are one level."""
    from synth_plugins import metrics as m

    rng = np.random.default_rng(0)
    n = 120
    real = pd.DataFrame(
        {
            "age": rng.normal(60, 10, n).round(1),
            "smoker": rng.integers(0, 2, n),
            "stage": rng.integers(1, 4, n),
            "death": rng.integers(0, 2, n),
        }
    )
    holdout = real.sample(frac=1.0, random_state=1).reset_index(drop=True)
    as_text = real.assign(smoker=real["smoker"].map(str), stage=real["stage"].map(str))
    if side == "category":  # a category of text numbers (pandas' read of a CSV column)
        as_text = as_text.astype({"smoker": "category", "stage": "category"})
    first, second = (as_text, real) if side == "real" else (real, as_text)
    calls = {
        "aml_fidelity": lambda a, b: m.aml_fidelity(a, b).score,
        "table_one": lambda a, b: m.table_one(a, b).score,
        "correlation_l1": lambda a, b: m.correlation_l1(a, b).score,
        "effect_agreement": lambda a, b: m.effect_agreement(a, b, target_column="death").score,
        "hamming_leakage": lambda a, b: m.hamming_leakage(a, holdout, b).score,
        "dcr_holdout_share": lambda a, b: m.dcr_holdout_share(a, holdout, b).score,
    }
    for name, call in calls.items():
        assert call(first, second) == call(real, real.copy()), name


def test_label_encode_matches_booleans_and_numbers_by_equality():
    """``True`` against the real ``1`` was a NaN code (pandas looks a dict's keys up as an
    index, where ``True`` is not ``1``): no observed value may go without a code."""
    from synth_plugins.metrics._encoding import label_encode

    real, synthetic, levels = label_encode(
        pd.Series([0, 1, 1]), pd.Series([True, False, 1.0, None, "x"], dtype=object)
    )
    assert levels == [0, 1, "x"]
    assert real.tolist() == [0.0, 1.0, 1.0]
    assert synthetic.tolist() == [1.0, 0.0, 1.0, 3.0, 2.0]
    _, synthetic, _ = label_encode(pd.Series([0, 1, 1]), pd.Series([True, False, True]))
    assert synthetic.tolist() == [1.0, 0.0, 1.0]


def _binary_table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    flag = rng.integers(0, 2, n).astype(float)
    flag[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "age": rng.normal(60, 10, n).round(1),
            "smoker": rng.integers(0, 2, n),
            "flag": flag,
            "stage": rng.integers(1, 4, n),
            "death": rng.integers(0, 2, n),
        }
    )


def _as_booleans(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The 0/1 columns as booleans: ``bool``, or object (``None`` missing) where missing."""
    out = frame.copy()
    for column in columns:
        values = frame[column]
        out[column] = (
            values.astype(bool)
            if values.notna().all()
            else [None if pd.isna(v) else bool(v) for v in values]
        )
    return out


def _as_text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = [None if pd.isna(v) else str(int(v)) for v in frame[column]]
    return out


_TABLE_METRICS = {
    "aml_fidelity": lambda a, h, b: metrics.aml_fidelity(a, b).score,
    "table_one": lambda a, h, b: metrics.table_one(a, b).score,
    "correlation_l1": lambda a, h, b: metrics.correlation_l1(a, b).score,
    "effect_agreement": lambda a, h, b: metrics.effect_agreement(a, b, target_column="death").score,
    "tabsyndex": lambda a, h, b: metrics.tabsyndex(a, b, target_column="death").score,
    "hamming_leakage": lambda a, h, b: metrics.hamming_leakage(a, h, b).score,
    "dcr_holdout_share": lambda a, h, b: metrics.dcr_holdout_share(a, h, b).score,
    "model_understanding": lambda a, h, b: metrics.model_understanding(a, h, b, "death").score,
}


@pytest.mark.parametrize("form", ["bool", "category", "text against bool"])
def test_booleans_are_the_numbers_0_and_1_in_every_table_metric(form):
    """Synthetic 0/1 columns written as booleans (with missing values: an object column)
    against real numbers, or against real text numbers (how actg320 ships its categoricals),
    score as the same table: TabSynDex fell from 0.90 to 0.50 when ``True`` met ``1``, and
    to 0.38 when it met ``"1"``."""
    real = _binary_table(120, 0)
    holdout = _binary_table(80, 1)
    synthetic = _as_booleans(real, ["smoker", "flag"])
    first = real
    if form == "category":
        synthetic = synthetic.astype({"smoker": "category", "flag": "category"})
    if form == "text against bool":
        first = _as_text(real, ["smoker", "flag"])
    for name, call in _TABLE_METRICS.items():
        assert call(first, holdout, synthetic) == call(real, holdout, real.copy()), name


def test_an_outcome_in_text_against_booleans_is_one_outcome():
    """model_understanding ended in scikit-learn's "Mix of label input types" for real
    labels ``"0"``/``"1"`` against synthetic ``False``/``True``."""
    real, holdout = _binary_table(120, 0), _binary_table(80, 1)
    text, booleans = _as_text(real, ["death"]), _as_booleans(real, ["death"])
    result = metrics.model_understanding(text, holdout, booleans, "death")
    assert result.score == metrics.model_understanding(real, holdout, real.copy(), "death").score


def test_booleans_meet_numbers_but_stay_booleans_in_every_table():
    from synth_plugins.metrics.validation import feature_tables

    flags = pd.DataFrame({"flag": [True, False, None] * 10, "age": np.arange(30.0)})
    tables = feature_tables({"real": flags, "synthetic": flags.copy()})
    assert tables["real"]["flag"].tolist()[:3] == [True, False, None]
    numbers = flags.assign(flag=[1, 0, 1] * 10)
    tables = feature_tables({"real": numbers, "synthetic": flags})
    assert tables["synthetic"]["flag"].tolist()[:2] == [1.0, 0.0]
    assert np.isnan(tables["synthetic"]["flag"].iloc[2])
    labels = flags.assign(flag=["yes", "no", None] * 10)
    with pytest.raises(InvalidDataError, match=r"'flag' holds text in real and numbers in synth"):
        align_columns(labels, flags, "real", "synthetic")


def test_codes_that_every_table_writes_as_text_stay_text():
    """Only a column another table holds as numbers is read as numbers: codes written as
    text in every table keep their levels (``"250.1"`` and ``"250.10"`` are two)."""
    from synth_plugins.metrics.validation import feature_tables

    codes = pd.DataFrame({"code": ["250.1", "250.10", "250.2"] * 10, "age": np.arange(30.0)})
    tables = feature_tables({"real": codes, "synthetic": codes.copy()}, ["code"])
    assert tables["real"]["code"].tolist() == codes["code"].tolist()
    numbers = codes.assign(code=[250.1, 250.2, 250.3] * 10)
    tables = feature_tables({"real": numbers, "synthetic": codes}, ["code"])
    assert tables["synthetic"]["code"].tolist()[:3] == [250.1, 250.1, 250.2]


def test_a_category_column_against_its_codes_is_named():
    """The bundled datasets hold ``category`` columns; a label-encoded synthetic one must
    not be scored against them as if the codes were the labels."""
    from synth_plugins.metrics import hamming_leakage
    from synth_plugins.metrics.validation import align_columns

    real = pd.DataFrame({"sex": pd.Categorical(["F", "M"] * 20), "age": np.arange(40.0)})
    coded = real.assign(sex=[0, 1] * 20)
    with pytest.raises(InvalidDataError, match=r"'sex' holds text in real and numbers in synth"):
        align_columns(real, coded, "real", "synthetic")
    with pytest.raises(InvalidDataError, match=r"e\.g\. 'F' and 0"):
        hamming_leakage(real, real, coded)
    numbers = real.assign(sex=pd.Categorical([0, 1] * 20))  # category of numbers: numbers
    assert align_columns(numbers, coded, "real", "synthetic").shape == real.shape


@pytest.mark.parametrize("value", ["sex", 3])
def test_a_column_list_that_is_not_a_list_is_refused_in_every_host(value):
    """``list("sex")`` is its letters, one of which may name a column: refused by name."""
    from synth_plugins.metrics.dispatch import evaluate_metric
    from synth_plugins.sdmetrics import TabSynDex

    real = pd.DataFrame({"sex": ["F", "M"] * 20, "e": np.arange(40.0), "x": np.arange(40.0)})
    for call in (
        lambda: evaluate_metric("tabsyndex", real, real, categorical_columns=value),
        lambda: TabSynDex.compute(real, real, categorical_columns=value),
    ):
        with pytest.raises(InvalidParameterError, match="categorical_columns must be a list"):
            call()


@pytest.mark.parametrize("side", ["real", "synthetic"])
def test_one_row_is_refused_by_every_distribution_metric(side: str) -> None:
    """TabSynDex, the AML scores and the KM scores scored a real table of one row
    (0.27, 0.23, 0.78) where every other metric asks for 2."""
    from synth_plugins.datasets import load

    data = load("heart_failure").data
    tables = {"real": data.iloc[:50], "synthetic": data.iloc[50:100]}
    tables[side] = tables[side].iloc[:1]
    message = rf"{side} has 1 row.*at least 2"
    with pytest.raises(InvalidDataError, match=message):
        metrics.tabsyndex(tables["real"], tables["synthetic"], target_column="DEATH_EVENT")
    with pytest.raises(InvalidDataError, match=message):
        metrics.aml_fidelity(tables["real"], tables["synthetic"])
    real, synthetic = tables["real"], tables["synthetic"]
    with pytest.raises(InvalidDataError, match=message):
        metrics.km_survival_scores(
            real["time"], real["DEATH_EVENT"], synthetic["time"], synthetic["DEATH_EVENT"]
        )


#: The public metric functions that take ``random_state``.
SEEDED = (
    "anonymeter_risk",
    "discriminative",
    "hamming_leakage",
    "longitudinal_fidelity",
    "model_understanding",
    "predictive",
    "table_one",
    "tabsyndex",
)


def _seeded_calls() -> dict[str, object]:
    """One valid call per name of :data:`SEEDED`, given the seed."""
    from synth_plugins.datasets import load, simulate_ms_registry
    from synth_plugins.metrics.longitudinal import discriminative, predictive, prepare_tables

    data = load("heart_failure").data
    train, holdout, synthetic = data.iloc[:40], data.iloc[40:80], data.iloc[80:120]
    real_visits = simulate_ms_registry(n_patients=12, seed=0).data
    other_visits = simulate_ms_registry(n_patients=12, seed=1).data
    keys = {"id_column": "patient_id", "time_column": "time"}

    def tables():
        return prepare_tables(real_visits, other_visits, **keys)

    return {
        "anonymeter_risk": lambda s: metrics.anonymeter_risk(
            train, holdout, synthetic, random_state=s
        ),
        "hamming_leakage": lambda s: metrics.hamming_leakage(
            train, holdout, synthetic, random_state=s
        ),
        "longitudinal_fidelity": lambda s: metrics.longitudinal_fidelity(
            real_visits, other_visits, **keys, random_state=s
        ),
        "model_understanding": lambda s: metrics.model_understanding(
            train, holdout, synthetic, "DEATH_EVENT", random_state=s
        ),
        "table_one": lambda s: metrics.table_one(train, synthetic, random_state=s),
        "tabsyndex": lambda s: metrics.tabsyndex(train, synthetic, random_state=s),
        "discriminative": lambda s: discriminative(tables(), random_state=s),
        "predictive": lambda s: predictive(tables(), random_state=s),
    }


def test_every_seeded_metric_is_in_the_seed_test() -> None:
    """A new metric taking ``random_state`` joins the seed test below."""
    assert set(_seeded_calls()) == set(SEEDED)
    import inspect

    from synth_plugins.metrics import longitudinal

    seeded = {
        name
        for module in (metrics, longitudinal)
        for name in module.__all__
        if inspect.isfunction(getattr(module, name))
        and "random_state" in inspect.signature(getattr(module, name)).parameters
    }
    assert seeded == set(SEEDED)


@pytest.mark.parametrize("seed", [2**32, -1, 1.5, None, True])
@pytest.mark.parametrize("name", SEEDED)
def test_every_seeded_metric_refuses_a_bad_seed_naming_random_state(name: str, seed) -> None:
    """``random_state=2**32`` passed ``check_int`` and crashed inside numpy ("Seed must be
    between 0 and 2**32 - 1", no argument named); tabsyndex, model_understanding and the
    longitudinal parts did not check it at all. Every metric now uses the generators'
    seed rule: an integer in [0, 2**32)."""
    with pytest.raises(InvalidParameterError, match=r"^random_state must be") as error:
        _seeded_calls()[name](seed)
    assert error.value.parameter == "random_state"


def _real_number_calls() -> dict[tuple[str, str], object]:
    """One call per real-number argument of a metric: (metric, argument) -> call(value)."""
    from synth_plugins.datasets import load, simulate_ms_registry
    from synth_plugins.metrics.longitudinal import predictive, prepare_tables

    data = load("heart_failure").data
    train, holdout, synthetic = data.iloc[:40], data.iloc[40:80], data.iloc[80:120]
    survival = {"duration_column": "time", "event_column": "DEATH_EVENT"}
    real_visits = simulate_ms_registry(n_patients=12, seed=0).data
    other_visits = simulate_ms_registry(n_patients=12, seed=1).data
    keys = {"id_column": "patient_id", "time_column": "time"}
    three = (train, holdout, synthetic)
    return {
        ("table_one", "alpha"): lambda v: metrics.table_one(train, synthetic, alpha=v),
        ("effect_agreement", "alpha"): lambda v: metrics.effect_agreement(
            train, synthetic, **survival, alpha=v
        ),
        ("effect_agreement", "penalizer"): lambda v: metrics.effect_agreement(
            train, synthetic, **survival, penalizer=v
        ),
        ("hazard_ratio_alignment", "alpha"): lambda v: metrics.hazard_ratio_alignment(
            train, synthetic, **survival, alpha=v
        ),
        ("hazard_ratio_alignment", "penalizer"): lambda v: metrics.hazard_ratio_alignment(
            train, synthetic, **survival, penalizer=v
        ),
        ("survival_augmentation", "confidence"): lambda v: metrics.survival_augmentation(
            *three, **survival, confidence=v
        ),
        ("survival_augmentation", "penalizer"): lambda v: metrics.survival_augmentation(
            *three, **survival, penalizer=v
        ),
        ("aml_fidelity", "clip_value"): lambda v: metrics.aml_fidelity(
            train, synthetic, clip_value=v
        ),
        ("anonymeter_risk", "confidence_level"): lambda v: metrics.anonymeter_risk(
            *three, confidence_level=v
        ),
        ("hamming_leakage", "threshold"): lambda v: metrics.hamming_leakage(*three, threshold=v),
        ("tabsyndex", "ml_holdout_fraction"): lambda v: metrics.tabsyndex(
            train, synthetic, ml_holdout_fraction=v
        ),
        ("longitudinal_fidelity", "time_per_year"): lambda v: metrics.longitudinal_fidelity(
            real_visits, other_visits, **keys, time_per_year=v
        ),
        ("predictive", "test_fraction"): lambda v: predictive(
            prepare_tables(real_visits, other_visits, **keys), test_fraction=v
        ),
    }


#: Values refused by each real-number argument: (metric, argument) -> out-of-range values.
OUT_OF_RANGE = {
    ("table_one", "alpha"): (0, 1, -0.1, 1.5),
    ("effect_agreement", "alpha"): (0.0, 1.0),
    ("effect_agreement", "penalizer"): (-0.01,),
    ("hazard_ratio_alignment", "alpha"): (0.0, 1.0),
    ("hazard_ratio_alignment", "penalizer"): (-1,),
    ("survival_augmentation", "confidence"): (0.0, 1.0),
    ("survival_augmentation", "penalizer"): (-0.5,),
    ("aml_fidelity", "clip_value"): (0.0, -1.0, 1.5),
    ("anonymeter_risk", "confidence_level"): (0.0, 1.0),
    ("hamming_leakage", "threshold"): (),
    ("tabsyndex", "ml_holdout_fraction"): (0.0, 1.0),
    ("longitudinal_fidelity", "time_per_year"): (0.0, -365.25),
    ("predictive", "test_fraction"): (0.0, 1.0),
}


def test_every_real_number_argument_is_in_the_range_test() -> None:
    assert set(_real_number_calls()) == set(OUT_OF_RANGE)


@pytest.mark.parametrize(
    ("metric", "argument"), list(OUT_OF_RANGE), ids=[f"{m}-{a}" for m, a in OUT_OF_RANGE]
)
def test_every_real_number_argument_refuses_bad_values_naming_itself(
    metric: str, argument: str
) -> None:
    """The metrics' real-number arguments use the package's one check,
    :func:`synth_plugins.validation.check_float` (``check_fraction`` for shares in (0, 1)):
    booleans, text, NaN, infinities and values outside the bounds (open bounds included)
    are refused, and the error names the argument in its message and its ``parameter``."""
    call = _real_number_calls()[(metric, argument)]
    for value in (
        True,
        "0.5",
        float("nan"),
        np.inf,
        -np.inf,
        *OUT_OF_RANGE[(metric, argument)],
    ):
        with pytest.raises(InvalidParameterError, match=rf"^{argument} must be") as error:
            call(value)
        assert error.value.parameter == argument, value

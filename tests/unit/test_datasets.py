"""Tests of synth_plugins.datasets: loaders, provenance checks and the MS registry simulator."""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
import time
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synth_plugins import datasets
from synth_plugins.datasets import (
    DMTS,
    EDSS_GRID,
    Dataset,
    MSRegistryParameters,
    _files,
    load,
    names,
    simulate_ms_registry,
)
from synth_plugins.encoding.roles import ROLES
from synth_plugins.errors import (
    InvalidDataError,
    InvalidParameterError,
    MissingDependencyError,
    UnknownNameError,
)

ALL_NAMES = {
    "gbsg2",
    "actg320",
    "whas500",
    "flchain",
    "support2",
    "pbc",
    "pbc_visits",
    "heart_failure",
    "titanic",
    "pima",
    "ckd",
    "ms_registry",
}
KINDS = {
    "gbsg2": "survival",
    "actg320": "survival",
    "whas500": "survival",
    "flchain": "survival",
    "support2": "survival",
    "pbc": "survival",
    "pbc_visits": "longitudinal",
    "heart_failure": "tabular",
    "titanic": "tabular",
    "pima": "tabular",
    "ckd": "tabular",
    "ms_registry": "longitudinal",
}
# name -> (rows, patients, outcome column, number of patients with outcome 1 / positive level)
COUNTS = {
    "gbsg2": (686, 686, "cens", 299),
    "actg320": (1151, 1151, "censor", 96),
    "whas500": (500, 500, "fstat", 215),
    "flchain": (7874, 7874, "death", 2169),
    "support2": (9105, 9105, "death", 6201),
    "pbc": (312, 312, "status2", 140),
    "pbc_visits": (1945, 312, "status2", 140),
    "heart_failure": (299, 299, "DEATH_EVENT", 96),
    "titanic": (1045, 1045, "survived", 427),
    "pima": (768, 768, "target", 268),
}
SHIPPED_CSVS = {
    "pbc2.csv",
    "heart_failure_clinical_records_dataset.csv",
    "titanic3.csv",
    "pima-indians-diabetes.csv",
    "chronic_kidney_disease.csv",
}


@cache
def cached(name: str) -> Dataset:
    """Load each dataset once per test session (scikit-survival's import is slow)."""
    return load(name)


@cache
def cohort(n_patients: int, seed: int) -> Dataset:
    return simulate_ms_registry(n_patients=n_patients, seed=seed)


def per_patient(ds: Dataset) -> pd.DataFrame:
    """One row per patient with the outcome columns (first row of each id)."""
    if ds.id_column is None:
        return ds.data
    return ds.data.drop_duplicates(subset=ds.id_column)


# --- registry ------------------------------------------------------------------------------


def test_names_lists_every_dataset_sorted():
    assert set(names()) == ALL_NAMES
    assert names() == sorted(names())


def test_unknown_name_raises_and_lists_names():
    with pytest.raises(UnknownNameError) as info:
        load("gbsg3")
    message = str(info.value)
    assert "gbsg3" in message
    for name in ALL_NAMES:
        assert name in message
    assert isinstance(info.value, KeyError)
    assert info.value.known == sorted(ALL_NAMES)


def test_unknown_option_is_rejected_with_the_accepted_ones():
    with pytest.raises(InvalidParameterError, match="zeros_as_missing"):
        load("pima", zeros_missing=True)
    with pytest.raises(InvalidParameterError, match="no options"):
        load("ckd", seed=1)
    # a truthy string used to be read as True
    with pytest.raises(InvalidParameterError, match="zeros_as_missing must be True or False"):
        load("pima", zeros_as_missing="yes")


def test_import_is_light():
    """Module-level imports of the package are stdlib, numpy, pandas or our own code only.

    (scikit-survival must be imported inside the survival loaders, not at import time.)
    """
    allowed = {
        "__future__",
        "collections",
        "dataclasses",
        "functools",
        "hashlib",
        "importlib",
        "inspect",
        "math",
        "pathlib",
        "typing",
        "numpy",
        "pandas",
        "synth_plugins",
    }
    package = Path(datasets.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert len(modules) >= 5
    for module in modules:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in tree.body:  # top level only: imports inside functions are lazy
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            assert roots <= allowed, (module.name, roots)
    survival_source = (package / "survival.py").read_text(encoding="utf-8")
    assert "from sksurv import datasets" in survival_source


def test_missing_scikit_survival_raises_missing_dependency(monkeypatch):
    monkeypatch.setitem(sys.modules, "sksurv", None)
    with pytest.raises(MissingDependencyError, match="scikit-survival"):
        load("gbsg2")
    with pytest.raises(MissingDependencyError, match=r'pip install "\.\[survival\]"'):
        load("flchain")


# --- every dataset -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ALL_NAMES))
def test_every_dataset_loads_with_a_role_for_every_column(name):
    ds = cached(name)
    assert isinstance(ds, Dataset)
    assert ds.name == name
    assert ds.kind == KINDS[name]
    assert ds.description and ds.source and ds.license
    keyed = {ds.id_column, ds.time_column} - {None}
    assert set(ds.roles) == set(ds.data.columns) - keyed
    assert set(ds.roles.values()) <= set(ROLES)
    for column in ds.outcome_columns:
        assert column in ds.roles
    assert not set(ds.covariates) & (set(ds.outcome_columns) | keyed)
    assert set(ds.categorical_columns) == {
        c for c, r in ds.roles.items() if r in {"binary", "categorical", "ordinal"}
    }
    for column, role in ds.roles.items():
        observed = ds.data[column].dropna()
        assert not observed.empty, column
        if role == "binary":
            assert observed.nunique() == 2, column
        if role in {"numerical", "integer"}:
            assert pd.api.types.is_numeric_dtype(ds.data[column]), column
        if role == "integer":
            assert np.all(np.mod(observed.astype(float), 1) == 0), column
    for column, order in ds.levels.items():
        assert ds.roles[column] == "ordinal"
        assert set(ds.data[column].dropna().unique()) <= set(order)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_rows_patients_and_outcome_counts(name):
    rows, patients, outcome, positives = COUNTS[name]
    ds = cached(name)
    assert len(ds.data) == rows
    assert ds.n_patients == patients
    assert int(per_patient(ds)[outcome].sum()) == positives


@pytest.mark.parametrize("name", sorted(n for n in ALL_NAMES if n != "ms_registry"))
def test_durations_positive_and_events_binary(name):
    ds = cached(name)
    if ds.duration_column is None:
        assert ds.kind == "tabular"
        return
    durations = ds.data[ds.duration_column]
    events = ds.data[ds.event_column]
    assert durations.dtype == np.float64
    assert durations.notna().all() and (durations > 0).all()
    assert pd.api.types.is_integer_dtype(events)
    assert set(events.unique()) == {0, 1}
    assert ds.roles[ds.duration_column] == "numerical"
    assert ds.roles[ds.event_column] == "binary"


# --- provenance ------------------------------------------------------------------------------


def _sources_sha256() -> dict[str, str]:
    text = (_files.DATA_DIR / "SOURCES.txt").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        head = re.match(r"^(\S+\.csv)\b", line)
        if head:
            current = head.group(1)
        digest = re.match(r"^\s+sha256:\s+([0-9a-f]{64})\s*$", line)
        if digest and current:
            found[current] = digest.group(1)
    return found


def test_shipped_csvs_match_the_sha256_in_sources():
    listed = _sources_sha256()
    on_disk = {p.name for p in _files.DATA_DIR.glob("*.csv")}
    assert on_disk == SHIPPED_CSVS
    assert set(listed) == SHIPPED_CSVS
    assert set(_files.SHIPPED_FILES) == SHIPPED_CSVS
    for filename in SHIPPED_CSVS:
        digest = _files.file_sha256(_files.DATA_DIR / filename)
        assert digest == listed[filename], filename
        assert digest == _files.SHIPPED_FILES[filename].sha256, filename


def test_an_altered_file_is_refused(monkeypatch):
    real = _files.SHIPPED_FILES["pima-indians-diabetes.csv"]
    fake = dataclasses.replace(real, sha256="0" * 64)
    monkeypatch.setitem(_files.SHIPPED_FILES, "pima-indians-diabetes.csv", fake)
    with pytest.raises(InvalidDataError, match="sha256"):
        load("pima")


# --- dataset-specific cleaning -------------------------------------------------------------


def test_survival_benchmarks_cleaning():
    actg = cached("actg320")
    assert "txgrp" not in actg.data.columns and "tx" in actg.data.columns
    assert list(actg.levels["karnof"]) == ["70", "80", "90", "100"]
    gbsg = cached("gbsg2")
    assert gbsg.data.shape == (686, 10)
    assert gbsg.roles["tgrade"] == "ordinal" and gbsg.data["tgrade"].cat.ordered
    assert cached("whas500").data.shape == (500, 16)


def test_support2_cleaning_reads_survset_missing_as_nan_and_drops_the_outcome_leak():
    ds = cached("support2")
    assert ds.data.shape == (9105, 35)
    assert not {"pid", "fac_num_co", "fac_sfdm2", "sfdm2"} & set(ds.data.columns)
    assert not any(c.startswith(("num_", "fac_")) for c in ds.data.columns if c != "num_co")
    for column in ds.categorical_columns:
        assert "missing" not in set(ds.data[column].dropna().astype(str)), column
    # SurvSet's "missing" level: 42 race, 30 dnr, 2,982 income values
    assert ds.data["race"].isna().sum() == 42
    assert ds.data["dnr"].isna().sum() == 30
    assert ds.data["income"].isna().sum() == 2982
    assert ds.data["income"].cat.ordered and ds.roles["income"] == "ordinal"
    for flag in ("diabetes", "dementia"):  # string levels, as whas500's flags
        assert list(ds.data[flag].cat.categories) == ["0", "1"] and ds.roles[flag] == "binary"
    assert list(ds.data.columns[-2:]) == ["time", "death"]
    assert ds.data["alb"].isna().sum() == 3372  # laboratory missingness kept
    assert "Knaus" in ds.source and "GPL-3" in ds.carrier and "Knaus" in ds.attribution


def test_missing_survset_raises_missing_dependency(monkeypatch):
    monkeypatch.setitem(sys.modules, "SurvSet", None)
    monkeypatch.setitem(sys.modules, "SurvSet.data", None)
    with pytest.raises(MissingDependencyError, match=r'pip install "\.\[benchmark\]"'):
        load("support2")


def test_flchain_drops_chapter_keeps_creatinine_and_handles_zero_durations():
    ds = cached("flchain")
    assert "chapter" not in ds.data.columns
    assert ds.data["creatinine"].isna().sum() == 1350
    assert (ds.data["futime"] == 0.5).sum() == 3
    dropped = load("flchain", zero_durations="drop")
    assert len(dropped.data) == 7871 and dropped.data["death"].sum() == 2166
    kept = load("flchain", zero_durations="keep")
    assert (kept.data["futime"] == 0).sum() == 3
    with pytest.raises(InvalidParameterError):
        load("flchain", zero_durations="clip")


def test_heart_failure_is_tabular_with_a_survival_view():
    ds = cached("heart_failure")
    assert (ds.target, ds.duration_column, ds.event_column) == (
        "DEATH_EVENT",
        "time",
        "DEATH_EVENT",
    )
    assert ds.outcome_columns == ("DEATH_EVENT", "time")
    assert "time" not in ds.covariates and "platelets" in ds.covariates
    assert ds.data.shape == (299, 13)


def test_titanic_complete_cases():
    ds = cached("titanic")
    data = ds.data
    expected = ["pclass", "sex", "age", "sibsp", "parch", "fare", "embarked", "survived"]
    assert list(data.columns) == expected
    assert data[["pclass", "sex", "age", "fare"]].notna().all().all()
    assert data["embarked"].isna().sum() == 2
    assert set(data["sex"]) == {"female", "male"}
    assert set(data["pclass"]) == {1, 2, 3}
    assert data["survived"].dtype == np.int64


def test_pima_zeros_as_missing():
    raw = cached("pima").data
    assert raw.isna().sum().sum() == 0
    assert list(raw.columns)[-1] == "target"
    ds = load("pima", zeros_as_missing=True)
    missing = ds.data.isna().sum()
    expected = {"PlGlcConc": 5, "BloodP": 35, "SkinThick": 227, "TwoHourSerIns": 374, "BMI": 11}
    assert missing[missing > 0].to_dict() == expected
    assert (ds.data["NumTimesPrg"] == 0).sum() == 111  # zero pregnancies are real
    assert "zeros" in ds.description


def test_ckd_levels_are_clean_and_missingness_kept():
    ds = cached("ckd")
    data = ds.data
    assert data.shape == (400, 25)
    assert data["class"].value_counts().to_dict() == {"ckd": 250, "notckd": 150}
    assert set(data["dm"].dropna()) == {"yes", "no"}
    for column in data.select_dtypes(include="object"):
        levels = data[column].dropna()
        assert (levels == levels.str.strip()).all(), column
    assert data["rbc"].isna().sum() == 152
    assert data.isna().sum().sum() > 1000


def test_pbc_visits_long_format():
    ds = cached("pbc_visits")
    data = ds.data
    assert "sno." not in data.columns
    assert (ds.id_column, ds.time_column) == ("id", "year")
    assert set(ds.static_columns) == {"drug", "age", "sex", "years", "status", "status2"}
    assert data.groupby("id").size().max() == 16
    assert (data.groupby("id")["year"].min() == 0).all()
    assert (data.groupby("id")["year"].diff().dropna() > 0).all()
    for column in ds.static_columns:
        assert (data.groupby("id")[column].nunique(dropna=False) == 1).all(), column
    assert data["serChol"].isna().sum() == 821
    static = ds.static()
    assert len(static) == 312 and list(static.columns) == ["id", *ds.static_columns]
    assert list(ds.visits().columns) == ["id", "year", *ds.visit_columns]


def test_pbc_baseline_table():
    ds = cached("pbc")
    assert ds.data.shape == (312, 17)
    assert not {"id", "year", "status"} & set(ds.data.columns)
    visits = cached("pbc_visits").data
    first = visits.drop_duplicates("id").reset_index(drop=True)
    pd.testing.assert_series_equal(ds.data["serBilir"], first["serBilir"])


# --- Dataset container ---------------------------------------------------------------------


def test_dataset_is_frozen_and_validates_its_metadata():
    ds = cached("gbsg2")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.name = "other"  # type: ignore[misc]
    with pytest.raises(InvalidDataError, match="static"):
        ds.static()
    roles = dict(ds.roles)
    roles.pop("age")
    with pytest.raises(InvalidDataError, match="roles"):
        dataclasses.replace(ds, roles=roles)
    with pytest.raises(InvalidDataError, match="duration"):
        dataclasses.replace(ds, duration_column=None)
    assert "gbsg2" in repr(ds)


# --- MS registry simulator -----------------------------------------------------------------


def test_simulator_is_deterministic_and_seed_dependent():
    first = simulate_ms_registry(n_patients=300, seed=7)
    again = load("ms_registry", n_patients=300, seed=7)
    pd.testing.assert_frame_equal(first.data, again.data)
    other = simulate_ms_registry(n_patients=300, seed=8)
    assert not first.data.equals(other.data.iloc[: len(first.data)])
    assert first.data["age_at_onset"].iloc[0] != other.data["age_at_onset"].iloc[0]
    default = load("ms_registry")
    assert default.n_patients == 500 and default.truth["seed"] == 0


def test_simulator_structure():
    ds = cohort(1000, 3)
    data = ds.data
    assert ds.kind == "longitudinal" and ds.n_patients == 1000
    assert 8 <= len(ds.static_columns) <= 13
    assert set(ds.visit_columns) == {"edss", "relapses", "dmt", "switch", "mri_activity"}
    assert list(data["patient_id"].unique()) == list(range(1, 1001))
    grid = np.asarray(EDSS_GRID)
    assert len(grid) == 20 and 0.5 not in grid
    assert data["edss"].isin(grid).all() and data["baseline_edss"].isin(grid).all()
    assert not (data["edss"] == 0.5).any()
    by_patient = data.groupby("patient_id")
    assert (by_patient["time"].first() == 0).all()
    assert (by_patient["time"].diff().dropna() > 0).all()
    for column in ds.static_columns:
        assert (by_patient[column].nunique(dropna=False) == 1).all(), column
    sizes = by_patient.size()
    assert sizes.min() >= 1 and sizes.max() <= 40 and sizes.nunique() > 10
    assert set(data["dmt"]) <= set(DMTS)
    assert set(data["mri_activity"]) <= {"none", "new_t2", "gd_enhancing", "not_done"}
    assert set(data["phenotype"]) == {"RR", "SP", "PP", "CIS"}
    assert data["relapses"].dtype == np.int64 and (data["relapses"] >= 0).all()
    assert (by_patient["relapses"].first() == 0).all()
    assert (by_patient["dmt"].first() == by_patient["first_dmt"].first()).all()
    assert (by_patient["edss"].first() == by_patient["baseline_edss"].first()).all()
    pp = data[data["phenotype"] == "PP"]
    assert set(pp["dmt"]) <= {"none", "ocrelizumab"}
    assert data.isna().sum().sum() == 0


def test_switch_is_exactly_a_dmt_change():
    data = cohort(1000, 3).data
    previous = data.groupby("patient_id")["dmt"].shift()
    changed = (previous.notna() & (previous != data["dmt"])).astype(int)
    assert (data["switch"] == changed).all()
    assert data["switch"].sum() > 0
    after = data.loc[previous.notna()]
    relapsed = after["relapses"] > 0
    assert after.loc[relapsed, "switch"].mean() > 2 * after.loc[~relapsed, "switch"].mean()


def test_edss_mostly_stays_and_visit_gaps_cluster_at_6_and_12_months():
    data = cohort(1000, 3).data
    step = data.groupby("patient_id")["edss"].diff().dropna()
    assert (step == 0).mean() > 0.6
    assert (step.abs() <= 2.0).all()
    gaps = data.groupby("patient_id")["time"].diff().dropna()
    near_half = ((gaps - 0.5).abs() < 0.1).mean()
    near_one = ((gaps - 1.0).abs() < 0.15).mean()
    assert near_half > 0.3 and near_one > 0.3


def test_simulated_statistics_match_the_truth():
    ds = cohort(3000, 11)
    truth = ds.truth
    parameters = truth["parameters"]
    assert isinstance(parameters, MSRegistryParameters)
    data = ds.data
    by_patient = data.groupby("patient_id")
    follow_up = by_patient["time"].max()
    relapses = by_patient["relapses"].sum()
    observed_arr = relapses[follow_up > 0].sum() / follow_up[follow_up > 0].sum()
    assert 0.17 <= truth["expected_arr"] <= 0.3
    assert observed_arr == pytest.approx(truth["expected_arr"], rel=0.08)
    assert follow_up.mean() == pytest.approx(truth["expected_follow_up_years"], rel=0.08)
    assert by_patient.size().mean() == pytest.approx(truth["expected_visits_per_patient"], rel=0.06)
    static = ds.static()
    assert (static["sex"] == "F").mean() == pytest.approx(truth["female_share"], abs=0.03)
    assert static["age_at_onset"].mean() == pytest.approx(
        truth["expected_age_at_onset_mean"], abs=0.6
    )
    assert static["phenotype"].value_counts(normalize=True)["RR"] == pytest.approx(0.70, abs=0.03)
    assert static["disease_duration_at_baseline"].mean() == pytest.approx(6.9, rel=0.1)


def test_simulator_parameters_change_the_data():
    calm = MSRegistryParameters(untreated_arr={"RR": 0.1, "SP": 0.03, "PP": 0.01, "CIS": 0.08})
    ds = simulate_ms_registry(n_patients=1000, seed=5, parameters=calm)
    assert ds.truth["expected_arr"] < 0.07
    short = MSRegistryParameters(dropout_probability=0.5, max_visits=5)
    sizes = (
        simulate_ms_registry(n_patients=500, seed=5, parameters=short)
        .data.groupby("patient_id")
        .size()
    )
    assert sizes.max() <= 5
    assert short.expected_visits_per_patient() == pytest.approx(1.9375)


def test_simulator_rejects_bad_arguments():
    with pytest.raises(InvalidParameterError):
        simulate_ms_registry(n_patients=0)
    with pytest.raises(InvalidParameterError):
        simulate_ms_registry(n_patients=10, seed=1.5)  # type: ignore[arg-type]
    for seed in (-1, 2**32):  # numpy's own error named nothing
        with pytest.raises(InvalidParameterError, match=r"seed must be in \[0, 2\*\*32\)"):
            simulate_ms_registry(n_patients=10, seed=seed)
    with pytest.raises(InvalidParameterError):
        MSRegistryParameters(edss_max=9.25)
    with pytest.raises(InvalidParameterError):
        MSRegistryParameters(untreated_arr={"RR": 0.5})


def test_simulator_is_fast():
    start = time.perf_counter()
    ds = simulate_ms_registry(n_patients=10_000, seed=1)
    elapsed = time.perf_counter() - start
    assert ds.n_patients == 10_000
    assert elapsed < 5.0

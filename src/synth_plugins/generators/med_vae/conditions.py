"""Conditions on Med-VAE samples: parsing, the per-column store, matching and library pools."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.encoding.tabular import TabularEncoder
from synth_plugins.errors import (
    InvalidDataError,
    InvalidParameterError,
    caller_stacklevel,
    plain,
    warn,
)
from synth_plugins.generators.privacy import warn_per_call

PRESENT, ABSENT = "present", "absent"


@dataclass(frozen=True)
class Condition:
    """One parsed condition: a column and the values (or rule) it must hold."""

    column: str
    discrete: bool
    codes: tuple[int, ...] = ()  # discrete columns: accepted level codes
    levels: tuple[Any, ...] = ()  # discrete columns: accepted levels
    rule: str | None = None  # numeric columns: "present", "absent" or None (values)
    values: tuple[float, ...] = ()  # numeric columns: accepted values
    low: float = 0.0  # numeric columns: training minimum

    def describe(self) -> str:
        """Human-readable ``column=value`` text for error messages."""
        if self.discrete:
            levels = [plain(level) for level in self.levels]
            shown: Any = levels[0] if len(levels) == 1 else levels
        else:
            numbers = [_as_written(v) for v in self.values]
            shown = self.rule or (numbers[0] if len(numbers) == 1 else numbers)
        return f"{self.column}={shown!r}"

    def match_training(self, stored: np.ndarray) -> np.ndarray:
        """Mask of training rows satisfying the condition (missing values never match)."""
        if self.discrete:
            return np.isin(stored, np.asarray(self.codes))
        return self._match_numeric(stored)

    def match_frame(self, frame: pd.DataFrame) -> np.ndarray:
        """Mask of generated rows satisfying the condition."""
        series = frame[self.column]
        if self.discrete:
            return series.isin(list(self.levels)).to_numpy() & series.notna().to_numpy()
        return self._match_numeric(series.to_numpy(dtype=float, na_value=np.nan))

    def _match_numeric(self, values: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            if self.rule == PRESENT:
                return values > self.low
            if self.rule == ABSENT:
                return values == self.low
            wanted = np.asarray(self.values, dtype=float)
            return np.isclose(values[:, None], wanted[None, :], rtol=1e-9, atol=1e-9).any(1)


def store_conditions(encoder: TabularEncoder, data: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per column, what conditions are matched against: level codes or raw numbers.

    Discrete columns keep their level code (-1 where missing), numeric columns their raw
    value (NaN where missing), so missing values never match a condition. The raw values are
    needed: an exact numeric condition is matched against each row's value, and a value no
    row holds is refused with the nearest observed ones; so the fitted model holds them
    (method card, "A fitted model holds its training data"; not built with ``dp=True``).
    Datetime and identifier columns take no conditions and are not stored (a store of
    identifiers would keep real keys in the fitted model).
    """
    store: dict[str, np.ndarray] = {}
    for spec in encoder.specs:
        series = data[spec.name]
        if spec.role in ("identifier", "datetime"):
            continue
        if spec.is_discrete:
            lookup = {level: code for code, level in enumerate(spec.categories)}
            codes = series.astype(object).map(lookup).to_numpy(dtype=float, na_value=np.nan)
            store[spec.name] = np.nan_to_num(codes, nan=-1.0).astype(np.int32)
        else:
            store[spec.name] = encoder.numbers(data, spec.name)
    return store


def parse_conditions(
    encoder: TabularEncoder,
    store: Mapping[str, np.ndarray] | None,
    conditions: Mapping[str, Any] | None,
) -> list[Condition]:
    """Check ``conditions`` against the training schema and parse them.

    ``store`` (None in DP mode) holds the observed training values; without it a numeric
    value is accepted anywhere in the training range.
    """
    if conditions is None:
        return []
    if not isinstance(conditions, Mapping):
        raise InvalidParameterError(
            f"conditions must be a mapping {{column: value}}, got {type(conditions).__name__}"
        )
    parsed = []
    for column, wanted in conditions.items():
        if column not in encoder.columns:
            raise InvalidParameterError(
                f"conditions name an unknown column {column!r}; columns are {encoder.columns}"
            )
        spec = encoder.spec(column)
        if spec.role in ("identifier", "datetime"):
            raise InvalidParameterError(
                f"conditions on the {spec.role} column {column!r} are not supported "
                "(identifiers get fresh keys, dates are generated as times); condition "
                "on a numeric or discrete column"
            )
        values = (
            list(wanted)
            if isinstance(wanted, list | tuple | set | frozenset | np.ndarray | pd.Series)
            else [wanted]
        )
        if not values:
            raise InvalidParameterError(f"condition on {column!r} has no values")
        for value in values:
            if value is None or (isinstance(value, float) and math.isnan(value)):
                raise InvalidParameterError(
                    f"condition on {column!r}: conditioning on missing values is not supported"
                )
        if spec.is_discrete:
            lookup: dict[Any, int] = {}
            for code, level in enumerate(spec.categories):
                lookup.setdefault(level, code)
            codes = []
            for value in values:
                try:
                    codes.append(lookup[value])
                except (KeyError, TypeError):
                    raise InvalidParameterError(
                        f"condition {column}={value!r}: value never seen in training; "
                        f"known values: {[plain(c) for c in spec.categories[:20]]}"
                    ) from None
            levels = tuple(spec.categories[code] for code in codes)
            parsed.append(Condition(column, True, codes=tuple(codes), levels=levels))
            continue
        if len(values) == 1 and values[0] in (PRESENT, ABSENT):
            parsed.append(Condition(column, False, rule=values[0], low=spec.low))
            continue
        numbers = []
        for value in values:
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise InvalidParameterError(
                    f"condition {column}={value!r}: numeric column {column!r} takes "
                    "'present', 'absent', or numbers seen in training"
                )
            seen = (
                np.isclose(store[column], float(value), rtol=1e-9, atol=1e-9).any()
                if store is not None
                else spec.low <= float(value) <= spec.high
            )
            if not seen and store is None:
                raise InvalidParameterError(
                    f"condition {column}={value!r}: outside the training range "
                    f"{spec.low}..{spec.high}; use a value in that range"
                )
            if not seen:
                raise InvalidParameterError(
                    f"condition {column}={value!r}: no training row holds this value, and "
                    "conditional sampling decodes the posteriors of the training rows that "
                    f"do; the nearest observed values are {_nearest(store[column], value)}; "
                    "use one of them"
                )
            numbers.append(float(value))
        parsed.append(Condition(column, False, values=tuple(numbers), low=spec.low))
    return parsed


def fixed_numbers(parsed: list[Condition]) -> dict[str, float]:
    """The numeric conditions that ask for one exact value: ``{column: value}``."""
    return {
        c.column: c.values[0]
        for c in parsed
        if not c.discrete and c.rule is None and len(c.values) == 1
    }


def set_numbers(frame: pd.DataFrame, fixed: Mapping[str, float]) -> pd.DataFrame:
    """``frame`` with each column of ``fixed`` set to its value, in the column's dtype."""
    if not fixed:
        return frame
    frame = frame.copy()
    for column, value in fixed.items():
        dtype = frame[column].dtype
        whole = float(value).is_integer()
        keep = whole or not (pd.api.types.is_integer_dtype(dtype))
        frame[column] = pd.Series(value, index=frame.index).astype(dtype if keep else float)
    return frame


#: Below this share of rows holding the conditions, conditional sampling without rejection
#: warns: the latent alone no longer decides the asked levels.
HELD_WARNING_SHARE = 0.5


@dataclass(frozen=True)
class HeldConditions:
    """How many of a sampling call's rows hold the conditions asked for (``asked``)."""

    asked: str
    rows: int
    held: int

    def __add__(self, other: HeldConditions) -> HeldConditions:
        """The counts of both calls."""
        return HeldConditions(self.asked, self.rows + other.rows, self.held + other.held)


def warn_if_rarely_held(frame: pd.DataFrame, parsed: list[Condition]) -> None:
    """Warn when fewer than half of the rows hold the levels or rules they were asked for.

    Without ``enforce_conditions`` (the paper's conditional generation) rows are decoded from
    the posteriors of the training rows that hold the conditions, and a trained model
    decodes most of them back to the asked levels; an under-trained one may not. Exact
    numeric values are left out: decoded numbers land near them, not on them. Once per
    host call, with its rows, inside
    :func:`~synth_plugins.generators.privacy.one_warning_per_call`.
    """
    checked = [c for c in parsed if c.discrete or c.rule is not None]
    if not checked or frame.empty:
        return
    held = np.ones(len(frame), dtype=bool)
    for condition in checked:
        held &= condition.match_frame(frame)
    asked = ", ".join(c.describe() for c in checked)
    warn_per_call(_warn_rarely_held, HeldConditions(asked, len(frame), int(held.sum())), asked)


def _warn_rarely_held(tally: HeldConditions) -> None:
    """Warn, at the user's line, when fewer than half of the rows hold the conditions."""
    share = tally.held / tally.rows
    if share < HELD_WARNING_SHARE:
        warn(
            f"only {share:.0%} of the {tally.rows} rows hold the conditions ({tally.asked}): "
            "the model decodes them poorly (too few epochs?); enforce_conditions=True keeps "
            "only rows that hold them",
            stacklevel=caller_stacklevel(),
        )


def _as_written(value: float) -> int | float:
    """A stored numeric condition as the user wrote it: ``30.0`` back to ``30``."""
    return int(value) if float(value).is_integer() else float(value)


def _nearest(observed: np.ndarray, value: float) -> str:
    """The observed values just below and just above ``value``, as a message lists them."""
    distinct = np.unique(observed[~np.isnan(observed)])
    below, above = distinct[distinct < value], distinct[distinct > value]
    near = [*below[-1:], *above[:1]]
    return " and ".join(f"{v:g}" for v in near)


def matching_rows(
    parsed: list[Condition], store: Mapping[str, np.ndarray], n_library: int
) -> np.ndarray:
    """Mask of the ``n_library`` training rows satisfying every condition of ``parsed``."""
    mask = np.ones(n_library, dtype=bool)
    for condition in parsed:
        mask &= condition.match_training(store[condition.column])
    return mask


def library_pool(
    parsed: list[Condition],
    store: Mapping[str, np.ndarray],
    n_library: int,
    min_library_size: int,
) -> np.ndarray | None:
    """Indices of the library rows matching all conditions (None: the whole library)."""
    if not parsed:
        return None
    mask = matching_rows(parsed, store, n_library)
    matched = int(mask.sum())
    if matched < min_library_size:
        described = ", ".join(condition.describe() for condition in parsed)
        raise InvalidDataError(
            f"only {matched} training rows satisfy all conditions ({described}); "
            f"min_library_size={min_library_size} are needed. Relax the conditions "
            "or lower min_library_size"
        )
    return np.flatnonzero(mask)

"""Exact copies of training rows, held to the table's natural collision rate.

The suite's privacy rule: a synthetic row identical to a training row must be no more
frequent than a row of an equal-size real holdout identical to one. Real tables repeat
rows (a coded questionnaire, a small cohort with few distinct profiles), so the rule does
not forbid copies; it allows as many as a fresh real sample would have. That rate, the
*natural collision rate*, is estimated on the training rows alone by leave-one-out: the
share of training rows equal to another training row (for a row drawn from the same
population, the chance that it equals some training row, estimated without a holdout).

:class:`CopyFilter` is what a generator uses: fitted on its training frame, it replaces
the synthetic copies beyond ``floor(natural_rate_ * n)`` (chosen at random) by fresh
draws from the generator, for a few rounds, and warns if some remain (or if it replaced
many). A host whose one sampling call runs the generator on many batches (SDV's batches
and reject sampling, Synthcity's draws until enough rows meet the constraints) wraps the
call in :func:`one_warning_per_call`, so the warnings come once, with the call's totals.
Every warning a generator gives per sampling call goes through :func:`warn_per_call`
and is summed in the same block: CK4Gen's about the copies its binned re-draw keeps and
about ``outcome="copy"``, Med-VAE's about conditions the rows rarely hold.
:func:`synth_plugins.metrics.copies.exact_copies` measures the same quantities on any
output, with the same row comparison (:func:`row_hashes`).

Rows are compared on every column except identifiers (role ``identifier``: generators
give fresh keys, which would hide every copy). Two values are equal when they are equal
as numbers (``3`` and ``3.0``, ``-0.0`` and ``0.0``; booleans as 0/1; under a numeric
role, numbers written as text too), as instants (``datetime64`` values, whatever the
unit), or as values otherwise (a categorical level and the same text; mixed-type values
by their text). Every kind of missing value (``NaN``, ``None``, ``pd.NA``, ``NaT``) equals
every other, so rows with missing values are compared too. How a column compares is read
from the training frame and the roles (:func:`compared_columns`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal, Protocol, Self, TypeVar

import numpy as np
import pandas as pd

from synth_plugins.encoding.parsing import parse_numbers
from synth_plugins.encoding.roles import NUMERIC_ROLES, infer_role
from synth_plugins.errors import (
    InvalidDataError,
    InvalidParameterError,
    NotFittedError,
    caller_stacklevel,
    warn,
)

__all__ = [
    "DEFAULT_REDRAW_ROUNDS",
    "MANY_REPLACED",
    "MIN_REPLACED_TO_WARN",
    "CopyFilter",
    "CopyTally",
    "Tally",
    "collision_rate",
    "compared_columns",
    "one_warning_per_call",
    "row_hashes",
    "warn_per_call",
]

#: Rounds of fresh draws :meth:`CopyFilter.redraw` makes before it warns.
DEFAULT_REDRAW_ROUNDS = 8
#: Share of the rows beyond which :meth:`CopyFilter.redraw` warns that it replaces many.
MANY_REPLACED = 0.1
#: Fewest replaced rows :meth:`CopyFilter.redraw` warns about (per sampling call): in a
#: sample of a few rows the share is noise (one copy in three rows is 33 %).
MIN_REPLACED_TO_WARN = 5
#: Most fresh rows :meth:`CopyFilter.redraw` asks for per copy it replaces, in one round.
_MAX_OVERSAMPLING = 20
#: What a missing value becomes in a text column (one key for NaN, None and pd.NA).
_MISSING = "\x00<missing>"

Kind = Literal["number", "time", "value"]


class Tally(Protocol):
    """What a warning counts in one sampling call; ``+`` gives the counts of two calls."""

    def __add__(self, other: Self) -> Self:
        """The counts of both calls."""
        ...


T = TypeVar("T", bound=Tally)


@dataclass(frozen=True)
class CopyTally:
    """What a generator's copy handling did in one sampling call (or a block's totals).

    ``batches`` sampling calls of the generator (a host's batches or draws), ``rows``
    synthetic rows in all, ``replaced`` copies replaced by fresh
    draws, ``allowed`` copies the natural collision rate allowed, ``kept`` copies beyond
    the allowance left in the output. A generator that does not count one of them (CK4Gen
    counts only the rows kept) leaves it 0.
    """

    batches: int = 0
    rows: int = 0
    replaced: int = 0
    allowed: int = 0
    kept: int = 0

    def __add__(self, other: CopyTally) -> CopyTally:
        """The counts of both calls."""
        return CopyTally(
            **{name: value + getattr(other, name) for name, value in vars(self).items()}
        )

    def described_rows(self) -> str:
        """``"{rows} synthetic rows"``, with the number of calls when they were several."""
        rows = f"{self.rows} synthetic rows"
        if self.batches > 1:
            rows += f" (drawn in {self.batches} batches for this sampling call)"
        return rows


#: Each warning's summed tally (by warning and key) while :func:`one_warning_per_call`
#: runs; None outside it.
_CALL_TALLIES: ContextVar[dict[tuple[Callable[[Any], None], Hashable], Any] | None] = ContextVar(
    "synth_plugins_call_tallies", default=None
)


def warn_per_call(warning: Callable[[T], None], tally: T, key: Hashable = None) -> None:
    """Give one sampling call's warning: now, or once at the end of the enclosing block.

    ``warning(tally)`` warns, at the user's line
    (:func:`~synth_plugins.errors.caller_stacklevel`), about what ``tally`` counts, if it
    calls for a warning. Inside :func:`one_warning_per_call` the tallies given with the
    same ``warning`` and ``key`` are summed (``+``) and ``warning`` runs once, at the
    block's end, with the sum; outside it, now. A ``warning`` that is a method is one per
    object (bound methods are equal only for the same object), so two generators in one
    block keep their own totals; ``key`` keeps apart the calls of one warning about
    different things (the conditions asked for).
    """
    tallies = _CALL_TALLIES.get()
    if tallies is None:
        warning(tally)
        return
    summed = tallies.get((warning, key))
    tallies[(warning, key)] = tally if summed is None else summed + tally


@contextmanager
def one_warning_per_call() -> Iterator[None]:
    """Sum the warnings' tallies over the block; give each once at its end, with the totals.

    For a host's one public sampling call that runs the generator many times: SDV's
    ``sample`` draws ``batch_size`` rows at a time, and its reject sampling for conditions
    the model cannot meet calls it again with batches growing to ``10 * batch_size``;
    Synthcity's ``generate`` draws again until enough rows meet the constraints. Each
    draw's warnings (:func:`warn_per_call`: the copy handling's, :class:`CopyFilter` and
    CK4Gen's re-draw, CK4Gen's ``outcome="copy"``, Med-VAE's rarely held conditions) come
    per draw outside this block. Inside another such block, the tallies go to the outer
    one; when the block raises, nothing is reported (no rows are returned).
    """
    if _CALL_TALLIES.get() is not None:
        yield
        return
    tallies: dict[tuple[Callable[[Any], None], Hashable], Any] = {}
    token = _CALL_TALLIES.set(tallies)
    try:
        yield
    finally:
        _CALL_TALLIES.reset(token)
    for (warning, _), tally in tallies.items():
        warning(tally)


def compared_columns(data: pd.DataFrame, roles: Mapping[Any, str] | None = None) -> dict[Any, Kind]:
    """The columns rows are compared on, each with how its values compare.

    Every column but those whose role is ``identifier`` is compared. A column without a
    role in ``roles`` gets the inferred one (:func:`~synth_plugins.encoding.roles.infer_role`;
    a column with no observed value is compared, it cannot be a key). Columns of a numeric
    role (numbers written as text included), booleans and numeric dtypes compare as
    ``number``; ``datetime64`` columns as ``time`` (instants); the rest as ``value``.
    """
    given = dict(roles or {})
    kinds: dict[Any, Kind] = {}
    for column in data.columns:
        series = data[column]
        role = given.get(column)
        if role is None and series.notna().any():
            role = infer_role(series)
        if role == "identifier":
            continue
        dtype = series.dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            kinds[column] = "time"
        elif (
            role in NUMERIC_ROLES
            or pd.api.types.is_bool_dtype(dtype)
            or (pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype))
        ):
            kinds[column] = "number"
        else:
            kinds[column] = "value"
    return kinds


def _canonical(series: pd.Series, kind: Kind) -> Any:
    """One column's values in the form that makes equal values equal (see the module)."""
    if kind == "number":
        try:
            values = series.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            parsed = parse_numbers(series)  # numbers written as text
            if parsed is None:
                return _canonical(series, "value")  # not numbers here: compared as values
            values = parsed.to_numpy(dtype=float, na_value=np.nan)
        values = values + 0.0  # -0.0 -> 0.0
        values[np.isnan(values)] = np.nan  # one NaN bit pattern
        return values
    if kind == "time":
        try:
            times = pd.to_datetime(series)
        except (TypeError, ValueError):
            return _canonical(series, "value")
        if getattr(times.dt, "tz", None) is not None:
            times = times.dt.tz_convert("UTC").dt.tz_localize(None)
        return times.astype("datetime64[ns]").to_numpy().view(np.int64)  # NaT: one value
    values = series.astype(object).to_numpy(copy=True)
    values[pd.isna(values)] = _MISSING
    return values


def row_hashes(frame: pd.DataFrame, kinds: Mapping[Any, Kind]) -> np.ndarray:
    """A 64-bit hash of each row over the columns of ``kinds`` (equal rows hash alike).

    Raises:
        InvalidDataError: ``frame`` lacks one of the compared columns.
    """
    missing = [column for column in kinds if column not in frame.columns]
    if missing:
        raise InvalidDataError(
            f"the frame lacks compared columns {missing}; it has {list(frame.columns)}"
        )
    canonical = pd.DataFrame(
        {i: _canonical(frame[column], kind) for i, (column, kind) in enumerate(kinds.items())},
        index=pd.RangeIndex(len(frame)),
    )
    if canonical.shape[1] == 0:
        return np.zeros(len(frame), dtype=np.uint64)  # nothing compared: every row alike
    return pd.util.hash_pandas_object(canonical, index=False).to_numpy()


def collision_rate(hashes: np.ndarray) -> float:
    """The leave-one-out collision rate: share of rows equal to another row of the same set."""
    if len(hashes) == 0:
        return 0.0
    _, inverse, counts = np.unique(hashes, return_inverse=True, return_counts=True)
    return float(np.mean(counts[inverse] > 1))


class CopyFilter:
    """Keeps a generator's exact copies of training rows at the natural collision rate.

    Fit it on the training frame; :meth:`redraw` then lets at most
    ``floor(natural_rate_ * n)`` of ``n`` synthetic rows equal a training row, replacing the
    other copies (chosen at random) by fresh draws from the generator.

    Args:
        generator: the generator's name, used in the warning.
        max_rounds: rounds of fresh draws before the remaining copies are reported
            (``DEFAULT_REDRAW_ROUNDS``).

    Attributes:
        columns_: the compared columns (all but identifiers).
        kinds_: how each compared column is compared (``number``, ``time``, ``value``).
        natural_rate_: share of training rows equal to another training row (the
            allowance per synthetic row).
        n_train_: number of training rows.

    Example:
        >>> import numpy as np, pandas as pd
        >>> train = pd.DataFrame({"grade": [1, 1, 2, 3], "sex": ["F", "F", "M", "F"]})
        >>> guard = CopyFilter("example").fit(train)
        >>> guard.natural_rate_
        0.5
        >>> rng = np.random.default_rng(0)
        >>> def draw(k):
        ...     return pd.DataFrame({"grade": rng.integers(4, 9, k), "sex": ["M"] * k})
        >>> out = guard.redraw(train.copy(), draw, rng)
        >>> int(guard.is_copy(out).sum())
        2
    """

    def __init__(self, generator: str, max_rounds: int = DEFAULT_REDRAW_ROUNDS) -> None:
        if not isinstance(generator, str) or not generator:
            raise InvalidParameterError(f"generator must be a non-empty name, got {generator!r}")
        if isinstance(max_rounds, bool) or not isinstance(max_rounds, int) or max_rounds < 1:
            raise InvalidParameterError(f"max_rounds must be an int >= 1, got {max_rounds!r}")
        self.generator = generator
        self.max_rounds = max_rounds
        self.columns_: list[Any] = []
        self.kinds_: dict[Any, Kind] = {}
        self.natural_rate_: float | None = None
        self.n_train_: int = 0
        self._train_hashes: np.ndarray | None = None

    def fit(self, train: pd.DataFrame, roles: Mapping[Any, str] | None = None) -> CopyFilter:
        """Store the training rows' hashes and their collision rate; returns ``self``.

        Args:
            train: the generator's training frame.
            roles: role per column (as the generator resolved them); identifier columns
                are left out of the comparison, unnamed columns get the inferred role.

        Raises:
            InvalidDataError: ``train`` is not a DataFrame.
        """
        if not isinstance(train, pd.DataFrame):
            raise InvalidDataError(f"train must be a pandas DataFrame, got {type(train).__name__}")
        self.kinds_ = compared_columns(train, roles)
        self.columns_ = list(self.kinds_)
        hashes = row_hashes(train, self.kinds_)
        self.natural_rate_ = collision_rate(hashes)
        self.n_train_ = len(train)
        self._train_hashes = np.unique(hashes)
        return self

    def _fitted(self) -> np.ndarray:
        if self._train_hashes is None:
            raise NotFittedError("this CopyFilter is not fitted; call fit(train) first")
        return self._train_hashes

    def is_copy(self, frame: pd.DataFrame) -> np.ndarray:
        """Whether each row of ``frame`` equals a training row on the compared columns."""
        return np.isin(row_hashes(frame, self.kinds_), self._fitted())

    def allowance(self, n: int) -> int:
        """How many of ``n`` synthetic rows may equal a training row: ``floor(rate * n)``."""
        self._fitted()
        assert self.natural_rate_ is not None
        return math.floor(self.natural_rate_ * n + 1e-9)

    def redraw(
        self,
        synthetic: pd.DataFrame,
        draw: Callable[[int], pd.DataFrame],
        rng: np.random.Generator,
    ) -> pd.DataFrame:
        """``synthetic`` with its copies beyond the allowance replaced by fresh rows.

        Each round, the ``k`` copies beyond ``allowance(len(synthetic))`` are chosen at
        random (``rng``) and replaced, in place, by rows of ``draw(m)``: ``m`` new rows from
        the generator with the columns of ``synthetic`` (from the generator's own random
        stream, so the result is deterministic for a seeded generator), rows that are not
        copies first. ``m = ceil(1.2 k / (1 - p))``, ``p`` the share of copies in the last
        draw (at first in ``synthetic``), at most ``20 k``: a generator that copies often
        is rejection-sampled in few rounds. After ``max_rounds`` rounds, copies still beyond
        the allowance are kept and a :class:`~synth_plugins.errors.SynthPluginsWarning`
        names the generator and the counts; another warns when more than
        ``MANY_REPLACED`` of the rows (and at least ``MIN_REPLACED_TO_WARN``) were replaced.
        Both are given once per :func:`one_warning_per_call` block, with its totals, and
        per call outside one.

        Raises:
            InvalidDataError: ``draw(m)`` does not return ``m`` rows with the columns of
                ``synthetic``.
        """
        self._fitted()
        allowed = self.allowance(len(synthetic))
        frame = synthetic
        copies = np.flatnonzero(self.is_copy(frame))
        share = len(copies) / max(len(frame), 1)
        replaced = max(len(copies) - allowed, 0)
        for _ in range(self.max_rounds):
            excess = len(copies) - allowed
            if excess <= 0:
                break
            chosen = np.sort(rng.choice(copies, size=excess, replace=False))
            m = min(math.ceil(1.2 * excess / max(1.0 - share, 1 / _MAX_OVERSAMPLING)),
                    _MAX_OVERSAMPLING * excess)  # fmt: skip
            fresh = _checked(draw(m), m, frame.columns)
            fresh_copy = self.is_copy(fresh)
            share = float(fresh_copy.mean())
            best = np.argsort(fresh_copy, kind="stable")[:excess]  # non-copies first
            frame = _replace(frame, chosen, fresh.iloc[best])
            copies = np.flatnonzero(self.is_copy(frame))
        kept = max(len(copies) - allowed, 0)
        warn_per_call(self.warn_copies, CopyTally(1, len(frame), replaced, allowed, kept))
        return frame

    def warn_copies(self, tally: CopyTally) -> None:
        """Warn, at the user's line, about many replaced rows and about copies kept.

        Replaced rows warn from more than ``MANY_REPLACED`` of the rows and at least
        ``MIN_REPLACED_TO_WARN``: the natural rate is estimated from the training rows' own
        duplicates, so a table that was deduplicated, or whose few distinct profiles each
        appear once, reads 0 where a fresh sample of the population would repeat many
        training rows, and the filter then removes the most common profiles (a 3-level
        column's commonest level fell from 64 % to 34 % in a probe).
        """
        rows = tally.described_rows()
        if tally.replaced >= MIN_REPLACED_TO_WARN and tally.replaced / tally.rows > MANY_REPLACED:
            warn(
                f"{self.generator}: the copy filter replaces {tally.replaced} of {rows} "
                "that equal a training row (the allowance is the rate at which the training "
                f"rows repeat one another, {self.natural_rate_:.3g}). Either the generator "
                "reproduces its training rows, or the table was deduplicated or holds few "
                "distinct profiles, so that rate is too low and the filter distorts the "
                "distribution: compare with a holdout "
                "(synth_plugins.metrics.copies.exact_copies) before choosing "
                "redraw_copies=False",
                stacklevel=caller_stacklevel(),
            )
        if tally.kept:
            warn(
                f"{self.generator}: {tally.kept} of {rows} equal a training row beyond the "
                f"{tally.allowed} that the table's natural collision rate "
                f"({self.natural_rate_:.3g}) allows, after {self.max_rounds} rounds of fresh "
                "draws; they are kept",
                stacklevel=caller_stacklevel(),
            )


def _checked(fresh: Any, m: int, columns: pd.Index) -> pd.DataFrame:
    """``draw(m)``'s output, checked: ``m`` rows with ``columns``."""
    if not isinstance(fresh, pd.DataFrame) or len(fresh) != m:
        got = f"{len(fresh)} rows" if isinstance(fresh, pd.DataFrame) else type(fresh).__name__
        raise InvalidDataError(f"draw({m}) must return a DataFrame of {m} rows, got {got}")
    if list(fresh.columns) != list(columns):
        raise InvalidDataError(
            f"draw() returned columns {list(fresh.columns)}, expected {list(columns)}"
        )
    return fresh


def _replace(frame: pd.DataFrame, positions: np.ndarray, fresh: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the rows at ``positions`` replaced by ``fresh``'s, order and index kept."""
    keep = np.setdiff1d(np.arange(len(frame)), positions)
    stacked = pd.concat([frame.iloc[keep], fresh], ignore_index=True)
    order = np.argsort(np.concatenate([keep, positions]), kind="stable")
    result = stacked.iloc[order]
    result.index = frame.index
    return result

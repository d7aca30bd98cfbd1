"""The shared tabular encoder: mixed-type medical tables to a numeric matrix and back.

Every generator of the suite models the same numeric layout, so that column roles, missing
values, rounding and range handling are decided once:

- ``numerical`` / ``integer`` columns become one column min-max scaled to [0, 1] with the
  training minimum and maximum; on the way back they are clipped to the training range and
  rounded (to whole numbers for ``integer``, to the number of decimals seen in training for
  ``numerical``).
- ``binary`` columns become one 0/1 column (1 is the second level in sorted order).
- ``categorical`` and ``ordinal`` columns become one-hot blocks (ordinal levels keep their
  order, so block position ``k`` is the ``k``-th level).
- ``datetime`` columns become one numerical column (days since 1970-01-01, min-max scaled);
  on the way back values outside [0, 1] are folded back into it (clipping would pile rows
  onto the earliest and latest training datetimes), then rounded to the coarsest of day,
  hour, minute and second that every training value fits, and written in the input's
  ``datetime64`` dtype (time zone included) or, for dates given as text, in its format.
- ``identifier`` columns are not modelled (no block): ``inverse_transform`` gives every row a
  fresh key that never equals a training value: for whole-number keys ``10**d, 10**d + 1,
  ...``, ``d`` the number of digits of the largest training key (so the output does not
  reveal that key, as ``high + 1`` would), ``<prefix><i>`` for text keys, with a prefix no
  training key starts with.
- Numbers written as text (``"26.31"``) under a numeric role are parsed and come back as
  numbers (float for ``numerical``, whole numbers for ``integer``), not as strings.
- Missing values follow ``missing``:
  ``"indicator"`` (default) fills the value position (training median for numeric columns,
  training mode for discrete ones) and adds a 0/1 missingness column, so generators learn
  where values are missing and ``inverse_transform`` writes NaN back;
  ``"impute"`` fills the same way without an indicator (outputs never contain NaN);
  ``"error"`` refuses missing values.

``blocks`` describes the layout so model heads can be built per block (sigmoid for
numerical and binary blocks, softmax per categorical block).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from synth_plugins.encoding.labels import check_labels
from synth_plugins.encoding.levels import observed_levels
from synth_plugins.encoding.parsing import (
    from_days,
    parse_numbers,
    text_date_format,
    time_step,
    to_days,
)
from synth_plugins.encoding.roles import (
    DISCRETE_ROLES,
    NUMERIC_ROLES,
    Role,
    check_whole_numbers,
    infer_roles,
    warn_hidden_dates,
)
from synth_plugins.errors import (
    InvalidDataError,
    InvalidParameterError,
    NotFittedError,
    infinite_values,
)

MissingPolicy = Literal["indicator", "impute", "error"]
BlockKind = Literal["numerical", "binary", "categorical", "missing"]

_MAX_DECIMALS = 6
#: How far a value may sit from its rounding and still count as exact (relative).
_FLOAT64_RTOL = 1e-9
_FLOAT32_RTOL = 1e-6
#: Most a value may move, as a share of its column's spread, when written at 6 decimals.
_SPREAD_RTOL = 1e-5
#: Fresh text keys start with this (made longer until no training key starts with it).
KEY_PREFIX = "synthetic_"


@dataclass(frozen=True)
class ColumnSpec:
    """What the encoder learned about one column during ``fit``."""

    #: the column's label in the training frame: text as a rule, but a frame built from
    #: an array has integer labels, and they come back as given
    name: Hashable
    role: Role
    dtype: Any
    categories: tuple[Any, ...] = ()
    low: float = 0.0
    high: float = 0.0
    decimals: int | None = None
    has_missing: bool = False
    fill_value: Any = None
    #: ``datetime`` columns given as text: their ``strftime`` format (None for datetime64)
    text_format: str | None = None
    #: ``datetime`` columns: rounding step of generated values, in nanoseconds (0: none)
    step: int = 0
    #: text ``identifier`` columns: the prefix of fresh keys ("" for whole-number keys)
    key_prefix: str = ""

    @property
    def is_discrete(self) -> bool:
        """Whether the column is modelled as levels (binary, categorical, ordinal)."""
        return self.role in DISCRETE_ROLES

    @property
    def is_modelled(self) -> bool:
        """Whether the column has a block in the encoded matrix (identifiers have none)."""
        return self.role != "identifier"


@dataclass(frozen=True)
class Block:
    """A slice ``[start, stop)`` of the encoded matrix that belongs to one column."""

    column: Hashable
    kind: BlockKind
    start: int
    stop: int

    @property
    def width(self) -> int:
        """Number of encoded columns in the block."""
        return self.stop - self.start


def decimals_of(values: np.ndarray, dtype: Any = None) -> int | None:
    """The decimals generated values of a column are rounded to (None: not rounded).

    The suite's one rule for the precision of generated numbers: numeric columns of the
    encoder and the copula, the LSTM's visit times, CK4Gen's durations. It asks what the
    numbers need; :func:`text_decimals` asks how wide a column's text writes them.
    The smallest ``d`` <= 6 at which rounding changes no value by more than its storage
    precision: a relative ``1e-9`` for ``float64`` (``0.1 + 0.2`` has one decimal),
    ``1e-6`` where ``dtype`` is ``float32`` (whose ``0.1`` is ``0.10000000149...``).
    Values with more decimals get 6 when rounding there moves none of them by more than a
    hundred-thousandth of the column's spread (ages written with 13 decimals), and None when it
    would (concentrations of ``1e-8``, which 6 decimals would make zeros).
    """
    dtype = getattr(dtype, "numpy_dtype", dtype)  # pandas' nullable Float32
    rtol = _FLOAT32_RTOL if dtype == np.float32 else _FLOAT64_RTOL
    magnitude = np.abs(values)
    for decimals in range(_MAX_DECIMALS + 1):
        deviation = np.abs(values - np.round(values, decimals))
        if np.all(deviation <= rtol * magnitude):
            return decimals
    spread = float(values.std()) or float(magnitude.max())
    return _MAX_DECIMALS if deviation.max() <= _SPREAD_RTOL * spread else None


def text_decimals(series: pd.Series) -> int:
    """The decimals a column of numbers written as text is written with: the widest fraction.

    Trailing zeros count (``["1.50", "2.25", "3.000"]`` gives 3, where :func:`decimals_of`
    of the numbers gives 2): generated numbers are written back as text that wide, so a
    column written ``"3.000"`` keeps its look. The numbers themselves are rounded by
    :func:`decimals_of`. A number in scientific notation counts the decimals it stands for
    (``"2.5e-05"``: 6, ``"1e-05"``: 5, ``"1.2e3"``: 0), so that writing it back in fixed
    point keeps its value.
    """
    parts = series.dropna().astype(str).str.strip().str.extract(r"(?:\.(\d*))?(?:[eE]([-+]?\d+))?$")
    fractions = parts[0].fillna("").str.len()
    exponents = pd.to_numeric(parts[1], errors="coerce").fillna(0).astype(int)
    return int((fractions - exponents).clip(lower=0).max())


def _fresh_prefix(keys: pd.Series) -> str:
    """A prefix that no training key starts with, so ``<prefix><i>`` is never a training key."""
    texts = keys.astype(str)
    prefix = KEY_PREFIX
    while texts.str.startswith(prefix).any():
        prefix += "x_"
    return prefix


def check_observed(data: pd.DataFrame | pd.Series) -> None:
    """Refuse columns without an observed value: their role, range and levels are unknown.

    Every such column of ``data`` (a table, or one column) is named at once.
    """
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    empty = [column for column in frame.columns if frame[column].isna().all()]
    if len(empty) == 1:
        raise InvalidDataError(
            f"column {empty[0]!r} has no observed values (all missing); drop it first"
        )
    if empty:
        raise InvalidDataError(
            f"columns {empty} have no observed values (all missing); drop them first"
        )


def identifier_spec(series: pd.Series) -> ColumnSpec:
    """What :func:`fresh_keys` needs to know of an ``identifier`` column's training keys.

    Its largest whole-number key (exact, also beyond 2**53 for integer dtypes), or for text
    keys a prefix no training key starts with.

    Raises:
        InvalidDataError: a numeric identifier column holds infinite values, or keys so
            long that fresh keys above them do not fit in 64 bits.
    """
    name, observed = series.name, series.dropna()
    has_missing = bool(series.isna().any())
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if numeric:
        values = observed.to_numpy(dtype=float)
        if not np.all(np.isfinite(values)):
            raise infinite_values(name)
        whole = pd.api.types.is_integer_dtype(series.dtype)
        high = int(observed.max()) if whole else int(np.floor(values.max()))
        if _first_fresh_key(high) > _largest_key(series.dtype):  # 19 digits, 20 in uint64
            raise InvalidDataError(
                f"identifier column {name!r} has keys of {len(str(high))} digits: fresh "
                "whole-number keys above them would not fit in 64 bits; give the keys as "
                "text (fresh text keys get a prefix no training key has)"
            )
        return ColumnSpec(
            name, "identifier", series.dtype, low=float(values.min()), high=high,
            has_missing=has_missing,
        )  # fmt: skip
    prefix = _fresh_prefix(observed)
    return ColumnSpec(name, "identifier", series.dtype, has_missing=has_missing, key_prefix=prefix)


def fresh_keys(spec: ColumnSpec, n: int, start: int = 0) -> pd.Series:
    """``n`` new keys of an identifier column (see :func:`identifier_spec`), none a training key.

    Keys ``start .. start + n - 1`` of the column's sequence: ``10**d + i`` for whole-number
    keys (``d`` the number of digits of the largest training key; in 64-bit integers where
    the column's dtype would not hold them exactly: int32 near 2**31, floats beyond 2**53),
    ``<prefix><i>`` for text keys (see the module docstring).
    """
    positions = np.arange(start, start + n, dtype=np.int64)
    if spec.key_prefix:
        text = isinstance(spec.dtype, pd.StringDtype)  # pandas' string dtype is kept
        return pd.Series(
            [f"{spec.key_prefix}{i}" for i in positions], dtype=spec.dtype if text else object
        )
    first = _first_fresh_key(int(spec.high))
    if first > np.iinfo(np.int64).max:  # uint64 keys of 19 digits
        keys = pd.Series(np.uint64(first) + positions.astype(np.uint64))
    else:
        keys = pd.Series(first + positions)
    numbers = getattr(spec.dtype, "numpy_dtype", spec.dtype)  # pandas' Int32 holds int32
    if isinstance(numbers, np.dtype) and numbers.kind in "iuf" and len(keys):
        exact = np.iinfo(numbers).max if numbers.kind in "iu" else 2 ** np.finfo(numbers).nmant
        if keys.iloc[-1] > exact:  # int32 keys near 2**31, float keys of 16 digits
            nullable = isinstance(spec.dtype, pd.api.extensions.ExtensionDtype)
            return keys.astype("Int64" if nullable or numbers.kind == "f" else np.int64)
    try:
        return keys.astype(spec.dtype)
    except (TypeError, ValueError):  # pragma: no cover - exotic dtypes
        return keys


def _largest_key(dtype: Any) -> int:
    """The largest fresh whole-number key a column of ``dtype`` can be given.

    That of unsigned 64-bit integers for a ``uint64`` (or ``UInt64``) column, else that of
    signed ones (narrower dtypes are widened to int64, see :func:`fresh_keys`).
    """
    numbers = getattr(dtype, "numpy_dtype", dtype)
    unsigned = isinstance(numbers, np.dtype) and numbers == np.uint64
    return int(np.iinfo(np.uint64 if unsigned else np.int64).max)


def _first_fresh_key(high: int) -> int:
    """The first fresh whole-number key: the power of ten above every training key.

    Not ``high + 1``, which would tell anyone the largest real record number.
    """
    return 10 ** len(str(max(high, 0)))


def datetime_spec(series: pd.Series) -> ColumnSpec:
    """What a ``datetime`` column is modelled as (days) and written back with.

    Its range and median in days since 1970-01-01, the rounding step of generated values,
    and its text format (None for ``datetime64`` columns).

    Raises:
        InvalidDataError: the column holds neither datetime64 values nor dates written as
            text in one format.
    """
    name = series.name
    fmt = None
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        fmt = text_date_format(series)
        if fmt is None:
            raise InvalidDataError(
                f"column {name!r} has role 'datetime' but holds neither datetime64 "
                f"values nor dates written in one format (e.g. '2019-03-07'); got dtype "
                f"{series.dtype}, values such as {list(series.dropna().astype(str)[:3])}"
            )
    days = to_days(series, fmt)
    days = days[~np.isnan(days)]
    return ColumnSpec(
        name, "datetime", series.dtype, low=float(days.min()), high=float(days.max()),
        has_missing=bool(series.isna().any()), fill_value=float(np.median(days)),
        text_format=fmt, step=time_step(series, fmt),
    )  # fmt: skip


class TabularEncoder:
    """Encode a mixed-type table to a float matrix and decode generator output back.

    Args:
        roles: role per column (see ``synth_plugins.encoding.roles``); columns not named
            are inferred from their values.
        missing: the missing-value policy, ``"indicator"``, ``"impute"`` or ``"error"``.
        ordinal_levels: explicit level order for ordinal columns, e.g.
            ``{"tgrade": ["I", "II", "III"]}``.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"age": [50.0, 61.5, 70.0], "sex": ["F", "M", "F"]})
        >>> enc = TabularEncoder().fit(df)
        >>> enc.transform(df).shape
        (3, 2)
        >>> enc.inverse_transform(enc.transform(df)).equals(df)
        True
    """

    def __init__(
        self,
        roles: Mapping[str, str] | None = None,
        missing: MissingPolicy = "indicator",
        ordinal_levels: Mapping[str, Sequence[Any]] | None = None,
    ) -> None:
        if missing not in ("indicator", "impute", "error"):
            raise InvalidParameterError(
                f"missing must be 'indicator', 'impute' or 'error', got {missing!r}"
            )
        self.roles = dict(roles or {})
        self.missing = missing
        self.ordinal_levels = {k: tuple(v) for k, v in (ordinal_levels or {}).items()}
        self.specs_: list[ColumnSpec] | None = None
        self.blocks_: list[Block] | None = None

    # ------------------------------------------------------------------ fitting
    def fit(self, data: pd.DataFrame) -> TabularEncoder:
        """Learn roles, levels, ranges, rounding and fill values from training data."""
        if not isinstance(data, pd.DataFrame):
            raise InvalidDataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        if data.empty or len(data.columns) == 0:
            raise InvalidDataError("data is empty: at least one row and one column are needed")
        duplicated = data.columns[data.columns.duplicated()].tolist()
        if duplicated:
            raise InvalidDataError(f"data has duplicated column names: {duplicated}")
        check_labels(data.columns)
        check_observed(data)
        warn_hidden_dates(data, self.roles)
        roles = infer_roles(data, self.roles)
        specs = [self._fit_column(data[column], roles[column]) for column in data.columns]
        if not any(spec.is_modelled for spec in specs):
            raise InvalidDataError(
                f"no column to model: every column is an identifier {list(data.columns)}; "
                "declare a role for the ones to model (e.g. roles={'col': 'categorical'})"
            )
        self.specs_ = specs
        self.blocks_ = self._layout(specs)
        return self

    def _fit_column(self, series: pd.Series, role: Role) -> ColumnSpec:
        name = series.name
        has_missing = bool(series.isna().any())
        if has_missing and self.missing == "error":
            raise InvalidDataError(
                f"column {name!r} has {int(series.isna().sum())} missing values and "
                "missing='error'; use missing='indicator' or 'impute', or fill them first"
            )
        observed = series.dropna()
        if role == "identifier":
            return identifier_spec(series)
        if role == "datetime":
            return datetime_spec(series)
        if role in DISCRETE_ROLES:
            if any(isinstance(v, float | np.floating) and np.isinf(v) for v in pd.unique(observed)):
                raise infinite_values(name)
            categories = self._levels(series, role)
            if role == "binary" and len(categories) > 2:
                raise InvalidDataError(
                    f"column {name!r} has role 'binary' but {len(categories)} levels: "
                    f"{list(categories)[:10]}; declare it 'categorical'"
                )
            mode = observed.mode(dropna=True).iloc[0]
            return ColumnSpec(
                name, role, series.dtype, categories=categories,
                has_missing=has_missing, fill_value=mode,
            )  # fmt: skip
        values = column_numbers(series, ColumnSpec(name, role, series.dtype))
        values = values[~np.isnan(values)]
        if not np.all(np.isfinite(values)):
            raise infinite_values(name)
        if role == "integer":
            check_whole_numbers(values, name)
        decimals = 0 if role == "integer" else decimals_of(values, series.dtype)
        return ColumnSpec(
            name, role, series.dtype, low=float(values.min()), high=float(values.max()),
            decimals=decimals, has_missing=has_missing, fill_value=float(np.median(values)),
        )  # fmt: skip

    def _levels(self, series: pd.Series, role: Role) -> tuple[Any, ...]:
        name = series.name
        observed = set(pd.unique(series.dropna()))
        if name in self.ordinal_levels:
            levels = self.ordinal_levels[name]
            unknown = observed - set(levels)
            if unknown:
                raise InvalidDataError(
                    f"column {name!r} has values {sorted(map(str, unknown))} that are not in "
                    f"ordinal_levels {list(levels)}"
                )
            return levels
        return tuple(observed_levels(series, role))

    def _layout(self, specs: list[ColumnSpec]) -> list[Block]:
        blocks: list[Block] = []
        position = 0
        for spec in specs:
            if not spec.is_modelled:
                continue
            if spec.role in ("categorical", "ordinal"):
                kind: BlockKind = "categorical"
                width = len(spec.categories)
            else:
                kind = "binary" if spec.role == "binary" else "numerical"
                width = 1
            blocks.append(Block(spec.name, kind, position, position + width))
            position += width
            if spec.has_missing and self.missing == "indicator":
                blocks.append(Block(spec.name, "missing", position, position + 1))
                position += 1
        return blocks

    # ------------------------------------------------------------------ accessors
    def _fitted(self) -> tuple[list[ColumnSpec], list[Block]]:
        if self.specs_ is None or self.blocks_ is None:
            raise NotFittedError("the TabularEncoder is not fitted; call fit(data) first")
        return self.specs_, self.blocks_

    @property
    def specs(self) -> list[ColumnSpec]:
        """One ``ColumnSpec`` per column, in the training column order."""
        return self._fitted()[0]

    @property
    def blocks(self) -> list[Block]:
        """The encoded layout, one block per column plus one per missingness indicator."""
        return self._fitted()[1]

    @property
    def columns(self) -> list[Hashable]:
        """The training columns, in order."""
        return [spec.name for spec in self.specs]

    @property
    def n_features(self) -> int:
        """Width of the encoded matrix."""
        blocks = self.blocks
        return blocks[-1].stop if blocks else 0

    def spec(self, column: Hashable) -> ColumnSpec:
        """The ``ColumnSpec`` of one column (clear error for an unknown name)."""
        for spec in self.specs:
            if spec.name == column:
                return spec
        raise InvalidParameterError(f"unknown column {column!r}; columns are {self.columns}")

    # ------------------------------------------------------------------ encoding
    def _check_columns(self, data: pd.DataFrame) -> None:
        if not isinstance(data, pd.DataFrame):
            raise InvalidDataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        missing = [c for c in self.columns if c not in data.columns]
        extra = [c for c in data.columns if c not in self.columns]
        if missing or extra:
            raise InvalidDataError(
                f"data columns do not match the fitted columns: missing {missing}, "
                f"unexpected {extra}"
            )

    def codes(self, data: pd.DataFrame, column: Hashable) -> np.ndarray:
        """Integer level codes of a discrete column (missing -> the fill level's code)."""
        spec = self.spec(column)
        if not spec.is_discrete:
            raise InvalidParameterError(f"column {column!r} is {spec.role}, not discrete")
        series = data[column]
        if spec.has_missing:
            series = series.where(series.notna(), spec.fill_value)
        elif series.isna().any():
            raise InvalidDataError(
                f"column {column!r} has missing values but had none in training data"
            )
        lookup = {level: code for code, level in enumerate(spec.categories)}
        codes = series.map(lookup)
        if codes.isna().any():
            unseen = sorted(map(str, pd.unique(series[codes.isna()])))
            raise InvalidDataError(
                f"column {column!r} has values {unseen[:10]} not seen in training "
                f"(known: {list(spec.categories)[:20]})"
            )
        return codes.to_numpy(dtype=np.int64)

    def transform(self, data: pd.DataFrame) -> np.ndarray:
        """Encode ``data`` (same columns as in ``fit``) to a float32 matrix."""
        specs, blocks = self._fitted()
        self._check_columns(data)
        out = np.zeros((len(data), self.n_features), dtype=np.float32)
        by_column = {spec.name: spec for spec in specs}
        for block in blocks:
            spec = by_column[block.column]
            series = data[spec.name]
            if block.kind == "missing":
                out[:, block.start] = series.isna().to_numpy(dtype=np.float32)
            elif block.kind == "numerical":
                out[:, block.start] = self._scale(series, spec)
            elif block.kind == "binary":
                out[:, block.start] = self.codes(data, spec.name)
            else:
                out[np.arange(len(data)), block.start + self.codes(data, spec.name)] = 1.0
        return out

    def numbers(self, data: pd.DataFrame, column: Hashable) -> np.ndarray:
        """The values the model sees, unscaled, of a numeric or datetime column (NaN: missing).

        Numbers for ``numerical``/``integer`` columns (text is parsed), days since
        1970-01-01 for ``datetime`` columns.
        """
        spec = self.spec(column)
        if spec.role not in NUMERIC_ROLES and spec.role != "datetime":
            raise InvalidParameterError(f"column {column!r} is {spec.role}, not numeric")
        return column_numbers(data[column], spec)

    def fill_vector(self) -> np.ndarray:
        """The encoding of a row whose every value is its column's fill value (observed)."""
        specs, blocks = self._fitted()
        by_column = {spec.name: spec for spec in specs}
        vector = np.zeros(self.n_features, dtype=np.float32)
        for block in blocks:
            spec = by_column[block.column]
            if block.kind == "numerical":
                span = spec.high - spec.low
                vector[block.start] = (spec.fill_value - spec.low) / span if span > 0 else 0.0
            elif block.kind in ("binary", "categorical"):
                code = list(spec.categories).index(spec.fill_value)
                if block.kind == "binary":
                    vector[block.start] = code
                else:
                    vector[block.start + code] = 1.0
        return vector

    def fresh_keys(self, column: Hashable, n: int, start: int = 0) -> pd.Series:
        """``n`` new keys of an identifier column, none equal to a training key.

        Keys ``start .. start + n - 1`` of the column's sequence (see :func:`fresh_keys`).
        """
        spec = self.spec(column)
        if spec.role != "identifier":
            raise InvalidParameterError(f"column {column!r} is {spec.role}, not an identifier")
        return fresh_keys(spec, n, start)

    def _scale(self, series: pd.Series, spec: ColumnSpec) -> np.ndarray:
        values = column_numbers(series, spec)
        missing = np.isnan(values)
        if missing.any() and not spec.has_missing:
            raise InvalidDataError(
                f"column {spec.name!r} has missing values but had none in training data"
            )
        values = np.where(missing, spec.fill_value, values)
        span = spec.high - spec.low
        return (values - spec.low) / span if span > 0 else np.zeros_like(values)

    # ------------------------------------------------------------------ decoding
    def inverse_transform(self, matrix: np.ndarray) -> pd.DataFrame:
        """Decode a generator's output matrix to a frame with the training schema.

        Numeric blocks are clipped to [0, 1] then mapped back to the training range and
        rounded; binary blocks are thresholded at 0.5; categorical blocks take the arg-max;
        a missingness indicator at or above 0.5 writes a missing value.
        """
        specs, blocks = self._fitted()
        matrix = np.asarray(matrix, dtype=float)
        if matrix.ndim != 2 or matrix.shape[1] != self.n_features:
            raise InvalidDataError(
                f"expected a matrix with {self.n_features} columns, got shape {matrix.shape}"
            )
        if not np.all(np.isfinite(matrix)):
            raise InvalidDataError("the matrix to decode contains NaN or infinite values")
        by_column = {spec.name: spec for spec in specs}
        decoded: dict[Hashable, pd.Series] = {}
        is_missing: dict[Hashable, np.ndarray] = {}
        for block in blocks:
            spec = by_column[block.column]
            part = matrix[:, block.start : block.stop]
            if block.kind == "missing":
                is_missing[spec.name] = part[:, 0] >= 0.5
            elif block.kind == "numerical":
                decoded[spec.name] = self._unscale(part[:, 0], spec)
            else:
                codes = (
                    (part[:, 0] >= 0.5).astype(int) if block.kind == "binary" else part.argmax(1)
                )
                levels = np.asarray(spec.categories, dtype=object)
                decoded[spec.name] = pd.Series(levels[np.minimum(codes, len(levels) - 1)])
        n_rows = len(matrix)
        for spec in specs:
            if spec.role == "identifier":
                decoded[spec.name] = self.fresh_keys(spec.name, n_rows)
            elif spec.role == "datetime":
                days = decoded[spec.name].to_numpy(dtype=float)
                missing = is_missing.get(spec.name)
                if missing is not None:
                    days = np.where(missing, np.nan, days)
                decoded[spec.name] = from_days(days, spec.dtype, spec.text_format, spec.step)
            else:
                decoded[spec.name] = restore_dtype(
                    decoded[spec.name], spec, is_missing.get(spec.name)
                )
        return pd.DataFrame({spec.name: decoded[spec.name] for spec in specs})

    @staticmethod
    def _unscale(values: np.ndarray, spec: ColumnSpec) -> pd.Series:
        if spec.role == "datetime":  # fold, not clip: clipping piles rows onto the
            values = fold_into(values, 0.0, 1.0)  # earliest and latest training datetimes
        restored = spec.low + np.clip(values, 0.0, 1.0) * (spec.high - spec.low)
        if spec.decimals is not None:
            restored = np.round(restored, spec.decimals)
        return pd.Series(np.clip(restored, spec.low, spec.high))


def restore_dtype(series: pd.Series, spec: ColumnSpec, missing: np.ndarray | None) -> pd.Series:
    """Decoded values of a numeric or discrete column, missing where ``missing``, in its dtype.

    The training dtype where it can hold the values: a numeric column read from text comes
    back as numbers (``int64`` for ``integer``, else ``float64``); where values are missing,
    a numpy integer or bool column comes back as ``float64`` and other dtypes that cannot
    hold a missing value as ``object``; values the dtype refuses are returned as they are.
    """
    if missing is not None and missing.any():
        series = series.astype(object if spec.is_discrete else float)
        series[missing] = np.nan
    dtype = spec.dtype
    if spec.role in NUMERIC_ROLES and not pd.api.types.is_numeric_dtype(dtype):
        dtype = np.int64 if spec.role == "integer" else np.float64  # parsed from text
    if isinstance(dtype, pd.CategoricalDtype):
        return series.astype(dtype)
    return in_dtype(series, dtype)


def in_dtype(series: pd.Series, dtype: Any) -> pd.Series:
    """Generated values of a column in its training ``dtype``, where that can hold them.

    Numpy floats (float32 included) and pandas' nullable dtypes (``Int64``, ``Float64``,
    ``boolean``, ``string``) hold missing values, so they are kept; where values are
    missing, a numpy integer or bool column comes back as ``float64`` and other numpy
    dtypes as they are. Values the dtype refuses are returned as they are.
    """
    holds_missing = isinstance(dtype, pd.api.extensions.ExtensionDtype) or (
        pd.api.types.is_float_dtype(dtype)
    )
    if series.isna().any() and not holds_missing:
        return series.astype(float) if pd.api.types.is_numeric_dtype(dtype) else series
    try:
        return series.astype(dtype)
    except (TypeError, ValueError):
        return series


def fold_into(values: np.ndarray, low: Any, high: Any) -> np.ndarray:
    """``values`` reflected back and forth at ``low`` and ``high`` until inside the range.

    A triangle wave of period ``2 * (high - low)``: a value less than one width past an
    end lands as far inside from that end, one further out keeps folding, so every value
    ends up in ``[low, high]``, and only a value a whole number of widths from ``low``
    lands on an end. Clipping would put every value
    beyond an end on it: the most extreme training row's exact value, repeated (a copy of
    that patient's value). ``low`` and ``high`` may be arrays broadcasting against
    ``values`` (one range per column); where ``high == low`` the result is ``low``.
    Computed in the dtype of floating ``values``; NaN stays NaN.
    """
    values = np.asarray(values)
    if not np.issubdtype(values.dtype, np.floating):
        values = values.astype(np.float64)
    low = np.asarray(low, dtype=values.dtype)
    width = np.asarray(high, dtype=values.dtype) - low
    safe = np.where(width > 0, width, np.ones_like(width))
    with np.errstate(invalid="ignore"):  # NaN in, NaN out
        folded = np.remainder(values - low, 2 * safe)  # in [0, 2 * width)
    folded = low + np.where(folded > safe, 2 * safe - folded, folded)
    return np.where(width > 0, folded, low)


def column_numbers(series: pd.Series, spec: ColumnSpec) -> np.ndarray:
    """What the model sees of a numeric or datetime column, unscaled (NaN where missing).

    Floats for numeric columns (numbers written as text are parsed), days since 1970-01-01
    for datetime columns; ``InvalidDataError`` naming the column otherwise.
    """
    if spec.role == "datetime":
        try:
            return to_days(series, spec.text_format)
        except (TypeError, ValueError, OverflowError):
            expected = f"dates in the format {spec.text_format!r}" if spec.text_format else (
                "datetimes"
            )  # fmt: skip
            raise InvalidDataError(
                f"column {spec.name!r} must hold {expected}, got dtype {series.dtype}"
            ) from None
    if pd.api.types.is_bool_dtype(series):
        raise InvalidDataError(
            f"column {spec.name!r} has role {spec.role!r} but boolean values; declare it 'binary'"
        )
    if pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype=float, na_value=np.nan)
    parsed = parse_numbers(series)
    if parsed is None:
        examples = [
            v for v in series.dropna().unique()[:50] if parse_numbers(pd.Series([v])) is None
        ]
        raise InvalidDataError(
            f"column {spec.name!r} has role {spec.role!r} but non-numeric values "
            f"(dtype {series.dtype}, e.g. {examples[:3]}); declare it 'categorical' or "
            "'binary', or clean the values"
        )
    return parsed.to_numpy(dtype=float)

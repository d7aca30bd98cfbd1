"""The CTAB-GAN+ mixed-type encoder: columns to ``[alpha | mode one-hot]`` blocks and back.

Each column becomes one block of the encoded matrix:

- **categorical** (roles ``binary``, ``categorical``, ``ordinal``): a one-hot over the levels,
  plus one slot for "missing" when the column has missing values.
- **numeric** columns: a scalar ``alpha`` in ``[-1, 1]`` followed by a one-hot over the
  column's *modes*, in this order: the special values (mixed columns), "missing" (when the
  column has missing values), then the continuous components. A continuous component is a
  Gaussian of a variational (Dirichlet-process) Gaussian mixture, with
  ``alpha = (x - mean) / (4 std)`` (mode-specific normalisation), or, for the **general
  transform**, the single component ``alpha = 2 (x - low) / (high - low) - 1``. A row on a
  special value or missing has ``alpha = 0``. With a **log transform** the continuous part is
  modelled on ``log(x)`` (``log(x - low + 1)`` when the minimum is not positive). A block with a
  single mode has no one-hot (width 1).

Column kinds are inferred (see :func:`infer_kind`) and can be overridden per column.

Columns with the shared roles ``datetime`` and ``identifier`` (see
:mod:`synth_plugins.encoding.roles`) are handled as in every core: a datetime column is a
numeric column of days since 1970-01-01 (never mixed or log, so no training date becomes a
mode of its own) written back in its dtype or text format; an identifier column has no
block and gets fresh keys, never a training value.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture

from synth_plugins.encoding.parsing import from_days
from synth_plugins.encoding.roles import DISCRETE_ROLES, infer_role
from synth_plugins.encoding.tabular import (
    ColumnSpec,
    TabularEncoder,
    fold_into,
    fresh_keys,
    restore_dtype,
)
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.validation import check_choice

Kind = Literal["continuous", "mixed", "general", "log", "categorical"]
KINDS: tuple[str, ...] = get_args(Kind)

#: Rows used to fit one variational Gaussian mixture (a seeded subsample above this).
_VGM_FIT_ROWS = 20_000
#: A mixture component with a smaller weight is dropped (it explains almost no rows).
_MIN_COMPONENT_WEIGHT = 0.005
#: ``alpha`` is clipped to this magnitude (tanh outputs never reach 1).
_ALPHA_CLIP = 0.99


@dataclass(frozen=True)
class ColumnPlan:
    """How one column is encoded: its kind, modes and position in the encoded matrix.

    Attributes:
        spec: the column's levels, range, rounding and dtype (from ``TabularEncoder``).
        kind: the kind reported to the user (``KINDS``).
        start, stop: the block ``[start, stop)`` in the encoded matrix.
        special: special values of a mixed column, each its own mode.
        has_missing: whether the column has a "missing" mode (numeric) or level (categorical).
        log_shift: ``None`` without log transform; else ``c`` in ``log(x - c)``.
        means, stds, weights: continuous mixture components (in the transformed space).
            The general transform has one component (mid-range mean, std 0).
        general: whether the continuous part is the general (min-max) transform.
        t_low, t_high: range of the transformed non-special values.
    """

    spec: ColumnSpec
    kind: str
    start: int
    stop: int
    special: tuple[float, ...] = ()
    has_missing: bool = False
    log_shift: float | None = None
    means: tuple[float, ...] = ()
    stds: tuple[float, ...] = ()
    weights: tuple[float, ...] = ()
    general: bool = False
    t_low: float = 0.0
    t_high: float = 0.0

    @property
    def name(self) -> Hashable:
        """The column name."""
        return self.spec.name

    @property
    def is_categorical(self) -> bool:
        """Whether the block is a plain one-hot (no ``alpha``)."""
        return self.kind == "categorical"

    @property
    def n_levels(self) -> int:
        """Categorical columns: one-hot width (levels plus the missing slot)."""
        return len(self.spec.categories) + int(self.has_missing)

    @property
    def n_modes(self) -> int:
        """Numeric columns: special values + missing + continuous components."""
        return len(self.special) + int(self.has_missing) + len(self.means)

    @property
    def mode_start(self) -> int:
        """Start of the one-hot part (categorical: the block start; numeric: after alpha)."""
        return self.start if self.is_categorical else self.start + 1

    @property
    def one_hot(self) -> tuple[int, int] | None:
        """``(start, stop)`` of the block's one-hot part, if it has one."""
        width = self.n_levels if self.is_categorical else self.n_modes
        return (self.mode_start, self.stop) if width > 1 or self.is_categorical else None

    @property
    def has_discrete_modes(self) -> bool:
        """Whether the block carries special or missing modes the conditional vector covers."""
        return self.is_categorical or (bool(self.special) or self.has_missing)

    def forward_log(self, values: np.ndarray) -> np.ndarray:
        """Values in the transformed space (log when the column has a log transform)."""
        return values if self.log_shift is None else np.log(values - self.log_shift)

    def inverse_log(self, values: np.ndarray) -> np.ndarray:
        """Back from the transformed space."""
        return values if self.log_shift is None else np.exp(values) + self.log_shift


def skewness(values: np.ndarray) -> float:
    """Sample skewness (0 for constant values)."""
    std = values.std()
    return 0.0 if std == 0 else float(np.mean(((values - values.mean()) / std) ** 3))


def infer_kind(
    series: pd.Series, role: str, mixed_threshold: float, log_skewness: float
) -> tuple[str, tuple[float, ...]]:
    """Infer a column's kind (and special values) from its values.

    Discrete roles are ``categorical``. A numeric column with one or more values that hold at
    least ``mixed_threshold`` of all rows, and other observed values besides them, is
    ``mixed`` with those values as special modes (a column of such values only is not
    mixed, and goes on to the next rules); a non-negative column with sample skewness above
    ``log_skewness`` is ``log``; otherwise ``continuous`` (which becomes ``general`` when
    the mixture finds a single mode).
    ``datetime`` columns (``series``: their days) are always ``continuous``.
    """
    if role in DISCRETE_ROLES:
        return "categorical", ()
    if role == "datetime":  # special or log-scaled days would copy or distort dates
        return "continuous", ()
    observed = series.dropna().astype(float)
    shares = observed.value_counts() / len(series)
    special = tuple(sorted(float(v) for v, share in shares.items() if share >= mixed_threshold))
    if special and observed.nunique() > len(special):
        return "mixed", special
    values = observed.to_numpy()
    if values.min() >= 0 and skewness(values) > log_skewness:
        return "log", ()
    return "continuous", ()


def _mixture(n_components: int, seed: int) -> BayesianGaussianMixture:
    """A Dirichlet-process Gaussian mixture that switches off the components it does not need."""
    return BayesianGaussianMixture(
        n_components=n_components,
        weight_concentration_prior_type="dirichlet_process",
        weight_concentration_prior=1e-3,
        max_iter=100,
        n_init=1,
        random_state=seed,
    )


def _fit_components(values: np.ndarray, max_modes: int, seed: int) -> tuple[tuple[float, ...], ...]:
    """Means, standard deviations and weights of the active components of a variational GMM.

    The mixture is fitted on the standardised values and its components scaled back:
    scikit-learn's floor on a component's variance (``reg_covar``, 1e-6) is absolute, so
    on a column of small magnitudes (a concentration of 1e-6 mol/L) it would swamp the
    data's own spread and merge its modes.
    """
    if len(values) > _VGM_FIT_ROWS:
        values = np.random.default_rng(seed).choice(values, _VGM_FIT_ROWS, replace=False)
    n_components = int(min(max_modes, len(np.unique(values))))
    center, scale = float(values.mean()), float(values.std())
    scale = scale if scale > 0 else 1.0
    with warnings.catch_warnings():
        # 100 EM iterations are a budget, not a bug: an unconverged fit still gives modes
        warnings.simplefilter("ignore", ConvergenceWarning)
        mixture = _mixture(n_components, seed).fit(((values - center) / scale).reshape(-1, 1))
    active = mixture.weights_ > _MIN_COMPONENT_WEIGHT
    order = np.argsort(mixture.means_[active, 0])
    means = mixture.means_[active, 0][order] * scale + center
    stds = np.sqrt(mixture.covariances_[active, 0, 0])[order] * scale
    weights = mixture.weights_[active][order] / mixture.weights_[active].sum()
    return tuple(map(float, means)), tuple(map(float, stds)), tuple(map(float, weights))


def _check_special_values_occur(name: str, special: tuple[float, ...], values: np.ndarray) -> None:
    """Refuse a declared special value that no training row holds.

    A special value gets its own mode, learnt from the rows that hold it; declared but
    absent, the generator would still emit it (15 % of rows in a probe) and accept it as
    a condition.
    """
    absent = [v for v in special if not np.isclose(values, v, rtol=0, atol=1e-9).any()]
    if absent:
        raise InvalidParameterError(
            f"mixed_values[{name!r}] names {absent}, which no training value of {name!r} "
            "equals; a special value is one the column takes (e.g. 0 for no dose)"
        )


class MixedTypeTransformer:
    """Encode a table into CTAB-GAN+ blocks and decode generator output back.

    Args:
        roles: role per column (``synth_plugins.encoding.roles``); others inferred.
        column_kinds: kind per column overriding the inference (``KINDS``).
        mixed_values: special values per mixed column (implies kind ``mixed``).
        mixed_threshold: share of rows on one value that makes a column mixed.
        log_skewness: skewness above which a non-negative column is log-transformed.
        max_modes: most mixture components per continuous column.
        random_state: seed of the mixture fits.
    """

    def __init__(
        self,
        roles: Mapping[str, str] | None,
        column_kinds: Mapping[str, str] | None,
        mixed_values: Mapping[str, Sequence[float]] | None,
        *,
        mixed_threshold: float,
        log_skewness: float,
        max_modes: int,
        random_state: int,
    ) -> None:
        self.roles = dict(roles or {})
        self.column_kinds = dict(column_kinds or {})
        self.mixed_values = {k: tuple(map(float, v)) for k, v in (mixed_values or {}).items()}
        self.mixed_threshold = mixed_threshold
        self.log_skewness = log_skewness
        self.max_modes = max_modes
        self.random_state = random_state
        self.plans: list[ColumnPlan] = []
        self.identifiers: list[ColumnSpec] = []
        self.order: list[str] = []
        self._encoder: TabularEncoder | None = None

    # -------------------------------------------------------------------------- fit
    def fit(self, data: pd.DataFrame) -> MixedTypeTransformer:
        """Learn levels, kinds, special values and mixture components from ``data``."""
        named = {"column_kinds": self.column_kinds, "mixed_values": self.mixed_values}
        for name, overrides in named.items():
            unknown = sorted(set(overrides) - set(data.columns))
            if unknown:
                raise InvalidParameterError(
                    f"{name} names columns that are not in the data: {unknown}; "
                    f"columns are {list(data.columns)}"
                )
        roles = dict(self.roles)
        for column, kind in self.column_kinds.items():
            if column not in roles and infer_role(data[column]) == "identifier":
                # an override would model the keys, and the output would copy them
                raise InvalidParameterError(
                    f"column_kinds names {column!r}, an identifier column (distinct values "
                    "that look like record keys get fresh keys and are not modelled); to "
                    f"model it, declare its role too, e.g. roles={{{column!r}: 'integer'}}"
                )
            if kind == "categorical":
                roles[column] = "categorical"
            elif roles.get(column) in DISCRETE_ROLES or (
                column not in roles and not pd.api.types.is_numeric_dtype(data[column])
            ):
                raise InvalidParameterError(
                    f"column_kinds[{column!r}]={kind!r} needs a numeric column"
                )
            elif column not in roles:
                roles[column] = "numerical"
        encoder = TabularEncoder(roles, "indicator").fit(data)
        for column in (*self.column_kinds, *self.mixed_values):
            role = encoder.spec(column).role
            if role in ("datetime", "identifier"):
                raise InvalidParameterError(
                    f"column {column!r} is {'an' if role == 'identifier' else 'a'} {role} "
                    "column; column_kinds and mixed_values "
                    "apply to numeric columns only"
                )
        self._encoder = encoder
        rng = np.random.default_rng(self.random_state)
        plans, position = [], 0
        for spec in encoder.specs:
            if not spec.is_modelled:
                continue
            values = data[spec.name] if spec.is_discrete else self.numbers(data, spec.name)
            plan = self._plan(values, spec, position, int(rng.integers(2**31 - 1)))
            plans.append(plan)
            position = plan.stop
        self.plans = plans
        self.identifiers = [spec for spec in encoder.specs if not spec.is_modelled]
        self.order = [spec.name for spec in encoder.specs]
        return self

    def numbers(self, data: pd.DataFrame, column: str) -> pd.Series:
        """A numeric or datetime column's modelled values: numbers (text parsed) or days."""
        assert self._encoder is not None
        return pd.Series(self._encoder.numbers(data, column), index=data.index, name=column)

    def _plan(self, series: pd.Series, spec: ColumnSpec, start: int, seed: int) -> ColumnPlan:
        name = spec.name
        if spec.is_discrete:
            if name in self.mixed_values:
                raise InvalidParameterError(
                    f"mixed_values[{name!r}] needs a numeric column; {name!r} is {spec.role}"
                )
            width = len(spec.categories) + int(spec.has_missing)
            return ColumnPlan(
                spec, "categorical", start, start + width, has_missing=spec.has_missing
            )
        kind, special = infer_kind(series, spec.role, self.mixed_threshold, self.log_skewness)
        if name in self.column_kinds:
            kind = self.column_kinds[name]
            special = special if kind == "mixed" else ()
        if name in self.mixed_values:
            if kind not in ("mixed", "continuous") and name in self.column_kinds:
                raise InvalidParameterError(
                    f"mixed_values[{name!r}] conflicts with column_kinds[{name!r}]={kind!r}"
                )
            kind, special = "mixed", tuple(sorted(set(self.mixed_values[name])))
        values = series.dropna().to_numpy(dtype=float)
        if name in self.mixed_values:
            _check_special_values_occur(name, special, values)
        rest = values[~np.isin(values, special)] if special else values
        log_shift = None
        if kind == "log":
            log_shift = 0.0 if spec.low > 0 else spec.low - 1.0
            rest = np.log(rest - log_shift)
        means: tuple[float, ...] = ()
        stds: tuple[float, ...] = ()
        weights: tuple[float, ...] = ()
        general = kind == "general"
        t_low = float(rest.min()) if rest.size else 0.0
        t_high = float(rest.max()) if rest.size else 0.0
        if rest.size and not general:
            if np.unique(rest).size < 2:
                general = True
            else:
                means, stds, weights = _fit_components(rest, self.max_modes, seed)
                if len(means) == 1 and kind == "continuous" and name not in self.column_kinds:
                    kind, general = "general", True
        if general and rest.size:
            means, stds, weights = ((t_low + t_high) / 2,), (0.0,), (1.0,)
        plan = ColumnPlan(
            spec, kind, start, start, special=special, has_missing=spec.has_missing,
            log_shift=log_shift, means=means, stds=stds, weights=weights, general=general,
            t_low=t_low, t_high=t_high,
        )  # fmt: skip
        width = 1 + (plan.n_modes if plan.n_modes > 1 else 0)
        if plan.n_modes == 0:  # pragma: no cover - a column always has an observed value
            raise InvalidDataError(f"column {name!r} has no value to model")
        return ColumnPlan(**{**plan.__dict__, "stop": start + width})

    # ------------------------------------------------------------------- accessors
    @property
    def n_features(self) -> int:
        """Width of the encoded matrix."""
        return self.plans[-1].stop if self.plans else 0

    @property
    def columns(self) -> list[str]:
        """Modelled training columns (all but identifiers), in order."""
        return [plan.name for plan in self.plans]

    def is_identifier(self, column: str) -> bool:
        """Whether ``column`` is an identifier column (fresh keys, not modelled)."""
        return any(spec.name == column for spec in self.identifiers)

    def plan(self, column: str) -> ColumnPlan:
        """The plan of one column."""
        for plan in self.plans:
            if plan.name == column:
                return plan
        raise InvalidParameterError(f"unknown column {column!r}; columns are {self.columns}")

    @property
    def kinds(self) -> dict[str, str]:
        """The kind chosen for each column."""
        return {plan.name: plan.kind for plan in self.plans}

    # ----------------------------------------------------------------- transform
    def level_codes(self, series: pd.Series, plan: ColumnPlan) -> np.ndarray:
        """Categorical level codes (missing -> the last slot); unseen values are an error."""
        lookup = {level: code for code, level in enumerate(plan.spec.categories)}
        codes = series.astype(object).map(lookup)
        missing = series.isna().to_numpy()
        if missing.any() and not plan.has_missing:
            raise InvalidDataError(f"column {plan.name!r} has missing values but had none in fit")
        unseen = codes.isna().to_numpy() & ~missing
        if unseen.any():
            values = sorted(map(str, pd.unique(series[unseen])))[:10]
            raise InvalidDataError(f"column {plan.name!r} has values {values} not seen in fit")
        out = codes.to_numpy(dtype=float, na_value=np.nan)
        out[missing] = len(plan.spec.categories)
        return out.astype(np.int64)

    def mode_codes(self, series: pd.Series, plan: ColumnPlan) -> tuple[np.ndarray, np.ndarray]:
        """Numeric columns: mode index and ``alpha`` of every row (``series``: :meth:`numbers`)."""
        values = series.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(values)
        if missing.any() and not plan.has_missing:
            raise InvalidDataError(f"column {plan.name!r} has missing values but had none in fit")
        modes = np.zeros(len(values), dtype=np.int64)
        alpha = np.zeros(len(values), dtype=np.float64)
        on_special = np.zeros(len(values), dtype=bool)
        for k, value in enumerate(plan.special):
            hit = np.isclose(values, value, rtol=0, atol=1e-9)
            modes[hit] = k
            on_special |= hit
        offset = len(plan.special)
        if plan.has_missing:
            modes[missing] = offset
            offset += 1
        rest = ~missing & ~on_special
        if rest.any():
            t = plan.forward_log(values[rest])
            if plan.general:
                span = plan.t_high - plan.t_low
                alpha[rest] = 2 * (t - plan.t_low) / span - 1 if span > 0 else 0.0
                modes[rest] = offset
            else:
                means, stds = np.asarray(plan.means), np.asarray(plan.stds)
                z = (t[:, None] - means[None, :]) / stds[None, :]
                log_density = np.log(plan.weights)[None, :] - np.log(stds)[None, :] - z**2 / 2
                component = np.argmax(log_density, axis=1)  # the most probable component
                modes[rest] = offset + component
                alpha[rest] = z[np.arange(len(t)), component] / 4
        return modes, np.clip(alpha, -_ALPHA_CLIP, _ALPHA_CLIP)

    def transform(self, data: pd.DataFrame) -> np.ndarray:
        """Encode ``data`` to a float32 matrix of ``n_features`` columns."""
        missing = [c for c in self.columns if c not in data.columns]
        if missing:
            raise InvalidDataError(f"data lacks the fitted columns {missing}")
        out = np.zeros((len(data), self.n_features), dtype=np.float32)
        rows = np.arange(len(data))
        for plan in self.plans:
            if plan.is_categorical:
                out[rows, plan.start + self.level_codes(data[plan.name], plan)] = 1.0
                continue
            modes, alpha = self.mode_codes(self.numbers(data, plan.name), plan)
            out[:, plan.start] = alpha
            if plan.one_hot is not None:
                out[rows, plan.mode_start + modes] = 1.0
        return out

    # --------------------------------------------------------- inverse transform
    def inverse_transform(self, matrix: np.ndarray) -> pd.DataFrame:
        """Decode ``[alpha | one-hot]`` blocks (one-hot parts by arg-max) to the schema.

        Datetime columns are written back from days, identifier columns get fresh keys.
        """
        decoded: dict[str, pd.Series] = {}
        for plan in self.plans:
            block = matrix[:, plan.start : plan.stop]
            spec = plan.spec
            if plan.is_categorical:
                codes = block.argmax(1)
                levels = np.asarray((*spec.categories, None), dtype=object)
                is_missing = codes == len(spec.categories) if plan.has_missing else None
                series = pd.Series(levels[codes])
            else:
                modes = (
                    block[:, 1:].argmax(1)
                    if plan.one_hot is not None
                    else np.zeros(len(block), dtype=np.int64)
                )
                series, is_missing = self._decode_numeric(plan, block[:, 0], modes)
            if spec.role == "datetime":
                days = series.to_numpy(dtype=float)
                if is_missing is not None:
                    days = np.where(is_missing, np.nan, days)
                decoded[plan.name] = from_days(days, spec.dtype, spec.text_format, spec.step)
            else:
                decoded[plan.name] = restore_dtype(series, spec, is_missing)
        for spec in self.identifiers:
            decoded[spec.name] = fresh_keys(spec, len(matrix))
        return pd.DataFrame(decoded, columns=self.order)

    @staticmethod
    def _decode_numeric(
        plan: ColumnPlan, alpha: np.ndarray, modes: np.ndarray
    ) -> tuple[pd.Series, np.ndarray | None]:
        spec = plan.spec
        values = np.full(len(alpha), plan.spec.fill_value, dtype=float)
        for k, value in enumerate(plan.special):
            values[modes == k] = value
        offset = len(plan.special)
        is_missing = None
        if plan.has_missing:
            is_missing = modes == offset
            offset += 1
        continuous = modes >= offset
        if continuous.any():
            a = np.clip(alpha[continuous], -1.0, 1.0)
            if plan.general:
                t = plan.t_low + (a + 1) / 2 * (plan.t_high - plan.t_low)
            else:
                k = modes[continuous] - offset
                t = np.asarray(plan.means)[k] + 4 * np.asarray(plan.stds)[k] * a
            values[continuous] = plan.inverse_log(t)
        if spec.high > spec.low:
            # folded into the range, as the shared encoder does for dates: clipping would
            # pile rows onto the training minimum and maximum, the extreme patients' exact
            # values and dates (7 % of rows on one real record number, measured)
            scaled = fold_into((values - spec.low) / (spec.high - spec.low), 0.0, 1.0)
            values = spec.low + scaled * (spec.high - spec.low)
            if spec.role == "datetime":
                return TabularEncoder._unscale(scaled, spec), is_missing
        values = np.clip(values, spec.low, spec.high)
        if spec.decimals is not None:
            values = np.clip(np.round(values, spec.decimals), spec.low, spec.high)
        return pd.Series(values), is_missing

    # ------------------------------------------------------ differentiable decoding
    def soft_value(self, plan: ColumnPlan, block: torch.Tensor) -> torch.Tensor:
        """A numeric block's expected value, scaled to about ``[-1, 1]``, differentiably.

        The mode probabilities (the block's softmax part, missing excluded and renormalised)
        weight each mode's value in the transformed space; the result is min-max scaled with
        the column's transformed range. Used as the auxiliary regressor's target.
        """
        alpha = block[:, 0]
        like = {"dtype": block.dtype, "device": block.device}
        if plan.general:
            continuous = (plan.t_low + (alpha + 1) / 2 * (plan.t_high - plan.t_low))[:, None]
        else:
            means = torch.as_tensor(plan.means, **like)
            stds = torch.as_tensor(plan.stds, **like)
            continuous = means[None, :] + 4 * stds[None, :] * alpha[:, None]
        if plan.one_hot is None:
            value = continuous[:, 0]
        else:
            specials = torch.as_tensor(plan.special, **like)[None, :].expand(len(block), -1)
            probs = block[:, 1:]
            if plan.has_missing:  # the missing mode carries no value: drop and renormalise
                missing = len(plan.special)
                probs = torch.cat([probs[:, :missing], probs[:, missing + 1 :]], dim=1)
            options = torch.cat([specials, continuous], dim=1)
            value = (probs * options).sum(1) / probs.sum(1).clamp_min(1e-8)
        low, high = _transformed_range(plan)
        return 2 * (value - low) / (high - low) - 1 if high > low else value * 0

    def soft_value_real(self, plan: ColumnPlan, series: pd.Series) -> np.ndarray:
        """The regression target of real rows on the scale of :meth:`soft_value` (NaN: missing).

        ``series``: the column's modelled values (see :meth:`numbers`).
        """
        values = series.to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            t = plan.forward_log(values)  # a log column has no special values
        low, high = _transformed_range(plan)
        return 2 * (t - low) / (high - low) - 1 if high > low else np.zeros_like(t)


def _transformed_range(plan: ColumnPlan) -> tuple[float, float]:
    """Smallest and largest modelled value of a numeric column, special values included."""
    return min((plan.t_low, *plan.special)), max((plan.t_high, *plan.special))


def check_overrides(column_kinds: Any, mixed_values: Any) -> None:
    """Validate the user's per-column overrides before fitting (their columns at fit)."""
    if column_kinds is not None and not isinstance(column_kinds, Mapping):
        raise InvalidParameterError(
            f"column_kinds must be a mapping {{column: kind}}, got {type(column_kinds).__name__}"
        )
    for column, kind in (column_kinds or {}).items():
        check_choice(f"column_kinds[{column!r}]", kind, KINDS)
    if mixed_values is None:
        return
    if not isinstance(mixed_values, Mapping):
        raise InvalidParameterError(
            "mixed_values must be a mapping {column: [values]}, got "
            f"{type(mixed_values).__name__}"
        )
    for column, values in mixed_values.items():
        items = as_list(values)
        if not items or not all(
            isinstance(v, int | float | np.number) and not isinstance(v, bool) and math.isfinite(v)
            for v in items
        ):
            raise InvalidParameterError(
                f"mixed_values[{column!r}] must be a non-empty list of finite numbers, "
                f"got {values!r}"
            )


def as_list(values: Any) -> list[Any]:
    """A sequence (list, tuple, set, array) as a list; a single value as a one-item list."""
    return list(values) if isinstance(values, list | tuple | set | np.ndarray) else [values]

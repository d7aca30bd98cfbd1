"""MLE copula: maximum-likelihood marginals joined by a Gaussian copula (KerusCloud-style).

Each numeric column gets the candidate family (normal, log-normal, gamma, Weibull,
exponential, beta on the padded observed range, uniform; Poisson and negative binomial for
non-negative integer columns) with the lowest AIC or BIC; discrete columns keep their
observed frequencies. ``level=1`` draws the columns independently; ``level=2`` joins them by
a Gaussian copula whose correlation is that of the real normal scores. Every draw is
inverted through the fitted marginal on the observed range, so values stay in it and
integer columns stay whole. Datetime columns are modelled as numbers (days since
1970-01-01) and written back in their dtype or text format; identifier columns are not
modelled and get fresh keys (the shared encoder's rules, ``docs/architecture.md``). By
default, sampled rows identical to a training row are held to the training data's own
duplicate rate (``redraw_copies``, :mod:`synth_plugins.generators.privacy`).
Method card: ``docs/methods/mle_copula.md``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from scipy import stats

from synth_plugins.encoding.levels import observed_levels
from synth_plugins.encoding.parsing import from_days
from synth_plugins.encoding.roles import (
    DISCRETE_ROLES,
    NUMERIC_ROLES,
    check_whole_numbers,
    infer_roles,
    warn_hidden_dates,
)
from synth_plugins.encoding.tabular import (
    ColumnSpec,
    check_observed,
    column_numbers,
    datetime_spec,
    decimals_of,
    fresh_keys,
    identifier_spec,
    restore_dtype,
)
from synth_plugins.errors import (
    InvalidDataError,
    InvalidParameterError,
    NotFittedError,
    infinite_values,
)
from synth_plugins.generators.mle_copula.copula import (
    latent_correlation,
    nearest_correlation,
    normal_scores,
    sample_normal,
)
from synth_plugins.generators.mle_copula.marginals import (
    FAMILIES,
    CategoricalMarginal,
    ConstantMarginal,
    Marginal,
    fit_categorical,
    fit_numeric,
)
from synth_plugins.generators.privacy import CopyFilter
from synth_plugins.validation import (
    TrainingUnit,
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_random_state,
    check_training_size,
)

__all__ = ["MLECopula"]

Selection = Literal["aic", "bic"]
PIT = Literal["randomized", "mid_rank"]
DiscreteCorrelation = Literal["latent", "pit"]

#: The columns of :meth:`MLECopula.fit_table`.
FIT_TABLE_COLUMNS: tuple[str, ...] = (
    "column", "family", "parameters", "aic", "bic", "ks_statistic",
)  # fmt: skip


@dataclass
class _Column:
    """What the fit keeps about one column."""

    name: Any
    role: str
    marginal: Marginal
    candidates: list[Marginal]
    missing_rate: float
    dtype: Any
    #: ``datetime`` columns: how days are written back (range, step, dtype or text format)
    datetime: ColumnSpec | None = None
    #: ``numerical`` columns: the decimals draws are rounded to (None: more than 6 in training)
    decimals: int | None = None

    @property
    def in_copula(self) -> bool:
        """Whether the column varies (a point mass needs no dependence)."""
        if isinstance(self.marginal, ConstantMarginal):
            return False
        return not (
            isinstance(self.marginal, CategoricalMarginal) and len(self.marginal.levels) < 2
        )


class MLECopula:
    """Maximum-likelihood marginals joined (``level=2``) or not (``level=1``) by a copula.

    Column roles come from :func:`~synth_plugins.encoding.roles.infer_roles`:
    ``numerical`` and ``integer`` columns are fitted by maximum likelihood over the
    candidate ``families`` and the best by ``selection`` is kept; ``binary``,
    ``categorical`` and ``ordinal`` columns keep their observed frequencies. A column with
    one observed value is a point mass. ``datetime`` columns are fitted like numerical
    ones on their days since 1970-01-01 and come back in their dtype (or text format),
    rounded to the coarsest of day, hour, minute and second that fits every training value.
    ``identifier`` columns are not modelled: every output row gets a fresh key that is
    never a training key, and they are never missing. Numbers written as text under a
    numeric role are parsed and come back as numbers. Each column's share of missing values
    is reproduced, independently of the other values.

    Args:
        roles: role per column; columns not named are inferred.
        level: ``1`` (independent columns) or ``2`` (Gaussian copula with the correlation
            of the real normal scores; default).
        selection: ``"aic"`` (default) or ``"bic"``, the criterion that picks the family.
        families: candidate families (default: all of
            :data:`~synth_plugins.generators.mle_copula.marginals.FAMILIES`); every
            continuous family is tried on every numeric column (a positive-support family
            shifted below the minimum when some value is <= 0), count families only on
            non-negative integer columns.
        beta_padding: share of the observed range (0.01) by which the beta family's range
            is widened on each side, so the extreme values have a finite density, and by
            which the positive families (log-normal, gamma, Weibull, exponential) are
            shifted below the minimum of a column with a value <= 0.
        pit: how ties of numeric columns are placed in their normal scores:
            ``"randomized"`` (default, a uniform draw inside the tied step) or
            ``"mid_rank"`` (its middle).
        discrete_correlation: how discrete columns enter the copula's correlation:
            ``"latent"`` (default; maximum-likelihood polyserial/polychoric correlations of
            the latent normal the copula discretises) or ``"pit"`` (Pearson correlation of
            their normal scores, ties placed by ``pit``, as for numeric columns; this
            attenuates correlations that involve a discrete column).
        redraw_copies: keep exact copies of training rows no more frequent than in a real
            holdout (default True): sampled rows equal to a training row on every column
            but identifiers, beyond ``floor(r * n)`` with ``r`` the share of training rows
            equal to another training row, are replaced by fresh draws (up to 8 rounds,
            then a ``SynthPluginsWarning``); see
            :class:`~synth_plugins.generators.privacy.CopyFilter`.
            Draws are rounded to the recorded decimals first, so the rows compared are the
            rows returned. False returns the copula's draws as they are.
        random_state: seed of the randomised PIT and of the stream of sampling seeds; None
            is unseeded. The global numpy random state is neither used nor changed.

    Attributes:
        roles_: the role of every column.
        marginals_: column -> fitted marginal (family, parameters, AIC, BIC, KS statistic).
        missing_rates_: column -> share of missing values in the training data.
        raw_correlation_: correlation of the normal scores, pairwise-complete (``level=2``).
        correlation_: the copula's correlation (the nearest correlation matrix to
            ``raw_correlation_``; the identity for ``level=1``), a DataFrame.
        correlation_repaired_: whether the raw matrix was not positive definite and was
            replaced by the nearest correlation matrix.
        copy_filter_: the fitted :class:`~synth_plugins.generators.privacy.CopyFilter`
            (its ``natural_rate_`` is the allowance), applied by ``sample`` while
            ``redraw_copies`` is True.

    Example:
        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(0)
        >>> df = pd.DataFrame({"crp": rng.lognormal(2, 0.8, 500).round(1),
        ...                    "sex": rng.choice(["F", "M"], 500)})
        >>> model = MLECopula(level=2).fit(df)
        >>> model.fit_table()["family"].tolist()
        ['lognormal', 'categorical']
        >>> model.sample(100).shape
        (100, 2)
    """

    #: The fewest training rows the model fits (a marginal's spread and a correlation need
    #: 2 rows); ``fit`` refuses fewer (:func:`~synth_plugins.validation.check_training_size`).
    MIN_TRAINING_SIZE: ClassVar[int] = 2
    #: What the training size counts.
    TRAINING_UNIT: ClassVar[TrainingUnit] = "rows"

    def __init__(
        self,
        roles: Mapping[str, str] | None = None,
        *,
        level: int = 2,
        selection: Selection = "aic",
        families: Sequence[str] | None = None,
        beta_padding: float = 0.01,
        pit: PIT = "randomized",
        discrete_correlation: DiscreteCorrelation = "latent",
        redraw_copies: bool = True,
        random_state: int | None = 0,
    ) -> None:
        self.roles = dict(roles) if roles is not None else None
        self.level = check_int("level", level, minimum=1)
        if self.level > 2:
            raise InvalidParameterError(f"level must be 1 or 2, got {level!r}")
        self.selection = check_choice("selection", selection, ("aic", "bic"))
        self.families = self._check_families(families)
        self.beta_padding = check_float(
            "beta_padding", beta_padding, minimum=0.0, exclusive_minimum=True, maximum=1.0
        )
        self.pit = check_choice("pit", pit, ("randomized", "mid_rank"))
        self.discrete_correlation = check_choice(
            "discrete_correlation", discrete_correlation, ("latent", "pit")
        )
        self.redraw_copies = check_bool("redraw_copies", redraw_copies)
        self.random_state = check_random_state("random_state", random_state)

        self.roles_: dict[str, str] = {}
        self.marginals_: dict[Any, Marginal] = {}
        self.missing_rates_: dict[Any, float] = {}
        self.raw_correlation_: pd.DataFrame | None = None
        self.correlation_: pd.DataFrame | None = None
        self.correlation_repaired_: bool = False
        self.copy_filter_: CopyFilter | None = None
        self._columns: list[_Column] = []
        self._keys: dict[Any, ColumnSpec] = {}
        self._order: list[Any] = []
        self._sample_rng: np.random.Generator | None = None

    @staticmethod
    def _check_families(families: Sequence[str] | None) -> tuple[str, ...] | None:
        if families is None:
            return None
        if isinstance(families, str) or not isinstance(families, Sequence | set | frozenset):
            raise InvalidParameterError(
                f"families must be a list of family names among {list(FAMILIES)}, got {families!r}"
            )
        chosen = tuple(families)
        unknown = [f for f in chosen if f not in FAMILIES]
        if unknown or not chosen:
            raise InvalidParameterError(
                f"families must name at least one of {list(FAMILIES)}; got {list(chosen)}"
            )
        return chosen

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments, as given (a sklearn-style view for host adapters)."""
        names = ("roles", *MLECopula.__init__.__kwdefaults__)
        return {name: copy.deepcopy(getattr(self, name)) for name in names}

    def __repr__(self) -> str:
        return (
            f"MLECopula(level={self.level}, selection={self.selection!r}, "
            f"random_state={self.random_state})"
        )

    # ------------------------------------------------------------------------ fitting
    def fit(self, data: pd.DataFrame) -> MLECopula:
        """Fit every column's marginal and, at ``level=2``, the copula; returns ``self``.

        Raises:
            InvalidDataError: for a non-DataFrame, a table with fewer than two rows (fewer
                than :data:`~synth_plugins.validation.SMALL_TRAINING_SIZE` warn) or without
                columns, duplicate column names, a column with no observed value, a
                numeric column with infinite or non-numeric values, an ``integer`` column
                with fractions, a ``datetime`` column without dates, or a table whose
                every column is an identifier.
        """
        frame = self._check_frame(data)
        warn_hidden_dates(frame, self.roles)
        roles = infer_roles(frame, self.roles)
        keys = {
            name: identifier_spec(frame[name]) for name in frame.columns
            if roles[name] == "identifier"
        }  # fmt: skip
        if len(keys) == frame.shape[1]:
            raise InvalidDataError(
                f"no column to model: every column is an identifier {list(frame.columns)}; "
                "declare a role for the ones to model (e.g. roles={'col': 'categorical'})"
            )
        given = frame.drop(columns=list(keys))
        dates = {n: datetime_spec(given[n]) for n in given.columns if roles[n] == "datetime"}
        frame = self._model_values(given, roles, dates)
        columns = [
            self._fit_column(frame[n], roles[n], given[n].dtype, dates.get(n))
            for n in frame.columns
        ]

        seeds = np.random.default_rng(self.random_state).integers(0, 2**32, size=2)
        copula = [c for c in columns if c.in_copula]
        labels = [c.name for c in copula]
        raw = np.eye(len(copula))
        if self.level == 2 and copula:
            pit_rng = np.random.default_rng(int(seeds[0]))
            latent = [
                self.discrete_correlation == "latent"
                and isinstance(c.marginal, CategoricalMarginal)
                for c in copula
            ]
            values = [self._codes(frame[c.name], c) for c in copula]
            inputs = np.column_stack(
                [v if d else normal_scores(v, pit_rng, self.pit) for v, d in zip(values, latent)]
            )
            raw = latent_correlation(inputs, latent)
        repaired = nearest_correlation(raw) if copula else raw
        self.roles_ = dict(roles)
        self.marginals_ = {c.name: c.marginal for c in columns}
        self.missing_rates_ = {c.name: c.missing_rate for c in columns}
        self.raw_correlation_ = pd.DataFrame(raw, index=labels, columns=labels)
        self.correlation_ = pd.DataFrame(repaired, index=labels, columns=labels)
        self.correlation_repaired_ = not np.allclose(raw, repaired, rtol=0, atol=1e-12)
        self.copy_filter_ = CopyFilter("mle_copula").fit(given, roles)
        self._columns = columns
        self._keys = keys
        self._order = list(data.columns)
        self._sample_rng = np.random.default_rng(int(seeds[1]))
        return self

    @classmethod
    def _check_frame(cls, data: Any) -> pd.DataFrame:
        if not isinstance(data, pd.DataFrame):
            raise InvalidDataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        if data.shape[1] == 0:
            raise InvalidDataError("data has no columns; mle_copula needs at least one column")
        check_training_size("MLE copula", len(data), cls.MIN_TRAINING_SIZE, cls.TRAINING_UNIT)
        duplicated = sorted(map(str, data.columns[data.columns.duplicated()]))
        if duplicated:
            raise InvalidDataError(f"data has duplicate column names: {duplicated}")
        check_observed(data)
        return data

    @staticmethod
    def _model_values(
        frame: pd.DataFrame, roles: Mapping[str, str], dates: Mapping[Any, ColumnSpec]
    ) -> pd.DataFrame:
        """The values the model sees; discrete columns as given.

        Numeric and datetime columns get the shared encoder's numbers: days for datetimes,
        numbers written as text parsed (``InvalidDataError`` naming a column that holds
        anything else).
        """
        model = frame.copy()
        for name in frame.columns:
            if name in dates:
                model[name] = column_numbers(frame[name], dates[name])
            elif roles[name] in NUMERIC_ROLES:
                spec = ColumnSpec(name, roles[name], frame[name].dtype)
                model[name] = column_numbers(frame[name], spec)
        return model

    def _fit_column(
        self, series: pd.Series, role: str, dtype: Any, datetime: ColumnSpec | None = None
    ) -> _Column:
        """Fit one column's marginal to its model values (``dtype``: the given column's).

        ``datetime`` columns are fitted as numerical ones on their days.
        """
        if datetime is not None:
            column = self._fit_column(series, "numerical", series.dtype)
            column.role, column.datetime = role, datetime
            return column
        name = series.name
        observed = series.dropna()
        rate = float(series.isna().mean())
        if role in NUMERIC_ROLES:  # floats: the model values
            values = observed.to_numpy(dtype=float)
            if not np.isfinite(values).all():
                raise infinite_values(name)
            integer = role == "integer"
            if integer:
                check_whole_numbers(values, name)
            try:
                best, candidates = fit_numeric(
                    values,
                    integer=integer,
                    selection=self.selection,
                    families=self.families,
                    beta_padding=self.beta_padding,
                )
            except ValueError as error:
                raise InvalidDataError(f"column {name!r}: {error}") from error
            decimals = None if integer else decimals_of(values, dtype)
            return _Column(name, role, best, candidates, rate, dtype, decimals=decimals)
        if role in DISCRETE_ROLES:
            levels = observed_levels(series, role)
            marginal: Marginal = fit_categorical(observed.to_numpy(dtype=object), levels)
            if len(levels) == 1:
                marginal = ConstantMarginal(levels[0], len(observed))
            return _Column(name, role, marginal, [marginal], rate, series.dtype)
        raise InvalidDataError(
            f"column {name!r} has role {role!r}, which mle_copula does not model; it models "
            f"{sorted(NUMERIC_ROLES | DISCRETE_ROLES)} columns (drop or convert this one)"
        )

    @staticmethod
    def _codes(series: pd.Series, column: _Column) -> np.ndarray:
        """The values a column's normal scores are computed from (level codes if discrete)."""
        if isinstance(column.marginal, CategoricalMarginal):
            codes = pd.Categorical(series, categories=list(column.marginal.levels)).codes
            return np.where(codes < 0, np.nan, codes).astype(float)
        return series.to_numpy(dtype=float, na_value=np.nan)

    # ------------------------------------------------------------------------ inspection
    def _fitted(self) -> list[_Column]:
        if not self._columns:
            raise NotFittedError("this MLECopula is not fitted; call fit(data) first")
        return self._columns

    def fit_table(self, candidates: bool = False) -> pd.DataFrame:
        """One row per column: chosen family, its parameters, AIC, BIC and KS statistic.

        Discrete columns show ``family="categorical"`` with their level frequencies (KS 0:
        the fitted CDF is the empirical one); a column with one value ``"constant"``;
        datetime columns their family on days since 1970-01-01; identifiers have no row. The KS
        statistic compares the sample with the fitted CDF truncated to the observed range
        (for integer columns, the CDF of the rounded variable).

        Args:
            candidates: list every family tried per column instead, with a ``selected``
                column; a family whose fit failed shows ``aic = bic = inf``.
        """
        rows = []
        for column in self._fitted():
            shown = column.candidates if candidates else [column.marginal]
            for marginal in shown:
                row = {
                    "column": column.name,
                    "family": marginal.family,
                    "parameters": dict(marginal.parameters),
                    "aic": marginal.aic,
                    "bic": marginal.bic,
                    "ks_statistic": marginal.ks_statistic,
                }
                if candidates:
                    row["selected"] = marginal is column.marginal
                rows.append(row)
        order = [*FIT_TABLE_COLUMNS, "selected"] if candidates else list(FIT_TABLE_COLUMNS)
        return pd.DataFrame(rows, columns=order)

    # ------------------------------------------------------------------------ sampling
    def set_random_state(self, random_state: int | None) -> None:
        """Restart the stream of seeds used by ``sample`` calls without ``random_state``."""
        seed = check_random_state("random_state", random_state)
        self._sample_rng = np.random.default_rng(seed)

    def sample(self, n: int, random_state: int | None = None) -> pd.DataFrame:
        """Generate ``n`` rows with the training columns and dtypes.

        With ``redraw_copies``, rows equal to a training row beyond the training data's own
        duplicate rate are replaced by fresh draws (see ``redraw_copies``).

        Args:
            n: number of rows (>= 0; 0 gives an empty table with the training columns).
            random_state: seed of this call; None draws one from the model's seed stream
                (seeded by ``random_state`` at fit, restarted by ``set_random_state``).
        """
        self._fitted()
        n = check_int("n", n, minimum=0)
        seed = check_random_state("random_state", random_state)
        if seed is None:
            assert self._sample_rng is not None
            seed = int(self._sample_rng.integers(0, 2**32))
        rng = np.random.default_rng(seed)
        frame = self._draw(n, rng)
        if self.redraw_copies and self.copy_filter_ is not None and n:
            frame = self.copy_filter_.redraw(frame, lambda k: self._draw(k, rng), rng)
        for name, spec in self._keys.items():
            frame[name] = fresh_keys(spec, n)
        return frame[self._order]

    def _draw(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        """``n`` rows of the modelled columns (identifiers are added by ``sample``)."""
        columns = self._fitted()
        copula = [c for c in columns if c.in_copula]
        if self.level == 2 and copula:
            assert self.correlation_ is not None
            u = stats.norm.cdf(sample_normal(self.correlation_.to_numpy(), n, rng))
        else:
            u = rng.random((n, len(copula)))
        position = {id(c): k for k, c in enumerate(copula)}
        output = {}
        for column in columns:
            k = position.get(id(column))
            values = column.marginal.ppf(u[:, k] if k is not None else np.zeros(n))
            missing = (
                rng.random(n) < column.missing_rate
                if column.missing_rate > 0
                else np.zeros(n, dtype=bool)
            )
            if column.datetime is not None:
                spec = column.datetime
                days = np.where(missing, np.nan, values.astype(float))
                output[column.name] = from_days(days, spec.dtype, spec.text_format, spec.step)
            else:
                if column.decimals is not None:  # as recorded, so copies are judged as written
                    values = np.round(values.astype(float), column.decimals)
                spec = ColumnSpec(column.name, column.role, column.dtype)
                output[column.name] = restore_dtype(pd.Series(values), spec, missing)
        return pd.DataFrame(output, columns=[c.name for c in columns])

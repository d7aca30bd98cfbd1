"""MLE copula as an SDV single-table synthesizer: ``MLECopulaSynthesizer(metadata)``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sdv.single_table.base import BaseSingleTableSynthesizer

from synth_plugins._docstrings import args_from
from synth_plugins.generators.mle_copula import MLECopula
from synth_plugins.sdv._contract import SingleTableContract
from synth_plugins.sdv.metadata import roles_from_metadata

#: The core's defaults: the one place each hyper-parameter's default is declared.
_CORE = MLECopula.__init__.__kwdefaults__


# Args written here, the rest is MLECopula's: SDV's own arguments, and random_state, which
# also seeds SDV's sampling stream (None is SDV's fixed seed there, not unseeded).
@args_from(MLECopula)
class MLECopulaSynthesizer(SingleTableContract, BaseSingleTableSynthesizer):
    """Maximum-likelihood marginals joined by a Gaussian copula, for SDV.

    Unlike SDV's ``GaussianCopulaSynthesizer`` (marginals chosen by a KS statistic among
    norm, beta, truncnorm, gamma, uniform and KDE), each numeric column's family is chosen
    by AIC or BIC among normal, log-normal, gamma, Weibull, exponential, beta and uniform,
    plus Poisson and negative binomial for counts. Categorical, boolean and datetime
    columns, and ``id`` columns that are not keys, reach the model as raw values:
    categories keep their frequencies, datetimes are modelled as days and ``id`` columns
    get fresh keys. Numerical columns keep their missing values (not SDV's mean fill), so
    each marginal is fitted on observed values and the core reproduces each column's share
    of missing values. ``sample_from_conditions`` uses SDV's reject sampling; conditions are
    checked first (an unknown column, an unseen level or a number outside the training
    range raise ``InvalidParameterError`` naming the column). ``sample(0)`` gives an empty
    table with the training columns; a negative ``num_rows`` is an error. Defaults are the
    core's (read from :class:`MLECopula`'s signature), and so is the text of every argument
    SDV does not change. Method card: ``docs/methods/mle_copula.md``.

    Args:
        metadata: SDV ``Metadata`` of the table.
        enforce_min_max_values, enforce_rounding: SDV's synthesizer arguments; True only
            (``False`` is refused): generated values always keep each column's training
            range and precision.
        locales: SDV's synthesizer argument (the Faker locales of ``pii`` columns).
        random_state: seed of the fit (SDV itself has no seed argument) and, with SDV's
            fixed seed, of the sampling stream that ``reset_sampling`` restarts; None fits
            unseeded and samples from SDV's seed alone.

    Example:
        >>> from synth_plugins.sdv import MLECopulaSynthesizer
        >>> from synth_plugins.sdv.metadata import metadata_for
        >>> from synth_plugins.datasets import load
        >>> ds = load("heart_failure")
        >>> synthesizer = MLECopulaSynthesizer(metadata_for(ds), level=1)
        >>> synthesizer.fit(ds.data)  # SDV 2 style {ds.name: ds.data} works too
        >>> from synth_plugins.sdv.compat import single_table
        >>> single_table(synthesizer.sample(10)).shape  # SDV 2 returns {ds.name: DataFrame}
        (10, 13)
    """

    def __init__(
        self,
        metadata: Any,
        enforce_min_max_values: bool = True,
        enforce_rounding: bool = True,
        locales: list[str] | None = None,
        level: int = _CORE["level"],
        selection: str = _CORE["selection"],
        families: list[str] | None = _CORE["families"],
        beta_padding: float = _CORE["beta_padding"],
        pit: str = _CORE["pit"],
        discrete_correlation: str = _CORE["discrete_correlation"],
        redraw_copies: bool = _CORE["redraw_copies"],
        random_state: int | None = _CORE["random_state"],
    ) -> None:
        super().__init__(
            metadata,
            enforce_min_max_values=enforce_min_max_values,
            enforce_rounding=enforce_rounding,
            locales=locales if locales is not None else ["en_US"],
        )
        self.level = level
        self.selection = selection
        self.families = families
        self.beta_padding = beta_padding
        self.pit = pit
        self.discrete_correlation = discrete_correlation
        self.redraw_copies = redraw_copies
        self.random_state = random_state
        self._model: MLECopula | None = None
        # validate every argument now, as SDV users expect errors at construction
        self._new_model({})

    def _new_model(self, roles: Mapping[str, str]) -> MLECopula:
        return MLECopula(
            roles=roles,
            level=self.level,
            selection=self.selection,
            families=self.families,
            beta_padding=self.beta_padding,
            pit=self.pit,
            discrete_correlation=self.discrete_correlation,
            redraw_copies=self.redraw_copies,
            random_state=self.random_state,
        )

    def fit_table(self, candidates: bool = False) -> pd.DataFrame:
        """The fitted family, parameters, AIC, BIC and KS statistic of every column."""
        if self._model is None:
            return self._new_model({}).fit_table(candidates)  # raises NotFittedError
        return self._model.fit_table(candidates)

    def _fit(self, processed_data: pd.DataFrame) -> None:
        roles = roles_from_metadata(self.metadata, processed_data)
        self._model = self._new_model(roles).fit(processed_data)

    def _core_rows(
        self, num_rows: int, conditions: Mapping[str, Any] | None = None
    ) -> pd.DataFrame:
        # conditions are met by SDV's reject sampling, which filters these rows
        assert self._model is not None
        return self._model.sample(num_rows)

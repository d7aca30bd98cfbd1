"""MLE copula as a Synthcity plugin (``Plugins().get("mle_copula")``).

Laid out like a Synthcity plugin file (one ``Plugin`` subclass, ``plugin = ...`` at the end)
so it can be proposed upstream as ``synthcity/plugins/generic/plugin_mle_copula.py``. The
model itself is :class:`synth_plugins.generators.mle_copula.MLECopula`; this module only
translates Synthcity's DataLoader and seeding conventions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from synthcity.plugins.core.dataloader import DataLoader
from synthcity.plugins.core.distribution import CategoricalDistribution, Distribution
from synthcity.plugins.core.schema import Schema

from synth_plugins._docstrings import args_from
from synth_plugins.generators.mle_copula import MLECopula
from synth_plugins.synthcity.checks import CONSTRAINT_ADVICE
from synth_plugins.synthcity.suite_plugin import SuitePlugin

#: The core's defaults: the one place each hyper-parameter's default is declared.
_CORE = MLECopula.__init__.__kwdefaults__

_NO_COND = (
    f"the copula has no conditional sampler; to get rows with a given value {CONSTRAINT_ADVICE}"
)


# Args written here, the rest is MLECopula's: Synthcity's own arguments (device is unused),
# and random_state (an int only: Synthcity seeds with it).
@args_from(MLECopula)
class MLECopulaPlugin(SuitePlugin):
    """Maximum-likelihood marginals joined by a Gaussian copula (KerusCloud-style).

    Each numeric column gets the family (normal, log-normal, gamma, Weibull, exponential,
    beta, uniform; Poisson and negative binomial for counts) with the lowest AIC or BIC;
    discrete columns keep their frequencies. ``level=1`` samples the columns independently,
    ``level=2`` joins them by a Gaussian copula on the real normal scores. Values stay in
    the training range (truncated inverse CDF), integers stay whole, each column's missing
    rate is reproduced. Method card: ``docs/methods/mle_copula.md``.

    Synthcity label-encodes columns with fewer than 15 distinct values before ``fit``;
    those are modelled by their frequencies. Identifier columns get fresh keys and dates
    (also written as text) are modelled as days (see :mod:`synth_plugins.synthcity.held_columns`).
    Empty training data, ``count < 1`` and ``cond`` raise an error naming the problem.

    Defaults are the core's (read from :class:`MLECopula`'s signature), and so is the text of
    every argument Synthcity does not change.

    Args:
        sampling_patience, strict: Synthcity's plugin arguments.
        device: Synthcity's plugin argument; unused, the copula runs on the CPU.
        random_state: Synthcity's plugin argument, also the core's seed: an integer (None,
            the core's "unseeded", is refused: Synthcity seeds numpy, torch, Python's
            ``random`` and its data schema with it).
        workspace, compress_dataset, sampling_strategy: Synthcity's plugin arguments.

    Example:
        >>> import synth_plugins
        >>> from synthcity.plugins import Plugins
        >>> from synth_plugins.datasets import load
        >>> plugin = Plugins().get("mle_copula").fit(load("heart_failure").data)
        >>> plugin.generate(count=10).dataframe().shape
        (10, 13)
    """

    cond_refusal = _NO_COND

    def __init__(
        self,
        level: int = _CORE["level"],
        selection: str = _CORE["selection"],
        families: list[str] | None = _CORE["families"],
        beta_padding: float = _CORE["beta_padding"],
        pit: str = _CORE["pit"],
        discrete_correlation: str = _CORE["discrete_correlation"],
        redraw_copies: bool = _CORE["redraw_copies"],
        identifier_columns: Sequence[str] | str = (),
        detect_identifiers: bool = True,
        # Synthcity's core plugin arguments (the copula runs on the CPU whatever ``device``)
        sampling_patience: int = 500,
        strict: bool = True,
        device: Any = "cpu",
        random_state: int = _CORE["random_state"],
        workspace: Path = Path("workspace"),
        compress_dataset: bool = False,
        sampling_strategy: str = "marginal",
        **kwargs: Any,
    ) -> None:
        super().__init__(
            identifier_columns=identifier_columns,
            detect_identifiers=detect_identifiers,
            sampling_patience=sampling_patience,
            strict=strict,
            device=device,
            random_state=random_state,
            workspace=workspace,
            compress_dataset=compress_dataset,
            sampling_strategy=sampling_strategy,
            **kwargs,
        )
        # not called "model": Synthcity's Serializable saves that attribute as bytes
        self.core = MLECopula(
            level=level,
            selection=selection,
            families=families,
            beta_padding=beta_padding,
            pit=pit,
            discrete_correlation=discrete_correlation,
            redraw_copies=redraw_copies,
            random_state=random_state,
        )

    @staticmethod
    def name() -> str:
        """The plugin's name in Synthcity's registry."""
        return "mle_copula"

    @staticmethod
    def type() -> str:
        """Synthcity's plugin category."""
        return "generic"

    @staticmethod
    def hyperparameter_space(**kwargs: Any) -> list[Distribution]:
        """The search space for Synthcity's (Optuna) hyper-parameter tuning."""
        return [
            CategoricalDistribution(name="level", choices=[1, 2]),
            CategoricalDistribution(name="selection", choices=["aic", "bic"]),
            CategoricalDistribution(name="pit", choices=["randomized", "mid_rank"]),
        ]

    def _fit(self, X: DataLoader, *args: Any, **kwargs: Any) -> MLECopulaPlugin:
        self._fit_core(X, None)
        return self

    def _generate(self, count: int, syn_schema: Schema, **kwargs: Any) -> DataLoader:
        return self._generate_core(count, syn_schema, None)


plugin = MLECopulaPlugin

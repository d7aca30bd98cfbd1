"""Toy marginals as a Synthcity plugin (``Plugins().get("toy_marginals")``): step 2.

Laid out like a Synthcity plugin file: one ``Plugin`` subclass (through ``SuitePlugin``,
which runs the suite's checks around Synthcity's ``fit`` and ``generate``), ``name()``,
``type()``, ``hyperparameter_space()``, ``_fit``, ``_generate`` and ``plugin = ...`` at the
end. Every default is read from the core's signature, and every argument's text that
Synthcity does not change from the core's docstring (``args_from``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synthcity.plugins.core.dataloader import DataLoader
from synthcity.plugins.core.distribution import (
    CategoricalDistribution,
    Distribution,
    FloatDistribution,
)
from synthcity.plugins.core.schema import Schema

from synth_plugins._docstrings import args_from
from synth_plugins.synthcity.suite_plugin import SuitePlugin
from tests.support.toy_generator.core import ToyMarginals

#: The core's defaults: the one place each hyper-parameter's default is declared.
_CORE = ToyMarginals.__init__.__kwdefaults__


# Args written here, the rest is the core's: Synthcity's own arguments.
@args_from(ToyMarginals)
class ToyMarginalsPlugin(SuitePlugin):
    """Each column drawn on its own from its training values (a toy; see the core).

    Args:
        sampling_patience, strict, device, random_state, workspace, compress_dataset,
        sampling_strategy: Synthcity's plugin arguments (``random_state`` also seeds
            the model).
    """

    cond_refusal = "independent marginals have no conditional sampler"

    def __init__(
        self,
        bandwidth: float = _CORE["bandwidth"],
        missing: str = _CORE["missing"],
        redraw_copies: bool = _CORE["redraw_copies"],
        # Synthcity's core plugin arguments (the toy runs on the CPU whatever ``device``)
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
            sampling_patience=sampling_patience,
            strict=strict,
            device=device,
            random_state=random_state,
            workspace=workspace,
            compress_dataset=compress_dataset,
            sampling_strategy=sampling_strategy,
            **kwargs,
        )
        self.core = ToyMarginals(
            bandwidth=bandwidth,
            missing=missing,  # type: ignore[arg-type]
            redraw_copies=redraw_copies,
            random_state=random_state,
        )

    @staticmethod
    def name() -> str:
        """The plugin's name in Synthcity's registry."""
        return "toy_marginals"

    @staticmethod
    def type() -> str:
        """Synthcity's plugin category."""
        return "generic"

    @staticmethod
    def hyperparameter_space(**kwargs: Any) -> list[Distribution]:
        """The search space for Synthcity's (Optuna) hyper-parameter tuning."""
        return [
            FloatDistribution(name="bandwidth", low=0.0, high=0.2),
            CategoricalDistribution(name="missing", choices=["indicator", "impute"]),
        ]

    def _fit(self, X: DataLoader, *args: Any, **kwargs: Any) -> ToyMarginalsPlugin:
        self._fit_core(X, None)
        return self

    def _generate(self, count: int, syn_schema: Schema, **kwargs: Any) -> DataLoader:
        return self._generate_core(count, syn_schema, None)


plugin = ToyMarginalsPlugin

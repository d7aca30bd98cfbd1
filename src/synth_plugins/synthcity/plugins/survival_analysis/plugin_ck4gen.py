"""CK4Gen-style survival data generation as a Synthcity plugin (``Plugins().get("ck4gen")``).

Laid out like a Synthcity plugin file, so it can be proposed upstream as
``synthcity/plugins/survival_analysis/plugin_ck4gen.py``. The model is
:class:`synth_plugins.generators.ck4gen.CK4Gen`; this module only translates Synthcity's
``SurvivalAnalysisDataLoader`` and seeding conventions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from synthcity.plugins.core.dataloader import DataLoader
from synthcity.plugins.core.distribution import (
    CategoricalDistribution,
    Distribution,
    FloatDistribution,
    IntegerDistribution,
)
from synthcity.plugins.core.plugin import Plugin
from synthcity.plugins.core.schema import Schema

from synth_plugins.errors import InvalidDataError
from synth_plugins.generators.ck4gen import CK4Gen
from synth_plugins.synthcity.roles import synthcity_roles


class CK4GenPlugin(Plugin):
    """CK4Gen-style survival data: a Cox model distilled into an encoder + decoder.

    A lifelines Cox model (the teacher) is fitted on the training covariates; an encoder
    (MLP, or a Deep-Cox-Mixtures-style student) learns its risk score by knowledge
    distillation; a decoder (SynthNet) learns to rebuild the covariates from the encoder's
    latent code. Generation encodes source patients, optionally perturbs the code, and
    decodes. ``outcome="copy"`` (the paper) gives each synthetic row its source patient's
    duration and event — real outcome pairs, a privacy risk the method card discusses;
    ``outcome="model"`` draws them from the teacher and the censoring distribution.
    Method card: ``docs/methods/ck4gen.md``.

    Args:
        n_iter: training epochs of each stage, encoder and decoder (500).
        batch_size: rows per mini-batch (64).
        lr: Adam learning rate (1e-3).
        encoder: ``"mlp"`` or ``"dcm"`` (Deep-Cox-Mixtures-style student).
        hidden_1, hidden_2, hidden_3: the encoder's three hidden widths (64, 32, 16); the
            decoder mirrors them.
        distill_target: ``"linear_predictor"`` or ``"survival_curve"``.
        teacher_penalizer: the Cox teacher's penalizer (0.01).
        latent_noise: perturbation of the latent code, in latent SDs (0.0).
        outcome: ``"copy"`` (the paper) or ``"model"``.
        missing: missing-value policy: ``"indicator"``, ``"impute"`` or ``"error"``.
        validation_fraction: share of rows held out for early stopping (0.1).
        patience: early-stopping patience in epochs (20).
        verbose: progress bars.
        sampling_patience, strict, device, random_state, workspace, compress_dataset,
        sampling_strategy: Synthcity's plugin arguments.

    Example:
        >>> import synth_plugins
        >>> from synthcity.plugins import Plugins
        >>> from synth_plugins.datasets import load
        >>> from synth_plugins.synthcity.loaders import to_dataloader
        >>> X = to_dataloader(load("gbsg2"))
        >>> plugin = Plugins().get("ck4gen", n_iter=20, outcome="model")
        >>> plugin.fit(X)
        >>> plugin.generate(count=10).dataframe().shape
        (10, 10)
    """

    def __init__(
        self,
        n_iter: int = 500,
        batch_size: int = 64,
        lr: float = 1e-3,
        encoder: str = "mlp",
        hidden_1: int = 64,
        hidden_2: int = 32,
        hidden_3: int = 16,
        distill_target: str = "linear_predictor",
        teacher_penalizer: float = 0.01,
        latent_noise: float = 0.0,
        outcome: str = "copy",
        missing: str = "indicator",
        validation_fraction: float = 0.1,
        patience: int = 20,
        verbose: bool = False,
        # Synthcity's core plugin arguments
        sampling_patience: int = 500,
        strict: bool = True,
        device: Any = "auto",
        random_state: int = 0,
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
        # Keyword arguments for the core, which needs the survival columns known at fit.
        # (Not an attribute called "model": Synthcity's Serializable saves such an
        # attribute as bytes and does not restore it.)
        self.core_params: dict[str, Any] = {
            "encoder": encoder,
            "hidden": (hidden_1, hidden_2, hidden_3),
            "distill_target": distill_target,
            "teacher_penalizer": teacher_penalizer,
            "lr": lr,
            "epochs_encoder": n_iter,
            "epochs_decoder": n_iter,
            "batch_size": batch_size,
            "validation_fraction": validation_fraction,
            "patience": patience,
            "latent_noise": latent_noise,
            "outcome": outcome,
            "missing": missing,
            "device": str(device),
            "random_state": random_state,
            "verbose": verbose,
        }
        self.core: CK4Gen | None = None

    @staticmethod
    def name() -> str:
        """The plugin's name in Synthcity's registry."""
        return "ck4gen"

    @staticmethod
    def type() -> str:
        """Synthcity's plugin category."""
        return "survival_analysis"

    @staticmethod
    def hyperparameter_space(**kwargs: Any) -> list[Distribution]:
        """The search space for Synthcity's (Optuna) hyper-parameter tuning."""
        return [
            IntegerDistribution(name="n_iter", low=100, high=1000, step=100),
            CategoricalDistribution(name="batch_size", choices=[32, 64, 128]),
            CategoricalDistribution(name="lr", choices=[5e-4, 1e-3, 2e-3, 5e-3]),
            CategoricalDistribution(name="encoder", choices=["mlp", "dcm"]),
            IntegerDistribution(name="hidden_1", low=32, high=128, step=16),
            IntegerDistribution(name="hidden_2", low=16, high=64, step=8),
            IntegerDistribution(name="hidden_3", low=8, high=32, step=4),
            FloatDistribution(name="latent_noise", low=0.0, high=0.5),
        ]

    def _fit(self, X: DataLoader, *args: Any, **kwargs: Any) -> CK4GenPlugin:
        if X.type() != "survival_analysis":
            raise InvalidDataError(
                "ck4gen needs a SurvivalAnalysisDataLoader (time_to_event_column and "
                f"target_column); got a {X.type()} loader"
            )
        info = X.info()
        frame = X.dataframe()
        self.core = CK4Gen(
            info["time_to_event_column"],
            info["target_column"],
            roles=synthcity_roles(frame, self._data_encoders),
            **self.core_params,
        ).fit(frame)
        return self

    def _generate(self, count: int, syn_schema: Schema, **kwargs: Any) -> DataLoader:
        assert self.core is not None
        # Synthcity seeds numpy's global generator from random_state; one draw seeds a call.
        stream = np.random.default_rng(np.random.randint(0, 2**31 - 1))  # noqa: NPY002

        def sample(n: int) -> pd.DataFrame:
            return self.core.sample(n, random_state=int(stream.integers(2**31 - 1)))

        return self._safe_generate(sample, count, syn_schema)


plugin = CK4GenPlugin

"""Med-VAE as a Synthcity plugin (``Plugins().get("med_vae")``).

Laid out like a Synthcity plugin file (one ``Plugin`` subclass, ``plugin = ...`` at the end)
so it can be proposed upstream as ``synthcity/plugins/generic/plugin_med_vae.py``. The model
itself is :class:`synth_plugins.generators.med_vae.MedVAE`; this module only translates
Synthcity's DataLoader, ``cond`` and seeding conventions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from synthcity.plugins.core.dataloader import DataLoader
from synthcity.plugins.core.distribution import (
    CategoricalDistribution,
    Distribution,
    FloatDistribution,
    IntegerDistribution,
)
from synthcity.plugins.core.schema import Schema

from synth_plugins._docstrings import args_from
from synth_plugins.generators.med_vae import MedVAE
from synth_plugins.generators.med_vae.transforms import TRANSFORMS
from synth_plugins.synthcity.suite_plugin import SuitePlugin
from synth_plugins.validation import host_names

#: The core's defaults: the one place each hyper-parameter's default is declared.
_CORE = MedVAE.__init__.__kwdefaults__


#: The core's arguments under Synthcity's names (for the core's errors and the docstring).
_HOST_NAMES = {"epochs": "n_iter", "hidden[0]": "hidden_1", "hidden[1]": "hidden_2"}


# Args written here, the rest is MedVAE's: Synthcity's own arguments, hidden_<i> (one
# element of the core's hidden each), random_state (an int only: Synthcity seeds with it),
# and the two conditioning arguments (conditions are cond here).
@args_from(MedVAE, _HOST_NAMES)
class MedVAEPlugin(SuitePlugin):
    """Med-VAE (Hogg & Sainsbury): a VAE for mixed-type medical tables.

    Categorical columns pass through one shared embedding table, numerical columns are
    mapped to normal scores of their ranks (``numerical_transform="quantile"``; the paper's
    min-max with sigmoid heads is ``"minmax"``), binary columns get logistic heads; the loss is
    ``100 MSE + BCE + sum of CEs + beta * (e / T) * KL`` with a differentiable KL (the
    released notebook detached it; ``kl_mode="legacy_detached"`` reproduces that).
    Generation decodes draws from a Gaussian mixture fitted to the training posteriors
    (``sampling="mixture"``, the default), from the stored posteriors themselves
    (``"library"``, the paper) or from the prior. ``dp=True`` trains with DP-SGD (Opacus)
    and samples the prior only. Method card: ``docs/methods/med_vae.md``.

    Conditional generation: fit with ``cond`` equal to one of the training columns (e.g.
    ``cond=X["smoking"]``), then ``generate(count, cond=values)`` decodes each row from the
    training rows with that value (a mixture fitted to their posteriors, or with
    ``sampling="library"`` their stored posteriors), with the core's
    ``enforce_conditions``, as the SDV synthesizer samples: rows that miss the value are
    generated again, so every row holds it. For conditions on any column without
    refitting, use the core ``MedVAE.sample(conditions=...)`` or the SDV synthesizer.

    Defaults are the core's (read from :class:`MedVAE`'s signature), and so is the text of
    every argument Synthcity does not change. Empty training data and ``generate(count=...)``
    with ``count < 1`` raise an error naming the problem (``count=None`` generates as many
    rows as in training).

    Args:
        hidden_1, hidden_2: the encoder's two hidden widths (88, 60), the core's ``hidden``
            (one number each, for Synthcity's search space); the decoder mirrors (60, 88).
        min_library_size: fewest training rows that must hold the value of ``cond`` asked
            of ``generate`` (5): rows decoded from fewer posteriors come close to those
            patients, so a value fewer rows hold is an error naming it (the SDV synthesizer
            leaves it to SDV's reject sampling instead).
        max_rejection_rounds: generation rounds allowed to find rows that hold their value
            of ``cond`` (20).
        sampling_patience, strict: Synthcity's plugin arguments.
        random_state: Synthcity's plugin argument, also the core's seed: an integer (None,
            the core's "unseeded", is refused: Synthcity seeds numpy, torch, Python's
            ``random`` and its data schema with it).
        workspace, compress_dataset, sampling_strategy: Synthcity's plugin arguments.

    Example:
        >>> import synth_plugins
        >>> from synthcity.plugins import Plugins
        >>> from synth_plugins.datasets import load
        >>> X = load("heart_failure").data
        >>> plugin = Plugins().get("med_vae", n_iter=5)
        >>> plugin = plugin.fit(X)
        >>> plugin.generate(count=10).dataframe().shape
        (10, 13)
    """

    cond_hint = (
        "conditions through its training-row libraries, so `cond` must be one of the "
        "training columns"
    )
    condition_options: ClassVar[Mapping[str, Any]] = {"enforce_conditions": True}

    def __init__(
        self,
        n_iter: int = _CORE["epochs"],
        batch_size: int | str = _CORE["batch_size"],
        lr: float | str = _CORE["lr"],
        latent_dim: int = _CORE["latent_dim"],
        hidden_1: int = _CORE["hidden"][0],
        hidden_2: int = _CORE["hidden"][1],
        embedding_dim: int = _CORE["embedding_dim"],
        numerical_transform: str = _CORE["numerical_transform"],
        beta: float = _CORE["beta"],
        kl_mode: str = _CORE["kl_mode"],
        leaky_relu_slope: float = _CORE["leaky_relu_slope"],
        batch_norm: bool = _CORE["batch_norm"],
        numerical_activation: str = _CORE["numerical_activation"],
        loss_weights: Mapping[str, float] | None = _CORE["loss_weights"],
        clipvalue: float | None = _CORE["clipvalue"],
        sampling: str = _CORE["sampling"],
        latent_temperature: float = _CORE["latent_temperature"],
        decoding: str = _CORE["decoding"],
        min_library_size: int = _CORE["min_library_size"],
        max_rejection_rounds: int = _CORE["max_rejection_rounds"],
        missing: str = _CORE["missing"],
        dp: bool = _CORE["dp"],
        dp_noise_multiplier: float = _CORE["dp_noise_multiplier"],
        dp_max_grad_norm: float = _CORE["dp_max_grad_norm"],
        dp_delta: float | None = _CORE["dp_delta"],
        validation_fraction: float | str = _CORE["validation_fraction"],
        patience: int | None = _CORE["patience"],
        redraw_copies: bool = _CORE["redraw_copies"],
        verbose: bool | None = _CORE["verbose"],
        identifier_columns: Sequence[str] | str = (),
        detect_identifiers: bool = True,
        # Synthcity's core plugin arguments
        sampling_patience: int = 500,
        strict: bool = True,
        device: Any = _CORE["device"],
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
        # the attribute is not called "model": Synthcity's Serializable saves an attribute of
        # that name as bytes and does not restore it
        with host_names(_HOST_NAMES):
            self.core = MedVAE(
                latent_dim=latent_dim,
                hidden=(hidden_1, hidden_2),
                embedding_dim=embedding_dim,
                numerical_transform=numerical_transform,
                leaky_relu_slope=leaky_relu_slope,
                batch_norm=batch_norm,
                numerical_activation=numerical_activation,
                loss_weights=loss_weights,
                beta=beta,
                kl_mode=kl_mode,
                lr=lr,
                clipvalue=clipvalue,
                batch_size=batch_size,
                epochs=n_iter,
                sampling=sampling,
                latent_temperature=latent_temperature,
                decoding=decoding,
                min_library_size=min_library_size,
                max_rejection_rounds=max_rejection_rounds,
                missing=missing,
                dp=dp,
                dp_noise_multiplier=dp_noise_multiplier,
                dp_max_grad_norm=dp_max_grad_norm,
                dp_delta=dp_delta,
                validation_fraction=validation_fraction,
                patience=patience,
                redraw_copies=redraw_copies,
                device=str(device),
                random_state=random_state,
                verbose=verbose,
            )

    @staticmethod
    def name() -> str:
        """The plugin's name in Synthcity's registry."""
        return "med_vae"

    @staticmethod
    def type() -> str:
        """Synthcity's plugin category."""
        return "generic"

    @staticmethod
    def hyperparameter_space(**kwargs: Any) -> list[Distribution]:
        """The search space for Synthcity's (Optuna) hyper-parameter tuning."""
        return [
            IntegerDistribution(name="n_iter", low=50, high=500, step=50),
            CategoricalDistribution(name="batch_size", choices=[32, 64, 128, 256]),
            CategoricalDistribution(name="lr", choices=[1e-4, 5e-4, 1e-3, 2e-3]),
            CategoricalDistribution(name="latent_dim", choices=[8, 16, 32, 64]),
            IntegerDistribution(name="hidden_1", low=32, high=256, step=8),
            IntegerDistribution(name="hidden_2", low=16, high=128, step=4),
            IntegerDistribution(name="embedding_dim", low=2, high=8),
            FloatDistribution(name="beta", low=0.01, high=1.0),
            CategoricalDistribution(name="numerical_transform", choices=list(TRANSFORMS)),
        ]

    def _fit(self, X: DataLoader, *args: Any, **kwargs: Any) -> MedVAEPlugin:
        self._fit_core(X, kwargs.get("cond"))
        return self

    def _generate(self, count: int, syn_schema: Schema, **kwargs: Any) -> DataLoader:
        return self._generate_core(count, syn_schema, kwargs.get("cond"))


plugin = MedVAEPlugin

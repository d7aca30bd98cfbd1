"""CTAB-GAN+ as a Synthcity plugin (``Plugins().get("ctabgan_plus")``).

Laid out like a Synthcity plugin file (one ``Plugin`` subclass, ``plugin = ...`` at the end)
so it can be proposed upstream as ``synthcity/plugins/generic/plugin_ctabgan_plus.py``. The
model is :class:`synth_plugins.generators.ctabgan_plus.CTABGANPlus`; this module translates
Synthcity's DataLoader, ``cond`` and seeding conventions. Every default is read from
the core's signature, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from sklearn.preprocessing import LabelEncoder
from synthcity.plugins.core.dataloader import DataLoader
from synthcity.plugins.core.distribution import (
    CategoricalDistribution,
    Distribution,
    FloatDistribution,
    IntegerDistribution,
)
from synthcity.plugins.core.schema import Schema

from synth_plugins._docstrings import args_from
from synth_plugins.errors import InvalidParameterError
from synth_plugins.generators.ctabgan_plus import CTABGANPlus
from synth_plugins.synthcity.suite_plugin import SuitePlugin
from synth_plugins.validation import host_names

#: The core's defaults: the one place each hyper-parameter's default is declared.
_CORE = CTABGANPlus.__init__.__kwdefaults__


#: The core's arguments under Synthcity's names (for the core's errors and the docstring).
_HOST_NAMES = {"epochs": "n_iter"}


# Args written here, the rest is CTABGANPlus's: Synthcity's own arguments, random_state
# (an int only: Synthcity seeds with it) and enforce_conditions (conditions are cond here).
@args_from(CTABGANPlus, _HOST_NAMES)
class CTABGANPlusPlugin(SuitePlugin):
    """CTAB-GAN+ (Zhao et al. 2024): a conditional tabular WGAN-GP for mixed-type data.

    Numeric columns are encoded by mode-specific normalisation (variational Gaussian
    mixture), with special values (e.g. many exact zeros) and missing values as their own
    modes, a general (min-max) transform for single-mode columns and a log transform for
    long-tailed ones; kinds are inferred and can be overridden (``column_kinds``,
    ``mixed_values``). Training-by-sampling over categorical levels; information,
    conditional and (with ``target``) downstream losses; fully connected networks with no
    cap on the encoded width. ``dp=True`` trains the critic with DP-SGD (Opacus). Method
    card: ``docs/methods/ctabgan_plus.md``.

    Conditional generation: fit with ``cond`` equal to one of the training columns (e.g.
    ``cond=X["sex"]``), then ``generate(count, cond=values)`` feeds each value through the
    conditional vector; rows that miss it are regenerated.

    Defaults are the core's (read from :class:`CTABGANPlus`'s signature), and so is the text
    of every argument Synthcity does not change. Empty training data and
    ``generate(count=...)`` with ``count < 1`` raise an error naming the problem
    (``count=None`` generates as many rows as in training).

    Args:
        enforce_conditions: ``generate(cond=...)`` regenerates rows that miss their value of
            ``cond``, so every row holds it (True); False returns the generator's rows.
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
        >>> plugin = Plugins().get("ctabgan_plus", n_iter=5)
        >>> plugin = plugin.fit(X)
        >>> plugin.generate(count=10).dataframe().shape
        (10, 13)
    """

    cond_hint = (
        "conditions through its conditional vector, so `cond` must be one of the "
        "categorical training columns"
    )

    def __init__(
        self,
        n_iter: int | Literal["auto"] = _CORE["epochs"],
        target: str | None = _CORE["target"],
        column_kinds: Mapping[str, str] | None = _CORE["column_kinds"],
        mixed_values: Mapping[str, Sequence[float]] | None = _CORE["mixed_values"],
        batch_size: int = _CORE["batch_size"],
        noise_dim: int = _CORE["noise_dim"],
        generator_hidden: Sequence[int] = _CORE["generator_hidden"],
        discriminator_hidden: Sequence[int] = _CORE["discriminator_hidden"],
        auxiliary_hidden: Sequence[int] = _CORE["auxiliary_hidden"],
        generator_lr: float = _CORE["generator_lr"],
        discriminator_lr: float = _CORE["discriminator_lr"],
        weight_decay: float = _CORE["weight_decay"],
        discriminator_steps: int = _CORE["discriminator_steps"],
        gp_weight: float = _CORE["gp_weight"],
        info_weight: float | None = _CORE["info_weight"],
        aux_weight: float = _CORE["aux_weight"],
        gumbel_tau: float = _CORE["gumbel_tau"],
        mixed_threshold: float = _CORE["mixed_threshold"],
        log_skewness: float = _CORE["log_skewness"],
        max_modes: int = _CORE["max_modes"],
        enforce_conditions: bool = _CORE["enforce_conditions"],
        max_rejection_rounds: int = _CORE["max_rejection_rounds"],
        calibrate_levels: bool = _CORE["calibrate_levels"],
        redraw_copies: bool = _CORE["redraw_copies"],
        dp: bool = _CORE["dp"],
        dp_noise_multiplier: float = _CORE["dp_noise_multiplier"],
        dp_max_grad_norm: float = _CORE["dp_max_grad_norm"],
        dp_delta: float | None = _CORE["dp_delta"],
        verbose: bool | None = _CORE["verbose"],
        identifier_columns: Sequence[str] | str = (),
        detect_identifiers: bool = True,
        # Synthcity's core plugin arguments
        sampling_patience: int = 500,
        strict: bool = True,
        device: Any = _CORE["device"],
        # the core's default seed; an int here, as Synthcity seeds numpy, torch and its data
        # schema with it (SuitePlugin refuses None, the core's "unseeded")
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
        given = dict(locals())
        options = {name: given[name] for name in _CORE if name in given}
        options.update(epochs=n_iter, device=str(device), random_state=random_state)
        # the attribute is not called "model": Synthcity's Serializable saves an attribute of
        # that name as bytes and does not restore it
        with host_names(_HOST_NAMES):
            self.core = CTABGANPlus(**options)

    @staticmethod
    def name() -> str:
        """The plugin's name in Synthcity's registry."""
        return "ctabgan_plus"

    @staticmethod
    def type() -> str:
        """Synthcity's plugin category."""
        return "generic"

    @staticmethod
    def hyperparameter_space(**kwargs: Any) -> list[Distribution]:
        """The search space for Synthcity's (Optuna) hyper-parameter tuning."""
        return [
            IntegerDistribution(name="n_iter", low=100, high=1000, step=100),
            CategoricalDistribution(name="batch_size", choices=[64, 128, 256, 500]),
            CategoricalDistribution(name="generator_lr", choices=[1e-4, 2e-4, 5e-4, 1e-3]),
            CategoricalDistribution(name="discriminator_lr", choices=[1e-4, 2e-4, 5e-4, 1e-3]),
            CategoricalDistribution(name="noise_dim", choices=[64, 100, 128, 256]),
            FloatDistribution(name="gp_weight", low=1.0, high=20.0),
            FloatDistribution(name="info_weight", low=0.0, high=2.0),
            IntegerDistribution(name="discriminator_steps", low=1, high=5),
        ]

    def named_columns(self) -> dict[str, list[str]]:
        """The columns ``target``, ``column_kinds`` and ``mixed_values`` name."""
        core = self.core
        return {
            "target": [] if core.target is None else [core.target],
            "column_kinds": list(core.column_kinds or {}),
            "mixed_values": list(core.mixed_values or {}),
        }

    def _fit(self, X: DataLoader, *args: Any, **kwargs: Any) -> CTABGANPlusPlugin:
        self._refuse_encoded_numbers()
        self._fit_core(X, kwargs.get("cond"))
        return self

    def _refuse_encoded_numbers(self) -> None:
        """Refuse a numeric override on a column of numbers Synthcity label-encoded.

        ``mixed_values`` and every ``column_kinds`` kind but ``"categorical"`` need a
        numeric column, and Synthcity label-encodes a column of fewer than 15 distinct
        values, numbers too, before ``_fit``: the core then saw category codes and said
        "'dose' is categorical", without saying why.

        Raises:
            InvalidParameterError: such an option names a column of numbers that Synthcity
                label-encoded; the message says why and what to do instead.
        """
        core = self.core
        options = {
            **{
                column: f"column_kinds[{column!r}]={kind!r}"
                for column, kind in (core.column_kinds or {}).items()
                if kind != "categorical"
            },
            **{column: f"mixed_values[{column!r}]" for column in core.mixed_values or {}},
        }
        encoders = self._data_encoders or {}
        for column, option in options.items():
            encoder = encoders.get(column)
            if isinstance(encoder, LabelEncoder) and encoder.classes_.dtype.kind in "iuf":
                raise InvalidParameterError(
                    f"{self.name()}: {option} needs a numeric column, but {column!r} has "
                    f"{len(encoder.classes_)} distinct values, and Synthcity label-encodes a "
                    "column with fewer than 15 before fit, so the plugin gets it as categorical "
                    "codes; "
                    f"leave {column!r} out of the option, or fit the SDV synthesizer "
                    "(CTABGANPlusSynthesizer) or the core (synth_plugins.generators."
                    "ctabgan_plus.CTABGANPlus), which keep it numeric"
                )

    def _generate(self, count: int, syn_schema: Schema, **kwargs: Any) -> DataLoader:
        return self._generate_core(count, syn_schema, kwargs.get("cond"))


plugin = CTABGANPlusPlugin

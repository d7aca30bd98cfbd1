"""CTAB-GAN+ as an SDV single-table synthesizer: ``CTABGANPlusSynthesizer(metadata)``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd
from sdv.single_table.base import BaseSingleTableSynthesizer

from synth_plugins._docstrings import args_from
from synth_plugins.generators.ctabgan_plus import CTABGANPlus
from synth_plugins.sdv._contract import SingleTableContract, device_for
from synth_plugins.sdv.loss_values import LossValuesMixin
from synth_plugins.sdv.metadata import roles_from_metadata

#: The core's defaults: the one place each hyper-parameter's default is declared.
_CORE = CTABGANPlus.__init__.__kwdefaults__
#: core hyper-parameters the synthesizer forwards under the same name (not the per-column
#: options, passed by name, nor ``device``, which SDV spells ``enable_gpu``)
_FORWARDED = tuple(
    name for name in _CORE if name not in ("column_kinds", "mixed_values", "target", "device")
)


# Args written here, the rest is CTABGANPlus's: SDV's own arguments, and random_state, which
# also seeds SDV's sampling stream (None is SDV's fixed seed there, not unseeded).
@args_from(CTABGANPlus)
class CTABGANPlusSynthesizer(LossValuesMixin, SingleTableContract, BaseSingleTableSynthesizer):
    """CTAB-GAN+ (Zhao et al. 2024) for SDV: a conditional tabular WGAN-GP.

    SDV metadata drives the column roles (categorical and boolean sdtypes reach the model as
    raw values and are one-hot encoded by CTAB-GAN+ itself; numerical columns get its
    mode-specific, mixed, general or log encodings, inferred or set with ``column_kinds`` /
    ``mixed_values``). Datetime columns also reach the model raw (modelled as days, written
    back in the column's dtype or format), and ``id`` columns that are not keys get fresh
    keys, never a training value. Numerical columns keep their missing values (not SDV's
    mean fill): CTAB-GAN+ models them as the column's missing mode, tied to the other
    columns. ``sample_from_conditions`` is native on categorical
    columns (and special values of mixed columns): the condition is fed through the
    conditional vector and rows that miss it are regenerated; other conditions use SDV's
    reject sampling. Conditions are checked first (an unknown column, an unseen level or a
    number outside the training range raise ``InvalidParameterError`` naming the column).
    ``sample(0)`` gives an empty table with the training columns; a negative ``num_rows``
    is an error. After a ``dp=True`` fit, ``epsilon`` is the privacy budget spent. Every
    default is read from the core's signature, and the text of every argument SDV does not
    change is the core's (:class:`CTABGANPlus`). Method card: ``docs/methods/ctabgan_plus.md``.

    Args:
        metadata: SDV ``Metadata`` of the table.
        enforce_min_max_values, enforce_rounding: SDV's synthesizer arguments; True only
            (``False`` is refused): generated values always keep each column's training
            range and precision.
        locales: SDV's synthesizer argument (the Faker locales of ``pii`` columns).
        enable_gpu: as SDV's own ``enable_gpu``: True trains and samples on CUDA when it is
            available (else the CPU), False always on the CPU.
        random_state: seed of the fit (SDV itself has no seed argument) and, with SDV's
            fixed seed, of the sampling stream that ``reset_sampling`` restarts; None fits
            unseeded and samples from SDV's seed alone.

    Example:
        >>> from synth_plugins.sdv import CTABGANPlusSynthesizer
        >>> from synth_plugins.sdv.metadata import metadata_for
        >>> from synth_plugins.datasets import load
        >>> ds = load("heart_failure")
        >>> synthesizer = CTABGANPlusSynthesizer(metadata_for(ds), epochs=5)
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
        target: str | None = _CORE["target"],
        column_kinds: Mapping[str, str] | None = _CORE["column_kinds"],
        mixed_values: Mapping[str, Sequence[float]] | None = _CORE["mixed_values"],
        epochs: int | Literal["auto"] = _CORE["epochs"],
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
        random_state: int | None = _CORE["random_state"],
        verbose: bool | None = _CORE["verbose"],
        enable_gpu: bool = _CORE["device"] != "cpu",
    ) -> None:
        super().__init__(
            metadata,
            enforce_min_max_values=enforce_min_max_values,
            enforce_rounding=enforce_rounding,
            locales=locales if locales is not None else ["en_US"],
        )
        given = dict(locals())
        # SDV's get_parameters() reads every constructor argument back from an attribute
        for name in ("target", "column_kinds", "mixed_values", *_FORWARDED, "enable_gpu"):
            setattr(self, name, given[name])
        self._model: CTABGANPlus | None = None
        # validate every argument now, as SDV users expect errors at construction
        self._new_model({})

    def _new_model(self, roles: Mapping[str, str]) -> CTABGANPlus:
        return CTABGANPlus(
            roles=roles,
            target=self.target,
            column_kinds=self.column_kinds,
            mixed_values=self.mixed_values,
            device=device_for(self.enable_gpu),
            **{name: getattr(self, name) for name in _FORWARDED},
        )

    @property
    def epsilon(self) -> float | None:
        """The DP budget spent by the fit (None unless ``dp=True``)."""
        return None if self._model is None else self._model.epsilon_

    def _fit(self, processed_data: pd.DataFrame) -> None:
        roles = roles_from_metadata(self.metadata, processed_data)
        self._model = self._new_model(roles).fit(processed_data)

    def _core_rows(
        self, num_rows: int, conditions: Mapping[str, Any] | None = None
    ) -> pd.DataFrame:
        assert self._model is not None
        if not conditions:
            return self._model.sample(num_rows)
        if not all(self._model.can_condition(c, v) for c, v in conditions.items()):
            raise NotImplementedError  # not in the conditional vector: SDV's reject sampling
        return self._model.sample(num_rows, conditions=dict(conditions))

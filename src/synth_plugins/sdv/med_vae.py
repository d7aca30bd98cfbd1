"""Med-VAE as an SDV single-table synthesizer: ``MedVAESynthesizer(metadata)``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sdv.single_table.base import BaseSingleTableSynthesizer

from synth_plugins._docstrings import args_from
from synth_plugins.generators.med_vae import MedVAE
from synth_plugins.sdv._contract import SingleTableContract, device_for
from synth_plugins.sdv.loss_values import LossValuesMixin
from synth_plugins.sdv.metadata import roles_from_metadata

#: The core's defaults: the one place each hyper-parameter's default is declared.
_CORE = MedVAE.__init__.__kwdefaults__


# Args written here, the rest is MedVAE's: SDV's own arguments, and random_state, which
# also seeds SDV's sampling stream (None is SDV's fixed seed there, not unseeded).
@args_from(MedVAE)
class MedVAESynthesizer(LossValuesMixin, SingleTableContract, BaseSingleTableSynthesizer):
    """Med-VAE (Hogg & Sainsbury) for SDV: a VAE for mixed-type medical tables.

    Categorical and boolean columns reach the model as raw values (Med-VAE encodes them
    itself, through one shared embedding table), as do datetime columns (modelled as days,
    written back in the column's dtype or format) and ``id`` columns that are not keys
    (fresh keys, never a training value); numerical columns use SDV's float formatter for
    rounding and the min/max clip, but keep their missing values for Med-VAE's own
    missingness indicator (SDV's default would fill the mean and blank values at random).
    ``sample_from_conditions`` and ``sample_remaining_columns`` are native where at least
    ``min_library_size`` training rows hold every condition: rows are decoded from the
    posteriors of those rows (the paper's libraries; with the default
    ``sampling="mixture"``, a Gaussian mixture fitted to those posteriors), with the core's
    ``enforce_conditions``: levels are drawn and rows that miss one are generated again,
    and a number asked for is given to every row, so every row holds the conditions even
    after a short fit. SDV's reject sampling (rows of the whole model that hold the
    conditions, or SDV's "Only able to sample" warning) takes over where fewer training
    rows hold them (rows decoded from so few posteriors come close to those patients),
    for a condition on a datetime column, and with prior sampling (``dp=True`` or
    ``sampling="prior"``); the core's ``MedVAE.sample`` and the Synthcity plugin refuse
    those instead. Conditions are checked before SDV samples: an unknown column, a level
    never seen in training or a number outside the training range raise
    :class:`~synth_plugins.errors.InvalidParameterError` naming the column.
    ``sample(0)`` gives an empty table with the
    training columns; a negative ``num_rows`` is an error. After a ``dp=True`` fit,
    ``epsilon`` is the privacy budget spent. Defaults are the core's (read from
    :class:`MedVAE`'s signature), and so is the text of every argument SDV does not change.
    Method card: ``docs/methods/med_vae.md``.

    Args:
        metadata: SDV ``Metadata`` of the table.
        enforce_min_max_values, enforce_rounding: SDV's synthesizer arguments; True only
            (``False`` is refused): generated values always keep each column's training
            range and precision.
        locales: SDV's synthesizer argument (the Faker locales of ``pii`` columns).
        min_library_size: fewest training rows that must hold the conditions for Med-VAE
            to decode rows from their posteriors (5): rows decoded from fewer come close to
            those patients, so SDV's reject sampling meets such conditions instead.
        enable_gpu: as SDV's own ``enable_gpu``: True trains and samples on CUDA when it is
            available (else the CPU), False always on the CPU.
        random_state: seed of the fit (SDV itself has no seed argument) and, with SDV's
            fixed seed, of the sampling stream that ``reset_sampling`` restarts; None fits
            unseeded and samples from SDV's seed alone.

    Example:
        >>> from synth_plugins.sdv import MedVAESynthesizer
        >>> from synth_plugins.sdv.metadata import metadata_for
        >>> from synth_plugins.datasets import load
        >>> ds = load("heart_failure")
        >>> synthesizer = MedVAESynthesizer(metadata_for(ds), epochs=5)
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
        epochs: int = _CORE["epochs"],
        batch_size: int | str = _CORE["batch_size"],
        lr: float | str = _CORE["lr"],
        latent_dim: int = _CORE["latent_dim"],
        hidden: tuple[int, ...] = _CORE["hidden"],
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
        validation_fraction: float | str = _CORE["validation_fraction"],
        patience: int | None = _CORE["patience"],
        redraw_copies: bool = _CORE["redraw_copies"],
        dp: bool = _CORE["dp"],
        dp_noise_multiplier: float = _CORE["dp_noise_multiplier"],
        dp_max_grad_norm: float = _CORE["dp_max_grad_norm"],
        dp_delta: float | None = _CORE["dp_delta"],
        enable_gpu: bool = True,
        random_state: int | None = _CORE["random_state"],
        verbose: bool | None = _CORE["verbose"],
    ) -> None:
        super().__init__(
            metadata,
            enforce_min_max_values=enforce_min_max_values,
            enforce_rounding=enforce_rounding,
            locales=locales if locales is not None else ["en_US"],
        )
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.latent_dim = latent_dim
        self.hidden = tuple(hidden)
        self.embedding_dim = embedding_dim
        self.numerical_transform = numerical_transform
        self.beta = beta
        self.kl_mode = kl_mode
        self.leaky_relu_slope = leaky_relu_slope
        self.batch_norm = batch_norm
        self.numerical_activation = numerical_activation
        self.loss_weights = loss_weights
        self.clipvalue = clipvalue
        self.sampling = sampling
        self.latent_temperature = latent_temperature
        self.decoding = decoding
        self.min_library_size = min_library_size
        self.max_rejection_rounds = max_rejection_rounds
        self.missing = missing
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.redraw_copies = redraw_copies
        self.dp = dp
        self.dp_noise_multiplier = dp_noise_multiplier
        self.dp_max_grad_norm = dp_max_grad_norm
        self.dp_delta = dp_delta
        self.enable_gpu = enable_gpu
        self.random_state = random_state
        self.verbose = verbose
        self._model: MedVAE | None = None
        # validate every argument now, as SDV users expect errors at construction
        self._new_model({})

    def _new_model(self, roles: Mapping[str, str]) -> MedVAE:
        return MedVAE(
            roles=roles,
            latent_dim=self.latent_dim,
            hidden=self.hidden,
            embedding_dim=self.embedding_dim,
            numerical_transform=self.numerical_transform,
            beta=self.beta,
            kl_mode=self.kl_mode,
            leaky_relu_slope=self.leaky_relu_slope,
            batch_norm=self.batch_norm,
            numerical_activation=self.numerical_activation,
            loss_weights=self.loss_weights,
            clipvalue=self.clipvalue,
            lr=self.lr,
            batch_size=self.batch_size,
            epochs=self.epochs,
            sampling=self.sampling,
            latent_temperature=self.latent_temperature,
            decoding=self.decoding,
            min_library_size=self.min_library_size,
            max_rejection_rounds=self.max_rejection_rounds,
            missing=self.missing,
            validation_fraction=self.validation_fraction,
            patience=self.patience,
            redraw_copies=self.redraw_copies,
            dp=self.dp,
            dp_noise_multiplier=self.dp_noise_multiplier,
            dp_max_grad_norm=self.dp_max_grad_norm,
            dp_delta=self.dp_delta,
            device=device_for(self.enable_gpu),
            random_state=self.random_state,
            verbose=self.verbose,
        )

    @property
    def epsilon(self) -> float | None:
        """The DP budget spent by the fit (None unless ``dp=True``)."""
        return None if self._model is None else self._model.epsilon_

    def _fit(self, processed_data: pd.DataFrame) -> None:
        roles = roles_from_metadata(self.metadata, processed_data)
        self._model = self._new_model(roles).fit(processed_data)

    def _library_conditions(self) -> bool:
        """Whether conditions are native (library sampling) rather than SDV's rejection."""
        return self._model is not None and self._model.default_sampling != "prior"

    def _check_model_conditions(self, conditions: pd.DataFrame) -> None:
        """With library sampling, let the model refuse a condition no sampling can meet.

        ``can_condition`` raises for those (naming the column); one the library cannot
        serve (a datetime column, fewer than ``min_library_size`` matching training rows)
        is not an error here: :meth:`_core_rows` leaves it to SDV's rejection sampling.
        """
        if not self._library_conditions():
            return
        assert self._model is not None
        for _, row in conditions.drop_duplicates().iterrows():
            transformed = self._transform_conditions(row.to_frame().T.astype(conditions.dtypes))
            self._model.can_condition(transformed.iloc[0].to_dict())

    def _core_rows(
        self, num_rows: int, conditions: Mapping[str, Any] | None = None
    ) -> pd.DataFrame:
        assert self._model is not None
        if not conditions:
            return self._model.sample(num_rows)
        if not self._library_conditions() or not self._model.can_condition(conditions):
            # prior sampling, a datetime condition, or fewer than min_library_size training
            # rows holding the conditions (rows decoded from so few posteriors come close to
            # those patients): SDV's reject sampling keeps the rows of the whole model that
            # hold them, or warns that it found too few
            raise NotImplementedError
        # SDV returns only rows that hold every condition: the core's own rejection gets them
        # with drawn levels and gives each row an asked number, so a weakly trained model
        # still yields rows (SDV's retries of its most likely levels may find none) and a
        # condition it cannot reach gets the core's message
        return self._model.sample(num_rows, conditions=dict(conditions), enforce_conditions=True)

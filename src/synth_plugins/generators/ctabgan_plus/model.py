"""CTAB-GAN+ (Zhao, Kunar, Birke, Van der Scheer, Chen): a conditional tabular WGAN-GP.

Written from the paper (Frontiers in Big Data 6, 2024, doi 10.3389/fdata.2023.1296508); the
authors' repository Team-TUD/CTAB-GAN-Plus has no licence and was only read. The method card
``docs/methods/ctabgan_plus.md`` says what is faithful and where we differ.

One training step: draw conditional vectors by training-by-sampling and the real rows that
match them; the discriminator (critic) scores ``(row, cond)`` pairs with the Wasserstein loss
and a gradient penalty; the generator maximises the critic's score on its rows, plus the
conditional (cross-entropy) loss on the asked levels, the information loss (mean and standard
deviation of the critic's last features, real vs synthetic) and, with a ``target``, the
downstream loss of an auxiliary classifier/regressor trained on real rows alongside.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
import torch
from torch.nn import functional as F

from synth_plugins.encoding.tabular import fresh_keys
from synth_plugins.errors import (
    InvalidDataError,
    InvalidParameterError,
    MissingDependencyError,
    NotFittedError,
    plain,
)
from synth_plugins.generators import _torch
from synth_plugins.generators.ctabgan_plus.calibration import (
    CALIBRATION_ROWS,
    group_sums,
    level_offsets,
    share_groups,
)
from synth_plugins.generators.ctabgan_plus.conditional import ConditionalSampler
from synth_plugins.generators.ctabgan_plus.config import AUTO_EPOCHS, AUTO_MIN_STEPS, PRESETS
from synth_plugins.generators.ctabgan_plus.networks import Auxiliary, Discriminator, Generator
from synth_plugins.generators.ctabgan_plus.transformer import (
    ColumnPlan,
    MixedTypeTransformer,
    as_list,
    check_overrides,
)
from synth_plugins.generators.privacy import CopyFilter
from synth_plugins.validation import (
    TrainingUnit,
    check_auto,
    check_bool,
    check_dp_options,
    check_float,
    check_int,
    check_int_tuple,
    check_random_state,
    check_training_size,
    preset_settings,
)

__all__ = ["CTABGANPlus", "steps_per_epoch"]

#: Rows generated per call when sampling (bounds memory for millions of rows).
_SAMPLE_CHUNK = 65_536
#: Rows per forward pass of the generator (bounds its activations' memory).
_FORWARD_CHUNK = 4_096
#: Weight clipping of the critic in DP mode (replaces the gradient penalty; see the card).
_DP_WEIGHT_CLIP = 0.01


def steps_per_epoch(n_rows: int, batch_size: int) -> int:
    """Optimiser steps of one epoch without DP: ``max(1, n_rows // batch_size)``.

    Each step draws ``min(batch_size, n_rows)`` rows, so a table under ``2 * batch_size``
    rows has one step per epoch (DP's Poisson-sampled epochs have ``n_rows / batch_size``
    batches on average).
    """
    return max(1, n_rows // batch_size)


class CTABGANPlus:
    """CTAB-GAN+: conditional WGAN-GP with a mixed-type encoder and a downstream loss.

    Column kinds are inferred (``column_kinds_`` after fit): discrete roles are
    ``categorical`` (one-hot); a numeric column with a value on >= ``mixed_threshold`` of the
    rows, and other values besides, is ``mixed`` (those values are their own modes); a
    non-negative column with skewness above ``log_skewness`` is ``log`` (log transform, then
    a variational Gaussian mixture); a column whose mixture finds one mode is ``general``
    (min-max to [-1, 1]); the rest are ``continuous`` (mode-specific normalisation).
    Override with ``column_kinds`` and ``mixed_values``.

    Missing values: a numeric column's missing values are one more mode of the column
    ("missing mode"; alpha 0); a categorical column's are one more level. Generated data
    contain missing values at the training rate (``calibrate_levels``), where the generator
    places them; a column with no observed value is refused.

    Differential privacy (``dp=True``): DP-SGD on the critic through Opacus (per-row
    clipping, Gaussian noise, Poisson sampling, RDP accountant), ``epsilon_`` reported for
    ``dp_delta`` (default ``1 / n_rows``). The generator only sees the critic's gradients
    (post-processing). Parts that read real rows outside the critic are refused, replaced
    or left out: ``target`` (the auxiliary model trains on real rows) and ``info_weight > 0``
    (the information loss reads real rows' features) are refused; real rows carry a
    conditional vector naming their own level (training-by-sampling picks rows by level,
    which breaks the Poisson sampling the accountant assumes); the gradient penalty (which
    mixes a real and a fake row) is replaced by weight clipping of the critic; the copy
    filter of ``redraw_copies`` (which compares generated rows with the training rows) is
    not fitted. Data-derived preprocessing (levels, ranges, mixture fits, level
    frequencies) is not private.

    Every hyper-parameter is keyword-only and its default is declared once, in this
    signature; the host adapters read them from ``CTABGANPlus.__init__.__kwdefaults__``.
    ``CTABGANPlus.from_preset("paper")`` gives the paper's settings (:meth:`from_preset`).

    Args:
        roles: role per column (``numerical``, ``integer``, ``binary``, ``categorical``,
            ``ordinal``, ``datetime``, ``identifier``; see ``synth_plugins.encoding.roles``);
            columns not named are inferred. Datetime columns are modelled as days and
            written back as datetimes; identifier columns get fresh keys, never a
            training value.
        column_kinds: kind per column: ``continuous``, ``mixed``, ``general``, ``log``,
            ``categorical``.
        mixed_values: special values per column, e.g. ``{"dose": [0.0]}`` (makes it mixed).
        target: a column for the downstream loss: an auxiliary classifier (categorical
            column) or regressor (numeric column) trained alongside; None disables it.
        epochs: passes over the data, each of ``max(1, n_rows // batch_size)`` steps of
            ``min(batch_size, n_rows)`` rows, or ``"auto"`` (default): 300 epochs (SDV
            CTGAN's budget) but at least 2,000 optimiser steps
            (:data:`~synth_plugins.generators.ctabgan_plus.config.AUTO_MIN_STEPS`), so
            ``ceil(2000 / steps_per_epoch)`` epochs below 3,500 rows at batch 500 (2,000
            on the 299-row heart-failure table, where an epoch is one step); with
            ``dp=True`` 300 epochs (more steps spend more privacy budget). An integer is
            trained exactly; :meth:`epochs_for` tells the number for a table size.
        batch_size: rows per step (500; at most ``n_rows``).
        noise_dim: generator noise dimension (128).
        generator_hidden, discriminator_hidden, auxiliary_hidden: hidden widths (fully connected;
            no cap on the encoded width).
        generator_lr, discriminator_lr: Adam learning rates (2e-4; betas 0.5, 0.9).
        weight_decay: Adam weight decay of both networks (1e-6).
        discriminator_steps: critic steps per generator step (1).
        gp_weight: gradient-penalty weight (10).
        info_weight: information-loss weight; None means 1 (0 with ``dp=True``).
        aux_weight: downstream-loss weight (0.25; the paper adds the loss unweighted, 1.0,
            which collapsed a feature on one of three seeds: see the method card).
        gumbel_tau: Gumbel-softmax temperature of the one-hot outputs in training (0.2).
        mixed_threshold: share of rows on one value that makes a column mixed (0.1).
        log_skewness: skewness above which a non-negative column is log-transformed (2).
        max_modes: most mixture components per continuous column (10).
        enforce_conditions: ``sample(conditions=...)`` regenerates rows that miss a
            condition, so every row holds it (True); False returns the generator's rows.
        max_rejection_rounds: generation rounds allowed for that (20).
        calibrate_levels: draw each categorical column's levels with per-level offsets on
            the generator's logits, fitted after training so that the levels' shares in
            generated rows equal the training shares (default True; see
            :mod:`~synth_plugins.generators.ctabgan_plus.calibration`). On a small table
            the default budget leaves the softmax nearly flat, and a level one of 301 rows
            holds came out on 5.1 % of the rows (0.36 % calibrated). A numeric column's
            missing mode is calibrated the same way (missing against its other modes):
            ``urin1`` of the RHC study, missing on 53 % of training rows, came out missing on
            43 % to 66 % of the rows without it (seeds 0 to 2) and 51 % to 53 % with it. A
            column named in ``sample(conditions=...)`` is left to its condition. False
            draws from the generator's softmax as it is, as the paper does. Acts at
            sampling.
        redraw_copies: keep exact copies of training rows no more frequent than in a real
            holdout (default True): generated rows equal to a training row on every column
            but identifiers, beyond ``floor(r * n)`` with ``r`` the share of training rows
            equal to another training row, are replaced by fresh generated rows (with the
            same conditions; up to 8 rounds, then a ``SynthPluginsWarning``); see
            :class:`~synth_plugins.generators.privacy.CopyFilter`. False returns the
            generator's rows as they are. Not applied with ``dp=True``: the filter reads
            the training rows, outside the DP accounting.
        dp, dp_noise_multiplier, dp_max_grad_norm, dp_delta: DP-SGD on the critic (False;
            noise multiplier 1.0, per-row gradient-norm bound 1.0, ``dp_delta`` None means
            ``1 / n_rows``).
        device: ``"auto"`` (CUDA if available), ``"cpu"``, ``"cuda"``, ...
        random_state: seed of every random draw; None is unseeded. The global random state
            is left as it was.
        verbose: a progress bar per epoch: None (default) shows a bar only once its training loop
            has run 10 s, so short fits print nothing; True shows it at once, False
            never. ``TQDM_DISABLE=1`` in the environment turns every bar off.

    Attributes:
        n_epochs_: epochs trained (``epochs`` with ``"auto"`` resolved; one ``history_``
            entry each).
        transformer_: the fitted :class:`MixedTypeTransformer`.
        column_kinds_: the kind of every column.
        history_: per-epoch mean losses: ``discriminator``, ``generator``, ``conditional``;
            ``information`` while the information loss is trained (``info_weight`` > 0,
            never with ``dp=True``); with a ``target``, ``downstream`` (on synthetic rows)
            and ``auxiliary`` (the auxiliary model's loss on real rows).
        epsilon_, dp_delta_: the privacy budget spent (None without ``dp``).
        level_offsets_: per encoded feature, the offset added to the generator's logits
            when ``calibrate_levels`` is True (0 outside categorical columns and the
            modes of numeric columns with missing values).
        copy_filter_: the fitted :class:`~synth_plugins.generators.privacy.CopyFilter`
            (its ``natural_rate_`` is the allowance), applied by ``sample`` while
            ``redraw_copies`` is True; None with ``dp=True``.

    Example:
        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(0)
        >>> df = pd.DataFrame({"dose": np.where(rng.random(300) < 0.4, 0.0, rng.gamma(2, 3, 300)),
        ...                    "sex": rng.choice(["F", "M"], 300)})
        >>> model = CTABGANPlus(epochs=2).fit(df)
        >>> model.column_kinds_["dose"]
        'mixed'
        >>> model.sample(5, conditions={"sex": "F"})["sex"].tolist()
        ['F', 'F', 'F', 'F', 'F']
    """

    #: The fewest training rows the model fits (the generator's BatchNorm normalises over a
    #: batch of at least 2 rows); ``fit`` refuses fewer
    #: (:func:`~synth_plugins.validation.check_training_size`).
    MIN_TRAINING_SIZE: ClassVar[int] = 2
    #: What the training size counts.
    TRAINING_UNIT: ClassVar[TrainingUnit] = "rows"

    def __init__(
        self,
        roles: Mapping[str, str] | None = None,
        *,
        column_kinds: Mapping[str, str] | None = None,
        mixed_values: Mapping[str, Sequence[float]] | None = None,
        target: str | None = None,
        epochs: int | Literal["auto"] = "auto",
        batch_size: int = 500,
        noise_dim: int = 128,
        generator_hidden: Sequence[int] = (256, 256),
        discriminator_hidden: Sequence[int] = (256, 256),
        auxiliary_hidden: Sequence[int] = (128, 128),
        generator_lr: float = 2e-4,
        discriminator_lr: float = 2e-4,
        weight_decay: float = 1e-6,
        discriminator_steps: int = 1,
        gp_weight: float = 10.0,
        info_weight: float | None = None,
        aux_weight: float = 0.25,
        gumbel_tau: float = 0.2,
        mixed_threshold: float = 0.1,
        log_skewness: float = 2.0,
        max_modes: int = 10,
        enforce_conditions: bool = True,
        max_rejection_rounds: int = 20,
        calibrate_levels: bool = True,
        redraw_copies: bool = True,
        dp: bool = False,
        dp_noise_multiplier: float = 1.0,
        dp_max_grad_norm: float = 1.0,
        dp_delta: float | None = None,
        device: str | torch.device = "auto",
        random_state: int | None = 0,
        verbose: bool | None = None,
    ) -> None:
        check_overrides(column_kinds, mixed_values)
        self.roles = dict(roles) if roles is not None else None
        self.column_kinds = dict(column_kinds) if column_kinds is not None else None
        self.mixed_values = (
            {column: as_list(values) for column, values in mixed_values.items()}
            if mixed_values is not None
            else None
        )  # fmt: skip
        if target is not None and not isinstance(target, str):
            raise InvalidParameterError(
                f"target must be a column name (text) or None, got {target!r}; give the column "
                "a text label first (other columns may keep integer labels)"
            )
        self.target = target
        self.epochs = check_auto(check_int, "epochs", epochs, minimum=1)
        self.batch_size = check_int("batch_size", batch_size, minimum=2)
        self.noise_dim = check_int("noise_dim", noise_dim, minimum=1)
        self.generator_hidden = check_int_tuple("generator_hidden", generator_hidden)
        self.discriminator_hidden = check_int_tuple("discriminator_hidden", discriminator_hidden)
        self.auxiliary_hidden = check_int_tuple("auxiliary_hidden", auxiliary_hidden)
        positive = {"minimum": 0.0, "exclusive_minimum": True}
        self.generator_lr = check_float("generator_lr", generator_lr, **positive)
        self.discriminator_lr = check_float("discriminator_lr", discriminator_lr, **positive)
        self.weight_decay = check_float("weight_decay", weight_decay, minimum=0.0)
        self.discriminator_steps = check_int("discriminator_steps", discriminator_steps, minimum=1)
        self.gp_weight = check_float("gp_weight", gp_weight, minimum=0.0)
        self.info_weight = (
            None if info_weight is None else check_float("info_weight", info_weight, minimum=0.0)
        )
        self.aux_weight = check_float("aux_weight", aux_weight, minimum=0.0)
        self.gumbel_tau = check_float("gumbel_tau", gumbel_tau, **positive)
        self.mixed_threshold = check_float(
            "mixed_threshold", mixed_threshold, minimum=0.0, maximum=1.0, exclusive_minimum=True
        )
        self.log_skewness = check_float("log_skewness", log_skewness, minimum=0.0)
        self.max_modes = check_int("max_modes", max_modes, minimum=1)
        self.enforce_conditions = check_bool("enforce_conditions", enforce_conditions)
        self.max_rejection_rounds = check_int(
            "max_rejection_rounds", max_rejection_rounds, minimum=1
        )
        self.calibrate_levels = check_bool("calibrate_levels", calibrate_levels)
        self.redraw_copies = check_bool("redraw_copies", redraw_copies)
        self.dp = check_bool("dp", dp)
        self.dp_noise_multiplier, self.dp_max_grad_norm, self.dp_delta = check_dp_options(
            dp_noise_multiplier, dp_max_grad_norm, dp_delta
        )
        self.device = _torch.check_device(device)
        self.random_state = check_random_state("random_state", random_state)
        self.verbose = check_bool("verbose", verbose, none=True)
        if self.dp:
            if self.target is not None:
                raise InvalidParameterError(
                    "target is not allowed with dp=True: the auxiliary model trains on real "
                    "rows outside DP-SGD and its gradients reach the generator, which voids "
                    "the guarantee; use target=None"
                )
            if self.info_weight:
                raise InvalidParameterError(
                    "info_weight > 0 is not allowed with dp=True: the information loss reads "
                    "the critic's features of real rows in the generator's (non-private) "
                    "update, which voids the guarantee; use info_weight=None or 0"
                )

        self.transformer_: MixedTypeTransformer | None = None
        self.column_kinds_: dict[str, str] = {}
        self.generator_: Generator | None = None
        self.history_: dict[str, list[float]] = {}
        self.n_epochs_: int = 0
        self.epsilon_: float | None = None
        self.dp_delta_: float | None = None
        self.copy_filter_: CopyFilter | None = None
        self.level_offsets_: torch.Tensor | None = None
        self._sampler: ConditionalSampler | None = None
        self._sample_rng: np.random.Generator | None = None
        self._device_generator: Generator | None = None

    @classmethod
    def from_preset(
        cls, preset: str, roles: Mapping[str, str] | None = None, **overrides: Any
    ) -> CTABGANPlus:
        """A model with a named preset's settings (``"paper"``), ``overrides`` on top.

        ``"paper"`` (:data:`~synth_plugins.generators.ctabgan_plus.config.PRESETS`) is the
        paper and the authors' code where they are hyper-parameters here: 150 epochs of
        batches of 500, noise dimension 100, a four-layer (256) auxiliary model, weight
        decay 1e-5, ``aux_weight=1.0``, ``calibrate_levels=False`` and
        ``redraw_copies=False``. The networks stay fully connected (the method card says
        what else cannot be reproduced).
        """
        return cls(roles, **preset_settings(PRESETS, preset, overrides))

    def epochs_for(self, n_rows: int) -> int:
        """The epochs a fit on ``n_rows`` rows trains: ``epochs``, or ``"auto"`` resolved.

        ``"auto"`` is :data:`~synth_plugins.generators.ctabgan_plus.config.AUTO_EPOCHS`
        epochs, raised to reach
        :data:`~synth_plugins.generators.ctabgan_plus.config.AUTO_MIN_STEPS` optimiser steps
        of :func:`steps_per_epoch` each; with ``dp=True`` it is ``AUTO_EPOCHS`` alone, as
        every further step spends privacy budget.
        """
        n_rows = check_int("n_rows", n_rows, minimum=1)
        if self.epochs != "auto":
            return self.epochs
        if self.dp:
            return AUTO_EPOCHS
        return max(
            AUTO_EPOCHS, math.ceil(AUTO_MIN_STEPS / steps_per_epoch(n_rows, self.batch_size))
        )

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments, as given (a sklearn-style view for host adapters)."""
        names = ("roles", *CTABGANPlus.__init__.__kwdefaults__)
        return {name: copy.deepcopy(getattr(self, name)) for name in names}

    def __repr__(self) -> str:
        return f"CTABGANPlus(epochs={self.epochs}, dp={self.dp}, random_state={self.random_state})"

    # ----------------------------------------------------------------------------- fit
    def fit(self, data: pd.DataFrame) -> CTABGANPlus:
        """Encode ``data`` and train the GAN; returns ``self``.

        Raises:
            InvalidDataError: for a non-DataFrame, a frame without columns, fewer than 2
                rows (fewer than :data:`~synth_plugins.validation.SMALL_TRAINING_SIZE`
                warn), or a column with no observed value.
            InvalidParameterError: for a ``target`` or override naming no column or an
                identifier column, or a kind that does not fit the column.
        """
        if not isinstance(data, pd.DataFrame):
            raise InvalidDataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        if len(data.columns) == 0:
            raise InvalidDataError(
                f"CTAB-GAN+ needs at least 1 column to train, got shape {data.shape}"
            )
        check_training_size("CTAB-GAN+", len(data), self.MIN_TRAINING_SIZE, self.TRAINING_UNIT)
        if self.target is not None and self.target not in data.columns:
            raise InvalidParameterError(
                f"target {self.target!r} is not a column of the data; columns are "
                f"{list(data.columns)}"
            )
        rng = _torch.new_rng(self.random_state)
        transform_seed, train_seed, sample_seed, calibration_seed = (
            _torch.seed_from(rng) % 2**31 for _ in range(4)
        )
        transformer = MixedTypeTransformer(
            self.roles, self.column_kinds, self.mixed_values,
            mixed_threshold=self.mixed_threshold, log_skewness=self.log_skewness,
            max_modes=self.max_modes, random_state=transform_seed,
        ).fit(data)  # fmt: skip
        if self.target is not None and transformer.is_identifier(self.target):
            raise InvalidParameterError(
                f"target {self.target!r} is an identifier column (fresh keys, not modelled); "
                "choose a modelled column or target=None"
            )
        matrix = transformer.transform(data)
        sampler = ConditionalSampler(transformer, matrix)
        # forget any previous fit (a failed fit leaves an unfitted model)
        self.transformer_, self._sampler = transformer, sampler
        self.column_kinds_ = transformer.kinds
        self.generator_ = self._device_generator = None
        self.history_ = {}
        self.n_epochs_ = 0
        self.epsilon_ = self.dp_delta_ = None
        self.copy_filter_ = self.level_offsets_ = None
        device = _torch.resolve_device(self.device)
        epochs = self.epochs_for(len(data))
        with _torch.seeded(train_seed, device):
            trainer = _Trainer(self, transformer, sampler, matrix, data, device, train_seed)
            generator = trainer.run_dp(epochs) if self.dp else trainer.run(epochs)
        self.history_, self.n_epochs_ = trainer.history, epochs
        self.generator_ = generator.cpu().eval()
        self.level_offsets_ = self._fit_level_offsets(matrix, calibration_seed)
        if not self.dp:  # the filter reads the training rows, outside the DP accounting
            # fitted whatever redraw_copies says: the switch is read at sampling
            roles = {plan.name: plan.spec.role for plan in transformer.plans}
            roles.update({spec.name: "identifier" for spec in transformer.identifiers})
            self.copy_filter_ = CopyFilter("ctabgan_plus").fit(data, roles)
        self._sample_rng = _torch.new_rng(sample_seed)
        return self

    # ---------------------------------------------------------------------- sampling
    def _fitted(self) -> tuple[Generator, MixedTypeTransformer, ConditionalSampler]:
        if self.generator_ is None or self.transformer_ is None or self._sampler is None:
            raise NotFittedError("this CTABGANPlus is not fitted; call fit(data) first")
        return self.generator_, self.transformer_, self._sampler

    def set_random_state(self, random_state: int | None) -> None:
        """Restart the stream of seeds used by ``sample`` calls without ``random_state``."""
        self._sample_rng = _torch.new_rng(check_random_state("random_state", random_state))

    def sample(
        self,
        n: int,
        conditions: Mapping[str, Any] | None = None,
        random_state: int | None = None,
    ) -> pd.DataFrame:
        """Generate ``n`` rows with the training schema.

        With ``redraw_copies`` (and without ``dp``), rows equal to a training row beyond the
        training data's own duplicate rate are replaced by fresh rows that hold the same
        conditions.

        Args:
            n: number of rows (0 gives an empty frame with the training columns).
            conditions: ``{column: value}`` on categorical columns (or a special value of a
                mixed column). The first condition is fed to the generator through the
                conditional vector; with ``enforce_conditions`` rows missing any condition
                are regenerated.
            random_state: seed of this call; None draws one from the model's seed stream.

        Raises:
            InvalidParameterError: for a bad ``n``, an unknown column, a numeric column
                without special values, a value never seen in training, or conditions the
                model cannot reach within ``max_rejection_rounds``.
        """
        _, transformer, sampler = self._fitted()
        n = check_int("n", n, minimum=0)
        seed = check_random_state("random_state", random_state)
        parsed = self._parse_conditions(conditions, transformer, sampler)
        if seed is None:
            if self._sample_rng is None:  # pragma: no cover - set by fit
                self._sample_rng = _torch.new_rng(None)
            seed = _torch.seed_from(self._sample_rng) % 2**32
        rng = np.random.default_rng(seed)
        generator = _torch.make_generator(seed)

        def draw(k: int) -> pd.DataFrame:
            return self._conditioned_rows(k, parsed, rng, generator)

        frame = draw(n)
        if self.redraw_copies and self.copy_filter_ is not None and n:
            frame = self.copy_filter_.redraw(frame, draw, rng).reset_index(drop=True)
        for spec in transformer.identifiers:  # unique over batches and fresh draws
            frame[spec.name] = fresh_keys(spec, n).to_numpy()
        return frame

    def _conditioned_rows(
        self,
        n: int,
        parsed: list[tuple[str, Any, int]],
        rng: np.random.Generator,
        generator: torch.Generator,
    ) -> pd.DataFrame:
        """``n`` generated rows holding ``parsed`` (with ``enforce_conditions``)."""
        if not parsed or not self.enforce_conditions or n == 0:
            return self._generate(n, parsed[:1], rng, generator)
        kept: list[pd.DataFrame] = []
        n_kept = n_drawn = 0
        batch = n
        for _ in range(self.max_rejection_rounds):
            frame = self._generate(batch, parsed[:1], rng, generator)
            mask = np.ones(len(frame), dtype=bool)
            for column, value, _level in parsed:
                # a nullable column compares to <NA> on its missing rows: not held
                mask &= (frame[column] == value).fillna(False).to_numpy(dtype=bool)
            kept.append(frame[mask])
            n_kept += int(mask.sum())
            n_drawn += batch
            if n_kept >= n:
                return pd.concat(kept, ignore_index=True).iloc[:n].reset_index(drop=True)
            rate = max(n_kept / n_drawn, 1e-3)
            batch = int(min(max(10 * n, 10_000), math.ceil(1.2 * (n - n_kept) / rate) + 16))
        described = ", ".join(f"{c}={v!r}" for c, v, _ in parsed)
        raise InvalidParameterError(
            f"cannot reach {n} rows with {described}: only {n_kept} of {n_drawn} generated rows "
            "held the conditions; relax them, train longer, or raise max_rejection_rounds"
        )

    def can_condition(self, column: str, value: Any) -> bool:
        """Whether ``sample`` meets ``{column: value}`` through the conditional vector.

        True for a training level of a categorical column and a special value of a mixed
        column; False otherwise (``sample`` refuses such a condition, naming it), so a host
        can fall back to rejection sampling for the rest.
        """
        _, transformer, _ = self._fitted()
        if column not in transformer.columns:
            return False
        return _level_of(transformer.plan(column), value) is not None

    def _parse_conditions(
        self,
        conditions: Mapping[str, Any] | None,
        transformer: MixedTypeTransformer,
        sampler: ConditionalSampler,
    ) -> list[tuple[str, Any, int]]:
        """``(column, value, level)`` per condition, level being the conditional-vector slot."""
        if not conditions:
            return []
        if not isinstance(conditions, Mapping):
            raise InvalidParameterError(
                f"conditions must be a mapping {{column: value}}, got {type(conditions).__name__}"
            )
        parsed = []
        for column, value in conditions.items():
            if transformer.is_identifier(column):
                raise InvalidParameterError(
                    f"condition on column {column!r}: it is an identifier column, generated as "
                    "fresh keys that are never a training value, so it cannot be conditioned on"
                )
            plan = transformer.plan(column) if column in transformer.columns else None
            if plan is None:
                raise InvalidParameterError(
                    f"conditions name an unknown column {column!r}; columns are {transformer.order}"
                )
            if not plan.is_categorical and not plan.special:
                raise InvalidParameterError(
                    f"condition on column {column!r}: conditions take a level of a "
                    "categorical column or a special value of a mixed column; "
                    f"{column!r} is a {plan.spec.role} column without special values"
                )
            if value is None or (isinstance(value, float) and math.isnan(value)):
                raise InvalidParameterError(
                    f"condition on column {column!r}: conditioning on missing values is not "
                    "supported"
                )
            level = _level_of(plan, value)
            if level is None:
                known = list(plan.spec.categories) if plan.is_categorical else list(plan.special)
                known = [plain(value) for value in known]
                what = "a level" if plan.is_categorical else "a special value"
                raise InvalidParameterError(
                    f"condition {column}={value!r}: value never seen in training as {what} of "
                    f"column {column!r}; known values: {known[:20]}"
                )
            if sampler.block(column) is None:  # a one-level column: nothing to condition on
                level = -1
            parsed.append(
                (
                    column,
                    plan.spec.categories[level] if plan.is_categorical and level >= 0 else value,
                    level,
                )
            )
        return parsed

    def _generator_on_device(self) -> Generator:
        generator = self.generator_
        assert generator is not None
        try:
            device = _torch.resolve_device(self.device)
        except InvalidParameterError:
            device = torch.device("cpu")
        if device.type == "cpu":
            return generator.eval()
        if self._device_generator is None:
            self._device_generator = copy.deepcopy(generator).to(device).eval()
        return self._device_generator

    @torch.inference_mode()
    def _generate(
        self,
        n: int,
        conditions: list[tuple[str, Any, int]],
        rng: np.random.Generator,
        generator: torch.Generator,
    ) -> pd.DataFrame:
        """Generate ``n`` rows (conditioned on the first condition, if any) in chunks."""
        _, transformer, _ = self._fitted()
        activation = _Activation(transformer, self.gumbel_tau)
        offsets = self._offsets(conditions)
        parts = []
        for start in range(0, max(n, 1), _SAMPLE_CHUNK):
            size = min(_SAMPLE_CHUNK, n - start)
            if size <= 0:
                break
            raw = self._raw(size, conditions, rng, generator)
            if offsets is not None:
                raw = raw + offsets
            parts.append(activation.hard(raw, generator).numpy())
        matrix = np.concatenate(parts) if parts else np.zeros((0, transformer.n_features))
        return transformer.inverse_transform(matrix)

    def _raw(
        self,
        size: int,
        conditions: list[tuple[str, Any, int]],
        rng: np.random.Generator,
        generator: torch.Generator,
    ) -> torch.Tensor:
        """The generator's outputs before activation for ``size`` rows (on the CPU)."""
        _, _, sampler = self._fitted()
        net = self._generator_on_device()
        if conditions and conditions[0][2] >= 0:
            cond = sampler.fixed(conditions[0][0], conditions[0][2], size)[0]
        elif sampler.blocks:
            cond = sampler.sample_original(size, rng)[0]
        else:
            cond = np.zeros((size, 0), dtype=np.float32)
        noise = torch.randn((size, self.noise_dim), generator=generator)
        inputs = torch.cat([noise, torch.from_numpy(cond)], dim=1)
        device = next(net.parameters()).device
        return torch.cat(
            [net(part.to(device)).float().cpu() for part in inputs.split(_FORWARD_CHUNK)]
        )

    @torch.inference_mode()
    def _fit_level_offsets(self, matrix: np.ndarray, seed: int) -> torch.Tensor | None:
        """The level calibration's offsets (:mod:`.calibration`); None when it has no column.

        Categorical columns and the missing modes of numeric columns are calibrated.
        """
        _, transformer, _ = self._fitted()
        blocks = [
            (p.one_hot, groups)
            for p in transformer.plans
            if p.one_hot is not None and (groups := share_groups(p)) is not None
        ]
        if not blocks:
            return None
        raw = self._raw(
            CALIBRATION_ROWS, [], np.random.default_rng(seed), _torch.make_generator(seed)
        )
        spans = [span for span, _ in blocks]
        targets = [
            group_sums(
                torch.from_numpy(matrix[:, start:stop].mean(axis=0)).double(),
                groups,
                int(groups.max()) + 1,
            )
            for (start, stop), groups in blocks
        ]
        return level_offsets(raw, spans, targets, [groups for _, groups in blocks])

    def _offsets(self, conditions: list[tuple[str, Any, int]]) -> torch.Tensor | None:
        """The offsets ``sample`` adds to the logits (None without ``calibrate_levels``).

        Zero on the column the conditional vector asks for: its condition decides it.
        """
        if not self.calibrate_levels or self.level_offsets_ is None:
            return None
        offsets = self.level_offsets_.clone()
        if conditions:
            plan = self._fitted()[1].plan(conditions[0][0])
            offsets[plan.start : plan.stop] = 0.0
        return offsets

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_device_generator"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        # a fit pickled before the level calibration existed samples as it did
        state.setdefault("calibrate_levels", False)
        state.setdefault("level_offsets_", None)
        # one fitted before epochs="auto" trained its integer epochs, one history entry each
        state.setdefault("n_epochs_", len(state.get("history_", {}).get("discriminator", [])))
        self.__dict__.update(state)


def _level_of(plan: ColumnPlan, value: Any) -> int | None:
    """The conditional-vector slot of ``value`` in a column, or None when it is unseen."""
    if plan.is_categorical:
        for code, level in enumerate(plan.spec.categories):
            try:
                if level == value:
                    return code
            except (TypeError, ValueError):
                continue
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return None
    for k, special in enumerate(plan.special):
        if np.isclose(float(value), special, rtol=0, atol=1e-9):
            return k
    return None


class _Activation:
    """Output activations: tanh on ``alpha``, (Gumbel-)softmax on every one-hot part."""

    def __init__(self, transformer: MixedTypeTransformer, tau: float) -> None:
        self.tau = tau
        self.alpha = torch.as_tensor(
            [p.start for p in transformer.plans if not p.is_categorical], dtype=torch.int64
        )
        self.one_hots = [p.one_hot for p in transformer.plans if p.one_hot is not None]

    def soft(self, raw: torch.Tensor) -> torch.Tensor:
        """Training output: tanh and Gumbel-softmax (global torch generator, seeded by fit)."""
        out = torch.zeros_like(raw)
        out[:, self.alpha] = torch.tanh(raw[:, self.alpha])
        for start, stop in self.one_hots:
            out[:, start:stop] = F.gumbel_softmax(raw[:, start:stop], tau=self.tau)
        return out

    def hard(self, raw: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Sampling output: tanh, and a one-hot drawn from each softmax (Gumbel-max)."""
        out = torch.zeros_like(raw)
        out[:, self.alpha] = torch.tanh(raw[:, self.alpha])
        for start, stop in self.one_hots:
            uniform = torch.rand((len(raw), stop - start), generator=generator).clamp(
                1e-10, 1 - 1e-10
            )
            choice = (raw[:, start:stop] - torch.log(-torch.log(uniform))).argmax(1)
            out[torch.arange(len(raw)), start + choice] = 1.0
        return out


class _Trainer:
    """One fit's training state: networks, optimisers, the losses and their history."""

    def __init__(
        self,
        model: CTABGANPlus,
        transformer: MixedTypeTransformer,
        sampler: ConditionalSampler,
        matrix: np.ndarray,
        data: pd.DataFrame,
        device: torch.device,
        seed: int,
    ) -> None:
        self.m = model
        self.transformer = transformer
        self.sampler = sampler
        self.device = device
        self.rng = np.random.default_rng(seed)
        self.data = torch.from_numpy(matrix).to(device)
        self.n_rows, width = matrix.shape
        self.activation = _Activation(transformer, model.gumbel_tau)
        self.generator = Generator(
            model.noise_dim + sampler.width, model.generator_hidden, width
        ).to(device)
        self.discriminator = Discriminator(width + sampler.width, model.discriminator_hidden).to(
            device
        )
        betas = (0.5, 0.9)
        self.g_opt = torch.optim.Adam(
            self.generator.parameters(), lr=model.generator_lr, betas=betas,
            weight_decay=model.weight_decay,
        )  # fmt: skip
        self.d_opt = torch.optim.Adam(
            self.discriminator.parameters(), lr=model.discriminator_lr, betas=betas,
            weight_decay=model.weight_decay,
        )  # fmt: skip
        self.info_weight = (
            (0.0 if model.dp else 1.0) if model.info_weight is None else model.info_weight
        )
        self.history: dict[str, list[float]] = {}
        self.aux: Auxiliary | None = None
        if model.target is not None:
            self._init_auxiliary(data)

    # ----------------------------------------------------------------- auxiliary model
    def _init_auxiliary(self, data: pd.DataFrame) -> None:
        plan = self.transformer.plan(self.m.target)
        self.target_plan = plan
        keep = np.r_[0 : plan.start, plan.stop : self.transformer.n_features].astype(np.int64)
        self.aux_inputs = torch.as_tensor(keep, device=self.device)
        self.classify = plan.is_categorical
        if self.classify:
            labels = self.transformer.level_codes(data[plan.name], plan)
            self.aux_labels = torch.as_tensor(labels, device=self.device)
            out = plan.n_levels
        else:
            values = self.transformer.soft_value_real(
                plan, self.transformer.numbers(data, plan.name)
            )
            self.aux_labels = torch.as_tensor(values, dtype=torch.float32, device=self.device)
            out = 1
        self.aux = Auxiliary(len(keep), self.m.auxiliary_hidden, out).to(self.device)
        self.aux_opt = torch.optim.Adam(
            self.aux.parameters(), lr=self.m.generator_lr, betas=(0.5, 0.9),
            weight_decay=self.m.weight_decay,
        )  # fmt: skip

    def _aux_loss(self, inputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        assert self.aux is not None
        output = self.aux(inputs[:, self.aux_inputs])
        if self.classify:
            return F.cross_entropy(output, labels)
        observed = ~torch.isnan(labels)
        if not observed.any():
            return output.sum() * 0
        return F.smooth_l1_loss(output[:, 0][observed], labels[observed])

    def _fake_labels(self, fake: torch.Tensor) -> torch.Tensor:
        plan = self.target_plan
        block = fake[:, plan.start : plan.stop]
        if self.classify:
            return block.argmax(1).detach()
        return self.transformer.soft_value(plan, block).detach()

    # --------------------------------------------------------------------- losses
    def _fake(self, cond: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        noise = torch.randn((len(cond), self.m.noise_dim), device=self.device)
        raw = self.generator(torch.cat([noise, cond], dim=1))
        return raw, self.activation.soft(raw)

    def _conditional_loss(
        self, raw: torch.Tensor, block_ids: np.ndarray, levels: np.ndarray
    ) -> torch.Tensor:
        """Cross-entropy of the generator's logits on the asked level (mean over rows)."""
        total = raw.new_zeros(())
        for j, block in enumerate(self.sampler.blocks):
            rows = np.flatnonzero(block_ids == j)
            if len(rows):
                index = torch.as_tensor(rows, device=self.device)
                target = torch.as_tensor(levels[rows], device=self.device)
                logits = raw[index, block.start : block.stop]
                total = total + F.cross_entropy(logits, target, reduction="sum")
        return total / max(len(block_ids), 1)

    def _gradient_penalty(
        self, real: torch.Tensor, fake: torch.Tensor, cond: torch.Tensor
    ) -> torch.Tensor:
        mix = torch.rand((len(real), 1), device=self.device)
        between = (mix * real + (1 - mix) * fake).requires_grad_(True)
        score, _ = self.discriminator(torch.cat([between, cond], dim=1))
        (gradient,) = torch.autograd.grad(score.sum(), between, create_graph=True)
        return ((gradient.norm(2, dim=1) - 1) ** 2).mean()

    def _record(self, sums: dict[str, float], steps: int) -> None:
        for key, value in sums.items():
            self.history.setdefault(key, []).append(value / max(steps, 1))

    def _draw_train(self, size: int) -> tuple[np.ndarray, ...]:
        """Training-by-sampling ``(cond, block_ids, levels, rows)``; uniform rows without blocks."""
        if self.sampler.blocks:
            return self.sampler.sample_train(size, self.rng)
        empty = np.zeros(0, dtype=np.int64)
        rows = self.rng.integers(0, self.n_rows, size)
        return np.zeros((size, 0), np.float32), empty, empty, rows

    def _draw_original(self, size: int) -> tuple[np.ndarray, ...]:
        """``(cond, block_ids, levels)`` at the training frequencies (empty without blocks)."""
        if self.sampler.blocks:
            return self.sampler.sample_original(size, self.rng)
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros((size, 0), np.float32), empty, empty

    def _batch(self, cond: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(cond).to(self.device)

    # ------------------------------------------------------------------- training
    def run(self, epochs: int) -> Generator:
        """Train ``epochs`` epochs with WGAN-GP, conditional, information and downstream losses."""
        m = self.m
        steps = steps_per_epoch(self.n_rows, m.batch_size)
        size = min(m.batch_size, self.n_rows)
        bar = _torch.progress(range(epochs), total=epochs, desc="CTAB-GAN+", verbose=m.verbose)
        keys = ["discriminator", "generator", "conditional"]
        if self.info_weight:
            keys.append("information")
        if self.aux is not None:
            keys += ["downstream", "auxiliary"]
        for _epoch in bar:
            self.generator.train()
            self.discriminator.train()
            sums = dict.fromkeys(keys, 0.0)
            for _step in range(steps):
                for _ in range(m.discriminator_steps):
                    cond_np, _, _, rows = self._draw_train(size)
                    cond = self._batch(cond_np)
                    real = self.data[torch.as_tensor(rows, device=self.device)]
                    _, fake = self._fake(cond)
                    fake = fake.detach()
                    real_score, _ = self.discriminator(torch.cat([real, cond], dim=1))
                    fake_score, _ = self.discriminator(torch.cat([fake, cond], dim=1))
                    loss_d = fake_score.mean() - real_score.mean()
                    if m.gp_weight:
                        loss_d = loss_d + m.gp_weight * self._gradient_penalty(real, fake, cond)
                    self.d_opt.zero_grad(set_to_none=True)
                    loss_d.backward()
                    self.d_opt.step()
                sums["discriminator"] += float(loss_d.detach())
                cond_np, block_ids, levels, rows = self._draw_train(size)
                cond = self._batch(cond_np)
                raw, fake = self._fake(cond)
                fake_score, fake_features = self.discriminator(torch.cat([fake, cond], dim=1))
                conditional = self._conditional_loss(raw, block_ids, levels)
                loss_g = -fake_score.mean() + conditional
                if self.info_weight:
                    real = self.data[torch.as_tensor(rows, device=self.device)]
                    _, real_features = self.discriminator(torch.cat([real, cond], dim=1))
                    real_features = real_features.detach()
                    information = torch.norm(
                        real_features.mean(0) - fake_features.mean(0)
                    ) + torch.norm(real_features.std(0) - fake_features.std(0))
                    loss_g = loss_g + self.info_weight * information
                    sums["information"] += float(information.detach())
                if self.aux is not None:
                    downstream = self._aux_loss(fake, self._fake_labels(fake))
                    loss_g = loss_g + m.aux_weight * downstream
                    sums["downstream"] += float(downstream.detach())
                self.g_opt.zero_grad(set_to_none=True)
                loss_g.backward()
                self.g_opt.step()
                sums["generator"] += float(loss_g.detach())
                sums["conditional"] += float(conditional.detach())
                if self.aux is not None:
                    index = torch.as_tensor(
                        self.rng.integers(0, self.n_rows, size), device=self.device
                    )
                    loss_a = self._aux_loss(self.data[index], self.aux_labels[index])
                    self.aux_opt.zero_grad(set_to_none=True)
                    loss_a.backward()
                    self.aux_opt.step()
                    sums["auxiliary"] += float(loss_a.detach())
            self._record(sums, steps)
            _torch.set_postfix(
                bar, d=self.history["discriminator"][-1], g=self.history["generator"][-1]
            )
        return self.generator

    def run_dp(self, epochs: int) -> Generator:
        """Train the critic ``epochs`` epochs with DP-SGD (Opacus); the generator learns from it."""
        m = self.m
        try:
            from opacus import PrivacyEngine
        except ImportError as error:  # pragma: no cover - opacus comes with the dp extra
            raise MissingDependencyError("opacus", "CTAB-GAN+ with dp=True", "dp") from error
        m.dp_delta_ = m.dp_delta if m.dp_delta is not None else 1.0 / self.n_rows
        levels = torch.from_numpy(self.sampler.levels)
        dataset = torch.utils.data.TensorDataset(self.data.cpu(), levels)
        loader = torch.utils.data.DataLoader(
            dataset, batch_size=min(m.batch_size, self.n_rows),
            generator=_torch.make_generator(int(self.rng.integers(2**31))),
        )  # fmt: skip
        with _torch.opacus_notices_ignored():
            engine = PrivacyEngine(accountant="rdp", secure_mode=False)
            critic, d_opt, private_loader = engine.make_private(
                module=self.discriminator, optimizer=self.d_opt, data_loader=loader,
                noise_multiplier=m.dp_noise_multiplier, max_grad_norm=m.dp_max_grad_norm,
                poisson_sampling=True, loss_reduction="sum",
                noise_generator=_torch.make_generator(int(self.rng.integers(2**31)), self.device),
            )  # fmt: skip
            bar = _torch.progress(
                range(epochs), total=epochs, desc="CTAB-GAN+ (DP)", verbose=m.verbose
            )
            for _epoch in bar:
                self.generator.train()
                critic.train()
                sums = dict.fromkeys(("discriminator", "generator", "conditional"), 0.0)
                steps = 0
                for real, real_levels in private_loader:
                    real = real.to(self.device)
                    b = len(real)
                    if self.sampler.blocks:
                        cond_real = self._batch(
                            self.sampler.own_levels(real_levels.numpy(), self.rng)[0]
                        )
                        cond_fake = self._batch(self.sampler.sample_original(b, self.rng)[0])
                    else:
                        cond_real = cond_fake = real.new_zeros((b, 0))
                    _, fake = (
                        self._fake(cond_fake) if b else (None, real.new_zeros((0, real.shape[1])))
                    )
                    rows = torch.cat(
                        [torch.cat([real, cond_real], 1), torch.cat([fake.detach(), cond_fake], 1)]
                    )
                    score, _ = critic(rows)
                    # per-row terms, clipped one by one; an empty batch still takes a noise step
                    loss_d = score[b:].sum() - score[:b].sum()
                    d_opt.zero_grad(set_to_none=True)
                    loss_d.backward()
                    d_opt.step()
                    with torch.no_grad():
                        for parameter in self.discriminator.parameters():
                            parameter.clamp_(-_DP_WEIGHT_CLIP, _DP_WEIGHT_CLIP)
                    sums["discriminator"] += float(loss_d.detach()) / max(b, 1)
                    size = max(b, 2)
                    cond_np, block_ids, lv = self._draw_original(size)
                    cond = self._batch(cond_np)
                    raw, fake = self._fake(cond)
                    fake_score, _ = critic(torch.cat([fake, cond], dim=1))
                    conditional = self._conditional_loss(raw, block_ids, lv)
                    loss_g = -fake_score.mean() + conditional
                    self.g_opt.zero_grad(set_to_none=True)
                    d_opt.zero_grad(set_to_none=True)
                    loss_g.backward()
                    self.g_opt.step()
                    d_opt.zero_grad(set_to_none=True)
                    sums["generator"] += float(loss_g.detach())
                    sums["conditional"] += float(conditional.detach())
                    steps += 1
                self._record(sums, steps)
            m.epsilon_ = float(engine.get_epsilon(m.dp_delta_))
        return self.generator

"""CK4Gen-style survival generation as an SDV synthesizer: ``CK4GenSynthesizer``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sdv.single_table.base import BaseSingleTableSynthesizer

from synth_plugins._docstrings import args_from
from synth_plugins.errors import InvalidParameterError
from synth_plugins.generators.ck4gen import CK4Gen
from synth_plugins.sdv._contract import SingleTableContract, device_for
from synth_plugins.sdv.loss_values import LossValuesMixin
from synth_plugins.sdv.metadata import roles_from_metadata, table_description
from synth_plugins.survival import check_survival_frame

_CORE = CK4Gen.__init__.__kwdefaults__
#: Core arguments this synthesizer took later than the core (a save without them used
#: the core's defaults).
_ADDED = (
    "dcm_k", "dcm_gamma", "n_time_grid", "decoder_hidden", "decoder_loss", "discrete_decoding",
    "redraw_copies", "copy_bins", "sample_with_replacement", "validation_fraction", "patience",
)  # fmt: skip
#: The attributes SDV's ``add_constraints`` changes (restored when a call is refused).
_CONSTRAINT_STATE = (
    "metadata",
    "_chained_constraints",
    "_reject_sampling_constraints",
    "_constraints_fitted",
    "_data_processor",
)


# Args written here, the rest is CK4Gen's: SDV's own arguments, epochs (one number for the
# core's two stages), and random_state, which also seeds SDV's sampling stream (None is
# SDV's fixed seed there, not unseeded).
@args_from(CK4Gen)
class CK4GenSynthesizer(LossValuesMixin, SingleTableContract, BaseSingleTableSynthesizer):
    """CK4Gen-style survival data for SDV: a Cox teacher distilled into encoder + decoder.

    ``fit`` and ``validate`` check the outcome columns on the raw table, before SDV's
    transformers change it: a missing, infinite or non-positive duration, an event other
    than 0/1, or no event at all raise SDV's ``InvalidDataError`` (the suite's too, see
    :class:`~synth_plugins.sdv._contract.SDVInvalidDataError`) naming the column. Missing
    covariate numbers reach the core unfilled, so its ``missing`` policy applies.
    Conditions (SDV's reject sampling) are checked first too: an unknown column, an unseen
    level or a number outside the training range raise ``InvalidParameterError`` naming the
    column. ``sample(0)`` gives an empty table with the training columns. Categorical,
    boolean and datetime columns, and ``id`` columns that are not keys, reach the model raw
    (datetimes are modelled as days, ``id`` columns get fresh keys). Defaults are the core's
    (read from :class:`CK4Gen`'s signature), and so is the text of every argument SDV does
    not change.

    Args:
        metadata: SDV ``Metadata`` of the table.
        enforce_min_max_values, enforce_rounding: SDV's synthesizer arguments; True only
            (``False`` is refused): generated values always keep each column's training
            range and precision.
        locales: SDV's synthesizer argument (the Faker locales of ``pii`` columns).
        epochs: training epochs of each stage (500): the core's ``encoder_epochs`` and
            ``decoder_epochs``, one number for both.
        enable_gpu: as SDV's own ``enable_gpu``: True trains and samples on CUDA when it is
            available (else the CPU), False always on the CPU.
        random_state: seed of the fit (SDV itself has no seed argument) and, with SDV's
            fixed seed, of the sampling stream that ``reset_sampling`` restarts; None fits
            unseeded and samples from SDV's seed alone.

    Example:
        >>> from synth_plugins.sdv import CK4GenSynthesizer
        >>> from synth_plugins.sdv.metadata import metadata_for
        >>> from synth_plugins.datasets import load
        >>> ds = load("gbsg2")
        >>> synthesizer = CK4GenSynthesizer(metadata_for(ds), "time", "cens", epochs=20)
        >>> synthesizer.fit(ds.data)  # SDV 2 style {ds.name: ds.data} works too
        >>> from synth_plugins.sdv.compat import single_table
        >>> single_table(synthesizer.sample(10)).shape  # SDV 2 returns {ds.name: DataFrame}
        (10, 10)
    """

    def __init__(
        self,
        metadata: Any,
        duration_column: str,
        event_column: str,
        enforce_min_max_values: bool = True,
        enforce_rounding: bool = True,
        locales: list[str] | None = None,
        epochs: int = _CORE["encoder_epochs"],
        batch_size: int = _CORE["batch_size"],
        lr: float = _CORE["lr"],
        encoder: str = _CORE["encoder"],
        hidden: tuple[int, ...] = _CORE["hidden"],
        distill_target: str = _CORE["distill_target"],
        dcm_k: int = _CORE["dcm_k"],
        dcm_gamma: float = _CORE["dcm_gamma"],
        n_time_grid: int = _CORE["n_time_grid"],
        decoder_hidden: tuple[int, ...] | None = _CORE["decoder_hidden"],
        decoder_loss: str = _CORE["decoder_loss"],
        teacher_penalizer: float = _CORE["teacher_penalizer"],
        teacher_knots: int = _CORE["teacher_knots"],
        latent_noise: float = _CORE["latent_noise"],
        discrete_decoding: str = _CORE["discrete_decoding"],
        redraw_copies: bool = _CORE["redraw_copies"],
        copy_bins: int | None = _CORE["copy_bins"],
        sample_with_replacement: bool | str = _CORE["sample_with_replacement"],
        outcome: str = _CORE["outcome"],
        outcome_draw: str = _CORE["outcome_draw"],
        censoring_model: str = _CORE["censoring_model"],
        calibrate_levels: bool = _CORE["calibrate_levels"],
        numeric_residuals: bool = _CORE["numeric_residuals"],
        calibrate_numeric: bool = _CORE["calibrate_numeric"],
        interpolate_durations: bool = _CORE["interpolate_durations"],
        missing: str = _CORE["missing"],
        validation_fraction: float = _CORE["validation_fraction"],
        patience: int | None = _CORE["patience"],
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
        columns = table_description(self.metadata)["columns"]
        for argument, column in (
            ("duration_column", duration_column),
            ("event_column", event_column),
        ):
            if column not in columns:
                raise InvalidParameterError(
                    f"{argument} {column!r} is not a column of the metadata; "
                    f"columns are {list(columns)}"
                )
        self.duration_column = duration_column
        self.event_column = event_column
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.encoder = encoder
        self.hidden = tuple(hidden)
        self.distill_target = distill_target
        self.dcm_k = dcm_k
        self.dcm_gamma = dcm_gamma
        self.n_time_grid = n_time_grid
        self.decoder_hidden = decoder_hidden
        self.decoder_loss = decoder_loss
        self.teacher_penalizer = teacher_penalizer
        self.teacher_knots = teacher_knots
        self.latent_noise = latent_noise
        self.discrete_decoding = discrete_decoding
        self.redraw_copies = redraw_copies
        self.copy_bins = copy_bins
        self.sample_with_replacement = sample_with_replacement
        self.outcome = outcome
        self.outcome_draw = outcome_draw
        self.censoring_model = censoring_model
        self.calibrate_levels = calibrate_levels
        self.numeric_residuals = numeric_residuals
        self.calibrate_numeric = calibrate_numeric
        self.interpolate_durations = interpolate_durations
        self.missing = missing
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.enable_gpu = enable_gpu
        self.random_state = random_state
        self.verbose = verbose
        self._model: CK4Gen | None = None
        self._new_model({})  # validate every argument now

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Load; an older save gets the arguments added since at their legacy values.

        Those are ``CK4Gen.LEGACY_PARAMS``, as it was fitted; its model samples that way too.
        Arguments a save predates that the core already had (``_ADDED``) were the core's
        defaults then.
        """
        self.__dict__.update({**{n: _CORE[n] for n in _ADDED}, **CK4Gen.LEGACY_PARAMS, **state})

    def _new_model(self, roles: Mapping[str, str]) -> CK4Gen:
        return CK4Gen(
            self.duration_column,
            self.event_column,
            roles=roles,
            encoder=self.encoder,
            hidden=self.hidden,
            distill_target=self.distill_target,
            dcm_k=self.dcm_k,
            dcm_gamma=self.dcm_gamma,
            n_time_grid=self.n_time_grid,
            decoder_hidden=self.decoder_hidden,
            decoder_loss=self.decoder_loss,
            teacher_penalizer=self.teacher_penalizer,
            teacher_knots=self.teacher_knots,
            lr=self.lr,
            encoder_epochs=self.epochs,
            decoder_epochs=self.epochs,
            batch_size=self.batch_size,
            validation_fraction=self.validation_fraction,
            patience=self.patience,
            latent_noise=self.latent_noise,
            discrete_decoding=self.discrete_decoding,
            redraw_copies=self.redraw_copies,
            copy_bins=self.copy_bins,
            sample_with_replacement=self.sample_with_replacement,
            outcome=self.outcome,
            outcome_draw=self.outcome_draw,
            censoring_model=self.censoring_model,
            calibrate_levels=self.calibrate_levels,
            numeric_residuals=self.numeric_residuals,
            calibrate_numeric=self.calibrate_numeric,
            interpolate_durations=self.interpolate_durations,
            missing=self.missing,
            device=device_for(self.enable_gpu),
            random_state=self.random_state,
            verbose=self.verbose,
        )

    def add_constraints(self, constraints: list[Any]) -> None:
        """SDV's ``add_constraints``, refusing constraints that rewrite an outcome column.

        A constraint SDV enforces by transforming columns (``Inequality`` on the duration,
        ``FixedCombinations`` with the event, ...) would hand the model rewritten columns
        in their place; CK4Gen draws durations and events itself (from the Cox teacher and
        the censoring distribution), so it needs both as they are. Such a call leaves the
        synthesizer unchanged.

        Raises:
            InvalidParameterError: a constraint removes the duration or event column from
                the modelled table (the message names it).
        """
        # what SDV's add_constraints changes: it replaces these, and appends to the lists
        state = {name: getattr(self, name) for name in _CONSTRAINT_STATE}
        state = {k: list(v) if isinstance(v, list) else v for k, v in state.items()}
        super().add_constraints(constraints)
        columns = table_description(self.metadata)["columns"]
        rewritten = [c for c in (self.duration_column, self.event_column) if c not in columns]
        if rewritten:
            self.__dict__.update(state)
            raise InvalidParameterError(
                f"constraints rewrite the outcome column(s) {rewritten}: CK4Gen draws "
                "durations and events itself, from its Cox teacher and the censoring "
                "distribution, so it needs them as they are; constrain other columns, or "
                "keep the sampled rows that meet the rule"
            )

    def _check_raw(self, data: pd.DataFrame) -> None:
        """The outcome columns of the raw table: durations > 0, events 0/1, some events."""
        check_survival_frame(data, self.duration_column, self.event_column, min_rows=1)

    def _fit(self, processed_data: pd.DataFrame) -> None:
        roles = roles_from_metadata(self.metadata, processed_data)
        roles[self.duration_column] = "numerical"
        self._model = self._new_model(roles).fit(processed_data)

    def _core_rows(
        self, num_rows: int, conditions: Mapping[str, Any] | None = None
    ) -> pd.DataFrame:
        if conditions:
            raise NotImplementedError  # SDV falls back to reject sampling
        assert self._model is not None
        return self._model.sample(num_rows)

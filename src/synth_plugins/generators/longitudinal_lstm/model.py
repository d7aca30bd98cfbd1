"""The LongitudinalLSTM estimator: fit both stages, sample whole patients, predict next visits."""

from __future__ import annotations

import copy
import inspect
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch

from synth_plugins.encoding.roles import NUMERIC_ROLES, infer_roles, is_whole
from synth_plugins.encoding.tabular import (
    MissingPolicy,
    TabularEncoder,
    decimals_of,
    identifier_spec,
)
from synth_plugins.errors import InvalidDataError, InvalidParameterError, NotFittedError
from synth_plugins.generators import _torch
from synth_plugins.generators.longitudinal_lstm._calibration import (
    StopTarget,
    calibrate,
    drift_targets,
    share_targets,
)
from synth_plugins.generators.longitudinal_lstm._consistency import (
    ChangeRule,
    StartStop,
    change_rules,
    keep_stops,
    start_stop_layout,
)
from synth_plugins.generators.longitudinal_lstm._frames import assemble, renumber_keys
from synth_plugins.generators.longitudinal_lstm._layout import VisitColumn, columns_from
from synth_plugins.generators.longitudinal_lstm._network import (
    RESIDUALS,
    Residuals,
    VisitLSTM,
    run_sequences,
)
from synth_plugins.generators.longitudinal_lstm._sampling import (
    draw_gap,
    draw_visit,
    on_time_grid,
    roll_out,
    time_decimals,
)
from synth_plugins.generators.longitudinal_lstm._sequences import Sequences
from synth_plugins.generators.longitudinal_lstm._training import TrainSettings, cut_short, train
from synth_plugins.generators.longitudinal_lstm._transform import VisitTransform
from synth_plugins.generators.med_vae import MedVAE
from synth_plugins.generators.med_vae.transforms import TRANSFORMS, NumericalTransform
from synth_plugins.generators.privacy import one_warning_per_call
from synth_plugins.long_format import (
    check_long_format,
    check_static_columns,
    infer_static_columns,
    patient_index,
)
from synth_plugins.validation import (
    TrainingUnit,
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_random_state,
    check_training_size,
    inner_fit,
)

__all__ = ["LongitudinalLSTM"]

#: Stage A defaults that differ from MedVAE's own. Prior sampling needs a latent space
#: regularised towards N(0, I): MedVAE's beta 0.03 suits its library sampling, not the prior.
#: On 1,000 simulated MS patients (300 epochs) beta 0.3 gave the lowest static KS/TVD among
#: 1, 0.3, 0.1 and 0.03 (docs/methods/longitudinal_lstm.md). Sampled decoding: decoded at
#: the mode, a level under about 10 % of patients all but vanished (SurvSet's aids 9.6 %
#: women came out 0.8 %, heartvalve's 4.7 % diabetics 0.0 %) and numbers lost spread; drawn
#: from the decoder, the largest static level-share error fell on all four tables measured
#: (PBC visits, 500 simulated MS patients, aids, heartvalve; two seeds each) at an unchanged
#: longitudinal_fidelity score (method card). The rest pins the MedVAE settings Stage A was
#: measured with (MedVAE's own defaults changed since: quantile transform, lr and
#: validation split "auto", copy filter, calibrated decoding).
_STATIC_DEFAULTS: dict[str, Any] = {
    "beta": 0.3,
    "batch_size": 64,
    "lr": 1e-3,
    "numerical_transform": "minmax",
    "validation_fraction": 0.0,
    "patience": None,
    "redraw_copies": False,
    "decoding": "sample",
    "sampling": "prior",
}
#: Latent sampling modes Stage A may use: the prior (default) or the mixture fitted to the
#: training patients' posterior means. Not ``"library"``, which decodes each training
#: patient's own posterior.
_STATIC_SAMPLING = ("prior", "mixture")


def _on_a_grid(values: pd.Series, max_levels: int) -> bool:
    """Whether a numeric column's values lie on a grid of at most ``max_levels`` points.

    The grid runs from the smallest observed value to the largest in steps of the smallest
    gap between two observed values (:func:`~synth_plugins.encoding.roles.is_whole` judges
    the steps): relapse counts 0-11, calendar years, the EDSS's half steps. Such a column is
    modelled as levels (``ordinal``): a generated level is a grid point, which the range of
    a column tells as well. Measured values are not on a coarse grid, so none is
    generated verbatim: judged by the number of distinct values alone, every continuous
    static column of a cohort of ``max_levels`` patients or fewer (one row each) was levels,
    and every generated value one patient's.
    """
    points = np.unique(values.dropna().to_numpy(dtype=float))
    if points.size < 2 or points.size > max_levels:
        return False
    step = float(np.diff(points).min())
    positions = (points - points[0]) / step
    return is_whole(positions) and round(positions[-1]) + 1 <= max_levels


def host_roles(roles: Mapping[str, str]) -> dict[str, str]:
    """The roles a host's column types (SDV's sdtypes, Synthcity's encoding) give the core.

    A host's numerical type says "numbers", not "continuous": SDV's ``numerical`` sdtype
    (its detection's and the suite's own metadata without roles) covers a grid such as the
    EDSS's half steps, which the core models as levels (:func:`_on_a_grid`), while a
    ``numerical`` role given to the core is kept continuous (and came back off the grid:
    0.4, 0.6, ... among EDSS values). So ``numerical`` is left to the core's inference,
    which reads such a column as a host user's data read without roles; the other roles
    pass as given.
    """
    return {column: role for column, role in roles.items() if role != "numerical"}


class LongitudinalLSTM:
    """Two-stage generator of whole patients: static features, then an irregular visit sequence.

    Stage A is the suite's :class:`~synth_plugins.generators.med_vae.MedVAE` over the static
    columns (plus the first visit time), sampled from its prior (or, as an option, its latent
    mixture); Stage B an LSTM conditioned on
    the static vector with heads for the end of follow-up, the gap to the next visit (a
    log-normal mixture) and every visit column (missingness included). This is our proposal
    for the MS autoencoder + LSTM generator known only from two MSBase conference abstracts;
    see ``docs/methods/longitudinal_lstm.md``.

    Args:
        id_column: the patient identifier column of the long table.
        time_column: the visit time column (numeric, e.g. years since baseline).
        static_columns: per-patient columns; None infers them as the columns that are
            constant within every patient. All other columns are visit columns.
        roles: role per column (``numerical``, ``integer``, ``binary``, ``categorical``,
            ``ordinal``, ``datetime``, ``identifier``); columns not named are inferred
            (identifier-like columns get fresh keys, datetimes are generated as times; see
            ``synth_plugins.encoding.roles``).
        static_epochs: training epochs of the Stage A VAE (300).
        epochs: training epochs of the Stage B LSTM (100).
        hidden: LSTM hidden size (128).
        num_layers: LSTM layers (2).
        dropout: dropout between LSTM layers (0.2).
        gap_components: log-normal mixture components of the time to the next visit (3).
        max_visits: hard cap on visits per generated patient (None: the most in training).
        discrete_levels: a numeric column of role ``integer`` or an inferred ``numerical``
            whose values lie on a grid of at most this many points (from its smallest to
            its largest value in steps of the smallest gap between two values: the EDSS's
            half steps, relapse counts) is modelled as ordinal levels (softmax), so
            generated values are always observed ones; a role ``numerical`` given in
            ``roles`` is kept, and whole numbers with at most 10 values inferred
            ``categorical`` stay unordered levels; 0 disables this (25).
        head_hidden: hidden width of every output head (64).
        lr: AdamW learning rate of Stage B (1e-3).
        weight_decay: AdamW weight decay of Stage B (1e-4).
        batch_size: patients per Stage B batch (64).
        clip: gradient-norm clipping of Stage B (1.0); None disables it.
        validation_fraction: share of patients held out to monitor a validation loss and
            keep the best epoch's weights (0.1; 0 trains on every patient and keeps the last
            weights). The LSTM memorises small cohorts quickly (on 400 simulated patients
            the validation loss is lowest near epoch 15-30 and then rises), so the default
            holds out 10 %: at least one patient, except from 2 patients, which both train
            (without a split, so without early stopping).
        patience: stop Stage B after this many epochs without validation improvement (10);
            None trains all epochs (the best epoch is still restored); needs a split. A fit
            that reaches ``epochs`` (more than 10) with its best epoch among the last 5
            warns that the validation loss was still falling: raise ``epochs``.
        change_indicators: ``{indicator column: tracked column}``: a binary visit column
            that is 1 exactly when the tracked column (e.g. the treatment) differs from the
            previous visit, such as the MS registry's ``switch = 1[DMT changed]``. Sampling
            keeps every such rule on every generated visit. None (default) detects the rules
            that hold on every visit of the training data; ``{}`` turns them off.
        calibrate_stop: after training, shift the stop head's bias and its first
            decision's offset so that free-running samples have the training mean number of
            visits and share of one-visit patients (see the method card; True).
        calibrate_steps: after training, tilt the step kernel of every ordinal visit column
            so that free-running samples have the training mean change since the first
            visit (the EDSS drift over long follow-up, the level of an event count; see the
            method card; True).
        calibrate_levels: after training, offset the later-visit logits of every
            categorical and binary visit column so that free-running samples have the
            training share of each level on visits after the first (a treatment's
            high-efficacy share; see the method card; True).
        numerical_transform: the scale Stage B learns numerical visit values in (Stage A's
            is ``static_params["numerical_transform"]``, min-max by default):
            ``"quantile"`` (normal scores of the training ranks, generated values mapped
            back through smoothed training quantiles) or ``"minmax"`` (the encoder's [0, 1]
            values, the setting before 6 December 2026). Either way a value after the first
            visit starts from the regression on the previous value and the patient's
            running mean (the mean of their values so far). On min-max values
            that regression's Gaussian residuals made skewed columns symmetric (SurvSet's
            aids, CD4: see the method card), normal scores keep their shape
            (``"quantile"``).
        residuals: the residual of that regression: ``"gaussian"``, or
            ``"scale_mixture"``: a narrow Gaussian and, for a learned share of the visits,
            a wide one of the same mean (both scales and the share learned per column,
            starting from the training regression's residuals), so that most
            visit-to-visit changes are small and a few large, as in real follow-up (see the
            method card, *Heavy-tailed changes*). First visits and values after a missing
            one are Gaussian either way.
        missing: missing-value policy of both stages: ``"indicator"`` (missingness is
            modelled and generated), ``"impute"`` (no missing values generated) or
            ``"error"``.
        static_params: extra :class:`MedVAE` arguments for Stage A (defaults: ``beta=0.3``,
            ``batch_size=64``, ``lr=1e-3``, ``numerical_transform="minmax"``, no validation
            split, ``redraw_copies=False``, ``decoding="sample"``: each static value drawn
            from the decoder, so rare levels keep their share; ``{"decoding": "mode"}`` is
            the setting before 6 December 2026; ``sampling="prior"``: latents from
            ``N(0, I)``, or ``{"sampling": "mixture"}``: from a Gaussian mixture fitted to
            the training patients' posterior means, which keeps more of how static
            columns depend on one another and less of the rare levels' shares (method
            card, *Stage A's latent sampling*); the arguments this model sets itself, and
            ``"library"`` sampling, are refused).
        sample_batch_size: patients generated per batch (bounds memory; 4096).
        device: ``"auto"`` (CUDA if available, else CPU), ``"cpu"``, ``"cuda"``, ...
        random_state: seed of every random draw; None is unseeded. Global random states are
            neither used nor changed.
        verbose: progress bars (Stage A and B): None (default) shows a bar only once its
            training loop has run 10 s, so short fits print nothing; True shows it at once,
            False never. ``TQDM_DISABLE=1`` in the environment turns every bar off.

    Attributes:
        static_columns_, visit_columns_: the static and visit columns (training order).
        roles_: the role used for every static and visit column.
        static_model_: the fitted Stage A :class:`MedVAE`.
        visit_encoder_: the :class:`TabularEncoder` of the visit columns.
        visit_transform_: the transform of numerical visit values into the scale Stage B
            learns them in (``numerical_transform``).
        model_: the Stage B network (on CPU).
        history_: per-epoch ``loss`` (and ``val_loss`` with a validation split).
        n_epochs_, best_epoch_: Stage B epochs run, and the epoch (0-based) whose weights
            the model holds.
        cut_short_: whether Stage B reached ``epochs`` with its validation loss still
            falling (then an :class:`~synth_plugins.errors.UnderTrainedWarning` was given).
        max_visits_: the visit cap used when sampling.
        change_rules_: the change indicators kept consistent at sampling (declared or
            detected).
        start_stop_: the start-stop layout detected in the training data (a stop column
            equal to the next visit's time, terminal event columns; None: not found), kept
            at sampling; Stage B draws the stop column but never reads it, and learns it on
            last visits only (see the method card).
        stop_shift_, first_stop_shift_, step_tilts_: the stop-bias shift, the shift of the
            first stop decision's logit (after the first visit) and the step-kernel tilt per
            ordinal column set by the post-training calibration.
        level_offsets_: the later-visit logit offset of every level of each calibrated
            categorical or binary column (``{column: {level: offset}}``).

    Example:
        >>> from synth_plugins.datasets import load
        >>> ds = load("ms_registry", n_patients=200, seed=0)
        >>> model = LongitudinalLSTM("patient_id", "time", roles=ds.roles, epochs=2,
        ...                          static_epochs=2).fit(ds.data)
        >>> synthetic = model.sample(50)
        >>> list(synthetic.columns) == list(ds.data.columns)
        True
    """

    #: The fewest training patients the model fits (Stage A is a Med-VAE on one row per
    #: patient); ``fit`` refuses fewer (:func:`~synth_plugins.validation.check_training_size`).
    MIN_TRAINING_SIZE: ClassVar[int] = MedVAE.MIN_TRAINING_SIZE
    #: What the training size counts.
    TRAINING_UNIT: ClassVar[TrainingUnit] = "patients"

    def __init__(
        self,
        id_column: str,
        time_column: str,
        static_columns: list[str] | tuple[str, ...] | None = None,
        roles: Mapping[str, str] | None = None,
        *,
        static_epochs: int = 300,
        epochs: int = 100,
        hidden: int = 128,
        num_layers: int = 2,
        dropout: float = 0.2,
        gap_components: int = 3,
        max_visits: int | None = None,
        discrete_levels: int = 25,
        head_hidden: int = 64,
        lr: float = 1e-3,
        weight_decay: float = 1e-4,
        batch_size: int = 64,
        clip: float | None = 1.0,
        validation_fraction: float = 0.1,
        patience: int | None = 10,
        missing: MissingPolicy = "indicator",
        static_params: Mapping[str, Any] | None = None,
        change_indicators: Mapping[str, str] | None = None,
        calibrate_stop: bool = True,
        calibrate_steps: bool = True,
        calibrate_levels: bool = True,
        numerical_transform: NumericalTransform = "quantile",
        residuals: Residuals = "gaussian",
        sample_batch_size: int = 4096,
        device: str | torch.device = "auto",
        random_state: int | None = 0,
        verbose: bool | None = None,
    ) -> None:
        for name, value in (("id_column", id_column), ("time_column", time_column)):
            if not isinstance(value, str) or not value:
                raise InvalidParameterError(
                    f"{name} must be a column name (text), got {value!r}; give the column a "
                    "text label first (other columns may keep integer labels)"
                )
        if id_column == time_column:
            raise InvalidParameterError(f"id_column and time_column are both {id_column!r}")
        self.id_column = id_column
        self.time_column = time_column
        if isinstance(static_columns, str):
            raise InvalidParameterError(
                f"static_columns must be a list of names, not the string {static_columns!r}"
            )
        self.static_columns = None if static_columns is None else list(static_columns)
        self.roles = dict(roles) if roles is not None else None
        self.static_epochs = check_int("static_epochs", static_epochs, minimum=1)
        self.epochs = check_int("epochs", epochs, minimum=1)
        self.hidden = check_int("hidden", hidden, minimum=1)
        self.num_layers = check_int("num_layers", num_layers, minimum=1)
        self.dropout = check_float("dropout", dropout, minimum=0.0, maximum=1.0,
                                   exclusive_maximum=True)  # fmt: skip
        self.gap_components = check_int("gap_components", gap_components, minimum=1)
        self.max_visits = None if max_visits is None else check_int(
            "max_visits", max_visits, minimum=1
        )  # fmt: skip
        self.discrete_levels = check_int("discrete_levels", discrete_levels, minimum=0)
        self.head_hidden = check_int("head_hidden", head_hidden, minimum=1)
        self.lr = check_float("lr", lr, minimum=0.0, exclusive_minimum=True)
        self.weight_decay = check_float("weight_decay", weight_decay, minimum=0.0)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.clip = None if clip is None else check_float(
            "clip", clip, minimum=0.0, exclusive_minimum=True
        )  # fmt: skip
        self.validation_fraction = check_float(
            "validation_fraction", validation_fraction, minimum=0.0, maximum=1.0,
            exclusive_maximum=True,
        )  # fmt: skip
        self.patience = None if patience is None else check_int("patience", patience, minimum=1)
        if self.patience is not None and self.validation_fraction == 0.0:
            raise InvalidParameterError(
                "patience needs a validation split: set validation_fraction > 0 (e.g. 0.1) "
                "or patience=None"
            )
        self.missing = check_choice("missing", missing, ("indicator", "impute", "error"))
        self.static_params = _checked_static_params(static_params)
        if change_indicators is not None and not isinstance(change_indicators, Mapping):
            raise InvalidParameterError(
                "change_indicators must map indicator columns to tracked columns, got "
                f"{change_indicators!r}"
            )
        self.change_indicators = None if change_indicators is None else dict(change_indicators)
        self.calibrate_stop = check_bool("calibrate_stop", calibrate_stop)
        self.calibrate_steps = check_bool("calibrate_steps", calibrate_steps)
        self.calibrate_levels = check_bool("calibrate_levels", calibrate_levels)
        self.numerical_transform = check_choice(
            "numerical_transform", numerical_transform, TRANSFORMS
        )
        self.residuals = check_choice("residuals", residuals, RESIDUALS)
        self.sample_batch_size = check_int("sample_batch_size", sample_batch_size, minimum=1)
        _torch.resolve_device(device)  # a clear error now for a bad name or absent CUDA
        self.device = device
        self.random_state = check_random_state("random_state", random_state)
        self.verbose = check_bool("verbose", verbose, none=True)

        self.static_columns_: list[str] | None = None
        self.visit_columns_: list[str] | None = None
        self.roles_: dict[str, str] | None = None
        self.static_model_: MedVAE | None = None
        self.visit_encoder_: TabularEncoder | None = None
        self.model_: VisitLSTM | None = None
        self.history_: dict[str, list[float]] = {}
        self.max_visits_: int | None = None
        self.change_rules_: tuple[ChangeRule, ...] = ()
        self.start_stop_: StartStop | None = None
        self.stop_shift_: float = 0.0
        self.first_stop_shift_: float = 0.0
        self.step_tilts_: dict[str, float] = {}
        self.level_offsets_: dict[str, dict[Any, float]] = {}
        self.n_epochs_: int = 0
        self.best_epoch_: int | None = None
        self.cut_short_ = False
        self._columns: tuple[VisitColumn, ...] = ()
        self.visit_transform_: VisitTransform | None = None
        self._fill: np.ndarray | None = None
        self._meta: dict[str, Any] = {}
        self._sample_rng: np.random.Generator | None = None
        self._device_model: VisitLSTM | None = None

    # ---------------------------------------------------------------------- params
    #: What fits saved before these arguments existed were fitted with: their unpickled
    #: instances lack the attributes, so ``get_params`` and a refit read these.
    calibrate_levels: bool = False
    numerical_transform: NumericalTransform = "minmax"
    residuals: Residuals = "gaussian"
    #: Fits saved before it existed unpickle without it: read as not cut short.
    cut_short_: bool = False

    _PARAMS = (
        "id_column", "time_column", "static_columns", "roles", "static_epochs", "epochs",
        "hidden", "num_layers", "dropout", "gap_components", "max_visits",
        "discrete_levels", "head_hidden", "lr", "weight_decay", "batch_size", "clip",
        "validation_fraction", "patience", "missing", "static_params", "change_indicators",
        "calibrate_stop", "calibrate_steps", "calibrate_levels", "numerical_transform",
        "residuals", "sample_batch_size",
        "device", "random_state", "verbose",
    )  # fmt: skip

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments, as given (a sklearn-style view for host adapters)."""
        return {name: copy.deepcopy(getattr(self, name)) for name in self._PARAMS}

    def __repr__(self) -> str:
        return (
            f"LongitudinalLSTM(id_column={self.id_column!r}, time_column={self.time_column!r}, "
            f"epochs={self.epochs}, random_state={self.random_state})"
        )

    # --------------------------------------------------------------------- fitting
    def _resolve_roles(self, data: pd.DataFrame, columns: list[str]) -> dict[str, str]:
        """Given or inferred roles; numeric columns on a coarse grid become ``ordinal``.

        A numeric column (numeric dtype) whose role is ``integer`` (given or inferred) or an
        inferred ``numerical`` becomes ``ordinal`` when its values lie on a grid of at most
        ``discrete_levels`` points (:func:`_on_a_grid`). A ``numerical`` role given in
        ``roles`` is kept. Numbers written as text stay numeric (the encoder parses them and
        returns numbers).
        """
        given = {k: v for k, v in (self.roles or {}).items() if k in columns}
        roles = dict(infer_roles(data[columns], given))
        if self.discrete_levels:
            for column in columns:
                if given.get(column) == "numerical" or roles[column] not in NUMERIC_ROLES:
                    continue
                if not pd.api.types.is_numeric_dtype(data[column]):
                    continue
                if _on_a_grid(data[column], self.discrete_levels):
                    roles[column] = "ordinal"
        return roles

    def _split_columns(self, data: pd.DataFrame) -> tuple[list[str], list[str]]:
        others = [c for c in data.columns if c not in (self.id_column, self.time_column)]
        if self.static_columns is None:
            static = infer_static_columns(data, self.id_column, self.time_column, others)
        else:
            static = check_static_columns(
                data, self.id_column, self.time_column, self.static_columns
            )
        visit = [c for c in others if c not in static]
        return static, visit

    def _no_visit_column(self) -> str:
        """Why no column is left to model per visit, starting with ``static_columns``.

        The message names the parameter first and only there, so a host adapter can say
        its own name for it (:func:`~synth_plugins.validation.host_names`).
        """
        if self.static_columns is None:
            return (
                "static_columns is None, so the columns constant within every patient are "
                "static, and here every column other than id and time is (as when each "
                "patient has one visit): no visit column is left; pass it explicitly, "
                "leaving out the columns to model per visit"
            )
        return (
            "static_columns names every column other than id and time, so no visit column "
            "is left; leave out the columns to model per visit"
        )

    def _first_time_column(self, data: pd.DataFrame) -> str:
        name = f"{self.time_column}__first_visit"
        while name in data.columns:
            name += "_"
        return name

    def fit(self, data: pd.DataFrame) -> LongitudinalLSTM:
        """Fit Stage A on one row per patient and Stage B on the visit sequences.

        Args:
            data: long-format table: one row per visit with the id, time, static and visit
                columns.

        Returns:
            self.

        Raises:
            InvalidDataError: for a malformed long table (see
                :func:`~synth_plugins.long_format.check_long_format`), fewer than 2
                patients (fewer than :data:`~synth_plugins.validation.SMALL_TRAINING_SIZE`
                warn), a static column that changes within a patient, a column with no
                observed value, or missing values with ``missing="error"``.
            InvalidParameterError: ``static_columns`` (given, or inferred when None)
                leaves no visit column.
        """
        data = check_long_format(data, self.id_column, self.time_column)
        index = patient_index(data, self.id_column)
        check_training_size(
            "Longitudinal LSTM", index.n_patients, self.MIN_TRAINING_SIZE, self.TRAINING_UNIT
        )
        static_columns, visit_columns = self._split_columns(data)
        if not visit_columns:
            raise InvalidParameterError(self._no_visit_column(), parameter="static_columns")
        # static roles from one row per patient (a per-patient key repeats over visits)
        roles = {
            **self._resolve_roles(data.iloc[index.starts], static_columns),
            **self._resolve_roles(data, visit_columns),
        }
        times = data[self.time_column].to_numpy(dtype=float)
        first_times = times[index.starts]
        last_times = times[index.last_rows]
        gaps = np.diff(times)[~index.is_last_row()[:-1]]
        integer_time = bool(
            pd.api.types.is_integer_dtype(data[self.time_column]) or np.all(times % 1 == 0)
        )
        # generated times are written at the training precision (see on_time_grid)
        time_decimals = 0 if integer_time else decimals_of(times, data[self.time_column].dtype)
        log_gaps = np.log(gaps) if gaps.size else np.zeros(1)
        follow_up = last_times - first_times

        # ---- Stage A: static VAE over one row per patient (+ the first visit time)
        rng = _torch.new_rng(self.random_state)
        static_seed, init_seed, train_seed, split_seed, sample_seed = (
            _torch.seed_from(rng) % 2**32 for _ in range(5)
        )
        first_name = self._first_time_column(data)
        static_frame = data.iloc[index.starts][static_columns].reset_index(drop=True)
        static_frame[first_name] = first_times
        static_roles = {c: roles[c] for c in static_columns}
        static_roles[first_name] = "integer" if integer_time else "numerical"
        params = {**_STATIC_DEFAULTS, **(self.static_params or {})}
        static_model = MedVAE(
            roles=static_roles, epochs=self.static_epochs,
            missing=self.missing, device=self.device, random_state=static_seed,
            verbose=self.verbose, **params,
        )  # fmt: skip
        with inner_fit():  # the size warning is this fit's, in patients
            static_model.fit(static_frame)
        static_matrix = static_model.encoder_.transform(static_frame)

        # ---- Stage B: visit encoder and tensors
        visit_encoder = TabularEncoder({c: roles[c] for c in visit_columns}, self.missing).fit(
            data[visit_columns]
        )
        visits = visit_encoder.transform(data[visit_columns])
        columns = columns_from(visit_encoder)
        transform = VisitTransform.fit(visits, columns, self.numerical_transform)
        visits, columns = transform.forward(visits), transform.bounded(columns)
        meta = {
            "first_name": first_name,
            "integer_time": integer_time,
            "time_decimals": time_decimals,
            "log_gap_mean": float(log_gaps.mean()),
            "log_gap_sd": float(log_gaps.std()) if log_gaps.std() > 1e-8 else 1.0,
            "min_gap": float(gaps.min()) if gaps.size else 1.0,
            "max_gap": float(gaps.max()) if gaps.size else 1.0,
            "max_follow_up": float(follow_up.max()),
            "max_time": float(times.max()),
            "time_scale": float(follow_up.max()) if follow_up.max() > 0 else 1.0,
            "columns": list(data.columns),
            "dtypes": {c: data[c].dtype for c in data.columns},
            "id_keys": identifier_spec(data[self.id_column]),
        }
        max_visits = self.max_visits or int(index.lengths.max())
        device = _torch.resolve_device(self.device)
        layout = start_stop_layout(data, index, self.time_column, columns, visit_encoder)
        names = [column.name for column in columns]
        lookahead = (names.index(layout.stop),) if layout is not None else ()
        with _torch.seeded(init_seed, device):
            net = VisitLSTM(
                static_dim=static_matrix.shape[1],
                columns=columns,
                visit_dim=visits.shape[1],
                hidden_size=self.hidden,
                num_layers=self.num_layers,
                dropout=self.dropout,
                gap_components=self.gap_components,
                head_hidden=self.head_hidden,
                lookahead=lookahead,
                residuals=self.residuals,
            ).to(device)

        # forget any previous fit (a failed fit leaves an unfitted model)
        self.model_ = None
        self._device_model = None
        self._meta = meta
        self._columns = columns
        rules = change_rules(data, index, columns, visit_encoder, self.change_indicators)
        tensors = Sequences.build(
            visits, static_matrix, times, index, meta, self.validation_fraction, split_seed,
            net.visible.cpu().numpy(), net.columns,
        )  # fmt: skip
        net.init_marginals(tensors)
        # dropout draws from torch's global generators: fork and seed them for the fit
        with _torch.seeded(train_seed, device):
            settings = TrainSettings(
                self.epochs, self.lr, self.weight_decay, self.batch_size, self.clip,
                self.patience, self.verbose,
            )  # fmt: skip
            trained = train(net, tensors, device, train_seed, settings)
        self.history_ = trained.history
        self.n_epochs_, self.best_epoch_ = trained.n_epochs, trained.best_epoch
        self.cut_short_ = cut_short(trained, settings, validated=bool(tensors.val_patients.size))

        self.static_columns_, self.visit_columns_ = static_columns, visit_columns
        self.roles_ = {c: roles[c] for c in static_columns + visit_columns}
        self.static_model_ = static_model
        self.visit_encoder_ = visit_encoder
        self.visit_transform_ = transform
        self._fill = transform.forward(visit_encoder.fill_vector()[None, :])[0]
        self.change_rules_ = rules
        self.start_stop_ = layout
        self.max_visits_ = max_visits
        self.model_ = net.cpu().eval()
        self.stop_shift_, self.first_stop_shift_ = 0.0, 0.0
        self.step_tilts_, self.level_offsets_ = {}, {}
        if self.calibrate_stop or self.calibrate_steps or self.calibrate_levels:
            self._calibrate(data, np.asarray(index.lengths), sample_seed)
        self._sample_rng = _torch.new_rng(sample_seed)
        return self

    def _calibrate(self, data: pd.DataFrame, lengths: np.ndarray, seed: int) -> None:
        """Calibrate free-running samples to the training lengths, drift and level shares.

        ``lengths`` holds each training patient's number of visits. See
        :mod:`~synth_plugins.generators.longitudinal_lstm._calibration`; samples of
        ``min(8000, max(2000, 4 n))`` patients.
        """
        assert self.model_ is not None and self.visit_encoder_ is not None

        def sample(n: int, random_state: int) -> pd.DataFrame:
            self._device_model = None  # a device copy must see the moved biases
            return self.sample(n, random_state=random_state)

        drifts = (
            drift_targets(self.model_, self.visit_encoder_, data, self.id_column)
            if self.calibrate_steps
            else []
        )
        computed = [r.indicator for r in self.change_rules_ if r.tracked < r.indicator]
        shares = (
            share_targets(self.model_, self.visit_encoder_, data, self.id_column, computed)
            if self.calibrate_levels
            else []
        )
        stop = StopTarget(float(lengths.mean()), float(np.mean(lengths == 1)))
        self.stop_shift_, self.first_stop_shift_, self.step_tilts_ = calibrate(
            self.model_, sample, n_draw=min(8000, max(2000, 4 * len(lengths))), seed=seed,
            stop=stop if self.calibrate_stop else None,
            drifts=drifts, shares=shares, encoder=self.visit_encoder_,
            id_column=self.id_column,
        )  # fmt: skip
        self.level_offsets_ = {
            share.name: dict(
                zip(self.visit_encoder_.spec(share.name).categories,
                    map(float, self.model_.later_offsets.get(share.index, [])), strict=False)
            )
            for share in shares
            if share.index in self.model_.later_offsets
        }  # fmt: skip
        self._device_model = None

    # -------------------------------------------------------------------- sampling
    def _fitted(self) -> tuple[VisitLSTM, MedVAE, TabularEncoder]:
        if self.model_ is None or self.static_model_ is None or self.visit_encoder_ is None:
            raise NotFittedError("this LongitudinalLSTM is not fitted; call fit(data) first")
        if "id_keys" not in self._meta:  # saved before patient ids became fresh keys
            raise NotFittedError(
                "this LongitudinalLSTM was saved by an earlier synth-plugins, which kept no "
                "record of its training ids, so its sampled ids could equal real ones; fit it "
                "again"
            )
        return self.model_, self.static_model_, self.visit_encoder_

    def set_random_state(self, random_state: int | None) -> None:
        """Restart the stream of seeds used by ``sample`` calls without ``random_state``."""
        self._sample_rng = _torch.new_rng(check_random_state("random_state", random_state))

    def _call_seed(self, random_state: int | None) -> int:
        seed = check_random_state("random_state", random_state)
        if seed is None:
            if self._sample_rng is None:  # pragma: no cover - set by fit
                self._sample_rng = _torch.new_rng(None)
            seed = _torch.seed_from(self._sample_rng) % 2**32
        return seed

    def _model_on_device(self) -> tuple[VisitLSTM, torch.device]:
        net = self.model_
        assert net is not None
        try:
            device = _torch.resolve_device(self.device)
        except InvalidParameterError:
            device = torch.device("cpu")
        if device.type == "cpu":
            return net.eval(), device
        if self._device_model is None:
            self._device_model = copy.deepcopy(net).to(device).eval()
        return self._device_model, device

    def sample(self, n_patients: int, *, random_state: int | None = None) -> pd.DataFrame:
        """Generate whole patients: static features and a visit sequence each.

        Args:
            n_patients: number of patients (0 gives an empty table with the training
                columns).
            random_state: seed of this call; None draws one from the model's seed stream
                (seeded by ``random_state`` at fit, restarted by ``set_random_state``).

        Returns:
            A long table with the training columns and dtypes, one patient after another,
            each in time order. Ids are fresh keys in the training id's dtype, never a
            training id: whole numbers start at the power of ten above the largest
            training id, text reads ``"synthetic_<i>"`` with a prefix no training id
            starts with (see
            :func:`~synth_plugins.encoding.tabular.fresh_keys`). A categorical id comes
            back as text (``object``): its categories are the training ids, which a
            synthetic table must not carry, and no fresh key is one of them.
        """
        _, static_model, _ = self._fitted()
        n_patients = check_int("n_patients", n_patients, minimum=0)
        seed = self._call_seed(random_state)
        rng = np.random.default_rng(seed)
        model, device = self._model_on_device()
        parts = []
        with one_warning_per_call():  # Stage A's copy filter (if set) warns once, with totals
            for start in range(0, n_patients, self.sample_batch_size):
                size = min(self.sample_batch_size, n_patients - start)
                static = static_model.sample(size, random_state=int(rng.integers(2**32)))
                generator = _torch.make_generator(int(rng.integers(2**63 - 1)), device)
                parts.append(self._roll_out(model, device, static, generator, start))
        if not parts:
            meta = self._meta
            return pd.DataFrame({c: pd.Series(dtype=meta["dtypes"][c]) for c in meta["columns"]})
        assert static_model.encoder_ is not None and self.visit_encoder_ is not None
        return renumber_keys(
            pd.concat(parts, ignore_index=True), self.id_column, static_model.encoder_,
            self.visit_encoder_,
        )  # fmt: skip

    def _roll_out(
        self,
        net: VisitLSTM,
        device: torch.device,
        static: pd.DataFrame,
        generator: torch.Generator,
        id_offset: int,
    ) -> pd.DataFrame:
        """Free-running generation of one batch of patients whose statics are given."""
        assert self.max_visits_ is not None and self._fill is not None
        assert self.static_model_ is not None and self.static_model_.encoder_ is not None
        meta = self._meta
        matrix = self.static_model_.encoder_.transform(static)
        s = torch.from_numpy(np.ascontiguousarray(matrix, dtype=np.float32)).to(device)
        t0 = torch.as_tensor(static[meta["first_name"]].to_numpy(dtype=float), device=device)
        layout = getattr(self, "start_stop_", None)  # None in models saved before it
        patient, time, visits, end_gap = roll_out(
            net, s, t0, meta=meta, fill=self._fill, max_visits=self.max_visits_,
            generator=generator, rules=self.change_rules_,
            terminal=layout.events if layout is not None else (),
        )  # fmt: skip
        frame = self._assemble(static.reset_index(drop=True), patient, time, visits, id_offset)
        if layout is not None:
            frame = keep_stops(
                frame, layout, self.time_column, patient, end_gap, time_decimals(meta)
            )
        return frame

    def _assemble(
        self, static: pd.DataFrame, patient: np.ndarray, time: np.ndarray, matrix: np.ndarray,
        id_offset: int = 0,
    ) -> pd.DataFrame:  # fmt: skip
        """Long table in the training schema (see :func:`assemble`)."""
        assert self.visit_encoder_ is not None and self.static_columns_ is not None
        return assemble(
            static, patient, time, self._transform().inverse(matrix), id_column=self.id_column,
            time_column=self.time_column, static_columns=self.static_columns_,
            visit_encoder=self.visit_encoder_, meta=self._meta, id_offset=id_offset,
        )  # fmt: skip

    def _transform(self) -> VisitTransform:
        """The learned scale of numerical visit values (min-max in fits saved before it)."""
        transform = getattr(self, "visit_transform_", None)
        return VisitTransform.identity() if transform is None else transform

    # ------------------------------------------------------------ next-visit mode
    @torch.inference_mode()
    def predict_next_visit(
        self,
        history: pd.DataFrame,
        *,
        sample: bool = True,
        random_state: int | None = None,
        return_stop_probability: bool = False,
    ) -> pd.DataFrame:
        """Predict each patient's next visit given their real history (seeded mode).

        The static vector comes from each patient's own static values and first visit time;
        the LSTM reads the whole history, then the gap and visit heads give the next visit
        (ignoring the stop head: a next visit is always predicted).

        Args:
            history: long table with the training columns (any patients, at least one visit
                each; same checks as ``fit``).
            sample: draw the next visit (True), or take the most likely value of every head
                (False: the most probable gap component's median, modes, and the means on
                the scale of ``numerical_transform``: with ``"quantile"`` the median of a
                numerical value).
            random_state: seed of the draws (``sample=True``); None uses the seed stream.
            return_stop_probability: add a ``stop_probability`` column: the model's
                probability that follow-up ends after the last visit of the history.

        Returns:
            One row per patient of ``history`` (in order of first appearance) with the
            training columns: the patient's id and static values, the predicted time and
            the predicted visit values.
        """
        _, static_model, encoder = self._fitted()
        meta = self._meta
        data = check_long_format(history, self.id_column, self.time_column, name="history")
        expected = meta["columns"]
        missing = [c for c in expected if c not in data.columns]
        if missing:
            raise InvalidDataError(f"history lacks the training columns {missing}")
        assert self.static_columns_ is not None and self.visit_columns_ is not None
        check_static_columns(data, self.id_column, self.time_column, self.static_columns_)
        index = patient_index(data, self.id_column)
        model, device = self._model_on_device()
        generator = _torch.make_generator(self._call_seed(random_state), device)
        times = data[self.time_column].to_numpy(dtype=float)
        static = data.iloc[index.starts][self.static_columns_].reset_index(drop=True)
        static[meta["first_name"]] = times[index.starts]
        visits = self._transform().forward(encoder.transform(data[self.visit_columns_]))
        static_matrix = static_model.encoder_.transform(static)
        seqs = Sequences.build(
            visits,
            static_matrix,
            times,
            index,
            meta,
            0.0,
            0,
            model.visible.cpu().numpy(),
            model.columns,
        )
        parts = []
        for start in range(0, index.n_patients, self.sample_batch_size):
            batch = np.arange(start, min(start + self.sample_batch_size, index.n_patients))
            b = seqs.gather(batch, device)
            hidden = run_sequences(model, b)
            rows = torch.arange(len(batch), device=device)
            last = torch.cat(
                [hidden[rows, b["steps"] - 1], b["static"],
                 b["inputs"][rows, b["steps"] - 1, : model.visit_dim]], dim=1,
            )  # fmt: skip
            p_stop = torch.sigmoid(model.stop_logit(last, (b["steps"] == 2).float()))
            if sample:
                gap = draw_gap(model, last, meta, generator)
            else:
                log_w, means, _ = model.gap_parameters(last)
                best = log_w.argmax(1)
                z = means[torch.arange(len(batch), device=device), best]
                gap = torch.exp(z * meta["log_gap_sd"] + meta["log_gap_mean"])
                gap = on_time_grid(gap.clamp(meta["min_gap"], meta["max_gap"]), meta)
            gap_feature = (torch.log(gap) - meta["log_gap_mean"]) / meta["log_gap_sd"]
            first = torch.zeros(len(batch), device=device)
            assert self._fill is not None
            running_mean = torch.as_tensor(
                seqs.running_means[index.last_rows[batch]], device=device
            )
            visit = draw_visit(
                model,
                last,
                gap_feature,
                first,
                running_mean,
                self._fill,
                generator,
                sample=sample,
                rules=self.change_rules_,
            )
            last_time = torch.as_tensor(times[index.last_rows[batch]], device=device)
            frame = self._assemble(
                static, batch, (last_time + gap).cpu().numpy(), visit.cpu().numpy()
            )
            frame[self.id_column] = index.ids[batch]
            if return_stop_probability:
                frame["stop_probability"] = p_stop.cpu().numpy()
            parts.append(frame)
        result = pd.concat(parts, ignore_index=True)
        result[self.id_column] = result[self.id_column].astype(data[self.id_column].dtype)
        return result

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_device_model"] = None  # a device copy is rebuilt on demand
        return state


def _checked_static_params(static_params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``static_params`` as a dict, checked now rather than when Stage A is built at fit.

    Every key must be a :class:`MedVAE` argument that this model does not set itself, the
    latent sampling one of :data:`_STATIC_SAMPLING`, and the arguments together (with the
    Stage A defaults) what :class:`MedVAE` accepts; an error names ``static_params``.
    """
    if static_params is None:
        return None
    if not isinstance(static_params, Mapping):
        raise InvalidParameterError(
            f"static_params must be a mapping of MedVAE arguments, got {static_params!r}"
        )
    reserved = sorted(
        set(static_params) & {"roles", "epochs", "missing", "device", "random_state", "verbose"}
    )
    if reserved:
        raise InvalidParameterError(
            f"static_params must not set {reserved}: they come from this model's own "
            "arguments (static_epochs, missing, device, random_state, verbose)"
        )
    unknown = sorted(set(static_params) - set(inspect.signature(MedVAE).parameters), key=str)
    if unknown:
        raise InvalidParameterError(
            f"static_params: {unknown} are not MedVAE arguments (see MedVAE's documentation)"
        )
    sampling = static_params.get("sampling", _STATIC_DEFAULTS["sampling"])
    if sampling not in _STATIC_SAMPLING:
        raise InvalidParameterError(
            f"static_params['sampling'] must be one of {list(_STATIC_SAMPLING)}, got "
            f"{sampling!r} (library sampling, which decodes each training patient's own "
            "posterior, is not offered)"
        )
    try:
        MedVAE(**{**_STATIC_DEFAULTS, **static_params})
    except InvalidParameterError as error:
        raise InvalidParameterError(f"static_params: {error}") from None
    return dict(static_params)

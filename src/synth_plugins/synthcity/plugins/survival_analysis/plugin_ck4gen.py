"""CK4Gen-style survival data generation as a Synthcity plugin (``Plugins().get("ck4gen")``).

Laid out like a Synthcity plugin file, so it can be proposed upstream as
``synthcity/plugins/survival_analysis/plugin_ck4gen.py``. The model is
:class:`synth_plugins.generators.ck4gen.CK4Gen`; this module only translates Synthcity's
``SurvivalAnalysisDataLoader`` and seeding conventions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from synthcity.plugins.core.dataloader import DataLoader
from synthcity.plugins.core.distribution import (
    CategoricalDistribution,
    Distribution,
    FloatDistribution,
    IntegerDistribution,
)
from synthcity.plugins.core.schema import Schema

from synth_plugins._docstrings import args_from
from synth_plugins.errors import InvalidDataError
from synth_plugins.generators.ck4gen import CK4Gen
from synth_plugins.generators.ck4gen.teacher import KNOT_QUANTILES
from synth_plugins.synthcity.checks import (
    CONSTRAINT_ADVICE,
    check_survival_columns,
    describe_input,
    loader_type,
    refuse_argument,
)
from synth_plugins.synthcity.suite_plugin import SuitePlugin
from synth_plugins.validation import host_names

#: The core's defaults: the one place each hyper-parameter's default is declared.
_CORE = CK4Gen.__init__.__kwdefaults__

#: Why CK4Gen refuses Synthcity's survival-plugin arguments (see the class docstring).
_NO_TTE_STRATEGY = (
    "CK4Gen's outcomes come from its own outcome argument ('copy': the source patient's "
    "duration and event; 'model': drawn from the Cox teacher and the censoring "
    "distribution), not from a separate time-to-event model"
)
_NO_SAMPLING_STRATEGY = (
    "CK4Gen's teacher and student are trained on the rows as given; re-weighting them by "
    "censoring would change the Cox model being distilled"
)
_NO_COND = (
    "CK4Gen decodes encoded source patients and has no conditional input; to get rows "
    f"with a given value {CONSTRAINT_ADVICE}"
)


# Args written here, the rest is CK4Gen's: Synthcity's own arguments, n_iter (one number
# for the core's two stages), hidden_<i> (one element of the core's hidden each), and
# random_state (an int only: Synthcity seeds with it).
@args_from(CK4Gen)
class CK4GenPlugin(SuitePlugin):
    """CK4Gen-style survival data: a Cox model distilled into an encoder + decoder.

    A lifelines Cox model (the teacher) is fitted on the training covariates; an encoder
    (MLP, or a Deep-Cox-Mixtures-style student) learns its risk score by knowledge
    distillation; a decoder (SynthNet) learns to rebuild the covariates from the encoder's
    latent code. Generation encodes source patients, optionally perturbs the code, and
    decodes. ``outcome="model"`` (the default) draws each row's duration and event from the
    teacher and the censoring distribution; ``outcome="copy"`` (the paper) gives each
    synthetic row its source patient's duration and event — real outcome pairs, a privacy
    risk the method card discusses. Method card: ``docs/methods/ck4gen.md``.

    Synthcity conventions it does not follow, with an error naming the argument:
    ``fit``/``generate`` with ``cond`` (CK4Gen has no conditional input; use
    ``constraints``, which keep only matching rows), and the survival plugins'
    ``tte_strategy``/``uncensoring_model`` (the outcome comes from ``outcome``) and
    ``dataloader_sampling_strategy`` (the Cox teacher is fitted on the rows as given).
    Durations must be finite and > 0 with at least 15 distinct values (Synthcity
    label-encodes columns with fewer, turning the shortest duration into 0), events 0/1;
    ``generate(count=...)`` needs ``count >= 1`` (None: as many as in training). Defaults
    are the core's (read from :class:`CK4Gen`'s signature), and so is the text of every
    argument Synthcity does not change.

    Args:
        n_iter: training epochs of each stage (500): the core's ``encoder_epochs`` and
            ``decoder_epochs``, one number for both (Synthcity's name for epochs).
        hidden_1, hidden_2, hidden_3: the encoder's three hidden widths (64, 32, 16), the
            core's ``hidden`` (one number each, for Synthcity's search space); the decoder
            mirrors them unless ``decoder_hidden`` is given.
        tte_strategy, uncensoring_model, dataloader_sampling_strategy: Synthcity's
            survival-plugin arguments; only None is accepted (see above).
        sampling_patience, strict: Synthcity's plugin arguments.
        random_state: Synthcity's plugin argument, also the core's seed: an integer (None,
            the core's "unseeded", is refused: Synthcity seeds numpy, torch, Python's
            ``random`` and its data schema with it).
        workspace, compress_dataset, sampling_strategy: Synthcity's plugin arguments.

    Example:
        >>> import synth_plugins
        >>> from synthcity.plugins import Plugins
        >>> from synth_plugins.datasets import load
        >>> from synth_plugins.synthcity.loaders import to_dataloader
        >>> X = to_dataloader(load("gbsg2"))
        >>> plugin = Plugins().get("ck4gen", n_iter=20)
        >>> plugin = plugin.fit(X)
        >>> plugin.generate(count=10).dataframe().shape
        (10, 10)
    """

    cond_refusal = _NO_COND

    def __init__(
        self,
        n_iter: int = _CORE["encoder_epochs"],
        batch_size: int = _CORE["batch_size"],
        lr: float = _CORE["lr"],
        encoder: str = _CORE["encoder"],
        hidden_1: int = _CORE["hidden"][0],
        hidden_2: int = _CORE["hidden"][1],
        hidden_3: int = _CORE["hidden"][2],
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
        verbose: bool | None = _CORE["verbose"],
        # Synthcity's survival-plugin arguments, refused (see above)
        tte_strategy: str | None = None,
        uncensoring_model: str | None = None,
        dataloader_sampling_strategy: str | None = None,
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
        refuse_argument(self.name(), "tte_strategy", tte_strategy, _NO_TTE_STRATEGY)
        refuse_argument(self.name(), "uncensoring_model", uncensoring_model, _NO_TTE_STRATEGY)
        refuse_argument(
            self.name(),
            "dataloader_sampling_strategy",
            dataloader_sampling_strategy,
            _NO_SAMPLING_STRATEGY,
        )
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
        # Keyword arguments for the core, which needs the survival columns known at fit.
        # (Not an attribute called "model": Synthcity's Serializable saves such an
        # attribute as bytes and does not restore it.)
        self.core_params: dict[str, Any] = {
            "encoder": encoder,
            "hidden": (hidden_1, hidden_2, hidden_3),
            "distill_target": distill_target,
            "dcm_k": dcm_k,
            "dcm_gamma": dcm_gamma,
            "n_time_grid": n_time_grid,
            "decoder_hidden": decoder_hidden,
            "decoder_loss": decoder_loss,
            "teacher_penalizer": teacher_penalizer,
            "teacher_knots": teacher_knots,
            "lr": lr,
            "encoder_epochs": n_iter,
            "decoder_epochs": n_iter,
            "batch_size": batch_size,
            "validation_fraction": validation_fraction,
            "patience": patience,
            "latent_noise": latent_noise,
            "discrete_decoding": discrete_decoding,
            "redraw_copies": redraw_copies,
            "copy_bins": copy_bins,
            "sample_with_replacement": sample_with_replacement,
            "outcome": outcome,
            "outcome_draw": outcome_draw,
            "censoring_model": censoring_model,
            "calibrate_levels": calibrate_levels,
            "numeric_residuals": numeric_residuals,
            "calibrate_numeric": calibrate_numeric,
            "interpolate_durations": interpolate_durations,
            "missing": missing,
            "device": str(device),
            "random_state": random_state,
            "verbose": verbose,
        }
        # every argument is checked now, as by any plugin: a core with placeholder outcome
        # columns (the loader names them at fit)
        names = {"encoder_epochs": "n_iter", "decoder_epochs": "n_iter"}
        names.update({f"hidden[{i}]": f"hidden_{i + 1}" for i in range(3)})
        with host_names(names):
            CK4Gen("duration", "event", **self.core_params)
        self.core: CK4Gen | None = None

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Load; an older save refits with the arguments added since at their legacy values.

        Those are ``CK4Gen.LEGACY_PARAMS``, as it was fitted; its core samples that way too.
        """
        state["core_params"] = {**CK4Gen.LEGACY_PARAMS, **state.get("core_params", {})}
        self.__dict__.update(state)

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
            CategoricalDistribution(name="teacher_knots", choices=[0, *KNOT_QUANTILES]),
        ]

    def outcome_columns(self, X: DataLoader | pd.DataFrame) -> tuple[str, ...]:
        """The duration and event columns of the survival loader (never held)."""
        info = X.info()
        return (info["time_to_event_column"], info["target_column"])

    def _training_frame(self, X: DataLoader | pd.DataFrame) -> pd.DataFrame:
        """The suite's checks, after the loader type and before the survival columns'."""
        if loader_type(X) != "survival_analysis":
            raise InvalidDataError(
                "ck4gen needs a SurvivalAnalysisDataLoader (time_to_event_column and "
                f"target_column); got {describe_input(X)}"
            )
        frame = super()._training_frame(X)
        check_survival_columns(frame, *self.outcome_columns(X))
        return frame

    def _fit(self, X: DataLoader, *args: Any, **kwargs: Any) -> CK4GenPlugin:
        info = X.info()
        self.core = CK4Gen(info["time_to_event_column"], info["target_column"], **self.core_params)
        self._fit_core(X, None)
        return self

    def _generate(self, count: int, syn_schema: Schema, **kwargs: Any) -> DataLoader:
        assert self.core is not None
        return self._generate_core(count, syn_schema, None)


plugin = CK4GenPlugin

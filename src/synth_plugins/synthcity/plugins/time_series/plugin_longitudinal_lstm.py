"""The longitudinal LSTM as a Synthcity time-series plugin (``Plugins().get("longitudinal_lstm")``).

Laid out like a Synthcity plugin file (one ``Plugin`` subclass, ``plugin = ...`` at the end)
so it can be proposed upstream as ``synthcity/plugins/time_series/plugin_longitudinal_lstm.py``.
The model is :class:`synth_plugins.generators.longitudinal_lstm.LongitudinalLSTM`; this module
only translates Synthcity's ``TimeSeriesDataLoader`` (``dataframe()`` is already a long table:
``seq_id``, ``seq_time_id``, ``seq_static_*``, ``seq_temporal_*``, ``seq_out_*``) and its
seeding conventions. Build loaders from long tables with
:func:`synth_plugins.synthcity.timeseries.to_timeseries_loader` (works without an outcome).
"""

from __future__ import annotations

from collections.abc import Mapping
from math import ceil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from synthcity.plugins.core.constraints import Constraints
from synthcity.plugins.core.dataloader import DataLoader
from synthcity.plugins.core.distribution import (
    CategoricalDistribution,
    Distribution,
    FloatDistribution,
    IntegerDistribution,
)
from synthcity.plugins.core.schema import Schema

from synth_plugins._docstrings import args_from
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.generators.longitudinal_lstm import RESIDUALS, LongitudinalLSTM, host_roles
from synth_plugins.generators.med_vae.transforms import TRANSFORMS
from synth_plugins.long_format import patient_index
from synth_plugins.survival import check_survival_frame
from synth_plugins.synthcity.checks import (
    check_columns,
    describe_input,
    loader_type,
    refuse_argument,
)
from synth_plugins.synthcity.roles import synthcity_roles
from synth_plugins.synthcity.sequence_loader import (
    VectorisedTimeSeriesDataLoader,
    VectorisedTimeSeriesSurvivalDataLoader,
    vectorised_from_info,
)
from synth_plugins.synthcity.suite_plugin import SuitePlugin
from synth_plugins.synthcity.timeseries import (
    OUTCOME_PREFIX,
    SEQ_ID,
    SEQ_TIME,
    STATIC_PREFIX,
    TEMPORAL_PREFIX,
    synthcity_long_frame,
)
from synth_plugins.validation import host_names

#: The core's defaults: the one place each hyper-parameter's default is declared.
_CORE = LongitudinalLSTM.__init__.__kwdefaults__
#: The loader types the plugin trains on (Synthcity's own time-series generators' two).
_LOADER_TYPES = ("time_series", "time_series_survival")
_NO_STATIC_DATA = (
    "each sequence's static features are drawn from the plugin's own Stage A model, "
    "together with its first visit time, and the visit LSTM is conditioned on both; "
    "generating sequences for given static rows is not supported"
)
_NO_COND = (
    "the plugin has no conditional input; use generate(count, constraints=...) to keep "
    "only matching sequences"
)

#: Why ``identifier_columns`` and ``detect_identifiers=False`` are refused: the loader, not
#: the plugin, reads the keys.
_LOADER_READS_KEYS = (
    "to_timeseries_loader gives fresh keys to the per-patient columns the suite's rule reads "
    "as keys; to declare other keys, or to model a column the rule reads as keys, fit the "
    "SDV LongitudinalLSTMSynthesizer (sdtype 'id', or 'numerical') or the core "
    "LongitudinalLSTM (roles={column: 'identifier'}, or 'integer')"
)

#: Upper bound given to the ``seq_id`` domain, so that more sequences than in training can
#: be generated (Synthcity's schema otherwise drops ids above the training maximum).
_MAX_SEQ_ID = 2**31 - 1


def _temporal_names(change_indicators: Any) -> Any:
    """``change_indicators`` in the names the core sees (Synthcity's ``seq_temporal_<name>``).

    Anything but a mapping is passed on as is, for the core to refuse.
    """
    if not isinstance(change_indicators, Mapping):
        return change_indicators
    return {
        f"{TEMPORAL_PREFIX}{indicator}": f"{TEMPORAL_PREFIX}{tracked}"
        for indicator, tracked in change_indicators.items()
    }


class WholeNumberRange(IntegerDistribution):
    """An integer feature's range without Synthcity's ``dtype == int`` rule.

    ``TimeSeriesDataLoader`` rebuilds static and outcome frames row by row, so whole-number
    columns of an all-numeric frame come back as floats (for every time-series plugin);
    the range is still enforced.
    """

    def as_constraint(self) -> Constraints:
        """Only the range rules."""
        return Constraints(rules=[(self.name, "ge", self.low), (self.name, "le", self.high)])


#: The core's arguments under Synthcity's names (for the core's errors and the docstring).
_HOST_NAMES = {"epochs": "n_iter", "static_epochs": "static_n_iter"}


# Args written here, the rest is LongitudinalLSTM's: Synthcity's own arguments, and
# random_state (an int only: Synthcity seeds with it).
@args_from(LongitudinalLSTM, _HOST_NAMES)
class LongitudinalLSTMPlugin(SuitePlugin):
    """Longitudinal LSTM: static patient features plus irregular visit sequences.

    Two stages, our proposal for the MS-registry "autoencoder + LSTM" generator known from
    two abstracts: the suite's Med-VAE over the static (and outcome) features sampled from
    its prior (or, with ``static_params={"sampling": "mixture"}``, its latent mixture),
    then an LSTM over the visits conditioned on them, with heads for the end of follow-up,
    the time to the next visit (a log-normal mixture) and every temporal feature
    (missingness included). Generated observation times strictly increase, every
    discrete feature keeps its training levels, and ``generate(count)`` returns ``count``
    sequences for any ``count`` (more than in training too) in one pass. Method card:
    ``docs/methods/longitudinal_lstm.md``.

    It trains on Synthcity's ``TimeSeriesDataLoader`` and ``TimeSeriesSurvivalDataLoader``
    (the survival time and event are modelled as static outcome features and returned as
    the generated loader's ``T`` and ``E``). Synthcity conventions it does not follow, with
    an error naming the argument: ``generate(static_data=...)`` and
    ``generate(observation_times=...)`` (static features and the first visit time come
    from its own Stage A model, and the visit LSTM is conditioned on both) and
    ``fit``/``generate`` with ``cond``. ``generate(count=...)`` needs ``count >= 1``
    (None: as many sequences as in training, where Synthcity's default is the number of
    visits). ``generate(count, constraints=...)`` keeps or drops whole sequences (a
    sequence with any visit that breaks a rule is dropped, and more are drawn), where
    Synthcity would drop single visits. Defaults are the core's (read from
    :class:`LongitudinalLSTM`'s signature), and so is the text of every argument Synthcity
    does not change.

    Args:
        sampling_patience, strict: Synthcity's plugin arguments.
        random_state: Synthcity's plugin argument, also the core's seed: an integer (None,
            the core's "unseeded", is refused: Synthcity seeds numpy, torch, Python's
            ``random`` and its data schema with it).
        workspace, compress_dataset, sampling_strategy: Synthcity's plugin arguments.

    Example:
        >>> import synth_plugins
        >>> from synthcity.plugins import Plugins
        >>> from synth_plugins.datasets import load
        >>> from synth_plugins.synthcity.timeseries import dataset_to_timeseries_loader
        >>> loader, spec = dataset_to_timeseries_loader(load("ms_registry", n_patients=200))
        >>> plugin = Plugins().get("longitudinal_lstm", n_iter=2, static_n_iter=2)
        >>> plugin = plugin.fit(loader)
        >>> len(plugin.generate(count=300).ids())
        300
    """

    cond_refusal = _NO_COND
    identifier_refusal = _LOADER_READS_KEYS

    def __init__(
        self,
        n_iter: int = _CORE["epochs"],
        static_n_iter: int = _CORE["static_epochs"],
        hidden: int = _CORE["hidden"],
        num_layers: int = _CORE["num_layers"],
        dropout: float = _CORE["dropout"],
        gap_components: int = _CORE["gap_components"],
        max_visits: int | None = _CORE["max_visits"],
        discrete_levels: int = _CORE["discrete_levels"],
        head_hidden: int = _CORE["head_hidden"],
        lr: float = _CORE["lr"],
        weight_decay: float = _CORE["weight_decay"],
        batch_size: int = _CORE["batch_size"],
        clip: float | None = _CORE["clip"],
        validation_fraction: float = _CORE["validation_fraction"],
        patience: int | None = _CORE["patience"],
        calibrate_stop: bool = _CORE["calibrate_stop"],
        calibrate_steps: bool = _CORE["calibrate_steps"],
        calibrate_levels: bool = _CORE["calibrate_levels"],
        numerical_transform: str = _CORE["numerical_transform"],
        residuals: str = _CORE["residuals"],
        change_indicators: Mapping[str, str] | None = _CORE["change_indicators"],
        missing: str = _CORE["missing"],
        static_params: Mapping[str, Any] | None = _CORE["static_params"],
        sample_batch_size: int = _CORE["sample_batch_size"],
        verbose: bool | None = _CORE["verbose"],
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
            sampling_patience=sampling_patience,
            strict=strict,
            device=device,
            random_state=random_state,
            workspace=workspace,
            compress_dataset=compress_dataset,
            sampling_strategy=sampling_strategy,
            **kwargs,
        )
        # not called "model": Synthcity's Serializable saves an attribute of that name as
        # bytes and does not restore it
        with host_names(_HOST_NAMES):
            self.core = LongitudinalLSTM(
                SEQ_ID,
                SEQ_TIME,
                static_epochs=static_n_iter,
                epochs=n_iter,
                hidden=hidden,
                num_layers=num_layers,
                dropout=dropout,
                gap_components=gap_components,
                max_visits=max_visits,
                discrete_levels=discrete_levels,
                head_hidden=head_hidden,
                lr=lr,
                weight_decay=weight_decay,
                batch_size=batch_size,
                clip=clip,
                validation_fraction=validation_fraction,
                patience=patience,
                calibrate_stop=calibrate_stop,
                calibrate_steps=calibrate_steps,
                calibrate_levels=calibrate_levels,
                numerical_transform=numerical_transform,
                residuals=residuals,
                change_indicators=_temporal_names(change_indicators),
                missing=missing,
                static_params=static_params,
                sample_batch_size=sample_batch_size,
                device=str(device),
                random_state=random_state,
                verbose=verbose,
            )
        #: sequences in the training data: what ``generate()`` without ``count`` returns
        self.training_sequences: int | None = None

    @staticmethod
    def name() -> str:
        """The plugin's name in Synthcity's registry."""
        return "longitudinal_lstm"

    @staticmethod
    def type() -> str:
        """Synthcity's plugin category."""
        return "time_series"

    @staticmethod
    def hyperparameter_space(**kwargs: Any) -> list[Distribution]:
        """The search space for Synthcity's (Optuna) hyper-parameter tuning."""
        return [
            IntegerDistribution(name="n_iter", low=20, high=300, step=20),
            IntegerDistribution(name="static_n_iter", low=50, high=500, step=50),
            CategoricalDistribution(name="hidden", choices=[32, 64, 128, 256]),
            IntegerDistribution(name="num_layers", low=1, high=3),
            FloatDistribution(name="dropout", low=0.0, high=0.5),
            IntegerDistribution(name="gap_components", low=1, high=5),
            CategoricalDistribution(name="lr", choices=[3e-4, 1e-3, 3e-3]),
            CategoricalDistribution(name="batch_size", choices=[32, 64, 128, 256]),
            CategoricalDistribution(name="numerical_transform", choices=list(TRANSFORMS)),
            CategoricalDistribution(name="residuals", choices=list(RESIDUALS)),
        ]

    def _training_frame(self, X: DataLoader | pd.DataFrame) -> pd.DataFrame:
        """The suite's checks of the training data, after the loader type's.

        A ``TimeSeriesSurvivalDataLoader``'s outcome follows the suite's survival rule, as
        CK4Gen's does (durations finite and > 0, events 0/1): Synthcity's loader takes any
        numbers, and the model would generate events coded 1/2 or missing durations back.
        The column checks (:func:`~synth_plugins.synthcity.checks.check_columns`: no
        observed value, infinite numbers, text mixed with other values, ...) run on the
        loader's static, outcome and visit frames, so an error names the column as the
        loader holds it, not as Synthcity's ``seq_static_``/``seq_out_``/``seq_temporal_``
        copy.
        """
        kind = loader_type(X)
        if kind not in _LOADER_TYPES:
            raise InvalidDataError(
                "longitudinal_lstm needs a TimeSeriesDataLoader or a "
                f"TimeSeriesSurvivalDataLoader, got {describe_input(X)}; build one with "
                "synth_plugins.synthcity.timeseries.to_timeseries_loader"
            )
        if kind == "time_series_survival":
            outcome = X.data["outcome"]  # type: ignore[union-attr]
            check_survival_frame(
                outcome,
                X.time_to_event_col,  # type: ignore[union-attr]
                X.event_col,  # type: ignore[union-attr]
                name="the loader's outcome (T, E)",
                require_events=False,
                min_rows=1,
            )
        parts = [X.data.get(part) for part in ("static_data", "outcome")]  # type: ignore[union-attr]
        visits = X.data.get("temporal_data")  # type: ignore[union-attr]
        if visits:
            parts.append(pd.concat(visits, ignore_index=True))
        for frame in parts:
            if isinstance(frame, pd.DataFrame):
                check_columns(frame)
        return super()._training_frame(X)

    def _hold(self, X: DataLoader | pd.DataFrame) -> tuple[Any, None]:
        """Nothing is held: the time-series loader already handled those columns.

        ``to_timeseries_loader`` gives per-patient identifiers fresh keys and turns dates
        written as text into numbers (see :mod:`synth_plugins.synthcity.timeseries`), and
        ``seq_id`` is Synthcity's own key.
        """
        return X, None

    def generate(
        self,
        count: int | None = None,
        constraints: Constraints | None = None,
        random_state: int | None = None,
        **kwargs: Any,
    ) -> DataLoader:
        """The suite's ``generate``, after refusing given static rows and observation times.

        ``count``: None (as many sequences as in training; Synthcity's own default would be
        the number of visits) or >= 1.
        """
        if count is None and self.fitted:
            # Synthcity's default is len(loader), the number of visits, not of sequences
            count = getattr(self, "training_sequences", None)  # None: saved before it existed
        for argument in ("static_data", "observation_times"):
            refuse_argument(self.name(), argument, kwargs.get(argument), _NO_STATIC_DATA)
        return super().generate(count, constraints, random_state, **kwargs)

    def _fit(self, X: DataLoader, *args: Any, **kwargs: Any) -> LongitudinalLSTMPlugin:
        frame = synthcity_long_frame(X)
        self.training_sequences = int(frame[SEQ_ID].nunique())
        static = [c for c in frame.columns if c.startswith((STATIC_PREFIX, OUTCOME_PREFIX))]
        temporal = [c for c in frame.columns if c.startswith(TEMPORAL_PREFIX)]
        self.core.static_columns = static
        roles = synthcity_roles(frame[static + temporal], self._data_encoders)
        self.core.roles = host_roles(roles)
        self.core.fit(frame[[SEQ_ID, SEQ_TIME, *static, *temporal]])
        self._relax_schemas()
        return self

    def _relax_schemas(self) -> None:
        """Let ``seq_id`` exceed the training ids; drop the int-dtype rules (see above).

        Synthcity's schema bounds ``seq_id`` by the training ids, so more sequences than in
        training would be dropped (and ``generate`` would spin ``sampling_patience`` times).
        """
        for schema in (self._schema, self._training_schema):
            if schema is None:
                continue
            for name, distribution in list(schema.domain.items()):
                if name == SEQ_ID:
                    schema.domain[name] = WholeNumberRange(name=SEQ_ID, low=0, high=_MAX_SEQ_ID)
                elif type(distribution) is IntegerDistribution:
                    schema.domain[name] = WholeNumberRange(
                        name=name, low=distribution.low, high=distribution.high
                    )

    def _to_parts(
        self, long: pd.DataFrame
    ) -> tuple[pd.DataFrame, list[pd.DataFrame], list[list[float]], pd.DataFrame]:
        """Synthcity's ``(static, temporal, observation_times, outcome)`` of a long table."""
        index = patient_index(long, SEQ_ID)
        first = long.iloc[index.starts].reset_index(drop=True)
        static_cols = [c for c in long.columns if c.startswith(STATIC_PREFIX)]
        outcome_cols = [c for c in long.columns if c.startswith(OUTCOME_PREFIX)]
        temporal_cols = [c for c in long.columns if c.startswith(TEMPORAL_PREFIX)]
        static = first[static_cols].rename(columns=lambda c: c[len(STATIC_PREFIX) :])
        outcome = first[outcome_cols].rename(columns=lambda c: c[len(OUTCOME_PREFIX) :])
        values = long[temporal_cols].rename(columns=lambda c: c[len(TEMPORAL_PREFIX) :])
        times = long[SEQ_TIME].to_numpy(dtype=float)
        temporal, observation_times = [], []
        for start, length in zip(index.starts, index.lengths):
            temporal.append(values.iloc[start : start + length].reset_index(drop=True))
            observation_times.append(times[start : start + length].tolist())
        return static, temporal, observation_times, outcome

    def _whole_sequences(
        self, count: int, constraints: Constraints, stream: np.random.Generator
    ) -> pd.DataFrame:
        """``count`` sampled sequences, each with every visit meeting ``constraints``.

        Synthcity matches a time-series loader's constraints row by row, which would cut
        single visits out of sequences (their gaps, lengths and change indicators no longer
        the model's); a sequence with any visit that breaks a rule is dropped whole instead,
        and more are drawn (sized by the share kept so far, at most ten times the number
        missing), up to ``sampling_patience`` draws. A plugin that is not ``strict`` applies
        no constraint, as Synthcity's.

        Raises:
            InvalidParameterError: fewer than ``count`` sequences met the constraints in
                ``sampling_patience`` draws.
        """
        kept: list[pd.DataFrame] = []
        n_kept = n_drawn = 0
        for _ in range(self.sampling_patience):
            missing = count - n_kept
            size = missing if n_kept == 0 else min(ceil(missing * n_drawn / n_kept), 10 * missing)
            long = self.core.sample(size, random_state=int(stream.integers(2**31 - 1)))
            if not self.strict:
                return long
            typed = self.training_schema().adapt_dtypes(long.copy())  # as Synthcity matches
            broken = long.loc[~constraints.filter(typed).to_numpy(), SEQ_ID].unique()
            long = long[~long[SEQ_ID].isin(broken)]
            # draws number their sequences alike: renumber so that they stay apart
            long = long.assign(**{SEQ_ID: n_kept + pd.factorize(long[SEQ_ID])[0]})
            long = long[long[SEQ_ID] < count]
            kept.append(long)
            n_drawn += size
            n_kept += long[SEQ_ID].nunique()
            if n_kept == count:
                return pd.concat(kept, ignore_index=True)
        raise InvalidParameterError(
            f"{self.name()}: {n_kept} of {count} sequences met the constraints in "
            f"{self.sampling_patience} draws ({n_drawn} sequences drawn; a sequence is kept "
            "only when every visit meets them); loosen the constraints or raise "
            "sampling_patience"
        )

    def _generate(self, count: int, syn_schema: Schema, **kwargs: Any) -> DataLoader:
        """``count`` whole sequences meeting ``syn_schema``, as a vectorised loader.

        Synthcity's ``_safe_generate_time_series`` (the same steps: the parts' loader, its
        frame in the training schema's dtypes, the constraints row by row, then
        ``create_from_info``) builds its loaders row by row, a hundred times the model's
        own sampling time; :mod:`synth_plugins.synthcity.sequence_loader` builds the same
        loaders with whole-column operations, and so do ``decode`` and ``match`` on the
        loader returned. :meth:`_whole_sequences` already drew until ``count`` sequences
        met the constraints, which Synthcity's loop would draw for.
        """
        # Synthcity seeds numpy's global generator from random_state; one draw seeds a call.
        stream = np.random.default_rng(np.random.randint(0, 2**31 - 1))  # noqa: NPY002
        syn_schema = self._constrained_schema(self._relaxed(syn_schema))
        constraints = syn_schema.as_constraints()
        long = self._whole_sequences(count, constraints, stream)
        static, temporal, times, outcome = self._to_parts(long)
        parts = {
            "temporal_data": temporal,
            "observation_times": times,
            "static_data": static if len(static.columns) else None,
        }
        info = self.data_info
        if info["data_type"] == "time_series_survival":
            loader: DataLoader = VectorisedTimeSeriesSurvivalDataLoader(
                **parts, T=outcome[info["time_to_event_column"]], E=outcome[info["event_column"]]
            )
        else:
            loader = VectorisedTimeSeriesDataLoader(
                **parts, outcome=outcome if len(outcome.columns) else None
            )
        frame = self.training_schema().adapt_dtypes(loader.dataframe())
        if self.strict:
            frame = constraints.match(frame).reset_index(drop=True)
        return vectorised_from_info(self.training_schema().adapt_dtypes(frame), info)

    def _relaxed(self, syn_schema: Schema) -> Schema:
        """``syn_schema`` with whole-number ranges for the features relaxed at fit.

        ``generate`` rebuilds ``syn_schema`` from constraints, which turns our relaxed
        integer ranges into float ranges with a ``dtype == float`` rule; restore them
        (keeping any narrower bounds the caller's constraints added).
        """
        training = self.training_schema().domain
        domain = dict(syn_schema.domain)
        for name, distribution in domain.items():
            if isinstance(training.get(name), WholeNumberRange) and not isinstance(
                distribution, WholeNumberRange
            ):
                low, high = distribution.min(), distribution.max()
                domain[name] = WholeNumberRange(
                    name=name, low=int(np.ceil(low)), high=int(np.floor(high))
                )
        return Schema(domain=domain)


plugin = LongitudinalLSTMPlugin

"""The longitudinal LSTM as an SDV sequential synthesizer, shaped like ``PARSynthesizer``.

``LongitudinalLSTMSynthesizer(metadata, context_columns=None, epochs=...)`` takes SDV
metadata with a sequence key (the patient id) and, optionally, a sequence index (the visit
time), ``fit(data)`` takes the long table (a DataFrame, or ``{table_name: DataFrame}`` as
SDV 2 takes it), ``sample_sequences(num_sequences)`` (SDV 2's name) and ``sample`` (SDV
1.x's) return a long table with ``num_sequences`` new patients in the installed SDV's shape
(a DataFrame on 1.x, ``{table_name: DataFrame}`` on 2.x), and ``save`` is SDV's. The model is
:class:`synth_plugins.generators.longitudinal_lstm.LongitudinalLSTM`, which encodes the raw
values itself; keys, ids and datetimes go through
:class:`synth_plugins.sdv._long_table.LongTableCodec` (fresh keys, times in days).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sdv.single_table.base import BaseSynthesizer

from synth_plugins._docstrings import args_from
from synth_plugins.encoding.labels import check_labels
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.generators.longitudinal_lstm import LongitudinalLSTM
from synth_plugins.long_format import varies_within_patients
from synth_plugins.sdv._contract import (
    check_enforcement,
    device_for,
    restart_seed,
    sdv_data_errors,
    warn_identifier_levels,
)
from synth_plugins.sdv._long_table import POSITION_COLUMN, LongTableCodec
from synth_plugins.sdv.compat import native, single_table, table_name
from synth_plugins.sdv.loss_values import LossValuesMixin
from synth_plugins.sdv.metadata import (
    check_declared_dates,
    check_table,
    parse_numeric_text,
    table_description,
)
from synth_plugins.sdv.sequential_metadata import sequence_columns
from synth_plugins.validation import check_bool, check_int, host_names

#: The core's defaults: the one place each hyper-parameter's default is declared.
_CORE = LongitudinalLSTM.__init__.__kwdefaults__


@dataclass(frozen=True)
class _Issued:
    """How many fresh sequence keys and row values a synthesizer has given out."""

    sequences: int = 0
    rows: int = 0


#: The core's arguments under SDV's (PAR's) names (for the core's errors and the docstring).
_HOST_NAMES = {"static_columns": "context_columns"}


# Args written here, the rest is LongitudinalLSTM's: SDV's own arguments (cuda: PAR's), and
# random_state, which also seeds SDV's sampling stream (None is SDV's fixed seed there).
@args_from(LongitudinalLSTM, _HOST_NAMES)
class LongitudinalLSTMSynthesizer(LossValuesMixin, BaseSynthesizer):
    """Longitudinal LSTM for SDV: static patient features plus irregular visit sequences.

    Stage A is the suite's Med-VAE over the context (static) columns, Stage B an LSTM over
    the visits conditioned on them, with heads for the end of follow-up, the gap to the next
    visit (a log-normal mixture) and every visit column. Generated visit times strictly
    increase and discrete values stay on their training levels (the EDSS grid). Method card:
    ``docs/methods/longitudinal_lstm.md``.

    SDV's ``PARSynthesizer`` contract, and where this synthesizer differs:

    - the sequence index may be numerical, datetime or datetime strings (the gaps are
      modelled in days; sampled times come back as the column's own kind, never copied
      from the training data); without a sequence index the row order within a sequence is
      the order (the row position is modelled, and not returned);
    - rows need not be sorted within a sequence (they are sorted by the index, as PAR
      does); unlike PAR, two rows of a sequence at the same time are refused (the error
      names the sequences), as is a missing time;
    - sampled sequence keys are fresh: numbers start at the power of ten above the largest
      training key, text keys get a prefix that no training key starts with; other ``id``
      columns are generated (one value per sequence, or per row when they vary within
      sequences); as PAR's, they continue over calls until ``reset_sampling``; and
      other ``datetime`` columns are modelled as times (days); sdtypes other than
      numerical, categorical, boolean, ordinal, datetime and id are refused with an error
      naming the column (PAR anonymizes them with Faker);
    - unlike PAR, ``sequence_length`` is not supported and a sequence key is required with
      at least two sequences; ``sample(0)`` gives an empty table with the training columns.

    Defaults are the core's (read from :class:`LongitudinalLSTM`'s signature), and so is the
    text of every argument SDV does not change.

    Args:
        metadata: SDV ``Metadata`` of one table with a sequence key and, optionally, a
            sequence index (numerical or datetime).
        enforce_min_max_values, enforce_rounding: SDV's synthesizer arguments; True only:
            the model always keeps values in the training range and precision.
        locales: SDV's synthesizer argument (unused: no column is generated by Faker).
        cuda: PAR's name of ``enable_gpu`` in SDV 1.x (None: use ``enable_gpu``); it must
            not contradict ``enable_gpu``.
        random_state: seed of the fit (SDV itself has no seed argument) and, with SDV's
            fixed seed, of the sampling stream that ``reset_sampling`` restarts; None fits
            unseeded and samples from SDV's seed alone.
        enable_gpu: as SDV's own ``enable_gpu``: True trains and samples on CUDA when it is
            available (else the CPU), False always on the CPU.

    Example:
        >>> from synth_plugins.datasets import load
        >>> from synth_plugins.sdv import LongitudinalLSTMSynthesizer
        >>> from synth_plugins.sdv.sequential_metadata import sequential_metadata_for
        >>> ds = load("ms_registry", n_patients=200)
        >>> synthesizer = LongitudinalLSTMSynthesizer(
        ...     sequential_metadata_for(ds), epochs=2, static_epochs=2)
        >>> synthesizer.fit(ds.data)  # SDV 2 style {ds.name: ds.data} works too
        >>> from synth_plugins.sdv.compat import single_table
        >>> single_table(synthesizer.sample_sequences(5))["patient_id"].nunique()
        5
    """

    #: fresh sequence keys and row values given out since the fit or ``reset_sampling``
    _issued: _Issued = _Issued()
    #: what synthesizers saved before these arguments existed were fitted with (a refit reads
    #: them)
    numerical_transform: str = "minmax"
    residuals: str = "gaussian"

    def __init__(
        self,
        metadata: Any,
        enforce_min_max_values: bool = True,
        enforce_rounding: bool = True,
        locales: list[str] | None = None,
        context_columns: list[str] | None = None,
        epochs: int = _CORE["epochs"],
        static_epochs: int = _CORE["static_epochs"],
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
        cuda: bool | None = None,
        random_state: int | None = _CORE["random_state"],
        verbose: bool | None = _CORE["verbose"],
        enable_gpu: bool = True,
    ) -> None:
        check_enforcement(enforce_min_max_values, enforce_rounding)
        super().__init__(
            metadata,
            enforce_min_max_values=enforce_min_max_values,
            enforce_rounding=enforce_rounding,
            locales=locales if locales is not None else ["en_US"],
        )
        self._sequence_key, self._sequence_index = sequence_columns(self.metadata)
        self._time_column = self._sequence_index or POSITION_COLUMN
        if context_columns is not None:
            if isinstance(context_columns, str):
                raise InvalidParameterError(
                    f"context_columns must be a list of names, not {context_columns!r}"
                )
            keyed = {self._sequence_key, self._time_column} & set(context_columns)
            if keyed:
                raise InvalidParameterError(
                    f"the sequence key/index {sorted(keyed)} cannot be context columns"
                )
        self.context_columns = list(context_columns) if context_columns is not None else None
        self.epochs = epochs
        self.static_epochs = static_epochs
        self.hidden = hidden
        self.num_layers = num_layers
        self.dropout = dropout
        self.gap_components = gap_components
        self.max_visits = max_visits
        self.discrete_levels = discrete_levels
        self.head_hidden = head_hidden
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.clip = clip
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.calibrate_stop = calibrate_stop
        self.calibrate_steps = calibrate_steps
        self.calibrate_levels = calibrate_levels
        self.numerical_transform = numerical_transform
        self.residuals = residuals
        self.change_indicators = change_indicators
        self.missing = missing
        self.static_params = static_params
        self.sample_batch_size = sample_batch_size
        enable_gpu = check_bool("enable_gpu", enable_gpu)
        if cuda is not None and check_bool("cuda", cuda) and not enable_gpu:
            raise InvalidParameterError(
                "cuda=True contradicts enable_gpu=False; pass only enable_gpu (cuda is PAR's "
                "older name for it)"
            )
        self.enable_gpu = enable_gpu if cuda is None else cuda
        self.random_state = random_state
        self.verbose = verbose
        self._model: LongitudinalLSTM | None = None
        self._codec: LongTableCodec | None = None
        #: the training column labels by their metadata name ('0' -> 0); see _text_names
        self._labels: dict[str, Any] = {}
        self._issued = _Issued()
        self._new_model({}, self.context_columns)  # validate every argument now

    def add_constraints(self, constraints: list[Any]) -> None:
        """Refused: the synthesizer does not apply SDV constraints.

        SDV's base would accept them and this synthesizer's ``fit`` and ``sample`` would
        never apply them, so sampled rows would break them without a word.

        Raises:
            InvalidParameterError: always; the message says how to keep only sequences that
                meet a rule.
        """
        raise InvalidParameterError(
            "LongitudinalLSTMSynthesizer does not apply SDV constraints; keep the sampled "
            "sequences that meet a rule instead, e.g. drop every sequence with a row outside "
            "a range (values already stay in each column's training range)"
        )

    def update_transformers(self, *args: Any, **kwargs: Any) -> None:
        """Refused: the synthesizer encodes the raw values itself, without SDV's transformers.

        SDV's base would record the transformers and ``fit`` would never use them.

        Raises:
            InvalidParameterError: always, saying how values are encoded instead.
        """
        raise _no_transformers("update_transformers")

    def auto_assign_transformers(self, data: Any) -> None:
        """Refused, as :meth:`update_transformers`: no SDV transformer is assigned or used."""
        raise _no_transformers("auto_assign_transformers")

    def get_transformers(self) -> dict[str, None]:
        """Every column -> None: no SDV transformer encodes a column (as ``PARSynthesizer``)."""
        columns = table_description(self.metadata)["columns"]
        return dict.fromkeys(columns)

    def preprocess(self, data: Any) -> Any:
        """Refused: there is no processed form; ``fit(data)`` encodes the raw table."""
        raise _no_transformers("preprocess")

    def fit_processed_data(self, processed_data: Any) -> None:
        """Refused: there is no processed form; ``fit(data)`` encodes the raw table."""
        raise _no_transformers("fit_processed_data")

    def get_parameters(self) -> dict[str, Any]:
        """The constructor's parameters, ``cuda`` left out (it is folded into ``enable_gpu``).

        SDV 1.x drops ``cuda`` itself; SDV 2.x would list it as None.
        """
        parameters = super().get_parameters()
        parameters.pop("cuda", None)
        return parameters

    def _new_model(
        self, roles: dict[str, str], static_columns: list[str] | None
    ) -> LongitudinalLSTM:
        return LongitudinalLSTM(
            self._sequence_key,
            self._time_column,
            static_columns=static_columns,
            roles=roles,
            static_epochs=self.static_epochs,
            epochs=self.epochs,
            hidden=self.hidden,
            num_layers=self.num_layers,
            dropout=self.dropout,
            gap_components=self.gap_components,
            max_visits=self.max_visits,
            discrete_levels=self.discrete_levels,
            head_hidden=self.head_hidden,
            lr=self.lr,
            weight_decay=self.weight_decay,
            batch_size=self.batch_size,
            clip=self.clip,
            validation_fraction=self.validation_fraction,
            patience=self.patience,
            calibrate_stop=self.calibrate_stop,
            calibrate_steps=self.calibrate_steps,
            calibrate_levels=self.calibrate_levels,
            numerical_transform=self.numerical_transform,
            residuals=self.residuals,
            change_indicators=self.change_indicators,
            missing=self.missing,
            static_params=self.static_params,
            sample_batch_size=self.sample_batch_size,
            device=device_for(self.enable_gpu),
            random_state=self.random_state,
            verbose=self.verbose,
        )

    def _check_sequences(self, data: pd.DataFrame) -> None:
        """PAR's sequence rules, checked before SDV's: keys present, context constant.

        Raises:
            InvalidDataError: the sequence key is missing in some rows, or a context column
                is not in the data or changes within a sequence (the message names it).
        """
        key = self._sequence_key
        errors = []
        if key in data.columns and data[key].isna().any():
            errors.append(
                f"sequence key {key!r} is missing in {int(data[key].isna().sum())} row(s); "
                "every row needs the key of its sequence"
            )
        for column in self.context_columns or []:
            if column not in data.columns:
                errors.append(f"context column {column!r} is not in the data")
                continue
            varying = varies_within_patients(data, key, [column])[column]
            if varying.any():
                errors.append(
                    f"context column {column!r} changes inside a sequence "
                    f"({key}={varying.index[varying.argmax()]!r}); context columns must be "
                    "constant within each sequence"
                )
        if errors:
            raise InvalidDataError("; ".join(errors))

    def validate(self, data: Any) -> None:
        """Validate ``data``: our checks first, then SDV's metadata checks.

        Numbers written as text in ``numerical`` columns are parsed first, as the cores do.
        Dates written as text need no ``datetime_format``: the codec reads them in the
        format they are written in (day first included) and writes generated dates in it.

        Raises:
            SDVInvalidDataError: not a DataFrame, a repeated column name, dates declared as
                numbers (:func:`~synth_plugins.sdv.metadata.check_declared_dates`), a
                missing sequence key or a context column that changes within a sequence
                (named); then SDV's metadata errors.
        """
        with sdv_data_errors():
            table = _text_names(
                check_table(single_table(data, table_name=table_name(self.metadata)))
            )
            check_declared_dates(table, self.metadata, sdv_writes=False)
            self._check_sequences(table)
        super().validate(native(parse_numeric_text(table, self.metadata), self.metadata))

    def fit(self, data: Any) -> None:
        """Validate ``data`` against the metadata and fit the model on the long table.

        Rows are sorted by the sequence index within each sequence first (as PAR does).

        Raises:
            SDVInvalidDataError: see :meth:`validate`; a column of an unsupported sdtype;
                and the core's long-table errors (duplicate or missing times, one sequence,
                ...).
            InvalidParameterError: ``context_columns`` (given, or inferred when None)
                leaves no column that varies within sequences.
        """
        self._check_input_metadata_updated()
        self._fitted = False
        self.validate(data)
        labels = {str(label): label for label in single_table(data).columns}
        data = parse_numeric_text(_text_names(single_table(data)), self.metadata)
        described = table_description(self.metadata)["columns"]
        warn_identifier_levels(data, self.metadata, self._sequence_key)
        codec = LongTableCodec(self._sequence_key, self._sequence_index)
        static = self.context_columns
        with sdv_data_errors():
            table, roles = codec.fit(data, described, self.metadata)
            if static is not None:
                static = [c for c in static if c not in codec.ids]
            model = self._new_model(roles, static)
            with host_names(_HOST_NAMES):
                model.fit(table)
        self._model, self._codec, self._labels = model, codec, labels
        self._issued = _Issued()
        self._model.set_random_state(restart_seed(self.random_state))
        self._fitted = True
        self._fitted_date = datetime.datetime.today().strftime("%Y-%m-%d")
        from sdv import version

        self._fitted_sdv_version = getattr(version, "community", None)
        self._fitted_sdv_enterprise_version = getattr(version, "enterprise", None)

    def _fit(self, processed_data: pd.DataFrame) -> None:
        raise _no_transformers("_fit")

    def reset_sampling(self) -> None:
        """Restart sampling from the state right after fitting (fresh keys included)."""
        if self._model is not None:
            self._model.set_random_state(restart_seed(self.random_state))
        self._issued = _Issued()

    def _fitted_parts(self) -> tuple[LongitudinalLSTM, LongTableCodec]:
        if not self._fitted or self._model is None or self._codec is None:
            from sdv.errors import SamplingError

            raise SamplingError(
                "This synthesizer has not been fitted. Please fit your synthesizer first "
                "before sampling synthetic data."
            )
        return self._model, self._codec

    def sample_sequences(self, num_sequences: int, sequence_length: int | None = None) -> Any:
        """Sample ``num_sequences`` new patients (static values and a visit sequence each).

        Args:
            num_sequences: number of sequences (patients); 0 gives an empty table with the
                training columns.
            sequence_length: not supported (lengths come from the model's stop head); pass
                None.

        Returns:
            The long table, sorted by sequence key then index, with fresh sequence keys: a
            DataFrame on SDV 1.x, ``{table_name: DataFrame}`` on SDV 2.x (as PAR returns).

        Raises:
            InvalidParameterError: ``num_sequences`` is not a whole number >= 0, or
                ``sequence_length`` is given.
        """
        model, codec = self._fitted_parts()
        num_sequences = check_int("num_sequences", num_sequences, minimum=0)
        if sequence_length is not None:
            raise InvalidParameterError(
                "sequence_length is not supported: the number of visits is generated by "
                "the model's end-of-follow-up head; sample(num_sequences) instead"
            )
        return native(
            self._relabel(self._decode(codec, model.sample(num_sequences))), self.metadata
        )

    def sample_sequential_columns(
        self, context_columns: pd.DataFrame, sequence_length: int | None = None
    ) -> Any:
        """PAR's sampling for given context values: not supported, with the reason.

        Raises:
            InvalidParameterError: always. Each patient's static values (the context
                columns among them) and first visit time come from Stage A, and the visit
                LSTM is conditioned on both, so visits for given context values would need
                a Stage A conditioned on them.
        """
        raise InvalidParameterError(
            "LongitudinalLSTMSynthesizer cannot sample visits for given context values: its "
            "static columns (the context columns among them) and each first visit time are "
            "generated together with the visits. Use "
            "sample_sequences(num_sequences) for new patients, or predict_next_visit(history) "
            "to continue real histories"
        )

    def sample(self, num_sequences: int, sequence_length: int | None = None) -> Any:
        """SDV 1.x's name of :meth:`sample_sequences` (kept on SDV 2 as well)."""
        return self.sample_sequences(num_sequences, sequence_length)

    def predict_next_visit(self, history: pd.DataFrame, **options: Any) -> pd.DataFrame:
        """One predicted next visit per sequence of ``history`` (see the core's method).

        The rows keep the sequence keys of ``history``; other ``id`` columns get fresh
        values and datetimes come back in their training kind.
        """
        model, codec = self._fitted_parts()
        table = codec.to_model(_text_names(check_table(history, "history")))
        visits = model.predict_next_visit(table, **options)
        return self._relabel(self._decode(codec, visits, new_sequences=False))

    def _decode(
        self, codec: LongTableCodec, visits: pd.DataFrame, new_sequences: bool = True
    ) -> pd.DataFrame:
        """The SDV table of core rows, fresh keys continuing the ones given out before.

        The core numbers each call's keys from the first; SDV's own sequential synthesizer
        continues them over calls until ``reset_sampling``, so two samples can be stacked.
        """
        issued = self._issued
        table = codec.from_model(
            visits, new_sequences, first_sequence=issued.sequences, first_row=issued.rows
        )
        self._issued = _Issued(
            issued.sequences + table[codec.key].nunique(), issued.rows + len(table)
        )
        return table

    def _relabel(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with the training table's own column labels back (0, not '0')."""
        return frame.rename(columns=getattr(self, "_labels", {}))  # {} if saved before it


def _no_transformers(method: str) -> InvalidParameterError:
    """The refusal of SDV's transformer and processed-data route, naming ``method``."""
    return InvalidParameterError(
        f"LongitudinalLSTMSynthesizer.{method}: the synthesizer encodes the raw values "
        "itself (categories as levels, numbers scaled, dates as days) and uses no SDV "
        "transformer or processed table; call fit(data) on the raw table, and set a "
        "column's sdtype in the metadata to change how it is modelled"
    )


def _text_names(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` with its column labels as text, as SDV's metadata names them (0 -> '0').

    SDV's own single-table synthesizers do the same in ``fit`` and give the labels back in
    ``sample``; a frame built from an array has integer labels.
    """
    if all(isinstance(label, str) for label in data.columns):
        return data
    check_labels(data.columns)
    return data.set_axis([str(label) for label in data.columns], axis=1)

"""Med-VAE: the variational autoencoder for mixed-type medical records of Hogg & Sainsbury.

A framework-free core (torch and pandas only). It follows the authors' released notebook
(``hogglet-rsc/Med-VAE``, ``Med-VAE.ipynb`` at ``c34d19019f``); the method card
``docs/methods/med_vae.md`` lists what is faithful and what was changed, and why.

The model in one paragraph: categorical (and ordinal) columns enter as integer codes through
one shared embedding table (3 dimensions per column; per-column offsets are the cumulative
level counts), concatenated with the binary columns (missingness indicators included) and the
min-max scaled numerical columns. An encoder ``Linear -> BatchNorm -> LeakyReLU`` (88, 60)
gives the mean and log-variance of a 32-dimensional latent; a mirrored decoder (60, 88) has a
sigmoid head for numerical columns, a sigmoid (logit) head for binary columns and one softmax
(logit) head per categorical column. The loss is
``100 * MSE + 1 * BCE + sum of CEs + beta * (e / T) * KL`` with a per-epoch linear KL
annealing. Generation decodes latent draws from a *library* of the training rows' posteriors
(the paper) or from the prior, optionally restricted to the rows that match conditions.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F

from synth_plugins.encoding.tabular import MissingPolicy, TabularEncoder
from synth_plugins.errors import (
    InvalidDataError,
    InvalidParameterError,
    MissingDependencyError,
    NotFittedError,
)
from synth_plugins.generators import _torch
from synth_plugins.generators._validation import (
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_int_tuple,
    check_random_state,
    check_weights,
)

__all__ = ["DEFAULT_LOSS_WEIGHTS", "MedVAE"]

#: The notebook's loss weights: numerical MSE x 100, binary BCE x 1, each categorical CE x 1.
DEFAULT_LOSS_WEIGHTS: dict[str, float] = {"numerical": 100.0, "binary": 1.0, "categorical": 1.0}

KLMode = Literal["differentiable", "legacy_detached"]
Sampling = Literal["library", "prior"]

_PRESENT, _ABSENT = "present", "absent"
#: Rows decoded per forward pass when sampling (bounds memory for millions of rows).
_SAMPLE_CHUNK = 65_536
#: Upper bound on a stored log-variance when sampling, so exp() stays finite in float32.
_MAX_LOGVAR = 60.0
#: Keras defaults that matter for a faithful port (BatchNormalization, Adam).
_BN_MOMENTUM, _BN_EPS, _ADAM_EPS = 0.01, 1e-3, 1e-7


def _check_device(device: Any) -> str | torch.device:
    """Check the spelling of ``device`` now; availability is checked when it is used."""
    if isinstance(device, torch.device) or device == "auto":
        return device
    if isinstance(device, str):
        try:
            parsed = torch.device(device)
        except RuntimeError:
            parsed = None
        if parsed is not None and parsed.type in ("cpu", "cuda"):
            return device
    raise InvalidParameterError(
        f"device must be 'auto', 'cpu', 'cuda', 'cuda:<index>' or a torch.device, got {device!r}"
    )


# ---------------------------------------------------------------------------------- network
def _mlp(in_features: int, sizes: Sequence[int], slope: float, norm: str) -> nn.Sequential:
    """``Linear -> norm -> LeakyReLU`` per size (the Linear keeps its bias, as in Keras)."""
    layers: list[nn.Module] = []
    for size in sizes:
        layers.append(nn.Linear(in_features, size))
        if norm == "batch":
            layers.append(nn.BatchNorm1d(size, momentum=_BN_MOMENTUM, eps=_BN_EPS))
        elif norm == "layer":
            layers.append(nn.LayerNorm(size, eps=_BN_EPS))
        layers.append(nn.LeakyReLU(slope))
        in_features = size
    return nn.Sequential(*layers)


def _head(in_features: int, out_features: int) -> nn.Linear | None:
    return nn.Linear(in_features, out_features) if out_features > 0 else None


class _MedVAENet(nn.Module):
    """The Med-VAE network; inputs are ``x_cont = [binary | numerical]`` and level codes."""

    def __init__(
        self,
        *,
        n_binary: int,
        n_numerical: int,
        cardinalities: Sequence[int],
        embedding_dim: int,
        hidden: Sequence[int],
        latent_dim: int,
        slope: float,
        norm: str,
        numerical_activation: str,
    ) -> None:
        super().__init__()
        self.n_binary = n_binary
        self.n_numerical = n_numerical
        self.cardinalities = tuple(int(k) for k in cardinalities)
        self.numerical_activation = numerical_activation
        offsets = np.concatenate([[0], np.cumsum(self.cardinalities)[:-1]]).astype(np.int64)
        self.register_buffer("offsets", torch.as_tensor(offsets[: len(self.cardinalities)]))
        self.embedding = (
            nn.Embedding(sum(self.cardinalities), embedding_dim) if self.cardinalities else None
        )
        in_features = n_binary + n_numerical + len(self.cardinalities) * embedding_dim
        self.encoder = _mlp(in_features, hidden, slope, norm)
        self.mu = nn.Linear(hidden[-1], latent_dim)
        self.logvar = nn.Linear(hidden[-1], latent_dim)
        self.decoder = _mlp(latent_dim, tuple(reversed(hidden)), slope, norm)
        self.numerical_head = _head(hidden[0], n_numerical)
        self.binary_head = _head(hidden[0], n_binary)
        # One Linear over all levels is the concatenation of one Dense per categorical column.
        self.categorical_head = _head(hidden[0], sum(self.cardinalities))
        self._keras_init()

    def _keras_init(self) -> None:
        """Keras initialisers: Glorot-uniform kernels, zero biases, U(-0.05, 0.05) embeddings."""
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)
        if self.embedding is not None:
            nn.init.uniform_(self.embedding.weight, -0.05, 0.05)

    def encode(self, x_cont: torch.Tensor, codes: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Posterior mean and log-variance of each row."""
        parts = [x_cont]
        if self.embedding is not None:
            parts.append(self.embedding(codes + self.offsets).flatten(1))
        hidden = self.encoder(torch.cat(parts, dim=1))
        return self.mu(hidden), self.logvar(hidden)

    def decode(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Numerical values (after the head's activation), binary logits, categorical logits."""
        hidden = self.decoder(z)
        empty = hidden.new_zeros((hidden.shape[0], 0))
        numerical = empty if self.numerical_head is None else self.numerical_head(hidden)
        if self.numerical_activation == "sigmoid":
            numerical = torch.sigmoid(numerical)
        binary = empty if self.binary_head is None else self.binary_head(hidden)
        categorical = empty if self.categorical_head is None else self.categorical_head(hidden)
        return numerical, binary, categorical

    def forward(
        self, x_cont: torch.Tensor, codes: torch.Tensor, eps: torch.Tensor
    ) -> tuple[torch.Tensor, ...]:
        """Encode, reparameterise ``z = mu + exp(logvar / 2) * eps``, decode."""
        mu, logvar = self.encode(x_cont, codes)
        z = mu + torch.exp(0.5 * logvar) * eps
        return (*self.decode(z), mu, logvar)


@dataclass(frozen=True)
class _Layout:
    """Where each model input/output lives in the ``TabularEncoder`` matrix."""

    binary_index: np.ndarray  # binary blocks and missingness indicators
    numerical_index: np.ndarray
    categorical_columns: tuple[str, ...]
    categorical_blocks: tuple[tuple[int, int], ...]
    n_features: int

    @property
    def cardinalities(self) -> tuple[int, ...]:
        """Number of levels of each categorical column."""
        return tuple(stop - start for start, stop in self.categorical_blocks)

    @classmethod
    def from_encoder(cls, encoder: TabularEncoder) -> _Layout:
        """Read the layout from a fitted encoder's ``blocks``."""
        binary, numerical, columns, blocks = [], [], [], []
        for block in encoder.blocks:
            if block.kind in ("binary", "missing"):
                binary.append(block.start)
            elif block.kind == "numerical":
                numerical.append(block.start)
            else:
                columns.append(block.column)
                blocks.append((block.start, block.stop))
        return cls(
            np.asarray(binary, dtype=np.int64), np.asarray(numerical, dtype=np.int64),
            tuple(columns), tuple(blocks), encoder.n_features,
        )  # fmt: skip


@dataclass(frozen=True)
class _Condition:
    """One parsed condition: a column and the values (or rule) it must hold."""

    column: str
    discrete: bool
    codes: tuple[int, ...] = ()  # discrete columns: accepted level codes
    levels: tuple[Any, ...] = ()  # discrete columns: accepted levels
    rule: str | None = None  # numeric columns: "present", "absent" or None (values)
    values: tuple[float, ...] = ()  # numeric columns: accepted values
    low: float = 0.0  # numeric columns: training minimum

    def describe(self) -> str:
        """Human-readable ``column=value`` text for error messages."""
        if self.discrete:
            shown: Any = self.levels[0] if len(self.levels) == 1 else list(self.levels)
        else:
            shown = self.rule or (self.values[0] if len(self.values) == 1 else list(self.values))
        return f"{self.column}={shown!r}"

    def match_training(self, stored: np.ndarray) -> np.ndarray:
        """Mask of training rows satisfying the condition (missing values never match)."""
        if self.discrete:
            return np.isin(stored, np.asarray(self.codes))
        return self._match_numeric(stored)

    def match_frame(self, frame: pd.DataFrame) -> np.ndarray:
        """Mask of generated rows satisfying the condition."""
        series = frame[self.column]
        if self.discrete:
            return series.isin(list(self.levels)).to_numpy() & series.notna().to_numpy()
        return self._match_numeric(series.to_numpy(dtype=float, na_value=np.nan))

    def _match_numeric(self, values: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            if self.rule == _PRESENT:
                return values > self.low
            if self.rule == _ABSENT:
                return values == self.low
            wanted = np.asarray(self.values, dtype=float)
            return np.isclose(values[:, None], wanted[None, :], rtol=1e-9, atol=1e-9).any(1)


# ------------------------------------------------------------------------------- the model
class MedVAE:
    """Med-VAE (Hogg & Sainsbury): a VAE for mixed-type medical records.

    Reproduces the released notebook's architecture, loss, training and library-based
    (conditional) generation, with the KL term differentiable by default (the released code
    detaches it; ``kl_mode="legacy_detached"`` reproduces that). See
    ``docs/methods/med_vae.md`` for the method card.

    Column roles come from :class:`~synth_plugins.encoding.tabular.TabularEncoder`:
    ``numerical``/``integer`` columns are min-max scaled (sigmoid head, MSE),
    ``binary`` columns and missingness indicators are binary outputs (logit head, BCE),
    ``categorical``/``ordinal`` columns are integer codes through one shared embedding table
    (softmax head, cross-entropy). Generated rows are post-processed by the encoder's
    ``inverse_transform`` (binary threshold 0.5, categorical arg-max, inverse min-max,
    rounding to the training precision, clipping to the training range, dtypes restored).

    Missing values follow ``missing``: ``"indicator"`` (default) fills with the training
    median/mode and models a missingness indicator per affected column, so generated data
    contain missing values at a learned rate; ``"impute"`` fills without indicators (no
    missing values in the output); ``"error"`` refuses missing values. Columns with no
    observed value are refused. Constant columns are accepted and reproduced as constants.

    Differential privacy (``dp=True``): DP-SGD through Opacus (per-sample clipping to
    ``dp_max_grad_norm``, Gaussian noise ``dp_noise_multiplier``, Poisson sampling, RDP
    accountant); ``epsilon_`` is reported for ``dp_delta`` (default ``1 / n_rows``). BatchNorm
    mixes rows and is replaced by LayerNorm (``batch_norm=True``) or removed
    (``batch_norm=False``); ``clipvalue`` is not used (per-sample clipping replaces it).
    Generation samples the prior only: the posterior library is a non-private function of
    the training rows, so it is neither built nor stored. The guarantee covers model training
    only: data-derived preprocessing (min-max ranges, levels, rounding precision, fill values)
    is computed from the raw data without noise.

    Args:
        roles: role per column (``numerical``, ``integer``, ``binary``, ``categorical``,
            ``ordinal``, ``datetime``, ``identifier``); columns not named are inferred
            (identifier-like columns get fresh keys, datetimes are generated as times; see
            ``synth_plugins.encoding.roles``).
        latent_dim: latent dimension (32).
        hidden: encoder hidden sizes; the decoder mirrors them ((88, 60)).
        embedding_dim: embedding dimensions per categorical column (3).
        leaky_relu_slope: negative slope of the LeakyReLU (0.3, Keras' default).
        batch_norm: BatchNorm after each hidden Linear (True; Keras momentum 0.99, eps 1e-3).
        numerical_activation: ``"sigmoid"`` (the code) or ``"linear"`` (the paper's text).
        loss_weights: weights of the ``"numerical"`` MSE (100), ``"binary"`` BCE (1) and each
            ``"categorical"`` cross-entropy (1); a partial mapping updates the defaults.
        beta: KL scaling factor (0.03). The notebook's 10 collapses the posterior once the
            KL is differentiable (decoder ignores ``z``, conditioning has no effect); 0.03
            was chosen by a sweep (method card, "Why beta is not 10"). ``beta=10`` with
            ``kl_mode="legacy_detached"`` reproduces the notebook.
        kl_mode: ``"differentiable"`` (default) or ``"legacy_detached"`` (the released code:
            the KL is computed and logged but carries no gradient).
        lr: Adam learning rate (1e-3).
        clipvalue: element-wise gradient clipping value (1.0, Keras ``clipvalue``); None
            disables it.
        batch_size: rows per mini-batch (32); a last batch of one row is merged into the
            previous one (BatchNorm needs two rows). In DP mode the expected batch size.
        epochs: training epochs ``T`` (200); the KL weight is ``beta * e / T`` in epoch ``e``.
        sampling: ``"library"`` (the paper: decode draws from stored training posteriors),
            ``"prior"`` (``z ~ N(0, I)``) or ``"auto"`` (library, or prior when ``dp=True``).
        min_library_size: fewest training rows that must match ``conditions`` (5).
        max_rejection_rounds: generation rounds allowed to ``enforce_conditions`` (20).
        missing: missing-value policy, ``"indicator"``, ``"impute"`` or ``"error"``.
        ordinal_levels: explicit level order of ordinal columns.
        dp: train with DP-SGD (Opacus) and sample the prior only.
        dp_noise_multiplier: noise standard deviation relative to the clipping norm (1.0).
        dp_max_grad_norm: per-sample gradient clipping norm (1.0).
        dp_delta: delta of the reported (epsilon, delta); None means ``1 / n_rows``.
        validation_fraction: share of rows held out to monitor a validation loss (0.0). Not
            allowed with ``dp=True``.
        patience: stop after this many epochs without improvement of the validation loss
            and restore the best weights; None trains all epochs. Needs a validation split.
        device: ``"auto"`` (CUDA if available, else CPU), ``"cpu"``, ``"cuda"``, ...
        random_state: seed of every random draw (weights, batches, noise, sampling); None is
            unseeded. The global torch/numpy random state is neither used nor changed.
        verbose: show a progress bar per epoch.

    Attributes:
        encoder_: the fitted :class:`TabularEncoder`.
        model_: the trained network (on CPU).
        history_: per-epoch losses: ``total``, ``numerical``, ``binary``, ``categorical``,
            ``kl``, ``kl_weight`` and, with a validation split, the same with ``val_`` plus
            ``val_monitor`` (the early-stopping criterion).
        epsilon_: the spent privacy budget for ``dp_delta_`` (None without ``dp``).
        dp_delta_: the delta used for ``epsilon_`` (None without ``dp``).
        n_epochs_: epochs actually trained; ``best_epoch_``: the epoch whose weights are kept.
        library_mu_, library_logvar_: posterior means and log-variances of the training rows
            (None with ``dp=True``).

    Example:
        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(0)
        >>> df = pd.DataFrame({"age": rng.normal(60, 10, 200).round(),
        ...                    "sex": rng.choice(["F", "M"], 200),
        ...                    "stage": rng.choice(["I", "II", "III"], 200)})
        >>> model = MedVAE(epochs=2).fit(df)
        >>> synthetic = model.sample(100, conditions={"stage": "III"})
        >>> synthetic.shape
        (100, 3)
    """

    def __init__(
        self,
        roles: Mapping[str, str] | None = None,
        *,
        latent_dim: int = 32,
        hidden: Sequence[int] = (88, 60),
        embedding_dim: int = 3,
        leaky_relu_slope: float = 0.3,
        batch_norm: bool = True,
        numerical_activation: Literal["sigmoid", "linear"] = "sigmoid",
        loss_weights: Mapping[str, float] | None = None,
        beta: float = 0.03,
        kl_mode: KLMode = "differentiable",
        lr: float = 1e-3,
        clipvalue: float | None = 1.0,
        batch_size: int = 32,
        epochs: int = 200,
        sampling: Literal["auto", "library", "prior"] = "auto",
        min_library_size: int = 5,
        max_rejection_rounds: int = 20,
        missing: MissingPolicy = "indicator",
        ordinal_levels: Mapping[str, Sequence[Any]] | None = None,
        dp: bool = False,
        dp_noise_multiplier: float = 1.0,
        dp_max_grad_norm: float = 1.0,
        dp_delta: float | None = None,
        validation_fraction: float = 0.0,
        patience: int | None = None,
        device: str | torch.device = "auto",
        random_state: int | None = 0,
        verbose: bool = False,
    ) -> None:
        self.roles = dict(roles) if roles is not None else None
        self.latent_dim = check_int("latent_dim", latent_dim, minimum=1)
        self.hidden = check_int_tuple("hidden", hidden)
        self.embedding_dim = check_int("embedding_dim", embedding_dim, minimum=1)
        self.leaky_relu_slope = check_float("leaky_relu_slope", leaky_relu_slope, minimum=0.0)
        self.batch_norm = check_bool("batch_norm", batch_norm)
        self.numerical_activation = check_choice(
            "numerical_activation", numerical_activation, ("sigmoid", "linear")
        )
        self.loss_weights = check_weights("loss_weights", loss_weights, DEFAULT_LOSS_WEIGHTS)
        self.beta = check_float("beta", beta, minimum=0.0)
        self.kl_mode = check_choice("kl_mode", kl_mode, ("differentiable", "legacy_detached"))
        self.lr = check_float("lr", lr, minimum=0.0, exclusive_minimum=True)
        self.clipvalue = (
            None
            if clipvalue is None
            else check_float("clipvalue", clipvalue, minimum=0.0, exclusive_minimum=True)
        )
        self.batch_size = check_int("batch_size", batch_size, minimum=2)
        self.epochs = check_int("epochs", epochs, minimum=1)
        self.sampling = check_choice("sampling", sampling, ("auto", "library", "prior"))
        self.min_library_size = check_int("min_library_size", min_library_size, minimum=1)
        self.max_rejection_rounds = check_int(
            "max_rejection_rounds", max_rejection_rounds, minimum=1
        )
        self.missing = check_choice("missing", missing, ("indicator", "impute", "error"))
        self.ordinal_levels = dict(ordinal_levels) if ordinal_levels is not None else None
        self.dp = check_bool("dp", dp)
        self.dp_noise_multiplier = check_float(
            "dp_noise_multiplier", dp_noise_multiplier, minimum=0.0
        )
        self.dp_max_grad_norm = check_float(
            "dp_max_grad_norm", dp_max_grad_norm, minimum=0.0, exclusive_minimum=True
        )
        self.dp_delta = (
            None
            if dp_delta is None
            else check_float(
                "dp_delta",
                dp_delta,
                minimum=0.0,
                maximum=1.0,
                exclusive_minimum=True,
                exclusive_maximum=True,
            )
        )
        self.validation_fraction = check_float(
            "validation_fraction",
            validation_fraction,
            minimum=0.0,
            maximum=1.0,
            exclusive_maximum=True,
        )
        self.patience = None if patience is None else check_int("patience", patience, minimum=1)
        self.device = _check_device(device)
        self.random_state = check_random_state("random_state", random_state)
        self.verbose = check_bool("verbose", verbose)
        self._check_combinations()

        self.encoder_: TabularEncoder | None = None
        self.model_: _MedVAENet | None = None
        self.history_: dict[str, list[float]] = {}
        self.epsilon_: float | None = None
        self.dp_delta_: float | None = None
        self.n_epochs_: int = 0
        self.best_epoch_: int | None = None
        self.library_mu_: np.ndarray | None = None
        self.library_logvar_: np.ndarray | None = None
        self._layout: _Layout | None = None
        self._condition_store: dict[str, np.ndarray] | None = None
        self._sample_rng: np.random.Generator | None = None
        self._device_model: _MedVAENet | None = None

    def _check_combinations(self) -> None:
        if self.patience is not None and self.validation_fraction == 0.0:
            raise InvalidParameterError(
                "patience needs a validation split: set validation_fraction > 0 (e.g. 0.1) "
                "or patience=None"
            )
        if self.dp:
            if self.sampling == "library":
                raise InvalidParameterError(
                    "sampling='library' is not allowed with dp=True: the library stores the "
                    "training rows' posteriors, which voids the privacy guarantee; use "
                    "sampling='prior' (or 'auto')"
                )
            if self.validation_fraction > 0.0:
                raise InvalidParameterError(
                    "validation_fraction must be 0 with dp=True: a validation loss on private "
                    "rows (and early stopping on it) is not covered by the DP accounting"
                )
            if self.kl_mode != "differentiable":
                raise InvalidParameterError(
                    "kl_mode must be 'differentiable' with dp=True: prior sampling needs a "
                    "latent space regularised towards N(0, I)"
                )

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments, as given (a sklearn-style view for host adapters)."""
        names = (
            "roles", "latent_dim", "hidden", "embedding_dim", "leaky_relu_slope", "batch_norm",
            "numerical_activation", "loss_weights", "beta", "kl_mode", "lr", "clipvalue",
            "batch_size", "epochs", "sampling", "min_library_size", "max_rejection_rounds",
            "missing", "ordinal_levels", "dp", "dp_noise_multiplier", "dp_max_grad_norm",
            "dp_delta", "validation_fraction", "patience", "device", "random_state", "verbose",
        )  # fmt: skip
        return {name: copy.deepcopy(getattr(self, name)) for name in names}

    def __repr__(self) -> str:
        return f"MedVAE(epochs={self.epochs}, dp={self.dp}, random_state={self.random_state})"

    @property
    def default_sampling(self) -> Sampling:
        """The sampling mode ``sample`` uses when none is given."""
        if self.sampling == "auto":
            return "prior" if self.dp else "library"
        return self.sampling  # type: ignore[return-value]

    # ------------------------------------------------------------------------ fitting
    def fit(self, data: pd.DataFrame) -> MedVAE:
        """Fit the encoder and train the VAE on ``data``; returns ``self``.

        Raises:
            InvalidDataError: for a non-DataFrame, fewer than 2 rows, a column with no
                observed value, or missing values with ``missing="error"``.
        """
        if not isinstance(data, pd.DataFrame):
            raise InvalidDataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        if len(data) < 2:
            raise InvalidDataError(
                f"Med-VAE needs at least 2 rows to train (BatchNorm normalises over a batch), "
                f"got {len(data)}"
            )
        encoder = TabularEncoder(self.roles, self.missing, self.ordinal_levels).fit(data)
        layout = _Layout.from_encoder(encoder)
        x_cont, codes = self._inputs(encoder, layout, data)

        n_rows = len(data)
        n_val = round(n_rows * self.validation_fraction) if self.validation_fraction else 0
        n_val = max(n_val, 1) if self.validation_fraction else 0
        if n_rows - n_val < 2:
            raise InvalidDataError(
                f"validation_fraction={self.validation_fraction} leaves {n_rows - n_val} "
                f"training rows of {n_rows}; at least 2 are needed"
            )
        device = _torch.resolve_device(self.device)
        rng = _torch.new_rng(self.random_state)
        init_seed, train_seed, noise_seed, split_seed, sample_seed = (
            _torch.seed_from(rng) for _ in range(5)
        )
        order = np.random.default_rng(split_seed).permutation(n_rows)
        train_rows, val_rows = np.sort(order[n_val:]), np.sort(order[:n_val])

        norm = ("layer" if self.dp else "batch") if self.batch_norm else "none"
        with _torch.seeded(init_seed, device):
            net = _MedVAENet(
                n_binary=len(layout.binary_index),
                n_numerical=len(layout.numerical_index),
                cardinalities=layout.cardinalities,
                embedding_dim=self.embedding_dim,
                hidden=self.hidden,
                latent_dim=self.latent_dim,
                slope=self.leaky_relu_slope,
                norm=norm,
                numerical_activation=self.numerical_activation,
            ).to(device)

        # forget any previous fit before training (a failed fit leaves an unfitted model)
        self.encoder_, self._layout = encoder, layout
        self.model_ = None
        self.history_ = {}
        self.epsilon_ = self.dp_delta_ = self.best_epoch_ = None
        self.n_epochs_ = 0
        self.library_mu_ = self.library_logvar_ = None
        self._condition_store = None
        self._device_model = None
        train = (x_cont[train_rows].to(device), codes[train_rows].to(device))
        val = (x_cont[val_rows].to(device), codes[val_rows].to(device)) if n_val else None
        if self.dp:
            net = self._train_dp(net, train, device, train_seed, noise_seed)
        else:
            net = self._train(net, train, val, device, train_seed, noise_seed)

        net = net.cpu().eval()
        if not self.dp:  # no library in DP mode: it would void the guarantee
            self.library_mu_, self.library_logvar_ = self._posteriors(net, x_cont, codes)
            self._condition_store = self._store_conditions(encoder, data)
        self._sample_rng = _torch.new_rng(sample_seed)
        self.model_ = net
        return self

    @staticmethod
    def _inputs(
        encoder: TabularEncoder, layout: _Layout, data: pd.DataFrame
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``x_cont = [binary | numerical]`` (float32) and level codes (int64) of ``data``."""
        matrix = encoder.transform(data)
        x_cont = np.concatenate(
            [matrix[:, layout.binary_index], matrix[:, layout.numerical_index]], axis=1
        )
        codes = np.zeros((len(data), len(layout.categorical_columns)), dtype=np.int64)
        for j, column in enumerate(layout.categorical_columns):
            codes[:, j] = encoder.codes(data, column)
        return torch.from_numpy(np.ascontiguousarray(x_cont)), torch.from_numpy(codes)

    def _losses(
        self,
        outputs: tuple[torch.Tensor, ...],
        x_cont: torch.Tensor,
        codes: torch.Tensor,
        kl_weight: float,
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Per-row objective and per-row loss components (numerical, binary, categorical, kl).

        ``kl_weight`` is ``beta * a(e)``. In ``legacy_detached`` mode the KL enters the
        objective's value but not its gradient, as in the released notebook.
        """
        numerical, binary, categorical, mu, logvar = outputs
        layout = self._layout
        assert layout is not None
        n_bin = len(layout.binary_index)
        zeros = x_cont.new_zeros(x_cont.shape[0])
        num_loss = (
            ((numerical - x_cont[:, n_bin:]) ** 2).mean(dim=1) if numerical.shape[1] else zeros
        )
        bin_loss = (
            F.binary_cross_entropy_with_logits(binary, x_cont[:, :n_bin], reduction="none").mean(
                dim=1
            )
            if n_bin
            else zeros
        )
        cat_loss = zeros
        offset = 0
        for j, width in enumerate(layout.cardinalities):
            logits = categorical[:, offset : offset + width]
            cat_loss = cat_loss + F.cross_entropy(logits, codes[:, j], reduction="none")
            offset += width
        kl = -0.5 * (1.0 + logvar - mu.pow(2) - logvar.exp()).sum(dim=1)
        weights = self.loss_weights
        reconstruction = (
            weights["numerical"] * num_loss
            + weights["binary"] * bin_loss
            + weights["categorical"] * cat_loss
        )
        kl_term = kl_weight * kl
        if self.kl_mode == "legacy_detached":
            kl_term = kl_term.detach()
        parts = {"numerical": num_loss, "binary": bin_loss, "categorical": cat_loss, "kl": kl}
        return reconstruction + kl_term, parts

    def _kl_weight(self, epoch: int) -> float:
        """``beta * a(e)`` with the notebook's per-epoch linear annealing ``a(e) = e / T``."""
        return self.beta * epoch / self.epochs

    def _train(
        self,
        net: _MedVAENet,
        train: tuple[torch.Tensor, torch.Tensor],
        val: tuple[torch.Tensor, torch.Tensor] | None,
        device: torch.device,
        train_seed: int,
        noise_seed: int,
    ) -> _MedVAENet:
        batch_generator = _torch.make_generator(train_seed)
        noise_generator = _torch.make_generator(noise_seed, device)
        optimizer = torch.optim.Adam(net.parameters(), lr=self.lr, eps=_ADAM_EPS)
        parameters = list(net.parameters())
        val_eps = (
            _torch.randn((len(val[0]), self.latent_dim), noise_generator, device) if val else None
        )
        best_monitor, best_state, stale = math.inf, None, 0
        n_rows = len(train[0])
        bar = _torch.progress(
            range(self.epochs), total=self.epochs, desc="Med-VAE", enabled=self.verbose
        )
        for epoch in bar:
            kl_weight = self._kl_weight(epoch)
            net.train()
            sums = dict.fromkeys(("total", "numerical", "binary", "categorical", "kl"), 0.0)
            for index in _torch.batch_slices(n_rows, self.batch_size, batch_generator, min_last=2):
                index = index.to(device)
                x_cont, codes = train[0][index], train[1][index]
                eps = _torch.randn((len(index), self.latent_dim), noise_generator, device)
                objective, parts = self._losses(net(x_cont, codes, eps), x_cont, codes, kl_weight)
                loss = objective.mean()
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if self.clipvalue is not None:
                    nn.utils.clip_grad_value_(parameters, self.clipvalue)
                optimizer.step()
                self._accumulate(sums, objective, parts)
            self._record(sums, n_rows, kl_weight)
            if val is not None:
                monitor = self._validate(net, val, val_eps, kl_weight)
                if monitor < best_monitor:
                    best_monitor, stale = monitor, 0
                    best_state = copy.deepcopy(net.state_dict())
                    self.best_epoch_ = epoch
                else:
                    stale += 1
            else:
                self.best_epoch_ = epoch
            self.n_epochs_ = epoch + 1
            _torch.set_postfix(bar, loss=self.history_["total"][-1])
            if self.patience is not None and stale >= self.patience:
                break
        optimizer.zero_grad(set_to_none=True)
        if self.patience is not None and best_state is not None:
            net.load_state_dict(best_state)
        else:
            self.best_epoch_ = self.n_epochs_ - 1
        return net

    @staticmethod
    def _accumulate(
        sums: dict[str, Any], objective: torch.Tensor, parts: dict[str, torch.Tensor]
    ) -> None:
        """Add a batch's summed losses (kept on the device: one sync per epoch, not per step)."""
        sums["total"] = sums["total"] + objective.detach().sum()
        for key, value in parts.items():
            sums[key] = sums[key] + value.detach().sum()

    def _record(
        self, sums: dict[str, Any], n_rows: int, kl_weight: float, prefix: str = ""
    ) -> None:
        for key, value in sums.items():
            self.history_.setdefault(prefix + key, []).append(float(value) / max(n_rows, 1))
        if not prefix:
            self.history_.setdefault("kl_weight", []).append(kl_weight)

    @torch.no_grad()
    def _validate(
        self,
        net: _MedVAENet,
        val: tuple[torch.Tensor, torch.Tensor],
        val_eps: torch.Tensor | None,
        kl_weight: float,
    ) -> float:
        """Record validation losses; return the early-stopping criterion.

        The criterion is the weighted reconstruction loss plus ``beta * KL`` at full weight
        (the objective annealing leads to, so it does not rise merely because the annealing
        weight grows); in ``legacy_detached`` mode, where the KL is not optimised, it is the
        weighted reconstruction loss only.
        """
        net.eval()
        x_cont, codes = val
        assert val_eps is not None
        objective, parts = self._losses(net(x_cont, codes, val_eps), x_cont, codes, kl_weight)
        sums = {"total": float(objective.sum())}
        sums.update({key: float(value.sum()) for key, value in parts.items()})
        n_val = len(x_cont)
        weights = self.loss_weights
        reconstruction = (
            weights["numerical"] * sums["numerical"]
            + weights["binary"] * sums["binary"]
            + weights["categorical"] * sums["categorical"]
        ) / n_val
        monitor = reconstruction
        if self.kl_mode == "differentiable":
            monitor += self.beta * sums["kl"] / n_val
        sums["monitor"] = monitor * n_val
        self._record(sums, n_val, kl_weight, prefix="val_")
        return monitor

    def _train_dp(
        self,
        net: _MedVAENet,
        train: tuple[torch.Tensor, torch.Tensor],
        device: torch.device,
        train_seed: int,
        noise_seed: int,
    ) -> _MedVAENet:
        try:
            from opacus import PrivacyEngine
            from opacus.validators import ModuleValidator
        except ImportError as error:  # pragma: no cover - opacus comes with the dp extra
            raise MissingDependencyError("opacus", "Med-VAE with dp=True", "dp") from error
        errors = ModuleValidator.validate(net, strict=False)
        if errors:  # pragma: no cover - the DP network is built without BatchNorm
            raise InvalidParameterError(f"the DP network is not Opacus-compatible: {errors}")
        n_rows = len(train[0])
        self.dp_delta_ = self.dp_delta if self.dp_delta is not None else 1.0 / n_rows
        batch_generator = _torch.make_generator(train_seed)
        noise_generator = _torch.make_generator(noise_seed, device)
        optimizer = torch.optim.Adam(net.parameters(), lr=self.lr, eps=_ADAM_EPS)
        dataset = torch.utils.data.TensorDataset(train[0].cpu(), train[1].cpu())
        loader = torch.utils.data.DataLoader(
            dataset, batch_size=min(self.batch_size, n_rows), generator=batch_generator
        )
        with warnings.catch_warnings():
            # Opacus warns that its fast (non-cryptographic) RNG is on, and its per-layer
            # hooks trigger a torch deprecation notice; neither concerns the user here.
            warnings.filterwarnings("ignore", message=".*Secure RNG turned off.*")
            warnings.filterwarnings("ignore", message=".*non-full backward hook.*")
            engine = PrivacyEngine(accountant="rdp", secure_mode=False)
            private_net, private_optimizer, private_loader = engine.make_private(
                module=net,
                optimizer=optimizer,
                data_loader=loader,
                noise_multiplier=self.dp_noise_multiplier,
                max_grad_norm=self.dp_max_grad_norm,
                poisson_sampling=True,
                noise_generator=noise_generator,
            )
            bar = _torch.progress(
                range(self.epochs), total=self.epochs, desc="Med-VAE (DP)", enabled=self.verbose
            )
            for epoch in bar:
                kl_weight = self._kl_weight(epoch)
                private_net.train()
                sums = dict.fromkeys(("total", "numerical", "binary", "categorical", "kl"), 0.0)
                seen = 0
                for x_cont, codes in private_loader:
                    x_cont, codes = x_cont.to(device), codes.to(device)
                    eps = _torch.randn((len(x_cont), self.latent_dim), noise_generator, device)
                    outputs = private_net(x_cont, codes, eps)
                    objective, parts = self._losses(outputs, x_cont, codes, kl_weight)
                    # An empty Poisson batch still takes a (noise-only) step, as accounted.
                    loss = objective.mean() if len(x_cont) else objective.sum()
                    private_optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    private_optimizer.step()
                    self._accumulate(sums, objective, parts)
                    seen += len(x_cont)
                self._record(sums, seen, kl_weight)
                self.n_epochs_ = epoch + 1
                _torch.set_postfix(bar, loss=self.history_["total"][-1])
            self.epsilon_ = float(engine.get_epsilon(self.dp_delta_))
            private_optimizer.zero_grad(set_to_none=True)
            net = private_net.to_standard_module()
        self.best_epoch_ = self.n_epochs_ - 1
        # Drop Opacus' bookkeeping on layers and parameters so the model pickles cleanly.
        for module in net.modules():
            for attribute in ("activations", "max_batch_len", "autograd_grad_sample_hooks"):
                if attribute in vars(module):
                    delattr(module, attribute)
        for parameter in net.parameters():
            for attribute in ("summed_grad", "grad_sample", "_current_grad_sample"):
                if hasattr(parameter, attribute):
                    delattr(parameter, attribute)
            parameter.grad = None
        return net

    @torch.inference_mode()
    def _posteriors(
        self, net: _MedVAENet, x_cont: torch.Tensor, codes: torch.Tensor
    ) -> tuple[np.ndarray, np.ndarray]:
        """The library: (mu, logvar) of every training row, BatchNorm in inference mode."""
        net.eval()
        mus, logvars = [], []
        for start in range(0, len(x_cont), _SAMPLE_CHUNK):
            mu, logvar = net.encode(
                x_cont[start : start + _SAMPLE_CHUNK], codes[start : start + _SAMPLE_CHUNK]
            )
            mus.append(mu)
            logvars.append(logvar)
        return torch.cat(mus).numpy(), torch.cat(logvars).numpy()

    @staticmethod
    def _store_conditions(encoder: TabularEncoder, data: pd.DataFrame) -> dict[str, np.ndarray]:
        """Per column, what conditions are matched against: level codes or raw numbers.

        Discrete columns keep their level code (-1 where missing), numeric columns their raw
        value (NaN where missing), so missing values never match a condition. Datetime and
        identifier columns take no conditions and are not stored (a store of identifiers
        would keep real keys in the fitted model).
        """
        store: dict[str, np.ndarray] = {}
        for spec in encoder.specs:
            series = data[spec.name]
            if spec.role in ("identifier", "datetime"):
                continue
            if spec.is_discrete:
                lookup = {level: code for code, level in enumerate(spec.categories)}
                codes = series.astype(object).map(lookup).to_numpy(dtype=float, na_value=np.nan)
                store[spec.name] = np.nan_to_num(codes, nan=-1.0).astype(np.int32)
            else:
                store[spec.name] = encoder.numbers(data, spec.name)
        return store

    # ---------------------------------------------------------------------- diagnostics
    def loss_terms(
        self, data: pd.DataFrame, *, kl_weight: float | None = None, random_state: int = 0
    ) -> dict[str, torch.Tensor]:
        """The training objective and its parts on ``data``, with the autograd graph kept.

        For diagnostics and tests: the network runs in inference mode for normalisation
        layers (running statistics, nothing is updated) while gradients still flow.

        Args:
            data: rows with the training columns.
            kl_weight: ``beta * a(e)``; None uses the end-of-annealing weight ``beta``.
            random_state: seed of the reparameterisation noise.

        Returns:
            Batch means: ``objective`` (what is back-propagated), ``numerical``, ``binary``,
            ``categorical`` and ``kl``.
        """
        net, encoder, layout = self._fitted()
        x_cont, codes = self._inputs(encoder, layout, data)
        weight = self.beta if kl_weight is None else check_float("kl_weight", kl_weight)
        eps = torch.randn(
            (len(x_cont), self.latent_dim), generator=_torch.make_generator(random_state)
        )
        net.eval()
        objective, parts = self._losses(net(x_cont, codes, eps), x_cont, codes, weight)
        terms = {"objective": objective.mean()}
        terms.update({key: value.mean() for key, value in parts.items()})
        return terms

    # ------------------------------------------------------------------------ sampling
    def _fitted(self) -> tuple[_MedVAENet, TabularEncoder, _Layout]:
        if self.model_ is None or self.encoder_ is None or self._layout is None:
            raise NotFittedError("this MedVAE is not fitted; call fit(data) first")
        return self.model_, self.encoder_, self._layout

    def set_random_state(self, random_state: int | None) -> None:
        """Restart the stream of seeds used by ``sample`` calls without ``random_state``."""
        seed = check_random_state("random_state", random_state)
        self._sample_rng = _torch.new_rng(seed)

    def sample(
        self,
        n: int,
        *,
        conditions: Mapping[str, Any] | None = None,
        sampling: Sampling | None = None,
        enforce_conditions: bool = False,
        random_state: int | None = None,
    ) -> pd.DataFrame:
        """Generate ``n`` rows with the training schema.

        Args:
            n: number of rows (0 gives an empty frame with the training columns).
            conditions: ``{column: value}``, ``{column: [values]}`` or, for numeric
                columns, ``{column: "present" | "absent"}`` (present means above the training
                minimum, i.e. scaled value > 0, the paper's drug rule; absent means equal to
                it). With library sampling, latent draws come from the training rows that
                satisfy **all** conditions (missing values never match).
            sampling: ``"library"`` or ``"prior"``; None uses the model's ``sampling``.
            enforce_conditions: keep only generated rows that satisfy the conditions,
                generating more until ``n`` are reached (at most ``max_rejection_rounds``
                rounds), so every returned row holds an asked value. Without it, library
                conditioning is the paper's: most, not all, rows hold the asked value.
                Required for conditions with prior sampling (rejection from the prior).
            random_state: seed of this call; None draws one from the model's seed stream
                (seeded by ``random_state`` at fit, restarted by ``set_random_state``).

        Raises:
            InvalidParameterError: for a bad ``n``, an unknown column, a value never seen in
                training, library sampling in DP mode, conditions with prior sampling and no
                ``enforce_conditions``, or conditions too rare to reach ``n`` rows.
            InvalidDataError: when fewer than ``min_library_size`` training rows match.
        """
        self._fitted()
        n = check_int("n", n, minimum=0)
        mode = self.default_sampling if sampling is None else sampling
        mode = check_choice("sampling", mode, ("library", "prior"))
        enforce = check_bool("enforce_conditions", enforce_conditions)
        seed = check_random_state("random_state", random_state)
        if self.dp and mode == "library":
            raise InvalidParameterError(
                "sampling='library' is not available for a model trained with dp=True (no "
                "library of training posteriors is kept); use sampling='prior'"
            )
        parsed = self._parse_conditions(conditions)
        if parsed and mode == "prior" and not enforce:
            raise InvalidParameterError(
                "conditions with sampling='prior' need enforce_conditions=True (rejection "
                "sampling from the prior); or use sampling='library'"
                + ("" if not self.dp else " (not available with dp=True)")
            )
        pool = self._library_pool(parsed) if mode == "library" else None
        if seed is None:
            if self._sample_rng is None:  # pragma: no cover - set by fit
                self._sample_rng = _torch.new_rng(None)
            seed = _torch.seed_from(self._sample_rng)
        generator = _torch.make_generator(seed)
        model = self._model_on_device()
        if n == 0 or not (parsed and enforce):
            return self._generate(model, n, mode, pool, generator)
        return self._generate_enforced(model, n, mode, pool, generator, parsed)

    def _parse_conditions(self, conditions: Mapping[str, Any] | None) -> list[_Condition]:
        if conditions is None:
            return []
        if not isinstance(conditions, Mapping):
            raise InvalidParameterError(
                f"conditions must be a mapping {{column: value}}, got {type(conditions).__name__}"
            )
        encoder = self.encoder_
        assert encoder is not None
        parsed = []
        for column, wanted in conditions.items():
            if column not in encoder.columns:
                raise InvalidParameterError(
                    f"conditions name an unknown column {column!r}; columns are {encoder.columns}"
                )
            spec = encoder.spec(column)
            if spec.role in ("identifier", "datetime"):
                raise InvalidParameterError(
                    f"conditions on the {spec.role} column {column!r} are not supported "
                    "(identifiers get fresh keys, dates are generated as times); condition "
                    "on a numeric or discrete column"
                )
            values = (
                list(wanted)
                if isinstance(wanted, list | tuple | set | frozenset | np.ndarray | pd.Series)
                else [wanted]
            )
            if not values:
                raise InvalidParameterError(f"condition on {column!r} has no values")
            for value in values:
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    raise InvalidParameterError(
                        f"condition on {column!r}: conditioning on missing values is not supported"
                    )
            if spec.is_discrete:
                lookup: dict[Any, int] = {}
                for code, level in enumerate(spec.categories):
                    lookup.setdefault(level, code)
                codes = []
                for value in values:
                    try:
                        codes.append(lookup[value])
                    except (KeyError, TypeError):
                        raise InvalidParameterError(
                            f"condition {column}={value!r}: value never seen in training; "
                            f"known values: {list(spec.categories)[:20]}"
                        ) from None
                levels = tuple(spec.categories[code] for code in codes)
                parsed.append(_Condition(column, True, codes=tuple(codes), levels=levels))
                continue
            if len(values) == 1 and values[0] in (_PRESENT, _ABSENT):
                parsed.append(_Condition(column, False, rule=values[0], low=spec.low))
                continue
            numbers = []
            store = self._condition_store
            for value in values:
                if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                    raise InvalidParameterError(
                        f"condition {column}={value!r}: numeric column {column!r} takes "
                        "'present', 'absent', or numbers seen in training"
                    )
                seen = (
                    np.isclose(store[column], float(value), rtol=1e-9, atol=1e-9).any()
                    if store is not None
                    else spec.low <= float(value) <= spec.high
                )
                if not seen:
                    raise InvalidParameterError(
                        f"condition {column}={value!r}: value never seen in training (range "
                        f"{spec.low}..{spec.high}); use 'present'/'absent' or an observed value"
                    )
                numbers.append(float(value))
            parsed.append(_Condition(column, False, values=tuple(numbers), low=spec.low))
        return parsed

    def _library_pool(self, parsed: list[_Condition]) -> np.ndarray | None:
        """Indices of the library rows matching all conditions (None: the whole library)."""
        if not parsed:
            return None
        store = self._condition_store
        assert store is not None and self.library_mu_ is not None
        mask = np.ones(len(self.library_mu_), dtype=bool)
        for condition in parsed:
            mask &= condition.match_training(store[condition.column])
        matched = int(mask.sum())
        if matched < self.min_library_size:
            described = ", ".join(condition.describe() for condition in parsed)
            raise InvalidDataError(
                f"only {matched} training rows satisfy all conditions ({described}); "
                f"min_library_size={self.min_library_size} are needed. Relax the conditions "
                "or lower min_library_size"
            )
        return np.flatnonzero(mask)

    def _model_on_device(self) -> _MedVAENet:
        """The network on the sampling device (a cached copy when that is not the CPU)."""
        net = self.model_
        assert net is not None
        try:
            device = _torch.resolve_device(self.device)
        except InvalidParameterError:
            device = torch.device("cpu")  # e.g. a CUDA-trained model unpickled on a CPU host
        if device.type == "cpu":
            return net.eval()
        if self._device_model is None:
            self._device_model = copy.deepcopy(net).to(device).eval()
        return self._device_model

    @torch.inference_mode()
    def _generate(
        self,
        net: _MedVAENet,
        n: int,
        mode: Sampling,
        pool: np.ndarray | None,
        generator: torch.Generator,
    ) -> pd.DataFrame:
        """Decode ``n`` latent draws and post-process them with the encoder.

        ``mode="library"`` draws training rows uniformly with replacement (from ``pool`` when
        given) and ``z = mu + exp(logvar / 2) * eps``; ``mode="prior"`` draws ``z ~ N(0, I)``.
        Decoding runs in chunks so that millions of rows fit in memory.
        """
        layout, encoder = self._layout, self.encoder_
        assert layout is not None and encoder is not None
        device = next(net.parameters()).device
        if mode == "library":
            assert self.library_mu_ is not None and self.library_logvar_ is not None
            library_mu = torch.from_numpy(self.library_mu_)
            library_std = torch.exp(
                0.5 * torch.from_numpy(self.library_logvar_).clamp(max=_MAX_LOGVAR)
            )
            candidates = None if pool is None else torch.from_numpy(pool)
            n_candidates = len(library_mu) if candidates is None else len(candidates)
        bin_index = torch.from_numpy(layout.binary_index)
        num_index = torch.from_numpy(layout.numerical_index)
        matrix = torch.zeros((n, layout.n_features), dtype=torch.float32)
        for start in range(0, n, _SAMPLE_CHUNK):
            size = min(_SAMPLE_CHUNK, n - start)
            if mode == "library":
                index = torch.randint(n_candidates, (size,), generator=generator)
                if candidates is not None:
                    index = candidates[index]
                eps = torch.randn((size, self.latent_dim), generator=generator)
                z = library_mu[index] + library_std[index] * eps
            else:
                z = torch.randn((size, self.latent_dim), generator=generator)
            numerical, binary, categorical = (
                part.float().cpu() for part in net.decode(z.to(device))
            )
            rows = matrix[start : start + size]
            if len(bin_index):
                rows[:, bin_index] = torch.sigmoid(binary)
            if len(num_index):
                rows[:, num_index] = numerical
            offset = 0
            for (first, last), width in zip(layout.categorical_blocks, layout.cardinalities):
                rows[:, first:last] = categorical[:, offset : offset + width]  # arg-max later
                offset += width
        return encoder.inverse_transform(matrix.numpy())

    def _generate_enforced(
        self,
        net: _MedVAENet,
        n: int,
        mode: Sampling,
        pool: np.ndarray | None,
        generator: torch.Generator,
        parsed: list[_Condition],
    ) -> pd.DataFrame:
        """Rejection sampling: keep rows satisfying every condition until ``n`` are kept.

        Each round generates enough rows for the acceptance rate seen so far (at most
        ``max(10 * n, 10_000)``); it gives up after ``max_rejection_rounds`` rounds, after
        three rounds without a single accepted row, or as soon as the rate seen so far cannot
        reach ``n`` within the remaining rounds.
        """
        kept: list[pd.DataFrame] = []
        n_kept = n_drawn = 0
        cap = max(10 * n, 10_000)
        batch = min(max(n, 1_000), cap)
        for round_ in range(1, self.max_rejection_rounds + 1):
            frame = self._generate(net, batch, mode, pool, generator)
            mask = np.ones(len(frame), dtype=bool)
            for condition in parsed:
                mask &= condition.match_frame(frame)
            kept.append(frame[mask])
            n_kept += int(mask.sum())
            n_drawn += batch
            if n_kept >= n:
                frame = pd.concat(kept, ignore_index=True).iloc[:n].reset_index(drop=True)
                return self._renumber_keys(frame)
            rate = n_kept / n_drawn
            rounds_left = self.max_rejection_rounds - round_
            hopeless = n_kept > 0 and (n - n_kept) > rate * cap * rounds_left
            if hopeless or (n_kept == 0 and round_ >= 3):
                break
            batch = cap if rate == 0 else min(cap, math.ceil(1.2 * (n - n_kept) / rate) + 16)
        described = ", ".join(condition.describe() for condition in parsed)
        raise InvalidParameterError(
            f"enforce_conditions cannot reach {n} rows satisfying {described}: only {n_kept} "
            f"of {n_drawn} generated rows did (acceptance rate {n_kept / max(n_drawn, 1):.3%}). "
            "The model rarely generates these values: relax the conditions, raise "
            "max_rejection_rounds, or use enforce_conditions=False"
        )

    def _renumber_keys(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Identifier columns of rows gathered over several rounds: one fresh key per row."""
        encoder = self.encoder_
        assert encoder is not None
        for spec in encoder.specs:
            if spec.role == "identifier":
                frame[spec.name] = encoder.fresh_keys(spec.name, len(frame)).to_numpy()
        return frame

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_device_model"] = None  # a device copy is rebuilt on demand
        return state

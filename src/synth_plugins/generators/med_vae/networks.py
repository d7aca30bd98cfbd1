"""The Med-VAE network: shared categorical embedding, mirrored MLP encoder/decoder, typed heads."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from synth_plugins.generators.med_vae.config import BN_EPS, BN_MOMENTUM


def _mlp(in_features: int, sizes: Sequence[int], slope: float, norm: str) -> nn.Sequential:
    """``Linear -> norm -> LeakyReLU`` per size (the Linear keeps its bias, as in Keras)."""
    layers: list[nn.Module] = []
    for size in sizes:
        layers.append(nn.Linear(in_features, size))
        if norm == "batch":
            layers.append(nn.BatchNorm1d(size, momentum=BN_MOMENTUM, eps=BN_EPS))
        elif norm == "layer":
            layers.append(nn.LayerNorm(size, eps=BN_EPS))
        layers.append(nn.LeakyReLU(slope))
        in_features = size
    return nn.Sequential(*layers)


def _head(in_features: int, out_features: int) -> nn.Linear | None:
    return nn.Linear(in_features, out_features) if out_features > 0 else None


class MedVAENet(nn.Module):
    """The Med-VAE network; inputs are ``x_cont`` and level codes.

    ``x_cont = [binary | point masses | numerical]`` (:meth:`Layout.inputs`); ``n_binary``
    counts the binary outputs and the point masses (:attr:`Layout.n_binary`).
    """

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
        inputs = x_cont  # without categorical columns no concatenation (a copy per batch)
        if self.embedding is not None:
            embedded = self.embedding(codes + self.offsets).flatten(1)
            inputs = torch.cat([x_cont, embedded], dim=1)
        hidden = self.encoder(inputs)
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

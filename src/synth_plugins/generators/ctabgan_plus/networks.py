"""Fully connected generator, discriminator and auxiliary model of CTAB-GAN+.

The reference implementation reshapes each row into a square "image" (side at most 32) for
convolutional networks, which caps a row at 1,024 encoded features. These networks are fully
connected: the hidden widths are hyper-parameters, and the encoded width only sets the input
and output layers, so there is no cap on the number of encoded features.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class _ResidualBlock(nn.Module):
    """``Linear -> BatchNorm -> ReLU``, its output concatenated to its input."""

    def __init__(self, in_features: int, width: int) -> None:
        super().__init__()
        self.layer = nn.Sequential(nn.Linear(in_features, width), nn.BatchNorm1d(width), nn.ReLU())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The block's output next to its input."""
        return torch.cat([self.layer(x), x], dim=1)


class Generator(nn.Module):
    """Noise and conditional vector to raw (pre-activation) encoded rows."""

    def __init__(self, in_features: int, dims: Sequence[int], out_features: int) -> None:
        super().__init__()
        blocks: list[nn.Module] = []
        width = in_features
        for size in dims:
            blocks.append(_ResidualBlock(width, size))
            width += size
        self.body = nn.Sequential(*blocks)
        self.head = nn.Linear(width, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Raw outputs; the model applies tanh / (Gumbel-)softmax per block."""
        return self.head(self.body(x))


class Discriminator(nn.Module):
    """Critic of (row, conditional vector) pairs; also returns its last hidden features.

    ``Linear -> LeakyReLU(0.2) -> Dropout(0.5)`` per hidden width, then a linear score; no
    normalisation layer mixes rows, so per-row gradients (gradient penalty, DP-SGD) are exact.
    """

    def __init__(self, in_features: int, dims: Sequence[int]) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = in_features
        for size in dims:
            layers += [nn.Linear(width, size), nn.LeakyReLU(0.2), nn.Dropout(0.5)]
            width = size
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Score per row and the last hidden features (for the information loss)."""
        features = self.body(x)
        return self.head(features).squeeze(1), features


class Auxiliary(nn.Module):
    """The downstream model: predicts the target block from the other encoded features."""

    def __init__(self, in_features: int, dims: Sequence[int], out_features: int) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = in_features
        for size in dims:
            layers += [nn.Linear(width, size), nn.LeakyReLU(0.2)]
            width = size
        layers.append(nn.Linear(width, out_features))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (classifier) or the scaled value (regressor)."""
        return self.net(x)

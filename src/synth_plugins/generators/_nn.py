"""General neural-network pieces for the generator cores: plain MLPs and seeded row splits.

These complement :mod:`synth_plugins.generators._torch` (device, seeding, batching, progress)
and the shared training loop :mod:`synth_plugins.generators.training`. Nothing here knows
about a particular method.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from torch import nn

from synth_plugins.errors import InvalidDataError, InvalidParameterError

#: Activation layers by name.
_ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "relu6": nn.ReLU6,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "tanh": nn.Tanh,
}


def mlp(
    in_features: int, sizes: Sequence[int], activation: str = "relu", *, bias: bool = True
) -> nn.Sequential:
    """A ``Linear -> activation`` stack, one pair per entry of ``sizes``.

    Args:
        in_features: width of the input.
        sizes: width of each hidden layer, in order (may be empty: the identity).
        activation: one of ``relu``, ``relu6``, ``leaky_relu``, ``elu``, ``selu``, ``tanh``.
        bias: whether the Linear layers have a bias.

    Raises:
        InvalidParameterError: for an unknown activation.
    """
    if activation not in _ACTIVATIONS:
        raise InvalidParameterError(
            f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}"
        )
    layers: list[nn.Module] = []
    for size in sizes:
        layers.append(nn.Linear(in_features, int(size), bias=bias))
        layers.append(_ACTIVATIONS[activation]())
        in_features = int(size)
    return nn.Sequential(*layers)


def split_rows(n_rows: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded split of ``range(n_rows)`` into sorted training and validation indices.

    ``fraction == 0`` gives no validation rows; otherwise at least one row is held out.

    Raises:
        InvalidDataError: when fewer than 2 training rows would remain.
    """
    n_val = 0 if fraction <= 0 else max(1, round(n_rows * fraction))
    if n_rows - n_val < 2:
        raise InvalidDataError(
            f"validation_fraction={fraction} leaves {n_rows - n_val} training rows of "
            f"{n_rows}; at least 2 are needed"
        )
    order = np.random.default_rng(seed).permutation(n_rows)
    return np.sort(order[n_val:]), np.sort(order[:n_val])

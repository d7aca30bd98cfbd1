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


def split_rows(
    n_rows: int, fraction: float, seed: int, *, unit: str = "rows"
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded split of ``range(n_rows)`` into sorted training and validation indices.

    ``round(n_rows * fraction)`` rows are held out, and at least one when ``fraction > 0``
    and 2 rows are left to train on: that minimum never takes the only rows a tiny table
    has (2 rows train on both, without a split), but a share asked for is not shrunk.

    Raises:
        InvalidDataError: when the share leaves fewer than 2 training rows (``unit``
            names what a row is in the message, e.g. ``"patients"``).
    """
    n_val = round(n_rows * fraction)
    if fraction > 0 and n_val == 0 and n_rows > 2:
        n_val = 1
    if n_rows - n_val < 2:
        raise InvalidDataError(
            f"validation_fraction={fraction} holds out {n_val} of {n_rows} {unit}, leaving "
            f"{n_rows - n_val} to train on; at least 2 are needed: lower it, or pass "
            f"validation_fraction=0 (and patience=None) to train on all of them"
        )
    order = np.random.default_rng(seed).permutation(n_rows)
    return np.sort(order[n_val:]), np.sort(order[:n_val])

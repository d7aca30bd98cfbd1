"""General neural-network pieces for the generator cores: MLPs, splits, early-stopped training.

These complement :mod:`synth_plugins.generators._torch` (device, seeding, batching, progress)
with the parts every mini-batch model repeats: a plain multilayer perceptron, a seeded
train/validation split, and an Adam training loop with early stopping on a validation loss
that restores the best weights. Nothing here knows about a particular method.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.generators import _torch

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


@dataclass
class TrainingRun:
    """What :func:`train_early_stopping` did.

    Attributes:
        train_loss: mean training loss per epoch (weighted by batch size).
        val_loss: validation loss per epoch (empty without a validation function).
        n_epochs: epochs actually run.
        best_epoch: the epoch whose weights were kept (0-based).
        stopped_early: whether patience ran out before ``epochs``.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    n_epochs: int = 0
    best_epoch: int = -1
    stopped_early: bool = False


def train_early_stopping(
    module: nn.Module,
    batch_loss: Callable[[torch.Tensor], torch.Tensor],
    *,
    n_rows: int,
    epochs: int,
    batch_size: int,
    lr: float,
    generator: torch.Generator,
    val_loss: Callable[[], float] | None = None,
    patience: int | None = None,
    parameters: Iterable[nn.Parameter] | None = None,
    min_last: int = 1,
    desc: str = "training",
    verbose: bool = False,
) -> TrainingRun:
    """Train ``module`` with Adam on shuffled mini-batches, with optional early stopping.

    Each epoch shuffles ``range(n_rows)`` with ``generator`` and calls ``batch_loss(index)``
    (a scalar mean loss over the rows ``index``, a CPU ``int64`` tensor) once per batch.
    With ``val_loss`` the validation loss is computed after every epoch (the module in
    eval mode, no gradients), training stops after ``patience`` epochs without improvement
    (when ``patience`` is given), and the weights of the best validation epoch are restored
    at the end. Without ``val_loss`` the final weights are kept.

    Args:
        module: the network to train (its train/eval mode is set here).
        batch_loss: loss of one batch of row indices.
        n_rows: number of training rows.
        epochs: most epochs to run.
        batch_size: rows per batch.
        lr: Adam learning rate.
        generator: torch generator of the shuffles.
        val_loss: validation loss of the current weights, or None.
        patience: epochs without validation improvement before stopping, or None.
        parameters: the parameters to optimise (default: all of ``module``'s).
        min_last: a last batch smaller than this is merged into the previous one.
        desc: progress-bar label.
        verbose: show a progress bar.

    Returns:
        The per-epoch losses and where training stopped.
    """
    params = list(module.parameters() if parameters is None else parameters)
    optimizer = torch.optim.Adam(params, lr=lr)
    run = TrainingRun()
    best, best_state, stale = math.inf, None, 0
    bar = _torch.progress(range(epochs), total=epochs, desc=desc, enabled=verbose)
    for epoch in bar:
        module.train()
        total = 0.0
        for index in _torch.batch_slices(n_rows, batch_size, generator, min_last=min_last):
            loss = batch_loss(index)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * len(index)
        run.train_loss.append(total / max(n_rows, 1))
        run.n_epochs = epoch + 1
        if val_loss is not None:
            module.eval()
            with torch.no_grad():
                current = float(val_loss())
            run.val_loss.append(current)
            if current < best:
                best, stale, run.best_epoch = current, 0, epoch
                best_state = copy.deepcopy(module.state_dict())
            else:
                stale += 1
            _torch.set_postfix(bar, loss=run.train_loss[-1], val=current)
            if patience is not None and stale >= patience:
                run.stopped_early = True
                break
        else:
            run.best_epoch = epoch
            _torch.set_postfix(bar, loss=run.train_loss[-1])
    optimizer.zero_grad(set_to_none=True)
    if best_state is not None:
        module.load_state_dict(best_state)
    module.eval()
    return run

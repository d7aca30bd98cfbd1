"""The shared training loop: batching, weighted losses, early stopping and its one restore rule."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from torch import nn
from torch.optim.optimizer import register_optimizer_step_pre_hook

from synth_plugins.generators import _torch
from synth_plugins.generators.training import (
    OptimizerSettings,
    StepLoss,
    build_optimizer,
    shuffled_batches,
    train_network,
)


def _regression(n: int = 64, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=generator)
    return x, x @ torch.tensor([1.0, -2.0, 0.5]) + 0.1 * torch.randn(n, generator=generator)


def _fit(
    val_losses: list[float] | None,
    patience: int | None,
    epochs: int = 6,
    make_net: Callable[[], nn.Module] = lambda: nn.Linear(3, 1),
    flat: bool = False,
):
    """A model (linear by default) whose validation losses are scripted; returns it, the
    run, and its state at each validation."""
    torch.manual_seed(0)
    net = make_net()
    x, y = _regression()
    states: list[dict[str, torch.Tensor]] = []

    def step(index: torch.Tensor, epoch: int) -> torch.Tensor:
        return ((net(x[index]).squeeze(1) - y[index]) ** 2).mean()

    def val_loss(epoch: int) -> float:
        states.append({k: v.clone() for k, v in net.state_dict().items()})
        assert not net.training and not torch.is_grad_enabled()
        assert val_losses is not None
        return val_losses[epoch]

    run = train_network(
        net,
        step,
        shuffled_batches(len(x), 16, torch.Generator().manual_seed(1)),
        epochs=epochs,
        optimizer=OptimizerSettings(lr=0.05, flat=flat),
        val_loss=val_loss if val_losses is not None else None,
        patience=patience,
    )
    return net, run, states


@pytest.mark.parametrize("patience", [None, 10])
def test_best_validation_epoch_is_restored_with_or_without_patience(patience):
    net, run, states = _fit([5.0, 3.0, 1.0, 2.0, 4.0, 6.0], patience)
    assert run.n_epochs == 6 and run.best_epoch == 2 and not run.stopped_early
    assert all(torch.equal(net.state_dict()[k], states[2][k]) for k in states[2])
    assert run.history["val_loss"] == [5.0, 3.0, 1.0, 2.0, 4.0, 6.0]
    assert not net.training


def test_patience_stops_and_restores():
    net, run, states = _fit([3.0, 1.0, 1.0, 2.0, 2.0, 0.1], patience=3)
    # a tie is no improvement: epochs 2, 3 and 4 are stale, so training stops after epoch 4
    assert run.stopped_early and run.n_epochs == 5 and run.best_epoch == 1
    assert all(torch.equal(net.state_dict()[k], states[1][k]) for k in states[1])


def test_restored_best_epoch_holds_its_buffers_with_flat_parameters():
    """The best epoch's copy, rewritten at each improvement, holds parameters and buffers."""
    net, run, states = _fit(
        [5.0, 3.0, 1.0, 2.0],
        patience=None,
        epochs=4,
        make_net=lambda: nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1)),
        flat=True,
    )
    assert run.best_epoch == 2
    assert all(torch.equal(net.state_dict()[k], states[2][k]) for k in states[2])
    assert not torch.equal(states[2]["1.running_mean"], states[3]["1.running_mean"])


def test_without_validation_the_last_weights_are_kept():
    _, run, _ = _fit(None, patience=None, epochs=5)
    assert run.n_epochs == 5 and run.best_epoch == 4 and "val_loss" not in run.history
    assert run.history["loss"][-1] < run.history["loss"][0]


def test_step_weights_and_sums_make_the_epoch_history():
    net = nn.Linear(1, 1)
    batches = [torch.tensor([0, 1, 2]), torch.tensor([3])]

    def step(batch: torch.Tensor, epoch: int) -> StepLoss:
        loss = net.weight.sum() * 0 + float(len(batch))  # batch of 3: loss 3; of 1: loss 1
        return StepLoss(loss, len(batch), {"rows": torch.tensor(float(len(batch)))})

    run = train_network(
        net,
        step,
        lambda: batches,
        epochs=2,
        optimizer=OptimizerSettings(lr=0.1),
        epoch_values=lambda epoch: {"epoch": epoch},
    )
    assert run.history["loss"] == [2.5, 2.5]  # (3 * 3 + 1 * 1) / 4
    assert run.history["rows"] == [1.0, 1.0] and run.history["epoch"] == [0.0, 1.0]


@pytest.mark.parametrize("validated", [True, False])
def test_the_bar_shows_the_losses_or_what_postfix_reads_from_the_history(validated, monkeypatch):
    shown: list[dict[str, float]] = []
    monkeypatch.setattr(_torch, "set_postfix", lambda bar, **values: shown.append(values))
    _, run, _ = _fit([3.0, 2.0, 1.0] if validated else None, patience=None, epochs=3)
    expected = [{"loss": loss} for loss in run.history["loss"]]
    if validated:
        expected = [{**losses, "val": val} for losses, val in zip(expected, [3.0, 2.0, 1.0])]
    assert shown == expected
    shown.clear()
    net, x = nn.Linear(3, 1), _regression()[0]
    train_network(
        net,
        lambda index, epoch: net(x[index]).mean() ** 2,
        shuffled_batches(len(x), 16, torch.Generator().manual_seed(1)),
        epochs=2,
        optimizer=OptimizerSettings(lr=0.05),
        postfix=lambda history: {"epochs": len(history["loss"])},
    )
    assert shown == [{"epochs": 1}, {"epochs": 2}]


def test_shuffled_batches():
    batches = shuffled_batches(10, 4, torch.Generator().manual_seed(0), min_last=3)
    first, second = batches(), batches()
    assert [len(b) for b in first] == [4, 6]  # the last batch of 2 joins the one before
    assert sorted(torch.cat(first).tolist()) == list(range(10))
    assert not torch.equal(torch.cat(first), torch.cat(second))  # a new order per epoch
    numpy_order = shuffled_batches(7, 3, np.random.default_rng(5))()
    expected = np.random.default_rng(5).permutation(7)
    assert torch.cat(numpy_order).tolist() == expected.tolist()
    assert shuffled_batches(0, 3, np.random.default_rng(5))() == []


def test_optimizer_settings_and_gradient_clipping():
    net = nn.Linear(2, 1)
    adamw = build_optimizer(net.parameters(), OptimizerSettings(lr=0.01, kind="adamw"))
    assert isinstance(adamw, torch.optim.AdamW)
    largest: list[float] = []

    def record(optimizer: torch.optim.Optimizer, args: object, kwargs: object) -> None:
        largest.append(max(float(p.grad.abs().max()) for p in net.parameters()))

    def step(batch: torch.Tensor, epoch: int) -> torch.Tensor:
        return 1e3 * net(torch.ones(len(batch), 2)).sum()

    handle = register_optimizer_step_pre_hook(record)
    try:
        for clip, bound in (({"clip_value": 0.5}, 0.5), ({"clip_norm": 1.0}, 1.0), ({}, None)):
            train_network(
                net,
                step,
                lambda: [torch.arange(4)],
                epochs=1,
                optimizer=OptimizerSettings(lr=0.01, **clip),
            )
            assert largest[-1] <= bound + 1e-6 if bound is not None else largest[-1] > 1.0
        # a ready optimiser is used as given
        sgd = torch.optim.SGD(net.parameters(), lr=0.0)
        before = {k: v.clone() for k, v in net.state_dict().items()}
        train_network(net, step, lambda: [torch.arange(4)], epochs=1, optimizer=sgd)
        assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    finally:
        handle.remove()


@pytest.mark.parametrize(
    "settings",
    [
        {"clip_value": 0.5},
        {"weight_decay": 0.1},
        {"kind": "adamw", "weight_decay": 0.1, "eps": 1e-7},
    ],
    ids=["adam-clip-value", "adam-l2", "adamw"],
)
def test_flat_parameters_train_identically_and_are_separated_afterwards(settings):
    """``flat=True`` (its own Adam) is torch's arithmetic: equal weights and history."""
    x, y = _regression()
    results = []
    for flat in (False, True):
        torch.manual_seed(0)
        net = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 1))

        def step(index: torch.Tensor, epoch: int, net: nn.Module = net) -> torch.Tensor:
            return ((net(x[index]).squeeze(1) - y[index]) ** 2).mean()

        def val_loss(epoch: int, net: nn.Module = net) -> float:
            return float(((net(x).squeeze(1) - y) ** 2).mean()) + (epoch == 3)

        run = train_network(
            net,
            step,
            shuffled_batches(len(x), 16, torch.Generator().manual_seed(1)),
            epochs=5,
            optimizer=OptimizerSettings(lr=0.05, flat=flat, **settings),
            val_loss=val_loss,
        )
        results.append((net, run))
    (plain, plain_run), (flat_net, flat_run) = results
    assert flat_run.history == plain_run.history
    for name, value in plain.state_dict().items():
        assert torch.equal(flat_net.state_dict()[name], value), name
    params = list(flat_net.parameters())
    assert all(p.grad is None for p in params)
    assert len({p.untyped_storage().data_ptr() for p in params}) == len(params)
    assert all(p.untyped_storage().nbytes() == p.numel() * p.element_size() for p in params)

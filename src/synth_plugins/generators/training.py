"""The one training loop of the suite's neural generators: mini-batches, early stopping, history.

Med-VAE, CK4Gen (both of its networks) and the longitudinal LSTM train through
:func:`train_network`; each supplies only what is its own: the loss of a batch, the batches
(shuffled rows from :func:`shuffled_batches`, or an Opacus Poisson loader for DP-SGD), an
optional validation loss and the optimiser settings. CTAB-GAN+ (alternating discriminator and
generator steps, no early stopping) and the MLE copula (no network) do not use it; see
``docs/architecture.md``.

The loop, per epoch ``e``:

1. the module in training mode, for each batch: ``step(batch, e)`` gives the loss, then
   ``zero_grad``, ``backward``, optional gradient clipping (by value or by norm), ``step``;
2. the epoch's training loss, the mean of the batch losses weighted by their weights (rows,
   or visits for the LSTM), is recorded under ``loss``, with any per-batch sums the step
   reports (divided by the same total weight) and any per-epoch values of ``epoch_values``;
3. with ``val_loss``: the module in evaluation mode, no gradients, the validation loss is
   recorded under ``val_loss`` (with any extra values it reports); an epoch improves when its
   validation loss is strictly below every earlier one; with ``patience``, training stops
   after ``patience`` epochs in a row without improvement;
4. the progress bar shows the epoch's figures: by default the training and validation losses
   (``loss``, ``val``), or what the caller's ``postfix`` reads from the history (Med-VAE's
   training loss is annealed and rises with its KL weight, so it shows the loss's parts).

**Restoring weights (one rule).** With a validation loss, the weights of the epoch with the
lowest validation loss are restored at the end, whether training ran every epoch or stopped
early; without one (or if no epoch ever improved, e.g. a NaN validation loss) the last
epoch's weights are kept. :attr:`TrainingResult.best_epoch` is always the epoch whose weights
the module holds. The module is left in evaluation mode.

Losses are accumulated on the module's device in float64, so an epoch costs one host-device
synchronisation, not one per batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, TypeVar

import numpy as np
import torch
from torch import nn

from synth_plugins.generators import _torch

__all__ = [
    "OptimizerSettings",
    "StepLoss",
    "TrainingResult",
    "build_optimizer",
    "shuffled_batches",
    "train_network",
]

B = TypeVar("B")

#: ``postfix(history)``: the figures a progress bar shows after an epoch, by their labels.
Postfix = Callable[[Mapping[str, list[float]]], Mapping[str, float]]


@dataclass(frozen=True)
class OptimizerSettings:
    """How the loop builds its optimiser and clips gradients.

    Attributes:
        lr: learning rate.
        kind: ``"adam"`` or ``"adamw"`` (decoupled weight decay).
        weight_decay: weight decay (L2 for Adam, decoupled for AdamW).
        eps: the optimiser's ``eps`` (torch's 1e-8; Med-VAE uses Keras' 1e-7).
        clip_value: clip each gradient element to ``[-clip_value, clip_value]``, or None.
        clip_norm: clip the gradients' total L2 norm to ``clip_norm``, or None.
        flat: during training, hold all parameters (one dtype and device) as views of one
            flat tensor and their gradients as views of its gradient, so that the optimiser
            (:class:`_FlatAdam`) and the clipping each make a few calls per step instead of
            a few per parameter (element-wise, the same formulas); the module gets separate
            parameters back when training ends. Fixed-seed Med-VAE fits at the defaults came
            out byte-identical; the longitudinal LSTM's Stage A fit did not (cause not
            found). With ``clip_norm`` the total norm is one reduction over the flat
            gradient, equal up to rounding to torch's norm of per-parameter norms. Not for
            modules that manage their own weight buffers (cuDNN RNNs).
    """

    lr: float
    kind: Literal["adam", "adamw"] = "adam"
    weight_decay: float = 0.0
    eps: float = 1e-8
    clip_value: float | None = None
    clip_norm: float | None = None
    flat: bool = False


def build_optimizer(
    parameters: Iterable[nn.Parameter], settings: OptimizerSettings
) -> torch.optim.Optimizer:
    """The Adam or AdamW optimiser ``settings`` describes, over ``parameters``.

    Always the multi-tensor (``foreach``) update, which torch picks by itself only on CUDA:
    the same formulas as the per-tensor loop, one call per step instead of a Python loop
    over the parameters, which dominated small-batch CPU steps.
    """
    optimizer = torch.optim.AdamW if settings.kind == "adamw" else torch.optim.Adam
    return optimizer(
        parameters,
        lr=settings.lr,
        weight_decay=settings.weight_decay,
        eps=settings.eps,
        foreach=True,
    )


class StepLoss(NamedTuple):
    """What a training step returns when a plain scalar loss is not enough.

    Attributes:
        loss: the scalar loss to minimise (a mean over the batch).
        weight: how many units ``loss`` averages over (rows, visits); weights the epoch mean.
        sums: per-batch sums of diagnostics, recorded per epoch as ``sum / total weight``.
    """

    loss: torch.Tensor
    weight: float
    sums: Mapping[str, torch.Tensor] = {}


@dataclass
class TrainingResult:
    """What :func:`train_network` did.

    Attributes:
        history: per-epoch values: ``loss`` (training), ``val_loss`` (with a validation
            loss), and whatever the step, the validation loss and ``epoch_values`` report.
        n_epochs: epochs run.
        best_epoch: the epoch (0-based) whose weights the module holds.
        stopped_early: whether ``patience`` ended training before the last epoch.
    """

    history: dict[str, list[float]] = field(default_factory=dict)
    n_epochs: int = 0
    best_epoch: int = -1
    stopped_early: bool = False


def shuffled_batches(
    n_rows: int,
    batch_size: int,
    generator: torch.Generator | np.random.Generator,
    *,
    min_last: int = 1,
) -> Callable[[], list[torch.Tensor]]:
    """Batches of shuffled row positions, a new order each call (one call per epoch).

    Each call permutes ``range(n_rows)`` with ``generator`` (a torch generator; the
    longitudinal LSTM passes the numpy generator it has always shuffled patients with, so
    its fixed-seed fits did not move) and splits it into CPU ``int64`` tensors of
    ``batch_size``; a last batch smaller than ``min_last`` joins the one before (e.g. 2, so
    BatchNorm never sees a single row).
    """

    def batches() -> list[torch.Tensor]:
        if n_rows == 0:
            return []
        if isinstance(generator, np.random.Generator):
            order = torch.from_numpy(generator.permutation(n_rows))
        else:
            order = torch.randperm(n_rows, generator=generator)
        split = list(torch.split(order, batch_size))
        if len(split) > 1 and len(split[-1]) < min_last:
            last = split.pop()
            split[-1] = torch.cat([split[-1], last])
        return split

    return batches


def train_network(
    module: nn.Module,
    step: Callable[[B, int], torch.Tensor | StepLoss],
    batches: Callable[[], Iterable[B]],
    *,
    epochs: int,
    optimizer: OptimizerSettings | torch.optim.Optimizer,
    parameters: Iterable[nn.Parameter] | None = None,
    val_loss: Callable[[int], float | tuple[float, Mapping[str, float]]] | None = None,
    patience: int | None = None,
    epoch_values: Callable[[int], Mapping[str, float]] | None = None,
    postfix: Postfix | None = None,
    desc: str = "training",
    verbose: bool | None = False,
) -> TrainingResult:
    """Train ``module`` for at most ``epochs`` epochs (the loop and its one restore rule above).

    Args:
        module: the network; its train/eval mode is set here.
        step: ``step(batch, epoch)``: the mean loss of one batch, a scalar tensor (weighted
            by ``len(batch)``), or a :class:`StepLoss`.
        batches: called once per epoch; yields that epoch's batches (e.g.
            :func:`shuffled_batches`, or a data loader).
        epochs: most epochs to run.
        optimizer: settings to build an Adam/AdamW optimiser from, or a ready optimiser
            (e.g. Opacus' DP optimiser; gradient clipping is then the optimiser's own).
        parameters: what to optimise and clip (default: all of ``module``'s parameters).
        val_loss: ``val_loss(epoch)``: the validation loss to monitor, or ``(loss, extra)``
            with extra values recorded under their own names; None: no validation.
        patience: epochs without improvement before stopping, or None (every epoch runs).
            Needs ``val_loss``.
        epoch_values: ``epoch_values(epoch)``: extra per-epoch values to record (e.g. a KL
            weight).
        postfix: ``postfix(history)``: the figures the progress bar shows after each epoch,
            from the history so far; None shows the epoch's training loss (``loss``) and,
            with ``val_loss``, its validation loss (``val``).
        desc: progress-bar label.
        verbose: the progress bar: True always, None once the loop has run a while, False
            never (see :func:`~synth_plugins.generators._torch.progress`).

    Returns:
        The history, the epochs run and the epoch whose weights were kept.
    """
    params = list(module.parameters() if parameters is None else parameters)
    settings = optimizer if isinstance(optimizer, OptimizerSettings) else None
    shown = _losses if postfix is None else postfix
    if settings is not None and settings.flat and params:
        flat = _flatten(params)
        try:
            return _train(module, step, batches, epochs, settings, [flat], flat.grad,
                          val_loss, patience, epoch_values, shown, desc, verbose)  # fmt: skip
        finally:
            _unflatten(params)
    return _train(module, step, batches, epochs, optimizer, params, None,
                  val_loss, patience, epoch_values, shown, desc, verbose)  # fmt: skip


def _losses(history: Mapping[str, list[float]]) -> dict[str, float]:
    """The default progress-bar figures: the last training and validation losses."""
    shown = {"loss": history["loss"][-1]}
    if "val_loss" in history:
        shown["val"] = history["val_loss"][-1]
    return shown


def _flatten(params: list[nn.Parameter]) -> nn.Parameter:
    """One parameter holding the values of ``params``, which become views into it.

    The gradient of each of ``params`` is preset to a view of the flat parameter's (zeroed)
    gradient: backward accumulates into it in place, so the flat gradient is the gradients
    of ``params`` laid end to end.
    """
    with torch.no_grad():
        flat = nn.Parameter(torch.cat([param.detach().reshape(-1) for param in params]))
        flat.grad = torch.zeros_like(flat)
        offset = 0
        for param in params:
            size = param.numel()
            param.data = flat.data[offset : offset + size].view_as(param)
            param.grad = flat.grad[offset : offset + size].view_as(param)
            offset += size
    return flat


class _FlatAdam:
    """Adam or AdamW over the one flat parameter of ``flat=True``, without ``torch.optim``.

    The update is torch 2.2's multi-tensor Adam/AdamW (non-capturable, no amsgrad) written
    as a handful of in-place calls on one tensor, so fixed-seed fits on torch 2.2 are
    byte-identical to ``build_optimizer``'s (later torch takes the bias correction's square
    root as ``x ** 0.5``, which can differ from ``math.sqrt`` in the last bit from about
    step 1,270 on). Two costs of ``torch.optim`` go: its per-step
    wrappers (about 0.3 ms a step on CPU, a quarter of a small Med-VAE step), and the
    import of ``torch._dynamo`` that its constructor triggers (2-6 CPU s on the first fit
    in a process; it pulls in sympy and torch.onnx).
    """

    def __init__(self, flat: nn.Parameter, settings: OptimizerSettings) -> None:
        self.flat, self.settings = flat, settings
        self.exp_avg = torch.zeros_like(flat)
        self.exp_avg_sq = torch.zeros_like(flat)
        self.steps = 0

    @torch.no_grad()
    def step(self) -> None:
        """One update from ``flat.grad`` (torch's default betas 0.9 and 0.999)."""
        beta1, beta2 = 0.9, 0.999
        lr, decay = self.settings.lr, self.settings.weight_decay
        param, grad = self.flat, self.flat.grad
        assert grad is not None
        self.steps += 1
        if decay and self.settings.kind == "adamw":
            param.mul_(1 - lr * decay)
        elif decay:
            grad = grad.add(param, alpha=decay)
        self.exp_avg.lerp_(grad, 1 - beta1)
        self.exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        step_size = -lr / (1 - beta1**self.steps)
        denominator = self.exp_avg_sq.sqrt().div_(math.sqrt(1 - beta2**self.steps))
        param.addcdiv_(self.exp_avg, denominator.add_(self.settings.eps), value=step_size)


def _unflatten(params: list[nn.Parameter]) -> None:
    """Give each of ``params`` its own storage again (no gradient), e.g. to pickle compactly."""
    for param in params:
        param.data = param.data.clone()
        param.grad = None


def _snapshot(
    live: Mapping[str, torch.Tensor], into: dict[str, torch.Tensor] | None
) -> dict[str, torch.Tensor]:
    """A copy of the values of ``live``, written into ``into``'s tensors when given.

    Reusing the tensors of the previous best epoch spares an allocation per tensor each
    time the validation loss improves (on a small table, most epochs).
    """
    with torch.no_grad():
        if into is None:
            return {key: value.detach().clone() for key, value in live.items()}
        for key, value in live.items():
            into[key].copy_(value)
    return into


def _train(
    module: nn.Module,
    step: Callable[[B, int], torch.Tensor | StepLoss],
    batches: Callable[[], Iterable[B]],
    epochs: int,
    optimizer: OptimizerSettings | torch.optim.Optimizer,
    params: list[nn.Parameter],
    flat_grad: torch.Tensor | None,
    val_loss: Callable[[int], float | tuple[float, Mapping[str, float]]] | None,
    patience: int | None,
    epoch_values: Callable[[int], Mapping[str, float]] | None,
    postfix: Postfix,
    desc: str,
    verbose: bool | None,
) -> TrainingResult:
    """:func:`train_network` over ``params`` (with ``flat_grad``: the one flat parameter)."""
    settings = optimizer if isinstance(optimizer, OptimizerSettings) else None
    optim: torch.optim.Optimizer | _FlatAdam
    if settings is None:
        assert isinstance(optimizer, torch.optim.Optimizer)
        optim = optimizer
    elif flat_grad is not None:
        optim = _FlatAdam(params[0], settings)
    else:
        optim = build_optimizer(params, settings)
    result = TrainingResult()
    history = result.history
    best, best_state, stale = math.inf, None, 0
    # The module's own parameters and buffers (updated in place by training), looked up
    # once: a state_dict() call per improving epoch walks every submodule.
    live_state = module.state_dict(keep_vars=True) if val_loss is not None else {}
    bar = _torch.progress(range(epochs), total=epochs, desc=desc, verbose=verbose)
    for epoch in bar:
        module.train()
        total: Any = 0.0
        weight = 0.0
        sums: dict[str, Any] = {}
        for batch in batches():
            out = step(batch, epoch)
            loss, size, parts = (
                out if isinstance(out, StepLoss) else (out, len(batch), {})  # type: ignore[arg-type]
            )
            if flat_grad is not None:  # the parameters' gradients are views of it
                flat_grad.zero_()
            elif settings is not None:  # zero_grad without its per-call dynamo guard
                for param in params:
                    param.grad = None
            elif isinstance(optim, torch.optim.Optimizer):  # a ready one (Opacus) clears
                optim.zero_grad(set_to_none=True)  # its own per-sample state too
            loss.backward()
            if settings is not None and settings.clip_value is not None:
                if flat_grad is not None:  # clip_grad_value_'s clamp, one call
                    flat_grad.clamp_(-settings.clip_value, settings.clip_value)
                else:
                    nn.utils.clip_grad_value_(params, settings.clip_value)
            if settings is not None and settings.clip_norm is not None:
                nn.utils.clip_grad_norm_(params, settings.clip_norm)
            optim.step()
            total = total + loss.detach().to(torch.float64) * size
            weight += size
            for key, value in parts.items():
                sums[key] = sums.get(key, 0.0) + value.detach()
        history.setdefault("loss", []).append(float(total) / max(weight, 1.0))
        for key, value in sums.items():
            history.setdefault(key, []).append(float(value) / max(weight, 1.0))
        if epoch_values is not None:
            for key, value in epoch_values(epoch).items():
                history.setdefault(key, []).append(float(value))
        result.n_epochs = epoch + 1
        if val_loss is None:
            _torch.set_postfix(bar, **postfix(history))
            continue
        module.eval()
        with torch.no_grad():
            monitored = val_loss(epoch)
        current, extra = monitored if isinstance(monitored, tuple) else (monitored, {})
        current = float(current)
        history.setdefault("val_loss", []).append(current)
        for key, value in extra.items():
            history.setdefault(key, []).append(float(value))
        if current < best:
            best, stale, result.best_epoch = current, 0, epoch
            best_state = _snapshot(live_state, best_state)
        else:
            stale += 1
        _torch.set_postfix(bar, **postfix(history))
        if patience is not None and stale >= patience:
            result.stopped_early = True
            break
    if isinstance(optim, torch.optim.Optimizer):
        optim.zero_grad(set_to_none=True)
    if best_state is not None:
        module.load_state_dict(best_state)
    else:
        result.best_epoch = result.n_epochs - 1
    module.eval()
    return result

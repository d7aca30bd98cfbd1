"""Med-VAE training: the four-term loss, KL annealing, its steps in the shared loop, DP-SGD."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from synth_plugins.errors import InvalidParameterError, MissingDependencyError
from synth_plugins.generators import _torch
from synth_plugins.generators.med_vae.config import ADAM_EPS, SAMPLE_CHUNK
from synth_plugins.generators.med_vae.layout import Layout
from synth_plugins.generators.med_vae.networks import MedVAENet
from synth_plugins.generators.training import (
    OptimizerSettings,
    StepLoss,
    TrainingResult,
    build_optimizer,
    shuffled_batches,
    train_network,
)

Tensors = tuple[torch.Tensor, torch.Tensor]


def auto_batch_size(n_rows: int) -> int:
    """``batch_size="auto"``: about 64 steps per epoch, a power of two in [32, 1024].

    Small tables keep the paper's 32 (enough steps per epoch); large ones are not held to
    batch 32 (31,250 steps per epoch on 1,000,000 rows).
    """
    return int(np.clip(2 ** round(math.log2(max(n_rows, 1) / 64)), 32, 1024))


def auto_lr(batch_size: int) -> float:
    """``lr="auto"``: 1e-3 at batch 32, grown with the square root of the batch, at most 4e-3."""
    return min(1e-3 * math.sqrt(batch_size / 32), 4e-3)


@dataclass(frozen=True)
class TrainingPlan:
    """The hyper-parameters training reads (copied from a :class:`MedVAE`'s arguments)."""

    latent_dim: int
    loss_weights: Mapping[str, float]
    beta: float
    kl_mode: str
    lr: float
    clipvalue: float | None
    batch_size: int
    epochs: int
    patience: int | None
    verbose: bool | None
    dp_noise_multiplier: float = 1.0
    dp_max_grad_norm: float = 1.0
    dp_delta: float | None = None

    def kl_weight(self, epoch: int) -> float:
        """``beta * a(e)`` with the notebook's per-epoch linear annealing ``a(e) = e / T``."""
        return self.beta * epoch / self.epochs

    def reconstruction(self, parts: Mapping[str, float]) -> float:
        """The weighted reconstruction loss of loss components (sums, or means per row)."""
        weights = self.loss_weights
        return (
            weights["numerical"] * parts["numerical"]
            + weights["binary"] * parts["binary"]
            + weights["categorical"] * parts["categorical"]
        )

    def progress(self, history: Mapping[str, list[float]]) -> dict[str, float]:
        """The progress bar's figures after an epoch: ``recon``, ``kl`` and ``val``.

        Not the annealed training objective, which rises with the KL weight while training
        improves: the epoch's weighted reconstruction loss (``recon``) and KL (``kl``) per
        training row, and with a validation split the early-stopping criterion (``val``,
        :func:`_validate`'s, at the full KL weight).
        """
        latest = {key: values[-1] for key, values in history.items()}
        shown = {"recon": self.reconstruction(latest), "kl": latest["kl"]}
        if "val_loss" in latest:
            shown["val"] = latest["val_loss"]
        return shown


def losses(
    plan: TrainingPlan,
    layout: Layout,
    outputs: tuple[torch.Tensor, ...],
    x_cont: torch.Tensor,
    codes: torch.Tensor,
    kl_weight: float,
    targets: torch.Tensor | None,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Per-row objective and per-row loss components (numerical, binary, categorical, kl).

    ``kl_weight`` is ``beta * a(e)``. In ``legacy_detached`` mode the KL enters the
    objective's value but not its gradient, as in the released notebook. ``targets``:
    :meth:`Layout.observed` of ``x_cont`` (1 where a numerical value is a target), or None
    when every one is.
    """
    numerical, binary, categorical, mu, logvar = outputs
    n_bin = layout.n_binary
    weights = plan.loss_weights
    zeros = x_cont.new_zeros(x_cont.shape[0])
    num_loss = bin_loss = cat_loss = zeros
    # The weighted loss of each kind of output the table has: a kind it lacks adds no
    # term (adding its zeros would change no value, only cost operations in every step).
    terms: list[torch.Tensor] = []
    if numerical.shape[1]:
        squared = (numerical - x_cont[:, n_bin:]) ** 2
        num_loss = (squared if targets is None else squared * targets).mean(dim=1)
        terms.append(weights["numerical"] * num_loss)
    if n_bin:
        bin_loss = F.binary_cross_entropy_with_logits(
            binary, x_cont[:, :n_bin], reduction="none"
        ).mean(dim=1)
        terms.append(weights["binary"] * bin_loss)
    if layout.cardinalities:
        cat_losses, offset = [], 0
        for j, width in enumerate(layout.cardinalities):
            logits = categorical[:, offset : offset + width]
            cat_losses.append(F.cross_entropy(logits, codes[:, j], reduction="none"))
            offset += width
        cat_loss = sum(cat_losses[1:], cat_losses[0])
        terms.append(weights["categorical"] * cat_loss)
    kl = -0.5 * (1.0 + logvar - mu.pow(2) - logvar.exp()).sum(dim=1)
    reconstruction = sum(terms[1:], terms[0]) if terms else zeros
    kl_term = kl_weight * kl
    if plan.kl_mode == "legacy_detached":
        kl_term = kl_term.detach()
    parts = {"numerical": num_loss, "binary": bin_loss, "categorical": cat_loss, "kl": kl}
    return reconstruction + kl_term, parts


def _step_loss(
    net: nn.Module,
    plan: TrainingPlan,
    layout: Layout,
    x_cont: torch.Tensor,
    codes: torch.Tensor,
    eps: torch.Tensor,
    epoch: int,
    targets: torch.Tensor | None,
) -> StepLoss:
    """One batch's mean objective, with its loss components summed for the epoch history."""
    outputs = net(x_cont, codes, eps)
    weight = plan.kl_weight(epoch)
    objective, parts = losses(plan, layout, outputs, x_cont, codes, weight, targets)
    # An empty Poisson batch (DP) still takes a (noise-only) step, as accounted.
    loss = objective.mean() if len(x_cont) else objective.sum()
    sums = {key: value.detach().sum() for key, value in parts.items()}  # no graph for these
    return StepLoss(loss, len(x_cont), sums)


def _optimizer(plan: TrainingPlan) -> OptimizerSettings:
    """Adam with Keras' ``eps``, element-wise gradient clipping, one flat parameter tensor.

    DP-SGD uses the settings to build the optimiser Opacus wraps; there ``clip_value`` and
    ``flat`` play no part (per-sample clipping; Opacus needs the module's own parameters).
    """
    return OptimizerSettings(lr=plan.lr, eps=ADAM_EPS, clip_value=plan.clipvalue, flat=True)


def train(
    net: MedVAENet,
    plan: TrainingPlan,
    layout: Layout,
    data: Tensors,
    val: Tensors | None,
    device: torch.device,
    train_seed: int,
    noise_seed: int,
) -> tuple[MedVAENet, TrainingResult]:
    """The shared loop (:mod:`synth_plugins.generators.training`) with the annealed objective.

    With ``val`` the monitored loss is :func:`_validate`'s criterion and the best
    validation epoch's weights are restored (the loop's one rule).
    """
    batch_generator = _torch.make_generator(train_seed)
    noise_generator = _torch.make_generator(noise_seed, device)
    val_eps = _torch.randn((len(val[0]), plan.latent_dim), noise_generator, device) if val else None
    targets = layout.observed(data[0])  # once, not per batch or epoch
    val_targets = layout.observed(val[0]) if val else None

    def step(index: torch.Tensor, epoch: int) -> StepLoss:
        index = index.to(device)
        eps = _torch.randn((len(index), plan.latent_dim), noise_generator, device)
        mask = None if targets is None else targets[index]
        return _step_loss(net, plan, layout, data[0][index], data[1][index], eps, epoch, mask)

    def validate(epoch: int) -> tuple[float, dict[str, float]]:
        assert val is not None and val_eps is not None
        return _validate(net, plan, layout, val, val_eps, plan.kl_weight(epoch), val_targets)

    run = train_network(
        net,
        step,
        shuffled_batches(len(data[0]), plan.batch_size, batch_generator, min_last=2),
        epochs=plan.epochs,
        optimizer=_optimizer(plan),
        val_loss=validate if val is not None else None,
        patience=plan.patience,
        epoch_values=lambda epoch: {"kl_weight": plan.kl_weight(epoch)},
        postfix=plan.progress,
        desc="Med-VAE",
        verbose=plan.verbose,
    )
    return net, run


def _validate(
    net: MedVAENet,
    plan: TrainingPlan,
    layout: Layout,
    val: Tensors,
    val_eps: torch.Tensor,
    kl_weight: float,
    targets: torch.Tensor | None,
) -> tuple[float, dict[str, float]]:
    """The early-stopping criterion, and the validation loss components per row.

    ``targets``: :meth:`Layout.observed` of the validation ``x_cont``.

    The criterion is the weighted reconstruction loss plus ``beta * KL`` at full weight
    (the objective annealing leads to, so it does not rise merely because the annealing
    weight grows); in ``legacy_detached`` mode, where the KL is not optimised, it is the
    weighted reconstruction loss only.
    """
    x_cont, codes = val
    outputs = net(x_cont, codes, val_eps)
    _, parts = losses(plan, layout, outputs, x_cont, codes, kl_weight, targets)
    n_val = len(x_cont)
    sums = {key: float(value.sum()) for key, value in parts.items()}
    monitor = plan.reconstruction(sums) / n_val
    if plan.kl_mode == "differentiable":
        monitor += plan.beta * sums["kl"] / n_val
    return monitor, {f"val_{key}": value / n_val for key, value in sums.items()}


def train_dp(
    net: MedVAENet,
    plan: TrainingPlan,
    layout: Layout,
    data: Tensors,
    device: torch.device,
    train_seed: int,
    noise_seed: int,
) -> tuple[MedVAENet, TrainingResult, tuple[float, float]]:
    """DP-SGD through Opacus: per-sample clipping, Gaussian noise, Poisson sampling, RDP.

    The shared loop runs Opacus' private module, optimiser and Poisson batches (no
    validation split, every epoch). Returns the network, the run and ``(epsilon, delta)``.
    """
    try:
        from opacus import PrivacyEngine
        from opacus.validators import ModuleValidator
    except ImportError as error:  # pragma: no cover - opacus comes with the dp extra
        raise MissingDependencyError("opacus", "Med-VAE with dp=True", "dp") from error
    errors = ModuleValidator.validate(net, strict=False)
    if errors:  # pragma: no cover - the DP network is built without BatchNorm
        raise InvalidParameterError(f"the DP network is not Opacus-compatible: {errors}")
    n_rows = len(data[0])
    delta = plan.dp_delta if plan.dp_delta is not None else 1.0 / n_rows
    batch_generator = _torch.make_generator(train_seed)
    noise_generator = _torch.make_generator(noise_seed, device)
    optimizer = build_optimizer(net.parameters(), _optimizer(plan))
    dataset = torch.utils.data.TensorDataset(data[0].cpu(), data[1].cpu())
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=min(plan.batch_size, n_rows), generator=batch_generator
    )
    with _torch.opacus_notices_ignored():
        engine = PrivacyEngine(accountant="rdp", secure_mode=False)
        private_net, private_optimizer, private_loader = engine.make_private(
            module=net,
            optimizer=optimizer,
            data_loader=loader,
            noise_multiplier=plan.dp_noise_multiplier,
            max_grad_norm=plan.dp_max_grad_norm,
            poisson_sampling=True,
            noise_generator=noise_generator,
        )

        def step(batch: Tensors, epoch: int) -> StepLoss:
            x_cont, codes = batch[0].to(device), batch[1].to(device)
            eps = _torch.randn((len(x_cont), plan.latent_dim), noise_generator, device)
            targets = layout.observed(x_cont)
            return _step_loss(private_net, plan, layout, x_cont, codes, eps, epoch, targets)

        run = train_network(
            private_net,
            step,
            lambda: private_loader,
            epochs=plan.epochs,
            optimizer=private_optimizer,
            epoch_values=lambda epoch: {"kl_weight": plan.kl_weight(epoch)},
            postfix=plan.progress,
            desc="Med-VAE (DP)",
            verbose=plan.verbose,
        )
        epsilon = float(engine.get_epsilon(delta))
        net = private_net.to_standard_module()
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
    return net, run, (epsilon, delta)


@torch.inference_mode()
def posteriors(
    net: MedVAENet, x_cont: torch.Tensor, codes: torch.Tensor
) -> tuple[np.ndarray, np.ndarray]:
    """The library: (mu, logvar) of every training row, BatchNorm in inference mode."""
    net.eval()
    mus, logvars = [], []
    for start in range(0, len(x_cont), SAMPLE_CHUNK):
        mu, logvar = net.encode(
            x_cont[start : start + SAMPLE_CHUNK], codes[start : start + SAMPLE_CHUNK]
        )
        mus.append(mu)
        logvars.append(logvar)
    return torch.cat(mus).numpy(), torch.cat(logvars).numpy()

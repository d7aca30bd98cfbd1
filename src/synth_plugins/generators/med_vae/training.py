"""Med-VAE training: the seven-term loss, KL annealing, the Adam loop with early stop, DP-SGD."""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from synth_plugins.errors import InvalidParameterError, MissingDependencyError
from synth_plugins.generators import _torch
from synth_plugins.generators.med_vae.config import ADAM_EPS, SAMPLE_CHUNK
from synth_plugins.generators.med_vae.layout import Layout
from synth_plugins.generators.med_vae.networks import MedVAENet

Tensors = tuple[torch.Tensor, torch.Tensor]
_PARTS = ("total", "numerical", "binary", "categorical", "kl")


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
    verbose: bool
    dp_noise_multiplier: float = 1.0
    dp_max_grad_norm: float = 1.0
    dp_delta: float | None = None

    def kl_weight(self, epoch: int) -> float:
        """``beta * a(e)`` with the notebook's per-epoch linear annealing ``a(e) = e / T``."""
        return self.beta * epoch / self.epochs


@dataclass
class TrainingRun:
    """What a training run leaves besides the weights: losses per epoch and where it stopped."""

    history: dict[str, list[float]] = field(default_factory=dict)
    n_epochs: int = 0
    best_epoch: int | None = None
    epsilon: float | None = None
    dp_delta: float | None = None

    def record(
        self, sums: Mapping[str, Any], n_rows: int, kl_weight: float, prefix: str = ""
    ) -> None:
        """Append one epoch's mean losses (``prefix="val_"`` for the validation split)."""
        for key, value in sums.items():
            self.history.setdefault(prefix + key, []).append(float(value) / max(n_rows, 1))
        if not prefix:
            self.history.setdefault("kl_weight", []).append(kl_weight)


def losses(
    plan: TrainingPlan,
    layout: Layout,
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
    n_bin = len(layout.binary_index)
    zeros = x_cont.new_zeros(x_cont.shape[0])
    num_loss = ((numerical - x_cont[:, n_bin:]) ** 2).mean(dim=1) if numerical.shape[1] else zeros
    bin_loss = (
        F.binary_cross_entropy_with_logits(binary, x_cont[:, :n_bin], reduction="none").mean(dim=1)
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
    weights = plan.loss_weights
    reconstruction = (
        weights["numerical"] * num_loss
        + weights["binary"] * bin_loss
        + weights["categorical"] * cat_loss
    )
    kl_term = kl_weight * kl
    if plan.kl_mode == "legacy_detached":
        kl_term = kl_term.detach()
    parts = {"numerical": num_loss, "binary": bin_loss, "categorical": cat_loss, "kl": kl}
    return reconstruction + kl_term, parts


def _accumulate(
    sums: dict[str, Any], objective: torch.Tensor, parts: dict[str, torch.Tensor]
) -> None:
    """Add a batch's summed losses (kept on the device: one sync per epoch, not per step)."""
    sums["total"] = sums["total"] + objective.detach().sum()
    for key, value in parts.items():
        sums[key] = sums[key] + value.detach().sum()


def train(
    net: MedVAENet,
    plan: TrainingPlan,
    layout: Layout,
    data: Tensors,
    val: Tensors | None,
    device: torch.device,
    train_seed: int,
    noise_seed: int,
) -> tuple[MedVAENet, TrainingRun]:
    """Adam with element-wise gradient clipping; early stopping on ``val`` with ``patience``.

    With ``patience`` the weights of the best validation epoch are restored.
    """
    run = TrainingRun()
    batch_generator = _torch.make_generator(train_seed)
    noise_generator = _torch.make_generator(noise_seed, device)
    optimizer = torch.optim.Adam(net.parameters(), lr=plan.lr, eps=ADAM_EPS)
    parameters = list(net.parameters())
    val_eps = _torch.randn((len(val[0]), plan.latent_dim), noise_generator, device) if val else None
    best_monitor, best_state, stale = math.inf, None, 0
    n_rows = len(data[0])
    bar = _torch.progress(
        range(plan.epochs), total=plan.epochs, desc="Med-VAE", enabled=plan.verbose
    )
    for epoch in bar:
        kl_weight = plan.kl_weight(epoch)
        net.train()
        sums = dict.fromkeys(_PARTS, 0.0)
        for index in _torch.batch_slices(n_rows, plan.batch_size, batch_generator, min_last=2):
            index = index.to(device)
            x_cont, codes = data[0][index], data[1][index]
            eps = _torch.randn((len(index), plan.latent_dim), noise_generator, device)
            outputs = net(x_cont, codes, eps)
            objective, parts = losses(plan, layout, outputs, x_cont, codes, kl_weight)
            loss = objective.mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if plan.clipvalue is not None:
                nn.utils.clip_grad_value_(parameters, plan.clipvalue)
            optimizer.step()
            _accumulate(sums, objective, parts)
        run.record(sums, n_rows, kl_weight)
        if val is not None:
            assert val_eps is not None
            monitor = _validate(net, plan, layout, val, val_eps, kl_weight, run)
            if monitor < best_monitor:
                best_monitor, stale = monitor, 0
                best_state = copy.deepcopy(net.state_dict())
                run.best_epoch = epoch
            else:
                stale += 1
        else:
            run.best_epoch = epoch
        run.n_epochs = epoch + 1
        _torch.set_postfix(bar, loss=run.history["total"][-1])
        if plan.patience is not None and stale >= plan.patience:
            break
    optimizer.zero_grad(set_to_none=True)
    if plan.patience is not None and best_state is not None:
        net.load_state_dict(best_state)
    else:
        run.best_epoch = run.n_epochs - 1
    return net, run


@torch.no_grad()
def _validate(
    net: MedVAENet,
    plan: TrainingPlan,
    layout: Layout,
    val: Tensors,
    val_eps: torch.Tensor,
    kl_weight: float,
    run: TrainingRun,
) -> float:
    """Record validation losses; return the early-stopping criterion.

    The criterion is the weighted reconstruction loss plus ``beta * KL`` at full weight
    (the objective annealing leads to, so it does not rise merely because the annealing
    weight grows); in ``legacy_detached`` mode, where the KL is not optimised, it is the
    weighted reconstruction loss only.
    """
    net.eval()
    x_cont, codes = val
    objective, parts = losses(plan, layout, net(x_cont, codes, val_eps), x_cont, codes, kl_weight)
    sums = {"total": float(objective.sum())}
    sums.update({key: float(value.sum()) for key, value in parts.items()})
    n_val = len(x_cont)
    weights = plan.loss_weights
    reconstruction = (
        weights["numerical"] * sums["numerical"]
        + weights["binary"] * sums["binary"]
        + weights["categorical"] * sums["categorical"]
    ) / n_val
    monitor = reconstruction
    if plan.kl_mode == "differentiable":
        monitor += plan.beta * sums["kl"] / n_val
    sums["monitor"] = monitor * n_val
    run.record(sums, n_val, kl_weight, prefix="val_")
    return monitor


def train_dp(
    net: MedVAENet,
    plan: TrainingPlan,
    layout: Layout,
    data: Tensors,
    device: torch.device,
    train_seed: int,
    noise_seed: int,
) -> tuple[MedVAENet, TrainingRun]:
    """DP-SGD through Opacus: per-sample clipping, Gaussian noise, Poisson sampling, RDP."""
    try:
        from opacus import PrivacyEngine
        from opacus.validators import ModuleValidator
    except ImportError as error:  # pragma: no cover - opacus comes with the dp extra
        raise MissingDependencyError("opacus", "Med-VAE with dp=True", "dp") from error
    errors = ModuleValidator.validate(net, strict=False)
    if errors:  # pragma: no cover - the DP network is built without BatchNorm
        raise InvalidParameterError(f"the DP network is not Opacus-compatible: {errors}")
    run = TrainingRun()
    n_rows = len(data[0])
    run.dp_delta = plan.dp_delta if plan.dp_delta is not None else 1.0 / n_rows
    batch_generator = _torch.make_generator(train_seed)
    noise_generator = _torch.make_generator(noise_seed, device)
    optimizer = torch.optim.Adam(net.parameters(), lr=plan.lr, eps=ADAM_EPS)
    dataset = torch.utils.data.TensorDataset(data[0].cpu(), data[1].cpu())
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=min(plan.batch_size, n_rows), generator=batch_generator
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
            noise_multiplier=plan.dp_noise_multiplier,
            max_grad_norm=plan.dp_max_grad_norm,
            poisson_sampling=True,
            noise_generator=noise_generator,
        )
        bar = _torch.progress(
            range(plan.epochs), total=plan.epochs, desc="Med-VAE (DP)", enabled=plan.verbose
        )
        for epoch in bar:
            kl_weight = plan.kl_weight(epoch)
            private_net.train()
            sums = dict.fromkeys(_PARTS, 0.0)
            seen = 0
            for x_cont, codes in private_loader:
                x_cont, codes = x_cont.to(device), codes.to(device)
                eps = _torch.randn((len(x_cont), plan.latent_dim), noise_generator, device)
                outputs = private_net(x_cont, codes, eps)
                objective, parts = losses(plan, layout, outputs, x_cont, codes, kl_weight)
                # An empty Poisson batch still takes a (noise-only) step, as accounted.
                loss = objective.mean() if len(x_cont) else objective.sum()
                private_optimizer.zero_grad(set_to_none=True)
                loss.backward()
                private_optimizer.step()
                _accumulate(sums, objective, parts)
                seen += len(x_cont)
            run.record(sums, seen, kl_weight)
            run.n_epochs = epoch + 1
            _torch.set_postfix(bar, loss=run.history["total"][-1])
        run.epsilon = float(engine.get_epsilon(run.dp_delta))
        private_optimizer.zero_grad(set_to_none=True)
        net = private_net.to_standard_module()
    run.best_epoch = run.n_epochs - 1
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
    return net, run


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

"""Training CK4Gen's networks: the student distilled from the Cox teacher, then SynthNet."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.nn import functional as F

from synth_plugins.encoding.tabular import TabularEncoder
from synth_plugins.generators import _torch
from synth_plugins.generators.ck4gen.networks import Student, SynthNet
from synth_plugins.generators.ck4gen.teacher import step
from synth_plugins.generators.training import (
    OptimizerSettings,
    TrainingResult,
    shuffled_batches,
    train_network,
)


def train_student(
    x_all: torch.Tensor,
    eta_teacher: np.ndarray,
    grid: np.ndarray | None,
    curves: np.ndarray | None,
    baseline_times: np.ndarray,
    baseline_cumhaz: np.ndarray,
    train_rows: np.ndarray,
    val_rows: np.ndarray,
    *,
    kind: str,
    hidden: Sequence[int],
    dcm_k: int,
    dcm_gamma: float,
    epochs: int,
    batch_size: int,
    lr: float,
    patience: int | None,
    device: torch.device,
    init_seed: int,
    batch_seed: int,
    verbose: bool | None,
) -> tuple[Student, TrainingResult]:
    """Distil the teacher's log partial hazards (and, with ``grid``, its survival curves)."""
    offsets = np.quantile(eta_teacher, (np.arange(dcm_k) + 0.5) / dcm_k)
    with _torch.seeded(init_seed, device=device):
        student = Student(kind, x_all.shape[1], hidden, dcm_k, dcm_gamma, offsets).to(device)
    x_train = x_all[train_rows].to(device)
    eta_train = torch.from_numpy(eta_teacher[train_rows]).to(device)
    x_val = x_all[val_rows].to(device)
    eta_val = torch.from_numpy(eta_teacher[val_rows]).to(device)
    use_curves = grid is not None and curves is not None
    if use_curves:
        grid_cumhaz = torch.as_tensor(
            step(baseline_times, baseline_cumhaz, grid), dtype=torch.float32, device=device
        )
        curves_train = torch.from_numpy(curves[train_rows]).to(device)
        curves_val = torch.from_numpy(curves[val_rows]).to(device)

    def loss_of(x: torch.Tensor, eta: torch.Tensor, curve: torch.Tensor | None) -> torch.Tensor:
        loss = F.mse_loss(student(x), eta)
        if curve is not None:
            loss = loss + F.mse_loss(student.survival(x, grid_cumhaz), curve)
        return loss

    def batch_loss(index: torch.Tensor, epoch: int) -> torch.Tensor:
        index = index.to(device)
        return loss_of(
            x_train[index], eta_train[index], curves_train[index] if use_curves else None
        )

    def val_loss(epoch: int) -> float:
        return float(loss_of(x_val, eta_val, curves_val if use_curves else None))

    run = train_network(
        student,
        batch_loss,
        shuffled_batches(len(train_rows), batch_size, _torch.make_generator(batch_seed)),
        epochs=epochs,
        optimizer=OptimizerSettings(lr=lr, flat=True),
        val_loss=val_loss if len(val_rows) else None,
        patience=patience,
        desc="CK4Gen encoder",
        verbose=verbose,
    )
    return student, run


def train_decoder(
    latent: torch.Tensor,
    x_all: torch.Tensor,
    preprocessor: TabularEncoder,
    train_rows: np.ndarray,
    val_rows: np.ndarray,
    *,
    hidden: Sequence[int],
    decoder_loss: str,
    epochs: int,
    batch_size: int,
    lr: float,
    patience: int | None,
    device: torch.device,
    init_seed: int,
    batch_seed: int,
    verbose: bool | None,
) -> tuple[SynthNet, TrainingResult]:
    """Train SynthNet to map the frozen encoder's latents back to the preprocessed covariates.

    ``decoder_loss="mixed"``: MSE on numeric columns, binary cross-entropy on the others;
    ``"mse"``: MSE everywhere.
    """
    with _torch.seeded(init_seed, device=device):
        decoder = SynthNet(latent.shape[1], hidden, x_all.shape[1]).to(device)
    numeric = np.zeros(x_all.shape[1], dtype=bool)
    for block in preprocessor.blocks:
        if block.kind == "numerical" or decoder_loss == "mse":
            numeric[block.start : block.stop] = True
    numeric_mask = torch.as_tensor(numeric, device=device)
    z_train, x_train = latent[train_rows].to(device), x_all[train_rows].to(device)
    z_val, x_val = latent[val_rows].to(device), x_all[val_rows].to(device)

    def loss_of(z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        logits = decoder(z)
        squared = (torch.sigmoid(logits) - x) ** 2
        cross = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
        return torch.where(numeric_mask, squared, cross).mean()

    def batch_loss(index: torch.Tensor, epoch: int) -> torch.Tensor:
        index = index.to(device)
        return loss_of(z_train[index], x_train[index])

    def val_loss(epoch: int) -> float:
        return float(loss_of(z_val, x_val))

    run = train_network(
        decoder,
        batch_loss,
        shuffled_batches(len(train_rows), batch_size, _torch.make_generator(batch_seed)),
        epochs=epochs,
        optimizer=OptimizerSettings(lr=lr, flat=True),
        val_loss=val_loss if len(val_rows) else None,
        patience=patience,
        desc="CK4Gen SynthNet",
        verbose=verbose,
    )
    return decoder, run

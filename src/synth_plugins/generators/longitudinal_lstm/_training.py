"""Stage B training: the teacher-forced likelihood, trained by the shared loop on patients."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from synth_plugins.errors import UnderTrainedWarning, caller_stacklevel, warn
from synth_plugins.generators.longitudinal_lstm._network import (
    VisitLSTM,
    gaussian_nll,
    run_sequences,
    value_nll,
)
from synth_plugins.generators.longitudinal_lstm._sequences import Sequences
from synth_plugins.generators.training import (
    OptimizerSettings,
    StepLoss,
    TrainingResult,
    shuffled_batches,
    train_network,
)

#: A best validation epoch among this many last epochs of the ``epochs`` cap means the
#: validation loss was still falling when training stopped (see :func:`cut_short`).
LATE_BEST_EPOCHS = 5
#: Runs of at most this many epochs are smoke runs (tests, examples), under-trained on
#: purpose: :func:`cut_short` is False for them.
SHORT_RUN_EPOCHS = 10


@dataclass(frozen=True)
class TrainSettings:
    """The Stage B optimisation hyper-parameters (see ``LongitudinalLSTM``)."""

    epochs: int
    lr: float
    weight_decay: float
    batch_size: int
    clip: float | None
    patience: int | None
    verbose: bool | None


def train(
    net: VisitLSTM, data: Sequences, device: torch.device, seed: int, settings: TrainSettings
) -> TrainingResult:
    """Train ``net`` in place with the shared loop (:mod:`synth_plugins.generators.training`).

    AdamW with gradient-norm clipping over shuffled batches of training patients, the loss
    per visit; with held-out patients the best validation epoch's weights are kept.
    """
    patients = data.train_patients

    def step(positions: torch.Tensor, epoch: int) -> StepLoss:
        loss, n_visits = batch_loss(net, data, patients[positions.numpy()], device)
        return StepLoss(loss, n_visits)

    def val_loss(epoch: int) -> float:
        return evaluate(net, data, data.val_patients, device, settings.batch_size)

    result = train_network(
        net,
        step,
        shuffled_batches(patients.size, settings.batch_size, np.random.default_rng(seed)),
        epochs=settings.epochs,
        optimizer=OptimizerSettings(
            lr=settings.lr, kind="adamw", weight_decay=settings.weight_decay,
            clip_norm=settings.clip,
        ),
        val_loss=val_loss if data.val_patients.size else None,
        patience=settings.patience,
        desc="longitudinal_lstm",
        verbose=settings.verbose,
    )  # fmt: skip
    if cut_short(result, settings, validated=bool(data.val_patients.size)):
        warn_cut_short(result, settings.epochs)
    return result


def cut_short(result: TrainingResult, settings: TrainSettings, *, validated: bool) -> bool:
    """Whether early stopping was on, never stopped training, and the best epoch is late.

    The validation loss was then still falling at the ``epochs`` cap: the restored weights
    are those of an under-trained network (on SurvSet's ``aids`` table the best epoch was
    98 of 100, and ``epochs=300`` raised the lag-1 correlation of CD4 from 0.47 to 0.76,
    real 0.87). ``validated``: whether patients were held out for the validation loss.
    Without them, or without ``patience``, nothing would have ended training early; runs
    of at most :data:`SHORT_RUN_EPOCHS` epochs are smoke runs, never cut short.
    """
    epochs = settings.epochs
    if not validated or settings.patience is None or epochs <= SHORT_RUN_EPOCHS:
        return False
    return not result.stopped_early and result.best_epoch >= epochs - LATE_BEST_EPOCHS


def warn_cut_short(result: TrainingResult, epochs: int) -> None:
    """Warn (:class:`UnderTrainedWarning`) that training was :func:`cut_short`."""
    warn(
        f"longitudinal_lstm: the validation loss was still falling when training reached "
        f"epochs={epochs} (best epoch {result.best_epoch + 1} of {epochs}); the model is "
        "likely under-trained: raise epochs (early stopping ends training once the "
        "validation loss stops improving)",
        UnderTrainedWarning,
        stacklevel=caller_stacklevel(),
    )


@torch.no_grad()
def evaluate(
    net: VisitLSTM, data: Sequences, patients: np.ndarray, device: torch.device, batch_size: int
) -> float:
    """Mean negative log-likelihood per visit of ``patients`` (evaluation mode)."""
    net.eval()
    total = weight = 0.0
    rng = np.random.default_rng(0)
    for batch in data.batches(patients, max(batch_size, 256), rng):
        loss, n_visits = batch_loss(net, data, batch, device)
        total += float(loss) * n_visits
        weight += n_visits
    return total / max(weight, 1.0)


def batch_loss(
    net: VisitLSTM, data: Sequences, batch: np.ndarray, device: torch.device
) -> tuple[torch.Tensor, int]:
    """Mean negative log-likelihood per visit of a batch of patients (teacher forcing)."""
    b = data.gather(batch, device)
    hidden = run_sequences(net, b)  # (B, T, H)
    # stop head: steps 1..K of each patient (target 1 at step K, the end of follow-up;
    # step 1, after the first visit, with the first-stop offset)
    width = net.visit_dim
    previous = b["inputs"][:, :, :width]  # the visit fed at each step (zeros first)
    sr, sc = b["stop_rows"], b["stop_cols"]
    context = torch.cat([hidden[sr, sc], b["static"][sr], previous[sr, sc]], dim=1)
    stop_logit = net.stop_logit(net.context_dropout(context), (sc == 1).float())
    loss = F.binary_cross_entropy_with_logits(stop_logit, b["stop_target"], reduction="sum")
    # visit heads: steps 0..K-1 predict visits 1..K
    vr, vc = b["visit_rows"], b["visit_cols"]
    h = net.context_dropout(torch.cat([hidden[vr, vc], b["static"][vr], previous[vr, vc]], dim=1))
    target, gap, first = b["target"], b["gap"], b["first"]
    has_gap = first < 0.5
    if bool(has_gap.any()):
        log_w, means, log_sd = net.gap_parameters(h[has_gap])
        log_prob = -gaussian_nll(gap[has_gap, None], means, log_sd)
        loss = loss - torch.logsumexp(log_w + log_prob, dim=1).sum()
    for i, column in enumerate(net.columns):
        out = net.column_output(i, h, gap, first, target, previous[vr, vc], b["running_mean"])
        observed = None
        if column.missing is not None:
            is_missing = target[:, column.missing]
            loss = loss + F.binary_cross_entropy_with_logits(out[:, 0], is_missing, reduction="sum")
            observed = 1.0 - is_missing
            out = out[:, 1:]
        value = target[:, column.start : column.stop]
        if column.kind == "numerical":
            per_row = value_nll(value[:, 0], out)
        elif column.kind == "binary":
            per_row = F.binary_cross_entropy_with_logits(out[:, 0], value[:, 0], reduction="none")
        else:
            per_row = F.cross_entropy(out, value.argmax(1), reduction="none")
        if observed is not None:
            per_row = per_row * observed
        if i in net.lookahead:  # known from the next visit's time except on last visits
            per_row = per_row * b["last"]
        loss = loss + per_row.sum()
    n_visits = int(target.shape[0])
    return loss / max(n_visits, 1), n_visits

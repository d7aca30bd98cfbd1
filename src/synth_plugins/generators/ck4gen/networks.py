"""CK4Gen's two networks: the distilled student encoder and the SynthNet decoder."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from synth_plugins.generators import _nn
from synth_plugins.generators.ck4gen.config import MAX_LOG_HAZARD


class Student(nn.Module):
    """The distilled encoder: a representation MLP and a risk head.

    ``kind="mlp"``: ReLU hidden layers and a linear head, ``eta = w' z + b``.
    ``kind="dcm"``: ReLU6 hidden layers (as in Deep Cox Mixtures), a gate
    ``log pi = log_softmax(G z)`` and experts ``eta_k = c_k + gamma * tanh(E_k z)`` over
    ``k`` components, where ``c_k`` is a learnt per-component log-hazard offset (standing
    for DCM's per-component baseline hazard); ``eta = sum_k pi_k eta_k``.
    """

    def __init__(
        self,
        kind: str,
        in_features: int,
        hidden: Sequence[int],
        k: int,
        gamma: float,
        offsets: np.ndarray,
    ) -> None:
        super().__init__()
        self.kind = kind
        self.gamma = float(gamma)
        if kind == "mlp":
            self.body = _nn.mlp(in_features, hidden, "relu")
            self.head = nn.Linear(hidden[-1], 1)
        else:
            self.body = _nn.mlp(in_features, hidden, "relu6")
            self.gate = nn.Linear(hidden[-1], k, bias=False)
            self.expert = nn.Linear(hidden[-1], k, bias=False)
            self.offsets = nn.Parameter(torch.as_tensor(offsets, dtype=torch.float32))

    def latent(self, x: torch.Tensor) -> torch.Tensor:
        """The latent representation (last hidden layer)."""
        return self.body(x)

    def components(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """DCM only: log mixture weights and per-component log-hazards, both ``(n, k)``."""
        log_pi = F.log_softmax(self.gate(z), dim=1)
        eta_k = self.offsets + self.gamma * torch.tanh(self.expert(z))
        return log_pi, eta_k

    def risk_from_latent(self, z: torch.Tensor) -> torch.Tensor:
        """The student's log partial hazard ``eta`` of each row, shape ``(n,)``."""
        if self.kind == "mlp":
            return self.head(z).squeeze(1)
        log_pi, eta_k = self.components(z)
        return (log_pi.exp() * eta_k).sum(dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The student's log partial hazard of each row."""
        return self.risk_from_latent(self.latent(x))

    def survival(self, x: torch.Tensor, cumulative_hazard: torch.Tensor) -> torch.Tensor:
        """Survival probabilities ``(n, g)`` on a grid with baseline cumulative hazards ``(g,)``.

        MLP: ``exp(-H0(t) exp(eta))``; DCM: the mixture ``sum_k pi_k exp(-H0(t) exp(eta_k))``.
        """
        z = self.latent(x)
        if self.kind == "mlp":
            eta = self.risk_from_latent(z).clamp(-MAX_LOG_HAZARD, MAX_LOG_HAZARD)
            return torch.exp(-cumulative_hazard[None, :] * torch.exp(eta)[:, None])
        log_pi, eta_k = self.components(z)
        hazard = torch.exp(eta_k.clamp(-MAX_LOG_HAZARD, MAX_LOG_HAZARD))  # (n, k)
        per_component = torch.exp(-cumulative_hazard[None, None, :] * hazard[:, :, None])
        return (log_pi.exp()[:, :, None] * per_component).sum(dim=1)


class SynthNet(nn.Module):
    """The decoder: latent -> ReLU hidden layers -> logits of the preprocessed covariates."""

    def __init__(self, latent_dim: int, hidden: Sequence[int], out_features: int) -> None:
        super().__init__()
        self.body = _nn.mlp(latent_dim, hidden, "relu")
        self.out = nn.Linear(hidden[-1] if hidden else latent_dim, out_features)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Logits; ``sigmoid`` of them is the reconstruction in [0, 1]."""
        return self.out(self.body(z))

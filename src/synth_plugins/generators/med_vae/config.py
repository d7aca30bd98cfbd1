"""Med-VAE's shared constants: option names, default loss weights and the Keras port's numbers."""

from __future__ import annotations

from typing import Literal

#: The notebook's loss weights: numerical MSE x 100, binary BCE x 1, each categorical CE x 1.
DEFAULT_LOSS_WEIGHTS: dict[str, float] = {"numerical": 100.0, "binary": 1.0, "categorical": 1.0}

KLMode = Literal["differentiable", "legacy_detached"]
Sampling = Literal["library", "prior"]

#: Rows decoded (or encoded) per forward pass, which bounds memory for millions of rows.
SAMPLE_CHUNK = 65_536
#: Upper bound on a stored log-variance when sampling, so exp() stays finite in float32.
MAX_LOGVAR = 60.0
#: Keras defaults that matter for a faithful port (BatchNormalization, Adam).
BN_MOMENTUM, BN_EPS, ADAM_EPS = 0.01, 1e-3, 1e-7

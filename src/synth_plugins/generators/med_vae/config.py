"""Med-VAE's shared constants: option names, default loss weights and the Keras port's numbers."""

from __future__ import annotations

from typing import Any, Literal

from synth_plugins.generators.med_vae.transforms import NumericalTransform

#: The notebook's loss weights: numerical MSE x 100, binary BCE x 1, each categorical CE x 1.
DEFAULT_LOSS_WEIGHTS: dict[str, float] = {"numerical": 100.0, "binary": 1.0, "categorical": 1.0}

KLMode = Literal["differentiable", "legacy_detached"]
Sampling = Literal["library", "prior", "mixture"]
SAMPLING_MODES: tuple[str, ...] = ("library", "prior", "mixture")
#: How decoder outputs become values: each output's most likely value (the paper), a draw,
#: or a draw with the binary columns cut at calibrated thresholds (the default).
Decoding = Literal["mode", "sample", "calibrated"]
DECODINGS: tuple[str, ...] = ("mode", "sample", "calibrated")
#: Latent draws that set ``decoding="calibrated"``'s cut-off per binary column, once per
#: ``sample`` call.
CALIBRATION_ROWS = 20_000
#: What ``numerical_transform="auto"`` means without DP. With DP it is always min-max: the
#: quantile transform's knots are the training values themselves (every distinct one, and
#: every one below 20 rows), and decoded numbers are read off them, outside the accounting.
AUTO_NUMERICAL_TRANSFORM: NumericalTransform = "quantile"
#: What ``sampling="auto"`` means without DP (with DP it is always the prior): the latent
#: mixture, measured best on quality against the holdout and on privacy (method card).
AUTO_SAMPLING: Sampling = "mixture"
#: What ``validation_fraction="auto"`` means without DP from this many rows (with DP or
#: fewer rows: no validation split).
AUTO_VALIDATION_FRACTION, AUTO_VALIDATION_MIN_ROWS = 0.1, 50

#: With the quantile transform (no DP), a numerical column's most frequent value becomes a
#: point mass, a 0/1 output of its own, when it holds at least this share of the observed
#: values (method card, item 7 of "Why Med-VAE lost").
POINT_MASS_OUTPUT_SHARE = 0.1
#: Rows decoded (or encoded) per forward pass, which bounds memory for millions of rows.
SAMPLE_CHUNK = 65_536
#: Decoded output cells (rows x encoded features) per chunk when sampling: wide tables
#: decode fewer rows at once (a 2,000-level column: about 5,900 rows; memory per chunk,
#: with the decoder's and the encoder's copies, is about 40 bytes a cell).
SAMPLE_CELLS = 2**23
#: Upper bound on a stored log-variance when sampling, so exp() stays finite in float32.
MAX_LOGVAR = 60.0
#: Keras defaults that matter for a faithful port (BatchNormalization, Adam).
BN_MOMENTUM, BN_EPS, ADAM_EPS = 0.01, 1e-3, 1e-7
#: Latent mixture ("mixture" sampling): at most this many components, each fitted on at
#: least this many training rows on average, from at most this many posterior means.
MIXTURE_MAX, MIXTURE_ROWS_PER_COMPONENT, MIXTURE_FIT_ROWS = 10, 50, 5_000

#: Named settings for :meth:`MedVAE.from_preset`. ``"paper"``: the released notebook
#: (hogglet-rsc/Med-VAE at c34d19019f) exactly, KL detached as in its code.
PRESETS: dict[str, dict[str, Any]] = {
    "paper": {
        "latent_dim": 32,
        "hidden": (88, 60),
        "embedding_dim": 3,
        "leaky_relu_slope": 0.3,
        "batch_norm": True,
        "numerical_transform": "minmax",
        "numerical_activation": "sigmoid",
        "loss_weights": {"numerical": 100.0, "binary": 1.0, "categorical": 1.0},
        "beta": 10.0,
        "kl_mode": "legacy_detached",
        "lr": 1e-3,
        "clipvalue": 1.0,
        "batch_size": 32,
        "epochs": 200,
        "sampling": "library",
        "latent_temperature": 1.0,
        "decoding": "mode",
        "validation_fraction": 0.0,
        "patience": None,
    },
}

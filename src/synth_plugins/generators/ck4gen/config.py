"""CK4Gen's option names and constants: outcome modes, size limits, the copy-mode warning."""

from __future__ import annotations

from typing import Any, Literal

Outcome = Literal["copy", "model"]
EncoderKind = Literal["mlp", "dcm"]
DistillTarget = Literal["linear_predictor", "survival_curve"]
DecoderLoss = Literal["mixed", "mse"]
DiscreteDecoding = Literal["sample", "threshold"]
OutcomeDraw = Literal["balanced", "independent"]
CensoringModel = Literal["stratified", "marginal"]
OUTCOMES: tuple[str, ...] = ("copy", "model")
CENSORING_MODELS: tuple[str, ...] = ("marginal", "stratified")

#: Named settings for :meth:`CK4Gen.from_preset`. ``"paper"``: Kuo, Gallego & Jorm (2024),
#: Fig. 1 as the method card reads it: every source patient's own (duration, event)
#: copied, a linear Cox teacher, levels thresholded at 0.5 / arg-max, plain
#: reconstructions (no latent noise) and no filter of copied rows. The defaults differ in
#: four of the five (``latent_noise`` is 0 in both); the method card's *The default and
#: the paper preset* says why.
PRESETS: dict[str, dict[str, Any]] = {
    "paper": {
        "outcome": "copy",
        "teacher_knots": 0,
        "discrete_decoding": "threshold",
        "latent_noise": 0.0,
        "redraw_copies": False,
    },
}

#: Rows encoded or decoded per forward pass when sampling.
CHUNK = 65_536
#: Bound on log-hazards before exponentiation, so float32 stays finite.
MAX_LOG_HAZARD = 30.0
#: Rounds of re-drawing synthetic rows that copy a training row, and the smallest noise.
REDRAW_ROUNDS = 8
MIN_REDRAW_NOISE = 0.1
#: Draws of a residual vector for a row whose sum leaves the training range, before clipping.
RESIDUAL_ROUNDS = 8
#: Numeric marginal calibration: quantiles tabulated per column, and the draws on the
#: training latents from which the sampler's own quantiles are estimated.
NUMERIC_QUANTILES = 1001
NUMERIC_CALIBRATION_ROWS = 20_000
#: ``interpolate_durations``: a duration held by at least this share of the training rows
#: is a point mass of the data (administrative censoring) and is not spread.
UNSPREAD_DURATION_SHARE = 0.01

COPY_PRIVACY_WARNING = (
    "CK4Gen outcome='copy': every synthetic row carries the exact (duration, event) pair of a "
    "real training patient, and its covariates are decoded from that same patient's latent "
    "code{noise}. The output is a perturbative reconstruction of real records, not a sample "
    "from a fitted distribution: treat it as personal data unless a privacy evaluation (e.g. "
    "hamming_leakage, dcr) on your data says otherwise. outcome='model' draws outcomes from "
    "the fitted Cox teacher instead, and latent_noise > 0 loosens the covariate link."
)

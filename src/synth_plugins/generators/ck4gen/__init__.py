"""CK4Gen-style survival data generator: a Cox teacher distilled into an encoder, then decoded.

A framework-free core (torch, pandas, lifelines). The pipeline follows the figure captions
of Kuo, Gallego & Jorm, "CK4Gen: A Knowledge Distillation Framework for Generating
High-Utility Synthetic Survival Datasets in Healthcare" (arXiv 2410.16872v1); their code is
not public, so every detail the captions do not fix is our proposal and is configurable.
The method card ``docs/methods/ck4gen.md`` separates what the paper establishes from what is
CK4Gen-style.

The model in one paragraph: the covariates are preprocessed by the shared
:class:`~synth_plugins.encoding.tabular.TabularEncoder` (min-max scaling to [0, 1], one-hot
categorical blocks, a documented missing-value policy) into the "preprocessed ground
truth". A lifelines Cox model (the *teacher*) is fitted on that matrix with one-hot blocks
coded against their first level and, by default, a restricted cubic spline in each numeric
covariate whose spline lowers the teacher's AIC (``teacher_knots``; the paper's teacher is
linear). A student *encoder* with three hidden layers (a plain MLP, or a
Deep-Cox-Mixtures-style gated mixture of experts) is trained by knowledge distillation to
reproduce the teacher's linear predictor (optionally also its survival curves on a time
grid); its last hidden layer is the latent representation. *SynthNet*, a decoder with a
sigmoid output, is then trained with the encoder frozen to map latents back to the
preprocessed covariates. Generation encodes real source patients, optionally perturbs the
latents, decodes (drawing discrete levels from the decoded probabilities), post-processes
to the original types and ranges, and re-draws exact copies of training rows beyond the
rate at which a real holdout would collide with the training rows; the outcome is drawn
from the teacher's survival function and the censoring distribution (``outcome="model"``,
ours, the default) or copied from the source patient (``outcome="copy"``, the paper;
``CK4Gen.from_preset("paper", ...)`` gives all of the paper's settings). Model mode also
adds a reconstruction residual to the numeric covariates, maps each onto its training
marginal, and draws discrete levels calibrated to the teacher risk of the other covariates.

Modules, one job each: ``config`` (option names, constants, the paper preset, the copy-mode
warning), ``networks`` (the student encoder and SynthNet), ``teacher`` (the Cox teacher's
design, distillation grid and censoring distribution), ``training`` (distilling the
student, then training SynthNet), ``sampling`` (source patients, discrete levels, outcomes
drawn from the teacher), ``calibration`` (model mode's level calibration), ``marginals``
(model mode's numeric marginal calibration), ``copies`` (binned row comparison and
re-drawing copies of training rows) and ``model`` (the :class:`CK4Gen` estimator).
"""

from synth_plugins.generators.ck4gen.config import COPY_PRIVACY_WARNING
from synth_plugins.generators.ck4gen.model import CK4Gen

__all__ = ["COPY_PRIVACY_WARNING", "CK4Gen"]

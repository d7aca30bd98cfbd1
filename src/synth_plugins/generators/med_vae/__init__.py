"""Med-VAE (Hogg & Sainsbury): a VAE for mixed-type medical records, as a framework-free core.

A framework-free core (torch and pandas only). It follows the authors' released notebook
(``hogglet-rsc/Med-VAE``, ``Med-VAE.ipynb`` at ``c34d19019f``); the method card
``docs/methods/med_vae.md`` lists what is faithful and what was changed, and why.

The model in one paragraph: categorical (and ordinal) columns enter as integer codes through
one shared embedding table (3 dimensions per column; per-column offsets are the cumulative
level counts), concatenated with the binary columns (missingness indicators included) and the
min-max scaled numerical columns. An encoder ``Linear -> BatchNorm -> LeakyReLU`` (88, 60)
gives the mean and log-variance of a 32-dimensional latent; a mirrored decoder (60, 88) has a
sigmoid head for numerical columns, a sigmoid (logit) head for binary columns and one softmax
(logit) head per categorical column. The loss is
``100 * MSE + 1 * BCE + sum of CEs + beta * (e / T) * KL`` with a per-epoch linear KL
annealing. Generation decodes latent draws from a *library* of the training rows' posteriors
(the paper) or from the prior, optionally restricted to the rows that match conditions.

Beyond the paper, measured against real holdouts (method card): by default numerical
columns are learned as normal scores of their ranks (``numerical_transform="auto"``: the
quantile transform, min-max with DP), latent draws come from a Gaussian mixture fitted to
the posteriors (``sampling="mixture"``), batch size and learning rate follow the table size,
training stops early on a validation split, and exact copies of training rows beyond the
natural collision rate are redrawn.
``MedVAE.from_preset("paper")`` is the notebook's configuration.

Modules, one job each: ``config`` (constants and option names), ``networks`` (the torch
module), ``layout`` (where each input lives in the encoded matrix), ``transforms`` (numerical
transforms), ``training`` (the loss, in
the shared training loop), ``conditions`` (parsing and matching conditions), ``sampling`` (latent
draws, decoding, rejection) and ``model`` (the :class:`MedVAE` estimator).
"""

from synth_plugins.generators.med_vae.config import DEFAULT_LOSS_WEIGHTS
from synth_plugins.generators.med_vae.model import MedVAE

__all__ = ["DEFAULT_LOSS_WEIGHTS", "MedVAE"]

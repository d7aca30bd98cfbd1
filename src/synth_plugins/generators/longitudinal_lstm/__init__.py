"""Longitudinal LSTM: static patient features + irregular visit sequences (MS-registry style).

A framework-free core (torch and pandas only) of a two-stage design, static then visits.
The MS "dual autoencoder + LSTM" generator is known only from two conference abstracts (a
cross-sectional autoencoder over clinico-demographic variables, and an LSTM that generates
time to visit, EDSS, relapses, treatment, treatment change and MRI); every detail below is
**our proposal**, consistent with those abstracts. Method card:
``docs/methods/longitudinal_lstm.md``.

Stage A (static generator)
    :class:`~synth_plugins.generators.med_vae.MedVAE` (the suite's tabular VAE, with its
    differentiable KL) over the static columns plus the time of the first visit; sampled
    from the prior ``z ~ N(0, I)`` (or, with ``static_params={"sampling": "mixture"}``,
    from a Gaussian mixture fitted to the training patients' posterior means).

Stage B (visit model)
    A multi-layer LSTM over the visits of a patient, conditioned on the encoded static
    vector ``s`` twice: the initial states are ``tanh(W_h s)``, ``tanh(W_c s)`` and ``s`` is
    part of every step input. The input of step ``k`` is the previous visit (the shared
    :class:`~synth_plugins.encoding.tabular.TabularEncoder` encoding; a learned vector at the
    first step), its standardised log gap, its time since the first visit, a first-step flag
    and ``s``. From the state after step ``k`` the heads give, in this order:

    1. ``p_stop``: the follow-up ends (Bernoulli; from the second step on, i.e. every patient
       has at least one visit; the first decision gets its own logit offset, so the share of
       one-visit patients is not tied to the later hazard);
    2. the gap to the next visit: a mixture of ``gap_components`` log-normals (multi-modal
       clinic rhythms such as 6 and 12 months), not used for the first visit;
    3. each visit column in turn, given the state, the gap and the columns already drawn for
       this visit (an autoregressive chain inside the visit): a missingness logit (BCE) for
       columns with missing values, then a Gaussian (numerical), Bernoulli (binary) or
       softmax (categorical/ordinal) value. Value losses are masked where the value is
       missing.

Training uses teacher forcing on shuffled, padded batches (``pack_padded_sequence``),
AdamW and gradient-norm clipping. Sampling is free-running in batches of patients.

Guarantees of generated data: visit times strictly increase (gaps are positive and clipped
to the training range of gaps; integer times get whole gaps >= 1); categorical, binary and
ordinal values are training levels (numeric columns on a grid of at most
``discrete_levels`` points, such as the EDSS grid or relapse counts declared ``integer``,
are modelled as ordinal levels);
numeric values stay in their training range; every patient has between 1 and
``max_visits`` visits and no more follow-up than the longest in training.

Modules: ``model`` (the estimator), ``_network`` (the LSTM and heads), ``_sequences``
(training tensors), ``_training`` (the loss, in the shared training loop), ``_sampling`` (the
free-running roll-out), ``_calibration`` (post-training stop and drift calibration),
``_frames`` (arrays back to a long table), ``_layout`` (where each
visit column sits in the encoding).
"""

from synth_plugins.generators.longitudinal_lstm._network import RESIDUALS
from synth_plugins.generators.longitudinal_lstm.model import LongitudinalLSTM, host_roles

__all__ = ["RESIDUALS", "LongitudinalLSTM", "host_roles"]

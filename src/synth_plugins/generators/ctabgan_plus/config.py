"""CTAB-GAN+'s training budget of ``epochs="auto"`` and its named presets."""

from __future__ import annotations

from typing import Any

#: Epochs of ``epochs="auto"``: SDV CTGAN's 300, on a table large enough that they hold at
#: least :data:`AUTO_MIN_STEPS` optimiser steps (3,500 rows at the default batch of 500).
AUTO_EPOCHS = 300
#: The fewest optimiser steps ``epochs="auto"`` trains without DP: below 3,500 rows an epoch
#: has fewer than 7 steps (one below 1,000 rows), so 300 epochs left the generator
#: under-trained. Chosen by a sweep of 300 to 4,000 steps on four small tables (method
#: card, *Training budget*).
AUTO_MIN_STEPS = 2_000

#: Named settings for :meth:`CTABGANPlus.from_preset`. ``"paper"``: the paper and the
#: authors' code (Team-TUD/CTAB-GAN-Plus) where they are hyper-parameters here: 150 epochs
#: of batches of 500, noise dimension 100, a (256, 256, 256, 256) auxiliary model, Adam
#: weight decay 1e-5, the downstream loss unweighted, levels drawn from the generator's
#: softmax as it is, and no filter of copied rows. What it cannot reproduce (CNN networks,
#: Adam eps 1e-3, ...) is listed in the method card's *The paper preset*.
PRESETS: dict[str, dict[str, Any]] = {
    "paper": {
        "epochs": 150,
        "batch_size": 500,
        "noise_dim": 100,
        "auxiliary_hidden": (256, 256, 256, 256),
        "generator_lr": 2e-4,
        "discriminator_lr": 2e-4,
        "weight_decay": 1e-5,
        "discriminator_steps": 1,
        "gp_weight": 10.0,
        "info_weight": 1.0,
        "aux_weight": 1.0,
        "gumbel_tau": 0.2,
        "calibrate_levels": False,
        "redraw_copies": False,
    },
}

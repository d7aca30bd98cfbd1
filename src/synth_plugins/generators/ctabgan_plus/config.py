"""CTAB-GAN+'s training budget of ``epochs="auto"``."""

from __future__ import annotations

#: Epochs of ``epochs="auto"``: SDV CTGAN's 300, on a table large enough that they hold at
#: least :data:`AUTO_MIN_STEPS` optimiser steps (3,500 rows at the default batch of 500).
AUTO_EPOCHS = 300
#: The fewest optimiser steps ``epochs="auto"`` trains without DP: below 3,500 rows an epoch
#: has fewer than 7 steps (one below 1,000 rows), so 300 epochs left the generator
#: under-trained. Chosen by a sweep of 300 to 4,000 steps on four small tables (method
#: card, *Training budget*).
AUTO_MIN_STEPS = 2_000

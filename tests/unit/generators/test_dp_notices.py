"""A DP fit (Med-VAE, CTAB-GAN+) passes on none of Opacus' or torch's notices to its user.

With torch 2.13 and Opacus 1.6 (the SDV stack) every DP fit warned "Full backward hook is
firing when gradients are computed with respect to module outputs since no inputs require
gradients", pointing at a line of the suite's training loop: Opacus hooks the first layer,
whose input (the data) needs no gradient, and reads only the gradients of its outputs.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from synth_plugins.generators import MedVAE
from synth_plugins.generators.ctabgan_plus import CTABGANPlus


@pytest.mark.parametrize("generator", [MedVAE, CTABGANPlus])
def test_a_dp_fit_warns_nothing(generator):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"age": rng.normal(60, 10, 100), "sex": rng.choice(["F", "M"], 100)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        generator(dp=True, epochs=2, random_state=0).fit(frame)
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []

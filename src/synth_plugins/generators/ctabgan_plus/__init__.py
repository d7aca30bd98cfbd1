"""CTAB-GAN+ (Zhao et al., Frontiers in Big Data 2024): a conditional tabular WGAN-GP.

Modules: ``transformer`` (the mixed-type encoder), ``conditional`` (conditional vector and
training-by-sampling), ``networks`` (fully connected generator, critic, auxiliary model) and
``model`` (the core class :class:`CTABGANPlus`).
"""

from synth_plugins.generators.ctabgan_plus.model import CTABGANPlus

__all__ = ["CTABGANPlus"]

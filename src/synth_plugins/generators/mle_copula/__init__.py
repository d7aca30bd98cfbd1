"""MLE copula: maximum-likelihood marginals (AIC/BIC) joined by a Gaussian copula.

``from synth_plugins.generators.mle_copula import MLECopula``. The package holds the
marginal fitting (:mod:`.marginals`), the copula (:mod:`.copula`) and the model
(:mod:`.model`); numpy, scipy and pandas only.
"""

from synth_plugins.generators.mle_copula.marginals import FAMILIES
from synth_plugins.generators.mle_copula.model import MLECopula

__all__ = ["FAMILIES", "MLECopula"]

"""Framework-free generator cores (torch or scipy, and pandas; no Synthcity or SDV imports).

Each core takes a ``pandas.DataFrame`` in ``fit`` and returns one from ``sample``. Classes are
imported lazily so that ``import synth_plugins.generators`` does not import torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from synth_plugins.generators.ck4gen import CK4Gen
    from synth_plugins.generators.ctabgan_plus import CTABGANPlus
    from synth_plugins.generators.med_vae import MedVAE
    from synth_plugins.generators.mle_copula import MLECopula

#: Public class name -> module that defines it.
_LAZY: dict[str, str] = {
    "CK4Gen": "synth_plugins.generators.ck4gen",
    "CTABGANPlus": "synth_plugins.generators.ctabgan_plus",
    "MedVAE": "synth_plugins.generators.med_vae",
    "MLECopula": "synth_plugins.generators.mle_copula",
}

__all__ = ["CK4Gen", "CTABGANPlus", "MLECopula", "MedVAE"]


def __getattr__(name: str) -> Any:
    """Import a generator class on first access."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])

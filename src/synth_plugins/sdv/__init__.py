"""SDV synthesizers of the suite: ``from synth_plugins.sdv import MedVAESynthesizer``.

Each class is an ``sdv.single_table.BaseSingleTableSynthesizer`` (or, for sequences, a
PAR-like ``BaseSynthesizer``) wrapping the framework-free core of the same name; classes
are imported on first access, so importing this module does not import SDV.
"""

from __future__ import annotations

from typing import Any

from synth_plugins import catalog


def __getattr__(name: str) -> Any:
    for entry in catalog.GENERATORS:
        if entry.sdv_name == name:
            return catalog.resolve(entry.sdv_synthesizer)
    raise AttributeError(
        f"module 'synth_plugins.sdv' has no synthesizer {name!r}; available: "
        f"{', '.join(e.sdv_name for e in catalog.GENERATORS) or 'none'}"
    )


def __dir__() -> list[str]:
    return sorted(e.sdv_name for e in catalog.GENERATORS)


__all__ = [e.sdv_name for e in catalog.GENERATORS]

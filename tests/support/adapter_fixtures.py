"""Adapters broken on purpose, for the check that adapters take the core's parameters."""

from __future__ import annotations

import inspect


class DriftedSynthesizer:
    """An SDV-style LSTM adapter whose ``patience`` default drifted and with an unknown name."""

    def __init__(
        self, metadata: object, epochs: int = 100, patience: int | None = None, stop: int = 3
    ) -> None:
        self.metadata = metadata


def _without(adapter: type, name: str) -> type:
    """``adapter`` whose signature lacks ``name`` (the core's default then always applies)."""
    signature = inspect.signature(adapter.__init__)
    kept = [p for p in signature.parameters.values() if p.name != name]

    class Short(adapter):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)

    Short.__init__.__signature__ = signature.replace(parameters=kept)  # type: ignore[attr-defined]
    return Short


def med_vae_without_clipvalue() -> type:
    """The SDV Med-VAE adapter as it was: no ``clipvalue``, every default right."""
    from synth_plugins.sdv.med_vae import MedVAESynthesizer

    return _without(MedVAESynthesizer, "clipvalue")


MedVAEWithoutClipvalue = med_vae_without_clipvalue()

"""Adapters broken on purpose, for the check that adapter defaults equal the core's."""

from __future__ import annotations


class DriftedSynthesizer:
    """An SDV-style LSTM adapter whose ``patience`` default drifted and with an unknown name."""

    def __init__(
        self, metadata: object, epochs: int = 100, patience: int | None = None, stop: int = 3
    ) -> None:
        self.metadata = metadata

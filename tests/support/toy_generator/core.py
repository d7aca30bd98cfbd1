"""Toy generator core: each column drawn on its own from its training values (step 1).

A host-free class with ``fit(data) -> self`` and ``sample(n, random_state=None)``, built on
``TabularEncoder``; learned state ends with ``_``; the hyper-parameters are keyword-only
with defaults, so the adapters read them from ``__init__.__kwdefaults__``; the fewest
training rows are declared on the class (``MIN_TRAINING_SIZE``) and checked first in ``fit``
by ``check_training_size``; exact copies of training rows are held to the natural collision
rate by ``CopyFilter``. Every encoded block is a bootstrap of its own column (numbers
jittered by ``bandwidth``): the columns come out independent, a deliberately weak model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np
import pandas as pd

from synth_plugins.encoding.tabular import MissingPolicy, TabularEncoder
from synth_plugins.errors import NotFittedError
from synth_plugins.generators.privacy import CopyFilter
from synth_plugins.validation import (
    TrainingUnit,
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_random_state,
    check_training_size,
)


class ToyMarginals:
    """Independent, smoothed marginals of a mixed-type table.

    Args:
        roles: role per column; columns not named are inferred.
        bandwidth: standard deviation of the noise added to numbers, on the [0, 1] scale.
        missing: the encoder's missing-value policy.
        redraw_copies: replace copies of training rows beyond the natural collision rate.
        random_state: seed of the sampling stream.
    """

    #: The fewest training rows the model fits (a bootstrap of one row copies it);
    #: ``fit`` refuses fewer (:func:`~synth_plugins.validation.check_training_size`).
    MIN_TRAINING_SIZE: ClassVar[int] = 2
    #: What the training size counts.
    TRAINING_UNIT: ClassVar[TrainingUnit] = "rows"

    def __init__(
        self,
        roles: Mapping[str, str] | None = None,
        *,
        bandwidth: float = 0.05,
        missing: MissingPolicy = "indicator",
        redraw_copies: bool = True,
        random_state: int | None = 0,
    ) -> None:
        self.roles = dict(roles) if roles is not None else None
        self.bandwidth = check_float("bandwidth", bandwidth, minimum=0.0)
        self.missing: MissingPolicy = check_choice(
            "missing", missing, ("indicator", "impute", "error")
        )
        self.redraw_copies = check_bool("redraw_copies", redraw_copies)
        self.random_state = check_random_state("random_state", random_state)
        self.encoder_: TabularEncoder | None = None
        self.matrix_: np.ndarray | None = None
        self.copy_filter_: CopyFilter | None = None
        self._sample_rng = np.random.default_rng(self.random_state)

    def fit(self, data: pd.DataFrame) -> ToyMarginals:
        """Encode ``data`` and keep its encoded rows (the marginals)."""
        check_training_size("Toy marginals", len(data), self.MIN_TRAINING_SIZE, self.TRAINING_UNIT)
        encoder = TabularEncoder(self.roles, self.missing).fit(data)
        self.matrix_ = encoder.transform(data)
        self.encoder_ = encoder
        roles = {spec.name: spec.role for spec in encoder.specs}
        self.copy_filter_ = CopyFilter("toy_marginals").fit(data, roles)
        self.set_random_state(self.random_state)
        return self

    def set_random_state(self, random_state: int | None) -> None:
        """Restart the stream of seeds used by ``sample`` calls without ``random_state``.

        The stream also depends on the model's own ``random_state``: SDV restarts it with
        one fixed seed before sampling, and fitting draws nothing random here, so without
        it two fits with different ``random_state`` would sample the same rows.
        """
        seed = check_random_state("random_state", random_state)
        entropy = None if seed is None else [seed, self.random_state or 0]
        self._sample_rng = np.random.default_rng(entropy)

    def sample(self, n: int, random_state: int | None = None) -> pd.DataFrame:
        """``n`` rows with the training columns and dtypes (0 gives an empty table)."""
        if self.encoder_ is None:
            raise NotFittedError("ToyMarginals is not fitted; call fit(data) first")
        n = check_int("n", n, minimum=0)
        seed = check_random_state("random_state", random_state)
        if seed is None:
            seed = int(self._sample_rng.integers(0, 2**32))
        rng = np.random.default_rng(seed)
        frame = self._draw(n, rng)
        if self.redraw_copies and self.copy_filter_ is not None and n:
            frame = self.copy_filter_.redraw(frame, lambda k: self._draw(k, rng), rng)
        for spec in self.encoder_.specs:
            if spec.role == "identifier":  # fresh keys for the rows kept and redrawn alike
                frame[spec.name] = self.encoder_.fresh_keys(spec.name, n).to_numpy()
        return frame

    def _draw(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        assert self.encoder_ is not None and self.matrix_ is not None
        matrix = np.empty((n, self.matrix_.shape[1]))
        for block in self.encoder_.blocks:
            part = self.matrix_[rng.integers(0, len(self.matrix_), n), block.start : block.stop]
            if block.kind == "numerical":
                part = part + rng.normal(0.0, self.bandwidth, part.shape)
            matrix[:, block.start : block.stop] = part
        return self.encoder_.inverse_transform(matrix)

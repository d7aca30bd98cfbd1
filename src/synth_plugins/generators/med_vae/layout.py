"""Where each Med-VAE input and output lives in the ``TabularEncoder`` matrix."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from synth_plugins.encoding.tabular import TabularEncoder
from synth_plugins.generators.med_vae.transforms import Transform


@dataclass(frozen=True)
class Layout:
    """Column positions of the binary, numerical and categorical blocks of the encoded matrix."""

    binary_index: np.ndarray  # binary blocks and missingness indicators
    numerical_index: np.ndarray
    categorical_columns: tuple[str, ...]
    categorical_blocks: tuple[tuple[int, int], ...]
    n_features: int
    #: Numerical columns that have a missingness indicator (positions among the numerical
    #: columns) and where that indicator sits among the binary columns, pairwise.
    masked_numerical: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    masked_binary: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def cardinalities(self) -> tuple[int, ...]:
        """Number of levels of each categorical column."""
        return tuple(stop - start for start, stop in self.categorical_blocks)

    @classmethod
    def from_encoder(cls, encoder: TabularEncoder) -> Layout:
        """Read the layout from a fitted encoder's ``blocks``."""
        binary, numerical, columns, blocks = [], [], [], []
        numerical_columns: list[str] = []
        indicators: dict[str, int] = {}  # column -> its indicator's place among binaries
        for block in encoder.blocks:
            if block.kind in ("binary", "missing"):
                if block.kind == "missing":
                    indicators[block.column] = len(binary)
                binary.append(block.start)
            elif block.kind == "numerical":
                numerical.append(block.start)
                numerical_columns.append(block.column)
            else:
                columns.append(block.column)
                blocks.append((block.start, block.stop))
        masked = [j for j, column in enumerate(numerical_columns) if column in indicators]
        return cls(
            np.asarray(binary, dtype=np.int64), np.asarray(numerical, dtype=np.int64),
            tuple(columns), tuple(blocks), encoder.n_features,
            np.asarray(masked, dtype=np.int64),
            np.asarray([indicators[numerical_columns[j]] for j in masked], dtype=np.int64),
        )  # fmt: skip

    def observed(self, x_cont: torch.Tensor) -> torch.Tensor | None:
        """1 where a numerical value of ``x_cont = [binary | numerical]`` was observed, else 0.

        None when no numerical column has missing values. A missing value's position holds
        the encoder's fill (the training median), which is not data: the numerical loss
        and the decoder's residual spread skip it.
        """
        if not len(self.masked_numerical):
            return None
        mask = torch.ones_like(x_cont[:, len(self.binary_index) :])
        mask[:, self.masked_numerical] = 1 - x_cont[:, self.masked_binary]
        return mask

    def numerical(
        self, encoder: TabularEncoder, data: pd.DataFrame
    ) -> tuple[np.ndarray, np.ndarray]:
        """The min-max scaled numerical columns of ``data`` and where they were observed.

        What a transform is fitted on: the observed values only (a missing value's place
        holds the fill, a point mass that is not data).
        """
        matrix = encoder.transform(data)
        values = matrix[:, self.numerical_index]
        observed = np.ones(values.shape, dtype=bool)
        indicators = self.binary_index[self.masked_binary]
        observed[:, self.masked_numerical] = matrix[:, indicators] == 0
        return values, observed

    def inputs(
        self, encoder: TabularEncoder, data: pd.DataFrame, transform: Transform
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``x_cont = [binary | transformed numerical]`` (float32) and level codes (int64)."""
        matrix = encoder.transform(data)
        numerical = transform.forward(matrix[:, self.numerical_index])
        x_cont = np.concatenate([matrix[:, self.binary_index], numerical], axis=1).astype(
            np.float32
        )
        codes = np.zeros((len(data), len(self.categorical_columns)), dtype=np.int64)
        for j, column in enumerate(self.categorical_columns):
            codes[:, j] = encoder.codes(data, column)
        return torch.from_numpy(np.ascontiguousarray(x_cont)), torch.from_numpy(codes)

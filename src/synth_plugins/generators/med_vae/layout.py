"""Where each Med-VAE input and output lives in the ``TabularEncoder`` matrix."""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def cardinalities(self) -> tuple[int, ...]:
        """Number of levels of each categorical column."""
        return tuple(stop - start for start, stop in self.categorical_blocks)

    @classmethod
    def from_encoder(cls, encoder: TabularEncoder) -> Layout:
        """Read the layout from a fitted encoder's ``blocks``."""
        binary, numerical, columns, blocks = [], [], [], []
        for block in encoder.blocks:
            if block.kind in ("binary", "missing"):
                binary.append(block.start)
            elif block.kind == "numerical":
                numerical.append(block.start)
            else:
                columns.append(block.column)
                blocks.append((block.start, block.stop))
        return cls(
            np.asarray(binary, dtype=np.int64), np.asarray(numerical, dtype=np.int64),
            tuple(columns), tuple(blocks), encoder.n_features,
        )  # fmt: skip

    def numerical(self, encoder: TabularEncoder, data: pd.DataFrame) -> np.ndarray:
        """The min-max scaled numerical columns of ``data`` (what a transform is fitted on)."""
        return encoder.transform(data)[:, self.numerical_index]

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

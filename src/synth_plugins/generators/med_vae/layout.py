"""Where each Med-VAE input and output lives in the ``TabularEncoder`` matrix."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import torch

from synth_plugins.encoding.tabular import TabularEncoder
from synth_plugins.generators.med_vae.transforms import Transform


@dataclass(frozen=True)
class Layout:
    """Column positions of the binary, numerical and categorical blocks of the encoded matrix.

    The network's ``x_cont`` is ``[binary | point masses | transformed numerical]``.
    """

    binary_index: np.ndarray  # binary blocks and missingness indicators
    numerical_index: np.ndarray
    categorical_columns: tuple[str, ...]
    categorical_blocks: tuple[tuple[int, int], ...]
    n_features: int
    #: Numerical columns that have a missingness indicator (positions among the numerical
    #: columns) and where that indicator sits among the binary columns, pairwise.
    masked_numerical: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    masked_binary: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: Numerical columns with a point mass (positions among the numerical columns) and the
    #: min-max scaled value of each mass; each has a 0/1 column after the encoder's binaries.
    mass_numerical: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    mass_values: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))

    @property
    def n_binary(self) -> int:
        """Width of the binary block of ``x_cont``: the encoder's binaries, then the masses."""
        return len(self.binary_index) + len(self.mass_numerical)

    @staticmethod
    def plain_binary(encoder: TabularEncoder) -> np.ndarray:
        """Positions among the binary outputs of the binary columns themselves.

        The other binary outputs are missingness indicators (of a column of any type) and
        point masses (after the encoder's binaries). Read from ``encoder.blocks`` in the
        order :meth:`from_encoder` lays the binary outputs out.
        """
        kinds = [block.kind for block in encoder.blocks if block.kind in ("binary", "missing")]
        return np.flatnonzero(np.asarray([kind == "binary" for kind in kinds], dtype=bool))

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
        """1 where a numerical value of ``x_cont`` is a target, else 0; None if all are.

        Not a target: a missing value's position, which holds the encoder's fill (the
        training median, not data), and a value at its column's point mass, which the
        mass's 0/1 output carries. The numerical loss and the residual spread skip both.
        """
        if not len(self.masked_numerical) and not len(self.mass_numerical):
            return None
        mask = torch.ones_like(x_cont[:, self.n_binary :])
        mask[:, self.masked_numerical] = 1 - x_cont[:, self.masked_binary]
        at_mass = x_cont[:, len(self.binary_index) : self.n_binary]
        mask[:, self.mass_numerical] = mask[:, self.mass_numerical] * (1 - at_mass)
        return mask

    def with_point_masses(
        self, encoder: TabularEncoder, data: pd.DataFrame, share: float
    ) -> Layout:
        """This layout with a point mass for each numerical column that has one.

        A column has one when its most frequent value holds at least ``share`` of its
        observed training values (and is not its only value). A continuous output with
        Gaussian noise cannot put a share of rows on one value next to a gap (pima's zeros
        coding "not measured"): the mass becomes a 0/1 output of its own, and the numerical
        output models the other values.
        """
        values, observed = self.numerical(encoder, data)
        columns, masses = [], []
        for j in range(values.shape[1]):
            distinct, counts = np.unique(values[observed[:, j], j], return_counts=True)
            if len(distinct) > 1 and counts.max() >= share * counts.sum():
                columns.append(j)
                masses.append(distinct[counts.argmax()])
        return replace(
            self,
            mass_numerical=np.asarray(columns, dtype=np.int64),
            mass_values=np.asarray(masses, dtype=np.float64),
        )

    def at_mass(self, values: np.ndarray, observed: np.ndarray) -> np.ndarray:
        """0/1 per point mass: the row's observed value is the mass (rows x masses)."""
        columns = self.mass_numerical
        return observed[:, columns] & (values[:, columns] == self.mass_values)

    def numerical(
        self, encoder: TabularEncoder, data: pd.DataFrame
    ) -> tuple[np.ndarray, np.ndarray]:
        """The min-max scaled numerical columns of ``data`` and where each is a target.

        What a transform is fitted on: the observed values that are not at the column's
        point mass (a missing value's place holds the fill, which is not data; a mass is
        its own 0/1 output).
        """
        matrix = encoder.transform(data)
        values, present = self._present(matrix)
        targets = present.copy()
        targets[:, self.mass_numerical] &= ~self.at_mass(values, present)
        return values, targets

    def inputs(
        self, encoder: TabularEncoder, data: pd.DataFrame, transform: Transform
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``x_cont = [binary | point masses | transformed numerical]`` and level codes.

        ``x_cont`` is float32, the codes int64.
        """
        matrix = encoder.transform(data)
        values, present = self._present(matrix)
        parts = [matrix[:, self.binary_index], self.at_mass(values, present)]
        x_cont = np.concatenate([*parts, transform.forward(values)], axis=1).astype(np.float32)
        codes = np.zeros((len(data), len(self.categorical_columns)), dtype=np.int64)
        for j, column in enumerate(self.categorical_columns):
            codes[:, j] = encoder.codes(data, column)
        return torch.from_numpy(np.ascontiguousarray(x_cont)), torch.from_numpy(codes)

    def _present(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The numerical columns of an encoded ``matrix`` and where they are not missing."""
        values = matrix[:, self.numerical_index]
        present = np.ones(values.shape, dtype=bool)
        present[:, self.masked_numerical] = matrix[:, self.binary_index[self.masked_binary]] == 0
        return values, present

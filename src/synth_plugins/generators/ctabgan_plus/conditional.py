"""The conditional vector and training-by-sampling of CTAB-GAN+.

The conditional vector is one one-hot over all *discrete blocks*: the categorical columns
and the modes of numeric columns that have special values or a missing mode. Each training
step picks, per row, a block uniformly and a level of it with probability proportional to
``log(1 + count)`` (so rare levels are seen), then a real row holding that level; the
generator is asked for that level and penalised (cross-entropy) when it does not produce it.
At generation time levels follow their training frequencies, or a user's condition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth_plugins.generators.ctabgan_plus.transformer import MixedTypeTransformer


@dataclass(frozen=True)
class DiscreteBlock:
    """One block of the conditional vector: a column's one-hot part."""

    column: str
    start: int  # position of the one-hot part in the encoded matrix
    stop: int
    offset: int  # position in the conditional vector

    @property
    def width(self) -> int:
        """Number of levels (or modes)."""
        return self.stop - self.start


class ConditionalSampler:
    """Draw conditional vectors (and matching real rows) from an encoded training matrix.

    Args:
        transformer: the fitted transformer (gives the discrete blocks).
        matrix: the encoded training matrix.
    """

    def __init__(self, transformer: MixedTypeTransformer, matrix: np.ndarray) -> None:
        blocks, offset = [], 0
        for plan in transformer.plans:
            if plan.has_discrete_modes and plan.one_hot is not None:
                start, stop = plan.one_hot
                blocks.append(DiscreteBlock(plan.name, start, stop, offset))
                offset += stop - start
        self.blocks: tuple[DiscreteBlock, ...] = tuple(blocks)
        self.width = offset
        #: level of every training row in every block, shape (n_rows, n_blocks)
        self.levels = (
            np.stack([matrix[:, b.start : b.stop].argmax(1) for b in blocks], axis=1).astype(
                np.int64
            )
            if blocks
            else np.zeros((len(matrix), 0), dtype=np.int64)
        )
        self._frequency: list[np.ndarray] = []
        self._log_frequency: list[np.ndarray] = []
        self._rows: list[list[np.ndarray]] = []
        for j, block in enumerate(blocks):
            counts = np.bincount(self.levels[:, j], minlength=block.width).astype(float)
            self._frequency.append(counts / counts.sum())
            log_counts = np.log1p(counts)
            self._log_frequency.append(log_counts / log_counts.sum())
            self._rows.append([np.flatnonzero(self.levels[:, j] == k) for k in range(block.width)])

    def block(self, column: str) -> DiscreteBlock | None:
        """The conditional block of a column, if it has one."""
        return next((b for b in self.blocks if b.column == column), None)

    def index(self, column: str) -> int:
        """Position of a column's block in ``blocks``."""
        return next(j for j, b in enumerate(self.blocks) if b.column == column)

    def _vectors(self, block_ids: np.ndarray, levels: np.ndarray) -> np.ndarray:
        cond = np.zeros((len(block_ids), self.width), dtype=np.float32)
        offsets = np.asarray([b.offset for b in self.blocks], dtype=np.int64)
        if len(block_ids):
            cond[np.arange(len(block_ids)), offsets[block_ids] + levels] = 1.0
        return cond

    def _draw(self, n: int, rng: np.random.Generator, log: bool) -> tuple[np.ndarray, ...]:
        block_ids = rng.integers(0, len(self.blocks), n)
        levels = np.zeros(n, dtype=np.int64)
        table = self._log_frequency if log else self._frequency
        for j in np.unique(block_ids):
            chosen = block_ids == j
            levels[chosen] = rng.choice(len(table[j]), int(chosen.sum()), p=table[j])
        return block_ids, levels

    def sample_train(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """Training-by-sampling: ``(cond, block_ids, levels, real_rows)`` for ``n`` rows."""
        block_ids, levels = self._draw(n, rng, log=True)
        rows = np.empty(n, dtype=np.int64)
        for i, (j, k) in enumerate(zip(block_ids, levels)):
            candidates = self._rows[j][k]
            rows[i] = candidates[rng.integers(len(candidates))]
        return self._vectors(block_ids, levels), block_ids, levels, rows

    def sample_original(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """``(cond, block_ids, levels)`` with levels at their training frequencies."""
        block_ids, levels = self._draw(n, rng, log=False)
        return self._vectors(block_ids, levels), block_ids, levels

    def own_levels(self, levels: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """``(cond, block_ids, levels)`` naming each given row's own level in a random block.

        ``levels`` are rows of :attr:`levels`. The vector of a row depends on that row only,
        which the DP mode needs (per-row sensitivity).
        """
        block_ids = rng.integers(0, len(self.blocks), len(levels))
        own = levels[np.arange(len(levels)), block_ids] if len(levels) else block_ids
        return self._vectors(block_ids, own), block_ids, own

    def fixed(self, column: str, level: int, n: int) -> tuple[np.ndarray, ...]:
        """``(cond, block_ids, levels)`` asking every row for one level of one column."""
        j = self.index(column)
        block_ids = np.full(n, j, dtype=np.int64)
        levels = np.full(n, level, dtype=np.int64)
        return self._vectors(block_ids, levels), block_ids, levels

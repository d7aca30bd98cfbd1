"""Training sequences: flat visit tensors, the per-patient index and padded batches."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import torch

from synth_plugins.generators import _nn
from synth_plugins.generators.longitudinal_lstm._layout import VisitColumn
from synth_plugins.long_format import PatientIndex


class ValueRegression(NamedTuple):
    """A numerical column's value on its previous value and running mean.

    ``value ≈ a + slope (previous - centre) + mean_slope (running mean - centre)``
    (:meth:`Sequences.value_regression`); ``log_sd_ratio`` is the log of the residual SD over
    the SD of every observed value, ``residual`` the residuals over that SD (the start of a
    scale-mixture residual: :func:`~._network.scale_mixture_fit`).
    """

    centre: float
    slope: float
    mean_slope: float
    log_sd_ratio: float
    residual: np.ndarray


#: The running mean is a second regressor only with at least this many visit pairs whose
#: previous visit is not the patient's first (elsewhere it equals the previous value) ...
MIN_MEAN_PAIRS = 20
#: ... and while the two regressors are this far from collinear (condition number of the
#: centred design; 30 is a correlation of about 0.998): a near-collinear fit gave slopes
#: such as -1.6 and +2.5 that cancel (code review).
MAX_CONDITION = 30.0
#: The residual SD the regression starts at is at least this share of the column's SD (a
#: fit through three pairs is exact and would start later visits without noise).
MIN_SD_RATIO = 0.05


def running_means(
    visits: np.ndarray, columns: tuple[VisitColumn, ...], index: PatientIndex
) -> np.ndarray:
    """Per visit and numerical column, the mean of the patient's observed values so far.

    The mean of the values observed at this visit and the patient's earlier visits (0 until
    one is observed; 0 for other columns). A patient's own level, which a lag-1 regression
    around the table's centre forgets: real lab values keep much of it over years (PBC's
    bilirubin, see the method card).
    """
    means = np.zeros((len(visits), len(columns)), dtype=np.float32)
    patient_start = np.repeat(index.starts, index.lengths)
    for position, column in enumerate(columns):
        if column.kind != "numerical":
            continue
        observed = column.observed(visits).astype(np.float64)
        sums = np.cumsum(visits[:, column.start] * observed)
        counts = np.cumsum(observed)
        before = patient_start - 1  # the cumulative sums up to the patient's first row
        sums -= np.where(before >= 0, sums[np.maximum(before, 0)], 0.0)
        counts -= np.where(before >= 0, counts[np.maximum(before, 0)], 0.0)
        means[:, position] = np.where(counts > 0, sums / np.maximum(counts, 1.0), 0.0)
    return means


@dataclass
class Sequences:
    """Flat visit tensors plus the per-patient index, and padded batch assembly."""

    visits: np.ndarray  # (n_visits, F) encoded visits
    gap_feature: np.ndarray  # (n_visits,) standardised log gap before the visit (0: first)
    since_first: np.ndarray  # (n_visits,) time since the first visit / time_scale
    last: np.ndarray  # (n_visits,) whether the visit is its patient's last
    running_means: np.ndarray  # (n_visits, columns) see :func:`running_means`
    static: np.ndarray  # (n_patients, S)
    index: PatientIndex
    train_patients: np.ndarray
    val_patients: np.ndarray
    visible: np.ndarray  # (F,) 1 where step inputs carry the visit, 0 on look-ahead columns

    @classmethod
    def build(
        cls,
        visits: np.ndarray,
        static: np.ndarray,
        times: np.ndarray,
        index: PatientIndex,
        meta: Mapping[str, Any],
        validation_fraction: float,
        split_seed: int,
        visible: np.ndarray,
        columns: tuple[VisitColumn, ...],
    ) -> Sequences:
        """Derive gap, time and running-mean features; split training and validation patients.

        ``visible`` is the network's mask of what it reads of a visit (``VisitLSTM.visible``);
        ``columns`` its visit columns, whose numerical ones get running means.
        """
        position = index.position_of_row()
        first_time = np.repeat(times[index.starts], index.lengths)
        gaps = np.zeros_like(times)
        gaps[1:] = np.diff(times)
        gap_feature = np.where(
            position > 0,
            (np.log(np.maximum(gaps, 1e-12)) - meta["log_gap_mean"]) / meta["log_gap_sd"],
            0.0,
        )
        since_first = (times - first_time) / meta["time_scale"]
        if validation_fraction > 0:
            train, val = _nn.split_rows(
                index.n_patients, validation_fraction, split_seed, unit="patients"
            )
        else:
            train, val = np.arange(index.n_patients), np.zeros(0, dtype=np.int64)
        return cls(
            visits=np.ascontiguousarray(visits, dtype=np.float32),
            gap_feature=gap_feature.astype(np.float32),
            since_first=since_first.astype(np.float32),
            last=index.is_last_row(),
            running_means=running_means(visits, columns, index),
            static=np.ascontiguousarray(static, dtype=np.float32),
            index=index,
            train_patients=train,
            val_patients=val,
            visible=np.asarray(visible, dtype=np.float32),
        )

    def repeat_rate(self, column: VisitColumn) -> float | None:
        """Share of consecutive visit pairs with the same level of a categorical column."""
        later = self.position() > 0
        if not later.any():
            return None
        block = self.visits[:, column.start : column.stop].argmax(1)
        index = np.flatnonzero(later)
        return float(np.mean(block[index] == block[index - 1]))

    def value_regression(self, position: int, column: VisitColumn) -> ValueRegression | None:
        """Least-squares fit of a numerical column on its previous value and running mean.

        Over consecutive visit pairs of a patient with both values observed, the value is
        regressed on the previous visit's value and on the mean of the patient's values up
        to it (:func:`running_means`; ``position`` is the column's). Where the two regressors
        cannot be told apart (fewer than :data:`MIN_MEAN_PAIRS` pairs after a patient's
        second visit, or a design past :data:`MAX_CONDITION`), the fit is on the previous
        value alone and the running mean's slope is 0. None with fewer than 3 pairs or no
        spread in the earlier values.
        """
        later = np.flatnonzero(self.position() > 0)
        value = self.visits[:, column.start].astype(np.float64)
        observed = column.observed(self.visits)
        later = later[observed[later] & observed[later - 1]]
        if later.size < 3:
            return None
        value_sd = float(value[observed].std())
        now, before = value[later], value[later - 1]
        if float(before.var()) <= 1e-12:
            return None
        mean = self.running_means[later - 1, position].astype(np.float64)
        centre = float(before.mean())
        design = np.column_stack([np.ones_like(now), before - centre, mean - centre])
        informative = int(np.sum(self.position()[later - 1] > 0))
        centred = design[:, 1:] - design[:, 1:].mean(0)
        singular = np.linalg.svd(centred, compute_uv=False)
        if informative < MIN_MEAN_PAIRS or singular[-1] * MAX_CONDITION < singular[0]:
            design = design[:, :2]
        coef, *_ = np.linalg.lstsq(design, now, rcond=None)
        residual = now - design @ coef
        sd_ratio = max(float(residual.std()), 1e-3) / max(value_sd, 1e-3)
        mean_slope = float(coef[2]) if coef.size == 3 else 0.0
        return ValueRegression(
            centre, float(coef[1]), mean_slope, math.log(max(sd_ratio, MIN_SD_RATIO)),
            residual / max(value_sd, 1e-3),
        )  # fmt: skip

    def move_rates(self, column: VisitColumn, radius: int) -> tuple[np.ndarray, float] | None:
        """Shares of moves of ``+radius .. -radius`` levels, and of larger moves.

        Moves are between consecutive visits of an ordinal column; None without any.
        """
        later = self.position() > 0
        if not later.any():
            return None
        block = self.visits[:, column.start : column.stop].argmax(1)
        index = np.flatnonzero(later)
        moves = block[index] - block[index - 1]
        shares = np.array([np.mean(moves == d) for d in range(radius, -radius - 1, -1)])
        return shares, float(np.mean(np.abs(moves) > radius))

    @property
    def starts(self) -> np.ndarray:
        """The first visit of each patient."""
        return self.index.starts

    @property
    def lengths(self) -> np.ndarray:
        """The number of visits of each patient."""
        return self.index.lengths

    def position(self) -> np.ndarray:
        """The visit number within its patient (0-based) of every visit."""
        return self.index.position_of_row()

    def batches(
        self, patients: np.ndarray, batch_size: int, rng: np.random.Generator
    ) -> list[np.ndarray]:
        """Shuffled batches of patients.

        Batches are not bucketed by length: with gradient clipping, batches of long
        sequences would be clipped more than batches of short ones and the stop rate would be
        biased. Packed sequences make the LSTM skip padding anyway.
        """
        if patients.size == 0:
            return []
        order = patients[rng.permutation(patients.size)]
        return [order[i : i + batch_size] for i in range(0, order.size, batch_size)]

    def gather(self, batch: np.ndarray, device: torch.device) -> dict[str, torch.Tensor]:
        """Padded step inputs and flattened targets of a batch of patients.

        A patient with ``K`` visits has ``K + 1`` steps: the inputs are ``BOS, v_1..v_K``;
        step ``k < K`` predicts visit ``k + 1``; steps ``1..K`` carry the stop target (1 at
        step ``K``). Inputs carry the visits masked by ``visible``; targets whole.
        """
        lengths = self.lengths[batch]
        n, width = len(batch), self.visits.shape[1]
        steps = lengths + 1
        t_max = int(steps.max())
        k = np.arange(t_max - 1)
        valid = k[None, :] < lengths[:, None]  # (n, T-1): visit k exists
        rows = np.where(valid, self.starts[batch][:, None] + k[None, :], 0)
        visit_pad = self.visits[rows] * valid[..., None] * self.visible
        gap_pad = self.gap_feature[rows] * valid
        since_pad = self.since_first[rows] * valid
        inputs = np.zeros((n, t_max, width + 3 + self.static.shape[1]), dtype=np.float32)
        inputs[:, 1:, :width] = visit_pad
        inputs[:, 1:, width] = gap_pad
        inputs[:, 1:, width + 1] = since_pad
        inputs[:, 0, width + 2] = 1.0
        inputs[:, :, width + 3 :] = self.static[batch][:, None, :]
        visit_rows, visit_cols = np.nonzero(valid)
        flat = rows[visit_rows, visit_cols]
        stop_valid = (np.arange(t_max)[None, :] >= 1) & (
            np.arange(t_max)[None, :] <= lengths[:, None]
        )
        stop_rows, stop_cols = np.nonzero(stop_valid)
        as_tensor = lambda a, dtype=torch.float32: torch.as_tensor(a, dtype=dtype, device=device)  # noqa: E731
        tensors = {
            "inputs": torch.from_numpy(inputs).to(device),
            "static": as_tensor(self.static[batch]),
            "steps": as_tensor(steps, torch.int64),
            "visit_rows": as_tensor(visit_rows, torch.int64),
            "visit_cols": as_tensor(visit_cols, torch.int64),
            "target": as_tensor(self.visits[flat]),
            "gap": as_tensor(self.gap_feature[flat]),
            # the running means up to the previous visit (0 before the first visit)
            "running_mean": as_tensor(
                np.where((visit_cols > 0)[:, None], self.running_means[flat - 1], 0.0)
            ),
            "first": as_tensor((visit_cols == 0).astype(np.float32)),
            "last": as_tensor(self.last[flat].astype(np.float32)),
            "stop_rows": as_tensor(stop_rows, torch.int64),
            "stop_cols": as_tensor(stop_cols, torch.int64),
            "stop_target": as_tensor((stop_cols == lengths[stop_rows]).astype(np.float32)),
        }
        return tensors

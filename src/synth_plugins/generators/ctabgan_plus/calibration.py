"""Level calibration of CTAB-GAN+: offsets on the categorical logits so level shares match training.

Sampling draws each categorical level from the generator's softmax (Gumbel-max), as the
paper and the reference code do. On a small table a budget of 300 epochs of one batch (the
default before ``epochs="auto"``) leaves that softmax close to flat, so every level gets a
floor of a few per cent of the rows however rare it is: a level one of 301 training rows
holds (0.33 %) came out on 5.1 % of generated rows (0.36 % calibrated), and the levels'
total variation distance to training was 0.08 (0.01 calibrated; method card, *Level
calibration*). A rare level is often the identifying one, so the floor is a fidelity and a
privacy problem.

The calibration adds one offset per level to the generator's logits of each categorical
column, the same for every row, chosen so that the level shares of generated rows equal the
training shares. With Gumbel-max sampling a row draws level ``k`` with probability
``softmax(raw + offset)_k``, so the expected share of level ``k`` is the mean of that
probability over the generator's outputs. The offsets are found on a fixed set of outputs
(``CALIBRATION_ROWS`` rows generated as ``sample`` does, the conditional vector at the
training frequencies) by the fixed-point iteration ``offset += log(target / share)``, which
is iterative proportional fitting of a softmax mean: each step matches the shares exactly
for the current row weights and converges in a few dozen steps. Within a row, levels keep
the order of the generator's logits, so what the generator learnt about a level's relation
to the other columns is kept; only how often each level is drawn changes.

The missing mode of a numeric column is calibrated the same way, as a two-level column:
missing against every other mode. Left to the generator, its share was off by 7 to 14 points
on ``urin1`` of the RHC study (53 % missing in training; 43 % to 66 % generated over seeds
and budgets, 51 % to 53 % calibrated). One offset goes on the missing mode and one on all
other modes, so those keep their relative odds. The other modes are not calibrated one by
one: a row's ``alpha`` is generated for the mode the generator picks, and moving it to
another continuous mode puts that ``alpha`` in the wrong place (method card).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from synth_plugins.generators.ctabgan_plus.transformer import ColumnPlan

#: Generated rows on which the offsets are fitted.
CALIBRATION_ROWS = 20_000
#: Most fixed-point steps, and the largest share error (absolute) that stops them.
MAX_STEPS = 200
TOLERANCE = 1e-4
#: Offsets stay within this many nats of the generator's logits (a level the generator
#: never gives cannot be forced onto rows with an infinite offset).
MAX_OFFSET = 10.0


def share_groups(plan: ColumnPlan) -> torch.Tensor | None:
    """The group of each one-hot slot of a column whose share the calibration matches.

    A categorical column: each level (and the missing slot) is a group of its own. A numeric
    column with a missing mode: the missing mode (group 1) and all its other modes (group 0).
    None for a column the calibration leaves alone (numeric without missing values).
    """
    if plan.one_hot is None:
        return None
    start, stop = plan.one_hot
    if plan.is_categorical:
        return torch.arange(stop - start)
    if not plan.has_missing:
        return None
    groups = torch.zeros(stop - start, dtype=torch.int64)
    groups[len(plan.special)] = 1  # the missing mode follows the special values
    return groups


def group_sums(values: torch.Tensor, groups: torch.Tensor, n_groups: int) -> torch.Tensor:
    """The sum of ``values`` (one per slot, float64) within each of ``n_groups`` groups.

    ``groups`` holds each slot's group (see :func:`share_groups`): summed slot shares are
    group shares.
    """
    return torch.zeros(n_groups, dtype=torch.float64).index_add(0, groups, values)


def level_offsets(
    raw: torch.Tensor,
    spans: Sequence[tuple[int, int]],
    targets: Sequence[torch.Tensor],
    groups: Sequence[torch.Tensor],
) -> torch.Tensor:
    """Offsets (one per encoded feature, 0 outside ``spans``) that match the group shares.

    Args:
        raw: generator outputs before activation, rows x encoded features.
        spans: ``(start, stop)`` of each calibrated one-hot part.
        targets: per span, the training share of each group (sums to 1).
        groups: per span, the group of each slot (see :func:`share_groups`); a group's
            share is the sum of its slots' and its slots share one offset.

    Returns:
        A float32 vector to add to ``raw`` before the levels are drawn.
    """
    offsets = torch.zeros(raw.shape[1], dtype=torch.float64)
    for index, ((start, stop), target) in enumerate(zip(spans, targets, strict=True)):
        logits = raw[:, start:stop].double()
        target = target.double()
        group = groups[index]
        offset = torch.zeros(stop - start, dtype=torch.float64)
        floor = 0.5 / len(logits)  # a level no row draws still gets a finite step
        for _ in range(MAX_STEPS):
            slot_share = torch.softmax(logits + offset, dim=1).mean(dim=0)
            share = group_sums(slot_share, group, len(target))
            if float((share - target).abs().max()) < TOLERANCE:
                break
            offset += torch.log(target / share.clamp(min=floor))[group]
            offset = (offset - offset.mean()).clamp(-MAX_OFFSET, MAX_OFFSET)
        offsets[start:stop] = offset
    return offsets.float()

"""``reflect_into_range``: generated values brought back inside a column's training range."""

import numpy as np
import torch

from synth_plugins.encoding.tabular import fold_into
from synth_plugins.generators._torch import reflect_into_range


def test_reflect_into_range_folds_reflects_or_leaves_each_end_as_marked():
    """The generators' torch version: both ends marked fold as ``fold_into`` does (so a
    datetime draw 2.5 widths out no longer lands on the earliest training date after one
    reflection and a clip); one end marked reflects once at it; unmarked ends are left to
    the caller's clip (a point mass many rows share)."""
    values = np.array([2.5, -1.5, 3.25, -4.6, 7.9, 10.2, 0.3])
    both = reflect_into_range(torch.tensor(values), 0.0, 1.0, True, True).numpy()
    np.testing.assert_allclose(both, fold_into(values, 0.0, 1.0))
    # per column: both ends, the low end only, no end, and a one-point range (nothing
    # to fold into: the caller's clip gives its value)
    low, high = np.array([0.0, 0.0, 0.0, 5.0]), np.array([1.0, 1.0, 1.0, 5.0])
    rows = torch.tensor([[-0.25, -0.25, -0.25, 4.0], [1.5, 1.5, 1.5, 6.0]], dtype=torch.float32)
    marked_low, marked_high = [True, True, False, True], [True, False, False, True]
    out = reflect_into_range(rows, low, high, np.array(marked_low), np.array(marked_high))
    assert out.dtype == torch.float32
    torch.testing.assert_close(
        out, torch.tensor([[0.25, 0.25, -0.25, 4.0], [0.5, 1.5, 1.5, 4.0]], dtype=torch.float32)
    )


def test_an_infinite_draw_is_left_to_the_clip_not_made_nan():
    """The fold's remainder of an infinite value is NaN, which no clip mends, and a
    reflection at one end sends it to the other infinity, which the clip puts on the
    other end; either way it stays where it is, and the clip puts it on its own end."""
    values = torch.tensor([float("inf"), -float("inf"), float("nan"), 0.5])
    for marks in ((True, True), (True, False), (False, True)):
        out = reflect_into_range(values, 0.0, 1.0, *marks)
        assert out[:2].tolist() == [float("inf"), -float("inf")] and out[3].item() == 0.5
        assert torch.isnan(out[2])
        assert out.clamp(0.0, 1.0)[:2].tolist() == [1.0, 0.0]

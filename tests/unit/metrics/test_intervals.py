"""The one mean-and-interval rule of the metrics."""

import math

import numpy as np
from scipy import stats

from synth_plugins.metrics.intervals import mean_ci


def test_student_t_interval_of_the_mean() -> None:
    values = np.array([1.0, 2.0, 4.0, 7.0])
    mean, low, high = mean_ci(values, 0.9)
    half = stats.t.ppf(0.95, 3) * values.std(ddof=1) / 2.0
    assert mean == 3.5
    assert math.isclose(low, 3.5 - half) and math.isclose(high, 3.5 + half)


def test_one_value_has_no_interval_and_non_finite_values_are_left_out() -> None:
    mean, low, high = mean_ci(np.array([2.0, np.nan, np.inf]))
    assert mean == 2.0 and math.isnan(low) and math.isnan(high)
    assert all(math.isnan(v) for v in mean_ci(np.array([np.nan])))

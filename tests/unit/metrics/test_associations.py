"""Native association measures (dython conventions)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics import (
    association_matrix,
    correlation_ratio,
    cramers_v,
    pearson,
    theils_u,
)
from synth_plugins.metrics.associations import signed_log


def test_correlation_ratio_by_hand() -> None:
    # level means 1.5 and 3.5 around 2.5: between SS 4, total SS 5
    assert correlation_ratio(["a", "a", "b", "b"], [1, 2, 3, 4]) == pytest.approx(math.sqrt(0.8))
    assert correlation_ratio(["a", "b", "a", "b"], [1, 1, 1, 1]) == 0.0


def test_theils_u_by_hand() -> None:
    x = [0, 0, 0, 1]
    y = [0, 0, 1, 1]
    h_x = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    h_x_given_y = 0.5 * math.log(2)  # y = 0: x certain; y = 1: x is a fair coin
    assert theils_u(x, y) == pytest.approx((h_x - h_x_given_y) / h_x)
    assert theils_u([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0)
    assert theils_u([5, 5, 5], [0, 1, 2]) == 1.0  # nothing to explain


def test_cramers_v_by_hand() -> None:
    x = [0] * 10 + [1] * 10
    # a perfect 2 x 2 table: Yates chi2 = 4 * 4.5^2 / 5 = 16.2, n = 20
    phi2 = max(0.0, 16.2 / 20 - 1 / 19)
    denominator = 1 - 1 / 19
    assert cramers_v(x, x) == pytest.approx(math.sqrt(phi2 / denominator))
    assert cramers_v(x, x, bias_correction=False) == pytest.approx(math.sqrt(16.2 / 20))
    assert cramers_v([0, 0, 0], [1, 2, 3]) == 0.0


def test_pearson() -> None:
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert pearson([1, 2, 3], [5, 5, 5]) == 0.0


def test_matrix_orientation_and_single_value_columns() -> None:
    frame = pd.DataFrame(
        {
            "x": [0, 1, 2, 3],
            "y": [0, 0, 1, 1],
            "const": ["k", "k", "k", "k"],
            "num": [1.0, 2.0, 3.0, 4.5],
        }
    )
    matrix = association_matrix(frame, ["x", "y", "const"])
    # row i, column j holds U(j | i): x determines y fully; y halves x's entropy
    assert matrix.loc["x", "y"] == pytest.approx(1.0)
    assert matrix.loc["y", "x"] == pytest.approx(0.5)
    # a single-valued column is 0 everywhere, its diagonal included (dython)
    assert (matrix.loc["const"] == 0).all() and (matrix["const"] == 0).all()
    assert matrix.loc["num", "num"] == 1.0
    assert matrix.loc["y", "num"] == matrix.loc["num", "y"]
    cramer = association_matrix(frame, ["x", "y", "const"], nominal="cramers_v")
    assert cramer.loc["x", "y"] == cramer.loc["y", "x"]


def test_missing_values_are_replaced_first() -> None:
    frame = pd.DataFrame({"g": ["a", None, "a", "b"], "v": [1.0, np.nan, 1.0, 3.0]})
    zero = association_matrix(frame, ["g"], nan_replace_value=0.0)
    minus = association_matrix(frame, ["g"], nan_replace_value=-1.0)
    assert not zero.isna().any().any()
    assert zero.loc["g", "v"] == pytest.approx(1.0)  # the level fully explains v
    assert minus.loc["g", "v"] == pytest.approx(1.0)


def test_errors() -> None:
    with pytest.raises(InvalidDataError, match="non-numeric"):
        association_matrix(pd.DataFrame({"s": ["a", "b"]}), [])
    with pytest.raises(InvalidParameterError, match="nominal"):
        association_matrix(pd.DataFrame({"s": [1, 2]}), [], nominal="phi")  # type: ignore[arg-type]


def test_signed_log() -> None:
    np.testing.assert_allclose(
        signed_log(np.array([0.0, 1.0, -0.5, 0.5])), [0.0, 0.0, math.log(2), -math.log(2)]
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(1, 30),
    nominal=st.sampled_from(["theil_u", "cramers_v"]),
)
def test_matrix_is_bounded_and_never_nan(seed: int, n: int, nominal: str) -> None:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "a": rng.integers(0, 3, n),
            "b": rng.choice(["u", "v", None], n),
            "c": np.where(rng.random(n) < 0.3, np.nan, rng.normal(size=n)),
            "d": rng.integers(0, 2, n).astype(float),
        }
    )
    matrix = association_matrix(frame, ["a", "b"], nominal=nominal)  # type: ignore[arg-type]
    values = matrix.to_numpy()
    assert np.isfinite(values).all()
    assert (values >= -1).all() and (values <= 1).all()
    nominal_block = matrix.loc[["a", "b"], ["a", "b", "c", "d"]].to_numpy()
    assert (nominal_block >= 0).all()


# Golden values: the association matrices dython computes on this frame (dython 0.6.6
# ``compute_associations(..., nominal_columns=["c", "d"], theil_u=True)``, missing -> 0.0;
# dython 0.5.1 ``_comp_assoc`` as the AML code calls it, missing -> -1), rounded to 1e-12.
GOLDEN_FRAME = pd.DataFrame(
    {
        "a": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        "b": [2.0, 1.0, 4.0, 3.0, 6.0, 5.0, 8.0, np.nan],
        "c": ["x", "x", "y", "y", "z", "z", "x", None],
        "d": ["p", "q", "p", "q", "p", "q", "q", "q"],
        "e": [1.0] * 8,
    }
)
DYTHON_066 = [
    [1.0, 0.294963086405, 0.695792342676, 0.507092552837, 0.0],
    [0.294963086405, 1.0, 0.636537206851, 0.116335010149, 0.0],
    [0.695792342676, 0.636537206851, 1.0, 0.115328105262, 0.0],
    [0.507092552837, 0.116335010149, 0.057761759473, 1.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0],
]
DYTHON_051_AML = [
    [1.0, 0.202610224618, 0.695792342676, 0.507092552837, 0.0],
    [0.202610224618, 1.0, 0.698931861576, 0.143838990446, 0.0],
    [0.695792342676, 0.698931861576, 1.0, 0.115328105262, 0.0],
    [0.507092552837, 0.143838990446, 0.057761759473, 1.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0],
]


@pytest.mark.parametrize(("replace", "golden"), [(0.0, DYTHON_066), (-1.0, DYTHON_051_AML)])
def test_golden_dython_matrices(replace: float, golden: list[list[float]]) -> None:
    matrix = association_matrix(GOLDEN_FRAME, ["c", "d"], nan_replace_value=replace)
    np.testing.assert_allclose(matrix.to_numpy(), golden, atol=1e-11)


@pytest.mark.parametrize("value", ["no", "False", 0])
def test_bias_correction_must_be_a_bool(value):
    """A truthy string is refused, not read as True."""
    frame = pd.DataFrame({"a": ["x", "y", "x", "y"], "b": ["u", "u", "v", "v"]})
    with pytest.raises(InvalidParameterError, match="bias_correction"):
        association_matrix(frame, ["a", "b"], nominal="cramers_v", bias_correction=value)
    with pytest.raises(InvalidParameterError, match="bias_correction"):
        cramers_v(frame["a"].to_numpy(), frame["b"].to_numpy(), bias_correction=value)

"""Platzer & Reutterer holdout DCR share (METHODS §4.3)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synth_plugins import catalog
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics import dcr_holdout_share
from synth_plugins.metrics.dcr import (
    binomial_successes,
    dcr_share,
    nndr,
    standardised_share,
    tie_weights,
)

COLS = ["a", "b"]


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLS)


def test_hand_computed_toy_example() -> None:
    train = _frame([(0, 0), (1, 1)])
    holdout = _frame([(0, 1), (2, 2)])
    synthetic = _frame([(0, 0), (2, 2), (1, 0)])
    result = dcr_holdout_share(train, holdout, synthetic, categorical_columns=COLS)
    # DCR to train: 0, 2, 1 (second: 2, 2, 1); to holdout: 1, 0, 2 (second: 2, 2, 2)
    assert result.n_closer_train == 2
    assert result.n_closer_holdout == 1
    assert result.n_ties == 0
    assert result.share == pytest.approx(2 / 3)
    assert result.score == result.share == result.raw_share
    assert result.expected_raw_share == 0.5
    # binomial: P(X >= 2) for X ~ Bin(3, 0.5) = 4 / 8
    assert result.p_value == pytest.approx(0.5)
    assert result.dcr_train_mean == pytest.approx(1.0)
    assert result.dcr_holdout_mean == pytest.approx(1.0)
    assert result.exact_matches_train == 1
    assert result.exact_matches_holdout == 1
    assert result.nndr_train_mean == pytest.approx((0 + 1 + 1) / 3, abs=1e-6)
    assert result.nndr_holdout_mean == pytest.approx((0.5 + 0 + 1) / 3, abs=1e-6)
    # holdout rows scored as synthetic (own row excluded): (0,1) is closer to train,
    # (2,2) ties at 2 -> (1 + 0.5) / 2
    assert result.holdout_reference_share == pytest.approx(0.75)


def test_tie_rule_and_nndr() -> None:
    assert dcr_share(np.array([1, 2, 3]), np.array([2, 2, 1]), 0.5) == pytest.approx(0.5)
    assert dcr_share(np.array([1, 2]), np.array([1, 2]), 0.25) == pytest.approx(0.25)
    per_row = np.array([0.2, 0.6])
    assert dcr_share(np.array([1, 2]), np.array([1, 2]), per_row) == pytest.approx(0.4)
    assert tie_weights(5, 5, np.array([3]), np.array([1])) == 0.5
    np.testing.assert_allclose(tie_weights(5, 2, np.array([3, 1]), np.array([1, 1])), [0.75, 0.5])
    ratios = nndr(np.array([0, 2, 3]), np.array([0, 4, 3]))
    np.testing.assert_allclose(ratios, [1.0, 0.5, 1.0])


def test_binomial_successes_round_an_exact_half_down() -> None:
    """A tie counts 1/2: one row closer to train and one tie are 1 success, not 2."""
    train = _frame([(0, 0), (1, 1)])
    holdout = _frame([(0, 1), (2, 2)])
    synthetic = _frame([(0, 0), (2, 2), (0, 2)])
    result = dcr_holdout_share(train, holdout, synthetic, categorical_columns=COLS)
    assert (result.n_closer_train, result.n_closer_holdout, result.n_ties) == (1, 1, 1)
    assert result.share == pytest.approx(0.5)
    # P(X >= 1) for X ~ Bin(3, 0.5) = 7 / 8 (rounding 1.5 half to even tested X >= 2)
    assert result.p_value == pytest.approx(7 / 8)
    assert binomial_successes(4, 5, 5, np.ones(3), np.ones(3)) == 5
    # ten ties at weight 1/10 are exactly one success (their float sum is 0.999...)
    assert binomial_successes(0, 9, 1, np.full(10, 1), np.full(10, 9)) == 1
    # 2 + 3/4 + 3/4 = 3.5 rounds down; 2 + 3/5 = 2.6 to the nearest, 3
    assert binomial_successes(2, 9, 1, np.array([3, 3]), np.array([1, 1])) == 3
    assert binomial_successes(2, 9, 1, np.array([3]), np.array([2])) == 3
    assert binomial_successes(2, 9, 1, np.array([], int), np.array([], int)) == 2


def _mixed(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    return pd.DataFrame(
        {
            "x": z + rng.normal(size=n),
            "y": np.where(rng.random(n) < 0.1, np.nan, np.exp(z)),
            "g": rng.choice(["a", "b", "c"], n),
            "f": z > 0,
        }
    )


def test_copying_generator_is_detected() -> None:
    train, holdout = _mixed(200, 1), _mixed(200, 2)
    copies = train.sample(n=200, random_state=0).reset_index(drop=True)
    copied = dcr_holdout_share(train, holdout, copies)
    assert copied.share > 0.9
    assert copied.p_value < 1e-6
    assert copied.exact_matches_train == 200
    fresh = dcr_holdout_share(train, holdout, _mixed(200, 3))
    assert abs(fresh.share - 0.5) < 0.1
    assert fresh.p_value > 0.01
    assert abs(fresh.holdout_reference_share - 0.5) < 0.15


def test_every_row_is_scored_and_balance_only_rescales() -> None:
    train, holdout, synthetic = _mixed(50, 4), _mixed(20, 5), _mixed(30, 6)
    balanced = dcr_holdout_share(train, holdout, synthetic)
    unbalanced = dcr_holdout_share(train, holdout, synthetic, balance=False)
    for result in (balanced, unbalanced):
        assert (result.n_train, result.n_holdout) == (50, 20)
        assert result.expected_raw_share == pytest.approx(50 / 70)
    assert unbalanced.share == unbalanced.raw_share == balanced.raw_share
    assert balanced.share == standardised_share(balanced.raw_share, 50 / 70)
    assert balanced.p_value == unbalanced.p_value
    # a holdout larger than the training set is scored whole too
    larger = dcr_holdout_share(holdout, train, synthetic)
    assert (larger.n_train, larger.n_holdout) == (20, 50)
    assert larger.expected_raw_share == pytest.approx(20 / 70)


def test_standardised_share_maps_the_expectation_to_one_half_and_one_to_one() -> None:
    assert standardised_share(0.8, 0.8) == pytest.approx(0.5)
    assert standardised_share(1.0, 0.8) == 1.0
    assert standardised_share(0.86, 0.8) == pytest.approx(0.65)  # 30 % copies at 80/20
    assert standardised_share(0.1, 0.8) == 0.0  # clipped: closer to the holdout
    assert standardised_share(0.3, 0.5) == 0.3  # equal sizes: the share as it is


def test_exact_matches_count_every_row() -> None:
    train, holdout = _mixed(200, 1), _mixed(20, 2)
    copied = dcr_holdout_share(train, holdout, train)
    assert (copied.n_train, copied.n_holdout) == (200, 20)
    assert copied.exact_matches_train == 200
    assert copied.exact_matches_holdout == 0
    swapped = dcr_holdout_share(holdout, train, train)
    assert swapped.exact_matches_holdout == 200
    assert swapped.exact_matches_train == 0


def test_a_full_copy_reads_one_with_a_small_holdout() -> None:
    """Subsampling the training set to a 40-row holdout read a full copy as 0.54-0.56."""
    train, holdout = _mixed(400, 41), _mixed(40, 42)
    copied = dcr_holdout_share(train, holdout, train)
    assert copied.share > 0.95
    assert copied.p_value < 1e-6
    assert copied.holdout_reference_share < 0.7


def test_fresh_rows_read_one_half_with_a_small_holdout() -> None:
    """A generator that never saw the training rows, 400 training rows and 40 holdout rows:
    the standardised share averages 0.5, and 30 % copies read clearly above it (about
    0.54 when the training set was subsampled to the holdout's size)."""
    fresh, copies = [], []
    for seed in range(5):
        train, holdout = _mixed(400, 10 + seed), _mixed(40, 20 + seed)
        synthetic = _mixed(400, 30 + seed)
        fresh.append(dcr_holdout_share(train, holdout, synthetic))
        copied = pd.concat([train.iloc[:120], synthetic.iloc[120:]], ignore_index=True)
        copies.append(dcr_holdout_share(train, holdout, copied))
    assert np.mean([r.share for r in fresh]) == pytest.approx(0.5, abs=0.03)
    assert min(r.p_value for r in fresh) > 0.01
    assert np.mean([r.share for r in copies]) > 0.6


def test_equal_sizes_keep_the_reference_share_bit_for_bit() -> None:
    """Figures of the code that subsampled (nothing to subsample at equal sizes)."""
    result = dcr_holdout_share(_mixed(120, 41), _mixed(120, 42), _mixed(90, 43))
    assert result.share == result.raw_share == 0.4888888888888889
    assert result.p_value == 0.6239833992007024
    assert result.holdout_reference_share == 0.5333333333333333


def test_unbalanced_ties_weigh_the_rows_at_the_tie() -> None:
    train = _frame([(0, 0), (0, 1), (1, 1)])
    holdout = _frame([(1, 0), (2, 2)])
    synthetic = _frame([(0, 2)])
    result = dcr_holdout_share(train, holdout, synthetic, categorical_columns=COLS, balance=False)
    # (0, 2) is at distance 1 from two training rows and from one holdout row
    assert result.n_ties == 1
    assert result.share == result.raw_share == pytest.approx(2 / 3)
    assert result.expected_raw_share == pytest.approx(3 / 5)
    # (1, 0) is closer to train; (2, 2) ties at 2 with 3 training rows and 1 holdout row
    assert result.holdout_reference_share == pytest.approx((1 + 3 / 4) / 2)


def test_unbalanced_share_of_fresh_rows_is_expected_share() -> None:
    """A generator that never saw the training rows, a holdout 10 times smaller: the share
    averages n_train / (n_train + n_holdout) = 0.909 and the test raises no alarm (weighing
    ties by that ratio read 0.954 with p-values down to 0.001)."""
    results = [
        dcr_holdout_share(
            _mixed(400, 10 + seed), _mixed(40, 20 + seed), _mixed(200, 30 + seed), balance=False
        )
        for seed in range(5)
    ]
    assert results[0].expected_raw_share == pytest.approx(400 / 440)
    assert sum(r.n_ties for r in results) > 100  # the case that needs the tie rule
    mean_share = np.mean([r.share for r in results])
    assert mean_share == pytest.approx(400 / 440, abs=0.025)
    assert min(r.p_value for r in results) > 0.01


def test_nan_policies() -> None:
    train = pd.DataFrame({"x": [np.nan, 1.0, 2.0, 3.0]})
    holdout = pd.DataFrame({"x": [10.0, 11.0, 12.0, 13.0]})
    synthetic = pd.DataFrame({"x": [np.nan]})
    category = dcr_holdout_share(train, holdout, synthetic, categorical_columns=[])
    assert category.dcr_train_mean == 0.0
    mismatch = dcr_holdout_share(
        train, holdout, synthetic, categorical_columns=[], nan_policy="mismatch"
    )
    assert mismatch.dcr_train_mean == 1.0


def test_bad_inputs() -> None:
    frame = _mixed(10, 1)
    with pytest.raises(InvalidDataError, match="same columns"):
        dcr_holdout_share(frame, frame, frame.drop(columns="x"))
    with pytest.raises(InvalidDataError, match="at least 2"):
        dcr_holdout_share(frame, frame.iloc[:1], frame)
    with pytest.raises(InvalidDataError, match="0 row"):
        dcr_holdout_share(frame, frame, frame.iloc[:0])
    with pytest.raises(InvalidParameterError, match="nan_policy"):
        dcr_holdout_share(frame, frame, frame, nan_policy="skip")  # type: ignore[arg-type]


def test_all_missing_column_and_to_dict() -> None:
    train, holdout, synthetic = (_mixed(20, s).assign(empty=np.nan) for s in (7, 8, 9))
    values = dcr_holdout_share(train, holdout, synthetic).to_dict()
    assert values["score"] == values["share"]
    assert all(math.isfinite(v) for v in values.values())
    assert catalog.metric("dcr_holdout_share").direction == "minimize"
    assert catalog.metric("dcr_holdout_share").ideal == 0.5


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), n=st.integers(2, 25), m=st.integers(1, 25))
def test_bounds(seed: int, n: int, m: int) -> None:
    rng = np.random.default_rng(seed)

    def table(rows: int) -> pd.DataFrame:
        return pd.DataFrame({"x": rng.normal(size=rows), "k": rng.integers(0, 3, rows)})

    result = dcr_holdout_share(table(n), table(n), table(m), categorical_columns=["k"])
    assert 0.0 <= result.share <= 1.0
    assert 0.0 <= result.p_value <= 1.0
    assert 0.0 <= result.holdout_reference_share <= 1.0
    assert 0.0 <= result.nndr_train_mean <= 1.0
    assert result.n_closer_train + result.n_closer_holdout + result.n_ties == m
    assert all(math.isfinite(v) for v in result.to_dict().values())

"""Fresh ``regex_format`` ids and SDV keys: the keys continue over calls instead of restarting."""

from __future__ import annotations

import pickle
from collections.abc import Iterator

import pandas as pd
import pytest

from synth_plugins.errors import InvalidDataError
from synth_plugins.sdv.id_patterns import FreshKeyGenerator, IdPattern

TRAINING = pd.Series([f"R{i:05d}" for i in range(0, 300, 3)])


def test_batches_continue_the_enumeration_without_enumerating_it_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sampling in batches (SDV calls the synthesizer once per batch) reads each pattern
    string once; restarting every call would read start + n strings per call."""
    import rdt.transformers.utils as rdt_utils

    original = rdt_utils.strings_from_regex
    read = [0]

    def counted(regex: str) -> tuple[Iterator[str], int]:
        strings, size = original(regex)

        def reading() -> Iterator[str]:
            for text in strings:
                read[0] += 1
                yield text

        return reading(), size

    pattern = IdPattern.of(TRAINING, r"R[0-9]{5}")
    expected = list(IdPattern.of(TRAINING, r"R[0-9]{5}").values(2000, "id"))
    monkeypatch.setattr(rdt_utils, "strings_from_regex", counted)
    given = [value for batch in range(20) for value in pattern.values(100, "id", batch * 100)]
    assert given == expected
    assert not set(given) & set(TRAINING)
    assert read[0] <= 2000 + len(TRAINING)  # restarting would read about 21,000


def test_a_pickled_pattern_continues_where_it_stopped() -> None:
    pattern = IdPattern.of(TRAINING, r"R[0-9]{5}")
    pattern.values(10, "id")
    restored = pickle.loads(pickle.dumps(pattern))
    assert restored == pattern
    fresh = IdPattern.of(TRAINING, r"R[0-9]{5}")
    assert list(restored.values(5, "id", 10)) == list(fresh.values(15, "id"))[10:]


def test_a_failed_call_does_not_leave_a_spent_enumeration_behind() -> None:
    two_digits = pd.Series([f"R{i:02d}" for i in range(0, 100, 3)])  # 34 of the 100 strings
    pattern = IdPattern.of(two_digits, r"R[0-9]{2}")
    pattern.values(30, "id")
    with pytest.raises(InvalidDataError, match="allows 100 values, 34 of them in the"):
        pattern.values(50, "id", 30)
    fresh = IdPattern.of(two_digits, r"R[0-9]{2}")
    assert list(pattern.values(30, "id", 30)) == list(fresh.values(60, "id"))[30:]


def test_asking_for_no_value_leaves_the_enumeration_where_it_was() -> None:
    """``sample(0)`` then ``sample(3)``: the empty call must not stand for the next one."""
    pattern = IdPattern.of(TRAINING, r"R[0-9]{5}")
    assert len(pattern.values(0, "id")) == 0
    fresh = IdPattern.of(TRAINING, r"R[0-9]{5}")
    assert list(pattern.values(3, "id")) == list(fresh.values(3, "id"))
    assert len(pattern.values(0, "id", 3)) == 0
    assert list(pattern.values(2, "id", 3)) == list(fresh.values(2, "id", 3))


def _keys(generator: FreshKeyGenerator, n: int) -> list:
    """``n`` keys, asked for as SDV asks its key generators (rdt's anonymized columns)."""
    rows = generator.reverse_transform(pd.DataFrame(index=range(n)))
    return rows[generator.get_input_column()].tolist()


def test_the_key_generator_continues_over_calls_and_a_pickle_until_reset() -> None:
    """SDV fits a key's generator on the training table and asks it for each batch's keys;
    ``reset_sampling`` resets it."""
    table = pd.DataFrame({"mrn": TRAINING, "record": range(len(TRAINING))})
    by_pattern, whole = FreshKeyGenerator(r"R[0-9]{5}"), FreshKeyGenerator()
    by_pattern.fit(table, "mrn")
    whole.fit(table, "record")
    assert _keys(by_pattern, 4) == ["R00001", "R00002", "R00004", "R00005"]
    assert _keys(whole, 3) == [100, 101, 102]  # the power of ten above the keys 0..99
    restored = pickle.loads(pickle.dumps(by_pattern))
    assert _keys(restored, 2) == _keys(by_pattern, 2) == ["R00007", "R00008"]
    restored.reset_randomization()
    whole.reset_randomization()
    assert _keys(restored, 1) == ["R00001"] and _keys(whole, 1) == [100]

"""The one check of how much data a generator is fitted on (``validation.check_training_size``).

Every generator accepted 2 or 3 training rows without a word and returned output as if it
had learned a distribution, while on so few rows nearly every synthetic row lies by a
training row. Below the catalog's ``min_training_size`` a fit is refused; below
``SMALL_TRAINING_SIZE`` it warns once, at the user's line. The hosts are covered by the
bad-input matrix (``below_minimum``, ``at_minimum`` and the warning check of every case).
"""

from __future__ import annotations

import warnings

import pytest

from synth_plugins.catalog import GENERATORS
from synth_plugins.errors import InvalidDataError, SmallTrainingSetWarning, SynthPluginsWarning
from synth_plugins.validation import SMALL_TRAINING_SIZE, check_training_size, inner_fit

ENTRIES = [pytest.param(entry, id=entry.name) for entry in GENERATORS]


def _size_warnings(generator: str, size: int) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_training_size(generator, size)
    return [w for w in caught if issubclass(w.category, SmallTrainingSetWarning)]


@pytest.mark.parametrize("entry", ENTRIES)
def test_below_the_minimum_is_refused_naming_the_minimum_and_the_size(entry):
    minimum, unit = entry.min_training_size, entry.training_unit
    with pytest.raises(InvalidDataError, match=rf"at least {minimum} {unit}.*got {minimum - 1}$"):
        check_training_size(entry.name, minimum - 1)


@pytest.mark.parametrize("entry", ENTRIES)
def test_a_small_training_set_warns_once_naming_its_size(entry):
    unit = entry.training_unit
    for size in (entry.min_training_size, SMALL_TRAINING_SIZE - 1):
        (warning,) = _size_warnings(entry.name, size)
        message = str(warning.message)
        assert f"{entry.title} is fitted on {size} {unit}," in message
        assert f"close to copies of the training {unit}" in message
    assert _size_warnings(entry.name, SMALL_TRAINING_SIZE) == []


def test_the_minimum_is_below_the_small_size():
    """Every generator fits some small tables, so each can warn before it refuses."""
    assert all(2 <= entry.min_training_size < SMALL_TRAINING_SIZE for entry in GENERATORS)


def test_the_warning_is_a_suite_warning_shown_at_the_callers_line():
    (warning,) = _size_warnings("med_vae", 3)
    assert issubclass(warning.category, SynthPluginsWarning)
    assert warning.filename == __file__


def test_an_inner_fit_keeps_its_minimum_and_leaves_the_warning_to_the_outer_fit():
    with inner_fit():
        assert _size_warnings("med_vae", 3) == []
        with pytest.raises(InvalidDataError, match="at least 2 rows"):
            check_training_size("med_vae", 1)
    assert len(_size_warnings("med_vae", 3)) == 1

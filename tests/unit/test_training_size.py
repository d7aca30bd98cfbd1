"""The one check of how much data a generator is fitted on (``validation.check_training_size``).

Every generator accepted 2 or 3 training rows without a word and returned output as if it
had learned a distribution, while on so few rows nearly every synthetic row lies by a
training row. Below the core's ``MIN_TRAINING_SIZE`` a fit is refused; below
``SMALL_TRAINING_SIZE`` it warns once, at the user's line. The hosts are covered by the
bad-input matrix (``below_minimum``, ``at_minimum`` and the warning check of every case).
"""

from __future__ import annotations

import warnings
from typing import get_args

import pytest

from synth_plugins.catalog import GENERATORS, resolve
from synth_plugins.errors import InvalidDataError, SmallTrainingSetWarning, SynthPluginsWarning
from synth_plugins.validation import (
    SMALL_TRAINING_SIZE,
    TrainingUnit,
    check_training_size,
    inner_fit,
)

ENTRIES = [pytest.param(entry, id=entry.name) for entry in GENERATORS]


def _size_warnings(
    size: int, minimum: int = 2, unit: TrainingUnit = "rows"
) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_training_size("Med-VAE", size, minimum, unit)
    return [w for w in caught if issubclass(w.category, SmallTrainingSetWarning)]


@pytest.mark.parametrize(("minimum", "unit"), [(2, "rows"), (10, "rows"), (2, "patients")])
def test_below_the_minimum_is_refused_naming_the_minimum_and_the_size(minimum, unit):
    with pytest.raises(InvalidDataError, match=rf"^Med-VAE needs at least {minimum} {unit}.*got"):
        check_training_size("Med-VAE", minimum - 1, minimum, unit)


@pytest.mark.parametrize("unit", get_args(TrainingUnit))
def test_a_small_training_set_warns_once_naming_its_size(unit):
    for size in (2, SMALL_TRAINING_SIZE - 1):
        (warning,) = _size_warnings(size, unit=unit)
        message = str(warning.message)
        assert f"Med-VAE is fitted on {size} {unit}," in message
        assert f"close to copies of the training {unit}" in message
    assert _size_warnings(SMALL_TRAINING_SIZE, unit=unit) == []


@pytest.mark.parametrize("entry", ENTRIES)
def test_each_core_declares_a_minimum_below_the_small_size_and_its_unit(entry):
    """Every generator fits some small tables, so each can warn before it refuses."""
    core = resolve(entry.core)
    assert isinstance(core.MIN_TRAINING_SIZE, int)
    assert 2 <= core.MIN_TRAINING_SIZE < SMALL_TRAINING_SIZE
    sequences = entry.synthcity_type == "time_series"
    assert core.TRAINING_UNIT == ("patients" if sequences else "rows")


def test_the_warning_is_a_suite_warning_shown_at_the_callers_line():
    (warning,) = _size_warnings(3)
    assert issubclass(warning.category, SynthPluginsWarning)
    assert warning.filename == __file__


def test_an_inner_fit_keeps_its_minimum_and_leaves_the_warning_to_the_outer_fit():
    with inner_fit():
        assert _size_warnings(3) == []
        with pytest.raises(InvalidDataError, match="at least 2 rows"):
            check_training_size("Med-VAE", 1, 2)
    assert len(_size_warnings(3)) == 1

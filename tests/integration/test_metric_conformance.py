"""Every metric of the catalog, through the metric conformance kit, in both hosts."""

import pytest

import synth_plugins
from synth_plugins import catalog
from synth_plugins.datasets import load
from synth_plugins.testing import metric_conformance as kit
from synth_plugins.testing.names import check_metric_parameter_names

# metrics of visit sequences have their own host tests (test_longitudinal_hosts.py)
METRICS = [pytest.param(e, id=e.name) for e in catalog.METRICS if e.data == "table"]


@pytest.fixture(scope="module")
def data():
    synth_plugins.register()
    return kit.metric_data(load("heart_failure"))


@pytest.mark.parametrize("entry", METRICS)
def test_registered_in_both_hosts(entry, data):
    kit.check_metric_registration(entry)


@pytest.mark.parametrize("entry", METRICS)
def test_range_and_direction(entry, data):
    kit.check_metric_range_and_direction(entry, data)


@pytest.mark.parametrize("entry", METRICS)
def test_headline_figures(entry, data):
    kit.check_metric_headline(entry, data)


def test_kit_rejects_a_misspelt_headline_figure(data):
    from dataclasses import replace

    misspelt = replace(catalog.metric("correlation_l1"), headline_figures=("max_abs_diff",))
    with pytest.raises(AssertionError, match=r"\['max_abs_diff'\] are none of"):
        kit.check_metric_headline(misspelt, data)


@pytest.mark.parametrize("entry", METRICS)
def test_bad_input(entry, data):
    kit.check_metric_bad_input(entry, data)


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in catalog.METRICS])
def test_catalog_entry_matches_its_core(entry):
    kit.check_metric_declaration(entry)


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in catalog.METRICS])
def test_parameter_names(entry):
    """The core's parameters use the glossary's names (docs/architecture.md)."""
    check_metric_parameter_names(entry)


def test_kit_rejects_a_metric_with_the_wrong_direction(data):
    from dataclasses import replace

    flipped = replace(catalog.metric("correlation_l1"), direction="maximize")
    with pytest.raises(AssertionError, match="does not score at least as well"):
        kit.check_metric_range_and_direction(flipped, data)


def test_kit_rejects_an_entry_that_hides_a_holdout():
    from dataclasses import replace

    with pytest.raises(AssertionError, match="needs holdout is False"):
        kit.check_metric_declaration(replace(catalog.metric("dcr_holdout_share"), needs=()))

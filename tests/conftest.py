"""Shared test set-up: one torch thread, no progress bars, no files in the checkout.

It also holds :data:`NEEDS`, the one place that says which tests need a package that the
SDV stack (``.venv-sdv``: SDV 2, numpy 2, no Synthcity) lacks; they are skipped there,
named, and run on the Synthcity stack (``.venv``), which has every package.
"""

from __future__ import annotations

import os
from fnmatch import fnmatchcase
from importlib.util import find_spec
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest

#: node-id pattern -> the package its tests need. Patterns use ``*`` and ``?`` (brackets are
#: literal, as in parametrised ids). A bare file path skips the whole file without importing
#: it; a pattern with ``::`` skips the matching tests. A test that needs one of these packages
#: and is not listed fails on the SDV stack, so the table cannot silently fall behind.
NEEDS: dict[str, str] = {
    # Synthcity: its plugins, metrics, loaders, Benchmarks harness (the suites, grids, Dask
    # runs, tuning) and the docs pages whose examples use it
    "tests/integration/test_synthcity_host.py": "synthcity",
    "tests/integration/test_synthcity_conventions.py": "synthcity",
    "tests/integration/test_synthcity_metric_failures.py": "synthcity",
    "tests/integration/test_synthcity_warnings.py": "synthcity",
    "tests/integration/test_synthcity_copy_warnings.py": "synthcity",
    "tests/integration/test_warning_lines.py::test_synthcity_*": "synthcity",
    "tests/integration/test_metric_hosts.py": "synthcity",
    "tests/integration/test_med_vae_synthcity.py": "synthcity",
    "tests/integration/test_plugin_imports.py": "synthcity",
    "tests/integration/test_import_order.py": "synthcity",
    "tests/integration/test_benchmark.py": "synthcity",
    "tests/integration/test_benchmark_grid.py": "synthcity",
    "tests/integration/test_benchmark_dask.py": "synthcity",
    "tests/integration/test_survival_benchmark.py": "synthcity",
    "tests/integration/test_longitudinal_benchmark.py": "synthcity",
    "tests/integration/test_tuning.py": "synthcity",
    "tests/integration/test_docs_examples.py::test_synthcity_python_blocks_run*": "synthcity",
    "tests/unit/test_synthcity_held_columns.py": "synthcity",
    "tests/unit/test_synthcity_sequence_loader.py": "synthcity",
    "tests/unit/benchmark/test_synthcity_loaders.py": "synthcity",
    "tests/unit/benchmark/test_synthcity_failures.py": "synthcity",
    "tests/integration/test_conformance.py::TestSynthcity::*": "synthcity",
    "tests/integration/test_conformance.py::test_synthcity_*": "synthcity",
    "tests/integration/test_add_a_metric.py": "synthcity",
    "tests/integration/test_add_a_generator.py::test_synthcity_*": "synthcity",
    "tests/integration/test_sequence_conformance.py::TestSynthcity::*": "synthcity",
    "tests/integration/test_sequence_conformance.py::test_pbc_visits_*": "synthcity",
    "tests/integration/test_bad_input_matrix.py::test_bad_input[*-synthcity-*]": "synthcity",
    "tests/integration/test_metric_bad_input_matrix.py::test_bad_input[*-synthcity-*]": "synthcity",
    "tests/integration/test_metric_conformance.py::test_registered_in_both_hosts*": "synthcity",
    "tests/integration/test_longitudinal_hosts.py::test_synthcity_*": "synthcity",
    "tests/integration/test_mle_copula_hosts.py::test_synthcity_*": "synthcity",
    "tests/integration/test_docs_site.py::test_metric_card_examples_run*": "synthcity",
    "tests/unit/generators/test_ctabgan_plus.py::test_adapters_forward_the_core_defaults": (
        "synthcity"
    ),
    "tests/unit/test_docstrings.py::test_every_adapter_argument_is_documented_*[*-synthcity]": (
        "synthcity"
    ),
    "tests/unit/test_cli.py::test_unknown_dataset_is_a_one_line_error": "synthcity",
    "tests/unit/test_cli.py::test_bad_repeats_is_an_error": "synthcity",
    "tests/unit/test_cli.py::test_tune_prints_the_best_trial_*": "synthcity",
    "tests/unit/test_cli.py::test_tune_where_every_trial_fails_*": "synthcity",
    "tests/unit/test_cli.py::test_tune_without_storage_*": "synthcity",
    "tests/unit/test_cli.py::test_errors_name_the_option_not_the_python_parameter*": "synthcity",
    # the tune cases (by their study's file, not their place in the list)
    "tests/unit/test_cli.py::test_output_paths_in_the_way_are_*[*-med_vae-pima.csv/]": "synthcity",
    "tests/unit/test_cli.py::test_output_paths_in_the_way_are_*[*-a_b.csv/]": "synthcity",
    "tests/unit/benchmark/test_benchmark_summary.py::test_benchmark_without_a_suite_*": "synthcity",
    "tests/unit/benchmark/test_survival_ranking.py::test_a_figure_that_fails_keeps_*": (
        "synthcity"
    ),
    # SDGym 0.15.1 fails to import with SDV 2
    "tests/integration/test_stack.py::test_sdgym_*": "sdgym",
    # anonymeter (both releases) needs numpy < 1.27
    "tests/unit/metrics/test_attacks.py": "anonymeter",
    "tests/unit/metrics/test_sdmetrics_metadata.py::test_an_id_column_named_*": "anonymeter",
    "tests/integration/test_metric_bad_input_matrix.py::test_bad_input[anonymeter_risk-*]": (
        "anonymeter"
    ),
    "tests/integration/test_metric_conformance.py::test_*[anonymeter_risk]": "anonymeter",
}

_ROOT = Path(__file__).resolve().parent.parent


def _missing(pattern: str) -> str | None:
    """The package that the tests of ``pattern`` need, when it is not installed."""
    package = NEEDS[pattern]
    return package if find_spec(package) is None else None


def _reason(package: str) -> str:
    return f"needs {package}, which this stack lacks (the Synthcity stack runs it)"


class _SkippedFile(pytest.Module):
    """A test file whose needed package is missing: reported skipped, never imported."""

    reason = ""

    def collect(self):
        pytest.skip(self.reason)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector):
    """Files listed in :data:`NEEDS` whose package is missing are skipped unimported."""
    relative = module_path.resolve().relative_to(_ROOT).as_posix()
    package = _missing(relative) if relative in NEEDS else None
    if package is None:
        return None
    skipped = _SkippedFile.from_parent(parent, path=module_path)
    skipped.reason = f"{relative} {_reason(package)}"
    return skipped


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests matching a ``::`` pattern of :data:`NEEDS` whose package is missing: skipped."""
    patterns = [p for p in NEEDS if "::" in p]
    for item in items:
        for pattern in patterns:
            literal = pattern.replace("[", "[[]")  # parametrised ids hold brackets
            if fnmatchcase(item.nodeid, literal) and (package := _missing(pattern)):
                item.add_marker(pytest.mark.skip(reason=_reason(package)))
                break


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch):
    """Hosts write ``workspace/`` and logs into the current folder: keep them in tmp."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session", autouse=True)
def _one_thread():
    import torch

    torch.set_num_threads(1)

"""Synthcity's own plugin-test conventions, applied to every Synthcity plugin of the catalog.

Synthcity tests each of its plugins the same way for its category (generic, survival
analysis, time series): instances made three ways (``Plugins().get``, the class itself, and
a ``synthcity.utils.serialization`` save/load round trip of an unfitted plugin), its
``name()``/``type()``, every sampled point of ``hyperparameter_space()`` constructs, ``fit``
then ``generate`` (default and explicit ``count``, the training columns, the schema includes
the generated rows), ``generate`` with
``Constraints`` (every row satisfies them, on a column Synthcity label-encodes too),
``cond`` where the plugin supports it. An
upstream reviewer runs the same tests on a proposed plugin, so the suite runs them on its
own. Two more checks guard registration: every plugin module imports first in a fresh
interpreter, and the plugins survive ``Plugins().reload()``.

Every check takes a catalog entry (so generators added to the catalog are covered without
new tests), uses the entry's ``synthcity_quick`` parameters and a small sample of its
dataset, and raises ``AssertionError`` naming the plugin and the convention broken.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.catalog import GeneratorEntry
from synth_plugins.datasets import Dataset, load
from synth_plugins.synthcity.roles import SYNTHCITY_MAX_LEVELS
from synth_plugins.synthcity.timeseries import SEQ_ID, STATIC_PREFIX
from synth_plugins.testing.workspaces import new_workspace

#: How a plugin module is imported first in a fresh interpreter: alone, and after the
#: package (both must register every catalog generator in Synthcity).
IMPORT_ORDERS = {
    "module first": "",
    "after import synth_plugins": "import synth_plugins\n",
}
_IMPORT_SCRIPT = """{prelude}from {module} import {attribute}
from synthcity.plugins import Plugins
from synth_plugins import catalog
plugins = Plugins()
missing = [e.name for e in catalog.GENERATORS if e.name not in plugins.list()]
assert not missing, f"not registered: {{missing}}"
assert plugins.get_type({attribute}.name()) is {attribute}, "another class is registered"
"""
#: Rows generated with ``cond``, and how much more often than its training rate the asked
#: value must appear (ignoring ``cond`` gives the training rate, within about 0.05).
COND_ROWS, COND_MARGIN = 100, 0.15
#: Training epochs (``n_iter``) at least, for the ``cond`` check.
COND_MIN_N_ITER = 40
#: Hyper-parameter points sampled per plugin (Synthcity's tests sample many; each
#: construction is cheap, the plugins build their networks at fit).
HYPERPARAMETER_SAMPLES = 20


def _fail(entry: GeneratorEntry, message: str) -> AssertionError:
    return AssertionError(f"{entry.name}: {message}")


# ---------------------------------------------------------------------------- imports
#: Third-party modules Synthcity imports that take most of its import time (torch,
#: torchvision, monai, scikit-learn, ...). The import check imports them once and forks an
#: interpreter per case from there, so each case imports only Synthcity and the suite,
#: both still first. A module missing here is imported by each case (slower, as correct).
PRELOADED_DEPENDENCIES = (
    "numpy",
    "pandas",
    "pydantic",
    "loguru",
    "torch",
    "torchvision",
    "monai.networks.layers.factories",
    "sklearn.model_selection",
    "sklearn.mixture",
    "shap",
    "optuna",
    "opacus",
    "lifelines",
    "xgboost",
    "geomloss",
    "pycox.models",
    "torchtuples",
    "xgbse",
    "nflows.flows.base",
    "tsai.models.InceptionTime",
    "be_great",
)
#: Runs in one fresh interpreter: preload, check that neither Synthcity nor the suite came
#: with it, then fork a child per case (``{cases}``: a list of scripts) and print the
#: failures as JSON (case index -> traceback) on the last line.
_FORK_RUNNER = """
import importlib, json, os, sys, traceback
for name in {preload!r}:
    try:
        importlib.import_module(name)
    except Exception:
        pass
early = sorted(m for m in sys.modules if m.split(".")[0] in ("synthcity", "synth_plugins"))
assert not early, f"preloading imported {{early[:5]}}: the cases would not import them first"
failures = {{}}
for index, script in enumerate({cases!r}):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        code = 0
        try:
            exec(compile(script, f"<case {{index}}>", "exec"), {{"__name__": "__main__"}})
        except BaseException:
            os.write(write, traceback.format_exc().encode())
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode(errors="replace")
    status = os.waitpid(pid, 0)[1]
    if status != 0:
        failures[index] = message or f"exit status {{status}}"
print(json.dumps(failures))
"""


def check_plugin_module_imports_first(entry: GeneratorEntry, prelude: str = "") -> None:
    """The plugin module imports first in a fresh interpreter and every generator registers.

    ``prelude``: code run before the import (one of :data:`IMPORT_ORDERS`). This is how
    Synthcity's own tests import a plugin (``from ...plugin_x import plugin``); importing
    the module imports Synthcity, whose registration hook then runs while the module is
    still half-imported.
    """
    check_plugin_modules_import_first([entry], [prelude])


def check_plugin_modules_import_first(
    entries: Iterable[GeneratorEntry], preludes: Iterable[str] = tuple(IMPORT_ORDERS.values())
) -> None:
    """:func:`check_plugin_module_imports_first` for every entry and prelude.

    Each case needs an interpreter that has imported neither Synthcity nor the suite. One
    fresh interpreter imports :data:`PRELOADED_DEPENDENCIES` (most of Synthcity's import
    time) and forks a child per case, one after the other; where ``os.fork`` is missing,
    each case gets its own fresh interpreter.
    """
    cases = [(entry, prelude) for entry in entries for prelude in preludes]
    scripts = [_case_script(entry, prelude) for entry, prelude in cases]
    if hasattr(os, "fork"):
        runner = _FORK_RUNNER.format(preload=PRELOADED_DEPENDENCIES, cases=scripts)
        done = _python(runner)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            raise AssertionError(f"the import-first runner failed:\n{done.stderr[-3000:]}")
        failed = {int(index): message for index, message in json.loads(lines[-1]).items()}
    else:  # pragma: no cover - platforms without fork
        failed = {}
        for index, script in enumerate(scripts):
            done = _python(script)
            if done.returncode != 0:
                failed[index] = done.stderr[-3000:]
    failures = [_failure(*cases[index], message) for index, message in sorted(failed.items())]
    if failures:
        raise AssertionError("\n\n".join(failures))


def _case_script(entry: GeneratorEntry, prelude: str) -> str:
    module, _, attribute = entry.synthcity_plugin.partition(":")
    return _IMPORT_SCRIPT.format(prelude=prelude, module=module, attribute=attribute)


def _python(script: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=900
    )


def _failure(entry: GeneratorEntry, prelude: str, message: str) -> str:
    module = entry.synthcity_plugin.partition(":")[0]
    order = prelude.strip() or "nothing"
    return f"{entry.name}: importing {module} first (after {order}) failed:\n{message[-3000:]}"


# ---------------------------------------------------------------------------- data
#: Rows (patients of sequence data) the convention checks train on.
SMALL_ROWS = 200


def small_dataset(entry: GeneratorEntry) -> Dataset:
    """The entry's dataset, small enough for checks that fit several times."""
    if entry.synthcity_type == "time_series":
        return load(entry.dataset, n_patients=SMALL_ROWS // 5, seed=0)
    dataset = load(entry.dataset)
    if len(dataset.data) <= SMALL_ROWS:
        return dataset
    rows = dataset.data.sample(SMALL_ROWS, random_state=0).reset_index(drop=True)
    return replace(dataset, data=rows)


def loader_for(entry: GeneratorEntry, dataset: Dataset) -> Any:
    """The Synthcity loader of the entry's category for ``dataset``."""
    if entry.synthcity_type == "time_series":
        from synth_plugins.synthcity.timeseries import dataset_to_timeseries_loader

        return dataset_to_timeseries_loader(dataset)[0]
    from synth_plugins.synthcity.loaders import to_dataloader

    return to_dataloader(dataset)


def _rows(loader: Any) -> int:
    """Rows (generic, survival) or sequences (time series) of a loader."""
    return len(loader.ids()) if loader.type().startswith("time_series") else len(loader)


# ---------------------------------------------------------------------------- instances
def plugin_instances(entry: GeneratorEntry, **params: Any) -> Iterator[tuple[str, Any]]:
    """``(how, plugin)`` for the three ways Synthcity's tests make a plugin."""
    from synthcity.plugins import Plugins
    from synthcity.utils.serialization import load as sc_load
    from synthcity.utils.serialization import save as sc_save

    from synth_plugins import catalog

    cls = catalog.resolve(entry.synthcity_plugin)
    # the workspace as text, as Synthcity's own plugins take it
    workspace = str(new_workspace())
    options = {**entry.synthcity_quick, "workspace": workspace, **params}
    yield "Plugins().get", Plugins().get(entry.name, **options)
    yield "the class", cls(**options)
    yield "serialization round trip", sc_load(sc_save(cls(**options)))


def check_name_and_type(entry: GeneratorEntry) -> None:
    """Every instance says the catalog's name and category."""
    for how, plugin in plugin_instances(entry):
        if plugin.name() != entry.name or plugin.type() != entry.synthcity_type:
            raise _fail(
                entry,
                f"instance from {how} says {plugin.name()!r}/{plugin.type()!r}, the catalog "
                f"{entry.name!r}/{entry.synthcity_type!r}",
            )


def check_hyperparameter_space(entry: GeneratorEntry) -> None:
    """The space is non-empty and every sampled point is a valid constructor call."""
    from synth_plugins import catalog

    cls = catalog.resolve(entry.synthcity_plugin)
    space = cls.hyperparameter_space()
    if not space:
        raise _fail(entry, "hyperparameter_space() is empty")
    names = {d.name for d in space}
    for _ in range(HYPERPARAMETER_SAMPLES):
        sampled = cls.sample_hyperparameters()
        if not set(sampled) <= names:
            raise _fail(entry, f"sampled {sorted(set(sampled) - names)} outside the space")
        try:
            cls(**sampled)
        except Exception as error:
            raise _fail(entry, f"sampled {sampled} does not construct: {error}") from error


# ---------------------------------------------------------------------------- fit/generate
def check_fit_generate(entry: GeneratorEntry, loader: Any) -> list[Any]:
    """Each instance fits, then ``generate()`` and ``generate(count)`` keep the columns.

    Returns the fitted plugins (for the constraint and ``cond`` checks).
    """
    columns = list(loader.dataframe().columns)
    fitted = []
    for how, plugin in plugin_instances(entry):
        plugin.fit(loader)
        default = plugin.generate()
        if _rows(default) != _rows(loader):
            raise _fail(entry, f"{how}: generate() gave {_rows(default)} rows/sequences, "
                               f"the training data has {_rows(loader)}")  # fmt: skip
        for count in (1, 7):
            synthetic = plugin.generate(count=count)
            if _rows(synthetic) != count:
                raise _fail(entry, f"{how}: generate(count={count}) gave {_rows(synthetic)}")
            if sorted(synthetic.dataframe().columns) != sorted(columns):
                raise _fail(entry, f"{how}: generated columns differ from the training ones")
            if not plugin.schema_includes(synthetic):
                raise _fail(entry, f"{how}: the schema does not include the generated rows")
        fitted.append(plugin)
    return fitted


def constraint_column(loader: Any) -> tuple[str, float]:
    """A numeric column with many values and its median: a rule most rows can meet.

    Of a time-series loader, a static column: a sequence is kept whole or dropped, so a
    rule on a visit value (or the time) at its median is met by few whole sequences.
    """
    frame = loader.dataframe()
    info = loader.info()
    excluded = {info.get("time_to_event_column"), info.get("target_column"), SEQ_ID}
    sequences = loader.type().startswith("time_series")
    for column in frame.columns:
        values = frame[column]
        if column in excluded or not pd.api.types.is_numeric_dtype(values):
            continue
        if sequences and not str(column).startswith(STATIC_PREFIX):
            continue
        if values.nunique() >= 15 and not values.isna().any():
            return str(column), float(values.median())
    raise AssertionError("the dataset has no numeric column to constrain")


def check_generate_with_constraints(entry: GeneratorEntry, plugin: Any, loader: Any) -> None:
    """``generate(count, constraints=...)`` returns ``count`` rows that all satisfy them.

    A rule too few generated rows meet in ``sampling_patience`` draws raises an error naming
    it: Synthcity itself returns the rows it has, fewer than asked, without a word.
    """
    from synthcity.plugins.core.constraints import Constraints

    from synth_plugins.errors import InvalidParameterError

    column, value = constraint_column(loader)
    constraints = Constraints(rules=[(column, ">", value)])
    synthetic = plugin.generate(count=10, constraints=constraints)
    frame = synthetic.dataframe()
    if _rows(synthetic) != 10:
        raise _fail(entry, f"generate with constraints gave {_rows(synthetic)} of 10")
    if not (frame[column] > value).all() or not constraints.filter(frame).all():
        raise _fail(entry, f"generated rows break the constraint {column} > {value}")
    values = np.sort(loader.dataframe()[column].unique())  # >= 15: below the top value
    rare = (column, ">", float(values[int(0.9 * (len(values) - 1))]))
    patience, plugin.sampling_patience = plugin.sampling_patience, 1
    try:
        short = plugin.generate(count=200, constraints=Constraints(rules=[rare]), random_state=0)
    except InvalidParameterError as error:
        if "sampling_patience" not in str(error):
            raise _fail(entry, f"a rule few rows meet raised {error}") from error
    else:
        raise _fail(entry, f"one draw under {rare} gave {_rows(short)} of 200, without an error")
    finally:
        plugin.sampling_patience = patience


def few_values_column(loader: Any) -> tuple[Any, str]:
    """A loader with a numeric column of fewer than 15 values, and that column's name.

    Synthcity label-encodes such a column, numbers too. Of a time-series loader, a static
    column it holds (whole sequences are kept or dropped); to a table, a column ``stage`` of
    levels 1 to 4 is added (numbers that are not the codes ``0..k-1``, which it leaves).
    """
    frame = loader.dataframe()
    if loader.type().startswith("time_series"):
        for column in frame.columns:
            values = frame[column]
            if (
                str(column).startswith(STATIC_PREFIX)
                and pd.api.types.is_numeric_dtype(values)
                and 3 <= values.nunique() < SYNTHCITY_MAX_LEVELS
                and not values.isna().any()
            ):
                return loader, str(column)
        raise AssertionError("the dataset has no static column of fewer than 15 values")
    stage = np.arange(len(frame)) % 4 + 1
    return loader.from_info(frame.assign(stage=stage), loader.info()), "stage"


def check_constraints_on_few_values(entry: GeneratorEntry, loader: Any) -> None:
    """Constraints on a column of fewer than 15 numbers hold on its values, not its codes.

    Synthcity's sampling filter compared the label codes with the rule while its final
    check compared the values: ``stage == 4`` gave no rows, ``stage >= 3`` only 4s, and
    ``stage in [1, 2]`` failed "to meet the synthetic constraints".
    """
    from synthcity.plugins import Plugins
    from synthcity.plugins.core.constraints import Constraints

    loader, column = few_values_column(loader)
    options = {**entry.synthcity_quick, "workspace": str(new_workspace())}
    plugin = Plugins().get(entry.name, **options).fit(loader)
    counts = loader.dataframe()[column].value_counts()
    levels = sorted(counts.index)
    middle = levels[len(levels) // 2]
    common = sorted(counts.index[:2])
    for op, value, allowed in (
        ("==", counts.index[0], {counts.index[0]}),
        (">=", middle, {v for v in levels if v >= middle}),
        ("in", common, set(common)),
    ):
        rule = (column, op, value)
        synthetic = plugin.generate(count=20, constraints=Constraints(rules=[rule]), random_state=0)
        got = set(synthetic.dataframe()[column])
        if _rows(synthetic) != 20 or not got <= allowed or len(got) < min(2, len(allowed)):
            raise _fail(entry, f"generate under {rule} gave {_rows(synthetic)} of 20 "
                               f"rows/sequences holding {sorted(got)}")  # fmt: skip


def check_cond(entry: GeneratorEntry, loader: Any) -> None:
    """``cond``: honoured (generic plugins, on the entry's condition) or refused by name.

    Synthcity's ``cond`` steers generation without guaranteeing it (``constraints`` do
    that), so a plugin that honours it must give the asked value clearly more often than
    its training rate; one that does not must raise an error naming ``cond`` at ``fit``,
    never ignore it.
    """
    from synth_plugins.errors import InvalidParameterError

    frame = loader.dataframe()
    if entry.condition is not None and entry.synthcity_type == "generic":
        column, value = entry.condition
        # conditioning shows only once the decoder reproduces the column: train longer
        epochs = max(int(entry.synthcity_quick.get("n_iter", 0)), COND_MIN_N_ITER)
        plugin = next(iter(plugin_instances(entry, n_iter=epochs)))[1]
        plugin.fit(loader, cond=frame[column])
        rows = plugin.generate(count=COND_ROWS, cond=np.full(COND_ROWS, value)).dataframe()
        base, share = float((frame[column] == value).mean()), float((rows[column] == value).mean())
        if share < base + COND_MARGIN:
            raise _fail(entry, f"generate(cond={value!r}) gave {column!r} == {value!r} in "
                               f"{share:.0%} of rows, its training rate is {base:.0%}")  # fmt: skip
        return
    plugin = next(iter(plugin_instances(entry)))[1]
    cond = frame.iloc[:, 0] if not loader.type().startswith("time_series") else None
    try:
        if cond is None:
            plugin.fit(loader, cond=pd.Series(np.zeros(_rows(loader))))
        else:
            plugin.fit(loader, cond=cond)
    except InvalidParameterError as error:
        if "cond" not in str(error):
            raise _fail(entry, f"the error refusing cond does not name it: {error}") from None
    else:
        raise _fail(entry, "fit(cond=...) was accepted but the catalog declares no condition")


# ---------------------------------------------------------------------------- registry
def check_survives_reload(entry: GeneratorEntry) -> None:
    """After ``Plugins().reload()`` (Synthcity re-scans its folders) the plugin is still there."""
    from synthcity.plugins import Plugins

    from synth_plugins import catalog

    Plugins().reload()
    plugins = Plugins()
    if entry.name not in plugins.list():
        raise _fail(entry, "gone from Plugins().list() after Plugins().reload()")
    if plugins.get_type(entry.name) is not catalog.resolve(entry.synthcity_plugin):
        raise _fail(entry, "another class is registered after Plugins().reload()")
    if entry.name not in Plugins(categories=[entry.synthcity_type]).list():
        raise _fail(entry, f"not listed under {entry.synthcity_type!r} after reload")


#: The checks of one plugin, in the order :func:`check_synthcity_conventions` runs them.
CHECKS: tuple[Callable[..., Any], ...] = (
    check_name_and_type,
    check_hyperparameter_space,
    check_fit_generate,
    check_generate_with_constraints,
    check_constraints_on_few_values,
    check_cond,
    check_survives_reload,
)


def check_synthcity_conventions(entry: GeneratorEntry) -> None:
    """Run every convention check (except the fresh-interpreter import) on one plugin."""
    loader = loader_for(entry, small_dataset(entry))
    check_name_and_type(entry)
    check_hyperparameter_space(entry)
    fitted = check_fit_generate(entry, loader)
    check_generate_with_constraints(entry, fitted[0], loader)
    check_constraints_on_few_values(entry, loader)
    check_cond(entry, loader)
    check_survives_reload(entry)

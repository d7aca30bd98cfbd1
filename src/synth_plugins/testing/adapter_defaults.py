"""The kit check that host adapters default every hyper-parameter as the core does.

Each hyper-parameter's default is declared once, in the core's signature; a Synthcity
plugin or SDV synthesizer that restates a number can drift from it (the LSTM adapters once
defaulted to ``validation_fraction=0.0, patience=None`` while the core, and its method
card, said 0.1 and 10). :func:`check_adapter_defaults` compares every adapter parameter
with the core parameter it maps to, refuses parameters it cannot account for, and refuses
a core parameter no adapter parameter sets unless :data:`HOST_SUPPLIED` says why the host
sets it itself, so a renamed, new or forgotten parameter cannot slip past.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from synth_plugins import catalog
from synth_plugins.catalog import GeneratorEntry

#: Host-specific names -> the core parameters they set (``name[i]``: element ``i`` of a
#: tuple parameter). A name listed with several targets sets each one the core has.
NAME_MAPS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "synthcity": {
        "n_iter": ("epochs", "encoder_epochs", "decoder_epochs"),
        "static_n_iter": ("static_epochs",),
        "hidden_1": ("hidden[0]",),
        "hidden_2": ("hidden[1]",),
        "hidden_3": ("hidden[2]",),
    },
    "sdv": {
        "epochs": ("epochs", "encoder_epochs", "decoder_epochs"),
        "context_columns": ("static_columns",),
    },
}
#: Parameters that belong to the host, not to a core (no core default to compare with).
HOST_ONLY: Mapping[str, frozenset[str]] = {
    "synthcity": frozenset(
        {
            "sampling_patience",
            "strict",
            "workspace",
            "compress_dataset",
            "sampling_strategy",
            # the suite's declaration of keys, which Synthcity's loaders cannot make
            "identifier_columns",
            "detect_identifiers",
            # Synthcity's survival-plugin arguments (CK4Gen refuses them, see its docstring)
            "tte_strategy",
            "uncensoring_model",
            "dataloader_sampling_strategy",
        }
    ),
    "sdv": frozenset(
        {
            "metadata",
            "enforce_min_max_values",
            "enforce_rounding",
            "locales",
            # SDV's device switches (booleans, where the cores take a device name)
            "cuda",
            "enable_gpu",
        }
    ),
}


_TEST_AID = "a test aid (CK4Gen keeps the last sample's source rows), not a hyper-parameter"
#: Core parameters an adapter does not take, because the host sets them from its own
#: description of the data or its own switch, with the reason. Every other core
#: parameter must be an adapter parameter (under its name or a :data:`NAME_MAPS` name).
HOST_SUPPLIED: Mapping[str, Mapping[str, str]] = {
    "synthcity": {
        "roles": "read from the loader's frame (synth_plugins.synthcity.roles)",
        "ordinal_levels": "the order of the loader's ordered categorical columns",
        "duration_column": "the SurvivalAnalysisDataLoader's time_to_event_column",
        "event_column": "the SurvivalAnalysisDataLoader's target_column",
        "id_column": "the TimeSeriesDataLoader's sequence ids",
        "time_column": "the TimeSeriesDataLoader's observation times",
        "static_columns": "the TimeSeriesDataLoader's static data",
        "debug": _TEST_AID,
    },
    "sdv": {
        "roles": "the metadata's sdtypes (synth_plugins.sdv.metadata.roles_from_metadata)",
        "ordinal_levels": "the metadata's ordinal range_values or ordered categoricals",
        "device": "SDV's own switch, enable_gpu (cuda in SDV 1.x)",
        "id_column": "the metadata's sequence_key",
        "time_column": "the metadata's sequence_index",
        "debug": _TEST_AID,
    },
}


#: Host parameters that some cores take too: compared with the core's default where the
#: core has a parameter of that name, else the host's own (``mle_copula`` runs on the CPU).
HOST_SHARED: Mapping[str, frozenset[str]] = {
    "synthcity": frozenset({"device"}),
    "sdv": frozenset(),
}


def _adapter(entry: GeneratorEntry, host: str) -> type:
    return catalog.resolve(entry.synthcity_plugin if host == "synthcity" else entry.sdv_synthesizer)


def _parameters(cls: type) -> dict[str, inspect.Parameter]:
    return {
        name: p
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }


def _core_default(core: Mapping[str, inspect.Parameter], target: str) -> Any:
    """The core's default of ``target`` (``name`` or ``name[i]``); ``inspect._empty`` if none."""
    name, _, index = target.partition("[")
    default = core[name].default
    return default[int(index.rstrip("]"))] if index and default is not core[name].empty else default


def adapter_default_mismatches(entry: GeneratorEntry, host: str) -> list[str]:
    """Every way ``host``'s adapter of ``entry`` departs from the core's parameters.

    An adapter parameter that maps to no core parameter or defaults otherwise, and a core
    parameter that no adapter parameter sets and :data:`HOST_SUPPLIED` does not list.
    """
    core = _parameters(catalog.resolve(entry.core))
    adapter = _parameters(_adapter(entry, host))
    problems = []
    set_by_adapter = {
        target.partition("[")[0]
        for name in adapter
        for target in NAME_MAPS[host].get(name, (name,))
    }
    for name in core:
        if name not in set_by_adapter and name not in HOST_SUPPLIED[host]:
            problems.append(f"core parameter {name!r} of {entry.core} has no {host} parameter "
                            "(add one, or list it in HOST_SUPPLIED with the reason)")  # fmt: skip
    for name, parameter in adapter.items():
        if name in HOST_ONLY[host] or (name in HOST_SHARED[host] and name not in core):
            continue
        targets = [t for t in NAME_MAPS[host].get(name, (name,)) if t.partition("[")[0] in core]
        if not targets:
            problems.append(f"{host} parameter {name!r} maps to no parameter of {entry.core}")
            continue
        for target in targets:
            expected = _core_default(core, target)
            if expected is inspect.Parameter.empty:
                continue  # required by the core (e.g. the survival columns)
            if parameter.default is inspect.Parameter.empty:
                problems.append(f"{host} parameter {name!r} is required; the core's "
                                f"{target} defaults to {expected!r}")  # fmt: skip
            elif not _same(parameter.default, expected):
                problems.append(f"{host} parameter {name!r} defaults to {parameter.default!r}, "
                                f"the core's {target} to {expected!r}")  # fmt: skip
    return problems


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return tuple(a) == tuple(b)
    return (a is None and b is None) or (type(a) is type(b) and a == b)


def check_adapter_defaults(entry: GeneratorEntry) -> None:
    """Both host adapters of ``entry`` take every core hyper-parameter, defaulted as the core."""
    problems = [p for host in ("synthcity", "sdv") for p in adapter_default_mismatches(entry, host)]
    if problems:
        raise AssertionError(f"{entry.name}: adapter parameters drift from the core:\n  - "
                             + "\n  - ".join(problems))  # fmt: skip

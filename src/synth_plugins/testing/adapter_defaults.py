"""The kit check that host adapters default every hyper-parameter as the core does.

Each hyper-parameter's default is declared once, in the core's signature; a Synthcity
plugin or SDV synthesizer that restates a number can drift from it (the LSTM adapters once
defaulted to ``validation_fraction=0.0, patience=None`` while the core, and its method
card, said 0.1 and 10). :func:`check_adapter_defaults` compares every adapter parameter
with the core parameter it maps to, and refuses parameters it cannot account for, so a
renamed or new parameter cannot slip past either.
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
            "context_columns",
            # SDV's device switches (booleans, where the cores take a device name)
            "cuda",
            "enable_gpu",
        }
    ),
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
    """Every way ``host``'s adapter of ``entry`` departs from the core's defaults."""
    core = _parameters(catalog.resolve(entry.core))
    problems = []
    for name, parameter in _parameters(_adapter(entry, host)).items():
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
    """Both host adapters of ``entry`` default every core hyper-parameter as the core does."""
    problems = [p for host in ("synthcity", "sdv") for p in adapter_default_mismatches(entry, host)]
    if problems:
        raise AssertionError(f"{entry.name}: adapter defaults drift from the core:\n  - "
                             + "\n  - ".join(problems))  # fmt: skip

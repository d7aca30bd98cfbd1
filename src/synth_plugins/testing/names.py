"""The kit check that every generator and metric names each concept as the glossary does.

One concept has one name across the suite's generators: a core that writes ``learning_rate``
where the others write ``lr``, or ``n_epochs`` for ``epochs``, makes users guess and the
adapters translate. :data:`GLOSSARY` is the table "One name per concept" of
``docs/architecture.md``; :func:`check_parameter_names` fails when a core's parameter, or an
adapter's, is a synonym the table bans. The hosts' own names (Synthcity's ``n_iter`` and
``hidden_<i>``, SDV's ``enable_gpu``) are the ones :mod:`synth_plugins.testing.adapter_defaults`
maps or declares host-only; they are allowed in that host's adapter only.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from dataclasses import dataclass

from synth_plugins import catalog
from synth_plugins.catalog import GeneratorEntry, MetricEntry
from synth_plugins.testing.adapter_defaults import HOST_ONLY, NAME_MAPS


@dataclass(frozen=True)
class Concept:
    """One concept: its names in the cores and each host, and the synonyms it bans.

    Names are written with placeholders: ``<part>`` for a network or stage (``static``,
    ``encoder``, ``generator``, ...), ``<i>`` for a position (1, 2, ...).
    """

    concept: str
    #: the names in the cores
    names: tuple[str, ...]
    #: how each host's adapter writes it (the same as the cores' unless the host differs)
    synthcity: tuple[str, ...]
    sdv: tuple[str, ...]
    #: names refused in a core or adapter (whole parameter names)
    banned: tuple[str, ...]
    note: str = ""


GLOSSARY: tuple[Concept, ...] = (
    Concept(
        "training epochs (passes over the data)",
        ("epochs",),
        ("n_iter",),
        ("epochs",),
        (
            "n_epochs",
            "num_epochs",
            "max_epochs",
            "epoch",
            "n_iter",
            "iterations",
            "n_iterations",
            "iters",
        ),
    ),
    Concept(
        "epochs of one part or stage",
        ("<part>_epochs",),
        ("<part>_n_iter",),
        ("<part>_epochs",),
        (
            "epochs_<part>",
            "n_<part>_epochs",
            "<part>_n_epochs",
            "<part>_num_epochs",
            "<part>_n_iter",
            "<part>_iterations",
        ),
    ),
    Concept(
        "hidden layer widths",
        ("hidden", "<part>_hidden"),
        ("hidden", "<part>_hidden", "hidden_<i>"),
        ("hidden", "<part>_hidden"),
        (
            "hidden_size",
            "hidden_sizes",
            "hidden_dim",
            "hidden_dims",
            "hidden_units",
            "n_units_hidden",
            "hidden_layers",
            "hidden_<i>",
            "<part>_dims",
            "<part>_hidden_size",
            "<part>_units",
            "<part>_hidden_dim",
            "<part>_hidden_dims",
            "units",
        ),
        "an int, or a tuple with one width per layer; a Synthcity plugin takes element i of "
        "a tuple as `hidden_<i>`, one number per dimension of its search space",
    ),
    Concept(
        "stacked recurrent layers",
        ("num_layers",),
        ("num_layers",),
        ("num_layers",),
        ("n_layers", "layers", "num_hidden_layers", "n_hidden_layers"),
    ),
    Concept(
        "learning rate",
        ("lr", "<part>_lr"),
        ("lr", "<part>_lr"),
        ("lr", "<part>_lr"),
        ("learning_rate", "<part>_learning_rate", "lr_<part>", "step_size"),
    ),
    Concept(
        "rows per optimisation step",
        ("batch_size",),
        ("batch_size",),
        ("batch_size",),
        ("batchsize", "bs", "batch", "n_batch", "minibatch_size"),
    ),
    Concept(
        "share of the training rows held out for early stopping",
        ("validation_fraction",),
        ("validation_fraction",),
        ("validation_fraction",),
        (
            "val_fraction",
            "valid_fraction",
            "validation_split",
            "val_split",
            "validation_size",
            "val_size",
            "holdout_fraction",
        ),
    ),
    Concept(
        "epochs without improvement before early stopping",
        ("patience",),
        ("patience",),
        ("patience",),
        ("early_stopping_patience", "early_stopping", "es_patience", "n_iter_no_change"),
    ),
    Concept(
        "torch device",
        ("device",),
        ("device",),
        ("enable_gpu",),
        ("cuda", "gpu", "use_gpu", "use_cuda", "enable_gpu", "device_name"),
        "SDV's own switch is `enable_gpu` (the LSTM's SDV class also takes `cuda`, the name "
        "SDV's PAR uses, as an alias)",
    ),
    Concept(
        "seed",
        ("random_state",),
        ("random_state",),
        ("random_state",),
        ("seed", "random_seed", "rng", "<part>_seed"),
        "a list of seeds, one per repeated run, is `seeds`",
    ),
    Concept(
        "real rows the generator never saw (metrics)",
        ("holdout",),
        ("holdout",),
        ("holdout",),
        ("test", "test_data", "real_test", "holdout_data", "real_holdout", "validation_data"),
        "a metric core's parameter; one bridge per host hands it that host's holdout input",
    ),
    Concept(
        "progress output",
        ("verbose",),
        ("verbose",),
        ("verbose",),
        ("verbosity", "quiet", "silent", "progress"),
    ),
)


def _pattern(name: str) -> re.Pattern[str]:
    """A glossary name with ``<part>`` / ``<i>`` placeholders as a whole-name pattern."""
    escaped = re.escape(name).replace("<part>", r"\w+").replace("<i>", r"\d+")
    return re.compile(escaped)


#: Names a core may not use, each with the concept whose name replaces it.
_BANNED = [(_pattern(name), concept) for concept in GLOSSARY for name in concept.banned]


def banned_concept(name: str) -> Concept | None:
    """The concept whose synonym ``name`` is, or None if the glossary allows it."""
    for pattern, concept in _BANNED:
        if pattern.fullmatch(name):
            return concept
    return None


def _parameters(cls: type) -> list[str]:
    return [
        name
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _host_names(host: str) -> frozenset[str]:
    """The names a host's adapters may use besides the cores': its mapped and own ones."""
    names: Mapping[str, object] = NAME_MAPS[host]
    return frozenset(names) | HOST_ONLY[host]


def parameter_name_problems(entry: GeneratorEntry, hosts: tuple[str, ...] = ()) -> list[str]:
    """Every parameter of ``entry``'s core (and of its adapters for ``hosts``) the glossary bans."""
    classes = [("core", catalog.resolve(entry.core), frozenset[str]())]
    for host in hosts:
        reference = entry.synthcity_plugin if host == "synthcity" else entry.sdv_synthesizer
        classes.append((host, catalog.resolve(reference), _host_names(host)))
    problems = []
    for where, cls, allowed in classes:
        for name in _parameters(cls):
            concept = banned_concept(name) if name not in allowed else None
            if concept is not None:
                problems.append(
                    f"{where} parameter {name!r} of {entry.name} is a synonym of "
                    f"{concept.concept!r}: the glossary's names are {list(concept.names)}"
                )
    return problems


def glossary_table() -> str:
    """:data:`GLOSSARY` as the Markdown table of ``docs/architecture.md``."""

    def code(names: tuple[str, ...]) -> str:
        return ", ".join(f"`{n}`" for n in names)

    rows = ["| concept | cores | Synthcity plugin | SDV synthesizer | refused | note |",
            "|---|---|---|---|---|---|"]  # fmt: skip
    for c in GLOSSARY:
        rows.append(f"| {c.concept} | {code(c.names)} | {code(c.synthcity)} | {code(c.sdv)} "
                    f"| {code(c.banned)} | {c.note} |")  # fmt: skip
    return "\n".join(rows) + "\n"


def metric_parameter_problems(entry: MetricEntry) -> list[str]:
    """Every parameter of ``entry``'s core function the glossary bans."""
    problems = []
    for name in inspect.signature(catalog.resolve(entry.core)).parameters:
        concept = banned_concept(name)
        if concept is not None:
            problems.append(
                f"parameter {name!r} of metric {entry.name} is a synonym of "
                f"{concept.concept!r}: the glossary's names are {list(concept.names)}"
            )
    return problems


def check_metric_parameter_names(entry: MetricEntry) -> None:
    """``entry``'s core function uses the glossary's names only."""
    problems = metric_parameter_problems(entry)
    if problems:
        raise AssertionError("one name per concept (docs/architecture.md):\n  - "
                             + "\n  - ".join(problems))  # fmt: skip


def check_parameter_names(entry: GeneratorEntry, hosts: tuple[str, ...] = ()) -> None:
    """``entry``'s core (and its adapters for ``hosts``) use the glossary's names only."""
    problems = parameter_name_problems(entry, hosts)
    if problems:
        raise AssertionError("one name per concept (docs/architecture.md):\n  - "
                             + "\n  - ".join(problems))  # fmt: skip

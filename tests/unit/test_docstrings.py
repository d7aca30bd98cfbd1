"""Adapters' argument docs are completed from their core's: every argument documented, once."""

import inspect

import pytest

from synth_plugins import catalog
from synth_plugins._docstrings import ArgEntry, DocstringError, args_from, parse_args

ADAPTERS = [
    pytest.param(getattr(entry, reference), id=f"{entry.name}-{host}")
    for entry in catalog.GENERATORS
    for host, reference in (("sdv", "sdv_synthesizer"), ("synthcity", "synthcity_plugin"))
]


def _arguments(cls: type) -> list[str]:
    return [
        name
        for name, p in list(inspect.signature(cls.__init__).parameters.items())[1:]
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def test_the_ten_adapters_are_checked() -> None:
    assert len(ADAPTERS) == 10


@pytest.mark.parametrize("reference", ADAPTERS)
def test_every_adapter_argument_is_documented_in_signature_order(reference: str) -> None:
    cls = catalog.resolve(reference)
    documented = [name for entry in parse_args(cls.__doc__) for name in entry.names]
    assert documented == _arguments(cls)
    # help() shows the docstring cleaned: one margin, entries at 4, their text at 8 (or more)
    lines = inspect.getdoc(cls).splitlines()
    start = lines.index("Args:")
    section = lines[start + 1 : lines.index("", start)]
    assert all(line.startswith("    ") for line in section)
    assert all(line[4] != " " or line.startswith("        ") for line in section)


class Core:
    """A core.

    Args:
        roles: role per column.
        epochs: training epochs (10); the schedule
            follows them.
        dp, dp_delta: DP-SGD
            training.
        seed: unused here.

    Example:
        >>> 1 + 1
        2
    """

    def __init__(self, roles=None, *, epochs=10, dp=False, dp_delta=None, seed=0) -> None:
        pass


def test_the_parser_reads_a_multi_name_entry_with_its_continuation_lines() -> None:
    entries = parse_args(Core.__doc__)
    assert entries[2] == ArgEntry(("dp", "dp_delta"), ("DP-SGD", "    training."))
    assert entries[1] == ArgEntry(("epochs",), ("training epochs (10); the schedule",
                                                "    follows them."))  # fmt: skip
    assert [e.names for e in entries] == [("roles",), ("epochs",), ("dp", "dp_delta"), ("seed",)]


def test_the_parser_reads_names_wrapped_over_lines_and_types() -> None:
    doc = """Summary.

    Args:
        sampling_patience, strict, device,
        workspace (Path): Synthcity's
            plugin arguments.
    """
    assert parse_args(doc) == (
        ArgEntry(("sampling_patience", "strict", "device", "workspace"),
                 ("Synthcity's", "    plugin arguments.")),
    )  # fmt: skip


def test_many_names_are_written_over_lines_that_read_back_as_one_entry() -> None:
    entry = ArgEntry(tuple(f"argument_{i}" for i in range(10)), ("the text", "    goes on."))
    lines = entry.render("    ")
    assert [line.endswith(",") for line in lines] == [True, False, False]
    assert lines[1].endswith(": the text") and lines[2] == "        goes on."
    assert parse_args("\n".join(["Summary.", "", "Args:", *lines])) == (entry,)


def test_undocumented_entries_come_from_the_core_renamed_and_in_signature_order() -> None:
    @args_from(Core, {"epochs": "n_iter"})
    class Host:
        """A host.

        Args:
            strict: the host's own argument.

        Example:
            >>> 2 + 2
            4
        """

        def __init__(self, dp=False, n_iter=10, strict=True, dp_delta=None, **kwargs) -> None:
            pass

    assert inspect.getdoc(Host) == inspect.cleandoc(
        """A host.

        Args:
            dp, dp_delta: DP-SGD
                training.
            n_iter: training epochs (10); the schedule
                follows them.
                (``n_iter`` is ``Core``'s ``epochs``.)
            strict: the host's own argument.

        Example:
            >>> 2 + 2
            4
        """
    )


def test_an_undocumented_argument_fails_at_class_creation_naming_class_and_argument() -> None:
    with pytest.raises(DocstringError, match=r"Host: argument 'workspace' is undocumented"):

        @args_from(Core)
        class Host:
            """A host.

            Args:
                strict: the host's own argument.
            """

            def __init__(self, epochs=10, strict=True, workspace="w") -> None:
                pass


def test_an_entry_for_no_argument_and_a_renamed_one_missing_from_the_core_fail() -> None:
    with pytest.raises(DocstringError, match=r"documents 'n_iter', which is not an argument"):

        @args_from(Core)
        class Stale:
            """A host.

            Args:
                n_iter: gone from the signature.
            """

            def __init__(self, epochs=10) -> None:
                pass

    with pytest.raises(DocstringError, match=r"'hidden_1' is undocumented.*\(as 'hidden\[0\]'\)"):

        @args_from(Core, {"hidden[0]": "hidden_1"})
        class Split:
            """A host without an Args section."""

            def __init__(self, hidden_1=8) -> None:
                pass


def test_an_argument_a_suite_host_base_adds_takes_the_entry_of_its_init() -> None:
    """Synthcity's ``SuitePlugin`` adds ``identifier_columns`` and ``detect_identifiers`` to
    four plugins, whose docstrings repeated the same entries; the base's ``__init__`` now
    documents them once. A host library's own base class is not read."""

    class Base:
        def __init__(self, keys=(), **kwargs) -> None:
            """A base.

            Args:
                keys: the base's own argument, written once.
            """

    Base.__module__ = "synth_plugins.synthcity.example"

    @args_from(Core)
    class Host(Base):
        """A host."""

        def __init__(self, epochs=10, keys=()) -> None:
            pass

    assert "    keys: the base's own argument, written once." in inspect.getdoc(Host)
    Base.__module__ = "synthcity.plugins.core.plugin"
    with pytest.raises(DocstringError, match=r"Other: argument 'keys' is undocumented"):

        @args_from(Core)
        class Other(Base):
            """A host."""

            def __init__(self, epochs=10, keys=()) -> None:
                pass


def test_a_class_without_an_args_section_gets_one() -> None:
    @args_from(Core)
    class Bare:
        """A host.

        Example:
            >>> 3
            3
        """

        def __init__(self, seed=0) -> None:
            pass

    assert inspect.getdoc(Bare).splitlines() == [
        "A host.", "", "Args:", "    seed: unused here.", "", "Example:", "    >>> 3", "    3",
    ]  # fmt: skip


def test_adapters_import_without_docstrings() -> None:
    """``python -OO`` strips every docstring: the decorator checked the empty ``__doc__``
    and refused every argument, so no adapter imported."""
    import subprocess
    import sys

    code = "import synth_plugins.sdv.med_vae, synth_plugins.sdv.ck4gen; print('ok')"
    result = subprocess.run(
        [sys.executable, "-OO", "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "ok"

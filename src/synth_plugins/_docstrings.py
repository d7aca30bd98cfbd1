"""Host adapters' argument docs, completed from their core's: one text per hyper-parameter.

Each generator's hyper-parameters are documented once, in the ``Args:`` section of its
core class (``MedVAE``, ``CTABGANPlus``, ...). A Synthcity plugin or SDV synthesizer
documents only what its host adds or changes (SDV's ``metadata`` and ``enable_gpu``,
Synthcity's ``hidden_<i>`` and plugin arguments, a seed that means something else there);
:func:`args_from` fills in every other argument with the core's entry when the class is
created, so ``help()`` on an adapter shows every argument without a second copy of the text
to drift from the first (the copies did drift: compact restatements, stale defaults).

The decorator is strict, so the rule holds by construction: an adapter argument that
neither its own docstring nor its core's documents, or an entry naming no argument, fails
the import of the adapter's module with :class:`DocstringError` naming the class and the
argument. In the spirit of pandas' ``@doc``, but for Google-style ``Args:`` sections.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from synth_plugins.errors import SynthPluginsError

__all__ = ["ArgEntry", "DocstringError", "args_from", "completed_doc", "parse_args"]

T = TypeVar("T", bound=type)

#: Titles that open the arguments section of a Google-style docstring.
_ARGS_TITLES = ("Args", "Arguments")
#: A section title line ("Args:", "Example:", ...), any indentation.
_SECTION = re.compile(r"^(?P<indent> *)(?P<title>[A-Z][A-Za-z ]*):\s*$")
_NAME = r"\*{0,2}[A-Za-z_]\w*"
#: An entry's first line: one or more names, an optional ``(type)``, a colon, the text.
_HEADER = re.compile(
    rf"^(?P<names>{_NAME}(?:\s*,\s*{_NAME})*)(?:\s*\([^)]*\))?\s*:(?:\s+(?P<text>.*))?$"
)
#: Width of an entry's names line, from their indentation (100 columns less a class's 8).
_WIDTH = 92
#: Names ending with a comma: a header that goes on over the next line.
_WRAPPED_NAMES = re.compile(rf"^{_NAME}(?:\s*,\s*{_NAME})*\s*,$")


class DocstringError(SynthPluginsError, TypeError):
    """A class's docstring does not document its arguments as :func:`args_from` requires."""


@dataclass(frozen=True)
class ArgEntry:
    """One entry of an ``Args:`` section.

    ``names`` are the arguments it documents (``hidden_1, hidden_2:`` names two); ``lines``
    hold the text after the colon (``""`` if it starts on the next line), then each
    continuation line with its indentation relative to the entry's name.
    """

    names: tuple[str, ...]
    lines: tuple[str, ...]

    def render(self, indent: str) -> list[str]:
        """The entry's lines at ``indent``, the indentation of the names.

        Names that do not fit on one line go on over the next ones, each ending with a comma.
        """
        heads = [self.names[0]]
        for name in self.names[1:]:
            if len(f"{heads[-1]}, {name}:") > _WIDTH:
                heads[-1] += ","
                heads.append(name)
            else:
                heads[-1] += f", {name}"
        heads[-1] += ":" + (f" {self.lines[0]}" if self.lines[0] else "")
        rest = [f"{indent}{line}" if line else "" for line in self.lines[1:]]
        return [f"{indent}{head}" for head in heads] + rest


@dataclass(frozen=True)
class _Section:
    """Where the ``Args:`` section of a docstring's lines is."""

    #: index of the title line, and of the first line after the section
    start: int
    end: int
    #: the indentation of the entries' names
    indent: str
    entries: tuple[ArgEntry, ...]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _find_section(lines: list[str], owner: str) -> _Section | None:
    """The ``Args:`` section of cleaned docstring ``lines`` (None if there is none)."""
    for start, line in enumerate(lines):
        match = _SECTION.match(line)
        if match is None or match["title"] not in _ARGS_TITLES:
            continue
        margin = len(match["indent"])
        end = start + 1
        while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > margin):
            end += 1
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1  # the blank lines before the next section are not the section's
        body = lines[start + 1 : end]
        if not body:
            return _Section(start, end, " " * (margin + 4), ())
        indent = _indent(body[0])
        return _Section(start, end, " " * indent, _parse_entries(body, indent, owner))
    return None


def _parse_entries(body: list[str], indent: int, owner: str) -> tuple[ArgEntry, ...]:
    entries: list[ArgEntry] = []
    names: tuple[str, ...] | None = None
    text: list[str] = []
    pending = ""  # names of a header wrapped over several lines
    for line in body:
        if line.strip() and _indent(line) < indent:
            raise DocstringError(f"{owner}: Args line {line.strip()!r} is indented less than "
                                 "the first entry")  # fmt: skip
        if line.strip() and _indent(line) == indent:
            content = pending + line.strip()
            if _WRAPPED_NAMES.match(content):
                pending = content + " "
                continue
            header = _HEADER.match(content)
            if header is None:
                raise DocstringError(f"{owner}: cannot read Args entry {content!r} (expected "
                                     "'name: text' or 'name_1, name_2: text')")  # fmt: skip
            if names is not None:
                entries.append(ArgEntry(names, tuple(text)))
            pending = ""
            names = tuple(n.strip().lstrip("*") for n in header["names"].split(","))
            text = [header["text"] or ""]
        else:
            if pending or names is None:
                raise DocstringError(f"{owner}: Args entry {pending.strip()!r} has no colon")
            text.append(line[indent:] if line.strip() else "")
    if pending:
        raise DocstringError(f"{owner}: Args entry {pending.strip()!r} has no colon")
    if names is not None:
        while text and not text[-1]:
            text.pop()
        entries.append(ArgEntry(names, tuple(text)))
    return tuple(entries)


def parse_args(doc: str | None, owner: str = "docstring") -> tuple[ArgEntry, ...]:
    """The entries of the Google-style ``Args:`` section of ``doc``, in their order.

    Continuation lines stay with their entry; an entry may name several arguments
    (``dp, dp_delta: ...``, its names possibly wrapped over lines that end with a comma)
    and give a type (``name (int): ...``). ``owner`` names the docstring in errors.

    Raises:
        DocstringError: a line of the section that is not an entry or part of one.
    """
    section = _find_section(inspect.cleandoc(doc or "").splitlines(), owner)
    return () if section is None else section.entries


def _parameters(cls: type) -> list[str]:
    """``cls.__init__``'s named parameters, in order (not ``self``, ``*args``, ``**kwargs``)."""
    return [
        name
        for name, p in list(inspect.signature(cls.__init__).parameters.items())[1:]
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _host_entries(cls: type) -> dict[str, ArgEntry]:
    """The ``Args`` entries of the suite's base classes' ``__init__`` docstrings above ``cls``.

    A host base class (Synthcity's ``SuitePlugin``) documents the arguments it adds to
    every adapter (``identifier_columns``, ...) once, in its ``__init__``; the nearest
    base's entry wins. Host libraries' own classes are not read.
    """
    entries: dict[str, ArgEntry] = {}
    for base in cls.__mro__[1:]:
        init = base.__dict__.get("__init__")
        if not base.__module__.startswith("synth_plugins.") or init is None:
            continue
        for entry in parse_args(init.__doc__, f"{base.__qualname__}.__init__"):
            for name in entry.names:
                entries.setdefault(name, entry)
    return entries


def _from_core(
    entry: ArgEntry, names: list[str], core_names: Mapping[str, str], core: str
) -> ArgEntry:
    """``entry`` of the core, for the adapter's ``names``; renamed ones say the core's name."""
    lines = list(entry.lines)
    renamed = [f"``{n}`` is ``{core}``'s ``{core_names[n]}``" for n in names if core_names[n] != n]
    if renamed:
        step = next((_indent(line) for line in lines[1:] if line.strip()), 4)
        lines.append(" " * step + "(" + "; ".join(renamed) + ".)")
    return ArgEntry(tuple(names), tuple(lines))


def completed_doc(cls: type, core: type, host_names: Mapping[str, str] | None = None) -> str:
    """``cls.__doc__`` with every undocumented ``__init__`` argument's entry taken from ``core``.

    An argument ``core`` does not document takes the entry of the suite's host base class
    that adds it (:func:`_host_entries`).

    ``host_names`` maps a core argument to the adapter's name for it (``{"epochs":
    "n_iter"}``, as :func:`synth_plugins.validation.host_names` takes it); the entry then
    says the core's name. Entries come out in the signature's order (an entry naming
    several arguments at its first one's place) and at the adapter's own indentation.

    Raises:
        DocstringError: an argument of ``cls.__init__`` that neither ``cls``'s docstring
            nor ``core``'s (nor a host base class's ``__init__``) documents, an ``Args``
            entry of ``cls`` naming no argument or documenting one twice, or a docstring
            section that cannot be read.
    """
    owner, doc = cls.__qualname__, cls.__doc__ or ""
    lines = inspect.cleandoc(doc).splitlines()
    section = _find_section(lines, owner)
    own = section.entries if section is not None else ()
    order = {name: position for position, name in enumerate(_parameters(cls))}

    documented: set[str] = set()
    for entry in own:
        for name in entry.names:
            if name not in order:
                raise DocstringError(f"{owner}'s docstring documents {name!r}, which is not an "
                                     f"argument of {owner}.__init__")  # fmt: skip
            if name in documented:
                raise DocstringError(f"{owner}'s docstring documents {name!r} twice")
            documented.add(name)

    to_core: dict[str, list[str]] = {}  # adapter name -> the core arguments it sets
    for core_name, host in (host_names or {}).items():
        to_core.setdefault(host, []).append(core_name)
    core_entries = parse_args(core.__doc__, core.__qualname__)
    by_name = {name: entry for entry in core_entries for name in entry.names}
    for name, entry in _host_entries(cls).items():  # the host's own, shared by its adapters
        by_name.setdefault(name, entry)
    taken: dict[ArgEntry, list[str]] = {}  # core entry -> the adapter names it documents
    for name in order:
        if name in documented:
            continue
        targets = to_core.get(name, [name])
        if len(targets) > 1:
            raise DocstringError(f"{owner}: argument {name!r} sets {targets} of "
                                 f"{core.__qualname__}; document it in {owner}'s Args")  # fmt: skip
        core_name = targets[0]
        if core_name not in by_name:
            also = f" (as {core_name!r})" if core_name != name else ""
            raise DocstringError(
                f"{owner}: argument {name!r} is undocumented: add it to {owner}'s Args, or "
                f"to {core.__qualname__}'s{also} if the text is the core's"
            )
        taken.setdefault(by_name[core_name], []).append(name)

    core_names = {name: to_core.get(name, [name])[0] for names in taken.values() for name in names}
    merged = [*own, *(_from_core(e, n, core_names, core.__qualname__) for e, n in taken.items())]
    merged.sort(key=lambda entry: min(order[name] for name in entry.names))

    indent = section.indent if section is not None else "    "
    body = [line for entry in merged for line in entry.render(indent)]
    if section is not None:
        new = [*lines[: section.start + 1], *body, *lines[section.end :]]
    else:  # a new section, before the first other one (or at the end)
        at = next((i for i, line in enumerate(lines) if i and _SECTION.match(line)), len(lines))
        before, after = lines[:at], lines[at:]
        while before and not before[-1].strip():
            before.pop()
        new = [*before, *([""] if before else []), "Args:", *body, *([""] if after else []), *after]
    return _reindent(new, doc)


def _reindent(lines: list[str], original: str) -> str:
    """Cleaned ``lines`` at ``original``'s margin, so ``__doc__`` reads as it was written."""
    written = original.expandtabs().splitlines()
    margin = " " * min((_indent(line) for line in written[1:] if line.strip()), default=0)
    text = "\n".join([lines[0], *(f"{margin}{line}" if line else "" for line in lines[1:])])
    closing = len(written) > 1 and not written[-1].strip()  # the closing quotes' own line
    return text + ("\n" + written[-1] if closing else "")


def args_from(core: type, host_names: Mapping[str, str] | None = None) -> Callable[[T], T]:
    """Class decorator: complete an adapter's ``Args:`` from its core's (see the module).

    Every ``__init__`` argument the adapter's docstring does not document gets the core's
    entry (renamed by ``host_names``, core name -> adapter name). Raises
    :class:`DocstringError` at class creation, so at import, where an argument stays
    undocumented (see :func:`completed_doc`). Under ``python -OO`` (no docstrings) the
    class is left as it is.
    """

    def decorate(cls: T) -> T:
        if cls.__doc__ is None or core.__doc__ is None:
            return cls  # ``python -OO`` strips docstrings: nothing to complete or check
        cls.__doc__ = completed_doc(cls, core, host_names)
        return cls

    return decorate

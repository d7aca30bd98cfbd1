"""Column labels: text as a rule, other labels (a frame built from an array) kept as given.

Labels are written as text in several places: the Cox design's ``column[level]`` names,
SDV's metadata and every error message. Two labels that read the same there (the integer
``1`` and the text ``"1"``) would become one column, so they are refused up front.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from synth_plugins.errors import InvalidDataError


def check_labels(labels: Iterable[Hashable], name: str = "data") -> None:
    """Refuse column labels that read the same as text, e.g. ``1`` and ``"1"``.

    Raises:
        InvalidDataError: naming the labels that clash and the argument they came in.
    """
    seen: dict[str, list[Hashable]] = {}
    for label in labels:
        seen.setdefault(str(label), []).append(label)
    clashes = [group for group in seen.values() if len(group) > 1]
    if clashes:
        raise InvalidDataError(
            f"{name} has column labels that read the same as text: "
            f"{'; '.join(' and '.join(map(repr, group)) for group in clashes)}; rename one "
            "of each pair"
        )

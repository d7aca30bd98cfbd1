"""Fresh values of SDV ``id`` columns: a ``regex_format``'s strings, and SDV's keys.

SDV generates a column with a ``regex_format`` from its pattern (rdt's ``RegexGenerator``
enumerates the strings the pattern matches), so its values can be the training values
themselves: a table whose record numbers are the pattern's first strings gets them back.
The suite's synthesizers generate these columns themselves, with the same enumeration,
skipping every training value, and continue it over calls (as they continue other fresh
keys). SDV's primary and alternate keys, which SDV writes after the model's rows, get the
same fresh values from :class:`FreshKeyGenerator`, the generator SDV is given for them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from rdt.transformers import BaseTransformer

from synth_plugins.encoding.tabular import ColumnSpec, fresh_keys, identifier_spec
from synth_plugins.errors import InvalidDataError

__all__ = ["FreshKeyGenerator", "IdPattern", "fresh_values", "id_patterns"]


@dataclass(frozen=True)
class IdPattern:
    """An ``id`` column's ``regex_format`` and its training values.

    A numeric column (SDV allows a pattern of digits on one) compares and returns numbers:
    ``"0042"`` is the training key 42.
    """

    regex: str
    taken: frozenset[Any]
    numeric: bool = False
    #: where the last call's enumeration stopped: ``[values given out, the live
    #: enumeration]``, so that a call continuing from there does not enumerate again the
    #: strings given out before (not pickled, not compared)
    _resume: list[Any] = field(default_factory=list, init=False, compare=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_resume"] = []
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("_resume", [])
        self.__dict__.update(state)

    @classmethod
    def of(cls, series: pd.Series, regex: str) -> IdPattern:
        """The pattern of a training column."""
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        observed = series.dropna()
        return cls(regex, frozenset(observed.tolist() if numeric else observed), numeric)

    def values(self, n: int, column: Hashable, start: int = 0) -> np.ndarray:
        """``n`` distinct values matching the pattern, none a training value.

        The pattern's strings in rdt's enumeration (as SDV generates them), less the
        training values and the first ``start`` others (given out before); numbers
        (int64) for a numeric column.

        Raises:
            InvalidDataError: the pattern has fewer than ``n`` such values, or gives a
                string that is not a whole number for a numeric column.
        """
        from rdt.transformers.utils import strings_from_regex

        if n == 0:  # nothing to give out; the enumeration stays where it is
            return np.asarray([], dtype=np.int64 if self.numeric else object)
        found: list[Any] = []
        skipped = 0
        generator, size = strings_from_regex(self.regex)
        if self._resume and self._resume[0] == start:
            skipped, generator = start, self._resume[1]
        self._resume.clear()  # until this call has given its values out
        for text in generator:
            value = self._value(text, column)
            if value in self.taken:  # numbers: 42 == 42.0
                continue
            if skipped < start:
                skipped += 1
                continue
            found.append(value)
            if len(found) == n:
                break
        if len(found) < n:
            raise InvalidDataError(
                f"column {column!r}: its regex_format {self.regex!r} allows {size:.0f} values, "
                f"{len(self.taken)} of them in the training data and {start} given out "
                f"before, and {n} new ones were asked for; widen the pattern (e.g. more "
                "digits)"
            )
        self._resume[:] = [start + n, generator]
        return np.asarray(found, dtype=np.int64 if self.numeric else object)

    def _value(self, text: str, column: Hashable) -> Any:
        if not self.numeric:
            return text
        if not text.isdigit():
            raise InvalidDataError(
                f"column {column!r} holds numbers, but its regex_format {self.regex!r} "
                f"gives {text!r}; give the column a pattern of digits, or its keys as text"
            )
        return int(text)


def fresh_values(spec: ColumnSpec, pattern: IdPattern | None, n: int, start: int) -> np.ndarray:
    """``n`` fresh values of an ``id`` column from position ``start`` on.

    The pattern's strings less the training values when the column has a
    ``regex_format``, else fresh keys (:func:`~synth_plugins.encoding.tabular.fresh_keys`).
    """
    if pattern is not None:
        return pattern.values(n, spec.name, start)
    return fresh_keys(spec, n, start).to_numpy()


def id_patterns(
    data: pd.DataFrame, described: Mapping[str, Mapping[str, Any]]
) -> dict[Hashable, IdPattern]:
    """The ``id`` columns of ``data`` with a ``regex_format``, by their labels in ``data``.

    Args:
        data: the training table (its column labels may be numbers: the metadata names
            them as text).
        described: the metadata's ``columns`` (``{column: {"sdtype": ..., ...}}``).
    """
    patterns = {}
    for column in data.columns:
        entry = described.get(str(column), {})
        if entry.get("sdtype") == "id" and entry.get("regex_format"):
            patterns[column] = IdPattern.of(data[column], str(entry["regex_format"]))
    return patterns


class FreshKeyGenerator(BaseTransformer):
    """SDV's generator of a primary or alternate ``id`` key: no value is a training key.

    SDV writes its keys after the model's rows, with the generator its data processor holds
    for them: rdt's ``RegexGenerator`` for a key with a ``regex_format`` (the pattern's
    first strings: a table numbered ``MRN00000``, ``MRN00001``, ... got its keys back) and
    Faker's random integers for whole-number keys (from 0..127 in an int8 column, 0..2**24
    in wider ones: real record numbers by chance, or nearly all of them). This generator
    learns the training keys when SDV fits it and gives :func:`fresh_values`: the pattern's
    strings less the training keys, else fresh keys
    (:func:`~synth_plugins.encoding.tabular.fresh_keys`: ``10**d, 10**d + 1, ...`` above
    whole-number keys, ``synthetic_<i>`` for text). They continue over batches and calls,
    as SDV's keys do, and start again at ``reset_randomization`` (SDV's
    ``reset_sampling``); the count is saved with the synthesizer.

    Args:
        regex_format: the key's ``regex_format`` in the metadata (None: it has none).
    """

    IS_GENERATOR = True
    INPUT_SDTYPE = "id"

    def __init__(self, regex_format: str | None = None) -> None:
        super().__init__()
        self.regex_format = regex_format
        self.output_properties = {None: {"next_transformer": None}}
        self._spec: ColumnSpec | None = None
        self._pattern: IdPattern | None = None
        self._issued = 0

    def reset_randomization(self) -> None:
        """Start the keys again from the first (SDV's ``reset_sampling`` calls this)."""
        super().reset_randomization()
        self._issued = 0

    def _fit(self, data: pd.Series) -> None:
        """Learn the training keys (and the pattern's, with a ``regex_format``).

        Raises:
            InvalidDataError: keys that fresh keys cannot follow (see
                :func:`~synth_plugins.encoding.tabular.identifier_spec`).
        """
        self._spec = identifier_spec(data)
        self._pattern = IdPattern.of(data, self.regex_format) if self.regex_format else None
        self._issued = 0

    def _transform(self, data: pd.Series) -> None:
        """Drop the column: the model never sees a key (as with SDV's own generators)."""
        return None

    def _reverse_transform(self, data: pd.DataFrame) -> np.ndarray:
        """One fresh key per row of ``data``, continuing the keys given out before.

        Raises:
            InvalidDataError: the ``regex_format`` has too few strings that are not
                training keys (the message names the column).
        """
        assert self._spec is not None, "SDV fits a key's generator before it samples"
        keys = fresh_values(self._spec, self._pattern, len(data), self._issued)
        self._issued += len(keys)
        return keys

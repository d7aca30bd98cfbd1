"""Where SDV 1.x and SDV 2.x differ, in one place: how tables go in and come out.

SDV 1.x synthesizers take and return one DataFrame; SDV 2.x takes and returns a dictionary
``{table_name: DataFrame}`` for every modality, single tables included, and its sequential
synthesizers sample with ``sample_sequences`` instead of ``sample``. The suite's SDV
synthesizers accept either shape and answer in the shape of the installed SDV, so they
drop into code written for either line; the helpers below let our own code (kits,
benchmarks, tests) call any SDV synthesizer the same way on both lines. Saved synthesizers
are loaded with ``sdv.utils.load_synthesizer`` on both lines (SDV 2 removed the
``load`` classmethod).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

import pandas as pd

from synth_plugins.errors import InvalidDataError

#: The major version of the installed SDV (1 or 2).
SDV_MAJOR = int(version("sdv").split(".")[0])


def single_table(data: Any, name: str = "data", table_name: str | None = None) -> pd.DataFrame:
    """The DataFrame in ``data``: a DataFrame itself, or SDV 2's one-table dictionary.

    ``table_name``: the metadata's table, which the dictionary's key must name (as SDV's
    own synthesizers require); None accepts any key.

    Raises:
        InvalidDataError: ``data`` is neither a DataFrame nor a dictionary holding exactly
            one DataFrame, or its key is not ``table_name`` (the message names ``name`` and
            what it got).
    """
    if isinstance(data, Mapping):
        if len(data) != 1:
            raise InvalidDataError(
                f"{name} must be a DataFrame or a dictionary with exactly one table "
                f"{{table_name: DataFrame}}, got a dictionary with {len(data)} entries "
                f"{list(data)[:5]}"
            )
        (key, table), *_ = data.items()
        if not isinstance(table, pd.DataFrame):
            raise InvalidDataError(
                f"{name}[{key!r}] must be a pandas DataFrame, got {type(table).__name__}"
            )
        if table_name is not None and key != table_name:
            raise InvalidDataError(
                f"{name} holds the table {key!r}, but the metadata describes the table "
                f"{table_name!r}; pass {{{table_name!r}: DataFrame}} (or the DataFrame)"
            )
        return table
    if not isinstance(data, pd.DataFrame):
        raise InvalidDataError(
            f"{name} must be a pandas DataFrame (or, as SDV 2 takes it, "
            f"{{table_name: DataFrame}}), got {type(data).__name__}"
        )
    return data


def table_name(metadata: Any) -> str:
    """The name of the one table described by SDV ``metadata``."""
    return str(next(iter(metadata.to_dict()["tables"])))


def native(table: pd.DataFrame, metadata: Any) -> pd.DataFrame | dict[str, pd.DataFrame]:
    """``table`` in the installed SDV's shape: itself on SDV 1, ``{name: table}`` on SDV 2."""
    return table if SDV_MAJOR < 2 else {table_name(metadata): table}


def fit(synthesizer: Any, table: pd.DataFrame) -> Any:
    """Fit any SDV single-table or sequential synthesizer on ``table``; returns it."""
    synthesizer.fit(native(table, synthesizer.metadata))
    return synthesizer


def sample(synthesizer: Any, num_rows: int) -> pd.DataFrame:
    """``num_rows`` rows from any fitted SDV single-table synthesizer, as a DataFrame."""
    return single_table(synthesizer.sample(num_rows), "sampled data")


def sample_sequences(synthesizer: Any, num_sequences: int) -> pd.DataFrame:
    """``num_sequences`` sequences from a fitted SDV sequential synthesizer (PAR or ours)."""
    if SDV_MAJOR < 2:
        return synthesizer.sample(num_sequences)
    return single_table(synthesizer.sample_sequences(num_sequences), "sampled data")


def load_synthesizer(path: Any) -> Any:
    """A synthesizer saved with ``save(path)``, on either SDV line."""
    from sdv.utils import load_synthesizer as load

    return load(str(path))

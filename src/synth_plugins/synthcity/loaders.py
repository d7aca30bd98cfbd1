"""Translate suite datasets to Synthcity DataLoaders."""

from __future__ import annotations

from typing import Any

import pandas as pd

from synth_plugins.datasets import Dataset
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.synthcity.checks import check_survival_columns, training_frame
from synth_plugins.synthcity.held_columns import has_number_levels
from synth_plugins.synthcity.roles import SYNTHCITY_MAX_LEVELS


def to_dataloader(dataset: Dataset, data: pd.DataFrame | None = None, **options: Any) -> Any:
    """A Synthcity DataLoader for ``dataset`` (or for ``data`` with the dataset's roles).

    Tabular datasets give a ``GenericDataLoader`` (with the target column when the dataset
    has one), survival datasets a ``SurvivalAnalysisDataLoader`` with its duration and
    event columns. ``options`` are passed to the loader (e.g. ``train_size``).

    Pandas ``category`` columns are passed as ``object`` columns with the same values, or
    as number columns where the levels are numbers (fewer than 15; more are refused):
    Synthcity's ``DataLoader.hash`` (the cache key of ``Benchmarks.evaluate``) fails on
    categories.

    The data are checked first, so that an empty table or unusable survival columns get an
    error naming the problem rather than one from Synthcity's loader or schema (see
    :func:`synth_plugins.synthcity.checks.check_survival_columns`).
    """
    from synthcity.plugins.core.dataloader import GenericDataLoader, SurvivalAnalysisDataLoader

    frame = _without_categoricals(dataset.data if data is None else data)
    training_frame(f"the Synthcity loader of {dataset.name!r}", frame)
    if dataset.kind == "survival":
        check_survival_columns(frame, dataset.duration_column, dataset.event_column)
        return SurvivalAnalysisDataLoader(
            frame,
            target_column=dataset.event_column,
            time_to_event_column=dataset.duration_column,
            **options,
        )
    if dataset.kind == "tabular":
        if dataset.target is not None:
            options.setdefault("target_column", dataset.target)
        return GenericDataLoader(frame, **options)
    raise InvalidParameterError(
        f"dataset {dataset.name!r} is {dataset.kind}; a Synthcity loader for longitudinal "
        "data is built by the longitudinal generator's adapter"
    )


def _without_categoricals(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without pandas ``category`` columns (a copy if it had any).

    Levels that are text become ``object`` values; levels that are numbers become a number
    column (floats where a value is missing), which Synthcity label-encodes below 15
    distinct values: an ``object`` column of numbers is left unencoded when its values are
    ``0..k-1``, and its schema then fails at ``generate``
    (:func:`~synth_plugins.synthcity.held_columns.has_number_levels`).

    Raises:
        InvalidDataError: a ``category`` of 15 or more number levels: as numbers Synthcity
            would model it as a quantity and generate codes that are no level.
    """
    categorical = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    if not categorical:
        return frame
    frame = frame.copy()
    for column in categorical:
        series = frame[column]
        if not has_number_levels(series):
            frame[column] = series.astype(object)
            continue
        levels = series.nunique(dropna=False)  # as Synthcity counts them: missing is one
        if levels >= SYNTHCITY_MAX_LEVELS:
            raise InvalidDataError(
                f"column {column!r} is a category of {levels} number levels: a "
                "Synthcity DataLoader cannot hold it as levels (DataLoader.hash fails on "
                f"categories, and as numbers {SYNTHCITY_MAX_LEVELS} or more values are a "
                "quantity). Fit the suite's plugins on a GenericDataLoader of the frame "
                "itself (they keep categories), or cast the column to the values you mean"
            )
        dtype = series.cat.categories.dtype if series.notna().all() else float
        frame[column] = series.astype(dtype)
    return frame

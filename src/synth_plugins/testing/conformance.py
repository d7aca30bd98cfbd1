"""The conformance kit for generators: what every generator must do in every host.

Like Synthcity's generic plugin helpers or scikit-learn's ``check_estimator``, each check
takes a catalog entry and a dataset, exercises the generator through a host's public API
only, and raises ``AssertionError`` with a precise message when the contract is broken.
The suite's tests run every check over every generator of the catalog; a contributor can
run them over a new generator before proposing it.

Checks in Synthcity: get by name (also from a fresh ``Plugins()``), listed, a usable
hyper-parameter space, fit + generate (count, columns, dtypes, value ranges), save/load
round trip, seeded determinism, conditional generation where declared, bad input.
Checks in SDV: construct from metadata, fit + sample (the same schema checks), save/load,
seeded determinism, native ``sample_from_conditions`` where declared, bad input.
Checks in both hosts: exact copies of training rows no more frequent than a real
holdout's collisions with them (on a table of repeated profiles, and on the bundled table).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.catalog import GeneratorEntry
from synth_plugins.datasets import Dataset, load
from synth_plugins.encoding.parsing import parse_numbers, text_date_format, to_days
from synth_plugins.encoding.roles import DISCRETE_ROLES, infer_role, is_whole
from synth_plugins.metrics.copies import exact_copies
from synth_plugins.testing.workspaces import new_workspace

# ---------------------------------------------------------------------------- schema


def assert_same_schema(
    real: pd.DataFrame, synthetic: pd.DataFrame, roles: Mapping[str, str], count: int
) -> None:
    """Synthetic data has the real columns, row count, dtypes kinds and value domains.

    Discrete columns only take levels seen in the real data; numeric columns (numbers
    written as text included) stay in the real range and whole-valued columns stay whole;
    datetime columns (``datetime64``, or dates written as text) come back as times in the
    real range; identifier columns never repeat a real key; missing values only appear in
    columns that had missing values. Identifiers and datetimes not named in ``roles`` are
    recognised as the encoder does (:func:`~synth_plugins.encoding.roles.infer_role`).
    """
    assert isinstance(synthetic, pd.DataFrame), f"expected a DataFrame, got {type(synthetic)}"
    assert len(synthetic) == count, f"asked for {count} rows, got {len(synthetic)}"
    assert list(synthetic.columns) == list(real.columns), (
        f"columns differ: real {list(real.columns)}, synthetic {list(synthetic.columns)}"
    )
    for column in real.columns:
        r, s = real[column], synthetic[column]
        if s.isna().any() and not r.isna().any():
            raise AssertionError(f"column {column!r} has missing values the real data lacks")
        role = roles.get(column)
        kind = role or infer_role(r)
        if kind == "identifier":
            copied = set(s.dropna()) & set(r.dropna())
            assert not copied, f"identifier {column!r} repeats real keys {sorted(copied)[:5]}"
        elif kind == "datetime":
            _assert_times_in_range(column, r, s)
        elif role in DISCRETE_ROLES or (
            not pd.api.types.is_numeric_dtype(r) and parse_numbers(r) is None
        ):
            unseen = set(s.dropna().astype(str)) - set(r.dropna().astype(str))
            assert not unseen, f"column {column!r} has unseen levels {sorted(unseen)[:10]}"
        else:
            _assert_numbers_in_range(column, r, s)


def _assert_numbers_in_range(column: Any, real: pd.Series, synthetic: pd.Series) -> None:
    """Numbers (also parsed from real text) stay in the real range, whole ones whole."""
    assert pd.api.types.is_numeric_dtype(synthetic), (
        f"numeric column {column!r} came back as {synthetic.dtype}"
    )
    parsed = parse_numbers(real)
    reference = (parsed if parsed is not None else real).dropna().to_numpy(dtype=float)
    values = synthetic.dropna().to_numpy(dtype=float)
    low, high = float(reference.min()), float(reference.max())
    tolerance = 1e-6 * max(1.0, abs(low), abs(high))
    assert values.size == 0 or (
        values.min() >= low - tolerance and values.max() <= high + tolerance
    ), f"column {column!r} leaves the real range [{low}, {high}]"
    if is_whole(reference):
        assert is_whole(values), f"whole-valued column {column!r} has fractions"


def _assert_times_in_range(column: Any, real: pd.Series, synthetic: pd.Series) -> None:
    """Datetimes come back as datetimes (or as text in the real format) in the real range."""
    fmt = None if pd.api.types.is_datetime64_any_dtype(real) else text_date_format(real)
    if fmt is None:
        assert pd.api.types.is_datetime64_any_dtype(synthetic), (
            f"datetime column {column!r} came back as {synthetic.dtype}"
        )
    try:
        days = to_days(synthetic, fmt)
    except (TypeError, ValueError) as error:
        raise AssertionError(
            f"datetime column {column!r} came back with values that are not dates in the "
            f"real format {fmt!r}: {error}"
        ) from None
    reference = to_days(real, fmt)
    low, high = np.nanmin(reference), np.nanmax(reference)
    values = days[~np.isnan(days)]
    tolerance = 1e-9 * max(1.0, abs(low), abs(high))
    assert values.size == 0 or (
        values.min() >= low - tolerance and values.max() <= high + tolerance
    ), f"datetime column {column!r} leaves the real range [{real.min()}, {real.max()}]"


def assert_frames_equal(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    """Two outputs are the same table (index ignored); the message says which check."""
    try:
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    except AssertionError as error:
        raise AssertionError(f"{what}: outputs differ ({error})") from None


def assert_frames_differ(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    """Two outputs are not the same table (index ignored)."""
    if a.reset_index(drop=True).equals(b.reset_index(drop=True)):
        raise AssertionError(f"{what}: outputs are identical")


# ---------------------------------------------------------------------------- Synthcity


def synthcity_plugins() -> Any:
    """A fresh Synthcity `Plugins()` (which re-reads its plugin folders and registry)."""
    from synthcity.plugins import Plugins

    return Plugins()


def check_synthcity_registration(entry: GeneratorEntry) -> None:
    """The plugin is found by name and listed, also from a fresh ``Plugins()``."""
    from synthcity.plugins.core.distribution import Distribution

    for _ in range(2):  # every Plugins() resets Synthcity's category registry
        plugins = synthcity_plugins()
        assert entry.name in plugins.list(), f"{entry.name!r} missing from Plugins().list()"
        cls = plugins.get_type(entry.name)
        assert cls.name() == entry.name and cls.type() == entry.synthcity_type
    from synthcity.plugins import Plugins

    assert entry.name in Plugins(categories=[entry.synthcity_type]).list()
    space = cls.hyperparameter_space()
    assert space and all(isinstance(d, Distribution) for d in space), "empty hyper-space"
    sampled = cls.sample_hyperparameters()
    assert set(sampled) <= {d.name for d in space}
    cls(**sampled)  # every point of the space is a valid constructor call


def fit_synthcity(entry: GeneratorEntry, loader: Any, **params: Any) -> Any:
    """A plugin fitted on ``loader`` with the entry's quick parameters (and ``params``)."""
    workspace = new_workspace()
    options = {**entry.synthcity_quick, "workspace": workspace, **params}
    return synthcity_plugins().get(entry.name, **options).fit(loader)


def check_synthcity_generate(entry: GeneratorEntry, dataset: Dataset, loader: Any) -> Any:
    """Fit, then generate more and fewer rows than the training set, schema intact."""
    plugin = fit_synthcity(entry, loader)
    real = loader.dataframe()
    for count in (len(real) // 3, len(real)):
        synthetic = plugin.generate(count=count).dataframe()
        assert_same_schema(real, synthetic, dataset.roles, count)
    return plugin


def check_synthcity_save_load(entry: GeneratorEntry, plugin: Any, loader: Any) -> None:
    """``save()`` then ``Plugins().load()`` gives a plugin that generates the same data."""
    restored = synthcity_plugins().load(plugin.save())
    assert type(restored) is type(plugin)
    first = plugin.generate(count=50, random_state=3).dataframe()
    second = restored.generate(count=50, random_state=3).dataframe()
    assert_frames_equal(first, second, "save/load round trip")


def check_synthcity_determinism(entry: GeneratorEntry, loader: Any) -> None:
    """The same ``random_state`` gives the same data; another one gives other data."""
    outputs = [
        fit_synthcity(entry, loader, random_state=seed).generate(count=60).dataframe()
        for seed in (1, 1, 2)
    ]
    assert_frames_equal(outputs[0], outputs[1], "same random_state")
    assert_frames_differ(outputs[0], outputs[2], "different random_state")


def check_synthcity_bad_input(entry: GeneratorEntry, loader: Any) -> None:
    """Fitting on an empty table fails with an error that says what is wrong."""
    from synthcity.plugins.core.dataloader import GenericDataLoader

    empty = GenericDataLoader(loader.dataframe().iloc[:0])
    try:
        fit_synthcity(entry, empty)
    except Exception as error:
        assert str(error), "the error for empty data has no message"
    else:
        raise AssertionError("fitting on an empty table did not raise")


# ---------------------------------------------------------------------------- SDV


def sdv_class(entry: GeneratorEntry) -> type:
    """The SDV synthesizer class, as a user imports it from ``synth_plugins.sdv``."""
    import synth_plugins.sdv

    return getattr(synth_plugins.sdv, entry.sdv_name)


def fit_sdv(entry: GeneratorEntry, dataset: Dataset, **params: Any) -> Any:
    """An SDV synthesizer built from the dataset's metadata and fitted on its data."""
    from synth_plugins.sdv import compat
    from synth_plugins.sdv.metadata import metadata_for

    synthesizer = sdv_class(entry)(metadata_for(dataset), **{**entry.sdv_quick, **params})
    return compat.fit(synthesizer, dataset.data)


def check_sdv_sample(entry: GeneratorEntry, dataset: Dataset) -> Any:
    """Fit from SDV metadata, sample, and keep the real schema; parameters are reported."""
    from synth_plugins.sdv.compat import sample

    synthesizer = fit_sdv(entry, dataset)
    for key, value in entry.sdv_quick.items():
        assert synthesizer.get_parameters().get(key) == value, f"get_parameters lacks {key}"
    for count in (len(dataset.data) // 3, len(dataset.data)):
        assert_same_schema(dataset.data, sample(synthesizer, count), dataset.roles, count)
    return synthesizer


def check_sdv_save_load(synthesizer: Any) -> None:
    """``save(path)`` then SDV's ``load_synthesizer(path)`` samples the same rows."""
    from synth_plugins.sdv.compat import load_synthesizer, sample

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthesizer.pkl"
        synthesizer.save(path)
        restored = load_synthesizer(path)
    synthesizer.reset_sampling()
    restored.reset_sampling()
    assert_frames_equal(sample(synthesizer, 40), sample(restored, 40), "SDV save/load")


def check_sdv_determinism(entry: GeneratorEntry, dataset: Dataset) -> None:
    """Two fits with the same ``random_state`` sample the same rows; others differ."""
    from synth_plugins.sdv.compat import sample

    outputs = [sample(fit_sdv(entry, dataset, random_state=seed), 60) for seed in (1, 1, 2)]
    assert_frames_equal(outputs[0], outputs[1], "same random_state")
    assert_frames_differ(outputs[0], outputs[2], "different random_state")


def check_sdv_conditions(synthesizer: Any, column: str, value: Any) -> None:
    """``sample_from_conditions`` returns rows that hold the asked value."""
    from sdv.sampling import Condition

    from synth_plugins.sdv.compat import single_table

    rows = single_table(
        synthesizer.sample_from_conditions([Condition({column: value}, num_rows=30)])
    )
    assert len(rows) == 30, f"asked for 30 conditioned rows, got {len(rows)}"
    assert (rows[column] == value).all(), f"conditioned column {column!r} != {value!r}"


def check_sdv_bad_input(entry: GeneratorEntry, dataset: Dataset) -> None:
    """Fitting on data whose columns do not match the metadata fails with a message."""
    from synth_plugins.sdv import compat
    from synth_plugins.sdv.metadata import metadata_for

    synthesizer = sdv_class(entry)(metadata_for(dataset), **entry.sdv_quick)
    broken = dataset.data.drop(columns=[dataset.data.columns[0]])
    try:
        compat.fit(synthesizer, broken)
    except Exception as error:
        assert dataset.data.columns[0] in str(error), f"error does not name the column: {error}"
    else:
        raise AssertionError("fitting data that lacks a metadata column did not raise")


# ---------------------------------------------------------------------------- exact copies

#: Profiles of the repeated-rows table, and how many times each appears in each half.
COPY_PROFILES = 40
COPY_REPEATS_PER_HALF = 2
#: The synthetic copy rate may exceed the holdout's collision rate ``p`` by this many
#: binomial standard deviations ``sqrt(p (1 - p) / n)`` of ``n`` synthetic rows (sampling
#: noise of a generator that copies exactly as often as a real sample collides).
COPY_TOLERANCE_SD = 2.0


def repeated_rows_dataset(entry: GeneratorEntry) -> tuple[Dataset, pd.DataFrame]:
    """A small table of repeated rows, split into a training dataset and a real holdout.

    ``COPY_PROFILES`` distinct profiles (age, sex, BMI, group; plus the duration and event
    columns of the entry's survival dataset) each appear ``COPY_REPEATS_PER_HALF`` times in
    each half, and each half has as many rows again that appear once in the whole table;
    every row has its own text record key (an identifier, not compared). So half of the
    holdout rows equal a training row, and half of the training rows equal another,
    exactly: the natural collision rate is 1/2 by construction (no sampling noise), and a
    generator that emits its training rows (rate 1) fails.
    """
    template = load(entry.dataset)
    rng = np.random.default_rng(0)
    n_single = COPY_PROFILES * COPY_REPEATS_PER_HALF

    def rows(n: int, bmi: np.ndarray) -> pd.DataFrame:
        table = pd.DataFrame(
            {
                "age": rng.integers(30, 80, n),
                "sex": rng.integers(0, 2, n),
                "bmi": bmi,
                "group": rng.choice(["a", "b", "c"], n),
            }
        )
        if template.kind == "survival":
            assert template.duration_column and template.event_column
            table[template.duration_column] = rng.uniform(1, 100, n).round(1)
            table[template.event_column] = rng.integers(0, 2, n)
        return table

    profiles = rows(COPY_PROFILES, rng.normal(27, 4, COPY_PROFILES).round(1))
    singles = rows(2 * n_single, 40 + np.arange(2 * n_single) / 10)  # never a profile's BMI
    repeated = pd.concat([profiles] * COPY_REPEATS_PER_HALF, ignore_index=True)
    halves = [
        pd.concat([repeated, singles.iloc[i * n_single : (i + 1) * n_single]], ignore_index=True)
        for i in (0, 1)
    ]
    for i, half in enumerate(halves):
        half.insert(0, "record_id", [f"R{i}{k:04d}" for k in range(len(half))])
    roles = {"record_id": "identifier", "age": "integer", "sex": "binary",
             "bmi": "numerical", "group": "categorical"}  # fmt: skip
    survival = {}
    if template.kind == "survival":
        roles.update({template.duration_column: "numerical", template.event_column: "binary"})
        survival = {
            "duration_column": template.duration_column,
            "event_column": template.event_column,
        }
    kind = "survival" if template.kind == "survival" else "tabular"
    train = Dataset(
        name="repeated_rows",
        kind=kind,
        data=halves[0].sample(frac=1.0, random_state=0).reset_index(drop=True),
        roles=roles,
        description="40 profiles repeated, half for training (conformance kit)",
        **survival,
    )
    return train, halves[1]


def assert_copies_within_holdout_rate(
    synthetic: pd.DataFrame, dataset: Dataset, holdout: pd.DataFrame, what: str
) -> None:
    """Synthetic copies of training rows are no more frequent than the holdout's collisions."""
    result = exact_copies(synthetic, dataset.data, holdout, roles=dataset.roles)
    p, n = result.natural_rate, result.n_synthetic
    tolerance = COPY_TOLERANCE_SD * float(np.sqrt(p * (1 - p) / max(n, 1)))
    assert result.synthetic_rate <= p + tolerance, (
        f"{what}: {result.copies} of {n} synthetic rows ({result.synthetic_rate:.3f}) equal a "
        f"training row; a real holdout collides at {p:.3f} (tolerance {tolerance:.3f})"
    )


def assert_no_excess_copies(synthetic: pd.DataFrame, dataset: Dataset, what: str) -> None:
    """No more synthetic copies than the training rows' own duplicate rate allows."""
    result = exact_copies(synthetic, dataset.data, roles=dataset.roles)
    assert result.excess == 0, (
        f"{what}: {result.copies} of {result.n_synthetic} synthetic rows equal a training "
        f"row; the training data's duplicate rate ({result.natural_rate:.3f}) allows "
        f"{result.allowed}"
    )


def default_budget(quick: Mapping[str, Any]) -> dict[str, Any]:
    """An entry's quick parameters without its epoch counts: the generator's default budget.

    The privacy rule holds by default; a quick fit under-trains and hides memorisation.
    """
    return {k: v for k, v in quick.items() if k not in BUDGET_PARAMETERS}


#: The quick parameters that set a training budget (dropped by :func:`default_budget`).
BUDGET_PARAMETERS = frozenset({"n_iter", "epochs", "static_n_iter", "static_epochs"})


def check_synthcity_copies(entry: GeneratorEntry) -> None:
    """Synthcity, at the default budget: the exact-copy rule on both tables.

    On :func:`repeated_rows_dataset`, synthetic copies (as many rows as in training) are no
    more frequent than the holdout's collisions plus ``COPY_TOLERANCE_SD`` binomial
    standard deviations; on the entry's bundled table, no copies beyond the training data's
    own duplicate rate.
    """
    from synth_plugins.synthcity.loaders import to_dataloader

    dataset, holdout = repeated_rows_dataset(entry)
    budget = default_budget(entry.synthcity_quick)

    def fitted(data: Dataset) -> Any:
        workspace = new_workspace()
        options = {**budget, "workspace": workspace}
        return synthcity_plugins().get(entry.name, **options).fit(to_dataloader(data))

    synthetic = fitted(dataset).generate(count=len(dataset.data)).dataframe()
    assert_copies_within_holdout_rate(synthetic, dataset, holdout, f"synthcity {entry.name}")
    bundled = load(entry.dataset)
    synthetic = fitted(bundled).generate(count=len(bundled.data)).dataframe()
    assert_no_excess_copies(synthetic, bundled, f"synthcity {entry.name} on {bundled.name}")


def check_sdv_copies(entry: GeneratorEntry) -> None:
    """SDV, at the default budget: the exact-copy rule on both tables (as in Synthcity)."""
    from synth_plugins.sdv import compat
    from synth_plugins.sdv.metadata import metadata_for

    dataset, holdout = repeated_rows_dataset(entry)
    budget = default_budget(entry.sdv_quick)

    def fitted(data: Dataset) -> Any:
        synthesizer = sdv_class(entry)(metadata_for(data), **budget)
        return compat.fit(synthesizer, data.data)

    synthetic = compat.sample(fitted(dataset), len(dataset.data))
    assert_copies_within_holdout_rate(synthetic, dataset, holdout, f"sdv {entry.name}")
    bundled = load(entry.dataset)
    synthetic = compat.sample(fitted(bundled), len(bundled.data))
    assert_no_excess_copies(synthetic, bundled, f"sdv {entry.name} on {bundled.name}")

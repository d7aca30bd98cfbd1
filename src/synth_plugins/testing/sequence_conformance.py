"""The conformance kit for sequence (longitudinal) generators, in Synthcity and in SDV.

The sequence counterpart of :mod:`synth_plugins.testing.conformance`: each check takes a
catalog entry (``synthcity_type="time_series"``) and a longitudinal dataset, uses the
hosts' public APIs only, and raises ``AssertionError`` with a precise message when the
contract is broken.

What a sequence generator must do, in both hosts:

- be found by name (Synthcity: listed under ``time_series``, also from a fresh
  ``Plugins()``, with a usable hyper-parameter space; SDV: importable from
  ``synth_plugins.sdv``, constructed from sequential metadata);
- fit, then generate exactly the asked number of sequences, fewer *and more* than in
  training, quickly (Synthcity's ``generate(count)`` must not spin when ``count`` exceeds
  the training sequences);
- keep the long-table schema: the training columns and dtypes, discrete values on their
  training levels, numbers in their training range, whole numbers whole, missing values
  only where the training data had some, static columns constant within a sequence,
  strictly increasing times within a sequence;
- save and load (the loaded generator samples the same data), and be deterministic for a
  seed (another seed gives other data);
- reject bad input with a clear error: duplicate ``(id, time)`` rows, a patient without a
  visit time, a non-numeric time column; rows out of time order are not bad input in
  either host (SDV's PAR contract sorts a sequence's rows, and so does
  :func:`~synth_plugins.synthcity.timeseries.to_timeseries_loader`);
- follow the suite's exact-copy rule per patient, at its default training budget: whole
  synthetic patients (static values, visit times and visit values) equal to a training
  patient no more often than patients of an equal-size real holdout are
  (:func:`repeated_patients_dataset`), and none beyond the training patients' own
  duplicate rate on the entry's dataset.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.catalog import GeneratorEntry
from synth_plugins.datasets import Dataset
from synth_plugins.encoding.roles import DISCRETE_ROLES, is_whole
from synth_plugins.long_format import patient_index, varies_within_patients
from synth_plugins.metrics.copies import exact_copies
from synth_plugins.testing.conformance import (
    COPY_TOLERANCE_SD,
    assert_frames_differ,
    assert_frames_equal,
    default_budget,
    synthcity_plugins,
)

# registration is checked as for every generator (type() is the entry's "time_series")
from synth_plugins.testing.conformance import (
    check_synthcity_registration as check_synthcity_registration,
)
from synth_plugins.testing.workspaces import new_workspace

#: Seconds a ``generate``/``sample`` call of the kit may take (the trap it guards against
#: took minutes).
MAX_GENERATE_SECONDS = 60.0


# ---------------------------------------------------------------------------- schema
def assert_long_schema(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    id_column: str,
    time_column: str,
    static_columns: tuple[str, ...] | list[str],
    roles: Mapping[str, str],
    n_sequences: int,
) -> None:
    """Synthetic long data keeps the real schema, has ``n_sequences`` ids, ordered times.

    Checks columns and order, dtypes, discrete levels, numeric ranges and wholeness, where
    missing values may appear, static columns constant within a sequence, visit times
    strictly increasing within a sequence, and rows sorted by id then time.
    """
    assert isinstance(synthetic, pd.DataFrame), f"expected a DataFrame, got {type(synthetic)}"
    assert list(synthetic.columns) == list(real.columns), (
        f"columns differ: real {list(real.columns)}, synthetic {list(synthetic.columns)}"
    )
    got = synthetic[id_column].nunique()
    assert got == n_sequences, f"asked for {n_sequences} sequences, got {got}"
    for column in real.columns:
        r, s = real[column], synthetic[column]
        if column == id_column:
            continue
        if s.isna().any() and not r.isna().any():
            raise AssertionError(f"column {column!r} has missing values the real data lacks")
        if not s.isna().any():
            assert s.dtype == r.dtype, f"column {column!r}: dtype {s.dtype}, real {r.dtype}"
        if column == time_column:
            continue
        if roles.get(column) in DISCRETE_ROLES or not pd.api.types.is_numeric_dtype(r):
            unseen = set(s.dropna().astype(str)) - set(r.dropna().astype(str))
            assert not unseen, f"column {column!r} has unseen levels {sorted(unseen)[:10]}"
            continue
        values = s.dropna().to_numpy(dtype=float)
        low, high = float(r.min()), float(r.max())
        tolerance = 1e-6 * max(1.0, abs(low), abs(high))
        assert values.size == 0 or (
            values.min() >= low - tolerance and values.max() <= high + tolerance
        ), f"column {column!r} leaves the real range [{low}, {high}]"
        if is_whole(r):
            assert is_whole(values), f"whole-valued column {column!r} has fractions"
    index = patient_index(synthetic, id_column)
    times = synthetic[time_column].to_numpy(dtype=float)
    assert np.isfinite(times).all(), "synthetic visit times must be finite"
    same = ~index.is_last_row()[:-1]
    assert (np.diff(times)[same] > 0).all(), "visit times are not strictly increasing"
    assert index.n_patients == len(pd.unique(synthetic[id_column])), (
        "rows of a sequence are not contiguous"
    )
    if static_columns:
        varies = varies_within_patients(synthetic, id_column, static_columns)
        varying = [c for c in static_columns if varies[c].any()]
        assert not varying, f"static columns vary within a sequence: {varying}"


def bad_long_tables(dataset: Dataset) -> dict[str, pd.DataFrame]:
    """Broken copies of a longitudinal dataset's table, by what is wrong with them."""
    data = dataset.data
    id_column, time_column = dataset.id_column, dataset.time_column
    counts = data[id_column].value_counts(sort=False)
    patient = counts.index[counts >= 2][0] if (counts >= 2).any() else data[id_column].iloc[0]
    rows = data.index[data[id_column] == patient]
    duplicate = pd.concat([data.loc[rows[:1]], data]).sort_values(
        [id_column, time_column], kind="stable"
    )
    unsorted = data.copy()
    order = list(data.index)
    if len(rows) >= 2:
        order[rows[0]], order[rows[1]] = order[rows[1]], order[rows[0]]
    unsorted = data.loc[order].reset_index(drop=True)
    no_visit = data.copy()
    no_visit[time_column] = no_visit[time_column].astype(float)
    no_visit.loc[rows[0], time_column] = np.nan
    text_time = data.assign(**{time_column: data[time_column].astype(str)})
    return {
        "duplicate": duplicate.reset_index(drop=True),
        "unsorted": unsorted,
        "no_visit": no_visit,
        "non_numeric_time": text_time,
    }


#: A word each bad-input error message must contain.
BAD_INPUT_WORDS = {
    "duplicate": "duplicate",
    "unsorted": "sort",
    "no_visit": "visit",
    "non_numeric_time": "numeric",
}


def _expect_error(what: str, call: Any) -> None:
    try:
        call()
    except Exception as error:
        word = BAD_INPUT_WORDS[what]
        assert word in str(error).lower(), f"{what}: the error does not say {word!r}: {error}"
    else:
        raise AssertionError(f"{what}: fitting bad input did not raise")


# ---------------------------------------------------------------------------- Synthcity
def synthcity_loader(dataset: Dataset) -> tuple[Any, Any]:
    """The dataset as a ``TimeSeriesDataLoader`` without outcome, and its layout spec."""
    from synth_plugins.synthcity.timeseries import dataset_to_timeseries_loader

    return dataset_to_timeseries_loader(dataset)


def fit_synthcity(entry: GeneratorEntry, loader: Any, **params: Any) -> Any:
    """A plugin fitted on ``loader`` with the entry's quick parameters (and ``params``)."""
    workspace = new_workspace()
    options = {**entry.synthcity_quick, "workspace": workspace, **params}
    return synthcity_plugins().get(entry.name, **options).fit(loader)


def _timed(call: Any, what: str) -> Any:
    start = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - start
    assert elapsed < MAX_GENERATE_SECONDS, f"{what} took {elapsed:.0f} s"
    return result


def check_synthcity_generate(entry: GeneratorEntry, dataset: Dataset) -> Any:
    """Fit, then generate fewer and more sequences than in training, schema intact."""
    from synth_plugins.synthcity.timeseries import from_timeseries_loader

    loader, spec = synthcity_loader(dataset)
    plugin = fit_synthcity(entry, loader)
    n_train = dataset.n_patients
    for count in (max(n_train // 3, 1), n_train + n_train // 2):
        generated = _timed(lambda c=count: plugin.generate(count=c), f"generate(count={count})")
        assert generated.type() == "time_series"
        assert list(generated.dataframe().columns) == list(loader.dataframe().columns), (
            "generated loader columns differ from the training loader's"
        )
        long = from_timeseries_loader(generated, spec)
        assert_long_schema(
            dataset.data, long, id_column=dataset.id_column, time_column=dataset.time_column,
            static_columns=dataset.static_columns, roles=dataset.roles, n_sequences=count,
        )  # fmt: skip
    return plugin


def check_synthcity_save_load(plugin: Any) -> None:
    """``save()`` then ``Plugins().load()`` gives a plugin that generates the same data."""
    restored = synthcity_plugins().load(plugin.save())
    assert type(restored) is type(plugin)
    first = plugin.generate(count=20, random_state=3).dataframe()
    second = restored.generate(count=20, random_state=3).dataframe()
    assert_frames_equal(first, second, "save/load round trip")


def check_synthcity_determinism(entry: GeneratorEntry, dataset: Dataset) -> None:
    """The same ``random_state`` gives the same data; another one gives other data."""
    loader, _ = synthcity_loader(dataset)
    outputs = [
        fit_synthcity(entry, loader, random_state=seed).generate(count=20).dataframe()
        for seed in (1, 1, 2)
    ]
    assert_frames_equal(outputs[0], outputs[1], "same random_state")
    assert_frames_differ(outputs[0], outputs[2], "different random_state")


def check_synthcity_bad_input(entry: GeneratorEntry, dataset: Dataset) -> None:
    """Loaders from bad long tables fail (in our adapter) with an error that says why."""
    from synth_plugins.synthcity.timeseries import to_timeseries_loader

    for what, table in bad_long_tables(dataset).items():
        if what == "unsorted":
            continue  # to_timeseries_loader sorts each patient's rows, as SDV's PAR does
        _expect_error(
            what,
            lambda t=table: fit_synthcity(
                entry,
                to_timeseries_loader(
                    t, dataset.id_column, dataset.time_column, list(dataset.static_columns)
                )[0],
            ),
        )


# ---------------------------------------------------------------------------- SDV
def sdv_class(entry: GeneratorEntry) -> type:
    """The SDV synthesizer class, as a user imports it from ``synth_plugins.sdv``."""
    import synth_plugins.sdv

    return getattr(synth_plugins.sdv, entry.sdv_name)


def fit_sdv(entry: GeneratorEntry, dataset: Dataset, **params: Any) -> Any:
    """A synthesizer built from the dataset's sequential metadata and fitted on its data."""
    from synth_plugins.sdv import compat
    from synth_plugins.sdv.sequential_metadata import sequential_metadata_for

    options = {"context_columns": list(dataset.static_columns), **entry.sdv_quick, **params}
    synthesizer = sdv_class(entry)(sequential_metadata_for(dataset), **options)
    return compat.fit(synthesizer, dataset.data)


def check_sdv_sample(entry: GeneratorEntry, dataset: Dataset) -> Any:
    """Fit from sequential metadata, sample fewer and more sequences, schema intact."""
    from synth_plugins.sdv.compat import sample_sequences

    synthesizer = fit_sdv(entry, dataset)
    for key, value in entry.sdv_quick.items():
        assert synthesizer.get_parameters().get(key) == value, f"get_parameters lacks {key}"
    n_train = dataset.n_patients
    for count in (max(n_train // 3, 1), n_train + n_train // 2):
        sampled = _timed(lambda c=count: sample_sequences(synthesizer, c), "sample")
        assert_long_schema(
            dataset.data, sampled, id_column=dataset.id_column,
            time_column=dataset.time_column, static_columns=dataset.static_columns,
            roles=dataset.roles, n_sequences=count,
        )  # fmt: skip
    return synthesizer


def check_sdv_save_load(synthesizer: Any) -> None:
    """``save(path)`` then SDV's ``load_synthesizer(path)`` samples the same data."""
    from synth_plugins.sdv.compat import load_synthesizer, sample_sequences

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthesizer.pkl"
        synthesizer.save(path)
        restored = load_synthesizer(path)
    synthesizer.reset_sampling()
    restored.reset_sampling()
    assert_frames_equal(
        sample_sequences(synthesizer, 15), sample_sequences(restored, 15), "SDV save/load"
    )


def check_sdv_determinism(entry: GeneratorEntry, dataset: Dataset) -> None:
    """Two fits with the same ``random_state`` sample the same data; others differ."""
    from synth_plugins.sdv.compat import sample_sequences

    outputs = [
        sample_sequences(fit_sdv(entry, dataset, random_state=seed), 20) for seed in (1, 1, 2)
    ]
    assert_frames_equal(outputs[0], outputs[1], "same random_state")
    assert_frames_differ(outputs[0], outputs[2], "different random_state")


def check_sdv_bad_input(entry: GeneratorEntry, dataset: Dataset) -> None:
    """Bad long tables and a missing metadata column fail with a clear error."""
    from synth_plugins.sdv import compat
    from synth_plugins.sdv.sequential_metadata import sequential_metadata_for

    metadata = sequential_metadata_for(dataset)
    options = {"context_columns": list(dataset.static_columns), **entry.sdv_quick}
    for what, table in bad_long_tables(dataset).items():
        if what == "non_numeric_time":
            continue  # SDV's own metadata validation rejects it first (sdtype numerical)
        if what == "unsorted":
            continue  # SDV's contract (PAR) sorts the rows of a sequence by its index
        _expect_error(what, lambda t=table: compat.fit(sdv_class(entry)(metadata, **options), t))
    column = dataset.visit_columns[0]
    try:
        compat.fit(sdv_class(entry)(metadata, **options), dataset.data.drop(columns=[column]))
    except Exception as error:
        assert column in str(error), f"error does not name the column: {error}"
    else:
        raise AssertionError("fitting data that lacks a metadata column did not raise")


# ---------------------------------------------------------------------------- copies
#: Distinct patient histories of :func:`repeated_patients_dataset`, and how often each
#: appears in each half.
COPY_PATIENT_PROFILES = 40
COPY_PATIENT_REPEATS_PER_HALF = 2


def repeated_patients_dataset() -> tuple[Dataset, pd.DataFrame]:
    """A long table of repeated whole patients, split into a training dataset and a holdout.

    ``COPY_PATIENT_PROFILES`` distinct short histories (static sex, group and age; 2-4
    yearly visits of a 0-3 score, a 0/1 flag and a measured marker) each appear
    ``COPY_PATIENT_REPEATS_PER_HALF`` times in each half, and each half has as many
    patients again who appear once (an age no profile has). Half of the holdout patients
    equal a training patient, and half of the training patients equal another: the natural
    collision rate is 1/2 by construction, and a generator that emits its training patients
    (rate 1) fails.
    """
    rng = np.random.default_rng(0)
    n_single = COPY_PATIENT_PROFILES * COPY_PATIENT_REPEATS_PER_HALF

    def patients(ages: np.ndarray) -> list[pd.DataFrame]:
        out = []
        for age in ages:
            visits = int(rng.integers(2, 5))
            out.append(
                pd.DataFrame({
                    "time": np.arange(visits),
                    "sex": rng.choice(["F", "M"]),
                    "group": rng.choice(["a", "b", "c"]),
                    "age": int(age),
                    "score": np.minimum(np.cumsum(rng.integers(0, 2, visits)), 3),
                    "flag": rng.integers(0, 2, visits),
                    "marker": np.round(rng.lognormal(1.5, 0.5, visits), 1),
                })
            )  # fmt: skip
        return out

    profiles = patients(rng.integers(30, 80, COPY_PATIENT_PROFILES))
    singles = patients(100 + np.arange(2 * n_single))
    halves = []
    for i in (0, 1):
        chosen = profiles * COPY_PATIENT_REPEATS_PER_HALF + singles[i * n_single :][:n_single]
        order = rng.permutation(len(chosen))
        half = pd.concat(
            [chosen[k].assign(patient_id=j + 1) for j, k in enumerate(order)], ignore_index=True
        )
        halves.append(
            half[["patient_id", "time", "sex", "group", "age", "score", "flag", "marker"]]
        )
    roles: dict[str, Any] = {
        "sex": "binary",
        "group": "categorical",
        "age": "integer",
        "score": "ordinal",
        "flag": "binary",
        "marker": "numerical",
    }
    train = Dataset(
        name="repeated_patients",
        kind="longitudinal",
        data=halves[0],
        roles=roles,
        id_column="patient_id",
        time_column="time",
        static_columns=("sex", "group", "age"),
        visit_columns=("score", "flag", "marker"),
        description="40 patient histories repeated, half for training (conformance kit)",
    )
    return train, halves[1]


def assert_patient_copies_within_holdout_rate(
    synthetic: pd.DataFrame, dataset: Dataset, holdout: pd.DataFrame | None, what: str
) -> None:
    """Synthetic copies of whole training patients are no more frequent than real ones.

    The natural rate is the holdout's (its patients equal to a training patient) or,
    without a holdout, the training patients' own duplicate rate; the synthetic rate may
    exceed it by ``COPY_TOLERANCE_SD`` binomial standard deviations.
    """
    result = exact_copies(
        synthetic, dataset.data, holdout, roles=dataset.roles,
        id_column=dataset.id_column, time_column=dataset.time_column,
    )  # fmt: skip
    p, n = result.natural_rate, result.n_synthetic
    tolerance = COPY_TOLERANCE_SD * float(np.sqrt(p * (1 - p) / max(n, 1)))
    assert result.synthetic_rate <= p + tolerance, (
        f"{what}: {result.copies} of {n} synthetic patients ({result.synthetic_rate:.3f}) "
        f"equal a training patient; real patients ({result.reference}) collide at {p:.3f} "
        f"(tolerance {tolerance:.3f})"
    )


def check_synthcity_patient_copies(entry: GeneratorEntry, dataset: Dataset) -> None:
    """Synthcity, default budget: the per-patient copy rule on both tables.

    On :func:`repeated_patients_dataset` against its holdout, and on ``dataset`` against
    its training patients' duplicate rate; as many sequences as in training each time.
    """
    from synth_plugins.synthcity.timeseries import from_timeseries_loader

    budget = default_budget(entry.synthcity_quick)
    repeated, holdout = repeated_patients_dataset()
    for data, reference in ((repeated, holdout), (dataset, None)):
        loader, spec = synthcity_loader(data)
        workspace = new_workspace()
        plugin = synthcity_plugins().get(entry.name, **budget, workspace=workspace).fit(loader)
        synthetic = from_timeseries_loader(plugin.generate(count=data.n_patients), spec)
        what = f"synthcity {entry.name} on {data.name}"
        assert_patient_copies_within_holdout_rate(synthetic, data, reference, what)


def check_sdv_patient_copies(entry: GeneratorEntry, dataset: Dataset) -> None:
    """SDV, default budget: the per-patient copy rule on both tables (as in Synthcity)."""
    from synth_plugins.sdv import compat
    from synth_plugins.sdv.compat import sample_sequences
    from synth_plugins.sdv.sequential_metadata import sequential_metadata_for

    budget = default_budget(entry.sdv_quick)
    repeated, holdout = repeated_patients_dataset()
    for data, reference in ((repeated, holdout), (dataset, None)):
        options = {"context_columns": list(data.static_columns), **budget}
        synthesizer = sdv_class(entry)(sequential_metadata_for(data), **options)
        synthetic = sample_sequences(compat.fit(synthesizer, data.data), data.n_patients)
        what = f"sdv {entry.name} on {data.name}"
        assert_patient_copies_within_holdout_rate(synthetic, data, reference, what)

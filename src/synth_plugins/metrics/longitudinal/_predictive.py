"""Predictive score: train on synthetic, test on real, for a visit column at the next visit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.long_format import patient_index
from synth_plugins.metrics.longitudinal._boosting import gradient_boosting
from synth_plugins.metrics.longitudinal._result import PartResult
from synth_plugins.metrics.longitudinal._tables import LongTables, shared_levels
from synth_plugins.validation import check_fraction, check_random_state

#: Fewest patients per table the score is computed on; below it the part is left out. On
#: disjoint samples of one simulated MS cohort and of PBC's visits, a comparison of real
#: with real patients (next EDSS, next bilirubin) scored below 0.5 in 3 % and 8 % of the
#: draws it ran on at 20 patients per table, against 8-26 % and 16-53 % at 12-16, where
#: tables with the target shuffled across visits scored below 0.5 in 95-100 % of draws:
#: fewer patients leave a held-out test of a few patients, on which the score of real data
#: is noise.
MIN_PATIENTS = 20


@dataclass(frozen=True)
class PredictiveResult(PartResult):
    """Train on synthetic, test on real: predicting a visit column at the next visit.

    Attributes:
        target: The predicted visit column.
        task: ``"regression"`` (R²) or ``"classification"`` (accuracy).
        train_real: Score of the model trained on 70 % of the real patients (TRTR).
        train_synthetic: Score of the model trained on the synthetic patients (TSTR).
    """

    target: str
    task: str
    train_real: float
    train_synthetic: float

    @property
    def score(self) -> float:
        """``min(1, max(0, TSTR / TRTR))`` (0 when TRTR is not positive)."""
        if not np.isfinite(self.train_real) or self.train_real <= 0:
            return 0.0
        return float(np.clip(self.train_synthetic / self.train_real, 0.0, 1.0))


def _transitions(
    data: pd.DataFrame, tables: LongTables, target: str, levels: dict[str, list[Any]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features of visit k (+ gap, time, statics), target at visit k + 1, patient number."""
    index = patient_index(data, tables.id_column)
    patient = index.patient_of_row()
    times = data[tables.time_column].to_numpy(dtype=float)
    since = times - np.repeat(times[index.starts], index.lengths)
    columns = {"since_first": since}
    for column in (*tables.visit_columns, *tables.static_columns):
        values = data[column]
        if column in tables.numerical_visit or column in tables.numerical_static:
            columns[column] = pd.to_numeric(values, errors="coerce").to_numpy(float)
        else:
            lookup = {level: code for code, level in enumerate(levels[column])}
            values = values.astype(object).where(values.notna(), "__missing__")
            columns[column] = values.map(lookup).to_numpy(dtype=float)
    x = pd.DataFrame(columns).to_numpy(float)
    same = ~index.is_last_row()[:-1]
    gap = np.diff(times)[same]
    features = np.column_stack([x[:-1][same], np.log(np.maximum(gap, 1e-12))])
    return features, pd.DataFrame(columns)[target].to_numpy()[1:][same], patient[1:][same]


def predictive(
    tables: LongTables,
    target: str | None = None,
    *,
    test_fraction: float = 0.3,
    max_transitions: int = 200_000,
    random_state: int = 0,
) -> PredictiveResult:
    """Train on synthetic / on real, test on held-out real patients: the next visit's value.

    The trees' leaf size follows each model's training transitions
    (:func:`~synth_plugins.metrics.longitudinal._boosting.leaf_size`).

    Args:
        tables: Checked tables.
        target: The visit column to predict; None takes the first numerical visit column
            (else the first categorical one).
        test_fraction: Share of real patients held out for testing (0.3).
        max_transitions: Training transitions kept per model (subsampled beyond).
        random_state: Seed of the split, the subsampling and the models.

    Raises:
        InvalidDataError: Fewer than :data:`MIN_PATIENTS` patients in a table, fewer than
            10 transitions with a known target in real-train, real-test or synthetic, or a
            model trained on real patients that does no better on the held-out real
            patients than a trivial prediction (R² ≤ 0, i.e. no better than their mean, for
            a numerical target; an accuracy no higher than their most frequent level's
            share for a categorical one): the score would be noise, so the headline leaves
            it out.
    """
    from sklearn.metrics import accuracy_score, r2_score
    from threadpoolctl import threadpool_limits

    if target is None:
        candidates = [*tables.numerical_visit, *tables.categorical_visit]
        target = candidates[0]
    if target not in tables.visit_columns:
        raise InvalidParameterError(
            f"target {target!r} must be a visit column; visit columns are "
            f"{list(tables.visit_columns)}"
        )
    check_fraction("test_fraction", test_fraction)
    random_state = check_random_state("random_state", random_state, none=False)
    n_real = patient_index(tables.real, tables.id_column).n_patients
    n_syn = patient_index(tables.synthetic, tables.id_column).n_patients
    if min(n_real, n_syn) < MIN_PATIENTS:
        raise InvalidDataError(
            f"the predictive score needs at least {MIN_PATIENTS} patients per table (with "
            "fewer, a model trained on some real patients too often fails on the others, "
            f"and the score of real against real data is noise), got {n_real} real and "
            f"{n_syn} synthetic"
        )
    levels = shared_levels(tables)
    x_real, y_real, p_real = _transitions(tables.real, tables, target, levels)
    x_syn, y_syn, _ = _transitions(tables.synthetic, tables, target, levels)
    regression = target in tables.numerical_visit
    rng = np.random.default_rng(random_state)
    n_patients = int(p_real.max()) + 1 if p_real.size else 0
    test_patients = rng.random(n_patients) < test_fraction
    test = test_patients[p_real] if p_real.size else np.zeros(0, dtype=bool)
    keep_real, keep_syn = np.isfinite(y_real), np.isfinite(y_syn)
    train_rows = np.flatnonzero(~test & keep_real)
    test_rows = np.flatnonzero(test & keep_real)
    syn_rows = np.flatnonzero(keep_syn)
    if min(train_rows.size, test_rows.size, syn_rows.size) < 10:
        raise InvalidDataError(
            "the predictive score needs at least 10 transitions (pairs of consecutive "
            f"visits with a known {target!r}) in each of real-train, real-test and synthetic"
        )

    def fit_score(rows: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
        if rows.size > max_transitions:
            rows = rng.choice(rows, max_transitions, replace=False)
        model = gradient_boosting(rows.size, classifier=not regression, random_state=random_state)
        if regression:
            model.fit(x[rows], y[rows])
            return float(r2_score(y_real[test_rows], model.predict(x_real[test_rows])))
        if np.unique(y[rows]).size < 2:
            prediction = np.full(test_rows.size, y[rows][0])
        else:
            model.fit(x[rows], y[rows].astype(int))
            prediction = model.predict(x_real[test_rows])
        return float(accuracy_score(y_real[test_rows].astype(int), prediction))

    with threadpool_limits(limits=1, user_api="openmp"):
        trtr = fit_score(train_rows, x_real, y_real)
        # a trivial prediction on the held-out real patients: their mean (R² 0) for a
        # numerical target, their most frequent level (its share) for a categorical one
        if regression:
            measure, trivial, what = "R²", 0.0, "their mean"
        else:
            _, counts = np.unique(y_real[test_rows], return_counts=True)
            measure, trivial = "accuracy", float(counts.max() / test_rows.size)
            what = "always their most frequent level"
        if not trtr > trivial:
            raise InvalidDataError(
                f"the real data do not predict the next {target!r} ({measure} {trtr:.3f} on "
                f"held-out real patients against {trivial:.3f} for {what}), so there is no "
                "real baseline to compare with: choose another predictive_target"
            )
        tstr = fit_score(syn_rows, x_syn, y_syn)
    return PredictiveResult(target, "regression" if regression else "classification", trtr, tstr)

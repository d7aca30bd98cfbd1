"""Augmentation utility: do synthetic rows added to the real training rows help survival models?"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from synth_plugins.catalog import SURVIVAL_MODELS
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics.intervals import mean_ci
from synth_plugins.metrics.survival.design import CoxDesign, constant_columns, covariate_columns
from synth_plugins.metrics.validation import (
    align_columns,
    feature_tables,
    resolve_categorical,
)
from synth_plugins.survival import check_survival_frame, fit_cox
from synth_plugins.validation import check_choice, check_float, check_fraction, check_int

__all__ = [
    "DEFAULT_RSF_PARAMS",
    "SurvivalAugmentationResult",
    "survival_augmentation",
]

CIndex = Literal["harrell", "uno"]
#: The survival models (declared in the catalog, whose entry shows each one's C-index and
#: IBS change in Synthcity).
MODELS: tuple[str, ...] = SURVIVAL_MODELS
C_INDICES: tuple[str, ...] = ("harrell", "uno")

#: The random survival forest settings used unless ``rsf_params`` overrides them.
DEFAULT_RSF_PARAMS: dict[str, Any] = {
    "n_estimators": 100,
    "min_samples_split": 10,
    "min_samples_leaf": 15,
    "max_features": "sqrt",
    "n_jobs": 1,
}


@dataclass(frozen=True, eq=False)
class SurvivalAugmentationResult:
    """Test performance of survival models trained on real vs real + synthetic rows.

    Attributes:
        summary: one row per model (index ``model``) with, for ``metric`` in ``c_index``,
            ``ibs`` and ``arm`` in ``real``, ``augmented``, ``delta`` (augmented - real,
            paired by seed), the columns ``{metric}_{arm}`` (mean over seeds),
            ``{metric}_{arm}_ci_low`` and ``{metric}_{arm}_ci_high`` (Student-t confidence
            interval of the mean; NaN with one seed).
        per_seed: one row per (model, seed) with ``c_index_real``, ``c_index_augmented``,
            ``ibs_real``, ``ibs_augmented`` and ``n_synthetic``.
        models: the models evaluated.
        seeds: number of seeds.
        c_index: ``"harrell"`` or ``"uno"``.
        confidence: the confidence level of the intervals.
        times: the time grid of the integrated Brier score.
        n_train: real training rows; n_holdout: holdout rows scored.
        notes: rows dropped, penalizer fallbacks.
    """

    summary: pd.DataFrame
    per_seed: pd.DataFrame
    models: tuple[str, ...]
    seeds: int
    c_index: str
    confidence: float
    times: np.ndarray
    n_train: int
    n_holdout: int
    notes: tuple[str, ...] = ()

    @property
    def score(self) -> float:
        """The headline number: the C-index gain from augmentation, averaged over models."""
        return float(self.summary["c_index_delta"].mean())

    def to_dict(self) -> dict[str, float]:
        """Every summary figure as a flat ``{name: float}`` dict (``{model}_{column}``)."""
        out: dict[str, float] = {"score": self.score}
        for model, row in self.summary.iterrows():
            for column, value in row.items():
                out[f"{model}_{column}"] = float(value)
        out["seeds"] = float(self.seeds)
        out["n_train"] = float(self.n_train)
        out["n_holdout"] = float(self.n_holdout)
        return out


def _structured(durations: np.ndarray, events: np.ndarray) -> np.ndarray:
    from sksurv.util import Surv

    return Surv.from_arrays(event=events.astype(bool), time=durations)


def _default_times(test_durations: np.ndarray, train_max: float) -> np.ndarray:
    """20 points between the 10th and 90th percentiles of the test durations."""
    low, high = np.percentile(test_durations, [10, 90])
    times = np.unique(np.linspace(low, high, 20))
    upper = min(test_durations.max(), train_max)
    times = times[(times >= test_durations.min()) & (times < upper)]
    if times.size == 0:
        raise InvalidDataError(
            "no time grid for the integrated Brier score: the real test durations do not "
            "span an interval inside the training follow-up; pass times explicitly"
        )
    return times


def _fit_predict(
    model: str,
    x_train: pd.DataFrame,
    d_train: np.ndarray,
    e_train: np.ndarray,
    x_test: pd.DataFrame,
    times: np.ndarray,
    seed: int,
    penalizer: float,
    rsf_params: Mapping[str, Any],
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Fit one model; return test risk scores and survival probabilities at ``times``."""
    if model == "cox":
        fit = fit_cox(x_train, d_train, e_train, penalizer=penalizer)
        if fit.penalizer != penalizer:
            notes.append(f"cox (seed {seed}): penalizer {fit.penalizer:g} used to converge")
        risk = fit.fitter.predict_log_partial_hazard(x_test).to_numpy(dtype=float)
        surv = fit.fitter.predict_survival_function(x_test, times=times).to_numpy(dtype=float).T
        return risk, surv
    from sksurv.ensemble import RandomSurvivalForest

    params = {**DEFAULT_RSF_PARAMS, **dict(rsf_params), "random_state": seed}
    forest = RandomSurvivalForest(**params)
    forest.fit(x_train.to_numpy(dtype=float), _structured(d_train, e_train))
    x = x_test.to_numpy(dtype=float)
    risk = np.asarray(forest.predict(x), dtype=float)
    curves = np.asarray(forest.predict_survival_function(x, return_array=True), dtype=float)
    index = np.searchsorted(forest.unique_times_, times, side="right") - 1
    surv = np.where(index[None, :] >= 0, curves[:, np.clip(index, 0, None)], 1.0)
    return risk, surv


def survival_augmentation(
    real_train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame | Sequence[pd.DataFrame],
    duration_column: str,
    event_column: str,
    *,
    models: Sequence[str] = MODELS,
    seeds: int = 5,
    synthetic_size: int | None = None,
    penalizer: float = 0.01,
    rsf_params: Mapping[str, Any] | None = None,
    times: Sequence[float] | None = None,
    c_index: CIndex = "harrell",
    categorical_columns: Iterable[str] | None = None,
    confidence: float = 0.95,
) -> SurvivalAugmentationResult:
    """Does adding synthetic rows to the real training data help survival models?

    For each seed and model, the model is trained on ``real_train`` (the *real* arm) and on
    ``real_train`` plus synthetic rows (the *augmented* arm) and scored on ``holdout``:
    the concordance index (``c_index="harrell"``: scikit-survival's
    ``concordance_index_censored``; ``"uno"``: ``concordance_index_ipcw`` with the real
    training data's censoring distribution, truncated at the last grid time) of the risk
    scores, and the integrated Brier score (``integrated_brier_score``, censoring weights
    from ``real_train`` in both arms) of the predicted survival curves on ``times``.
    Models: ``"cox"`` (lifelines ``CoxPHFitter`` with ``penalizer``, raised if it fails to
    converge) and ``"rsf"`` (scikit-survival ``RandomSurvivalForest`` with
    :data:`DEFAULT_RSF_PARAMS` updated by ``rsf_params``, ``random_state`` = seed).

    What varies with the seed: the forest's randomness and, with ``synthetic_size``, which
    synthetic rows are drawn; pass one synthetic frame per seed (a list, e.g. samples of a
    generator with different seeds) to also include the generator's randomness. The real
    Cox arm is deterministic (zero-width interval).

    Features are built from ``real_train``: numeric covariates as they are, categorical ones
    one-hot coded with the first level as reference; missing values take the training
    median (numeric) or mode (categorical). Synthetic rows with a level unseen in
    ``real_train`` are dropped (counted in ``notes``); test rows with durations beyond the
    training follow-up are left out of every score (the censoring weights are undefined
    there).

    Args:
        real_train: real rows the models are trained on (duration, event, covariates).
        holdout: held-out real rows the models are scored on.
        synthetic: a synthetic table, or one table per seed.
        duration_column: time-to-event column.
        event_column: event indicator column (0/1).
        models: any of ``"cox"`` and ``"rsf"``.
        seeds: number of repetitions (>= 1; the suite's protocol uses >= 5).
        synthetic_size: synthetic rows added per seed, drawn without replacement (with
            replacement when larger than the table); None adds every synthetic row.
        penalizer: Cox penalizer (0.01).
        rsf_params: overrides of the forest settings (e.g. ``{"n_estimators": 50}``).
        times: time grid of the integrated Brier score; None uses 20 points between the
            10th and 90th percentiles of the test durations.
        c_index: ``"harrell"`` (default) or ``"uno"``.
        categorical_columns: covariates to one-hot code; None infers them.
            Identifier columns are left out and dates read as days (see
            :func:`~synth_plugins.metrics.validation.feature_tables`).
        confidence: level of the confidence intervals over seeds (0.95).

    Returns:
        Per model the mean and confidence interval of each score in each arm and of the
        paired difference; ``score`` is the mean C-index gain.

    Raises:
        InvalidDataError: invalid outcome columns, mismatched columns, or a synthetic list
            whose length differs from ``seeds``.
        InvalidParameterError: unknown models, bad seeds, sizes or levels.
    """
    models = tuple(models)
    if not models or any(m not in MODELS for m in models) or len(set(models)) != len(models):
        raise InvalidParameterError(
            f"models must be distinct names among {list(MODELS)}, got {list(models)}"
        )
    seeds = check_int("seeds", seeds, minimum=1)
    c_index = check_choice("c_index", c_index, C_INDICES)
    confidence = check_fraction("confidence", confidence)
    penalizer = check_float("penalizer", penalizer, minimum=0.0)
    if synthetic_size is not None:
        synthetic_size = check_int("synthetic_size", synthetic_size, minimum=1)
    if rsf_params is not None and not isinstance(rsf_params, Mapping):
        raise InvalidParameterError(f"rsf_params must be a mapping, got {rsf_params!r}")
    frames = [synthetic] if isinstance(synthetic, pd.DataFrame) else list(synthetic)
    if not frames:
        raise InvalidDataError("synthetic is an empty list; pass a table or one per seed")
    if len(frames) > 1 and len(frames) != seeds:
        raise InvalidDataError(
            f"synthetic holds {len(frames)} tables but seeds={seeds}; pass one table per "
            f"seed (seeds={len(frames)}) or a single table"
        )

    train_d, train_e = check_survival_frame(
        real_train, duration_column, event_column, name="real_train"
    )
    test_d, test_e = check_survival_frame(
        holdout, duration_column, event_column, name="holdout", require_events=False
    )
    holdout = align_columns(real_train, holdout, "real_train", "holdout")
    labels = ["synthetic"] if len(frames) == 1 else [f"synthetic[{i}]" for i in range(len(frames))]
    outcomes = {}
    tables = {"real_train": real_train, "holdout": holdout}
    for label, frame in zip(labels, frames, strict=True):
        outcomes[label] = check_survival_frame(
            frame, duration_column, event_column, name=label, require_events=False
        )
        tables[label] = align_columns(real_train, frame, "real_train", label)
    tables = feature_tables(tables, categorical_columns, keep=[duration_column, event_column])
    real_train, holdout = tables["real_train"], tables["holdout"]
    covariates = covariate_columns(real_train, duration_column, event_column)
    synthetic_parts = [(label, tables[label][covariates], *outcomes[label]) for label in labels]
    categorical = resolve_categorical(
        [real_train[covariates], holdout[covariates], *[p[1] for p in synthetic_parts]],
        categorical_columns,
        outside=real_train.columns,
    )
    design = CoxDesign.from_reference(real_train[covariates], categorical, "real_train")
    notes: list[str] = []
    x_train, _, _ = design.matrix(real_train[covariates], "real_train", impute=True)
    x_test, _, unseen_holdout = design.matrix(holdout[covariates], "holdout", impute=True)
    if unseen_holdout.any():
        notes.append(
            f"{int(unseen_holdout.sum())} test row(s) with levels unseen in training scored "
            "at the reference level"
        )
    constant = constant_columns(x_train)
    if constant:
        notes.append(f"design columns constant in real_train left out: {constant}")
        x_train = x_train.drop(columns=constant)
        x_test = x_test.drop(columns=constant)
    if x_train.shape[1] == 0:
        raise InvalidDataError("no covariate varies in real_train; nothing to model")
    synthetic_designs = []
    for label, frame, d, e in synthetic_parts:
        x_syn, _, unseen = design.matrix(frame, label, impute=True)
        if unseen.any():
            notes.append(f"{int(unseen.sum())} {label} row(s) with unseen levels dropped")
        keep = ~unseen
        if not keep.any():
            raise InvalidDataError(f"no {label} row has only levels seen in real_train")
        x_syn = x_syn.drop(columns=constant)[keep].reset_index(drop=True)
        synthetic_designs.append((x_syn, d[keep], e[keep]))

    in_range = test_d <= train_d.max()
    beyond = int((~in_range).sum())
    if beyond:
        notes.append(f"{beyond} test row(s) beyond the training follow-up left out")
    x_test = x_test[in_range].reset_index(drop=True)
    test_d, test_e = test_d[in_range], test_e[in_range]
    if len(test_d) < 2 or test_e.sum() == 0:
        left_out = (
            f" ({beyond} left out: their durations lie beyond the training follow-up, "
            f"{float(train_d.max()):g})"
            if beyond
            else ""
        )
        raise InvalidDataError(
            f"holdout has {len(test_d)} usable row(s) with {int(test_e.sum())} event(s)"
            f"{left_out}; at least 2 rows and 1 event are needed to score"
        )
    grid = (
        _default_times(test_d, float(train_d.max()))
        if times is None
        else np.sort(np.asarray(times, dtype=float))
    )
    if grid.size == 0 or grid.min() < test_d.min() or grid.max() >= test_d.max():
        raise InvalidParameterError(
            f"times must lie in [{test_d.min():g}, {test_d.max():g}) (the usable test "
            f"follow-up), got {grid.min() if grid.size else 'nothing'}..."
            f"{grid.max() if grid.size else ''}"
        )
    y_train = _structured(train_d, train_e)
    y_test = _structured(test_d, test_e)

    def scores(risk: np.ndarray, surv: np.ndarray) -> tuple[float, float]:
        from sksurv.metrics import (
            concordance_index_censored,
            concordance_index_ipcw,
            integrated_brier_score,
        )

        if c_index == "harrell":
            concordance = concordance_index_censored(test_e.astype(bool), test_d, risk)[0]
        else:
            concordance = concordance_index_ipcw(y_train, y_test, risk, tau=grid.max())[0]
        ibs = integrated_brier_score(y_train, y_test, surv, grid)
        return float(concordance), float(ibs)

    rows = []
    real_cache: dict[str, tuple[float, float]] = {}
    for seed in range(seeds):
        x_syn, d_syn, e_syn = synthetic_designs[seed % len(synthetic_designs)]
        if synthetic_size is not None:
            rng = np.random.default_rng(seed)
            replace = synthetic_size > len(d_syn)
            pick = rng.choice(len(d_syn), size=synthetic_size, replace=replace)
            x_syn, d_syn, e_syn = x_syn.iloc[pick].reset_index(drop=True), d_syn[pick], e_syn[pick]
        x_aug = pd.concat([x_train, x_syn], ignore_index=True)
        d_aug = np.concatenate([train_d, d_syn])
        e_aug = np.concatenate([train_e, e_syn])
        for model in models:
            if model == "cox" and model in real_cache:
                real_scores = real_cache[model]  # deterministic: fit once
            else:
                real_scores = scores(
                    *_fit_predict(model, x_train, train_d, train_e, x_test, grid, seed,
                                  penalizer, rsf_params or {}, notes)
                )  # fmt: skip
                real_cache[model] = real_scores
            aug_scores = scores(
                *_fit_predict(model, x_aug, d_aug, e_aug, x_test, grid, seed, penalizer,
                              rsf_params or {}, notes)
            )  # fmt: skip
            rows.append(
                {
                    "model": model,
                    "seed": seed,
                    "c_index_real": real_scores[0],
                    "c_index_augmented": aug_scores[0],
                    "ibs_real": real_scores[1],
                    "ibs_augmented": aug_scores[1],
                    "n_synthetic": len(d_syn),
                }
            )
    per_seed = pd.DataFrame(rows)
    summary_rows = {}
    for model in models:
        part = per_seed[per_seed["model"] == model]
        row: dict[str, float] = {}
        for metric in ("c_index", "ibs"):
            values = {
                "real": part[f"{metric}_real"].to_numpy(),
                "augmented": part[f"{metric}_augmented"].to_numpy(),
            }
            values["delta"] = values["augmented"] - values["real"]
            for arm, array in values.items():
                mean, low, high = mean_ci(array, confidence)
                row[f"{metric}_{arm}"] = mean
                row[f"{metric}_{arm}_ci_low"] = low
                row[f"{metric}_{arm}_ci_high"] = high
        summary_rows[model] = row
    summary = pd.DataFrame.from_dict(summary_rows, orient="index")
    summary.index.name = "model"
    return SurvivalAugmentationResult(
        summary=summary,
        per_seed=per_seed,
        models=models,
        seeds=seeds,
        c_index=c_index,
        confidence=confidence,
        times=grid,
        n_train=len(train_d),
        n_holdout=len(test_d),
        notes=tuple(dict.fromkeys(notes)),
    )

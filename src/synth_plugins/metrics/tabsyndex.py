"""TabSynDex (Chundawat et al., arXiv 2207.05295), with the reference code's constants.

TabSynDex averages five scores in ``[0, 1]``, each comparing the real table ``R`` with the
synthetic table ``S`` (the reference implementation is ``tabsyndex.py`` of
vikram2000b/tabsyndex; its constants are kept):

1. basic statistical measure: relative errors of column means, standard deviations
   (ddof 0) and medians, ``mape(a, b) = |a - b| / |a + 1e-6|`` clipped to ``[0, 1]``;
2. log-transformed correlation score: the same relative error on ``sign(A) ln|A|`` of the
   association matrices (Pearson / correlation ratio / Theil's U);
3. ML efficacy: four models (classifiers scored by micro-F1, or regressors by RMSE) trained
   on ``R`` and on ``S`` and each evaluated on both, compared by the relative error;
4. pMSE score: ``1.2 ** -|1 - pMSE / pMSE_0|`` for a logistic-regression propensity model,
   ``pMSE_0 = (k - 1)(1 - c)^2 c / N`` with ``k = p + 1``;
5. regularized support coverage: the synthetic-to-real count ratio per level (20
   equal-width bins for numeric columns), capped at 2 per level and 1 per column.

Where the reference code fails or returns NaN, a documented value is used instead (see
:func:`tabsyndex`). Categorical columns are label-encoded first (codes in sorted order of
the real levels), as the reference code requires.
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics._encoding import label_encode
from synth_plugins.metrics.associations import association_matrix, signed_log
from synth_plugins.metrics.validation import (
    align_columns,
    check_frame,
    feature_tables,
    is_quantity,
    numeric_values,
    resolve_categorical,
)
from synth_plugins.validation import (
    check_choice,
    check_fraction,
    check_int,
    check_random_state,
)

Task = Literal["class", "regr"]
TASKS: tuple[str, ...] = ("class", "regr")
#: The epsilon of the reference ``mape``: ``|a - b| / |a + 1e-6|``.
MAPE_EPSILON = 1e-6
#: Base of the pMSE score ``base ** -|1 - ratio|``.
PMSE_BASE = 1.2
#: Equal-width bins per numeric column in the support coverage.
SUPPORT_BINS = 20
#: Cap of the synthetic-to-real ratio per level in the support coverage.
SUPPORT_LEVEL_CAP = 2.0
#: Seed of every model of the reference code.
REFERENCE_SEED = 42


@dataclass(frozen=True)
class TabSynDexResult:
    """TabSynDex and its five components.

    Attributes:
        score: The mean of the five component scores.
        basic_score: Basic statistical measure.
        corr_score: Log-transformed correlation score.
        ml_score: ML efficacy score.
        pmse_score: pMSE score, ``1.2 ** -|1 - pmse_ratio|``.
        sup_score: Regularized support coverage.
        pmse: The propensity mean squared error.
        pmse_ratio: ``pmse`` over its null expectation.
        task: ``"class"`` or ``"regr"``.
        target_column: The ML-efficacy target.
        timings: Seconds spent per step (``encode``, ``basic``, ``corr``, ``pmse``, ``ml``,
            ``sup``); not part of ``to_dict()``.
    """

    score: float
    basic_score: float
    corr_score: float
    ml_score: float
    pmse_score: float
    sup_score: float
    pmse: float
    pmse_ratio: float
    task: str
    target_column: str
    timings: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, float]:
        """The six scores and the pMSE figures as a flat dict with stable keys."""
        return {
            "score": self.score,
            "basic_score": self.basic_score,
            "corr_score": self.corr_score,
            "ml_score": self.ml_score,
            "pmse_score": self.pmse_score,
            "sup_score": self.sup_score,
            "pmse": self.pmse,
            "pmse_ratio": self.pmse_ratio,
        }


# ------------------------------------------------------------------------ helpers


def mape(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """The reference relative error ``|a - b| / |a + 1e-6|`` (epsilon added to signed a)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.abs(a - b) / np.abs(a + MAPE_EPSILON)


def _clipped_errors(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``clip(mape(a, b), 0, 1)`` with NaN guards: both NaN -> 0, one NaN -> 1."""
    errors = np.clip(mape(a, b), 0.0, 1.0)
    a_nan, b_nan = np.isnan(a), np.isnan(b)
    errors = np.where(a_nan & b_nan, 0.0, errors)
    errors = np.where(a_nan ^ b_nan, 1.0, errors)
    return np.nan_to_num(errors, nan=1.0)


def _one_minus(total_error: float) -> float:
    """``1 - error`` if the mean error is at most 1, else 0 (the reference's rule)."""
    return 1.0 - total_error if total_error <= 1.0 else 0.0


def _encode_tables(
    real: pd.DataFrame, synthetic: pd.DataFrame, categorical: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both tables as float frames: categorical columns label-encoded, numeric as floats."""
    real_out, syn_out = {}, {}
    for column in real.columns:
        if column in categorical:
            real_out[column], syn_out[column], _ = label_encode(real[column], synthetic[column])
        else:
            real_out[column] = numeric_values(real[column], "real")
            syn_out[column] = numeric_values(synthetic[column], "synthetic")
    return pd.DataFrame(real_out, index=real.index), pd.DataFrame(syn_out, index=synthetic.index)


def _min_max(real: pd.DataFrame, synthetic: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """MinMax scaling fitted on the real table (a constant column is only shifted)."""
    from sklearn.preprocessing import MinMaxScaler

    scaler = MinMaxScaler()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        real_scaled = scaler.fit_transform(real.to_numpy())
        syn_scaled = scaler.transform(synthetic.to_numpy())
    return real_scaled, syn_scaled


def _impute(real: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Replace NaN by the real column mean (0 for a column with no observed value)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(real, axis=0) if real.size else np.zeros(real.shape[1])
    means = np.nan_to_num(means, nan=0.0)
    out = []
    for table in (real, *others):
        table = table.copy()
        rows, cols = np.nonzero(np.isnan(table))
        table[rows, cols] = means[cols]
        out.append(table)
    return out


# --------------------------------------------------------------------- components


def basic_statistical_score(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    """Component 1: ``1 - sum of clipped mape(mean, std, median) / 3p`` (0 if above 1).

    Both tables are numeric (categorical columns label-encoded). Statistics skip missing
    values; std has ddof 0 (``np.std``). A statistic missing on one side only (a column
    with no observed value) counts as the maximal error 1, on both sides as 0.
    """
    r = real.to_numpy(dtype=np.float64)
    s = synthetic.to_numpy(dtype=np.float64)
    errors = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for stat in (np.nanmean, np.nanstd, np.nanmedian):
            errors.append(_clipped_errors(stat(r, axis=0), stat(s, axis=0)))
    total = float(np.sum(errors)) / (3 * r.shape[1])
    return _one_minus(total)


def log_transformed_correlation_score(
    real_associations: pd.DataFrame, synthetic_associations: pd.DataFrame
) -> float:
    """Component 2: relative error of ``sign(A) ln|A|`` over the ``p^2 - p`` cells.

    ``score = 1 - sum(clip(mape(L_R, L_S), 0, 1)) / (p^2 - p)`` (0 if the mean error
    exceeds 1). An association of exactly 0 has ``L = 0`` (the reference code gets
    ``0 * -inf = NaN`` there, which makes the whole score NaN). With a single column the
    score is 1.
    """
    log_r = signed_log(real_associations.to_numpy(dtype=np.float64))
    log_s = signed_log(synthetic_associations.to_numpy(dtype=np.float64))
    p = log_r.shape[0]
    if p < 2:
        return 1.0
    total = float(np.sum(_clipped_errors(log_r, log_s))) / (p * p - p)
    return _one_minus(total)


def _classifiers(n_jobs: int | None = None) -> list[object]:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.tree import DecisionTreeClassifier

    return [
        LogisticRegression(max_iter=5000, random_state=REFERENCE_SEED),
        RandomForestClassifier(n_estimators=10, random_state=REFERENCE_SEED, n_jobs=n_jobs),
        DecisionTreeClassifier(random_state=REFERENCE_SEED),
        MLPClassifier(
            (50, 50),
            solver="adam",
            activation="relu",
            learning_rate="adaptive",
            random_state=REFERENCE_SEED,
        ),
    ]


def _regressors(n_jobs: int | None = None) -> list[object]:
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import ElasticNet, Lasso, Ridge

    return [
        RandomForestRegressor(
            n_estimators=20, max_depth=5, random_state=REFERENCE_SEED, n_jobs=n_jobs
        ),
        Lasso(random_state=REFERENCE_SEED, max_iter=5000),
        Ridge(alpha=1.0, random_state=REFERENCE_SEED),
        ElasticNet(max_iter=5000, random_state=REFERENCE_SEED),
    ]


class _ConstantClassifier:
    """Predicts the one class seen in training (for a target with a single class)."""

    def fit(self, x: np.ndarray, y: np.ndarray) -> _ConstantClassifier:
        self.value = y[0]
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.full(len(x), self.value)


def _fit(model: object, x: np.ndarray, y: np.ndarray, task: str) -> object:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    if task == "class" and np.unique(y).size < 2:
        return _ConstantClassifier().fit(x, y)
    # the MLP multiplies 200-row mini-batches: BLAS threads only add overhead there
    limits = threadpool_limits(1) if isinstance(model, MLPClassifier) else contextlib.nullcontext()
    with warnings.catch_warnings(), limits:
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(x, y)  # type: ignore[attr-defined]


def _performance(model: object, x: np.ndarray, y: np.ndarray, task: str) -> float:
    from sklearn.metrics import f1_score, mean_squared_error

    predicted = model.predict(x)  # type: ignore[attr-defined]
    if task == "class":
        return float(f1_score(y, predicted, average="micro"))
    return float(math.sqrt(mean_squared_error(y, predicted)))


def ml_efficacy_score(
    real_x: np.ndarray,
    real_y: np.ndarray,
    synthetic_x: np.ndarray,
    synthetic_y: np.ndarray,
    task: Task,
    *,
    holdout_fraction: float | None = None,
    sample_size: int | None = None,
    random_state: int = REFERENCE_SEED,
    n_jobs: int | None = None,
) -> float:
    """Component 3: models trained on R and on S, each scored on R and S.

    With ``r = [m_R(R)..., m_R(S)...]`` and ``f = [m_S(R)..., m_S(S)...]`` (8 values),
    ``score = 1 - sum(clip(mape(r, f), 0, 1)) / 8`` (0 if the mean exceeds 1). Without
    ``holdout_fraction`` every evaluation is in-sample, as in the reference code; with it,
    each table is split (seeded) and the models are scored on the held-out parts. With
    ``sample_size``, each table is first subsampled (seeded, without replacement) to at
    most that many rows. A training target with a single class gets a constant predictor.
    ``n_jobs`` parallelises the random forests (same trees, the seed fixes them).
    """
    check_choice("task", task, TASKS)
    if sample_size is not None:
        rng = np.random.default_rng(random_state)
        if len(real_x) > sample_size:
            keep = np.sort(rng.choice(len(real_x), size=sample_size, replace=False))
            real_x, real_y = real_x[keep], real_y[keep]
        if len(synthetic_x) > sample_size:
            keep = np.sort(rng.choice(len(synthetic_x), size=sample_size, replace=False))
            synthetic_x, synthetic_y = synthetic_x[keep], synthetic_y[keep]
    if holdout_fraction is not None:
        from sklearn.model_selection import train_test_split

        rx, rx_eval, ry, ry_eval = train_test_split(
            real_x, real_y, test_size=holdout_fraction, random_state=random_state
        )
        sx, sx_eval, sy, sy_eval = train_test_split(
            synthetic_x, synthetic_y, test_size=holdout_fraction, random_state=random_state
        )
    else:
        rx, rx_eval, ry, ry_eval = real_x, real_x, real_y, real_y
        sx, sx_eval, sy, sy_eval = synthetic_x, synthetic_x, synthetic_y, synthetic_y
    factory = _classifiers if task == "class" else _regressors
    on_real = [_fit(m, rx, ry, task) for m in factory(n_jobs)]
    on_syn = [_fit(m, sx, sy, task) for m in factory(n_jobs)]
    r = [_performance(m, rx_eval, ry_eval, task) for m in on_real]
    r += [_performance(m, sx_eval, sy_eval, task) for m in on_real]
    f = [_performance(m, rx_eval, ry_eval, task) for m in on_syn]
    f += [_performance(m, sx_eval, sy_eval, task) for m in on_syn]
    total = float(np.sum(_clipped_errors(np.array(r), np.array(f)))) / len(r)
    return _one_minus(total)


def pmse_score(real: np.ndarray, synthetic: np.ndarray) -> tuple[float, float, float]:
    """Component 4: propensity-score MSE against its null expectation.

    A ``LogisticRegression(max_iter=5000, random_state=42)`` separates the stacked rows
    (real labelled 0, synthetic 1); ``pMSE = mean((p_hat - c)^2)`` with ``c = n_S / N``,
    ``pMSE_0 = (k - 1)(1 - c)^2 c / N`` with ``k = p + 1``, and the score is
    ``1.2 ** -|1 - pMSE / pMSE_0|``. Rows are not shuffled: the fit does not depend on
    row order (the reference shuffles without a seed). Identical tables give ``pMSE = 0``
    and the score ``1 / 1.2``, not 1.

    Args:
        real: Scaled real table, no missing values.
        synthetic: Scaled synthetic table, same columns.

    Returns:
        ``(score, pmse, ratio)``.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([real, synthetic])
    y = np.concatenate([np.zeros(len(real)), np.ones(len(synthetic))])
    model = LogisticRegression(max_iter=5000, random_state=REFERENCE_SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    propensity = model.predict_proba(x)[:, 1]
    n = len(x)
    c = len(synthetic) / n
    pmse = float(np.mean((propensity - c) ** 2))
    k = x.shape[1] + 1
    pmse0 = (k - 1) * (1 - c) ** 2 * c / n
    ratio = pmse / pmse0
    return float(PMSE_BASE ** -abs(1 - ratio)), pmse, float(ratio)


def support_coverage_score(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    categorical_columns: Sequence[str],
    *,
    num_bins: int = SUPPORT_BINS,
    level_cap: float = SUPPORT_LEVEL_CAP,
) -> float:
    """Component 5: regularized support coverage (TabSynDex variant).

    For every level present in the real column (missing values dropped; numeric columns
    cut into ``num_bins`` equal-width bins over the real range with ``pd.cut``), the ratio
    ``(n_R / n_S) * count_S / count_R`` is capped at ``level_cap``; the column score is the
    mean over levels capped at 1, and the score is the mean over columns. A level absent
    from the synthetic column counts 0 (the reference code raises ``KeyError``); synthetic
    values outside the real range are ignored; a column with no observed real value
    scores 1 (nothing to cover).
    """
    scale = len(real) / len(synthetic)
    scores = []
    for column in real.columns:
        r = real[column].dropna()
        s = synthetic[column].dropna()
        if r.empty:
            scores.append(1.0)
            continue
        if column in categorical_columns:
            real_counts = r.astype(object).value_counts()
            syn_counts = s.astype(object).value_counts()
            syn_aligned = syn_counts.reindex(real_counts.index, fill_value=0)
            real_n = real_counts.to_numpy(dtype=np.float64)
            syn_n = syn_aligned.to_numpy(dtype=np.float64)
        else:
            r_values = numeric_values(r, "real")
            s_values = numeric_values(s, "synthetic")
            binned, edges = pd.cut(r_values, bins=num_bins, retbins=True, labels=False)
            syn_binned = pd.cut(s_values, bins=edges, labels=False)
            real_n = np.bincount(binned.astype(np.int64), minlength=num_bins).astype(float)
            observed = syn_binned[~np.isnan(syn_binned)].astype(np.int64)
            syn_n = np.bincount(observed, minlength=num_bins).astype(float)
        present = real_n > 0
        ratios = np.minimum(scale * syn_n[present] / real_n[present], level_cap)
        scores.append(min(1.0, float(ratios.mean())))
    return float(np.mean(scores))


# --------------------------------------------------------------------------- main


def _task(target: pd.Series, categorical: Sequence[str]) -> Task:
    """``task="auto"``: ``"class"`` for a categorical or few-level target, else ``"regr"``.

    Few levels: at most :data:`~synth_plugins.metrics.validation.MAX_CLASS_LEVELS`
    distinct numbers (:func:`~synth_plugins.metrics.validation.is_quantity`).

    ``categorical`` is the metric's list (given, or inferred by the metrics' column rule,
    which reads numbers written as text as numbers); any other target is read as numbers.
    """
    if target.name in categorical:
        return "class"
    return "regr" if is_quantity(numeric_values(target, "real")) else "class"


def _check_class_target(target: pd.Series) -> None:
    """Refuse a numeric classification target that holds continuous numbers.

    Continuous is scikit-learn's ``type_of_target`` (numbers that are not all whole, as
    ``model_understanding`` decides) with more than
    :data:`~synth_plugins.metrics.validation.MAX_CLASS_LEVELS` levels, where
    ``task="auto"`` would choose a regression: such a target as classes would give every
    value a class of its own. The real table decides, as it does for ``task="auto"``; the
    synthetic values are label-encoded with it (values the real data lack are classes of
    their own).

    Raises:
        InvalidParameterError: The target is continuous; the message names it.
    """
    from sklearn.utils.multiclass import type_of_target

    values = numeric_values(target, "real")
    observed = np.unique(values[~np.isnan(values)])
    if is_quantity(observed) and type_of_target(observed) == "continuous":
        raise InvalidParameterError(
            f"task='class' needs class labels, but the target column {target.name!r} holds "
            f"continuous numbers ({observed.size} distinct values in real, e.g. "
            f"{observed[0]:g}); use task='regr' (or 'auto'), list it in categorical_columns, "
            "or cut it into classes first (pd.cut)"
        )


def tabsyndex(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    categorical_columns: Iterable[str] | None = None,
    target_column: str | None = None,
    task: Task | Literal["auto"] = "class",
    ml_holdout_fraction: float | None = None,
    ml_sample_size: int | None = None,
    random_state: int = REFERENCE_SEED,
    n_jobs: int | None = None,
) -> TabSynDexResult:
    """TabSynDex with its five components, reproducing the reference constants.

    Args:
        real: The real table.
        synthetic: The synthetic table; same columns.
        categorical_columns: Nominal columns (label-encoded here; Theil's U and the
            correlation ratio in the associations; one-hot features in the ML models;
            level counts in the support coverage). None infers them from ``real``.
            Identifier columns are left out and dates read as days (see
            :func:`~synth_plugins.metrics.validation.feature_tables`).
        target_column: The ML-efficacy target; default the last column (the reference's
            ``target_col=-1``). It is never one-hot encoded.
        task: ``"class"`` (4 classifiers, micro-F1), ``"regr"`` (4 regressors, RMSE) or
            ``"auto"``: ``"class"`` for a named target that is categorical (listed in
            ``categorical_columns`` or, without the list, inferred so: numbers written as
            text are numbers) or has at most 20 distinct values, else ``"regr"``
            (``"class"`` when no target is named). The hosts use ``"auto"``. A
            classification target is label-encoded with one mapping of both tables
            (``1.5`` is a class of its own); ``"class"`` refuses a numeric target of more
            than 20 levels that are not all whole numbers.
        ml_holdout_fraction: None (reference: in-sample evaluation) or the fraction of
            each table held out to score the ML models.
        ml_sample_size: None (reference: all rows) or the most rows per table used by the
            ML-efficacy models. The reference MLP trains up to 200 epochs of 200-row
            mini-batches, so on large tables it dominates the run time (minutes at 100,000
            rows); subsampling is our option for speed, off by default.
        random_state: Seed of the holdout split and the ML subsample (the models keep the
            reference seed 42).
        n_jobs: Parallel jobs of the random forests (scikit-learn's ``n_jobs``); the trees,
            and so the score, do not depend on it.

    Returns:
        A :class:`TabSynDexResult`; no component is ever NaN.

    Documented deviations from the reference code, each where it fails or gives NaN:
    an association of exactly 0 has log 0 (not NaN); a level absent from the synthetic
    data counts 0 (not KeyError); the classification target is label-encoded but not
    min-max scaled (a scaled 3-class target is "continuous" to scikit-learn); one-hot
    features use the levels of both tables (the reference encodes each table separately,
    so their columns can differ); missing values are their own level in categorical
    columns, are skipped by the statistics, replaced by 0.0 in the associations (dython's
    default) and by the real column mean for the models; regression rows with a missing
    target are dropped.

    Raises:
        InvalidDataError: A table of fewer than 2 rows, mismatched tables, non-numeric
            numeric columns.
        InvalidParameterError: Unknown target column or task, a categorical regression
            target, a continuous classification target, or an out-of-range holdout
            fraction.
    """
    check_frame(real, "real", min_rows=2)
    check_frame(synthetic, "synthetic", min_rows=2)
    synthetic = align_columns(real, synthetic, "real", "synthetic")
    check_choice("task", task, (*TASKS, "auto"))
    random_state = check_random_state("random_state", random_state, none=False)
    if ml_sample_size is not None:
        ml_sample_size = check_int("ml_sample_size", ml_sample_size, minimum=2)
    if ml_holdout_fraction is not None:
        ml_holdout_fraction = check_fraction("ml_holdout_fraction", ml_holdout_fraction)
    columns = list(real.columns)
    if categorical_columns is not None:
        categorical_columns = list(categorical_columns)
    if task == "auto" and target_column is None:
        task = "class"
    if target_column is None:
        target_column = columns[-1]
    if target_column not in columns:
        raise InvalidParameterError(
            f"target_column {target_column!r} is not a column; columns are {columns}"
        )
    features = feature_tables(
        {"real": real, "synthetic": synthetic}, categorical_columns, keep=[target_column]
    )
    real, synthetic = features["real"], features["synthetic"]
    categorical = resolve_categorical([real, synthetic], categorical_columns)
    if task == "auto":
        task = _task(real[target_column], categorical)
    if task == "regr" and target_column in categorical:
        raise InvalidParameterError(
            f"task='regr' needs a numeric target, but {target_column!r} is categorical; "
            "use task='class' or remove it from categorical_columns"
        )
    if task == "class" and target_column not in categorical:
        _check_class_target(real[target_column])

    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    real_enc, syn_enc = _encode_tables(real, synthetic, categorical)
    lap("encode")
    basic = basic_statistical_score(real_enc, syn_enc)
    lap("basic")
    corr = log_transformed_correlation_score(
        association_matrix(real_enc, categorical, nominal="theil_u", nan_replace_value=0.0),
        association_matrix(syn_enc, categorical, nominal="theil_u", nan_replace_value=0.0),
    )
    lap("corr")
    real_scaled, syn_scaled = _min_max(real_enc, syn_enc)
    pmse_value_score, pmse, ratio = pmse_score(*_impute(real_scaled, syn_scaled))
    lap("pmse")
    ml = _ml_component(
        real_enc,
        syn_enc,
        real_scaled,
        syn_scaled,
        categorical,
        target_column,
        task,
        ml_holdout_fraction,
        ml_sample_size,
        random_state,
        n_jobs,
    )
    lap("ml")
    sup = support_coverage_score(real, synthetic, categorical)
    lap("sup")
    components = (basic, corr, ml, pmse_value_score, sup)
    return TabSynDexResult(
        score=float(np.mean(components)),
        basic_score=basic,
        corr_score=corr,
        ml_score=ml,
        pmse_score=pmse_value_score,
        sup_score=sup,
        pmse=pmse,
        pmse_ratio=ratio,
        task=task,
        target_column=str(target_column),
        timings=timings,
    )


def _ml_component(
    real_enc: pd.DataFrame,
    syn_enc: pd.DataFrame,
    real_scaled: np.ndarray,
    syn_scaled: np.ndarray,
    categorical: Sequence[str],
    target: str,
    task: str,
    holdout_fraction: float | None,
    sample_size: int | None,
    random_state: int,
    n_jobs: int | None,
) -> float:
    """Build the features (scaled numerics, one-hot nominals) and score the models."""
    columns = list(real_enc.columns)
    real_parts, syn_parts = [], []
    numeric_idx = [i for i, c in enumerate(columns) if c != target and c not in categorical]
    if numeric_idx:
        r_num, s_num = _impute(real_scaled[:, numeric_idx], syn_scaled[:, numeric_idx])
        real_parts.append(r_num)
        syn_parts.append(s_num)
    for column in columns:
        if column == target or column not in categorical:
            continue
        r_codes = real_enc[column].to_numpy()
        s_codes = syn_enc[column].to_numpy()
        levels = np.unique(np.concatenate([r_codes, s_codes]))
        if levels.size <= 2:  # one 0/1 column (constant 0 for a single level)
            real_parts.append(
                (r_codes == levels[-1])[:, None].astype(float)
                if levels.size == 2
                else np.zeros((len(r_codes), 1))
            )
            syn_parts.append(
                (s_codes == levels[-1])[:, None].astype(float)
                if levels.size == 2
                else np.zeros((len(s_codes), 1))
            )
        else:
            real_parts.append((r_codes[:, None] == levels[None, :]).astype(float))
            syn_parts.append((s_codes[:, None] == levels[None, :]).astype(float))
    real_x = np.hstack(real_parts) if real_parts else np.zeros((len(real_enc), 1))
    syn_x = np.hstack(syn_parts) if syn_parts else np.zeros((len(syn_enc), 1))
    t = columns.index(target)
    if task == "class":
        # one mapping of both tables: a numeric target's values are labels, not truncated
        real_codes, syn_codes, _ = label_encode(real_enc[target], syn_enc[target])
        real_y, syn_y = real_codes.astype(np.int64), syn_codes.astype(np.int64)
    else:
        real_y, syn_y = real_scaled[:, t], syn_scaled[:, t]
        keep_r, keep_s = ~np.isnan(real_y), ~np.isnan(syn_y)
        real_x, real_y = real_x[keep_r], real_y[keep_r]
        syn_x, syn_y = syn_x[keep_s], syn_y[keep_s]
        if len(real_y) == 0 or len(syn_y) == 0:
            raise InvalidDataError(
                f"the regression target {target!r} has no observed value in one table"
            )
    return ml_efficacy_score(
        real_x,
        real_y,
        syn_x,
        syn_y,
        task,  # type: ignore[arg-type]
        holdout_fraction=holdout_fraction,
        sample_size=sample_size,
        random_state=random_state,
        n_jobs=n_jobs,
    )

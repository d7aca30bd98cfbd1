"""Does a model trained on synthetic data understand the problem like one trained on real data?

The KerusCloud case studies (Titanic, heart failure) ask three questions of a Random Forest
trained on synthetic rows, tested like one trained on the real training rows on the same
real holdout (a 70/30 split of the real data):

1. does it predict as well (accuracy and balanced accuracy against a Dummy classifier that
   always predicts the most frequent class; confusion matrices, rows = true class)?
2. does it rank the features in the same order of importance (mean |SHAP| on the holdout;
   Kendall tau between the two importance vectors and the overlap of the top-k features)?
3. does each feature push the prediction the same way (the sign of the Spearman correlation
   between a feature's value and its SHAP value for the positive class)?

The headline ``score`` is the mean of three numbers in [0, 1]: the accuracy gain (the share
of the real model's gain over the Dummy that the synthetic model reaches), the order
agreement (Kendall tau above the tau of models trained on structure-less data, scaled to
[0, 1]) and the share of features whose direction agrees. The first two are 0 for a
generator that keeps no relation between the columns and 1 for a copy of the training rows;
the direction share is about 0.5 by chance. SHAP values come from ``shap.TreeExplainer``
(``pip install shap``); without ``shap``, or for a classifier that is not a tree model,
permutation importance on the holdout replaces it and ``importance_method`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.encoding.levels import sorted_levels
from synth_plugins.errors import InvalidParameterError, plain
from synth_plugins.metrics.clinical._checks import (
    check_not_constant,
    check_target,
    feature_columns,
)
from synth_plugins.metrics.clinical._features import encode_features, spearman_sign
from synth_plugins.metrics.validation import (
    align_columns,
    check_frame,
    feature_tables,
    resolve_categorical,
)
from synth_plugins.validation import check_choice, check_int, check_random_state

IMPORTANCE_METHODS: tuple[str, ...] = ("shap", "permutation")
#: Structure-less models whose mean Kendall tau with the real model is the order part's null.
NULL_DRAWS = 5
#: Holdout rows (a seeded subsample) on which the structure-less models are explained: their
#: importances only rank features, and explaining them on the whole holdout made the metric
#: 3.2-3.6 times slower (pima 1.0 -> 3.6 s).
NULL_ROWS = 100
#: Trees of a structure-less Random Forest or Extra Trees model (fewer if the classifier has
#: fewer). A forest fitted to shuffled features grows deep trees of noise, the dearest part of
#: a SHAP pass; 25 trees rank the features as the average of 5 such models needs.
NULL_TREES = 25


@dataclass(frozen=True, eq=False)
class ModelUnderstandingResult:
    """How a synthetic-trained classifier compares with a real-trained one.

    Attributes:
        score: The headline: mean of ``accuracy_gain``, ``order_agreement`` and
            ``direction_agreement``, in [0, 1].
        accuracy_real: Holdout accuracy of the model trained on real rows.
        accuracy_synthetic: Holdout accuracy of the model trained on synthetic rows.
        accuracy_dummy: Holdout accuracy of the most-frequent-class Dummy (real training).
        balanced_accuracy_real: Balanced accuracy of the real-trained model.
        balanced_accuracy_synthetic: Balanced accuracy of the synthetic-trained model.
        balanced_accuracy_dummy: Balanced accuracy of the Dummy (1 / number of classes).
        accuracy_gain: ``clip((accuracy_synthetic - accuracy_dummy) / (accuracy_real -
            accuracy_dummy), 0, 1)``; when the real model is no more accurate than the Dummy,
            1 if the synthetic model is as accurate as the real one, else 0 (noted).
        kendall_tau: Kendall tau between the two importance vectors (0 when undefined).
        kendall_tau_null: Mean Kendall tau between the real importances and those of
            :data:`NULL_DRAWS` models trained on the real rows with every feature shuffled
            independently: the tau a generator without structure reaches (importance
            measures favour features with many distinct values, so it is above 0).
        order_agreement: ``clip((kendall_tau - kendall_tau_null) / (1 -
            kendall_tau_null), 0, 1)``; when ``kendall_tau_null`` is 1, 1 if
            ``kendall_tau`` is 1, else 0 (noted).
        top_k: The k of the top-k comparison.
        top_k_overlap: Share of the real top-k features in the synthetic top-k.
        top_k_order_match: Whether the top-k features come in exactly the same order.
        direction_agreement: Share of features whose effect direction agrees.
        importance_method: ``"shap"`` (mean |SHAP|) or ``"permutation"``.
        positive_class: The class whose SHAP values give the directions. A
            synthetic-trained model that never saw it (the synthetic target lacks it) has
            directions 0, every one counted as disagreeing, and ``notes`` says so.
        importance: One row per feature (index ``feature``): ``importance_real``,
            ``importance_synthetic``, ``rank_real``, ``rank_synthetic`` (1 = most
            important), ``direction_real``, ``direction_synthetic`` (-1, 0, +1),
            ``direction_agree``.
        confusion_real: Confusion matrix of the real-trained model (rows true, columns
            predicted, labelled by class).
        confusion_synthetic: The same for the synthetic-trained model.
        notes: Imputations and fallbacks.
    """

    score: float
    accuracy_real: float
    accuracy_synthetic: float
    accuracy_dummy: float
    balanced_accuracy_real: float
    balanced_accuracy_synthetic: float
    balanced_accuracy_dummy: float
    accuracy_gain: float
    kendall_tau: float
    kendall_tau_null: float
    order_agreement: float
    top_k: int
    top_k_overlap: float
    top_k_order_match: bool
    direction_agreement: float
    importance_method: str
    positive_class: Any
    importance: pd.DataFrame = field(repr=False)
    confusion_real: pd.DataFrame = field(repr=False)
    confusion_synthetic: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, float]:
        """The summary figures as a flat ``{name: float}`` dict with stable keys."""
        return {
            "score": self.score,
            "accuracy_real": self.accuracy_real,
            "accuracy_synthetic": self.accuracy_synthetic,
            "accuracy_dummy": self.accuracy_dummy,
            "balanced_accuracy_real": self.balanced_accuracy_real,
            "balanced_accuracy_synthetic": self.balanced_accuracy_synthetic,
            "balanced_accuracy_dummy": self.balanced_accuracy_dummy,
            "accuracy_gain": self.accuracy_gain,
            "kendall_tau": self.kendall_tau,
            "kendall_tau_null": self.kendall_tau_null,
            "order_agreement": self.order_agreement,
            "top_k_overlap": self.top_k_overlap,
            "top_k_order_match": float(self.top_k_order_match),
            "direction_agreement": self.direction_agreement,
        }


def model_understanding(
    real: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    target_column: str,
    *,
    classifier: Any = None,
    importance: str = "shap",
    top_k: int = 3,
    categorical_columns: Any = None,
    random_state: int = 0,
) -> ModelUnderstandingResult:
    """Train one classifier on real and one on synthetic rows; compare them on the holdout.

    Args:
        real: The real training rows (the generator's training data).
        holdout: Real rows neither the generator nor the real model saw (the test set).
        synthetic: The synthetic rows; same columns.
        target_column: The class label column (at least two classes in every table).
        classifier: An unfitted scikit-learn classifier with ``predict_proba``; cloned for
            each fit. Default ``RandomForestClassifier(random_state=random_state)``
            (scikit-learn defaults).
        importance: ``"shap"`` (mean |SHAP|, needs ``shap`` and a tree model; falls back to
            permutation importance, stated in ``notes``) or ``"permutation"``.
        top_k: How many leading features the top-k comparison looks at (capped at the
            number of features).
        categorical_columns: Nominal feature columns, integer-coded with one shared
            mapping (an ordered categorical in its category order); None infers them.
            Identifier columns are left out and dates read as days (see
            :func:`~synth_plugins.metrics.validation.feature_tables`).
        random_state: Seed of the default classifier, of permutation importance, of the
            shuffles of the structure-less models and of the holdout rows
            (:data:`NULL_ROWS`) they are explained on.

    Returns:
        A :class:`ModelUnderstandingResult`.

    Raises:
        InvalidDataError: Empty or mismatched tables, a missing target value, a single
            class, no feature column, a feature constant in the real training rows.
        InvalidParameterError: An unknown option, a missing target column, or a
            ``classifier`` that is not a scikit-learn classifier with ``predict_proba``.
    """
    from sklearn.base import clone
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, confusion_matrix

    check_frame(real, "real", min_rows=2)
    check_frame(holdout, "holdout", min_rows=2)
    check_frame(synthetic, "synthetic", min_rows=2)
    synthetic = align_columns(real, synthetic, "real", "synthetic")
    holdout = align_columns(real, holdout, "real", "holdout")
    check_choice("importance", importance, IMPORTANCE_METHODS)
    top_k = check_int("top_k", top_k, minimum=1)
    random_state = check_random_state("random_state", random_state, none=False)
    _check_classifier(classifier)
    frames = {"real": real, "synthetic": synthetic, "holdout": holdout}
    check_target(frames, target_column, categorical_columns)
    frames = feature_tables(frames, categorical_columns, keep=[target_column])
    real, synthetic = frames["real"], frames["synthetic"]
    features = feature_columns(real, [target_column], "real")
    check_not_constant(real, features, "real")
    categorical = resolve_categorical(
        [real[features], synthetic[features]], categorical_columns, outside=real.columns
    )
    matrices, notes = encode_features(
        {n: f[features] for n, f in frames.items()}, features, categorical
    )
    labels = {n: f[target_column].to_numpy() for n, f in frames.items()}
    classes = sorted_levels(pd.unique(labels["real"]))
    positive = classes[-1]

    template = (
        classifier if classifier is not None else RandomForestClassifier(random_state=random_state)
    )
    model_real = clone(template).fit(matrices["real"], labels["real"])
    model_syn = clone(template).fit(matrices["synthetic"], labels["synthetic"])
    dummy = DummyClassifier(strategy="most_frequent").fit(matrices["real"], labels["real"])
    x_test, y_test = matrices["holdout"], labels["holdout"]
    predictions = {
        k: m.predict(x_test)
        for k, m in (("real", model_real), ("synthetic", model_syn), ("dummy", dummy))
    }
    acc = {k: float(accuracy_score(y_test, p)) for k, p in predictions.items()}
    bal = {k: float(balanced_accuracy_score(y_test, p)) for k, p in predictions.items()}
    observed = sorted_levels([*classes, *y_test, *predictions["synthetic"]])
    confusion = {
        k: pd.DataFrame(
            confusion_matrix(y_test, predictions[k], labels=observed),
            index=pd.Index(observed, name="true"),
            columns=pd.Index(observed, name="predicted"),
        )
        for k in ("real", "synthetic")
    }

    rng = np.random.default_rng(random_state)
    null_template = _null_template(template)
    null_models = [
        clone(null_template).fit(_shuffled(matrices["real"], rng), labels["real"])
        for _ in range(NULL_DRAWS)
    ]
    rows = np.sort(rng.choice(len(x_test), min(NULL_ROWS, len(x_test)), replace=False))
    method, explained = _explain(
        [model_real, model_syn],
        null_models,
        importance,
        (x_test, y_test),
        (x_test[rows], y_test[rows]),
        positive,
        random_state,
        notes,
    )
    (imp_real, dir_real), (imp_syn, dir_syn) = explained[:2]
    synthetic_has_positive = _class_index(model_syn, positive) is not None
    if not synthetic_has_positive:
        notes.append(_missing_positive_note(positive))
    table = _importance_table(
        features, imp_real, imp_syn, dir_real, dir_syn, synthetic_has_positive
    )
    k = min(top_k, len(features))
    top_real = table.sort_values("rank_real").index[:k].tolist()
    top_syn = table.sort_values("rank_synthetic").index[:k].tolist()
    tau = _kendall(imp_real, imp_syn, notes)
    tau_null = _null_tau(imp_real, [imp for imp, _ in explained[2:]], notes)
    gain = _accuracy_gain(acc, notes)
    order = _order_agreement(tau, tau_null, notes)
    direction = float(table["direction_agree"].mean())
    return ModelUnderstandingResult(
        score=float(np.mean([gain, order, direction])),
        accuracy_real=acc["real"],
        accuracy_synthetic=acc["synthetic"],
        accuracy_dummy=acc["dummy"],
        balanced_accuracy_real=bal["real"],
        balanced_accuracy_synthetic=bal["synthetic"],
        balanced_accuracy_dummy=bal["dummy"],
        accuracy_gain=gain,
        kendall_tau=tau,
        kendall_tau_null=tau_null,
        order_agreement=order,
        top_k=k,
        top_k_overlap=len(set(top_real) & set(top_syn)) / k,
        top_k_order_match=top_real == top_syn,
        direction_agreement=direction,
        importance_method=method,
        positive_class=positive,
        importance=table,
        confusion_real=confusion["real"],
        confusion_synthetic=confusion["synthetic"],
        notes=tuple(notes),
    )


#: One model's importance per feature and direction per feature (-1, 0, +1).
Explanation = tuple[np.ndarray, np.ndarray]


def _shuffled(matrix: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``matrix`` with every column permuted independently: the marginals, no structure."""
    return np.column_stack([rng.permutation(matrix[:, j]) for j in range(matrix.shape[1])])


def _accuracy_gain(acc: dict[str, float], notes: list[str]) -> float:
    """The share of the real model's accuracy gain over the Dummy that the synthetic reaches.

    A synthetic model that predicts the majority class earns 0, as the Dummy does. Where the
    real model is no more accurate than the Dummy there is no gain to share: the part is 1
    if the synthetic model is as accurate as the real one, else 0, and a note says so.
    """
    reference = acc["real"] - acc["dummy"]
    if reference <= 0:
        notes.append(
            f"the real-trained model is no more accurate than the Dummy ({acc['real']:.3f} "
            f"<= {acc['dummy']:.3f}); accuracy_gain is 1 if the synthetic-trained model is "
            "as accurate as the real-trained one, else 0"
        )
        return float(acc["synthetic"] >= acc["real"])
    return float(np.clip((acc["synthetic"] - acc["dummy"]) / reference, 0.0, 1.0))


def _order_agreement(tau: float, tau_null: float, notes: list[str]) -> float:
    """Kendall tau above the structure-less models' tau, scaled to [0, 1]."""
    if tau_null >= 1.0:
        notes.append(
            "models trained on shuffled features rank the features as the real model does; "
            "order_agreement is 1 if kendall_tau is 1, else 0"
        )
        return float(tau >= 1.0)
    return float(np.clip((tau - tau_null) / (1.0 - tau_null), 0.0, 1.0))


def _null_template(template: Any) -> Any:
    """The classifier the structure-less models clone: ``template``, a forest with fewer trees.

    A Random Forest or Extra Trees classifier keeps its settings but grows at most
    :data:`NULL_TREES` trees; any other classifier is used as it is.
    """
    from sklearn.base import clone
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

    if isinstance(template, RandomForestClassifier | ExtraTreesClassifier):
        return clone(template).set_params(n_estimators=min(template.n_estimators, NULL_TREES))
    return template


def _null_tau(reference: np.ndarray, nulls: list[np.ndarray], notes: list[str]) -> float:
    """Mean Kendall tau of the structure-less models' importances with ``reference``.

    A model whose tau is undefined (constant importances) is left out of the mean rather
    than counted as 0; when every one is, ``notes`` says so and 0 is used.
    """
    taus = [_kendall(reference, imp, []) for imp in nulls if _kendall_defined(reference, imp)]
    if len(taus) < len(nulls):
        notes.append(
            f"Kendall tau undefined for {len(nulls) - len(taus)} of {len(nulls)} models "
            "trained on shuffled features (constant importances); "
            + ("left out of kendall_tau_null" if taus else "kendall_tau_null 0 used")
        )
    return float(np.mean(taus)) if taus else 0.0


def _explain(
    models: list[Any],
    null_models: list[Any],
    method: str,
    holdout: tuple[np.ndarray, np.ndarray],
    null_holdout: tuple[np.ndarray, np.ndarray],
    positive: Any,
    seed: int,
    notes: list[str],
) -> tuple[str, list[Explanation]]:
    """Every model's importances and directions, ``models`` first, and the method used.

    ``models`` are explained on the ``holdout`` rows, ``null_models`` on ``null_holdout``
    (a subsample: only their importances' order is used). SHAP where asked and possible for
    every model; otherwise permutation importance for all of them (the same measure on both
    sides), with a note saying why.
    """
    jobs = [(m, holdout) for m in models] + [(m, null_holdout) for m in null_models]
    if method == "shap":
        explained = [_shap_explanation(model, x, positive) for model, (x, _) in jobs]
        reason = next((e for e in explained if isinstance(e, str)), None)
        if reason is None:
            return "shap", explained  # type: ignore[return-value]
        notes.append(f"permutation importance used instead of SHAP: {reason}")
    return "permutation", [
        _permutation_explanation(model, x, y, positive, seed) for model, (x, y) in jobs
    ]


def _check_classifier(classifier: Any) -> None:
    """Refuse a ``classifier`` the metric cannot use, before any model is fitted.

    The metric clones and fits it, and reads class probabilities (``predict_proba``) for
    the permutation importance and its directions (SHAP falls back to them), so it must be
    a scikit-learn classifier with ``predict_proba``; None is the default Random Forest.

    Raises:
        InvalidParameterError: Anything else (a name such as ``"rf"``, a regressor, an
            ``SVC()`` without ``probability=True``); the message says what is accepted.
    """
    from sklearn.base import is_classifier

    if classifier is None:
        return
    try:
        found = is_classifier(classifier)
    except AttributeError:  # scikit-learn 1.9 reads tags, which a non-estimator lacks
        found = False
    if found and hasattr(classifier, "predict_proba"):
        return
    reason = (
        "it has no predict_proba (for SVC, pass probability=True)"
        if found
        else "it is not a scikit-learn classifier"
    )
    raise InvalidParameterError(
        "classifier must be None (a Random Forest) or an unfitted scikit-learn classifier "
        f"with predict_proba, e.g. RandomForestClassifier(); got {classifier!r}: {reason}"
    )


def _class_index(model: Any, positive: Any) -> int | None:
    """The column of ``positive`` in ``model``'s outputs; None when it never saw the class.

    A model trained without the positive class (a synthetic table that lost it) has no
    output for it: no other class stands in, its directions are 0 (see
    :func:`_missing_positive_note`).
    """
    classes = list(model.classes_)
    return classes.index(positive) if positive in classes else None


def _missing_positive_note(positive: Any) -> str:
    """The note of a synthetic-trained model that never saw the positive class."""
    return (
        f"the synthetic target has no row of the positive class {plain(positive)!r}: the "
        "synthetic-trained model has no output for it, so its directions are 0 and every "
        "feature's direction counts as disagreeing"
    )


def _shap_explanation(model: Any, x_test: np.ndarray, positive: Any) -> Explanation | str:
    """Mean |SHAP| (averaged over classes) and directions, or why SHAP cannot be used."""
    try:
        import shap
    except ImportError:
        return "the package 'shap' is not installed"
    try:
        values = shap.TreeExplainer(model).shap_values(x_test, check_additivity=False)
    except Exception as error:  # shap raises bare Exceptions for models it cannot walk
        return f"shap.TreeExplainer cannot explain {type(model).__name__} ({error})"
    values = np.stack(values, axis=-1) if isinstance(values, list) else np.asarray(values)
    if values.ndim == 2:
        # one output: a binary model's margin for classes_[1] (gradient boosting); the
        # margin of classes_[0] is its negative
        values = np.stack([-values, values], axis=-1)
    magnitude = np.abs(values).mean(axis=(0, 2))
    index = _class_index(model, positive)
    if index is None:
        return magnitude, np.zeros(x_test.shape[1])
    signed = values[:, :, index]
    directions = np.array(
        [spearman_sign(x_test[:, j], signed[:, j]) for j in range(x_test.shape[1])]
    )
    return magnitude, directions


def _permutation_explanation(
    model: Any, x_test: np.ndarray, y_test: np.ndarray, positive: Any, seed: int
) -> Explanation:
    """Permutation importance on the holdout; directions from the predicted probability."""
    from sklearn.inspection import permutation_importance

    result = permutation_importance(model, x_test, y_test, n_repeats=5, random_state=seed)
    importances = np.asarray(result.importances_mean, dtype=float)
    index = _class_index(model, positive)
    if index is None:
        return importances, np.zeros(x_test.shape[1])
    probability = model.predict_proba(x_test)[:, index]
    directions = np.array(
        [spearman_sign(x_test[:, j], probability) for j in range(x_test.shape[1])]
    )
    return importances, directions


def _importance_table(
    features: list[str],
    imp_real: np.ndarray,
    imp_syn: np.ndarray,
    dir_real: np.ndarray,
    dir_syn: np.ndarray,
    synthetic_has_positive: bool,
) -> pd.DataFrame:
    """One row per feature: importances, ranks, directions and whether they agree.

    A synthetic-trained model that never saw the positive class has no direction to
    compare (its directions are 0), so none agrees, even with a real direction of 0.
    """
    table = pd.DataFrame(
        {
            "importance_real": imp_real,
            "importance_synthetic": imp_syn,
            "direction_real": dir_real.astype(int),
            "direction_synthetic": dir_syn.astype(int),
        },
        index=pd.Index(features, name="feature"),
    )
    for side in ("real", "synthetic"):
        table[f"rank_{side}"] = (-table[f"importance_{side}"]).rank(method="first").astype(int)
    table["direction_agree"] = synthetic_has_positive & (
        table["direction_real"] == table["direction_synthetic"]
    )
    return table[
        [
            "importance_real",
            "importance_synthetic",
            "rank_real",
            "rank_synthetic",
            "direction_real",
            "direction_synthetic",
            "direction_agree",
        ]
    ]


def _kendall_defined(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether Kendall tau-b of two importance vectors is defined (2+ features, none constant)."""
    return len(a) >= 2 and np.ptp(a) > 0 and np.ptp(b) > 0


def _kendall(a: np.ndarray, b: np.ndarray, notes: list[str]) -> float:
    """Kendall tau-b of two importance vectors; 0 (noted) when undefined."""
    from scipy.stats import kendalltau

    if not _kendall_defined(a, b):
        notes.append(
            "Kendall tau undefined (fewer than 2 features or constant importances); 0 used"
        )
        return 0.0
    return float(kendalltau(a, b).statistic)

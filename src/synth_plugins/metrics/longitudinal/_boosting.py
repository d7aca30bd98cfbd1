"""The gradient-boosting model of the model-based parts (discriminative and predictive)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

#: scikit-learn's default ``min_samples_leaf`` of gradient boosting, kept for large tables
MAX_LEAF_SIZE = 20


def leaf_size(n_train: int) -> int:
    """The fewest training rows per leaf of a tree trained on ``n_train`` rows.

    A quarter of the training rows (patients for the discriminative part, transitions for
    the predictive one), at most :data:`MAX_LEAF_SIZE`. scikit-learn's default leaf of 20
    rows cannot split fewer than 40, so on small tables every tree was a single leaf: the
    discriminative accuracy was chance and its score 1.0 whatever the synthetic data, and
    the predictive models predicted one constant. A quarter still allows a split (and up to
    four leaves) on the smallest training set, and from 80 training rows on the default
    holds unchanged.
    """
    return max(1, min(MAX_LEAF_SIZE, n_train // 4))


def gradient_boosting(
    n_train: int, *, classifier: bool, random_state: int
) -> HistGradientBoostingClassifier | HistGradientBoostingRegressor:
    """An unfitted scikit-learn histogram gradient-boosting model for ``n_train`` rows.

    50 iterations of trees with at most 15 leaves of at least :func:`leaf_size` rows each;
    a classifier when ``classifier``, else a regressor.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    model = HistGradientBoostingClassifier if classifier else HistGradientBoostingRegressor
    return model(
        max_iter=50,
        max_leaf_nodes=15,
        min_samples_leaf=leaf_size(n_train),
        random_state=random_state,
    )

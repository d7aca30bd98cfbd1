"""Discriminative score: can a classifier tell real from synthetic patients?"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError
from synth_plugins.metrics.longitudinal._patient_features import patient_features
from synth_plugins.metrics.longitudinal._result import HIDDEN, PartResult
from synth_plugins.metrics.longitudinal._tables import LongTables
from synth_plugins.validation import check_int, check_random_state


@dataclass(frozen=True)
class DiscriminativeResult(PartResult):
    """How well a classifier tells real from synthetic patients.

    Attributes:
        accuracy: Mean cross-validated accuracy (0.5 = indistinguishable).
        n_per_class: Patients per class used.
        n_folds: Cross-validation folds.
    """

    accuracy: float
    n_per_class: int
    n_folds: int = field(metadata=HIDDEN)

    @property
    def score(self) -> float:
        """``1 - 2 max(accuracy - 0.5, 0)``: 1 when the classifier does no better than chance.

        Accuracy below 0.5 is not a sign of a difference: held-out patients whose twins
        sit in the training folds with the other label (copies, or a table compared with
        itself) pull it down. SDMetrics' detection metrics clip at chance the same way.
        """
        return float(np.clip(1.0 - 2.0 * max(self.accuracy - 0.5, 0.0), 0.0, 1.0))


def discriminative(
    tables: LongTables,
    *,
    n_folds: int = 5,
    max_patients: int = 5000,
    random_state: int = 0,
) -> DiscriminativeResult:
    """Cross-validated gradient boosting on per-patient summary features.

    Equal numbers of real and synthetic patients are drawn (at most ``max_patients`` per
    class), then ``n_folds``-fold stratified cross-validation gives the accuracy.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from threadpoolctl import threadpool_limits

    n_folds = check_int("n_folds", n_folds, minimum=2)
    random_state = check_random_state("random_state", random_state, none=False)
    real = patient_features(tables.real, tables)
    syn = patient_features(tables.synthetic, tables)
    rng = np.random.default_rng(random_state)
    n = min(len(real), len(syn), check_int("max_patients", max_patients, minimum=2))
    if n < n_folds:
        raise InvalidDataError(
            f"the discriminative score needs at least n_folds={n_folds} patients per table, got {n}"
        )
    x = pd.concat(
        [real.iloc[rng.choice(len(real), n, replace=False)],
         syn.iloc[rng.choice(len(syn), n, replace=False)]], ignore_index=True,
    ).to_numpy(float)  # fmt: skip
    y = np.r_[np.ones(n), np.zeros(n)]
    model = HistGradientBoostingClassifier(
        max_iter=50, max_leaf_nodes=15, random_state=random_state
    )
    folds = StratifiedKFold(n_folds, shuffle=True, random_state=random_state)
    # one OpenMP thread: gradient boosting spins badly on a busy or small machine
    with threadpool_limits(limits=1, user_api="openmp"):
        accuracy = float(cross_val_score(model, x, y, cv=folds, scoring="accuracy").mean())
    return DiscriminativeResult(accuracy, n, n_folds)

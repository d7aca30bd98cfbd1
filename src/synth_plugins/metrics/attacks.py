"""Attack-based privacy risk with Anonymeter: singling out, linkability and inference.

Giomi et al. (PoPETs 2023(2), "A Unified Framework for Quantifying Privacy Risk in
Synthetic Data", arXiv:2211.10459) measure the three risks that the Article 29 Working
Party names for anonymised data by running attacks that use only the synthetic data and
scoring their guesses on the generator's training rows and on a control (holdout) set the
generator never saw:

- singling out: predicates built from the synthetic data (rare values of one column,
  "univariate", or a record's values on ``n_cols`` columns, "multivariate") that match
  exactly one training row;
- linkability: the columns are split in two halves; a training row's two halves are linked
  when both have the same nearest synthetic row (Gower distance);
- inference: the nearest synthetic row on every other column guesses the secret column
  (exactly for a categorical secret; for a numeric one within :data:`INFERENCE_TOLERANCE`
  of the secret's range in the training rows, see :func:`_scored`).

With attack and control success rates ``r_a`` and ``r_c`` (Wilson estimates), the risk is
the residual success ``(r_a - r_c) / (1 - r_c)``, clipped to [0, 1], with its confidence
interval from error propagation: the share of the attack's success owed to the training
rows, not to what the synthetic data teach about the population. This module runs the
attacks of the ``anonymeter`` package (Statice/Anonos, BSD 3-Clause Clear licence) with
seeded randomness and returns every attack's risk and interval; the headline is the
largest risk (lower is better).

Singling-out success depends on the size of the set a predicate is scored on, and
Anonymeter's correction for a control set of another size than the training rows has
nothing to fit on for a control set of 1000 rows or fewer: with a smaller holdout, a
generator that never saw the training rows got a singling-out risk well above 0. When there
are more training than holdout rows, the singling-out attacks are therefore scored on a
seeded sample of the training rows of the holdout's size (:func:`_singling_out_rows`), so
both sets are the same size and no correction is needed; the price is that a copied training
row is singled out only when it is in the sample (the metric card gives the numbers).
Linkability and inference score each target on its own, do not depend on the set sizes and
use every training row.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from synth_plugins.catalog import ANONYMETER_ATTACKS
from synth_plugins.errors import InvalidDataError, InvalidParameterError, MissingDependencyError
from synth_plugins.metrics._encoding import label_codes
from synth_plugins.metrics._query_counts import counted_queries
from synth_plugins.metrics.validation import (
    align_columns,
    check_frame,
    feature_tables,
    name_list,
    numeric_values,
    resolve_categorical,
)
from synth_plugins.validation import check_fraction, check_int, check_random_state

#: The attacks, in report order (declared in the catalog, whose entry shows each one's
#: risk in Synthcity).
ATTACKS: tuple[str, ...] = ANONYMETER_ATTACKS
#: The fewest rows of each table: below this an attack's success rate says nothing.
MIN_ROWS = 10
#: A numeric inference guess is right within this share of the secret's training range.
INFERENCE_TOLERANCE = 0.05


# Anonymeter draws from module-level and unseeded generators; the seeded section swaps
# them, so two calls in one process must not overlap.
_SEED_LOCK = threading.Lock()


@dataclass(frozen=True)
class AttackRisk:
    """One attack's outcome.

    Attributes:
        risk: The residual (control-corrected) risk in [0, 1].
        ci_low: Lower end of its confidence interval.
        ci_high: Upper end of its confidence interval.
        attack_rate: Success rate on the training rows.
        control_rate: Success rate on the holdout rows.
        baseline_rate: Success rate of Anonymeter's random-guess attacker on the training
            rows; an ``attack_rate`` not above it means the attack is too weak for its
            risk to say anything.
        n_attacks: Attacks run (the denominator of the rates).
        n_train_rows: Training rows the attack was scored on: all of them, except for
            singling out with fewer holdout than training rows, scored on a sample of the
            holdout's size (see :func:`_singling_out_rows`).
    """

    risk: float
    ci_low: float
    ci_high: float
    attack_rate: float
    control_rate: float
    baseline_rate: float
    n_attacks: int
    n_train_rows: int

    #: each figure's key (after the prefix) and attribute, in :meth:`to_dict`'s order
    FIGURES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("risk", "risk"),
        ("risk_ci_low", "ci_low"),
        ("risk_ci_high", "ci_high"),
        ("attack_rate", "attack_rate"),
        ("control_rate", "control_rate"),
        ("baseline_rate", "baseline_rate"),
        ("n_attacks", "n_attacks"),
        ("n_train_rows", "n_train_rows"),
    )

    def to_dict(self, prefix: str) -> dict[str, float]:
        """Flat figures, keys prefixed with ``prefix`` (e.g. ``linkability_``)."""
        return {f"{prefix}{key}": float(getattr(self, name)) for key, name in self.FIGURES}


@dataclass(frozen=True)
class AnonymeterRiskResult:
    """Every attack's risk, and the worst of them.

    Attributes:
        attacks: Attack name (see :data:`ATTACKS`) -> its :class:`AttackRisk`; for
            ``"inference"``, the secret column with the largest risk.
        inference_by_secret: Secret column -> the inference attack's risk on it.
        confidence_level: The confidence level of the intervals.
    """

    attacks: dict[str, AttackRisk]
    inference_by_secret: dict[str, AttackRisk]
    confidence_level: float

    @property
    def score(self) -> float:
        """The headline: the largest risk over the attacks run (lower is better)."""
        return max(a.risk for a in self.attacks.values())

    def to_dict(self) -> dict[str, float]:
        """Every figure as a flat ``{name: float}`` dict with stable keys."""
        out: dict[str, float] = {"score": self.score}
        for name, attack in self.attacks.items():
            out.update(attack.to_dict(f"{name}_"))
        for column, attack in self.inference_by_secret.items():
            out[f"inference_risk_{column}"] = attack.risk
        out["confidence_level"] = self.confidence_level
        return out


def anonymeter_risk(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    categorical_columns: Iterable[str] | None = None,
    attacks: Sequence[str] | None = None,
    n_attacks: int = 100,
    n_cols: int = 3,
    max_attempts: int = 1_000,
    linkability_columns: tuple[Sequence[str], Sequence[str]] | None = None,
    n_neighbors: int = 1,
    secrets: Sequence[str] | None = None,
    confidence_level: float = 0.95,
    random_state: int = 0,
    n_jobs: int = 1,
) -> AnonymeterRiskResult:
    """Anonymeter's singling-out, linkability and inference risks of a synthetic table.

    Args:
        train: The real rows the generator was trained on (Anonymeter's ``ori``).
        holdout: Real rows the generator never saw (Anonymeter's ``control``).
        synthetic: The generated rows; same columns as ``train``. Record keys (columns
            inferred as ``identifier``) are left out, as by every table-based metric, unless
            named in ``secrets`` or ``linkability_columns``; dates are compared as days.
        categorical_columns: Columns compared by value (passed to Anonymeter as text); the
            others are numeric. None infers them from ``train`` (binary, categorical and
            ordinal roles of :mod:`synth_plugins.encoding.roles`).
        attacks: Which of :data:`ATTACKS` to run; None runs them all.
        n_attacks: Attacks per attack type; capped at the size of the smallest table
            (the capped number is reported as ``n_attacks``).
        n_cols: Columns per multivariate singling-out predicate (at most the number of
            columns).
        max_attempts: Most predicates the multivariate singling-out attacker tries before
            it stops with fewer than ``n_attacks`` (Anonymeter's default, ten million, can
            run for hours on small tables).
        linkability_columns: The two disjoint column sets the linkability attacker holds;
            None gives it the first and second half of the columns.
        n_neighbors: Synthetic neighbours a linkability attack may share (1: the nearest).
        secrets: Columns the inference attacker guesses, one attack each with every other
            column as its knowledge; None guesses every column.
        confidence_level: Confidence level of the intervals, in (0, 1).
        random_state: Seed of every random draw of the attacks, and of the training
            rows the singling-out attacks are scored on when ``holdout`` is the smaller.
        n_jobs: Processes of Anonymeter's neighbour search.

    Returns:
        An :class:`AnonymeterRiskResult`.

    Raises:
        InvalidDataError: A frame is empty, has fewer than :data:`MIN_ROWS` rows or fewer
            than 2 columns besides record keys, or the columns differ.
        InvalidParameterError: A parameter is out of range or names an unknown column, or
            a secret column's figure name is one of the inference attack's own
            (``ci_low``, ``ci_high``).
        MissingDependencyError: ``anonymeter`` is not installed.
    """
    check_frame(train, "train", min_rows=MIN_ROWS)
    check_frame(holdout, "holdout", min_rows=MIN_ROWS)
    check_frame(synthetic, "synthetic", min_rows=MIN_ROWS)
    holdout = align_columns(train, holdout, "train", "holdout")
    synthetic = align_columns(train, synthetic, "train", "synthetic")
    # record keys are not attributes an attacker learns from a synthetic table; dates as days
    named = [
        *(secrets if isinstance(secrets, (list, tuple)) else []),
        *(c for half in (linkability_columns or ()) for c in half),
    ]
    kept = [c for c in dict.fromkeys(named) if c in train.columns]
    train, holdout, synthetic = feature_tables(
        {"train": train, "holdout": holdout, "synthetic": synthetic},
        categorical_columns,
        keep=kept,
    ).values()
    if train.shape[1] < 2:
        raise InvalidDataError(
            f"train has {train.shape[1]} column besides record keys; linkability and "
            "inference attacks need at least 2"
        )
    attacks = list(ATTACKS) if attacks is None else name_list("attacks", attacks, "attacks")
    unknown = [a for a in attacks if a not in ATTACKS]
    if unknown or not attacks:
        raise InvalidParameterError(
            f"attacks must be a non-empty list of {list(ATTACKS)} (None: all), got {attacks!r}"
        )
    columns = list(train.columns)
    n_attacks = min(
        check_int("n_attacks", n_attacks, minimum=1), len(train), len(holdout), len(synthetic)
    )
    n_cols = check_int("n_cols", n_cols, minimum=1)
    if n_cols > len(columns):
        raise InvalidParameterError(
            f"n_cols must be at most the number of columns ({len(columns)}), got {n_cols}"
        )
    max_attempts = check_int("max_attempts", max_attempts, minimum=1)
    n_neighbors = check_int("n_neighbors", n_neighbors, minimum=1)
    confidence_level = check_fraction("confidence_level", confidence_level)
    random_state = check_random_state("random_state", random_state, none=False)
    n_jobs = check_int("n_jobs", n_jobs, minimum=1)
    halves = _linkability_halves(columns, linkability_columns)
    secret_columns = _secrets(columns, secrets)
    if "inference" in attacks:
        _check_secret_names(secret_columns)
    categorical = resolve_categorical([train, holdout, synthetic], categorical_columns)
    # a key the caller named is compared by value when it is not a number
    categorical += [
        c
        for c in kept
        if c not in categorical and not pd.api.types.is_numeric_dtype(train[c].dtype)
    ]

    # Anonymeter writes column names into pandas query strings: give it safe names
    names = {column: f"c{j}" for j, column in enumerate(columns)}
    ori, control, syn = _for_anonymeter(
        {"train": train, "holdout": holdout, "synthetic": synthetic}, categorical, names
    ).values()
    singled = _singling_out_rows(ori, len(control), random_state)
    evaluators = _anonymeter()
    results: dict[str, AttackRisk] = {}
    by_secret: dict[str, AttackRisk] = {}
    tolerances = {
        names[c]: INFERENCE_TOLERANCE * _range(ori[names[c]].to_numpy())
        for c in columns
        if c not in categorical
    }
    with (
        _seeded(random_state, evaluators) as reseed,
        _scored(evaluators, tolerances),
        counted_queries(evaluators),
        _quiet(),
    ):
        for attack in attacks:
            reseed(attack)
            if attack.startswith("singling_out"):
                evaluator = evaluators.SinglingOutEvaluator(
                    ori=singled,
                    syn=syn,
                    n_attacks=n_attacks,
                    n_cols=n_cols,
                    control=control,
                    max_attempts=max_attempts,
                )
                evaluator.evaluate(mode=attack.rsplit("_", 1)[1])
                results[attack] = _risk(evaluator, confidence_level, n_attacks, len(singled))
            elif attack == "linkability":
                evaluator = evaluators.LinkabilityEvaluator(
                    ori=ori,
                    syn=syn,
                    aux_cols=tuple([names[c] for c in half] for half in halves),
                    n_attacks=n_attacks,
                    n_neighbors=n_neighbors,
                    control=control,
                )
                evaluator.evaluate(n_jobs=n_jobs)
                results[attack] = _risk(evaluator, confidence_level, n_attacks, len(ori))
            else:
                for secret in secret_columns:
                    reseed(f"{attack}_{names[secret]}")
                    evaluator = evaluators.InferenceEvaluator(
                        ori=ori,
                        syn=syn,
                        aux_cols=[names[c] for c in columns if c != secret],
                        secret=names[secret],
                        n_attacks=n_attacks,
                        control=control,
                    )
                    evaluator.evaluate(n_jobs=n_jobs)
                    by_secret[secret] = _risk(evaluator, confidence_level, n_attacks, len(ori))
                results[attack] = max(by_secret.values(), key=lambda a: a.risk)
    return AnonymeterRiskResult(results, by_secret, confidence_level)


def _anonymeter() -> Any:
    """The ``anonymeter.evaluators`` module, or a clear error naming the extra."""
    try:
        from anonymeter import evaluators
    except ImportError as error:
        raise MissingDependencyError("anonymeter", "anonymeter_risk", "privacy") from error
    return evaluators


def _linkability_halves(
    columns: list[str], given: tuple[Sequence[str], Sequence[str]] | None
) -> tuple[list[str], list[str]]:
    """The attacker's two column sets: the caller's, checked, or the two halves."""
    if given is None:
        middle = len(columns) // 2
        return columns[:middle], columns[middle:]
    if len(given) != 2 or any(isinstance(half, str) or not half for half in given):
        raise InvalidParameterError(
            f"linkability_columns must be two non-empty lists of column names, got {given!r}"
        )
    first, second = list(given[0]), list(given[1])
    unknown = [c for c in first + second if c not in columns]
    if unknown:
        raise InvalidParameterError(
            f"linkability_columns names columns that are not in the data: {unknown}"
        )
    if set(first) & set(second):
        raise InvalidParameterError(
            f"linkability_columns must be disjoint; both hold {sorted(set(first) & set(second))}"
        )
    return first, second


def _secrets(columns: list[str], secrets: Sequence[str] | None) -> list[str]:
    """The inference attack's secret columns: the caller's, checked, or every column."""
    if secrets is None:
        return columns
    if isinstance(secrets, str) or not secrets:
        raise InvalidParameterError(
            f"secrets must be a non-empty list of column names, got {secrets!r}"
        )
    unknown = [c for c in secrets if c not in columns]
    if unknown:
        raise InvalidParameterError(f"secrets names columns that are not in the data: {unknown}")
    return list(secrets)


def _check_secret_names(secrets: list[str]) -> None:
    """Refuse a secret whose figure ``inference_risk_<column>`` is a figure of the attack.

    A column named ``ci_low`` would write its risk over ``inference_risk_ci_low`` in
    :meth:`AnonymeterRiskResult.to_dict`.

    Raises:
        InvalidParameterError: Such a column, named, with the way out.
    """
    own = {f"inference_{key}" for key, _ in AttackRisk.FIGURES}
    clashes = [c for c in secrets if f"inference_risk_{c}" in own]
    if clashes:
        raise InvalidParameterError(
            f"the inference attack reports each secret column as inference_risk_<column>, "
            f"and for {clashes} that name is one of the attack's own figures; rename the "
            "column(s) or leave them out of secrets"
        )


def _for_anonymeter(
    frames: dict[str, pd.DataFrame], categorical: list[str], names: dict[str, str]
) -> dict[str, pd.DataFrame]:
    """Anonymeter's view of the tables: categorical columns as level labels, numeric as float.

    Anonymeter compares categorical values as they are written, so each categorical column
    gets one labelling shared by the tables, matched by equality as every metric of the
    suite matches them (``1``, ``1.0`` and ``True`` are one level;
    :func:`~synth_plugins.metrics._encoding.label_codes`), written as text: Anonymeter
    treats every non-numeric dtype as categorical. Missing values (``pd.NA`` included) are
    ``NaN``, and a categorical column stays text even when all missing. Columns are renamed
    to ``names`` (identifiers that pandas queries accept).
    """
    out = {name: pd.DataFrame(index=pd.RangeIndex(len(frame))) for name, frame in frames.items()}
    columns = next(iter(frames.values())).columns
    for column in columns:
        if column in categorical:
            codes, levels = label_codes(*(f[column] for f in frames.values()))
            for name, code in zip(frames, codes):
                labels = pd.Series(code.astype(np.int64).astype(str), dtype=object)
                labels[code == len(levels)] = np.nan
                out[name][names[column]] = labels
        else:
            for name, frame in frames.items():
                out[name][names[column]] = numeric_values(
                    frame[column].reset_index(drop=True), name
                )
    return out


def _singling_out_rows(ori: pd.DataFrame, n_control: int, seed: int) -> pd.DataFrame:
    """The training rows the singling-out attacks are scored on: ``n_control`` of them.

    A predicate singles out a row when it matches exactly one, which is rarer in a larger
    set. Anonymeter corrects the control rate for a control set smaller than the training
    rows by a size model fitted on subsamples of the control set from 1000 rows up, so for a
    control set of 1000 rows or fewer it corrects nothing, and a generator that never saw
    the training rows scored a risk of 0.15-0.25 with 1000 training rows and 200 holdout rows
    or 5000 and 1000. Scoring on a sample of the training rows as large as the control set
    (drawn with ``seed``, in the rows' order) compares like with like; all rows are used when
    there are no more of them than control rows.
    """
    if len(ori) <= n_control:
        return ori
    rows = np.sort(np.random.default_rng(seed).choice(len(ori), size=n_control, replace=False))
    return ori.iloc[rows].reset_index(drop=True)


def _risk(evaluator: Any, confidence_level: float, n_attacks: int, n_train_rows: int) -> AttackRisk:
    """One evaluated Anonymeter attack as an :class:`AttackRisk`."""
    results = evaluator.results(confidence_level=confidence_level)
    risk = results.risk()
    return AttackRisk(
        risk=float(risk.value),
        ci_low=float(risk.ci[0]),
        ci_high=float(risk.ci[1]),
        attack_rate=float(results.attack_rate.value),
        control_rate=float(results.control_rate.value),
        baseline_rate=float(results.baseline_rate.value),
        n_attacks=n_attacks,
        n_train_rows=n_train_rows,
    )


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence Anonymeter's warnings for the block; the result carries what they say.

    It warns when an attack is no better than random guessing (see ``baseline_rate``) and
    when it builds fewer singling-out predicates than ``n_attacks`` (the rates keep
    ``n_attacks`` as denominator, so the risk is then an underestimate).
    """
    logger = logging.getLogger("anonymeter")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            yield
    finally:
        logger.setLevel(level)


def _range(values: np.ndarray) -> float:
    """Largest minus smallest observed value (0 when fewer than two are observed)."""
    observed = values[~np.isnan(values)]
    return float(np.ptp(observed)) if observed.size else 0.0


@contextlib.contextmanager
def _scored(evaluators: Any, tolerances: dict[str, float]) -> Iterator[None]:
    """Score numeric inference guesses by distance, not by Anonymeter's relative rule.

    Anonymeter 1.0 counts a numeric guess right when ``|guess - secret| / guess <= 0.05``:
    always for a negative guess (a negated lab value, a date before 1970 as days since
    1970; a copy of the training rows then had risk 0, attack and control both ~1), and a
    window that grows with the distance from 0 (the calendar era of a date, the unit of a
    measurement). Inside the block a guess of a numeric secret is right when
    ``|guess - secret| <= tolerances[secret]`` (:data:`INFERENCE_TOLERANCE` of the secret's
    range in the training rows), whatever the sign or origin of its values; a categorical
    guess when equal, and two missing values match, as in Anonymeter. Anonymeter's attack
    looks the scoring function up in its module at each call, so the block replaces it
    there and restores it after. The swap is process-wide while the suite's attacks run:
    the suite's own calls are serialised by the lock :func:`_seeded` holds, but another
    thread calling Anonymeter directly sees the replacement too, so a secret that is not
    one of ``tolerances`` (not one of the suite's renamed columns) is scored by the saved
    original, as Anonymeter would.
    """
    module = evaluators.inference_evaluator
    saved = module.evaluate_inference_guesses

    def evaluate(
        guesses: pd.Series, secrets: pd.Series, regression: bool, tolerance: float = 0.05
    ) -> np.ndarray:
        if str(secrets.name) not in tolerances:
            return saved(guesses, secrets, regression, tolerance)
        guess, secret = guesses.to_numpy(), secrets.to_numpy()
        if regression:
            with np.errstate(invalid="ignore"):
                distance = np.abs(guess.astype(float) - secret.astype(float))
            match = distance <= tolerances[str(secrets.name)]
        else:
            match = guess == secret
        return np.logical_or(match, np.logical_and(pd.isnull(guess), pd.isnull(secret)))

    module.evaluate_inference_guesses = evaluate
    try:
        yield
    finally:
        module.evaluate_inference_guesses = saved


@contextlib.contextmanager
def _seeded(seed: int, evaluators: Any) -> Iterator[Callable[[str], None]]:
    """Seed every random draw of Anonymeter 1.0 for the duration of the block.

    Anonymeter samples targets with pandas (numpy's global generator), builds singling-out
    predicates from a module-level generator and draws the linkability baseline from a
    fresh, unseeded one. The block saves the global generator's state (restoring it after),
    swaps the other two for seeded ones and yields ``reseed(attack)``, which gives one
    attack (an inference attack: one per secret column) a stream of its own drawn from
    ``seed`` and the attack's name (:func:`_attack_seed`): an attack's figures are the same
    whichever other attacks and secrets run with it.
    """
    singling_out = evaluators.singling_out_evaluator
    linkability = evaluators.linkability_evaluator
    stream = [np.random.default_rng(seed)]

    def random_links(n_synthetic: int, n_attacks: int, n_neighbors: int) -> np.ndarray:
        return np.array(
            [
                stream[0].choice(n_synthetic, size=n_neighbors, replace=False)
                for _ in range(n_attacks)
            ]
        )

    def reseed(attack: str) -> None:
        attack_seed = _attack_seed(seed, attack)
        np.random.seed(attack_seed)  # noqa: NPY002 - Anonymeter draws from it
        stream[0] = singling_out.rng = np.random.default_rng(attack_seed)

    with _SEED_LOCK:
        state = np.random.get_state()  # noqa: NPY002 - Anonymeter draws from it
        saved = singling_out.rng, linkability._random_links
        linkability._random_links = random_links
        try:
            yield reseed
        finally:
            singling_out.rng, linkability._random_links = saved
            np.random.set_state(state)  # noqa: NPY002


def _attack_seed(seed: int, attack: str) -> int:
    """A seed for one attack, drawn from the metric's ``seed`` and the attack's name."""
    return int(np.random.SeedSequence([seed, zlib.crc32(attack.encode())]).generate_state(1)[0])

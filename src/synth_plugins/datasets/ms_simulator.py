"""Seeded simulator of an MS-like registry (MSBase-shaped), with known true parameters.

Real MS registry data are access-controlled, so generators and metrics for MS-shaped data are
tested on this simulator. It returns a longitudinal :class:`Dataset` in long
format (one row per visit) whose ``truth`` holds the generating parameters and the quantities
they imply, so that a synthetic copy can be compared with the truth (ARR, follow-up, ...).

Generative model (all draws from one ``numpy.random.Generator(seed)``; defaults in
:class:`MSRegistryParameters`):

Static, per patient
    ``sex`` "F" with probability 0.705, else "M". ``age_at_onset`` ~ Normal(31.6, 10.5)
    clipped to [12, 70] (years, 1 decimal). ``phenotype`` in RR/SP/PP/CIS with probabilities
    0.70/0.12/0.10/0.08. ``disease_duration_at_baseline`` ~ Gamma(shape 1.5) with mean by
    phenotype (RR 6.5, SP 14, PP 6, CIS 1 years; overall ≈ 6.9), capped at 45.
    ``baseline_year`` uniform on 2000-2020 and ``onset_year`` = year of (baseline date −
    disease duration). ``region`` (Europe 0.55, Australasia 0.15, Middle East 0.15, North
    America 0.10, Latin America 0.05). ``baseline_edss`` = EDSS grid value nearest to
    ``a[phenotype] + b[phenotype] * duration + 0.03 * (age_at_onset − 31.6) + N(0, 0.9)``.
    A relapse frailty ``u`` ~ Gamma(shape 2, mean 1) (not returned) scales all relapse and
    MRI-activity rates of the patient. ``baseline_relapses`` (in the year before baseline)
    ~ Poisson(1.5 × ARR0[phenotype] × u). ``first_dmt`` from phenotype-specific shares,
    with high-efficacy therapies (HET) up-weighted when ``baseline_relapses >= 2``;
    primary progressive patients only get "none" or "ocrelizumab".

Visits
    Visit 0 is at ``time`` 0 (baseline). The gap to the next visit (years) is a mixture:
    0.5 × LogNormal jitter (weight 0.45), 1.0 × LogNormal jitter (0.45), both with log-SD
    0.12, and LogNormal(log 1.5, 0.6) (0.10); gaps are rounded to whole days (>= 1 day), so
    visit times are strictly increasing. The number of visits is min(Geometric(0.085), 40)
    (dropout after each visit with probability 0.085): mean ≈ 11.4 visits, mean follow-up
    ≈ 9 years. For the interval from visit k−1 to k:

    - ``relapses`` ~ Poisson(ARR0[phenotype] × u × RR[dmt_{k−1}] × gap), with untreated
      ARR0 = RR 0.50, CIS 0.40, SP 0.15, PP 0.05 and DMT rate ratios RR (none 1, interferon
      beta/glatiramer/teriflunomide 0.70, dimethyl fumarate 0.55, fingolimod 0.45, cladribine
      0.42, natalizumab/ocrelizumab/ofatumumab/alemtuzumab 0.30).
    - ``edss``: a Markov step on the 20-level grid {0, 1.0, 1.5, ..., 9.5, 10}. Worsening
      with probability 1 − exp(−w[phenotype] × m × gap) (w = RR 0.10, CIS 0.06, SP 0.35,
      PP 0.35 per year; m = 0.6 on HET, else 1), raised to 1 − (1 − p)(1 − 0.35) after a
      relapse; improvement with probability 1 − exp(−i[phenotype] × gap) (i = RR 0.08,
      CIS 0.06, SP 0.03, PP 0.02), halved after a relapse; otherwise no change. A step moves
      one grid level (two with probability 0.25); EDSS stays within [0, 9.5].
    - ``dmt``: a change with probability 1 − exp(−r × gap), r = 0.15 per year when on
      "none" (start) else 0.10 (stop or switch), raised to 1 − (1 − p)(1 − 0.40) after a
      relapse. The new DMT (never the current one) is drawn from escalation weights
      (mostly HET) after a relapse, otherwise from lateral weights (incl. stopping).
      ``switch`` = 1 exactly when ``dmt`` differs from the previous visit (0 at baseline).
    - ``mri_activity``: "not_done" with probability 0.4; else active with probability
      1 − exp(−0.4 × u × RR[dmt_{k−1}] × gap), raised to 1 − (1 − p)(1 − 0.5) after a
      relapse; an active scan is "gd_enhancing" with probability 0.4, else "new_t2";
      inactive scans are "none".

    At baseline ``relapses`` = 0 (the pre-baseline count is the static ``baseline_relapses``),
    ``edss`` = ``baseline_edss``, ``dmt`` = ``first_dmt`` and ``switch`` = 0.

Truth (``Dataset.truth``)
    ``parameters`` (the :class:`MSRegistryParameters`), ``expected_arr`` (pooled annualised
    relapse rate of this cohort with the Poisson noise removed: sum over intervals of the
    relapse intensity × gap, divided by the total follow-up, over patients with follow-up
    > 0), ``expected_follow_up_years`` and ``expected_visits_per_patient`` (exact under the
    model), ``expected_age_at_onset_mean`` (of the clipped normal), ``female_share``,
    ``high_efficacy_dmts``, ``edss_grid``. With the defaults the population pooled ARR is
    ≈ 0.222 (Monte Carlo, 200,000 patients; ``expected_arr`` of 500-patient cohorts ranges
    ≈ 0.20-0.24 with the seed), the expected follow-up 8.96 years and 11.43 visits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synth_plugins.datasets._dataset import Dataset
from synth_plugins.encoding.roles import Role
from synth_plugins.errors import InvalidParameterError
from synth_plugins.validation import check_int, check_random_state

#: The EDSS scale: 0, then 1.0 to 10 in steps of 0.5 (0.5 is not a valid score).
EDSS_GRID: tuple[float, ...] = (0.0, *(1.0 + 0.5 * i for i in range(19)))

#: DMT vocabulary of the simulator, "none" first.
DMTS: tuple[str, ...] = (
    "none",
    "interferon_beta",
    "glatiramer",
    "teriflunomide",
    "dimethyl_fumarate",
    "fingolimod",
    "cladribine",
    "natalizumab",
    "ocrelizumab",
    "ofatumumab",
    "alemtuzumab",
)

#: High-efficacy therapies: our list (the abstracts name the class, not its drugs) within the
#: vocabulary.
HIGH_EFFICACY_DMTS: tuple[str, ...] = (
    "cladribine",
    "natalizumab",
    "ocrelizumab",
    "ofatumumab",
    "alemtuzumab",
)

PHENOTYPES: tuple[str, ...] = ("RR", "SP", "PP", "CIS")
MRI_LEVELS: tuple[str, ...] = ("none", "new_t2", "gd_enhancing", "not_done")

STATIC_COLUMNS: tuple[str, ...] = (
    "sex",
    "age_at_onset",
    "onset_year",
    "baseline_year",
    "phenotype",
    "disease_duration_at_baseline",
    "baseline_edss",
    "region",
    "first_dmt",
    "baseline_relapses",
)
VISIT_COLUMNS: tuple[str, ...] = ("edss", "relapses", "dmt", "switch", "mri_activity")
ROLES: dict[str, Role] = {
    "sex": "binary",
    "age_at_onset": "numerical",
    "onset_year": "integer",
    "baseline_year": "integer",
    "phenotype": "categorical",
    "disease_duration_at_baseline": "numerical",
    "baseline_edss": "ordinal",
    "region": "categorical",
    "first_dmt": "categorical",
    "baseline_relapses": "integer",
    "edss": "ordinal",
    "relapses": "integer",
    "dmt": "categorical",
    "switch": "binary",
    "mri_activity": "categorical",
}


def _by_phenotype(rr: float, sp: float, pp: float, cis: float) -> dict[str, float]:
    return {"RR": rr, "SP": sp, "PP": pp, "CIS": cis}


def _weights(**weights: float) -> dict[str, float]:
    return {dmt: float(weights.get(dmt, 0.0)) for dmt in DMTS}


@dataclass(frozen=True)
class MSRegistryParameters:
    """True parameters of the MS registry simulator (see the module docstring for the model).

    Rates are per year; dicts keyed by phenotype cover RR, SP, PP, CIS; dicts keyed by DMT
    cover :data:`DMTS`. Share/weight dicts need not sum to 1 (they are normalised).
    """

    female_share: float = 0.705
    age_at_onset_mean: float = 31.6
    age_at_onset_sd: float = 10.5
    age_at_onset_range: tuple[float, float] = (12.0, 70.0)
    phenotype_shares: Mapping[str, float] = field(
        default_factory=lambda: _by_phenotype(0.70, 0.12, 0.10, 0.08)
    )
    disease_duration_mean: Mapping[str, float] = field(
        default_factory=lambda: _by_phenotype(6.5, 14.0, 6.0, 1.0)
    )
    disease_duration_shape: float = 1.5
    disease_duration_max: float = 45.0
    baseline_year_range: tuple[int, int] = (2000, 2020)
    region_shares: Mapping[str, float] = field(
        default_factory=lambda: {
            "Europe": 0.55,
            "Australasia": 0.15,
            "Middle East": 0.15,
            "North America": 0.10,
            "Latin America": 0.05,
        }
    )
    baseline_edss_intercept: Mapping[str, float] = field(
        default_factory=lambda: _by_phenotype(1.5, 4.0, 3.0, 1.0)
    )
    baseline_edss_slope: Mapping[str, float] = field(
        default_factory=lambda: _by_phenotype(0.08, 0.08, 0.10, 0.08)
    )
    baseline_edss_age_slope: float = 0.03
    baseline_edss_sd: float = 0.9
    untreated_arr: Mapping[str, float] = field(
        default_factory=lambda: _by_phenotype(0.50, 0.15, 0.05, 0.40)
    )
    relapse_frailty_shape: float = 2.0
    pre_baseline_activity: float = 1.5
    dmt_rate_ratio: Mapping[str, float] = field(
        default_factory=lambda: _weights(
            none=1.0,
            interferon_beta=0.70,
            glatiramer=0.70,
            teriflunomide=0.70,
            dimethyl_fumarate=0.55,
            fingolimod=0.45,
            cladribine=0.42,
            natalizumab=0.30,
            ocrelizumab=0.30,
            ofatumumab=0.30,
            alemtuzumab=0.30,
        )
    )
    high_efficacy_dmts: tuple[str, ...] = HIGH_EFFICACY_DMTS
    first_dmt_weights: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: {
            "RR": _weights(
                none=0.17,
                interferon_beta=0.24,
                glatiramer=0.16,
                teriflunomide=0.08,
                dimethyl_fumarate=0.13,
                fingolimod=0.10,
                cladribine=0.02,
                natalizumab=0.04,
                ocrelizumab=0.05,
                ofatumumab=0.01,
            ),
            "SP": _weights(
                none=0.50,
                interferon_beta=0.15,
                glatiramer=0.05,
                teriflunomide=0.03,
                dimethyl_fumarate=0.06,
                fingolimod=0.06,
                cladribine=0.02,
                natalizumab=0.03,
                ocrelizumab=0.10,
            ),
            "PP": _weights(none=0.60, ocrelizumab=0.40),
            "CIS": _weights(
                none=0.45,
                interferon_beta=0.25,
                glatiramer=0.15,
                teriflunomide=0.05,
                dimethyl_fumarate=0.05,
                fingolimod=0.02,
                ocrelizumab=0.03,
            ),
        }
    )
    active_het_boost: float = 3.0
    primary_progressive_dmts: tuple[str, ...] = ("none", "ocrelizumab")
    gap_components: tuple[tuple[float, float, float], ...] = (
        (0.45, 0.5, 0.12),
        (0.45, 1.0, 0.12),
        (0.10, 1.5, 0.6),
    )
    dropout_probability: float = 0.085
    max_visits: int = 40
    edss_worsening_rate: Mapping[str, float] = field(
        default_factory=lambda: _by_phenotype(0.10, 0.35, 0.35, 0.06)
    )
    edss_improvement_rate: Mapping[str, float] = field(
        default_factory=lambda: _by_phenotype(0.08, 0.03, 0.02, 0.06)
    )
    edss_relapse_worsening: float = 0.35
    edss_relapse_improvement_factor: float = 0.5
    edss_het_worsening_factor: float = 0.6
    edss_double_step_probability: float = 0.25
    edss_max: float = 9.5
    dmt_start_rate: float = 0.15
    dmt_change_rate: float = 0.10
    dmt_relapse_change: float = 0.40
    switch_weights_after_relapse: Mapping[str, float] = field(
        default_factory=lambda: _weights(
            none=0.02,
            interferon_beta=0.06,
            glatiramer=0.05,
            teriflunomide=0.05,
            dimethyl_fumarate=0.12,
            fingolimod=0.18,
            cladribine=0.10,
            natalizumab=0.16,
            ocrelizumab=0.18,
            ofatumumab=0.06,
            alemtuzumab=0.02,
        )
    )
    switch_weights_otherwise: Mapping[str, float] = field(
        default_factory=lambda: _weights(
            none=0.20,
            interferon_beta=0.15,
            glatiramer=0.12,
            teriflunomide=0.12,
            dimethyl_fumarate=0.17,
            fingolimod=0.12,
            cladribine=0.03,
            natalizumab=0.03,
            ocrelizumab=0.05,
            ofatumumab=0.01,
        )
    )
    mri_not_done_probability: float = 0.4
    mri_activity_rate: float = 0.4
    mri_relapse_activity: float = 0.5
    mri_gd_share: float = 0.4

    def __post_init__(self) -> None:
        """Validate the parameters (keys, ranges) so a bad value fails before simulating."""
        for name in (
            "phenotype_shares",
            "disease_duration_mean",
            "baseline_edss_intercept",
            "baseline_edss_slope",
            "untreated_arr",
            "edss_worsening_rate",
            "edss_improvement_rate",
        ):
            _check_keys(name, getattr(self, name), PHENOTYPES)
        _check_keys("first_dmt_weights", self.first_dmt_weights, PHENOTYPES)
        for phenotype, weights in self.first_dmt_weights.items():
            _check_keys(f"first_dmt_weights[{phenotype!r}]", weights, DMTS)
        for name in ("dmt_rate_ratio", "switch_weights_after_relapse", "switch_weights_otherwise"):
            _check_keys(name, getattr(self, name), DMTS)
        for name in ("high_efficacy_dmts", "primary_progressive_dmts"):
            unknown = sorted(set(getattr(self, name)) - set(DMTS))
            if unknown:
                raise InvalidParameterError(f"{name} has DMTs {unknown} not in {list(DMTS)}")
        probabilities = (
            "female_share",
            "dropout_probability",
            "edss_relapse_worsening",
            "edss_relapse_improvement_factor",
            "edss_double_step_probability",
            "dmt_relapse_change",
            "mri_not_done_probability",
            "mri_relapse_activity",
            "mri_gd_share",
        )
        for name in probabilities:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise InvalidParameterError(f"{name} must be in [0, 1]; got {value}")
        if not 0.0 < self.dropout_probability:
            raise InvalidParameterError("dropout_probability must be > 0")
        if self.max_visits < 1:
            raise InvalidParameterError(f"max_visits must be >= 1; got {self.max_visits}")
        if self.edss_max not in EDSS_GRID:
            raise InvalidParameterError(f"edss_max must be on the EDSS grid; got {self.edss_max}")
        low, high = self.age_at_onset_range
        if not low < high or self.age_at_onset_sd <= 0:
            raise InvalidParameterError("age_at_onset_range must be (low, high) with low < high")
        if any(w <= 0 or c <= 0 or s < 0 for w, c, s in self.gap_components):
            raise InvalidParameterError(
                "gap_components must be (weight > 0, centre > 0, log-sd >= 0) triples"
            )

    def expected_visits_per_patient(self) -> float:
        """Expected number of visits: E[min(Geometric(dropout_probability), max_visits)]."""
        stay = 1.0 - self.dropout_probability
        return float(sum(stay**j for j in range(self.max_visits)))

    def expected_gap_years(self) -> float:
        """Expected gap between visits (years), before rounding to whole days."""
        total = sum(w for w, _, _ in self.gap_components)
        return float(sum(w * c * math.exp(s * s / 2.0) for w, c, s in self.gap_components) / total)

    def expected_follow_up_years(self) -> float:
        """Expected follow-up (last visit time − first visit time), in years."""
        return (self.expected_visits_per_patient() - 1.0) * self.expected_gap_years()

    def expected_age_at_onset_mean(self) -> float:
        """Mean of the clipped normal age at onset."""
        mu, sigma = self.age_at_onset_mean, self.age_at_onset_sd
        low, high = self.age_at_onset_range
        a, b = (low - mu) / sigma, (high - mu) / sigma

        def cdf(z: float) -> float:
            return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))

        def pdf(z: float) -> float:
            return math.exp(-z * z / 2.0) / math.sqrt(2.0 * math.pi)

        inside = mu * (cdf(b) - cdf(a)) + sigma * (pdf(a) - pdf(b))
        return float(low * cdf(a) + high * (1.0 - cdf(b)) + inside)


def _check_keys(name: str, mapping: Mapping[str, Any], expected: tuple[str, ...]) -> None:
    if set(mapping) != set(expected):
        raise InvalidParameterError(
            f"{name} must have exactly the keys {list(expected)}; got {sorted(mapping)}"
        )


def _vector(mapping: Mapping[str, float], keys: tuple[str, ...]) -> np.ndarray:
    return np.array([float(mapping[k]) for k in keys])


def _normalised(mapping: Mapping[str, float], keys: tuple[str, ...]) -> np.ndarray:
    vector = _vector(mapping, keys)
    if np.any(vector < 0) or vector.sum() <= 0:
        raise InvalidParameterError(f"weights {dict(mapping)} must be >= 0 with a positive sum")
    return vector / vector.sum()


def _sample_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Draw one index per row of a non-negative weight matrix (rows need a positive sum)."""
    cumulative = np.cumsum(weights, axis=1)
    u = rng.random(weights.shape[0]) * cumulative[:, -1]
    index = (cumulative <= u[:, None]).sum(axis=1)
    return np.minimum(index, weights.shape[1] - 1)


def _either(p: np.ndarray, extra: float | np.ndarray, where: np.ndarray) -> np.ndarray:
    """``1 − (1 − p)(1 − extra)`` where ``where`` holds, else ``p``."""
    return np.where(where, 1.0 - (1.0 - p) * (1.0 - extra), p)


def simulate_ms_registry(
    n_patients: int = 500,
    seed: int = 0,
    parameters: MSRegistryParameters | None = None,
) -> Dataset:
    """Simulate an MS-like registry; equal ``(n_patients, seed, parameters)`` give equal data.

    Args:
        n_patients: Number of patients (>= 1).
        seed: Seed of the ``numpy.random.Generator`` all draws come from.
        parameters: The true parameters (default :class:`MSRegistryParameters()`).

    Returns:
        A longitudinal :class:`Dataset` ``"ms_registry"``: id ``patient_id`` (1..n), time
        ``time`` (years since baseline, 0 at the first visit), the static columns
        :data:`STATIC_COLUMNS` repeated on every visit row and the visit columns
        :data:`VISIT_COLUMNS`; ``truth`` holds the parameters and the quantities they imply
        (see the module docstring).
    """
    n_patients = check_int("n_patients", n_patients, minimum=1)
    seed = check_random_state("seed", seed, none=False)
    p = MSRegistryParameters() if parameters is None else parameters
    if not isinstance(p, MSRegistryParameters):
        raise InvalidParameterError(
            f"parameters must be an MSRegistryParameters; got {type(p).__name__}"
        )
    rng = np.random.default_rng(int(seed))
    n = int(n_patients)
    grid = np.asarray(EDSS_GRID)
    top = int(np.flatnonzero(grid == p.edss_max)[0])
    het = np.isin(np.asarray(DMTS), p.high_efficacy_dmts)
    rate_ratio = _vector(p.dmt_rate_ratio, DMTS)

    # --- static -------------------------------------------------------------------------
    female = rng.random(n) < p.female_share
    low, high = p.age_at_onset_range
    age_at_onset = np.round(
        np.clip(rng.normal(p.age_at_onset_mean, p.age_at_onset_sd, n), low, high), 1
    )
    phenotype = rng.choice(len(PHENOTYPES), size=n, p=_normalised(p.phenotype_shares, PHENOTYPES))
    duration_mean = _vector(p.disease_duration_mean, PHENOTYPES)[phenotype]
    shape = p.disease_duration_shape
    duration = np.minimum(rng.gamma(shape, duration_mean / shape), p.disease_duration_max)
    duration = np.round(duration, 2)
    first_year, last_year = p.baseline_year_range
    baseline_year = rng.integers(first_year, last_year + 1, size=n)
    baseline_date = baseline_year + rng.random(n)
    onset_year = np.floor(baseline_date - duration).astype(np.int64)
    regions = tuple(p.region_shares)
    region = rng.choice(len(regions), size=n, p=_normalised(p.region_shares, regions))
    latent_edss = (
        _vector(p.baseline_edss_intercept, PHENOTYPES)[phenotype]
        + _vector(p.baseline_edss_slope, PHENOTYPES)[phenotype] * duration
        + p.baseline_edss_age_slope * (age_at_onset - p.age_at_onset_mean)
        + rng.normal(0.0, p.baseline_edss_sd, n)
    )
    edss_index = np.abs(grid[None, :] - latent_edss[:, None]).argmin(axis=1)
    edss_index = np.minimum(edss_index, top)
    baseline_edss = grid[edss_index]
    frailty = rng.gamma(p.relapse_frailty_shape, 1.0 / p.relapse_frailty_shape, n)
    untreated = _vector(p.untreated_arr, PHENOTYPES)[phenotype] * frailty
    baseline_relapses = rng.poisson(p.pre_baseline_activity * untreated)

    allowed = np.ones((len(PHENOTYPES), len(DMTS)))
    allowed[PHENOTYPES.index("PP")] = np.isin(np.asarray(DMTS), p.primary_progressive_dmts)
    allowed = allowed[phenotype]
    first_weights = np.stack([_normalised(p.first_dmt_weights[ph], DMTS) for ph in PHENOTYPES])[
        phenotype
    ]
    boost = np.where((baseline_relapses >= 2)[:, None] & het[None, :], p.active_het_boost, 1.0)
    dmt_index = _sample_rows(rng, first_weights * boost * allowed)
    first_dmt = dmt_index.copy()

    # --- visits (every patient simulated to max_visits; dropout applied at the end) ------
    k_max = p.max_visits
    n_visits = np.minimum(rng.geometric(p.dropout_probability, n), k_max)
    weights = np.array([w for w, _, _ in p.gap_components])
    component = rng.choice(len(weights), size=(n, k_max - 1), p=weights / weights.sum())
    centres = np.log(np.array([c for _, c, _ in p.gap_components]))[component]
    spreads = np.array([s for _, _, s in p.gap_components])[component]
    gap_days = np.maximum(np.round(np.exp(rng.normal(centres, spreads)) * 365.25), 1.0)
    gaps = gap_days / 365.25
    times = np.zeros((n, k_max))
    times[:, 1:] = np.cumsum(gap_days, axis=1) / 365.25

    edss = np.empty((n, k_max))
    relapses = np.zeros((n, k_max), dtype=np.int64)
    dmt = np.empty((n, k_max), dtype=np.int64)
    mri = np.empty((n, k_max), dtype=np.int64)
    intensity = np.zeros((n, k_max))
    edss[:, 0] = baseline_edss
    dmt[:, 0] = dmt_index

    worsen_rate = _vector(p.edss_worsening_rate, PHENOTYPES)[phenotype]
    improve_rate = _vector(p.edss_improvement_rate, PHENOTYPES)[phenotype]
    after_relapse = _normalised(p.switch_weights_after_relapse, DMTS)
    otherwise = _normalised(p.switch_weights_otherwise, DMTS)
    columns = np.arange(len(DMTS))

    def draw_mri(gap: np.ndarray, current: np.ndarray, relapsed: np.ndarray) -> np.ndarray:
        p_active = 1.0 - np.exp(-p.mri_activity_rate * frailty * rate_ratio[current] * gap)
        p_active = _either(p_active, p.mri_relapse_activity, relapsed)
        u_done, u_active, u_gd = rng.random((3, n))
        level = np.where(u_active < p_active, np.where(u_gd < p.mri_gd_share, 2, 1), 0)
        return np.where(u_done < p.mri_not_done_probability, 3, level)

    mri[:, 0] = draw_mri(np.ones(n), dmt_index, np.zeros(n, dtype=bool))
    for k in range(1, k_max):
        gap = gaps[:, k - 1]
        current = dmt[:, k - 1]
        lam = untreated * rate_ratio[current] * gap
        intensity[:, k] = lam
        relapsed_count = rng.poisson(lam)
        relapses[:, k] = relapsed_count
        relapsed = relapsed_count > 0

        # EDSS: Markov step on the grid index.
        on_het = het[current]
        p_worse = 1.0 - np.exp(
            -worsen_rate * np.where(on_het, p.edss_het_worsening_factor, 1.0) * gap
        )
        p_worse = _either(p_worse, p.edss_relapse_worsening, relapsed)
        p_better = 1.0 - np.exp(-improve_rate * gap)
        p_better = np.where(relapsed, p.edss_relapse_improvement_factor * p_better, p_better)
        p_better = np.minimum(p_better, 1.0 - p_worse)
        u_move, u_size = rng.random((2, n))
        size = np.where(u_size < p.edss_double_step_probability, 2, 1)
        step = np.where(u_move < p_worse, size, np.where(u_move < p_worse + p_better, -size, 0))
        edss_index = np.clip(edss_index + step, 0, top)
        edss[:, k] = grid[edss_index]

        # DMT: start/stop/switch, more likely after a relapse; never to the same DMT.
        rate = np.where(current == 0, p.dmt_start_rate, p.dmt_change_rate)
        p_change = _either(1.0 - np.exp(-rate * gap), p.dmt_relapse_change, relapsed)
        change = rng.random(n) < p_change
        target_weights = np.where(relapsed[:, None], after_relapse, otherwise) * allowed
        target_weights = np.where(columns[None, :] == current[:, None], 0.0, target_weights)
        possible = target_weights.sum(axis=1) > 0
        target_weights[~possible, 0] = 1.0  # keeps the sampler defined; not used (no change)
        target = _sample_rows(rng, target_weights)
        dmt[:, k] = np.where(change & possible, target, current)

        mri[:, k] = draw_mri(gap, current, relapsed)

    # --- long format ---------------------------------------------------------------------
    keep = np.arange(k_max)[None, :] < n_visits[:, None]
    patient = np.broadcast_to(np.arange(n)[:, None], (n, k_max))[keep]
    switch = np.zeros((n, k_max), dtype=np.int64)
    switch[:, 1:] = (dmt[:, 1:] != dmt[:, :-1]).astype(np.int64)
    dmt_names = np.asarray(DMTS, dtype=object)
    data = pd.DataFrame(
        {
            "patient_id": patient.astype(np.int64) + 1,
            "time": times[keep],
            "sex": np.where(female, "F", "M").astype(object)[patient],
            "age_at_onset": age_at_onset[patient],
            "onset_year": onset_year[patient],
            "baseline_year": baseline_year.astype(np.int64)[patient],
            "phenotype": np.asarray(PHENOTYPES, dtype=object)[phenotype][patient],
            "disease_duration_at_baseline": duration[patient],
            "baseline_edss": baseline_edss[patient],
            "region": np.asarray(regions, dtype=object)[region][patient],
            "first_dmt": dmt_names[first_dmt][patient],
            "baseline_relapses": baseline_relapses.astype(np.int64)[patient],
            "edss": edss[keep],
            "relapses": relapses[keep],
            "dmt": dmt_names[dmt[keep]],
            "switch": switch[keep],
            "mri_activity": np.asarray(MRI_LEVELS, dtype=object)[mri[keep]],
        }
    )

    follow_up = times[np.arange(n), n_visits - 1]
    in_follow_up = keep & (np.arange(k_max)[None, :] >= 1)
    expected_arr = (
        float((intensity * in_follow_up).sum() / follow_up.sum()) if follow_up.sum() > 0 else 0.0
    )
    truth = {
        "parameters": p,
        "expected_arr": expected_arr,
        "expected_follow_up_years": p.expected_follow_up_years(),
        "expected_visits_per_patient": p.expected_visits_per_patient(),
        "expected_age_at_onset_mean": p.expected_age_at_onset_mean(),
        "female_share": p.female_share,
        "high_efficacy_dmts": tuple(p.high_efficacy_dmts),
        "edss_grid": EDSS_GRID,
        "n_patients": n,
        "seed": int(seed),
    }
    return Dataset(
        name="ms_registry",
        kind="longitudinal",
        data=data,
        roles=dict(ROLES),
        id_column="patient_id",
        time_column="time",
        static_columns=STATIC_COLUMNS,
        visit_columns=VISIT_COLUMNS,
        description=(
            f"Simulated MS-like registry (seed {int(seed)}): {n} patients, {len(data)} visits. "
            "Static: sex, age at onset, onset/baseline year, phenotype, disease duration, "
            "baseline EDSS, region, first DMT, relapses in the year before baseline. Visits: "
            "time (years since baseline; gaps around 0.5 and 1 year), EDSS on its grid "
            "(Markov progression), relapses since the previous visit (Poisson), DMT with "
            "switches, MRI activity; geometric dropout. Parameters in `truth`."
        ),
        source="synth_plugins.datasets.ms_simulator.simulate_ms_registry (synthetic; "
        "shaped after the statistics of the MSBase abstracts)",
        license="Apache-2.0 (simulated here: no real patients)",
        truth=truth,
    )

"""CK4Gen's Cox teacher on a wide design: the cost warning and the spline tests' start.

A review's 600-row survival table with a 264-level diagnosis code took 127 s to fit, 126 s
of it in the teacher's 12 lifelines fits (7 s without the code), without a warning: the
threshold priced one fit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import synth_plugins.generators.ck4gen.teacher as teacher_module
from synth_plugins.encoding.tabular import TabularEncoder
from synth_plugins.errors import SynthPluginsWarning
from synth_plugins.generators.ck4gen.teacher import (
    SLOW_TEACHER,
    cox_fits,
    fit_teacher,
    teacher_cost,
    warn_if_wide,
)

NUMERIC = ("age", "creatinine", "sbp", "n_meds", "los_days")


def simulate_coded(n: int = 600, levels: int = 264, seed: int = 0) -> pd.DataFrame:
    """The review's admissions table: a diagnosis code of ``levels`` levels (1 to 6 rows
    each), five numeric covariates, a six-level ward and an exponential outcome."""
    rng = np.random.default_rng(seed)
    codes = np.array([f"I{i:03d}" for i in range(levels)])
    code = np.concatenate([codes, rng.choice(codes, n - levels)])  # every level held
    rng.shuffle(code)
    numeric = {column: rng.normal(size=n).round(2) for column in NUMERIC}
    t_event = rng.exponential(365 / (1 + np.exp(0.3 * numeric["age"])), n)
    t_censor = rng.exponential(500, n)
    return pd.DataFrame(
        {"icd_code": code, **numeric, "ward": rng.choice(list("ABCDEF"), n),
         "time": np.round(np.minimum(t_event, t_censor) + 1, 1),
         "event": (t_event <= t_censor).astype(int)}
    )  # fmt: skip


class FirstCoxFit(Exception):
    """Raised in place of the teacher's first Cox fit: the warning must come before it."""


def teacher_until_first_fit(data: pd.DataFrame, monkeypatch, **options) -> None:
    """Run :func:`fit_teacher` on ``data`` up to its first Cox fit."""

    def first_fit(*args, **kwargs):
        raise FirstCoxFit

    monkeypatch.setattr(teacher_module, "fit_cox", first_fit)
    covariates = data.drop(columns=["time", "event"])
    encoder = TabularEncoder().fit(covariates)
    with pytest.raises(FirstCoxFit):
        fit_teacher(
            encoder, encoder.transform(covariates), covariates.notna(),
            data["time"].to_numpy(float), data["event"].to_numpy(int),
            knots=options.pop("knots", 4), penalizer=0.01, notes=[], **options,
        )  # fmt: skip


class TestCostWarning:
    def test_a_wide_code_column_warns_before_the_first_fit_naming_it(self, monkeypatch):
        """273 terms on 600 rows cost 4.5e7 per fit, under the old one-fit threshold; the
        linear fit, 5 spline tests and the final fit make 3.1e8."""
        with pytest.warns(SynthPluginsWarning, match="design has") as caught:
            teacher_until_first_fit(simulate_coded(), monkeypatch)
        message = str(caught[0].message)
        assert "273 terms on 600 rows, and the fit runs up to 7 Cox fits" in message
        assert "'icd_code' (264 levels, 263 terms)" in message
        assert "group their rare levels" in message and "10 terms without them" in message
        assert "'ward'" not in message  # without the code the design is not wide
        assert "teacher_knots=0 runs 1 Cox fit(s) instead of 7" in message

    @pytest.mark.parametrize(
        ("change", "options"),
        [
            (lambda data: data.drop(columns="icd_code"), {}),
            (lambda data: data, {"knots": 0}),  # one fit: 4.5e7
        ],
        ids=["without the code", "linear teacher"],
    )
    def test_the_same_table_with_few_fits_or_terms_is_quiet(self, monkeypatch, change, options):
        with warnings.catch_warnings():
            warnings.simplefilter("error", SynthPluginsWarning)
            teacher_until_first_fit(change(simulate_coded()), monkeypatch, **options)

    def test_the_stratified_censoring_model_counts_one_more_fit(self, monkeypatch):
        assert cox_fits(5, censoring_fit=False) == 7 and cox_fits(5, censoring_fit=True) == 8
        assert cox_fits(0, censoring_fit=False) == 1  # no candidate: no final fit either
        with pytest.warns(SynthPluginsWarning, match="up to 8 Cox fits") as caught:
            teacher_until_first_fit(simulate_coded(), monkeypatch, censoring_fit=True)
        assert "teacher_knots=0 runs 2 Cox fit(s) instead of 8" in str(caught[0].message)

    def test_without_a_categorical_column_none_is_named(self):
        numbers = TabularEncoder().fit(pd.DataFrame({"age": np.linspace(20, 80, 50)}))
        with pytest.warns(SynthPluginsWarning, match="1 terms on 1000000000 rows") as caught:
            warn_if_wide(numbers, np.array([0]), 10**9, n_splines=0, censoring_fit=False)
        assert "No categorical column makes the design wide" in str(caught[0].message)

    def test_the_threshold_sits_between_the_benchmark_tables_and_the_slow_fits(self):
        """FLChain (7,874 rows, 24 terms, 4 spline tests) is the widest benchmark table;
        10,000 rows with 160 terms and 20 numeric covariates took 153 s unwarned."""
        assert teacher_cost(7_874, 24, cox_fits(4, censoring_fit=True)) <= SLOW_TEACHER
        assert teacher_cost(10_000, 160, cox_fits(20, censoring_fit=False)) > SLOW_TEACHER


def test_the_spline_tests_start_at_the_linear_fit_and_end_where_a_fit_from_zero_ends(
    monkeypatch,
):
    """Each spline test starts Newton's method at the linear teacher's coefficients (its
    spline terms at 0); its AIC, so the splines kept, equal those of a fit from 0. The final
    fit, the teacher itself, starts from 0 like the linear one."""
    from tests.unit.generators.test_ck4gen import simulate_u_shaped

    data = simulate_u_shaped(400)
    covariates = data.drop(columns=["time", "event"])
    encoder = TabularEncoder().fit(covariates)
    real_fit, calls = teacher_module.fit_cox_once, []

    def spy(covariates, durations, events, penalizer, alpha, start=None):
        fitter, messages = real_fit(covariates, durations, events, penalizer, alpha, start)
        from_zero, _ = real_fit(covariates, durations, events, penalizer, alpha)
        calls.append((start, fitter, from_zero))
        return fitter, messages

    monkeypatch.setattr(teacher_module, "fit_cox_once", spy)
    design, cox = fit_teacher(
        encoder, encoder.transform(covariates), covariates.notna(),
        data["time"].to_numpy(float), data["event"].to_numpy(int),
        knots=4, penalizer=0.01, notes=[],
    )  # fmt: skip
    assert [s.covariate for s in design.splines] == ["marker"]
    *tests, final = calls
    assert len(tests) == 2  # marker and noise
    linear = teacher_module.fit_cox(
        design.frame(encoder.transform(covariates)).iloc[:, :3],
        data["time"].to_numpy(float), data["event"].to_numpy(int), penalizer=0.01,
    ).fitter.params_.to_numpy()  # fmt: skip
    for start, fitter, from_zero in tests:
        np.testing.assert_array_equal(start, np.concatenate([linear, [0.0, 0.0]]))
        assert fitter.AIC_partial_ == pytest.approx(from_zero.AIC_partial_, abs=1e-6)
        np.testing.assert_allclose(fitter.params_, from_zero.params_, rtol=1e-4)  # tolerance
    assert final[0] is None
    assert cox.fitter is final[1]

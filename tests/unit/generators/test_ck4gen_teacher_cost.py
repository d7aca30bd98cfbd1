"""CK4Gen's Cox teacher on a wide design: the spline tests' start.

A review's 600-row survival table with a 264-level diagnosis code took 127 s to fit, 126 s
of it in the teacher's 12 lifelines fits (7 s without the code).
"""

from __future__ import annotations

import numpy as np
import pytest

import synth_plugins.generators.ck4gen.teacher as teacher_module
from synth_plugins.encoding.tabular import TabularEncoder
from synth_plugins.generators.ck4gen.teacher import fit_teacher


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

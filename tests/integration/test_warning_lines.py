"""The suite's warnings at fit point at the user's line, whichever host runs the core.

A warning with a fixed ``stacklevel`` lands on the right line for one call path only: CK4Gen's
warnings about its Cox teacher and censoring model named the caller of ``CK4Gen.fit``, a line
of the SDV synthesizer or of the Synthcity plugin when a host ran it (and the wide-design
warning a line of ``CK4Gen.fit`` itself); the date rule's warning named the generator's
``fit``; the longitudinal LSTM's under-training warning named the SDV synthesizer or the
Synthcity plugin; the SDV identifier-levels warning named ``compat.fit``. Each now points at
the line of the user's call (:func:`~synth_plugins.errors.caller_stacklevel`).
"""

from __future__ import annotations

import dataclasses
import sys
import uuid
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sdv.metadata import Metadata

import synth_plugins.generators.ck4gen.model as ck4gen_model
import synth_plugins.generators.ck4gen.teacher as teacher
import synth_plugins.generators.longitudinal_lstm._training as lstm_training
from synth_plugins.errors import InvalidDataError, SynthPluginsWarning
from synth_plugins.generators.ck4gen import CK4Gen
from synth_plugins.generators.med_vae import MedVAE
from synth_plugins.sdv import CK4GenSynthesizer, LongitudinalLSTMSynthesizer, MedVAESynthesizer
from synth_plugins.sdv.compat import fit


def suite_warnings(call: Callable[[], Any]) -> list[warnings.WarningMessage]:
    """The suite warnings ``call()`` gives."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [w for w in caught if issubclass(w.category, SynthPluginsWarning)]


def metadata(columns: dict[str, str], **table: str) -> Metadata:
    """Single-table (or, with ``sequence_key``, sequential) metadata of ``columns``' sdtypes."""
    described = {name: {"sdtype": sdtype} for name, sdtype in columns.items()}
    return Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {"t": {"columns": described, **table}}}
    )


def survival() -> pd.DataFrame:
    """200 patients, half censored, and admission dates written as numbers (YYYYMMDD)."""
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "x": rng.normal(size=200),
        "g": rng.integers(0, 3, 200),
        "admitted": 20200101 + np.arange(200) % 28,
        "time": np.round(rng.uniform(1, 10, 200), 3),
        "event": (rng.random(200) > 0.5).astype(int),
    })  # fmt: skip


@pytest.fixture
def ck4gen_warns(monkeypatch) -> list[str]:
    """CK4Gen's fit warns about its teacher's penalizer, its wide design and its censoring
    model (each forced); the markers of those warnings."""
    fit_teacher = ck4gen_model.fit_teacher

    def unconverged(*args: Any, **kwargs: Any) -> Any:
        design, cox = fit_teacher(*args, **kwargs)
        return design, dataclasses.replace(cox, penalizer=cox.penalizer * 10)

    fit_cox = teacher.fit_cox

    def censoring_fails(*args: Any, **kwargs: Any) -> Any:
        if sys._getframe(1).f_code is teacher.fit_censoring_strata.__code__:
            raise InvalidDataError("no finite fit")
        return fit_cox(*args, **kwargs)

    monkeypatch.setattr(ck4gen_model, "fit_teacher", unconverged)
    monkeypatch.setattr(teacher, "fit_cox", censoring_fails)
    monkeypatch.setattr(teacher, "SLOW_TEACHER", 0)
    return ["did not converge", "design has", "censoring times could not be fitted"]


PARAMS = {"censoring_model": "stratified", "random_state": 0}
SDTYPES = {"x": "numerical", "g": "categorical", "admitted": "numerical"}


def _sdv_ck4gen(data: pd.DataFrame) -> Any:
    sdtypes = {**SDTYPES, "time": "numerical", "event": "categorical"}
    synthesizer = CK4GenSynthesizer(metadata(sdtypes), "time", "event", epochs=2, **PARAMS)
    return synthesizer.fit(data)


def _synthcity_ck4gen(data: pd.DataFrame) -> Any:
    from synthcity.plugins import Plugins
    from synthcity.plugins.core.dataloader import SurvivalAnalysisDataLoader

    loader = SurvivalAnalysisDataLoader(data, target_column="event", time_to_event_column="time")
    return Plugins().get("ck4gen", n_iter=2, **PARAMS).fit(loader)


CK4GEN_FITS: dict[str, Callable[[pd.DataFrame], Any]] = {
    "core": lambda data: CK4Gen("time", "event", encoder_epochs=2, decoder_epochs=2, **PARAMS).fit(
        data
    ),
    "sdv": _sdv_ck4gen,
}


def _check_ck4gen_fit(fit_ck4gen: Callable[[pd.DataFrame], Any], markers: list[str]) -> None:
    told = suite_warnings(lambda: fit_ck4gen(survival()))
    for marker in markers:
        assert any(marker in str(w.message) for w in told), marker
    assert {w.filename for w in told} == {__file__}, [(w.filename, w.lineno) for w in told]


@pytest.mark.parametrize("host", list(CK4GEN_FITS))
def test_ck4gen_fit_warnings_point_at_the_users_line(host, ck4gen_warns):
    """The core's fit also warns about the dates; the hosts give that column its role."""
    dates = ["read as dates"] if host == "core" else []
    _check_ck4gen_fit(CK4GEN_FITS[host], ck4gen_warns + dates)


def test_synthcity_ck4gen_fit_warnings_point_at_the_users_line(ck4gen_warns):
    _check_ck4gen_fit(_synthcity_ck4gen, ck4gen_warns)


def test_the_date_rule_warning_points_at_the_users_line():
    told = suite_warnings(lambda: MedVAE(epochs=1).fit(survival()))
    assert any("read as dates" in str(w.message) for w in told)
    assert {w.filename for w in told} == {__file__}


def _visits() -> pd.DataFrame:
    """40 patients with 2 to 4 visits, a record number per patient and a CD4 count per visit."""
    rng = np.random.default_rng(0)
    rows = [
        {"pid": p, "time": 2.0 * v, "age": 50 + p % 7, "record": str(uuid.UUID(int=p + 1)),
         "cd4": float(rng.normal(300, 50))}
        for p in range(40) for v in range(int(rng.integers(2, 5)))
    ]  # fmt: skip
    return pd.DataFrame(rows)


@pytest.fixture
def cut_short(monkeypatch) -> str:
    """Every run of the longitudinal LSTM with early stopping warns that it was cut short."""
    monkeypatch.setattr(lstm_training, "SHORT_RUN_EPOCHS", 0)
    monkeypatch.setattr(lstm_training, "LATE_BEST_EPOCHS", 100)
    return "still falling"


QUICK = {"calibrate_stop": False, "calibrate_steps": False, "calibrate_levels": False}


def test_sdv_fit_warnings_point_at_the_users_line(cut_short):
    """Through ``compat.fit`` (any harness that calls ``fit``), for the single-table contract
    and the longitudinal synthesizer."""
    rng = np.random.default_rng(0)
    table = pd.DataFrame({
        "x": rng.normal(size=60), "record": [str(uuid.UUID(int=i + 1)) for i in range(60)]
    })  # fmt: skip
    single = MedVAESynthesizer(metadata({"x": "numerical", "record": "categorical"}), epochs=1)
    sequential = LongitudinalLSTMSynthesizer(
        metadata(
            {"pid": "id", "time": "numerical", "age": "numerical", "record": "categorical",
             "cd4": "numerical"},
            sequence_key="pid", sequence_index="time",
        ),
        epochs=2, static_epochs=1, **QUICK,
    )  # fmt: skip
    for synthesizer, data, markers in (
        (single, table, ["read as identifiers"]),
        (sequential, _visits(), ["read as identifiers", cut_short]),
    ):
        told = suite_warnings(lambda: fit(synthesizer, data))  # noqa: B023
        for marker in markers:
            assert any(marker in str(w.message) for w in told), marker
        assert {w.filename for w in told} == {__file__}, [(w.filename, w.lineno) for w in told]


def test_synthcity_lstm_warning_points_at_the_users_line(cut_short):
    from synthcity.plugins import Plugins

    from synth_plugins.synthcity.timeseries import to_timeseries_loader

    loader, _ = to_timeseries_loader(_visits().drop(columns="record"), "pid", "time", ["age"])
    plugin = Plugins().get("longitudinal_lstm", n_iter=2, static_n_iter=1, **QUICK)
    told = suite_warnings(lambda: plugin.fit(loader))
    assert any(cut_short in str(w.message) for w in told)
    assert {w.filename for w in told} == {__file__}, [(w.filename, w.lineno) for w in told]

"""Record keys and dates in metric inputs: keys are left out, dates are compared as days.

Each metric is run on tables with a patient id and an admission date and must give exactly
what it gives on the same tables without the id and with the date as days since the
earliest real (training) date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth_plugins.errors import InvalidDataError
from synth_plugins.metrics import (
    aml_fidelity,
    correlation_l1,
    dcr_holdout_share,
    hamming_leakage,
    table_one,
    tabsyndex,
)
from synth_plugins.metrics.validation import date_origins, feature_tables

N = 40


def _table(seed: int, prefix: str, text_dates: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.normal(60, 10, N).round(1)
    dates = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 700, N), unit="D")
    return pd.DataFrame(
        {
            "patient_id": [f"{prefix}{seed}-{i:04d}" for i in range(N)],
            "admission": dates.strftime("%Y-%m-%d") if text_dates else dates,
            "age": age,
            "creatinine": rng.gamma(2.0, 0.6, N).round(2),
            "sex": rng.choice(["f", "m"], N),
            "died": (age + rng.normal(0, 10, N) > 62).astype(int),
        }
    )


def _as_days(frame: pd.DataFrame, real: pd.DataFrame) -> pd.DataFrame:
    """What the metrics must compare: no key, the date as days since the earliest real date."""
    origin = pd.to_datetime(real["admission"]).min()
    days = (pd.to_datetime(frame["admission"]) - origin).dt.days
    return frame.drop(columns="patient_id").assign(admission=days.astype(float))


@pytest.fixture(params=[False, True], ids=["datetime64", "text-dates"])
def tables(request) -> dict[str, pd.DataFrame]:
    return {
        name: _table(seed, name[0].upper(), request.param)
        for seed, name in enumerate(["train", "holdout", "synthetic"])
    }


def test_feature_tables_drops_keys_and_converts_dates(tables) -> None:
    out = feature_tables(tables)
    for name, frame in out.items():
        pd.testing.assert_frame_equal(frame, _as_days(tables[name], tables["train"]))
    assert "patient_id" in tables["train"]  # the caller's tables are not modified
    # a key the caller declares categorical, or asks to keep, stays
    assert "patient_id" in feature_tables(tables, ["patient_id", "sex"])["train"]
    assert "patient_id" in feature_tables(tables, keep=["patient_id"])["synthetic"]


def test_dates_compare_the_same_in_any_calendar_era(tables) -> None:
    """Days since 1970 made relative measures depend on the era: the same dates shifted by
    30 years gave AML basic 0.480 against 0.958 and TabSynDex basic 0.792 against 0.967."""
    train, _, synthetic = tables.values()
    options = {"target_column": "died", "ml_sample_size": 20}
    scores = []
    for days in (-60 * 365, 0, 30 * 365):
        shifted = [
            t.assign(admission=pd.to_datetime(t["admission"]) + pd.Timedelta(days=days))
            for t in (train, synthetic)
        ]
        aml = aml_fidelity(*shifted)
        scores.append((aml.basic_statistical_measure, tabsyndex(*shifted, **options).basic_score))
    assert scores[0] == pytest.approx(scores[1])
    assert scores[2] == pytest.approx(scores[1])


def test_date_origins_read_days_back_as_dates(tables) -> None:
    origins = date_origins(tables)
    assert list(origins) == ["admission"]
    days = feature_tables(tables)["synthetic"]["admission"]
    dates = origins["admission"] + pd.to_timedelta(days, unit="D")
    assert (dates == pd.to_datetime(tables["synthetic"]["admission"])).all()
    assert origins["admission"] == pd.to_datetime(tables["train"]["admission"]).min()


def test_only_keys_is_an_error(tables) -> None:
    keys = {name: frame[["patient_id"]] for name, frame in tables.items()}
    with pytest.raises(InvalidDataError, match=r"record key \(\['patient_id'\]\)"):
        feature_tables(keys)


def test_unparsable_dates_name_the_column_and_table() -> None:
    real = pd.DataFrame({"day": ["2019-01-02", "2019-02-03", "2019-03-04"], "x": [1, 2, 3]})
    synthetic = real.assign(day=["2019-01-02", "not a date", "2019-03-04"])
    with pytest.raises(InvalidDataError, match="'day' .* in synthetic are not dates"):
        feature_tables({"real": real, "synthetic": synthetic})


def _same(with_keys: object, reference: object) -> None:
    assert with_keys.to_dict() == pytest.approx(reference.to_dict(), nan_ok=False)


def test_hamming_leakage(tables) -> None:
    train, holdout, synthetic = tables.values()
    _same(
        hamming_leakage(train, holdout, synthetic),
        hamming_leakage(
            _as_days(train, train), _as_days(holdout, train), _as_days(synthetic, train)
        ),
    )


def test_dcr_holdout_share(tables) -> None:
    train, holdout, synthetic = tables.values()
    _same(
        dcr_holdout_share(train, holdout, synthetic),
        dcr_holdout_share(
            _as_days(train, train), _as_days(holdout, train), _as_days(synthetic, train)
        ),
    )


def test_aml_fidelity(tables) -> None:
    train, _, synthetic = tables.values()
    _same(
        aml_fidelity(train, synthetic),
        aml_fidelity(_as_days(train, train), _as_days(synthetic, train)),
    )


def test_correlation_l1(tables) -> None:
    train, _, synthetic = tables.values()
    result = correlation_l1(train, synthetic)
    _same(result, correlation_l1(_as_days(train, train), _as_days(synthetic, train)))
    assert "admission" in result.real_correlation.columns
    assert "patient_id" not in result.real_correlation.columns


def test_table_one(tables) -> None:
    train, _, synthetic = tables.values()
    result = table_one(train, synthetic)
    reference = table_one(_as_days(train, train), _as_days(synthetic, train))
    assert result.score == reference.score
    assert list(result.tests.index) == ["admission", "age", "creatinine", "sex", "died"]
    assert result.tests.loc["admission", "kind"] == "numeric"


def test_tabsyndex(tables) -> None:
    train, _, synthetic = tables.values()
    options = {"target_column": "died", "ml_sample_size": 20}
    with_keys = tabsyndex(train, synthetic, **options)
    reference = tabsyndex(_as_days(train, train), _as_days(synthetic, train), **options)
    assert with_keys.score == pytest.approx(reference.score)
    assert np.isfinite(with_keys.score)


def test_hazard_ratio_alignment(tables) -> None:
    from synth_plugins.metrics import hazard_ratio_alignment

    rng = np.random.default_rng(7)
    train, _, synthetic = (t.assign(followup=rng.uniform(10, 900, N)) for t in tables.values())
    with_keys = hazard_ratio_alignment(train, synthetic, "followup", "died")
    reference = hazard_ratio_alignment(
        _as_days(train, train), _as_days(synthetic, train), "followup", "died"
    )
    _same(with_keys, reference)
    assert "admission" in with_keys.table.index
    assert "patient_id" not in with_keys.table.index

"""The suite's SDMetrics classes accept every metadata form SDV produces, and unsorted visits."""

import pandas as pd
import pytest

from synth_plugins.datasets import load, simulate_ms_registry
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.sdmetrics import AmlFidelity, LongitudinalFidelity
from synth_plugins.sdv.sequential_metadata import sequential_metadata_for

PARTS = ["follow_up", "sequence_length", "visit_gaps", "static_ks", "spearman_static"]


@pytest.fixture(scope="module")
def cohorts():
    return simulate_ms_registry(n_patients=60, seed=0), simulate_ms_registry(n_patients=60, seed=1)


def _forms(metadata):
    """The Metadata object, its to_dict() and the single table's dict."""
    full = metadata.to_dict()
    return {
        "object": metadata,
        "to_dict": full,
        "table": next(iter(full["tables"].values())),
    }


def test_longitudinal_accepts_every_metadata_form_with_the_same_score(cohorts):
    real, other = cohorts
    scores = {
        form: LongitudinalFidelity.compute(real.data, other.data, metadata, parts=PARTS)
        for form, metadata in _forms(sequential_metadata_for(real)).items()
    }
    assert len(set(scores.values())) == 1, scores
    assert 0.0 < scores["object"] <= 1.0


def test_longitudinal_sorts_each_patients_visits_like_par(cohorts):
    real, other = cohorts
    metadata = sequential_metadata_for(real)
    shuffled = other.data.sample(frac=1.0, random_state=0).reset_index(drop=True)
    expected = LongitudinalFidelity.compute(real.data, other.data, metadata, parts=PARTS)
    assert LongitudinalFidelity.compute(real.data, shuffled, metadata, parts=PARTS) == (
        pytest.approx(expected)
    )


def test_longitudinal_breakdown_with_one_static_numeric_column_has_no_static_pairs(cohorts):
    real, other = cohorts
    static = real.static_columns
    numeric = [c for c in static if pd.api.types.is_float_dtype(real.data[c])][:1]
    keep = [c for c in real.data.columns if c not in static or c in numeric]
    breakdown = LongitudinalFidelity.compute_breakdown(
        real.data[keep],
        other.data[keep],
        None,
        None,
        "patient_id",
        sequence_index="time",
        parts=PARTS,
    )
    assert "spearman_static_n_pairs" not in breakdown  # no pair, so the part does not apply
    assert breakdown["static_ks_score"] > 0.0
    assert 0.0 < breakdown["score"] <= 1.0


def test_single_table_metric_accepts_an_sdv_metadata_object():
    from sdv.metadata import Metadata

    data = load("heart_failure").data
    half = len(data) // 2
    real, synthetic = data.iloc[:half], data.iloc[half:].reset_index(drop=True)
    metadata = Metadata.detect_from_dataframes({"hf": data})  # on both SDV lines
    scores = {
        form: AmlFidelity.compute(real, synthetic, value)
        for form, value in _forms(metadata).items()
    }
    assert len(set(scores.values())) == 1, scores
    with pytest.raises(InvalidParameterError, match="table_name"):
        AmlFidelity.compute(real, synthetic, metadata, table_name="other")
    # SDMetrics' own order: table_name is the fourth argument (the holdout, which some
    # metrics take, is a keyword; it used to be the fourth and refused "hf" as a frame)
    assert AmlFidelity.compute(real, synthetic, metadata, "hf") == scores["object"]
    with pytest.raises(InvalidParameterError, match="metadata must be"):
        AmlFidelity.compute(real, synthetic, ["not", "metadata"])


def test_longitudinal_reads_dates_as_days_like_par(cohorts):
    real, other = cohorts
    metadata = sequential_metadata_for(real).to_dict()["tables"][real.name]
    expected = LongitudinalFidelity.compute_breakdown(real.data, other.data, metadata, parts=PARTS)

    def dated(frame):
        return frame.assign(
            time=pd.Timestamp("2000-01-01") + pd.to_timedelta(frame["time"] * 365.25, unit="D")
        )

    as_dates = {**metadata, "columns": {**metadata["columns"], "time": {"sdtype": "datetime"}}}
    breakdown = LongitudinalFidelity.compute_breakdown(
        dated(real.data), dated(other.data), as_dates, parts=PARTS
    )
    # dates hold nanoseconds: equal gaps of different patients can round apart
    assert breakdown["score"] == pytest.approx(expected["score"], abs=1e-3)
    assert breakdown["follow_up_real_mean"] == pytest.approx(
        expected["follow_up_real_mean"] * 365.25
    )
    # strings with the metadata's datetime_format, as SDV describes them
    text = {
        **metadata,
        "columns": {
            **metadata["columns"],
            "time": {"sdtype": "datetime", "datetime_format": "%Y-%m-%d %H:%M:%S.%f"},
        },
    }
    as_text = [
        dated(f.data).assign(time=lambda d: d["time"].dt.strftime("%Y-%m-%d %H:%M:%S.%f"))
        for f in cohorts
    ]
    assert LongitudinalFidelity.compute(*as_text, text, parts=PARTS) == pytest.approx(
        expected["score"], abs=1e-3
    )
    with pytest.raises(InvalidDataError, match="'time' of synthetic_data cannot be read as dates"):
        LongitudinalFidelity.compute(as_text[0], as_text[1].assign(time="soon"), text, parts=PARTS)


def test_single_table_classes_leave_out_columns_of_sdtype_id():
    """A short table's key is not inferred as one; the metadata's ``id`` sdtype says so."""
    data = load("heart_failure").data
    real, synthetic = data.iloc[:15].copy(), data.iloc[15:30].reset_index(drop=True)
    real["record"] = range(1001, 1016)
    synthetic["record"] = range(5001, 5016)
    columns = {c: {"sdtype": "numerical"} for c in data.columns}
    metadata = {"columns": {**columns, "record": {"sdtype": "id"}}, "primary_key": "record"}
    with_key = AmlFidelity.compute_breakdown(real, synthetic, metadata)
    expected = AmlFidelity.compute_breakdown(data.iloc[:15], data.iloc[15:30], {"columns": columns})
    assert with_key == pytest.approx(expected)
    # without the sdtype the key is read as a number and changes the score
    assert AmlFidelity.compute(real, synthetic) != pytest.approx(
        AmlFidelity.compute(data.iloc[:15], data.iloc[15:30])
    )


def test_an_id_column_named_in_a_list_option_is_kept():
    """``secrets=["record"]`` asks about the key itself: it must reach the core."""
    from synth_plugins.sdmetrics import AnonymeterRisk

    data = load("heart_failure").data.iloc[:80].reset_index(drop=True)
    data["record"] = [f"P{i}" for i in range(80)]
    train, holdout = data.iloc[:40], data.iloc[40:].reset_index(drop=True)
    columns = {c: {"sdtype": "numerical"} for c in data.columns}
    metadata = {"columns": {**columns, "record": {"sdtype": "id"}}}
    options = {"secrets": ["record"], "attacks": ["inference"], "n_attacks": 20}
    breakdown = AnonymeterRisk.compute_breakdown(
        train, train, metadata, holdout_data=holdout, **options
    )
    assert "inference_risk_record" in breakdown


def test_columns_the_metadata_leaves_out_are_inferred_as_without_metadata():
    """Partial metadata must not turn an undescribed text column into a number."""
    data = load("heart_failure").data
    real, synthetic = data.iloc[:100], data.iloc[100:200].reset_index(drop=True)
    real = real.assign(group=["a", "b", "c", "d"] * 25)
    synthetic = synthetic.assign(group=["b", "a", "d", "c"] * 25)
    partial = {"columns": {"age": {"sdtype": "numerical"}}}
    assert AmlFidelity.compute(real, synthetic, partial) == pytest.approx(
        AmlFidelity.compute(real, synthetic)
    )


def _metadata_score(metric, real, synthetic, table, **options):
    """The score with SDV metadata (the outcome is categorical there) and the core's own
    inference with the metadata's categorical columns minus the outcome, which must agree."""
    from synth_plugins.sdv.metadata import metadata_for

    metadata = metadata_for(table)
    described = next(iter(metadata.to_dict()["tables"].values()))["columns"]
    categorical = [c for c, d in described.items() if d["sdtype"] in ("categorical", "boolean")]
    named = set(options.values())
    assert named & set(categorical)  # the outcome is categorical in the metadata
    with_metadata = metric.compute(real, synthetic, metadata, **options)
    without = metric.compute(
        real, synthetic, categorical_columns=[c for c in categorical if c not in named], **options
    )
    return with_metadata, without


@pytest.mark.parametrize(
    ("metric_name", "dataset", "options"),
    [
        ("HazardRatioAlignment", "gbsg2", {"duration_column": "time", "event_column": "cens"}),
        ("EffectAgreement", "gbsg2", {"duration_column": "time", "event_column": "cens"}),
        ("EffectAgreement", "pima", {"target_column": "target"}),
    ],
)
def test_outcome_metrics_take_metadata_that_lists_the_outcome(metric_name, dataset, options):
    import synth_plugins.sdmetrics as classes

    table = load(dataset)
    data = table.data.dropna().reset_index(drop=True)
    real, synthetic = data.iloc[:200], data.iloc[200:400].reset_index(drop=True)
    with_metadata, without = _metadata_score(
        getattr(classes, metric_name), real, synthetic, table, **options
    )
    assert with_metadata == pytest.approx(without)


def test_normalize_counts_scores_below_an_inner_ideal_as_ideal():
    """SDGym keeps only the normalised score: no leak (Hamming <= 0, DCR share <= 0.5)
    must read 1, not SDMetrics' 0.37 and 0.5; above the ideal it falls; other metrics keep
    SDMetrics' rule."""
    import numpy as np

    from synth_plugins.sdmetrics import CorrelationL1, DcrHoldoutShare, HammingLeakage

    assert [HammingLeakage.normalize(x) for x in (-1.0, -0.3, 0.0)] == [1.0, 1.0, 1.0]
    assert 0 < HammingLeakage.normalize(0.5) < HammingLeakage.normalize(0.1) < 1
    assert [DcrHoldoutShare.normalize(x) for x in (0.0, 0.5, 0.75, 1.0)] == [1, 1, 0.5, 0]
    assert CorrelationL1.normalize(0.5) == pytest.approx(np.exp(-0.5))
    with pytest.raises(ValueError, match="between"):
        DcrHoldoutShare.normalize(1.5)


def test_hamming_normalize_reads_half_at_the_breach_threshold():
    """SDGym keeps only the normalised score: a breach (coefficient above 0.05) must read
    below 0.5 and a verbatim copy of the training rows (0.297 on an 80/20 split) near 0;
    SDMetrics' exp(-score) read 0.951 and 0.743, next to GaussianCopula's 1.000."""
    from synth_plugins.sdmetrics import HammingLeakage

    assert HammingLeakage.normalize(0.05) == 0.5
    assert HammingLeakage.normalize(0.1) == pytest.approx(0.25)
    assert HammingLeakage.normalize(0.051) < 0.5 < HammingLeakage.normalize(0.049)
    assert HammingLeakage.normalize(0.297) < 0.05
    assert HammingLeakage.normalize(-0.1) == 1.0
    assert HammingLeakage.normalize(float("inf")) == 0.0


def test_a_threshold_needs_an_inner_ideal_below_it():
    """The catalog refuses a threshold the normalisation cannot put at 0.5 (no ideal inside
    the range, or a threshold at or below the ideal), naming the metric."""
    import dataclasses
    import math

    from synth_plugins import catalog

    entry = catalog.metric("hamming_leakage")
    for changes in (
        {"threshold": 0.0},
        {"threshold": -0.5},
        {"direction": "maximize"},
        {"min_value": 0.0, "max_value": math.inf},
    ):
        with pytest.raises(ValueError, match="'hamming_leakage': threshold="):
            dataclasses.replace(entry, **changes)
    assert dataclasses.replace(entry, threshold=0.1).threshold == 0.1


def test_hamming_scores_of_the_code_formula_are_in_range_and_normalise():
    """``coefficient_formula="code"`` (``1 - train / holdout``) falls below -1 when the
    synthetic rows copy the holdout (-9 here): the declared range holds every score of
    both formulas, and normalize gives it 1 (it raised ValueError, the range being
    [-1, inf))."""
    import numpy as np

    from synth_plugins.sdmetrics import HammingLeakage

    rng = np.random.default_rng(0)

    def table(n: int) -> pd.DataFrame:
        return pd.DataFrame({"x": rng.normal(size=n), "k": rng.integers(0, 4, n)})

    train, holdout = table(60), table(60)
    score = HammingLeakage.compute(
        train, holdout.copy(), holdout_data=holdout, coefficient_formula="code"
    )
    assert score < -1
    assert HammingLeakage.min_value <= score <= HammingLeakage.max_value
    assert HammingLeakage.normalize(score) == 1.0


def test_a_holdout_passed_as_metadata_is_named():
    """SDMetrics' DCROverfittingProtection takes (real, synthetic, real_validation, ...);
    ours take metadata third, and a DataFrame there must not be read as metadata."""
    data = load("heart_failure").data
    with pytest.raises(InvalidParameterError, match="holdout_data="):
        AmlFidelity.compute(data, data, data)


def test_longitudinal_takes_a_sequence_key_labelled_0(cohorts):
    """Column labels may be integers; 0 is a key, not a missing argument."""
    real, other = cohorts
    labels = {"patient_id": 0, "time": 1}
    expected = LongitudinalFidelity.compute(
        real.data, other.data, None, None, "patient_id", sequence_index="time", parts=PARTS
    )
    score = LongitudinalFidelity.compute(
        real.data.rename(columns=labels),
        other.data.rename(columns=labels),
        None,
        None,
        0,
        sequence_index=1,
        parts=PARTS,
    )
    assert score == pytest.approx(expected)


def _described(data: pd.DataFrame, sdtype: str) -> dict:
    """One table's metadata dict giving every 0/1 column ``sdtype``."""
    columns = {
        c: {"sdtype": sdtype if set(data[c].dropna().unique()) <= {0, 1} else "numerical"}
        for c in data.columns
    }
    return {"METADATA_SPEC_VERSION": "V1", "tables": {"hf": {"columns": columns}}}


@pytest.mark.parametrize("name", ["TabSynDex", "HammingLeakage", "AmlFidelity"])
def test_sdv2_ordinal_columns_are_levels(name):
    """SDV 2's detection makes 0/1 columns ``ordinal``; the bridge read them as numbers
    (TabSynDex 0.796 against 0.835 with the same columns called categorical)."""
    import synth_plugins.sdmetrics as bridge

    metric = getattr(bridge, name)
    data = load("heart_failure").data.sample(200, random_state=0).reset_index(drop=True)
    real, synthetic, holdout = data.iloc[:70], data.iloc[70:140], data.iloc[140:]
    options = {"holdout_data": holdout} if name == "HammingLeakage" else {}
    ordinal = metric.compute(real, synthetic, _described(data, "ordinal"), **options)
    categorical = metric.compute(real, synthetic, _described(data, "categorical"), **options)
    assert ordinal == pytest.approx(categorical)


def test_tables_given_as_sdv2_dictionaries():
    """SDV 2's ``sample`` returns ``{table_name: DataFrame}``, which SDMetrics takes; the
    bridge refused it ("real must be a pandas DataFrame, got dict")."""
    from synth_plugins.sdmetrics import HammingLeakage, TabSynDex

    data = load("heart_failure").data
    real, synthetic, holdout = data.iloc[:100], data.iloc[100:200], data.iloc[200:]
    metadata = _described(data, "categorical")
    expected = TabSynDex.compute(real, synthetic, metadata)
    assert TabSynDex.compute({"hf": real}, {"hf": synthetic}, metadata) == expected
    leak = HammingLeakage.compute(real, synthetic, metadata, holdout_data=holdout)
    wrapped = HammingLeakage.compute(
        {"hf": real}, {"hf": synthetic}, metadata, holdout_data={"hf": holdout}
    )
    assert wrapped == leak
    with pytest.raises(InvalidParameterError, match=r"holds the tables \['a', 'b'\]"):
        TabSynDex.compute({"a": real, "b": real}, synthetic, metadata)

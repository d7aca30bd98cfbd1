"""longitudinal_fidelity and longitudinal_lstm inside the hosts' own evaluation calls.

Synthcity: ``Metrics.evaluate`` and ``Benchmarks.evaluate(task_type="time_series")`` on
``TimeSeriesDataLoader``s without an outcome. SDMetrics: the time-series metric class,
found by name, with SDV's sequential metadata.
"""

import numpy as np
import pandas as pd
import pytest

import synth_plugins
from synth_plugins import catalog
from synth_plugins.datasets import load
from synth_plugins.errors import InvalidDataError, InvalidParameterError

KEYS = ("score", "follow_up_score", "sequence_length_score", "visit_gaps_score")


@pytest.fixture(scope="module")
def cohorts():
    synth_plugins.register()
    return (
        load("ms_registry", n_patients=80, seed=0),
        load("ms_registry", n_patients=80, seed=1),
    )


def _fidelity(real, other, workspace):
    """Synthcity's Metrics.evaluate of longitudinal_fidelity on two time-series loaders."""
    from synthcity.metrics import Metrics

    return Metrics.evaluate(
        real, other, metrics={"stats": ["longitudinal_fidelity"]}, task_type="time_series",
        workspace=workspace,
    )  # fmt: skip


def _scores(frame, prefix="stats.longitudinal_fidelity."):
    return {k.removeprefix(prefix): v for k, v in frame["mean"].items() if k.startswith(prefix)}


def test_synthcity_metrics_evaluate_on_timeseries_loaders(cohorts, tmp_path, monkeypatch):

    from synth_plugins.metrics.longitudinal import MS_HIGH_EFFICACY
    from synth_plugins.metrics.longitudinal._fidelity import PARTS
    from synth_plugins.synthcity.metrics.evaluators import LongitudinalFidelityEvaluator
    from synth_plugins.synthcity.timeseries import dataset_to_timeseries_loader

    real, other = cohorts
    (real_loader, spec), (other_loader, _) = map(dataset_to_timeseries_loader, (real, other))
    # the MS study's HET exposure: Synthcity's temporal categories are codes
    het_codes = [i for i, level in enumerate(spec.levels["dmt"]) if level in MS_HIGH_EFFICACY]
    options = {
        "event_column": "seq_temporal_relapses",
        "therapy_column": "seq_temporal_dmt",
        "high_efficacy": het_codes,
    }
    monkeypatch.setattr(LongitudinalFidelityEvaluator, "options", options)
    result = _fidelity(real_loader, other_loader, tmp_path)
    scores = _scores(result)
    assert set(KEYS) <= set(scores)
    # the headline: the parts' scores, by exact name
    assert set(scores) <= {"score", *(f"{part}_score" for part in PARTS)}
    monkeypatch.setattr(LongitudinalFidelityEvaluator, "all_figures", True)
    scores = _scores(_fidelity(real_loader, other_loader, tmp_path))
    assert "event_rate_score" in scores
    assert {"het_exposure_score", "het_exposure_real_ever", "trajectory_score"} <= set(scores)
    assert scores["het_exposure_real_ever"] > 0.2
    assert 0.6 < scores["score"] <= 1.0
    # the same cohort against itself scores (almost) perfectly; a broken one scores lower
    same = _fidelity(real_loader, real_loader, tmp_path)
    same = _scores(same)
    assert same["score"] > scores["score"]
    assert same["sequence_length_score"] == pytest.approx(1.0)


def test_synthcity_benchmarks_time_series(cohorts, tmp_path):
    from synthcity.benchmark import Benchmarks

    from synth_plugins.synthcity.timeseries import dataset_to_timeseries_loader

    real, _ = cohorts
    loader, _ = dataset_to_timeseries_loader(real)
    entry = catalog.generator("longitudinal_lstm")
    results = Benchmarks.evaluate(
        [("ours", entry.name, dict(entry.synthcity_quick))],
        loader,
        metrics={"stats": ["longitudinal_fidelity"]},
        task_type="time_series",
        repeats=1,
        workspace=tmp_path,
        synthetic_size=40,
    )
    scores = _scores(results["ours"])
    assert set(KEYS) <= set(scores)
    assert 0.0 < scores["score"] <= 1.0


def test_sdmetrics_time_series_metric(cohorts):
    from sdmetrics.timeseries.base import TimeSeriesMetric

    from synth_plugins.sdv.sequential_metadata import sequential_metadata_for

    real, other = cohorts
    metric = TimeSeriesMetric.get_subclasses()["LongitudinalFidelity"]
    metadata = sequential_metadata_for(real).to_dict()["tables"][real.name]
    breakdown = metric.compute_breakdown(
        real.data, other.data, metadata, event_column="relapses", therapy_column="dmt"
    )
    assert 0.6 < breakdown["score"] <= 1.0 and "event_rate_score" in breakdown
    assert "het_exposure_synthetic_follow_up" in breakdown
    # the metadata declare EDSS categorical; as a number it gets its yearly trajectory
    numeric_edss = metric.compute_breakdown(
        real.data, other.data, metadata, categorical_columns=["switch"], parts=["trajectory"]
    )
    assert "trajectory_mean_abs_error_edss" in numeric_edss
    assert metric.compute(real.data, real.data, metadata) > breakdown["score"]
    assert metric.normalize(0.7) == pytest.approx(0.7)
    with pytest.raises(InvalidParameterError, match="sequence_key"):
        metric.compute(real.data, other.data)


def test_synthcity_plugin_switches_the_calibrations(cohorts):
    from synthcity.plugins import Plugins

    from synth_plugins.synthcity.timeseries import dataset_to_timeseries_loader

    real, _ = cohorts
    loader, _ = dataset_to_timeseries_loader(real)
    default = Plugins().get("longitudinal_lstm")
    assert default.core.calibrate_stop and default.core.calibrate_steps
    assert default.core.calibrate_levels and default.core.numerical_transform == "quantile"
    plugin = Plugins().get(
        "longitudinal_lstm", n_iter=1, static_n_iter=1, calibrate_stop=False,
        calibrate_steps=False, calibrate_levels=False, numerical_transform="minmax",
        residuals="scale_mixture",
    )  # fmt: skip
    plugin.fit(loader)
    assert plugin.core.visit_transform_.transform.__class__.__name__ == "MinMax"
    assert default.core.residuals == "gaussian" and plugin.core.residuals == "scale_mixture"
    assert not plugin.core.calibrate_stop and not plugin.core.calibrate_steps
    assert plugin.core.stop_shift_ == 0.0 and plugin.core.step_tilts_ == {}
    assert not plugin.core.calibrate_levels and plugin.core.level_offsets_ == {}
    with pytest.raises(InvalidParameterError, match="calibrate_steps"):
        Plugins().get("longitudinal_lstm", calibrate_steps="no")
    with pytest.raises(InvalidParameterError, match="residuals must be one of"):
        Plugins().get("longitudinal_lstm", residuals="student_t")


def test_synthcity_constraints_keep_or_drop_whole_sequences(cohorts, tmp_path, monkeypatch):
    """A rule on a temporal feature cut single visits out of sequences (Synthcity matches
    rows): visits per patient fell from 10.6 to 7.5 and the switch indicator no longer
    marked the DMT's changes. A sequence with a visit that breaks the rule is dropped
    whole, and more are drawn, so that ``count`` sequences come back."""
    from synthcity.plugins import Plugins
    from synthcity.plugins.core.constraints import Constraints

    from synth_plugins.synthcity.timeseries import dataset_to_timeseries_loader

    real, _ = cohorts
    loader, _ = dataset_to_timeseries_loader(real)
    plugin = Plugins().get("longitudinal_lstm", n_iter=1, static_n_iter=2, workspace=tmp_path)
    plugin.fit(loader)
    drawn = []
    sample = plugin.core.sample

    def recorded(*args, **kwargs):
        drawn.append(sample(*args, **kwargs))
        return drawn[-1]

    monkeypatch.setattr(plugin.core, "sample", recorded)
    rule = Constraints(rules=[("seq_temporal_edss", "le", 3.0)])
    generated = plugin.generate(count=20, constraints=rule, random_state=0).dataframe()
    assert generated["seq_id"].nunique() == 20
    assert generated["seq_temporal_edss"].max() <= 3.0
    # each sequence comes back with all its visits: its times are those of a drawn sequence
    whole = {tuple(g["seq_time_id"]) for d in drawn for _, g in d.groupby("seq_id")}
    assert all(tuple(g["seq_time_id"]) in whole for _, g in generated.groupby("seq_id"))
    plugin.sampling_patience = 1  # one draw of 20: some sequences break the rule
    with pytest.raises(InvalidParameterError, match="of 20 sequences met the constraints in 1"):
        plugin.generate(count=20, constraints=rule, random_state=0)


def test_synthcity_generate_gives_what_synthcitys_own_loaders_give(cohorts, tmp_path):
    """The vectorised loaders change no generated value: the same seed through Synthcity's
    ``_safe_generate_time_series`` and its row-by-row loaders gives the same loader."""
    from synthcity.plugins import Plugins
    from synthcity.plugins.core.constraints import Constraints

    from synth_plugins.synthcity.timeseries import dataset_to_timeseries_loader

    loader, _ = dataset_to_timeseries_loader(cohorts[0])
    plugin = Plugins().get("longitudinal_lstm", n_iter=1, static_n_iter=2, workspace=tmp_path)
    plugin.fit(loader)

    def synthcity_generate(count, syn_schema, **kwargs):  # the plugin's _generate until 7 Dec
        stream = np.random.default_rng(np.random.randint(0, 2**31 - 1))  # noqa: NPY002
        syn_schema = plugin._constrained_schema(plugin._relaxed(syn_schema))
        constraints = syn_schema.as_constraints()

        def sample(n):
            static, temporal, times, outcome = plugin._to_parts(
                plugin._whole_sequences(int(n), constraints, stream)
            )
            static = static if len(static.columns) else None
            return static, temporal, times, outcome if len(outcome.columns) else None

        return plugin._safe_generate_time_series(sample, count, syn_schema)

    rule = Constraints(rules=[("seq_temporal_edss", "le", 4.0)])
    mine = plugin.generate(count=12, constraints=rule, random_state=3)
    plugin._generate = synthcity_generate
    theirs = plugin.generate(count=12, constraints=rule, random_state=3)
    assert type(theirs).__name__ == "TimeSeriesDataLoader" and isinstance(mine, type(theirs))
    assert mine.info() == theirs.info()
    pd.testing.assert_frame_equal(mine.dataframe(), theirs.dataframe())
    for part in ("static_data", "outcome"):
        pd.testing.assert_frame_equal(mine.data[part], theirs.data[part])
    assert mine.data["observation_times"] == theirs.data["observation_times"]
    assert len(mine.data["temporal_data"]) == len(theirs.data["temporal_data"]) == 12
    for ours, synthcitys in zip(mine.data["temporal_data"], theirs.data["temporal_data"]):
        pd.testing.assert_frame_equal(ours, synthcitys)


def test_synthcity_filled_visit_values_keep_the_training_decimals(tmp_path):
    """Missing visit values were filled with the median (5.255, between 5.25 and 5.26),
    and the plugin wrote the 2-decimal column at the fill value's 3 decimals."""
    from synthcity.plugins import Plugins

    from synth_plugins.synthcity.timeseries import from_timeseries_loader, to_timeseries_loader

    rng = np.random.default_rng(4)  # the median of the observed values, 4.965, is none
    rows = [
        {"pid": patient, "t": float(visit), "sex": "FM"[patient % 2],
         "lab": np.nan if rng.random() < 0.2 else round(float(rng.normal(5, 1)), 2)}
        for patient in range(30) for visit in range(int(rng.integers(2, 6)))
    ]  # fmt: skip
    data = pd.DataFrame(rows)
    loader, spec = to_timeseries_loader(data, "pid", "t")
    assert spec.fill["lab"] in set(data["lab"])
    plugin = Plugins().get("longitudinal_lstm", n_iter=1, static_n_iter=2, workspace=tmp_path)
    lab = from_timeseries_loader(plugin.fit(loader).generate(count=30), spec)["lab"].dropna()
    assert np.allclose(lab, lab.round(2), rtol=0, atol=1e-9)


def test_synthcity_round_trip_gives_fresh_patient_ids_of_the_training_kind(cohorts):
    """Synthcity numbers sequences from 0; the long table never gets a real patient id."""
    from synthcity.plugins import Plugins

    from synth_plugins.synthcity.timeseries import (
        dataset_to_timeseries_loader,
        from_timeseries_loader,
        to_timeseries_loader,
    )

    real, _ = cohorts
    loader, spec = dataset_to_timeseries_loader(real)
    plugin = Plugins().get(
        "longitudinal_lstm", n_iter=1, static_n_iter=1, calibrate_stop=False,
        calibrate_steps=False, calibrate_levels=False,
    )  # fmt: skip
    plugin.fit(loader)
    ids = from_timeseries_loader(plugin.generate(count=30), spec)["patient_id"]
    first = 10 ** len(str(int(real.data["patient_id"].max())))  # the largest is not revealed
    assert ids.dtype == real.data["patient_id"].dtype
    assert sorted(ids.unique()) == list(range(first, first + 30))
    for dtype in (object, "string"):  # text keys stay text, in their dtype
        text = real.data.assign(
            patient_id=("PT" + real.data["patient_id"].astype(str)).astype(dtype)
        )
        text_loader, text_spec = to_timeseries_loader(
            text, "patient_id", "time", real.static_columns
        )
        back = from_timeseries_loader(text_loader, text_spec)["patient_id"]
        assert back.dtype == text["patient_id"].dtype
        assert back.nunique() == text["patient_id"].nunique()
        assert not back.isin(text["patient_id"]).any()


def test_sdv_synthesizer_switches_the_calibrations(cohorts):
    from synth_plugins.sdv import LongitudinalLSTMSynthesizer
    from synth_plugins.sdv.sequential_metadata import sequential_metadata_for

    real, _ = cohorts
    metadata = sequential_metadata_for(real)
    default = LongitudinalLSTMSynthesizer(metadata).get_parameters()
    assert default["calibrate_stop"] is True and default["calibrate_steps"] is True
    assert default["calibrate_levels"] is True and default["numerical_transform"] == "quantile"
    synthesizer = LongitudinalLSTMSynthesizer(
        metadata, epochs=1, static_epochs=1, calibrate_stop=False, calibrate_steps=False,
        calibrate_levels=False, numerical_transform="minmax", residuals="scale_mixture",
    )  # fmt: skip
    assert synthesizer.get_parameters()["calibrate_steps"] is False
    assert default["residuals"] == "gaussian"
    synthesizer.fit(real.data)
    model = synthesizer._model
    assert model is not None and not model.calibrate_stop and not model.calibrate_steps
    assert model.stop_shift_ == 0.0 and model.step_tilts_ == {} and model.level_offsets_ == {}
    assert model.numerical_transform == "minmax" and model.residuals == "scale_mixture"
    with pytest.raises(InvalidParameterError, match="calibrate_stop"):
        LongitudinalLSTMSynthesizer(metadata, calibrate_stop=1)
    with pytest.raises(InvalidParameterError, match="residuals must be one of"):
        LongitudinalLSTMSynthesizer(metadata, residuals="student_t")


#: The calibrations off: each fit of the change-indicator tests is a quick check of its rules.
QUICK = {"calibrate_stop": False, "calibrate_steps": False, "calibrate_levels": False}


@pytest.mark.parametrize(("indicators", "rules"), [({"switch": "dmt"}, 1), ({}, 0)])
def test_synthcity_plugin_takes_declared_change_indicators(cohorts, indicators, rules):
    """A switch flag is declared (or the rule turned off) by its feature names, as in the
    core; the plugin used to detect it only."""
    from synthcity.plugins import Plugins

    from synth_plugins.synthcity.timeseries import dataset_to_timeseries_loader

    loader, _ = dataset_to_timeseries_loader(cohorts[0])
    plugin = Plugins().get(
        "longitudinal_lstm", n_iter=1, static_n_iter=1, change_indicators=indicators, **QUICK
    )
    plugin.fit(loader)
    assert len(plugin.core.change_rules_) == rules


@pytest.mark.parametrize(("indicators", "rules"), [({"switch": "dmt"}, 1), ({}, 0)])
def test_sdv_synthesizer_takes_declared_change_indicators(cohorts, indicators, rules):
    """As the Synthcity plugin: the synthesizer used to detect the flag only."""
    from synth_plugins.sdv import LongitudinalLSTMSynthesizer
    from synth_plugins.sdv.sequential_metadata import sequential_metadata_for

    real, _ = cohorts
    metadata = sequential_metadata_for(real)
    synthesizer = LongitudinalLSTMSynthesizer(
        metadata, epochs=1, static_epochs=1, change_indicators=indicators, **QUICK
    )
    synthesizer.fit(real.data)
    assert synthesizer._model is not None
    assert len(synthesizer._model.change_rules_) == rules
    with pytest.raises(InvalidParameterError, match="change_indicators must map"):
        LongitudinalLSTMSynthesizer(metadata, change_indicators=["switch"])


def test_sdv_synthesizer_keeps_a_numerical_grid_on_its_grid():
    """An EDSS-like half-step grid of sdtype ``numerical`` (SDV's detection, the suite's
    metadata without roles) reached the core as a given ``numerical`` role, kept
    continuous: sampled values such as 0.4 and 1.1 lay off the grid. The core's own
    inference, which makes the grid ``ordinal``, now decides, as for its own users."""
    from sdv.metadata import Metadata

    from synth_plugins.generators.longitudinal_lstm import LongitudinalLSTM
    from synth_plugins.sdv import LongitudinalLSTMSynthesizer
    from synth_plugins.sdv.compat import single_table
    from synth_plugins.sdv.sequential_metadata import sequential_metadata_dict

    rng = np.random.default_rng(0)
    rows = [
        {"pid": p, "time": int(t), "edss": float(rng.choice([0, 1, 1.5, 2, 3])),
         "y": float(np.round(rng.normal(), 2))}
        for p in range(25)
        for t in np.cumsum(rng.integers(1, 30, rng.integers(2, 6)))
    ]  # fmt: skip
    data = pd.DataFrame(rows)
    described = sequential_metadata_dict(data, "pid", "time", table_name="t")
    assert described["tables"]["t"]["columns"]["edss"] == {"sdtype": "numerical"}
    synthesizer = LongitudinalLSTMSynthesizer(
        Metadata.load_from_dict(described), epochs=2, static_epochs=3, random_state=0
    )
    synthesizer.fit(data)
    core = LongitudinalLSTM("pid", "time", epochs=1, static_epochs=1).fit(data)
    assert synthesizer._model.roles_ == core.roles_
    assert synthesizer._model.roles_["edss"] == "ordinal"
    assert synthesizer._model.roles_["y"] == "numerical"
    sampled = single_table(synthesizer.sample(40))
    assert set(sampled["edss"].dropna()) <= set(data["edss"])


def test_sdv_synthesizer_keeps_the_datasets_ordinal_roles(cohorts):
    """``sequential_metadata_for`` wrote the registry's ``edss: ordinal`` as sdtype
    ``categorical``, which the synthesizer modelled as unordered levels: no step kernel and
    no step calibration (mean EDSS change 0.185 against 0.538 real)."""
    from synth_plugins.sdv import LongitudinalLSTMSynthesizer
    from synth_plugins.sdv.sequential_metadata import sequential_metadata_for

    real, _ = cohorts
    synthesizer = LongitudinalLSTMSynthesizer(
        sequential_metadata_for(real), epochs=1, static_epochs=1, **QUICK
    )
    synthesizer.fit(real.data)
    roles = synthesizer._model.roles_
    assert real.roles["edss"] == real.roles["baseline_edss"] == "ordinal"
    assert roles["edss"] == roles["baseline_edss"] == "ordinal"
    assert roles["relapses"] == "ordinal"  # an integer role on a grid, as in the core


def test_synthcity_round_trip_copies_no_per_patient_identifier_or_date():
    """A per-patient record number and a date of birth written as text went to Synthcity
    as text, which it label-encodes: every generated value was a real patient's."""
    import pandas as pd
    from synthcity.plugins import Plugins

    from synth_plugins.synthcity.timeseries import from_timeseries_loader, to_timeseries_loader

    born = pd.Timestamp("1950-01-01") + pd.to_timedelta(np.arange(60) * 211, "D")
    data = pd.DataFrame(
        {
            "pid": np.repeat(np.arange(60), 4),
            "t": np.tile([0.0, 30.0, 60.0, 90.0], 60),
            "mrn": np.repeat([f"MRN{p * 7919:06d}" for p in range(60)], 4),
            "dob": np.repeat(born.strftime("%Y-%m-%d"), 4),
            "edss": (np.arange(240) % 5).astype(float),
        }
    )
    loader, spec = to_timeseries_loader(data, "pid", "t")
    assert spec.static_columns == ("dob",) and [k.name for k in spec.patient_keys] == ["mrn"]
    plugin = Plugins().get("longitudinal_lstm", n_iter=1, static_n_iter=1, **QUICK)
    plugin.fit(loader)
    out = from_timeseries_loader(plugin.generate(count=20), spec)
    assert not out["mrn"].isin(data["mrn"]).any()
    assert (out.groupby("pid")["mrn"].nunique() == 1).all()  # one key per patient
    assert out["dob"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()  # written back as text
    assert out["dob"].isin(data["dob"]).mean() < 0.2


def test_sdv_synthesizer_refuses_what_it_would_ignore(cohorts):
    """SDV constraints and ``enforce_*=False`` were accepted and never applied: 61 % of
    sampled rows broke an added ``ScalarRange``."""
    from synth_plugins.sdv import LongitudinalLSTMSynthesizer
    from synth_plugins.sdv.sequential_metadata import sequential_metadata_for

    metadata = sequential_metadata_for(cohorts[0])
    synthesizer = LongitudinalLSTMSynthesizer(metadata, epochs=1, static_epochs=1)
    with pytest.raises(InvalidParameterError, match="does not apply SDV constraints"):
        synthesizer.add_constraints([{"constraint_class": "ScalarRange"}])
    for name in ("enforce_min_max_values", "enforce_rounding"):
        with pytest.raises(InvalidParameterError, match=f"{name}=False is not supported"):
            LongitudinalLSTMSynthesizer(metadata, **{name: False})


def test_sdv_synthesizer_refuses_the_processed_data_route(cohorts):
    """``auto_assign_transformers`` was accepted and ``get_transformers`` listed SDV
    transformers the model never uses; ``preprocess`` returned a processed table and
    ``fit_processed_data`` then failed with a bare ``NotImplementedError``. The route is
    refused by name, and ``get_transformers`` says no column has one (as PAR does)."""
    from synth_plugins.sdv import LongitudinalLSTMSynthesizer
    from synth_plugins.sdv.sequential_metadata import sequential_metadata_for

    dataset = cohorts[0]
    real = dataset.data
    synthesizer = LongitudinalLSTMSynthesizer(sequential_metadata_for(dataset), epochs=1)
    for method, args in (
        ("auto_assign_transformers", (real,)),
        ("preprocess", (real,)),
        ("fit_processed_data", (real,)),
        ("update_transformers", ({"age": None},)),
    ):
        with pytest.raises(InvalidParameterError, match=rf"{method}: .*call fit\(data\)"):
            getattr(synthesizer, method)(*args)
    transformers = synthesizer.get_transformers()
    assert set(transformers) == set(map(str, real.columns))
    assert all(value is None for value in transformers.values())


def _core_on_decoded(real_loader, other_loader, spec, dataset):
    """The core's figures on the long tables the loaders decode to."""
    from synth_plugins.metrics import longitudinal_fidelity
    from synth_plugins.synthcity.timeseries import from_timeseries_loader

    real, other = (from_timeseries_loader(x, spec) for x in (real_loader, other_loader))
    return longitudinal_fidelity(
        real, other, id_column=dataset.id_column, time_column=dataset.time_column,
        static_columns=list(spec.static_columns),
    )  # fmt: skip


def _part_scores(figures):
    return {k: v for k, v in figures.items() if k.endswith("score")}


def test_synthcity_scores_the_callers_sequences(cohorts, tmp_path):
    """Metrics.evaluate hands evaluators label-encoded samples of as many sequences as the
    smaller loader has; the suite's evaluator scores the caller's loaders, so the figure
    is the core's on all 80 real patients against the 50 synthetic ones."""

    from synth_plugins.synthcity.timeseries import dataset_to_timeseries_loader

    real = cohorts[0]
    other = load("ms_registry", n_patients=50, seed=1)
    (real_loader, spec), (other_loader, _) = map(dataset_to_timeseries_loader, (real, other))
    result = _fidelity(real_loader, other_loader, tmp_path)
    core = _core_on_decoded(real_loader, other_loader, spec, real)
    assert _scores(result)["score"] == pytest.approx(core.score)


def test_synthcity_reads_the_suites_codes_as_categories(cohorts, tmp_path, monkeypatch):
    """to_timeseries_loader codes the therapy and MRI columns; Synthcity's figure scored the
    codes as numbers (0.753 against the core's 0.794 on the decoded tables: the mean
    therapy code per year, 14 Spearman pairs instead of 5, and the predictive part on the
    therapy code, left out). The loaders Synthcity derives (train, test) keep which columns
    are codes, and the generator's output has the same columns."""
    from synthcity.plugins import Plugins

    from synth_plugins.metrics.longitudinal import prepare_tables
    from synth_plugins.synthcity.metrics.evaluators import LongitudinalFidelityEvaluator
    from synth_plugins.synthcity.timeseries import (
        dataset_to_timeseries_loader,
        from_timeseries_loader,
    )

    real = cohorts[0]
    loader, spec = dataset_to_timeseries_loader(real)
    train, test = loader.train(), loader.test()
    plugin = Plugins().get("longitudinal_lstm", n_iter=2, static_n_iter=5, workspace=tmp_path)
    synthetic = plugin.fit(train).generate()
    result = _fidelity(test, synthetic, tmp_path)
    core = _core_on_decoded(test, synthetic, spec, real)
    assert _scores(result) == pytest.approx(_part_scores(core.to_dict()))
    # the predictive part's default target, the first numerical visit column, is EDSS; on
    # the 16 test patients, fewer than its 20 per table, the part is left out for that
    decoded = [from_timeseries_loader(x, spec) for x in (test, synthetic)]
    tables = prepare_tables(*decoded, real.id_column, real.time_column, spec.static_columns)
    assert tables.numerical_visit[0] == "edss"
    assert "at least 20 patients per table" in core.errors["predictive"]
    # the caller's categorical_columns win: none, and the codes are numbers again
    monkeypatch.setattr(LongitudinalFidelityEvaluator, "options", {"categorical_columns": []})
    monkeypatch.setattr(LongitudinalFidelityEvaluator, "all_figures", True)
    as_numbers = _scores(_fidelity(test, synthetic, tmp_path))
    assert "trajectory_mean_abs_error_seq_temporal_dmt" in as_numbers


def test_synthcity_reads_filled_values_as_missing(tmp_path):
    """PBC visits have missing values (filled, with __observed indicators) in coded and
    numerical columns: Synthcity's figure is the core's on the decoded tables (it was 0.918
    against 0.921, the fills scored as values and the indicators as columns)."""
    from synth_plugins.synthcity.metrics.evaluators import LongitudinalFidelityEvaluator
    from synth_plugins.synthcity.timeseries import dataset_to_timeseries_loader

    pbc = load("pbc_visits")
    loader, spec = dataset_to_timeseries_loader(pbc)
    assert spec.observed and set(spec.levels) & set(spec.observed)
    train, test = loader.train(), loader.test()
    figures = LongitudinalFidelityEvaluator(workspace=tmp_path, use_cache=False).evaluate(
        test, train
    )
    core = _core_on_decoded(test, train, spec, pbc)
    assert figures["score"] == pytest.approx(core.score)


def test_synthcity_derived_loaders_keep_the_encodings(cohorts):
    from synthcity.plugins.core.dataloader import create_from_info

    from synth_plugins.synthcity.coded_loader import CodedTimeSeriesDataLoader, encodings
    from synth_plugins.synthcity.timeseries import dataset_to_timeseries_loader

    loader, _ = dataset_to_timeseries_loader(cohorts[0])
    expected = encodings(loader)
    assert expected[0] == {"seq_temporal_dmt": 11, "seq_temporal_mri_activity": 4}
    info = {**loader.info(), "seq_offset": 100}
    derived = [
        loader.train(),
        loader.test(),
        loader.sample(10),
        loader.from_info(loader.dataframe(), info),
    ]
    for other in derived:
        assert isinstance(other, CodedTimeSeriesDataLoader) and encodings(other) == expected
    plain = create_from_info(loader.dataframe(), loader.info())  # as a generator's output
    assert encodings(plain) == ({}, {}) and encodings(plain, loader) == expected


def test_synthcity_round_trip_keeps_nullable_visit_dtypes():
    """A visit column of pandas' Int64 with missing values came back as float64."""
    from synth_plugins.synthcity.timeseries import from_timeseries_loader, to_timeseries_loader

    data = pd.DataFrame(
        {
            "pid": np.repeat(np.arange(8), 3),
            "t": np.tile([0.0, 1.0, 2.0], 8),
            "n_meds": pd.array([1, None, 3] * 8, dtype="Int64"),
            "flag": pd.array([True, None, False] * 8, dtype="boolean"),
            "seen": pd.to_datetime(["2020-01-01", None, "2020-03-01"] * 8),
        }
    )
    loader, spec = to_timeseries_loader(data, "pid", "t")
    back = from_timeseries_loader(loader, spec)
    pd.testing.assert_frame_equal(back.drop(columns="pid"), data.drop(columns="pid"))


def test_synthcity_fits_nullable_per_patient_columns_and_gives_their_dtypes_back():
    """A static Int64 (or boolean) column with a missing value reached Synthcity's encoder
    as pd.NA among numbers: scikit-learn's "Encoders require their input argument must be
    uniformly strings or numbers. Got ['NAType', 'int']"."""
    from synthcity.plugins import Plugins

    from synth_plugins.synthcity.timeseries import from_timeseries_loader, to_timeseries_loader

    rng = np.random.default_rng(0)
    n = 30
    patients = pd.DataFrame(
        {
            "pid": np.arange(n),
            "born": pd.Series(rng.integers(1940, 1990, n), dtype="Int64"),
            "weight": pd.Series(rng.normal(70, 9, n).round(1), dtype="Float64"),
            "smoker": pd.Series(rng.random(n) < 0.3, dtype="boolean"),
            "relapses": pd.Series(rng.integers(0, 4, n), dtype="Int64"),
        }
    )
    patients.loc[np.arange(n) % 6 == 0, ["born", "weight", "smoker", "relapses"]] = pd.NA
    data = patients.loc[np.repeat(np.arange(n), 3)].reset_index(drop=True)
    data["t"] = np.tile([0.0, 1.0, 2.0], n)
    data["lab"] = rng.normal(size=len(data)).round(2)
    loader, spec = to_timeseries_loader(data, "pid", "t", outcome_columns=["relapses"])
    assert spec.static_columns == ("born", "weight", "smoker")
    plugin = Plugins().get("longitudinal_lstm", n_iter=1, static_n_iter=2, **QUICK)
    out = from_timeseries_loader(plugin.fit(loader).generate(count=20), spec)
    assert out.dtypes.to_dict() == data.dtypes.to_dict()


@pytest.mark.parametrize(
    ("column", "value", "match"),
    [
        ("lab", np.inf, r"column 'lab' holds infinite values"),
        ("site", 7, r"column 'site' mixes text with other values"),
    ],
)
def test_synthcity_fit_errors_name_the_users_column(column, value, match):
    """They named Synthcity's copy of it: 'seq_temporal_lab', 'seq_static_site'."""
    from synthcity.plugins import Plugins

    from synth_plugins.synthcity.timeseries import to_timeseries_loader

    data = pd.DataFrame(
        {
            "pid": np.repeat(np.arange(10), 3),
            "t": np.tile([0.0, 1.0, 2.0], 10),
            "site": np.repeat(np.array(["north", "south"] * 5, dtype=object), 3),
            "lab": np.linspace(1.0, 9.0, 30),
        }
    )
    data.loc[data["pid"] == 3, column] = value
    loader, _ = to_timeseries_loader(data, "pid", "t")
    plugin = Plugins().get("longitudinal_lstm", n_iter=1, static_n_iter=1, **QUICK)
    with pytest.raises(InvalidDataError, match=match):
        plugin.fit(loader)


def _dated_visits(dtype="datetime64[ns]"):
    """20 patients' 10 visits on dates (every 100 to 140 days), rows shuffled."""
    rng = np.random.default_rng(0)
    first = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 900, 20), "D")
    gaps = rng.integers(100, 141, (20, 10))
    gaps[:, 0] = 0
    since = pd.to_timedelta(gaps.cumsum(axis=1).ravel(), "D")
    data = pd.DataFrame(
        {
            "pid": np.repeat(np.arange(20), 10),
            "visit": pd.Series(first.repeat(10) + since),
            "lab": rng.normal(size=200).round(2),
        }
    )
    zone = getattr(pd.api.types.pandas_dtype(dtype), "tz", None)
    data["visit"] = data["visit"].dt.tz_localize(zone) if zone else data["visit"].astype(dtype)
    return data.sample(frac=1.0, random_state=1).reset_index(drop=True)


@pytest.mark.parametrize(
    "dtype", ["datetime64[ns]", "datetime64[s]", "datetime64[ns, Europe/Berlin]"]
)
def test_synthcity_round_trip_takes_datetime_visit_times_in_any_row_order(dtype):
    """to_timeseries_loader refused datetime64 visit times ("must be numeric") and rows not
    sorted by time, both of which SDV's synthesizer takes (it sorts them, as PAR does)."""
    from synth_plugins.synthcity.timeseries import from_timeseries_loader, to_timeseries_loader

    data = _dated_visits(dtype)
    loader, spec = to_timeseries_loader(data, "pid", "visit")
    times = loader.dataframe()["seq_time_id"]
    assert times.between(16436, 18500).all()  # days since 1970-01-01
    back = from_timeseries_loader(loader, spec)
    first_rows = pd.factorize(data["pid"])[0]  # patients in the order of their first row
    expected = data.iloc[np.lexsort((data["visit"], first_rows))].reset_index(drop=True)
    pd.testing.assert_frame_equal(back.drop(columns="pid"), expected.drop(columns="pid"))


def test_synthcity_generates_datetime_visit_times():
    from synthcity.plugins import Plugins

    from synth_plugins.synthcity.timeseries import from_timeseries_loader, to_timeseries_loader

    data = _dated_visits()
    loader, spec = to_timeseries_loader(data, "pid", "visit")
    plugin = Plugins().get("longitudinal_lstm", n_iter=2, static_n_iter=5, **QUICK)
    out = from_timeseries_loader(plugin.fit(loader).generate(count=10), spec)
    assert out["visit"].dtype == data["visit"].dtype
    assert out["visit"].notna().all() and (out["visit"] == out["visit"].dt.normalize()).all()
    gaps = out.groupby("pid", sort=False)["visit"].diff().dropna()
    assert (gaps > pd.Timedelta(0)).all()


def test_synthcity_fidelity_counts_years_of_dated_visit_times(tmp_path, monkeypatch):
    """Dated visit times reach Synthcity as days; the metric read them as years, so its
    per-year trajectory compared the first visit only ("year 0", the first day) and event
    rates were per patient-day. A lab that climbs each year in the real table and stays at
    its first value in the other scored as a perfect trajectory."""
    from synth_plugins.long_format import DAYS_PER_YEAR
    from synth_plugins.metrics import longitudinal_fidelity
    from synth_plugins.synthcity.metrics.evaluators import LongitudinalFidelityEvaluator
    from synth_plugins.synthcity.timeseries import to_timeseries_loader

    real = _dated_visits()
    since = real["visit"] - real.groupby("pid")["visit"].transform("min")
    real["lab"] = (since.dt.days // 365).astype(float) + real["lab"] / 10
    flat = real.assign(lab=real.groupby("pid")["lab"].transform(
        lambda s: s.loc[real.loc[s.index, "visit"].idxmin()]))  # fmt: skip
    (real_loader, _), (flat_loader, _) = (
        to_timeseries_loader(x, "pid", "visit", static_columns=[]) for x in (real, flat)
    )
    monkeypatch.setattr(LongitudinalFidelityEvaluator, "all_figures", True)
    figures = LongitudinalFidelityEvaluator(workspace=tmp_path, use_cache=False).evaluate(
        real_loader, flat_loader
    )
    in_days = [
        x.assign(visit=(x["visit"] - pd.Timestamp("1970-01-01")).dt.days).sort_values(
            ["pid", "visit"]
        )
        for x in (real, flat)
    ]
    keys = {"id_column": "pid", "time_column": "visit", "static_columns": []}
    years = longitudinal_fidelity(*in_days, **keys, time_per_year=DAYS_PER_YEAR).to_dict()
    days_as_years = longitudinal_fidelity(*in_days, **keys).to_dict()
    assert figures["trajectory_score"] == pytest.approx(years["trajectory_score"])
    assert figures["trajectory_score"] < days_as_years["trajectory_score"] - 0.1

"""Every catalog Synthcity plugin through Synthcity's own conventions, and its bad input."""

import pickle

import numpy as np
import pandas as pd
import pytest

import synth_plugins
from synth_plugins import catalog
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.generators.ck4gen import CK4Gen
from synth_plugins.testing import synthcity_conventions as kit
from synth_plugins.testing.adapter_defaults import check_adapter_defaults

ENTRIES = [pytest.param(e, id=e.name) for e in catalog.GENERATORS]


@pytest.fixture(scope="module", autouse=True)
def _registered():
    synth_plugins.register()


def plugin(name, **params):
    from synthcity.plugins import Plugins

    return Plugins().get(name, **{**catalog.generator(name).synthcity_quick, **params})


@pytest.fixture(scope="module")
def loaders():
    return {e.name: kit.loader_for(e, kit.small_dataset(e)) for e in catalog.GENERATORS}


@pytest.mark.parametrize("entry", ENTRIES)
def test_synthcity_conventions(entry):
    kit.check_synthcity_conventions(entry)


@pytest.mark.parametrize("entry", ENTRIES)
def test_adapter_defaults_are_the_cores(entry):
    check_adapter_defaults(entry)


def test_adapter_defaults_check_catches_drift_and_unknown_names():
    from dataclasses import replace

    entry = replace(
        catalog.generator("longitudinal_lstm"),
        sdv_synthesizer="tests.support.adapter_fixtures:DriftedSynthesizer",
    )
    with pytest.raises(AssertionError) as raised:
        check_adapter_defaults(entry)
    assert "sdv parameter 'patience' defaults to None, the core's patience to 10" in str(
        raised.value
    )
    assert "sdv parameter 'stop' maps to no parameter" in str(raised.value)
    assert "'epochs'" not in str(raised.value)


def test_every_core_hyper_parameter_reaches_the_core():
    """Arguments the Synthcity plugins once lacked reach the core."""
    from synthcity.plugins import Plugins

    ck4gen = {
        "dcm_k": 2, "dcm_gamma": 0.5, "n_time_grid": 20, "decoder_hidden": (8, 8),
        "decoder_loss": "mse", "discrete_decoding": "threshold", "redraw_copies": False,
        "copy_bins": None, "sample_with_replacement": True,
    }  # fmt: skip
    params = Plugins().get("ck4gen", **ck4gen).core_params
    assert {name: params[name] for name in ck4gen} == ck4gen
    med_vae = {"batch_norm": False, "numerical_activation": "linear", "clipvalue": None}
    core = Plugins().get("med_vae", loss_weights={"numerical": 10.0}, **med_vae).core
    assert {name: getattr(core, name) for name in med_vae} == med_vae
    assert core.loss_weights["numerical"] == 10.0
    lstm = {"static_params": {"beta": 0.1}, "sample_batch_size": 16}
    core = Plugins().get("longitudinal_lstm", **lstm).core
    assert {name: getattr(core, name) for name in lstm} == lstm


def test_adapter_defaults_check_catches_a_missing_core_parameter():
    """An adapter that leaves out a core hyper-parameter (the SDV Med-VAE adapter had no
    ``clipvalue``) fails, though every default it has is the core's."""
    from dataclasses import replace

    entry = replace(
        catalog.generator("med_vae"),
        sdv_synthesizer="tests.support.adapter_fixtures:MedVAEWithoutClipvalue",
    )
    with pytest.raises(AssertionError) as raised:
        check_adapter_defaults(entry)
    assert str(raised.value).count("\n  - ") == 1
    assert "core parameter 'clipvalue'" in str(raised.value)
    assert "has no sdv parameter" in str(raised.value)


def test_plugins_survive_reload_for_every_later_instance():
    from synthcity.plugins import Plugins

    plugins = Plugins()
    plugins.reload()
    for entry in catalog.GENERATORS:
        assert entry.name in plugins.list()  # the instance that reloaded
        assert entry.name in Plugins().list()
    assert "longitudinal_lstm" not in Plugins(categories=["generic"]).list()


@pytest.mark.parametrize("count", [0, -5, 2.5, True])
@pytest.mark.parametrize("name", [e.name for e in catalog.GENERATORS])
def test_generate_refuses_counts_below_one(name, count, loaders):
    fitted = _fitted(name, loaders)
    with pytest.raises(InvalidParameterError, match="count must be an integer >= 1"):
        fitted.generate(count=count)


@pytest.mark.parametrize(
    "name", [e.name for e in catalog.GENERATORS if e.synthcity_type != "time_series"]
)
def test_a_constraint_on_text_is_refused_by_name(name, loaders):
    """Synthcity compares a text column's label codes (``int('yes')`` failed inside it)."""
    from synthcity.plugins.core.constraints import Constraints

    fitted = _fitted(name, loaders)
    column = loaders[name].dataframe().columns[0]
    for value in ("level", ["level", "other"]):
        rule = Constraints(rules=[(column, "in" if isinstance(value, list) else "==", value)])
        with pytest.raises(InvalidParameterError, match=rf"column '{column}' with text.*query"):
            fitted.generate(count=3, constraints=rule)


@pytest.mark.parametrize(
    "name", [e.name for e in catalog.GENERATORS if e.synthcity_type != "time_series"]
)
def test_strict_bounds_hold_on_integer_and_float_columns(name):
    """Synthcity's schema ignores ``>``/``<``; made ``>= v + tiny``, an integer column's
    bound was truncated back to ``v`` and the final check failed ("failed to meet the
    synthetic constraints")."""
    from synthcity.plugins.core.constraints import Constraints
    from synthcity.plugins.core.dataloader import GenericDataLoader, SurvivalAnalysisDataLoader

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 90, 300),
            "bmi": rng.normal(27, 4, 300).round(1),
            "time": rng.exponential(100, 300).round(1) + 1,
            "event": rng.integers(0, 2, 300),
        }
    )
    if catalog.generator(name).synthcity_type == "survival_analysis":
        loader = SurvivalAnalysisDataLoader(
            frame, time_to_event_column="time", target_column="event"
        )
    else:
        loader = GenericDataLoader(frame)
    fitted = plugin(name).fit(loader)
    for column, low, high in (("age", 40, 60), ("bmi", 25.0, 29.0)):
        rules = Constraints(rules=[(column, ">", low), (column, "<", high)])
        generated = fitted.generate(count=20, constraints=rules, random_state=0).dataframe()
        assert len(generated) == 20, column
        assert generated[column].gt(low).all() and generated[column].lt(high).all(), column
    # an inclusive bound between whole numbers was truncated the same way
    rules = Constraints(rules=[("age", ">=", 40.5), ("age", "<=", 59.5)])
    generated = fitted.generate(count=20, constraints=rules, random_state=0).dataframe()
    assert len(generated) == 20 and generated["age"].between(41, 59).all()


@pytest.mark.parametrize("name", ["mle_copula", "ctabgan_plus"])
def test_constraints_on_a_column_of_few_numbers_hold_on_its_values(name):
    """Synthcity label-encodes a column of fewer than 15 values and its sampling filter
    compared the codes: ``stage == 4`` gave no rows, ``stage >= 3`` only 4s, ``stage in
    [1, 2]`` failed "to meet the synthetic constraints"; ``dose >= 1.2`` (levels 0.5 to
    3.5) was rounded to ``dose >= 2`` as on an integer column and lost 1.5."""
    from synthcity.plugins.core.constraints import Constraints

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "age": rng.normal(60, 10, 160).round(1),
            "stage": rng.choice([1, 2, 3, 4], 160),
            "dose": rng.choice([0.5, 1.5, 2.5, 3.5], 160),
        }
    )
    fitted = plugin(name, **_short(name)).fit(frame)
    for rule, levels in (
        (("stage", "==", 4), {4}),
        (("stage", ">=", 3), {3, 4}),
        (("stage", ">", 2), {3, 4}),
        (("stage", "in", [1, 2]), {1, 2}),
        (("dose", ">=", 1.2), {1.5, 2.5, 3.5}),
    ):
        generated = fitted.generate(count=30, constraints=Constraints(rules=[rule]), random_state=0)
        assert len(generated) == 30, rule
        assert set(generated.dataframe()[rule[0]]) == levels, rule  # every allowed level
    with pytest.raises(InvalidParameterError, match=r"'stage'.*\[1, 2, 3, 4\].*none of them"):
        fitted.generate(count=5, constraints=Constraints(rules=[("stage", "==", 5)]))
    # a dtype rule names a type, not a text value to compare with
    typed = fitted.generate(count=5, constraints=Constraints(rules=[("stage", "dtype", "int")]))
    assert len(typed) == 5


@pytest.mark.parametrize("name", ["mle_copula", "ctabgan_plus"])
def test_an_in_rule_on_a_column_of_many_numbers_holds(name):
    """``Schema.from_constraints`` drops ``in`` on a numeric column: the rows were not
    filtered on it while drawn, and the final check failed "to meet the synthetic
    constraints"."""
    from synthcity.plugins.core.constraints import Constraints

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"n": rng.integers(0, 40, 300), "bmi": rng.normal(27, 4, 300)})
    fitted = plugin(name, **_short(name)).fit(frame)
    for rules, values in (
        ([("n", "in", [3, 4, 5])], {3, 4, 5}),
        ([("n", "in", [3, 4, 5]), ("n", ">", 3)], {4, 5}),
    ):
        generated = fitted.generate(count=30, constraints=Constraints(rules=rules), random_state=0)
        assert len(generated) == 30, rules
        assert set(generated.dataframe()["n"]) == values, rules


@pytest.mark.parametrize(
    "rules",
    [
        [("age", ">", 200.0)],  # Synthcity: a pydantic "Invalid range for 'age'" error
        [("age", "==", 500.0)],  # Synthcity: sampling_patience draws in vain
        [("age", ">", 70.0), ("age", "<", 50.0)],  # each within range, never together
    ],
)
def test_rules_no_value_of_the_training_range_meets_are_refused_by_column(rules):
    from synthcity.plugins.core.constraints import Constraints

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"age": rng.normal(60, 10, 160).round(1), "bmi": rng.normal(27, 4, 160)})
    fitted = plugin("mle_copula").fit(frame)
    low, high = frame["age"].min(), frame["age"].max()
    with pytest.raises(
        InvalidParameterError, match=rf"'age'.*training range \[{low:g}, {high:g}\]"
    ):
        fitted.generate(count=5, constraints=Constraints(rules=rules))
    # rules some value in range meets are left to Synthcity's sampling
    kept = [("age", ">", 55.0), ("age", "<", 56.0)]
    assert len(fitted.generate(count=5, constraints=Constraints(rules=kept))) == 5


@pytest.mark.parametrize("name", [e.name for e in catalog.GENERATORS])
def test_random_state_is_an_integer_seed(name, loaders):
    """None was accepted, then failed in ``fit`` inside Synthcity's schema (pydantic);
    a numpy integer failed in Python's ``random.seed``."""
    for wrong in (None, "1", 1.5):
        with pytest.raises(InvalidParameterError, match=r"integer seed in \[0, 2\*\*32\)"):
            plugin(name, random_state=wrong)
    fitted = plugin(name, random_state=np.int64(3))
    assert fitted.random_state == 3 and type(fitted.random_state) is int


_FITTED = {}


def _fitted(name, loaders):
    if name not in _FITTED:
        _FITTED[name] = plugin(name).fit(loaders[name])
    return _FITTED[name]


# Synthcity's own TimeSeriesDataLoader refuses empty temporal data ("Empty temporal data")
# before a plugin sees it, so only tabular and survival plugins can be handed no rows.
@pytest.mark.parametrize(
    "name", [e.name for e in catalog.GENERATORS if e.synthcity_type != "time_series"]
)
def test_empty_training_data_is_named(name, loaders):
    empty = _empty_like(loaders[name])
    with pytest.raises(InvalidDataError, match="without rows"):
        plugin(name).fit(empty)


def _empty_like(loader):
    from synthcity.plugins.core.dataloader import (
        GenericDataLoader,
        SurvivalAnalysisDataLoader,
    )

    frame = loader.dataframe().iloc[:0]
    if loader.type() == "survival_analysis":
        info = loader.info()
        return SurvivalAnalysisDataLoader(
            frame, target_column=info["target_column"],
            time_to_event_column=info["time_to_event_column"],
        )  # fmt: skip
    return GenericDataLoader(frame)


class TestCK4GenSurvivalInput:
    """What Synthcity's survival loaders would reject obscurely is named first."""

    @pytest.fixture(scope="class")
    def gbsg2(self):
        from synth_plugins.datasets import load

        return load("gbsg2")

    @pytest.mark.parametrize(
        ("edit", "message"),
        [
            (lambda d: d.iloc[:1], "'time' has 1 distinct values"),
            (lambda d: d.iloc[:0], "without rows"),
            (
                lambda d: d.assign(time=d.time.where(d.index % 7 > 0)),
                "'time' of data has 98 missing",
            ),
            (
                lambda d: d.assign(time=d.time.where(d.index % 7 > 0, 0.0)),
                r"'time' of data has 98 value\(s\) <= 0",
            ),
            (lambda d: d.assign(time=-d.time), r"value\(s\) <= 0"),
            (lambda d: d.assign(cens=d.cens * 2), "event column 'cens' of data must hold 0"),
        ],
        ids=["one row", "empty", "NaN durations", "zero durations", "negative", "events 0/2"],
    )
    def test_to_dataloader_names_the_problem(self, gbsg2, edit, message):
        from synth_plugins.synthcity.loaders import to_dataloader

        with pytest.raises(InvalidDataError, match=message):
            to_dataloader(gbsg2, edit(gbsg2.data))

    def test_a_synthcity_loader_with_one_row_is_refused_before_synthcity_encodes_it(self, gbsg2):
        from synthcity.plugins.core.dataloader import SurvivalAnalysisDataLoader

        loader = SurvivalAnalysisDataLoader(
            gbsg2.data.iloc[:10], target_column="cens", time_to_event_column="time"
        )
        with pytest.raises(InvalidDataError, match="'time' has 10 distinct values"):
            plugin("ck4gen").fit(loader)

    @pytest.mark.parametrize("argument", ["tte_strategy", "uncensoring_model",
                                          "dataloader_sampling_strategy"])  # fmt: skip
    def test_synthcity_survival_arguments_are_refused_by_name(self, argument):
        with pytest.raises(InvalidParameterError, match=f"does not support {argument}"):
            plugin("ck4gen", **{argument: "survival_function"})
        assert plugin("ck4gen", **{argument: None}) is not None

    def test_model_mode_options_reach_the_core(self):
        # every option added since fits were first saved (all off, the censoring law
        # stratified: its legacy value is the default), and calibrate_levels
        legacy = {**CK4Gen.LEGACY_PARAMS, "censoring_model": "stratified"}
        options = {"outcome": "model", "calibrate_levels": False, **legacy}
        core_params = plugin("ck4gen", **options).core_params
        assert {name: core_params[name] for name in options} == options

    @pytest.mark.parametrize("option", list(CK4Gen.LEGACY_PARAMS))
    def test_a_plugin_saved_before_an_option_refits_with_its_legacy_value(self, option):
        old = plugin("ck4gen")
        del old.core_params[option]  # as saved by an earlier version
        restored = pickle.loads(pickle.dumps(old)).core_params[option]
        assert restored == CK4Gen.LEGACY_PARAMS[option]
        assert type(restored) is type(CK4Gen.LEGACY_PARAMS[option])

    @pytest.mark.parametrize("event", [1, True], ids=["int", "bool"])
    def test_a_cohort_where_every_row_has_an_event_is_fitted(self, event):
        """Synthcity codes the one class 0; the core read it as "all rows censored"."""
        from synthcity.plugins.core.dataloader import SurvivalAnalysisDataLoader

        rng = np.random.default_rng(0)
        durations = np.round(rng.exponential(10, 80), 1) + 1
        data = pd.DataFrame({"x": rng.normal(size=80), "t": durations, "e": event})
        loader = SurvivalAnalysisDataLoader(data, time_to_event_column="t", target_column="e")
        fitted = plugin("ck4gen", n_iter=2).fit(loader)
        assert fitted.core_codes.values("e", np.array([0])).tolist() == [1.0]
        # rows the core censors at the longest follow-up have no code: drawn again
        events = fitted.generate(count=200, random_state=0).dataframe()["e"]
        assert len(events) == 200 and (events == event).all()
        assert events.dtype == data["e"].dtype

    def test_cond_is_refused_at_fit_and_generate(self, loaders):
        loader = loaders["ck4gen"]
        with pytest.raises(InvalidParameterError, match="does not support cond"):
            plugin("ck4gen").fit(loader, cond=loader.dataframe()["cens"])
        fitted = _fitted("ck4gen", loaders)
        fitted.expecting_conditional = True  # as if fitted with cond, to reach generate
        with pytest.raises(InvalidParameterError, match="does not support cond"):
            fitted.generate(count=3, cond=np.ones(3))
        fitted.expecting_conditional = False


#: The plugins that wrap a tabular core (its fit sees the frame Synthcity label-encoded).
CORE_PLUGINS = [e.name for e in catalog.GENERATORS if e.synthcity_type != "time_series"]


def _short(name):
    """Two epochs for a plugin that trains for epochs."""
    return {"n_iter": 2} if "n_iter" in catalog.generator(name).synthcity_quick else {}


class TestLabelCodesReachTheCoreAsTheDataMeanThem:
    """Synthcity codes a missing text value as one more level, and ordered levels by their
    sorted text; the cores saw neither as what it is."""

    @pytest.fixture(scope="class")
    def table(self):
        from synth_plugins.datasets import load

        data = load("gbsg2").data.sample(300, random_state=0).reset_index(drop=True)
        data.loc[10:40, "horTh"] = np.nan  # 31 missing text values
        grade = pd.CategoricalDtype(["low", "medium", "high"], ordered=True)  # not text order
        names = {"I": "low", "II": "medium", "III": "high"}
        return data.assign(tgrade=data["tgrade"].map(names).astype(grade))

    @staticmethod
    def _loader(name, table):
        from synthcity.plugins.core.dataloader import (
            GenericDataLoader,
            SurvivalAnalysisDataLoader,
        )

        if name == "ck4gen":
            return SurvivalAnalysisDataLoader(
                table, target_column="cens", time_to_event_column="time"
            )
        return GenericDataLoader(table)

    @pytest.mark.parametrize("name", CORE_PLUGINS)
    def test_missing_values_and_ordered_levels(self, name, table):
        fitted = plugin(name, **_short(name)).fit(self._loader(name, table))
        # two levels and missing values: binary, not a third level; the grades in order
        assert fitted.core.roles["horTh"] == "binary"
        assert fitted.core.roles["tgrade"] == "ordinal"
        encoder = fitted._data_encoders["tgrade"]
        codes = encoder.transform(["low", "medium", "high"])
        assert fitted.core_codes.values("tgrade", codes).tolist() == [0, 1, 2]
        synthetic = fitted.generate(count=200, random_state=0).dataframe()
        assert set(synthetic["horTh"].dropna()) <= {"no", "yes"}
        assert set(synthetic["tgrade"]) <= {"low", "medium", "high"}

    @pytest.mark.parametrize("name", ["med_vae", "ck4gen"])
    def test_the_missing_policy_applies_to_text_columns(self, name, table):
        """missing="impute" generated the 31 missing values back; "error" took them."""
        loader = self._loader(name, table)
        imputed = plugin(name, **_short(name), missing="impute").fit(loader)
        assert imputed.generate(count=300, random_state=0).dataframe()["horTh"].notna().all()
        with pytest.raises(InvalidDataError, match="'horTh' has 31 missing"):
            plugin(name, **_short(name), missing="error").fit(loader)
        kept = plugin(name, **_short(name), missing="indicator").fit(loader)
        assert kept.generate(count=300, random_state=0).dataframe()["horTh"].isna().any()


def test_core_codes_map_the_missing_class_and_the_level_order_both_ways():
    from sklearn.preprocessing import LabelEncoder

    from synth_plugins.synthcity.core_codes import CoreCodes

    encoders = {
        "grade": LabelEncoder().fit(np.array(["medium", "low", "high", np.nan], dtype=object)),
        "sex": LabelEncoder().fit(np.array(["f", "m"], dtype=object)),  # left as it is
        "scale": object(),  # not a label encoder: left as it is
    }
    codes = CoreCodes.of(encoders, {"grade": ["low", "medium", "high"]})
    assert set(codes.tables) == {"grade"} and codes.ordinal == {"grade"}
    np.testing.assert_array_equal(codes.tables["grade"], [2.0, 0.0, 1.0, np.nan])
    frame = pd.DataFrame({"grade": [0, 1, 2, 3], "sex": [0, 1, 1, 0]})
    core = codes.to_core(frame)
    np.testing.assert_array_equal(core["grade"], [2.0, 0.0, 1.0, np.nan])
    pd.testing.assert_series_equal(core["sex"], frame["sex"])
    pd.testing.assert_frame_equal(codes.from_core(core), frame)
    assert codes.roles({"grade": "categorical", "sex": "binary"}) == {
        "grade": "ordinal",
        "sex": "binary",
    }
    unordered = CoreCodes.of(encoders, {})  # the missing class alone
    np.testing.assert_array_equal(unordered.tables["grade"], [0.0, 1.0, 2.0, np.nan])
    assert not unordered.ordinal


def test_core_codes_give_the_core_an_outcome_column_s_values():
    """An all-event column is Synthcity's class [1], code 0: the core reads 1 and any
    value without a code drops its row (Synthcity could not decode it)."""
    from sklearn.preprocessing import LabelEncoder

    from synth_plugins.synthcity.core_codes import CoreCodes

    encoders = {"event": LabelEncoder().fit([True]), "sex": LabelEncoder().fit(["f", "m"])}
    codes = CoreCodes.of(encoders, {}, outcomes=("time", "event"))
    assert set(codes.tables) == {"event"}  # a two-valued event column's codes are its values
    frame = pd.DataFrame({"event": [0, 0, 0], "sex": [0, 1, 0]})
    core = codes.to_core(frame)
    assert core["event"].tolist() == [1.0, 1.0, 1.0]
    core.loc[1, "event"] = 0.0  # censored at the longest follow-up: no code
    back = codes.from_core(core)
    assert back["event"].tolist() == [0, 0] and back["sex"].tolist() == [0, 0]
    assert not CoreCodes.of(encoders, {}).tables  # not an outcome: codes as they are


class TestLongitudinalSynthcityConventions:
    def test_static_data_and_observation_times_are_refused(self, loaders):
        fitted = _fitted("longitudinal_lstm", loaders)
        static, _, times, _ = loaders["longitudinal_lstm"].unpack()
        with pytest.raises(InvalidParameterError, match="does not support static_data"):
            fitted.generate(count=3, static_data=static)
        with pytest.raises(InvalidParameterError, match="does not support observation_times"):
            fitted.generate(count=3, observation_times=times)

    def test_time_series_survival_loader(self, loaders):
        from synthcity.plugins.core.dataloader import TimeSeriesSurvivalDataLoader

        static, temporal, times, _ = loaders["longitudinal_lstm"].unpack()
        rng = np.random.default_rng(0)
        T = pd.Series(rng.uniform(1, 10, len(temporal)))
        E = pd.Series(rng.integers(0, 2, len(temporal)))
        loader = TimeSeriesSurvivalDataLoader(
            temporal_data=temporal, observation_times=times, T=T, E=E, static_data=static
        )
        generated = plugin("longitudinal_lstm").fit(loader).generate(count=5)
        assert generated.type() == "time_series_survival"
        assert len(generated.ids()) == 5
        _, _, _, T_syn, E_syn = generated.unpack()
        assert set(np.unique(E_syn)) <= {0, 1}
        assert T_syn.between(T.min(), T.max()).all()

    @pytest.mark.parametrize(
        ("change", "match"),
        [
            ({"E": lambda e: e + 1}, r"event column 'event' of the loader's outcome"),
            ({"T": lambda t: t.where(t.index != 0, -1.0)}, r"'time_to_event' .* <= 0"),
            ({"T": lambda t: t.where(t.index != 0, np.nan)}, r"'time_to_event'"),
        ],
    )
    def test_time_series_survival_outcomes_follow_the_suites_rule(self, loaders, change, match):
        """Events coded 1/2, a negative or a missing duration: Synthcity's loader takes
        them, and the model generated them back; CK4Gen refuses them, and so does this."""
        from synthcity.plugins.core.dataloader import TimeSeriesSurvivalDataLoader

        static, temporal, times, _ = loaders["longitudinal_lstm"].unpack()
        rng = np.random.default_rng(0)
        outcome = {
            "T": pd.Series(rng.uniform(1, 10, len(temporal))),
            "E": pd.Series(rng.integers(0, 2, len(temporal))),
        }
        for key, edit in change.items():
            outcome[key] = edit(outcome[key])
        loader = TimeSeriesSurvivalDataLoader(
            temporal_data=temporal, observation_times=times, static_data=static, **outcome
        )
        with pytest.raises(InvalidDataError, match=match):
            plugin("longitudinal_lstm").fit(loader)

    @pytest.mark.parametrize("role", ["inferred", "static", "outcome"])
    def test_an_all_missing_per_patient_column_is_named_as_the_user_wrote_it(self, role):
        """It was refused at fit as Synthcity's copy 'seq_static_z' (or 'seq_out_z')."""
        from synth_plugins.synthcity.timeseries import to_timeseries_loader

        rng = np.random.default_rng(0)
        data = pd.DataFrame({
            "pid": np.repeat(np.arange(10), 3), "time": np.tile([1, 4, 9], 10),
            "y": rng.normal(size=30), "w": np.repeat(np.arange(10) % 2, 3), "z": np.nan,
        })  # fmt: skip
        columns = {"static": {"static_columns": ["z"]}, "outcome": {"outcome_columns": ["z"]}}
        with pytest.raises(InvalidDataError, match=r"column 'z' has no observed values"):
            to_timeseries_loader(data, "pid", "time", **columns.get(role, {}))

    def test_an_all_missing_static_column_of_a_synthcity_loader_is_named_as_given(self, loaders):
        from synthcity.plugins.core.dataloader import TimeSeriesDataLoader

        static, temporal, times, _ = loaders["longitudinal_lstm"].unpack()
        loader = TimeSeriesDataLoader(
            temporal_data=temporal, observation_times=times, static_data=static.assign(z=np.nan)
        )
        with pytest.raises(InvalidDataError, match=r"^column 'z' has no observed values"):
            plugin("longitudinal_lstm").fit(loader)

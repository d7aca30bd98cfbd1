"""Identifier, date and text-number columns are held away from Synthcity's encoders."""

import numpy as np
import pandas as pd
import pytest
from synthcity.plugins.core.dataloader import GenericDataLoader

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.synthcity.held_columns import hold_columns


def _table(n: int = 30) -> pd.DataFrame:
    days = pd.Timestamp("2015-01-01") + pd.to_timedelta(np.arange(n) * 11, "D")
    return pd.DataFrame(
        {
            "record": [f"syn_{i}" for i in range(n)],  # keys that start with the fresh prefix
            "age": np.linspace(20, 80, n),
            "seen": days.strftime("%d/%m/%Y"),
            "patient_id": np.arange(500, 500 + n),
            "lab": [f"{v:.2f}" for v in np.linspace(10, 40, n)],
        }
    )


def test_identifiers_are_taken_out_and_text_dates_parsed():
    data = _table()
    loader, held = hold_columns(data)
    frame = loader.dataframe()
    assert list(frame.columns) == ["age", "seen", "lab"]
    assert frame["seen"].iloc[1] - frame["seen"].iloc[0] == 11  # days since 1970-01-01
    assert pd.api.types.is_float_dtype(frame["lab"])
    assert held.dates["seen"].fmt == "%d/%m/%Y"
    assert held.text_numbers == {"lab": 2}


def test_dates_and_numbers_with_a_stray_value_are_refused_before_synthcity():
    """One ``"unknown"`` among dates written as text made the column a key (fresh keys,
    every date lost); one ``"<5"`` among numbers (text, or floats and text mixed) reached
    Synthcity as levels. Both are refused naming the column and the value; a pandas
    category (the declaration of text a Synthcity loader carries) is not."""
    data = _table()
    mixed = data["lab"].astype(float).astype(object)
    for column, values in (("seen", data["seen"]), ("lab", data["lab"]), ("lab", mixed)):
        table = data.assign(**{column: values.where(data.index != 3, "unknown")})
        with pytest.raises(InvalidDataError, match=rf"'{column}' holds .*'unknown' \(1 row\)"):
            hold_columns(table)
        # as a category the column is text: levels, or a key where nearly every value differs
        _, held = hold_columns(table.assign(**{column: table[column].astype("category")}))
        assert column not in held.dates and column not in held.text_numbers


def test_whole_number_keys_stored_as_floats_are_identifiers_too():
    """A key column with missing values is float; it was modelled as a number, so synthetic
    record numbers fell among the real ones."""
    data = _table()[["age"]].assign(mrn=np.arange(9_974_700, 9_974_730, dtype=float))
    data.loc[3, "mrn"] = np.nan
    loader, held = hold_columns(data)
    assert list(loader.dataframe().columns) == ["age"]
    out = held.restore(GenericDataLoader(loader.dataframe())).dataframe()
    assert out["mrn"].min() == 10_000_000 and out["mrn"].is_unique


def test_record_numbers_not_named_like_keys_get_fresh_keys(tmp_path):
    """600 distinct record numbers between 100000 and 101999 named ``record_no`` were
    modelled as a number: 588 of 2000 generated values equalled a training key."""
    from synthcity.plugins import Plugins

    import synth_plugins

    synth_plugins.register()
    rng = np.random.default_rng(0)
    keys = rng.choice(np.arange(100_000, 102_000), 600, replace=False)
    data = pd.DataFrame({"record_no": keys, "age": rng.integers(18, 95, 600)})
    plugin = Plugins().get("mle_copula", workspace=str(tmp_path)).fit(GenericDataLoader(data))
    out = plugin.generate(count=2000, random_state=0).dataframe()
    assert not out["record_no"].isin(keys).any() and out["record_no"].is_unique


@pytest.mark.parametrize("declared", ["record_no", ["record_no"], ("record_no", "ward")])
def test_declared_identifier_columns_get_fresh_keys(declared, tmp_path):
    """Keys spread too sparsely for the rule (600 record numbers between 100000 and 999999)
    were modelled as numbers, and a Synthcity plugin had no way to say they were keys: its
    loaders name targets and outcomes, never keys. ``identifier_columns`` declares them."""
    from synthcity.plugins import Plugins

    import synth_plugins

    synth_plugins.register()
    rng = np.random.default_rng(0)
    keys = rng.choice(np.arange(100_000, 1_000_000), 600, replace=False)
    data = pd.DataFrame(
        {
            "record_no": keys,
            "age": rng.integers(18, 95, 600),
            "ward": pd.Categorical(rng.choice(["icu", "gen", "onco"], 600)),
        }
    )
    assert hold_columns(data)[1].keys == ()  # sparse: the rule reads a number
    plugin = Plugins().get("mle_copula", identifier_columns=declared, workspace=str(tmp_path))
    out = plugin.fit(GenericDataLoader(data)).generate(count=300, random_state=0).dataframe()
    held = {spec.name for spec in plugin.held_columns.keys}
    assert held == ({declared} if isinstance(declared, str) else set(declared))
    for column in held:
        assert not out[column].astype(str).isin(data[column].astype(str)).any(), column
        assert out[column].is_unique and str(out[column].dtype) == str(data[column].dtype)
    assert list(out.columns) == list(data.columns)


def test_identifier_columns_must_name_columns_that_are_not_the_outcome(tmp_path):
    """A declared column the data lacks, or the duration of a survival loader, is refused
    by name; a time-series plugin refuses the option (its loader holds the keys)."""
    from synthcity.plugins import Plugins

    import synth_plugins
    from synth_plugins.datasets import load
    from synth_plugins.synthcity.loaders import to_dataloader

    synth_plugins.register()
    plugin = Plugins().get("mle_copula", identifier_columns=["mrn"], workspace=str(tmp_path))
    with pytest.raises(InvalidParameterError, match=r"identifier_columns names \['mrn'\], not"):
        plugin.fit(GenericDataLoader(_table()))
    loader = to_dataloader(load("gbsg2"))
    duration = loader.time_to_event_column
    survival = Plugins().get("ck4gen", identifier_columns=duration, workspace=str(tmp_path))
    with pytest.raises(InvalidParameterError, match="loader gives a meaning"):
        survival.fit(loader)
    with pytest.raises(InvalidParameterError, match="longitudinal_lstm does not support"):
        Plugins().get("longitudinal_lstm", identifier_columns=["x"], workspace=str(tmp_path))
    with pytest.raises(InvalidParameterError, match="a column name or a list"):
        Plugins().get("mle_copula", identifier_columns=3, workspace=str(tmp_path))
    named = Plugins().get("mle_copula", identifier_columns=pd.Index(["record"]), workspace=tmp_path)
    assert named.identifier_columns == ("record",)


def _yearly_series(n: int = 120) -> pd.DataFrame:
    """A yearly series: ``year`` is a run of distinct whole numbers (data, read as keys by
    the suite's rule), ``mrn`` a key named like one."""
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "year": np.arange(1901, 1901 + n),
            "rainfall": rng.normal(800, 120, n),
            "mrn": np.arange(70_000, 70_000 + n),
        }
    )


@pytest.mark.parametrize("name", ["mle_copula", "ctabgan_plus", "med_vae", "ck4gen"])
def test_detect_identifiers_false_models_the_columns_the_rule_reads_as_keys(name, tmp_path):
    """The year of each row of a yearly series reads as keys (distinct whole numbers in a
    run) and got fresh keys (10000, 10001, ...), with no way for a Synthcity user to have
    it modelled. ``detect_identifiers=False`` models it; declared keys are still held, and
    the option survives save/load."""
    from synthcity.plugins import Plugins
    from synthcity.plugins.core.dataloader import SurvivalAnalysisDataLoader

    import synth_plugins

    synth_plugins.register()
    data = _yearly_series()
    params = {} if name == "mle_copula" else {"n_iter": 3}
    if name == "ck4gen":
        rng = np.random.default_rng(1)
        data = data.assign(time=rng.exponential(300, len(data)) + 1)
        data["event"] = (rng.random(len(data)) < 0.6).astype(int)

    def fit(**options):
        if name == "ck4gen":
            loader = SurvivalAnalysisDataLoader(
                data.copy(), target_column="event", time_to_event_column="time"
            )
        else:
            loader = GenericDataLoader(data.copy())
        plugin = Plugins().get(name, workspace=str(tmp_path), **params, **options)
        return plugin.fit(loader)

    years = data["year"]
    default = fit().generate(count=200, random_state=0).dataframe()
    assert (default["year"] >= 10_000).all() and default["year"].is_unique  # fresh keys

    plugin = fit(detect_identifiers=False, identifier_columns="mrn")
    assert [spec.name for spec in plugin.held_columns.keys] == ["mrn"]
    restored = Plugins().load(plugin.save())
    assert restored.detect_identifiers is False
    for fitted in (plugin, restored):
        out = fitted.generate(count=200, random_state=0).dataframe()
        # modelled: in the training range, so 200 rows repeat some of its 120 years
        assert out["year"].between(years.min(), years.max()).all()
        assert out["year"].dtype == years.dtype and out["year"].duplicated().any()
        assert (out["mrn"] >= 100_000).all() and out["mrn"].is_unique  # declared: held


def test_detect_identifiers_false_models_text_keys_as_levels_and_text_numbers_as_numbers():
    """With detection off, a run of whole numbers written as text is parsed as numbers (it
    was held out as keys), distinct text is left to Synthcity (levels) and declared
    columns are held all the same."""
    n = 40
    data = pd.DataFrame(
        {
            "year": [str(1901 + i) for i in range(n)],
            "station": [f"st_{i}" for i in range(n)],
            "patient_id": np.arange(500, 500 + n),
            "rainfall": np.linspace(500, 900, n),
        }
    )
    assert {spec.name for spec in hold_columns(data)[1].keys} == {"year", "station", "patient_id"}
    loader, held = hold_columns(data, (), ["patient_id"], detect_identifiers=False)
    assert [spec.name for spec in held.keys] == ["patient_id"]
    assert held.text_numbers == {"year": 0}
    frame = loader.dataframe()
    assert list(frame.columns) == ["year", "station", "rainfall"]
    assert frame["year"].tolist() == list(range(1901, 1901 + n))
    assert frame["station"].tolist() == data["station"].tolist()


def test_detect_identifiers_must_be_a_bool_and_is_refused_where_the_loader_reads_keys(tmp_path):
    """A wrong type is named; longitudinal_lstm's loader, not the plugin, reads the keys.
    An option naming a column the rule held says how to have it modelled."""
    from synthcity.plugins import Plugins

    import synth_plugins

    synth_plugins.register()
    for value in ("no", 0, None):
        with pytest.raises(InvalidParameterError, match="detect_identifiers must be True or"):
            Plugins().get("med_vae", detect_identifiers=value, workspace=str(tmp_path))
    with pytest.raises(InvalidParameterError, match="longitudinal_lstm does not support detect"):
        Plugins().get("longitudinal_lstm", detect_identifiers=False, workspace=str(tmp_path))
    Plugins().get("longitudinal_lstm", detect_identifiers=True, workspace=str(tmp_path))
    plugin = Plugins().get("ctabgan_plus", n_iter=1, target="patient_id", workspace=str(tmp_path))
    with pytest.raises(InvalidParameterError, match="or pass detect_identifiers=False"):
        plugin.fit(GenericDataLoader(_table(40)))
    modelled = Plugins().get(
        "ctabgan_plus",
        n_iter=1,
        target="patient_id",
        detect_identifiers=False,
        identifier_columns="record",
        workspace=str(tmp_path),
    )
    modelled.fit(GenericDataLoader(_table(40)))


def test_a_dropped_target_column_is_no_longer_the_target():
    loader, _ = hold_columns(_table()[["age", "seen", "patient_id"]])
    assert loader.target_column == "seen"


def test_restore_gives_fresh_keys_and_text_dates_in_training_order():
    data = _table()
    loader, held = hold_columns(data)
    generated = GenericDataLoader(loader.dataframe().iloc[::-1].reset_index(drop=True))
    out = held.restore(generated).dataframe()
    assert list(out.columns) == list(data.columns)
    assert not out["record"].isin(data["record"]).any()
    assert not out["patient_id"].isin(data["patient_id"]).any()
    assert out["patient_id"].dtype == data["patient_id"].dtype
    assert set(out["seen"]) == set(data["seen"])  # written back in the training format
    assert set(out["lab"]) == set(data["lab"])


def test_layout_columns_are_never_held_even_dates_and_keys():
    """A column the loader gives a meaning stays as it is, whatever its type."""
    data = _table()
    data["when"] = pd.Timestamp("2015-01-01") + pd.to_timedelta(np.arange(len(data)), "D")
    loader, held = hold_columns(data, layout=("when", "patient_id", "seen"))
    frame = loader.dataframe()
    assert held.dates == {}
    assert [spec.name for spec in held.keys] == ["record"]
    pd.testing.assert_series_equal(frame["when"], data["when"])
    pd.testing.assert_series_equal(frame["patient_id"], data["patient_id"])


def test_only_identifiers_is_refused():
    with pytest.raises(InvalidDataError, match="patient_id"):
        hold_columns(_table()[["patient_id"]])


def test_plain_tables_pass_unchanged():
    data = _table()[["age"]]
    loader, held = hold_columns(GenericDataLoader(data))
    assert held.restore(loader) is loader
    assert list(loader.dataframe().columns) == ["age"]


def test_generated_datetimes_are_rounded_to_the_training_step():
    """A ``datetime64`` column reaches the plugin as days; the generated values come back
    at the coarsest step every training value fits (a day here, a second where training
    values have seconds)."""
    data = _table()[["age"]].assign(
        admitted=pd.Timestamp("2020-01-01") + pd.to_timedelta(np.arange(30) * 3, "D"),
        stamped=pd.Timestamp("2020-01-01 08:00:05") + pd.to_timedelta(np.arange(30) * 7, "s"),
    )
    loader, held = hold_columns(data)
    steps = {column: date.step for column, date in held.dates.items()}
    assert steps == {"admitted": 86_400 * 10**9, "stamped": 10**9}
    noisy = loader.dataframe().copy()
    noisy[["admitted", "stamped"]] += pd.Timedelta("3h 25min 7.3s") / pd.Timedelta(days=1)
    noisy.loc[0, "admitted"] = np.nan
    out = held.restore(GenericDataLoader(noisy)).dataframe()
    assert (out["admitted"].dropna() == out["admitted"].dropna().dt.normalize()).all()
    assert out["admitted"].isna().sum() == 1
    assert (out["stamped"] == data["stamped"] + pd.Timedelta("3h 25min 7s")).all()


def test_string_and_category_columns_come_back_in_their_dtype():
    """Synthcity's schema refuses pandas' ``string`` dtype and its encoders give ``object``
    back for ``category``; both reach it as ``object`` and are restored."""
    stage = pd.CategoricalDtype(["I", "II", "III"], ordered=True)
    data = _table()[["age"]].assign(
        label=pd.array(["a", "b", None] * 10, dtype="string"),
        stage=pd.Series(["I", "II", "III"] * 10, dtype=stage),
    )
    loader, held = hold_columns(data)
    sent = loader.dataframe()
    assert pd.api.types.is_object_dtype(sent["label"]) and pd.api.types.is_object_dtype(
        sent["stage"]
    )
    assert loader.dataframe()["label"].isna().sum() == 10
    out = held.restore(GenericDataLoader(loader.dataframe())).dataframe()
    assert out["label"].dtype == "string" and out["stage"].dtype == stage
    pd.testing.assert_frame_equal(out, data)


def _dtypes_table(n: int = 200) -> pd.DataFrame:
    """pandas' nullable ``boolean`` with and without missing values, plain ``bool``,
    nullable integers and floats, and narrower numpy dtypes."""
    rng = np.random.default_rng(0)
    smoker = pd.array(rng.random(n) < 0.3, dtype="boolean")
    smoker[rng.random(n) < 0.1] = pd.NA
    return pd.DataFrame(
        {
            "age": rng.integers(18, 95, n),
            "smoker": smoker,
            "flag": pd.array(rng.random(n) < 0.5, dtype="boolean"),
            "diabetic": rng.random(n) < 0.2,
            "n_meds": pd.array(rng.poisson(3, n), dtype="Int64"),
            "count": pd.array(rng.integers(0, 400, n), dtype="Int32"),
            "lab": pd.array(rng.lognormal(0, 0.5, n), dtype="Float64"),
            "score": rng.normal(size=n).astype("float32"),
            "dose": rng.integers(0, 300, n).astype("int16"),
        }
    )


def _fitted_plugin(name: str, data: pd.DataFrame, rng: np.random.Generator, tmp_path):
    """Suite plugin ``name`` fitted on ``data`` at a few iterations (CK4Gen on ``data`` with
    a drawn time and event, in a survival loader)."""
    from synthcity.plugins import Plugins
    from synthcity.plugins.core.dataloader import SurvivalAnalysisDataLoader

    import synth_plugins

    synth_plugins.register()
    params = {} if name == "mle_copula" else {"n_iter": 3}
    if name == "ck4gen":
        n = len(data)
        data = data.assign(time=rng.exponential(300, n) + 1, event=(rng.random(n) < 0.6) * 1)
        loader = SurvivalAnalysisDataLoader(
            data, target_column="event", time_to_event_column="time"
        )
    else:
        loader = GenericDataLoader(data)
    return Plugins().get(name, workspace=str(tmp_path), **params).fit(loader), data


@pytest.mark.parametrize("name", ["mle_copula", "ctabgan_plus", "med_vae", "ck4gen"])
def test_every_column_comes_back_in_its_training_dtype(name, tmp_path):
    """pandas' ``boolean`` came back as float64 0.0/1.0/NaN (with or without missing
    values), ``Int64``, ``Int32`` and ``int16`` as int64, ``Float64`` and ``float32`` as
    float64, while ``string`` and ``category`` were restored."""
    plugin, data = _fitted_plugin(name, _dtypes_table(), np.random.default_rng(1), tmp_path)
    out = plugin.generate(count=100, random_state=0).dataframe()
    assert out.dtypes.to_dict() == data.dtypes.to_dict()
    assert set(out["smoker"].dropna()) <= {True, False} and out["flag"].notna().all()
    assert plugin.schema_includes(out)


@pytest.mark.parametrize("name", ["mle_copula", "ctabgan_plus", "med_vae", "ck4gen"])
def test_nullable_integers_with_missing_values_are_modelled_as_whole_numbers(name, tmp_path):
    """An ``Int64`` (or ``Int32``) column with missing values was refused ("cast it to
    float first"): as it was, Synthcity's schema refused every generated table. It is
    modelled as float64 with NaN and comes back whole, in range, missing where generated
    so, with and without constraints."""
    from synthcity.plugins.core.constraints import Constraints

    rng = np.random.default_rng(0)
    n = 200
    data = pd.DataFrame(
        {
            "age": rng.normal(60, 10, n).round(1),
            "n_visits": pd.array(rng.integers(0, 60, n), dtype="Int64"),  # modelled as numbers
            "stage": pd.array(rng.integers(1, 4, n), dtype="Int32"),  # label-encoded
        }
    )
    data.loc[rng.random(n) < 0.2, "n_visits"] = pd.NA
    data.loc[rng.random(n) < 0.1, "stage"] = pd.NA
    plugin, data = _fitted_plugin(name, data, rng, tmp_path)
    out = plugin.generate(count=100, random_state=0).dataframe()
    assert out.dtypes.to_dict() == data.dtypes.to_dict()
    visits = out["n_visits"].dropna()
    assert visits.between(data["n_visits"].min(), data["n_visits"].max()).all()
    assert 0 < out["n_visits"].isna().mean() < 0.8
    assert set(out["stage"].dropna()) <= {1, 2, 3}
    assert plugin.schema_includes(out)
    rules = Constraints(rules=[("n_visits", ">=", 20.5), ("age", "<", 70)])
    kept = plugin.generate(count=50, constraints=rules, random_state=1).dataframe()
    assert len(kept) == 50 and kept["n_visits"].dtype == "Int64"
    assert (kept["n_visits"].dropna() >= 21).all()  # whole numbers as compared


@pytest.mark.parametrize(
    ("event", "duration"),
    [("category", "float32"), ("bool category", "Float64"), ("Int64", "float64"),
     ("boolean", "float64"), ("int8", "float64")],
)  # fmt: skip
def test_a_survival_loaders_duration_and_event_come_back_in_their_training_dtype(
    event, duration, tmp_path
):
    """The layout's columns are never held, and were never cast back either: a ``category``
    event came back int64 (a category of False/True float64), ``Int64`` and ``int8`` int64,
    ``boolean`` float64, a ``float32`` or ``Float64`` duration float64."""
    from synthcity.plugins import Plugins
    from synthcity.plugins.core.dataloader import SurvivalAnalysisDataLoader

    import synth_plugins

    synth_plugins.register()
    rng = np.random.default_rng(1)
    flags = pd.Series(rng.random(200) < 0.6)
    events = flags if event in ("boolean", "bool category") else flags.astype(int)
    data = _dtypes_table()[["age", "score"]].assign(
        time=pd.Series(rng.exponential(300, 200) + 1).astype(duration),
        event=events.astype("category" if event == "bool category" else event),
    )
    loader = SurvivalAnalysisDataLoader(data, target_column="event", time_to_event_column="time")
    plugin = Plugins().get("ck4gen", workspace=str(tmp_path), n_iter=3).fit(loader)
    out = plugin.generate(count=100, random_state=0).dataframe()
    assert out.dtypes.to_dict() == data.dtypes.to_dict()
    assert out["event"].notna().all() and set(out["event"]) <= set(data["event"])
    assert plugin.schema_includes(out)


def test_categories_of_numbers_reach_synthcity_as_categories(tmp_path):
    """R factors of codes (``pd.Categorical`` of 0/1, of 16 centre numbers) were cast to
    ``object``: Synthcity's encoder read numbers there, left them unencoded, and
    ``generate`` failed in its schema ("Cannot create FloatDistribution"). They stay
    categories, so every level count is modelled as levels and comes back as one."""
    from synthcity.plugins import Plugins

    import synth_plugins

    synth_plugins.register()
    data = _table(60)[["age"]].assign(
        diabetes=pd.Categorical(np.arange(60) % 2),
        centre=pd.Categorical((np.arange(60) % 16) * 5 + 100),
        text=pd.Categorical(["a", "b", "c"] * 20),
    )
    loader, _ = hold_columns(data)
    sent = loader.dataframe()
    assert isinstance(sent["diabetes"].dtype, pd.CategoricalDtype)
    assert isinstance(sent["centre"].dtype, pd.CategoricalDtype)
    assert pd.api.types.is_object_dtype(sent["text"])
    plugin = Plugins().get("mle_copula", workspace=str(tmp_path)).fit(GenericDataLoader(data))
    out = plugin.generate(count=200, random_state=0).dataframe()
    for column in ("diabetes", "centre", "text"):
        assert out[column].dtype == data[column].dtype, column
        assert out[column].notna().all(), column
    assert out["centre"].nunique() > 10


def test_to_dataloader_gives_categories_of_numbers_as_numbers(tmp_path):
    """Synthcity's ``DataLoader.hash`` fails on categories, so ``to_dataloader`` casts
    them: text levels to ``object``, number levels to numbers (an ``object`` column of
    0/1 failed at ``generate``)."""
    from synthcity.plugins import Plugins

    import synth_plugins
    from synth_plugins.datasets import load
    from synth_plugins.synthcity.loaders import to_dataloader

    synth_plugins.register()
    dataset = load("whas500")
    data = dataset.data.assign(afb=pd.Categorical(dataset.data["afb"].astype(int)))
    loader = to_dataloader(dataset, data=data)
    assert loader.dataframe()["afb"].dtype == np.int64
    assert pd.api.types.is_object_dtype(loader.dataframe()["sho"])
    loader.hash()
    plugin = Plugins().get("mle_copula", workspace=str(tmp_path)).fit(loader)
    assert set(plugin.generate(count=50, random_state=0).dataframe()["afb"]) <= {0, 1}
    centres = data.assign(centre=pd.Categorical((np.arange(len(data)) % 16) * 5 + 100))
    with pytest.raises(InvalidDataError, match="'centre' is a category of 16 number levels"):
        to_dataloader(dataset, data=centres)  # as numbers, 75 % of generated codes were no level


def test_keys_and_free_text_of_category_dtype_are_held():
    """A ``category`` column was never held: Synthcity label-encoded MRNs, notes and
    dates stored as categories and decoded them back, 100 % training values."""
    rng = np.random.default_rng(0)
    data = _table()[["age"]].assign(
        mrn=pd.Categorical([f"MRN-{i:05d}" for i in rng.choice(99999, 30, replace=False)]),
        note=pd.Categorical([f"reports pain for {k} days" for k in range(30)]),
    )
    loader, held = hold_columns(data)
    assert {spec.name for spec in held.keys} == {"mrn", "note"}
    assert list(loader.dataframe().columns) == ["age"]
    out = held.restore(GenericDataLoader(loader.dataframe())).dataframe()
    for column in ("mrn", "note"):
        assert isinstance(out[column].dtype, pd.CategoricalDtype)
        assert not out[column].isin(data[column].astype(str)).any()
        assert not set(out[column].cat.categories) & set(data[column].cat.categories)


def test_the_plugins_schema_includes_its_own_output_with_held_columns(tmp_path):
    """Synthcity's plugin tests assert ``schema_includes(generated)``: the schema describes
    the held training data, so generated keys and text dates are held the same way first.
    ``workspace`` may be text, as Synthcity's own plugins take it."""
    from synthcity.plugins import Plugins

    import synth_plugins

    synth_plugins.register()
    data = _table(60)
    plugin = Plugins().get("mle_copula", workspace=str(tmp_path))
    plugin.fit(GenericDataLoader(data))
    generated = plugin.generate(count=20, random_state=0)
    assert plugin.schema_includes(GenericDataLoader(data))
    assert plugin.schema_includes(generated)
    assert plugin.schema_includes(generated.dataframe())
    assert not plugin.schema_includes(data.assign(seen="not a date"))


@pytest.mark.parametrize("name", ["mle_copula", "ctabgan_plus", "med_vae"])
def test_datetime_columns_are_modelled_as_days(name, tmp_path):
    """Synthcity hands a datetime64 column to the core as nanoseconds and a missing date as
    the smallest int64: the MLE copula fitted no family to numbers near 1e18, and with
    missing dates the cores drew dates from 1683 or none that met Synthcity's schema. Held
    as days, dates (also written as text) come back in range, missing where they were."""
    from synthcity.plugins import Plugins

    import synth_plugins

    synth_plugins.register()
    rng = np.random.default_rng(0)
    dob = pd.Timestamp("1940-01-01") + pd.to_timedelta(rng.integers(0, 20_000, 200), "D")
    unknown = np.arange(200) % 8 == 0
    data = pd.DataFrame(
        {
            "age": rng.integers(20, 90, 200),
            "dob": dob,
            "seen": dob.where(~unknown),
            "written": dob.strftime("%d/%m/%Y").where(~unknown, None),
        }
    )
    params = {"n_iter": 5} if name != "mle_copula" else {}
    plugin = Plugins().get(name, workspace=tmp_path, **params)
    plugin.fit(GenericDataLoader(data))
    out = plugin.generate(count=200, random_state=0).dataframe()
    written = pd.to_datetime(out["written"], format="%d/%m/%Y")
    for column, dates in (("dob", out["dob"]), ("seen", out["seen"]), ("written", written)):
        assert pd.api.types.is_datetime64_any_dtype(out[column]) or column == "written"
        observed = dates.dropna()
        assert observed.between(data["dob"].min(), data["dob"].max()).all(), column
        assert (observed == observed.dt.normalize()).all(), column
    assert out["dob"].notna().all()
    assert 0 < out["seen"].isna().sum() < len(out) and 0 < written.isna().sum() < len(out)


def _dated_table(n: int = 240) -> pd.DataFrame:
    """Admission days, hourly times within two days, dates as text and UTC instants."""
    rng = np.random.default_rng(0)
    admitted = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), "D")
    hours = pd.Timestamp("2019-06-01") + pd.to_timedelta(rng.integers(0, 48, n), "h")
    return pd.DataFrame(
        {
            "age": rng.integers(18, 95, n),
            "admitted": admitted,
            "stamped": hours,
            "written": admitted.strftime("%d/%m/%Y"),
            "utc": admitted.tz_localize("UTC"),
        }
    )


def test_constraints_compare_date_columns_with_dates(tmp_path):
    """``("adm", ">", pd.Timestamp("2020-01-01"))`` failed inside the range check with
    "float() argument must be a string or a real number, not 'Timestamp'": the plugins
    hold dates as days, and the rule's date was not. Rules now compare dates, and a drawn
    time is rounded as it will be written before it is compared: 09:10 met "> 09:00" and
    came back as 09:00."""
    from synthcity.plugins import Plugins
    from synthcity.plugins.core.constraints import Constraints

    import synth_plugins

    synth_plugins.register()
    data = _dated_table()
    plugin = Plugins().get("mle_copula", workspace=str(tmp_path)).fit(GenericDataLoader(data))
    day, hour = pd.Timestamp("2020-01-01"), pd.Timestamp("2019-06-02")
    rules = [
        ("admitted", ">", day),
        ("stamped", ">", hour),
        ("stamped", "<", hour + pd.Timedelta("2h")),
        ("written", "<=", day.to_pydatetime()),
        ("utc", ">=", np.datetime64("2018-06-01")),
    ]
    out = plugin.generate(count=100, constraints=Constraints(rules=rules[:3]), random_state=0)
    out = out.dataframe()
    assert len(out) == 100 and (out["admitted"] > day).all()
    assert out["stamped"].isin([hour + pd.Timedelta("1h")]).all()  # the one hour between
    listed = [day + pd.Timedelta(days=k) for k in range(0, 400, 2)]  # (rows are filtered)
    out = plugin.generate(
        count=60, constraints=Constraints(rules=[("admitted", "in", listed)]), random_state=0
    ).dataframe()
    assert set(out["admitted"]) <= set(listed)
    written = Constraints(rules=[rules[3], ("utc", ">=", pd.Timestamp("2018-06-01", tz="UTC"))])
    out = plugin.generate(count=60, constraints=written, random_state=0).dataframe()
    assert (pd.to_datetime(out["written"], format="%d/%m/%Y") <= day).all()
    assert (out["utc"] >= pd.Timestamp("2018-06-01", tz="UTC")).all()
    for rule, message in (
        (("admitted", ">", "2020-01-01"), r"'admitted' is text.*pd.Timestamp\('2020-01-01'\)"),
        (rules[4], r"'utc'.*with a time zone.*tz='UTC'"),
        (("admitted", ">", pd.Timestamp("2020-01-01", tz="UTC")), "without a time zone"),
        (("admitted", ">", pd.Timestamp("2031-01-01")), "'admitted' cannot be met"),
    ):
        with pytest.raises(InvalidParameterError, match=message):
            plugin.generate(count=10, constraints=Constraints(rules=[rule]))


@pytest.mark.parametrize(
    "option",
    [
        {"target": "patient_id"},
        {"column_kinds": {"patient_id": "continuous"}},
        {"mixed_values": {"patient_id": [1]}},
    ],
)
def test_an_option_naming_a_held_identifier_says_so(option, tmp_path):
    """ctabgan_plus options naming an identifier column were refused as "not in the data"
    (the column was held out before the core's checks), listing columns without it."""
    from synthcity.plugins import Plugins

    import synth_plugins

    synth_plugins.register()
    plugin = Plugins().get("ctabgan_plus", n_iter=1, workspace=str(tmp_path), **option)
    with pytest.raises(InvalidParameterError, match=r"names 'patient_id', held out as identifier"):
        plugin.fit(GenericDataLoader(_table(40)))


@pytest.mark.parametrize(
    ("option", "named"),
    [
        ({"mixed_values": {"dose": [1.0]}}, r"mixed_values\['dose'\]"),
        ({"column_kinds": {"dose": "log"}}, r"column_kinds\['dose'\]='log'"),
    ],
)
def test_a_numeric_option_on_a_column_synthcity_label_encoded_says_why(option, named, tmp_path):
    """A float column of 11 values is label-encoded by Synthcity before fit; the core then
    said "'dose' is categorical" (or "needs a numeric column") without saying why."""
    from synthcity.plugins import Plugins

    import synth_plugins

    synth_plugins.register()
    doses = np.resize(np.arange(11) * 2.5 + 1.0, 60)
    frame = pd.DataFrame({"dose": doses, "age": np.linspace(30, 80, 60)})
    plugin = Plugins().get("ctabgan_plus", n_iter=1, workspace=str(tmp_path), **option)
    with pytest.raises(InvalidParameterError, match=rf"{named}.*11 distinct.*label-encodes"):
        plugin.fit(GenericDataLoader(frame))
    Plugins().get("ctabgan_plus", n_iter=1, workspace=str(tmp_path)).fit(frame)  # it fits


def test_an_object_column_of_numbers_only_is_modelled_as_numbers(tmp_path):
    """Lab values left in an ``object`` column (``"<5"`` set missing) were label-encoded as
    levels: every generated value a training value. They are modelled as float64 and come
    back so, an ``integer`` column's rounded to whole numbers."""
    from synthcity.plugins import Plugins

    import synth_plugins

    synth_plugins.register()
    rng = np.random.default_rng(0)
    n = 150
    lab = pd.Series([round(float(v), 1) for v in rng.lognormal(2, 0.5, n)], dtype=object)
    lab[rng.random(n) < 0.1] = np.nan
    data = pd.DataFrame(
        {"lab": lab, "visits": pd.Series(list(rng.integers(0, 60, n)), dtype=object)}
    )
    loader, held = hold_columns(data)
    assert held.object_numbers == {"lab": False, "visits": True}
    assert loader.dataframe().dtypes.tolist() == [np.float64, np.float64]
    plugin = Plugins().get("mle_copula", workspace=str(tmp_path)).fit(GenericDataLoader(data))
    out = plugin.generate(count=100, random_state=0).dataframe()
    assert out.dtypes.tolist() == [np.float64, np.float64]
    assert not out["lab"].dropna().isin(set(data["lab"].dropna())).all()  # not levels
    assert (out["visits"] == out["visits"].round()).all()
    assert plugin.schema_includes(out)

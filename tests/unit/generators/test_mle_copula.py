"""Unit tests of the MLE-copula core (synth_plugins.generators.mle_copula)."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from synth_plugins.datasets import load
from synth_plugins.errors import InvalidDataError, InvalidParameterError, NotFittedError
from synth_plugins.generators import MLECopula
from synth_plugins.generators.mle_copula.copula import (
    bivariate_normal_cdf,
    nearest_correlation,
    normal_scores,
    polychoric,
    polyserial,
)
from synth_plugins.generators.mle_copula.marginals import fit_numeric
from synth_plugins.metrics.copies import exact_copies

#: The correlation of the normal scores the known-distribution table is drawn with.
TRUE_R = np.array(
    [
        [1.0, 0.6, -0.4, 0.3],
        [0.6, 1.0, -0.2, 0.5],
        [-0.4, -0.2, 1.0, 0.0],
        [0.3, 0.5, 0.0, 1.0],
    ]
)
TRUE_FAMILIES = {
    "lognormal": "lognormal",
    "gamma": "gamma",
    "normal": "normal",
    "counts": "poisson",
}


def known_table(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    """Log-normal, gamma, normal and Poisson columns joined by a Gaussian copula TRUE_R."""
    rng = np.random.default_rng(seed)
    u = stats.norm.cdf(rng.standard_normal((n, 4)) @ np.linalg.cholesky(TRUE_R).T)
    return pd.DataFrame(
        {
            "lognormal": stats.lognorm(0.5, scale=np.exp(3)).ppf(u[:, 0]),
            "gamma": stats.gamma(2.0, scale=3.0).ppf(u[:, 1]),
            "normal": stats.norm(100, 15).ppf(u[:, 2]),
            "counts": stats.poisson(12).ppf(u[:, 3]).astype(np.int64),
        }
    )


def is_positive_semidefinite(matrix: np.ndarray) -> bool:
    """Whether the symmetric ``matrix`` has no negative eigenvalue."""
    return bool(np.linalg.eigvalsh(matrix).min() >= 0.0)


def normal_score_correlation(frame: pd.DataFrame) -> np.ndarray:
    """Correlation of van der Waerden scores (mid-ranks), the copula's own scale."""
    ranks = frame.rank(method="average") / (len(frame) + 1)
    return np.corrcoef(stats.norm.ppf(ranks.to_numpy()), rowvar=False)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return known_table()


@pytest.fixture(scope="module")
def level2(data: pd.DataFrame) -> MLECopula:
    return MLECopula(level=2).fit(data)


@pytest.fixture(scope="module")
def synthetic(level2: MLECopula) -> pd.DataFrame:
    return level2.sample(10_000, random_state=1)


class TestMarginals:
    def test_the_true_families_are_chosen(self, level2):
        table = level2.fit_table()
        assert list(table.columns) == ["column", "family", "parameters", "aic", "bic",
                                       "ks_statistic"]  # fmt: skip
        assert dict(zip(table["column"], table["family"])) == TRUE_FAMILIES
        assert table["ks_statistic"].between(0, 0.03).all()

    def test_bic_chooses_the_true_families_too(self, data):
        table = MLECopula(selection="bic").fit(data).fit_table()
        assert dict(zip(table["column"], table["family"])) == TRUE_FAMILIES

    def test_parameters_are_the_maximum_likelihood_ones(self, level2, data):
        parameters = level2.fit_table().set_index("column")["parameters"]
        logs = np.log(data["lognormal"])
        assert parameters["lognormal"]["mu"] == pytest.approx(logs.mean())
        assert parameters["lognormal"]["sigma"] == pytest.approx(logs.std(ddof=0))
        assert parameters["normal"]["scale"] == pytest.approx(data["normal"].std(ddof=0))
        assert parameters["counts"]["mu"] == pytest.approx(data["counts"].mean())
        assert parameters["gamma"]["shape"] == pytest.approx(2.0, rel=0.1)

    def test_candidate_table_ranks_by_the_criterion(self, level2):
        table = level2.fit_table(candidates=True)
        for _, rows in table.groupby("column"):
            assert rows["selected"].sum() == 1
            assert rows.loc[rows["selected"], "aic"].iloc[0] == rows["aic"].min()
        counts = set(table.loc[table["column"] == "counts", "family"])
        assert {"poisson", "negative_binomial", "normal"} <= counts
        assert "poisson" not in set(table.loc[table["column"] == "normal", "family"])

    def test_negative_binomial_on_overdispersed_counts(self):
        x = stats.nbinom(2.0, 0.1).rvs(3000, random_state=3).astype(float)
        best, _ = fit_numeric(x, integer=True)
        assert best.family == "negative_binomial"
        assert best.parameters["r"] == pytest.approx(2.0, rel=0.15)

    def test_positive_families_are_shifted_below_non_positive_values(self):
        x = stats.lognorm(0.8, loc=-3.0).rvs(3000, random_state=0)
        best, fits = fit_numeric(x, integer=False, beta_padding=0.001)
        assert best.family == "lognormal"
        assert best.parameters["loc"] == pytest.approx(x.min() - 0.001 * np.ptp(x))
        assert best.n_params == 3 and best.parameters["sigma"] == pytest.approx(0.8, rel=0.1)
        unshifted, _ = fit_numeric(x + 10, integer=False, families=["lognormal"])
        assert unshifted.parameters["loc"] == 0 and unshifted.n_params == 2
        assert {m.family for m in fits} >= {"gamma", "weibull", "exponential"}


class TestDependence:
    def test_level2_recovers_the_correlations(self, data, synthetic):
        real, fake = normal_score_correlation(data), normal_score_correlation(synthetic)
        assert np.abs(real - fake).max() < 0.05
        spearman = data.corr("spearman").to_numpy() - synthetic.corr("spearman").to_numpy()
        assert np.abs(spearman).max() < 0.05

    def test_level1_gives_independent_columns(self, data):
        fake = MLECopula(level=1).fit(data).sample(10_000, random_state=1)
        off_diagonal = fake.corr("spearman").to_numpy()[~np.eye(4, dtype=bool)]
        assert np.abs(off_diagonal).max() < 0.05
        assert (
            MLECopula(level=1)
            .fit(data)
            .correlation_.equals(pd.DataFrame(np.eye(4), index=data.columns, columns=data.columns))
        )

    def test_categorical_columns_enter_the_copula(self):
        rng = np.random.default_rng(0)
        z = rng.standard_normal(3000)
        frame = pd.DataFrame(
            {
                "x": np.exp(z + 0.5 * rng.standard_normal(3000)),
                "grade": pd.Categorical(np.digitize(z, [-0.5, 0.7]).astype(str)),
                "flag": np.where(z > 0, "yes", "no"),
            }
        )
        fake = MLECopula().fit(frame).sample(5000, random_state=0)
        codes = fake.assign(grade=fake["grade"].cat.codes, flag=fake["flag"] == "yes")
        real = frame.assign(grade=frame["grade"].cat.codes, flag=frame["flag"] == "yes")
        difference = real.corr("spearman") - codes.corr("spearman")
        assert np.abs(difference.to_numpy()).max() < 0.05
        assert fake["grade"].dtype == frame["grade"].dtype

    def test_level_order_does_not_depend_on_the_dtype(self):
        """An unordered category holds its levels in the suite's order, as ``object`` does:
        the dtype's order gave the polyserial correlation 0.48 instead of 0.95."""
        rng = np.random.default_rng(0)
        grade = rng.choice(["a", "b", "c"], 600)
        x = np.searchsorted(["a", "b", "c"], grade) + rng.normal(0, 0.5, 600)
        text = pd.DataFrame({"grade": grade, "x": x})
        category = text.assign(grade=pd.Categorical(grade, categories=["b", "c", "a"]))
        fits = [MLECopula(redraw_copies=False).fit(frame) for frame in (text, category)]
        assert list(fits[1].marginals_["grade"].levels) == ["a", "b", "c"]
        assert fits[0].correlation_.iloc[0, 1] > 0.9
        pd.testing.assert_frame_equal(fits[0].correlation_, fits[1].correlation_)
        samples = [fit.sample(200, random_state=1) for fit in fits]
        assert samples[1]["grade"].dtype == category["grade"].dtype
        pd.testing.assert_frame_equal(samples[0], samples[1].astype({"grade": object}))

    def test_an_ordinal_category_keeps_its_order(self):
        grade = pd.Categorical(["low", "high", "mid", "low"], ["low", "mid", "high"], ordered=True)
        model = MLECopula().fit(pd.DataFrame({"grade": grade, "x": [1.0, 3.0, 2.0, 1.5]}))
        assert list(model.marginals_["grade"].levels) == ["low", "mid", "high"]

    def test_latent_correlations_recover_the_latent_normal(self):
        rng = np.random.default_rng(0)
        z = rng.standard_normal((5000, 2)) @ np.linalg.cholesky([[1, 0.6], [0.6, 1]]).T
        grade = np.digitize(z[:, 1], [-0.8, 0.3, 1.2])  # 4 ordered levels
        flag = (z[:, 0] > 0.5).astype(int)
        assert polyserial(z[:, 0], grade) == pytest.approx(0.6, abs=0.03)
        assert polychoric(flag, grade) == pytest.approx(0.6, abs=0.05)
        # the Pearson correlation of the codes is attenuated: the latent one is not
        assert abs(np.corrcoef(flag, grade)[0, 1] - 0.6) > 0.1

    def test_bivariate_normal_cdf_is_exact(self):
        points = np.array([[0.0, 0.0], [-1.2, 0.4], [2.0, -0.3], [0.0, 1.5], [-9.0, 9.0]])
        for rho in (-0.9, 0.0, 0.7):
            reference = stats.multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf(points)
            ours = bivariate_normal_cdf(points[:, 0], points[:, 1], rho)
            assert np.allclose(ours, reference, atol=1e-5)
        assert bivariate_normal_cdf(np.array([0.0]), np.array([0.0]), 0.5)[0] == pytest.approx(
            0.25 + np.arcsin(0.5) / (2 * np.pi)
        )

    def test_level2_keeps_titanic_correlations_and_level1_does_not(self):
        dataset = load("titanic")
        columns = ["pclass", "sex", "age", "fare", "survived"]
        real, roles = dataset.data[columns], {c: dataset.roles[c] for c in columns}

        def l1(fake: pd.DataFrame) -> float:
            codes = {"sex": {"female": 0, "male": 1}}
            a, b = real.replace(codes).corr(), fake.replace(codes).corr()
            return float(np.abs(a - b).to_numpy()[np.triu_indices(5, 1)].sum())

        level1 = l1(MLECopula(roles, level=1).fit(real).sample(len(real), random_state=0))
        level2 = l1(MLECopula(roles, level=2).fit(real).sample(len(real), random_state=0))
        assert level2 < 0.6 < 2.0 < level1

    def test_psd_repair_of_an_indefinite_pairwise_matrix(self):
        # each pair is observed on its own block of rows: r(a,b) = r(b,c) = 0.9 and
        # r(a,c) = -0.9, which no joint distribution can have
        rng = np.random.default_rng(0)
        blocks = []
        for observed, sign in ((("a", "b"), 1), (("b", "c"), 1), (("a", "c"), -1)):
            z = rng.standard_normal(400)
            w = 0.9 * z + np.sqrt(1 - 0.81) * rng.standard_normal(400)
            block = pd.DataFrame(np.nan, index=range(400), columns=["a", "b", "c"])
            block[observed[0]], block[observed[1]] = z, sign * w
            blocks.append(block)
        frame = pd.concat(blocks, ignore_index=True)
        model = MLECopula().fit(frame)
        raw = model.raw_correlation_.to_numpy()
        assert not is_positive_semidefinite(raw)
        assert model.correlation_repaired_
        repaired = model.correlation_.to_numpy()
        assert is_positive_semidefinite(repaired) and np.allclose(np.diag(repaired), 1)
        assert model.sample(100, random_state=0).shape == (100, 3)

    def test_nearest_correlation_matches_higham_2002(self):
        # the worked example of Higham (2002), section 4
        repaired = nearest_correlation(np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], float))
        expected = np.array([[1, 0.7607, 0.1573], [0.7607, 1, 0.7607], [0.1573, 0.7607, 1]])
        assert np.allclose(repaired, expected, atol=2e-4)
        good = np.array([[1, 0.3], [0.3, 1]])
        assert np.array_equal(nearest_correlation(good), good)

    def test_normal_scores_break_ties(self):
        values = np.array([0, 0, 0, 1, 1, np.nan])
        rng = np.random.default_rng(0)
        randomized = normal_scores(values, rng, "randomized")
        assert np.isnan(randomized[-1]) and len(set(randomized[:5])) == 5
        assert (randomized[:3] < stats.norm.ppf(0.6)).all()
        mid = normal_scores(values, rng, "mid_rank")
        assert np.allclose(mid[:5], stats.norm.ppf([0.3, 0.3, 0.3, 0.8, 0.8]))


class TestOutput:
    def test_bounds_integers_and_dtypes_hold(self, data, synthetic):
        for column in data.columns:
            assert synthetic[column].min() >= data[column].min()
            assert synthetic[column].max() <= data[column].max()
        assert synthetic["counts"].dtype == np.int64
        assert (synthetic.dtypes == data.dtypes).all()

    def test_truncation_puts_no_point_mass_at_the_bounds(self):
        # a normal fitted to a sample cut at 0 has 5.5% of its mass below the minimum:
        # clipping would pile it onto the minimum
        x = stats.norm(1, 1).rvs(4000, random_state=0)
        frame = pd.DataFrame({"x": x[x > 0]})
        fake = MLECopula(families=["normal"]).fit(frame).sample(5000, random_state=0)
        assert (fake["x"] == frame["x"].min()).mean() < 0.001
        assert fake["x"].min() >= frame["x"].min()

    def test_missing_rate_is_reproduced(self):
        frame = known_table(2000, seed=1)
        frame.loc[frame.sample(frac=0.3, random_state=0).index, "gamma"] = np.nan
        frame["sex"] = np.where(np.arange(2000) % 2 == 0, "F", "M")
        frame.loc[frame.sample(frac=0.1, random_state=1).index, "sex"] = None
        model = MLECopula().fit(frame)
        fake = model.sample(20_000, random_state=0)
        assert fake["gamma"].isna().mean() == pytest.approx(0.3, abs=0.015)
        assert fake["sex"].isna().mean() == pytest.approx(0.1, abs=0.01)
        assert fake["normal"].notna().all()
        assert model.missing_rates_["gamma"] == pytest.approx(0.3)

    def test_constant_columns_are_point_masses(self):
        frame = pd.DataFrame({"x": np.arange(50.0) ** 1.5, "site": 7, "unit": "mg"})
        model = MLECopula().fit(frame)
        fake = model.sample(30, random_state=0)
        assert (fake["site"] == 7).all() and (fake["unit"] == "mg").all()
        assert fake["site"].dtype == np.int64
        families = dict(zip(model.fit_table()["column"], model.fit_table()["family"]))
        assert families["site"] == families["unit"] == "constant"
        assert list(model.correlation_.columns) == ["x"]

    def test_seeded_determinism(self, data):
        first = MLECopula(random_state=3).fit(data).sample(200)
        again = MLECopula(random_state=3).fit(data).sample(200)
        other = MLECopula(random_state=4).fit(data).sample(200)
        pd.testing.assert_frame_equal(first, again)
        assert not first.equals(other)
        model = MLECopula(random_state=3).fit(data)
        pd.testing.assert_frame_equal(model.sample(50, random_state=9),
                                      model.sample(50, random_state=9))  # fmt: skip
        model.set_random_state(5)
        one = model.sample(50)
        model.set_random_state(5)
        pd.testing.assert_frame_equal(one, model.sample(50))

    def test_pickle_round_trip(self, level2):
        restored = pickle.loads(pickle.dumps(level2))
        pd.testing.assert_frame_equal(
            level2.sample(40, random_state=2), restored.sample(40, random_state=2)
        )


class TestBadInput:
    @pytest.mark.parametrize(
        ("frame", "message"),
        [
            (pd.DataFrame(), "no columns"),
            (pd.DataFrame({"a": []}), "at least 2 rows.*got 0"),
            (pd.DataFrame({"a": [1.0], "b": ["x"]}), "at least 2 rows.*got 1"),
            (pd.DataFrame({"id": [f"R{i}" for i in range(30)]}), "every column is an identifier"),
            (
                pd.DataFrame({"d": ["2020-01-01", "x", "2020-01-03"], "a": [1.0, 2.0, 3.0]}),
                "'d' has role 'datetime'",
            ),
            (pd.DataFrame({"a": [1.0, 2.0], "b": [np.nan, np.nan]}), r"'b'.*all missing"),
            (pd.DataFrame({"a": [1.0, np.inf, 2.0]}), "'a' holds infinite"),
            ([[1, 2]], "must be a pandas DataFrame"),
        ],
    )
    def test_bad_data(self, frame, message):
        roles = {"d": "datetime"} if "d" in getattr(frame, "columns", ()) else None
        with pytest.raises(InvalidDataError, match=message):
            MLECopula(roles).fit(frame)

    def test_bad_roles(self):
        frame = pd.DataFrame({"a": ["x", "y", "z"], "b": [1.5, 2.5, 3.0]})
        with pytest.raises(InvalidDataError, match="'a' has role 'numerical'"):
            MLECopula({"a": "numerical"}).fit(frame)
        with pytest.raises(InvalidDataError, match="'b' has role 'integer'"):
            MLECopula({"b": "integer"}).fit(frame)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"level": 3}, "level"),
            ({"level": True}, "level"),
            ({"selection": "ks"}, "selection"),
            ({"families": ["normal", "cauchy"]}, "families"),
            ({"families": "normal"}, "families"),
            ({"beta_padding": 0.0}, "beta_padding"),
            ({"pit": "random"}, "pit"),
            ({"random_state": -1}, "random_state"),
        ],
    )
    def test_bad_parameters(self, kwargs, message):
        with pytest.raises(InvalidParameterError, match=message):
            MLECopula(**kwargs)

    def test_sampling_needs_a_fit_and_a_count(self, level2, data):
        with pytest.raises(NotFittedError):
            MLECopula().sample(5)
        with pytest.raises(NotFittedError):
            MLECopula().fit_table()
        for n in (-3, 2.5):
            with pytest.raises(InvalidParameterError, match="n must be"):
                level2.sample(n)
        empty = level2.sample(0)
        assert empty.empty and list(empty.columns) == list(data.columns)
        assert (empty.dtypes == data.dtypes).all()


def odd_table(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Identifiers, datetimes (datetime64 with 3 missing, and text) and numbers as text.

    The ``seen_on`` days and the ``lab`` numbers are strongly correlated.
    """
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n)
    days = np.round(1500 + 400 * z + 100 * rng.standard_normal(n))
    seen = pd.Timestamp("2012-01-01") + pd.to_timedelta(days, "D")
    frame = pd.DataFrame(
        {
            "record_id": [f"MRN{100000 + 37 * i}" for i in range(n)],
            "patient_id": rng.permutation(50_000)[:n] + 1,
            "seen_on": seen,
            "born": (seen - pd.to_timedelta(rng.integers(20, 80, n) * 365, "D")).strftime(
                "%d/%m/%Y"
            ),
            "lab": [f"{v:.2f}" for v in 25 + 5 * z + rng.standard_normal(n)],
            "count": [str(v) for v in rng.poisson(8, n)],
        }
    )
    frame.loc[[3, 30, 300], "seen_on"] = pd.NaT
    return frame


class TestColumnTypes:
    @pytest.fixture(scope="class")
    def train(self) -> pd.DataFrame:
        return odd_table()

    @pytest.fixture(scope="class")
    def model(self, train) -> MLECopula:
        return MLECopula().fit(train)

    @pytest.fixture(scope="class")
    def sampled(self, model) -> pd.DataFrame:
        return model.sample(2000, random_state=3)

    def test_roles_and_fit_table(self, model, train):
        assert model.roles_ == {
            "record_id": "identifier",
            "patient_id": "identifier",
            "seen_on": "datetime",
            "born": "datetime",
            "lab": "numerical",
            "count": "integer",
        }
        # identifiers are not modelled: no marginal, no place in the copula
        assert list(model.fit_table()["column"]) == ["seen_on", "born", "lab", "count"]
        assert list(model.correlation_.index) == ["seen_on", "born", "lab", "count"]
        assert list(model.sample(3).columns) == list(train.columns)

    def test_identifiers_are_fresh_keys(self, sampled, train):
        for column in ("record_id", "patient_id"):
            assert not sampled[column].isin(train[column]).any(), column
            assert sampled[column].is_unique and sampled[column].notna().all()
        assert sampled["patient_id"].dtype == train["patient_id"].dtype
        assert sampled["patient_id"].min() > train["patient_id"].max()

    def test_datetimes_are_generated_in_their_dtype_and_format(self, sampled, train):
        seen, real = sampled["seen_on"], train["seen_on"]
        assert seen.dtype == real.dtype
        assert real.min() <= seen.min() and seen.max() <= real.max()
        assert (seen.dropna() == seen.dropna().dt.normalize()).all()  # whole days, as trained
        assert seen.nunique() > real.nunique()  # new dates, not the training levels
        assert 0.0 < seen.isna().mean() < 0.02  # 3 of 400 missing in training
        born = pd.to_datetime(sampled["born"], format="%d/%m/%Y")  # the input's text format
        real_born = pd.to_datetime(train["born"], format="%d/%m/%Y")
        assert real_born.min() <= born.min() and born.max() <= real_born.max()

    def test_dates_keep_their_dependence(self, sampled, train):
        def days(frame):
            return (frame["seen_on"] - pd.Timestamp("1970-01-01")).dt.days

        real = np.corrcoef(days(train.dropna()), train.dropna()["lab"].astype(float))[0, 1]
        ok = sampled.dropna()
        fake = np.corrcoef(days(ok), ok["lab"])[0, 1]
        assert real > 0.8 and abs(fake - real) < 0.1

    def test_numbers_written_as_text_come_back_as_numbers(self, sampled, train):
        assert sampled["lab"].dtype == np.float64
        assert sampled["count"].dtype == np.int64
        lab = train["lab"].astype(float)
        assert sampled["lab"].between(lab.min(), lab.max()).all()

    def test_tz_aware_datetimes_keep_their_time_zone(self):
        n = 60
        frame = pd.DataFrame(
            {
                "at": pd.date_range("2021-03-01 08:00", periods=n, freq="37h", tz="Europe/Paris"),
                "x": np.linspace(0.0, 1.0, n),
            }
        )
        sampled = MLECopula().fit(frame).sample(50, random_state=0)
        assert sampled["at"].dtype == frame["at"].dtype
        assert frame["at"].min() <= sampled["at"].min() <= sampled["at"].max() <= frame["at"].max()


class TestCopies:
    """``redraw_copies``: copies held to the training data's own duplicate rate."""

    @staticmethod
    def grid_table(rows: np.ndarray) -> pd.DataFrame:
        """Two 10-level columns and a patient key; ``rows`` index the 100 level pairs."""
        return pd.DataFrame(
            {
                "patient_id": np.arange(1, len(rows) + 1),
                "stage": [f"s{r // 10}" for r in rows],
                "site": [f"t{r % 10}" for r in rows],
            }
        )

    def test_distinct_table_gets_no_copies_by_default(self):
        train = self.grid_table(np.random.default_rng(0).permutation(100)[:60])
        plain = MLECopula(level=1, redraw_copies=False).fit(train).sample(300, random_state=1)
        assert exact_copies(plain, train).excess > 100  # ~60 % of the pairs are training rows
        model = MLECopula(level=1).fit(train)
        assert model.copy_filter_.natural_rate_ == 0.0
        assert "patient_id" not in model.copy_filter_.columns_
        synthetic = model.sample(300, random_state=1)
        assert exact_copies(synthetic, train).copies == 0
        assert synthetic["patient_id"].is_unique and synthetic["patient_id"].min() > 60
        pd.testing.assert_frame_equal(synthetic, model.sample(300, random_state=1))

    def test_copies_are_judged_on_values_as_recorded(self):
        """Draws are rounded to the training decimals before the filter compares rows: with
        unrounded draws no row was a copy, and SDV's rounding then made 7 % of them copies."""
        rng = np.random.default_rng(0)
        train = self.grid_table(rng.permutation(100)[:60]).assign(
            score=rng.choice([0.5, 1.5, 2.5], 60)
        )
        synthetic = MLECopula(level=1).fit(train).sample(300, random_state=1)
        score = synthetic["score"]
        assert (score == score.round(1)).all() and score.between(0.5, 2.5).all()
        assert exact_copies(synthetic, train).copies == 0

    def test_natural_duplicates_are_allowed(self):
        train = self.grid_table(np.random.default_rng(0).integers(0, 20, 200))
        model = MLECopula(level=1).fit(train)
        synthetic = model.sample(200, random_state=2)
        result = exact_copies(synthetic, train)
        assert result.natural_rate > 0.9
        assert result.excess == 0
        assert result.copies >= 0.8 * result.allowed  # copies are kept, not removed


def test_a_column_of_tiny_magnitudes_keeps_its_values() -> None:
    """Values of 1e-8 counted as whole numbers (an absolute tolerance of 1e-6): every
    generated concentration was 0.0, below the training minimum."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"conc": rng.uniform(1, 5, 300) * 1e-8, "sex": rng.choice(["F", "M"], 300)}
    )
    sampled = MLECopula(random_state=0).fit(frame).sample(300)
    assert sampled["conc"].nunique() > 250
    assert sampled["conc"].between(frame["conc"].min(), frame["conc"].max()).all()


def test_integer_columns_of_huge_values_keep_the_continuous_families():
    """At 1e15 the rounded likelihood F(k + .5) - F(k - .5) underflowed: every continuous
    family got AIC = inf, and the negative binomial (whose log-pmf then loses nats to
    rounding) won with a KS distance of 0.23; at 1e300 its sampling searched forever."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"d": np.round(rng.gamma(2, 1e15, 200)).astype("int64")})
    table = MLECopula().fit(frame).fit_table(candidates=True).set_index("family")
    assert np.isfinite(table.loc["gamma", "aic"])
    assert "negative_binomial" not in table.index and "poisson" not in table.index
    assert table.loc[table["selected"], "ks_statistic"].item() < 0.1
    huge = pd.DataFrame({"d": np.round(rng.gamma(2, 1e300, 200))})
    sampled = MLECopula(roles={"d": "integer"}).fit(huge).sample(20, random_state=0)
    assert len(sampled) == 20 and np.isfinite(sampled["d"]).all()

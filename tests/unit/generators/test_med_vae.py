"""Unit tests of the Med-VAE core (synth_plugins.generators.med_vae)."""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch

from synth_plugins.errors import InvalidDataError, InvalidParameterError, NotFittedError
from synth_plugins.generators import MedVAE
from synth_plugins.generators.med_vae.transforms import MinMax

torch.set_num_threads(1)

# A small beta keeps the latent informative on 400 rows (beta=10 with a differentiable KL
# collapses the posterior, see docs/methods/med_vae.md); epochs are few to stay fast. These
# tests check the paper's mechanics: every epoch trained, min-max, library sampling (the
# defaults' early stopping, quantile transform and latent mixture are tested in
# test_med_vae_options.py).
FAST = {
    "beta": 0.01,
    "epochs": 60,
    "random_state": 0,
    "validation_fraction": 0.0,
    "patience": None,
    "sampling": "library",
    "numerical_transform": "minmax",
}


def mixed_frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Mixed-type table with structure: stage drives age and the drug, sex drives the lab."""
    rng = np.random.default_rng(seed)
    stage = rng.choice(["I", "II", "III"], n, p=[0.5, 0.3, 0.2])
    stage_code = pd.Series(stage).map({"I": 0, "II": 1, "III": 2}).to_numpy()
    sex = rng.choice(["F", "M"], n, p=[0.45, 0.55])
    drug = np.where(rng.random(n) < 0.25 + 0.3 * stage_code, rng.poisson(4, n) + 1, 0)
    lab = (4.0 + 1.5 * (sex == "M") + rng.normal(0, 0.5, n)).round(2)
    return pd.DataFrame(
        {
            "age": (50 + 10 * stage_code + rng.normal(0, 5, n)).round(1),
            "sex": sex,
            "stage": pd.Categorical(stage, categories=["I", "II", "III"]),
            "smoker": rng.random(n) < 0.3,
            "drug": drug.astype(np.int64),
            "visits": rng.integers(0, 40, n),
            "lab": np.where(rng.random(n) < 0.2, np.nan, lab),
        }
    )


ROLES = {"drug": "integer"}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return mixed_frame()


@pytest.fixture(scope="module")
def model(data: pd.DataFrame) -> MedVAE:
    return MedVAE(ROLES, **FAST).fit(data)


def encoder_parameters(vae: MedVAE) -> list[torch.nn.Parameter]:
    net = vae.model_
    assert net is not None and net.embedding is not None
    modules = [net.embedding, net.encoder, net.mu, net.logvar]
    return [p for module in modules for p in module.parameters()]


# ------------------------------------------------------------------------------ the loss
class TestLoss:
    @pytest.mark.parametrize("kl_mode", ["differentiable", "legacy_detached"])
    def test_kl_gradient_reaches_the_encoder_only_when_differentiable(
        self, data: pd.DataFrame, kl_mode: str
    ) -> None:
        vae = MedVAE(ROLES, epochs=1, kl_mode=kl_mode, random_state=0).fit(data)
        params = encoder_parameters(vae)
        batch = data.iloc[:64]

        def grads(kl_weight: float) -> list[torch.Tensor]:
            terms = vae.loss_terms(batch, kl_weight=kl_weight, random_state=1)
            found = torch.autograd.grad(terms["objective"], params, allow_unused=True)
            return [torch.zeros_like(p) if g is None else g for p, g in zip(params, found)]

        # the objective's gradient with the KL weighted in, minus without: the KL's gradient
        difference = sum(
            float((a - b).abs().sum()) for a, b in zip(grads(10.0), grads(0.0), strict=True)
        )
        terms = vae.loss_terms(batch, kl_weight=10.0, random_state=1)
        assert float(terms["kl"]) > 0
        if kl_mode == "differentiable":
            assert difference > 1e-3
        else:
            assert difference == 0.0
            # ... yet the KL is part of the logged objective, as in the notebook
            recon = vae.loss_terms(batch, kl_weight=0.0, random_state=1)["objective"]
            assert float(terms["objective"]) == pytest.approx(
                float(recon) + 10.0 * float(terms["kl"]), rel=1e-5
            )

    def test_reconstruction_loss_falls_over_epochs(self, model: MedVAE) -> None:
        history = model.history_
        assert len(history["loss"]) == FAST["epochs"] == model.n_epochs_
        assert history["numerical"][-1] < 0.5 * history["numerical"][0]
        assert history["categorical"][-1] < 0.5 * history["categorical"][0]
        assert history["binary"][-1] < history["binary"][0]
        # per-epoch linear annealing a(e) = e / T starting at 0
        assert history["kl_weight"][0] == 0.0
        assert history["kl_weight"][1] == pytest.approx(FAST["beta"] / FAST["epochs"])

    def test_architecture_follows_the_notebook(self, model: MedVAE) -> None:
        net = model.model_
        assert net is not None
        norms = [m for m in net.modules() if isinstance(m, torch.nn.BatchNorm1d)]
        assert len(norms) == 4
        assert all(m.momentum == pytest.approx(0.01) and m.eps == 1e-3 for m in norms)
        slopes = {m.negative_slope for m in net.modules() if isinstance(m, torch.nn.LeakyReLU)}
        assert slopes == {0.3}
        assert [m.out_features for m in net.encoder if isinstance(m, torch.nn.Linear)] == [88, 60]
        assert [m.out_features for m in net.decoder if isinstance(m, torch.nn.Linear)] == [60, 88]
        assert net.mu.out_features == net.logvar.out_features == 32
        # one shared embedding table: sex and smoker are binary, stage has 3 levels
        assert net.embedding is not None and tuple(net.embedding.weight.shape) == (3, 3)


# ------------------------------------------------------------------------------ sampling
class TestSampling:
    @pytest.mark.parametrize("sampling", ["library", "prior"])
    def test_output_has_the_training_schema(
        self, model: MedVAE, data: pd.DataFrame, sampling: str
    ) -> None:
        synthetic = model.sample(500, sampling=sampling)
        assert list(synthetic.columns) == list(data.columns)
        assert synthetic.dtypes.to_dict() == data.dtypes.to_dict()
        assert len(synthetic) == 500
        assert list(synthetic["stage"].cat.categories) == ["I", "II", "III"]
        assert set(synthetic["sex"]) <= {"F", "M"}
        for column in ("age", "drug", "visits", "lab"):
            values = synthetic[column].dropna()
            assert values.min() >= data[column].min()
            assert values.max() <= data[column].max()
        for column in ("drug", "visits"):
            assert (synthetic[column] % 1 == 0).all()
        assert np.allclose(synthetic["age"], synthetic["age"].round(1))

    def test_library_sampling_keeps_the_marginals(self, model: MedVAE, data: pd.DataFrame) -> None:
        synthetic = model.sample(2000, random_state=3)
        assert synthetic["age"].mean() == pytest.approx(data["age"].mean(), abs=2.5)
        assert synthetic["age"].std() == pytest.approx(data["age"].std(), rel=0.3)
        share = synthetic["stage"].value_counts(normalize=True)
        assert share["I"] == pytest.approx(0.5, abs=0.1)

    def test_missing_values_come_back_at_a_plausible_rate(self, model: MedVAE) -> None:
        synthetic = model.sample(2000, random_state=4)
        rate = synthetic["lab"].isna().mean()
        assert 0.08 <= rate <= 0.35
        assert synthetic.drop(columns="lab").notna().all().all()

    def test_impute_policy_gives_no_missing_values(self, data: pd.DataFrame) -> None:
        vae = MedVAE(ROLES, missing="impute", epochs=2, random_state=0).fit(data)
        assert vae.sample(300)["lab"].notna().all()

    def test_zero_rows(self, model: MedVAE, data: pd.DataFrame) -> None:
        empty = model.sample(0)
        assert list(empty.columns) == list(data.columns) and len(empty) == 0

    def test_wide_samples_are_decoded_chunk_by_chunk(
        self, data: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The whole rows x features matrix went to the encoder at once: with a 2,000-level
        column 27 KB a row, 27 GB for a million rows. Each chunk is decoded on its own, and
        keys stay one per row over the chunks."""
        from synth_plugins.generators.med_vae import sampling

        keyed = data.assign(record=np.arange(len(data)) + 500)
        vae = MedVAE({**ROLES, "record": "identifier"}, epochs=2, random_state=0).fit(keyed)
        decoded: list[int] = []
        inverse = type(vae.encoder_).inverse_transform

        def spy(encoder, matrix):  # type: ignore[no-untyped-def]
            decoded.append(len(matrix))
            return inverse(encoder, matrix)

        monkeypatch.setattr(type(vae.encoder_), "inverse_transform", spy)
        monkeypatch.setattr(sampling, "SAMPLE_CELLS", 1_024 * vae.encoder_.n_features)
        out = vae.sample(2_500, random_state=1)
        assert decoded[:3] == [1_024, 1_024, 452]
        assert len(out) == 2_500 and out["record"].is_unique
        assert out["record"].iloc[0] == 1_000 and not out["record"].isin(keyed["record"]).any()

    def test_pickle_round_trip(self, model: MedVAE) -> None:
        restored = pickle.loads(pickle.dumps(model))
        pd.testing.assert_frame_equal(
            restored.sample(50, random_state=9), model.sample(50, random_state=9)
        )


class TestDeterminism:
    def test_same_seed_same_frames_and_different_seed_different(self, data: pd.DataFrame) -> None:
        def run(seed: int) -> tuple[dict[str, list[float]], pd.DataFrame, pd.DataFrame]:
            vae = MedVAE(ROLES, epochs=3, random_state=seed).fit(data)
            return vae.history_, vae.sample(200), vae.sample(200, sampling="prior")

        first, second, other = run(0), run(0), run(1)
        assert first[0] == second[0]
        pd.testing.assert_frame_equal(first[1], second[1])
        pd.testing.assert_frame_equal(first[2], second[2])
        assert not first[1].equals(other[1])
        assert first[0]["loss"] != other[0]["loss"]

    def test_sample_seed_and_seed_stream(self, model: MedVAE) -> None:
        pd.testing.assert_frame_equal(
            model.sample(100, random_state=5), model.sample(100, random_state=5)
        )
        assert not model.sample(100, random_state=5).equals(model.sample(100, random_state=6))
        model.set_random_state(11)
        first = [model.sample(50), model.sample(50)]
        model.set_random_state(11)
        second = [model.sample(50), model.sample(50)]
        pd.testing.assert_frame_equal(first[0], second[0])
        pd.testing.assert_frame_equal(first[1], second[1])
        assert not first[0].equals(first[1])

    def test_global_random_state_is_untouched(self, data: pd.DataFrame) -> None:
        # the legacy global generators, on purpose
        torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()  # noqa: NPY002
        MedVAE(ROLES, epochs=1, random_state=0).fit(data).sample(10)
        assert torch.equal(torch_state, torch.get_rng_state())
        assert np.array_equal(numpy_state[1], np.random.get_state()[1])  # noqa: NPY002


# ---------------------------------------------------------------------- conditional sampling
class TestConditions:
    @pytest.mark.parametrize(
        ("column", "value"), [("stage", "III"), ("sex", "F"), ("smoker", True)]
    )
    def test_library_conditioning_hits_common_values(
        self, model: MedVAE, data: pd.DataFrame, column: str, value: object
    ) -> None:
        synthetic = model.sample(1000, conditions={column: value}, random_state=2)
        unconditional = (model.sample(1000, random_state=2)[column] == value).mean()
        assert unconditional < 0.7  # the condition changes the output ...
        assert (synthetic[column] == value).mean() >= 0.95  # ... to the asked value

    def test_two_conditions_use_the_intersection(self, model: MedVAE, data: pd.DataFrame) -> None:
        conditions = {"stage": ["II", "III"], "sex": "F"}
        pool = model._library_pool(model._parse_conditions(conditions))
        expected = np.flatnonzero(data["stage"].isin(["II", "III"]) & (data["sex"] == "F"))
        assert pool is not None and np.array_equal(pool, expected)
        synthetic = model.sample(1000, conditions=conditions, random_state=3)
        hit = synthetic["stage"].isin(["II", "III"]) & (synthetic["sex"] == "F")
        assert hit.mean() >= 0.9

    def test_numeric_present_and_absent(self, model: MedVAE) -> None:
        present = model.sample(500, conditions={"drug": "present"}, random_state=1)
        absent = model.sample(500, conditions={"drug": "absent"}, random_state=1)
        unconditional = (model.sample(500, random_state=1)["drug"] == 0).mean()
        assert unconditional < 0.65
        assert (present["drug"] > 0).mean() >= 0.9
        # decoded counts near 0 round to 0 or 1 (the paper: "continuous near 0")
        assert (absent["drug"] == 0).mean() >= 0.8

    def test_enforce_conditions_holds_for_every_row(self, model: MedVAE) -> None:
        conditions = {"stage": "III", "sex": "F", "drug": "present"}
        synthetic = model.sample(300, conditions=conditions, enforce_conditions=True)
        assert len(synthetic) == 300
        assert (synthetic["stage"] == "III").all() and (synthetic["sex"] == "F").all()
        assert (synthetic["drug"] > 0).all()
        prior = model.sample(
            100, conditions={"sex": "M"}, sampling="prior", enforce_conditions=True
        )
        assert len(prior) == 100 and (prior["sex"] == "M").all()

    def test_an_exact_number_asked_for_is_given_to_every_row(
        self, model: MedVAE, data: pd.DataFrame
    ) -> None:
        visits = data["visits"].value_counts().idxmax()  # held by several training rows
        conditions = {"visits": visits, "sex": "F"}
        synthetic = model.sample(40, conditions=conditions, enforce_conditions=True)
        assert (synthetic["visits"] == visits).all() and (synthetic["sex"] == "F").all()
        assert synthetic["visits"].dtype == model.sample(5)["visits"].dtype

    def test_conditions_that_few_rows_hold_warn(self, model: MedVAE, data: pd.DataFrame) -> None:
        from synth_plugins.generators.med_vae.conditions import warn_if_rarely_held

        parsed = model._parse_conditions({"sex": "F", "age": float(data["age"].iloc[0])})
        rows = pd.DataFrame({"sex": ["M"] * 8 + ["F"] * 2, "age": [0.0] * 10})
        with pytest.warns(UserWarning, match=r"only 20% of the 10 rows .*\(sex='F'\)"):
            warn_if_rarely_held(rows, parsed)
        with warnings.catch_warnings():  # half of them, and exact numbers are not counted
            warnings.simplefilter("error")
            warn_if_rarely_held(rows.assign(sex=["M", "F"] * 5), parsed)

    def test_conditions_rarely_held_warn_once_per_host_call(
        self, model: MedVAE, data: pd.DataFrame
    ) -> None:
        """Inside a host's call (SDV's batches, Synthcity's draws) the warning came per
        sample; it comes once, with the share over all the call's rows, at the user's line."""
        from synth_plugins.generators.med_vae.conditions import warn_if_rarely_held
        from synth_plugins.generators.privacy import one_warning_per_call

        parsed = model._parse_conditions({"sex": "F"})
        rows = pd.DataFrame({"sex": ["M"] * 8 + ["F"] * 2})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with one_warning_per_call():
                warn_if_rarely_held(rows, parsed)  # 20 % hold sex='F'
                warn_if_rarely_held(rows.assign(sex=["M"] * 6 + ["F"] * 4), parsed)  # 40 %
        assert [str(w.message)[:38] for w in caught] == ["only 30% of the 20 rows hold the condi"]
        assert caught[0].filename == __file__

    def test_prior_conditions_need_enforcement(self, model: MedVAE) -> None:
        with pytest.raises(InvalidParameterError, match="enforce_conditions"):
            model.sample(10, conditions={"sex": "F"}, sampling="prior")

    def test_levels_in_messages_read_as_written(self) -> None:
        """numpy 2 writes its scalars' type: "known values: [np.int64(1), ...]"."""
        rng = np.random.default_rng(0)
        frame = pd.DataFrame({"grade": rng.integers(1, 4, 60), "age": rng.normal(50, 9, 60)})
        fitted = MedVAE(roles={"grade": "categorical"}, epochs=1, random_state=0).fit(frame)
        with pytest.raises(InvalidParameterError, match=r"known values: \[1, 2, 3\]$"):
            fitted.sample(5, conditions={"grade": 7})
        with pytest.raises(InvalidDataError, match=r"\(grade=1, age="):
            fitted.sample(5, conditions={"grade": np.int64(1), "age": float(frame["age"][0])})

    def test_unseen_value(self, model: MedVAE, data: pd.DataFrame) -> None:
        with pytest.raises(InvalidParameterError, match=r"stage='IV'.*never seen"):
            model.sample(10, conditions={"stage": "IV"})
        oldest = data["age"].max()
        with pytest.raises(InvalidParameterError, match=rf"age=999.*nearest .* are {oldest:g};"):
            model.sample(10, conditions={"age": 999})
        # a value inside the range that no row holds: the message names its neighbours
        ages = np.unique(data["age"])
        between = (ages[10] + ages[11]) / 2
        with pytest.raises(
            InvalidParameterError, match=rf"no training row .* are {ages[10]:g} and {ages[11]:g};"
        ):
            model.sample(10, conditions={"age": between})

    def test_unknown_column(self, model: MedVAE) -> None:
        with pytest.raises(InvalidParameterError, match="unknown column 'weight'"):
            model.sample(10, conditions={"weight": 70})

    def test_too_small_library(self, model: MedVAE, data: pd.DataFrame) -> None:
        age = data["age"].iloc[0]
        count = int((data["age"] == age).sum())
        assert count < 5
        with pytest.raises(InvalidDataError, match=rf"only {count} training rows.*age="):
            model.sample(10, conditions={"age": age})

    def test_can_condition_says_where_the_library_cannot_serve(
        self, model: MedVAE, data: pd.DataFrame
    ) -> None:
        """A host samples the whole model and keeps the matching rows where this is False
        (the SDV synthesizer, through SDV's rejection sampling); ``sample`` refuses those."""
        assert model.can_condition({"stage": ["II", "III"], "sex": "F"})
        assert model.can_condition({})
        rare = float(data["age"].iloc[0])  # held by fewer than min_library_size rows
        ages = np.unique(data["age"])
        for conditions in ({"age": rare}, {"age": (ages[10] + ages[11]) / 2}):
            assert not model.can_condition(conditions)
        # jointly: the library is the rows holding all the conditions
        common = float(data["visits"].value_counts().idxmax())
        jointly = (data["visits"] == common) & (data["stage"] == "III") & (data["sex"] == "F")
        assert (data["visits"] == common).sum() >= 5 and jointly.sum() < 5
        assert model.can_condition({"visits": common})
        assert not model.can_condition({"visits": common, "stage": "III", "sex": "F"})
        with pytest.raises(InvalidParameterError, match=r"stage='IV'.*never seen"):
            model.can_condition({"stage": "IV"})
        with pytest.raises(InvalidParameterError, match=r"age=999.*outside the training range"):
            model.can_condition({"age": 999})
        with pytest.raises(InvalidParameterError, match="unknown column 'weight'"):
            model.can_condition({"weight": 70})
        days = pd.Timestamp("2020-01-01") + pd.to_timedelta(np.arange(len(data)) % 3, unit="D")
        dated = MedVAE(ROLES, epochs=1, random_state=0).fit(data.assign(seen=days))
        assert not dated.can_condition({"seen": days[0]})  # dates take no conditions
        with pytest.raises(InvalidParameterError, match="datetime column 'seen'"):
            dated.sample(5, conditions={"seen": days[0]})

    def test_messages_show_whole_numbers_as_written(self, data: pd.DataFrame) -> None:
        # numeric conditions are stored as floats; the messages give the user's 3, not 3.0
        vae = MedVAE(ROLES, epochs=1, min_library_size=len(data) + 1).fit(data)
        with pytest.raises(InvalidDataError, match=r"\(drug=3\);"):
            vae.sample(10, conditions={"drug": 3})
        with pytest.raises(InvalidDataError, match=r"\(drug=\[0, 3\]\);"):
            vae.sample(10, conditions={"drug": [0, 3]})

    def test_unreachable_enforcement_is_a_clear_error(self, data: pd.DataFrame) -> None:
        # a continuous column decodes through a sigmoid: never exactly its training minimum
        frame = data.assign(x=np.random.default_rng(0).random(len(data)))
        vae = MedVAE(ROLES, epochs=1, min_library_size=1, numerical_transform="minmax")
        vae.fit(frame)
        with pytest.raises(InvalidParameterError, match="enforce_conditions cannot reach"):
            vae.sample(50, conditions={"x": "absent"}, enforce_conditions=True)


# ------------------------------------------------------------------------------- DP mode
class TestDifferentialPrivacy:
    @pytest.fixture(scope="class")
    def private(self, data: pd.DataFrame) -> MedVAE:
        return MedVAE(ROLES, dp=True, epochs=2, random_state=0).fit(data)

    def test_no_batch_norm_and_a_finite_epsilon(self, private: MedVAE, data: pd.DataFrame) -> None:
        from opacus.validators import ModuleValidator

        net = private.model_
        assert net is not None
        assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in net.modules())
        assert ModuleValidator.validate(copy.deepcopy(net).train(), strict=False) == []
        assert private.epsilon_ is not None and 0 < private.epsilon_ < float("inf")
        assert private.dp_delta_ == pytest.approx(1 / len(data))
        assert private.library_mu_ is None

    def test_prior_sampling_only(self, private: MedVAE, data: pd.DataFrame) -> None:
        synthetic = private.sample(100)
        assert list(synthetic.columns) == list(data.columns)
        with pytest.raises(InvalidParameterError, match="library"):
            private.sample(10, sampling="library")
        with pytest.raises(InvalidParameterError, match="enforce_conditions"):
            private.sample(10, conditions={"sex": "F"})
        assert not private.can_condition({"sex": "F"})  # no library to condition through
        with pytest.raises(InvalidParameterError, match="sampling='library'"):
            MedVAE(dp=True, sampling="library")
        restored = pickle.loads(pickle.dumps(private))
        pd.testing.assert_frame_equal(
            restored.sample(20, random_state=1), private.sample(20, random_state=1)
        )

    def test_numbers_are_not_read_off_training_values(self) -> None:
        # the quantile transform's knots are the training values (every one below 20 rows):
        # 75 % of a dp fit's ages on 15 rows were training ages before dp chose min-max
        rng = np.random.default_rng(0)
        ages = rng.normal(60, 10, 15).round(1)
        frame = pd.DataFrame({"age": ages, "sex": rng.choice(["F", "M"], 15)})
        private = MedVAE(dp=True, epochs=1, random_state=0).fit(frame)
        assert private.transform_ == MinMax()  # no knots, no lone ends
        synthetic = private.sample(2_000, random_state=0)
        assert np.isin(synthetic["age"], ages).mean() < 0.2
        assert MedVAE().transform_kind == "quantile"
        with pytest.raises(InvalidParameterError, match="numerical_transform='quantile'.*dp=True"):
            MedVAE(dp=True, numerical_transform="quantile")


# ----------------------------------------------------------------------------- bad input
class TestBadInput:
    def test_all_missing_column(self, data: pd.DataFrame) -> None:
        with pytest.raises(InvalidDataError, match="'empty'"):
            MedVAE(epochs=1).fit(data.assign(empty=np.nan))

    def test_single_row(self, data: pd.DataFrame) -> None:
        with pytest.raises(InvalidDataError, match="at least 2 rows"):
            MedVAE(epochs=1).fit(data.iloc[:1])

    def test_constant_columns_are_reproduced(self, data: pd.DataFrame) -> None:
        frame = data.assign(site="A", dose=5.0)
        synthetic = MedVAE(ROLES, epochs=1).fit(frame).sample(50)
        assert (synthetic["site"] == "A").all() and (synthetic["dose"] == 5.0).all()

    def test_not_fitted(self) -> None:
        with pytest.raises(NotFittedError):
            MedVAE().sample(5)

    def test_not_a_frame(self, data: pd.DataFrame) -> None:
        with pytest.raises(InvalidDataError, match="DataFrame"):
            MedVAE().fit(data.to_numpy())  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [
            ({"beta": -1.0}, "beta"),
            ({"kl_mode": "detached"}, "kl_mode"),
            ({"epochs": 0}, "epochs"),
            ({"batch_size": 1}, "batch_size"),
            ({"hidden": ()}, "hidden"),
            ({"loss_weights": {"numeric": 1.0}}, "loss_weights"),
            ({"numerical_activation": "tanh"}, "numerical_activation"),
            ({"sampling": "posterior"}, "sampling"),
            ({"patience": 0}, "patience"),
            ({"dp": True, "validation_fraction": 0.1}, "validation_fraction"),
            ({"random_state": -1}, "random_state"),
            ({"device": "tpu"}, "device"),
        ],
    )
    def test_bad_parameters_name_the_parameter(self, kwargs: dict, name: str) -> None:
        with pytest.raises(InvalidParameterError, match=name):
            MedVAE(**kwargs).fit(mixed_frame(20))

    def test_bad_sample_arguments(self, model: MedVAE) -> None:
        with pytest.raises(InvalidParameterError, match="n must be"):
            model.sample(-1)
        with pytest.raises(InvalidParameterError, match="sampling"):
            model.sample(5, sampling="posterior")  # type: ignore[arg-type]


# ------------------------------------------------------------------------ early stopping
def test_validation_split_and_early_stopping(data: pd.DataFrame) -> None:
    vae = MedVAE(ROLES, epochs=40, validation_fraction=0.2, patience=2, random_state=0)
    vae.fit(data)
    assert {"val_loss", "val_numerical", "val_kl"} <= set(vae.history_)
    assert len(vae.history_["val_loss"]) == vae.n_epochs_ <= 40
    assert vae.best_epoch_ is not None
    best = int(np.argmin(vae.history_["val_loss"]))
    assert vae.best_epoch_ == best
    assert vae.library_mu_ is not None and len(vae.library_mu_) == len(data)


def test_the_validation_split_is_the_shared_one() -> None:
    # CK4Gen's and the LSTM's split (_nn.split_rows): two rows train on both, no split
    # (Med-VAE held one out and refused); a share that leaves one row is refused alike
    two = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    vae = MedVAE(epochs=1, validation_fraction=0.1, random_state=0).fit(two)
    assert "val_loss" not in vae.history_ and len(vae.sample(3)) == 3
    with pytest.raises(InvalidDataError, match="holds out 2 of 3 rows, leaving 1 to train on"):
        MedVAE(epochs=1, validation_fraction=0.5).fit(pd.concat([two, two.iloc[:1]]))


def test_the_progress_bar_shows_the_loss_parts_not_the_annealed_objective(
    data: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bar showed ``loss``, the annealed objective ``recon + beta * e / T * kl``, which
    rises with the KL weight while training improves (on heart failure from 1.86 at epoch
    130 to 2.01 at 199, while ``recon + beta * kl`` fell from 2.25 to 2.02): a user watching
    it saw training diverge. It shows the weighted reconstruction loss, the KL and the
    validation criterion at the full KL weight."""
    from synth_plugins.generators import _torch

    shown: list[dict[str, float]] = []
    monkeypatch.setattr(_torch, "set_postfix", lambda bar, **values: shown.append(values))
    vae = MedVAE(ROLES, epochs=6, validation_fraction=0.2, random_state=0).fit(data)
    history, weights = vae.history_, vae.loss_weights
    assert len(shown) == vae.n_epochs_ and all(set(s) == {"recon", "kl", "val"} for s in shown)
    for epoch, figures in enumerate(shown):
        parts = {key: history[key][epoch] for key in weights}
        recon = sum(weights[key] * parts[key] for key in weights)
        assert figures["recon"] == pytest.approx(recon)
        assert figures["kl"] == history["kl"][epoch] > 0
        assert figures["val"] == history["val_loss"][epoch]
        # the annealed objective is the reconstruction loss plus the weighted KL
        annealed = recon + history["kl_weight"][epoch] * history["kl"][epoch]
        assert history["loss"][epoch] == pytest.approx(annealed, rel=1e-5)


def test_a_table_of_few_distinct_rows_fits_its_latent_mixture_quietly():
    """200 rows of 2 profiles: the mixture asked for 4 components and sklearn warned
    (``ConvergenceWarning``: 2 distinct clusters) in every such fit, Stage A of the
    longitudinal LSTM on a cohort with one binary static column included."""
    data = pd.DataFrame({"sex": ["F", "M"] * 100, "smoker": ["no", "yes"] * 100})
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = MedVAE(epochs=2, random_state=0, verbose=False).fit(data)
    assert len(model.latent_mixture_.weights) <= 2

"""Unit tests of Med-VAE options beyond the paper: transforms, presets, auto training, sampling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from synth_plugins.errors import InvalidParameterError
from synth_plugins.generators import MedVAE
from synth_plugins.generators.med_vae import training
from synth_plugins.generators.med_vae.layout import Layout
from synth_plugins.generators.med_vae.sampling import (
    Cutoffs,
    LatentMixture,
    generate,
    reflect_lone_ends,
    residual_sd,
)
from synth_plugins.generators.med_vae.transforms import (
    SCORE_SCALE,
    Ends,
    MinMax,
    QuantileNormal,
    fit_transform,
    lone_ends,
)

torch.set_num_threads(1)


def skewed_frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """A skewed lab with many ties, a bimodal score, a constant, a category and a binary."""
    rng = np.random.default_rng(seed)
    bimodal = np.where(rng.random(n) < 0.4, rng.normal(20, 2, n), rng.normal(60, 5, n))
    return pd.DataFrame(
        {
            "creatinine": rng.lognormal(0.0, 0.8, n).round(1),
            "score": bimodal.round(2),
            "constant": np.full(n, 7.0),
            "stage": rng.choice(["I", "II", "III"], n),
            "smoker": rng.random(n) < 0.3,
        }
    )


# ---------------------------------------------------------------------------- transforms
class TestQuantileNormal:
    def test_forward_is_exact_and_inverse_follows_the_smoothed_quantiles(self) -> None:
        rng = np.random.default_rng(1)
        values = np.column_stack(
            [
                rng.lognormal(0, 1, 500).round(1),  # skewed, many ties
                rng.integers(0, 3, 500),  # three distinct values
                np.full(500, 0.25),  # constant
            ]
        )
        values = (values - values.min(0)) / np.maximum(np.ptp(values, 0), 1e-12)
        transform = QuantileNormal.fit(values)
        scores = transform.forward(values)
        assert np.isfinite(scores).all()
        for j in range(3):  # distinct values map to distinct scores, in order
            distinct = np.unique(values[:, j])
            assert len(np.unique(transform.forward(np.tile(distinct, (3, 1)).T)[:, j])) == len(
                distinct
            )
        decoded = transform.inverse(scores)
        # ties keep their value; every decoded value is within the training range
        np.testing.assert_array_equal(decoded[:, 1:], values[:, 1:])
        assert (decoded >= values.min(0)).all() and (decoded <= values.max(0)).all()
        # 50 knots 10 rows apart, and both ends of each value 3 or more rows share
        _, counts = np.unique(values[:, 0], return_counts=True)
        assert len(transform.inverse_values[0]) <= 50 + 2 * (counts >= 3).sum() < 500
        assert np.corrcoef(decoded[:, 0], values[:, 0])[0, 1] > 0.99

    def test_a_value_three_rows_share_keeps_its_share_two_rows_do_not(self) -> None:
        """pima's 8 zero BMIs of 614 (a code for "not measured") were smoothed away."""
        rng = np.random.default_rng(4)
        values = np.concatenate([np.zeros(8), rng.uniform(0.3, 1.0, 590), [0.5, 0.5]])
        transform = QuantileNormal.fit(values[:, None])
        draws = rng.normal(0, SCORE_SCALE, (200_000, 1))
        decoded = transform.inverse(draws)[:, 0]
        assert abs((decoded == 0).mean() - 8 / 600) < 0.002
        assert (decoded == 0.5).mean() < 0.001  # two rows on one value: chance, smoothed

    def test_decoded_dates_fall_on_training_dates_no_more_than_a_holdouts(self) -> None:
        """Interpolating between every training value piles draws where values sit close.

        300 dates drawn from 20,000 days: a holdout date equals a training date about 1.5 %
        of the time; normal-score draws decoded between all 300 training dates did so 5.7
        times as often, through the smoothed quantiles about 1.3 times (30 splits).
        """
        ratios = []
        for seed in range(30):
            rng = np.random.default_rng(seed)
            train, holdout = rng.integers(0, 20_000, (2, 300)) / 20_000
            transform = QuantileNormal.fit(train[:, None])
            ends = transform.ends(1)
            draws = torch.from_numpy(rng.normal(0, SCORE_SCALE, (20_000, 1)))
            draws = reflect_lone_ends(draws, ends).numpy()
            days = np.round(transform.inverse(draws)[:, 0] * 20_000)
            ratios.append(np.isin(days, train * 20_000).mean() / np.isin(holdout, train).mean())
        assert 0.8 < np.mean(ratios) < 1.6

    def test_scores_are_normal_and_rank_preserving(self) -> None:
        values = np.random.default_rng(2).exponential(1.0, (4000, 1))
        scores = QuantileNormal.fit(values).forward(values)[:, 0] / SCORE_SCALE
        assert abs(scores.mean()) < 0.02 and abs(scores.std() - 1) < 0.02
        assert abs(pd.Series(scores).skew()) < 0.05  # the raw values' skew is about 2
        order = np.argsort(values[:, 0], kind="stable")
        assert (np.diff(scores[order]) >= 0).all()

    def test_inverse_stays_between_training_values(self) -> None:
        values = np.array([[0.0], [0.1], [0.5], [1.0]])
        transform = QuantileNormal.fit(values)
        decoded = transform.inverse(np.array([[-50.0], [0.0], [50.0]]))[:, 0]
        assert decoded[0] == 0.0 and decoded[2] == 1.0 and 0.1 < decoded[1] < 0.5

    def test_minmax_is_the_identity(self) -> None:
        values = np.random.default_rng(3).random((10, 2))
        transform = fit_transform("minmax", values)
        assert isinstance(transform, MinMax)
        assert transform.inverse(transform.forward(values)) is values

    def test_fitted_model_keeps_the_training_scores_and_their_order(self) -> None:
        data = skewed_frame()
        vae = MedVAE(epochs=1, numerical_transform="quantile", random_state=0).fit(data)
        assert isinstance(vae.transform_, QuantileNormal)
        layout, encoder = vae._layout, vae.encoder_
        assert layout is not None and encoder is not None
        scaled, observed = layout.numerical(encoder, data)
        x_cont, _ = layout.inputs(encoder, data, vae.transform_)
        numerical = x_cont[:, len(layout.binary_index) :].numpy()
        # float32 network inputs hold the exact training scores, and decode in their order
        np.testing.assert_array_equal(numerical, vae.transform_.forward(scaled).astype(np.float32))
        decoded = vae.transform_.inverse(numerical)
        for j in range(scaled.shape[1]):
            rows = observed[:, j]
            order = np.argsort(scaled[rows, j], kind="stable")
            assert (np.diff(decoded[rows, j][order]) >= 0).all()

    def test_quantile_model_uses_a_linear_head_and_shapes_a_skewed_marginal(self) -> None:
        data = skewed_frame(600)
        vae = MedVAE(epochs=40, numerical_transform="quantile", random_state=0).fit(data)
        assert vae.model_ is not None and vae.model_.numerical_activation == "linear"
        synthetic = vae.sample(2000, sampling="library", random_state=1)
        real = data["creatinine"]
        assert synthetic["creatinine"].skew() > 0.5 * real.skew()
        assert synthetic["creatinine"].between(real.min(), real.max()).all()
        assert (synthetic["constant"] == 7.0).all()

    def test_sigmoid_cannot_reach_normal_scores(self) -> None:
        with pytest.raises(InvalidParameterError, match="numerical_activation"):
            MedVAE(numerical_transform="quantile", numerical_activation="sigmoid")
        with pytest.raises(InvalidParameterError, match="numerical_transform"):
            MedVAE(numerical_transform="log")


# ------------------------------------------------------------------------------- presets
def test_paper_preset_is_the_notebook_exactly() -> None:
    """The released notebook's settings (hogglet-rsc/Med-VAE, Med-VAE.ipynb at c34d19019f)."""
    params = MedVAE.from_preset("paper").get_params()
    notebook = {
        "latent_dim": 32,
        "hidden": (88, 60),
        "embedding_dim": 3,
        "leaky_relu_slope": 0.3,
        "batch_norm": True,
        "numerical_transform": "minmax",
        "numerical_activation": "sigmoid",
        "loss_weights": {"numerical": 100.0, "binary": 1.0, "categorical": 1.0},
        "beta": 10.0,
        "kl_mode": "legacy_detached",
        "lr": 1e-3,
        "clipvalue": 1.0,
        "batch_size": 32,
        "epochs": 200,
        "sampling": "library",
        "latent_temperature": 1.0,
        "decoding": "mode",
        "validation_fraction": 0.0,
        "patience": None,
    }
    assert {name: params[name] for name in notebook} == notebook
    assert MedVAE.from_preset("paper", epochs=3).epochs == 3  # overrides on top
    with pytest.raises(InvalidParameterError, match="preset"):
        MedVAE.from_preset("recent")


def test_paper_preset_trains_as_the_notebook() -> None:
    vae = MedVAE.from_preset("paper", epochs=4, random_state=0).fit(skewed_frame(100))
    assert vae.batch_size_ == 32 and vae.lr_ == 1e-3 and vae.n_epochs_ == 4
    assert vae.history_["kl_weight"] == [0.0, 2.5, 5.0, 7.5]  # beta * e / T
    assert vae.default_sampling == "library"


# ------------------------------------------------------------------------ auto training
@pytest.mark.parametrize(
    ("n_rows", "batch", "lr"),
    [(239, 32, 1e-3), (2_000, 32, 1e-3), (7_874, 128, 2e-3), (100_000, 1024, 4e-3)],
)
def test_auto_batch_size_and_lr_follow_the_table_size(n_rows: int, batch: int, lr: float) -> None:
    assert training.auto_batch_size(n_rows) == batch
    assert training.auto_lr(batch) == pytest.approx(lr)


def test_auto_values_are_resolved_on_the_training_rows() -> None:
    data = pd.concat([skewed_frame(5000)], ignore_index=True)
    vae = MedVAE(batch_size="auto", lr="auto", epochs=1, validation_fraction=0.2, patience=1)
    vae.fit(data)
    assert vae.batch_size_ == training.auto_batch_size(4000) == 64
    assert vae.lr_ == pytest.approx(training.auto_lr(64))
    with pytest.raises(InvalidParameterError, match="batch_size"):
        MedVAE(batch_size="big")


@pytest.mark.parametrize(
    ("argument", "value", "said"),
    [
        ("lr", "fast", "lr must be 'auto' or a number, got 'fast'"),
        ("batch_size", 1, "batch_size must be 'auto' or an integer >= 2, got 1"),
        ("validation_fraction", 1.5, "validation_fraction must be 'auto' or < 1.0, got 1.5"),
    ],
)
def test_an_auto_argument_says_auto_is_accepted(argument: str, value: object, said: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"^{said}$") as caught:
        MedVAE(**{argument: value})
    assert caught.value.parameter == argument


# ----------------------------------------------------------------------------- sampling
def test_lone_ends_are_reflected_and_shared_ends_kept() -> None:
    values = torch.tensor([[0.5, -0.25, 1.5], [1.25, 2.6, -0.5], [-0.1, 0.0, 0.5]])
    ends = Ends(
        low=np.array([0.0, -1.0, 0.0]),
        high=np.array([1.0, 1.0, 1.0]),
        reflect_low=np.array([True, True, False]),
        reflect_high=np.array([True, True, True]),
    )
    expected = torch.tensor([[0.5, -0.25, 0.5], [0.75, -0.6, -0.5], [0.1, 0.0, 0.5]])
    torch.testing.assert_close(reflect_lone_ends(values, ends), expected)


def test_lone_ends_are_read_from_the_training_values() -> None:
    values = np.array([[0.0, 0.0], [0.0, 0.4], [1.0, 1.0], [0.5, 1.0]])
    assert lone_ends(values) == ((False, True), (True, False))
    assert MinMax.fit(values).lone_low == (False, True)
    assert QuantileNormal.fit(values).lone_high == (True, False)


@pytest.mark.parametrize("transform", ["minmax", "quantile"])
def test_sampled_decoding_puts_no_mass_on_the_training_extremes(transform: str) -> None:
    """Noise past a lone end is reflected, not clipped onto it; a shared end keeps its mass."""
    rng = np.random.default_rng(3)
    zeros = np.where(rng.random(200) < 0.3, 0.0, rng.uniform(1, 5, 200))  # 30 % at the minimum
    data = pd.DataFrame({"a": rng.normal(0, 1, 200), "b": rng.uniform(0, 5, 200), "z": zeros})
    vae = MedVAE(epochs=3, numerical_transform=transform, random_state=0).fit(data)
    synthetic = vae.sample(2000, random_state=1)
    for column in ("a", "b"):
        at_extreme = synthetic[column].isin([data[column].min(), data[column].max()])
        assert at_extreme.mean() < 0.005, column
    assert (synthetic["z"] == 0.0).mean() > 0.02  # clipped onto the shared minimum, as before


class TestLatentSampling:
    @pytest.fixture(scope="class")
    def fitted(self) -> tuple[MedVAE, pd.DataFrame]:
        data = skewed_frame(400)
        return MedVAE(epochs=30, random_state=0).fit(data), data

    def test_mixture_is_seeded_and_keeps_the_schema(self, fitted) -> None:
        vae, data = fitted
        first = vae.sample(300, sampling="mixture", random_state=5)
        pd.testing.assert_frame_equal(first, vae.sample(300, sampling="mixture", random_state=5))
        assert list(first.columns) == list(data.columns)
        assert not first.equals(vae.sample(300, sampling="mixture", random_state=6))

    def test_mixture_pools_many_rows_per_component(self, fitted) -> None:
        vae, _ = fitted
        mixture = vae.latent_mixture_
        assert mixture is not None
        assert len(mixture.weights) == 400 // 50  # at least 50 rows per component on average
        assert mixture.means.shape == (8, vae.latent_dim)

    def test_temperature_widens_library_draws(self, fitted) -> None:
        vae, _ = fitted
        default = vae.decoding
        vae.decoding = "mode"  # the latent spread alone
        spreads = []
        try:
            for temperature in (0.0, 1.0, 3.0):
                vae.latent_temperature = temperature
                synthetic = vae.sample(2000, sampling="library", random_state=1)
                spreads.append(synthetic["score"].std())
        finally:
            vae.latent_temperature, vae.decoding = 1.0, default
        assert spreads[0] < spreads[2]

    def test_temperature_scales_the_mixture_components(self, fitted) -> None:
        vae, _ = fitted
        default = vae.decoding
        vae.latent_temperature, vae.decoding = 0.0, "mode"  # every draw: a component mean
        try:
            frozen = vae.sample(500, sampling="mixture", random_state=3)
        finally:
            vae.latent_temperature, vae.decoding = 1.0, default
        n_components = len(vae.latent_mixture_.weights)
        assert len(frozen.drop_duplicates()) <= n_components
        assert len(vae.sample(500, sampling="mixture", random_state=3).drop_duplicates()) > 100

    def test_default_decoding_draws_from_the_outputs(self, fitted) -> None:
        vae, data = fitted
        assert vae.decoding == "calibrated"  # the default: numbers and levels drawn
        assert vae.residual_sd_ is not None and vae.residual_sd_.shape == (2,)  # no constant
        assert (vae.residual_sd_ >= 0).all()
        drawn = vae.sample(2000, sampling="mixture", random_state=4)
        again = vae.sample(2000, sampling="mixture", random_state=4)
        vae.latent_temperature = 0.0  # one latent point per component: outputs still vary
        try:
            frozen = vae.sample(500, sampling="mixture", random_state=3)
        finally:
            vae.latent_temperature = 1.0
        pd.testing.assert_frame_equal(drawn, again)
        assert list(drawn.columns) == list(data.columns)
        assert len(frozen.drop_duplicates()) > len(vae.latent_mixture_.weights)
        assert abs(drawn["smoker"].mean() - data["smoker"].mean()) < 0.1
        assert set(drawn["stage"]) <= set(data["stage"])
        with pytest.raises(InvalidParameterError, match="decoding"):
            MedVAE(decoding="argmax")

    def test_conditions_use_a_mixture_of_the_matching_rows(self, fitted) -> None:
        vae, data = fitted
        base_rate = float((data["stage"] == "III").mean())
        rows = vae.sample(1000, sampling="mixture", conditions={"stage": "III"}, random_state=2)
        assert (rows["stage"] == "III").mean() > max(0.8, 2 * base_rate)  # decoded at the mode
        kept = vae.sample(
            50, sampling="mixture", conditions={"stage": "III"}, enforce_conditions=True
        )
        assert (kept["stage"] == "III").all()

    def test_mixture_draws_have_each_components_mean_and_covariance(self) -> None:
        """Each component's draws are its mean plus its factor times N(0, I): a factor
        applied transposed, or to another component's draws, moves the covariance."""
        factors = np.array([[[1.0, 0.0], [0.9, 0.3]], [[0.5, 0.0], [-1.2, 2.0]]], np.float32)
        mixture = LatentMixture(
            np.array([0.3, 0.7]), np.array([[5.0, 0.0], [-5.0, 1.0]], np.float32), factors
        )
        draws = mixture.sample(60_000, torch.Generator().manual_seed(0)).numpy()
        first = draws[:, 0] > 0  # the two means are 10 apart on the first axis
        assert first.mean() == pytest.approx(0.3, abs=0.01)
        for k, rows in enumerate((draws[first], draws[~first])):
            np.testing.assert_allclose(rows.mean(axis=0), mixture.means[k], atol=0.05)
            covariance = factors[k] @ factors[k].T
            np.testing.assert_allclose(np.cov(rows.T), covariance, atol=0.06 * covariance.max())
        half = mixture.sample(60_000, torch.Generator().manual_seed(0), temperature=0.5)
        np.testing.assert_allclose(half.numpy() - mixture.means[(draws[:, 0] < 0).astype(int)],
                                   0.5 * (draws - mixture.means[(draws[:, 0] < 0).astype(int)]),
                                   atol=1e-5)  # fmt: skip

    def test_dp_refuses_the_mixture(self) -> None:
        with pytest.raises(InvalidParameterError, match="mixture"):
            MedVAE(dp=True, sampling="mixture")


# ------------------------------------------------------------------- calibrated decoding
class StubNet(torch.nn.Module):
    """Decodes a latent point into known binary logits: ``scale * z[:, :k] + shift``."""

    def __init__(self, k: int, scale: float, shift: float) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(1))
        self.k, self.scale, self.shift = k, scale, shift

    def decode(self, z: torch.Tensor) -> tuple[torch.Tensor, ...]:
        empty = z.new_zeros((len(z), 0))
        return empty, self.scale * z[:, : self.k] + self.shift, empty


@pytest.mark.parametrize(("scale", "share"), [(0.5, 0.28), (0.0, 0.27)])
def test_cutoffs_keep_the_share_bernoulli_draws_give(scale: float, share: float) -> None:
    """Logits N(-1, 0.5): Bernoulli gives 0.28 ones where a 0.5 threshold gives 0.02.

    At ``scale=0`` every logit is -1, one tie: a strict cut-off would give no ones at all.
    """
    net = StubNet(3, scale, -1.0)  # three binary outputs; the first and the last cut
    draw = torch.Generator().manual_seed(0)
    cutoffs = Cutoffs.calibrate(
        net, lambda size: torch.randn((size, 3), generator=draw), np.array([0, 2]),
        torch.Generator().manual_seed(1),
    )  # fmt: skip
    assert cutoffs.columns.tolist() == [0, 2]
    logits = net.decode(torch.randn((20_000, 3), generator=draw))[1][:, [0, 2]]
    ones = cutoffs.apply(logits)
    np.testing.assert_allclose(ones.mean(dim=0), torch.sigmoid(logits).mean(dim=0), atol=0.01)
    np.testing.assert_allclose(ones.mean(dim=0), [share, share], atol=0.01)
    if scale:  # above the cut-off: 1, below: 0
        order = logits[:, 0].argsort()
        assert ones[order[-100:], 0].all() and not ones[order[:100], 0].any()
    else:  # a tie decoded in a batch of another size differs in the last float32 bits
        nudged = cutoffs.apply(logits + 1e-7).mean(dim=0)
        np.testing.assert_allclose(nudged, [share, share], atol=0.01)


class TestCalibratedDecoding:
    """``decoding="calibrated"``, the default: binary columns cut, the rest drawn."""

    @pytest.fixture(scope="class")
    def fitted(self) -> tuple[MedVAE, pd.DataFrame]:
        rng = np.random.default_rng(0)
        marker = rng.normal(0.0, 1.0, 600)
        data = pd.DataFrame(
            {
                "marker": marker.round(3),
                "event": rng.random(600) < 1.0 / (1.0 + np.exp(-4.0 * marker)),  # AUC 0.94
                "smoker": rng.random(600) < 0.3,
                "stage": rng.choice(["I", "II", "III"], 600),
            }
        )
        vae = MedVAE(epochs=40, redraw_copies=False, random_state=0).fit(data)
        return vae, data

    def test_binary_outcome_follows_its_marker_more_sharply(self, fitted) -> None:
        from sklearn.metrics import roc_auc_score

        vae, _ = fitted
        assert vae.decoding == "calibrated"  # the default
        calibrated = vae.sample(4000, random_state=1)
        vae.decoding = "sample"
        try:
            drawn = vae.sample(4000, random_state=1)
        finally:
            vae.decoding = "calibrated"
        # the same latent points and the same draws of everything but the binary columns
        others = ["marker", "stage"]
        pd.testing.assert_frame_equal(calibrated[others], drawn[others])
        # Bernoulli draws blur the outcome's link to its marker; the cut-offs keep it ...
        auc_calibrated = roc_auc_score(calibrated["event"], calibrated["marker"])
        assert auc_calibrated > roc_auc_score(drawn["event"], drawn["marker"]) + 0.005
        # ... and the share of ones of each binary column
        for column in ("event", "smoker"):
            assert abs(calibrated[column].mean() - drawn[column].mean()) < 0.02
        assert vae.sample(0).empty and list(vae.sample(0).columns) == list(calibrated.columns)

    def test_generation_refuses_calibrated_decoding_without_cutoffs(self, fitted) -> None:
        vae, _ = fitted
        with pytest.raises(ValueError, match="cutoffs"):
            generate(
                vae.model_, vae._layout, vae.encoder_, vae.transform_, 10, "prior", None,
                None, torch.Generator().manual_seed(0), decoding="calibrated",
            )  # fmt: skip

    def test_missingness_indicators_stay_drawn(self) -> None:
        data = skewed_frame(300)
        data.loc[:60, "creatinine"] = np.nan
        data["smoker"] = data["smoker"].astype(object)
        data.loc[30:80, "smoker"] = None
        data.loc[50:120, "stage"] = None
        vae = MedVAE(epochs=3, redraw_copies=False, random_state=0).fit(data)
        plain = Layout.plain_binary(vae.encoder_)
        starts = [b.start for b in vae.encoder_.blocks if b.kind == "binary"]
        assert list(vae._layout.binary_index[plain]) == starts  # the constant and smoker
        assert len(vae._layout.binary_index) == len(plain) + 3  # three indicators
        calibrated = vae.sample(2000, random_state=2)
        vae.decoding = "sample"
        drawn = vae.sample(2000, random_state=2)
        pd.testing.assert_frame_equal(calibrated.isna(), drawn.isna())
        assert calibrated.isna().any().sum() == 3


# ------------------------------------------------------------------------------ privacy
def distinct_frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """Distinct rows of four 0..9 integer columns: natural collision rate 0, easy to copy."""
    grid = np.random.default_rng(seed).choice(10**4, n, replace=False)
    return pd.DataFrame({f"x{k}": (grid // 10**k) % 10 for k in range(4)})


def profiles_frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """Twelve profiles, so nearly every row is a natural duplicate of another."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "sex": rng.choice(["F", "M"], n),
            "grade": rng.integers(1, 4, n),
            "smoker": rng.random(n) < 0.3,
        }
    )


#: A memorising configuration: the training posteriors' means decoded without noise.
MEMORISE = {
    "epochs": 60,
    "numerical_transform": "minmax",
    "sampling": "library",
    "latent_temperature": 0.0,
    "decoding": "mode",
    "random_state": 0,
}


class TestCopies:
    def test_excess_copies_are_redrawn(self) -> None:
        from synth_plugins.metrics.copies import exact_copies

        train = distinct_frame()
        roles = dict.fromkeys(train.columns, "integer")
        memoriser = MedVAE(roles, redraw_copies=False, **MEMORISE).fit(train)
        raw = exact_copies(memoriser.sample(600, random_state=1), train)
        assert raw.natural_rate == 0.0 and raw.copies > 0
        guarded = MedVAE(roles, **MEMORISE).fit(train)
        assert guarded.redraw_copies  # the default
        assert exact_copies(guarded.sample(600, random_state=1), train).copies == 0
        memoriser.redraw_copies = True  # the filter is fitted either way, switched at sampling
        assert exact_copies(memoriser.sample(600, random_state=1), train).copies == 0

    def test_natural_duplicates_are_kept(self) -> None:
        from synth_plugins.metrics.copies import exact_copies

        train = profiles_frame()
        result = exact_copies(MedVAE(**MEMORISE).fit(train).sample(600), train)
        assert result.natural_rate > 0.9
        assert result.excess == 0 and result.copies > 0.9 * 600


def test_dp_models_keep_no_copy_filter() -> None:
    vae = MedVAE(dp=True, epochs=1, random_state=0).fit(profiles_frame(60))
    assert vae._copy_filter is None and vae.validation_share(60) == 0.0


class TestMissingFill:
    """A missing value's place holds the encoder's fill (the median), which is not data."""

    def test_transforms_are_fitted_on_the_observed_values(self) -> None:
        values = np.array([[0.1], [0.5], [0.5], [0.9], [0.2]])
        observed = np.array([[True], [False], [False], [True], [True]])
        quantile = QuantileNormal.fit(values, observed)
        np.testing.assert_array_equal(quantile.values[0], [0.1, 0.2, 0.9])
        assert quantile.lone_low == (True,) and quantile.lone_high == (True,)
        assert MinMax.fit(values, observed).lone_low == (True,)
        assert fit_transform("quantile", values).values[0].tolist() == [0.1, 0.2, 0.5, 0.9]

    def test_layout_reads_observed_values_from_the_indicators(self) -> None:
        rng = np.random.default_rng(0)
        data = pd.DataFrame({"a": rng.normal(size=20), "b": rng.normal(size=20)})
        data.loc[[1, 7], "a"] = np.nan
        vae = MedVAE(epochs=1, validation_fraction=0.0, random_state=0).fit(data)
        layout, encoder = vae._layout, vae.encoder_
        assert layout is not None and encoder is not None
        _, observed = layout.numerical(encoder, data)
        assert observed[:, 0].tolist() == data["a"].notna().tolist() and observed[:, 1].all()
        x_cont, _ = layout.inputs(encoder, data, vae.transform_)
        mask = layout.observed(x_cont)
        assert mask is not None and mask.tolist() == observed.astype(float).tolist()
        complete = MedVAE(epochs=1, validation_fraction=0.0).fit(data.dropna())
        assert complete._layout is not None and not len(complete._layout.masked_numerical)

    def test_the_fill_is_no_target_of_the_loss_or_the_residual_noise(self) -> None:
        """Changing what sits at a missing value's place changes neither the numerical loss
        nor the residual spread; changing an observed value changes both."""
        rng = np.random.default_rng(0)
        data = pd.DataFrame({"x": rng.normal(10, 2, 80), "y": rng.normal(size=80)})
        data.loc[::4, "x"] = np.nan
        vae = MedVAE(epochs=2, validation_fraction=0.0, random_state=0).fit(data)
        layout, net = vae._layout, vae.model_
        assert layout is not None and net is not None and vae.encoder_ is not None
        x_cont, codes = layout.inputs(vae.encoder_, data, vae.transform_)
        column = layout.n_binary + int(layout.masked_numerical[0])  # x's target in x_cont
        eps = torch.zeros((len(x_cont), vae.latent_dim))
        plan = vae._plan(len(data))

        def numerical_loss(inputs: torch.Tensor) -> torch.Tensor:
            outputs = net(x_cont, codes, eps)  # same outputs; only the targets move
            _, parts = training.losses(
                plan, layout, outputs, inputs, codes, 0.0, layout.observed(inputs)
            )
            return parts["numerical"].detach()

        def spread(inputs: torch.Tensor) -> np.ndarray:
            return residual_sd(net, layout, inputs, vae.library_mu_)

        net.eval()
        moved_missing, moved_observed = x_cont.clone(), x_cont.clone()
        moved_missing[::4, column] += 5.0  # the rows whose x is missing
        moved_observed[1::4, column] += 5.0
        assert torch.equal(numerical_loss(moved_missing), numerical_loss(x_cont))
        assert not torch.equal(numerical_loss(moved_observed), numerical_loss(x_cont))
        np.testing.assert_array_equal(spread(moved_missing), spread(x_cont))
        assert spread(moved_observed)[0] > spread(x_cont)[0]


class TestPointMasses:
    """A value many rows share next to a gap (zeros coding "not measured") is its own output."""

    def test_a_mass_is_a_shared_value_of_at_least_the_share(self) -> None:
        rng = np.random.default_rng(0)
        n = 200
        data = pd.DataFrame(
            {
                "zeros": np.where(rng.random(n) < 0.4, 0.0, rng.uniform(10, 20, n)),
                "rare": np.where(rng.random(n) < 0.04, 0.0, rng.uniform(10, 20, n)),
                "smooth": rng.normal(size=n),
                "gappy": np.where(
                    rng.random(n) < 0.3,
                    np.nan,
                    np.where(rng.random(n) < 0.5, 5.0, rng.uniform(6, 9, n)),
                ),
            }
        )
        vae = MedVAE(epochs=1, random_state=0).fit(data)
        layout = vae._layout
        assert layout is not None and len(layout.mass_numerical) == 2  # zeros and gappy
        assert layout.n_binary == len(layout.binary_index) + 2
        paper = MedVAE.from_preset("paper", epochs=1).fit(data)
        assert paper._layout is not None and not len(paper._layout.mass_numerical)

    def test_the_mass_is_reproduced_without_values_in_the_gap(self) -> None:
        rng = np.random.default_rng(1)
        n = 600
        other = rng.normal(size=n)
        zeros = (other + rng.normal(0, 0.5, n)) < -0.25  # about 40 %, tied to "other"
        data = pd.DataFrame({"x": np.where(zeros, 0.0, rng.uniform(10, 20, n)), "other": other})
        vae = MedVAE(epochs=60, random_state=0).fit(data)
        synthetic = vae.sample(3000, random_state=1)
        assert abs((synthetic["x"] == 0).mean() - (data["x"] == 0).mean()) < 0.08
        assert synthetic["x"].between(0, 10, inclusive="neither").mean() < 0.02
        low = synthetic["other"] < synthetic["other"].median()
        assert (synthetic.loc[low, "x"] == 0).mean() > (synthetic.loc[~low, "x"] == 0).mean() + 0.2

"""Med-VAE generation: latent draws (library, prior or latent mixture), decoding, rejection."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from synth_plugins.encoding.tabular import TabularEncoder
from synth_plugins.errors import InvalidParameterError
from synth_plugins.generators._torch import reflect_into_range
from synth_plugins.generators.med_vae.conditions import Condition
from synth_plugins.generators.med_vae.config import (
    CALIBRATION_ROWS,
    MAX_LOGVAR,
    MIXTURE_FIT_ROWS,
    MIXTURE_MAX,
    MIXTURE_ROWS_PER_COMPONENT,
    SAMPLE_CELLS,
    SAMPLE_CHUNK,
    Decoding,
    Sampling,
)
from synth_plugins.generators.med_vae.layout import Layout
from synth_plugins.generators.med_vae.networks import MedVAENet
from synth_plugins.generators.med_vae.transforms import Ends, Transform


@dataclass(frozen=True)
class LatentMixture:
    """A Gaussian mixture fitted to the training rows' posterior means (the aggregate posterior).

    Sampling it ("ex-post density estimation", Ghosh et al. 2020, arXiv:1903.12436) covers
    the region of the latent space the decoder was trained on, as the library does, without
    decoding near any single training row: each component is fitted on 50 rows or more on
    average (``MIXTURE_ROWS_PER_COMPONENT``), except below 50 rows, which get one component
    over all of them: a small table, or a conditional pool (from 2 rows).
    """

    weights: np.ndarray
    means: np.ndarray
    cholesky: np.ndarray  # lower-triangular factor of each component's covariance

    @classmethod
    def fit(cls, mu: np.ndarray, seed: int) -> LatentMixture:
        """Full-covariance mixture of ``min(10, n // 50)`` components (1 to the distinct rows)."""
        from sklearn.mixture import GaussianMixture

        rng = np.random.default_rng(seed)
        rows = mu if len(mu) <= MIXTURE_FIT_ROWS else mu[rng.choice(len(mu), MIXTURE_FIT_ROWS)]
        n_components = int(np.clip(len(rows) // MIXTURE_ROWS_PER_COMPONENT, 1, MIXTURE_MAX))
        # no more components than distinct rows: a table of a few repeated profiles gives
        # as many posterior means, and sklearn's k-means start warns about the surplus
        n_components = min(n_components, len(np.unique(rows, axis=0)))
        mixture = GaussianMixture(
            n_components, covariance_type="full", reg_covar=1e-4, random_state=seed % 2**32
        ).fit(rows.astype(np.float64))
        return cls(
            mixture.weights_.astype(np.float64),
            mixture.means_.astype(np.float32),
            np.linalg.cholesky(mixture.covariances_).astype(np.float32),
        )

    def sample(
        self, size: int, generator: torch.Generator, temperature: float = 1.0
    ) -> torch.Tensor:
        """``size`` latent draws, each component's spread scaled by ``temperature``.

        The draws of each component are multiplied by its covariance factor in one matrix
        product. A copy of the factor per draw (``size x d x d`` floats: 268 MB for a
        65,536-row chunk at ``d = 32``) took half of every ``sample`` call's time, which
        draws 20,000 latents to calibrate its binary cut-offs, and doubled the memory of
        large samples.
        """
        component = torch.multinomial(
            torch.from_numpy(self.weights), size, replacement=True, generator=generator
        )
        eps = torch.randn((size, self.means.shape[1]), generator=generator)
        factors = torch.from_numpy(self.cholesky)
        spread = torch.empty_like(eps)
        for k in torch.unique(component).tolist():
            rows = component == k
            spread[rows] = eps[rows] @ factors[k].T
        return torch.from_numpy(self.means)[component] + temperature * spread


@torch.inference_mode()
def generate(
    net: MedVAENet,
    layout: Layout,
    encoder: TabularEncoder,
    transform: Transform,
    n: int,
    mode: Sampling,
    latent: tuple[np.ndarray, np.ndarray] | LatentMixture | None,
    pool: np.ndarray | None,
    generator: torch.Generator,
    temperature: float = 1.0,
    decoding: Decoding = "mode",
    residual_sd: np.ndarray | None = None,
    cutoffs: Cutoffs | None = None,
) -> pd.DataFrame:
    """Decode ``n`` latent draws and post-process them with the encoder.

    ``mode="library"``: ``latent`` holds the posterior means and log-variances of the
    training rows; rows are drawn uniformly with replacement (from ``pool`` when given) and
    ``z = mu + temperature * exp(logvar / 2) * eps`` (temperature 1 is the paper).
    ``mode="mixture"``: ``latent`` is a :class:`LatentMixture`, its components' spread
    scaled by ``temperature``; ``mode="prior"``:
    ``z ~ N(0, I)``. Decoding runs in chunks, each decoded to rows on its own, so that
    millions of rows fit in memory.

    ``decoding="mode"`` (the paper) keeps each output's most likely value: binary
    probability thresholded at 0.5, categorical arg-max, numerical head output.
    ``decoding="sample"`` draws from the decoder's distributions instead: binary values
    from Bernoulli(p), levels from the softmax (Gumbel-max), and numerical values with
    Gaussian noise of ``residual_sd`` (per column, in the transform's space) added before
    the inverse transform and reflected at the ends of the training range that a single
    training row holds (see :func:`reflect_lone_ends`). ``decoding="calibrated"`` is
    ``"sample"`` except that the binary columns follow ``cutoffs`` (required then);
    missingness indicators and point masses are still drawn, from the same stream.
    """
    if (decoding == "calibrated") != (cutoffs is not None):
        raise ValueError("decoding='calibrated' needs cutoffs, and only it takes them")
    device = next(net.parameters()).device
    draw_latent = latent_sampler(net, mode, latent, pool, generator, temperature)
    bin_index = torch.from_numpy(layout.binary_index)
    num_index = torch.from_numpy(layout.numerical_index)
    frames = []
    chunk = max(1_024, min(SAMPLE_CHUNK, SAMPLE_CELLS // max(layout.n_features, 1)))
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        z = draw_latent(size)
        numerical, binary, categorical = (part.float().cpu() for part in net.decode(z.to(device)))
        rows = torch.zeros((size, layout.n_features), dtype=torch.float32)
        stochastic = decoding != "mode"
        if binary.shape[1]:  # the encoder's binaries, then the point masses
            probability = torch.sigmoid(binary)
            if stochastic:
                probability = torch.bernoulli(probability, generator=generator)
            if cutoffs is not None:
                probability[:, cutoffs.columns] = cutoffs.apply(binary[:, cutoffs.columns])
            rows[:, bin_index] = probability[:, : len(bin_index)]
        if len(num_index):
            if stochastic and residual_sd is not None:
                noise = torch.randn(numerical.shape, generator=generator)
                numerical = numerical + noise * torch.from_numpy(residual_sd).float()
                numerical = reflect_lone_ends(numerical, transform.ends(numerical.shape[1]))
            rows[:, num_index] = torch.from_numpy(transform.inverse(numerical.numpy())).float()
        for k, (column, value) in enumerate(zip(layout.mass_numerical, layout.mass_values)):
            at_mass = probability[:, len(bin_index) + k] >= 0.5
            rows[at_mass, num_index[column]] = float(value)
        if stochastic and categorical.shape[1]:
            uniform = torch.rand(categorical.shape, generator=generator).clamp(1e-12, 1.0)
            categorical = categorical - torch.log(-torch.log(uniform))  # Gumbel-max draw
        offset = 0
        for (first, last), width in zip(layout.categorical_blocks, layout.cardinalities):
            rows[:, first:last] = categorical[:, offset : offset + width]  # arg-max later
            offset += width
        # each chunk decoded on its own: the n x features matrix of a 2,000-level column
        # (and the encoder's float64 copy of it) took 27 KB a row, 27 GB for 1M rows
        frames.append(encoder.inverse_transform(rows.numpy()))
    if len(frames) == 1:
        return frames[0]
    if not frames:
        return encoder.inverse_transform(np.zeros((0, layout.n_features), dtype=np.float32))
    return renumber_keys(pd.concat(frames, ignore_index=True), encoder)  # one key per row


def latent_sampler(
    net: MedVAENet,
    mode: Sampling,
    latent: tuple[np.ndarray, np.ndarray] | LatentMixture | None,
    pool: np.ndarray | None,
    generator: torch.Generator,
    temperature: float,
) -> Callable[[int], torch.Tensor]:
    """A function of ``size`` giving that many latent draws of ``mode`` (see :func:`generate`)."""
    latent_dim = net.mu.out_features
    if mode == "library":
        assert isinstance(latent, tuple)
        library_mu = torch.from_numpy(latent[0])
        library_std = temperature * torch.exp(
            0.5 * torch.from_numpy(latent[1]).clamp(max=MAX_LOGVAR)
        )
        candidates = None if pool is None else torch.from_numpy(pool)
        n_candidates = len(library_mu) if candidates is None else len(candidates)

        def draw(size: int) -> torch.Tensor:
            index = torch.randint(n_candidates, (size,), generator=generator)
            if candidates is not None:
                index = candidates[index]
            eps = torch.randn((size, latent_dim), generator=generator)
            return library_mu[index] + library_std[index] * eps

        return draw
    if mode == "mixture":
        assert isinstance(latent, LatentMixture)
        return lambda size: latent.sample(size, generator, temperature)
    return lambda size: torch.randn((size, latent_dim), generator=generator)


@dataclass(frozen=True)
class Cutoffs:
    """How ``decoding="calibrated"`` turns the binary columns' logits into 0/1 in one call.

    A column is 1 above its cut-off, 0 below it, and 1 with probability ``tie_share`` at
    it, so that its share of ones is the mean probability over the calibration draws: the
    share Bernoulli draws would give (ties matter when many latent points share a logit,
    e.g. a mixture at latent temperature 0). Ties are broken with a generator of their
    own, apart from the call's stream.
    """

    columns: torch.Tensor  # positions among the binary outputs (Layout.plain_binary)
    logits: torch.Tensor  # per column: the cut-off
    tie_share: torch.Tensor  # per column: share of rows at the cut-off that get a 1
    generator: torch.Generator

    @classmethod
    @torch.inference_mode()
    def calibrate(
        cls,
        net: MedVAENet,
        draw_latent: Callable[[int], torch.Tensor],
        columns: np.ndarray,
        generator: torch.Generator,
        rows: int = CALIBRATION_ROWS,
    ) -> Cutoffs:
        """Cut-offs of ``columns`` from ``rows`` latent draws of ``draw_latent``."""
        index = torch.from_numpy(columns)
        if not len(columns):  # nothing to cut: no latent draws, no decoding
            return cls(index, torch.zeros(0), torch.zeros(0), generator)
        device = next(net.parameters()).device
        logits = net.decode(draw_latent(rows).to(device))[1].float().cpu()[:, index]
        shares = torch.sigmoid(logits.double()).mean(dim=0)
        cuts, ties = torch.zeros(len(columns)), torch.zeros(len(columns))
        for j in range(len(columns)):
            ordered = torch.sort(logits[:, j], descending=True).values
            cuts[j] = ordered[min(int(shares[j] * rows), rows - 1)]
            at = _at_cutoff(logits[:, j], cuts[j])
            above = float(((logits[:, j] > cuts[j]) & ~at).double().mean())
            ties[j] = min(max((float(shares[j]) - above) / float(at.double().mean()), 0.0), 1.0)
        return cls(index, cuts, ties, generator)

    def apply(self, logits: torch.Tensor) -> torch.Tensor:
        """0/1 (float) of the binary columns, given their logits (rows x columns)."""
        at = _at_cutoff(logits, self.logits)
        ones = (logits > self.logits) & ~at
        if bool(at.any()):
            uniform = torch.rand(logits.shape, generator=self.generator)
            ones |= at & (uniform < self.tie_share)
        return ones.float()


def _at_cutoff(logits: torch.Tensor, cutoffs: torch.Tensor) -> torch.Tensor:
    """Where a logit is its cut-off, up to float32 rounding.

    The same latent point decodes to logits a few 1e-7 apart in batches of different
    sizes, so a tie seen among the calibration draws must still count as one in a small
    batch of the call.
    """
    return torch.isclose(logits, cutoffs.expand_as(logits), rtol=1e-5, atol=1e-6)


def reflect_lone_ends(values: torch.Tensor, ends: Ends) -> torch.Tensor:
    """``values`` (rows x columns) reflected back inside the training range at its lone ends.

    Noise that carries a decoded value past the training range is clipped there by the
    inverse transform and the encoder. At an end a single training row holds, that emits
    the row's value verbatim (for a datetime column, a real patient's date) and puts a point
    mass on it; reflecting instead keeps the noise's spread inside the range with no mass on
    the end (:func:`~synth_plugins.generators._torch.reflect_into_range`: a column with both
    ends lone is folded in, one with one lone end reflected once at it). An end many rows
    share keeps the clip, which reproduces its real point mass.
    """
    return reflect_into_range(values, ends.low, ends.high, ends.reflect_low, ends.reflect_high)


@torch.inference_mode()
def residual_sd(net: MedVAENet, layout: Layout, x_cont: torch.Tensor, mu: np.ndarray) -> np.ndarray:
    """Per numerical column: RMS of (training target - decoded posterior mean), float32.

    What the decoder's mean leaves unexplained; ``decoding="sample"`` and ``"calibrated"``
    add that much noise.
    Over the observed values of each column (a missing value's fill is not a target).
    """
    net.eval()
    n_binary = layout.n_binary
    squares = np.zeros(net.n_numerical, dtype=np.float64)
    counts = np.zeros(net.n_numerical, dtype=np.float64)
    for start in range(0, len(mu), SAMPLE_CHUNK):
        z = torch.from_numpy(mu[start : start + SAMPLE_CHUNK])
        numerical = net.decode(z.to(next(net.parameters()).device))[0].float().cpu()
        chunk = x_cont[start : start + SAMPLE_CHUNK]
        squared = (numerical - chunk[:, n_binary:]) ** 2
        observed = layout.observed(chunk)
        if observed is not None:
            squared = squared * observed
            counts += observed.sum(dim=0).double().numpy()
        else:
            counts += len(chunk)
        squares += squared.sum(dim=0).double().numpy()
    return np.sqrt(squares / np.maximum(counts, 1)).astype(np.float32)


def generate_enforced(
    draw: Callable[[int], pd.DataFrame],
    n: int,
    parsed: list[Condition],
    max_rounds: int,
    encoder: TabularEncoder,
) -> pd.DataFrame:
    """Rejection sampling: keep rows of ``draw(batch)`` satisfying every condition until ``n``.

    Each round generates enough rows for the acceptance rate seen so far (at most
    ``max(10 * n, 10_000)``); it gives up after ``max_rounds`` rounds, after three rounds
    without a single accepted row, or as soon as the rate seen so far cannot reach ``n``
    within the remaining rounds.
    """
    kept: list[pd.DataFrame] = []
    n_kept = n_drawn = 0
    cap = max(10 * n, 10_000)
    batch = min(max(n, 1_000), cap)
    for round_ in range(1, max_rounds + 1):
        frame = draw(batch)
        mask = np.ones(len(frame), dtype=bool)
        for condition in parsed:
            mask &= condition.match_frame(frame)
        kept.append(frame[mask])
        n_kept += int(mask.sum())
        n_drawn += batch
        if n_kept >= n:
            frame = pd.concat(kept, ignore_index=True).iloc[:n].reset_index(drop=True)
            return renumber_keys(frame, encoder)
        rate = n_kept / n_drawn
        rounds_left = max_rounds - round_
        hopeless = n_kept > 0 and (n - n_kept) > rate * cap * rounds_left
        if hopeless or (n_kept == 0 and round_ >= 3):
            break
        batch = cap if rate == 0 else min(cap, math.ceil(1.2 * (n - n_kept) / rate) + 16)
    described = ", ".join(condition.describe() for condition in parsed)
    raise InvalidParameterError(
        f"enforce_conditions cannot reach {n} rows satisfying {described}: only {n_kept} "
        f"of {n_drawn} generated rows did (acceptance rate {n_kept / max(n_drawn, 1):.3%}). "
        "The model rarely generates these values: relax the conditions, raise "
        "max_rejection_rounds, or (MedVAE.sample) use enforce_conditions=False"
    )


def renumber_keys(frame: pd.DataFrame, encoder: TabularEncoder) -> pd.DataFrame:
    """Identifier columns of rows gathered over several rounds: one fresh key per row."""
    for spec in encoder.specs:
        if spec.role == "identifier":
            frame[spec.name] = encoder.fresh_keys(spec.name, len(frame)).to_numpy()
    return frame

"""Small torch helpers shared by the generator cores: device, seeding, progress, ranges.

:func:`opacus_notices_ignored` is where the DP fits (Med-VAE, CTAB-GAN+) silence the
notices of Opacus and of torch's hooks under it, which no user of those fits can act on.

Seeding never depends on (nor leaves a trace in) the caller's global random state:
:func:`seeded` forks torch's global generators for the duration of a block and seeds them, so
layer initialisation is reproducible, while explicit draws use local ``torch.Generator``
objects made by :func:`make_generator`.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import numpy as np
import torch

from synth_plugins.errors import InvalidParameterError

T = TypeVar("T")

#: Seconds a training loop runs before its progress bar appears under ``verbose=None``.
PROGRESS_DELAY_S = 10.0

#: Largest seed accepted by ``torch.Generator.manual_seed`` that numpy can also produce.
_SEED_BOUND = 2**63 - 1

#: What Opacus and torch say during a DP fit that concerns no user of it: the noise RNG is
#: not cryptographic (``secure_mode=False``, chosen for speed); torch's notices about the
#: per-sample backward hooks Opacus puts on every layer (deprecated non-full hooks with torch
#: 2.2; with torch 2.13, that a full hook fires on the first layer, whose input needs no
#: gradient: Opacus reads the output gradients only); and the RDP accountant's remark that
#: its best order is at the end of its grid, which the generators do not expose.
OPACUS_NOTICES = (
    r".*Secure RNG turned off.*",
    r".*non-full backward hook.*",
    r".*Full backward hook is firing when gradients are computed with respect to module outputs.*",
    r".*Optimal order is the.*",
)


def resolve_device(device: str | torch.device) -> torch.device:
    """Turn ``"auto"`` (CUDA when available, else CPU), a name or a device into a device.

    Raises:
        InvalidParameterError: for an unknown name, or ``"cuda"`` when CUDA is unavailable.
    """
    if isinstance(device, torch.device):
        resolved = device
    elif isinstance(device, str):
        if device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        try:
            resolved = torch.device(device)
        except RuntimeError as error:
            raise InvalidParameterError(
                f"device must be 'auto', 'cpu', 'cuda' or 'cuda:<index>', got {device!r}"
            ) from error
    else:
        raise InvalidParameterError(f"device must be a string or torch.device, got {device!r}")
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise InvalidParameterError(
            f"device {device!r} was asked for but CUDA is not available; use 'auto' or 'cpu'"
        )
    if resolved.type not in ("cpu", "cuda"):
        raise InvalidParameterError(f"device must be a CPU or CUDA device, got {device!r}")
    return resolved


def check_device(device: Any) -> str | torch.device:
    """Check the spelling of ``device`` now; availability is checked when it is used.

    Raises:
        InvalidParameterError: for anything but ``"auto"``, a CPU/CUDA name or a device.
    """
    if isinstance(device, torch.device) or device == "auto":
        return device
    if isinstance(device, str):
        try:
            parsed = torch.device(device)
        except RuntimeError:
            parsed = None
        if parsed is not None and parsed.type in ("cpu", "cuda"):
            return device
    raise InvalidParameterError(
        f"device must be 'auto', 'cpu', 'cuda', 'cuda:<index>' or a torch.device, got {device!r}"
    )


def seed_from(rng: np.random.Generator) -> int:
    """Draw a fresh seed for a torch generator from a numpy generator."""
    return int(rng.integers(0, _SEED_BOUND))


def new_rng(seed: int | None) -> np.random.Generator:
    """A numpy generator seeded with ``seed`` (fresh OS entropy when ``None``)."""
    return np.random.default_rng(seed)


def make_generator(seed: int, device: torch.device | str = "cpu") -> torch.Generator:
    """A local ``torch.Generator`` on ``device`` seeded with ``seed``."""
    generator = torch.Generator(device=torch.device(device))
    generator.manual_seed(int(seed))
    return generator


@contextlib.contextmanager
def seeded(seed: int, device: torch.device | str | None = None) -> Iterator[None]:
    """Seed torch's global generators inside the block and restore them afterwards.

    Use it around code that draws from the global generators implicitly (layer
    initialisation): the result depends on ``seed`` only, and the caller's random state is
    left exactly as it was. The CPU generator is always forked and seeded; with a CUDA
    ``device``, that device's generator too (other GPUs are not touched).
    """
    cuda_index: int | None = None
    if device is not None and torch.device(device).type == "cuda":
        index = torch.device(device).index
        cuda_index = torch.cuda.current_device() if index is None else index
    with torch.random.fork_rng(devices=[] if cuda_index is None else [cuda_index]):
        torch.random.default_generator.manual_seed(int(seed))
        if cuda_index is not None:
            with torch.cuda.device(cuda_index):
                torch.cuda.manual_seed(int(seed))
        yield


@contextlib.contextmanager
def opacus_notices_ignored() -> Iterator[None]:
    """Ignore :data:`OPACUS_NOTICES` inside the block (a DP set-up, training and accounting)."""
    with warnings.catch_warnings():
        for message in OPACUS_NOTICES:
            warnings.filterwarnings("ignore", message=message)
        yield


def randn(shape: tuple[int, ...], generator: torch.Generator, device: torch.device) -> torch.Tensor:
    """Standard-normal draws from ``generator`` placed on ``device``."""
    values = torch.randn(shape, generator=generator, device=generator.device)
    return values if values.device == device else values.to(device)


def reflect_into_range(
    values: torch.Tensor,
    low: float | np.ndarray | torch.Tensor,
    high: float | np.ndarray | torch.Tensor,
    reflect_low: bool | np.ndarray | torch.Tensor,
    reflect_high: bool | np.ndarray | torch.Tensor,
) -> torch.Tensor:
    """``values`` brought back inside ``[low, high]`` at the ends marked for reflection.

    A draw that lands past the training range would be clipped onto it, which at an end
    a single training row holds emits that row's value verbatim (one patient's date or
    lab value) and puts a point mass on it. Where both ends are marked, a value is
    folded into the range however far out it is (a triangle wave, as
    :func:`~synth_plugins.encoding.tabular.fold_into` does for numpy arrays); where one
    end is, a value past it is reflected once at it. Unmarked ends are left to the
    caller's clip, which keeps a point mass many rows share, and so are a one-point range
    (``high == low``) and an infinite value (a diverged network), which the clip puts on
    an end; NaN stays NaN. The range and the marks are scalars or one entry per column of
    ``values`` (rows x columns); computed in the dtype and on the device of ``values``.
    """

    def tensor(x: Any, dtype: torch.dtype) -> torch.Tensor:
        return torch.as_tensor(x, dtype=dtype, device=values.device)

    lo, hi = tensor(low, values.dtype), tensor(high, values.dtype)
    at_lo, at_hi = tensor(reflect_low, torch.bool), tensor(reflect_high, torch.bool)
    both = at_lo & at_hi & (hi > lo)
    finite = torch.isfinite(values)
    width = torch.where(hi > lo, hi - lo, torch.ones_like(hi))
    phase = torch.remainder(values - lo, 2 * width)  # in [0, 2 * width)
    folded = lo + torch.where(phase > width, 2 * width - phase, phase)
    out = torch.where(both & finite, folded, values)
    out = torch.where(at_lo & ~both & finite & (out < lo), 2 * lo - out, out)
    return torch.where(at_hi & ~both & finite & (out > hi), 2 * hi - out, out)


def progress(iterable: Iterable[T], *, total: int, desc: str, verbose: bool | None) -> Iterable[T]:
    """Wrap ``iterable`` in a tqdm bar as a generator's ``verbose`` asks.

    ``verbose`` is every generator's progress switch: True shows the bar at once, False
    never (tqdm is not even imported), None (the default) shows it only once the loop has
    run for :data:`PROGRESS_DELAY_S` seconds, so short fits print nothing and long ones
    say how far they are. The bar is removed when the loop ends. A non-empty
    ``TQDM_DISABLE`` environment variable turns every bar off; it is read here at each
    call (tqdm itself reads it once, when it is imported), so that setting it later works.
    """
    if verbose is False:
        return iterable
    from tqdm.auto import tqdm

    delay = 0.0 if verbose else PROGRESS_DELAY_S
    disable = bool(os.environ.get("TQDM_DISABLE"))  # tqdm's own reading of the variable
    return tqdm(iterable, total=total, desc=desc, leave=False, delay=delay, disable=disable)


def set_postfix(bar: Any, **values: float) -> None:
    """Show the latest losses on a tqdm bar (no-op for a plain iterable)."""
    if hasattr(bar, "set_postfix"):
        bar.set_postfix({key: f"{value:.4g}" for key, value in values.items()}, refresh=False)

"""Parameter checks shared by the package: generator cores, host adapters and metrics.

Every check raises :class:`~synth_plugins.errors.InvalidParameterError` with the parameter's
name, the value received and what is expected, so a message is enough to fix the call; the
error's ``parameter`` is that name. :func:`check_training_size`, the one check of how much
data a generator is fitted on, raises :class:`~synth_plugins.errors.InvalidDataError`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal, overload

from synth_plugins.errors import (
    InvalidDataError,
    InvalidParameterError,
    SmallTrainingSetWarning,
    caller_stacklevel,
    warn,
)
from synth_plugins.generators.quantiles import MIN_KNOTS

#: Below this many training rows (patients, for a sequence generator) a fit warns that the
#: synthetic data cannot be a learned distribution. The DCR holdout share (the share of
#: synthetic rows nearer a training row than an unseen real row; 0.5 for a generator that
#: does not memorise), mean of 6 seeds of every generator at its defaults
#: (``benchmarks/small_training_sets.py``), falls steadily with the size and singles out
#: no threshold: 0.81-0.92 on 10 rows, 0.69-0.80 on 15, 0.66-0.74 on 20, 0.58-0.70 on 30
#: and 0.52-0.61 on 149. The threshold is :data:`synth_plugins.generators.quantiles.MIN_KNOTS`
#: (20): below it the smoothed quantile functions that Med-VAE, the longitudinal LSTM and
#: CK4Gen read numbers from have a knot at every training value, so generated numbers
#: interpolate between the training values themselves.
SMALL_TRAINING_SIZE = MIN_KNOTS

#: What a generator's training size counts: rows, or patients for a sequence generator.
TrainingUnit = Literal["rows", "patients"]

#: Set while a generator's fit runs another generator's (the longitudinal LSTM's Stage A
#: Med-VAE), whose training-size warning would repeat the outer one's.
_INNER_FIT: ContextVar[bool] = ContextVar("synth_plugins_inner_fit", default=False)


def check_int(name: str, value: Any, *, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int`` if it is a whole number (not a bool) >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidParameterError(f"{name} must be an integer, got {value!r}", parameter=name)
    if minimum is not None and value < minimum:
        raise InvalidParameterError(
            f"{name} must be an integer >= {minimum}, got {value!r}", parameter=name
        )
    return int(value)


def check_float(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
    exclusive_maximum: bool = False,
) -> float:
    """Return ``value`` as a finite ``float`` inside the given bounds.

    The package's one check of a real-number argument (generators, adapters and metrics
    alike). Any real number (Python or numpy ints and floats) is accepted; a bool is not.
    ``minimum`` and ``maximum`` are inclusive unless ``exclusive_minimum`` /
    ``exclusive_maximum`` make them open (an open interval such as ``(0, 1)`` sets both).

    Raises:
        InvalidParameterError: ``value`` is not a real number, is NaN or infinite, or lies
            outside the bounds; the message starts with ``name`` and ``parameter`` is it.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(f"{name} must be a number, got {value!r}", parameter=name)
    number = float(value)
    if not math.isfinite(number):
        raise InvalidParameterError(f"{name} must be finite, got {value!r}", parameter=name)
    if minimum is not None and (number <= minimum if exclusive_minimum else number < minimum):
        relation = ">" if exclusive_minimum else ">="
        raise InvalidParameterError(
            f"{name} must be {relation} {minimum}, got {value!r}", parameter=name
        )
    if maximum is not None and (number >= maximum if exclusive_maximum else number > maximum):
        relation = "<" if exclusive_maximum else "<="
        raise InvalidParameterError(
            f"{name} must be {relation} {maximum}, got {value!r}", parameter=name
        )
    return number


def check_fraction(name: str, value: Any) -> float:
    """Return ``value`` as a float strictly between 0 and 1 (a share, a significance level).

    ``check_float`` over the open interval ``(0, 1)``: the bound of every test fraction,
    confidence level and significance level in the package.
    """
    return check_float(
        name, value, minimum=0.0, maximum=1.0, exclusive_minimum=True, exclusive_maximum=True
    )


@overload
def check_bool(name: str, value: Any, *, none: Literal[False] = False) -> bool: ...
@overload
def check_bool(name: str, value: Any, *, none: bool) -> bool | None: ...
def check_bool(name: str, value: Any, *, none: bool = False) -> bool | None:
    """Return ``value`` if it is a bool (numpy bools included) or, if ``none``, ``None``.

    ``none`` is for three-way switches whose ``None`` means "decide automatically" (a
    generator's ``verbose``).
    """
    if value is None and none:
        return None
    if not isinstance(value, bool) and type(value).__name__ != "bool_":
        expected = "True, False or None" if none else "True or False"
        raise InvalidParameterError(f"{name} must be {expected}, got {value!r}", parameter=name)
    return bool(value)


def check_auto(check: Callable[..., Any], name: str, value: Any, **bounds: Any) -> Any:
    """``"auto"`` (a value chosen at fit), or ``value`` as ``check(name, value, **bounds)``.

    The error of ``check`` says that ``"auto"`` is accepted too.
    """
    if isinstance(value, str) and value == "auto":
        return value
    try:
        return check(name, value, **bounds)
    except InvalidParameterError as error:
        expected = str(error).removeprefix(f"{name} must be ")
        raise InvalidParameterError(
            f"{name} must be 'auto' or {expected}", parameter=name
        ) from None


@contextmanager
def host_names(names: Mapping[str, str]) -> Iterator[None]:
    """Say a host's name of a core parameter in the core's error about it.

    An adapter passes some arguments on under the core's name (Synthcity's ``n_iter`` as
    ``epochs``, SDV's ``context_columns`` as the longitudinal core's ``static_columns``);
    ``names`` maps the core's name to the host's, so that the error starts with the name
    the user wrote. Only errors whose ``parameter`` is a mapped name and whose message
    starts with it are renamed.
    """
    try:
        yield
    except InvalidParameterError as error:
        core = error.parameter
        message = str(error)
        if core not in names or not message.startswith(core):
            raise
        ours = names[core]
        raise InvalidParameterError(f"{ours}{message[len(core) :]}", parameter=ours) from None


def check_path_kind(name: str, path: Path, kind: Literal["file", "folder"]) -> None:
    """Refuse ``path`` where something of the other kind is in its way.

    For what a run writes by a fixed name under an output folder: checked before the run
    starts, so that it does not end on a traceback after its work (a folder named like a
    report, a file named like a suite's folder).

    Args:
        name: The argument that gave the folder (``"output"``, or the CLI's ``"--output"``).
        path: Where the run will write a ``kind``.
        kind: ``"file"`` or ``"folder"``.
    """
    in_the_way = path.is_dir() if kind == "file" else path.exists() and not path.is_dir()
    if in_the_way:
        other = "a folder" if kind == "file" else "not a folder"
        raise InvalidParameterError(
            f"{name}: {str(path)!r} is {other}; the run writes a {kind} there", parameter=name
        )


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``."""
    options = tuple(choices)
    if not isinstance(value, str | int | float | type(None)) or value not in options:
        raise InvalidParameterError(
            f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}",
            parameter=name,
        )
    return value


def check_random_state(name: str, value: Any, *, none: bool = True) -> int | None:
    """Return a seed (an integer in [0, 2**32)) or, if ``none``, ``None`` for an unseeded run."""
    if value is None and none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        expected = "None or an integer seed" if none else "an integer seed in [0, 2**32)"
        raise InvalidParameterError(f"{name} must be {expected}, got {value!r}", parameter=name)
    if not 0 <= value < 2**32:
        raise InvalidParameterError(f"{name} must be in [0, 2**32), got {value!r}", parameter=name)
    return int(value)


def check_int_tuple(name: str, value: Any, *, minimum: int = 1) -> tuple[int, ...]:
    """Return a non-empty tuple of integers >= ``minimum`` (a list or tuple is accepted)."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidParameterError(
            f"{name} must be a sequence of integers, got {value!r}", parameter=name
        )
    items = tuple(value)
    if not items:
        raise InvalidParameterError(
            f"{name} must name at least one size, got {value!r}", parameter=name
        )
    return tuple(check_int(f"{name}[{i}]", item, minimum=minimum) for i, item in enumerate(items))


def check_weights(name: str, value: Any, defaults: Mapping[str, float]) -> dict[str, float]:
    """Merge a partial mapping of non-negative weights into ``defaults`` (unknown keys fail)."""
    if value is None:
        return dict(defaults)
    if not isinstance(value, Mapping):
        raise InvalidParameterError(
            f"{name} must be a mapping with keys {sorted(defaults)}, got {value!r}",
            parameter=name,
        )
    unknown = sorted(map(str, set(value) - set(defaults)))
    if unknown:
        raise InvalidParameterError(
            f"{name} has unknown keys {unknown}; expected keys among {sorted(defaults)}",
            parameter=name,
        )
    merged = dict(defaults)
    for key, weight in value.items():
        merged[key] = check_float(f"{name}[{key!r}]", weight, minimum=0.0)
    return merged


def check_dp_options(
    noise_multiplier: Any, max_grad_norm: Any, delta: Any
) -> tuple[float, float, float | None]:
    """DP-SGD's options, checked: noise >= 0, clipping norm > 0, delta in (0, 1) or None."""
    noise = check_float("dp_noise_multiplier", noise_multiplier, minimum=0.0)
    norm = check_float("dp_max_grad_norm", max_grad_norm, minimum=0.0, exclusive_minimum=True)
    if delta is not None:
        delta = check_fraction("dp_delta", delta)
    return noise, norm, delta


def preset_settings(
    presets: Mapping[str, Mapping[str, Any]], preset: Any, overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """The constructor arguments of a named preset, with ``overrides`` on top.

    Raises:
        InvalidParameterError: ``preset`` is not one of ``presets``' names.
    """
    return {**presets[check_choice("preset", preset, tuple(presets))], **overrides}


def check_training_size(title: str, size: int, minimum: int, unit: TrainingUnit = "rows") -> None:
    """Refuse a training set below the generator's minimum; warn when it is small.

    Each core declares its minimum (``MIN_TRAINING_SIZE``, the fewest rows or patients its
    model can fit at all) and its unit (``TRAINING_UNIT``) and passes them here first
    thing in ``fit``. Below :data:`SMALL_TRAINING_SIZE` the fit goes on with one
    :class:`~synth_plugins.errors.SmallTrainingSetWarning`, which shows the line of the
    user's ``fit`` in every host, except inside :func:`inner_fit`.

    Args:
        title: The generator's name as messages write it (``"Med-VAE"``).
        size: The number of training rows (patients, for a sequence generator).
        minimum: The fewest the generator fits.
        unit: What ``size`` counts.

    Raises:
        InvalidDataError: ``size`` is below ``minimum``.
    """
    if size < minimum:
        raise InvalidDataError(f"{title} needs at least {minimum} {unit} to train on, got {size}")
    if size < SMALL_TRAINING_SIZE and not _INNER_FIT.get():
        warn(
            f"{title} is fitted on {size} {unit}, fewer than {SMALL_TRAINING_SIZE}: too "
            f"few to learn a distribution from, so expect synthetic {unit} close to copies of "
            f"the training {unit} (the suite's copy rule counts exact copies only, not near "
            f"ones); the output is neither private nor a sample of a population. Fit on "
            f"{SMALL_TRAINING_SIZE} {unit} or more for a synthetic data set",
            SmallTrainingSetWarning,
            stacklevel=caller_stacklevel(),
        )


@contextmanager
def inner_fit() -> Iterator[None]:
    """Fit a generator inside another's fit: only the outer fit warns about its size.

    The inner fit's minimum still applies.
    """
    token = _INNER_FIT.set(True)
    try:
        yield
    finally:
        _INNER_FIT.reset(token)

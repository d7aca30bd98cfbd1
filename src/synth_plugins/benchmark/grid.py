"""Run a benchmark grid's independent cases through joblib: here, in processes, or on Dask.

Every suite splits its grid (datasets x generators x seeds) into cases that share nothing
but their inputs, and hands them to :func:`run_cases`. ``n_jobs=1`` runs them one after the
other in this process; otherwise joblib's ``backend`` runs them: ``"loky"`` (the default)
in worker processes on this machine, ``"dask"`` on the workers of the active
``dask.distributed`` client (a local cluster or a real one), ``"ray"`` on a Ray cluster
(documented, not tested). No scheduling of our own: joblib and the cluster do it.
:func:`check_backend` refuses a backend that cannot run here before any case runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from synth_plugins.errors import InvalidParameterError, MissingDependencyError

T = TypeVar("T")

#: One case: the positional and the keyword arguments of the case function.
Case = tuple[Sequence[Any], Mapping[str, Any]]


def check_n_jobs(n_jobs: int) -> int:
    """Return ``n_jobs`` if it is a positive count or -1 (every worker), else raise."""
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or (n_jobs < 1 and n_jobs != -1):
        raise InvalidParameterError(
            f"n_jobs must be at least 1, or -1 for every worker, got {n_jobs!r}",
            parameter="n_jobs",
        )
    return n_jobs


def check_backend(backend: str | None) -> str | None:
    """Return ``backend`` if its cases can run now, else raise before any case runs.

    joblib finds out only when the first case is handed over (minutes into a suite): the
    ``"dask"`` backend needs an active ``dask.distributed`` client, the ``"ray"`` backend
    needs Ray, whose joblib backend is registered here (``ray.util.joblib.register_ray``).

    Raises:
        MissingDependencyError: ``"dask"`` without the ``dask`` extra.
        InvalidParameterError: ``"dask"`` without a client, ``"ray"`` without Ray; the
            message says what is needed.
    """
    if backend == "dask":
        _check_dask_client()
    elif backend == "ray":
        _register_ray()
    return backend


def _check_dask_client() -> None:
    """Refuse the ``"dask"`` backend when no ``dask.distributed`` client is active."""
    try:
        from distributed import get_client
    except ImportError:
        raise MissingDependencyError("distributed", "the 'dask' backend", "dask") from None
    try:
        get_client()
    except ValueError:  # "No global client found"
        raise InvalidParameterError(
            "backend 'dask' needs an active dask.distributed Client (from the command "
            "line: --scheduler tcp://host:8786)",
            parameter="backend",
        ) from None


def _register_ray() -> None:
    """Register Ray's joblib backend; refuse the ``"ray"`` backend without Ray."""
    from importlib.util import find_spec

    if find_spec("ray") is None:
        raise InvalidParameterError(
            "backend 'ray' needs Ray, which is not installed; install it with: "
            "pip install 'ray[default]'",
            parameter="backend",
        )
    from ray.util.joblib import register_ray

    register_ray()


def run_cases(
    function: Callable[..., T],
    cases: Sequence[Case],
    *,
    n_jobs: int = 1,
    backend: str | None = None,
) -> list[T]:
    """``function(*args, **kwargs)`` for every case, in the order of ``cases``.

    Args:
        function: A module-level function (it is pickled to the workers), which must not
            raise for a failed case but report it in its result.
        cases: The ``(args, kwargs)`` of each call.
        n_jobs: Cases run at the same time; 1 runs them here, one after the other; -1
            uses every worker of the backend.
        backend: The joblib backend (default ``"loky"``); ``"dask"`` needs an active
            ``dask.distributed.Client``, ``"ray"`` needs Ray (see :func:`check_backend`).

    Progress bars are off in every case (``TQDM_DISABLE``, unless it is set already): the
    suites print one line per finished case, and the bars of cases running side by side
    would garble them.

    Returns:
        The results, in the order of ``cases``.
    """
    from joblib import Parallel, delayed, parallel_config

    check_n_jobs(n_jobs)
    check_backend(backend)
    calls = [delayed(_without_bars)(function, *args, **kwargs) for args, kwargs in cases]
    with parallel_config(backend=backend or "loky", n_jobs=n_jobs):
        return list(Parallel()(calls))


def _without_bars(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` with ``TQDM_DISABLE=1`` unless it is set already.

    The variable is restored afterwards, so a suite run with ``n_jobs=1`` leaves the
    caller's environment as it was.
    """
    if "TQDM_DISABLE" in os.environ:
        return function(*args, **kwargs)
    os.environ["TQDM_DISABLE"] = "1"
    try:
        return function(*args, **kwargs)
    finally:
        del os.environ["TQDM_DISABLE"]

"""Run a benchmark grid's independent cases through joblib: here, in processes, or on Dask.

Every suite splits its grid (datasets x generators x seeds) into cases that share nothing
but their inputs, and hands them to :func:`run_cases`. ``n_jobs=1`` runs them one after the
other in this process; otherwise joblib's ``backend`` runs them: ``"loky"`` (the default)
in worker processes on this machine, ``"dask"`` on the workers of the active
``dask.distributed`` client (a local cluster or a real one), ``"ray"`` on a Ray cluster
(documented, not tested). No scheduling of our own: joblib and the cluster do it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from synth_plugins.errors import InvalidParameterError

T = TypeVar("T")

#: One case: the positional and the keyword arguments of the case function.
Case = tuple[Sequence[Any], Mapping[str, Any]]


def check_n_jobs(n_jobs: int) -> int:
    """Return ``n_jobs`` if it is a positive count or -1 (every worker), else raise."""
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or (n_jobs < 1 and n_jobs != -1):
        raise InvalidParameterError(
            f"n_jobs must be at least 1, or -1 for every worker, got {n_jobs!r}"
        )
    return n_jobs


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
            ``dask.distributed.Client``.

    Returns:
        The results, in the order of ``cases``.
    """
    from joblib import Parallel, delayed, parallel_config

    check_n_jobs(n_jobs)
    calls = [delayed(function)(*args, **kwargs) for args, kwargs in cases]
    with parallel_config(backend=backend or "loky", n_jobs=n_jobs):
        return list(Parallel()(calls))

"""Binning, the closest-record encoding and the exact nearest-neighbour Hamming kernel.

Shared by the privacy metrics (Hamming leakage, DCR holdout share) and the benchmark's
distance figures, so that a figure and the metric it illustrates encode rows the same way.

Rows are integer-coded column by column: a code ``>= 0`` is a level that matches the same
code, and :data:`NEVER_MATCHES` (``-1``) is a value that matches nothing, itself included
(the AML convention for a missing numeric value). The Hamming distance of two rows is the
number of columns whose codes do not match.

:func:`nearest_hamming` returns, for every query row, the smallest and second-smallest
distance to a set of reference rows, exactly, without looping over rows. It writes the
match count as one matrix product. For a column with ``L`` matchable levels, ``1[a = b]``
has rank ``L``; choosing level 0 as a reference level moves one rank into row and column
terms:

    1[a = b] = v(a)' (I' + J) v(b) + 1 - w(a) - w(b)

where ``v(a)`` is the one-hot vector of ``a`` over the other levels (plus one slot for
never-matching values), ``w(a) = sum v(a)`` is 0 for the reference level and 1 otherwise,
``J`` is the all-ones matrix and ``I'`` the identity with a 0 at the never-matching slot.
Summed over the ``p`` columns, ``matches = X Y' + p - W_query - W_reference`` with 0/1
entries in ``X`` and entries 0, 1 or 2 in ``Y``; the reference term rides in the product as
one extra column. A column with more than :data:`WIDE_LEVELS` levels stays out of the
factors (its one-hot block would cost rows x levels bytes and as many products): its
matches are added to each chunk's counts by comparing the codes directly. Products run in
chunks of query rows, on int8 kernels (PyTorch's
quantized linear layer with unit scales, exact for integers) when the result fits a byte,
else in float32 (exact below 2**24); per row, an argmax, one overwrite and a max give the
two largest match counts without sorting.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal, overload

import numpy as np
import pandas as pd

from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics._encoding import label_codes
from synth_plugins.metrics.validation import numeric_block
from synth_plugins.validation import check_choice

if TYPE_CHECKING:
    import torch

NEVER_MATCHES = -1
Backend = Literal["auto", "int8", "float32"]
BACKENDS: tuple[str, ...] = ("auto", "int8", "float32")

#: Bytes of one chunk of the query-by-reference match matrix.
DEFAULT_CHUNK_BYTES = 16 * 2**20

#: Columns with more levels than this are compared by value, chunk by chunk, instead of
#: through one-hot factors, whose memory and product grow with the number of levels (at
#: about 150 levels the two take the same time).
WIDE_LEVELS = 128


# --------------------------------------------------------------------------- binning


def quantile_edges(values: np.ndarray, num_bins: int) -> np.ndarray:
    """Bin edges of ``pd.qcut(values, num_bins, duplicates="drop")``, outer edges open.

    The inner edges are the pandas quantiles (linear interpolation) of the observed
    values, repeated edges dropped; the first and last edges become ``-inf`` and ``+inf``
    so that values outside the fitted range fall in the outer bins. A column with a single
    observed value, or none, gets one bin ``(-inf, inf]``.
    """
    observed = values[~np.isnan(values)]
    if observed.size == 0:
        return np.array([-np.inf, np.inf])
    quantiles = np.linspace(0, 1, num_bins + 1)
    edges = pd.Series(observed).quantile(quantiles).to_numpy(dtype=np.float64)
    return _open_edges(np.unique(edges))


def equal_width_edges(values: np.ndarray, num_bins: int) -> np.ndarray:
    """``num_bins`` equal-width bins over the observed range, outer edges open."""
    observed = values[~np.isnan(values)]
    if observed.size == 0:
        return np.array([-np.inf, np.inf])
    edges = np.linspace(observed.min(), observed.max(), num_bins + 1)
    return _open_edges(np.unique(edges))


def _open_edges(edges: np.ndarray) -> np.ndarray:
    if edges.size < 2:
        return np.array([-np.inf, np.inf])
    edges = edges.copy()
    edges[0] = -np.inf
    edges[-1] = np.inf
    return edges


def assign_bins(values: np.ndarray, edges: np.ndarray, *, missing_code: int) -> np.ndarray:
    """Right-closed bin index of every value, as ``pd.cut(values, edges)`` numbers them.

    Args:
        values: Float values; NaN is missing.
        edges: Increasing edges with ``edges[0] = -inf`` and ``edges[-1] = inf``.
        missing_code: The code given to missing values.

    Returns:
        int32 codes in ``[0, len(edges) - 2]``, or ``missing_code`` for NaN.
    """
    codes = np.searchsorted(edges, values, side="left").astype(np.int32) - 1
    np.clip(codes, 0, len(edges) - 2, out=codes)
    codes[np.isnan(values)] = missing_code
    return codes


# ---------------------------------------------------------------------- the kernel


@contextlib.contextmanager
def torch_threads(n_threads: int | None) -> Iterator[None]:
    """Run the block with ``torch.set_num_threads(n_threads)``, restoring it after."""
    import torch

    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _row_blocks(codes: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """``(first row, block)`` pairs of at most about 4M cells, to bound index memory."""
    step = max(1, 2**22 // max(codes.shape[1], 1))
    for start in range(0, len(codes), step):
        yield start, codes[start : start + step]


def _wide_columns(query: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Which columns have more than :data:`WIDE_LEVELS` levels (compared by value)."""
    most = np.maximum(query.max(axis=0, initial=-1), reference.max(axis=0, initial=-1))
    return most + 1 > WIDE_LEVELS


def _never_equal(query: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two code blocks column by column, never-matching values equal to nothing.

    Each column becomes one contiguous row, so that comparing a chunk of query rows with
    every reference row reads memory in order.
    """
    query = np.ascontiguousarray(query.T)
    reference = np.ascontiguousarray(reference.T)
    reference[reference == NEVER_MATCHES] = NEVER_MATCHES - 1
    return query, reference


def _encode(query: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Build the factors ``X`` (query, 0/1) and ``Y`` (reference, 0..p) of the match count.

    Returns:
        ``X`` (uint8, n_query x K), ``Y`` (int16, n_reference x K) and the row term
        ``W_query`` (int32), such that ``matches = X @ Y.T - W_query[:, None]``.
    """
    n_query, p = query.shape
    n_ref = reference.shape[0]
    q_max = query.max(axis=0, initial=-1)
    r_max = reference.max(axis=0, initial=-1)
    n_levels = np.maximum(np.maximum(q_max, r_max) + 1, 0)
    has_never = (query == NEVER_MATCHES).any(axis=0) | (reference == NEVER_MATCHES).any(axis=0)
    width = np.maximum(n_levels - 1, 0) + has_never.astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(width)])
    n_features = int(offsets[-1]) + 1  # + the column that carries the reference term
    never_slot = offsets[1:] - 1
    x = np.zeros((n_query, n_features), dtype=np.uint8)
    y = np.zeros((n_ref, n_features), dtype=np.int16)
    # Y: w(b) on every slot of b's column, plus 1 on the slot of a matchable level >= 1
    y[:, :-1] = reference[:, np.repeat(np.arange(p), width)] != 0
    for rows, block in _row_blocks(reference):
        hit = block >= 1
        flat = (np.nonzero(hit)[0] + rows) * n_features + (offsets[:-1] + block - 1)[hit]
        y.reshape(-1)[flat] += 1
    # X: 1 on the slot of every value but the reference level
    for rows, block in _row_blocks(query):
        hit = block != 0
        slots = np.where(block == NEVER_MATCHES, never_slot, offsets[:-1] + block - 1)
        x.reshape(-1)[(np.nonzero(hit)[0] + rows) * n_features + slots[hit]] = 1
    w_query = (query != 0).sum(axis=1).astype(np.int32)
    w_ref = (reference != 0).sum(axis=1).astype(np.int32)
    x[:, -1] = 1
    y[:, -1] = p - w_ref
    return x, y, w_query


#: Quantized engines tried for the int8 product, fastest first (oneDNN is about twice as
#: fast as FBGEMM here because its per-output requantization is cheaper).
_INT8_ENGINES: tuple[str, ...] = ("onednn", "x86", "fbgemm")


@contextlib.contextmanager
def _quantized_engine(engine: str) -> Iterator[None]:
    """Run the block on ``engine``, quietly.

    Recent PyTorch releases warn that quantized tensors will be removed; the suite's calls
    do not need the user's attention: when they are gone, :func:`int8_engine` finds no
    engine and the kernel runs in float32, with the same results.
    """
    import torch

    previous = torch.backends.quantized.engine
    torch.backends.quantized.engine = engine
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor")
            yield
    finally:
        torch.backends.quantized.engine = previous


@functools.lru_cache(maxsize=1)
def int8_engine() -> str | None:
    """The quantized engine whose int8 product is available and exact here, or None."""
    try:
        import torch

        supported = set(torch.backends.quantized.supported_engines)
    except Exception:  # no torch quantization at all
        return None
    generator = np.random.default_rng(0)
    x = (generator.random((37, 70)) < 0.3).astype(np.uint8)
    y = generator.integers(0, 3, size=(53, 70)).astype(np.int8)
    y[:, -1] = 60  # large entries, as the reference-term column has
    expected = x.astype(np.int64) @ y.astype(np.int64).T
    for engine in _INT8_ENGINES:
        if engine not in supported:
            continue
        try:
            with _quantized_engine(engine):
                packed = _prepack_int8(torch.from_numpy(y))
                activations = _quantize_uint8(torch.from_numpy(x))
                got = _matmul_int8(activations, packed).numpy().astype(np.int64)
        except Exception:  # this engine cannot run here; try the next
            continue
        if np.array_equal(got, expected):
            return engine
    return None


def int8_supported() -> bool:
    """Whether an exact int8 product is available (else the kernel uses float32)."""
    return int8_engine() is not None


def _prepack_int8(y: torch.Tensor) -> object:
    import torch

    weights = torch.quantize_per_tensor(y.to(torch.float32), 1.0, 0, torch.qint8)
    return torch.ops.quantized.linear_prepack(weights, None)


def _quantize_uint8(x: torch.Tensor) -> torch.Tensor:
    """A uint8 0/1 matrix as a quint8 tensor with unit scale (the same integers)."""
    import torch

    return torch.quantize_per_tensor(x.to(torch.float32), 1.0, 0, torch.quint8)


def _matmul_int8(activations: torch.Tensor, packed: object) -> torch.Tensor:
    """``x @ y.T`` for quantized ``x``, as a uint8 tensor sharing the result's memory."""
    import torch

    out = torch.ops.quantized.linear(activations, packed, 1.0, 0)
    view = torch.empty(0, dtype=torch.uint8)
    view.set_(out.untyped_storage(), out.storage_offset(), out.size(), out.stride())
    return view


def _top2(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The largest and second-largest value of every row of a non-negative matrix.

    Overwrites one maximal entry per row with 0 (the smallest possible score).
    """
    rows = np.arange(scores.shape[0])
    position = scores.argmax(axis=1)
    first = scores[rows, position].copy()
    scores[rows, position] = 0
    return first, scores.max(axis=1)


@overload
def nearest_hamming(
    query: np.ndarray,
    reference: np.ndarray,
    *,
    exclude_self: bool = ...,
    count_nearest: Literal[False] = ...,
    backend: Backend = ...,
    n_threads: int | None = ...,
    chunk_bytes: int = ...,
) -> tuple[np.ndarray, np.ndarray]: ...


@overload
def nearest_hamming(
    query: np.ndarray,
    reference: np.ndarray,
    *,
    exclude_self: bool = ...,
    count_nearest: Literal[True],
    backend: Backend = ...,
    n_threads: int | None = ...,
    chunk_bytes: int = ...,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...


def nearest_hamming(
    query: np.ndarray,
    reference: np.ndarray,
    *,
    exclude_self: bool = False,
    count_nearest: bool = False,
    backend: Backend = "auto",
    n_threads: int | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Smallest and second-smallest Hamming distance from each query row to the reference.

    Args:
        query: Integer codes, ``n_query x p`` (``-1`` never matches).
        reference: Integer codes, ``n_reference x p``.
        exclude_self: True when ``query`` and ``reference`` are the same rows in the same
            order and a row must not be its own neighbour (leave-one-out).
        count_nearest: Also return how many reference rows lie at the smallest distance
            (one more pass over each chunk; the DCR share weighs its ties with it).
        backend: ``"int8"``, ``"float32"`` or ``"auto"`` (int8 when ``2p <= 255`` and an
            exact int8 kernel is available here).
        n_threads: PyTorch threads for the call; None keeps the current setting.
        chunk_bytes: Size of one chunk of the match matrix.

    Returns:
        ``(d1, d2)``, int32 arrays of length ``n_query``. With a single candidate
        reference row, ``d2 = d1``. With ``count_nearest``, ``(d1, d2, n1)``: ``n1`` (int32)
        counts the candidate reference rows at distance ``d1``, at least 1.

    Raises:
        InvalidDataError: There is no reference row to compare with.
        InvalidParameterError: Unknown backend, int8 requested but unavailable or with
            more than 127 columns, or ``exclude_self`` with different query and reference.
    """
    import torch

    query = np.ascontiguousarray(query, dtype=np.int32)
    reference = np.ascontiguousarray(reference, dtype=np.int32)
    n_query, p = query.shape
    n_ref = reference.shape[0]
    check_choice("backend", backend, BACKENDS)
    if exclude_self and query.shape != reference.shape:
        raise InvalidParameterError(
            "exclude_self needs the query and reference to be the same rows"
        )
    candidates = n_ref - int(exclude_self)
    if candidates < 1:
        raise InvalidDataError("the reference set has no row to compare with")
    if n_query == 0:
        empty = np.zeros(0, dtype=np.int32)
        return (empty, empty.copy(), empty.copy()) if count_nearest else (empty, empty.copy())
    engine = int8_engine() if backend != "float32" else None
    if backend == "int8" and (engine is None or 2 * p > 255):
        raise InvalidParameterError(
            "the int8 backend needs PyTorch's quantized engines and at most 127 columns "
            f"(got {p}); use backend='float32'"
        )
    use_int8 = engine is not None and 2 * p <= 255
    wide = _wide_columns(query, reference)
    x, y, w_query = _encode(query[:, ~wide], reference[:, ~wide])
    wide_query, wide_reference = _never_equal(query[:, wide], reference[:, wide])
    itemsize = 1 if use_int8 else 4
    rows_per_chunk = max(1, min(n_query, chunk_bytes // (n_ref * itemsize)))
    first = np.empty(n_query, dtype=np.int32)
    second = np.empty(n_query, dtype=np.int32)
    at_first = np.empty(n_query, dtype=np.int32) if count_nearest else None
    engine_context = _quantized_engine(engine) if use_int8 else contextlib.nullcontext()
    with torch_threads(n_threads), torch.inference_mode(), engine_context:
        if use_int8:
            packed = _prepack_int8(torch.from_numpy(y.astype(np.int8)))
        else:
            y_t = torch.from_numpy(y.astype(np.float32)).t().contiguous()
        for start in range(0, n_query, rows_per_chunk):
            stop = min(start + rows_per_chunk, n_query)
            x_chunk = torch.from_numpy(x[start:stop])
            if use_int8:
                scores = _matmul_int8(_quantize_uint8(x_chunk), packed).numpy()
            else:
                scores = (x_chunk.to(torch.float32) @ y_t).numpy()
            for query_column, reference_column in zip(wide_query, wide_reference):
                scores += query_column[start:stop, None] == reference_column
            if exclude_self:
                rows = np.arange(stop - start)
                scores[rows, start + rows] = 0
            if at_first is not None:
                top = scores.max(axis=1)
                counted = (scores == top[:, None]).sum(axis=1)
                if exclude_self:  # the row's own 0 ties only with a maximum of 0
                    counted -= top == 0
                at_first[start:stop] = counted
            top1, top2 = _top2(scores)
            first[start:stop] = top1
            second[start:stop] = top2
    d1 = p + w_query - first
    d2 = p + w_query - second
    if candidates < 2:
        d2 = d1.copy()
    if at_first is not None:
        return d1.astype(np.int32), d2.astype(np.int32), at_first
    return d1.astype(np.int32), d2.astype(np.int32)


def nearest_hamming_bruteforce(
    query: np.ndarray, reference: np.ndarray, *, exclude_self: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`nearest_hamming` with ``count_nearest``, one query row at a time (for checks)."""
    query = np.asarray(query, dtype=np.int64)
    reference = np.asarray(reference, dtype=np.int64)
    d1 = np.empty(len(query), dtype=np.int32)
    d2 = np.empty(len(query), dtype=np.int32)
    n1 = np.empty(len(query), dtype=np.int32)
    for i, row in enumerate(query):
        match = (reference == row) & (row != NEVER_MATCHES)
        distances = query.shape[1] - match.sum(axis=1)
        if exclude_self:
            distances = np.delete(distances, i)
        ordered = np.sort(distances)
        d1[i] = ordered[0]
        d2[i] = ordered[1] if ordered.size > 1 else ordered[0]
        n1[i] = np.count_nonzero(distances == ordered[0])
    return d1, d2, n1


# ------------------------------------------------------------------ coded tables


class CodedTables:
    """Frames prepared for binning: numeric columns as floats, categorical ones as codes.

    Categorical columns get one integer mapping shared by every frame, so codes compare
    across frames; numeric columns stay float64 (NaN for missing) until a binning, which
    may depend on the target set, turns them into codes with :meth:`codes`.

    Args:
        frames: Named frames with the same columns in the same order.
        categorical_columns: The columns compared by value instead of by bin.
        categorical_missing: ``"level"`` to let a missing categorical value match another
            missing one, ``"never"`` to let it match nothing.
    """

    def __init__(
        self,
        frames: dict[str, pd.DataFrame],
        categorical_columns: list[str],
        *,
        categorical_missing: Literal["level", "never"],
    ) -> None:
        first = next(iter(frames.values()))
        categorical = set(categorical_columns)
        self.numeric_columns = [c for c in first.columns if c not in categorical]
        self.categorical_columns = [c for c in first.columns if c in categorical]
        self.numeric = {
            name: numeric_block(frame, self.numeric_columns, name) for name, frame in frames.items()
        }
        names = list(frames)
        self.categorical = {
            name: np.empty((len(frame), len(self.categorical_columns)), dtype=np.int32)
            for name, frame in frames.items()
        }
        for j, column in enumerate(self.categorical_columns):
            per_frame, levels = label_codes(*(frames[name][column] for name in names))
            for name, codes in zip(names, per_frame):
                if categorical_missing == "never":
                    codes[codes == len(levels)] = -1  # missing matches nothing
                self.categorical[name][:, j] = codes

    @property
    def n_columns(self) -> int:
        """Number of columns (numeric and categorical)."""
        return len(self.numeric_columns) + len(self.categorical_columns)

    def numeric_rows(self, parts: list[tuple[str, np.ndarray]]) -> np.ndarray:
        """The numeric values of the given rows of the given frames, stacked."""
        return np.concatenate([self.numeric[name][rows] for name, rows in parts], axis=0)

    def codes(
        self,
        parts: list[tuple[str, np.ndarray]],
        edges: list[np.ndarray],
        *,
        numeric_missing: Literal["level", "never"],
    ) -> np.ndarray:
        """Integer codes of the given rows, numeric columns binned with ``edges``.

        Args:
            parts: ``(frame name, row indices)`` pairs, stacked in this order.
            edges: Open bin edges per numeric column (see :func:`quantile_edges`).
            numeric_missing: ``"level"`` gives missing numeric values their own bin,
                ``"never"`` makes them match nothing.

        Returns:
            int32 codes, ``rows x (numeric + categorical columns)``.
        """
        values = self.numeric_rows(parts)
        n_rows = values.shape[0]
        out = np.empty((n_rows, self.n_columns), dtype=np.int32)
        for j, column_edges in enumerate(edges):
            missing = len(column_edges) - 1 if numeric_missing == "level" else NEVER_MATCHES
            out[:, j] = assign_bins(values[:, j], column_edges, missing_code=missing)
        n_numeric = len(self.numeric_columns)
        out[:, n_numeric:] = np.concatenate(
            [self.categorical[name][rows] for name, rows in parts], axis=0
        )
        return out


# ------------------------------------------------------------ closest-record encoding


def pooled_bin_codes(
    frames: dict[str, pd.DataFrame],
    categorical_columns: list[str],
    *,
    num_bins: int,
    numeric_missing: Literal["level", "never"],
) -> dict[str, np.ndarray]:
    """Every frame's rows as codes, numeric columns cut into quantile bins of pooled rows.

    The closest-record encoding of Platzer & Reutterer (the DCR holdout share): one set of
    ``num_bins`` quantile bins per numeric column, fitted on the rows of every frame
    together; categorical columns by value, a missing categorical value a level of its own.

    Args:
        frames: Named frames with the same columns in the same order.
        categorical_columns: The columns compared by value instead of by bin.
        num_bins: Quantile bins per numeric column.
        numeric_missing: ``"level"`` gives missing numeric values their own bin,
            ``"never"`` makes them match nothing.

    Returns:
        The int32 codes of each frame, by name, for :func:`nearest_hamming`.
    """
    tables = CodedTables(frames, categorical_columns, categorical_missing="level")
    parts = {name: (name, np.arange(len(frame))) for name, frame in frames.items()}
    pooled = tables.numeric_rows(list(parts.values()))
    edges = [quantile_edges(pooled[:, j], num_bins) for j in range(pooled.shape[1])]
    return {
        name: tables.codes([part], edges, numeric_missing=numeric_missing)
        for name, part in parts.items()
    }

"""Synthcity evaluators for the suite's metrics, derived from their catalog entries.

No evaluator is written by hand: :func:`evaluator_class` builds each one from its entry in
``catalog.METRICS`` (name, type, direction, what it needs), on top of Synthcity's evaluator
base class for the entry's type, and registration adds it to ``Metrics.evaluate``. The
classes are also attributes of this module under their catalog names
(``HammingLeakageEvaluator``, ``LongitudinalFidelityEvaluator``). Output keys are the
core result's ``score`` and its catalog entry's ``headline_figures`` (every key of its
``to_dict()`` with ``all_figures = True``), reported by Synthcity as ``<type>.<name>.<key>``:
a few rows per metric, where every figure gives dozens (one per column, attack or year).

Inputs: Synthcity hands every evaluator equal-size samples of ``X_gt`` and ``X_syn``,
label-encoded (text and boolean columns, and number columns with fewer than 15 distinct
values, become codes 0, 1, ...; a missing value the largest code). The suite's metrics
decide column roles and missing values themselves, so inside a ``Metrics.evaluate`` call
(see ``context.py``) they read the caller's values: fidelity metrics the rows Synthcity
sampled, taken from the caller's ``X_gt`` and ``X_syn`` (the figures of the core and
SDMetrics on those rows); metrics that need a holdout the whole ``X_gt`` (the holdout, as
``Benchmarks.evaluate`` passes it), ``X_syn`` and ``X_train`` (the generator's training
data); metrics of visit sequences the caller's whole loaders, as long tables (``seq_id``,
``seq_time_id``, the ``seq_static_*`` and ``seq_out_*`` columns per patient), read as the
decoded tables of :func:`~synth_plugins.synthcity.timeseries.to_timeseries_loader`'s
loaders: its category codes as categories (``categorical_columns``, unless ``options``
gives its own) and its filled values as missing (see
:mod:`synth_plugins.synthcity.coded_loader`). Called directly, an evaluator scores the
loaders it is given.

Synthcity's ``Metrics.evaluate`` cannot pass a metric its options; set them on the class,
e.g. ``LongitudinalFidelityEvaluator.options = {"event_column": "seq_temporal_relapses"}``.
A loader of :func:`~synth_plugins.synthcity.timeseries.to_timeseries_loader` says how many
units of its times make a year (365.25 when they were dates), which is the metric's
``time_per_year`` unless ``options`` gives one; for other loaders whose times are not
years, set ``time_per_year`` in ``options``.
Results saved in Synthcity's workspace cache are keyed on every table of the call, the
options and the versions (Synthcity's own key holds the ``X_gt`` and ``X_syn`` samples only).
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
from synthcity.metrics.eval_performance import PerformanceEvaluator
from synthcity.metrics.eval_privacy import PrivacyEvaluator
from synthcity.metrics.eval_statistical import StatisticalEvaluator
from synthcity.plugins.core.dataloader import DataLoader, create_from_info
from synthcity.utils.serialization import load_from_file, save_to_file

from synth_plugins import __version__, catalog
from synth_plugins.catalog import MetricEntry
from synth_plugins.errors import InvalidDataError, InvalidParameterError
from synth_plugins.metrics.dispatch import evaluate_metric
from synth_plugins.synthcity import register_metrics_defined_in
from synth_plugins.synthcity.metrics.call_checks import frame_of
from synth_plugins.synthcity.metrics.context import current_call, reporting_failures
from synth_plugins.synthcity.timeseries import (
    OUTCOME_PREFIX,
    SEQ_ID,
    SEQ_TIME,
    STATIC_PREFIX,
    synthcity_long_frame,
)

#: Whether the evaluators called in this thread report every figure (see :func:`every_figure`)
_EVERY_FIGURE: ContextVar[bool] = ContextVar("synth_plugins_every_figure", default=False)


@contextmanager
def every_figure() -> Iterator[None]:
    """Inside the block, the suite's evaluators report every figure of their results.

    For the benchmark harnesses, whose reports and CSVs keep every figure: unlike setting
    ``all_figures`` on a class, it holds for the calling thread only (the harness scores
    cases in threads, and Synthcity runs evaluators on the calling thread).
    """
    token = _EVERY_FIGURE.set(True)
    try:
        yield
    finally:
        _EVERY_FIGURE.reset(token)


def _callers_rows(whole: Any, sampled: Any) -> pd.DataFrame:
    """The caller's values of the rows Synthcity sampled for an evaluator.

    ``Metrics.evaluate`` hands evaluators equal-size samples of its loaders after
    label-encoding them (a number column with fewer than 15 values becomes codes, a missing
    value the largest code), which the suite's metrics would read as data. The samples keep
    the caller's row labels, so the same rows are taken from the caller's table (``whole``,
    from the recorded call), in the caller's order (Synthcity's sample is shuffled, and a
    seeded part of a metric, such as TabSynDex's model split, reads rows in order: on the
    same rows every host gives the same figures). Where the labels do not identify rows
    (repeated labels) every row is taken; outside a recorded call the sample is the
    caller's own loader.
    """
    frame = sampled.dataframe()
    if whole is None:
        return frame
    raw = frame_of(whole)
    if raw.index.is_unique and frame.index.isin(raw.index).all():
        return raw.loc[raw.index.isin(frame.index)]
    return raw


def _digest(data: Any) -> str:
    """A content hash of a table or loader: every value (missing ones too) and every label."""
    frame = frame_of(data)
    digest = hashlib.sha256(repr([str(c) for c in frame.columns]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


class _Cached:
    """Synthcity's result cache for privacy and statistical metrics, keyed on all they read.

    Synthcity names a cached result by the hashes of the ``X_gt`` and ``X_syn`` samples
    only. The suite's metrics also read the whole tables of the call and ``X_train``
    (holdout metrics) and the class ``options``: under Synthcity's key, a call with other
    training data or options would get an earlier call's result back, from a file that
    outlives the session. The key here holds every input, the options and the versions.
    """

    def evaluate(self, X_gt: Any, X_syn: Any) -> dict[str, float]:
        """The reported figures (see ``all_figures``), cached whole in the workspace."""
        whole = current_call() or {}
        parts = [_digest(X_gt), _digest(X_syn)]
        parts += [
            _digest(whole[k]) for k in ("X_gt", "X_syn", "X_train") if whole.get(k) is not None
        ]
        parts += [
            repr(sorted(self.options.items())),  # type: ignore[attr-defined]
            str(self._reduction),  # type: ignore[attr-defined]
            platform.python_version(),
            __version__,
        ]
        key = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
        name = f"synth_plugins_metric_{self.type()}_{self.name()}_{key}.bkp"  # type: ignore[attr-defined]
        path = Path(self._workspace) / name  # type: ignore[attr-defined]
        if self.use_cache(path):  # type: ignore[attr-defined]
            return self._reported(load_from_file(path))  # type: ignore[attr-defined]
        results = self._evaluate(X_gt, X_syn)  # type: ignore[attr-defined]
        save_to_file(path, results)
        return self._reported(results)  # type: ignore[attr-defined]


class _Uncached:
    """``evaluate`` for Synthcity's performance type, whose base leaves it to each metric."""

    def evaluate(self, X_gt: Any, X_syn: Any) -> dict[str, float]:
        """The figures of the metric that the evaluator reports (see ``all_figures``)."""
        return self._reported(self._evaluate(X_gt, X_syn))  # type: ignore[attr-defined]

    def evaluate_default(self, X_gt: Any, X_syn: Any) -> float:
        """The headline score."""
        return self.evaluate(X_gt, X_syn)["score"]


#: Synthcity's evaluator base classes for each metric type the catalog uses
BASES: dict[str, tuple[type, ...]] = {
    "privacy": (_Cached, PrivacyEvaluator),
    "stats": (_Cached, StatisticalEvaluator),
    "performance": (_Uncached, PerformanceEvaluator),
}


class SuiteEvaluator:
    """Bridge from Synthcity's evaluator API to a catalog metric's core (a mixin)."""

    entry: ClassVar[MetricEntry]
    #: core options for every call (Synthcity's ``Metrics.evaluate`` cannot pass them)
    options: ClassVar[Mapping[str, Any]] = {}
    #: report every figure of the core result instead of the catalog's headline ones
    #: (``score`` and a few others): set it on one evaluator class, or on
    #: ``SuiteEvaluator`` for all
    all_figures: ClassVar[bool] = False
    _default_metric = "score"

    @classmethod
    def name(cls) -> str:
        """The suite name, as used in ``metrics={type: [name]}``."""
        return cls.entry.name

    @classmethod
    def type(cls) -> str:
        """The Synthcity metric type of the catalog entry."""
        return cls.entry.synthcity_type

    @classmethod
    def direction(cls) -> str:
        """``"maximize"`` or ``"minimize"``, from the catalog entry."""
        return cls.entry.direction

    def _reported(self, figures: Mapping[str, float]) -> dict[str, float]:
        """``figures`` as ``Metrics.evaluate`` reports them: whole, or the headline ones."""
        if self.all_figures or _EVERY_FIGURE.get():
            return dict(figures)
        return self.entry.headline(figures)

    def _evaluate(self, X_gt: Any, X_syn: Any) -> dict[str, float]:
        with reporting_failures(self.fqdn()):  # type: ignore[attr-defined]
            if self.entry.data == "sequences":
                return self._sequence_scores(X_gt, X_syn)
            return self._table_scores(X_gt, X_syn)

    def _table_scores(self, X_gt: Any, X_syn: Any) -> dict[str, float]:
        # Metrics.evaluate samples min(len(X_gt), len(X_syn)) rows of each: name the empty one
        whole = current_call() or {}
        for label, sampled in (("X_gt", X_gt), ("X_syn", X_syn)):
            if len(sampled if whole.get(label) is None else whole[label]) == 0:
                raise InvalidDataError(f"{self.entry.name} got {label} with 0 rows")
        info = X_gt.info()
        survival = X_gt.type() == "survival_analysis"
        if "survival" in self.entry.needs and not survival:
            # Metrics.evaluate has no duration or event argument: the loader carries them
            raise InvalidDataError(
                f"{self.entry.name} needs survival data: pass X_gt and X_syn as "
                "SurvivalAnalysisDataLoader(data, target_column=<event column>, "
                f"time_to_event_column=<duration column>) (X_gt is a {X_gt.type()!r} loader)"
            )
        columns = {
            "target_column": info.get("target_column"),
            "duration_column": info.get("time_to_event_column") if survival else None,
            "event_column": info.get("target_column") if survival else None,
        }
        if "holdout" not in self.entry.needs:
            real, synthetic = (
                _callers_rows(whole.get(k), sampled)
                for k, sampled in (("X_gt", X_gt), ("X_syn", X_syn))
            )
            try:
                return evaluate_metric(
                    self.entry, real, synthetic, **columns, **self.options
                ).to_dict()
            except InvalidDataError as error:  # its counts are of Synthcity's samples
                sampled = [
                    f"{len(part)} of the {len(whole[label])} rows of {label}"
                    for label, part in (("X_gt", real), ("X_syn", synthetic))
                    if whole.get(label) is not None and len(part) < len(whole[label])
                ]
                if not sampled:
                    raise
                raise InvalidDataError(
                    f"{error} (Synthcity's Metrics.evaluate gave the metric "
                    f"{' and '.join(sampled)}: it samples as many rows of each table as the "
                    "smaller one has)"
                ) from error
        if whole.get("X_train") is None:
            raise InvalidParameterError(
                f"{self.entry.name} needs the generator's training data: call "
                "Metrics.evaluate(X_gt=holdout, X_syn=synthetic, X_train=training data)"
            )
        return evaluate_metric(
            self.entry,
            frame_of(whole["X_train"]),
            frame_of(whole["X_syn"]),
            holdout=frame_of(whole["X_gt"]),
            **columns,
            **self.options,
        ).to_dict()

    def _sequence_scores(self, X_gt: Any, X_syn: Any) -> dict[str, float]:
        whole = current_call() or {}
        # the caller's loaders rather than Synthcity's label-encoded samples of them; a
        # DataFrame becomes a loader of X_gt's layout, as Metrics.evaluate makes it
        loaders = [
            given if whole.get(label) is None else whole[label]
            for label, given in (("X_gt", X_gt), ("X_syn", X_syn))
        ]
        if isinstance(loaders[0], DataLoader) and isinstance(loaders[1], pd.DataFrame):
            loaders[1] = create_from_info(loaders[1], loaders[0].info())
        for label, loader in zip(("X_gt", "X_syn"), loaders):
            kind = loader.type() if isinstance(loader, DataLoader) else type(loader).__name__
            if kind != "time_series":
                raise InvalidDataError(
                    f"{self.entry.name} needs time-series loaders; {label} is {kind!r}"
                )
        # to_timeseries_loader's category codes are categories (unless the caller's
        # categorical_columns say otherwise) and its filled values missing values, as in the
        # decoded long tables
        # imported here: coded_loader imports Synthcity, whose metrics package registers
        # this module on import, so a module-level import of it from here is circular
        # (``to_timeseries_loader`` as the first call after ``import synth_plugins``)
        from synth_plugins.synthcity.coded_loader import decoded_values, encodings, time_per_year

        coded, observed = encodings(*loaders)
        per_year = time_per_year(*loaders)
        real, synthetic = (
            decoded_values(synthcity_long_frame(loader), coded, observed) for loader in loaders
        )
        static = [c for c in real.columns if c.startswith((STATIC_PREFIX, OUTCOME_PREFIX))]
        categorical = [c for c in coded if c in real.columns]
        options = {
            "random_state": self._random_state,  # type: ignore[attr-defined]
            **({"categorical_columns": categorical} if categorical else {}),
            # visit times from dates are days (to_timeseries_loader): years of 365.25
            **({"time_per_year": per_year} if per_year is not None else {}),
            **self.options,
        }
        return evaluate_metric(
            self.entry,
            real,
            synthetic,
            id_column=SEQ_ID,
            time_column=SEQ_TIME,
            static_columns=static,
            **options,
        ).to_dict()


_classes: dict[str, type] = {}


def evaluator_class(entry: MetricEntry) -> type:
    """The Synthcity evaluator of a catalog metric (built once per metric name)."""
    cls = _classes.get(entry.name)
    if cls is None or cls.entry != entry:
        bases = BASES.get(entry.synthcity_type)
        if bases is None:
            raise InvalidParameterError(
                f"catalog entry {entry.name!r}: no Synthcity evaluator base for the type "
                f"{entry.synthcity_type!r}; the suite derives {sorted(BASES)}"
            )
        cls = type(
            entry.synthcity_evaluator_name,
            (SuiteEvaluator, *bases),
            {
                "entry": entry,
                "__module__": __name__,
                "__doc__": f"{entry.title} for Synthcity's Metrics.evaluate: {entry.description}",
            },
        )
        _classes[entry.name] = cls
    return cls


def __getattr__(name: str) -> type:
    """The evaluator of the catalog metric whose class is called ``name``."""
    for entry in catalog.METRICS:
        if entry.synthcity_evaluator_name == name:
            return evaluator_class(entry)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "SuiteEvaluator",
    "evaluator_class",
    *(e.synthcity_evaluator_name for e in catalog.METRICS),
]


register_metrics_defined_in(__name__)

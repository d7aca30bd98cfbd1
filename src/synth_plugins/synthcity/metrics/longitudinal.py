"""``longitudinal_fidelity`` as a Synthcity evaluator, for time-series loaders.

Synthcity hands an evaluator ``X_gt`` and ``X_syn`` (encoded, subsampled to the same number
of sequences). For a ``TimeSeriesDataLoader`` their ``dataframe()`` is a long table
(``seq_id``, ``seq_time_id``, ``seq_static_*``, ``seq_temporal_*``, ``seq_out_*``), which is
what :func:`synth_plugins.metrics.longitudinal.longitudinal_fidelity` takes: static and
outcome features are the per-patient columns, temporal features the visit columns. The event
rate per patient-year needs the name of an event-count column, which Synthcity cannot pass:
set ``LongitudinalFidelityEvaluator.event_column`` (e.g. ``"seq_temporal_relapses"``) to
report it. Any other option of ``longitudinal_fidelity`` goes in
``LongitudinalFidelityEvaluator.options`` (Synthcity names; categorical temporal values are
category codes), e.g. ``{"therapy_column": "seq_temporal_dmt", "high_efficacy": [3, 5]}`` for
the high-efficacy therapy exposure. Outputs are ``stats.longitudinal_fidelity.<key>`` with
the keys of ``to_dict()``, so new parts and figures are reported without a change here.
"""

from __future__ import annotations

from typing import Any, ClassVar

from synthcity.metrics.eval_statistical import StatisticalEvaluator

from synth_plugins.errors import InvalidDataError
from synth_plugins.metrics.longitudinal import LONGITUDINAL_FIDELITY, longitudinal_fidelity
from synth_plugins.synthcity import register_metrics_defined_in
from synth_plugins.synthcity.metrics.context import reporting_failures
from synth_plugins.synthcity.timeseries import (
    OUTCOME_PREFIX,
    SEQ_ID,
    SEQ_TIME,
    STATIC_PREFIX,
    synthcity_long_frame,
)


class LongitudinalFidelityEvaluator(StatisticalEvaluator):
    """Longitudinal fidelity (follow-up, gaps, lengths, marginals, Spearman, detection...)."""

    #: an event-count temporal column (Synthcity name) for the event rate, if any
    event_column: ClassVar[str | None] = None
    #: further ``longitudinal_fidelity`` options (Synthcity column names)
    options: ClassVar[dict[str, Any]] = {}

    @staticmethod
    def name() -> str:
        """The metric name in ``metrics={"stats": ["longitudinal_fidelity"]}``."""
        return LONGITUDINAL_FIDELITY.name

    @staticmethod
    def direction() -> str:
        """Larger is better."""
        return LONGITUDINAL_FIDELITY.direction

    def _evaluate(self, X_gt: Any, X_syn: Any) -> dict[str, float]:
        with reporting_failures(self.fqdn()):
            return self._scores(X_gt, X_syn)

    def _scores(self, X_gt: Any, X_syn: Any) -> dict[str, float]:
        for label, loader in (("X_gt", X_gt), ("X_syn", X_syn)):
            if loader.type() != "time_series":
                raise InvalidDataError(
                    f"longitudinal_fidelity needs time-series loaders; {label} is {loader.type()!r}"
                )
        real, synthetic = synthcity_long_frame(X_gt), synthcity_long_frame(X_syn)
        static = [c for c in real.columns if c.startswith((STATIC_PREFIX, OUTCOME_PREFIX))]
        event = self.event_column if self.event_column in real.columns else None
        result = longitudinal_fidelity(
            real,
            synthetic,
            id_column=SEQ_ID,
            time_column=SEQ_TIME,
            static_columns=static,
            event_column=event,
            random_state=self._random_state,
            **self.options,
        )
        return result.to_dict()

    def evaluate_default(self, X_gt: Any, X_syn: Any) -> float:
        """The headline score."""
        return self.evaluate(X_gt, X_syn)["score"]


register_metrics_defined_in(__name__)

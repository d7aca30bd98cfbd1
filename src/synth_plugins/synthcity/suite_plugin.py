"""The checks every tabular suite plugin runs around Synthcity's own ``fit`` and ``generate``.

Synthcity validates and encodes the data inside ``Plugin.fit`` before a plugin's ``_fit``
sees it, so what must happen first happens here, once, for every generic and survival plugin
of the suite: the training data are checked (our error, naming the problem), identifier and
text-date columns are held out of Synthcity's encoders (fresh keys and generated dates, see
:mod:`synth_plugins.synthcity.held_columns`), ``count`` is checked, strict constraint bounds
are made inclusive (Synthcity drops them), and a plugin that cannot honour ``cond`` says so.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd
from synthcity.plugins.core.constraints import Constraints
from synthcity.plugins.core.dataloader import DataLoader
from synthcity.plugins.core.plugin import Plugin

from synth_plugins.synthcity.checks import (
    check_count,
    inclusive_constraints,
    refuse_argument,
    training_frame,
)
from synth_plugins.synthcity.held_columns import HeldColumns, hold_columns


class SuitePlugin(Plugin):
    """A Synthcity ``Plugin`` with the suite's checks around ``fit`` and ``generate``.

    Subclasses implement ``_fit``/``_generate`` as any Synthcity plugin does; they set
    ``cond_refusal`` (why ``cond`` cannot be honoured) when they do not support ``cond``,
    and override ``outcome_columns`` when their loader gives columns a meaning.
    """

    #: why ``cond`` is refused, in the error a user reads; None: the plugin honours ``cond``
    cond_refusal: ClassVar[str | None] = None
    #: identifier and text-date columns held out of Synthcity's encoders (set by ``fit``)
    held_columns: HeldColumns | None = None

    def outcome_columns(self, X: DataLoader | pd.DataFrame) -> tuple[str, ...]:
        """Columns the loader gives a meaning (duration, event): never held."""
        return ()

    def _refuse_cond(self, cond: Any) -> None:
        if self.cond_refusal is not None:
            refuse_argument(self.name(), "cond", cond, self.cond_refusal)

    def fit(self, X: DataLoader | pd.DataFrame, *args: Any, **kwargs: Any) -> Any:
        """Check the training data, hold identifier and text-date columns, then ``fit``."""
        self._refuse_cond(kwargs.get("cond"))
        training_frame(self.name(), X)
        X, self.held_columns = hold_columns(X, self.outcome_columns(X))
        return super().fit(X, *args, **kwargs)

    def generate(
        self,
        count: int | None = None,
        constraints: Constraints | None = None,
        random_state: int | None = None,
        **kwargs: Any,
    ) -> DataLoader:
        """Synthcity's ``generate``, after checking ``count`` (None or an integer >= 1).

        Strict bounds in ``constraints`` are made inclusive (see
        :func:`synth_plugins.synthcity.checks.inclusive_constraints`); held columns are
        generated afresh.
        """
        check_count(count)
        self._refuse_cond(kwargs.get("cond"))
        constraints = inclusive_constraints(constraints)
        generated = super().generate(count, constraints, random_state, **kwargs)
        held = self.held_columns
        return generated if held is None else held.restore(generated)

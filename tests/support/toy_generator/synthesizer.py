"""Toy marginals as an SDV single-table synthesizer: ``ToyMarginalsSynthesizer(metadata)``.

Step 3: a ``BaseSingleTableSynthesizer`` subclass mixing in ``SingleTableContract`` (the
table as a DataFrame or SDV 2's ``{table_name: DataFrame}``, our checks before SDV's);
categorical, boolean and datetime columns reach the core raw; every default is the core's,
and so is the text of every argument SDV does not change (``args_from``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pandas as pd
from sdv.single_table.base import BaseSingleTableSynthesizer

from synth_plugins._docstrings import args_from
from synth_plugins.sdv._contract import SingleTableContract
from synth_plugins.sdv.metadata import roles_from_metadata
from tests.support.toy_generator.core import ToyMarginals

#: The core's defaults: the one place each hyper-parameter's default is declared.
_CORE = ToyMarginals.__init__.__kwdefaults__


# Args written here, the rest is the core's: SDV's own arguments, and random_state (it
# also seeds SDV's sampling stream).
@args_from(ToyMarginals)
class ToyMarginalsSynthesizer(SingleTableContract, BaseSingleTableSynthesizer):
    """Each column drawn on its own from its training values (a toy; see the core).

    Args:
        metadata: SDV ``Metadata`` of the table.
        enforce_min_max_values, enforce_rounding, locales: SDV's synthesizer arguments.
        random_state: seed of the fit (SDV itself has no seed argument).
    """

    _model_sdtype_transformers: ClassVar[dict[str, None]] = {
        "categorical": None,
        "boolean": None,
        "datetime": None,
    }

    def __init__(
        self,
        metadata: Any,
        enforce_min_max_values: bool = True,
        enforce_rounding: bool = True,
        locales: list[str] | None = None,
        bandwidth: float = _CORE["bandwidth"],
        missing: str = _CORE["missing"],
        redraw_copies: bool = _CORE["redraw_copies"],
        random_state: int | None = _CORE["random_state"],
    ) -> None:
        super().__init__(
            metadata,
            enforce_min_max_values=enforce_min_max_values,
            enforce_rounding=enforce_rounding,
            locales=locales if locales is not None else ["en_US"],
        )
        self.bandwidth = bandwidth
        self.missing = missing
        self.redraw_copies = redraw_copies
        self.random_state = random_state
        self._model: ToyMarginals | None = None
        self._new_model({})  # SDV users expect argument errors at construction

    def _new_model(self, roles: Mapping[str, str]) -> ToyMarginals:
        return ToyMarginals(
            roles,
            bandwidth=self.bandwidth,
            missing=self.missing,  # type: ignore[arg-type]
            redraw_copies=self.redraw_copies,
            random_state=self.random_state,
        )

    def _fit(self, processed_data: pd.DataFrame) -> None:
        self._model = self._new_model(roles_from_metadata(self.metadata, processed_data))
        self._model.fit(processed_data)

    def _sample(self, num_rows: int, conditions: Mapping[str, Any] | None = None) -> pd.DataFrame:
        # conditions are met by SDV's reject sampling, which filters these rows
        assert self._model is not None
        return self._model.sample(num_rows)

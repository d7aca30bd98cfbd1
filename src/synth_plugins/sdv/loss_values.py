"""SDV's loss-value API for the suite's neural synthesizers.

SDV's own neural synthesizers (``CTGANSynthesizer``, ``TVAESynthesizer``) offer
``get_loss_values()``, a table of the training losses per epoch, and
``get_loss_values_plot()``, the same as a plotly figure; SDV's multi-table synthesizers
call the first for each table. :class:`LossValuesMixin` gives both to a synthesizer whose
fitted core keeps per-epoch values in ``history_`` (Med-VAE, CTAB-GAN+, CK4Gen, the
longitudinal LSTM), so a user checks convergence as with SDV's own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

#: Words of a history key written out in a column label ("val_kl" -> "Validation KL Loss").
_WORDS = {"val": "Validation", "kl": "KL"}
#: Last words of a history key that is not a loss, so " Loss" is not appended.
_NOT_LOSSES = {"loss", "weight"}


def loss_label(key: str) -> str:
    """The column label of a history key, in SDV's style (``"Generator Loss"``).

    Examples: ``"loss"`` -> ``"Loss"``, ``"val_loss"`` -> ``"Validation Loss"``,
    ``"encoder_val_loss"`` -> ``"Encoder Validation Loss"``, ``"discriminator"`` ->
    ``"Discriminator Loss"``, ``"kl_weight"`` -> ``"KL Weight"``.
    """
    words = key.split("_")
    label = " ".join(_WORDS.get(word, word.capitalize()) for word in words)
    return label if words[-1] in _NOT_LOSSES else f"{label} Loss"


def loss_frame(history: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    """One row per epoch: ``Epoch`` (from 0, as SDV counts) and one column per history key.

    Series of different lengths (CK4Gen trains its encoder, then its decoder, each with
    its own early stopping) are padded with NaN after their last epoch; empty series (a
    validation loss without a validation split) are left out.
    """
    recorded = {key: values for key, values in history.items() if len(values)}
    epochs = max((len(values) for values in recorded.values()), default=0)
    columns: dict[str, Any] = {"Epoch": np.arange(epochs)}
    for key, values in recorded.items():
        padded = np.full(epochs, np.nan)
        padded[: len(values)] = values
        columns[loss_label(key)] = padded
    return pd.DataFrame(columns)


class LossValuesMixin:
    """``get_loss_values`` and ``get_loss_values_plot`` from the fitted core's ``history_``.

    For SDV synthesizers whose fitted core is ``self._model``.
    """

    _fitted: bool
    _model: Any

    def _check_fitted_for_losses(self) -> None:
        if not self._fitted or self._model is None:
            from sdv.errors import NotFittedError

            raise NotFittedError(
                "Loss values are not available yet. Please fit your synthesizer first."
            )

    def get_loss_values(self) -> pd.DataFrame:
        """The training losses per epoch, as SDV's ``CTGANSynthesizer.get_loss_values``.

        Columns: ``Epoch`` and one per value the core records (method card: the
        generator's ``history_``); a stage that stopped early is NaN after its last epoch.

        Raises:
            sdv.errors.NotFittedError: the synthesizer is not fitted.
        """
        self._check_fitted_for_losses()
        return loss_frame(self._model.history_)

    def get_loss_values_plot(self, title: str | None = None) -> Any:
        """The losses per epoch as a plotly line figure (as SDV's own synthesizers draw them).

        Args:
            title: the figure's title; None is ``"<name> loss function"``.

        Raises:
            sdv.errors.NotFittedError: the synthesizer is not fitted.
        """
        import plotly.express as px

        losses = self.get_loss_values()
        name = type(self).__name__.removesuffix("Synthesizer")
        figure = px.line(losses, x="Epoch", y=[c for c in losses.columns if c != "Epoch"])
        figure.update_layout(
            title=title or f"{name} loss function",
            xaxis_title="Epoch",
            yaxis_title="Loss",
            legend_title_text="",
            template="plotly_white",
        )
        return figure

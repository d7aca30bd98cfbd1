"""Static description of a metric, as the survival and longitudinal cores still declare it.

No host, the CLI or the docs read it: a metric's direction, range and meaning are its entry
in :mod:`synth_plugins.catalog`. The module goes once those cores drop their constants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["maximize", "minimize"]
Category = Literal["privacy", "stats", "performance"]


@dataclass(frozen=True)
class MetricInfo:
    """What a metric's headline ``score`` means.

    Attributes:
        name: The suite name, the same in every host, the CLI and the docs.
        category: ``"privacy"``, ``"stats"`` or ``"performance"`` (the Synthcity evaluator
            type).
        direction: ``"maximize"`` when a larger score is better, ``"minimize"`` otherwise.
        min_value: The smallest value the score can take (``-inf`` when unbounded).
        max_value: The largest value the score can take (``inf`` when unbounded).
        description: One sentence saying what the score measures.
        threshold: A conventional decision threshold on the score, if the method has one.
        ideal: The value of the score for a perfect synthetic data set, if there is one.
    """

    name: str
    category: Category
    direction: Direction
    min_value: float
    max_value: float
    description: str
    threshold: float | None = None
    ideal: float | None = None

"""Figures drawn off-screen: a matplotlib Figure on an Agg canvas, and writing it to a file.

Every figure of the suite is made with :func:`new_figure`, so none touches pyplot's global
state or backend (nothing is shown; a script or a notebook keeps its own backend), and
matplotlib is imported only when a figure is made. :func:`save_figure` writes a PNG and
releases the figure's artists.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from synth_plugins.errors import MissingDependencyError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Resolution of the written figures.
DPI = 110


def new_figure(width: float, height: float) -> Figure:
    """A ``width`` x ``height`` inch Figure with constrained layout, on an Agg canvas."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:  # pragma: no cover - matplotlib is a dependency
        raise MissingDependencyError("matplotlib", "figures") from error
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save_figure(figure: Figure, path: Path, dpi: int = DPI) -> Path:
    """Write ``figure`` as a PNG at ``path`` and release it (its artists are cleared)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=dpi)
    figure.clear()
    return path

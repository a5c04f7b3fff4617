"""What the report's charts share: matplotlib (Agg backend: no display needed), the stacks'
colours, plain numbers on log axes, a step CDF, and saving a PNG. Each chart is drawn by the
phase (or report part) whose figures it shows."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, NullFormatter

__all__ = ["COLOURS", "cdf", "plain", "plt", "save", "stack_colour"]

COLOURS = {"monolith": "#1f77b4", "micro": "#d62728"}


MICRO_SHADES = {
    "list via query": "#d62728",
    "list via aggregator": "#ff7f0e",
    "list via naive client": "#9467bd",
}


def stack_colour(stack: str, action: str) -> str:
    return MICRO_SHADES.get(action, COLOURS[stack]) if stack == "micro" else COLOURS[stack]


PLAIN = FuncFormatter(lambda value, _position: f"{value:g}")


def plain(axis, *, x: bool = False, y: bool = False) -> None:
    """Plain numbers (5, 10, 50) on log axes instead of powers of ten."""
    for wanted, scale in ((x, axis.xaxis), (y, axis.yaxis)):
        if wanted:
            scale.set_major_formatter(PLAIN)
            scale.set_minor_formatter(NullFormatter())


def save(figure, directory: Path, name: str) -> str:
    figure.tight_layout()
    figure.savefig(directory / name, dpi=110)
    plt.close(figure)
    return name


def cdf(axis, samples: list[float], label: str, **style) -> None:
    ordered = sorted(samples)
    if not ordered:
        return
    shares = [(index + 1) / len(ordered) for index in range(len(ordered))]
    axis.step(ordered, shares, where="post", label=f"{label} (n={len(ordered)})", **style)

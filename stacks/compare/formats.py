"""How the report writes its figures (milliseconds, rates, shares, sizes) and its images."""

from __future__ import annotations

from stacks.compare.document import Image

NOT_MEASURED = "not measured in this run"


def ms(value) -> str:
    return "-" if value is None else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def per_s(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def share(value) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def kib(value) -> str:
    return f"{value / 1024:,.0f}"


def yes_no(value) -> str:
    return {True: "yes", False: "no", None: "not measured"}[value]


def image(charts: dict, name: str) -> list:
    """The chart `name` as an image block, if it was drawn."""
    return [Image(*charts[name])] if name in charts else []

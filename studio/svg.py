"""Geometry for the studio's small inline SVG column charts (no JavaScript, no CSS needed to read them).

The template (studio/analytics_weeks.html) draws what ``columns`` computes in a
fixed viewBox; the text is real SVG text of at least 12 px, and every chart has
a data table beside it. Coordinates come as strings with a decimal point,
whatever the page's language (Dutch would write a comma).
"""

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 14, 32
# Label every n-th column so the dates never overlap (about 60 px apart).
LABEL_EVERY_PX = 60


@dataclass(frozen=True)
class Column:
    x: str
    y: str
    width: str
    height: str
    centre: str
    value: int
    label: str  # under the axis, when ``show_label``
    title: str  # the column's tooltip and accessible name
    show_label: bool


@dataclass(frozen=True)
class ColumnChart:
    columns: Sequence[Column]
    maximum: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM

    @property
    def label_y(self) -> int:
        return self.height - 10

    @property
    def is_empty(self) -> bool:
        return self.maximum == 0


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def columns(values: Sequence[tuple[str, str, int]]) -> ColumnChart:
    """One column per (label, title, value), scaled to the largest value."""
    maximum = max((value for _, _, value in values), default=0)
    span, height = WIDTH - RIGHT - LEFT, HEIGHT - BOTTOM - TOP
    step = span / max(len(values), 1)
    every = max(1, round(LABEL_EVERY_PX / step)) if values else 1
    drawn = []
    for index, (label, title, value) in enumerate(values):
        tall = height * value / maximum if maximum else 0
        x = LEFT + index * step
        drawn.append(
            Column(
                x=_number(x + step * 0.1),
                y=_number(TOP + height - tall),
                width=_number(step * 0.8),
                height=_number(tall),
                centre=_number(x + step / 2),
                value=value,
                label=label,
                title=title,
                show_label=index % every == 0,
            )
        )
    return ColumnChart(columns=drawn, maximum=maximum)

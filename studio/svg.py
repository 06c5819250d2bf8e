"""Geometry for the studio's small inline SVG column charts (no JavaScript, no CSS needed to read them).

The template (studio/analytics_weeks.html) draws what ``columns`` computes in a
fixed viewBox; the text is real SVG text of at least 12 px, and every chart has
a data table beside it.
"""

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 14, 32
# Label every n-th column so the dates never overlap (about 60 px apart).
LABEL_EVERY_PX = 60


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    show_label: bool
    centre: float


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


def columns(values: Sequence[tuple[str, int]]) -> ColumnChart:
    """One column per (label, value), scaled to the largest value."""
    maximum = max((value for _, value in values), default=0)
    span, height = WIDTH - RIGHT - LEFT, HEIGHT - BOTTOM - TOP
    step = span / max(len(values), 1)
    every = max(1, round(LABEL_EVERY_PX / step)) if values else 1
    drawn = []
    for index, (label, value) in enumerate(values):
        tall = height * value / maximum if maximum else 0
        x = LEFT + index * step
        drawn.append(
            Column(
                x=round(x + step * 0.1, 2),
                y=round(TOP + height - tall, 2),
                width=round(step * 0.8, 2),
                height=round(tall, 2),
                value=value,
                label=label,
                show_label=index % every == 0,
                centre=round(x + step / 2, 2),
            )
        )
    return ColumnChart(columns=drawn, maximum=maximum)

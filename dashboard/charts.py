"""Chart geometry for server-side inline SVG: no JavaScript, no CDN, readable without CSS.

The functions compute coordinates in a fixed viewBox; the templates
(dashboard_chart_*.html) draw them, and the SVG scales to the screen width.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WIDTH = 600
HEIGHT = 220
# Room for the axis labels: left, right, top, bottom.
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 40, 10, 12, 28


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    show_label: bool


@dataclass(frozen=True)
class Series:
    key: str
    points: str
    last_x: float
    last_y: float
    total: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    top: int
    bottom: float
    left: int
    right: int
    maximum: int
    bars: Sequence[Bar] = ()
    series: Sequence[Series] = ()
    first_label: str = ""
    last_label: str = ""

    @property
    def is_empty(self) -> bool:
        return self.maximum == 0


def _frame(maximum: int) -> dict:
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "top": PAD_TOP,
        "bottom": HEIGHT - PAD_BOTTOM,
        "left": PAD_LEFT,
        "right": WIDTH - PAD_RIGHT,
        "maximum": maximum,
    }


def _scale(value: int, maximum: int) -> float:
    """Height in the plot area for ``value``; zero maximum draws nothing."""
    plot = HEIGHT - PAD_TOP - PAD_BOTTOM
    return round(plot * value / maximum, 1) if maximum else 0.0


def completion_chart(weeks: Sequence[tuple[dt.date, int]]) -> Chart:
    """Bars: lessons completed per week, oldest left; every other week labelled (d/m)."""
    maximum = max((count for _, count in weeks), default=0)
    slot = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(len(weeks), 1)
    bars = []
    for index, (monday, count) in enumerate(weeks):
        height = _scale(count, maximum)
        bars.append(
            Bar(
                x=round(PAD_LEFT + index * slot + slot * 0.15, 1),
                y=round(HEIGHT - PAD_BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=height,
                value=count,
                label=f"{monday.day}/{monday.month}",
                show_label=(len(weeks) - 1 - index) % 2 == 0,
            )
        )
    return Chart(**_frame(maximum), bars=bars)


def funnel_chart(stages: Mapping[str, Sequence[int]], labels: Sequence[str]) -> Chart:
    """One line per funnel stage (sent, opened, read, completed) across the lessons, in order."""
    maximum = max((value for values in stages.values() for value in values), default=0)
    count = max((len(values) for values in stages.values()), default=0)
    step = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(count - 1, 1)
    series = []
    for key, values in stages.items():
        points = [
            (round(PAD_LEFT + index * step, 1), round(HEIGHT - PAD_BOTTOM - _scale(value, maximum), 1))
            for index, value in enumerate(values)
        ]
        if len(points) == 1:  # a single lesson: draw a short flat line so it is visible
            points.append((WIDTH - PAD_RIGHT, points[0][1]))
        last_x, last_y = points[-1] if points else (PAD_LEFT, HEIGHT - PAD_BOTTOM)
        text = " ".join(f"{x},{y}" for x, y in points)
        series.append(Series(key=key, points=text, last_x=last_x, last_y=last_y, total=sum(values)))
    return Chart(
        **_frame(maximum),
        series=series,
        first_label=labels[0] if labels else "",
        last_label=labels[-1] if labels else "",
    )

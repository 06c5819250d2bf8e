"""Chart geometry for server-side inline SVG and HTML bars: no JavaScript, no CDN, readable without CSS.

The completion chart is an SVG in a fixed viewBox that is never drawn narrower than the viewBox
(it scrolls inside its card on a phone instead), so its 13-unit labels are at least 13 px on
screen. The funnel is four HTML rows with a bar each: its text is the page's own.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 480
HEIGHT = 220
# Room for the axis labels: left, right, top, bottom.
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 36, 8, 14, 30
# Every SVG label is drawn at this size in viewBox units (at least as many px, see above).
LABEL_SIZE = 13


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str  # the week of the course: "1" is the week it started
    monday: dt.date
    show_label: bool

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


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
    label_size: int = LABEL_SIZE

    @property
    def is_empty(self) -> bool:
        return self.maximum == 0

    @property
    def first_monday(self) -> dt.date | None:
        return self.bars[0].monday if self.bars else None


@dataclass(frozen=True)
class Stage:
    key: str  # sent, opened, read, completed
    value: int
    percent: int  # of the lessons sent


def _scale(value: int, maximum: int) -> float:
    """Height in the plot area for ``value``; zero maximum draws nothing."""
    plot = HEIGHT - PAD_TOP - PAD_BOTTOM
    return round(plot * value / maximum, 1) if maximum else 0.0


def completion_chart(weeks: Sequence[tuple[dt.date, int]], *, first_week: int = 1) -> Chart:
    """Bars: lessons completed per week, oldest left, each labelled with its week of the course
    (``first_week`` for the first bar); with many weeks every other label is left out."""
    maximum = max((count for _, count in weeks), default=0)
    slot = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(len(weeks), 1)
    every = 1 if len(weeks) <= 12 else 2
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
                label=str(first_week + index),
                monday=monday,
                show_label=(len(weeks) - 1 - index) % every == 0,
            )
        )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        top=PAD_TOP,
        bottom=HEIGHT - PAD_BOTTOM,
        left=PAD_LEFT,
        right=WIDTH - PAD_RIGHT,
        maximum=maximum,
        bars=bars,
    )


def funnel(*, sent: int, opened: int, read: int, completed: int) -> list[Stage]:
    """The lessons sent to the people shown, and how many of them were opened, read and completed."""
    values = {"sent": sent, "opened": opened, "read": read, "completed": completed}
    return [Stage(key, value, round(100 * value / sent) if sent else 0) for key, value in values.items()]


def course_weeks(*, first_start: dt.date | None, today: dt.date, most: int) -> tuple[dt.date, int]:
    """The Monday the chart starts on and that week's number in the course: from the week the
    (earliest shown) course started, or the last ``most`` weeks when it started longer ago."""
    this_monday = today - dt.timedelta(days=today.weekday())
    if first_start is None or first_start > today:
        return this_monday, 1
    start_monday = first_start - dt.timedelta(days=first_start.weekday())
    earliest = this_monday - dt.timedelta(weeks=most - 1)
    first = max(start_monday, earliest)
    return first, (first - start_monday).days // 7 + 1

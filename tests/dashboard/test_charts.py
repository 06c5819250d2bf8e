"""The charts are drawn on the server (inline SVG and HTML bars), follow every filter the tiles follow,
and start at the course's first week."""

import datetime as dt
import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from dashboard.charts import HEIGHT, LABEL_SIZE, PAD_BOTTOM, PAD_TOP, WIDTH, completion_chart, course_weeks, funnel
from tests.dashboard.conftest import WEEKS_AGO

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def svgs(html: str) -> dict[str, ElementTree.Element]:
    found = {}
    for section, svg in re.findall(r'<section class="card" id="([a-z-]+)">.*?(<svg .*?</svg>)', html, re.S):
        found[section] = ElementTree.fromstring(svg)  # noqa: S314 - our own page, not untrusted input
    return found


def stages(html: str) -> dict[str, int]:
    found = re.findall(r'data-stage="(\w+)">.*?<strong>(\d+)</strong>', html, re.S)
    return {key: int(value) for key, value in found}


def test_the_dashboard_draws_the_weeks_since_the_course_started_and_a_funnel(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    html = org_admin_client.get(reverse("dashboard:dashboard", args=["avelgem"])).content.decode()
    assert "<script" not in html
    assert "<style" not in html
    charts = svgs(html)
    assert set(charts) == {"completion-chart"}
    bars = charts["completion-chart"].findall(f"{SVG}rect")
    # The course started WEEKS_AGO weeks ago: that week and every one since, no empty weeks before.
    assert len(bars) in (WEEKS_AGO + 1, WEEKS_AGO + 2)
    # All completions happened this week: the last bar is full height, the others empty.
    assert [float(bar.get("height", "")) for bar in bars] == [0.0] * (len(bars) - 1) + [HEIGHT - PAD_TOP - PAD_BOTTOM]
    labels = [text.text for text in charts["completion-chart"].findall(f"{SVG}text")][2:]
    assert labels[0] == "1"
    assert all(int(text.get("font-size", "0")) >= 12 for text in charts["completion-chart"].findall(f"{SVG}text"))
    assert stages(html) == {"sent": 12, "opened": 5, "read": 2, "completed": 5}


def test_the_charts_follow_the_department_filter_like_the_tiles(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    url = reverse("dashboard:dashboard", args=["avelgem"])
    response = org_admin_client.get(url, {"department": "Financiën"})
    html = response.content.decode()
    # Lotte (Financiën) received four lessons and completed none.
    assert response.context["totals"]["sent"] == 4
    assert stages(html) == {"sent": 4, "opened": 0, "read": 0, "completed": 0}
    assert svgs(html)["completion-chart"].findall(f"{SVG}rect")[-1].get("height") == "0.0"

    communicatie = org_admin_client.get(url, {"department": "Communicatie"}).content.decode()
    assert stages(communicatie)["completed"] == 5
    behind = org_admin_client.get(url, {"behind": "1"})
    assert stages(behind.content.decode())["sent"] == behind.context["totals"]["sent"]


def test_the_time_axis_starts_in_the_week_the_course_started() -> None:
    today = dt.date(2027, 3, 17)  # a Wednesday
    assert course_weeks(first_start=dt.date(2027, 3, 3), today=today, most=12) == (dt.date(2027, 3, 1), 1)
    # Started long ago: the last twelve weeks, numbered as weeks of the course.
    assert course_weeks(first_start=dt.date(2026, 9, 7), today=today, most=12) == (dt.date(2026, 12, 28), 17)
    # Not started yet: only this week.
    assert course_weeks(first_start=dt.date(2027, 4, 5), today=today, most=12) == (dt.date(2027, 3, 15), 1)


def test_an_empty_chart_draws_nothing_tall_and_the_funnel_of_nothing_is_zero() -> None:
    monday = dt.date(2027, 3, 1)
    chart = completion_chart([(monday, 0), (monday + dt.timedelta(weeks=1), 0)])
    assert chart.is_empty
    assert all(bar.height == 0 for bar in chart.bars)
    assert [stage.percent for stage in funnel(sent=0, opened=0, read=0, completed=0)] == [0, 0, 0, 0]


def test_bars_stay_inside_the_drawing_and_scale_to_the_busiest_week() -> None:
    monday = dt.date(2027, 3, 1)
    chart = completion_chart(
        [(monday + dt.timedelta(weeks=n), count) for n, count in enumerate([4, 8, 2])], first_week=3
    )
    plot = HEIGHT - PAD_TOP - PAD_BOTTOM
    assert [bar.height for bar in chart.bars] == [plot / 2, plot, plot / 4]
    assert all(chart.left <= bar.x and bar.x + bar.width <= chart.right for bar in chart.bars)
    assert [bar.label for bar in chart.bars] == ["3", "4", "5"]
    assert chart.width == WIDTH
    assert LABEL_SIZE >= 12


def test_the_funnel_counts_each_stage_against_the_lessons_sent() -> None:
    rows = funnel(sent=200, opened=150, read=90, completed=60)
    assert [(stage.key, stage.value, stage.percent) for stage in rows] == [
        ("sent", 200, 100),
        ("opened", 150, 75),
        ("read", 90, 45),
        ("completed", 60, 30),
    ]

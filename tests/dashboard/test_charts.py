"""The completion and funnel charts are inline SVG, drawn on the server, and sane."""

import datetime as dt
import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from dashboard.charts import HEIGHT, PAD_BOTTOM, PAD_TOP, completion_chart, funnel_chart

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def svgs(html: str) -> dict[str, ElementTree.Element]:
    found = {}
    for section, svg in re.findall(r'<section class="card" id="([a-z-]+)">.*?(<svg .*?</svg>)', html, re.S):
        found[section] = ElementTree.fromstring(svg)  # noqa: S314 - our own page, not untrusted input
    return found


def test_the_dashboard_draws_both_charts_as_inline_svg_without_scripts(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    html = org_admin_client.get(reverse("dashboard:dashboard", args=["avelgem"])).content.decode()
    assert "<script" not in html
    charts = svgs(html)
    assert set(charts) == {"completion-chart", "funnel-chart"}
    bars = charts["completion-chart"].findall(f"{SVG}rect")
    assert len(bars) == 12
    # All five completions happened this week: the last bar is full height, the others empty.
    assert [float(bar.get("height", "")) for bar in bars] == [0.0] * 11 + [HEIGHT - PAD_TOP - PAD_BOTTOM]
    lines = {
        line.get("data-stage"): line.get("points", "") for line in charts["funnel-chart"].findall(f"{SVG}polyline")
    }
    assert set(lines) == {"sent", "opened", "read", "completed"}
    assert all(len(points.split()) == 4 for points in lines.values())


def test_the_funnel_lines_never_cross_upwards_through_the_stages():  # type: ignore[no-untyped-def]
    chart = funnel_chart(
        {"sent": [10, 10, 8], "opened": [9, 6, 4], "read": [7, 5, 2], "completed": [7, 3, 0]}, ["1", "2", "3"]
    )
    heights = {line.key: [float(point.split(",")[1]) for point in line.points.split()] for line in chart.series}
    # In SVG a bigger y is lower on screen: each later stage lies on or below the one before.
    for higher, lower in [("sent", "opened"), ("opened", "read"), ("read", "completed")]:
        assert all(a <= b for a, b in zip(heights[higher], heights[lower], strict=True))
    assert heights["sent"][0] == PAD_TOP
    assert heights["completed"][2] == HEIGHT - PAD_BOTTOM
    assert chart.first_label == "1"
    assert chart.last_label == "3"


def test_an_empty_chart_draws_nothing_tall_and_says_so():  # type: ignore[no-untyped-def]
    monday = dt.date(2027, 3, 1)
    chart = completion_chart([(monday, 0), (monday + dt.timedelta(weeks=1), 0)])
    assert chart.is_empty
    assert all(bar.height == 0 for bar in chart.bars)
    assert funnel_chart({"sent": []}, []).is_empty


def test_bars_stay_inside_the_drawing_and_scale_to_the_busiest_week():  # type: ignore[no-untyped-def]
    monday = dt.date(2027, 3, 1)
    chart = completion_chart([(monday + dt.timedelta(weeks=n), count) for n, count in enumerate([4, 8, 2])])
    assert [bar.height for bar in chart.bars] == [90.0, 180.0, 45.0]
    assert all(chart.left <= bar.x and bar.x + bar.width <= chart.right for bar in chart.bars)
    assert [bar.label for bar in chart.bars] == ["1/3", "8/3", "15/3"]

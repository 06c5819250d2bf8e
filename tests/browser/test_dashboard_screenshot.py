"""An organisation admin opens the dashboard in Chromium: tables, bars and charts, on a laptop and a phone."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.dashboard.conftest import WEEKS_AGO, build_small_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
SMALLEST_LABEL = """() => Math.min(...[...document.querySelectorAll('svg.chart text')].map(text => {
  const svg = text.ownerSVGElement;
  return parseFloat(getComputedStyle(text).fontSize) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
}), 99)"""


def signed_in_context(browser, live_server, user, **options):  # type: ignore[no-untyped-def]
    """A browser context carrying the session of Django's force_login: no password needed."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(**options)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
    return context


def test_an_admin_sees_the_dashboard_with_progress_and_charts(browser, live_server):  # type: ignore[no-untyped-def]
    small_org = build_small_org()
    url = f"{live_server.url}/org/avelgem/dashboard/"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    context = signed_in_context(browser, live_server, small_org.admin, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url)
    names = page.locator("tr.employee td:first-child").all_inner_texts()
    behind = page.locator("tr.employee.behind").count()
    bars = page.locator("#completion-chart svg rect").count()
    stages = page.locator("#funnel-chart li.stage").count()
    # Each chart label as drawn on screen: its font size times the SVG's scale.
    label_px = page.evaluate(SMALLEST_LABEL)
    full_bar = page.locator("tr.employee progress.bar[value='100']").count()
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
    context.close()

    phone = signed_in_context(
        browser, live_server, small_org.admin, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = phone.new_page()
    page.goto(url)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    phone_label_px = page.evaluate(SMALLEST_LABEL)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-phone.png"), full_page=True)
    phone.close()

    assert names == ["Jonas Claes", "Lotte Maes", "Eva Peeters"]
    assert behind == 2
    assert bars in (WEEKS_AGO + 1, WEEKS_AGO + 2)  # from the course's first week, no empty weeks before
    assert stages == 4
    assert label_px >= 12
    assert phone_label_px >= 12
    assert full_bar == 1
    assert overflow <= 0  # wide tables scroll inside their card, not the page

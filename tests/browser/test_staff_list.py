"""The staff table on a 1366 px laptop and a phone: full width, compact, progress in view, real statuses."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from courses.models import Enrolment
from tests.browser.test_dashboard_screenshot import signed_in_context
from tests.dashboard.conftest import build_small_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_the_staff_table_fits_a_laptop_and_a_phone_and_shows_each_status(browser, live_server):  # type: ignore[no-untyped-def]
    small = build_small_org()
    Enrolment.objects.filter(pk=small.jonas.pk).unsubscribe(now=timezone.now())
    Enrolment.objects.filter(pk=small.lotte.pk).pause(now=timezone.now())
    url = f"{live_server.url}/org/avelgem/staff/"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    laptop = signed_in_context(browser, live_server, small.admin, viewport={"width": 1366, "height": 768})
    page = laptop.new_page()
    page.goto(url)
    statuses = dict(
        zip(
            page.locator("tr.member td:first-child strong").all_inner_texts(),
            page.locator("tr.member td:nth-child(4)").all_inner_texts(),
            strict=True,
        )
    )
    progress = page.locator("tr.member progress").first.bounding_box()
    table = page.locator("table.staff").bounding_box()
    heights = [row.bounding_box()["height"] for row in page.locator("tr.member").all()]  # type: ignore[index]
    page.screenshot(path=str(SCREENSHOTS / "staff-list.png"), full_page=True)
    laptop.close()

    phone = signed_in_context(browser, live_server, small.admin, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    page.goto(url)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    phone_progress = page.locator("tr.member progress").first.bounding_box()
    page.screenshot(path=str(SCREENSHOTS / "staff-list-phone.png"), full_page=True)
    phone.close()

    assert statuses["Jonas Claes"] == "uitgeschreven"
    assert statuses["Lotte Maes"] == "gepauzeerd"
    assert statuses["Eva Peeters"] == "actief"
    assert progress is not None
    assert table is not None
    assert progress["x"] + progress["width"] <= 1366
    assert table["width"] >= 1000  # the page's width, not a narrow column
    assert max(heights) <= 70
    assert overflow <= 0
    assert phone_progress is not None
    assert phone_progress["x"] + phone_progress["width"] <= 390

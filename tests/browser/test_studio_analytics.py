"""A trainer opens the course analytics in Chromium: the funnel, the weekly columns, the lessons to
rewrite and the per-lesson table, on a laptop and on a phone."""

from pathlib import Path

import pytest
from django.conf import settings

from bench.analytics import build_analytics_course
from tests.browser.test_dashboard_screenshot import signed_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_a_trainer_sees_the_figures_of_every_organisation(browser, live_server):  # type: ignore[no-untyped-def]
    built = build_analytics_course(organisations=3, lessons=12, modules=2, slug="sociale-media")
    url = f"{live_server.url}/studio/sociale-media/analytics/"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    context = signed_in_context(browser, live_server, built.trainer, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url)
    steps = page.locator("#course-funnel tbody th").all_inner_texts()
    columns = page.locator("#course-weeks svg rect").count()
    lessons = page.locator("tr.lesson").count()
    lowest = page.locator("#lowest-completion li").count()
    right = page.locator("tr.lesson li.right-answer").count()
    label_size = page.evaluate("getComputedStyle(document.querySelector('#course-weeks svg text')).fontSize")
    page.screenshot(path=str(SCREENSHOTS / "studio-analytics.png"), full_page=True)
    first = built.course.offerings.order_by("organisation__name")[0].organisation
    page.select_option("#organisation", label=first.name)
    page.click("form.filters button")
    filtered = page.locator("p.meta").first.inner_text()
    context.close()

    phone = signed_in_context(
        browser, live_server, built.trainer, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = phone.new_page()
    page.goto(url)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    # The label's drawn height: a chart scaled down to the phone's width would shrink it below 12 px.
    drawn = page.evaluate("document.querySelector('#course-weeks svg text').getBoundingClientRect().height")
    page.screenshot(path=str(SCREENSHOTS / "studio-analytics-phone.png"), full_page=True)
    phone.close()

    assert steps == ["Verstuurd", "Afgeleverd", "Geopend", "Online gelezen", "Afgerond"]
    assert columns >= 20  # a column a week since the course started, twenty weeks ago
    assert lessons == 12
    assert lowest == 5
    assert right == 12  # every lesson's question marks its right answer
    assert float(label_size.removesuffix("px")) >= 12
    assert filtered.startswith("Voor Bestuur sociale-media 000")
    assert overflow <= 0
    assert drawn >= 12

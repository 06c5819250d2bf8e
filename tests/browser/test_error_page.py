"""A lesson link a mail scanner mangled opens Druppel's page, which mails fresh links that work."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from mailer.models import OutgoingMail
from tests.factories import CourseFactory, OrganisationFactory, UserFactory, enrol, make_lessons
from tests.learners.helpers import send_lessons

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_a_mangled_lesson_link_shows_the_branded_page_and_mails_fresh_links(browser, live_server):  # type: ignore[no-untyped-def]
    cache.clear()
    eva = UserFactory.create(email="eva@avelgem.example", first_name="Eva")
    course = CourseFactory.create(title="Iedereen mee met sociale media")
    lessons = make_lessons(course, 4)
    enrolment = enrol(
        course, organisation=OrganisationFactory.create(slug="avelgem"), user=eva, start=dt.date(2027, 3, 1)
    )
    send_lessons(enrolment, lessons[:2])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-BE")
    page = context.new_page()
    # Safe Links and friends cut or rewrite the token: the signature no longer matches.
    response = page.goto(f"{live_server.url}/l/Bx.f00-mangled-by-a-scanner/")
    assert response is not None
    assert response.status == 404
    assert page.get_by_role("heading", name="Deze lessenlink werkt niet").is_visible()
    assert page.get_by_role("link", name="Naar de startpagina").is_visible()
    page.get_by_label("Je e-mailadres").fill("eva@avelgem.example")
    page.screenshot(path=str(SCREENSHOTS / "error-page.png"), full_page=True)
    page.get_by_role("button", name="Mail me nieuwe links").click()
    page.wait_for_url("**/l/?sent")
    assert page.get_by_role("status").inner_text().startswith("Als dit adres bij ons een cursus volgt")

    mail = OutgoingMail.objects.get(kind="lesson_links", to="eva@avelgem.example")
    fresh = re.findall(r"http://[^/\s]+(/l/[^/\s]+/)", mail.text)
    assert len(fresh) == 2
    page.goto(live_server.url + fresh[0])
    assert page.get_by_role("heading", level=1).count() == 1
    assert "werkt niet" not in page.content()
    context.close()

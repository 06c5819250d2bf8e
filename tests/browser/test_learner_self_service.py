"""A learner on a phone: sign in with the emailed code, then pause, resume and unsubscribe from "my courses"."""

import datetime as dt
import email
import email.policy
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page

from courses.models import Enrolment
from tests.factories import CourseFactory, UserFactory, enrol, make_lessons

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def sign_in_code(outbox_dir: Path) -> str:
    for path in sorted(Path(outbox_dir).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if "Aanmeldcode" in message["Subject"]:
            body = message.get_body(("plain",))
            assert body is not None
            match = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", body.get_content(), re.MULTILINE)
            assert match is not None
            return match.group(1)
    raise AssertionError("no sign-in code mail in the outbox")


def course_status(page: Page, enrolment: Enrolment) -> str | None:
    return page.locator(f"#enrolment-{enrolment.pk}").get_attribute("data-status")


def test_a_learner_signs_in_by_code_and_pauses_resumes_and_unsubscribes_on_a_phone(  # type: ignore[no-untyped-def]
    browser, live_server, outbox_dir, settings, run_tick
) -> None:
    settings.SITE_URL = live_server.url
    course = CourseFactory.create(title="Iedereen mee met sociale media")
    make_lessons(course, 3)
    eva = UserFactory.create(email="eva@avelgem.be", first_name="Eva")
    enrolment = enrol(course, user=eva, start=dt.date(2027, 3, 1))
    run_tick("2027-03-01T08:30:00+01:00")  # lesson 1 arrives

    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/accounts/login/code/")
    page.fill("input[name=email]", "eva@avelgem.be")
    page.get_by_role("button", name="Stuur een aanmeldcode").tap()
    page.wait_for_url("**/accounts/login/code/confirm/")
    page.fill("input[name=code]", sign_in_code(outbox_dir))
    page.get_by_role("button", name="Bevestigen").tap()

    page.wait_for_url("**/me/")
    assert course_status(page, enrolment) == "active"
    assert page.get_by_text("Les 1 van 3 · 0 afgerond").is_visible()
    assert page.get_by_role("link", name="Les nummer 1").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "learner-courses.png"), full_page=True)

    page.get_by_role("button", name="Pauzeer mijn lessen").tap()
    page.wait_for_selector(f"#enrolment-{enrolment.pk}[data-status=paused]")
    assert page.get_by_text("Je lessen zijn gepauzeerd. Hervat wanneer je wilt").is_visible()

    page.get_by_role("button", name="Hervat mijn lessen").tap()
    page.wait_for_selector(f"#enrolment-{enrolment.pk}[data-status=active]")
    assert page.get_by_text("Welkom terug!").is_visible()

    page.get_by_role("link", name="Uitschrijven").tap()
    page.wait_for_url("**/unsubscribe/")
    page.get_by_role("button", name="Ja, schrijf me uit").tap()
    page.wait_for_selector(f"#enrolment-{enrolment.pk}[data-status=unsubscribed]")
    assert page.get_by_text("Je bent uitgeschreven.").is_visible()
    assert page.get_by_role("button", name="Pauzeer mijn lessen").count() == 0
    page.close()

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.UNSUBSCRIBED

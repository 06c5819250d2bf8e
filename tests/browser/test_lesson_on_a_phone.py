"""A learner on a phone: from the mail's answer button to the explanation in one tap."""

import datetime as dt
import email
import email.policy
import re
from pathlib import Path

import pytest
from django.conf import settings

from lessons.models import Delivery
from tests.factories import CourseFactory, enrol, make_lessons

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_a_learner_answers_from_the_mail_in_one_tap(browser, live_server, outbox_dir, settings, run_tick):  # type: ignore[no-untyped-def]
    settings.SITE_URL = live_server.url
    course = CourseFactory.create()
    make_lessons(course, 3)
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    run_tick("2027-03-01T08:30:00+01:00")
    (path,) = Path(outbox_dir).glob("*.eml")
    body = email.message_from_bytes(path.read_bytes(), policy=email.policy.default).get_body(("html",))
    assert body is not None
    html = body.get_content()
    answer_url = re.search(r'href="([^"]+/answer/2/)"', html)
    assert answer_url is not None

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.set_content(html)
    page.screenshot(path=str(SCREENSHOTS / "lesson-mail-phone-short.png"), full_page=True)
    page.goto(answer_url.group(1))
    assert page.locator("input[name=option][value='2']").is_checked()
    page.get_by_role("button", name="Bevestig mijn antwoord").tap()
    page.wait_for_selector("text=Juist!")
    explanation = page.locator("text=Omdat B.").count()
    page.screenshot(path=str(SCREENSHOTS / "answer-result-phone.png"), full_page=True)
    page.close()

    assert explanation == 1
    delivery = Delivery.objects.get(enrolment=enrolment)
    assert delivery.answer == 1
    assert delivery.answer_correct is True

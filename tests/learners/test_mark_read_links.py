"""A link scanner that fetches every link of a lesson mail, and every link and form on those pages, changes nothing."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import Client

from courses.models import Enrolment
from lessons.models import Delivery, EnrolmentStats, LessonStats
from tests.factories import CourseFactory, enrol, make_lessons
from tests.learners.helpers import links_in, mails_in, without_questions

pytestmark = pytest.mark.django_db

MONDAY = "2027-03-01T08:30:00+01:00"
SITE = "http://testserver"


@pytest.fixture
def reading_mail(outbox_dir: Path, run_tick):  # type: ignore[no-untyped-def]
    """The real mail of a lesson without a question, which "mark as read" would complete."""
    course = CourseFactory.create()
    lessons = make_lessons(course, 3)
    without_questions(lessons[:1])
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    run_tick(MONDAY)
    (message,) = mails_in(outbox_dir)
    return enrolment, message


def state(enrolment: Enrolment) -> tuple:
    enrolment.refresh_from_db()
    delivery = Delivery.objects.get(enrolment=enrolment)
    return (
        enrolment.status,
        enrolment.lessons_completed,
        enrolment.reminders_enabled,
        delivery.opened_at,
        delivery.read_at,
        delivery.answered_at,
        delivery.completed_at,
        list(LessonStats.objects.values_list("opened", "read", "completed")),
        list(EnrolmentStats.objects.values_list("opened", "read")),
    )


def page_targets(html: str) -> set[str]:
    """Same-site links and form actions on a page: a scanner may follow those too."""
    found = set(re.findall(r'(?:href|action)="([^"]+)"', html))
    return {url for url in found if url.startswith("/") and not url.startswith(("/i18n/", "/accounts/"))}


def test_fetching_every_link_of_a_lesson_mail_and_its_pages_by_get_changes_no_state(reading_mail):  # type: ignore[no-untyped-def]
    enrolment, message = reading_mail
    links = [link.removeprefix(SITE) for link in links_in(message)]
    # read online, thread, pause, unsubscribe: no answer buttons without a question
    assert len(links) == 4
    before = state(enrolment)
    scanner = Client()  # like Safe Links: no cookies, GET only
    seen: set[str] = set()
    for link in links:
        response = scanner.get(link)
        assert response.status_code == 200, link
        seen |= page_targets(response.content.decode())
    read = next(url for url in seen if url.endswith("/read/"))
    for url in sorted(seen - set(links)):
        assert scanner.get(url).status_code in (200, 302, 405), url
    assert state(enrolment) == before

    # The button itself works: one POST reads and completes the lesson.
    Client().post(read)
    after = state(enrolment)
    assert after[1] == 1
    assert None not in after[3:5]
    assert after[6] is not None

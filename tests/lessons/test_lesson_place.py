"""Where the learner is: "Module 2 · Kanalen · les 1 van 3" in the lesson mail and on the lesson page,
translated, without extra queries; a course of one module does not say it."""

import datetime as dt
import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.test import Client

from lessons.authoring import lesson_unpublish, module_update
from lessons.models import Delivery, Lesson, Module
from lessons.tokens import delivery_token
from tests.factories import CourseFactory, OrganisationFactory, enrol, make_lessons

pytestmark = pytest.mark.django_db

SLOTS = ["2027-03-01T08:30:00+01:00", "2027-03-03T08:30:00+01:00", "2027-03-05T08:30:00+01:00"]


def mails(outbox: Path) -> list[EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    ]


def parts(message: EmailMessage) -> tuple[str, str]:
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    return html, text


def test_the_mail_and_the_page_say_which_module_and_which_lesson_of_it(outbox_dir: Path, run_tick):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 5, per_module=2)
    module_update(module=Module.objects.get(course=course, position=2), title="Kanalen & <tags>")
    lesson_unpublish(lesson=Lesson.objects.get(course=course, slug="les-4"))
    enrolment = enrol(course, organisation=OrganisationFactory.create(holiday_country=""), start=dt.date(2027, 3, 1))
    for slot in SLOTS:
        run_tick(slot)
    third = mails(outbox_dir)[-1]
    html, text = parts(third)
    assert "Module 2 · Kanalen &amp; &lt;tags&gt; · les 1 van 1" in html
    assert "Module 2 · Kanalen & <tags> · les 1 van 1" in text
    delivery = Delivery.objects.get(enrolment=enrolment, lesson__slug="les-3")
    client = Client()
    page = client.get(f"/l/{delivery_token(delivery.pk)}/").content.decode()
    assert "Module 2 · Kanalen &amp; &lt;tags&gt; · les 1 van 1" in page
    client.cookies["django_language"] = "en"
    english = client.get(f"/l/{delivery_token(delivery.pk)}/answer/1/").content.decode()
    assert "Module 2 · Kanalen &amp; &lt;tags&gt; · lesson 1 of 1" in english


def test_a_course_of_one_module_shows_only_the_lesson_count(outbox_dir: Path, run_tick):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 3)
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    run_tick(SLOTS[0])
    (message,) = mails(outbox_dir)
    html, text = parts(message)
    assert "Module 1" not in html
    assert "Module 1" not in text
    delivery = Delivery.objects.get(enrolment=enrolment)
    page = Client().get(f"/l/{delivery_token(delivery.pk)}/").content.decode()
    assert "Les 1 van 3" in page
    assert "Module 1" not in page


def test_a_lesson_unpublished_after_it_was_sent_shows_no_place(outbox_dir: Path, run_tick):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 4, per_module=2)
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    run_tick(SLOTS[0])
    lesson_unpublish(lesson=Lesson.objects.get(course=course, slug="les-1"))
    delivery = Delivery.objects.get(enrolment=enrolment)
    page = Client().get(f"/l/{delivery_token(delivery.pk)}/")
    assert page.status_code == 200
    assert "Module 1 ·" not in page.content.decode()
    assert "Les nummer 1" in page.content.decode()

"""The certificate: issued once when the last lesson is completed, mailed once with its link."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from courses.models import Certificate, Enrolment
from lessons.authoring import lesson_unpublish
from lessons.models import Delivery
from lessons.tokens import delivery_token
from mailer.models import OutgoingMail
from mailer.outgoing import outgoing_send, outgoing_sweep
from progress.answers import delivery_answer, delivery_mark_read
from progress.certificates import certificate_mail_queue, certificates_shown
from progress.tasks import fold_progress
from tests.factories import CourseFactory, enrol, fold, make_lessons, send_outbox
from tests.learners.helpers import links_in, mails_in, send_lessons, without_questions

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 10, 12, 0, tzinfo=dt.UTC)
SITE = "http://testserver"


@pytest.fixture
def received() -> list[Delivery]:
    """A two-lesson course, both received: lesson 1 has a question, lesson 2 is reading only."""
    course = CourseFactory.create(title="Sociale media")
    lessons = make_lessons(course, 2)
    without_questions(lessons[1:])
    return send_lessons(enrol(course, start=dt.date(2027, 3, 1)), lessons)


def test_completing_the_last_lesson_issues_the_certificate_exactly_once(received):  # type: ignore[no-untyped-def]
    first, last = received
    delivery_answer(delivery=first, option=1, now=NOW)
    fold()
    assert not Certificate.objects.exists()
    delivery_mark_read(delivery=last, now=NOW)
    delivery_mark_read(delivery=last, now=NOW + dt.timedelta(hours=1))
    delivery_answer(delivery=first, option=0, now=NOW + dt.timedelta(hours=1))
    fold()
    fold()
    (certificate,) = Certificate.objects.all()
    assert (certificate.enrolment_id, certificate.issued_at) == (first.enrolment_id, NOW)


def test_reading_a_lesson_with_a_question_does_not_earn_the_certificate(received):  # type: ignore[no-untyped-def]
    first, last = received
    delivery_mark_read(delivery=last, now=NOW)
    delivery_mark_read(delivery=first, now=NOW)
    fold()
    assert not Certificate.objects.exists()
    delivery_answer(delivery=first, option=2, now=NOW)  # a wrong answer completes the lesson too
    fold()
    assert Certificate.objects.count() == 1


def test_the_mail_goes_out_once_with_a_link_to_the_certificate(received, outbox_dir: Path):  # type: ignore[no-untyped-def]
    first, last = received
    delivery_answer(delivery=first, option=1, now=NOW)
    read = reverse("lessons:read", args=[delivery_token(last.pk)])
    Client().post(read)
    Client().post(read)
    fold_progress.apply()  # what beat runs every few seconds
    fold_progress.apply()
    assert send_outbox() == 1
    (mail,) = mails_in(outbox_dir)
    certificate = Certificate.objects.get()
    assert mail["To"] == first.enrolment.membership.user.email
    assert "Sociale media" in mail["Subject"]
    assert certificate.mailed_at is not None
    # The outbox's key is the certificate: queueing it again adds nothing.
    assert certificate_mail_queue(certificate=certificates_shown().get()) is False
    assert send_outbox() == 0
    assert len(mails_in(outbox_dir)) == 1

    links = links_in(mail)
    assert len(links) == 1
    page = Client().get(links[0].removeprefix(SITE))
    assert page.status_code == 200
    assert first.enrolment.membership.user.get_full_name() in page.content.decode()


def test_answering_the_last_question_through_the_page_also_mails_the_certificate(received, outbox_dir):  # type: ignore[no-untyped-def]
    first, last = received
    delivery_mark_read(delivery=last, now=NOW)
    answer = reverse("lessons:answer", args=[delivery_token(first.pk), 2])
    Client().post(answer, {"option": "2"})
    fold_progress.apply()
    send_outbox()
    assert len(mails_in(outbox_dir)) == 1


def test_a_certificate_whose_mail_was_lost_is_mailed_by_the_sweep_once(received, outbox_dir):  # type: ignore[no-untyped-def]
    first, last = received
    delivery_answer(delivery=first, option=1, now=NOW)
    delivery_mark_read(delivery=last, now=NOW)
    fold()  # its send task is never run: as if the broker lost the message
    queued_at = OutgoingMail.objects.get().created_at
    stale = dt.timedelta(seconds=settings.OUTGOING_REQUEUE_AFTER_SECONDS)

    def send(mail_id: int) -> None:
        outgoing_send(mail_id=mail_id)

    assert outgoing_sweep(now=queued_at + stale / 2, dispatch=send) == []
    assert len(outgoing_sweep(now=queued_at + stale * 2, dispatch=send)) == 1
    assert outgoing_sweep(now=queued_at + stale * 3, dispatch=send) == []
    assert len(mails_in(outbox_dir)) == 1


def test_the_lesson_page_links_to_the_certificate_once_earned(received):  # type: ignore[no-untyped-def]
    first, last = received
    page = reverse("lessons:page", args=[delivery_token(last.pk)])
    assert "/me/certificate/" not in Client().get(page).content.decode()
    delivery_answer(delivery=first, option=1, now=NOW)
    delivery_mark_read(delivery=last, now=NOW)
    fold()
    assert "/me/certificate/" in Client().get(page).content.decode()


def test_a_get_on_the_certificate_mail_link_changes_nothing(received, outbox_dir):  # type: ignore[no-untyped-def]
    first, last = received
    delivery_answer(delivery=first, option=1, now=NOW)
    delivery_mark_read(delivery=last, now=NOW)
    fold()
    send_outbox()
    (mail,) = mails_in(outbox_dir)
    before = list(Certificate.objects.values()), list(Enrolment.objects.values()), list(Delivery.objects.values())
    for link in links_in(mail):
        assert Client().get(link.removeprefix(SITE)).status_code == 200
    assert (
        list(Certificate.objects.values()),
        list(Enrolment.objects.values()),
        list(Delivery.objects.values()),
    ) == before


def test_a_lesson_unpublished_after_it_was_completed_does_not_stand_in_for_one_still_open():
    course = CourseFactory.create()
    lessons = make_lessons(course, 3)
    without_questions(lessons)
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    first, second = send_lessons(enrolment, lessons[:2])
    delivery_mark_read(delivery=first, now=NOW)
    delivery_mark_read(delivery=second, now=NOW)
    lesson_unpublish(lesson=lessons[0])
    fold()
    # Two lessons completed and two published, but one of those two is still to come.
    assert not Certificate.objects.exists()
    (third,) = send_lessons(enrolment, lessons[2:])
    delivery_mark_read(delivery=third, now=NOW + dt.timedelta(days=2))
    fold()
    assert Certificate.objects.get().enrolment_id == enrolment.pk

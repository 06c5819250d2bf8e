""" "Send me a test": the exact lesson mail goes to the trainer through the outbox, marked as a test,
and nothing of the drip moves: no delivery, no counter, no enrolment."""

import email
import email.policy
from pathlib import Path

import pytest

from courses.models import Enrolment
from lessons.models import DailyCompletion, Delivery, EnrolmentStats, LessonStats, SendBatch
from mailer.models import OutgoingMail
from tests.factories import enrol, send_outbox
from tests.studio.conftest import Studio
from tests.studio.helpers import MONDAY, url

pytestmark = pytest.mark.django_db


def counters() -> tuple:
    return (
        Delivery.objects.count(),
        SendBatch.objects.count(),
        list(LessonStats.objects.values_list("sent", "opened", "read", "completed", "correct")),
        list(EnrolmentStats.objects.values_list("opened", "read", "correct")),
        DailyCompletion.objects.count(),
        list(Enrolment.objects.values_list("next_position", "lessons_sent", "lessons_completed", "next_due_at")),
    )


def test_a_test_goes_through_the_outbox_and_touches_nothing_of_the_drip(studio: Studio, outbox_dir: Path) -> None:
    enrol(studio.course, start=MONDAY.date())
    lesson = studio.lessons[1]
    before = counters()
    test = url("lesson_test_send", studio, lesson_id=lesson.pk)
    assert studio.client.post(test).status_code == 302
    assert studio.client.post(test).status_code == 302  # each request is its own mail
    rows = list(OutgoingMail.objects.filter(kind="lesson_test").order_by("pk"))
    assert len(rows) == 2
    assert rows[0].key != rows[1].key
    assert {row.to for row in rows} == {"tine@druppel.example"}
    assert rows[0].subject == "[TEST] Les 2 · Les nummer 2"
    assert "Dag Tine" in rows[0].html
    assert "Les nummer 2" in rows[0].text
    assert send_outbox() == 2
    sent = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in outbox_dir.glob("*.eml")]
    assert [str(m["Subject"]) for m in sent] == ["[TEST] Les 2 · Les nummer 2"] * 2
    assert counters() == before
    assert not Delivery.objects.exists()

"""Test helpers for learner data: lessons as if the drip had sent them."""

import datetime as dt
import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

from courses.models import Enrolment
from lessons.models import Delivery, Lesson, LessonVersion

NOW = dt.datetime(2027, 3, 10, 12, 0, tzinfo=dt.UTC)


def send_lessons(enrolment: Enrolment, lessons: list[Lesson], *, sent_at: dt.datetime = NOW) -> list[Delivery]:
    """Lessons as if the drip had sent them, without running a tick."""
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                enrolment=enrolment,
                lesson=lesson,
                version=published(lesson),
                position=lesson.position,
                status=Delivery.Status.SENT,
                created_at=sent_at,
                sent_at=sent_at,
            )
            for lesson in lessons
        ]
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(lessons_sent=len(lessons), next_position=len(lessons) + 1)
    enrolment.refresh_from_db()
    return deliveries


def published(lesson: Lesson) -> LessonVersion:
    assert lesson.current_version is not None
    return lesson.current_version


def without_questions(lessons: list[Lesson]) -> None:
    """Make these lessons reading-only: no check question, so "mark as read" completes them."""
    LessonVersion.objects.filter(lesson__in=lessons).update(question={})


def mails_in(outbox: Path) -> list[EmailMessage]:
    """The mails the outbox transport wrote, oldest first."""
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for path in sorted(outbox.glob("*.eml"))
    ]


def links_in(message: EmailMessage) -> list[str]:
    """Every link a scanner would fetch: hrefs in the HTML part, URLs in the text part, List-Unsubscribe."""
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    links = set(re.findall(r'href="([^"]+)"', html)) | set(re.findall(r"https?://\S+", text))
    if message["List-Unsubscribe"]:
        links.add(message["List-Unsubscribe"].strip().strip("<>"))
    return sorted(links)

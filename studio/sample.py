"""A lesson as a learner gets it, for the trainer: the exact mail and page for a sample learner,
from a draft or a saved version, and "send me a test" through the outbox.

The mail is rendered by the drip's own code (drip/mail.py) and personalised the way the
transport does it; only the recipient is the trainer, with a sample delivery that does not
exist (its links open the "not valid" page). A test creates no Delivery and touches no counter.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User
from drip.mail import RecipientRow, lesson_mail_template
from lessons.authoring import lesson_content
from lessons.models import Lesson, LessonVersion
from lessons.rendering import render_markdown
from lessons.selectors import LessonPlace, course_places
from lessons.tokens import delivery_token
from mailer.models import OutgoingMail
from mailer.outgoing import outgoing_add
from mailer.templated import RenderedMail

SAMPLE_DELIVERY_ID = 0  # no delivery has this id: the sample's links lead nowhere
TEST_MARKER = "[TEST]"
TEST_KIND = "lesson_test"


@dataclass(frozen=True)
class SamplePlace:
    """Where the lesson sits for its learners: its drip position, the course total, its module place."""

    position: int
    total: int
    place: LessonPlace | None


def lesson_where(lesson: Lesson) -> SamplePlace:
    places = course_places(lesson.course_id)
    if lesson.pk in places.lessons:
        return SamplePlace(lesson.position, places.total, places.place(lesson.pk))
    # Not sent to anyone yet (unpublished, or no version): show it as the lesson after the last one.
    return SamplePlace(places.total + 1, places.total + 1, None)


def draft_version(lesson: Lesson, content: Mapping[str, Any]) -> LessonVersion:
    """An unsaved version of what the editor holds, rendered as a save would render it."""
    stored = lesson_content(**content)
    version = LessonVersion(lesson=lesson, number=0, body_html=render_markdown(stored["body_markdown"]), **stored)
    return version


def sample_first_name(user: User) -> str:
    return user.first_name or user.email.split("@")[0]


def sample_mail(version: LessonVersion, user: User) -> RenderedMail:
    """The lesson mail exactly as the drip sends it, personalised for ``user`` as a sample learner."""
    lesson = version.lesson
    where = lesson_where(lesson)
    template = lesson_mail_template(
        version=version,
        position=where.position,
        total=where.total,
        language=lesson.course.language,
        place=where.place,
    )
    row = RecipientRow(
        delivery_id=SAMPLE_DELIVERY_ID,
        email=user.email,
        first_name=sample_first_name(user),
        last_name=user.last_name,
        lessons_completed=max(0, where.position - 1),
        organisation_id=0,
        organisation_name=_sample_organisation(lesson.course.language),
    )
    recipients = template.recipients([row], group_urls={}, posts={})
    subject, text, html = template.message(recipients).personalise(recipients[0])
    return RenderedMail(subject=subject, text=text, html=html)


def _sample_organisation(language: str) -> str:
    with translation.override(language):
        return gettext("Your organisation")


def sample_page_context(version: LessonVersion, user: User) -> dict[str, Any]:
    """What templates/learners/lesson/lesson.html needs, for a sample learner who has not read it yet."""
    where = lesson_where(version.lesson)
    completed = max(0, where.position - 1)
    sample = {"position": where.position, "read_at": None, "completed_at": None, "answered_at": None}
    return {
        "place": where.place,
        "token": delivery_token(SAMPLE_DELIVERY_ID),
        "delivery": sample,
        "version": version,
        "course": version.lesson.course,
        "enrolment": {"lessons_completed": completed},
        "total": where.total,
        "percent": round(100 * completed / where.total) if where.total else 0,
    }


def lesson_test_send(*, version: LessonVersion, user: User) -> OutgoingMail | None:
    """Send ``version``'s exact mail to ``user`` through the outbox and the real transport, its subject
    marked as a test. Each request is its own mail (a fresh key); nothing else is written."""
    mail = sample_mail(version, user)
    marked = RenderedMail(subject=f"{TEST_MARKER} {mail.subject}", text=mail.text, html=mail.html)
    key = f"{TEST_KIND}:{version.pk}:{user.pk}:{uuid.uuid4().hex}"
    return outgoing_add(key=key, kind=TEST_KIND, mail=marked, to=user.email)

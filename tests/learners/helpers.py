"""Test helpers for learner data: lessons as if the drip had sent them."""

import datetime as dt

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

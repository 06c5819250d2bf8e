"""After a lesson is inserted before lessons a learner received, the drip does not waste a slot on the
one they already have: the learner goes on to the first published lesson they lack, still due."""

import datetime as dt

import pytest
from django.test import TestCase

from courses.models import Enrolment
from drip.tick import drip_tick
from lessons.models import Delivery, Lesson, LessonStats, SendBatch
from tests.factories import CourseFactory, OrganisationFactory, enrol, make_lessons

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime.fromisoformat("2027-03-01T08:30:00+01:00")


def tick(at: dt.datetime) -> list[int]:
    batches: list[int] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        drip_tick(now=at, dispatch=batches.append)
    return batches


def test_a_learner_whose_next_position_holds_a_lesson_they_have_is_sent_the_next_one_they_lack():
    course = CourseFactory.create()
    lessons = make_lessons(course, 4)
    organisation = OrganisationFactory.create(holiday_country="")
    ahead, behind = (enrol(course, organisation=organisation, start=MONDAY.date()) for _ in range(2))
    tick(MONDAY)
    tick(MONDAY + dt.timedelta(days=2))  # both received lessons 1 and 2
    # As after a reorder the drip has not caught up with: "ahead" is at position 2, which it has.
    Enrolment.objects.filter(pk=ahead.pk).update(next_position=2)
    friday = MONDAY + dt.timedelta(days=4)

    tick(friday)
    ahead.refresh_from_db()
    assert (ahead.next_position, ahead.next_due_at, ahead.lessons_sent) == (3, friday, 2)
    batch = SendBatch.objects.get(deliveries__enrolment=behind, deliveries__lesson=lessons[2])
    assert batch.size == 1
    stats = LessonStats.objects.get(lesson=lessons[1])
    assert stats.sent == 2  # the conflict counted nothing

    tick(friday + dt.timedelta(minutes=1))
    assert list(
        Delivery.objects.filter(enrolment=ahead).order_by("position").values_list("lesson__slug", flat=True)
    ) == [
        "les-1",
        "les-2",
        "les-3",
    ]
    ahead.refresh_from_db()
    assert (ahead.next_position, ahead.lessons_sent) == (4, 3)
    assert ahead.next_due_at is not None
    assert ahead.next_due_at > friday


def test_a_learner_who_has_every_published_lesson_finishes_at_the_next_tick():
    course = CourseFactory.create()
    make_lessons(course, 2)
    enrolment = enrol(course, organisation=OrganisationFactory.create(holiday_country=""), start=MONDAY.date())
    tick(MONDAY)
    tick(MONDAY + dt.timedelta(days=2))
    Enrolment.objects.filter(pk=enrolment.pk).update(next_position=1, next_due_at=MONDAY + dt.timedelta(days=4))
    tick(MONDAY + dt.timedelta(days=4))
    enrolment.refresh_from_db()
    assert enrolment.next_position == 3
    tick(MONDAY + dt.timedelta(days=4, minutes=1))
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.FINISHED
    assert Delivery.objects.filter(enrolment=enrolment).count() == Lesson.objects.filter(course=course).count()

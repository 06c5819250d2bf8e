"""Learners in the middle of a course, slot by slot: what the reorder rule says each should get next,
and what the real drip sent them."""

import datetime as dt
from collections import defaultdict

from django.test import TestCase

from courses.models import Course, Enrolment
from drip.sending import batch_send
from drip.tick import drip_tick
from lessons.models import Delivery, Lesson
from organisations.models import Organisation
from tests.factories import OrganisationFactory, enrol


class Classroom:
    """A course's learners, started a few slots apart, and the real drip run slot by slot."""

    def __init__(self, course: Course, learners: int, *, start: dt.date = dt.date(2027, 3, 1)) -> None:
        self.course = course
        # No public holidays: every Monday, Wednesday and Friday is a slot.
        self.organisation: Organisation = OrganisationFactory.create(holiday_country="")
        self.calendar = course.calendar_for(self.organisation, [])
        slots = self.calendar.slots_from(self.calendar.first_slot_on_or_after(start))
        starts = [next(slots) for _ in range(learners)]
        self.enrolments = [
            enrol(course, organisation=self.organisation, start=self._local_date(slot), now=slot) for slot in starts
        ]
        self.at = starts[0] - dt.timedelta(minutes=1)

    def _local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.calendar.tz).date()

    def received(self) -> dict[int, list[int]]:
        """Per enrolment, the lessons it received, in the order they went out."""
        rows = Delivery.objects.filter(enrolment__in=self.enrolments).exclude(status=Delivery.Status.SKIPPED)
        received: dict[int, list[int]] = defaultdict(list)
        for enrolment_id, lesson_id in rows.order_by("created_at", "pk").values_list("enrolment_id", "lesson_id"):
            received[enrolment_id].append(lesson_id)
        return {enrolment.pk: received[enrolment.pk] for enrolment in self.enrolments}

    def course_order(self) -> list[int]:
        """The published lessons in course order: module by module, each in its own order."""
        lessons = Lesson.objects.published().filter(course=self.course).order_by("module__position", "order")
        return list(lessons.values_list("pk", flat=True))

    def expected(self) -> dict[int, int | None]:
        """The reorder rule: each active learner's next lesson is the first published lesson, in the
        current order, that they have not received. Only those due at the next slot."""
        order, received = self.course_order(), self.received()
        slot = self.calendar.next_slot(self.at)
        due = Enrolment.objects.filter(
            pk__in=[e.pk for e in self.enrolments], status=Enrolment.Status.ACTIVE, next_due_at__lte=slot
        ).values_list("pk", flat=True)
        return {pk: next((x for x in order if x not in received[pk]), None) for pk in due}

    def slot(self) -> dict[int, list[int]]:
        """Run the next slot's tick, and one a minute later (a learner who had the lesson at their next
        position already is left due for it), sending every batch. Returns what each got."""
        before = self.received()
        self.at = self.calendar.next_slot(self.at)
        for moment in (self.at, self.at + dt.timedelta(minutes=1)):
            batches: list[int] = []
            with TestCase.captureOnCommitCallbacks(execute=True):
                drip_tick(now=moment, dispatch=batches.append)
            for batch_id in batches:
                batch_send(batch_id=batch_id, dispatch=batches.append)
        after = self.received()
        return {pk: after[pk][len(before[pk]) :] for pk in after if after[pk] != before[pk]}

    def slot_as_the_rule_says(self) -> None:
        """One slot, checked: every due learner got exactly the lesson the rule names, no one else
        got anything, and nobody got a lesson twice."""
        expected = {pk: [lesson] for pk, lesson in self.expected().items() if lesson is not None}
        got = self.slot()
        assert got == expected, (self.at, got, expected)
        for lessons in self.received().values():
            assert len(lessons) == len(set(lessons))


def assert_drip_order(course: Course) -> None:
    """The drip's positions follow the course order: the published lessons are 1 … P, the rest after."""
    lessons = list(Lesson.objects.filter(course=course).order_by("module__position", "order"))
    published = [x for x in lessons if x.is_sendable]
    others = [x for x in lessons if not x.is_sendable]
    assert [x.position for x in published + others] == list(range(1, len(lessons) + 1))
    for module_id in {x.module_id for x in lessons}:
        orders = [x.order for x in lessons if x.module_id == module_id]
        assert orders == list(range(1, len(orders) + 1))

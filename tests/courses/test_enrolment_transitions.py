"""An enrolment's status changes only through its queryset's transitions, each allowed only from
the states Enrolment.TRANSITIONS lists."""

import datetime as dt

import pytest
from django.utils import timezone

from courses.models import Enrolment
from tests.factories import CourseFactory, enrol, make_lessons

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 10, 12, 0, tzinfo=dt.UTC)
EXPECTED = {
    "pause": ({"active"}, "paused"),
    "resume": ({"paused"}, "active"),
    "unsubscribe": ({"active", "paused", "suspended"}, "unsubscribed"),
    "stop": ({"active", "paused", "suspended"}, "stopped"),
    "restart": ({"stopped"}, "active"),
    "resubscribe": ({"unsubscribed"}, "active"),
    "resubscribe_paused": ({"unsubscribed"}, "paused"),
    "suspend": ({"active", "paused"}, "suspended"),
    "finish": ({"active"}, "finished"),
}


def test_the_transitions_are_the_ones_written_down():
    assert {action: (set(allowed), target) for action, (allowed, target) in Enrolment.TRANSITIONS.items()} == EXPECTED


def arguments(action: str) -> dict:
    return {"pause": {"now": NOW}, "unsubscribe": {"now": NOW}, "stop": {"now": NOW}}.get(action) or (
        {"due": NOW} if action in ("resume", "restart", "resubscribe") else {}
    )


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_each_transition_moves_exactly_the_allowed_states(action: str) -> None:
    course = CourseFactory.create()
    make_lessons(course, 1)
    by_status = {}
    for status in Enrolment.Status.values:
        enrolment = enrol(course, start=dt.date(2027, 3, 1))
        Enrolment.objects.filter(pk=enrolment.pk).update(status=status)
        by_status[status] = enrolment.pk
    moved = getattr(Enrolment.objects.all(), action)(**arguments(action))
    allowed, target = EXPECTED[action]
    assert moved == len(allowed)
    for status, pk in by_status.items():
        after = Enrolment.objects.get(pk=pk).status
        assert after == (target if status in allowed else status), (action, status, after)


def test_leaving_ends_the_schedule_and_coming_back_sets_it_again() -> None:
    course = CourseFactory.create()
    make_lessons(course, 1)
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    assert Enrolment.objects.filter(pk=enrolment.pk).stop(now=NOW) == 1
    enrolment.refresh_from_db()
    assert (enrolment.next_due_at, enrolment.ended_at) == (None, NOW)
    due = timezone.now() + dt.timedelta(days=2)
    assert Enrolment.objects.filter(pk=enrolment.pk).restart(due=due) == 1
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.next_due_at, enrolment.ended_at) == ("active", due, None)

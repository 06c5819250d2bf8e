"""Planning and sending one lesson costs a constant number of queries, whatever the count."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from lessons.drip import drip_tick
from lessons.models import Delivery
from lessons.sending import batch_send
from tests.factories import CourseFactory, OrganisationFactory, enrol_many, make_lessons

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime.fromisoformat("2027-03-01T08:30:00+01:00")
# Tick: select due, lessons, batch insert, delivery insert, organisations, courses,
# closures, advance, one upsert of the dashboard's per-(organisation, lesson)
# counters, and three recovery selects (lost, abandoned, silent unknown batches),
# inside a savepoint. Send: claim, batch (lesson count as a subquery), deliveries,
# the recipients' organisations' group links, two updates on success.
# Whatever the recipient count, none of these repeats.
# +1: the post count of each recipient's group's thread of the lesson, for all recipients at once.
BUDGET = 23


def plan(batches: list[int]) -> None:
    # Dispatch happens on commit; inside the test transaction, run the hooks by hand.
    with TestCase.captureOnCommitCallbacks(execute=True):
        drip_tick(now=MONDAY, dispatch=batches.append)


def plan_and_send(count: int) -> int:
    course = CourseFactory.create()
    make_lessons(course, 2)
    enrol_many(course, OrganisationFactory.create(), count, start=MONDAY.date())
    with CaptureQueriesContext(connection) as queries:
        batches: list[int] = []
        plan(batches)
        for batch_id in batches:
            batch_send(batch_id=batch_id, claim_token=uuid.uuid4(), dispatch=batches.append)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == count
    return len(queries)


def test_planning_and_sending_1000_recipients_takes_as_many_queries_as_10(fake_sendgrid):  # type: ignore[no-untyped-def]
    small = plan_and_send(10)
    Delivery.objects.all().delete()
    large = plan_and_send(1000)
    assert large == small
    assert len(fake_sendgrid.accepted) == 2


def test_planning_and_sending_1000_recipients_stays_within_the_budget(fake_sendgrid, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 2)
    enrol_many(course, OrganisationFactory.create(), 1000, start=MONDAY.date())
    with django_assert_max_num_queries(BUDGET):
        batches: list[int] = []
        plan(batches)
        (batch_id,) = batches
        batch_send(batch_id=batch_id, claim_token=uuid.uuid4(), dispatch=batches.append)
    assert len(fake_sendgrid.accepted[0].body["personalizations"]) == 1000

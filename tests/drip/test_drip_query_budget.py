"""Planning and sending one lesson costs a constant number of queries, whatever the count."""

import datetime as dt

import pytest
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from courses.models import Enrolment
from drip.sending import batch_send
from drip.tick import drip_tick
from lessons.models import Delivery, SendBatch
from organisations.models import Organisation
from tests.factories import CourseFactory, OrganisationFactory, enrol_many, make_lessons

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime.fromisoformat("2027-03-01T08:30:00+01:00")
# A tick reads what is due, the lessons, and the organisations, courses and closures
# behind the next slots; it ends with four recovery selects (lost queued, overdue waiting,
# abandoned sending and silent unknown batches) in their own transaction (2 statements),
# and one upsert of its heartbeat.
TICK_FIXED = 5 + 4 + 2 + 1
# Each chunk is a transaction (2): lock its enrolments, insert its batches, insert all its
# deliveries in one statement, advance its enrolments in one UPDATE, and one upsert of the
# per-(organisation, lesson) counters. Nothing is per batch or per recipient.
TICK_PER_CHUNK = 2 + 5
# Sending a batch: claim; the batch with its lesson count; the recipients with their
# enrolment's status, their address's suppression and their organisation's group link
# (joined); the post counts of their groups' threads; the attempt, recorded before the
# request leaves; and the outcome. On PostgreSQL the attempt and the outcome are one statement
# each (data-modifying CTEs, atomic by themselves); elsewhere the attempt is an update and an
# insert in a transaction (2 more in a test: its savepoint), the outcome three updates in another.
SEND = 4 + 1 + 1 if connection.vendor == "postgresql" else 4 + (2 + 2) + (3 + 2)
BUDGET = TICK_FIXED + TICK_PER_CHUNK + SEND


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
            batch_send(batch_id=batch_id, dispatch=batches.append)
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
        batch_send(batch_id=batch_id, dispatch=batches.append)
    assert len(fake_sendgrid.accepted[0].body["personalizations"]) == 1000


def test_sending_a_batch_takes_six_statements_on_postgresql(fake_sendgrid, django_assert_num_queries):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 2)
    enrol_many(course, OrganisationFactory.create(), 300, start=MONDAY.date())
    batches: list[int] = []
    plan(batches)
    with django_assert_num_queries(SEND):
        batch_send(batch_id=batches[0], dispatch=batches.append)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 300


@override_settings(DRIP_TICK_CHUNK=2000)
def test_a_tick_in_chunks_costs_a_few_queries_per_chunk_and_none_per_batch(django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    """4,500 due in three time zones: five batches in three chunks (whole batches, ≥ 2,000 each)."""
    course = CourseFactory.create()
    make_lessons(course, 2)
    zones = ["Europe/Brussels", "Europe/Lisbon", "America/New_York"]
    for zone in zones:
        enrol_many(course, OrganisationFactory.create(timezone=zone), 1500, start=MONDAY.date())
    now = MONDAY + dt.timedelta(hours=7)  # 08:30 has passed in all three
    batches: list[int] = []
    budget = TICK_FIXED + 3 * TICK_PER_CHUNK
    with django_assert_max_num_queries(budget), TestCase.captureOnCommitCallbacks(execute=True):
        report = drip_tick(now=now, dispatch=batches.append)
    assert report.planned == 4500
    assert sorted(SendBatch.objects.values_list("size", flat=True)) == [500, 1000, 1000, 1000, 1000]
    assert len(batches) == 5
    # One UPDATE moved everyone on, each to the next slot of their own organisation's calendar.
    for organisation in Organisation.objects.all():
        expected = course.calendar_for(organisation, []).next_slot(now)
        enrolments = Enrolment.objects.filter(membership__organisation=organisation)
        assert set(enrolments.values_list("next_due_at", "next_position", "lessons_sent")) == {(expected, 2, 1)}

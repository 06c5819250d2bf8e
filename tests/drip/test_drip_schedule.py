"""Lesson k goes out at the k-th slot; pauses, late joiners and downtime behave."""

import datetime as dt

import pytest
from django.utils import timezone

from courses.models import Enrolment
from courses.services import enrolment_pause, enrolment_resume
from lessons.models import Delivery, SendBatch
from organisations.models import ClosurePeriod
from tests.factories import CourseFactory, OrganisationFactory, aware, enrol, make_lessons

pytestmark = pytest.mark.django_db


def positions(enrolment: Enrolment) -> list[int]:
    return sorted(Delivery.objects.filter(enrolment=enrolment).values_list("position", flat=True))


@pytest.fixture
def course():  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 8)
    return course


def test_each_lesson_goes_out_at_its_slot_and_not_between(course, run_tick):  # type: ignore[no-untyped-def]
    enrolment = enrol(course, start=dt.date(2027, 3, 22))
    expected = {
        "2027-03-22T08:29:00+01:00": [],
        "2027-03-22T08:30:00+01:00": [1],
        "2027-03-22T12:00:00+01:00": [1],
        "2027-03-23T08:30:00+01:00": [1],  # Tuesday: not a course day
        "2027-03-24T08:30:00+01:00": [1, 2],
        "2027-03-26T08:30:00+01:00": [1, 2, 3],
        "2027-03-29T08:30:00+02:00": [1, 2, 3],  # Easter Monday, after the DST change
        "2027-03-31T08:29:00+02:00": [1, 2, 3],
        "2027-03-31T08:30:00+02:00": [1, 2, 3, 4],
    }
    for at, sent in expected.items():
        run_tick(at)
        assert positions(enrolment) == sent, at
    enrolment.refresh_from_db()
    assert enrolment.next_due_at == aware("2027-04-02T08:30:00+02:00")


def test_a_closure_period_holds_the_next_lesson_until_it_ends(course, run_tick):  # type: ignore[no-untyped-def]
    enrolment = enrol(course, start=dt.date(2027, 7, 12))
    ClosurePeriod.objects.create(
        organisation=enrolment.membership.organisation, start=dt.date(2027, 7, 19), end=dt.date(2027, 7, 30)
    )
    run_tick("2027-07-16T08:30:00+02:00")  # lessons on 12, 14 were never ticked: one now
    enrolment.refresh_from_db()
    assert positions(enrolment) == [1]
    assert enrolment.next_due_at == aware("2027-08-02T08:30:00+02:00")
    run_tick("2027-07-21T08:30:00+02:00")
    assert positions(enrolment) == [1]
    run_tick("2027-08-02T08:30:00+02:00")
    assert positions(enrolment) == [1, 2]


def test_paused_enrolment_resumes_with_next_lesson(course, run_tick):  # type: ignore[no-untyped-def]
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    run_tick("2027-03-01T08:30:00+01:00")
    run_tick("2027-03-03T08:30:00+01:00")
    enrolment_pause(enrolment=enrolment, now=aware("2027-03-03T20:00:00+01:00"))
    for at in ("2027-03-05T08:30:00+01:00", "2027-03-08T08:30:00+01:00", "2027-03-10T08:30:00+01:00"):
        run_tick(at)
    assert positions(enrolment) == [1, 2]
    enrolment_resume(enrolment=enrolment, now=aware("2027-03-10T14:00:00+01:00"))
    enrolment.refresh_from_db()
    assert enrolment.next_due_at == aware("2027-03-12T08:30:00+01:00")
    run_tick("2027-03-12T08:30:00+01:00")
    run_tick("2027-03-15T08:30:00+01:00")
    assert positions(enrolment) == [1, 2, 3, 4]


def test_late_joiner_starts_at_lesson_1(course, run_tick):  # type: ignore[no-untyped-def]
    organisation = OrganisationFactory.create()
    early = enrol(course, organisation=organisation, start=dt.date(2027, 3, 1))
    for at in ("2027-03-01T08:30:00+01:00", "2027-03-03T08:30:00+01:00", "2027-03-05T08:30:00+01:00"):
        run_tick(at)
    late = enrol(course, organisation=organisation, start=dt.date(2027, 3, 1), now=aware("2027-03-06T10:00:00+01:00"))
    assert late.next_due_at == aware("2027-03-08T08:30:00+01:00")
    run_tick("2027-03-08T08:30:00+01:00")
    assert positions(early) == [1, 2, 3, 4]
    assert positions(late) == [1]


def test_after_three_days_of_downtime_one_lesson_per_tick_and_no_flood(course, run_tick):  # type: ignore[no-untyped-def]
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    run_tick("2027-03-01T08:30:00+01:00")
    # Down from Monday 08:31 until Thursday 10:00: Wednesday's slot was missed.
    run_tick("2027-03-04T10:00:00+01:00")
    run_tick("2027-03-04T10:01:00+01:00")
    run_tick("2027-03-04T10:02:00+01:00")
    assert positions(enrolment) == [1, 2]
    enrolment.refresh_from_db()
    assert enrolment.next_due_at == aware("2027-03-05T08:30:00+01:00")
    run_tick("2027-03-05T08:30:00+01:00")
    assert positions(enrolment) == [1, 2, 3]


def test_running_the_same_tick_twice_sends_nothing_more(course, run_tick):  # type: ignore[no-untyped-def]
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    first = run_tick("2027-03-01T08:30:00+01:00")
    second = run_tick("2027-03-01T08:30:00+01:00")
    assert "planned 1 deliveries" in first
    assert "planned 0 deliveries" in second
    assert positions(enrolment) == [1]


def test_the_enrolment_finishes_after_the_last_lesson(run_tick):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 2)
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    for at in ("2027-03-01T08:30:00+01:00", "2027-03-03T08:30:00+01:00", "2027-03-05T08:30:00+01:00"):
        run_tick(at)
    enrolment.refresh_from_db()
    assert positions(enrolment) == [1, 2]
    assert enrolment.status == Enrolment.Status.FINISHED


def test_unsubscribed_and_paused_enrolments_get_nothing(course, run_tick):  # type: ignore[no-untyped-def]
    paused = enrol(course, start=dt.date(2027, 3, 1))
    gone = enrol(course, start=dt.date(2027, 3, 1))
    enrolment_pause(enrolment=paused, now=timezone.now())
    Enrolment.objects.filter(pk=gone.pk).update(status=Enrolment.Status.UNSUBSCRIBED)
    run_tick("2027-03-01T08:30:00+01:00")
    assert not Delivery.objects.exists()


def test_a_lesson_already_sent_is_not_sent_again_and_the_batch_counts_only_new_ones(course, run_tick, fake_sendgrid):  # type: ignore[no-untyped-def]
    """Set back a lesson (say, by hand): the unique constraint skips it, the enrolment still moves on."""
    organisation = OrganisationFactory.create()
    again = enrol(course, organisation=organisation, start=dt.date(2027, 3, 1))
    run_tick("2027-03-01T08:30:00+01:00")
    Enrolment.objects.filter(pk=again.pk).update(next_position=1)
    # A late joiner gets lesson 1 at the same slot: one batch of lesson 1 for both.
    late = enrol(course, organisation=organisation, start=dt.date(2027, 3, 1), now=aware("2027-03-02T10:00:00+01:00"))
    run_tick("2027-03-03T08:30:00+01:00")
    assert positions(again) == [1]
    assert positions(late) == [1]
    batch = SendBatch.objects.latest("pk")
    assert batch.size == 1
    sent = [p["custom_args"]["delivery_id"] for p in fake_sendgrid.accepted[-1].body["personalizations"]]
    assert sent == [str(Delivery.objects.get(enrolment=late).pk)]
    again.refresh_from_db()
    assert again.next_position == 2

"""Never mail someone who left: every attempt re-checks the enrolment and the address."""

import datetime as dt

import pytest
from django.test import TestCase
from django.utils import timezone

from courses.models import Enrolment
from courses.services import enrolment_pause, enrolment_resume, enrolment_unsubscribe
from drip.sending import Outcome, batch_send
from drip.tick import drip_tick
from lessons.models import Delivery, LessonStats, SendBatch
from mailer.models import Suppression
from tests.factories import CourseFactory, OrganisationFactory, UserFactory, enrol, enrol_many, make_lessons
from tests.fake_sendgrid import Response

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime.fromisoformat("2027-03-01T08:30:00+01:00")
WEDNESDAY = dt.datetime.fromisoformat("2027-03-03T08:30:00+01:00")


@pytest.fixture
def course():  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 3)
    return course


def plan(now: dt.datetime) -> list[int]:
    dispatched: list[int] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        drip_tick(now=now, dispatch=dispatched.append)
    return dispatched


def addresses(fake) -> list[str]:  # type: ignore[no-untyped-def]
    return [p["to"][0]["email"] for p in fake.personalizations()]


def test_a_learner_who_unsubscribes_between_planning_and_the_retry_is_left_out(course, fake_sendgrid):  # type: ignore[no-untyped-def]
    enrolments = enrol_many(course, OrganisationFactory.create(), 4, start=MONDAY.date())
    (batch_id,) = plan(MONDAY)
    fake_sendgrid.script(Response(status=429, headers={"Retry-After": "1"}))
    assert batch_send(batch_id=batch_id, dispatch=lambda _: None).outcome is Outcome.WAITING

    leaver = Enrolment.objects.get(pk=enrolments[0].pk)
    enrolment_unsubscribe(enrolment=leaver, now=timezone.now())
    SendBatch.objects.update(retry_at=timezone.now())
    assert batch_send(batch_id=batch_id, dispatch=lambda _: None).outcome is Outcome.SENT

    assert len(addresses(fake_sendgrid)) == 3
    assert leaver.membership.user.email not in addresses(fake_sendgrid)
    skipped = Delivery.objects.get(enrolment=leaver)
    assert (skipped.status, skipped.error) == (Delivery.Status.SKIPPED, "enrolment unsubscribed")
    # Counted as not sent, for the learner and for the dashboard.
    leaver.refresh_from_db()
    assert leaver.lessons_sent == 0
    assert LessonStats.objects.get().sent == 3


def test_a_learner_who_pauses_before_the_send_gets_that_lesson_after_resuming(course, fake_sendgrid):  # type: ignore[no-untyped-def]
    (enrolment,) = enrol_many(course, OrganisationFactory.create(), 1, start=MONDAY.date())
    (batch_id,) = plan(MONDAY)
    enrolment_pause(enrolment=enrolment, now=MONDAY)
    batch_send(batch_id=batch_id, dispatch=lambda _: None)
    assert fake_sendgrid.requests == []

    enrolment_resume(enrolment=enrolment, now=MONDAY + dt.timedelta(hours=1))
    for batch_id in plan(WEDNESDAY):
        batch_send(batch_id=batch_id, dispatch=lambda _: None)
    (request,) = fake_sendgrid.accepted
    assert request.body["subject"].startswith("Les 1 ")
    delivery = Delivery.objects.get(enrolment=enrolment)
    assert (delivery.position, delivery.status) == (1, Delivery.Status.SENT)
    enrolment.refresh_from_db()
    assert (enrolment.next_position, enrolment.lessons_sent) == (2, 1)


def test_a_suppressed_address_is_left_out_of_every_enrolment_and_they_are_suspended(course, fake_sendgrid):  # type: ignore[no-untyped-def]
    person = UserFactory.create()
    first = enrol(course, organisation=OrganisationFactory.create(), start=MONDAY.date(), user=person)
    other = enrol(course, start=MONDAY.date())
    Suppression.objects.create(email=person.email, reason=Suppression.Reason.BOUNCE, created_at=timezone.now())
    for batch_id in plan(MONDAY):
        batch_send(batch_id=batch_id, dispatch=lambda _: None)
    assert addresses(fake_sendgrid) == [other.membership.user.email]
    first.refresh_from_db()
    assert first.status == Enrolment.Status.SUSPENDED
    assert Delivery.objects.get(enrolment=first).error == "address suppressed by the provider"


def test_one_person_on_two_staff_lists_gets_two_requests_never_one_naming_them_twice(course, fake_sendgrid):  # type: ignore[no-untyped-def]
    person = UserFactory.create()
    for _ in range(2):
        enrol(course, organisation=OrganisationFactory.create(), start=MONDAY.date(), user=person)
    enrol(course, start=MONDAY.date())
    for batch_id in plan(MONDAY):
        assert batch_send(batch_id=batch_id, dispatch=lambda _: None).outcome is Outcome.SENT
    for request in fake_sendgrid.accepted:
        named = [p["to"][0]["email"] for p in request.body["personalizations"]]
        assert len(named) == len(set(named))
    assert sorted(len(r.body["personalizations"]) for r in fake_sendgrid.accepted) == [1, 2]
    assert addresses(fake_sendgrid).count(person.email) == 2


def test_a_tick_on_a_closure_day_sends_no_catch_up_and_moves_it_to_the_next_slot(course, fake_sendgrid):  # type: ignore[no-untyped-def]
    organisation = OrganisationFactory.create()
    (enrolment,) = enrol_many(course, organisation, 1, start=MONDAY.date())
    organisation.closures.create(start=dt.date(2027, 3, 2), end=dt.date(2027, 3, 2))
    tuesday = dt.datetime.fromisoformat("2027-03-02T10:00:00+01:00")  # downtime on Monday: catching up
    report = drip_tick(now=tuesday, dispatch=lambda _: None)
    assert report.planned == 0
    assert report.postponed == 1
    enrolment.refresh_from_db()
    assert enrolment.next_due_at == WEDNESDAY
    assert enrolment.next_position == 1
    assert not Delivery.objects.exists()

"""The drip through the real SendGrid SDK, against the loopback fake."""

import datetime as dt

import pytest

from courses.models import Enrolment, Offering
from lessons.models import Delivery, SendBatch
from tests.factories import CourseFactory, OrganisationFactory, enrol, enrol_many, make_lessons

pytestmark = pytest.mark.django_db

MONDAY = "2027-03-01T08:30:00+01:00"
WEDNESDAY = "2027-03-03T08:30:00+01:00"


@pytest.fixture
def course():  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 3)
    return course


def test_tick_sends_lesson_1_to_every_active_enrolment_in_requests_of_at_most_1000(  # type: ignore[no-untyped-def]
    course, fake_sendgrid, run_tick
):
    organisation = OrganisationFactory.create()
    enrolments = enrol_many(course, organisation, 2345, start=dt.date(2027, 3, 1))
    paused = enrol(course, organisation=organisation, start=dt.date(2027, 3, 1))
    Enrolment.objects.filter(pk=paused.pk).update(status=Enrolment.Status.PAUSED)

    run_tick(MONDAY)

    sizes = sorted(len(r.body["personalizations"]) for r in fake_sendgrid.accepted)
    assert sizes == [345, 1000, 1000]
    delivery_ids = {int(args["delivery_id"]) for args in fake_sendgrid.custom_args()}
    assert delivery_ids == set(Delivery.objects.values_list("pk", flat=True))
    assert len(delivery_ids) == len(enrolments)
    assert Delivery.objects.filter(status=Delivery.Status.SENT, position=1).count() == len(enrolments)
    assert {r.body["subject"] for r in fake_sendgrid.accepted} == {"Les 1 · Les nummer 1"}

    run_tick(MONDAY)
    assert len(fake_sendgrid.requests) == 3

    run_tick(WEDNESDAY)
    assert len(fake_sendgrid.accepted) == 6
    assert {r.body["subject"] for r in fake_sendgrid.accepted[3:]} == {"Les 2 · Les nummer 2"}


def test_each_personalization_carries_its_own_links_name_and_unsubscribe_header(  # type: ignore[no-untyped-def]
    course, fake_sendgrid, run_tick
):
    enrol(course, start=dt.date(2027, 3, 1))
    enrol(course, start=dt.date(2027, 3, 1))
    run_tick(MONDAY)

    (request,) = fake_sendgrid.accepted
    first, second = request.body["personalizations"]
    assert first["substitutions"]["__dr_token__"] != second["substitutions"]["__dr_token__"]
    for item in (first, second):
        token = item["substitutions"]["__dr_token__"]
        assert item["headers"]["List-Unsubscribe"] == f"<http://testserver/l/{token}/unsubscribe/>"
    assert request.body["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = next(c["value"] for c in request.body["content"] if c["type"] == "text/html")
    assert "/l/__dr_token__/answer/2/" in html
    assert "/l/__dr_token__/thread/" in html
    assert 'style="' in html  # CSS is inlined
    assert "Samenvatting 1" in html  # the preheader


def test_429_and_5xx_are_retried_until_sent_once(course, fake_sendgrid, run_tick):  # type: ignore[no-untyped-def]
    enrol(course, start=dt.date(2027, 3, 1))
    fake_sendgrid.script(429, 500, 503)

    run_tick(MONDAY)

    assert [r.status for r in fake_sendgrid.requests] == [429, 500, 503, 202]
    batch = SendBatch.objects.get()
    assert batch.status == SendBatch.Status.SENT
    assert batch.attempts == 4
    assert batch.message_id == fake_sendgrid.accepted[0].message_id
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_a_400_is_isolated_to_the_bad_address(course, fake_sendgrid, run_tick):  # type: ignore[no-untyped-def]
    enrolments = [enrol(course, start=dt.date(2027, 3, 1)) for _ in range(10)]
    bad = enrolments[6].membership.user.email
    fake_sendgrid.reject_recipients({bad})

    run_tick(MONDAY)

    accepted = [p["to"][0]["email"] for p in fake_sendgrid.personalizations()]
    assert sorted(accepted) == sorted(e.membership.user.email for e in enrolments if e.membership.user.email != bad)
    assert len(accepted) == len(set(accepted)) == 9
    failed = Delivery.objects.get(status=Delivery.Status.FAILED)
    assert failed.enrolment_id == enrolments[6].pk
    assert "valid address" in failed.error
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 9


def test_a_413_splits_the_batch_and_sends_everything(course, fake_sendgrid, run_tick):  # type: ignore[no-untyped-def]
    for _ in range(4):
        enrol(course, start=dt.date(2027, 3, 1))
    fake_sendgrid.script(413)
    run_tick(MONDAY)
    assert [len(r.body["personalizations"]) for r in fake_sendgrid.accepted] == [2, 2]
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 4


def test_a_timeout_leaves_the_batch_unknown_and_unsent(course, fake_sendgrid, run_tick, settings):  # type: ignore[no-untyped-def]
    settings.SENDGRID_TIMEOUT = 0.3
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    fake_sendgrid.script(fake_sendgrid.hang(1.0))

    run_tick(MONDAY)
    batch = SendBatch.objects.get()
    assert batch.status == SendBatch.Status.UNKNOWN
    assert Delivery.objects.get().status == Delivery.Status.UNKNOWN

    # Later ticks, even well past the requeue delay, do not resend it blindly.
    settings.DRIP_REQUEUE_AFTER_SECONDS = 0
    run_tick(MONDAY)
    run_tick("2027-03-01T09:30:00+01:00")
    assert len(fake_sendgrid.requests) == 1
    assert Delivery.objects.filter(enrolment=enrolment).count() == 1


def test_refused_credentials_release_the_batch_for_later(course, fake_sendgrid, run_tick):  # type: ignore[no-untyped-def]
    enrol(course, start=dt.date(2027, 3, 1))
    fake_sendgrid.script(401)
    run_tick(MONDAY)
    batch = SendBatch.objects.get()
    assert batch.status == SendBatch.Status.QUEUED
    assert "401" in batch.error
    assert Delivery.objects.get().status == Delivery.Status.QUEUED


def test_a_connection_refused_is_retried_and_then_waits_for_the_tick(course, run_tick, settings):  # type: ignore[no-untyped-def]
    settings.SENDGRID_API_KEY = "SG.test"
    settings.SENDGRID_API_HOST = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.DRIP_SEND_MAX_RETRIES = 2
    enrol(course, start=dt.date(2027, 3, 1))
    run_tick(MONDAY)
    batch = SendBatch.objects.get()
    # Still refused after the retries: the batch waits, recorded as waiting (not in flight),
    # for a later tick to dispatch it again; nothing lost, nothing in flight.
    assert batch.status == SendBatch.Status.WAITING
    assert batch.retry_at is not None
    assert batch.attempt_started_at is None
    assert batch.attempts == 3
    assert "connection failed" in batch.error
    assert list(batch.send_attempts.values_list("outcome", flat=True)) == ["retry"] * 3


def test_a_lost_broker_message_is_dispatched_again_by_the_next_tick(course, fake_sendgrid, settings):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from drip.sending import batch_send
    from drip.tick import drip_tick

    enrol(course, start=dt.date(2027, 3, 1))
    dropped: list[int] = []
    drip_tick(now=dt.datetime.fromisoformat(MONDAY), dispatch=dropped.append)  # broker "loses" it
    assert SendBatch.objects.get().status == SendBatch.Status.QUEUED
    settings.DRIP_REQUEUE_AFTER_SECONDS = 0
    report = drip_tick(now=timezone.now(), dispatch=lambda batch_id: None)
    assert report.requeued == [SendBatch.objects.get().pk]

    batch_send(batch_id=report.requeued[0], dispatch=lambda batch_id: None)
    assert len(fake_sendgrid.accepted) == 1


def test_each_recipient_gets_their_own_organisations_group_link(course, fake_sendgrid, run_tick):  # type: ignore[no-untyped-def]
    with_link, without_link = OrganisationFactory.create(), OrganisationFactory.create()
    Offering.objects.create(
        organisation=with_link,
        course=course,
        start_date=dt.date(2027, 3, 1),
        external_group_url="https://teams.example/g?a=1&b=2",
    )
    enrol(course, organisation=with_link, start=dt.date(2027, 3, 1))
    enrol(course, organisation=without_link, start=dt.date(2027, 3, 1))

    run_tick(MONDAY)

    (request,) = fake_sendgrid.accepted
    first, second = request.body["personalizations"]
    assert 'href="https://teams.example/g?a=1&amp;b=2"' in first["substitutions"]["__dr_group_html__"]
    assert first["substitutions"]["__dr_group_text__"].endswith("https://teams.example/g?a=1&b=2\n")
    assert second["substitutions"]["__dr_group_html__"] == ""
    html = next(c["value"] for c in request.body["content"] if c["type"] == "text/html")
    assert "__dr_group_html__" in html

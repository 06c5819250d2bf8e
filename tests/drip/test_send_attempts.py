"""The send path is honest about attempts: recorded before a request leaves, cleared only by a
definite answer, and never repeated while one is unaccounted for."""

import datetime as dt
import json
import time
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from drip import batches
from drip.sending import Outcome, batch_send
from drip.tick import drip_tick
from lessons.models import Delivery, SendAttempt, SendBatch
from tests.factories import CourseFactory, OrganisationFactory, enrol_many, make_lessons
from tests.fake_sendgrid import Response
from tests.sendgrid_events import SigningKey, events_for

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime.fromisoformat("2027-03-01T08:30:00+01:00")


@pytest.fixture
def planned():  # type: ignore[no-untyped-def]
    """One batch of 5 planned and not yet sent (the broker "lost" its message)."""
    course = CourseFactory.create()
    make_lessons(course, 2)
    enrol_many(course, OrganisationFactory.create(), 5, start=MONDAY.date())
    dropped: list[int] = []
    drip_tick(now=MONDAY, dispatch=dropped.append)
    return SendBatch.objects.get()


def test_a_sent_batch_records_one_accepted_attempt_and_clears_it(planned, fake_sendgrid):  # type: ignore[no-untyped-def]
    assert batch_send(batch_id=planned.pk, dispatch=lambda _: None).outcome is Outcome.SENT
    planned.refresh_from_db()
    assert planned.status == SendBatch.Status.SENT
    assert planned.attempt_started_at is None
    attempt = SendAttempt.objects.get()
    assert (attempt.outcome, attempt.status_code, attempt.recipients) == ("accepted", 202, 5)
    assert attempt.finished_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_attempt_is_committed_before_the_request_leaves(planned, fake_sendgrid):  # type: ignore[no-untyped-def]
    seen: list[tuple] = []

    def at_sendgrid(record) -> None:  # type: ignore[no-untyped-def]
        batch = SendBatch.objects.get()
        seen.append((batch.status, batch.attempt_started_at is not None, SendAttempt.objects.get().outcome))

    fake_sendgrid.add_received_hook(at_sendgrid)
    batch_send(batch_id=planned.pk, dispatch=lambda _: None)
    assert seen == [(SendBatch.Status.SENDING, True, "")]


def test_a_task_that_finds_an_unfinished_attempt_does_not_send_and_goes_to_reconciliation(  # type: ignore[no-untyped-def]
    planned, fake_sendgrid
):
    """A pool process died mid-request; its message comes back (task_reject_on_worker_lost)."""
    now = timezone.now()
    assert batches.batch_claim(batch_id=planned.pk, token=uuid.uuid4(), now=now) is batches.Claim.CLAIMED
    planned.refresh_from_db()
    holder = planned.claim_token
    assert batches.attempt_start(batch=planned, token=holder, recipients=5, now=now)

    report = batch_send(batch_id=planned.pk, dispatch=lambda _: None)

    assert report.outcome is Outcome.UNKNOWN
    assert fake_sendgrid.requests == []
    planned.refresh_from_db()
    assert planned.status == SendBatch.Status.UNKNOWN
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.UNKNOWN}
    # The holder's own answer still counts, if it comes.
    assert SendAttempt.objects.get().outcome == SendAttempt.Outcome.UNKNOWN
    batches.batch_sent(batch_id=planned.pk, token=holder, message_id="late-202", now=timezone.now())
    planned.refresh_from_db()
    assert (planned.status, planned.message_id) == (SendBatch.Status.SENT, "late-202")
    assert SendAttempt.objects.get().outcome == SendAttempt.Outcome.ACCEPTED


def test_a_holder_that_died_before_its_attempt_is_taken_over_after_the_prepare_lease(  # type: ignore[no-untyped-def]
    planned, fake_sendgrid, settings
):
    settings.DRIP_PREPARE_LEASE_SECONDS = 60
    claimed_at = timezone.now() - dt.timedelta(seconds=30)
    assert batches.batch_claim(batch_id=planned.pk, token=uuid.uuid4(), now=claimed_at) is batches.Claim.CLAIMED
    assert batch_send(batch_id=planned.pk, dispatch=lambda _: None).outcome is Outcome.SKIPPED
    SendBatch.objects.update(claimed_at=timezone.now() - dt.timedelta(seconds=61))
    assert batch_send(batch_id=planned.pk, dispatch=lambda _: None).outcome is Outcome.SENT
    assert len(fake_sendgrid.accepted) == 1


def test_a_429_writes_a_waiting_batch_with_its_retry_time_not_one_in_flight(planned, fake_sendgrid):  # type: ignore[no-untyped-def]
    fake_sendgrid.script(Response(status=429, headers={"Retry-After": "30"}))
    report = batch_send(batch_id=planned.pk, dispatch=lambda _: None)
    assert report.outcome is Outcome.WAITING
    assert report.retry_in >= 30
    planned.refresh_from_db()
    assert planned.status == SendBatch.Status.WAITING
    assert planned.attempt_started_at is None
    assert planned.retry_at is not None
    assert planned.retry_at >= timezone.now() + dt.timedelta(seconds=29)
    # Not due yet: a duplicate message finds it taken, and sends nothing.
    assert batch_send(batch_id=planned.pk, dispatch=lambda _: None).outcome is Outcome.SKIPPED
    assert len(fake_sendgrid.requests) == 1
    SendBatch.objects.update(retry_at=timezone.now())
    assert batch_send(batch_id=planned.pk, dispatch=lambda _: None).outcome is Outcome.SENT
    assert list(SendAttempt.objects.order_by("number").values_list("outcome", flat=True)) == ["retry", "accepted"]


@pytest.mark.django_db(transaction=True)
def test_an_event_while_the_request_hangs_proves_the_batch_sent_and_the_timeout_does_not_undo_it(  # type: ignore[no-untyped-def]
    planned, fake_sendgrid, settings
):
    key = SigningKey.generate()
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = key.public
    settings.SENDGRID_TIMEOUT = 0.5
    statuses: list[int] = []

    def processed(record) -> None:  # type: ignore[no-untyped-def]
        body = json.dumps(events_for(record, "processed")).encode()
        response = Client().post(
            "/webhooks/sendgrid/", body, content_type="application/json", headers=key.headers(body)
        )
        statuses.append(response.status_code)

    fake_sendgrid.add_received_hook(processed)
    fake_sendgrid.script(fake_sendgrid.hang(1.5))
    report = batch_send(batch_id=planned.pk, dispatch=lambda _: None)

    assert statuses == [200]
    assert report.outcome is Outcome.UNKNOWN  # the worker saw a timeout …
    planned.refresh_from_db()
    assert planned.status == SendBatch.Status.SENT  # … but the event had already settled it
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    fake_sendgrid.wait_for(1, timeout=5)
    assert batch_send(batch_id=planned.pk, dispatch=lambda _: None).outcome is Outcome.SKIPPED
    assert len(fake_sendgrid.requests) == 1


def test_a_bounce_that_arrived_first_is_not_overwritten_by_the_batch_outcome(planned, fake_sendgrid):  # type: ignore[no-untyped-def]
    bounced = Delivery.objects.order_by("pk").first()
    assert bounced is not None
    now = timezone.now()
    token = uuid.uuid4()
    assert batches.batch_claim(batch_id=planned.pk, token=token, now=now) is batches.Claim.CLAIMED
    planned.refresh_from_db()
    Delivery.objects.filter(pk=bounced.pk).update(status=Delivery.Status.FAILED, error="refused by the mailbox")
    batches.batch_sent(batch_id=planned.pk, token=token, message_id="m1", now=now)
    bounced.refresh_from_db()
    assert bounced.status == Delivery.Status.FAILED
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 4


def test_the_silent_resend_looks_at_recorded_events_first(planned, fake_sendgrid, settings):  # type: ignore[no-untyped-def]
    from mailer.models import ProviderEvent

    settings.DRIP_UNKNOWN_GRACE_SECONDS = 0
    delivery = Delivery.objects.order_by("pk").first()
    assert delivery is not None
    SendBatch.objects.update(status=SendBatch.Status.UNKNOWN, finished_at=timezone.now() - dt.timedelta(seconds=5))
    # An event recorded while the batch was still in flight, for instance.
    ProviderEvent.objects.create(
        event_id="ev-early", message_id="abc.filter.0", kind="processed", timestamp=int(time.time()),
        delivery_id=delivery.pk, received_at=timezone.now(),
    )  # fmt: skip
    report = drip_tick(now=timezone.now(), dispatch=lambda _: None)
    assert report.resent == []
    planned.refresh_from_db()
    assert (planned.status, planned.message_id) == (SendBatch.Status.SENT, "abc")
    assert fake_sendgrid.requests == []


def test_an_abandoned_claim_without_an_attempt_goes_back_to_the_queue_not_to_unknown(planned, settings):  # type: ignore[no-untyped-def]
    settings.DRIP_CLAIM_LEASE_SECONDS = 0
    batches.batch_claim(batch_id=planned.pk, token=uuid.uuid4(), now=timezone.now() - dt.timedelta(seconds=5))
    report = drip_tick(now=timezone.now(), dispatch=lambda _: None)
    assert report.requeued == [planned.pk]
    assert report.expired == []
    planned.refresh_from_db()
    assert planned.status == SendBatch.Status.QUEUED

"""A batch left unknown by a timeout is reconciled from events, or resent once after the grace period."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from lessons.models import Delivery, SendBatch
from tests.factories import CourseFactory, enrol, make_lessons
from tests.sendgrid_events import SigningKey, events_for

pytestmark = pytest.mark.django_db

MONDAY = "2027-03-01T08:30:00+01:00"


@pytest.fixture
def unknown_batch(fake_sendgrid, run_tick, settings):  # type: ignore[no-untyped-def]
    """SendGrid accepted the request, but answered after our timeout."""
    settings.SENDGRID_TIMEOUT = 0.3
    course = CourseFactory.create()
    make_lessons(course, 2)
    for _ in range(3):
        enrol(course, start=dt.date(2027, 3, 1))
    fake_sendgrid.script(fake_sendgrid.hang(0.8))
    run_tick(MONDAY)
    assert fake_sendgrid.wait_for(1, timeout=5)
    batch = SendBatch.objects.get()
    assert batch.status == SendBatch.Status.UNKNOWN
    return batch


def later_tick(run_tick, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DRIP_UNKNOWN_GRACE_SECONDS = 0
    SendBatch.objects.update(finished_at=timezone.now() - dt.timedelta(seconds=1))
    run_tick(MONDAY)


def test_a_delivered_event_reconciles_an_unknown_batch_to_sent_and_it_is_never_resent(  # type: ignore[no-untyped-def]
    unknown_batch, fake_sendgrid, run_tick, settings
):
    key = SigningKey.generate()
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = key.public
    delivered = events_for(fake_sendgrid.accepted[0], "processed")[:1]
    body = json.dumps(delivered).encode()
    response = Client().post("/webhooks/sendgrid/", body, content_type="application/json", headers=key.headers(body))
    assert response.json()["reconciled_batches"] == [unknown_batch.pk]
    unknown_batch.refresh_from_db()
    assert unknown_batch.status == SendBatch.Status.SENT
    assert unknown_batch.message_id == fake_sendgrid.accepted[0].message_id
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}

    later_tick(run_tick, settings)
    assert len(fake_sendgrid.requests) == 1


def test_an_unknown_batch_without_any_event_is_resent_once_after_the_grace_period(  # type: ignore[no-untyped-def]
    unknown_batch, fake_sendgrid, run_tick, settings, caplog
):
    run_tick(MONDAY)
    assert len(fake_sendgrid.requests) == 1  # within the grace period: wait

    later_tick(run_tick, settings)
    assert len(fake_sendgrid.requests) == 2
    unknown_batch.refresh_from_db()
    assert unknown_batch.status == SendBatch.Status.SENT
    assert unknown_batch.resent_at is not None
    assert "resending 1 unknown batches once" in caplog.text

    # Had the resend also timed out, it would not be resent a second time.
    SendBatch.objects.update(status=SendBatch.Status.UNKNOWN)
    later_tick(run_tick, settings)
    assert len(fake_sendgrid.requests) == 2

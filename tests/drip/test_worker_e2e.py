"""End to end with a real Celery worker on the configured broker (file system or Redis)."""

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from drip.tasks import drip_tick
from druppel.celery import app as celery_app
from lessons.models import Delivery, SendBatch
from tests.factories import CourseFactory, OrganisationFactory, enrol_many, make_lessons

MONDAY = "2027-03-01T08:30:00+01:00"


def wait_until(predicate, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def worker():  # type: ignore[no-untyped-def]
    celery_app.control.purge()
    queues = ["default", "drip", "send", "digest"]
    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=queues, shutdown_timeout=30) as w:
        yield w


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_beat_tick_and_sends_through_the_sdk(fake_sendgrid, worker):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 2)
    enrolments = enrol_many(course, OrganisationFactory.create(), 1500, start=dt.date(2027, 3, 1))

    # Exactly the message beat publishes every minute (with a fixed moment).
    drip_tick.delay(at=MONDAY)

    assert fake_sendgrid.wait_for(2, timeout=30), f"fake SendGrid got {len(fake_sendgrid.requests)} requests"
    assert wait_until(lambda: not SendBatch.objects.exclude(status=SendBatch.Status.SENT).exists())
    assert sorted(len(r.body["personalizations"]) for r in fake_sendgrid.accepted) == [500, 1000]
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == len(enrolments)
    assert all(r.headers["authorization"] == "Bearer SG.test-key" for r in fake_sendgrid.accepted)


def test_beat_ticks_every_minute_on_the_drip_queue():
    entry = settings.CELERY_BEAT_SCHEDULE["drip-tick"]
    assert entry["task"] == drip_tick.name
    assert entry["schedule"] == 60.0
    assert settings.CELERY_TASK_ROUTES[drip_tick.name] == {"queue": "drip"}

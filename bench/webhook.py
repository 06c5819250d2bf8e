"""Benchmark: one SendGrid webhook request of 1,000 events (delivered + open for 500 deliveries)."""

import datetime as dt
import json
import secrets
import statistics
import time

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bench.noise import REPEATS, repeat
from courses.models import Course, Enrolment
from lessons.models import Delivery, Lesson, LessonVersion, Module, SendBatch
from organisations.models import Membership, Organisation
from tests.sendgrid_events import SigningKey

GOAL_MS = 200
PER_REQUEST = 500  # deliveries per request: one delivered and one open event each


def _deliveries(count: int) -> list[int]:
    """``count`` sent deliveries of one lesson, built with bulk inserts."""
    course = Course.objects.create(title="Webhook bench", slug="webhook-bench")
    module = Module.objects.create(course=course, position=1, slug="module-1", title="Module 1")
    lesson = Lesson.objects.create(course=course, module=module, order=1, position=1, slug="les-1")
    version = LessonVersion.objects.create(
        lesson=lesson, number=1, title="Les 1", body_markdown="x", body_html="<p>x</p>", checksum="x"
    )
    organisation = Organisation.objects.create(name="Webhook bench", slug="webhook-bench")
    users = User.objects.bulk_create([User(email=f"hook{i}@bench.example") for i in range(count)])
    members = Membership.objects.bulk_create([Membership(organisation=organisation, user=u) for u in users])
    today = timezone.localdate()
    enrolments = Enrolment.objects.bulk_create(
        [Enrolment(membership=m, course=course, start_date=today, next_position=2) for m in members]
    )
    now = timezone.now()
    batch = SendBatch.objects.create(
        version=version, status=SendBatch.Status.SENT, size=count, created_at=now, queued_at=now
    )
    rows = [
        Delivery(
            enrolment=e,
            lesson=lesson,
            version=version,
            batch=batch,
            position=1,
            status=Delivery.Status.SENT,
            created_at=now,
            sent_at=now,
        )
        for e in enrolments
    ]
    return [d.pk for d in Delivery.objects.bulk_create(rows)]


def _events(delivery_ids: list[int]) -> bytes:
    """SendGrid-shaped: random event ids (22 url-safe characters) and one message id per request, so the
    duplicate check probes the unique index at random places, as real ids do."""
    stamp, message = int(time.time()), secrets.token_urlsafe(16)
    events = [
        {
            "email": f"hook{pk}@bench.example",
            "timestamp": stamp,
            "event": kind,
            "sg_event_id": secrets.token_urlsafe(16)[:22],
            "sg_message_id": f"{message}.recvd-5f7c8d9b6-x2kqp-1-{n}-0",
            "delivery_id": str(pk),
        }
        for n, pk in enumerate(delivery_ids)
        for kind in ("delivered", "open")
    ]
    return json.dumps(events).encode()


def _post(client: Client, key: SigningKey, ids: list[int]) -> tuple[float, int]:
    body = _events(ids)
    headers = key.headers(body)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.post(reverse("sendgrid_events"), body, content_type="application/json", headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.content
    assert response.json()["applied"] == 2 * len(ids)
    return elapsed, len(queries)


def _round(client: Client, key: SigningKey, ids: list[int], rounds: int) -> dict:
    """Two warm-up requests (connections, caches), then ``rounds`` timed ones, each for fresh deliveries."""
    samples, query_count = [], 0
    for n in range(rounds + 2):
        elapsed, query_count = _post(client, key, ids[n * PER_REQUEST : (n + 1) * PER_REQUEST])
        if n >= 2:
            samples.append(elapsed)
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(sorted(samples)[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))], 1),
        "queries": query_count,
    }


def run_webhook_benchmark(*, rounds: int, repeats: int = REPEATS) -> dict[str, dict]:
    """Median and p95 of ``rounds`` requests, ``repeats`` times, each with fresh events for fresh deliveries."""
    call_command("migrate", verbosity=0)
    key = SigningKey.generate()
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = key.public
    per_repeat = PER_REQUEST * (rounds + 2)
    ids = _deliveries(per_repeat * repeats)
    client = Client()
    chunks = iter(ids[n * per_repeat : (n + 1) * per_repeat] for n in range(repeats))
    result = repeat(lambda: _round(client, key, next(chunks), rounds), repeats, ("median_ms", "p95_ms"))
    return {
        "webhook_1000_events": {
            **result,
            "requests": rounds,
            "events_per_request": 2 * PER_REQUEST,
            "goal_ms": GOAL_MS,
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
    }

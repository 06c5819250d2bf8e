"""/healthz reports the database, the broker, beat, the send queue and SendGrid's error rate,
each read for real, and answers 503 naming what is bad."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from drip.health import DRIP_TICK, heartbeat_touch
from druppel.celery import app as celery_app
from lessons.models import Heartbeat, LessonVersion, SendAttempt, SendBatch
from tests.factories import CourseFactory, make_lessons

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1 of the loopback


def ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def healthz(query: str = ""):  # type: ignore[no-untyped-def]
    response = Client().get(f"/healthz{query}")
    return response.status_code, response.json()


@pytest.fixture
def ticking(db) -> None:  # type: ignore[no-untyped-def]
    """Beat is alive: the tick ran a moment ago."""
    heartbeat_touch(DRIP_TICK, ago(seconds=20))


@pytest.fixture
def version(db) -> LessonVersion:  # type: ignore[no-untyped-def]
    lesson = make_lessons(CourseFactory.create(), 1)[0]
    assert lesson.current_version is not None
    return lesson.current_version


def batch(version: LessonVersion, status: str, *, queued: dt.datetime, retry: dt.datetime | None = None) -> SendBatch:
    return SendBatch.objects.create(
        version=version, status=status, size=1, created_at=queued, queued_at=queued, retry_at=retry
    )


def attempts(version: LessonVersion, outcomes: list[str], *, started: dt.datetime, finished: bool = True) -> None:
    parent = batch(version, SendBatch.Status.SENT, queued=started)
    SendAttempt.objects.bulk_create(
        SendAttempt(
            batch=parent,
            number=number,
            token=uuid.uuid4(),
            recipients=1,
            started_at=started,
            finished_at=started + dt.timedelta(seconds=1) if finished else None,
            outcome=outcome if finished else "",
        )
        for number, outcome in enumerate(outcomes, start=1)
    )


def test_all_is_well_in_a_few_queries(ticking, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    # SELECT 1, the heartbeat, the oldest send, the attempts of the window.
    with django_assert_max_num_queries(4):
        status, body = healthz()
    assert status == 200
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "broker", "beat", "send_queue", "sendgrid"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["beat"]["age_seconds"] < 60
    assert body["checks"]["broker"]["transport"] in ("filesystem", "redis")


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_is_a_503_and_the_checks_that_read_it_are_skipped():
    heartbeat_touch(DRIP_TICK, ago(seconds=20))
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/druppel.sqlite3"
    else:
        connection.settings_dict["NAME"] = "druppel_no_such_database"
    try:
        status, body = healthz()
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert status == 503
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["beat"] == {"ok": None, "skipped": "database unreachable"}
    assert Heartbeat.objects.get(name=DRIP_TICK)  # and the real database is back


def test_an_unreachable_broker_is_a_503_within_the_timeout(ticking, monkeypatch, settings):  # type: ignore[no-untyped-def]
    settings.HEALTH_BROKER_TIMEOUT_SECONDS = 1.0
    monkeypatch.setattr(celery_app.conf, "broker_write_url", CLOSED_PORT)
    started = timezone.now()
    status, body = healthz()
    assert (timezone.now() - started).total_seconds() < 5
    assert status == 503
    assert body["failing"] == ["broker"]
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["error"]


def test_beat_that_never_ticked_is_a_503(db):  # type: ignore[no-untyped-def]
    status, body = healthz()
    assert status == 503
    assert body["failing"] == ["beat"]
    assert body["checks"]["beat"]["last_tick"] is None


def test_a_tick_older_than_five_minutes_is_a_503_and_a_new_tick_clears_it(db):  # type: ignore[no-untyped-def]
    heartbeat_touch(DRIP_TICK, ago(minutes=6))
    status, body = healthz()
    assert status == 503
    assert body["failing"] == ["beat"]
    assert 355 <= body["checks"]["beat"]["age_seconds"] <= 370
    assert body["checks"]["beat"]["stale_after_seconds"] == 300
    heartbeat_touch(DRIP_TICK, timezone.now())
    assert healthz()[0] == 200
    assert Heartbeat.objects.count() == 1


def test_a_batch_queued_for_more_than_fifteen_minutes_is_a_503(ticking, version):  # type: ignore[no-untyped-def]
    batch(version, SendBatch.Status.QUEUED, queued=ago(minutes=10))
    assert healthz()[0] == 200
    batch(version, SendBatch.Status.QUEUED, queued=ago(minutes=20))
    status, body = healthz()
    assert status == 503
    assert body["failing"] == ["send_queue"]
    assert 1195 <= body["checks"]["send_queue"]["oldest_age_seconds"] <= 1210


def test_a_retry_overdue_by_fifteen_minutes_is_a_503_but_one_not_yet_due_is_fine(ticking, version):  # type: ignore[no-untyped-def]
    # Queued long ago, retrying after a 429 in five minutes: waiting as it should.
    waiting = batch(version, SendBatch.Status.WAITING, queued=ago(hours=2), retry=ago(minutes=-5))
    status, body = healthz()
    assert status == 200
    assert body["checks"]["send_queue"]["oldest_age_seconds"] == 0
    SendBatch.objects.filter(pk=waiting.pk).update(retry_at=ago(minutes=16))
    status, body = healthz()
    assert status == 503
    assert body["failing"] == ["send_queue"]


def test_batches_that_are_sent_or_in_flight_do_not_count_as_waiting(ticking, version):  # type: ignore[no-untyped-def]
    for status in (SendBatch.Status.SENT, SendBatch.Status.SENDING, SendBatch.Status.UNKNOWN, SendBatch.Status.FAILED):
        batch(version, status, queued=ago(hours=3))
    assert healthz()[0] == 200


def test_more_than_half_of_the_last_fifteen_minutes_requests_failing_is_a_503(ticking, version):  # type: ignore[no-untyped-def]
    outcomes = SendAttempt.Outcome
    attempts(version, [outcomes.ACCEPTED, outcomes.ACCEPTED, outcomes.RETRY, outcomes.UNKNOWN], started=ago(minutes=5))
    status, body = healthz()
    assert status == 200  # 2 of 4 is not over half, and 4 attempts are too few anyway
    attempts(version, [outcomes.REJECTED], started=ago(minutes=3))
    status, body = healthz()
    assert status == 503
    assert body["failing"] == ["sendgrid"]
    assert body["checks"]["sendgrid"] == {
        "ok": False,
        "attempts": 5,
        "errors": 3,
        "error_rate": 0.6,
        "window_seconds": 900,
        "max_error_rate": 0.5,
        "min_attempts": 5,
    }


def test_failures_outside_the_window_or_without_an_answer_yet_do_not_count(ticking, version):  # type: ignore[no-untyped-def]
    outcomes = SendAttempt.Outcome
    attempts(version, [outcomes.REFUSED] * 10, started=ago(minutes=20))
    attempts(version, [outcomes.RETRY] * 10, started=ago(minutes=1), finished=False)
    attempts(version, [outcomes.ACCEPTED] * 5, started=ago(minutes=2))
    attempts(version, [outcomes.RETRY] * 4, started=ago(minutes=2))
    status, body = healthz()
    assert status == 200
    assert (body["checks"]["sendgrid"]["attempts"], body["checks"]["sendgrid"]["errors"]) == (9, 4)


def test_four_failures_of_four_attempts_are_too_few_to_judge(ticking, version):  # type: ignore[no-untyped-def]
    attempts(version, [SendAttempt.Outcome.RETRY] * 4, started=ago(minutes=1))
    assert healthz()[0] == 200


def test_a_load_balancer_can_ask_for_the_database_alone(db):  # type: ignore[no-untyped-def]
    # Beat has never ticked, yet the web node itself is fine.
    status, body = healthz("?check=database")
    assert status == 200
    assert list(body["checks"]) == ["database"]
    assert healthz("?check=database,beat")[0] == 503
    status, body = healthz("?check=databse")
    assert status == 400
    assert body["error"] == "unknown check: databse"


def test_the_thresholds_are_settings(ticking, version, settings):  # type: ignore[no-untyped-def]
    heartbeat_touch(DRIP_TICK, ago(minutes=2))
    settings.HEALTH_BEAT_STALE_SECONDS = 60
    assert healthz()[1]["failing"] == ["beat"]

"""How the running system is doing, for /healthz: the database, the broker, beat, the send queue, SendGrid.

Each check is one cheap read (an indexed query, or one broker round trip with a
short timeout) and says what it saw, so a monitor's alert names the problem. The
write side is ``heartbeat_touch``: the drip tick calls it, and ``beat`` reports
how long ago that was.
"""

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from celery import current_app as celery_app
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Min, Q

from lessons.models import Heartbeat, SendAttempt, SendBatch

DRIP_TICK = "drip_tick"
ERROR_OUTCOMES = [
    SendAttempt.Outcome.RETRY,
    SendAttempt.Outcome.REJECTED,
    SendAttempt.Outcome.REFUSED,
    SendAttempt.Outcome.UNKNOWN,
]


@dataclass(frozen=True)
class CheckResult:
    ok: bool | None  # None: not evaluated (the database it reads is down)
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Health:
    checks: dict[str, CheckResult]

    @property
    def failing(self) -> list[str]:
        return [name for name, result in self.checks.items() if result.ok is False]

    @property
    def ok(self) -> bool:
        return not self.failing

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "error",
            "failing": self.failing,
            "checks": {name: {"ok": result.ok, **result.detail} for name, result in self.checks.items()},
        }


def heartbeat_touch(name: str, at: dt.datetime) -> None:
    """Record that the periodic job ``name`` ran at ``at`` (the wall clock, not a moment a
    ``drip_tick --at`` pretends, or /healthz reports that moment's age)."""
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, beat_at=at)], update_conflicts=True, unique_fields=["name"], update_fields=["beat_at"]
    )


def _seconds(delta: dt.timedelta) -> int:
    return max(0, round(delta.total_seconds()))


def check_database() -> CheckResult:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return CheckResult(False, {"error": type(exc).__name__})
    return CheckResult(True)


def check_broker() -> CheckResult:
    """One connection to the broker, given up after about BROKER_TIMEOUT seconds."""
    timeout = settings.HEALTH_BROKER_TIMEOUT_SECONDS
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    try:
        with celery_app.connection_for_write(connect_timeout=timeout, transport_options=options) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=math.ceil(timeout))
            transport = conn.transport_cls
    except Exception as exc:  # noqa: BLE001 - whatever the transport raises, the broker is unreachable
        return CheckResult(False, {"error": type(exc).__name__})
    return CheckResult(True, {"transport": transport})


def check_beat(now: dt.datetime) -> CheckResult:
    stale_after = settings.HEALTH_BEAT_STALE_SECONDS
    beat_at = Heartbeat.objects.filter(name=DRIP_TICK).values_list("beat_at", flat=True).first()
    if beat_at is None:
        return CheckResult(False, {"last_tick": None, "stale_after_seconds": stale_after})
    age = _seconds(now - beat_at)
    detail = {"last_tick": beat_at.isoformat(), "age_seconds": age, "stale_after_seconds": stale_after}
    return CheckResult(age <= stale_after, detail)


def check_send_queue(now: dt.datetime) -> CheckResult:
    """How long the oldest send has been waiting: a queued batch since it was queued, a
    batch waiting to retry since its retry fell due (before that it is not late)."""
    stale_after = settings.HEALTH_SEND_QUEUE_STALE_SECONDS
    oldest = SendBatch.objects.filter(status__in=[SendBatch.Status.QUEUED, SendBatch.Status.WAITING]).aggregate(
        queued=Min("queued_at", filter=Q(status=SendBatch.Status.QUEUED)),
        retry=Min("retry_at", filter=Q(status=SendBatch.Status.WAITING)),
    )
    ages = [_seconds(now - moment) for moment in oldest.values() if moment is not None]
    age = max(ages, default=0)
    return CheckResult(age <= stale_after, {"oldest_age_seconds": age, "stale_after_seconds": stale_after})


def check_sendgrid(now: dt.datetime) -> CheckResult:
    """The share of finished provider requests of the window that did not get a definite acceptance."""
    window = settings.HEALTH_SENDGRID_WINDOW_SECONDS
    counts = SendAttempt.objects.filter(
        started_at__gte=now - dt.timedelta(seconds=window), finished_at__isnull=False
    ).aggregate(attempts=Count("pk"), errors=Count("pk", filter=Q(outcome__in=ERROR_OUTCOMES)))
    attempts, errors = counts["attempts"], counts["errors"]
    rate = errors / attempts if attempts else 0.0
    bad = attempts >= settings.HEALTH_SENDGRID_MIN_ATTEMPTS and rate > settings.HEALTH_SENDGRID_MAX_ERROR_RATE
    detail = {
        "attempts": attempts,
        "errors": errors,
        "error_rate": round(rate, 3),
        "window_seconds": window,
        "max_error_rate": settings.HEALTH_SENDGRID_MAX_ERROR_RATE,
        "min_attempts": settings.HEALTH_SENDGRID_MIN_ATTEMPTS,
    }
    return CheckResult(not bad, detail)


_NEEDS_DATABASE: dict[str, Callable[[dt.datetime], CheckResult]] = {
    "beat": check_beat,
    "send_queue": check_send_queue,
    "sendgrid": check_sendgrid,
}
CHECKS = ("database", "broker", *_NEEDS_DATABASE)


def system_health(*, now: dt.datetime, only: list[str] | None = None) -> Health:
    """Run the named checks (all by default). With the database down, the checks that read it are skipped."""
    names = only or list(CHECKS)
    checks: dict[str, CheckResult] = {}
    database = check_database() if "database" in names or set(names) & set(_NEEDS_DATABASE) else None
    if "database" in names and database is not None:
        checks["database"] = database
    if "broker" in names:
        checks["broker"] = check_broker()
    for name, check in _NEEDS_DATABASE.items():
        if name not in names:
            continue
        if database is not None and not database.ok:
            # Reported as failing itself only when the database's own check is not in the answer.
            checks[name] = CheckResult(None if "database" in checks else False, {"skipped": "database unreachable"})
            continue
        try:
            checks[name] = check(now)
        except DatabaseError as exc:
            checks[name] = CheckResult(False, {"error": type(exc).__name__})
    return Health(checks)

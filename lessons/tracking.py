"""Apply SendGrid events to deliveries: delivered, opened, clicked, bounced, unsubscribed.

SendGrid delivers events at least once and in any order. Each event is applied
at most once: it is recorded (deduplicated by ``sg_event_id`` and by
(message id, event, timestamp)), the deliveries it names are locked, and every
change is "set if not yet set", so counters move exactly once per fact.

Any event for a delivery proves SendGrid accepted its request: a batch left
*unknown* by a timeout is reconciled to *sent* here (see docs/architecture.md).
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction

from courses.models import Enrolment
from druppel import sql
from lessons.models import Delivery, SendBatch
from lessons.notices import suspension_notify
from lessons.stats import enrolment_stats_add_many, lesson_stats_add
from mailer.models import ProviderEvent as EventRecord
from mailer.webhook import ProviderEvent

logger = logging.getLogger(__name__)

_HUMAN_OPEN = {"open", "click"}  # a click implies the mail was opened by a person


@dataclass
class EventReport:
    received: int
    applied: int = 0
    duplicates: int = 0
    unknown_delivery: int = 0
    reconciled_batches: list[int] = field(default_factory=list)
    suspended: int = 0
    unsubscribed: int = 0

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass(frozen=True)
class _Row:
    pk: int
    enrolment_id: int
    lesson_id: int
    organisation_id: int
    batch_id: int | None
    batch_status: str | None
    delivered_at: dt.datetime | None
    opened_at: dt.datetime | None
    machine_opened_at: dt.datetime | None
    clicked_at: dt.datetime | None


@transaction.atomic
def events_apply(*, events: list[ProviderEvent], now: dt.datetime) -> EventReport:
    report = EventReport(received=len(events))
    fresh = _record_fresh(events, now)
    report.duplicates = len(events) - len(fresh)
    rows = _lock_deliveries({e.delivery_id for e in fresh if e.delivery_id is not None})
    known = [e for e in fresh if e.delivery_id in rows]
    report.unknown_delivery = len(fresh) - len(known)
    report.applied = len(known)
    report.reconciled_batches = _reconcile(known, rows, now)
    _stamp(known, rows, "delivered_at", lambda e: e.kind == "delivered")
    _stamp(known, rows, "machine_opened_at", lambda e: e.kind == "open" and e.machine_open)
    _stamp(known, rows, "clicked_at", lambda e: e.kind == "click")
    _record_opens(known, rows)
    _fail_deliveries(known, now)
    report.suspended = _suspend(known, rows, now)
    report.unsubscribed = _unsubscribe(known, rows, now)
    return report


def _record_fresh(events: list[ProviderEvent], now: dt.datetime) -> list[ProviderEvent]:
    """Drop events already applied (or repeated in this batch) and record the rest."""
    ids = {e.event_id for e in events if e.event_id}
    seen_ids = set(EventRecord.objects.filter(event_id__in=ids).values_list("event_id", flat=True))
    seen_shapes = set(
        EventRecord.objects.filter(message_id__in={e.message_id for e in events}).values_list(
            "message_id", "kind", "timestamp"
        )
    )
    fresh = []
    for event in events:
        shape = (event.message_id, event.kind, event.timestamp)
        if (event.event_id and event.event_id in seen_ids) or shape in seen_shapes:
            continue
        seen_ids.add(event.event_id)
        seen_shapes.add(shape)
        fresh.append(event)
    EventRecord.objects.bulk_create(
        [
            EventRecord(
                event_id=e.event_id,
                message_id=e.message_id,
                kind=e.kind,
                timestamp=e.timestamp,
                delivery_id=e.delivery_id,
                received_at=now,
            )
            for e in fresh
        ],
        ignore_conflicts=True,
    )
    return fresh


def _lock_deliveries(ids: set[int]) -> dict[int, _Row]:
    rows = (
        Delivery.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list(
            "pk",
            "enrolment_id",
            "lesson_id",
            "enrolment__membership__organisation_id",
            "batch_id",
            "batch__status",
            "delivered_at",
            "opened_at",
            "machine_opened_at",
            "clicked_at",
        )
    )
    return {row[0]: _Row(*row) for row in rows}


def _pk(event: ProviderEvent) -> int:
    """The delivery of an event already matched to one (events_apply drops the others)."""
    assert event.delivery_id is not None
    return event.delivery_id


def _at(event: ProviderEvent) -> dt.datetime:
    return dt.datetime.fromtimestamp(event.timestamp, tz=dt.UTC)


def _reconcile(events: list[ProviderEvent], rows: dict[int, _Row], now: dt.datetime) -> list[int]:
    """An unknown batch with any event was accepted by SendGrid: it is sent, not to be resent."""
    evidence: dict[int, ProviderEvent] = {}
    for event in events:
        row = rows[_pk(event)]
        if row.batch_status == SendBatch.Status.UNKNOWN and row.batch_id is not None:
            evidence.setdefault(row.batch_id, event)
    for batch_id, event in evidence.items():
        SendBatch.objects.filter(pk=batch_id, status=SendBatch.Status.UNKNOWN).update(
            status=SendBatch.Status.SENT, message_id=event.message_id.split(".")[0], error=""
        )
        Delivery.objects.filter(batch_id=batch_id, status=Delivery.Status.UNKNOWN).update(
            status=Delivery.Status.SENT, sent_at=_at(event), message_id=event.message_id.split(".")[0]
        )
        logger.info("batch %s reconciled to sent from a %s event", batch_id, event.kind)
    return sorted(evidence)


def _first_times(events: list[ProviderEvent], wanted: Callable[[ProviderEvent], bool]) -> dict[int, dt.datetime]:
    first: dict[int, dt.datetime] = {}
    for event in events:
        if wanted(event):
            at = _at(event)
            first[_pk(event)] = min(at, first.get(_pk(event), at))
    return first


def _stamp(
    events: list[ProviderEvent], rows: dict[int, _Row], name: str, wanted: Callable[[ProviderEvent], bool]
) -> list[int]:
    """Set a timestamp where it is still empty; returns the deliveries that changed."""
    first = {pk: at for pk, at in _first_times(events, wanted).items() if getattr(rows[pk], name) is None}
    _set_where_empty(name, first)
    return list(first)


def _set_where_empty(name: str, values: dict[int, dt.datetime]) -> None:
    """One UPDATE … FROM (VALUES …) for every row, each with its own time.

    Django's bulk_update would build a CASE with a branch per row in Python,
    which costs more than the database work for a 1,000-event batch.
    PostgreSQL and SQLite (3.33+) both run this form.
    """
    if not values:
        return
    table, column = sql.table(Delivery), sql.column(Delivery, name)
    for start in range(0, len(values), 1000):
        chunk = list(values.items())[start : start + 1000]
        rows = ", ".join(["(%s, %s)"] * len(chunk))
        params = [p for pk, at in chunk for p in (pk, connection.ops.adapt_datetimefield_value(at))]
        # Only quoted names from model metadata are formatted in; every value is a parameter.
        statement = (
            f"WITH v(id, at) AS (VALUES {rows}) "  # noqa: S608
            f"UPDATE {table} SET {column} = v.at FROM v WHERE {table}.id = v.id AND {table}.{column} IS NULL"
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, params)


def _record_opens(events: list[ProviderEvent], rows: dict[int, _Row]) -> None:
    opened = _stamp(events, rows, "opened_at", lambda e: e.kind in _HUMAN_OPEN and not e.machine_open)
    lessons: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: {"opened": 0})
    for pk in opened:
        lessons[(rows[pk].organisation_id, rows[pk].lesson_id)]["opened"] += 1
    lesson_stats_add(increments=dict(lessons))
    enrolment_stats_add_many(increments={rows[pk].enrolment_id: {"opened": 1} for pk in opened})


def _fail_deliveries(events: list[ProviderEvent], now: dt.datetime) -> None:
    failed = {
        e.delivery_id for e in events if e.kind == "dropped" or (e.kind == "bounce" and e.bounce_type != "blocked")
    }
    if failed:
        Delivery.objects.filter(pk__in=failed).update(status=Delivery.Status.FAILED, error="refused by the mailbox")


def _suspend(events: list[ProviderEvent], rows: dict[int, _Row], now: dt.datetime) -> int:
    """A hard bounce or a spam report: stop mailing this person and tell their organisation."""
    hits = {
        rows[_pk(e)].enrolment_id
        for e in events
        if e.kind == "spamreport" or (e.kind == "bounce" and e.bounce_type != "blocked")
    }
    live = [Enrolment.Status.ACTIVE, Enrolment.Status.PAUSED]
    suspended = list(Enrolment.objects.filter(pk__in=hits, status__in=live).values_list("pk", flat=True))
    Enrolment.objects.filter(pk__in=suspended).update(status=Enrolment.Status.SUSPENDED, next_due_at=None)
    if suspended:
        transaction.on_commit(lambda: suspension_notify(enrolment_ids=suspended))
    return len(suspended)


def _unsubscribe(events: list[ProviderEvent], rows: dict[int, _Row], now: dt.datetime) -> int:
    hits = {rows[_pk(e)].enrolment_id for e in events if e.kind in {"unsubscribe", "group_unsubscribe"}}
    return Enrolment.objects.filter(
        pk__in=hits, status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.PAUSED, Enrolment.Status.SUSPENDED]
    ).update(status=Enrolment.Status.UNSUBSCRIBED, ended_at=now, next_due_at=None)

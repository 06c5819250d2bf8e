"""Apply SendGrid events to deliveries: delivered, opened, clicked, bounced, unsubscribed.

SendGrid delivers events at least once and in any order. Each event is applied
at most once: it is recorded (deduplicated by ``sg_event_id``; only an event
without one falls back to (message id, event, timestamp, delivery)), the
deliveries it names are locked, and every change is "set if not yet set", so
counters move exactly once per fact.

Any event for a delivery proves SendGrid accepted its request, whenever it
arrives: a batch still sending (the answer is slow), unknown (a timeout or a
dead worker) or waiting to be resent is reconciled to *sent* here, and never
sent again (docs/reliability.md).
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction

from core import sql
from courses.models import Enrolment
from drip.batches import batches_mark_sent
from drip.counters import enrolment_stats_add_many, lesson_stats_add
from drip.notices import suspension_notices_queue
from lessons.models import Delivery, SendBatch
from mailer.models import ProviderEvent as EventRecord
from mailer.models import Suppression
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
    delivered = _stamp(known, rows, "delivered_at", lambda e: e.kind == "delivered")
    _stamp(known, rows, "machine_opened_at", lambda e: e.kind == "open" and e.machine_open)
    _stamp(known, rows, "clicked_at", lambda e: e.kind == "click")
    _count_delivered_and_opened(known, rows, delivered)
    _fail_deliveries(known, now)
    _suppress(known, rows, now)
    report.suspended = _suspend(known, rows, now)
    report.unsubscribed = _unsubscribe(known, rows, now)
    return report


def _record_fresh(events: list[ProviderEvent], now: dt.datetime) -> list[ProviderEvent]:
    """Drop events already applied (or repeated in this batch) and record the rest."""
    ids = {e.event_id for e in events if e.event_id}
    # "event_id <> ''" repeats the unique index's condition: PostgreSQL matches a partial index to
    # an IN list of at most 100 values by itself, and beyond that scanned the whole table (7.2 s
    # for 1,000 ids on a year of events, 0.12 s with it; docs/performance.md).
    seen_ids = set(EventRecord.objects.filter(event_id__in=ids).exclude(event_id="").values_list("event_id", flat=True))
    anonymous = [e for e in events if not e.event_id]
    seen_shapes = (
        set(
            EventRecord.objects.filter(event_id="", message_id__in={e.message_id for e in anonymous}).values_list(
                "message_id", "kind", "timestamp", "delivery_id"
            )
        )
        if anonymous
        else set()
    )
    fresh = []
    for event in events:
        if event.event_id:
            if event.event_id in seen_ids:
                continue
            seen_ids.add(event.event_id)
        else:
            shape = (event.message_id, event.kind, event.timestamp, event.delivery_id)
            if shape in seen_shapes:
                continue
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


# A batch in any of these states may have been accepted: an event proves it was.
_UNPROVEN = {SendBatch.Status.QUEUED, SendBatch.Status.SENDING, SendBatch.Status.WAITING, SendBatch.Status.UNKNOWN}


def _reconcile(events: list[ProviderEvent], rows: dict[int, _Row], now: dt.datetime) -> list[int]:
    """A batch not yet known to be sent, with any event for one of its deliveries: sent, never resent."""
    evidence: dict[int, ProviderEvent] = {}
    for event in events:
        row = rows[_pk(event)]
        if row.batch_status in _UNPROVEN and row.batch_id is not None:
            evidence.setdefault(row.batch_id, event)
    if evidence:
        batches_mark_sent(
            batch_ids=sorted(evidence),
            message_ids={pk: event.message_id.split(".")[0] for pk, event in evidence.items()},
            sent_at={pk: _at(event) for pk, event in evidence.items()},
        )
    for batch_id, event in evidence.items():
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


def _count_delivered_and_opened(events: list[ProviderEvent], rows: dict[int, _Row], delivered: list[int]) -> None:
    """Human opens stamp ``opened_at``; each delivery newly delivered or opened counts once, in one
    statement for both (a machine open, Apple's privacy proxy, only stamps ``machine_opened_at``)."""
    opened = _stamp(events, rows, "opened_at", lambda e: e.kind in _HUMAN_OPEN and not e.machine_open)
    lessons: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: {"opened": 0, "delivered": 0})
    for name, pks in (("opened", opened), ("delivered", delivered)):
        for pk in pks:
            lessons[(rows[pk].organisation_id, rows[pk].lesson_id)][name] += 1
    lesson_stats_add(increments=dict(lessons))
    enrolment_stats_add_many(increments={rows[pk].enrolment_id: {"opened": 1} for pk in opened})


# A "dropped" with one of these reasons: SendGrid's own suppression lists hold the address,
# and it will drop every later mail to it without a word. Treated as the fact behind it.
_DROPPED_AS = {
    "Bounced Address": Suppression.Reason.BOUNCE,
    "Spam Reporting Address": Suppression.Reason.SPAM,
    "Unsubscribed Address": Suppression.Reason.UNSUBSCRIBE,
}


def _refusal(event: ProviderEvent) -> str | None:
    """The suppression an event stands for: a hard bounce, a spam report, or a drop for either."""
    if event.kind == "bounce" and event.bounce_type != "blocked":
        return Suppression.Reason.BOUNCE
    if event.kind == "spamreport":
        return Suppression.Reason.SPAM
    if event.kind == "dropped":
        return _DROPPED_AS.get(event.reason)
    return None


def _fail_deliveries(events: list[ProviderEvent], now: dt.datetime) -> None:
    failed = {
        e.delivery_id for e in events if e.kind == "dropped" or (e.kind == "bounce" and e.bounce_type != "blocked")
    }
    if failed:
        Delivery.objects.filter(pk__in=failed).update(status=Delivery.Status.FAILED, error="refused by the mailbox")


def _suppress(events: list[ProviderEvent], rows: dict[int, _Row], now: dt.datetime) -> None:
    """Remember refused addresses: every later attempt, for any enrolment, leaves them out."""
    reasons: dict[int, str] = {}
    for event in events:
        # "unsubscribe" is SendGrid's global list; a group unsubscribe is not about the address.
        reason = Suppression.Reason.UNSUBSCRIBE if event.kind == "unsubscribe" else _refusal(event)
        if reason:
            reasons[rows[_pk(event)].enrolment_id] = reason
    emails = dict(Enrolment.objects.filter(pk__in=reasons).values_list("pk", "membership__user__email"))
    Suppression.objects.bulk_create(
        [Suppression(email=emails[pk], reason=reason, created_at=now) for pk, reason in reasons.items()],
        ignore_conflicts=True,
    )


def _suspend(events: list[ProviderEvent], rows: dict[int, _Row], now: dt.datetime) -> int:
    """A hard bounce or a spam report (or a drop for one): stop mailing this person and tell their organisation."""
    hits = {
        rows[_pk(e)].enrolment_id for e in events if _refusal(e) in {Suppression.Reason.BOUNCE, Suppression.Reason.SPAM}
    }
    allowed, _ = Enrolment.TRANSITIONS["suspend"]
    suspended = list(Enrolment.objects.filter(pk__in=hits, status__in=allowed).values_list("pk", flat=True))
    Enrolment.objects.filter(pk__in=suspended).suspend()
    if suspended:
        suspension_notices_queue(enrolment_ids=suspended)
    return len(suspended)


def _unsubscribe(events: list[ProviderEvent], rows: dict[int, _Row], now: dt.datetime) -> int:
    hits = {
        rows[_pk(e)].enrolment_id
        for e in events
        if e.kind in {"unsubscribe", "group_unsubscribe"} or _refusal(e) == Suppression.Reason.UNSUBSCRIBE
    }
    return Enrolment.objects.filter(pk__in=hits).unsubscribe(now=now)

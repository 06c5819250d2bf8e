"""The scheduler tick: plan due lessons into deliveries and batches.

One tick, at moment ``now``:
1. lock the active enrolments that are due (skipping rows another tick holds),
2. create one Delivery per (enrolment, next lesson), grouped in SendBatches of
   at most DRIP_BATCH_SIZE recipients of one lesson version,
3. advance each enrolment by exactly one lesson, to the next slot after ``now``
   (so after downtime nobody gets a backlog, one lesson per tick at most),
4. queue a send for each new batch once the transaction has committed, and
   queue again any batch the broker seems to have lost.

The database is the source of truth: if the broker loses every message, the
next tick finds the queued batches and dispatches them again.
"""

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, F, Value, When
from django.utils import timezone

from courses.models import Course, Enrolment
from druppel import sql
from druppel.sql import Among
from lessons.models import Delivery, Lesson, SendBatch
from lessons.stats import lesson_stats_add
from organisations.models import ClosurePeriod, Organisation

logger = logging.getLogger(__name__)

Dispatch = Callable[[int], object]


@dataclass
class TickReport:
    at: dt.datetime
    planned: int = 0
    finished: int = 0
    batches: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    resent: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "planned": self.planned,
            "finished": self.finished,
            "batches": self.batches,
            "requeued": self.requeued,
            "expired": self.expired,
            "resent": self.resent,
        }


def drip_tick(*, now: dt.datetime, dispatch: Dispatch) -> TickReport:
    """Run one tick. ``dispatch(batch_id)`` is called for each batch after its chunk commits.

    Planning commits every DRIP_TICK_CHUNK enrolments, so the first batches are
    on their way while the rest is still being planned, and no transaction holds
    a whole slot's locks.
    """
    report = TickReport(at=now)
    plan = _due_plan(now)
    for chunk in plan.chunks(settings.DRIP_TICK_CHUNK):
        with transaction.atomic():
            batch_ids = _plan_chunk(now, plan, chunk, report)
            for batch_id in batch_ids:
                transaction.on_commit(partial(dispatch, batch_id))
    _finish_courses(now, plan.finished, report)
    with transaction.atomic():
        _recover_batches(timezone.now(), report)
        for batch_id in report.requeued:
            transaction.on_commit(partial(dispatch, batch_id))
    if report.planned or report.requeued or report.expired:
        logger.info(
            "drip tick at %s: %d planned in %d batches, %d requeued, %d unknown, %d finished",
            now.isoformat(),
            report.planned,
            len(report.batches),
            len(report.requeued),
            len(report.expired),
            report.finished,
        )
    return report


@dataclass(frozen=True)
class _Batch:
    """Up to DRIP_BATCH_SIZE due enrolments that get the same lesson version."""

    lesson_id: int
    version_id: int
    course_id: int
    position: int
    enrolment_ids: list[int]
    organisation_ids: list[int]  # of each enrolment, in the same order

    def keeping(self, ids: set[int]) -> "_Batch":
        kept = [(pk, org) for pk, org in zip(self.enrolment_ids, self.organisation_ids, strict=True) if pk in ids]
        return _Batch(
            self.lesson_id,
            self.version_id,
            self.course_id,
            self.position,
            [pk for pk, _ in kept],
            [org for _, org in kept],
        )


@dataclass
class _DuePlan:
    """What is due at ``now``, read without locks: each chunk re-checks it under lock."""

    batches: list[_Batch]
    next_slots: dict[tuple[int, int], dt.datetime]  # (organisation, course) -> first slot after now
    finished: list[int]  # enrolments past their course's last lesson

    def chunks(self, size: int) -> Iterator[list[_Batch]]:
        """Whole batches, about ``size`` enrolments per chunk."""
        chunk: list[_Batch] = []
        count = 0
        for batch in self.batches:
            chunk.append(batch)
            count += len(batch.enrolment_ids)
            if count >= size:
                yield chunk
                chunk, count = [], 0
        if chunk:
            yield chunk


def _due_plan(now: dt.datetime) -> _DuePlan:
    """Read once what is due, streamed, keeping two integers per due enrolment: the tick's peak
    allocation is about 10 MB at 100,000 due, half of what keeping the rows and two dictionaries took."""
    rows = (
        Enrolment.objects.filter(status=Enrolment.Status.ACTIVE, next_due_at__lte=now)
        .order_by("course_id", "next_position", "pk")
        .values_list("pk", "course_id", "membership__organisation_id", "next_position")
    )
    lessons: dict[int, dict[int, tuple[int, int]]] = {}  # course -> position -> (lesson, version)
    by_lesson: dict[tuple[int, int, int, int], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    pairs: set[tuple[int, int]] = set()  # (organisation, course)
    plan = _DuePlan(batches=[], next_slots={}, finished=[])
    for pk, course_id, organisation_id, position in rows.iterator(chunk_size=10_000):
        if course_id not in lessons:
            lessons[course_id] = _course_lessons(course_id)
        lesson = lessons[course_id].get(position)
        if lesson is None:
            plan.finished.append(pk)
            continue
        ids, organisations = by_lesson[(*lesson, course_id, position)]
        ids.append(pk)
        organisations.append(organisation_id)
        pairs.add((organisation_id, course_id))
    if pairs:
        plan.next_slots = _next_slots(now, pairs)
    size = settings.DRIP_BATCH_SIZE
    for (lesson_id, version_id, course_id, position), (ids, organisations) in by_lesson.items():
        plan.batches += [
            _Batch(
                lesson_id,
                version_id,
                course_id,
                position,
                ids[start : start + size],
                organisations[start : start + size],
            )
            for start in range(0, len(ids), size)
        ]
    return plan


def _plan_chunk(now: dt.datetime, plan: _DuePlan, chunk: list[_Batch], report: TickReport) -> list[int]:
    """Lock the chunk's enrolments that are still due at the planned lesson (skipping rows another
    tick holds), create their batches and deliveries, and move each one lesson on."""
    wanted = {pk: batch.position for batch in chunk for pk in batch.enrolment_ids}
    locked = {
        pk
        for pk, position in Enrolment.objects.select_for_update(skip_locked=True)
        .filter(Among(F("pk"), list(wanted)), status=Enrolment.Status.ACTIVE, next_due_at__lte=now)
        .values_list("pk", "next_position")
        if wanted[pk] == position
    }
    batches = [kept for kept in (batch.keeping(locked) for batch in chunk) if kept.enrolment_ids]
    if not batches:
        return []
    created_at = timezone.now()
    rows = SendBatch.objects.bulk_create(
        [
            SendBatch(version_id=b.version_id, size=len(b.enrolment_ids), created_at=created_at, queued_at=created_at)
            for b in batches
        ]
    )
    batch_ids = [row.pk for row in rows]
    expected = sum(len(b.enrolment_ids) for b in batches)
    inserted = _insert_deliveries(zip(batch_ids, batches, strict=True), created_at)
    if inserted != expected:
        # Some were sent this lesson before (the unique constraint ignored them).
        _count_sizes(batch_ids)
    report.planned += inserted
    _advance(batches, plan.next_slots)
    sent: Counter[tuple[int, int]] = Counter()  # (organisation, lesson)
    for batch in batches:
        sent.update((organisation_id, batch.lesson_id) for organisation_id in batch.organisation_ids)
    # Counted like Enrolment.lessons_sent: one statement for every (organisation, lesson).
    lesson_stats_add(increments={key: {"sent": n} for key, n in sent.items()})
    report.batches += batch_ids
    return batch_ids


def _insert_deliveries(batches: Iterable[tuple[int, _Batch]], created_at: dt.datetime) -> int:
    """Every delivery of a chunk in one conflict-ignoring INSERT: the unique (enrolment, lesson)
    constraint is the last word on duplicates. Returns how many rows it inserted.

    Set-based on purpose: building 100,000 model instances for bulk_create cost 7 s of a tick.
    """
    names = ("enrolment", "lesson", "version", "batch", "position")
    rows = [
        (pk, batch.lesson_id, batch.version_id, batch_id, batch.position)
        for batch_id, batch in batches
        for pk in batch.enrolment_ids
    ]
    source, params = sql.integer_rows(names, rows)
    columns = ", ".join(sql.column(Delivery, name) for name in (*names, "status", "message_id", "error", "created_at"))
    # "WHERE true": SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT.
    statement = (
        f"INSERT INTO {sql.table(Delivery)} ({columns}) "  # noqa: S608
        f"SELECT {', '.join(names)}, %s, '', '', %s FROM {source} WHERE true ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            statement,
            [Delivery.Status.QUEUED, connection.ops.adapt_datetimefield_value(created_at), *params],
        )
        return cursor.rowcount


def _count_sizes(batch_ids: list[int]) -> None:
    sizes = dict(
        Delivery.objects.filter(batch_id__in=batch_ids).values_list("batch_id").annotate(n=Count("pk")).order_by()
    )
    for batch_id in batch_ids:
        SendBatch.objects.filter(pk=batch_id).update(size=sizes.get(batch_id, 0))


def _course_lessons(course_id: int) -> dict[int, tuple[int, int]]:
    """position -> (lesson, current version) for every sendable lesson of the course."""
    rows = Lesson.objects.filter(course_id=course_id, current_version__isnull=False).values_list(
        "position", "pk", "current_version_id"
    )
    return {position: (pk, version_id) for position, pk, version_id in rows}


def _next_slots(now: dt.datetime, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], dt.datetime]:
    """(organisation, course) -> the first slot after now in that organisation's calendar for the course."""
    organisations = Organisation.objects.in_bulk({organisation_id for organisation_id, _ in pairs})
    courses = Course.objects.in_bulk({course_id for _, course_id in pairs})
    closures: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for organisation_id, start, end in ClosurePeriod.objects.filter(organisation_id__in=organisations).values_list(
        "organisation_id", "start", "end"
    ):
        closures[organisation_id].append((start, end))
    return {
        (organisation_id, course_id): courses[course_id]
        .calendar_for(organisations[organisation_id], closures[organisation_id])
        .next_slot(now)
        for organisation_id, course_id in pairs
    }


def _advance(batches: list[_Batch], next_slots: dict[tuple[int, int], dt.datetime]) -> None:
    """Move each enrolment one lesson on, due at its calendar's next slot: one UPDATE. Organisations
    in one time zone share a slot, so the CASE has a branch per other slot, not per enrolment."""
    by_due: dict[dt.datetime, list[int]] = defaultdict(list)
    for batch in batches:
        for pk, organisation_id in zip(batch.enrolment_ids, batch.organisation_ids, strict=True):
            by_due[next_slots[(organisation_id, batch.course_id)]].append(pk)
    most = max(by_due, key=lambda due: len(by_due[due]))
    others = [When(Among(F("pk"), ids), then=Value(due)) for due, ids in by_due.items() if due != most]
    Enrolment.objects.filter(Among(F("pk"), [pk for ids in by_due.values() for pk in ids])).update(
        next_position=F("next_position") + 1,
        next_due_at=Case(*others, default=Value(most)) if others else most,
        lessons_sent=F("lessons_sent") + 1,
    )


def _finish_courses(now: dt.datetime, enrolment_ids: list[int], report: TickReport) -> None:
    """Past the last lesson: finished. The conditions make it safe without a lock."""
    if enrolment_ids:
        report.finished = Enrolment.objects.filter(
            Among(F("pk"), enrolment_ids), status=Enrolment.Status.ACTIVE, next_due_at__lte=now
        ).update(status=Enrolment.Status.FINISHED, next_due_at=None)


def _recover_batches(now: dt.datetime, report: TickReport) -> None:
    """Queue again what the broker lost; mark unknown what a dead worker left mid-send;
    resend, once, an unknown batch that no provider event confirmed within the grace period."""
    _requeue_lost(now, report)
    _expire_claims(now, report)
    _resend_silent(now, report)


def _requeue_lost(now: dt.datetime, report: TickReport) -> None:
    stale_queue = now - dt.timedelta(seconds=settings.DRIP_REQUEUE_AFTER_SECONDS)
    lost = list(
        SendBatch.objects.select_for_update(skip_locked=True)
        .filter(status=SendBatch.Status.QUEUED, queued_at__lt=stale_queue)
        .values_list("pk", flat=True)
    )
    if lost:
        SendBatch.objects.filter(pk__in=lost).update(queued_at=now)
        report.requeued += lost
        logger.warning("requeued %d batches that no worker claimed: %s", len(lost), lost)


def _expire_claims(now: dt.datetime, report: TickReport) -> None:
    lease_end = now - dt.timedelta(seconds=settings.DRIP_CLAIM_LEASE_SECONDS)
    abandoned = list(
        SendBatch.objects.select_for_update(skip_locked=True)
        .filter(status=SendBatch.Status.SENDING, claimed_at__lt=lease_end)
        .values_list("pk", flat=True)
    )
    if abandoned:
        # The worker may have died after SendGrid accepted the request: we do
        # not know, so we do not resend now. Provider events decide (lessons/tracking.py).
        SendBatch.objects.filter(pk__in=abandoned).update(
            status=SendBatch.Status.UNKNOWN, error="claim expired: worker stopped mid-send", finished_at=now
        )
        Delivery.objects.filter(batch_id__in=abandoned).update(status=Delivery.Status.UNKNOWN)
        report.expired = abandoned
        logger.error("marked %d abandoned batches unknown: %s", len(abandoned), abandoned)


def _resend_silent(now: dt.datetime, report: TickReport) -> None:
    """SendGrid reports every accepted recipient (processed) within minutes; silence means not sent."""
    grace_end = now - dt.timedelta(seconds=settings.DRIP_UNKNOWN_GRACE_SECONDS)
    silent = list(
        SendBatch.objects.select_for_update(skip_locked=True)
        .filter(status=SendBatch.Status.UNKNOWN, finished_at__lt=grace_end, resent_at__isnull=True)
        .values_list("pk", flat=True)
    )
    if silent:
        SendBatch.objects.filter(pk__in=silent).update(
            status=SendBatch.Status.QUEUED,
            resent_at=now,
            queued_at=now,
            claim_token=None,
            error="resent once: no provider event within the grace period",
        )
        Delivery.objects.filter(batch_id__in=silent, status=Delivery.Status.UNKNOWN).update(
            status=Delivery.Status.QUEUED
        )
        report.requeued += silent
        report.resent = silent
        logger.warning(
            "resending %d unknown batches once, no provider event after the grace period: %s", len(silent), silent
        )

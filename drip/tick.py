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
from django.db.models import Case, F, Value, When
from django.utils import timezone

from core import sql
from core.sql import Among
from courses.models import Enrolment
from courses.schedule import calendars_for
from drip.counters import lesson_stats_add
from drip.health import DRIP_TICK, heartbeat_touch
from drip.recovery import batches_recover
from lessons.models import Delivery, Lesson, SendBatch
from lessons.outline import enrolments_realign

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
    postponed: int = 0  # due on a holiday or closure day: moved to the next slot

    def as_dict(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "planned": self.planned,
            "finished": self.finished,
            "postponed": self.postponed,
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
    report.postponed = _postpone(now, plan.postponed)
    with transaction.atomic():
        recovered = batches_recover(now=timezone.now())
        for batch_id in recovered.requeued:
            transaction.on_commit(partial(dispatch, batch_id))
    report.requeued, report.expired, report.resent = recovered.requeued, recovered.expired, recovered.resent
    heartbeat_touch(DRIP_TICK, timezone.now())  # one upsert: /healthz reports its age
    if report.planned or report.requeued or report.expired or report.postponed:
        logger.info(
            "drip tick at %s: %d planned in %d batches, %d requeued, %d unknown, %d finished, %d postponed",
            now.isoformat(),
            report.planned,
            len(report.batches),
            len(report.requeued),
            len(report.expired),
            report.finished,
            report.postponed,
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
    # Due, but today is a holiday or closure day for their organisation: next slot -> enrolments.
    postponed: dict[dt.datetime, list[int]] = field(default_factory=dict)

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


# Per lesson (lesson, version, course, position): the due enrolments, their organisations and their people.
_Due = tuple[list[int], list[int], list[int]]


def _due_plan(now: dt.datetime) -> _DuePlan:
    """Read once what is due, streamed, keeping three integers per due enrolment (the tick's peak
    allocation stays about 15 MB at 100,000 due)."""
    rows = (
        Enrolment.objects.filter(status=Enrolment.Status.ACTIVE, next_due_at__lte=now)
        .order_by("course_id", "next_position", "pk")
        .values_list("pk", "course_id", "membership__organisation_id", "membership__user_id", "next_position")
    )
    lessons: dict[int, dict[int, tuple[int, int]]] = {}  # course -> position -> (lesson, version)
    by_lesson: dict[tuple[int, int, int, int], _Due] = defaultdict(lambda: ([], [], []))
    pairs: set[tuple[int, int]] = set()  # (organisation, course)
    plan = _DuePlan(batches=[], next_slots={}, finished=[])
    for pk, course_id, organisation_id, user_id, position in rows.iterator(chunk_size=10_000):
        if course_id not in lessons:
            lessons[course_id] = _course_lessons(course_id)
        lesson = lessons[course_id].get(position)
        if lesson is None:
            plan.finished.append(pk)
            continue
        ids, organisations, users = by_lesson[(*lesson, course_id, position)]
        ids.append(pk)
        organisations.append(organisation_id)
        users.append(user_id)
        pairs.add((organisation_id, course_id))
    if not pairs:
        return plan
    calendars = calendars_for(pairs)
    plan.next_slots = {pair: calendar.next_slot(now) for pair, calendar in calendars.items()}
    closed = {pair for pair, calendar in calendars.items() if calendar.is_closed(now.astimezone(calendar.tz).date())}
    postponed: dict[dt.datetime, list[int]] = defaultdict(list)
    for (lesson_id, version_id, course_id, position), due in by_lesson.items():
        for ids, organisations in _one_address_each(due, course_id, closed, postponed, plan.next_slots):
            plan.batches.append(_Batch(lesson_id, version_id, course_id, position, ids, organisations))
    plan.postponed = dict(postponed)
    return plan


def _one_address_each(
    due: _Due,
    course_id: int,
    closed: set[tuple[int, int]],
    postponed: dict[dt.datetime, list[int]],
    next_slots: dict[tuple[int, int], dt.datetime],
) -> list[tuple[list[int], list[int]]]:
    """Batches of at most DRIP_BATCH_SIZE in which no person appears twice: the provider refuses a
    request that names an address twice (one person on two organisations' staff lists). Enrolments
    of organisations that are closed today are set aside to be postponed instead."""
    size = settings.DRIP_BATCH_SIZE
    batches: list[tuple[list[int], list[int], set[int]]] = []
    first_open = 0
    for pk, organisation_id, user_id in zip(*due, strict=True):
        if (organisation_id, course_id) in closed:
            postponed[next_slots[(organisation_id, course_id)]].append(pk)
            continue
        index = first_open
        while index < len(batches) and (len(batches[index][0]) >= size or user_id in batches[index][2]):
            index += 1
        if index == len(batches):
            batches.append(([], [], set()))
        ids, organisations, users = batches[index]
        ids.append(pk)
        organisations.append(organisation_id)
        users.add(user_id)
        while first_open < len(batches) and len(batches[first_open][0]) >= size:
            first_open += 1
    return [(ids, organisations) for ids, organisations, _ in batches]


def _postpone(now: dt.datetime, postponed: dict[dt.datetime, list[int]]) -> int:
    """No lesson goes out on a holiday or closure day, catch-ups included: those due move to the next slot."""
    moved = 0
    for slot, ids in postponed.items():
        moved += Enrolment.objects.filter(
            Among(F("pk"), ids), status=Enrolment.Status.ACTIVE, next_due_at__lte=now
        ).update(next_due_at=slot)
    return moved


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
        # Some had received this lesson before (the unique constraint ignored them): after a
        # reorder, their next position holds a lesson they have. They go on to the first published
        # lesson they have not received, still due, so the next tick sends it: no slot is wasted.
        planned = _count_sizes(batch_ids)
        enrolments_realign(enrolment_ids=sorted(locked - planned))
        batches = [kept for kept in (batch.keeping(planned) for batch in batches) if kept.enrolment_ids]
    report.planned += inserted
    report.batches += batch_ids
    if not batches:
        return batch_ids
    _advance(batches, plan.next_slots)
    sent: Counter[tuple[int, int]] = Counter()  # (organisation, lesson)
    for batch in batches:
        sent.update((organisation_id, batch.lesson_id) for organisation_id in batch.organisation_ids)
    # Counted like Enrolment.lessons_sent: one statement for every (organisation, lesson).
    lesson_stats_add(increments={key: {"sent": n} for key, n in sent.items()})
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
    table = sql.table(Delivery)
    columns = [sql.column(Delivery, name) for name in (*names, "status", "message_id", "error", "created_at")]
    revived = ", ".join(
        f"{column} = EXCLUDED.{column}" for column in columns if column != sql.column(Delivery, "enrolment")
    )
    # "WHERE true": SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT. A delivery that
    # was left out at send time (the learner paused or left) is planned again, in place.
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(names)}, %s, '', '', %s FROM {source} WHERE true "
        f"ON CONFLICT ({sql.column(Delivery, 'enrolment')}, {sql.column(Delivery, 'lesson')}) "
        f"DO UPDATE SET {revived} WHERE {table}.{sql.column(Delivery, 'status')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            statement,
            [
                Delivery.Status.QUEUED,
                connection.ops.adapt_datetimefield_value(created_at),
                *params,
                Delivery.Status.SKIPPED,
            ],
        )
        return cursor.rowcount


def _count_sizes(batch_ids: list[int]) -> set[int]:
    """Correct the batches' sizes; return the enrolments that did get a delivery."""
    rows = list(Delivery.objects.filter(batch_id__in=batch_ids).values_list("batch_id", "enrolment_id"))
    sizes = Counter(batch_id for batch_id, _ in rows)
    for batch_id in batch_ids:
        SendBatch.objects.filter(pk=batch_id).update(size=sizes.get(batch_id, 0))
    return {enrolment_id for _, enrolment_id in rows}


def _course_lessons(course_id: int) -> dict[int, tuple[int, int]]:
    """position -> (lesson, current version) for every sendable lesson of the course."""
    rows = Lesson.objects.published().filter(course_id=course_id).values_list("position", "pk", "current_version_id")
    return {position: (pk, version_id) for position, pk, version_id in rows}


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
        report.finished = Enrolment.objects.filter(Among(F("pk"), enrolment_ids), next_due_at__lte=now).finish()

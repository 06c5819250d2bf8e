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
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from courses.models import Course, Enrolment
from lessons.models import Delivery, Lesson, SendBatch
from lessons.stats import lesson_stats_add
from organisations.models import ClosurePeriod, Organisation

logger = logging.getLogger(__name__)

Dispatch = Callable[[int], object]
# Keeps each IN (...) list well under SQLite's variable limit.
_ID_CHUNK = 5000


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
    """Run one tick. ``dispatch(batch_id)`` is called for each batch after commit."""
    report = TickReport(at=now)
    with transaction.atomic():
        _plan_due(now, report)
        _recover_batches(timezone.now(), report)
        for batch_id in report.batches + report.requeued:
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


def _plan_due(now: dt.datetime, report: TickReport) -> None:
    due = list(
        Enrolment.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=Enrolment.Status.ACTIVE, next_due_at__lte=now)
        .order_by("pk")
        .values_list("pk", "course_id", "membership__organisation_id", "next_position")
    )
    if not due:
        return
    lessons = _lesson_index({course_id for _, course_id, _, _ in due})
    by_version: dict[tuple[int, int, int], list[int]] = defaultdict(list)  # (lesson, version, position)
    advance: dict[tuple[int, int], list[int]] = defaultdict(list)  # (organisation, course)
    sent: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: {"sent": 0})  # (organisation, lesson)
    finished: list[int] = []
    for pk, course_id, organisation_id, position in due:
        lesson = lessons.get((course_id, position))
        if lesson is None:
            finished.append(pk)
            continue
        by_version[lesson].append(pk)
        advance[(organisation_id, course_id)].append(pk)
        sent[(organisation_id, lesson[0])]["sent"] += 1
    _create_batches(by_version, report)
    _advance(now, advance)
    # Counted like Enrolment.lessons_sent: one statement for every (organisation, lesson).
    lesson_stats_add(increments=sent)
    for ids in _chunks(finished):
        Enrolment.objects.filter(pk__in=ids).update(status=Enrolment.Status.FINISHED, next_due_at=None)
    report.finished = len(finished)


def _create_batches(by_version: dict[tuple[int, int, int], list[int]], report: TickReport) -> None:
    """One SendBatch per ≤ DRIP_BATCH_SIZE recipients of a lesson version, and its deliveries."""
    created_at = timezone.now()
    for (lesson_id, version_id, position), enrolment_ids in by_version.items():
        for start in range(0, len(enrolment_ids), settings.DRIP_BATCH_SIZE):
            chunk = enrolment_ids[start : start + settings.DRIP_BATCH_SIZE]
            batch = SendBatch.objects.create(
                version_id=version_id, size=len(chunk), created_at=created_at, queued_at=created_at
            )
            # Conflict-ignore: the unique (enrolment, lesson) constraint is the last word on duplicates.
            Delivery.objects.bulk_create(
                [
                    Delivery(
                        enrolment_id=pk,
                        lesson_id=lesson_id,
                        version_id=version_id,
                        batch=batch,
                        position=position,
                        created_at=created_at,
                    )
                    for pk in chunk
                ],
                ignore_conflicts=True,
            )
            report.batches.append(batch.pk)
            report.planned += len(chunk)


def _lesson_index(course_ids: set[int]) -> dict[tuple[int, int], tuple[int, int, int]]:
    """(course, position) -> (lesson, current version, position) for every sendable lesson."""
    rows = Lesson.objects.filter(course_id__in=course_ids, current_version__isnull=False).values_list(
        "pk", "course_id", "position", "current_version_id"
    )
    return {(course_id, position): (pk, version_id, position) for pk, course_id, position, version_id in rows}


def _advance(now: dt.datetime, groups: dict[tuple[int, int], list[int]]) -> None:
    """Move each enrolment one lesson on, due at its calendar's next slot after now."""
    if not groups:
        return
    organisation_ids = {organisation_id for organisation_id, _ in groups}
    course_ids = {course_id for _, course_id in groups}
    organisations = Organisation.objects.in_bulk(organisation_ids)
    courses = Course.objects.in_bulk(course_ids)
    closures: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for organisation_id, start, end in ClosurePeriod.objects.filter(organisation_id__in=organisation_ids).values_list(
        "organisation_id", "start", "end"
    ):
        closures[organisation_id].append((start, end))
    for (organisation_id, course_id), enrolment_ids in groups.items():
        calendar = courses[course_id].calendar_for(organisations[organisation_id], closures[organisation_id])
        next_due = calendar.next_slot(now)
        for ids in _chunks(enrolment_ids):
            Enrolment.objects.filter(pk__in=ids).update(
                next_position=F("next_position") + 1, next_due_at=next_due, lessons_sent=F("lessons_sent") + 1
            )


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


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + _ID_CHUNK] for start in range(0, len(ids), _ID_CHUNK)]

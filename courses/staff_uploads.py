"""A staff list uploaded on the web, from its confirmation to its import in a worker.

The confirmation only marks the upload and queues ``courses.tasks.import_staff_upload``
on commit; a big list would not fit in a web request. The worker imports it in
one transaction (``staff_import_run``): all rows or none, so a worker that dies
halfway leaves nothing behind and the import can simply run again. The upload's
row is locked for that transaction, so a second run of the same message (a
redelivery, a confirmation queued twice) waits for the first and then finds the
upload imported. Progress cannot go to the database while that transaction is
open (nobody else would see it), so it goes to the cache, which every process
shares (druppel/settings.py).
"""

import datetime as dt
import enum
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from courses.models import StaffUpload
from courses.staff_import import ERROR, StaffImportRefused, StaffPlan, staff_import_run
from organisations.staff_csv import parse_staff_csv

# A confirmed import that has shown no progress for this long lost its task (the broker
# lost it, or its worker died): confirming again queues it once more. A running import
# reports every few seconds (after each chunk of rows).
STALE_CONFIRMATION = dt.timedelta(minutes=2)
# The result page lists at most this many reported rows (errors), the counts cover all.
RESULT_ROWS = 1000
PROGRESS_SECONDS = 24 * 3600


class Confirmation(enum.Enum):
    QUEUED = "queued"
    ALREADY_QUEUED = "already queued"
    ALREADY_IMPORTED = "already imported"


@dataclass(frozen=True)
class ImportProgress:
    done: int
    total: int
    reported_at: float  # time.time() of the report

    def is_live(self, now: dt.datetime) -> bool:
        return now.timestamp() - self.reported_at < STALE_CONFIRMATION.total_seconds()

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def _progress_key(upload_id: int) -> str:
    return f"staff-import-progress:{upload_id}"


def staff_upload_progress(upload_id: int) -> ImportProgress | None:
    """Rows written so far by the running import, or None before it started."""
    value = cache.get(_progress_key(upload_id))
    return ImportProgress(*value) if value else None


def _progress_set(upload_id: int, done: int, total: int) -> None:
    cache.set(_progress_key(upload_id), (done, total, time.time()), PROGRESS_SECONDS)


def staff_upload_is_stuck(upload: StaffUpload, now: dt.datetime) -> bool:
    """Confirmed long enough ago, not imported, and no import has reported lately."""
    if upload.imported_at is not None or upload.confirmed_at is None:
        return False
    progress = staff_upload_progress(upload.pk)
    return upload.confirmed_at < now - STALE_CONFIRMATION and not (progress and progress.is_live(now))


def staff_upload_confirm(*, upload: StaffUpload, now: dt.datetime, queue: Callable[[int], object]) -> Confirmation:
    """Confirm the import and queue it once the confirmation is committed.

    A second confirmation (double click, back button) queues nothing and says why:
    the list is imported, or its import is under way. One whose import has made no
    progress for STALE_CONFIRMATION is queued again, harmlessly (see the module docstring).
    """
    progress = staff_upload_progress(upload.pk)
    fresh = Q(confirmed_at__isnull=True)
    if not (progress and progress.is_live(now)):
        fresh |= Q(confirmed_at__lt=now - STALE_CONFIRMATION)
    claimed = StaffUpload.objects.filter(fresh, pk=upload.pk, imported_at__isnull=True)
    if claimed.update(confirmed_at=now, error=""):
        transaction.on_commit(lambda: queue(upload.pk))
        return Confirmation.QUEUED
    imported = StaffUpload.objects.filter(pk=upload.pk, imported_at__isnull=False).exists()
    return Confirmation.ALREADY_IMPORTED if imported else Confirmation.ALREADY_QUEUED


def staff_upload_import(*, upload_id: int, now: dt.datetime) -> None:
    """Import a confirmed upload (the task's body). Does nothing for one already imported or no longer confirmed."""
    try:
        ran = _import(upload_id, now)
    except StaffImportRefused as exc:
        # Nothing was written. The admin sees why on the preview, and may confirm again.
        StaffUpload.objects.filter(pk=upload_id, imported_at__isnull=True).update(confirmed_at=None, error=str(exc))
        ran = True
    # Only the run that finished clears the progress: a duplicate that gave up waiting for
    # the lock (an error, raised past here) must not hide the progress of the run that holds it.
    if ran:
        cache.delete(_progress_key(upload_id))


@transaction.atomic
def _import(upload_id: int, now: dt.datetime) -> bool:
    """Import under the upload's row lock; False when there was nothing to do."""
    # Only the upload row is locked (its offering is an outer join, which PostgreSQL cannot lock).
    upload = (
        StaffUpload.objects.select_for_update(of=("self",))
        .select_related("organisation", "offering__course")
        .get(pk=upload_id)
    )
    if upload.imported_at is not None or upload.confirmed_at is None:
        return False
    offering = upload.offering
    _progress_set(upload_id, 0, 0)
    plan = staff_import_run(
        organisation=upload.organisation,
        staff=parse_staff_csv(bytes(upload.data)),
        course=offering.course if offering else None,
        full=upload.full_list,
        start_date=offering.start_date if offering else timezone.localdate(now),
        now=now,
        progress=lambda done, total: _progress_set(upload_id, done, total),
    )
    upload.imported_at = now
    upload.result = _result(plan)
    # Staff lists are personal data: once imported, the file itself is not kept.
    upload.data = b""
    upload.save(update_fields=["imported_at", "result", "data"])
    return True


def _result(plan: StaffPlan) -> dict:
    counts = plan.counts
    errors = [{"line": entry.line, "message": entry.message} for entry in plan.entries if entry.action == ERROR]
    return {
        "counts": {name: counts[name] for name in ("create", "update", "unchanged", "enrol", "remove", "error")},
        "errors": errors[:RESULT_ROWS],
    }

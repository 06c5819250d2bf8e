"""Send one batch: claim it, make one provider request, record the outcome.

Claims are conditional UPDATEs, so two workers (or a retried and a redelivered
task) can never both send a batch. A retry carries the claim token of its
first attempt and keeps the claim; anything else finds the batch taken.
"""

import enum
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import F, FilteredRelation, OuterRef, Q
from django.utils import timezone

from lessons.mail import RecipientRow, lesson_mail_template
from lessons.models import Delivery, SendBatch
from lessons.selectors import published_lesson_count
from mailer.message import (
    BatchMessage,
    ConfigurationError,
    OutcomeUnknownError,
    RejectedError,
)
from mailer.transports import get_transport

logger = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # someone else holds or finished the batch
    SPLIT = "split"
    FAILED = "failed"
    UNKNOWN = "unknown"
    RELEASED = "released"


def batch_claim(*, batch_id: int, claim_token: uuid.UUID) -> bool:
    """Take the batch, or keep it if this token already holds it."""
    return bool(
        SendBatch.objects.filter(pk=batch_id)
        .filter(Q(status=SendBatch.Status.QUEUED) | Q(status=SendBatch.Status.SENDING, claim_token=claim_token))
        .update(
            status=SendBatch.Status.SENDING,
            claim_token=claim_token,
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )


def batch_send(*, batch_id: int, claim_token: uuid.UUID, dispatch: Callable[[int], object]) -> Outcome:
    """Send a claimed batch in one request. RetryableError propagates with the claim kept."""
    if not batch_claim(batch_id=batch_id, claim_token=claim_token):
        return Outcome.SKIPPED
    loaded = _load(batch_id)
    batch = loaded.batch
    if not loaded.rows:
        _finish(batch, SendBatch.Status.SENT, error="empty batch")
        return Outcome.SENT
    try:
        result = get_transport().send(_compose(loaded))
    except RejectedError as exc:
        return _isolate(batch, [row.delivery_id for row in loaded.rows], exc, dispatch)
    except OutcomeUnknownError as exc:
        logger.warning("batch %s: outcome unknown (%s); waiting for reconciliation", batch_id, exc)
        _finish(batch, SendBatch.Status.UNKNOWN, error=str(exc))
        return Outcome.UNKNOWN
    except ConfigurationError as exc:
        logger.critical("batch %s: %s; released for a later tick", batch_id, exc)
        batch_release(batch_id=batch_id, claim_token=claim_token, reason=str(exc))
        return Outcome.RELEASED
    _finish(batch, SendBatch.Status.SENT, message_id=result.message_id)
    return Outcome.SENT


@dataclass(frozen=True)
class _Loaded:
    batch: SendBatch
    lesson_count: int
    rows: list[RecipientRow]
    group_urls: dict[int, str]  # organisation -> its discussion link for this course
    private: set[int]  # organisations that discuss in a private group


def _load(batch_id: int) -> _Loaded:
    """The batch with its lesson and course and the course's lesson count; then the recipients as
    plain values, each with their organisation's offering of the course (joined): two queries."""
    batch = (
        SendBatch.objects.select_related("version__lesson__course")
        .annotate(lesson_count=published_lesson_count(OuterRef("version__lesson__course")))
        .get(pk=batch_id)
    )
    course = batch.version.lesson.course
    offering = "enrolment__membership__organisation__offerings"
    rows = (
        Delivery.objects.filter(batch_id=batch_id)
        .annotate(offering=FilteredRelation(offering, condition=Q(**{f"{offering}__course": course})))
        .order_by("pk")
        .values_list(
            "pk",
            "enrolment__membership__user__email",
            "enrolment__membership__user__first_name",
            "enrolment__membership__user__last_name",
            "enrolment__lessons_completed",
            "enrolment__membership__organisation_id",
            "offering__external_group_url",
            "offering__private_group",
        )
    )
    recipients, group_urls, private = [], {}, set()
    for *values, url, is_private in rows:
        recipient = RecipientRow._make(values)
        recipients.append(recipient)
        # The organisation's own link, else the course's.
        group_urls[recipient.organisation_id] = url or course.external_group_url
        if is_private:
            private.add(recipient.organisation_id)
    return _Loaded(batch, batch.lesson_count, recipients, group_urls, private)


def _compose(loaded: _Loaded) -> BatchMessage:
    """One rendered lesson mail, personalised per recipient by substitution."""
    version = loaded.batch.version
    template = lesson_mail_template(
        version=version,
        position=version.lesson.position,
        total=loaded.lesson_count,
        language=version.lesson.course.language,
    )
    posts = _post_counts(version.lesson_id, set(loaded.group_urls), loaded.private)
    return template.message(template.recipients(loaded.rows, group_urls=loaded.group_urls, posts=posts))


# Posts in the lesson's thread, per organisation: ``(lesson_id, organisation_ids, private) -> {org: n}``.
# The discussion group is an app above lessons, so it registers the counter (discussions/apps.py)
# instead of lessons importing it; without one, every count is 0.
PostCounter = Callable[[int, set[int], set[int]], dict[int, int]]
_post_counters: list[PostCounter] = []


def post_counter_register(counter: PostCounter) -> None:
    if counter not in _post_counters:
        _post_counters.append(counter)


def _post_counts(lesson_id: int, organisation_ids: set[int], private: set[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for counter in _post_counters:
        for pk, n in counter(lesson_id, organisation_ids, private).items():
            counts[pk] = counts.get(pk, 0) + n
    return counts


def batch_release(*, batch_id: int, claim_token: uuid.UUID, reason: str) -> None:
    """Give a batch back to the queue; the tick dispatches it again later."""
    SendBatch.objects.filter(pk=batch_id, status=SendBatch.Status.SENDING, claim_token=claim_token).update(
        status=SendBatch.Status.QUEUED, claim_token=None, queued_at=timezone.now(), error=reason[:2000]
    )


_DELIVERY_STATUS = {
    SendBatch.Status.SENT: Delivery.Status.SENT,
    SendBatch.Status.UNKNOWN: Delivery.Status.UNKNOWN,
    SendBatch.Status.FAILED: Delivery.Status.FAILED,
}


@transaction.atomic
def _finish(batch: SendBatch, status: str, *, message_id: str = "", error: str = "") -> None:
    now = timezone.now()
    SendBatch.objects.filter(pk=batch.pk).update(
        status=status, message_id=message_id, error=error[:2000], finished_at=now
    )
    fields: dict = {"status": _DELIVERY_STATUS[SendBatch.Status(status)], "message_id": message_id}
    if status == SendBatch.Status.SENT:
        fields["sent_at"] = now
    if error and status != SendBatch.Status.SENT:
        fields["error"] = error[:2000]
    Delivery.objects.filter(batch_id=batch.pk).update(**fields)


def _isolate(
    batch: SendBatch, delivery_ids: list[int], exc: RejectedError, dispatch: Callable[[int], object]
) -> Outcome:
    """A rejected request sent nothing. Split it in two until the bad recipient stands alone."""
    if len(delivery_ids) == 1:
        logger.error("batch %s: delivery %s rejected: %s", batch.pk, delivery_ids[0], exc)
        _finish(batch, SendBatch.Status.FAILED, error=str(exc))
        return Outcome.FAILED
    logger.warning("batch %s of %d rejected (%s); splitting to isolate", batch.pk, len(delivery_ids), exc)
    middle = len(delivery_ids) // 2
    now = timezone.now()
    with transaction.atomic():
        SendBatch.objects.filter(pk=batch.pk).update(
            status=SendBatch.Status.SPLIT, error=str(exc)[:2000], finished_at=now
        )
        for half in (delivery_ids[:middle], delivery_ids[middle:]):
            child = SendBatch.objects.create(
                version_id=batch.version_id, parent=batch, size=len(half), created_at=now, queued_at=now
            )
            Delivery.objects.filter(pk__in=half).update(batch=child)
            transaction.on_commit(partial(dispatch, child.pk))
    return Outcome.SPLIT

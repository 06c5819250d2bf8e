"""Send one batch: claim it, make one provider request, record the outcome.

Claims are conditional UPDATEs, so two workers (or a retried and a redelivered
task) can never both send a batch. A retry carries the claim token of its
first attempt and keeps the claim; anything else finds the batch taken.
"""

import enum
import logging
import uuid
from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.db.models import F, OuterRef, Q
from django.utils import timezone

from courses.models import Course, Offering
from lessons.mail import lesson_mail_template
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
    batch, lesson_count, deliveries = _load(batch_id)
    if not deliveries:
        _finish(batch, SendBatch.Status.SENT, error="empty batch")
        return Outcome.SENT
    try:
        result = get_transport().send(_compose(batch, lesson_count, deliveries))
    except RejectedError as exc:
        return _isolate(batch, deliveries, exc, dispatch)
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


def _load(batch_id: int) -> tuple[SendBatch, int, list[Delivery]]:
    """The batch with its lesson and course, the course's lesson count, and the recipients: two queries."""
    batch = (
        SendBatch.objects.select_related("version__lesson__course")
        .annotate(lesson_count=published_lesson_count(OuterRef("version__lesson__course")))
        .get(pk=batch_id)
    )
    deliveries = list(
        Delivery.objects.filter(batch_id=batch_id)
        .select_related("enrolment__membership__user")
        .only(
            "pk",
            "enrolment__lessons_completed",
            "enrolment__membership__user__email",
            "enrolment__membership__user__first_name",
            "enrolment__membership__user__last_name",
            "enrolment__membership__organisation",
        )
        .order_by("pk")
    )
    return batch, batch.lesson_count, deliveries


def _compose(batch: SendBatch, lesson_count: int, deliveries: list[Delivery]) -> BatchMessage:
    """One rendered lesson mail, personalised per recipient by substitution."""
    version = batch.version
    course = version.lesson.course
    template = lesson_mail_template(
        version=version, position=version.lesson.position, total=lesson_count, language=course.language
    )
    organisation_ids = {d.enrolment.membership.organisation_id for d in deliveries}
    group_urls, private = _group_urls(course, organisation_ids)
    posts = _post_counts(version.lesson_id, organisation_ids, private)
    return template.message(
        [
            template.recipient(
                d,
                group_url=group_urls[d.enrolment.membership.organisation_id],
                posts=posts.get(d.enrolment.membership.organisation_id, 0),
            )
            for d in deliveries
        ]
    )


def _group_urls(course: Course, organisation_ids: set[int]) -> tuple[dict[int, str], set[int]]:
    """Each organisation's own discussion link for this course, else the course's; and which
    organisations discuss in a private group (same query)."""
    rows = Offering.objects.filter(course=course, organisation_id__in=organisation_ids).values_list(
        "organisation_id", "external_group_url", "private_group"
    )
    own, private = {}, set()
    for pk, url, is_private in rows:
        if url:
            own[pk] = url
        if is_private:
            private.add(pk)
    return {pk: own.get(pk, course.external_group_url) for pk in organisation_ids}, private


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
    batch: SendBatch, deliveries: list[Delivery], exc: RejectedError, dispatch: Callable[[int], object]
) -> Outcome:
    """A rejected request sent nothing. Split it in two until the bad recipient stands alone."""
    if len(deliveries) == 1:
        logger.error("batch %s: delivery %s rejected: %s", batch.pk, deliveries[0].pk, exc)
        _finish(batch, SendBatch.Status.FAILED, error=str(exc))
        return Outcome.FAILED
    logger.warning("batch %s of %d rejected (%s); splitting to isolate", batch.pk, len(deliveries), exc)
    middle = len(deliveries) // 2
    now = timezone.now()
    with transaction.atomic():
        SendBatch.objects.filter(pk=batch.pk).update(
            status=SendBatch.Status.SPLIT, error=str(exc)[:2000], finished_at=now
        )
        for half in (deliveries[:middle], deliveries[middle:]):
            child = SendBatch.objects.create(
                version_id=batch.version_id, parent=batch, size=len(half), created_at=now, queued_at=now
            )
            Delivery.objects.filter(pk__in=[d.pk for d in half]).update(batch=child)
            transaction.on_commit(partial(dispatch, child.pk))
    return Outcome.SPLIT

"""Who a batch goes to, decided again at every attempt: never mail someone who left.

Between planning and sending (a retry after a 429, a resend after the grace period,
or just a busy queue) a learner may unsubscribe, pause, be stopped by their
organisation, or have their address refused by the provider. Each attempt loads
the batch's deliveries with their enrolment's status and the address's
suppression, leaves out whoever may no longer be mailed, and records why.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q

from courses.models import Enrolment
from drip.counters import lesson_stats_unsend
from drip.mail import RecipientRow
from lessons.models import Delivery, SendBatch
from lessons.outline import first_unreceived_position
from lessons.selectors import LessonPlace, lesson_place_counts, lesson_place_of, published_lesson_count
from mailer.models import Suppression

# Still mailed: an active enrolment, or one whose last lesson is the one being sent.
_MAILED = {Enrolment.Status.ACTIVE, Enrolment.Status.FINISHED}


@dataclass(frozen=True)
class Loaded:
    batch: SendBatch
    lesson_count: int
    rows: list[RecipientRow]
    group_urls: dict[int, str]  # organisation -> its discussion link for this course
    private: set[int]  # organisations that discuss in a private group
    skipped: int = 0
    place: LessonPlace | None = None  # "Module 3 · Reageren · lesson 2 of 12"


@dataclass(frozen=True)
class _Left:
    delivery_id: int
    enrolment_id: int
    organisation_id: int
    reason: str
    suppressed: bool


def batch_load(batch_id: int, *, now: dt.datetime) -> Loaded:
    """The batch with its lesson and course, then its queued deliveries as plain values, each with
    the enrolment's status, the address's suppression and the organisation's offering (joined)."""
    place_index, place_count, place_modules = lesson_place_counts("version__lesson")
    batch = (
        SendBatch.objects.select_related("version__lesson__course", "version__lesson__module")
        .annotate(
            lesson_count=published_lesson_count(OuterRef("version__lesson__course")),
            place_index=place_index,
            place_count=place_count,
            place_modules=place_modules,
        )
        .get(pk=batch_id)
    )
    place = lesson_place_of(
        batch.version.lesson, index=batch.place_index, count=batch.place_count, modules=batch.place_modules
    )
    course = batch.version.lesson.course
    offering = "enrolment__membership__organisation__offerings"
    rows = (
        Delivery.objects.filter(batch_id=batch_id, status=Delivery.Status.QUEUED)
        .annotate(
            offering=FilteredRelation(offering, condition=Q(**{f"{offering}__course": course})),
            suppressed=Exists(Suppression.objects.filter(email=OuterRef("enrolment__membership__user__email"))),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "enrolment__membership__user__email",
            "enrolment__membership__user__first_name",
            "enrolment__membership__user__last_name",
            "enrolment__lessons_completed",
            "enrolment__membership__organisation_id",
            "enrolment__membership__organisation__name",
            "offering__external_group_url",
            "offering__private_group",
            "enrolment_id",
            "enrolment__status",
            "suppressed",
        )
    )
    recipients, left, group_urls, private = [], [], {}, set()
    for *values, url, is_private, enrolment_id, status, suppressed in rows:
        recipient = RecipientRow._make(values)
        if suppressed or status not in _MAILED:
            reason = "address suppressed by the provider" if suppressed else f"enrolment {status}"
            left.append(_Left(recipient.delivery_id, enrolment_id, recipient.organisation_id, reason, suppressed))
            continue
        recipients.append(recipient)
        # The organisation's own link, else the course's.
        group_urls[recipient.organisation_id] = url or course.external_group_url
        if is_private:
            private.add(recipient.organisation_id)
    if left:
        _leave_out(batch, left, now)
    return Loaded(batch, batch.lesson_count, recipients, group_urls, private, skipped=len(left), place=place)


@transaction.atomic
def _leave_out(batch: SendBatch, left: list[_Left], now: dt.datetime) -> None:
    """Mark these deliveries skipped, and undo their planning: the lesson is not counted as sent,
    and an enrolment that may come back (resume, restart) gets it next, as it never received it."""
    for reason in {item.reason for item in left}:
        Delivery.objects.filter(
            pk__in=[item.delivery_id for item in left if item.reason == reason], status=Delivery.Status.QUEUED
        ).update(status=Delivery.Status.SKIPPED, error=reason)
    lesson = batch.version.lesson
    enrolments = [item.enrolment_id for item in left]
    # The reorder rule (lessons/outline.py): next is the first published lesson not received, which
    # is this one unless the course was reordered in between.
    Enrolment.objects.filter(pk__in=enrolments, lessons_sent__gt=0).update(
        next_position=first_unreceived_position(), lessons_sent=F("lessons_sent") - 1
    )
    not_sent = Counter(item.organisation_id for item in left)
    lesson_stats_unsend(lesson_id=lesson.pk, counts=dict(not_sent))
    suppressed = [item.enrolment_id for item in left if item.suppressed]
    if suppressed:
        Enrolment.objects.filter(pk__in=suppressed).suspend()

"""A learner reading a delivered lesson: the first open and the first read, each counted once.

Reading implies opening (the mail's images may have been blocked). Each fact is
a conditional UPDATE, and its counters move in the same transaction.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db import transaction

from courses.models import Enrolment
from drip.counters import enrolment_stats_add, lesson_stats_add
from lessons.models import Delivery


@dataclass(frozen=True)
class _Place:
    enrolment_id: int
    organisation_id: int
    course_id: int
    lesson_id: int
    tz: zoneinfo.ZoneInfo


def _place(delivery: Delivery) -> _Place:
    organisation_id, timezone, course_id = (
        Enrolment.objects.filter(pk=delivery.enrolment_id)
        .values_list("membership__organisation_id", "membership__organisation__timezone", "course_id")
        .get()
    )
    return _Place(delivery.enrolment_id, organisation_id, course_id, delivery.lesson_id, zoneinfo.ZoneInfo(timezone))


@transaction.atomic
def delivery_record_open(*, delivery: Delivery, at: dt.datetime) -> bool:
    """Record the first open of a delivery (a SendGrid open event); False when already opened."""
    if not Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(opened_at=at):
        return False
    place = _place(delivery)
    lesson_stats_add(increments={(place.organisation_id, place.lesson_id): {"opened": 1}})
    enrolment_stats_add(enrolment_id=place.enrolment_id, opened=1)
    return True


@transaction.atomic
def delivery_record_read(*, delivery: Delivery, at: dt.datetime) -> bool:
    """Record that the learner read the lesson; reading implies opening (images may be blocked)."""
    delivery_record_open(delivery=delivery, at=at)
    if not Delivery.objects.filter(pk=delivery.pk, read_at__isnull=True).update(read_at=at):
        return False
    place = _place(delivery)
    lesson_stats_add(increments={(place.organisation_id, place.lesson_id): {"read": 1}})
    enrolment_stats_add(enrolment_id=place.enrolment_id, read=1)
    return True

"""Keep planned send moments true when an organisation's calendar changes."""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import F, QuerySet

from core.sql import Among
from courses.models import Course, Enrolment
from courses.schedule import calendars_for
from organisations.models import Organisation


@transaction.atomic
def organisation_reschedule(*, organisation: Organisation, now: dt.datetime) -> int:
    """Move each active enrolment's next lesson to the first open slot on or after its planned day.

    Called after a change of time zone, holiday calendar or closure periods: a
    lesson planned on a day that is now closed moves to the next open slot, and
    a new time zone keeps the local send time. Returns how many moved.
    """
    return _reschedule(Enrolment.objects.filter(membership__organisation=organisation), now)


@transaction.atomic
def course_reschedule(*, course: Course, now: dt.datetime) -> int:
    """The same after a change of the course's weekdays or send time, in every organisation."""
    return _reschedule(Enrolment.objects.filter(course=course), now)


def _reschedule(enrolments: QuerySet[Enrolment], now: dt.datetime) -> int:
    groups: dict[tuple[int, int, dt.datetime], list[int]] = defaultdict(list)
    rows = enrolments.select_for_update().filter(status=Enrolment.Status.ACTIVE, next_due_at__isnull=False)
    for pk, organisation_id, course_id, due in rows.values_list(
        "pk", "membership__organisation_id", "course_id", "next_due_at"
    ):
        if due is not None:
            groups[(organisation_id, course_id, due)].append(pk)
    calendars = calendars_for({(organisation_id, course_id) for organisation_id, course_id, _ in groups})
    moved = 0
    for (organisation_id, course_id, due), ids in groups.items():
        calendar = calendars[(organisation_id, course_id)]
        new_due = calendar.first_slot_on_or_after(due.astimezone(calendar.tz).date())
        if new_due < now:
            new_due = calendar.next_slot(now)
        if new_due != due:
            moved += Enrolment.objects.filter(Among(F("pk"), ids)).update(next_due_at=new_due)
    return moved

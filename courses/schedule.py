"""The one place that builds slot calendars from the database: the drip, reminders and
rescheduling all ask here, so they always agree on what a slot is."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from courses.models import Course, Enrolment
from courses.slots import Calendar, holiday_checker
from organisations.models import ClosurePeriod, Organisation

Pair = tuple[int, int]  # (organisation id, course id)


def calendars_for(pairs: Iterable[Pair]) -> dict[Pair, Calendar]:
    """(organisation, course) -> that organisation's calendar for the course, in three queries
    whatever the number of pairs: the organisations, the courses and all their closures."""
    pairs = set(pairs)
    if not pairs:
        return {}
    organisations = Organisation.objects.in_bulk({organisation_id for organisation_id, _ in pairs})
    courses = Course.objects.in_bulk({course_id for _, course_id in pairs})
    closures: dict[int, list] = defaultdict(list)
    for organisation_id, start, end in ClosurePeriod.objects.filter(organisation_id__in=organisations).values_list(
        "organisation_id", "start", "end"
    ):
        closures[organisation_id].append((start, end))
    return {
        (organisation_id, course_id): courses[course_id].calendar_for(
            organisations[organisation_id], closures[organisation_id]
        )
        for organisation_id, course_id in pairs
    }


def enrolment_calendar(enrolment: Enrolment) -> Calendar:
    """One enrolment's calendar (its organisation's, for its course)."""
    pair = (enrolment.membership.organisation_id, enrolment.course_id)
    return calendars_for([pair])[pair]


@dataclass(frozen=True)
class UpcomingDay:
    """A course weekday ahead in an organisation's calendar: a slot, or closed and why."""

    day: dt.date
    slot: dt.datetime | None  # local time of the send; None when the day is closed
    holiday: bool = False
    closure: bool = False


def upcoming_slots(*, course: Course, organisation: Organisation, today: dt.date, count: int = 10) -> list[UpcomingDay]:
    """The next ``count`` slots of the course in the organisation's calendar from ``today``, with the
    course weekdays in between that a public holiday or a closure period takes out, marked."""
    pair = (organisation.pk, course.pk)
    calendar = calendars_for([pair])[pair]
    is_holiday = holiday_checker(organisation.holiday_country)
    closures = list(ClosurePeriod.objects.filter(organisation=organisation).values_list("start", "end"))
    days: list[UpcomingDay] = []
    day, found = today, 0
    for _step in range(400):
        if found >= count:
            break
        if day.weekday() in calendar.weekdays:
            slot = calendar.slot_on(day)
            if slot is not None:
                found += 1
                days.append(UpcomingDay(day, slot.astimezone(calendar.tz)))
            else:
                closed = any(start <= day <= end for start, end in closures)
                days.append(UpcomingDay(day, None, holiday=is_holiday(day), closure=closed))
        day += dt.timedelta(days=1)
    return days

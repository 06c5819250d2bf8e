"""The one place that builds slot calendars from the database: the drip, reminders and
rescheduling all ask here, so they always agree on what a slot is."""

from collections import defaultdict
from collections.abc import Iterable

from courses.models import Course, Enrolment
from courses.slots import Calendar
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

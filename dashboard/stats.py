"""Selectors for the organisation dashboard. Every one is scoped to one organisation.

They read stored counters (Enrolment.lessons_sent/lessons_completed, EnrolmentStats,
LessonStats, DailyCompletion), never delivery history, so the dashboard costs
the same handful of queries for ten learners or five thousand.
"""

import datetime as dt
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.db.models import Count, F, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.http import QueryDict

from courses.models import Course, Enrolment, Offering
from lessons.models import DailyCompletion, Delivery, LessonStats
from organisations.models import Membership, Organisation

# More sent lessons than this not completed: the employee is behind.
BEHIND_AFTER = 2
# Sort keys the employee table accepts, and what they order by.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("membership__user__last_name", "membership__user__first_name", "membership__user__email", "pk"),
    "department": ("membership__department", "membership__user__last_name", "pk"),
    "sent": ("-lessons_sent", "pk"),
    "completed": ("-lessons_completed", "pk"),
    "behind": ("-gap", "pk"),
}


@dataclass(frozen=True)
class DashboardFilters:
    """What the admin narrowed the dashboard to; parsed leniently from the query string."""

    course_id: int | None = None
    department: str = ""
    status: str = ""
    behind_only: bool = False
    sort: str = "name"

    @classmethod
    def from_query(cls, data: QueryDict) -> "DashboardFilters":
        course = data.get("course", "")
        status = data.get("status", "")
        sort = data.get("sort", "name")
        return cls(
            course_id=int(course) if course.isdigit() else None,
            department=data.get("department", "").strip(),
            status=status if status in Enrolment.Status.values else "",
            behind_only=data.get("behind") == "1",
            sort=sort if sort in SORTS else "name",
        )

    def restricted_to(self, course_ids: set[int]) -> "DashboardFilters":
        """Drop a course the organisation does not follow (it would only show an empty page)."""
        return self if self.course_id in course_ids or self.course_id is None else replace(self, course_id=None)

    @property
    def narrows_people(self) -> bool:
        return bool(self.department or self.status or self.behind_only)

    def query(self, **changes: object) -> str:
        """The query string for these filters, with ``changes`` applied (for sort and page links)."""
        params: dict[str, object] = {
            "course": self.course_id or "",
            "department": self.department,
            "status": self.status,
            "behind": "1" if self.behind_only else "",
            "sort": self.sort if self.sort != "name" else "",
        }
        params.update(changes)
        return urlencode({key: value for key, value in params.items() if value not in ("", None)})


def dashboard_courses(*, organisation: Organisation) -> QuerySet[Course]:
    """Courses the organisation offers or has people enrolled in."""
    offered = Offering.objects.filter(organisation=organisation).values("course_id")
    enrolled = Enrolment.objects.filter(membership__organisation=organisation).values("course_id")
    return Course.objects.filter(Q(pk__in=offered) | Q(pk__in=enrolled)).order_by("title")


def dashboard_departments(*, organisation: Organisation) -> QuerySet[Membership, str]:
    return (
        Membership.objects.filter(organisation=organisation)
        .exclude(department="")
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()
    )


def employee_enrolments(*, organisation: Organisation, filters: DashboardFilters) -> QuerySet[Enrolment]:
    """One row per enrolment, with its counters; ``gap`` is sent minus completed."""
    enrolments = Enrolment.objects.filter(membership__organisation=organisation)
    if filters.course_id:
        enrolments = enrolments.filter(course_id=filters.course_id)
    if filters.department:
        enrolments = enrolments.filter(membership__department=filters.department)
    if filters.status:
        enrolments = enrolments.filter(status=filters.status)
    if filters.behind_only:
        enrolments = enrolments.filter(lessons_sent__gt=F("lessons_completed") + BEHIND_AFTER)
    return enrolments.annotate(
        opened=Coalesce(F("stats__opened"), Value(0)),
        read=Coalesce(F("stats__read"), Value(0)),
        gap=F("lessons_sent") - F("lessons_completed"),
    )


def employee_rows(*, organisation: Organisation, filters: DashboardFilters) -> QuerySet[Enrolment]:
    """The employee table; ``certified_at`` (None without a certificate) comes in the same query."""
    return (
        employee_enrolments(organisation=organisation, filters=filters)
        .annotate(certified_at=F("certificate__issued_at"))
        .select_related("membership__user", "course")
        .order_by(*SORTS[filters.sort])
    )


def department_rows(*, organisation: Organisation, filters: DashboardFilters) -> QuerySet[Enrolment, dict]:
    """Per department: people, counters summed, and how many are behind."""
    return (
        employee_enrolments(organisation=organisation, filters=filters)
        .order_by()
        .values(department=F("membership__department"))
        .annotate(
            people=Count("pk"),
            sent=Sum("lessons_sent"),
            opened_total=Sum(Coalesce(F("stats__opened"), Value(0))),
            read_total=Sum(Coalesce(F("stats__read"), Value(0))),
            completed=Sum("lessons_completed"),
            behind=Count("pk", filter=Q(lessons_sent__gt=F("lessons_completed") + BEHIND_AFTER)),
            first_start=Min("start_date"),
        )
        .order_by("department")
    )


def lesson_rows(*, organisation: Organisation, course_id: int | None) -> QuerySet[LessonStats]:
    """The per-lesson funnel. Counted for the whole organisation (a course filter applies)."""
    rows = LessonStats.objects.filter(organisation=organisation)
    if course_id:
        rows = rows.filter(lesson__course_id=course_id)
    return rows.select_related("lesson__current_version", "lesson__course").order_by(
        "lesson__course__title", "lesson__position"
    )


def completions_by_day(
    *, organisation: Organisation, filters: DashboardFilters, since: dt.date
) -> QuerySet[DailyCompletion, dict]:
    """Lessons completed per day since ``since``. For the whole organisation (or one course) the
    stored daily counters; narrowed to some people (a department, a status, those behind) their
    deliveries' completions, in the organisation's time zone: the same one query either way."""
    if filters.narrows_people:
        people = employee_enrolments(organisation=organisation, filters=filters).values("pk")
        start = dt.datetime.combine(since, dt.time.min, tzinfo=organisation.tz)
        return (
            Delivery.objects.filter(enrolment_id__in=people, completed_at__gte=start)  # type: ignore[return-value]
            .annotate(day=TruncDate("completed_at", tzinfo=organisation.tz))
            .order_by("day")
            .values("day")
            .annotate(completed=Count("pk"))
        )
    days = DailyCompletion.objects.filter(organisation=organisation, day__gte=since)
    if filters.course_id:
        days = days.filter(course_id=filters.course_id)
    return days.order_by("day").values("day").annotate(completed=Sum("completed"))


def weekly_completions(
    *, organisation: Organisation, filters: DashboardFilters, first_monday: dt.date, today: dt.date
) -> list[tuple[dt.date, int]]:
    """(Monday, lessons completed that week) from ``first_monday`` to this week, oldest first."""
    weeks = (today - first_monday).days // 7 + 1
    totals = {first_monday + dt.timedelta(weeks=n): 0 for n in range(max(weeks, 1))}
    for row in completions_by_day(organisation=organisation, filters=filters, since=first_monday):
        day: dt.date = row["day"]
        monday = day - dt.timedelta(days=day.weekday())
        if monday in totals:  # a clock set back could have counted days after today
            totals[monday] += row["completed"]
    return list(totals.items())

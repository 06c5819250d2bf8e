"""The organisation dashboard: per employee, per department, per lesson, with charts."""

import datetime as dt

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import Enrolment
from dashboard import charts
from dashboard.stats import (
    BEHIND_AFTER,
    DashboardFilters,
    dashboard_courses,
    dashboard_departments,
    department_rows,
    employee_rows,
    lesson_rows,
    weekly_completions,
)
from organisations.decorators import organisation_admin_required
from organisations.models import Organisation

PER_PAGE = 100
WEEKS = 12
_TOTALS = ("people", "sent", "opened_total", "read_total", "completed", "behind")
SORT_LABELS = {
    "name": _("name"),
    "department": _("department"),
    "sent": _("sent"),
    "completed": _("completed"),
    "behind": _("behind"),
}


def _totals(departments: list[dict]) -> dict[str, int]:
    return {key: sum(row[key] or 0 for row in departments) for key in _TOTALS}


def _links(filters: DashboardFilters, page: Page) -> dict:
    """Query strings for sort and page links, keeping the filters."""
    return {
        "sort_links": [
            {"key": key, "label": label, "query": filters.query(sort=key if key != "name" else "")}
            for key, label in SORT_LABELS.items()
        ],
        "previous_query": filters.query(page=page.previous_page_number()) if page.has_previous() else "",
        "next_query": filters.query(page=page.next_page_number()) if page.has_next() else "",
    }


def _first_start(departments: list[dict]) -> dt.date | None:
    """The earliest start among the people shown: the completion chart's time axis begins there."""
    starts = [row["first_start"] for row in departments if row.get("first_start")]
    return min(starts, default=None)


@organisation_admin_required
def organisation_dashboard(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """Progress of the organisation's staff, read from stored counters (a fixed number of queries)."""
    courses = list(dashboard_courses(organisation=organisation))
    filters = DashboardFilters.from_query(request.GET).restricted_to({course.pk for course in courses})
    departments = list(department_rows(organisation=organisation, filters=filters))
    page = Paginator(employee_rows(organisation=organisation, filters=filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    lessons = list(lesson_rows(organisation=organisation, course_id=filters.course_id))
    today = timezone.now().astimezone(organisation.tz).date()
    # The charts count the same people as the tiles: every filter applies.
    first_monday, first_week = charts.course_weeks(first_start=_first_start(departments), today=today, most=WEEKS)
    weeks = weekly_completions(organisation=organisation, filters=filters, first_monday=first_monday, today=today)
    totals = _totals(departments)
    context = {
        "organisation": organisation,
        "filters": filters,
        "courses": courses,
        "department_choices": list(dashboard_departments(organisation=organisation)),
        "status_choices": Enrolment.Status.choices,
        "departments": departments,
        "totals": totals,
        "page": page,
        "lessons": lessons,
        "completion_chart": charts.completion_chart(weeks, first_week=first_week),
        "funnel": charts.funnel(
            sent=totals["sent"],
            opened=totals["opened_total"],
            read=totals["read_total"],
            completed=totals["completed"],
        ),
        "behind_after": BEHIND_AFTER,
        **_links(filters, page),
    }
    return render(request, "dashboard/dashboard.html", context)

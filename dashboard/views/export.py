"""The per-employee table as CSV, shaped for Excel in Belgium: `;`, UTF-8 with a BOM."""

import csv

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Enrolment
from dashboard.stats import BEHIND_AFTER, DashboardFilters, dashboard_courses, employee_rows
from organisations.decorators import organisation_admin_required
from organisations.models import Organisation

_COLUMNS = (
    "membership__user__first_name",
    "membership__user__last_name",
    "membership__user__email",
    "membership__department",
    "course__title",
    "status",
    "lessons_sent",
    "opened",
    "read",
    "lessons_completed",
    "gap",
)
# A cell starting with one of these is a formula to Excel; HR names are not formulas.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _header() -> list[str]:
    return [
        _("Name"),
        _("Email"),
        _("Department"),
        _("Course"),
        _("Status"),
        _("Sent"),
        _("Opened"),
        _("Read"),
        _("Completed"),
        _("Progress (%)"),
        _("Behind"),
    ]


@organisation_admin_required
def dashboard_export(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """Every employee row the dashboard's filters select (not just one page)."""
    course_ids = set(dashboard_courses(organisation=organisation).values_list("pk", flat=True))
    filters = DashboardFilters.from_query(request.GET).restricted_to(course_ids)
    stamp = timezone.now().astimezone(organisation.tz).date().isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{organisation.slug}-dashboard-{stamp}.csv"'
    response.write("\ufeff")  # the BOM tells Excel the file is UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow(_header())
    yes, no = _("yes"), _("no")
    statuses = dict(Enrolment.Status.choices)
    rows = employee_rows(organisation=organisation, filters=filters).values_list(*_COLUMNS)
    for first, last, email, department, course, status, sent, opened, read, completed, gap in rows.iterator(2000):
        progress = round(100 * completed / sent) if sent else 0
        name = f"{first} {last}".strip() or email
        values = [name, email, department, course, statuses.get(status, status), sent, opened, read, completed]
        values += [progress, yes if gap > BEHIND_AFTER else no]
        writer.writerow([_cell(value) for value in values])
    return response

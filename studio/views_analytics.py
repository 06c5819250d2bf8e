"""The trainer's course analytics: the page and its CSV export (same organisation filter)."""

import csv
import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.http import AuthenticatedHttpRequest
from courses.models import Course
from studio import svg
from studio.access import course_trainer_required
from studio.analytics import CourseAnalytics, LessonFigures, Section, course_analytics

# A cell starting with one of these is a formula to a spreadsheet; lesson titles are not formulas.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _organisation_id(request: AuthenticatedHttpRequest) -> int | None:
    value = request.GET.get("organisation", "")
    return int(value) if value.isdigit() else None


def _figures(request: AuthenticatedHttpRequest, course: Course) -> CourseAnalytics:
    today = timezone.localdate()
    return course_analytics(course=course, organisation_id=_organisation_id(request), today=today)


class _Labels(dict):
    """Each Monday's short and long label, made once for every chart and table of the page."""

    def __missing__(self, monday: dt.date) -> tuple[str, str]:
        self[monday] = formats.date_format(monday, "j M"), formats.date_format(monday, "j M Y")
        return self[monday]


def _chart(section: Section, labels: _Labels) -> dict:
    drawn = []
    for week in section.weeks:
        short, long = labels[week.monday]
        text = ngettext("Week of %(week)s: %(completed)s completed", "Week of %(week)s: %(completed)s completed",
                        week.completed)  # fmt: skip
        drawn.append((short, text % {"week": long, "completed": week.completed}, week.completed))
    table = [(labels[week.monday][1], week.completed) for week in section.weeks]
    return {"chart": svg.columns(drawn), "table": table}


@course_trainer_required
def course_analytics_page(request: AuthenticatedHttpRequest, course: Course) -> HttpResponse:
    """Per lesson, per module and for the course, read from stored counters (a fixed number of queries)."""
    figures = _figures(request, course)
    labels = _Labels()
    modules = [{"section": section, **_chart(section, labels)} for section in figures.modules]
    context = {
        "course": course,
        "figures": figures,
        "course_chart": _chart(figures.course_section, labels),
        "modules": modules,
        "query": f"?organisation={figures.organisation.pk}" if figures.organisation else "",
    }
    return render(request, "studio/analytics.html", context)


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _header() -> list[str]:
    return [
        _("Module"),
        _("Position"),
        _("Lesson"),
        _("Sent"),
        _("Delivered"),
        _("Opened"),
        _("Open rate (%)"),
        _("Read on the web"),
        _("Completed"),
        _("Completion (%)"),
        _("Answered"),
        _("Right answers"),
        _("Wrong answers"),
        _("Answers per option"),
        _("Posts"),
        _("To rewrite"),
    ]


def _row(figures: LessonFigures) -> list[object]:
    options = " | ".join(f"{option.number}{'*' if option.right else ''}: {option.chosen}" for option in figures.options)
    reasons = [_("low completion")] if figures.rewrite_completion else []
    reasons += [_("many wrong answers")] if figures.rewrite_wrong else []
    lesson = figures.lesson
    return [
        lesson.module.title,
        lesson.position,
        figures.title,
        figures.sent,
        figures.delivered,
        figures.opened,
        figures.open_rate,
        figures.read,
        figures.completed,
        figures.completion_rate,
        figures.answered,
        figures.correct,
        figures.wrong,
        options,
        figures.posts,
        ", ".join(reasons),
    ]


@course_trainer_required
def course_analytics_export(request: AuthenticatedHttpRequest, course: Course) -> HttpResponse:
    """One row per lesson, with the page's filter; `;` and a BOM, for a spreadsheet in Belgium."""
    figures = _figures(request, course)
    scope = figures.organisation.slug if figures.organisation else "all"
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{course.slug}-{scope}-analytics-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(_header())
    for lesson in figures.lessons:
        writer.writerow([_cell(value) for value in _row(lesson)])
    return response

"""Read-side queries of the studio: the course list's health line, the outline, the trainer's links."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.models import User
from courses.models import Course, Enrolment
from courses.selectors import courses_trained_by
from discussions.models import Group
from discussions.selectors import unanswered_questions
from lessons.models import DailyCompletion, Lesson, Module
from organisations.models import Organisation
from organisations.selectors import organisations_for_admin


def _per_course(rows: QuerySet, course: str, total: Count | Sum) -> Coalesce:
    """``total`` of ``rows`` (filtered on the outer course through ``course``), inside the course query."""
    grouped = rows.filter(**{course: OuterRef("pk")}).order_by().values(course).annotate(n=total).values("n")[:1]
    return Coalesce(Subquery(grouped, output_field=IntegerField()), 0)


def courses_with_health(user: User, *, today: dt.date) -> QuerySet[Course]:
    """The trainer's courses, each annotated with its health line in the same query: ``learners``
    (active enrolments), ``completed_week`` (lessons completed since Monday, from the stored daily
    counters) and ``open_questions`` (learners' questions in the course's groups no trainer answered)."""
    monday = today - dt.timedelta(days=today.weekday())
    return courses_trained_by(user).annotate(
        learners=_per_course(Enrolment.objects.filter(status=Enrolment.Status.ACTIVE), "course", Count("pk")),
        completed_week=_per_course(DailyCompletion.objects.filter(day__gte=monday), "course", Sum("completed")),
        open_questions=_per_course(unanswered_questions(), "thread__group__course", Count("pk")),
    )


def shared_group(course: Course) -> Group | None:
    """The course-wide discussion group (shared by every organisation without a private one)."""
    return Group.objects.filter(course=course, organisation__isnull=True).first()


def administered(user: User) -> list[Organisation]:
    """The organisations this trainer also administers (not staff's "all"): the nav links to them."""
    if user.is_staff:
        return []
    return list(organisations_for_admin(user).order_by("name")[:5])


@dataclass(frozen=True)
class OutlineModule:
    module: Module
    lessons: list[Lesson]
    index: int  # 0-based


def course_outline_for_studio(course: Course) -> list[OutlineModule]:
    """Modules in order, each with its lessons in order and their current versions: two queries."""
    lessons = list(
        Lesson.objects.filter(course=course)
        .select_related("current_version")
        .order_by("module__position", "order", "pk")
    )
    by_module: dict[int, list[Lesson]] = {}
    for lesson in lessons:
        by_module.setdefault(lesson.module_id, []).append(lesson)
    modules = Module.objects.filter(course=course).order_by("position", "pk")
    return [OutlineModule(m, by_module.get(m.pk, []), index) for index, m in enumerate(modules)]

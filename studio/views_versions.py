"""A lesson's history: every version, a diff between any two, and restoring an old one."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedHttpRequest
from courses.models import Course
from lessons.models import Lesson
from studio.access import course_trainer_required
from studio.versions import version_diff, version_restore


def _number(text: str | None, default: int) -> int:
    return int(text) if text and text.isdigit() else default


@course_trainer_required
@require_GET
def lesson_versions(request: AuthenticatedHttpRequest, course: Course, lesson_id: int) -> HttpResponse:
    """The history, newest first, and the diff of two versions (``a`` → ``b``; default: the last two)."""
    lesson = get_object_or_404(Lesson.objects.select_related("current_version"), pk=lesson_id, course=course)
    versions = list(lesson.versions.select_related("created_by").order_by("-number"))
    by_number = {version.number: version for version in versions}
    newest = versions[0].number if versions else 0
    new = by_number.get(_number(request.GET.get("b"), newest))
    old = by_number.get(_number(request.GET.get("a"), newest - 1))
    diff = version_diff(old, new) if old is not None and new is not None else []
    context = {
        "course": course,
        "lesson": lesson,
        "versions": versions,
        "old": old,
        "new": new,
        "diff": diff,
        "changed": any(line.kind != "same" for line in diff),
    }
    return render(request, "studio/versions.html", context)


@course_trainer_required
@require_POST
def version_restore_view(
    request: AuthenticatedHttpRequest, course: Course, lesson_id: int, number: int
) -> HttpResponse:
    lesson = get_object_or_404(Lesson, pk=lesson_id, course=course)
    version = get_object_or_404(lesson.versions, number=number)
    restored = version_restore(version=version, by=request.user)
    message = _("Version %(old)d restored as version %(new)d.") % {"old": version.number, "new": restored.number}
    messages.success(request, message)
    return redirect("studio:lesson_edit", course_slug=course.slug, lesson_id=lesson.pk)

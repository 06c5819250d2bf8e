"""The studio's front page and a course's outline: the order of modules and lessons, and publishing.

Every change is a POST form (no script needed) that goes through lessons/authoring.py, so the
reorder rule holds for enrolled learners whatever the trainer does here.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from courses.models import Course
from lessons.authoring import AuthoringError, lesson_create, lesson_move, lesson_publish, module_move
from lessons.models import Lesson, Module
from studio.access import course_trainer_required, trainer_required
from studio.forms import NewLessonForm
from studio.selectors import course_outline_for_studio, courses_with_health

PLACEHOLDER_TEXT = "…"


@trainer_required
def studio_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The trainer's courses, each with a line of health."""
    courses = courses_with_health(request.user, today=timezone.localdate())
    return render(request, "studio/home.html", {"courses": courses})


@course_trainer_required
def course_overview(request: AuthenticatedHttpRequest, course: Course) -> HttpResponse:
    """One course: its modules and lessons in order, with the buttons that change the order."""
    return render(request, "studio/course.html", {"course": course, "outline": course_outline_for_studio(course)})


def _lesson(course: Course, lesson_id: int) -> Lesson:
    return get_object_or_404(Lesson.objects.select_related("module"), pk=lesson_id, course=course)


def _neighbour_place(lesson: Lesson, direction: str) -> tuple[Module, int | None] | None:
    """Where one step up or down puts the lesson: within its module, or across into the next one."""
    siblings = list(Lesson.objects.filter(module_id=lesson.module_id).order_by("order").values_list("pk", flat=True))
    index = siblings.index(lesson.pk)
    modules = list(Module.objects.filter(course_id=lesson.course_id).order_by("position"))
    at = next(number for number, module in enumerate(modules) if module.pk == lesson.module_id)
    if direction == "up":
        if index > 0:
            return modules[at], index - 1
        return (modules[at - 1], None) if at > 0 else None  # to the end of the module before
    if index < len(siblings) - 1:
        return modules[at], index + 1
    return (modules[at + 1], 0) if at + 1 < len(modules) else None  # to the start of the next module


@course_trainer_required
@require_POST
def lesson_move_view(request: AuthenticatedHttpRequest, course: Course, lesson_id: int) -> HttpResponse:
    """One step ``up`` or ``down`` (the arrows), or to ``index`` in ``module`` (a drag and drop)."""
    lesson = _lesson(course, lesson_id)
    direction = request.POST.get("direction", "")
    module_id, index = request.POST.get("module", ""), request.POST.get("index", "")
    if module_id.isdigit() and index.isdigit():
        place: tuple[Module, int | None] | None = (get_object_or_404(Module, pk=module_id, course=course), int(index))
    elif direction in ("up", "down"):
        place = _neighbour_place(lesson, direction)
    else:
        raise Http404
    if place is not None:
        lesson_move(lesson=lesson, module=place[0], index=place[1])
    return redirect(f"{_course_url(course)}#lesson-{lesson.pk}")


@course_trainer_required
@require_POST
def lesson_publish_view(request: AuthenticatedHttpRequest, course: Course, lesson_id: int) -> HttpResponse:
    lesson = _lesson(course, lesson_id)
    published = request.POST.get("published") == "1"
    if published and lesson.current_version_id is None:
        messages.error(request, _("Write the lesson before you publish it."))
    elif lesson_publish(lesson=lesson, published=published):
        messages.success(request, _("Lesson published.") if published else _("Lesson unpublished."))
    return redirect(f"{_course_url(course)}#lesson-{lesson.pk}")


@course_trainer_required
@require_POST
def module_move_view(request: AuthenticatedHttpRequest, course: Course, module_id: int) -> HttpResponse:
    module = get_object_or_404(Module, pk=module_id, course=course)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        raise Http404
    index = list(Module.objects.filter(course=course).order_by("position").values_list("pk", flat=True)).index(
        module.pk
    )
    module_move(module=module, index=max(0, index - 1 if direction == "up" else index + 1))
    return redirect(f"{_course_url(course)}#module-{module.pk}")


def _course_url(course: Course) -> str:
    return reverse("studio:course", kwargs={"course_slug": course.slug})


@course_trainer_required
@require_http_methods(["GET", "POST"])
def lesson_new(request: AuthenticatedHttpRequest, course: Course) -> HttpResponse:
    """Insert a lesson at a place in a module (``module`` and ``index`` in the query); it starts
    unpublished, then opens in the editor."""
    module_id = request.GET.get("module", "")
    modules = Module.objects.filter(course=course).order_by("position")
    module = get_object_or_404(modules, pk=module_id) if module_id.isdigit() else modules.last()
    if module is None:
        raise Http404
    index_text = request.GET.get("index", "")
    index = int(index_text) if index_text.isdigit() else None
    form = NewLessonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lesson = lesson_create(
                module=module,
                slug=form.cleaned_data["slug"],
                title=form.cleaned_data["title"],
                summary="",
                body_markdown=PLACEHOLDER_TEXT,
                index=index,
                published=False,
                by=request.user,
            )
        except AuthoringError as error:
            for problem in error.problems:
                form.add_error(problem.field if problem.field in form.fields else None, problem.message)
        else:
            return redirect("studio:lesson_edit", course_slug=course.slug, lesson_id=lesson.pk)
    context = {"course": course, "module": module, "index": index, "form": form}
    return render(request, "studio/lesson_new.html", context)

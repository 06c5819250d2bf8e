"""The lesson editor: front matter, Markdown with a live preview, the question, checks before
saving, every save a version; and "send me a test".

The preview is a real document in an iframe (the lesson page, the mail's HTML or its text),
so the mail keeps its inlined styles under a policy of its own; the editor's script posts
the form into it while the trainer types, and asks the check endpoint for the problems.
"""

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from courses.models import Course
from lessons.authoring import AuthoringError, lesson_check, lesson_move, lesson_version_create
from lessons.models import Lesson, LessonVersion
from lessons.validation import MAX_SUMMARY_CHARS, Problem, words
from studio.access import course_trainer_required
from studio.forms import LessonForm
from studio.sample import draft_version, lesson_test_send, sample_mail, sample_page_context

VIEWS = ("page", "mail", "text")


def _lesson(course: Course, lesson_id: int) -> Lesson:
    return get_object_or_404(
        Lesson.objects.select_related("module", "current_version", "course"), pk=lesson_id, course=course
    )


def _problems(course: Course, lesson: Lesson, form: LessonForm) -> list[Problem]:
    return lesson_check(course=course, draft=form.draft(), lesson=lesson)


@course_trainer_required
@require_http_methods(["GET", "POST"])
def lesson_edit(request: AuthenticatedHttpRequest, course: Course, lesson_id: int) -> HttpResponse:
    lesson = _lesson(course, lesson_id)
    if request.method == "POST":
        form = LessonForm(request.POST, course=course)
        if form.is_valid():
            try:
                version = lesson_version_create(lesson=lesson, by=request.user, **form.content())
            except AuthoringError as error:
                for problem in error.problems:
                    messages.error(request, problem.message)
            else:
                if form.cleaned_data["module"].pk != lesson.module_id:
                    lesson_move(lesson=lesson, module=form.cleaned_data["module"])
                messages.success(request, _("Saved as version %(number)d.") % {"number": version.number})
                return redirect("studio:lesson_edit", course_slug=course.slug, lesson_id=lesson.pk)
    else:  # bound to the saved version, so the checks below speak about it at once
        form = LessonForm(LessonForm.initial_for(lesson.current_version, lesson.module), course=course)
    problems = _problems(course, lesson, form) if form.is_valid() else []
    context = {
        "course": course,
        "lesson": lesson,
        "form": form,
        "problems": problems,
        "words": words(form.cleaned_data.get("body_markdown", "")) if form.is_valid() else 0,
        "max_summary": MAX_SUMMARY_CHARS,
        "versions": lesson.versions.count(),
        "editor_messages": _editor_messages(),
        "posted": request.method == "POST",  # a refused save: the preview shows the draft, not the saved version
    }
    return render(request, "studio/lesson_edit.html", context)


def _editor_messages() -> dict[str, str]:
    """The editor script's words, in the page's language."""
    return {
        "none": _("No problems found."),
        "error": _("Error"),
        "advice": _("Advice"),
        "word": _("%s word"),
        "words": _("%s words"),
        "characters": _("%(count)s of %(max)s characters"),
        "bold": _("bold text"),
        "italic": _("italic text"),
        "link": _("link text"),
    }


@course_trainer_required
@require_POST
def lesson_check_view(request: AuthenticatedHttpRequest, course: Course, lesson_id: int) -> JsonResponse:
    """The problems of what the editor holds, before saving: for the editor's script."""
    lesson = _lesson(course, lesson_id)
    form = LessonForm(request.POST, course=course)
    if not form.is_valid():
        errors = [str(message) for messages_ in form.errors.values() for message in messages_]
        return JsonResponse({"problems": [{"level": "error", "message": text, "field": ""} for text in errors]})
    problems = [
        {"level": str(problem.level), "message": problem.message, "field": problem.field}
        for problem in _problems(course, lesson, form)
    ]
    return JsonResponse({"problems": problems, "words": words(form.cleaned_data["body_markdown"])})


# The preview is framed by the editor (same origin only). The mail keeps its inlined CSS, as a
# mail client shows it; no script runs in any of the three.
@xframe_options_sameorigin
@csp_replace({"style-src": [SELF, UNSAFE_INLINE], "script-src": [NONE], "frame-ancestors": [SELF]})  # type: ignore[arg-type]
@course_trainer_required
@require_http_methods(["GET", "POST"])
def lesson_preview(request: AuthenticatedHttpRequest, course: Course, lesson_id: int) -> HttpResponse:
    """The lesson page, the mail's HTML or its plain text (``view``), from the editor's form (POST)
    or the saved version (GET)."""
    lesson = _lesson(course, lesson_id)
    data = request.POST if request.method == "POST" else request.GET
    view = data.get("view") if data.get("view") in VIEWS else "page"
    version: LessonVersion | None = lesson.current_version
    if request.method == "POST":
        form = LessonForm(request.POST, course=course)
        version = draft_version(lesson, form.content()) if form.is_valid() else version
    if version is None:
        return HttpResponse(_("This lesson has no text yet."), content_type="text/plain; charset=utf-8")
    if view == "page":
        return render(request, "learners/lesson/lesson.html", sample_page_context(version, request.user))
    mail = sample_mail(version, request.user)
    if view == "text":
        return HttpResponse(f"{mail.subject}\n\n{mail.text}", content_type="text/plain; charset=utf-8")
    return HttpResponse(mail.html)


@course_trainer_required
@require_POST
def lesson_test_send_view(request: AuthenticatedHttpRequest, course: Course, lesson_id: int) -> HttpResponse:
    """Send the saved version's exact mail to the trainer, marked as a test."""
    lesson = _lesson(course, lesson_id)
    if lesson.current_version is None:
        messages.error(request, _("Save the lesson before you send a test."))
    else:
        lesson_test_send(version=lesson.current_version, user=request.user)
        messages.success(
            request, _("A test mail of this lesson is on its way to %(email)s.") % {"email": request.user.email}
        )
    return redirect("studio:lesson_edit", course_slug=course.slug, lesson_id=lesson.pk)

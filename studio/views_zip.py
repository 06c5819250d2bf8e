"""Lessons as code from the studio: download the course folder as a zip; upload one, see what it
would change (lessons added, changed, moved; modules changed), and only then apply it."""

import hashlib
import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedHttpRequest
from courses.models import Course
from lessons.course_folder import CourseFolderError, CourseSource
from lessons.course_sync import SyncReport, course_sync
from lessons.course_zip import MAX_ZIP_BYTES, check_course_zip, course_zip
from lessons.validation import Level, Problem
from studio.access import course_trainer_required
from studio.models import CourseUpload


@course_trainer_required
@require_GET
def course_zip_download(request: AuthenticatedHttpRequest, course: Course) -> HttpResponse:
    response = HttpResponse(course_zip(course), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{course.slug}.zip"'
    return response


def _read(course: Course, data: bytes) -> tuple[CourseSource | None, list[Problem]]:
    """The zip's course, or why it cannot be imported into this course."""
    source, problems = check_course_zip(data)
    if source is not None and source.slug != course.slug:
        message = _("This zip holds the course “%(slug)s”, not this one (“%(this)s”).")
        return None, [Problem(Level.ERROR, message % {"slug": source.slug, "this": course.slug})]
    return source, problems


def plan_fingerprint(report: SyncReport) -> str:
    """What the preview showed, as one value: the import applies only the plan the trainer saw."""
    return hashlib.sha256(json.dumps(report.as_dict(), sort_keys=True, default=str).encode()).hexdigest()


@course_trainer_required
@require_http_methods(["GET", "POST"])
def course_import(request: AuthenticatedHttpRequest, course: Course) -> HttpResponse:
    """The upload form; a good zip is kept and its preview shown, a bad one is explained."""
    problems: list[Problem] = []
    if request.method == "POST":
        upload = request.FILES.get("zip")
        if upload is None:
            problems = [Problem(Level.ERROR, _("Choose a zip file of the course folder."))]
        elif upload.size is not None and upload.size > MAX_ZIP_BYTES:
            problems = [Problem(Level.ERROR, _("The zip is too large for a course folder."))]
        else:
            data = upload.read()
            source, problems = _read(course, data)
            if source is not None:
                # One pending zip per trainer and course: an upload replaces the one not confirmed.
                CourseUpload.objects.filter(course=course, uploaded_by=request.user, applied_at__isnull=True).delete()
                kept = CourseUpload.objects.create(
                    course=course, uploaded_by=request.user, filename=(upload.name or "")[:200], data=data
                )
                return redirect("studio:import_preview", course_slug=course.slug, upload_id=kept.pk)
    errors = [problem for problem in problems if problem.is_error]
    status = 400 if errors else 200
    return render(request, "studio/import.html", {"course": course, "problems": problems}, status=status)


@course_trainer_required
@require_http_methods(["GET", "POST"])
def course_import_preview(request: AuthenticatedHttpRequest, course: Course, upload_id: int) -> HttpResponse:
    """What the zip changes; the trainer's confirmation (POST) applies exactly that."""
    upload = get_object_or_404(CourseUpload, pk=upload_id, course=course)
    if upload.applied_at is not None:
        messages.info(request, _("This zip was imported already."))
        return redirect("studio:course", course_slug=course.slug)
    source, _problems = _read(course, bytes(upload.data))
    if source is None:
        raise Http404  # it was checked on upload; a course renamed since no longer takes it
    report = course_sync(source=source)
    fingerprint = plan_fingerprint(report)
    if request.method == "POST":
        if request.POST.get("plan") != fingerprint:
            messages.error(request, _("The course changed since this preview. Check the changes again."))
        elif report.has_changes:
            try:
                course_sync(source=source, apply=True)
            except CourseFolderError as error:
                for problem in error.problems:
                    messages.error(request, problem.message)
            else:
                upload.applied_at, upload.data = timezone.now(), b""  # applied: its bytes are no longer needed
                upload.save(update_fields=["applied_at", "data"])
                messages.success(request, _("The zip is imported."))
                return redirect("studio:course", course_slug=course.slug)
    context = {"course": course, "upload": upload, "report": report, "plan": fingerprint, "warnings": report.warnings}
    return render(request, "studio/import_preview.html", context)

"""A course's settings: its words, its cadence (with the next slots of an organisation taking it),
its discussion group, and what of it is published."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from courses.models import Course
from courses.rescheduling import course_reschedule
from courses.schedule import upcoming_slots
from discussions.services import group_ensure
from lessons.models import Lesson
from lessons.selectors import course_places_forget
from organisations.models import Organisation
from studio.access import course_trainer_required
from studio.forms import CourseSettingsForm


@course_trainer_required
@require_http_methods(["GET", "POST"])
def course_settings(request: AuthenticatedHttpRequest, course: Course) -> HttpResponse:
    before = (list(course.weekdays), course.send_time)
    form = CourseSettingsForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            course = form.save()
            group_ensure(course=course)  # the nav links every trainer page to the course's group
            moved = 0
            if (course.weekdays, course.send_time) != before:
                moved = course_reschedule(course=course, now=timezone.now())
        course_places_forget(course.pk)
        messages.success(request, _("The course settings are saved."))
        if moved:
            message = ngettext(
                "%(count)d planned lesson moved to the new cadence.",
                "%(count)d planned lessons moved to the new cadence.",
                moved,
            )
            messages.info(request, message % {"count": moved})
        return redirect("studio:course_settings", course_slug=course.slug)
    if request.method == "POST":
        course.refresh_from_db()
    organisations = list(Organisation.objects.filter(offerings__course=course).distinct().order_by("name"))
    chosen = request.GET.get("organisation", "")
    organisation = next((o for o in organisations if str(o.pk) == chosen), organisations[0] if organisations else None)
    lessons = Lesson.objects.filter(course=course)
    context = {
        "course": course,
        "form": form,
        "organisations": organisations,
        "organisation": organisation,
        "upcoming": upcoming_slots(course=course, organisation=organisation, today=timezone.localdate())
        if organisation
        else [],
        "published": lessons.filter(published=True, current_version__isnull=False).count(),
        "lessons": lessons.count(),
    }
    return render(request, "studio/settings.html", context)

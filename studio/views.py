from django.http import HttpResponse
from django.shortcuts import render

from accounts.http import AuthenticatedHttpRequest
from courses.models import Course
from courses.selectors import courses_trained_by
from studio.access import course_trainer_required, trainer_required


@trainer_required
def studio_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The trainer's courses."""
    return render(request, "studio/home.html", {"courses": courses_trained_by(request.user)})


@course_trainer_required
def course_overview(request: AuthenticatedHttpRequest, course: Course) -> HttpResponse:
    """One course: its modules and lessons."""
    return render(request, "studio/course.html", {"course": course})

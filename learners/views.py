from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from accounts.http import AuthenticatedHttpRequest
from courses.models import Enrolment


@login_required
def my_courses(request: AuthenticatedHttpRequest) -> HttpResponse:
    enrolments = Enrolment.objects.filter(membership__user=request.user).select_related("course")
    return render(request, "learners/courses.html", {"enrolments": enrolments})

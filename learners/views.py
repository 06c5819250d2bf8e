"""The learner's own space under /me/: courses and progress, pause, unsubscribe, data, erasure.

Every query starts from request.user, so someone else's enrolment is a 404.
Pause, resume and unsubscribe change learning state and take a POST (with the
session's CSRF token: unlike the mail links, these pages are signed in).
"""

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from courses.models import Certificate, Enrolment
from courses.services import enrolment_pause, enrolment_resume, enrolment_unsubscribe
from learners.erasure import user_erase
from learners.selectors import enrolments_of, enrolments_with_received
from learners.services import learner_data_export
from lessons.models import Delivery
from lessons.tokens import delivery_token


def _lesson_row(delivery: Delivery) -> dict[str, Any]:
    if delivery.answer_correct is not None:
        outcome = "right" if delivery.answer_correct else "wrong"
    else:
        outcome = "open" if delivery.version.has_question else ""
    return {
        "position": delivery.position,
        "title": delivery.version.title,
        "sent_at": delivery.sent_at,
        "outcome": outcome,
        "url": reverse("lessons:page", args=[delivery_token(delivery.pk)]),
    }


def _course_row(enrolment: Any) -> dict[str, Any]:
    # Any: the selector annotates lesson_total and prefetches received, which Enrolment's type does not know.
    total = enrolment.lesson_total
    return {
        "enrolment": enrolment,
        "organisation": enrolment.membership.organisation,
        "total": total,
        "percent": min(100, round(100 * enrolment.lessons_completed / total)) if total else 0,
        "lessons": [_lesson_row(delivery) for delivery in enrolment.received],
        "modules": _module_rows(enrolment),
        "certificate": _certificate_of(enrolment),
    }


def _module_rows(enrolment: Any) -> list[dict[str, Any]]:
    """Progress per module, for a course of more than one: received and completed of its published lessons."""
    modules = enrolment.course.outline
    if len(modules) < 2:
        return []
    received: Counter[int] = Counter(delivery.module_id for delivery in enrolment.received)
    completed: Counter[int] = Counter(
        delivery.module_id for delivery in enrolment.received if delivery.completed_at is not None
    )
    return [
        {
            "number": module.position,
            "title": module.title,
            "total": module.published,
            "received": received[module.pk],
            "completed": completed[module.pk],
            "percent": min(100, round(100 * completed[module.pk] / module.published)) if module.published else 0,
        }
        for module in modules
    ]


def _certificate_of(enrolment: Enrolment) -> Certificate | None:
    # The selector joins the certificate; a missing reverse one-to-one raises rather than returning None.
    try:
        return enrolment.certificate
    except Certificate.DoesNotExist:
        return None


def _own_enrolment(request: AuthenticatedHttpRequest, enrolment_id: int) -> Enrolment:
    return get_object_or_404(enrolments_of(user=request.user), pk=enrolment_id)


@never_cache
@login_required
@require_GET
def my_courses(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = [_course_row(enrolment) for enrolment in enrolments_with_received(user=request.user)]
    return render(request, "learners/courses.html", {"rows": rows})


@login_required
@require_POST
def pause(request: AuthenticatedHttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _own_enrolment(request, enrolment_id)
    if enrolment_pause(enrolment=enrolment, now=timezone.now()):
        messages.success(
            request, _("Your lessons are paused. Resume whenever you like: you will continue with the next lesson.")
        )
    return redirect("learners:courses")


@login_required
@require_POST
def resume(request: AuthenticatedHttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _own_enrolment(request, enrolment_id)
    if enrolment_resume(enrolment=enrolment, now=timezone.now()):
        messages.success(request, _("Welcome back! Your next lesson arrives at the next send moment."))
    return redirect("learners:courses")


@login_required
@require_http_methods(["GET", "POST"])
def unsubscribe(request: AuthenticatedHttpRequest, enrolment_id: int) -> HttpResponse:
    """GET asks for confirmation; only the POST ends the enrolment."""
    enrolment = _own_enrolment(request, enrolment_id)
    if request.method == "POST":
        if enrolment_unsubscribe(enrolment=enrolment, now=timezone.now()):
            messages.success(request, _("You are unsubscribed. You will receive no more lessons of this course."))
        return redirect("learners:courses")
    return render(request, "learners/unsubscribe.html", {"enrolment": enrolment})


@never_cache
@login_required
@require_GET
def download_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A GET is enough: it only reads."""
    now = timezone.now()
    data = learner_data_export(user=request.user, now=now)
    response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="druppel-my-data-{now:%Y-%m-%d}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET explains what erasing does; the POST erases and signs out."""
    if request.method == "POST":
        user_erase(user=request.user, now=timezone.now())
        logout(request)
        return redirect("learners:erased")
    return render(request, "learners/erase.html")


@require_GET
def erased(request: HttpRequest) -> HttpResponse:
    return render(request, "learners/erased.html")

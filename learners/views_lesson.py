"""The learner's lesson pages, reached from a lesson mail by signed link, without a password.

GET never changes learning state: link scanners (Safe Links, Mimecast) fetch
every link in a mail. Answering, marking as read, pausing and unsubscribing take a POST.
The POST views are CSRF-exempt on purpose: the signed token in the URL is the
credential, and a mail client's in-app browser may drop the CSRF cookie.
"""

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.http import token_page
from courses.models import Certificate
from courses.services import enrolment_pause, enrolment_resume, enrolment_unsubscribe
from learners.unsubscribe_undo import undo_token
from learners.unsubscribe_undo import unsubscribe_undo as learners_unsubscribe_undo
from lessons.models import Delivery
from lessons.selectors import course_places_for_display, delivery_from_token
from progress.answers import delivery_answer, delivery_mark_read
from progress.certificates import certificate_token

# An option number as a form sends it: ASCII digits only. str.isdigit() also accepts
# "²" or "٣", which int() then refuses or reads as another number.
_OPTION = re.compile(r"[0-9]{1,3}")
# The unsubscribe form and RFC 8058's one-click POST are a field or two; anything
# much bigger is not a form of ours.
UNSUBSCRIBE_MAX_BODY = 4096


def _context(delivery: Delivery, token: str, **extra: object) -> dict:
    enrolment = delivery.enrolment
    places = course_places_for_display(enrolment.course_id)
    total = places.total
    return {
        "place": places.place(delivery.lesson_id),
        "token": token,
        "delivery": delivery,
        "version": delivery.version,
        "course": enrolment.course,
        "enrolment": enrolment,
        "total": total,
        "percent": round(100 * enrolment.lessons_completed / total) if total else 0,
        **extra,
    }


@never_cache
@require_GET
def lesson_page(request: HttpRequest, token: str) -> HttpResponse:
    delivery = delivery_from_token(token)
    context = _context(delivery, token)
    # Only a learner who completed every lesson can have a certificate: no query for everyone else.
    if context["total"] and delivery.enrolment.lessons_completed >= context["total"]:
        certificate = Certificate.objects.filter(enrolment_id=delivery.enrolment_id).only("pk").first()
        context["certificate_token"] = certificate_token(certificate.pk) if certificate else ""
    return token_page(render(request, "learners/lesson/lesson.html", context))


@never_cache
@csrf_exempt
@require_POST
def mark_read(request: HttpRequest, token: str) -> HttpResponse:
    """The "Mark as read" button. CSRF-exempt like the other token POSTs: the signed
    token is the credential, and a mail app's browser may have no CSRF cookie.
    Then back to the lesson (POST/redirect/GET), which shows the new state.
    """
    delivery = delivery_from_token(token)
    delivery_mark_read(delivery=delivery, now=timezone.now())
    return token_page(redirect("lessons:page", token=token))


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str, option: int) -> HttpResponse:
    delivery = delivery_from_token(token)
    options = delivery.version.options
    if request.method == "POST":
        posted = request.POST.get("option", "")
        if not _OPTION.fullmatch(posted) or not 1 <= int(posted) <= len(options):
            context = _context(delivery, token, chosen=option, error=_("Choose one of the answers."))
            return token_page(render(request, "learners/lesson/answer_confirm.html", context, status=400))
        answered = delivery_answer(delivery=delivery, option=int(posted) - 1, now=timezone.now())
        return token_page(render(request, "learners/lesson/answer_result.html", _context(answered, token)))
    if delivery.answered_at is not None:
        return token_page(render(request, "learners/lesson/answer_result.html", _context(delivery, token)))
    chosen = option if 1 <= option <= len(options) else None
    return token_page(render(request, "learners/lesson/answer_confirm.html", _context(delivery, token, chosen=chosen)))


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def pause(request: HttpRequest, token: str) -> HttpResponse:
    delivery = delivery_from_token(token)
    enrolment = delivery.enrolment
    done = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "pause":
            enrolment_pause(enrolment=enrolment, now=timezone.now())
        elif action == "resume":
            enrolment_resume(enrolment=enrolment, now=timezone.now())
            enrolment.refresh_from_db()
        else:
            return HttpResponse(_("Unknown action."), status=400)
        done = action
    return token_page(render(request, "learners/lesson/pause.html", _context(delivery, token, done=done)))


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirm page. POST unsubscribes, also RFC 8058 one-click: no redirect.

    The body is read and checked before anything is written: a POST too big to be
    our form is refused (413, or 400 from Django's own limit) and changes nothing.
    """
    delivery = delivery_from_token(token)
    if request.method == "POST":
        if _content_length(request) > UNSUBSCRIBE_MAX_BODY:
            return token_page(HttpResponse(_("This request is too large."), status=413))
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        left = delivery.enrolment.status
        enrolment_unsubscribe(enrolment=delivery.enrolment, now=timezone.now())
        if one_click:
            return token_page(HttpResponse(_("You are unsubscribed."), content_type="text/plain; charset=utf-8"))
        undo = undo_token(enrolment=delivery.enrolment, left=left) if left != delivery.enrolment.status else ""
        context = _context(delivery, token, done=True, undo=undo)
        return token_page(render(request, "learners/lesson/unsubscribe.html", context))
    return token_page(render(request, "learners/lesson/unsubscribe.html", _context(delivery, token, done=False)))


@never_cache
@csrf_exempt
@require_POST
def unsubscribe_undo(request: HttpRequest, token: str) -> HttpResponse:
    """The done page's "Undo": back to the lessons, as before; a stale undo says it is too late."""
    delivery = delivery_from_token(token)
    undone = learners_unsubscribe_undo(
        token=request.POST.get("undo", ""), enrolment_id=delivery.enrolment_id, now=timezone.now()
    )
    delivery.enrolment.refresh_from_db()
    context = _context(delivery, token, undone=undone)
    return token_page(render(request, "learners/lesson/unsubscribe.html", context, status=200 if undone else 400))


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0

"""Trainers' side of the group: pin, hide, mark the answer, lock, and the queue of reports.

Only trainers and platform staff reach these; for anyone else they are 404s.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedHttpRequest
from discussions.forms import HideForm
from discussions.models import Post, Report
from discussions.moderation import (
    post_hide,
    post_mark_answer,
    post_pin,
    post_unhide,
    report_resolve,
    thread_lock,
)
from discussions.selectors import is_moderator, open_reports, post_for_user, thread_for_user


def _moderator_only(request: AuthenticatedHttpRequest) -> None:
    if not is_moderator(request.user):
        raise Http404("Not found.")


def _apply(request: AuthenticatedHttpRequest, post: Post, action: str) -> None:
    user, now = request.user, timezone.now()
    if action in ("pin", "unpin"):
        post_pin(post=post, by=user, pinned=action == "pin")
    elif action == "hide":
        form = HideForm(request.POST)
        post_hide(post=post, by=user, reason=form.data.get("reason", ""), now=now)
    elif action == "unhide":
        post_unhide(post=post, by=user)
    elif action in ("answer", "unanswer"):
        post_mark_answer(post=post, by=user, answer=action == "answer")
    else:
        raise ValidationError(_("Unknown action."))


@login_required
@require_POST
def post_moderate(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    _moderator_only(request)
    post = post_for_user(user=request.user, post_id=post_id)
    try:
        _apply(request, post, request.POST.get("action", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("discussions:thread", args=[post.thread_id]) + f"#post-{post.pk}")


@login_required
@require_POST
def thread_lock_view(request: AuthenticatedHttpRequest, thread_id: int) -> HttpResponse:
    _moderator_only(request)
    thread, _enrolment = thread_for_user(user=request.user, thread_id=thread_id)
    thread_lock(thread=thread, by=request.user, locked=request.POST.get("action") == "lock", now=timezone.now())
    return redirect("discussions:thread", thread_id=thread.pk)


@login_required
@require_GET
def reports(request: AuthenticatedHttpRequest) -> HttpResponse:
    _moderator_only(request)
    return render(request, "discussions/reports.html", {"reports": open_reports()})


@login_required
@require_POST
def report_resolve_view(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
    _moderator_only(request)
    report = get_object_or_404(Report, pk=report_id)
    report_resolve(report=report, by=request.user, now=timezone.now())
    messages.success(request, _("Report closed."))
    return redirect("discussions:reports")

"""The group's pages: a group's threads, a thread with its posts, writing, editing, deleting, reporting.

Everything needs sign-in; anything outside the reader's group is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from courses.models import Enrolment
from discussions.forms import HideForm, PostForm, ReportForm, ThreadForm
from discussions.models import Post, Thread
from discussions.moderation import post_report
from discussions.selectors import (
    external_group_url,
    group_for_user,
    group_threads,
    is_moderator,
    post_for_user,
    thread_for_user,
    thread_posts,
)
from discussions.services import free_thread_create, post_create, post_delete, post_edit, post_rate_check


@login_required
@require_http_methods(["GET", "POST"])
def group_page(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    group, enrolment = group_for_user(user=request.user, group_id=group_id)
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            post_rate_check(user=request.user)
            thread = free_thread_create(
                group=group,
                author=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                now=timezone.now(),
            )
            return redirect("discussions:thread", thread_id=thread.pk)
        except ValidationError as error:
            form.add_error(None, error)
    context = {
        "group": group,
        "course": group.course,
        "threads": group_threads(group=group, enrolment=enrolment),
        "form": form,
        "external_url": external_group_url(group=group, enrolment=enrolment),
    }
    return render(request, "discussions/group.html", context, status=400 if form.errors else 200)


def _thread_context(
    request: AuthenticatedHttpRequest, thread: Thread, enrolment: Enrolment | None, form: PostForm
) -> dict:
    moderator = is_moderator(request.user)
    version = thread.lesson.current_version if thread.lesson else None
    return {
        "thread": thread,
        "group": thread.group,
        "course": thread.group.course,
        "version": version,
        "posts": thread_posts(thread=thread, moderator=moderator),
        "form": form,
        "moderator": moderator,
        "hide_form": HideForm(),
        "report_form": ReportForm(),
        "now": timezone.now(),
        "external_url": external_group_url(group=thread.group, enrolment=enrolment),
    }


@login_required
@require_http_methods(["GET", "POST"])
def thread_page(request: AuthenticatedHttpRequest, thread_id: int) -> HttpResponse:
    thread, enrolment = thread_for_user(user=request.user, thread_id=thread_id)
    form = PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            post = _post(request, thread, form)
            return redirect(f"{request.path}#post-{post.pk}")
        except ValidationError as error:
            form.add_error(None, error)
    context = _thread_context(request, thread, enrolment, form)
    return render(request, "discussions/thread.html", context, status=400 if form.errors else 200)


def _post(request: AuthenticatedHttpRequest, thread: Thread, form: PostForm) -> Post:
    parent = None
    if form.cleaned_data.get("parent"):
        parent = Post.objects.filter(pk=form.cleaned_data["parent"], thread=thread).first()
        if parent is None:
            raise ValidationError(_("You can only reply to a post in this thread."))
    post_rate_check(user=request.user)
    return post_create(
        thread=thread, author=request.user, body=form.cleaned_data["body"], now=timezone.now(), parent=parent
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_edit_page(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    post = post_for_user(user=request.user, post_id=post_id)
    if post.author_id != request.user.pk:
        raise Http404("No such post.")
    form = PostForm(request.POST or None, initial={"body": post.body_markdown})
    if request.method == "POST" and form.is_valid():
        try:
            post_edit(post=post, user=request.user, body=form.cleaned_data["body"], now=timezone.now())
            return redirect(_post_url(post))
        except ValidationError as error:
            form.add_error(None, error)
    context = {"post": post, "thread": post.thread, "form": form}
    return render(request, "discussions/post_edit.html", context, status=400 if form.errors else 200)


def _post_url(post: Post) -> str:
    return reverse("discussions:thread", args=[post.thread_id]) + f"#post-{post.pk}"


@login_required
@require_POST
def post_delete_view(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    post = post_for_user(user=request.user, post_id=post_id)
    if post.author_id != request.user.pk:
        raise Http404("No such post.")
    post_delete(post=post, user=request.user, now=timezone.now())
    messages.success(request, _("Your post is deleted."))
    return redirect(_post_url(post))


@login_required
@require_POST
def post_report_view(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    post = post_for_user(user=request.user, post_id=post_id)
    form = ReportForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    post_report(post=post, by=request.user, reason=reason, now=timezone.now())
    messages.success(request, _("Thank you. The trainers will look at this post."))
    return redirect(_post_url(post))

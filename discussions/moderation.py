"""Trainers moderate: pin, hide with a reason, lock threads, mark the answer; members report posts."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from discussions.models import Post, Report, Thread
from discussions.selectors import is_moderator


def _require_moderator(user: User) -> None:
    if not is_moderator(user):
        raise PermissionDenied


def post_pin(*, post: Post, by: User, pinned: bool) -> None:
    """Pinned top-level posts come first in their thread."""
    _require_moderator(by)
    if post.parent_id is not None:
        raise ValidationError(_("Only a post, not a reply, can be pinned."), code="reply")
    Post.objects.filter(pk=post.pk).update(pinned=pinned)


def post_hide(*, post: Post, by: User, reason: str, now: dt.datetime) -> None:
    """Hide a post from learners; the reason is kept for the trainers. Its reports are resolved."""
    _require_moderator(by)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the post is hidden."), code="no_reason")
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(hidden_at=now, hidden_reason=reason[:300], is_answer=False)
        Report.objects.filter(post=post, resolved_at__isnull=True).update(resolved_at=now)


def post_unhide(*, post: Post, by: User) -> None:
    _require_moderator(by)
    Post.objects.filter(pk=post.pk).update(hidden_at=None, hidden_reason="")


def post_mark_answer(*, post: Post, by: User, answer: bool = True) -> None:
    """Mark a reply as the trainer's answer to its question; any earlier answer steps back."""
    _require_moderator(by)
    if post.parent_id is None or not post.is_visible:
        raise ValidationError(_("Only a visible reply can be the answer."), code="not_a_reply")
    with transaction.atomic():
        Post.objects.filter(parent_id=post.parent_id, is_answer=True).exclude(pk=post.pk).update(is_answer=False)
        Post.objects.filter(pk=post.pk).update(is_answer=answer)


def thread_lock(*, thread: Thread, by: User, locked: bool, now: dt.datetime) -> None:
    """A locked thread takes no new posts from learners."""
    _require_moderator(by)
    Thread.objects.filter(pk=thread.pk).update(locked_at=now if locked else None)


def post_report(*, post: Post, by: User, reason: str, now: dt.datetime) -> bool:
    """Any member flags a post for the trainers; True when this is a new report."""
    try:
        with transaction.atomic():
            Report.objects.create(post=post, reporter=by, reason=reason.strip()[:300], created_at=now)
    except IntegrityError:
        return False
    return True


def report_resolve(*, report: Report, by: User, now: dt.datetime) -> None:
    _require_moderator(by)
    Report.objects.filter(pk=report.pk, resolved_at__isnull=True).update(resolved_at=now)

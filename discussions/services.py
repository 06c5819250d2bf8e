"""Write-side flows of the discussion group: groups and threads, posting, editing, deleting."""

import datetime as dt

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from courses.models import Course, Enrolment, Offering
from discussions.models import Group, Notification, Post, Thread
from discussions.rendering import render_post
from discussions.selectors import is_moderator, member_enrolment
from lessons.models import Lesson
from organisations.models import Organisation

MAX_POST_LENGTH = 5000
# At most this many posts per person per window: enough for a conversation, not for a flood.
POSTS_PER_WINDOW = 10
RATE_WINDOW_SECONDS = 600


def group_ensure(*, course: Course, organisation: Organisation | None = None) -> Group:
    """The course-wide group (or an organisation's private one), with a thread for every lesson.

    Idempotent: unique constraints make a concurrent second call find the first one's rows.
    """
    try:
        with transaction.atomic():
            group, _created = Group.objects.get_or_create(course=course, organisation=organisation)
    except IntegrityError:
        group = Group.objects.get(course=course, organisation=organisation)
    lesson_threads_ensure(group=group, lessons=Lesson.objects.filter(course=course))
    return group


def lesson_threads_ensure(*, group: Group, lessons: QuerySet[Lesson]) -> None:
    """Create the missing lesson threads of a group; existing ones are left alone."""
    Thread.objects.bulk_create(
        [Thread(group=group, lesson_id=pk) for pk in lessons.values_list("pk", flat=True)], ignore_conflicts=True
    )


def group_for_enrolment(*, enrolment: Enrolment) -> Group:
    """The group this learner belongs to: their organisation's private one if it chose one."""
    organisation_id = enrolment.membership.organisation_id
    private = Offering.objects.filter(
        organisation_id=organisation_id, course_id=enrolment.course_id, private_group=True
    ).exists()
    organisation = enrolment.membership.organisation if private else None
    return group_ensure(course=enrolment.course, organisation=organisation)


def lesson_thread(*, group: Group, lesson_id: int) -> Thread:
    """The group's thread for a lesson; idempotent under the one-thread-per-lesson constraint."""
    thread = Thread.objects.filter(group=group, lesson_id=lesson_id).first()
    if thread is None:
        Thread.objects.bulk_create([Thread(group=group, lesson_id=lesson_id)], ignore_conflicts=True)
        thread = Thread.objects.get(group=group, lesson_id=lesson_id)
    return thread


def post_rate_check(*, user: User) -> None:
    """Count a post against the author's window; raise ValidationError when over the limit."""
    key = f"druppel:discussion-posts:{user.pk}"
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    if cache.incr(key) > POSTS_PER_WINDOW:
        raise ValidationError(
            _("You are posting very quickly. Wait a few minutes, then try again."), code="rate_limited"
        )


def _check_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError(_("Write something first."), code="empty")
    if len(body) > MAX_POST_LENGTH:
        raise ValidationError(
            _("Keep your post under %(limit)s characters; it has %(count)s.")
            % {"limit": MAX_POST_LENGTH, "count": len(body)},
            code="too_long",
        )
    return body


def post_create(*, thread: Thread, author: User, body: str, now: dt.datetime, parent: Post | None = None) -> Post:
    """Post in a thread (or reply to a top-level post) and note who should hear about it."""
    body = _check_body(body)
    moderator = is_moderator(author)
    enrolment = None if moderator else member_enrolment(user=author, group=thread.group)
    if not moderator and enrolment is None:
        raise PermissionDenied
    if thread.is_locked and not moderator:
        raise ValidationError(_("This thread is locked."), code="locked")
    if parent is not None and (parent.thread_id != thread.pk or parent.parent_id is not None or not parent.is_visible):
        raise ValidationError(_("You can only reply to a post in this thread."), code="bad_parent")
    with transaction.atomic():
        post = Post.objects.create(
            thread=thread,
            parent=parent,
            author=author,
            author_organisation_id=enrolment.membership.organisation_id if enrolment else None,
            author_is_trainer=moderator,
            body_markdown=body,
            body_html=render_post(body),
            created_at=now,
        )
        _notify(post=post, parent=parent, thread=thread, now=now)
    return post


def _notify(*, post: Post, parent: Post | None, thread: Thread, now: dt.datetime) -> None:
    recipients = {parent.author_id if parent else None, thread.author_id} - {None, post.author_id}
    Notification.objects.bulk_create(
        [Notification(recipient_id=pk, post=post, created_at=now) for pk in recipients if pk is not None],
        ignore_conflicts=True,
    )


def free_thread_create(*, group: Group, author: User, title: str, body: str, now: dt.datetime) -> Thread:
    """A learner (or trainer) opens a thread of their own, with its first post."""
    title = title.strip()
    if not title:
        raise ValidationError(_("Give the thread a title."), code="no_title")
    with transaction.atomic():
        thread = Thread.objects.create(group=group, title=title[:200], author=author)
        post_create(thread=thread, author=author, body=body, now=now)
    return thread


def post_edit(*, post: Post, user: User, body: str, now: dt.datetime) -> Post:
    """The author may change a post within the edit window."""
    if post.author_id != user.pk or post.deleted_at is not None:
        raise PermissionDenied
    if now > post.editable_until():
        raise ValidationError(_("Posts can only be changed within 15 minutes."), code="too_late")
    body = _check_body(body)
    Post.objects.filter(pk=post.pk).update(body_markdown=body, body_html=render_post(body), edited_at=now)
    post.refresh_from_db()
    return post


def post_delete(*, post: Post, user: User, now: dt.datetime) -> None:
    """The author deletes their own post. Its words go; the place stays, so replies keep their context."""
    if post.author_id != user.pk:
        raise PermissionDenied
    Post.objects.filter(pk=post.pk).update(deleted_at=now, body_markdown="", body_html="", pinned=False)

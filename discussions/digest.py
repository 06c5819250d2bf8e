"""Daily discussion digests: replies to your posts and threads; unanswered questions for trainers.

Beat runs ``discussion_digests_send`` hourly. From DIGEST_HOUR local time (the
site's time zone) a person with news gets one mail a day. A DiscussionDigestSent
row, unique per (person, kind, day), and the mail's outbox row are written in one
transaction: a second beat or a retry hits the constraint and adds nothing, and
the outbox sends the mail once after the commit (retrying if the provider refuses
for now).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.tokens import SignedId
from discussions.models import DigestOptOut, DiscussionDigestSent, Notification, Post
from discussions.selectors import unanswered_questions
from mailer.outgoing import outgoing_add
from mailer.templated import render_mail

logger = logging.getLogger(__name__)

DIGEST_HOUR = 17
# A digest lists at most this many items, then "and N more".
LISTED = 25
_SALT = "druppel.discussion-digest"


# One signed id per (person, kind): the kind is part of the salt.
_TOKENS = {kind: SignedId(f"{_SALT}.{kind}") for kind in DiscussionDigestSent.Kind.values}


def digest_unsubscribe_token(*, user_id: int, kind: str) -> str:
    return f"{kind}-{_TOKENS[kind].sign(user_id)}"


def digest_unsubscribe_resolve(token: str) -> tuple[int, str] | None:
    kind, _, signed = token.partition("-")
    if kind not in _TOKENS:
        return None
    user_id = _TOKENS[kind].unsign(signed)
    return None if user_id is None else (user_id, kind)


def digest_opt_out(*, user_id: int, kind: str) -> None:
    DigestOptOut.objects.get_or_create(user_id=user_id, kind=kind)


def _unsubscribe_url(user: User, kind: str) -> str:
    return settings.SITE_URL + reverse(
        "discussions:digest_unsubscribe", args=[digest_unsubscribe_token(user_id=user.pk, kind=kind)]
    )


def _claim(user: User, kind: str, day: dt.date, now: dt.datetime) -> bool:
    try:
        with transaction.atomic():
            DiscussionDigestSent.objects.create(user=user, kind=kind, day=day, sent_at=now)
    except IntegrityError:
        return False
    return True


def _queue(user: User, kind: str, day: dt.date, template: str, context: dict) -> None:
    outgoing_add(
        key=f"discussion-digest:{kind}:{user.pk}:{day.isoformat()}",
        kind=f"digest-{kind}",
        mail=render_mail(template, context, unsubscribe_url=context["unsubscribe_url"]),
        to=user.email,
    )


def replies_digest_send(*, user: User, day: dt.date, now: dt.datetime) -> bool:
    """Queue one person's mail of the replies collected for them since their last digest; True when queued."""
    due = dict(Notification.objects.filter(recipient=user, digested_at__isnull=True).values_list("pk", "post_id"))
    posts = list(
        Post.objects.filter(pk__in=due.values(), hidden_at__isnull=True, deleted_at__isnull=True)
        .select_related("author", "author_organisation", "thread__lesson__current_version", "parent")
        .order_by("created_at")
    )
    with transaction.atomic():
        if posts and not _claim(user, DiscussionDigestSent.Kind.REPLIES, day, now):
            return False
        # Replies hidden or deleted since are dropped with the rest: nothing to tell about them.
        Notification.objects.filter(pk__in=due).update(digested_at=now)
        if not posts:
            return False
        context = {
            "user": user,
            "posts": posts[:LISTED],
            "more": max(0, len(posts) - LISTED),
            "site_url": settings.SITE_URL,
            "unsubscribe_url": _unsubscribe_url(user, DiscussionDigestSent.Kind.REPLIES),
        }
        _queue(user, DiscussionDigestSent.Kind.REPLIES, day, "emails/discussion_digest", context)
    return True


def unanswered_digest_send(*, user: User, day: dt.date, now: dt.datetime) -> bool:
    """Queue a trainer's mail of the questions no trainer has replied to yet; True when queued."""
    questions = unanswered_questions()
    total = questions.count()
    if not total:
        return False
    with transaction.atomic():
        if not _claim(user, DiscussionDigestSent.Kind.UNANSWERED, day, now):
            return False
        context = {
            "user": user,
            "questions": list(questions[:LISTED]),
            "total": total,
            "more": max(0, total - LISTED),
            "site_url": settings.SITE_URL,
            "reports_url": settings.SITE_URL + reverse("discussions:reports"),
            "unsubscribe_url": _unsubscribe_url(user, DiscussionDigestSent.Kind.UNANSWERED),
        }
        _queue(user, DiscussionDigestSent.Kind.UNANSWERED, day, "emails/unanswered_digest", context)
    return True


def _due_people(kind: str, day: dt.date) -> list[User]:
    people = User.objects.filter(is_active=True).exclude(pk__in=DigestOptOut.objects.filter(kind=kind).values("user"))
    people = people.exclude(pk__in=DiscussionDigestSent.objects.filter(kind=kind, day=day).values("user"))
    if kind == DiscussionDigestSent.Kind.REPLIES:
        due = Notification.objects.filter(digested_at__isnull=True).values("recipient")
        return list(people.filter(pk__in=due).order_by("pk"))
    return list(people.filter(is_trainer=True).order_by("pk"))


def discussion_digests_send(*, now: dt.datetime) -> int:
    """Queue today's digests for everyone due; returns how many were queued."""
    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return 0
    queued = 0
    for kind, send in (
        (DiscussionDigestSent.Kind.REPLIES, replies_digest_send),
        (DiscussionDigestSent.Kind.UNANSWERED, unanswered_digest_send),
    ):
        for user in _due_people(kind, local.date()):
            queued += send(user=user, day=local.date(), now=now)
    return queued

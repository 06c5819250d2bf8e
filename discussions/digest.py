"""Daily discussion digests: replies to your posts and threads; unanswered questions for trainers.

Beat runs ``discussion_digests_send`` hourly. From DIGEST_HOUR local time (the
site's time zone) a person with news gets one mail a day. A DigestSent row,
unique per (person, kind, day), is inserted in the transaction that sends the
mail: a second beat or a retry hits the constraint and sends nothing, and a
failed send rolls the row back for the next hour's run.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from discussions.models import DigestOptOut, DigestSent, Notification, Post
from discussions.selectors import unanswered_questions
from mailer.message import TransportError
from mailer.templated import render_mail

logger = logging.getLogger(__name__)

DIGEST_HOUR = 17
# A digest lists at most this many items, then "and N more".
LISTED = 25
_SALT = "druppel.discussion-digest"


class DigestsNotSent(Exception):
    """Some digests could not be sent; the task retries them."""


def digest_unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.Signer(salt=_SALT, sep=".").sign(f"{signing.b62_encode(user_id)}-{kind}")


def digest_unsubscribe_resolve(token: str) -> tuple[int, str] | None:
    try:
        user, kind = signing.Signer(salt=_SALT, sep=".").unsign(token).split("-", 1)
        return signing.b62_decode(user), DigestSent.Kind(kind).value
    except (signing.BadSignature, ValueError):
        return None


def digest_opt_out(*, user_id: int, kind: str) -> None:
    DigestOptOut.objects.get_or_create(user_id=user_id, kind=kind)


def _unsubscribe_url(user: User, kind: str) -> str:
    return settings.SITE_URL + reverse(
        "discussions:digest_unsubscribe", args=[digest_unsubscribe_token(user_id=user.pk, kind=kind)]
    )


def _claim(user: User, kind: str, day: dt.date, now: dt.datetime) -> bool:
    try:
        with transaction.atomic():
            DigestSent.objects.create(user=user, kind=kind, day=day, sent_at=now)
    except IntegrityError:
        return False
    return True


def replies_digest_send(*, user: User, day: dt.date, now: dt.datetime) -> bool:
    """Mail one person the replies collected for them since their last digest; True when sent."""
    due = dict(Notification.objects.filter(recipient=user, digested_at__isnull=True).values_list("pk", "post_id"))
    posts = list(
        Post.objects.filter(pk__in=due.values(), hidden_at__isnull=True, deleted_at__isnull=True)
        .select_related("author", "author_organisation", "thread__lesson__current_version", "parent")
        .order_by("created_at")
    )
    with transaction.atomic():
        if posts and not _claim(user, DigestSent.Kind.REPLIES, day, now):
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
            "unsubscribe_url": _unsubscribe_url(user, DigestSent.Kind.REPLIES),
        }
        get_connection().send_messages([render_mail("emails/discussion_digest", context).to(user.email)])
    return True


def unanswered_digest_send(*, user: User, day: dt.date, now: dt.datetime) -> bool:
    """Mail a trainer the questions no trainer has replied to yet; True when sent."""
    questions = unanswered_questions()
    total = questions.count()
    if not total:
        return False
    with transaction.atomic():
        if not _claim(user, DigestSent.Kind.UNANSWERED, day, now):
            return False
        context = {
            "user": user,
            "questions": list(questions[:LISTED]),
            "total": total,
            "more": max(0, total - LISTED),
            "site_url": settings.SITE_URL,
            "reports_url": settings.SITE_URL + reverse("discussions:reports"),
            "unsubscribe_url": _unsubscribe_url(user, DigestSent.Kind.UNANSWERED),
        }
        get_connection().send_messages([render_mail("emails/unanswered_digest", context).to(user.email)])
    return True


def _due_people(kind: str, day: dt.date) -> list[User]:
    people = User.objects.filter(is_active=True).exclude(pk__in=DigestOptOut.objects.filter(kind=kind).values("user"))
    people = people.exclude(pk__in=DigestSent.objects.filter(kind=kind, day=day).values("user"))
    if kind == DigestSent.Kind.REPLIES:
        due = Notification.objects.filter(digested_at__isnull=True).values("recipient")
        return list(people.filter(pk__in=due).order_by("pk"))
    return list(people.filter(is_trainer=True).order_by("pk"))


def discussion_digests_send(*, now: dt.datetime) -> int:
    """Send today's digests to everyone due; returns how many went out.

    Raises DigestsNotSent after trying everyone if any send failed (those claims rolled back).
    """
    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return 0
    sent, failed = 0, 0
    for kind, send in (
        (DigestSent.Kind.REPLIES, replies_digest_send),
        (DigestSent.Kind.UNANSWERED, unanswered_digest_send),
    ):
        for user in _due_people(kind, local.date()):
            try:
                sent += send(user=user, day=local.date(), now=now)
            except TransportError:
                logger.exception("discussion digest (%s) for user %s failed; the next run tries again", kind, user.pk)
                failed += 1
    if failed:
        raise DigestsNotSent(f"{failed} discussion digests not sent")
    return sent

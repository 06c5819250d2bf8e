"""RFC 8058 on every bulk mail: each kind, rendered through its sending code, carries
``List-Unsubscribe: <https://…>`` and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``;
a POST to that URL from a client with no cookies and no CSRF token opts out at once (200,
no redirect), so the next mail of that kind is not sent; a GET only asks and changes nothing.

The kinds come from tests/standards/mails.py MAILS: each is bulk or transactional here, with a
reason, so a new mail kind fails this module until it is sorted.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.db.models import Max
from django.test import Client
from django.utils import timezone

from courses.models import Enrolment
from dashboard.digest import digest_send
from discussions.digest import discussion_digests_send, replies_digest_send, unanswered_digest_send
from mailer.models import OutgoingMail
from mailer.outbox import read_mail
from progress.reminders import reminder_candidates, reminder_mail
from tests.standards.mails import MAILS
from tests.standards.world import World, build_world

pytestmark = pytest.mark.django_db

# Mails a person gets because of something they or their organisation did, about that one thing:
# RFC 8058 is for lists, and these carry no unsubscribe (a mailbox would offer one that cannot work).
TRANSACTIONAL = {
    "account/login_code": "the code the person just asked for, to sign in",
    "certificate": "sent once, when the learner finished the course",
    "suspended": "a notice about the person's own enrolment (the provider refused their address)",
    "lesson_links": "fresh links to one's own lessons, which the person just asked for",
    "welcome": "sent once, when the person is enrolled: which course, from whom, and when it starts",
}
BULK = {"lesson", "reminder", "digest", "discussion_digest", "unanswered_digest"}

SITE = "https://druppel.example.be"
ONE_CLICK = "List-Unsubscribe=One-Click"


@dataclass(frozen=True)
class Kind:
    headers: Callable[[World], dict[str, str]]
    # Whether the next mail of this kind would go out to the person who got this one.
    would_send: Callable[[World], bool]


def _queued_headers(queue: Callable[[], object]) -> dict[str, str]:
    """The headers of the outbox row ``queue`` adds; rolled back after."""
    with transaction.atomic():
        before = OutgoingMail.objects.aggregate(last=Max("pk"))["last"] or 0
        queue()
        row = OutgoingMail.objects.filter(pk__gt=before).order_by("pk").first()
        transaction.set_rollback(True)
    assert row is not None, "nothing was queued"
    return dict(row.headers)


def _would_queue(queue: Callable[[], object], to: str) -> bool:
    with transaction.atomic():
        before = OutgoingMail.objects.aggregate(last=Max("pk"))["last"] or 0
        queue()
        found = OutgoingMail.objects.filter(pk__gt=before, to=to).exists()
        transaction.set_rollback(True)
    return found


def _lesson_headers(world: World) -> dict[str, str]:
    files = sorted(world.outbox.glob(f"*-{world.unanswered.pk}.eml"))
    message = read_mail(files[0])
    assert message is not None
    return {name: str(message[name]).strip() for name in ("List-Unsubscribe", "List-Unsubscribe-Post") if message[name]}


def _monday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday())


def _evening() -> dt.datetime:
    return timezone.localtime().replace(hour=18, minute=0)


KINDS: dict[str, Kind] = {
    "lesson": Kind(
        headers=_lesson_headers,
        would_send=lambda w: Enrolment.objects.get(pk=w.unanswered.enrolment_id).status == Enrolment.Status.ACTIVE,
    ),
    "reminder": Kind(
        headers=lambda w: reminder_mail(next(e for e in reminder_candidates() if e.pk == w.jonas.pk)).headers,
        would_send=lambda w: any(e.pk == w.jonas.pk for e in reminder_candidates()),
    ),
    "digest": Kind(
        headers=lambda w: _queued_headers(
            lambda: digest_send(organisation=w.organisation, week=_monday(), now=timezone.now())
        ),
        would_send=lambda w: _would_queue(
            lambda: digest_send(organisation=w.organisation, week=_monday(), now=timezone.now()), w.admin.email
        ),
    ),
    "discussion_digest": Kind(
        headers=lambda w: _queued_headers(
            lambda: replies_digest_send(user=w.learner, day=_evening().date(), now=_evening())
        ),
        would_send=lambda w: _would_queue(lambda: discussion_digests_send(now=_evening()), w.learner.email),
    ),
    "unanswered_digest": Kind(
        headers=lambda w: _queued_headers(
            lambda: unanswered_digest_send(user=w.trainer, day=_evening().date(), now=_evening())
        ),
        would_send=lambda w: _would_queue(lambda: discussion_digests_send(now=_evening()), w.trainer.email),
    ),
}


@pytest.fixture
def world(settings, tmp_path: Path) -> World:  # type: ignore[no-untyped-def]
    settings.SITE_URL = SITE
    return build_world(outbox=tmp_path / "outbox")


def test_every_mail_kind_is_either_bulk_or_transactional_with_a_reason():
    assert set(MAILS) == BULK | set(TRANSACTIONAL), "sort the new mail kind into BULK or TRANSACTIONAL"
    assert BULK & set(TRANSACTIONAL) == set()
    assert set(KINDS) == BULK


@pytest.mark.parametrize("kind", sorted(BULK))
def test_a_bulk_mail_unsubscribes_in_one_click_and_a_get_only_asks(world: World, kind: str) -> None:
    checks = KINDS[kind]
    headers = checks.headers(world)
    assert headers.get("List-Unsubscribe-Post") == ONE_CLICK, headers
    found = re.fullmatch(r"<(https://[^>]+)>", headers.get("List-Unsubscribe", ""))
    assert found, f"{kind}: List-Unsubscribe is not one absolute https URL: {headers!r}"
    path = found.group(1).removeprefix(SITE)
    assert checks.would_send(world), f"{kind}: the world should have a next mail of this kind due"

    # A link scanner or a person opening it: a page that asks, and nothing changes.
    opened = Client(enforce_csrf_checks=True).get(path)
    assert opened.status_code == 200
    assert b'method="post"' in opened.content
    assert checks.would_send(world), f"{kind}: a GET opted out"

    # The mailbox's one-click: no session, no CSRF token, no redirect.
    clicked = Client(enforce_csrf_checks=True).post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded")
    assert clicked.status_code == 200, f"{kind}: {clicked.status_code}"
    assert not checks.would_send(world), f"{kind}: the next mail would still be sent"

    # Clicking again (a mailbox retries) is harmless.
    again = Client(enforce_csrf_checks=True).post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded")
    assert again.status_code == 200


def test_transactional_mails_carry_no_unsubscribe(world: World) -> None:
    rows = OutgoingMail.objects.filter(key=f"certificate:{world.certificate.pk}")
    assert rows.exists()
    assert all("List-Unsubscribe" not in row.headers for row in rows)

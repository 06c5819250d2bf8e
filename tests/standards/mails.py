"""Every kind of mail, rendered with real data through the code that sends it.

A mail kind is a folder under templates/emails/ or an allauth message under
templates/account/email/. ``MAILS`` names how each is made; a kind without an entry
fails the suite, so a new mail is checked from the day it exists.
"""

import datetime as dt
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.welcome import welcome_mails_queue
from dashboard.digest import digest_send
from discussions.digest import replies_digest_send, unanswered_digest_send
from drip.notices import suspension_notices_queue
from learners.fresh_links import fresh_links_send
from mailer.models import OutgoingMail
from mailer.outbox import mail_html, read_mail
from progress.reminders import reminder_candidates, reminder_mail
from tests.standards.world import World

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def mail_kinds() -> set[str]:
    """Folders of templates/emails/, and allauth's messages we override (login_code, …)."""
    kinds = {path.name for path in (TEMPLATES / "emails").iterdir() if path.is_dir()}
    allauth = TEMPLATES / "account" / "email"
    messages = {path.name.removesuffix("_message.txt") for path in allauth.glob("*_message.txt")} - {"base"}
    kinds |= {f"account/{name}" for name in messages}
    return kinds


def _html(message: EmailMessage) -> str:
    if isinstance(message, EmailMultiAlternatives):
        for content, mimetype in message.alternatives:
            if mimetype == "text/html":
                return str(content)
    return ""


def _sent(send: Callable[[], object]) -> str:
    """The HTML of the one mail ``send`` hands to Django's mail backend."""
    mail.outbox = []
    send()
    assert len(mail.outbox) == 1, f"expected one mail, got {len(mail.outbox)}"
    return _html(mail.outbox[0])


def _queued(queue: Callable[[], object]) -> str:
    """The HTML of the outbox row ``queue`` adds, as the outbox would send it. Rolled back after:
    nothing is published, and the world stays as it was for the next mail."""
    with transaction.atomic():
        before = OutgoingMail.objects.aggregate(last=Max("pk"))["last"] or 0
        queue()
        rows = list(OutgoingMail.objects.filter(pk__gt=before).order_by("pk"))
        transaction.set_rollback(True)
    assert rows, "nothing was queued"
    return rows[0].html


def lesson(world: World, folder: Path) -> str:
    """Jonas's lesson 2 as the drip's send path wrote it to the outbox transport: personalised, as he got it."""
    files = sorted(world.outbox.glob(f"*-{world.unanswered.pk}.eml"))
    assert len(files) == 1, f"the outbox has no single mail for delivery {world.unanswered.pk}"
    message = read_mail(files[0])
    assert message is not None
    return mail_html(message) if message.get_body(("html",)) else ""


def reminder(world: World, folder: Path) -> str:
    enrolment = next(e for e in reminder_candidates() if e.pk == world.jonas.pk)
    return reminder_mail(enrolment).html


def certificate(world: World, folder: Path) -> str:
    """Queued by the fold when Eva finished the course (the world built it so)."""
    return OutgoingMail.objects.get(key=f"certificate:{world.certificate.pk}").html


def digest(world: World, folder: Path) -> str:
    """What the sender queues for the organisation's admin this Monday."""
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    return _queued(lambda: digest_send(organisation=world.organisation, week=monday, now=timezone.now()))


def discussion_digest(world: World, folder: Path) -> str:
    now = timezone.now()
    return _queued(lambda: replies_digest_send(user=world.learner, day=now.date(), now=now))


def unanswered_digest(world: World, folder: Path) -> str:
    now = timezone.now()
    return _queued(lambda: unanswered_digest_send(user=world.trainer, day=now.date(), now=now))


def suspended(world: World, folder: Path) -> str:
    return _queued(lambda: suspension_notices_queue(enrolment_ids=[world.jonas.pk]))


def welcome(world: World, folder: Path) -> str:
    """Jonas's welcome to the course, as an import or a join queues it."""
    return _queued(lambda: welcome_mails_queue(enrolment_ids=[world.jonas.pk]))


def lesson_links(world: World, folder: Path) -> str:
    """Fresh links Jonas asked for on a broken lesson link's page."""
    return _queued(lambda: fresh_links_send(email=world.jonas.membership.user.email, now=timezone.now()))


def login_code(world: World, folder: Path) -> str:
    return _sent(lambda: Client().post(reverse("account_request_login_code"), {"email": world.learner.email}))


MAILS: dict[str, Callable[[World, Path], str]] = {
    "lesson": lesson,
    "reminder": reminder,
    "certificate": certificate,
    "digest": digest,
    "discussion_digest": discussion_digest,
    "unanswered_digest": unanswered_digest,
    "suspended": suspended,
    "welcome": welcome,
    "account/login_code": login_code,
    "lesson_links": lesson_links,
}


class _Tables(HTMLParser):
    """Each <table>'s role and whether it has a header cell."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, object]] = []
        self._open: list[dict[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            table: dict[str, object] = {"role": dict(attrs).get("role"), "headers": False}
            self.tables.append(table)
            self._open.append(table)
        elif tag == "th" and self._open:
            self._open[-1]["headers"] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._open:
            self._open.pop()


def layout_tables_unmarked(html: str) -> int:
    """Tables without header cells (so for layout) that do not say role="presentation"."""
    parser = _Tables()
    parser.feed(html)
    return sum(1 for table in parser.tables if not table["headers"] and table["role"] != "presentation")

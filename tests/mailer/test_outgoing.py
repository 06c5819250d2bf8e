"""The outbox for single mails: claimed once, retried with backoff, swept when the broker lost it,
never sent inside a transaction, and never sent from the webhook's request."""

import datetime as dt
import json
import socket
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from drip.tick import drip_tick
from mailer import outgoing
from mailer.models import OutgoingMail
from mailer.outgoing import outgoing_add, outgoing_send, outgoing_sweep
from mailer.templated import RenderedMail
from organisations.models import Membership
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, UserFactory, enrol, make_lessons
from tests.fake_sendgrid import Response
from tests.sendgrid_events import SigningKey, events_for

pytestmark = pytest.mark.django_db

MAIL = RenderedMail(subject="Onderwerp", text="Tekst", html="<p>Tekst</p>")


def queued(key: str = "test:1") -> OutgoingMail:
    row = outgoing_add(key=key, kind="test", mail=MAIL, to="eva@example.org", publish=False)
    assert row is not None
    return row


def test_a_key_is_added_once(outbox_dir: Path) -> None:
    assert queued("notice:7") is not None
    assert outgoing_add(key="notice:7", kind="test", mail=MAIL, to="eva@example.org", publish=False) is None
    assert OutgoingMail.objects.count() == 1


def test_a_row_is_claimed_and_sent_once(outbox_dir: Path) -> None:
    row = queued()
    assert outgoing_send(mail_id=row.pk) == "sent"
    assert outgoing_send(mail_id=row.pk) == "taken"
    assert len(list(outbox_dir.glob("*.eml"))) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 1)
    assert row.sent_at is not None


def test_a_refusal_for_now_is_retried_with_backoff(fake_sendgrid) -> None:  # type: ignore[no-untyped-def]
    row = queued()
    fake_sendgrid.script(Response(status=503), Response(status=429))
    assert outgoing_send(mail_id=row.pk) == "waiting"
    row.refresh_from_db()
    assert row.retry_at is not None
    first_wait = (row.retry_at - timezone.now()).total_seconds()
    assert outgoing.RETRY_BASE_SECONDS / 2 - 1 <= first_wait <= outgoing.RETRY_BASE_SECONDS
    assert outgoing_send(mail_id=row.pk) == "taken"  # not due yet
    OutgoingMail.objects.filter(pk=row.pk).update(retry_at=timezone.now())
    assert outgoing_send(mail_id=row.pk) == "waiting"
    row.refresh_from_db()
    assert row.retry_at is not None
    # The wait doubles: 15–30 s after the first refusal, 30–60 s after the second.
    assert (row.retry_at - timezone.now()).total_seconds() >= outgoing.RETRY_BASE_SECONDS - 1
    OutgoingMail.objects.filter(pk=row.pk).update(retry_at=timezone.now())
    assert outgoing_sweep(now=timezone.now(), dispatch=lambda pk: outgoing_send(mail_id=pk)) == [row.pk]
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 3)
    assert len(fake_sendgrid.accepted) == 1


def test_a_mail_without_an_answer_is_not_sent_again(fake_sendgrid, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SENDGRID_TIMEOUT = 0.3
    row = queued()
    fake_sendgrid.script(fake_sendgrid.hang(1.0))
    assert outgoing_send(mail_id=row.pk) == "unknown"
    assert (
        outgoing_sweep(now=timezone.now() + dt.timedelta(days=1), dispatch=lambda pk: outgoing_send(mail_id=pk)) == []
    )
    assert fake_sendgrid.wait_for(1, timeout=5)
    assert len(fake_sendgrid.requests) == 1


def test_a_mail_whose_task_the_broker_lost_is_sent_by_the_sweep(outbox_dir: Path) -> None:
    row = queued()
    stale = dt.timedelta(seconds=settings.OUTGOING_REQUEUE_AFTER_SECONDS)
    sent: list[int] = []
    assert outgoing_sweep(now=row.created_at + stale / 2, dispatch=sent.append) == []
    assert outgoing_sweep(now=row.created_at + stale * 2, dispatch=sent.append) == [row.pk]


def test_a_mail_is_never_sent_inside_a_transaction(outbox_dir: Path) -> None:
    row = queued()
    with transaction.atomic(), pytest.raises(RuntimeError, match="inside a database transaction"):
        outgoing_send(mail_id=row.pk)
    row.refresh_from_db()
    assert row.state == "queued"


@pytest.mark.django_db(transaction=True)
def test_no_single_mail_flow_calls_the_transport_inside_a_transaction(outbox_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every kind of single mail, through its real flow, with the real transport watched."""
    from dashboard.digest import digest_send_due
    from discussions.digest import discussion_digests_send
    from progress.answers import delivery_answer
    from progress.folding import progress_fold
    from progress.reminders import reminders_send_due

    calls: list[tuple[str, bool]] = []
    real = outgoing.get_transport

    class Watched:
        def send(self, message):  # type: ignore[no-untyped-def]
            calls.append((message.categories[0], connection.in_atomic_block))
            return real().send(message)

    monkeypatch.setattr(outgoing, "get_transport", Watched)
    monkeypatch.setattr(outgoing, "_queue", lambda mail_id: outgoing_send(mail_id=mail_id))  # a worker at once

    course = CourseFactory.create()
    make_lessons(course, 1)
    organisation = OrganisationFactory.create(timezone="Europe/Brussels")
    MembershipFactory.create(organisation=organisation, role=Membership.Role.ADMIN)
    enrolment = enrol(course, organisation=organisation, start=dt.date(2027, 3, 1))
    drip_tick(now=dt.datetime.fromisoformat("2027-03-01T08:30:00+01:00"), dispatch=lambda _: None)
    delivery = enrolment.deliveries.get()
    delivery_answer(delivery=delivery, option=1, now=timezone.now())
    progress_fold(now=timezone.now())  # a certificate
    reminders_send_due(now=timezone.now())
    digest_send_due(now=dt.datetime(2026, 11, 23, 7, 15, tzinfo=dt.UTC))  # Monday 08:15 in Brussels
    discussion_digests_send(now=timezone.now().replace(hour=20))
    Client().post("/accounts/login/code/", {"email": enrolment.membership.user.email})  # a sign-in code

    kinds = {kind for kind, _ in calls}
    assert {"certificate", "weekly-digest", "account"} <= kinds, calls
    assert [call for call in calls if call[1]] == []


@pytest.mark.django_db(transaction=True)
def test_the_webhook_request_makes_no_network_call(fake_sendgrid, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A hard bounce suspends a learner and writes the admins' notice into the outbox, but the request
    neither sends it nor publishes a task: SendGrid retries a slow webhook, and would repeat it."""
    key = SigningKey.generate()
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = key.public
    course = CourseFactory.create()
    make_lessons(course, 1)
    organisation = OrganisationFactory.create()
    MembershipFactory.create(organisation=organisation, role=Membership.Role.ADMIN, user=UserFactory.create())
    enrol(course, organisation=organisation, start=dt.date(2027, 3, 1))
    sent: list[int] = []
    drip_tick(now=dt.datetime.fromisoformat("2027-03-01T08:30:00+01:00"), dispatch=sent.append)
    from drip.sending import batch_send

    batch_send(batch_id=sent[0], dispatch=lambda _: None)
    (request,) = fake_sendgrid.accepted
    body = json.dumps(events_for(request, "bounce", type="bounce")).encode()

    connects: list[object] = []
    published: list[str] = []
    real_connect = socket.socket.connect

    def connect(self, address):  # type: ignore[no-untyped-def]
        connects.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(Celery, "send_task", lambda self, name, *a, **k: published.append(name))
    requests_before = len(fake_sendgrid.requests)
    response = Client().post("/webhooks/sendgrid/", body, content_type="application/json", headers=key.headers(body))

    assert response.json()["suspended"] == 1
    assert (connects, published, len(fake_sendgrid.requests)) == ([], [], requests_before)
    assert OutgoingMail.objects.get(kind="suspension").state == "queued"

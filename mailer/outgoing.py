"""The outbox for single mails: one row per mail, a unique key, sent once by a task.

``outgoing_add`` writes the rendered mail in the caller's transaction and queues
its send for after the commit: no network call ever happens inside a
transaction. ``outgoing_send`` claims the row with a conditional UPDATE, makes
one request through the transport, and records the answer: sent, waiting to
retry with backoff (429, 5xx, no connection), failed (refused), or unknown (no
answer: not sent again). ``outgoing_sweep`` (beat, every minute) sends what the
broker lost and what was added where nothing may be published (the webhook).
"""

import datetime as dt
import logging
import random
import uuid
from collections.abc import Callable
from functools import partial

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.sql import AmongText
from core.transactions import in_transaction
from mailer.message import (
    BatchMessage,
    ConfigurationError,
    OutcomeUnknownError,
    Recipient,
    RejectedError,
    RetryableError,
)
from mailer.models import OutgoingMail
from mailer.templated import RenderedMail
from mailer.transports import get_transport

logger = logging.getLogger(__name__)

Dispatch = Callable[[int], object]
RETRY_BASE_SECONDS = 30.0
RETRY_MAX_SECONDS = 3600.0
MAX_ATTEMPTS = 8


SEND_TASK = "mailer.tasks.send_outgoing_mail"


def _queue(mail_id: int) -> None:
    """Publish the row's send task, by name (the tasks module imports this one; a web process has
    not loaded the tasks modules), routed like any other (CELERY_TASK_ROUTES: the mail queue)."""
    try:
        current_app.send_task(SEND_TASK, args=[mail_id])
    except Exception:
        # The row is committed; if the broker is down, the sweep sends it.
        logger.exception("outgoing mail %s: could not queue its send; the sweep will", mail_id)


def outgoing_add(
    *,
    key: str,
    kind: str,
    mail: RenderedMail,
    to: str,
    headers: dict[str, str] | None = None,
    immediate: bool = False,
    publish: bool = True,
) -> OutgoingMail | None:
    """Add a mail to the outbox, once per ``key``; None when that key was added before.

    Its send starts after the current transaction commits (at once outside one): in this
    process when ``immediate``, else by a task; with ``publish=False`` only the sweep sends it.
    """
    row = OutgoingMail(
        key=key[:200],
        kind=kind,
        immediate=immediate,
        to=to,
        from_email=settings.DEFAULT_FROM_EMAIL,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        headers={**mail.headers, **(headers or {})},
        created_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return None
    if publish:
        _after_commit(partial(_start, row.pk, immediate=immediate))
    return row


def _start(mail_id: int, *, immediate: bool) -> None:
    if immediate:
        outgoing_send(mail_id=mail_id)
    else:
        _queue(mail_id)


def _after_commit(start: Callable[[], None]) -> None:
    """Now, outside a transaction; after it commits, inside one."""
    if in_transaction():
        transaction.on_commit(start)
    else:
        start()


def outgoing_add_many(*, kind: str, mails: list[tuple[str, RenderedMail, str]], publish: bool = True) -> list[int]:
    """Add many mails of one kind, each ``(key, mail, to)``, in two statements whatever their number;
    returns the ids of the rows this call added (a key added before is skipped). Each is queued for
    a task after the current transaction commits; with ``publish=False`` the sweep sends them."""
    now = timezone.now()
    rows = [
        OutgoingMail(
            key=key[:200], kind=kind, to=to, from_email=settings.DEFAULT_FROM_EMAIL, subject=mail.subject,
            text=mail.text, html=mail.html, headers=mail.headers, created_at=now,
        )
        for key, mail, to in mails
    ]  # fmt: skip
    token = uuid.uuid4()
    for row in rows:
        row.claim_token = (
            token  # tells this call's rows apart from those a key already had (a send's claim replaces it)
        )
    OutgoingMail.objects.bulk_create(rows, ignore_conflicts=True)
    # Read back by key (its unique index), not by the token alone: the outbox holds many rows.
    keys = AmongText(F("key"), [row.key for row in rows])
    added = list(OutgoingMail.objects.filter(keys, claim_token=token).values_list("pk", flat=True))
    if publish:
        for mail_id in added:
            _after_commit(partial(_queue, mail_id))
    return added


def _claim(mail_id: int, token: uuid.UUID, now: dt.datetime) -> bool:
    due = Q(state=OutgoingMail.State.QUEUED) | Q(state=OutgoingMail.State.WAITING, retry_at__lte=now)
    return bool(
        OutgoingMail.objects.filter(due, pk=mail_id).update(
            state=OutgoingMail.State.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def outgoing_send(*, mail_id: int) -> str:
    """Send one outbox row, once. Returns its state afterwards (or "taken")."""
    if in_transaction():
        raise RuntimeError("an outgoing mail is never sent inside a database transaction")
    token = uuid.uuid4()
    if not _claim(mail_id, token, timezone.now()):
        return "taken"
    row = OutgoingMail.objects.get(pk=mail_id)
    message = BatchMessage(
        from_email=row.from_email,
        subject=row.subject,
        text=row.text,
        html=row.html,
        recipients=[Recipient(email=row.to)],
        headers=row.headers,
        categories=[row.kind],
    )
    try:
        get_transport().send(message)
    except (RetryableError, ConfigurationError) as exc:
        return _record(row, token, OutgoingMail.State.WAITING, str(exc))
    except RejectedError as exc:
        logger.error("outgoing mail %s (%s) refused: %s", row.pk, row.kind, exc)
        return _record(row, token, OutgoingMail.State.FAILED, str(exc))
    except OutcomeUnknownError as exc:
        logger.warning("outgoing mail %s (%s): no answer (%s); not sent again", row.pk, row.kind, exc)
        return _record(row, token, OutgoingMail.State.UNKNOWN, str(exc))
    return _record(row, token, OutgoingMail.State.SENT, "")


def retry_wait(attempts: int) -> float:
    """Exponential backoff with jitter: 30 s, 60 s, 120 s … at most an hour."""
    base = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return random.uniform(base / 2, base)


def _record(row: OutgoingMail, token: uuid.UUID, state: str, error: str) -> str:
    now = timezone.now()
    fields: dict = {"state": state, "error": error[:2000], "claim_token": None}
    if state == OutgoingMail.State.SENT:
        fields["sent_at"] = now
    if state == OutgoingMail.State.WAITING:
        if row.attempts >= MAX_ATTEMPTS:
            state = fields["state"] = OutgoingMail.State.FAILED
            logger.error("outgoing mail %s (%s): giving up after %d attempts", row.pk, row.kind, row.attempts)
        else:
            fields["retry_at"] = now + dt.timedelta(seconds=retry_wait(row.attempts))
    OutgoingMail.objects.filter(pk=row.pk, claim_token=token, state=OutgoingMail.State.SENDING).update(**fields)
    return str(state)


def outgoing_sweep(*, now: dt.datetime, dispatch: Dispatch) -> list[int]:
    """Dispatch rows the broker lost or nobody published, and retries that are due; mark
    unknown a row whose sender died mid-send. Returns the rows dispatched."""
    stale = now - dt.timedelta(seconds=settings.OUTGOING_REQUEUE_AFTER_SECONDS)
    lease_end = now - dt.timedelta(seconds=settings.DRIP_CLAIM_LEASE_SECONDS)
    OutgoingMail.objects.filter(state=OutgoingMail.State.SENDING, claimed_at__lt=lease_end).update(
        state=OutgoingMail.State.UNKNOWN, error="the sender stopped mid-send", claim_token=None
    )
    due = list(
        OutgoingMail.objects.filter(
            Q(state=OutgoingMail.State.QUEUED, created_at__lt=stale)
            | Q(state=OutgoingMail.State.WAITING, retry_at__lte=now)
        )
        .order_by("-immediate", "created_at")
        .values_list("pk", flat=True)[:1000]
    )
    for mail_id in due:
        dispatch(mail_id)
    return due

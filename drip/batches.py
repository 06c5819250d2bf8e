"""A send batch's state machine: every transition is one conditional UPDATE.

The rules that make a lesson go out once (docs/reliability.md):

- A batch is *claimed* (queued or due waiting -> sending) by one task, which gets a fresh token.
- Before the request leaves, the holder *starts an attempt*: ``attempt_started_at`` and a
  SendAttempt row are committed first. Only the token holder can start one, and only one.
- Only a definite answer clears the attempt: a 2xx (sent), a 429/5xx or refused connection
  (waiting, with ``retry_at``), a 400/413 (split or failed), a 401/403 (back to queued).
- A claim that finds an attempt it cannot account for (the holder was killed, a message was
  redelivered, the database write after a 202 was lost) never sends: the batch goes to
  *unknown*, and provider events or the grace period decide (lessons/tracking.py, lessons/recovery.py).
- The holder's own outcomes are written only while its token still holds the batch; an event
  that proved the batch sent in the meantime is never overwritten.
"""

import datetime as dt
import enum
import logging
import time
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q

from core import sql
from lessons.models import Delivery, SendAttempt, SendBatch

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The batch is the holder's while it is sending, and still after a duplicate task marked it
# unknown (the holder's answer is better evidence than the duplicate's doubt).
_HELD = [SendBatch.Status.SENDING, SendBatch.Status.UNKNOWN]
# What a batch's deliveries may be while the batch is not finished; skipped and failed
# (a bounce) deliveries keep their status whatever the batch does.
_PENDING_DELIVERY = [Delivery.Status.QUEUED, Delivery.Status.SENDING, Delivery.Status.UNKNOWN]


class Claim(enum.Enum):
    CLAIMED = "claimed"
    TAKEN = "taken"  # someone holds it, finished it, or it waits for a later retry
    UNACCOUNTED = "unaccounted"  # an attempt is in flight that nobody will answer for


def batch_claim(*, batch_id: int, token: uuid.UUID, now: dt.datetime) -> Claim:
    """Take a queued batch, a waiting one whose retry is due, or one whose holder died
    before starting its attempt. A batch with an attempt in flight that this token does not
    hold is moved to unknown: sending it again could send it twice."""
    prepare_lease = now - dt.timedelta(seconds=settings.DRIP_PREPARE_LEASE_SECONDS)
    claimable = (
        Q(status=SendBatch.Status.QUEUED)
        | Q(status=SendBatch.Status.WAITING, retry_at__lte=now + dt.timedelta(seconds=1))
        | Q(status=SendBatch.Status.SENDING, attempt_started_at__isnull=True, claimed_at__lt=prepare_lease)
    )
    claimed = SendBatch.objects.filter(claimable, pk=batch_id).update(
        status=SendBatch.Status.SENDING, claim_token=token, claimed_at=now, retry_at=None
    )
    if claimed:
        return Claim.CLAIMED
    unaccounted = SendBatch.objects.filter(
        pk=batch_id, status=SendBatch.Status.SENDING, attempt_started_at__isnull=False
    ).update(status=SendBatch.Status.UNKNOWN, finished_at=now, error="an attempt was in flight when the task ran again")
    if unaccounted:
        Delivery.objects.filter(batch_id=batch_id, status__in=_PENDING_DELIVERY).update(status=Delivery.Status.UNKNOWN)
        SendAttempt.objects.filter(batch_id=batch_id, finished_at__isnull=True).update(
            outcome=SendAttempt.Outcome.UNKNOWN, finished_at=now
        )
        logger.error("batch %s: found an unfinished attempt; marked unknown for reconciliation", batch_id)
        return Claim.UNACCOUNTED
    return Claim.TAKEN


def attempt_start(*, batch: SendBatch, token: uuid.UUID, recipients: int, now: dt.datetime) -> bool:
    """Record that a request is about to leave; committed before it does. False: not ours any more."""
    number = batch.attempts + 1
    if connection.vendor == "postgresql":
        return _attempt_start_postgresql(batch.pk, token, number, recipients, now)
    with transaction.atomic():
        started = SendBatch.objects.filter(
            pk=batch.pk, status=SendBatch.Status.SENDING, claim_token=token, attempt_started_at__isnull=True
        ).update(attempt_started_at=now, attempts=number)
        if started:
            SendAttempt.objects.create(
                batch_id=batch.pk, number=number, token=token, recipients=recipients, started_at=now
            )
    return bool(started)


def _attempt_start_postgresql(batch_id: int, token: uuid.UUID, number: int, recipients: int, now: dt.datetime) -> bool:
    """The same in one statement, atomic by itself (no BEGIN, no COMMIT): a send's statements are
    the drip's cost per 1,000 mails (docs/performance.md)."""
    b, a = sql.table(SendBatch), sql.table(SendAttempt)
    column = partial(sql.column, SendBatch)
    attempt = [sql.column(SendAttempt, name) for name in ("batch", "number", "token", "recipients", "started_at")]
    statement = (
        f"WITH started AS (UPDATE {b} SET {column('attempt_started_at')} = %s, {column('attempts')} = %s "  # noqa: S608
        f"WHERE {column('id')} = %s AND {column('status')} = %s AND {column('claim_token')} = %s "
        f"AND {column('attempt_started_at')} IS NULL RETURNING {column('id')} AS id) "
        f"INSERT INTO {a} ({', '.join(attempt)}, {sql.column(SendAttempt, 'outcome')}, "
        f"{sql.column(SendAttempt, 'error')}) SELECT id, %s, %s, %s, %s, '', '' FROM started"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            statement, [now, number, batch_id, SendBatch.Status.SENDING, token, number, token, recipients, now]
        )
        return cursor.rowcount == 1


def durably(write: Callable[[], T], *, atomic: bool = True) -> T:
    """Run a database write, again after a lost connection: the provider has answered, and losing
    that answer would leave the batch unknown. Each try runs in its own transaction (a single
    statement, ``atomic=False``, is one by itself)."""
    delays = settings.DRIP_RECORD_RETRY_DELAYS
    for delay in [*delays, None]:
        try:
            if not atomic:
                return write()
            with transaction.atomic():
                return write()
        except (OperationalError, InterfaceError) as exc:
            if delay is None or connection.in_atomic_block:
                raise
            logger.warning("recording an outcome failed (%s); reconnecting in %.1fs", exc.__class__.__name__, delay)
            connection.close()
            time.sleep(delay)
    raise AssertionError("unreachable")


def _finish_attempt(
    batch_id: int, token: uuid.UUID, now: dt.datetime, outcome: str, status_code: int | None, error: str = ""
) -> None:
    """The holder's answer for its own attempt, even if a duplicate task or the lease marked it unknown."""
    SendAttempt.objects.filter(batch_id=batch_id, token=token).update(
        finished_at=now, outcome=outcome, status_code=status_code, error=error[:2000]
    )


def batch_sent(*, batch_id: int, token: uuid.UUID, message_id: str, now: dt.datetime) -> None:
    """The provider accepted the request (2xx)."""

    def write() -> None:
        held = SendBatch.objects.filter(
            Q(status__in=_HELD) | Q(status=SendBatch.Status.SENT), pk=batch_id, claim_token=token
        )
        if held.update(
            status=SendBatch.Status.SENT, message_id=message_id, error="", finished_at=now, attempt_started_at=None
        ):
            Delivery.objects.filter(batch_id=batch_id, status__in=_PENDING_DELIVERY).update(
                status=Delivery.Status.SENT, message_id=message_id, sent_at=now
            )
        _finish_attempt(batch_id, token, now, SendAttempt.Outcome.ACCEPTED, 202)

    if connection.vendor == "postgresql":
        durably(_batch_sent_postgresql(batch_id, token, message_id, now), atomic=False)
    else:
        durably(write)


def _batch_sent_postgresql(batch_id: int, token: uuid.UUID, message_id: str, now: dt.datetime) -> Callable[[], None]:
    """``batch_sent``'s three updates (batch, deliveries, attempt) in one statement."""
    b, d, a = sql.table(SendBatch), sql.table(Delivery), sql.table(SendAttempt)
    bc, dc, ac = (partial(sql.column, model) for model in (SendBatch, Delivery, SendAttempt))
    statement = (
        f"WITH held AS (UPDATE {b} SET {bc('status')} = %s, {bc('message_id')} = %s, {bc('error')} = '', "  # noqa: S608
        f"{bc('finished_at')} = %s, {bc('attempt_started_at')} = NULL WHERE {bc('id')} = %s "
        f"AND {bc('claim_token')} = %s AND {bc('status')} = ANY(%s) RETURNING {bc('id')} AS id), "
        f"deliveries AS (UPDATE {d} SET {dc('status')} = %s, {dc('message_id')} = %s, {dc('sent_at')} = %s "
        f"WHERE {dc('batch')} IN (SELECT id FROM held) AND {dc('status')} = ANY(%s)), "
        f"attempt AS (UPDATE {a} SET {ac('finished_at')} = %s, {ac('outcome')} = %s, {ac('status_code')} = 202, "
        f"{ac('error')} = '' WHERE {ac('batch')} = %s AND {ac('token')} = %s) "
        "SELECT count(*) FROM held"
    )
    params: list[Any] = [
        SendBatch.Status.SENT, message_id, now, batch_id, token, [*_HELD, SendBatch.Status.SENT],
        Delivery.Status.SENT, message_id, now, list(_PENDING_DELIVERY),
        now, SendAttempt.Outcome.ACCEPTED, batch_id, token,
    ]  # fmt: skip

    def write() -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)

    return write


def batch_wait(*, batch_id: int, token: uuid.UUID, retry_at: dt.datetime, error: str, now: dt.datetime) -> bool:
    """The provider refused for now (429, 5xx, no connection): nothing was accepted; retry later."""

    def write() -> bool:
        waiting = SendBatch.objects.filter(pk=batch_id, claim_token=token, status__in=_HELD).update(
            status=SendBatch.Status.WAITING, retry_at=retry_at, attempt_started_at=None, error=error[:2000]
        )
        _finish_attempt(batch_id, token, now, SendAttempt.Outcome.RETRY, None, error)
        return bool(waiting)

    return durably(write)


def batch_unknown(*, batch_id: int, token: uuid.UUID, error: str, now: dt.datetime) -> None:
    """No answer came (a timeout after the request went out): the attempt stays unaccounted for."""
    with transaction.atomic():
        SendBatch.objects.filter(pk=batch_id, claim_token=token, status=SendBatch.Status.SENDING).update(
            status=SendBatch.Status.UNKNOWN, error=error[:2000], finished_at=now
        )
        Delivery.objects.filter(batch_id=batch_id, status__in=_PENDING_DELIVERY).update(status=Delivery.Status.UNKNOWN)
        _finish_attempt(batch_id, token, now, SendAttempt.Outcome.UNKNOWN, None, error)


def batch_failed(*, batch_id: int, token: uuid.UUID, status_code: int, error: str, now: dt.datetime) -> bool:
    """The provider rejected the request (400, 413) for its only recipient: it will never go."""

    def write() -> bool:
        failed = SendBatch.objects.filter(pk=batch_id, claim_token=token, status__in=_HELD).update(
            status=SendBatch.Status.FAILED, error=error[:2000], finished_at=now, attempt_started_at=None
        )
        if failed:
            Delivery.objects.filter(batch_id=batch_id, status__in=_PENDING_DELIVERY).update(
                status=Delivery.Status.FAILED, error=error[:2000]
            )
        _finish_attempt(batch_id, token, now, SendAttempt.Outcome.REJECTED, status_code, error)
        return bool(failed)

    return durably(write)


def batch_split(
    *, batch: SendBatch, token: uuid.UUID, halves: list[list[int]], status_code: int, error: str, now: dt.datetime
) -> list[int]:
    """The provider rejected a request of several recipients: nothing was sent. Split it in two
    queued children (returned) until the bad recipient stands alone."""

    def write() -> list[int]:
        _finish_attempt(batch.pk, token, now, SendAttempt.Outcome.REJECTED, status_code, error)
        split = SendBatch.objects.filter(pk=batch.pk, claim_token=token, status__in=_HELD).update(
            status=SendBatch.Status.SPLIT, error=error[:2000], finished_at=now, attempt_started_at=None
        )
        if not split:
            return []
        children = []
        for half in halves:
            child = SendBatch.objects.create(
                version_id=batch.version_id, parent=batch, size=len(half), created_at=now, queued_at=now
            )
            Delivery.objects.filter(pk__in=half).update(batch=child)
            children.append(child.pk)
        return children

    return durably(write)


def batch_release(*, batch_id: int, token: uuid.UUID, error: str, now: dt.datetime, status_code: int | None) -> None:
    """Give a batch back to the queue (our credentials were refused); the tick dispatches it again later."""

    def write() -> None:
        SendBatch.objects.filter(pk=batch_id, claim_token=token, status__in=_HELD).update(
            status=SendBatch.Status.QUEUED, claim_token=None, queued_at=now, error=error[:2000], attempt_started_at=None
        )
        _finish_attempt(batch_id, token, now, SendAttempt.Outcome.REFUSED, status_code, error)

    durably(write)


def batch_unclaim(*, batch_id: int, token: uuid.UUID, error: str) -> None:
    """Give back a claim taken before any attempt started (loading or composing failed)."""
    SendBatch.objects.filter(
        pk=batch_id, claim_token=token, status=SendBatch.Status.SENDING, attempt_started_at__isnull=True
    ).update(status=SendBatch.Status.QUEUED, claim_token=None, error=error[:2000])


def batch_empty(*, batch_id: int, token: uuid.UUID, now: dt.datetime) -> None:
    """Every recipient was left out (they left or paused): nothing to send."""
    SendBatch.objects.filter(pk=batch_id, claim_token=token, status=SendBatch.Status.SENDING).update(
        status=SendBatch.Status.SENT, error="no recipient left to send to", finished_at=now
    )


def batches_mark_sent(*, batch_ids: list[int], message_ids: dict[int, str], sent_at: dict[int, dt.datetime]) -> None:
    """Provider events prove these batches went out, whatever state they were in: sent, never resent."""
    for batch_id in batch_ids:
        SendBatch.objects.filter(pk=batch_id).exclude(
            status__in=[SendBatch.Status.SENT, SendBatch.Status.FAILED, SendBatch.Status.SPLIT]
        ).update(
            status=SendBatch.Status.SENT,
            message_id=message_ids[batch_id],
            error="",
            attempt_started_at=None,
            retry_at=None,
            finished_at=sent_at[batch_id],
        )
        Delivery.objects.filter(batch_id=batch_id, status__in=_PENDING_DELIVERY).update(
            status=Delivery.Status.SENT, sent_at=sent_at[batch_id], message_id=message_ids[batch_id]
        )
        SendAttempt.objects.filter(batch_id=batch_id, finished_at__isnull=True).update(
            outcome=SendAttempt.Outcome.ACCEPTED, finished_at=sent_at[batch_id]
        )

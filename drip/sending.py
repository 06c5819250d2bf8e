"""Send one batch: claim it, record the attempt, make one provider request, record the answer.

The state transitions live in lessons/batches.py; who is still mailed is decided
in lessons/recipients.py. This module puts them in order and sorts the
provider's answer into an outcome.
"""

import datetime as dt
import enum
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from drip import batches
from drip.extensions import lesson_mail_extension
from drip.mail import lesson_mail_template
from drip.recipients import Loaded, batch_load
from mailer.message import (
    BatchMessage,
    ConfigurationError,
    OutcomeUnknownError,
    RejectedError,
    RetryableError,
)
from mailer.transports import get_transport

logger = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # someone else holds or finished the batch
    SPLIT = "split"
    FAILED = "failed"
    UNKNOWN = "unknown"
    WAITING = "waiting"  # refused for now; retry at ``retry_in``
    RELEASED = "released"


@dataclass(frozen=True)
class SendReport:
    outcome: Outcome
    retry_in: float = 0.0  # seconds, for WAITING


def retry_delay(retries: int, retry_after: float | None) -> float:
    """Exponential backoff with jitter, never sooner than the provider asked, at most the cap.

    The jitter also applies on top of ``Retry-After``: otherwise every batch refused
    in the same second would come back in the same second.
    """
    cap = settings.DRIP_RETRY_MAX_SECONDS
    base = min(cap, settings.DRIP_RETRY_BASE_SECONDS * 2**retries)
    low = retry_after if retry_after else base / 2
    return min(cap, random.uniform(low, low + max(base, retry_after or 0) / 4))


def batch_send(*, batch_id: int, dispatch: Callable[[int], object], retries: int = 0) -> SendReport:
    """Send a batch in one request, once. ``retries`` is how many times this batch's task was retried."""
    token = uuid.uuid4()
    claim = batches.batch_claim(batch_id=batch_id, token=token, now=timezone.now())
    if claim is batches.Claim.UNACCOUNTED:
        return SendReport(Outcome.UNKNOWN)
    if claim is not batches.Claim.CLAIMED:
        return SendReport(Outcome.SKIPPED)
    try:
        loaded = batch_load(batch_id, now=timezone.now())
        if not loaded.rows:
            batches.batch_empty(batch_id=batch_id, token=token, now=timezone.now())
            return SendReport(Outcome.SENT)
        message = _compose(loaded)
    except Exception as exc:
        # Nothing left: give the batch back at once (with the error to see) rather than at the lease's end.
        batches.batch_unclaim(batch_id=batch_id, token=token, error=f"{exc.__class__.__name__}: {exc}")
        raise
    if not batches.attempt_start(batch=loaded.batch, token=token, recipients=len(loaded.rows), now=timezone.now()):
        return SendReport(Outcome.SKIPPED)
    try:
        result = get_transport().send(message)
    except RetryableError as exc:
        delay = retry_delay(retries, exc.retry_after)
        now = timezone.now()
        retry_at = now + dt.timedelta(seconds=delay)
        batches.batch_wait(batch_id=batch_id, token=token, retry_at=retry_at, error=str(exc), now=now)
        logger.warning("batch %s: %s; retry in %.1fs", batch_id, exc, delay)
        return SendReport(Outcome.WAITING, retry_in=delay)
    except RejectedError as exc:
        return _isolate(loaded, token, exc, dispatch)
    except OutcomeUnknownError as exc:
        logger.warning("batch %s: outcome unknown (%s); waiting for reconciliation", batch_id, exc)
        batches.batch_unknown(batch_id=batch_id, token=token, error=str(exc), now=timezone.now())
        return SendReport(Outcome.UNKNOWN)
    except ConfigurationError as exc:
        logger.critical("batch %s: %s; released for a later tick", batch_id, exc)
        batches.batch_release(batch_id=batch_id, token=token, error=str(exc), now=timezone.now(), status_code=None)
        return SendReport(Outcome.RELEASED)
    batches.batch_sent(batch_id=batch_id, token=token, message_id=result.message_id, now=timezone.now())
    return SendReport(Outcome.SENT)


def _compose(loaded: Loaded) -> BatchMessage:
    """One rendered lesson mail, personalised per recipient by substitution."""
    version = loaded.batch.version
    template = lesson_mail_template(
        version=version,
        position=version.lesson.position,
        total=loaded.lesson_count,
        language=version.lesson.course.language,
        place=loaded.place,
    )
    extension = lesson_mail_extension()
    posts = (
        extension.post_counts(
            lesson_id=version.lesson_id, organisation_ids=set(loaded.group_urls), private=loaded.private
        )
        if extension
        else {}
    )
    return template.message(template.recipients(loaded.rows, group_urls=loaded.group_urls, posts=posts))


def _isolate(loaded: Loaded, token: uuid.UUID, exc: RejectedError, dispatch: Callable[[int], object]) -> SendReport:
    """A rejected request sent nothing. Split it in two until the bad recipient stands alone."""
    batch, now = loaded.batch, timezone.now()
    delivery_ids = [row.delivery_id for row in loaded.rows]
    if len(delivery_ids) == 1:
        logger.error("batch %s: delivery %s rejected: %s", batch.pk, delivery_ids[0], exc)
        batches.batch_failed(batch_id=batch.pk, token=token, status_code=exc.status, error=str(exc), now=now)
        return SendReport(Outcome.FAILED)
    logger.warning("batch %s of %d rejected (%s); splitting to isolate", batch.pk, len(delivery_ids), exc)
    middle = len(delivery_ids) // 2
    halves = [delivery_ids[:middle], delivery_ids[middle:]]
    children = batches.batch_split(
        batch=batch, token=token, halves=halves, status_code=exc.status, error=str(exc), now=now
    )
    for child in children:
        transaction.on_commit(partial(dispatch, child))
    return SendReport(Outcome.SPLIT)

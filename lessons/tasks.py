"""Celery tasks: thin wrappers that load ids and call one function each."""

import datetime as dt
import logging
import random
import uuid

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from courses import certificates
from lessons import drip, folding, reminders, sending
from mailer.message import RetryableError

logger = logging.getLogger(__name__)

# Cap on a single wait between retries, even when the provider asks for more: the claim
# lease (DRIP_CLAIM_LEASE_SECONDS) and the broker's visibility timeout must outlast it, or
# the batch would be marked unknown, or its message delivered twice, while the retry waits.
MAX_BACKOFF_SECONDS = 300.0
# A run folds at most this many batches, so one run stays short and the next one continues.
_FOLDS_PER_RUN = 20


def retry_delay(retries: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter, at least what the provider asked for, at most the cap."""
    base = min(MAX_BACKOFF_SECONDS, 5.0 * 2**retries)
    return min(MAX_BACKOFF_SECONDS, max(retry_after or 0.0, random.uniform(base / 2, base)))


def _dispatcher(task: Task):  # type: ignore[no-untyped-def]
    """Run follow-up sends inline when this task itself runs inline (the drip_tick command)."""
    if task.request.is_eager:
        return lambda batch_id: send_batch.apply(kwargs={"batch_id": batch_id}, throw=True)
    return lambda batch_id: send_batch.delay(batch_id)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def drip_tick(self: Task, at: str | None = None) -> dict:
    """One scheduler tick (beat runs it every minute)."""
    now = dt.datetime.fromisoformat(at) if at else timezone.now()
    return drip.drip_tick(now=now, dispatch=_dispatcher(self)).as_dict()


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def send_batch(self: Task, batch_id: int, claim_token: str | None = None) -> str:
    """Send one batch in one provider request; retry 429/5xx/connection errors keeping the claim."""
    token = uuid.UUID(claim_token) if claim_token else uuid.uuid4()
    try:
        return sending.batch_send(batch_id=batch_id, claim_token=token, dispatch=_dispatcher(self)).value
    except RetryableError as exc:
        if self.request.retries >= settings.DRIP_SEND_MAX_RETRIES:
            logger.error("batch %s: giving up after %d retries (%s); released", batch_id, self.request.retries, exc)
            sending.batch_release(batch_id=batch_id, claim_token=token, reason=str(exc))
            return sending.Outcome.RELEASED.value
        kwargs = {"batch_id": batch_id, "claim_token": str(token)}
        if self.request.is_eager:
            # Inline (the drip_tick command): retry at once, in this process.
            logger.warning("batch %s: %s; retry %d now", batch_id, exc, self.request.retries + 1)
            return str(send_batch.apply(kwargs=kwargs, retries=self.request.retries + 1, throw=True).get())
        delay = retry_delay(self.request.retries, exc.retry_after)
        logger.warning("batch %s: %s; retry %d in %.1fs", batch_id, exc, self.request.retries + 1, delay)
        raise self.retry(kwargs=kwargs, countdown=delay) from None


@shared_task(acks_late=True, ignore_result=True)
def send_reminders() -> int:
    """Every 15 minutes (beat): remind learners who left their last three lessons incomplete."""
    return reminders.reminders_send_due(now=timezone.now())


@shared_task(acks_late=True, ignore_result=True)
def send_certificate_mail(certificate_id: int) -> bool:
    """Mail a newly issued certificate's link; the claim on ``mailed_at`` makes it once.

    A failed send releases the claim; the beat sweep tries again, so no retry here.
    """
    return certificates.certificate_mail_send(certificate_id=certificate_id, now=timezone.now())


@shared_task(acks_late=True, ignore_result=True)
def send_pending_certificate_mails() -> int:
    """Every 15 minutes (beat): mail certificates whose queued mail the broker lost."""
    return certificates.certificates_mail_pending(now=timezone.now())


@shared_task(acks_late=True, ignore_result=True)
def fold_progress() -> int:
    """Every few seconds (beat): count new completions into the aggregates, issue certificates."""
    counted = 0
    for _ in range(_FOLDS_PER_RUN):
        report = folding.progress_fold(now=timezone.now(), dispatch=queue_certificate_mail)
        counted += report.counted
        if report.counted < folding.FOLD_BATCH:
            break
    return counted


def queue_certificate_mail(certificate_id: int) -> None:
    """The dispatch the progress fold passes for new certificates (called after commit)."""
    try:
        send_certificate_mail.delay(certificate_id)
    except Exception:
        # The learner's change is committed; if the broker is down, the beat sweep mails it later.
        logger.exception("certificate %s: could not queue its mail", certificate_id)

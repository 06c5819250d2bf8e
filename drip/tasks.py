"""Celery tasks: thin wrappers that load ids and call one function each."""

import datetime as dt
import logging
import time

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from drip import sending, tick

logger = logging.getLogger(__name__)


def _dispatcher(task: Task):  # type: ignore[no-untyped-def]
    """Run follow-up sends inline when this task itself runs inline (the drip_tick command)."""
    if task.request.is_eager:
        return lambda batch_id: send_batch.apply(kwargs={"batch_id": batch_id}, throw=True)
    return lambda batch_id: send_batch.delay(batch_id)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def drip_tick(self: Task, at: str | None = None) -> dict:
    """One scheduler tick (beat runs it every minute)."""
    now = dt.datetime.fromisoformat(at) if at else timezone.now()
    return tick.drip_tick(now=now, dispatch=_dispatcher(self)).as_dict()


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def send_batch(self: Task, batch_id: int, claim_token: str | None = None) -> str:
    """Send one batch in one provider request. After a 429/5xx the batch waits (recorded on it)
    and this task comes back when its retry is due; a retry is a new claim, never a resumed one.

    ``claim_token`` is accepted and ignored, for messages queued by an older release.
    """
    report = sending.batch_send(batch_id=batch_id, dispatch=_dispatcher(self), retries=self.request.retries or 0)
    if report.outcome is not sending.Outcome.WAITING:
        return report.outcome.value
    if self.request.retries >= settings.DRIP_SEND_MAX_RETRIES:
        # The batch stays waiting: the tick dispatches it again once its retry is long overdue.
        logger.error(
            "batch %s: still refused after %d retries; the tick will try again", batch_id, self.request.retries
        )
        return report.outcome.value
    if self.request.is_eager:
        # Inline (the drip_tick command): wait as the provider asked, in this process.
        time.sleep(report.retry_in)
        return str(send_batch.apply(kwargs={"batch_id": batch_id}, retries=self.request.retries + 1, throw=True).get())
    raise self.retry(kwargs={"batch_id": batch_id}, countdown=report.retry_in)

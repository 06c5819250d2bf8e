"""Celery tasks of the dashboard: thin wrappers that call one function each."""

from celery import shared_task
from django.utils import timezone

from dashboard import digest


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(digest.DigestNotSent,),
    max_retries=5,
    default_retry_delay=300,
)
def send_weekly_digests() -> list[int]:
    """Hourly (beat): send the weekly digest where it is Monday 08:xx local time and not yet sent.

    A retry re-checks the clock, so a digest that could not go out within its hour waits a week.
    """
    return digest.digest_send_due(now=timezone.now())

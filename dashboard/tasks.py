"""Celery tasks of the dashboard: thin wrappers that call one function each."""

from celery import shared_task
from django.utils import timezone

from dashboard import digest


@shared_task(acks_late=True, ignore_result=True)
def send_weekly_digests() -> list[int]:
    """Hourly (beat): queue the weekly digest where it is Monday 08:xx local time and not yet queued."""
    return digest.digest_send_due(now=timezone.now())

"""Celery tasks of the discussion group: thin wrappers that call one function each."""

from celery import shared_task
from django.utils import timezone

from discussions import digest


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=(digest.DigestsNotSent,), max_retries=3, default_retry_delay=300
)
def send_discussion_digests() -> int:
    """Hourly (beat): the daily digests of replies, and of unanswered questions for trainers."""
    return digest.discussion_digests_send(now=timezone.now())

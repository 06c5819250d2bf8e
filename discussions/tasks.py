"""Celery tasks of the discussion group: thin wrappers that call one function each."""

from celery import shared_task
from django.utils import timezone

from discussions import digest


@shared_task(acks_late=True, ignore_result=True)
def send_discussion_digests() -> int:
    """Hourly (beat): the daily digests of replies, and of unanswered questions for trainers (into the outbox)."""
    return digest.discussion_digests_send(now=timezone.now())

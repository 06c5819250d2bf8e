"""Celery tasks of what happens after a lesson is sent: thin, each calls one function."""

from celery import shared_task
from django.utils import timezone

from progress import folding, reminders

# A run folds at most this many batches, so one run stays short and the next one continues.
_FOLDS_PER_RUN = 20


@shared_task(acks_late=True, ignore_result=True)
def fold_progress() -> int:
    """Every few seconds (beat): count new completions into the aggregates, issue certificates."""
    counted = 0
    for _ in range(_FOLDS_PER_RUN):
        report = folding.progress_fold(now=timezone.now())
        counted += report.counted
        if report.counted < folding.FOLD_BATCH:
            break
    return counted


@shared_task(acks_late=True, ignore_result=True)
def send_reminders() -> int:
    """Every 15 minutes (beat): remind learners who left their last three lessons incomplete."""
    return reminders.reminders_send_due(now=timezone.now())

"""Celery tasks of the outbox: thin, each calls one function."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from mailer import outgoing, retention


@shared_task(acks_late=True, ignore_result=True)
def send_outgoing_mail(mail_id: int) -> str:
    """Send one outbox row; a retry is a new row state (waiting), swept when due."""
    return outgoing.outgoing_send(mail_id=mail_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_outgoing_mail() -> int:
    """Every minute (beat): send what the broker lost, what waited for the sweep, and due retries."""
    return len(outgoing.outgoing_sweep(now=timezone.now(), dispatch=send_outgoing_mail.delay))


@shared_task(ignore_result=True)
def prune_provider_events() -> int:
    """Nightly (beat): forget SendGrid events older than PROVIDER_EVENT_RETENTION_DAYS."""
    return retention.provider_events_prune(now=timezone.now(), keep_days=settings.PROVIDER_EVENT_RETENTION_DAYS)

"""What the tick does for batches that did not finish by themselves.

The database is the source of truth: whatever the broker lost, or a dead worker
left behind, is found here by its state and its age (docs/reliability.md):

- queued and never claimed, or waiting with its retry long overdue: dispatched again
  (the claim makes a second message for the same batch harmless);
- sending past the claim lease: back to the queue when no attempt had started,
  unknown when one had (the provider may have accepted it);
- unknown past the grace period with no provider event recorded for any of its
  deliveries: queued again, once. With an event, it was sent.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef

from drip import batches
from lessons.models import Delivery, SendAttempt, SendBatch
from mailer.models import ProviderEvent

logger = logging.getLogger(__name__)


@dataclass
class RecoveryReport:
    requeued: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    resent: list[int] = field(default_factory=list)
    proven: list[int] = field(default_factory=list)


def batches_recover(*, now: dt.datetime) -> RecoveryReport:
    """Run inside a transaction; the caller dispatches ``requeued`` after it commits."""
    report = RecoveryReport()
    _requeue_lost(now, report)
    _expire_claims(now, report)
    _resend_silent(now, report)
    return report


def _locked(**conditions: object) -> list[int]:
    return list(SendBatch.objects.select_for_update(skip_locked=True).filter(**conditions).values_list("pk", flat=True))


def _requeue_lost(now: dt.datetime, report: RecoveryReport) -> None:
    stale = now - dt.timedelta(seconds=settings.DRIP_REQUEUE_AFTER_SECONDS)
    lost = _locked(status=SendBatch.Status.QUEUED, queued_at__lt=stale)
    if lost:
        SendBatch.objects.filter(pk__in=lost).update(queued_at=now)
        logger.warning("requeued %d batches that no worker claimed: %s", len(lost), lost)
    overdue = _locked(status=SendBatch.Status.WAITING, retry_at__lt=stale)
    if overdue:
        logger.warning("dispatching %d batches whose retry is overdue: %s", len(overdue), overdue)
    report.requeued += lost + overdue


def _expire_claims(now: dt.datetime, report: RecoveryReport) -> None:
    lease_end = now - dt.timedelta(seconds=settings.DRIP_CLAIM_LEASE_SECONDS)
    abandoned = _locked(status=SendBatch.Status.SENDING, claimed_at__lt=lease_end)
    if not abandoned:
        return
    # Nothing left before the attempt was recorded: safe to send.
    unstarted = list(
        SendBatch.objects.filter(pk__in=abandoned, attempt_started_at__isnull=True).values_list("pk", flat=True)
    )
    SendBatch.objects.filter(pk__in=unstarted).update(
        status=SendBatch.Status.QUEUED, claim_token=None, queued_at=now, error="claim expired before any attempt"
    )
    report.requeued += unstarted
    # An attempt was in flight: the provider may have accepted it. Events decide.
    started = [pk for pk in abandoned if pk not in set(unstarted)]
    if started:
        SendBatch.objects.filter(pk__in=started).update(
            status=SendBatch.Status.UNKNOWN, error="claim expired: worker stopped mid-send", finished_at=now
        )
        Delivery.objects.filter(batch_id__in=started, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.UNKNOWN
        )
        SendAttempt.objects.filter(batch_id__in=started, finished_at__isnull=True).update(
            outcome=SendAttempt.Outcome.UNKNOWN, finished_at=now
        )
        report.expired += started
        logger.error("marked %d abandoned batches unknown: %s", len(started), started)


def _resend_silent(now: dt.datetime, report: RecoveryReport) -> None:
    """SendGrid reports every accepted recipient (processed) within minutes; silence means not sent.

    Events already recorded are looked at first: an event for any delivery of the batch proves
    the whole request was accepted.
    """
    grace_end = now - dt.timedelta(seconds=settings.DRIP_UNKNOWN_GRACE_SECONDS)
    silent = _locked(status=SendBatch.Status.UNKNOWN, finished_at__lt=grace_end, resent_at__isnull=True)
    if not silent:
        return
    evidence = set(
        Delivery.objects.filter(batch_id__in=silent)
        .filter(Exists(ProviderEvent.objects.filter(delivery_id=OuterRef("pk"))))
        .values_list("batch_id", flat=True)
        .order_by()
    )
    if evidence:
        proven = sorted(evidence)
        batches.batches_mark_sent(
            batch_ids=proven,
            message_ids={pk: _first_message_id(pk) for pk in proven},
            sent_at=dict.fromkeys(proven, now),
        )
        report.proven += proven
        logger.info("batches %s had provider events recorded: sent, not resent", proven)
    resend = [pk for pk in silent if pk not in evidence]
    if not resend:
        return
    SendBatch.objects.filter(pk__in=resend).update(
        status=SendBatch.Status.QUEUED,
        resent_at=now,
        queued_at=now,
        claim_token=None,
        attempt_started_at=None,
        error="resent once: no provider event within the grace period",
    )
    Delivery.objects.filter(batch_id__in=resend, status=Delivery.Status.UNKNOWN).update(status=Delivery.Status.QUEUED)
    report.requeued += resend
    report.resent += resend
    logger.warning(
        "resending %d unknown batches once, no provider event after the grace period: %s", len(resend), resend
    )


def _first_message_id(batch_id: int) -> str:
    """The provider's id for the request, from an event recorded for one of the batch's deliveries."""
    event = (
        ProviderEvent.objects.filter(delivery_id__in=Delivery.objects.filter(batch_id=batch_id).values("pk"))
        .exclude(message_id="")
        .values_list("message_id", flat=True)
        .first()
    )
    return (event or "").split(".")[0]

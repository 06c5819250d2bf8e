"""What the mail provider told us, kept so a repeated event is recognised."""

from django.db import models
from django.db.models import Q


class ProviderEvent(models.Model):
    """One SendGrid event we have applied. SendGrid delivers at least once; we apply at most once."""

    event_id = models.CharField(max_length=100, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=32)
    timestamp = models.BigIntegerField()
    delivery_id = models.BigIntegerField(null=True, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_id"], condition=~Q(event_id=""), name="provider_event_id_once"),
            # Only for events without an id, and never across deliveries: SendGrid omits
            # sg_message_id on asynchronous bounces, so two people's bounces can share the rest.
            models.UniqueConstraint(
                fields=["message_id", "kind", "timestamp", "delivery_id"],
                condition=Q(event_id=""),
                name="provider_event_shape_once",
            ),
        ]
        # The silent-resend sweep asks whether any event was recorded for a batch's deliveries.
        indexes = [models.Index(fields=["delivery_id"], name="provider_event_delivery")]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id or self.message_id}"


class Suppression(models.Model):
    """An address the provider will not deliver to: a hard bounce, a spam report, or SendGrid's
    own unsubscribe list. Checked at every send attempt; lifted when an admin reactivates the person."""

    class Reason(models.TextChoices):
        BOUNCE = "bounce", "bounce"
        SPAM = "spamreport", "spam report"
        UNSUBSCRIBE = "unsubscribe", "unsubscribed at the provider"

    email = models.EmailField(unique=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"


class OutgoingMail(models.Model):
    """One single mail (sign-in code, welcome, reminder, certificate, digest, notice), rendered and
    waiting to leave. The unique key (kind plus object) makes it go out once; the row is written in
    the transaction that decides the mail, and sent by a task after that transaction commits."""

    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        # Refused for now (429, 5xx, no connection): tried again at ``retry_at``.
        WAITING = "waiting", "waiting to retry"
        FAILED = "failed", "failed"
        # No answer came: it may have gone out, so it is not sent again (a missing reminder is
        # gentler than a double one).
        UNKNOWN = "unknown", "outcome unknown"

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32)
    # Sign-in codes and other mails someone is waiting for: sent at once, never behind bulk work.
    immediate = models.BooleanField(default=False)
    to = models.CharField(max_length=320)
    from_email = models.CharField(max_length=320)
    subject = models.CharField(max_length=998)
    text = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["state", "created_at"],
                condition=Q(state__in=["queued", "sending", "waiting"]),
                name="outgoing_unfinished",
            ),
            models.Index(fields=["to"], name="outgoing_to"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} mail {self.pk} ({self.state})"

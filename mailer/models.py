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

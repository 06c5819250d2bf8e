"""What the dashboard remembers: which weekly digests went out."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation


class WeeklyDigestSent(models.Model):
    """One row per organisation and week: the unique constraint makes the digest go out once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="digests_sent")
    # The Monday (local to the organisation) of the week the digest covers.
    week = models.DateField(_("week"))
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("weekly digest sent")
        verbose_name_plural = _("weekly digests sent")
        constraints = [models.UniqueConstraint(fields=["organisation", "week"], name="one_digest_per_org_week")]

    def __str__(self) -> str:
        return f"digest {self.organisation_id} {self.week}"

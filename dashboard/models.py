"""What the dashboard remembers: which weekly digests went out, and who asked for no more."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Membership, Organisation


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


class WeeklyDigestOptOut(models.Model):
    """An admin who stopped the weekly digest (its one-click link): one row per admin membership."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="weekly_digest_opt_out")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("weekly digest opt-out")
        verbose_name_plural = _("weekly digest opt-outs")

    def __str__(self) -> str:
        return f"no digest for membership {self.membership_id}"

"""Organisations that enrol their staff, and the calendar they send by."""

import datetime as dt
import re
import zoneinfo
from functools import cached_property

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value}) from None


def validate_holiday_country(value: str) -> None:
    if value and value not in holidays.list_supported_countries():
        raise ValidationError(_("%(value)s is not a supported holiday country."), params={"value": value})


# A domain name as people type it after the @: labels of letters, digits and hyphens, a dot between.
DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


def email_domains_parse(value: str) -> list[str]:
    """'@Avelgem.be, ocmw-avelgem.be' -> ['avelgem.be', 'ocmw-avelgem.be']: separated by commas,
    spaces or lines, an @ in front allowed, lower case, each once."""
    domains = [part.strip().lstrip("@").lower() for part in re.split(r"[\s,;]+", value or "")]
    return list(dict.fromkeys(domain for domain in domains if domain))


def validate_email_domains(value: str) -> None:
    wrong = [domain for domain in email_domains_parse(value) if not DOMAIN.match(domain)]
    if wrong:
        raise ValidationError(
            _("%(domains)s is not a domain name; write it as in an email address after the @, like gemeente.be."),
            params={"domains": ", ".join(wrong)},
        )


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Brussels", validators=[validate_timezone]
    )
    holiday_country = models.CharField(
        _("holiday calendar"),
        max_length=8,
        default="BE",
        blank=True,
        validators=[validate_holiday_country],
        help_text=_("Country code of the public holidays on which no lesson is sent; empty for none."),
    )
    allowed_email_domains = models.TextField(
        _("allowed email domains"),
        blank=True,
        validators=[validate_email_domains],
        help_text=_("Only addresses at these domains may join by an invite link; empty for any address."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def email_domains(self) -> list[str]:
        return email_domains_parse(self.allowed_email_domains)

    def allows_email(self, email: str) -> bool:
        """Whether this address may join by invite: any, unless the organisation names its domains."""
        domains = self.email_domains
        return not domains or email.strip().lower().rpartition("@")[2] in domains


class ClosurePeriod(models.Model):
    """Days the organisation is closed (collective leave): no lessons go out."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="closures")
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    label = models.CharField(_("label"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("closure period")
        verbose_name_plural = _("closure periods")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="closure_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.label or _('closed')} {self.start}–{self.end}"

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class Membership(models.Model):
    """A person's place in an organisation."""

    class Role(models.TextChoices):
        LEARNER = "learner", _("learner")
        ADMIN = "admin", _("organisation admin")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.LEARNER)
    department = models.CharField(_("department"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Set by the first staff import that lists this person: only imported people
    # are removed by a later complete list (admins and invitees are not on HR's file).
    imported_at = models.DateTimeField(_("first imported"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_org")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"

"""Invite links: a signed token per offering that lets employees enrol themselves.

The token is the offering's signed id, scoped to the current link's last valid
day (core/tokens.py): it cannot be forged or edited, and making a new link (a new
last day) revokes the old one. The offering's seat limit applies when someone joins.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from core.tokens import SignedId
from courses.models import Enrolment, Offering
from courses.services import enrolment_create
from courses.welcome import welcome_mails_queue
from organisations.memberships import member_join
from organisations.models import Membership, Organisation

_TOKENS = SignedId("druppel.courses.invite")
DEFAULT_DAYS = 30


class InviteError(Exception):
    """The invite cannot be used; the message is shown to the employee."""


class InviteInvalid(InviteError):
    pass


class InviteExpired(InviteError):
    pass


class SeatsFull(InviteError):
    pass


class DomainRefused(InviteError):
    pass


def domain_refusal(organisation: Organisation) -> str:
    return _("%(organisation)s only accepts addresses ending in %(domains)s. Use your work email address.") % {
        "organisation": organisation.name,
        "domains": ", ".join(f"@{domain}" for domain in organisation.email_domains),
    }


def check_domain(organisation: Organisation, email: str) -> None:
    """DomainRefused when the organisation limits joining to its own domains and this is not one."""
    if not organisation.allows_email(email):
        raise DomainRefused(domain_refusal(organisation))


@dataclass(frozen=True)
class Invite:
    offering: Offering

    @property
    def seat_limit(self) -> int | None:
        return self.offering.seats


def invite_token(offering: Offering) -> str:
    """The current link's token; empty when the offering has no link."""
    if offering.invite_expires_on is None:
        return ""
    return _TOKENS.sign_scoped(offering.pk, offering.invite_expires_on.isoformat())


def invite_create(*, offering: Offering, today: dt.date, days: int = DEFAULT_DAYS) -> str:
    """Make a new link valid for ``days`` (the previous one stops working)."""
    offering.invite_expires_on = today + dt.timedelta(days=days)
    offering.save(update_fields=["invite_expires_on"])
    return invite_token(offering)


def invite_renew(*, offering: Offering, today: dt.date, days: int = DEFAULT_DAYS) -> tuple[str, bool]:
    """``invite_create``, and whether it replaced a link that worked until now (a first link, or
    the same last day again, replaces nothing: the link people have keeps working)."""
    previous = invite_token(offering)
    token = invite_create(offering=offering, today=today, days=days)
    return token, bool(previous) and previous != token


def invite_resolve(*, token: str, today: dt.date) -> Invite:
    """The offering a token invites to, or InviteInvalid (forged, or replaced by a newer link) / InviteExpired."""
    signed = _TOKENS.unsign_scoped(token)
    offering = (
        Offering.objects.select_related("organisation", "course").filter(pk=signed[0]).first() if signed else None
    )
    if signed is None or offering is None:
        raise InviteInvalid(_("This invite link is not valid. Ask your organisation for a new one."))
    expires = offering.invite_expires_on
    if expires is None or signed[1] != expires.isoformat() or today > expires:
        raise InviteExpired(_("This invite link has expired. Ask your organisation for a new one."))
    return Invite(offering=offering)


def invite_has_seat(*, invite: Invite, membership: Membership | None = None) -> bool:
    """Whether this person can still enrol; someone already enrolled keeps their seat."""
    offering = invite.offering
    if membership is not None and offering.enrolments().filter(membership=membership).exists():
        return True
    return invite.seat_limit is None or offering.seats_taken() < invite.seat_limit


def _check_seat(invite: Invite, membership: Membership | None) -> None:
    if not invite_has_seat(invite=invite, membership=membership):
        raise SeatsFull(_("All seats for this course are taken. Ask your organisation for more seats."))


@transaction.atomic
def invite_accept(*, invite: Invite, email: str, first_name: str, last_name: str, department: str = "") -> Membership:
    """Add the person as a learner of the offering's organisation, if their address is at one of
    its domains (DomainRefused) and a seat is free (SeatsFull). Nothing is written when refused."""
    offering = invite.offering
    check_domain(offering.organisation, email)
    Offering.objects.select_for_update().filter(pk=offering.pk).first()
    existing = Membership.objects.filter(organisation=offering.organisation, user__email=email.strip().lower()).first()
    _check_seat(invite, existing)
    return member_join(
        organisation=offering.organisation,
        email=email,
        first_name=first_name,
        last_name=last_name,
        department=department,
    )


@transaction.atomic
def invite_enrol(*, invite: Invite, membership: Membership, now: dt.datetime) -> Enrolment:
    """Enrol the signed-in joiner, checking the seats again: others may have joined meanwhile."""
    offering = invite.offering
    Offering.objects.select_for_update().filter(pk=offering.pk).first()
    _check_seat(invite, membership)
    enrolment, created = enrolment_create(
        membership=membership, course=offering.course, start_date=offering.start_date, now=now
    )
    if created:
        welcome_mails_queue(enrolment_ids=[enrolment.pk])
    return enrolment

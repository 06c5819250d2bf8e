"""Tenancy: what an organisation admin may see. Every admin-facing query starts here."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from organisations.models import Membership, Organisation


def organisations_for_admin(user: User) -> QuerySet[Organisation]:
    """Organisations this person administers (platform staff: all of them)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_staff:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.ADMIN, memberships__is_active=True
    )


def organisation_for_admin(user: User, slug: str) -> Organisation:
    """The organisation, or 404 when this person does not administer it (never 403: no probing)."""
    try:
        return organisations_for_admin(user).get(slug=slug)
    except Organisation.DoesNotExist:
        raise Http404("No such organisation.") from None


def departments_of(organisation: Organisation, *, limit: int = 300) -> list[str]:
    """The departments the organisation's members are in, to choose from when joining by invite."""
    return list(
        Membership.objects.filter(organisation=organisation, is_active=True)
        .exclude(department="")
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()[:limit]
    )

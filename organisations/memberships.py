"""Who belongs to an organisation: members added, updated, deactivated and joining, and its admins."""

import datetime as dt

from django.db import transaction

from accounts.models import User
from organisations.models import Membership, Organisation


@transaction.atomic
def organisation_admin_add(*, organisation: Organisation, email: str) -> Membership:
    """Make a person an admin, creating them (without a password) if Druppel does not know them yet."""
    user, created = User.objects.get_or_create(email=email.strip().lower())
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.get_or_create(organisation=organisation, user=user)
    membership.role = Membership.Role.ADMIN
    membership.is_active = True
    membership.save(update_fields=["role", "is_active"])
    return membership


def organisation_admin_remove(*, organisation: Organisation, membership_id: int, by: User) -> bool:
    """Demote an admin to learner. Refuses to remove oneself, so an organisation keeps an admin."""
    return bool(
        Membership.objects.filter(organisation=organisation, pk=membership_id, role=Membership.Role.ADMIN)
        .exclude(user=by)
        .update(role=Membership.Role.LEARNER)
    )


@transaction.atomic
def member_upsert(
    *,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    department: str,
    role: str = "",
    imported_at: dt.datetime | None = None,
) -> tuple[Membership, bool]:
    """Create or update a person and their membership. Returns (membership, changed).

    ``imported_at`` marks the membership as coming from a staff list (kept from
    the first import), which makes it removable by a later complete list.
    """
    email = email.strip().lower()
    user, user_created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name}
    )
    if user_created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    changed = user_created
    if not user_created and (user.first_name, user.last_name) != (first_name, last_name):
        user.first_name, user.last_name = first_name, last_name
        user.save(update_fields=["first_name", "last_name"])
        changed = True
    membership, created = Membership.objects.get_or_create(
        organisation=organisation,
        user=user,
        defaults={"department": department, "role": role or Membership.Role.LEARNER, "imported_at": imported_at},
    )
    updates: dict[str, object] = {"department": department, "is_active": True, **({"role": role} if role else {})}
    if imported_at is not None and membership.imported_at is None:
        updates["imported_at"] = imported_at
    stale = {name: value for name, value in updates.items() if getattr(membership, name) != value}
    if not created and stale:
        for name, value in stale.items():
            setattr(membership, name, value)
        membership.save(update_fields=list(stale))
    return membership, changed or created or bool(set(stale) - {"imported_at"})


def members_deactivate(*, organisation: Organisation, membership_ids: list[int]) -> int:
    """Mark members as gone; their history stays. Returns how many were active."""
    return Membership.objects.filter(organisation=organisation, pk__in=membership_ids, is_active=True).update(
        is_active=False
    )


@transaction.atomic
def member_join(*, organisation: Organisation, email: str, first_name: str, last_name: str) -> Membership:
    """A person joins through an invite link: add them as a learner, keeping what HR already set."""
    email = email.strip().lower()
    user, created = User.objects.get_or_create(email=email, defaults={"first_name": first_name, "last_name": last_name})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif not (user.first_name or user.last_name):
        user.first_name, user.last_name = first_name, last_name
        user.save(update_fields=["first_name", "last_name"])
    membership, created = Membership.objects.get_or_create(organisation=organisation, user=user)
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    return membership

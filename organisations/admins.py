"""Who administers an organisation."""

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

"""Organisation flows: create organisations and keep their member list."""

from django.db import transaction
from django.utils.text import slugify

from accounts.models import User
from organisations.models import Membership, Organisation


def organisation_get_or_create(*, slug: str, name: str = "", timezone: str = "") -> tuple[Organisation, bool]:
    defaults = {"name": name or slug.replace("-", " ").title()}
    if timezone:
        defaults["timezone"] = timezone
    organisation, created = Organisation.objects.get_or_create(slug=slugify(slug), defaults=defaults)
    if created:
        organisation.full_clean()
    return organisation, created


@transaction.atomic
def member_upsert(
    *, organisation: Organisation, email: str, first_name: str, last_name: str, department: str, role: str = ""
) -> tuple[Membership, bool]:
    """Create or update a person and their membership. Returns (membership, changed)."""
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
        defaults={"department": department, "role": role or Membership.Role.LEARNER},
    )
    updates = {"department": department, "is_active": True, **({"role": role} if role else {})}
    stale = {name: value for name, value in updates.items() if getattr(membership, name) != value}
    if not created and stale:
        for name, value in stale.items():
            setattr(membership, name, value)
        membership.save(update_fields=list(stale))
    return membership, changed or created or bool(stale)

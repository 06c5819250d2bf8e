"""Organisation flows: create an organisation (its members: organisations/memberships.py)."""

from django.utils.text import slugify

from organisations.models import Organisation


def organisation_get_or_create(*, slug: str, name: str = "", timezone: str = "") -> tuple[Organisation, bool]:
    defaults = {"name": name or slug.replace("-", " ").title()}
    if timezone:
        defaults["timezone"] = timezone
    organisation, created = Organisation.objects.get_or_create(slug=slugify(slug), defaults=defaults)
    if created:
        organisation.full_clean()
    return organisation, created

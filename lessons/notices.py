"""Tell an organisation's admins when Druppel stopped mailing one of their people."""

from collections import defaultdict

from django.conf import settings

from courses.models import Enrolment
from mailer.templated import render_mail
from organisations.models import Membership


def suspension_notify(*, enrolment_ids: list[int]) -> int:
    """One mail per organisation, to its admins, naming whose mailbox refused our lessons."""
    by_organisation: dict[int, list[Enrolment]] = defaultdict(list)
    enrolments = Enrolment.objects.filter(pk__in=enrolment_ids).select_related(
        "membership__user", "membership__organisation", "course"
    )
    for enrolment in enrolments:
        by_organisation[enrolment.membership.organisation_id].append(enrolment)
    admins: dict[int, list[str]] = defaultdict(list)
    for organisation_id, email in Membership.objects.filter(
        organisation_id__in=by_organisation, role=Membership.Role.ADMIN, is_active=True
    ).values_list("organisation_id", "user__email"):
        admins[organisation_id].append(email)
    sent = 0
    for organisation_id, items in by_organisation.items():
        if not admins[organisation_id]:
            continue
        context = {"organisation": items[0].membership.organisation, "enrolments": items, "site_url": settings.SITE_URL}
        mail = render_mail("emails/suspended", context)
        sent += sum(mail.to(address).send() for address in admins[organisation_id])
    return sent

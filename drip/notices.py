"""Tell an organisation's admins when Druppel stopped mailing one of their people."""

import hashlib
from collections import defaultdict

from django.conf import settings

from courses.models import Enrolment
from mailer.outgoing import outgoing_add
from mailer.templated import render_mail
from organisations.models import Membership


def suspension_notices_queue(*, enrolment_ids: list[int]) -> int:
    """One mail per organisation and admin, naming whose mailbox refused our lessons, into the
    outbox. Called from the webhook's transaction: nothing is published to the broker, the
    outbox's sweep sends them (the webhook makes no network call)."""
    by_organisation: dict[int, list[Enrolment]] = defaultdict(list)
    enrolments = Enrolment.objects.filter(pk__in=enrolment_ids).select_related(
        "membership__user", "membership__organisation", "course"
    )
    for enrolment in enrolments.order_by("pk"):
        by_organisation[enrolment.membership.organisation_id].append(enrolment)
    admins: dict[int, list[str]] = defaultdict(list)
    for organisation_id, email in Membership.objects.filter(
        organisation_id__in=by_organisation, role=Membership.Role.ADMIN, is_active=True
    ).values_list("organisation_id", "user__email"):
        admins[organisation_id].append(email)
    queued = 0
    for organisation_id, items in by_organisation.items():
        if not admins[organisation_id]:
            continue
        context = {"organisation": items[0].membership.organisation, "enrolments": items, "site_url": settings.SITE_URL}
        mail = render_mail("emails/suspended", context)
        who = hashlib.sha256(",".join(str(e.pk) for e in items).encode()).hexdigest()[:16]
        for address in admins[organisation_id]:
            key = f"suspension:{organisation_id}:{who}:{address}"
            queued += outgoing_add(key=key, kind="suspension", mail=mail, to=address, publish=False) is not None
    return queued

"""Certificates: issued once per enrolment, shown by signed link, mailed once.

Whether a learner earned one depends on their deliveries, so the decision is
made in ``lessons/certificates.py``; this module issues, finds and mails.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from courses.models import Certificate
from druppel.tokens import SignedId
from mailer.templated import render_mail

logger = logging.getLogger(__name__)

_TOKENS = SignedId("druppel.certificate")
# A certificate whose mail was queued but has not gone out after this long is
# mailed by the beat sweep: the broker may have lost the message.
MAIL_GRACE = dt.timedelta(minutes=10)


def certificate_issue(*, enrolment_id: int, now: dt.datetime) -> Certificate | None:
    """Issue the enrolment's certificate; None when it already had one (the constraint decides)."""
    certificate, created = Certificate.objects.get_or_create(enrolment_id=enrolment_id, defaults={"issued_at": now})
    return certificate if created else None


def certificate_token(certificate_id: int) -> str:
    return _TOKENS.sign(certificate_id)


def certificate_url(certificate_id: int) -> str:
    return settings.SITE_URL + reverse("learners:certificate_link", args=[certificate_token(certificate_id)])


def certificates_shown() -> QuerySet[Certificate]:
    """Certificates with everything their page and mail show."""
    return Certificate.objects.select_related(
        "enrolment__course", "enrolment__membership__user", "enrolment__membership__organisation"
    )


def certificate_from_token(token: str) -> Certificate:
    """The certificate a signed link points at, or 404 for a bad or forged token."""
    certificate_id = _TOKENS.unsign(token)
    if certificate_id is None:
        raise Http404("This link is not valid.")
    try:
        return certificates_shown().get(pk=certificate_id)
    except Certificate.DoesNotExist:
        raise Http404("This link is not valid.") from None


def certificate_message(certificate: Certificate) -> EmailMultiAlternatives:
    enrolment = certificate.enrolment
    user = enrolment.membership.user
    context = {
        "certificate": certificate,
        "course": enrolment.course,
        "organisation": enrolment.membership.organisation,
        "name": user.first_name or user.email.split("@")[0],
        "url": certificate_url(certificate.pk),
    }
    return render_mail("emails/certificate", context, language=enrolment.course.language).to(user.email)


def certificate_mail_send(*, certificate_id: int, now: dt.datetime) -> bool:
    """Mail the certificate link, once: the claim is a conditional UPDATE of ``mailed_at``.

    The mail is sent inside the claiming transaction, so a failed send releases
    the claim and a retry (or the sweep) tries again.
    """
    with transaction.atomic():
        if not Certificate.objects.filter(pk=certificate_id, mailed_at__isnull=True).update(mailed_at=now):
            return False
        certificate_message(certificates_shown().get(pk=certificate_id)).send()
    logger.info("certificate %s mailed", certificate_id)
    return True


def certificates_mail_pending(*, now: dt.datetime) -> int:
    """Mail certificates whose queued mail never went out (the database is the source of truth)."""
    pending = Certificate.objects.filter(mailed_at__isnull=True, issued_at__lte=now - MAIL_GRACE)
    sent = 0
    for certificate_id in pending.order_by("pk").values_list("pk", flat=True)[:500]:
        sent += certificate_mail_send(certificate_id=certificate_id, now=now)
    return sent

"""Certificates: earned by completing every published lesson, issued once, mailed once.

The progress fold (progress/folding.py) decides who earned one, in its own
transaction; the certificate row and its mail's outbox row are written there,
and the mail leaves after the commit (mailer/outgoing.py).
"""

import datetime as dt

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.urls import reverse

from core.tokens import SignedId
from courses.models import Certificate, Enrolment
from lessons.models import Delivery
from lessons.selectors import published_lesson_count
from mailer.outgoing import outgoing_add
from mailer.templated import render_mail

_TOKENS = SignedId("druppel.certificate")


def certificates_issue_earned(*, completions: dict[int, dt.datetime]) -> list[int]:
    """Issue certificates to those of these enrolments whose completions reach the course's lesson count.

    ``completions`` maps each enrolment to its latest completion: the certificate's date.
    Each new certificate's mail goes into the outbox in the same transaction.
    """
    # The learner's own count is the quick test; a lesson unpublished after they completed it is in
    # that count but no longer in the total, so the published ones they completed decide.
    completed = Delivery.objects.filter(
        enrolment=OuterRef("pk"), completed_at__isnull=False, lesson__published=True
    ).order_by()
    earned = (
        Enrolment.objects.filter(pk__in=completions)
        .annotate(total=published_lesson_count(OuterRef("course")))
        .filter(total__gt=0, lessons_completed__gte=F("total"))
        .annotate(
            published_completed=Subquery(
                completed.values("enrolment").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()
            )
        )
        .filter(published_completed__gte=F("total"))
        .values_list("pk", flat=True)
    )
    issued = []
    for enrolment_id in earned:
        certificate, created = Certificate.objects.get_or_create(
            enrolment_id=enrolment_id, defaults={"issued_at": completions[enrolment_id]}
        )
        if created:
            certificate_mail_queue(certificate=certificates_shown().get(pk=certificate.pk))
            issued.append(certificate.pk)
    return issued


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


def certificate_mail_queue(*, certificate: Certificate) -> bool:
    """Put the certificate's mail in the outbox, once (its key is the certificate)."""
    enrolment = certificate.enrolment
    user = enrolment.membership.user
    context = {
        "certificate": certificate,
        "course": enrolment.course,
        "organisation": enrolment.membership.organisation,
        "name": user.first_name or user.email.split("@")[0],
        "url": certificate_url(certificate.pk),
    }
    mail = render_mail("emails/certificate", context, language=enrolment.course.language)
    queued = outgoing_add(key=f"certificate:{certificate.pk}", kind="certificate", mail=mail, to=user.email)
    Certificate.objects.filter(pk=certificate.pk, mailed_at__isnull=True).update(mailed_at=certificate.issued_at)
    return queued is not None

"""Whether a learner earned their certificate: every published lesson of the course completed."""

import datetime as dt
from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery

from courses.certificates import certificate_issue
from courses.models import Certificate, Enrolment
from lessons.models import Lesson

Dispatch = Callable[[int], object]


def certificate_issue_if_earned(
    *, enrolment_id: int, now: dt.datetime, dispatch: Dispatch | None = None
) -> Certificate | None:
    """Issue the certificate when the enrolment's completions reach the course's lesson count.

    Called in the transaction that completed a lesson. ``dispatch(certificate_id)``
    queues the mail once that transaction commits; without it the beat sweep
    (``certificates_mail_pending``) mails it.
    """
    published = Lesson.objects.filter(course=OuterRef("course"), current_version__isnull=False).order_by()
    completed, total = (
        Enrolment.objects.filter(pk=enrolment_id)
        .annotate(total=Subquery(published.values("course").annotate(n=Count("pk")).values("n")[:1]))
        .values_list("lessons_completed", "total")
        .get()
    )
    if not total or completed < total:
        return None
    certificate = certificate_issue(enrolment_id=enrolment_id, now=now)
    if certificate is not None and dispatch is not None:
        transaction.on_commit(partial(dispatch, certificate.pk))
    return certificate

"""Whether a learner earned their certificate: every published lesson of the course completed."""

import datetime as dt
from functools import partial

from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery

from courses.certificates import certificate_issue
from courses.models import Enrolment
from lessons.drip import Dispatch
from lessons.models import Delivery
from lessons.selectors import published_lesson_count


def certificates_issue_earned(*, completions: dict[int, dt.datetime], dispatch: Dispatch | None = None) -> list[int]:
    """Issue certificates to those of these enrolments whose completions reach the course's lesson count.

    ``completions`` maps each enrolment to its latest completion: the certificate's date.
    Called by the progress fold in its transaction. ``dispatch(certificate_id)``
    queues each mail once that transaction commits; without it the beat sweep
    (``certificates_mail_pending``) mails them.
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
        certificate = certificate_issue(enrolment_id=enrolment_id, now=completions[enrolment_id])
        if certificate is not None:
            issued.append(certificate.pk)
            if dispatch is not None:
                transaction.on_commit(partial(dispatch, certificate.pk))
    return issued

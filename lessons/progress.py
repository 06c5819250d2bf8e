"""What a learner does with a delivered lesson. Only POST views call these.

A lesson is completed when its question is answered, or, when it has no
question, when it is marked as read. These functions record the facts on the
delivery and move the learner's own completion count; the organisation's
aggregates and certificates follow within seconds (lessons/folding.py).
Each fact is recorded once: conditional UPDATEs decide, whatever double submit
or race reaches them twice.
"""

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce

from courses.models import Enrolment
from lessons.models import Delivery
from lessons.stats import delivery_record_read


def _count_completion(delivery: Delivery, now: dt.datetime) -> None:
    """Add one to the learner's completed lessons (and to the loaded copy, for the page that follows)."""
    delivery.completed_at = now
    Enrolment.objects.filter(pk=delivery.enrolment_id).update(lessons_completed=F("lessons_completed") + 1)
    if Delivery.enrolment.is_cached(delivery):
        delivery.enrolment.lessons_completed += 1


@transaction.atomic
def delivery_answer(*, delivery: Delivery, option: int, now: dt.datetime) -> Delivery:
    """Record the learner's first answer (0-based option); it also completes the lesson.

    A second answer changes nothing: the first tap counts, as in a quiz.
    """
    if not 0 <= option < len(delivery.version.options):
        raise ValueError(f"option {option + 1} does not exist")
    correct = delivery.version.is_correct(option)
    # One conditional UPDATE is the claim: only the first answer gets through. A lesson
    # with a question is completed by nothing else, so this answer completes it.
    first = Delivery.objects.filter(pk=delivery.pk, answered_at__isnull=True).update(
        answer=option, answer_correct=correct, answered_at=now, completed_at=Coalesce(F("completed_at"), now)
    )
    if not first:
        delivery.refresh_from_db(fields=["answer", "answer_correct", "answered_at", "completed_at"])
        return delivery
    delivery.answer, delivery.answer_correct, delivery.answered_at = option, correct, now
    if delivery.completed_at is None:
        _count_completion(delivery, now)
    return delivery


@transaction.atomic
def delivery_mark_read(*, delivery: Delivery, now: dt.datetime) -> Delivery:
    """The learner marked the lesson as read: it counts as opened and read, and completes a question-less lesson.

    Idempotent: a second submit changes nothing. A lesson with a question is
    completed by its answer, not by reading.
    """
    locked = Delivery.objects.select_for_update(of=("self",)).select_related("version").get(pk=delivery.pk)
    delivery_record_read(delivery=locked, at=now)
    if not locked.version.has_question and locked.completed_at is None:
        locked.completed_at = now
        locked.save(update_fields=["completed_at"])
        _count_completion(locked, now)
    locked.refresh_from_db(fields=["opened_at", "read_at"])
    return locked

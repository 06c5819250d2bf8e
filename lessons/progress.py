"""What a learner does with a delivered lesson. Only POST views call these.

A lesson is completed when its question is answered, or, when it has no
question, when it is marked as read. Completion is counted exactly once: the
conditional UPDATE of ``completed_at`` decides, whatever double submit or
race reaches it twice.
"""

import datetime as dt

from django.db import transaction
from django.db.models import F

from courses.models import Enrolment
from lessons.certificates import Dispatch, certificate_issue_if_earned
from lessons.models import Delivery
from lessons.stats import delivery_record_read, stats_record_answer


def delivery_for_update(delivery_id: int) -> Delivery:
    return Delivery.objects.select_for_update(of=("self",)).select_related("version").get(pk=delivery_id)


def _complete(delivery: Delivery, now: dt.datetime) -> bool:
    """Set ``completed_at`` once and count it on the enrolment; True when this call completed it.

    The loaded enrolment's count is moved along for the page that follows; the
    database row is updated relative to itself, so concurrent completions add up.
    """
    if not Delivery.objects.filter(pk=delivery.pk, completed_at__isnull=True).update(completed_at=now):
        return False
    delivery.completed_at = now
    Enrolment.objects.filter(pk=delivery.enrolment_id).update(lessons_completed=F("lessons_completed") + 1)
    if Delivery.enrolment.is_cached(delivery):
        delivery.enrolment.lessons_completed += 1
    return True


@transaction.atomic
def delivery_answer(*, delivery: Delivery, option: int, now: dt.datetime, dispatch: Dispatch | None = None) -> Delivery:
    """Record the learner's first answer (0-based option); it also completes the lesson.

    A second answer changes nothing: the first tap counts, as in a quiz.
    ``dispatch`` queues the certificate mail if this completes the course.
    """
    if not 0 <= option < len(delivery.version.options):
        raise ValueError(f"option {option + 1} does not exist")
    correct = delivery.version.is_correct(option)
    # The conditional UPDATE is the claim: only the first answer gets through.
    first = Delivery.objects.filter(pk=delivery.pk, answered_at__isnull=True).update(
        answer=option, answer_correct=correct, answered_at=now
    )
    if not first:
        delivery.refresh_from_db(fields=["answer", "answer_correct", "answered_at", "completed_at"])
        return delivery
    delivery.answer, delivery.answer_correct, delivery.answered_at = option, correct, now
    completes = _complete(delivery, now)
    stats_record_answer(delivery=delivery, at=now, correct=correct, completes=completes)
    if completes:
        certificate_issue_if_earned(enrolment_id=delivery.enrolment_id, now=now, dispatch=dispatch)
    return delivery


@transaction.atomic
def delivery_mark_read(*, delivery: Delivery, now: dt.datetime, dispatch: Dispatch | None = None) -> Delivery:
    """The learner marked the lesson as read: it counts as opened and read, and completes a question-less lesson.

    Idempotent: a second submit changes nothing. A lesson with a question is
    completed by its answer, not by reading.
    """
    locked = delivery_for_update(delivery.pk)
    delivery_record_read(delivery=locked, at=now)
    if not locked.version.has_question and _complete(locked, now):
        # No answer, so not correct; stats_record_answer is the counters' one entry point for a completion.
        stats_record_answer(delivery=locked, at=now, correct=False, completes=True)
        certificate_issue_if_earned(enrolment_id=locked.enrolment_id, now=now, dispatch=dispatch)
    locked.refresh_from_db(fields=["opened_at", "read_at", "completed_at"])
    return locked

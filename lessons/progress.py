"""What a learner does with a delivered lesson. Only POST views call these."""

import datetime as dt

from django.db import transaction
from django.db.models import F

from courses.models import Enrolment
from lessons.models import Delivery
from lessons.stats import stats_record_answer


def delivery_for_update(delivery_id: int) -> Delivery:
    return Delivery.objects.select_for_update(of=("self",)).select_related("version").get(pk=delivery_id)


@transaction.atomic
def delivery_answer(*, delivery: Delivery, option: int, now: dt.datetime) -> Delivery:
    """Record the learner's first answer (0-based option); it also completes the lesson.

    A second answer changes nothing: the first tap counts, as in a quiz.
    """
    locked = delivery_for_update(delivery.pk)
    if locked.answered_at is not None:
        return locked
    if not 0 <= option < len(locked.version.options):
        raise ValueError(f"option {option + 1} does not exist")
    locked.answer = option
    locked.answer_correct = locked.version.is_correct(option)
    locked.answered_at = now
    fields = ["answer", "answer_correct", "answered_at"]
    if locked.completed_at is None:
        locked.completed_at = now
        fields.append("completed_at")
        Enrolment.objects.filter(pk=locked.enrolment_id).update(lessons_completed=F("lessons_completed") + 1)
    locked.save(update_fields=fields)
    stats_record_answer(
        delivery=locked, at=now, correct=bool(locked.answer_correct), completes="completed_at" in fields
    )
    return locked

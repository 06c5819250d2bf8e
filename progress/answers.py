"""What a learner does with a delivered lesson. Only POST views call these.

A lesson is completed when its question is answered, or, when it has no
question, when it is marked as read. These functions record the facts on the
delivery and move the learner's own completion count; the organisation's
aggregates and certificates follow within seconds (progress/folding.py).
Each fact is recorded once: conditional UPDATEs decide, whatever double submit
or race reaches them twice.
"""

import datetime as dt

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce

from core import sql
from courses.models import Enrolment
from lessons.models import Delivery
from progress.reads import delivery_record_read


def _count_completion(delivery: Delivery, now: dt.datetime) -> None:
    """Add one to the learner's completed lessons (and to the loaded copy, for the page that follows)."""
    Enrolment.objects.filter(pk=delivery.enrolment_id).update(lessons_completed=F("lessons_completed") + 1)
    _show_completion(delivery, now)


def _show_completion(delivery: Delivery, now: dt.datetime) -> None:
    delivery.completed_at = now
    if Delivery.enrolment.is_cached(delivery):
        delivery.enrolment.lessons_completed += 1


def delivery_answer(*, delivery: Delivery, option: int, now: dt.datetime) -> Delivery:
    """Record the learner's first answer (0-based option); it also completes the lesson.

    A second answer changes nothing: the first tap counts, as in a quiz.
    """
    if not 0 <= option < len(delivery.version.options):
        raise ValueError(f"option {option + 1} does not exist")
    correct = delivery.version.is_correct(option)
    # A lesson with a question is completed by nothing but its answer, so the first
    # answer completes it and counts for the learner.
    counts = delivery.completed_at is None
    record = _first_answer_postgresql if connection.vendor == "postgresql" else _first_answer
    if not record(delivery, option=option, correct=correct, now=now, count=counts):
        delivery.refresh_from_db(fields=["answer", "answer_correct", "answered_at", "completed_at"])
        return delivery
    delivery.answer, delivery.answer_correct, delivery.answered_at = option, correct, now
    if counts:
        _show_completion(delivery, now)
    return delivery


@transaction.atomic
def _first_answer(delivery: Delivery, *, option: int, correct: bool, now: dt.datetime, count: bool) -> bool:
    """One conditional UPDATE is the claim: only the first answer gets through; then the count."""
    first = Delivery.objects.filter(pk=delivery.pk, answered_at__isnull=True).update(
        answer=option, answer_correct=correct, answered_at=now, completed_at=Coalesce(F("completed_at"), now)
    )
    if first and count:
        Enrolment.objects.filter(pk=delivery.enrolment_id).update(lessons_completed=F("lessons_completed") + 1)
    return bool(first)


def _first_answer_postgresql(delivery: Delivery, *, option: int, correct: bool, now: dt.datetime, count: bool) -> bool:
    """The same claim and count as ``_first_answer``, in one statement (atomic on its own): the
    answer POST is a learner's hottest write, and a transaction around two UPDATEs costs it two
    more round trips (BEGIN, COMMIT) — a fifth of its throughput (docs/performance.md)."""
    deliveries, enrolments = sql.table(Delivery), sql.table(Enrolment)
    d = {name: sql.column(Delivery, name) for name in ("id", "enrolment", "answer", "answer_correct", "answered_at")}
    completed_at, lessons_completed = sql.column(Delivery, "completed_at"), sql.column(Enrolment, "lessons_completed")
    statement = (
        f"WITH answered AS (UPDATE {deliveries} SET {d['answer']} = %s, {d['answer_correct']} = %s, "  # noqa: S608
        f"{d['answered_at']} = %s, {completed_at} = COALESCE({completed_at}, %s) "
        f"WHERE {d['id']} = %s AND {d['answered_at']} IS NULL RETURNING {d['enrolment']} AS enrolment_id), "
        f"counted AS (UPDATE {enrolments} SET {lessons_completed} = {lessons_completed} + 1 FROM answered "
        f"WHERE {enrolments}.{sql.column(Enrolment, 'id')} = answered.enrolment_id AND %s) "
        "SELECT count(*) FROM answered"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [option, correct, now, now, delivery.pk, count])
        (first,) = cursor.fetchone()
    return bool(first)


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

"""Enrolment flows: start, pause, resume and end a person's course."""

import datetime as dt

from django.db import transaction
from django.db.models import F

from accounts.models import User
from core.sql import Among
from courses.models import Course, CourseTrainer, Enrolment
from courses.schedule import calendars_for, enrolment_calendar
from organisations.models import Membership, Organisation

BULK_BATCH = 1000


def enrolment_create(
    *, membership: Membership, course: Course, start_date: dt.date, now: dt.datetime
) -> tuple[Enrolment, bool]:
    """Enrol a member, or return their existing enrolment unchanged.

    A late joiner starts at lesson 1, at the first slot from the later of the
    start date and now.
    """
    existing = Enrolment.objects.filter(membership=membership, course=course).first()
    if existing is not None:
        return existing, False
    pair = (membership.organisation_id, course.pk)
    calendar = calendars_for([pair])[pair]
    first = calendar.first_slot_on_or_after(start_date)
    if first < now:
        first = calendar.next_slot(now, inclusive=True)
    enrolment = Enrolment.objects.create(
        membership=membership, course=course, start_date=start_date, next_position=1, next_due_at=first
    )
    return enrolment, True


def enrolments_start(
    *, organisation: Organisation, membership_ids: list[int], course: Course, start_date: dt.date, now: dt.datetime
) -> list[int]:
    """``enrolment_create``, or ``enrolment_restart`` for a stopped one, for many members of one
    organisation at once, in a fixed number of statements. Other enrolments are left as they are.
    Returns the ids of the enrolments it created.

    They share one calendar, so one first slot (from the later of the start date and now)
    and one restart slot serve them all. Call it inside a transaction.
    """
    existing = dict(
        Enrolment.objects.filter(Among(F("membership_id"), membership_ids), course=course).values_list(
            "membership_id", "status"
        )
    )
    pair = (organisation.pk, course.pk)
    calendar = calendars_for([pair])[pair]
    first = calendar.first_slot_on_or_after(start_date)
    if first < now:
        first = calendar.next_slot(now, inclusive=True)
    created = Enrolment.objects.bulk_create(
        [
            Enrolment(membership_id=pk, course=course, start_date=start_date, next_position=1, next_due_at=first)
            for pk in membership_ids
            if pk not in existing
        ],
        batch_size=BULK_BATCH,
    )
    stopped = [pk for pk, status in existing.items() if status == Enrolment.Status.STOPPED]
    if stopped:
        Enrolment.objects.filter(Among(F("membership_id"), stopped), course=course).restart(due=calendar.next_slot(now))
    return [enrolment.pk for enrolment in created]


def enrolment_pause(*, enrolment: Enrolment, now: dt.datetime) -> bool:
    """Stop the drip for now. Returns False when it was not active."""
    changed = Enrolment.objects.filter(pk=enrolment.pk).pause(now=now)
    enrolment.refresh_from_db()
    return bool(changed)


def enrolment_resume(*, enrolment: Enrolment, now: dt.datetime) -> bool:
    """Continue with the next lesson not yet received, at the next slot: no backlog."""
    return _reactivate(enrolment=enrolment, action="resume", now=now)


def enrolment_unsubscribe(*, enrolment: Enrolment, now: dt.datetime) -> bool:
    """End the enrolment at the learner's request. Idempotent."""
    changed = Enrolment.objects.filter(pk=enrolment.pk).unsubscribe(now=now)
    enrolment.refresh_from_db()
    return bool(changed)


def enrolment_resubscribe(*, enrolment: Enrolment, paused: bool, now: dt.datetime) -> bool:
    """Undo the learner's unsubscribe: paused again, or active with the next lesson at the next slot."""
    if paused:
        changed = Enrolment.objects.filter(pk=enrolment.pk).resubscribe_paused()
        enrolment.refresh_from_db()
        return bool(changed)
    return _reactivate(enrolment=enrolment, action="resubscribe", now=now)


def enrolments_stop(*, memberships: list[int], now: dt.datetime) -> int:
    """The organisation ends these members' courses (they left). Deliveries and answers stay."""
    return Enrolment.objects.filter(Among(F("membership_id"), memberships)).stop(now=now)


def enrolment_restart(*, enrolment: Enrolment, now: dt.datetime) -> bool:
    """A member the organisation stopped is back: continue with the next lesson, at the next slot."""
    return _reactivate(enrolment=enrolment, action="restart", now=now)


@transaction.atomic
def _reactivate(*, enrolment: Enrolment, action: str, now: dt.datetime) -> bool:
    locked = (
        Enrolment.objects.select_for_update().select_related("membership__organisation", "course").get(pk=enrolment.pk)
    )
    allowed, _ = Enrolment.TRANSITIONS[action]
    if locked.status not in allowed:
        return False
    due = enrolment_calendar(locked).next_slot(now)
    moved = getattr(Enrolment.objects.filter(pk=locked.pk), action)(due=due)
    return bool(moved)


def course_trainer_add(*, course: Course, user: User) -> CourseTrainer:
    """Make ``user`` a trainer of ``course``. ``User.is_trainer`` ("may be a trainer": moderating
    in the discussion groups) is switched on with it."""
    trainer, _ = CourseTrainer.objects.get_or_create(course=course, user=user)
    if not user.is_trainer:
        User.objects.filter(pk=user.pk).update(is_trainer=True)
        user.is_trainer = True
    return trainer


def course_trainer_remove(*, course: Course, user: User) -> bool:
    """``user`` no longer trains ``course``; ``is_trainer`` stays (they may train others)."""
    deleted, _ = CourseTrainer.objects.filter(course=course, user=user).delete()
    return bool(deleted)

"""Enrolment flows: start, pause, resume and end a person's course."""

import datetime as dt

from django.db import transaction

from accounts.models import User
from courses.models import Course, CourseTrainer, Enrolment
from courses.schedule import Calendar
from organisations.models import Membership, Organisation


def closures_of(organisation: Organisation) -> list[tuple[dt.date, dt.date]]:
    return list(organisation.closures.values_list("start", "end"))


def enrolment_calendar(enrolment: Enrolment) -> Calendar:
    organisation = enrolment.membership.organisation
    return enrolment.course.calendar_for(organisation, closures_of(organisation))


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
    calendar = course.calendar_for(membership.organisation, closures_of(membership.organisation))
    first = calendar.first_slot_on_or_after(start_date)
    if first < now:
        first = calendar.next_slot(now, inclusive=True)
    enrolment = Enrolment.objects.create(
        membership=membership, course=course, start_date=start_date, next_position=1, next_due_at=first
    )
    return enrolment, True


@transaction.atomic
def enrolment_pause(*, enrolment: Enrolment, now: dt.datetime) -> bool:
    """Stop the drip for now. Returns False when it was not active."""
    changed = Enrolment.objects.filter(pk=enrolment.pk, status=Enrolment.Status.ACTIVE).update(
        status=Enrolment.Status.PAUSED, paused_at=now
    )
    enrolment.refresh_from_db()
    return bool(changed)


def enrolment_resume(*, enrolment: Enrolment, now: dt.datetime) -> bool:
    """Continue with the next lesson not yet received, at the next slot: no backlog."""
    return _reactivate(enrolment=enrolment, was=Enrolment.Status.PAUSED, clear="paused_at", now=now)


def enrolment_unsubscribe(*, enrolment: Enrolment, now: dt.datetime) -> bool:
    """End the enrolment at the learner's request. Idempotent."""
    changed = Enrolment.objects.filter(
        pk=enrolment.pk, status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.PAUSED]
    ).update(status=Enrolment.Status.UNSUBSCRIBED, ended_at=now, next_due_at=None)
    enrolment.refresh_from_db()
    return bool(changed)


def enrolments_stop(*, memberships: list[int], now: dt.datetime) -> int:
    """The organisation ends these members' courses (they left). Deliveries and answers stay."""
    return Enrolment.objects.filter(
        membership_id__in=memberships, status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.PAUSED]
    ).update(status=Enrolment.Status.STOPPED, ended_at=now, next_due_at=None)


def enrolment_restart(*, enrolment: Enrolment, now: dt.datetime) -> bool:
    """A member the organisation stopped is back: continue with the next lesson, at the next slot."""
    return _reactivate(enrolment=enrolment, was=Enrolment.Status.STOPPED, clear="ended_at", now=now)


@transaction.atomic
def _reactivate(*, enrolment: Enrolment, was: str, clear: str, now: dt.datetime) -> bool:
    locked = (
        Enrolment.objects.select_for_update().select_related("membership__organisation", "course").get(pk=enrolment.pk)
    )
    if locked.status != was:
        return False
    locked.status = Enrolment.Status.ACTIVE
    setattr(locked, clear, None)
    locked.next_due_at = enrolment_calendar(locked).next_slot(now)
    locked.save(update_fields=["status", clear, "next_due_at"])
    return True


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

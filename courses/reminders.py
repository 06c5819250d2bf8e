"""Reminders for learners who fell behind: when one may go out, and the claim that makes it once.

Which learners are behind depends on their deliveries, so the flow that finds
them and sends the mails lives in ``lessons/reminders.py``; this module knows
only courses, enrolments and the calendar.
"""

import datetime as dt
import uuid

from django.db.models import QuerySet

from courses.models import Enrolment, Reminder
from courses.schedule import Calendar
from druppel.tokens import SignedId

# Beat runs the reminder task every 15 minutes, on the quarter: each slot falls
# in exactly one run's window, so a reminder goes out at (or just after) a slot.
REMINDER_WINDOW = dt.timedelta(minutes=15)
_TOKENS = SignedId("druppel.reminders")


def reminder_slot_open(*, calendar: Calendar, now: dt.datetime, window: dt.timedelta = REMINDER_WINDOW) -> bool:
    """Whether ``now`` falls within ``window`` after one of the calendar's slots (never on a closed day)."""
    slot = calendar.slot_on(now.astimezone(calendar.tz).date())
    return slot is not None and slot <= now < slot + window


def reminder_week(*, calendar: Calendar, now: dt.datetime) -> dt.date:
    """The Monday of ``now``'s local week: the key of the one-per-week constraint."""
    day = now.astimezone(calendar.tz).date()
    return day - dt.timedelta(days=day.weekday())


def reminder_cadence_allows(*, calendar: Calendar, now: dt.datetime, last: dt.datetime | None, every_days: int) -> bool:
    """A course's cadence in local days, so next week's slot is not missed by a few seconds."""
    if every_days <= 0:
        return False
    if last is None:
        return True
    days = (now.astimezone(calendar.tz).date() - last.astimezone(calendar.tz).date()).days
    return days >= every_days


def reminders_claim(*, due: list[tuple[Enrolment, dt.date]], now: dt.datetime) -> QuerySet[Reminder]:
    """Insert one Reminder per (enrolment, week); return the rows this call inserted.

    A concurrent call inserting the same (enrolment, week) is ignored by the
    constraint (PostgreSQL waits for the other transaction first), and its rows
    carry another claim: whoever's row it is sends the mail, once.
    """
    claim = uuid.uuid4()
    Reminder.objects.bulk_create(
        [Reminder(enrolment=enrolment, week=week, claim=claim, created_at=now) for enrolment, week in due],
        ignore_conflicts=True,
    )
    return Reminder.objects.filter(claim=claim)


def enrolment_set_reminders(*, enrolment: Enrolment, enabled: bool) -> bool:
    """Switch reminders on or off for this enrolment; True when it changed."""
    changed = (
        Enrolment.objects.filter(pk=enrolment.pk).exclude(reminders_enabled=enabled).update(reminders_enabled=enabled)
    )
    enrolment.reminders_enabled = enabled
    return bool(changed)


def reminder_token(enrolment_id: int) -> str:
    """The credential in a reminder mail's "no more reminders" link."""
    return _TOKENS.sign(enrolment_id)


def enrolment_id_from_reminder_token(token: str) -> int | None:
    return _TOKENS.unsign(token)

"""Gentle reminders for learners who left their last three delivered lessons incomplete.

Beat runs ``reminders_send_due`` every 15 minutes. A learner is reminded at a
slot of their course in their organisation's calendar (courses/schedule.py, the
drip's own: never on a holiday or closure day), at most once per the course's
cadence (at least a week), and only while the enrolment is active and reminders
are on.

The claim is a Reminder row, unique per (enrolment, week): two beats or a
retried task insert it once. The mail goes into the outbox in the same
transaction (mailer/outgoing.py) and leaves after the commit, once.
"""

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from core.tokens import SignedId
from courses.models import Enrolment, Reminder
from courses.schedule import calendars_for
from courses.slots import Calendar
from lessons.models import Delivery
from lessons.tokens import delivery_token
from mailer.outgoing import outgoing_add_many
from mailer.templated import RenderedMail, render_mail

logger = logging.getLogger(__name__)

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


# How many delivered lessons in a row must be incomplete before we remind.
BEHIND_LESSONS = 3


def _sent() -> QuerySet[Delivery]:
    return Delivery.objects.filter(enrolment=OuterRef("pk"), status=Delivery.Status.SENT).order_by("-position")


def reminder_candidates() -> QuerySet[Enrolment]:
    """Active enrolments with reminders on whose last three delivered lessons are all incomplete.

    One query: the third-latest delivered position and the latest completed one
    are subqueries; ``latest_delivery`` is the lesson the mail links to.
    """
    sent = _sent()
    return (
        Enrolment.objects.filter(
            status=Enrolment.Status.ACTIVE,
            reminders_enabled=True,
            course__reminder_every_days__gt=0,
            # Cheap pre-filter on stored counters: three incomplete needs three more sent than completed.
            lessons_sent__gte=F("lessons_completed") + BEHIND_LESSONS,
        )
        .annotate(
            behind_from=Subquery(sent.values("position")[BEHIND_LESSONS - 1 : BEHIND_LESSONS], IntegerField()),
            last_completed=Subquery(sent.filter(completed_at__isnull=False).values("position")[:1], IntegerField()),
            latest_delivery=Subquery(sent.values("pk")[:1], IntegerField()),
            last_reminded_at=Subquery(
                Reminder.objects.filter(enrolment=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
            ),
        )
        .filter(behind_from__isnull=False)
        .filter(Q(last_completed__isnull=True) | Q(last_completed__lt=F("behind_from")))
        .select_related("course", "membership__user", "membership__organisation")
        .order_by("pk")
    )


def reminders_due(*, now: dt.datetime) -> list[tuple[Enrolment, dt.date]]:
    """(enrolment, week) for every learner to remind at ``now``: behind, at a slot, cadence allowing."""
    candidates = list(reminder_candidates())
    calendars = calendars_for({(e.membership.organisation_id, e.course_id) for e in candidates})
    due = []
    for enrolment in candidates:
        calendar = calendars[(enrolment.membership.organisation_id, enrolment.course_id)]
        last: dt.datetime | None = getattr(enrolment, "last_reminded_at", None)
        every = enrolment.course.reminder_every_days
        if reminder_slot_open(calendar=calendar, now=now) and reminder_cadence_allows(
            calendar=calendar, now=now, last=last, every_days=every
        ):
            due.append((enrolment, reminder_week(calendar=calendar, now=now)))
    return due


def reminder_mail(enrolment: Enrolment) -> RenderedMail:
    """The reminder mail for one learner: a link to their latest lesson and one to switch reminders off."""
    user = enrolment.membership.user
    latest: int = getattr(enrolment, "latest_delivery", 0)
    off_url = settings.SITE_URL + reverse("learners:reminders_off", args=[reminder_token(enrolment.pk)])
    context = {
        "course": enrolment.course,
        "name": user.first_name or user.email.split("@")[0],
        "behind": BEHIND_LESSONS,
        "lesson_url": settings.SITE_URL + reverse("lessons:page", args=[delivery_token(latest)]),
        "courses_url": settings.SITE_URL + reverse("learners:courses"),
        "off_url": off_url,
    }
    return render_mail("emails/reminder", context, language=enrolment.course.language, unsubscribe_url=off_url)


@transaction.atomic
def reminders_send_due(*, now: dt.datetime) -> int:
    """Remind every learner who is due at ``now``, once: the claims and their mails' outbox rows are
    written in one transaction, and the mails leave after it commits. Returns how many were queued."""
    due = reminders_due(now=now)
    if not due:
        return 0
    by_id = {enrolment.pk: enrolment for enrolment, _ in due}
    mails = [
        (f"reminder:{reminder_id}", reminder_mail(by_id[enrolment_id]), by_id[enrolment_id].membership.user.email)
        for reminder_id, enrolment_id in reminders_claim(due=due, now=now).values_list("pk", "enrolment_id")
    ]
    queued = len(outgoing_add_many(kind="reminder", mails=mails))
    logger.info("reminders at %s: %d due, %d queued", now.isoformat(), len(due), queued)
    return queued

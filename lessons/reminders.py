"""Gentle reminders for learners who left their last three delivered lessons incomplete.

Beat runs ``reminders_send_due`` every 15 minutes. A learner is reminded at a
slot of their course in their organisation's calendar (so never on a holiday
or closure day), at most once per the course's cadence (at least a week), and
only while the enrolment is active and reminders are on.

The claim is a Reminder row, unique per (enrolment, week), inserted and
committed before the mail leaves: two beats or a retried task never send twice.
A mail that then fails to leave is not retried: a missed reminder is gentler
than a double one.
"""

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from courses.models import Enrolment, Reminder
from courses.reminders import (
    reminder_cadence_allows,
    reminder_slot_open,
    reminder_token,
    reminder_week,
    reminders_claim,
)
from courses.schedule import Calendar
from lessons.models import Delivery
from lessons.tokens import delivery_token
from mailer.templated import render_mail
from organisations.models import ClosurePeriod

logger = logging.getLogger(__name__)

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


def _calendars(enrolments: list[Enrolment]) -> dict[tuple[int, int], Calendar]:
    """One calendar per (organisation, course), from one query for all closures."""
    organisation_ids = {enrolment.membership.organisation_id for enrolment in enrolments}
    closures: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for organisation_id, start, end in ClosurePeriod.objects.filter(organisation_id__in=organisation_ids).values_list(
        "organisation_id", "start", "end"
    ):
        closures[organisation_id].append((start, end))
    calendars = {}
    for enrolment in enrolments:
        organisation = enrolment.membership.organisation
        key = (organisation.pk, enrolment.course_id)
        if key not in calendars:
            calendars[key] = enrolment.course.calendar_for(organisation, closures[organisation.pk])
    return calendars


def reminders_due(*, now: dt.datetime) -> list[tuple[Enrolment, dt.date]]:
    """(enrolment, week) for every learner to remind at ``now``: behind, at a slot, cadence allowing."""
    candidates = list(reminder_candidates())
    calendars = _calendars(candidates)
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


def reminder_message(enrolment: Enrolment) -> EmailMultiAlternatives:
    """The reminder mail for one learner: a link to their latest lesson and one to switch reminders off."""
    user = enrolment.membership.user
    latest: int = getattr(enrolment, "latest_delivery", 0)
    context = {
        "course": enrolment.course,
        "name": user.first_name or user.email.split("@")[0],
        "behind": BEHIND_LESSONS,
        "lesson_url": settings.SITE_URL + reverse("lessons:page", args=[delivery_token(latest)]),
        "courses_url": settings.SITE_URL + reverse("learners:courses"),
        "off_url": settings.SITE_URL + reverse("learners:reminders_off", args=[reminder_token(enrolment.pk)]),
    }
    return render_mail("emails/reminder", context, language=enrolment.course.language).to(user.email)


def reminders_send_due(*, now: dt.datetime) -> int:
    """Remind every learner who is due at ``now``, once; returns how many mails this call sent."""
    due = reminders_due(now=now)
    if not due:
        return 0
    by_id = {enrolment.pk: enrolment for enrolment, _ in due}
    mine = reminders_claim(due=due, now=now).values_list("enrolment_id", flat=True)
    messages = [reminder_message(by_id[enrolment_id]) for enrolment_id in mine]
    # fail_silently: one refused address must not stop the others; the claims stay (at most once).
    sent = get_connection(fail_silently=True).send_messages(messages) or 0
    if sent < len(messages):
        logger.warning("reminders at %s: %d of %d mails failed", now.isoformat(), len(messages) - sent, len(messages))
    logger.info("reminders at %s: %d due, %d claimed, %d sent", now.isoformat(), len(due), len(messages), sent)
    return sent

"""The welcome mail: sent once to each new enrolment (a staff import, an invite join), into the outbox.

It names the employer, the course, the rhythm (weekdays and time in the organisation's
time zone) and the day of the first lesson. That day is the enrolment's ``next_due_at``,
which ``enrolment_create`` / ``enrolments_start`` took from the organisation's calendar
(courses/schedule.py), the same one the drip sends by: it is never computed a second way.

Enrolments of one import share their organisation, course and first slot, so the mail is
rendered once per such group and queued for all of them in a fixed number of statements
(``outgoing_add_many``). Nobody who left, unsubscribed or whose address is suppressed gets it.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import dates, formats, translation
from django.utils.translation import gettext as _

from core.sql import Among
from courses.models import Course, Enrolment
from mailer.models import Suppression
from mailer.outgoing import outgoing_add_many
from mailer.templated import RenderedMail, render_mail
from organisations.models import Organisation

KIND = "welcome"
# Up to this many welcomes of one import are each published to the broker after the commit;
# a bigger list is left to the outbox's sweep (mailer/outgoing.py), which sends them in its
# batches, rather than a worker publishing tens of thousands of messages at once.
PUBLISH_AT_MOST = 500


def welcome_key(enrolment_id: int) -> str:
    return f"welcome:{enrolment_id}"


def rhythm(course: Course) -> str:
    """'maandag, woensdag en vrijdag om 08:30' in the active language (the time is the organisation's)."""
    names = [str(dates.WEEKDAYS[day]) for day in sorted(course.weekdays)]
    days = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {_('and')} {names[-1]}"
    return _("%(days)s at %(time)s") % {"days": days, "time": course.send_time.strftime("%H:%M")}


def welcome_mail(*, organisation: Organisation, course: Course, first_lesson: dt.datetime | None) -> RenderedMail:
    """The mail, in the course's language (the language its lessons are written and sent in)."""
    with translation.override(course.language):
        local = first_lesson.astimezone(organisation.tz) if first_lesson else None
        context = {
            "organisation": organisation,
            "course": course,
            "rhythm": rhythm(course),
            "first_day": formats.date_format(local, "l j F Y") if local else "",
            "url": settings.SITE_URL + reverse("learners:courses"),
            "language": course.language,
        }
    return render_mail("emails/welcome", context, language=course.language)


class Recipient(NamedTuple):
    """An enrolment to welcome, as plain values: 100,000 of them stay small."""

    enrolment_id: int
    email: str
    organisation_id: int
    course_id: int
    first_lesson: dt.datetime | None


def welcome_recipients(enrolment_ids: Iterable[int]) -> list[Recipient]:
    """The enrolments that may be welcomed: still active, their member still there, their address deliverable."""
    suppressed = Suppression.objects.filter(email=OuterRef("membership__user__email"))
    rows = (
        Enrolment.objects.filter(
            Among(F("pk"), list(enrolment_ids)), status=Enrolment.Status.ACTIVE, membership__is_active=True
        )
        .exclude(Exists(suppressed))
        .order_by("pk")
        .values_list("pk", "membership__user__email", "membership__organisation_id", "course_id", "next_due_at")
    )
    return [Recipient(*row) for row in rows]


def welcome_mails_queue(*, enrolment_ids: Iterable[int]) -> int:
    """Queue one welcome per enrolment, once (the key is the enrolment). Returns how many were added.

    Five statements for any number of enrolments: the recipients, their organisations and
    courses, then the outbox's insert and its read-back. The mail is rendered once per
    organisation, course and first lesson (an import's enrolments share them).
    """
    ids = list(enrolment_ids)
    recipients = welcome_recipients(ids) if ids else []
    if not recipients:
        return 0
    groups: dict[tuple, list[Recipient]] = defaultdict(list)
    for recipient in recipients:
        groups[(recipient.organisation_id, recipient.course_id, recipient.first_lesson)].append(recipient)
    organisations = Organisation.objects.in_bulk({r.organisation_id for r in recipients})
    courses = Course.objects.in_bulk({r.course_id for r in recipients})
    mails = []
    for (organisation_id, course_id, first_lesson), items in groups.items():
        mail = welcome_mail(
            organisation=organisations[organisation_id], course=courses[course_id], first_lesson=first_lesson
        )
        mails += [(welcome_key(r.enrolment_id), mail, r.email) for r in items]
    return len(outgoing_add_many(kind=KIND, mails=mails, publish=len(mails) <= PUBLISH_AT_MOST))

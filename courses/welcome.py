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

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import dates, formats, translation
from django.utils.translation import gettext as _

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


def _group_key(enrolment: Enrolment) -> tuple[int, int, dt.datetime | None]:
    return (enrolment.membership.organisation_id, enrolment.course_id, enrolment.next_due_at)


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


def welcome_recipients(enrolment_ids: Iterable[int]) -> list[Enrolment]:
    """The enrolments that may be welcomed: still active, their member still there, their address deliverable."""
    suppressed = Suppression.objects.filter(email=OuterRef("membership__user__email"))
    return list(
        Enrolment.objects.filter(pk__in=list(enrolment_ids), status=Enrolment.Status.ACTIVE, membership__is_active=True)
        .exclude(Exists(suppressed))
        .select_related("membership__user", "membership__organisation", "course")
        .order_by("pk")
    )


def welcome_mails_queue(*, enrolment_ids: Iterable[int]) -> int:
    """Queue one welcome per enrolment, once (the key is the enrolment). Returns how many were added.

    Four statements for any number of enrolments of one import: the recipients, then the
    outbox's insert and its read-back; each mail is published after the caller's commit.
    """
    groups: dict[tuple, list[Enrolment]] = defaultdict(list)
    for enrolment in welcome_recipients(enrolment_ids):
        groups[_group_key(enrolment)].append(enrolment)
    mails = []
    for items in groups.values():
        first = items[0]
        mail = welcome_mail(
            organisation=first.membership.organisation, course=first.course, first_lesson=first.next_due_at
        )
        mails += [(welcome_key(e.pk), mail, e.membership.user.email) for e in items]
    if not mails:
        return 0
    return len(outgoing_add_many(kind=KIND, mails=mails, publish=len(mails) <= PUBLISH_AT_MOST))

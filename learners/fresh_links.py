"""A fresh set of lesson links for a learner whose link broke (a mail scanner mangled it).

The learner types their address on the broken link's page. If it belongs to someone with an
active enrolment, one mail with links to their latest lessons goes out through the outbox;
whatever the address, the page answers the same sentence, so nobody learns who takes a course.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from courses.models import Enrolment
from lessons.models import Delivery
from lessons.tokens import delivery_tokens
from mailer.outgoing import outgoing_add
from mailer.templated import render_mail

# The lessons a mail links to, per course: the newest ones, which a broken link most likely was.
LATEST_LESSONS = 3
KIND = "lesson_links"


@dataclass(frozen=True)
class CourseLinks:
    title: str
    lessons: list[tuple[int, str, str]]  # (position, title, url)


def _course_links(enrolments: list[Enrolment]) -> list[CourseLinks]:
    deliveries: dict[int, list[Delivery]] = {}
    for enrolment in enrolments:
        deliveries[enrolment.pk] = list(
            Delivery.objects.filter(enrolment=enrolment, status=Delivery.Status.SENT)
            .select_related("version")
            .only("pk", "position", "version__title")
            .order_by("-position")[:LATEST_LESSONS]
        )
    result = []
    for enrolment in enrolments:
        rows = deliveries[enrolment.pk]
        if not rows:
            continue
        tokens = delivery_tokens(row.pk for row in rows)
        lessons = [
            (row.position, row.version.title, settings.SITE_URL + reverse("lessons:page", args=[token]))
            for row, token in zip(rows, tokens, strict=True)
        ]
        result.append(CourseLinks(title=enrolment.course.title, lessons=lessons))
    return result


def fresh_links_send(*, email: str, now: dt.datetime) -> bool:
    """Queue the mail with fresh links for ``email``'s active courses, at most once an hour per person.
    Returns whether a mail was queued (for tests and logs only: the page never tells)."""
    enrolments = list(
        Enrolment.objects.filter(
            membership__user__email__iexact=email.strip(),
            membership__is_active=True,
            status=Enrolment.Status.ACTIVE,
        )
        .select_related("course", "membership__user")
        .order_by("pk")
    )
    courses = _course_links(enrolments)
    if not courses:
        return False
    user = enrolments[0].membership.user
    context = {
        "name": user.first_name or user.email.split("@")[0],
        "courses": courses,
        "courses_url": settings.SITE_URL + reverse("learners:courses"),
    }
    mail = render_mail(f"emails/{KIND}", context, language=enrolments[0].course.language)
    # Once per person per hour, however often the form is sent.
    key = f"{KIND}:{user.pk}:{now:%Y-%m-%dT%H}"
    return outgoing_add(key=key, kind=KIND, mail=mail, to=user.email) is not None

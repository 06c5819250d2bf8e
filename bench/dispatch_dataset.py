"""The P1 dispatch data set: 100,000 active enrolments across 300 organisations, all due at one tick.

The course is the real sample course (`content/`, 22 lessons with their real
Markdown), so every batch carries a mail of realistic size. Organisations sit in
four time zones (each with its own holiday calendar), a third has its own
discussion link, and enrolments are spread over lessons 1-8, so one tick plans
eight lesson versions for 300 (organisation, course) calendars. People,
memberships, enrolments and offerings are bulk-created (about 20 s for 100k).

`dispatch_rearm` undoes one tick without rebuilding: it deletes the tick's
batches and deliveries and moves every enrolment back one lesson, due again.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import User
from courses.models import Course, Enrolment, Offering
from lessons.course_folder import read_course_folder
from lessons.course_sync import course_sync
from lessons.models import Delivery, SendBatch
from organisations.models import Membership, Organisation

COURSE_FOLDER = Path(settings.BASE_DIR) / "content" / "iedereen-mee-met-sociale-media"
SLUG_PREFIX = "bench-dispatch-"
# (time zone, holiday calendar): four calendars, so the tick computes different next slots.
ZONES = [("Europe/Brussels", "BE"), ("Europe/London", "GB"), ("America/New_York", "US"), ("Asia/Tokyo", "JP")]
POSITIONS = 8  # enrolments wait for lessons 1..8
_CHUNK = 5000


@dataclass(frozen=True)
class DispatchDataset:
    course: Course
    organisations: int
    enrolments: int
    due_at: dt.datetime


def _organisations(count: int) -> list[Organisation]:
    return Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Bestuur {n}", slug=f"{SLUG_PREFIX}{n}", timezone=ZONES[n % 4][0], holiday_country=ZONES[n % 4][1]
            )
            for n in range(count)
        ]
    )


def _offerings(organisations: list[Organisation], course: Course, start: dt.date) -> None:
    Offering.objects.bulk_create(
        [
            Offering(
                organisation=organisation,
                course=course,
                start_date=start,
                external_group_url=f"https://groep.example/{organisation.slug}" if n % 3 == 0 else "",
            )
            for n, organisation in enumerate(organisations)
        ]
    )


def _enrolments(organisations: list[Organisation], course: Course, count: int, due_at: dt.datetime) -> int:
    orgs = len(organisations)
    users = User.objects.bulk_create(
        [
            User(email=f"p{i}@o{i % orgs}.bench.example", first_name=f"Voornaam{i}", last_name=f"Naam{i}")
            for i in range(count)
        ],
        batch_size=_CHUNK,
    )
    memberships = Membership.objects.bulk_create(
        [Membership(organisation=organisations[i % orgs], user=u, department="Dienst") for i, u in enumerate(users)],
        batch_size=_CHUNK,
    )
    start = due_at.date() - dt.timedelta(weeks=4)
    rows = Enrolment.objects.bulk_create(
        [
            Enrolment(
                membership=membership,
                course=course,
                start_date=start,
                next_position=1 + i % POSITIONS,
                next_due_at=due_at,
                lessons_sent=i % POSITIONS,
                lessons_completed=(i % POSITIONS) // 2,
            )
            for i, membership in enumerate(memberships)
        ],
        batch_size=_CHUNK,
    )
    return len(rows)


def build_dispatch_dataset(*, enrolments: int, organisations: int, due_at: dt.datetime) -> DispatchDataset:
    """Sync the sample course and enrol ``enrolments`` people across ``organisations``, all due at ``due_at``."""
    source = read_course_folder(COURSE_FOLDER)
    course_sync(source=source, apply=True)
    course = Course.objects.get(slug=source.slug)
    orgs = _organisations(organisations)
    _offerings(orgs, course, due_at.date() - dt.timedelta(weeks=4))
    made = _enrolments(orgs, course, enrolments, due_at)
    analyze()
    return DispatchDataset(course=course, organisations=len(orgs), enrolments=made, due_at=due_at)


def _ours() -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(membership__organisation__slug__startswith=SLUG_PREFIX)


def due_count(now: dt.datetime) -> int:
    return Enrolment.objects.filter(status=Enrolment.Status.ACTIVE, next_due_at__lte=now).count()


def dispatch_rearm(*, batch_ids: list[int], due_at: dt.datetime) -> None:
    """Undo one tick that planned every enrolment once: drop its batches, step enrolments back."""
    for start in range(0, len(batch_ids), 500):
        chunk = batch_ids[start : start + 500]
        Delivery.objects.filter(batch_id__in=chunk).delete()
        SendBatch.objects.filter(pk__in=chunk).delete()
    _ours().update(next_position=F("next_position") - 1, lessons_sent=F("lessons_sent") - 1, next_due_at=due_at)
    analyze()


def analyze() -> None:
    """Fresh statistics and no dead tuples, so autovacuum does not run during a measurement."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in ("lessons_delivery", "lessons_sendbatch", "courses_enrolment", "accounts_user"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def now_utc() -> dt.datetime:
    return timezone.now().replace(microsecond=0)

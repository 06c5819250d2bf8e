"""The dashboard data set: one organisation, 5,000 learners in one course of 150 lessons.

Built with bulk_create of people, enrolments and the stored counters the
dashboard reads (that is the point of stored aggregates: the dashboard never
needs the 750,000 deliveries), plus a modest slice of real deliveries so the
delivery table is not empty. Used by `make bench` and the query-budget test.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from courses.models import Course, Enrolment, Offering
from lessons.models import (
    DailyCompletion,
    Delivery,
    EnrolmentStats,
    Lesson,
    LessonStats,
    LessonVersion,
    Module,
    SendBatch,
)
from organisations.models import Membership, Organisation

DEPARTMENTS = ["Burgerzaken", "Communicatie", "Financiën", "HR", "ICT", "Onderwijs", "Politie", "Welzijn"]


@dataclass(frozen=True)
class Dataset:
    organisation: Organisation
    admin: User
    course: Course
    learners: int
    lessons: int


def _progress(index: int, lessons: int) -> tuple[int, int, int, int]:
    """Deterministic, varied (sent, opened, read, completed) for learner ``index``."""
    sent = lessons - index % min(40, lessons)
    completed = max(0, sent - index % 9)
    opened = min(sent, completed + index % 3)
    return sent, opened, max(completed, opened - 1), completed


def _lessons(course: Course, count: int) -> list[Lesson]:
    module = Module.objects.create(course=course, position=1, slug="module-1", title="Module 1")
    lessons = Lesson.objects.bulk_create(
        [Lesson(course=course, module=module, order=n, position=n, slug=f"les-{n}") for n in range(1, count + 1)]
    )
    versions = LessonVersion.objects.bulk_create(
        [
            LessonVersion(
                lesson=lesson,
                number=1,
                title=f"Les {lesson.position}: sociale media in de praktijk",
                body_markdown="Tekst.",
                body_html="<p>Tekst.</p>",
                question={"prompt": "?", "options": ["A", "B"], "correct": 0, "explanation": "."},
                checksum=f"bench{lesson.position}",
            )
            for lesson in lessons
        ]
    )
    for lesson, version in zip(lessons, versions, strict=True):
        lesson.current_version = version
    Lesson.objects.bulk_update(lessons, ["current_version"], batch_size=500)
    return lessons


def _people(organisation: Organisation, course: Course, learners: int, lessons: int) -> list[Enrolment]:
    users = User.objects.bulk_create(
        [
            User(email=f"medewerker{i}@{organisation.slug}.example", first_name=f"Voornaam{i}", last_name=f"Naam{i}")
            for i in range(learners)
        ],
        batch_size=1000,
    )
    memberships = Membership.objects.bulk_create(
        [
            Membership(organisation=organisation, user=user, department=DEPARTMENTS[i % len(DEPARTMENTS)])
            for i, user in enumerate(users)
        ],
        batch_size=1000,
    )
    start = timezone.localdate() - dt.timedelta(weeks=52)
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                membership=membership,
                course=course,
                start_date=start,
                status=Enrolment.Status.ACTIVE if i % 25 else Enrolment.Status.PAUSED,
                next_position=_progress(i, lessons)[0] + 1,
                lessons_sent=_progress(i, lessons)[0],
                lessons_completed=_progress(i, lessons)[3],
            )
            for i, membership in enumerate(memberships)
        ],
        batch_size=1000,
    )
    EnrolmentStats.objects.bulk_create(
        [
            EnrolmentStats(enrolment=enrolment, opened=_progress(i, lessons)[1], read=_progress(i, lessons)[2])
            for i, enrolment in enumerate(enrolments)
        ],
        batch_size=1000,
    )
    return enrolments


def _counters(organisation: Organisation, course: Course, lessons: list[Lesson], learners: int) -> None:
    rows = []
    for lesson in lessons:
        sent = sum(1 for i in range(learners) if _progress(i, len(lessons))[0] >= lesson.position)
        completed = sent * (90 - lesson.position // 5) // 100
        rows.append(
            LessonStats(
                organisation=organisation,
                lesson=lesson,
                sent=sent,
                opened=sent * 95 // 100,
                read=sent * 92 // 100,
                completed=completed,
                correct=completed * 3 // 4,
            )
        )
    LessonStats.objects.bulk_create(rows)
    today = timezone.localdate()
    DailyCompletion.objects.bulk_create(
        [
            DailyCompletion(
                organisation=organisation, course=course, day=today - dt.timedelta(days=n), completed=2000 + n % 7 * 150
            )
            for n in range(365)
        ]
    )


def _deliveries(enrolments: list[Enrolment], lesson: Lesson, count: int) -> None:
    now = timezone.now()
    assert lesson.current_version is not None
    batch = SendBatch.objects.create(
        version=lesson.current_version, size=count, created_at=now, queued_at=now, status=SendBatch.Status.SENT
    )
    Delivery.objects.bulk_create(
        [
            Delivery(
                enrolment=enrolment,
                lesson=lesson,
                version=lesson.current_version,
                batch=batch,
                position=1,
                status=Delivery.Status.SENT,
                created_at=now,
                sent_at=now,
            )
            for enrolment in enrolments[:count]
        ],
        batch_size=1000,
    )


def build_dataset(*, learners: int = 5000, lessons: int = 150, slug: str = "bench", deliveries: int = 1000) -> Dataset:
    """Create the organisation, its admin, the course and everyone's counters."""
    organisation = Organisation.objects.create(name="Gemeente Benchmark", slug=slug)
    course = Course.objects.create(title="Iedereen mee met sociale media", slug=f"{slug}-sociale-media")
    Offering.objects.create(organisation=organisation, course=course, start_date=timezone.localdate())
    admin = User.objects.create_user(email=f"admin@{slug}.example", first_name="Hilde")
    Membership.objects.create(organisation=organisation, user=admin, role=Membership.Role.ADMIN, department="HR")
    lesson_rows = _lessons(course, lessons)
    enrolments = _people(organisation, course, learners, lessons)
    _counters(organisation, course, lesson_rows, learners)
    _deliveries(enrolments, lesson_rows[0], min(deliveries, learners))
    return Dataset(organisation=organisation, admin=admin, course=course, learners=learners, lessons=lessons)

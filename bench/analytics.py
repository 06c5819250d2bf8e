"""Benchmark: the trainer's course analytics page (studio/views_analytics.py), goal ≤ 300 ms.

``build_analytics_course`` makes a course of 150 lessons in 12 modules taken by
50 organisations, with the stored counters the page reads (LessonStats,
AnswerCount, WeeklyLessonCompletion: the course started twenty weeks ago, a
lesson is completed over the three weeks after it went out, as in the year)
and two posts in every lesson thread. It is built by
bulk_create, on an empty database or on top of the year (bench/history_side.py).
"""

import datetime as dt
from dataclasses import dataclass

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bench.dashboard import measure_repeated
from courses.models import Course, CourseTrainer, Offering
from discussions.models import Post, Thread
from discussions.services import group_ensure
from lessons.models import AnswerCount, Lesson, LessonStats, LessonVersion, Module, WeeklyLessonCompletion
from organisations.models import Organisation

GOAL_MS = 300
WEEKS = 20
QUESTION = {"prompt": "Welke?", "options": ["Deze", "Die", "Geen van beide"], "correct": 1, "explanation": "Zo."}


@dataclass(frozen=True)
class AnalyticsCourse:
    course: Course
    trainer: User
    organisations: int
    lessons: int


def trainer_sign_in(course: Course, email: str) -> User:
    """A trainer of ``course`` (made once; the bench databases are copies)."""
    trainer, _ = User.objects.get_or_create(email=email, defaults={"first_name": "Tine"})
    CourseTrainer.objects.get_or_create(course=course, user=trainer)
    return trainer


def _lessons(course: Course, count: int, modules: int) -> list[Lesson]:
    per_module = -(-count // modules)
    made = Module.objects.bulk_create(
        [Module(course=course, position=n, slug=f"module-{n}", title=f"Maand {n}") for n in range(1, modules + 1)]
    )
    lessons = Lesson.objects.bulk_create(
        [
            Lesson(course=course, module=made[(n - 1) // per_module], order=(n - 1) % per_module + 1, position=n,
                   slug=f"les-{n}")
            for n in range(1, count + 1)
        ]
    )  # fmt: skip
    versions = LessonVersion.objects.bulk_create(
        [
            LessonVersion(lesson=lesson, number=1, title=f"Les {lesson.position}: sociale media in de praktijk",
                          body_markdown="Tekst.", body_html="<p>Tekst.</p>", question=QUESTION, checksum="-")
            for lesson in lessons
        ]
    )  # fmt: skip
    for lesson, version in zip(lessons, versions, strict=True):
        lesson.current_version = version
    Lesson.objects.bulk_update(lessons, ["current_version"])
    return lessons


def build_analytics_course(
    *, organisations: int = 50, lessons: int = 150, modules: int = 12, slug: str = "bench-analytics"
) -> AnalyticsCourse:
    existing = Course.objects.filter(slug=slug).first()
    if existing is not None:  # built by an earlier run on this database
        trainer = trainer_sign_in(existing, f"trainer@{slug}.example")
        return AnalyticsCourse(existing, trainer, existing.offerings.count(), existing.lessons.count())
    course = Course.objects.create(title="Cijfers voor de trainer", slug=slug)
    made = _lessons(course, lessons, modules)
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"Bestuur {slug} {n:03d}", slug=f"{slug}-{n}") for n in range(organisations)]
    )
    start = timezone.localdate() - dt.timedelta(weeks=WEEKS)
    Offering.objects.bulk_create([Offering(organisation=o, course=course, start_date=start) for o in orgs])
    monday = start - dt.timedelta(days=start.weekday())
    stats, answers, weeks = [], [], []
    for i, o in enumerate(orgs):
        for n, lesson in enumerate(made):
            sent = 300 + (i * 7 + n) % 50
            completed = sent * (40 + n % 50) // 100
            stats.append(
                LessonStats(organisation=o, lesson=lesson, sent=sent, delivered=sent - 3, opened=sent * 6 // 10,
                            read=sent // 2, completed=completed, correct=completed * 7 // 10)
            )  # fmt: skip
            answers += [
                AnswerCount(organisation=o, lesson=lesson, option=k, chosen=share)
                for k, share in enumerate((completed // 6, completed * 7 // 10, completed - completed * 13 // 15))
            ]
            # Lesson n went out in week n × WEEKS / lessons; its completions follow over three weeks.
            sent_in = n * WEEKS // len(made)
            weeks += [
                WeeklyLessonCompletion(organisation=o, lesson=lesson, week=monday + dt.timedelta(weeks=sent_in + w),
                                       completed=completed * share // 10)
                for w, share in enumerate((6, 3, 1))
            ]  # fmt: skip
    LessonStats.objects.bulk_create(stats, batch_size=5000)
    AnswerCount.objects.bulk_create(answers, batch_size=5000)
    WeeklyLessonCompletion.objects.bulk_create(weeks, batch_size=5000)
    group = group_ensure(course=course)
    author = User.objects.create(email=f"deelnemer@{slug}.example", first_name="Eva")
    now = timezone.now()
    Post.objects.bulk_create(
        [
            Post(thread=thread, author=author, author_organisation=orgs[k % len(orgs)], body_markdown="Ja.",
                 body_html="<p>Ja.</p>", created_at=now)
            for thread in Thread.objects.filter(group=group) for k in range(2)
        ]
    )  # fmt: skip
    trainer = trainer_sign_in(course, f"trainer@{slug}.example")
    return AnalyticsCourse(course, trainer, organisations, lessons)


def measure_course_analytics(course: Course, trainer: User, requests: int, repeats: int) -> dict:
    client = Client()
    client.force_login(trainer)
    url = reverse("studio:analytics", kwargs={"course_slug": course.slug})
    return {**measure_repeated(client, url, requests, repeats), "goal_ms": GOAL_MS}

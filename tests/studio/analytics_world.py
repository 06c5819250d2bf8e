"""Courses for the analytics tests: a large one made of stored counters (and, if asked, the delivery
rows behind them), built in bulk."""

import datetime as dt
from dataclasses import dataclass

from django.test import Client
from django.utils import timezone

from accounts.models import User
from courses.models import Course, CourseTrainer, Enrolment, Offering
from discussions.models import Post, Thread
from discussions.services import group_ensure
from lessons.models import AnswerCount, Delivery, Lesson, LessonStats, WeeklyLessonCompletion
from organisations.models import Membership, Organisation
from tests.factories import CourseFactory, UserFactory, make_lessons


@dataclass
class BigCourse:
    course: Course
    lessons: list[Lesson]
    organisations: list[Organisation]
    trainer: User

    def client(self) -> Client:
        client = Client()
        client.force_login(self.trainer)
        return client


def trainer_of(course: Course, email: str = "trainer@druppel.example") -> User:
    trainer = UserFactory.create(email=email, first_name="Tine")
    CourseTrainer.objects.create(course=course, user=trainer)
    return trainer


def big_course(*, organisations: int, lessons: int, learners_per_organisation: int = 0) -> BigCourse:
    """``organisations`` taking a course of ``lessons`` lessons (10 per module), with counters for every
    (organisation, lesson), three weeks of completions, answers and a few posts per lesson. With
    ``learners_per_organisation``, each learner also has a delivery row of every lesson."""
    course = CourseFactory.create(title="Een groot jaar", slug=f"groot-{organisations}-{lessons}")
    made = make_lessons(course, lessons, per_module=10)
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"Bestuur {n:02d}", slug=f"bestuur-{course.pk}-{n}") for n in range(organisations)]
    )
    start = timezone.localdate() - dt.timedelta(weeks=4)
    Offering.objects.bulk_create([Offering(organisation=o, course=course, start_date=start) for o in orgs])
    monday = start - dt.timedelta(days=start.weekday())
    stats, answers, weeks = [], [], []
    for o in orgs:
        for n, lesson in enumerate(made):
            sent = 20 + n % 7
            stats.append(
                LessonStats(organisation=o, lesson=lesson, sent=sent, delivered=sent - 1, opened=sent // 2,
                            read=sent // 3, completed=sent // 4 + n % 3, correct=sent // 5)
            )  # fmt: skip
            answers += [AnswerCount(organisation=o, lesson=lesson, option=i, chosen=i + n % 4) for i in range(3)]
            weeks += [
                WeeklyLessonCompletion(organisation=o, lesson=lesson, week=monday + dt.timedelta(weeks=w), completed=w)
                for w in range(1, 4)
            ]
    LessonStats.objects.bulk_create(stats, batch_size=2000)
    AnswerCount.objects.bulk_create(answers, batch_size=2000)
    WeeklyLessonCompletion.objects.bulk_create(weeks, batch_size=2000)
    group = group_ensure(course=course)
    author = UserFactory.create(email=f"schrijver-{course.pk}@example.org")
    threads = Thread.objects.filter(group=group).order_by("lesson_id")
    Post.objects.bulk_create(
        [
            Post(thread=t, author=author, author_organisation=orgs[i % len(orgs)], body_markdown="Ja",
                 body_html="<p>Ja</p>", created_at=timezone.now())
            for t in threads for i in range(2)
        ]
    )  # fmt: skip
    if learners_per_organisation:
        _deliveries(course, made, orgs, learners_per_organisation)
    return BigCourse(course, made, orgs, trainer_of(course, f"trainer-{course.pk}@druppel.example"))


def _deliveries(course: Course, lessons: list[Lesson], orgs: list[Organisation], per_organisation: int) -> None:
    users = User.objects.bulk_create(
        [User(email=f"l{o.pk}-{i}@example.org") for o in orgs for i in range(per_organisation)], batch_size=2000
    )
    memberships = Membership.objects.bulk_create(
        [Membership(organisation=orgs[n // per_organisation], user=u) for n, u in enumerate(users)], batch_size=2000
    )
    start = timezone.localdate() - dt.timedelta(weeks=4)
    enrolments = Enrolment.objects.bulk_create(
        [Enrolment(membership=m, course=course, start_date=start) for m in memberships], batch_size=2000
    )
    now = timezone.now()
    rows = []
    for enrolment in enrolments:
        for lesson in lessons:
            assert lesson.current_version is not None
            rows.append(
                Delivery(enrolment=enrolment, lesson=lesson, version=lesson.current_version, position=lesson.position,
                         status=Delivery.Status.SENT, created_at=now, sent_at=now, delivered_at=now)
            )  # fmt: skip
        if len(rows) >= 20_000:
            Delivery.objects.bulk_create(rows, batch_size=5000)
            rows = []
    Delivery.objects.bulk_create(rows, batch_size=5000)

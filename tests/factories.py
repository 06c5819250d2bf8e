"""factory_boy factories for the domain."""

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from accounts.models import User
from courses.models import Course, Enrolment
from courses.services import enrolment_create
from lessons.authoring import version_checksum
from lessons.models import Lesson, LessonVersion, Module
from lessons.plaintext import markdown_text
from lessons.rendering import render_markdown
from mailer.models import OutgoingMail
from mailer.outgoing import outgoing_send
from organisations.models import Membership, Organisation
from progress.folding import progress_fold


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Sequence(lambda n: f"Eva{n}")
    last_name = "Peeters"


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Gemeente {n}")
    slug = factory.Sequence(lambda n: f"gemeente-{n}")
    timezone = "Europe/Brussels"
    holiday_country = "BE"


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    department = "Communicatie"


class CourseFactory(factory.django.DjangoModelFactory[Course]):
    class Meta:
        model = Course
        django_get_or_create = ("slug",)

    title = "Iedereen mee met sociale media"
    slug = factory.Sequence(lambda n: f"course-{n}")
    weekdays = [0, 2, 4]
    send_time = dt.time(8, 30)
    language = "nl"


def make_lessons(course: Course, count: int, *, per_module: int | None = None) -> list[Lesson]:
    """A course's lessons, each with one published version and a check question, in one module
    (or in modules of ``per_module`` lessons each)."""
    lessons = []
    per_module = per_module or count
    modules: dict[int, Module] = {}
    for position in range(1, count + 1):
        number = (position - 1) // per_module + 1
        if number not in modules:
            modules[number] = Module.objects.create(
                course=course, position=number, slug=f"module-{number}", title=f"Module nummer {number}"
            )
        lesson = Lesson.objects.create(
            course=course,
            module=modules[number],
            order=(position - 1) % per_module + 1,
            position=position,
            slug=f"les-{position}",
        )
        content: dict[str, Any] = {
            "title": f"Les nummer {position}",
            "summary": f"Samenvatting {position}",
            "body_markdown": f"Dit is les **{position}**.\n\n- een\n- twee\n",
            "question": {"prompt": "Welke?", "options": ["A", "B", "C"], "correct": 1, "explanation": "Omdat B."},
        }
        lesson.current_version = LessonVersion.objects.create(
            lesson=lesson,
            number=1,
            body_html=render_markdown(content["body_markdown"]),
            body_text=markdown_text(content["body_markdown"]),
            checksum=version_checksum(**content),
            **content,
        )
        lesson.save(update_fields=["current_version"])
        lessons.append(lesson)
    return lessons


def enrol(
    course: Course,
    *,
    organisation: Organisation | None = None,
    start: dt.date,
    now: dt.datetime | None = None,
    user: User | None = None,
) -> Enrolment:
    membership = MembershipFactory.create(
        organisation=organisation or OrganisationFactory.create(), user=user or UserFactory.create()
    )
    enrolment, _ = enrolment_create(
        membership=membership,
        course=course,
        start_date=start,
        now=now or dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC),
    )
    return enrolment


def enrol_many(course: Course, organisation: Organisation, count: int, *, start: dt.date) -> list[Enrolment]:
    """Bulk enrolment for batch-size and query-budget tests."""
    users = User.objects.bulk_create(
        [User(email=f"bulk{i}-{organisation.slug}@example.org", first_name=f"Naam{i}") for i in range(count)]
    )
    memberships = Membership.objects.bulk_create([Membership(organisation=organisation, user=u) for u in users])
    first = course.calendar_for(organisation, []).first_slot_on_or_after(start)
    return Enrolment.objects.bulk_create(
        [Enrolment(membership=m, course=course, start_date=start, next_due_at=first) for m in memberships]
    )


def aware(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def today() -> dt.date:
    return timezone.localdate()


def send_outbox() -> int:
    """Send every queued single mail now, as the outbox's task does after the commit; returns how many went."""
    queued = OutgoingMail.objects.filter(state=OutgoingMail.State.QUEUED).order_by("pk").values_list("pk", flat=True)
    return sum(outgoing_send(mail_id=pk) == OutgoingMail.State.SENT for pk in list(queued))


def fold() -> None:
    """Count completions into the aggregates now, as the fold that beat runs every few seconds does."""
    progress_fold(now=timezone.now())

"""Two organisations taking one course, a learner in each, a trainer, and a learner of another course."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from courses.models import Course, Enrolment, Offering
from discussions.models import Group, Post, Thread
from discussions.services import group_for_enrolment, lesson_thread, post_create
from lessons.models import Lesson
from organisations.models import Organisation
from tests.factories import CourseFactory, OrganisationFactory, UserFactory, enrol, make_lessons

START = dt.date(2027, 3, 1)
NOW = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)


@dataclass
class World:
    course: Course
    lessons: list[Lesson]
    avelgem: Organisation
    zone: Organisation
    eva: Enrolment  # Avelgem
    jonas: Enrolment  # the police zone
    trainer: User
    outsider: Enrolment  # another course, another organisation

    def thread(self, enrolment: Enrolment, position: int = 1) -> Thread:
        group = group_for_enrolment(enrolment=enrolment)
        return lesson_thread(group=group, lesson_id=self.lessons[position - 1].pk)

    def group(self, enrolment: Enrolment) -> Group:
        return group_for_enrolment(enrolment=enrolment)


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    course = CourseFactory.create(title="Iedereen mee met sociale media")
    lessons = make_lessons(course, 3)
    avelgem = OrganisationFactory.create(name="Gemeente Avelgem", slug="avelgem")
    zone = OrganisationFactory.create(name="Politiezone Mira", slug="mira")
    for organisation in (avelgem, zone):
        Offering.objects.create(organisation=organisation, course=course, start_date=START)
    eva = enrol(
        course, organisation=avelgem, start=START, user=UserFactory.create(email="eva@avelgem.be", first_name="Eva")
    )
    jonas = enrol(
        course, organisation=zone, start=START, user=UserFactory.create(email="jonas@mira.be", first_name="Jonas")
    )
    other = CourseFactory.create(title="Schrijven voor het web")
    make_lessons(other, 1)
    outsider = enrol(other, start=START, user=UserFactory.create(email="mo@elders.be", first_name="Mo"))
    trainer = UserFactory.create(email="trainer@druppel.example", first_name="Tine", is_trainer=True)
    return World(course, lessons, avelgem, zone, eva, jonas, trainer, outsider)


def make_private(world: World, organisation: Organisation) -> None:
    offering = Offering.objects.get(organisation=organisation, course=world.course)
    offering.private_group = True
    offering.save()


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def thread_url(thread: Thread) -> str:
    return reverse("discussions:thread", args=[thread.pk])


def say(thread: Thread, enrolment_or_user: Enrolment | User, body: str, parent: Post | None = None) -> Post:
    author = enrolment_or_user.membership.user if isinstance(enrolment_or_user, Enrolment) else enrolment_or_user
    return post_create(thread=thread, author=author, body=body, now=NOW, parent=parent)

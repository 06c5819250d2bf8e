"""A course with a trainer, two modules of three lessons, and the people who must not see it."""

from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.models import User
from courses.models import Course
from courses.services import course_trainer_add
from lessons.models import Lesson
from organisations.models import Membership
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, UserFactory, make_lessons


@dataclass
class Studio:
    course: Course
    lessons: list[Lesson]
    trainer: User
    client: Client


@pytest.fixture
def studio() -> Studio:
    course = CourseFactory.create(slug="sociale-media", title="Iedereen mee met sociale media")
    lessons = make_lessons(course, 6, per_module=3)
    trainer = UserFactory.create(email="tine@druppel.example", first_name="Tine")
    course_trainer_add(course=course, user=trainer)
    client = Client()
    client.force_login(trainer)
    return Studio(course, lessons, trainer, client)


@pytest.fixture
def outsiders(studio: Studio) -> dict[str, Client]:
    """A trainer of another course, an organisation admin and a learner of this course, signed in."""
    other = CourseFactory.create(slug="andere-cursus", title="Een andere cursus")
    make_lessons(other, 1)
    other_trainer = UserFactory.create(email="ander@druppel.example")
    course_trainer_add(course=other, user=other_trainer)
    organisation = OrganisationFactory.create(slug="avelgem")
    admin = MembershipFactory.create(organisation=organisation, role=Membership.Role.ADMIN).user
    learner = MembershipFactory.create(organisation=organisation).user
    clients = {}
    for name, user in (("other trainer", other_trainer), ("organisation admin", admin), ("learner", learner)):
        client = Client()
        client.force_login(user)
        clients[name] = client
    return clients

import datetime as dt

import pytest
from django.test import Client

from accounts.models import User
from courses.models import Enrolment
from tests.factories import CourseFactory, OrganisationFactory, UserFactory, enrol, make_lessons
from tests.learners.helpers import send_lessons


@pytest.fixture
def eva() -> User:
    return UserFactory.create(email="eva@avelgem.be", first_name="Eva", last_name="Claes")


@pytest.fixture
def eva_enrolment(eva: User) -> Enrolment:
    """Eva follows a 5-lesson course at Avelgem and has received the first 3."""
    course = CourseFactory.create(title="Iedereen mee met sociale media")
    lessons = make_lessons(course, 5)
    avelgem = OrganisationFactory.create(name="Gemeente Avelgem", slug="avelgem")
    enrolment = enrol(course, organisation=avelgem, user=eva, start=dt.date(2027, 3, 1))
    send_lessons(enrolment, lessons[:3])
    return enrolment


@pytest.fixture
def eva_client(client: Client, eva: User) -> Client:
    client.force_login(eva)
    return client

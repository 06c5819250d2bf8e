import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from courses.models import Course, Offering
from organisations.models import Membership, Organisation
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def organisation(db) -> Organisation:  # type: ignore[no-untyped-def]
    return OrganisationFactory.create(name="Gemeente Avelgem", slug="avelgem")


@pytest.fixture
def course(db) -> Course:  # type: ignore[no-untyped-def]
    return CourseFactory.create(title="Sociale media", slug="sociale-media")


@pytest.fixture
def offering(organisation: Organisation, course: Course) -> Offering:
    return Offering.objects.create(organisation=organisation, course=course, start_date=dt.date(2027, 3, 1))


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    """A client for this person, reading English (the UI is Dutch by default)."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def admin_client(organisation: Organisation) -> Client:
    admin = UserFactory.create(email="hr@avelgem.example", first_name="Hanne", last_name="Reynaert")
    MembershipFactory.create(organisation=organisation, user=admin, role=Membership.Role.ADMIN, department="HR")
    return signed_in(admin)


@pytest.fixture
def other_admin_client(db) -> Client:  # type: ignore[no-untyped-def]
    """The admin of another organisation."""
    other = OrganisationFactory.create(name="Politiezone", slug="politiezone")
    admin = UserFactory.create(email="hr@politiezone.example")
    MembershipFactory.create(organisation=other, user=admin, role=Membership.Role.ADMIN)
    return signed_in(admin)

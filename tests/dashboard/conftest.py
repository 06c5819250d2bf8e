"""A small organisation with known progress, built through the real drip and answer code."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import User
from courses.models import Course, Enrolment
from drip.tick import drip_tick
from lessons.models import Delivery, Lesson
from organisations.models import Membership, Organisation
from progress.answers import delivery_answer
from progress.reads import delivery_record_open, delivery_record_read
from tests.factories import (
    CourseFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    enrol,
    fold,
    make_lessons,
)

# The course started four weeks ago; four slots have passed since. Answers come in now,
# so they land in this week's bar of the completion chart.
WEEKS_AGO = 4


@dataclass
class SmallOrg:
    organisation: Organisation
    admin: User
    course: Course
    lessons: list[Lesson]
    eva: Enrolment  # Communicatie: completed 4 (3 right), opened 4, read 2
    jonas: Enrolment  # Communicatie: completed 1 (wrong), opened 1: behind
    lotte: Enrolment  # Financiën: nothing: behind


def answer(enrolment: Enrolment, position: int, option: int) -> None:
    delivery = Delivery.objects.get(enrolment=enrolment, position=position)
    delivery_answer(delivery=delivery, option=option, now=timezone.now())


def person(organisation: Organisation, first: str, last: str, department: str) -> User:
    user = UserFactory.create(first_name=first, last_name=last, email=f"{first.lower()}@{organisation.slug}.example")
    return user


def build_small_org() -> SmallOrg:
    organisation = OrganisationFactory.create(name="Gemeente Avelgem", slug="avelgem")
    admin = MembershipFactory.create(organisation=organisation, role=Membership.Role.ADMIN, department="HR").user
    course = CourseFactory.create(title="Sociale media")
    lessons = make_lessons(course, 5)
    start = timezone.localdate() - dt.timedelta(weeks=WEEKS_AGO)
    calendar = course.calendar_for(organisation, [])
    slots = [calendar.first_slot_on_or_after(start)]
    for _ in range(3):
        slots.append(calendar.next_slot(slots[-1]))
    people = {}
    for first, last, department in [
        ("Eva", "Peeters", "Communicatie"),
        ("Jonas", "Claes", "Communicatie"),
        ("Lotte", "Maes", "Financiën"),
    ]:
        enrolment = enrol(
            course, organisation=organisation, start=start, user=person(organisation, first, last, department)
        )
        Membership.objects.filter(pk=enrolment.membership_id).update(department=department)
        people[first] = enrolment
    for slot in slots:
        drip_tick(now=slot, dispatch=lambda batch_id: None)
    for position, option in [(1, 1), (2, 1), (3, 1), (4, 0)]:
        answer(people["Eva"], position, option)
    answer(people["Jonas"], 1, 2)
    fold()
    for delivery in Delivery.objects.filter(enrolment=people["Eva"]):
        delivery_record_open(delivery=delivery, at=timezone.now())
        if delivery.position <= 2:
            delivery_record_read(delivery=delivery, at=timezone.now())
    delivery_record_open(delivery=Delivery.objects.get(enrolment=people["Jonas"], position=1), at=timezone.now())
    for enrolment in people.values():
        enrolment.refresh_from_db()
    return SmallOrg(organisation, admin, course, lessons, people["Eva"], people["Jonas"], people["Lotte"])


@pytest.fixture
def small_org(db) -> SmallOrg:  # type: ignore[no-untyped-def]
    return build_small_org()


@pytest.fixture
def org_admin_client(small_org: SmallOrg) -> Client:
    """The organisation's admin, signed in, reading English (the UI is Dutch by default)."""
    client = Client()
    client.force_login(small_org.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client

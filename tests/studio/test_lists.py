"""The studio's lists: the front page's health line per course and the course outline, each in a
number of queries that does not grow with the courses or the lessons."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.services import course_trainer_add
from discussions.models import Group, Post, Thread
from lessons.models import DailyCompletion
from organisations.models import Membership
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, enrol, make_lessons
from tests.studio.conftest import Studio
from tests.studio.helpers import url

pytestmark = pytest.mark.django_db


def test_the_front_page_shows_each_courses_health(studio: Studio) -> None:
    organisation = OrganisationFactory.create()
    for _ in range(3):
        enrol(studio.course, organisation=organisation, start=timezone.localdate())
    today = timezone.localdate()
    DailyCompletion.objects.create(organisation=organisation, course=studio.course, day=today, completed=4)
    DailyCompletion.objects.create(
        organisation=organisation, course=studio.course, day=today - dt.timedelta(days=8), completed=50
    )
    group, _ = Group.objects.get_or_create(course=studio.course, organisation=None)
    thread, _ = Thread.objects.get_or_create(group=group, lesson=studio.lessons[0])
    Post.objects.create(thread=thread, body_markdown="Mag dat?", body_html="<p>Mag dat?</p>", created_at=timezone.now())
    page = studio.client.get(reverse("studio:home")).content.decode()
    assert "3 deelnemers" in page
    assert "4 lessen afgerond deze week" in page
    assert "1 open vraag in de groep" in page


# The session, the user, "trains a course at all" (the access check), the organisations they also
# administer (the nav) and the courses with their health line; the same for one course or many.
HOME_QUERIES = 5
# The session, the user, the course, its lessons, its modules, the nav's group and organisations.
OUTLINE_QUERIES = 7


def test_the_front_page_costs_the_same_for_one_course_or_many(studio: Studio, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(HOME_QUERIES):
        studio.client.get(reverse("studio:home"))
    for number in range(6):
        course = CourseFactory.create(slug=f"extra-{number}")
        make_lessons(course, 2)
        course_trainer_add(course=course, user=studio.trainer)
        enrol(course, start=timezone.localdate())
    with django_assert_num_queries(HOME_QUERIES):
        page = studio.client.get(reverse("studio:home"))
    assert page.content.decode().count('class="health"') == 7


def test_the_outline_costs_the_same_for_six_lessons_or_forty(studio: Studio, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(OUTLINE_QUERIES):
        studio.client.get(url("course", studio))
    course = CourseFactory.create(slug="groot")
    make_lessons(course, 40, per_module=8)
    course_trainer_add(course=course, user=studio.trainer)
    with django_assert_num_queries(OUTLINE_QUERIES):
        page = studio.client.get(reverse("studio:course", kwargs={"course_slug": "groot"}))
    assert page.content.decode().count('class="studio-lesson"') == 40


def test_an_admin_who_also_trains_lands_in_the_studio_with_a_link_to_their_organisation(studio: Studio) -> None:
    organisation = OrganisationFactory.create(slug="avelgem", name="Gemeente Avelgem")
    MembershipFactory.create(organisation=organisation, user=studio.trainer, role=Membership.Role.ADMIN)
    assert studio.client.get("/")["Location"] == reverse("studio:home")
    page = studio.client.get(reverse("studio:home")).content.decode()
    assert reverse("dashboard:home", kwargs={"org_slug": "avelgem"}) in page


def test_admins_and_learners_keep_their_homes(outsiders) -> None:  # type: ignore[no-untyped-def]
    assert outsiders["organisation admin"].get("/")["Location"] == "/org/avelgem/"
    assert outsiders["learner"].get("/")["Location"] == reverse("learners:courses")

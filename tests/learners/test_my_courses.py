"""My courses: progress, the next lesson in the organisation's time, the lessons received."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Enrolment
from lessons.models import Delivery
from lessons.tokens import delivery_token
from progress.answers import delivery_answer
from tests.factories import CourseFactory, OrganisationFactory, enrol, make_lessons
from tests.learners.helpers import send_lessons

pytestmark = pytest.mark.django_db

URL = "/me/"


def test_my_courses_needs_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_my_courses_shows_progress_and_the_lessons_received(eva_client: Client, eva_enrolment: Enrolment) -> None:
    first, second, third = Delivery.objects.filter(enrolment=eva_enrolment).order_by("position")
    delivery_answer(delivery=first, option=1, now=dt.datetime(2027, 3, 2, tzinfo=dt.UTC))  # right
    delivery_answer(delivery=second, option=0, now=dt.datetime(2027, 3, 4, tzinfo=dt.UTC))  # wrong

    html = eva_client.get(URL).content.decode()

    assert "Iedereen mee met sociale media" in html
    assert "Gemeente Avelgem" in html
    assert "Les 3 van 5 · 2 afgerond" in html
    assert '<progress class="bar" max="100" value="40"' in html
    for delivery in (first, second, third):
        assert reverse("lessons:page", args=[delivery_token(delivery.pk)]) in html
        assert f"Les nummer {delivery.position}" in html
    english = Client()
    english.force_login(eva_enrolment.membership.user)
    english.cookies["django_language"] = "en"
    html = english.get(URL).content.decode()
    assert html.count("answered right") == 1
    assert html.count("answered wrong") == 1
    assert html.count("not answered yet") == 1
    assert "Lesson 3 of 5 · 2 completed" in html


def test_the_next_lesson_is_shown_in_the_organisations_time_zone(eva_client: Client, eva_enrolment: Enrolment) -> None:
    organisation = eva_enrolment.membership.organisation
    organisation.timezone = "America/New_York"
    organisation.save()
    # 08:30 in New York, 14:30 in Brussels.
    Enrolment.objects.filter(pk=eva_enrolment.pk).update(next_due_at=dt.datetime(2027, 3, 15, 12, 30, tzinfo=dt.UTC))
    eva_client.cookies["django_language"] = "en"
    html = eva_client.get(URL).content.decode()
    assert "Next lesson: Monday 15 March 2027, 08:30" in html


def test_only_my_own_enrolments_are_listed(eva_client: Client, eva_enrolment: Enrolment) -> None:
    other_course = CourseFactory.create(title="Een cursus van iemand anders")
    make_lessons(other_course, 2)
    enrol(other_course, start=dt.date(2027, 3, 1))
    html = eva_client.get(URL).content.decode()
    assert "Een cursus van iemand anders" not in html


@pytest.mark.parametrize("lesson_count", [3, 40])
def test_my_courses_takes_the_same_queries_however_many_lessons(
    eva_client: Client, eva_enrolment: Enrolment, django_assert_max_num_queries, lesson_count: int
) -> None:  # type: ignore[no-untyped-def]
    course = CourseFactory.create(title="Tweede cursus")
    lessons = make_lessons(course, lesson_count)
    second = enrol(
        course, organisation=OrganisationFactory.create(), user=eva_enrolment.membership.user, start=dt.date(2027, 3, 1)
    )
    send_lessons(second, lessons)
    # session, user, enrolments, received lessons, the courses' modules (progress per module)
    with django_assert_max_num_queries(5):
        response = eva_client.get(URL)
    assert response.content.decode().count("/l/") == 3 + lesson_count


def test_my_courses_shows_progress_per_module_for_a_course_in_modules(
    eva_client: Client, eva_enrolment: Enrolment
) -> None:
    course = CourseFactory.create(title="Cursus in modules")
    lessons = make_lessons(course, 5, per_module=2)
    second = enrol(
        course, organisation=OrganisationFactory.create(), user=eva_enrolment.membership.user, start=dt.date(2027, 3, 1)
    )
    first, *_ = send_lessons(second, lessons[:3])
    delivery_answer(delivery=first, option=1, now=dt.datetime(2027, 3, 2, tzinfo=dt.UTC))
    html = eva_client.get(URL).content.decode()
    section = html[html.index(f'id="enrolment-{second.pk}"') :]
    section = section[: section.index("</section>")]
    assert 'data-module="1"><strong id="module-' in section
    assert "1 van 2 afgerond" in section
    assert "0 van 2 afgerond" in section
    assert "0 van 1 afgerond" in section
    assert 'value="50"' in section
    # A course of one module has no list of modules.
    other = html[html.index(f'id="enrolment-{eva_enrolment.pk}"') :]
    assert 'class="modules"' not in other[: other.index("</section>")]

"""The learner's pages, opened from a lesson mail, take a fixed handful of queries.

These are the most requested pages of all (every learner, three times a week,
often within minutes of 08:30), measured under load by `make bench`
(bench/lesson_load.py, docs/performance.md). The counts do not grow with the
course or the organisation.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from courses.models import Enrolment
from lessons.models import Delivery
from lessons.tokens import delivery_token
from organisations.models import Organisation
from tests.factories import CourseFactory, OrganisationFactory, enrol, make_lessons

pytestmark = pytest.mark.django_db

MONDAY = "2027-03-01T08:30:00+01:00"
# The delivery with its version, enrolment and course (one join). The course's lesson
# count for "Lesson 3 of 22" comes from the cache; when the cache is cold, one more.
# (A learner who completed every lesson costs one more: the link to their certificate.)
PAGE_COLD, PAGE = 2, 1
# The answer confirm page: the same.
CONFIRM = 1
# The delivery (with version, enrolment and course) and, when the cache is cold, the
# lesson count; then the answer. On PostgreSQL one statement records it (a conditional
# UPDATE: the first answer wins) and counts it on the enrolment; elsewhere those are two
# UPDATEs in a transaction (+3: one more UPDATE, and SAVEPOINT/RELEASE here, BEGIN/COMMIT in
# production).
# Aggregates and certificates follow in the fold (lessons/folding.py).
ANSWER = 3 if connection.vendor == "postgresql" else 3 + 3


@pytest.fixture
def delivered(outbox_dir: Path, run_tick):  # type: ignore[no-untyped-def]
    """Lesson 1 of 3 sent by a real tick to one learner in an organisation of several."""
    course = CourseFactory.create()
    make_lessons(course, 3)
    organisation = OrganisationFactory.create()
    enrolments = [enrol(course, organisation=organisation, start=dt.date(2027, 3, 1)) for _ in range(3)]
    run_tick(MONDAY)
    delivery = Delivery.objects.get(enrolment=enrolments[0], position=1)
    return delivery, delivery_token(delivery.pk)


def _larger(organisation: Organisation, course_lessons: int, run_tick) -> str:  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, course_lessons)
    enrolments = [enrol(course, organisation=organisation, start=dt.date(2027, 3, 1)) for _ in range(10)]
    run_tick(MONDAY)
    return delivery_token(Delivery.objects.get(enrolment=enrolments[0], position=1).pk)


def test_the_lesson_page_takes_one_query_once_the_lesson_count_is_cached(delivered, django_assert_num_queries):  # type: ignore[no-untyped-def]
    _, token = delivered
    with django_assert_num_queries(PAGE_COLD):
        Client().get(f"/l/{token}/")
    with django_assert_num_queries(PAGE):
        response = Client().get(f"/l/{token}/")
    assert response.status_code == 200
    assert "Les 1 van 3" in response.content.decode()


def test_the_lesson_page_of_an_answered_lesson_takes_as_many(delivered, django_assert_num_queries):  # type: ignore[no-untyped-def]
    _, token = delivered
    Client().post(f"/l/{token}/answer/2/", {"option": "2"})
    with django_assert_num_queries(PAGE):
        response = Client().get(f"/l/{token}/")
    assert "1 afgerond" in response.content.decode()


def test_the_answer_confirm_page_takes_one_query(delivered, django_assert_num_queries):  # type: ignore[no-untyped-def]
    _, token = delivered
    Client().get(f"/l/{token}/")
    with django_assert_num_queries(CONFIRM):
        response = Client().get(f"/l/{token}/answer/2/")
    assert b'value="2" checked' in response.content


def test_answering_takes_one_statement_after_the_lookup(delivered, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    delivery, token = delivered
    with django_assert_max_num_queries(ANSWER):
        response = Client().post(f"/l/{token}/answer/2/", {"option": "2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Juist!" in html
    assert "1 afgerond" in html
    delivery.refresh_from_db()
    assert delivery.answer_correct is True
    assert Enrolment.objects.get(pk=delivery.enrolment_id).lessons_completed == 1


def test_the_counts_do_not_grow_with_the_course_or_the_organisation(  # type: ignore[no-untyped-def]
    delivered, run_tick, django_assert_num_queries, django_assert_max_num_queries
):
    delivery, _ = delivered
    token = _larger(Organisation.objects.get(memberships__enrolments=delivery.enrolment_id), 20, run_tick)
    with django_assert_num_queries(PAGE_COLD):
        assert "Les 1 van 20" in Client().get(f"/l/{token}/").content.decode()
    with django_assert_num_queries(CONFIRM):
        Client().get(f"/l/{token}/answer/1/")
    with django_assert_max_num_queries(ANSWER):
        assert Client().post(f"/l/{token}/answer/1/", {"option": "1"}).status_code == 200

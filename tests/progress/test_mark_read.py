"""Mark as read: it completes a lesson without a question, once, and only by POST."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from courses.models import Enrolment
from lessons.models import DailyCompletion, Delivery, EnrolmentStats, LessonStats
from lessons.tokens import delivery_token
from progress.answers import delivery_answer, delivery_mark_read
from tests.factories import CourseFactory, enrol, fold, make_lessons
from tests.learners.helpers import send_lessons, without_questions

NOW = dt.datetime(2027, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def deliveries(db) -> list[Delivery]:  # type: ignore[no-untyped-def]
    """Three lessons received: 1 and 3 have a question, 2 is reading only."""
    course = CourseFactory.create()
    lessons = make_lessons(course, 3)
    without_questions([lessons[1]])
    return send_lessons(enrol(course, start=dt.date(2027, 3, 1)), lessons)


def read_url(delivery: Delivery) -> str:
    return reverse("lessons:read", args=[delivery_token(delivery.pk)])


def counters(delivery: Delivery) -> tuple:
    """The learner's count, and the aggregates once the fold has counted what happened."""
    fold()
    delivery.refresh_from_db()
    enrolment = Enrolment.objects.get(pk=delivery.enrolment_id)
    lesson = LessonStats.objects.filter(lesson=delivery.lesson_id).values_list("opened", "read", "completed").first()
    stats = EnrolmentStats.objects.filter(enrolment=enrolment).values_list("opened", "read").first()
    days = sum(DailyCompletion.objects.values_list("completed", flat=True))
    return enrolment.lessons_completed, lesson, stats, days


def test_marking_a_lesson_without_question_as_read_completes_it(deliveries):  # type: ignore[no-untyped-def]
    reading = deliveries[1]
    response = Client().post(read_url(reading))
    assert response.status_code == 302
    assert response["Location"] == reverse("lessons:page", args=[delivery_token(reading.pk)])
    assert counters(reading) == (1, (1, 1, 1), (1, 1), 1)
    assert reading.opened_at is not None
    assert reading.read_at == reading.completed_at


def test_marking_a_lesson_with_a_question_as_read_does_not_complete_it(deliveries):  # type: ignore[no-untyped-def]
    question = deliveries[0]
    Client().post(read_url(question))
    assert counters(question) == (0, (1, 1, 0), (1, 1), 0)
    assert question.read_at is not None
    assert question.completed_at is None


def test_answering_a_lesson_already_marked_read_completes_it_once(deliveries):  # type: ignore[no-untyped-def]
    question = deliveries[0]
    delivery_mark_read(delivery=question, now=NOW)
    delivery_answer(delivery=question, option=1, now=NOW)
    delivery_mark_read(delivery=question, now=NOW)
    assert counters(question) == (1, (1, 1, 1), (1, 1), 1)


def test_marking_as_read_twice_counts_once(deliveries):  # type: ignore[no-untyped-def]
    reading = deliveries[1]
    Client().post(read_url(reading))
    first = counters(reading)
    completed_at = reading.completed_at
    Client().post(read_url(reading))
    assert counters(reading) == first == (1, (1, 1, 1), (1, 1), 1)
    assert reading.completed_at == completed_at


@pytest.mark.django_db(transaction=True)
def test_double_submits_at_the_same_moment_complete_the_lesson_once():
    course = CourseFactory.create()
    lessons = make_lessons(course, 2)
    without_questions(lessons)
    reading = send_lessons(enrol(course, start=dt.date(2027, 3, 1)), lessons)[0]
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait()
            Client().post(read_url(reading))
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert counters(reading) == (1, (1, 1, 1), (1, 1), 1)


@pytest.mark.django_db(transaction=True)
def test_answers_submitted_at_the_same_moment_record_the_first_and_count_once():
    """On PostgreSQL the answer is one statement; the row lock and its condition let one through."""
    course = CourseFactory.create()
    lessons = make_lessons(course, 2)
    question = send_lessons(enrol(course, start=dt.date(2027, 3, 1)), lessons)[0]
    answer_url = reverse("lessons:answer", args=[delivery_token(question.pk), 1])
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def submit(option: int) -> None:
        try:
            barrier.wait()
            assert Client().post(answer_url, {"option": str(option)}).status_code == 200
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(1 + i % 2,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    question.refresh_from_db()
    assert question.answer in (0, 1)
    assert Enrolment.objects.get(pk=question.enrolment_id).lessons_completed == 1
    fold()
    assert LessonStats.objects.get(lesson=question.lesson_id).completed == 1


def test_mark_as_read_is_a_cookieless_post_that_needs_no_csrf_token(deliveries):  # type: ignore[no-untyped-def]
    response = Client(enforce_csrf_checks=True).post(read_url(deliveries[1]))
    assert response.status_code == 302
    assert counters(deliveries[1])[0] == 1


def test_a_get_on_the_mark_as_read_address_is_refused_and_changes_nothing(deliveries):  # type: ignore[no-untyped-def]
    assert Client().get(read_url(deliveries[1])).status_code == 405
    deliveries[1].refresh_from_db()
    assert (deliveries[1].read_at, deliveries[1].completed_at) == (None, None)


def test_a_forged_token_cannot_mark_anything_read(deliveries):  # type: ignore[no-untyped-def]
    assert Client().post("/l/1.forged-signature/read/").status_code == 404


def test_the_lesson_page_shows_the_button_then_read_then_completed(deliveries):  # type: ignore[no-untyped-def]
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    question, reading = deliveries[0], deliveries[1]
    page = reverse("lessons:page", args=[delivery_token(question.pk)])
    html = client.get(page).content.decode()
    assert "Mark as read" in html
    assert "data-state" not in html

    client.post(read_url(question))
    html = client.get(page).content.decode()
    assert 'data-state="read"' in html
    assert "Answer the question to complete it." in html
    assert "Mark as read" not in html

    html = client.get(client.post(read_url(reading))["Location"]).content.decode()
    assert 'data-state="completed"' in html
    assert "Lesson 2 of 3 · 1 completed" in html

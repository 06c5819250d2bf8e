"""Reminders: one gentle mail after three incomplete lessons, at a slot, at most once a week."""

import datetime as dt
import threading
from pathlib import Path

import pytest
from django.db import connection

from courses.models import Course, Enrolment, Reminder
from lessons.models import Delivery, Lesson
from organisations.models import ClosurePeriod
from progress.answers import delivery_answer
from progress.reminders import reminders_send_due
from tests.factories import CourseFactory, OrganisationFactory, aware, enrol, make_lessons, send_outbox
from tests.learners.helpers import mails_in, send_lessons

WEDNESDAY = aware("2027-03-10T08:30:00+01:00")  # a slot of the Mon/Wed/Fri 08:30 course


@pytest.fixture
def course(db) -> Course:  # type: ignore[no-untyped-def]
    course = CourseFactory.create(title="Sociale media")
    make_lessons(course, 6)
    return course


def lessons_of(course: Course) -> list[Lesson]:
    return list(course.lessons.order_by("position"))


def behind(course: Course, *, sent: int = 3, completed: tuple[int, ...] = (), **kwargs) -> Enrolment:  # type: ignore[no-untyped-def]
    """A learner who received ``sent`` lessons and completed those at ``completed`` positions."""
    enrolment = enrol(course, start=dt.date(2027, 3, 1), **kwargs)
    deliveries = send_lessons(enrolment, lessons_of(course)[:sent])
    for delivery in deliveries:
        if delivery.position in completed:
            delivery_answer(delivery=delivery, option=1, now=WEDNESDAY - dt.timedelta(days=1))
    return enrolment


def test_a_learner_with_three_incomplete_lessons_gets_one_reminder(course, outbox_dir: Path):  # type: ignore[no-untyped-def]
    enrolment = behind(course)
    assert reminders_send_due(now=WEDNESDAY) == 1
    send_outbox()
    (mail,) = mails_in(outbox_dir)
    assert mail["To"] == enrolment.membership.user.email
    assert "Sociale media" in mail["Subject"]
    html_part = mail.get_body(("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert f"{enrolment.membership.user.first_name}," in html
    assert 'style="' in html  # CSS inlined for mail clients
    assert Reminder.objects.filter(enrolment=enrolment, week=dt.date(2027, 3, 8)).count() == 1


@pytest.mark.parametrize(
    ("sent", "completed"),
    [(2, ()), (3, (1,)), (3, (3,)), (5, (4,))],
    ids=["two-sent", "oldest-of-three-completed", "latest-completed", "one-of-last-three-completed"],
)
def test_no_reminder_before_three_delivered_lessons_in_a_row_are_incomplete(course, outbox_dir, sent, completed):  # type: ignore[no-untyped-def]
    behind(course, sent=sent, completed=completed)
    assert reminders_send_due(now=WEDNESDAY) == 0
    send_outbox()
    assert mails_in(outbox_dir) == []


def test_three_incomplete_after_a_completed_one_do_get_a_reminder(course, outbox_dir):  # type: ignore[no-untyped-def]
    behind(course, sent=4, completed=(1,))
    assert reminders_send_due(now=WEDNESDAY) == 1
    send_outbox()


def test_lessons_still_being_sent_do_not_count_as_delivered(course, outbox_dir):  # type: ignore[no-untyped-def]
    enrolment = behind(course)
    Delivery.objects.filter(enrolment=enrolment, position=3).update(status=Delivery.Status.SENDING)
    assert reminders_send_due(now=WEDNESDAY) == 0
    send_outbox()


@pytest.mark.parametrize(
    "moment",
    [
        "2027-03-10T08:29:00+01:00",
        "2027-03-10T08:45:00+01:00",
        "2027-03-10T14:30:00+01:00",
        "2027-03-09T08:30:00+01:00",
    ],
    ids=["before-the-slot", "after-the-window", "afternoon", "not-a-course-weekday"],
)
def test_reminders_go_out_only_at_a_slot_time(course, outbox_dir, moment):  # type: ignore[no-untyped-def]
    behind(course)
    assert reminders_send_due(now=aware(moment)) == 0
    send_outbox()
    assert reminders_send_due(now=aware("2027-03-10T08:44:59+01:00")) == 1
    send_outbox()


def test_the_slot_is_in_the_organisations_time_zone(course, outbox_dir):  # type: ignore[no-untyped-def]
    behind(course, organisation=OrganisationFactory.create(timezone="Europe/Lisbon", holiday_country="PT"))
    assert reminders_send_due(now=WEDNESDAY) == 0  # 07:30 in Lisbon
    send_outbox()
    assert reminders_send_due(now=aware("2027-03-10T08:30:00+00:00")) == 1
    send_outbox()


def test_no_reminder_on_a_public_holiday(course, outbox_dir):  # type: ignore[no-untyped-def]
    behind(course)
    assert reminders_send_due(now=aware("2027-03-29T08:30:00+02:00")) == 0  # Easter Monday in Belgium
    send_outbox()
    assert reminders_send_due(now=aware("2027-03-31T08:30:00+02:00")) == 1  # the next slot
    send_outbox()


def test_no_reminder_on_a_closure_day(course, outbox_dir):  # type: ignore[no-untyped-def]
    enrolment = behind(course)
    ClosurePeriod.objects.create(
        organisation=enrolment.membership.organisation, start=dt.date(2027, 3, 8), end=dt.date(2027, 3, 10)
    )
    assert reminders_send_due(now=WEDNESDAY) == 0
    send_outbox()
    assert reminders_send_due(now=aware("2027-03-12T08:30:00+01:00")) == 1
    send_outbox()


def test_at_most_one_reminder_a_week(course, outbox_dir):  # type: ignore[no-untyped-def]
    behind(course)
    sent = []
    for moment in [
        "2027-03-10T08:30:00+01:00",
        "2027-03-10T08:30:00+01:00",
        "2027-03-12T08:30:00+01:00",
        "2027-03-15T08:30:00+01:00",  # a new week, but only five days later
        "2027-03-17T08:30:00+01:00",  # seven days later
    ]:
        sent.append(reminders_send_due(now=aware(moment)))
        send_outbox()
    assert sent == [1, 0, 0, 0, 1]
    assert len(mails_in(outbox_dir)) == 2


def test_the_cadence_is_set_per_course_and_zero_switches_reminders_off(course, outbox_dir):  # type: ignore[no-untyped-def]
    behind(course)
    Course.objects.filter(pk=course.pk).update(reminder_every_days=14)
    assert [reminders_send_due(now=WEDNESDAY + dt.timedelta(days=days)) for days in (0, 7, 14)] == [1, 0, 1]
    send_outbox()
    Course.objects.filter(pk=course.pk).update(reminder_every_days=0)
    assert reminders_send_due(now=WEDNESDAY + dt.timedelta(days=28)) == 0
    send_outbox()


def test_no_reminder_when_the_learner_switched_them_off_or_paused(course, outbox_dir):  # type: ignore[no-untyped-def]
    switched_off = behind(course)
    paused = behind(course)
    Enrolment.objects.filter(pk=switched_off.pk).update(reminders_enabled=False)
    Enrolment.objects.filter(pk=paused.pk).update(status=Enrolment.Status.PAUSED)
    assert reminders_send_due(now=WEDNESDAY) == 0
    send_outbox()


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_each_reminder_once(outbox_dir):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 3)
    enrolments = [behind(course) for _ in range(20)]
    barrier = threading.Barrier(4)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(reminders_send_due(now=WEDNESDAY))
            send_outbox()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(results) == len(enrolments)
    assert sorted(mail["To"] for mail in mails_in(outbox_dir)) == sorted(e.membership.user.email for e in enrolments)
    assert Reminder.objects.count() == len(enrolments)


# The candidates (one query with subqueries), the calendars (organisations, courses, closures), the
# claims (an insert and a select), and the outbox (an insert and a select) in one transaction (2).
BUDGET = 1 + 3 + 2 + 2 + 2


@pytest.mark.parametrize("learners", [3, 60])
def test_the_query_count_does_not_grow_with_the_number_of_learners(
    course, outbox_dir, learners, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    for _ in range(learners):
        behind(course)
    with django_assert_max_num_queries(BUDGET):
        assert reminders_send_due(now=WEDNESDAY) == learners
    assert send_outbox() == learners

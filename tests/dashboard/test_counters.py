"""The stored counters the dashboard reads stay right through planning, answering, opening and reading."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from drip.tick import drip_tick
from lessons.models import DailyCompletion, Delivery, EnrolmentStats, LessonStats
from progress.answers import delivery_answer
from progress.reads import delivery_record_open, delivery_record_read
from tests.factories import CourseFactory, OrganisationFactory, enrol, enrol_many, fold, make_lessons

pytestmark = pytest.mark.django_db


def funnel(small_org, position):  # type: ignore[no-untyped-def]
    stats = LessonStats.objects.get(organisation=small_org.organisation, lesson__position=position)
    return (stats.sent, stats.opened, stats.read, stats.completed, stats.correct)


def test_planning_and_answering_keep_the_lesson_funnel_counted(small_org):  # type: ignore[no-untyped-def]
    assert [funnel(small_org, position) for position in (1, 2, 3, 4)] == [
        (3, 2, 1, 2, 1),
        (3, 1, 1, 1, 1),
        (3, 1, 0, 1, 1),
        (3, 1, 0, 1, 0),
    ]
    assert not LessonStats.objects.filter(lesson__position=5).exists()


def test_enrolment_counters_match_the_delivery_history(small_org):  # type: ignore[no-untyped-def]
    for enrolment in (small_org.eva, small_org.jonas, small_org.lotte):
        deliveries = Delivery.objects.filter(enrolment=enrolment)
        stats = EnrolmentStats.objects.filter(enrolment=enrolment).first()
        assert enrolment.lessons_sent == deliveries.count()
        assert enrolment.lessons_completed == deliveries.filter(completed_at__isnull=False).count()
        assert (stats.opened if stats else 0) == deliveries.filter(opened_at__isnull=False).count()
        assert (stats.read if stats else 0) == deliveries.filter(read_at__isnull=False).count()
        assert (stats.correct if stats else 0) == deliveries.filter(answer_correct=True).count()


def test_completions_are_counted_on_the_organisations_local_day(small_org):  # type: ignore[no-untyped-def]
    (row,) = DailyCompletion.objects.filter(organisation=small_org.organisation)
    assert row.day == timezone.now().astimezone(small_org.organisation.tz).date()
    assert row.completed == 5


def test_a_second_answer_open_or_read_counts_nothing(small_org):  # type: ignore[no-untyped-def]
    delivery = Delivery.objects.get(enrolment=small_org.eva, position=1)
    before = funnel(small_org, 1)
    delivery_answer(delivery=delivery, option=0, now=timezone.now())
    fold()
    assert delivery_record_open(delivery=delivery, at=timezone.now()) is False
    assert delivery_record_read(delivery=delivery, at=timezone.now()) is False
    assert funnel(small_org, 1) == before
    assert DailyCompletion.objects.get(organisation=small_org.organisation).completed == 5


def test_reading_a_lesson_also_counts_it_opened(small_org):  # type: ignore[no-untyped-def]
    delivery = Delivery.objects.get(enrolment=small_org.lotte, position=2)
    assert delivery_record_read(delivery=delivery, at=timezone.now()) is True
    assert funnel(small_org, 2)[:3] == (3, 2, 2)
    stats = EnrolmentStats.objects.get(enrolment=small_org.lotte)
    assert (stats.opened, stats.read, stats.correct) == (1, 1, 0)


def test_each_organisation_counts_its_own_sends_of_a_shared_course():  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 2)
    monday = dt.datetime.fromisoformat("2027-03-01T08:30:00+01:00")
    first, second = OrganisationFactory.create(), OrganisationFactory.create()
    enrol_many(course, first, 30, start=monday.date())
    enrol_many(course, second, 7, start=monday.date())
    enrol(course, organisation=second, start=monday.date())
    drip_tick(now=monday, dispatch=lambda batch_id: None)
    counts = dict(LessonStats.objects.filter(lesson__position=1).values_list("organisation_id", "sent"))
    assert counts == {first.pk: 30, second.pk: 8}


def test_the_backfill_migration_rebuilds_the_counters_the_code_keeps(small_org):  # type: ignore[no-untyped-def]
    backfill = importlib.import_module("lessons.migrations.0003_backfill_progress_counters").backfill

    def snapshot() -> tuple[list, list, list]:
        return (
            sorted(LessonStats.objects.values_list("organisation_id", "lesson_id", "sent", "completed", "correct")),
            sorted(EnrolmentStats.objects.filter(correct__gt=0).values_list("enrolment_id", "correct")),
            sorted(DailyCompletion.objects.values_list("organisation_id", "course_id", "day", "completed")),
        )

    live = snapshot()
    for model in (LessonStats, EnrolmentStats, DailyCompletion):
        model.objects.all().delete()
    backfill(apps, None)
    assert snapshot() == live

"""The fold counts each completion into the aggregates exactly once, a few seconds later."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from lessons.models import DailyCompletion, Delivery, EnrolmentStats, LessonStats
from progress.answers import delivery_answer
from progress.folding import progress_fold
from progress.tasks import fold_progress
from tests.factories import CourseFactory, OrganisationFactory, enrol_many, make_lessons
from tests.learners.helpers import send_lessons


def answered_course(learners: int) -> list[Delivery]:
    course = CourseFactory.create()
    lessons = make_lessons(course, 2)
    enrolments = enrol_many(course, OrganisationFactory.create(), learners, start=dt.date(2027, 3, 1))
    deliveries = [send_lessons(enrolment, lessons[:1])[0] for enrolment in enrolments]
    for index, delivery in enumerate(deliveries):
        delivery_answer(delivery=delivery, option=1 if index % 2 == 0 else 0, now=timezone.now())
    return deliveries


@pytest.mark.django_db
def test_answers_reach_the_aggregates_only_through_the_fold_and_only_once():
    answered_course(6)
    assert not LessonStats.objects.filter(completed__gt=0).exists()
    report = progress_fold(now=timezone.now())
    assert report.counted == 6
    stats = LessonStats.objects.get()
    assert (stats.completed, stats.correct) == (6, 3)
    assert sum(DailyCompletion.objects.values_list("completed", flat=True)) == 6
    assert sum(EnrolmentStats.objects.values_list("correct", flat=True)) == 3
    assert progress_fold(now=timezone.now()).counted == 0
    assert LessonStats.objects.get().completed == 6
    assert not Delivery.objects.filter(completed_at__isnull=False, counted_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_folds_at_once_count_every_completion_once():
    answered_course(40)
    barrier = threading.Barrier(2)

    def fold() -> None:
        try:
            barrier.wait()
            progress_fold(now=timezone.now(), limit=15)
            progress_fold(now=timezone.now(), limit=15)
            progress_fold(now=timezone.now(), limit=15)
        finally:
            connection.close()

    threads = [threading.Thread(target=fold) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert LessonStats.objects.get().completed == 40
    assert sum(DailyCompletion.objects.values_list("completed", flat=True)) == 40


@pytest.mark.django_db
def test_the_fold_task_runs_every_few_seconds_on_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["fold-progress"]
    assert entry["task"] == fold_progress.name
    assert entry["schedule"] == 5.0
    answered_course(3)
    assert fold_progress.apply().get() == 3

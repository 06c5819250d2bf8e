"""The order through the studio's buttons: moves within and between modules, inserting, unpublishing.
Whatever the trainer does, learners in the middle of the course keep what they received, and their
next lesson is the first published one, in the new order, that they have not received."""

import datetime as dt

import pytest

from courses.models import Enrolment
from lessons.models import Delivery, Lesson
from tests.factories import OrganisationFactory, enrol
from tests.studio.conftest import Studio
from tests.studio.helpers import MONDAY, tick, url

pytestmark = pytest.mark.django_db


def order(studio: Studio) -> list[str]:
    return list(
        Lesson.objects.filter(course=studio.course).order_by("module__position", "order").values_list("slug", flat=True)
    )


def test_moving_up_and_down_within_and_across_modules(studio: Studio) -> None:
    les = {lesson.slug: lesson for lesson in studio.lessons}
    move = lambda slug, direction: studio.client.post(  # noqa: E731
        url("lesson_move", studio, lesson_id=les[slug].pk), {"direction": direction}
    )
    move("les-2", "up")
    assert order(studio) == ["les-2", "les-1", "les-3", "les-4", "les-5", "les-6"]
    move("les-3", "down")  # the last of module 1 goes to the start of module 2
    assert order(studio) == ["les-2", "les-1", "les-3", "les-4", "les-5", "les-6"]
    les["les-3"].refresh_from_db()
    assert les["les-3"].module.slug == "module-2"
    move("les-3", "up")  # and back to the end of module 1
    les["les-3"].refresh_from_db()
    assert les["les-3"].module.slug == "module-1"
    assert order(studio) == ["les-2", "les-1", "les-3", "les-4", "les-5", "les-6"]


def test_a_reorder_and_an_insert_keep_each_learners_next_lesson(studio: Studio) -> None:
    organisation = OrganisationFactory.create(holiday_country="")
    eva = enrol(studio.course, organisation=organisation, start=MONDAY.date())
    tick(MONDAY)
    tick(MONDAY + dt.timedelta(days=2))  # Eva has les-1 and les-2
    les = {lesson.slug: lesson for lesson in studio.lessons}

    # les-5 moves to the top, a new lesson is inserted before les-3 and published, les-3 is unpublished.
    for _ in range(5):
        studio.client.post(url("lesson_move", studio, lesson_id=les["les-5"].pk), {"direction": "up"})
    module_1 = les["les-1"].module
    studio.client.post(url("lesson_new", studio) + f"?module={module_1.pk}&index=3", {"title": "Nieuwe les"})
    new = Lesson.objects.get(slug="nieuwe-les")
    studio.client.post(url("lesson_publish", studio, lesson_id=new.pk), {"published": "1"})
    studio.client.post(url("lesson_publish", studio, lesson_id=les["les-3"].pk), {"published": "0"})
    assert order(studio) == ["les-5", "les-1", "les-2", "nieuwe-les", "les-3", "les-4", "les-6"]

    eva.refresh_from_db()
    next_lesson = Lesson.objects.get(course=studio.course, position=eva.next_position)
    assert next_lesson.slug == "les-5"  # the first published lesson, in the new order, she lacks
    friday = MONDAY + dt.timedelta(days=4)
    for day in range(0, 14):
        tick(friday + dt.timedelta(days=day))
    received = list(
        Delivery.objects.filter(enrolment=eva).order_by("created_at", "pk").values_list("lesson__slug", flat=True)
    )
    assert received[:2] == ["les-1", "les-2"]
    assert sorted(received) == sorted(set(received))  # none twice
    assert set(received) == {"les-1", "les-2", "les-5", "nieuwe-les", "les-4", "les-6"}  # none skipped
    assert "les-3" not in received
    eva.refresh_from_db()
    assert eva.status == Enrolment.Status.FINISHED


def test_a_drop_puts_the_lesson_at_an_index_of_a_module(studio: Studio) -> None:
    les = {lesson.slug: lesson for lesson in studio.lessons}
    module_2 = les["les-4"].module
    move = url("lesson_move", studio, lesson_id=les["les-1"].pk)
    assert studio.client.post(move, {"module": module_2.pk, "index": 1}).status_code == 302
    assert order(studio) == ["les-2", "les-3", "les-4", "les-1", "les-5", "les-6"]
    les["les-1"].refresh_from_db()
    assert les["les-1"].module == module_2
    assert studio.client.post(move, {"module": 999999, "index": 0}).status_code == 404

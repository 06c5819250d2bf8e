"""The reorder rule, with learners in the middle of the course: a reorder, an insert, a move between
modules or unpublishing never changes what learners received, and each learner's next lesson is the
first published lesson, in the new order, that they have not received. No lesson is skipped, none
is sent twice, and no slot is wasted. Run on SQLite and on PostgreSQL (CI's second pass)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.models import Enrolment
from lessons.authoring import (
    lesson_create,
    lesson_move,
    lesson_publish,
    lesson_unpublish,
    lessons_reorder,
    module_move,
)
from lessons.models import Delivery, Lesson, Module
from tests.factories import CourseFactory, make_lessons
from tests.lessons.classroom import Classroom, assert_drip_order
from tests.lessons.course_folders import BODY

pytestmark = pytest.mark.django_db


def lesson(slug: str) -> Lesson:
    return Lesson.objects.get(slug=slug)


def module(position: int) -> Module:
    return Module.objects.get(position=position)


@pytest.fixture
def classroom(outbox_dir) -> Classroom:  # type: ignore[no-untyped-def]
    """Twelve lessons in three modules of four; four learners who started a slot apart, four slots in:
    they have received 4, 3, 2 and 1 lessons."""
    course = CourseFactory.create()
    make_lessons(course, 12, per_module=4)
    room = Classroom(course, 4)
    for _ in range(4):
        room.slot_as_the_rule_says()
    assert [len(lessons) for lessons in room.received().values()] == [4, 3, 2, 1]
    return room


def finish(room: Classroom) -> None:
    while any(lesson is not None for lesson in room.expected().values()):
        room.slot_as_the_rule_says()
    room.slot()  # past the last lesson: finished
    published = set(room.course_order())
    for lessons in room.received().values():
        assert published <= set(lessons)


def test_a_lesson_inserted_before_what_learners_received_comes_next_and_wastes_no_slot(classroom: Classroom):
    received = classroom.received()
    new = lesson_create(module=module(1), slug="nieuw", title="Nieuw", summary="", body_markdown=BODY, index=0)
    assert classroom.received() == received
    # Everyone gets the new lesson first; then the first who had received les-1…les-4 goes on to les-5.
    assert classroom.expected() == dict.fromkeys(received, new.pk)
    classroom.slot_as_the_rule_says()
    classroom.slot_as_the_rule_says()
    finish(classroom)


def test_moving_lessons_within_and_between_modules_reorders_what_is_still_to_come(classroom: Classroom):
    lessons_reorder(module=module(3), lessons=[lesson(s) for s in ("les-12", "les-9", "les-11", "les-10")])
    lesson_move(lesson=lesson("les-3"), module=module(3), index=1)  # received by two, not by the others
    lesson_move(lesson=lesson("les-10"), module=module(1), index=0)  # to the front: next for everyone
    module_move(module=module(3), index=1)
    slugs = dict(Lesson.objects.values_list("pk", "slug"))
    assert [slugs[pk] for pk in classroom.course_order()] == [
        "les-10", "les-1", "les-2", "les-4", "les-12", "les-3", "les-9", "les-11", "les-5", "les-6", "les-7", "les-8"
    ]  # fmt: skip
    classroom.slot_as_the_rule_says()
    assert set(classroom.received()[classroom.enrolments[0].pk][-1:]) == {lesson("les-10").pk}
    finish(classroom)


def test_unpublishing_stops_a_lesson_for_those_who_did_not_get_it_and_keeps_it_for_those_who_did(
    classroom: Classroom,
):
    first = classroom.enrolments[0]
    version = lesson("les-2").current_version
    lesson_unpublish(lesson=lesson("les-2"))  # received by the first three learners
    lesson_unpublish(lesson=lesson("les-6"))  # received by nobody yet
    assert Delivery.objects.get(enrolment=first, lesson=lesson("les-2")).version == version
    finish(classroom)
    last = classroom.received()[classroom.enrolments[3].pk]
    assert lesson("les-2").pk not in last
    assert lesson("les-6").pk not in classroom.received()[first.pk]
    assert Enrolment.objects.get(pk=first.pk).status == Enrolment.Status.FINISHED


def test_a_lesson_published_again_is_sent_to_those_who_missed_it_in_its_place(classroom: Classroom):
    lesson_unpublish(lesson=lesson("les-3"))
    classroom.slot_as_the_rule_says()
    lesson_publish(lesson=lesson("les-3"))
    # Those who had not received les-3 get it next: it is the first published lesson they lack.
    finish(classroom)


def test_a_paused_learner_resumes_with_the_first_lesson_they_lack_in_the_new_order(classroom: Classroom):
    paused = classroom.enrolments[1]
    Enrolment.objects.filter(pk=paused.pk).update(status=Enrolment.Status.PAUSED)
    lesson_move(lesson=lesson("les-9"), module=module(1), index=0)
    assert Enrolment.objects.get(pk=paused.pk).next_position == lesson("les-9").position == 1
    Enrolment.objects.filter(pk=paused.pk).update(status=Enrolment.Status.ACTIVE)
    finish(classroom)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("slot")),
        st.tuples(st.just("move"), st.integers(1, 8), st.integers(1, 3), st.integers(0, 4)),
        st.tuples(st.just("insert"), st.integers(1, 3), st.integers(0, 4)),
        st.tuples(st.just("unpublish"), st.integers(1, 8)),
        st.tuples(st.just("publish"), st.integers(1, 8)),
        st.tuples(st.just("module"), st.integers(1, 3), st.integers(0, 2)),
    ),
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=operations)
def test_whatever_the_trainer_does_between_slots_each_learner_gets_the_lesson_the_rule_names(steps):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 8, per_module=3)
    room = Classroom(course, 3)
    inserted = 0
    for step in steps:
        kind, *args = step
        lessons = {x.slug: x for x in Lesson.objects.filter(course=course)}
        modules = list(Module.objects.filter(course=course).order_by("position"))
        if kind == "slot":
            room.slot_as_the_rule_says()
        elif kind == "move" and f"les-{args[0]}" in lessons:
            lesson_move(lesson=lessons[f"les-{args[0]}"], module=modules[args[1] - 1], index=args[2])
        elif kind == "insert":
            inserted += 1
            lesson_create(
                module=modules[args[0] - 1], slug=f"nieuw-{inserted}", title=f"Nieuw {inserted}",
                summary="", body_markdown=BODY, index=args[1],
            )  # fmt: skip
        elif kind in ("publish", "unpublish") and f"les-{args[0]}" in lessons:
            lesson_publish(lesson=lessons[f"les-{args[0]}"], published=kind == "publish")
        elif kind == "module":
            module_move(module=modules[args[0] - 1], index=args[1])
        assert_drip_order(course)
    for _ in range(4):
        room.slot_as_the_rule_says()

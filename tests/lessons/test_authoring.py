"""The authoring services the folder import and the web editor share: every save is a version, every
order change keeps the drip's positions in step."""

import datetime as dt

import pytest

from lessons.authoring import (
    AuthoringError,
    lesson_check,
    lesson_create,
    lesson_delete,
    lesson_move,
    lesson_version_create,
    lessons_reorder,
    module_create,
    module_delete,
    module_move,
    module_update,
)
from lessons.models import Delivery, Lesson, LessonVersion, Module
from lessons.validation import LessonDraft, QuestionDraft
from tests.factories import CourseFactory, UserFactory, enrol, make_lessons
from tests.lessons.classroom import assert_drip_order
from tests.lessons.course_folders import BODY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

GUESSABLE = (
    "The right answer (32 characters) is much longer than every other option (at most 4): learners can guess it. "
    "Make the other options as specific as the right one."
)
LONGEST = (
    "The right answer is the longest option in 1 of 2 questions (at most a third): learners learn to pick the longest."
)
QUESTION = {"prompt": "Wat?", "options": ["Ja", "Nee"], "correct": 1, "explanation": "Zo."}


def test_every_save_makes_a_version_and_the_sent_one_stays_as_it_was():
    (lesson,) = make_lessons(CourseFactory.create(), 1)
    first = lesson.current_version
    assert first is not None
    trainer = UserFactory.create()
    second = lesson_version_create(
        lesson=lesson,
        title=" Nieuw ",
        summary="Kort",
        body_markdown="Tekst\r\nmet *nadruk*.  \n\n",
        question=QUESTION,
        by=trainer,
    )
    third = lesson_version_create(
        lesson=lesson, title="Nieuw", summary="Kort", body_markdown="Tekst\nmet *nadruk*.", question=QUESTION
    )
    assert [v.number for v in LessonVersion.objects.filter(lesson=lesson).order_by("number")] == [1, 2, 3]
    assert (second.title, second.body_markdown, second.created_by) == ("Nieuw", "Tekst\nmet *nadruk*.\n", trainer)
    assert second.body_html == "<p>Tekst\nmet <em>nadruk</em>.</p>"
    assert second.checksum == third.checksum  # the same text, the same checksum, whoever typed it
    lesson.refresh_from_db()
    assert lesson.current_version == third
    first.refresh_from_db()
    assert first.title == "Les nummer 1"


def test_a_save_with_an_error_is_refused_and_writes_nothing():
    (lesson,) = make_lessons(CourseFactory.create(), 1)
    with pytest.raises(AuthoringError) as caught:
        lesson_version_create(
            lesson=lesson,
            title="",
            summary="",
            body_markdown="x",
            question={"prompt": "Wat?", "options": ["Ja", "Nee"]},
        )
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("title", "The lesson has no title."),
        ("question.correct", "The question has no correct option: give the number of the right one."),
    ]
    assert LessonVersion.objects.count() == 1


def test_a_lesson_is_created_where_the_trainer_puts_it_and_positions_follow():
    course = CourseFactory.create()
    make_lessons(course, 4, per_module=2)
    second = Module.objects.get(course=course, position=2)
    new = lesson_create(
        module=second, slug="tussen", title="Tussen", summary="", body_markdown=BODY, question=QUESTION, index=1
    )
    assert list(second.lessons.order_by("order").values_list("slug", flat=True)) == ["les-3", "tussen", "les-4"]
    assert new.position == 4
    assert new.current_version is not None
    assert new.current_version.question == QUESTION
    assert_drip_order(course)
    with pytest.raises(AuthoringError, match="already has a lesson “tussen”"):
        lesson_create(module=second, slug="tussen", title="Twee", summary="", body_markdown=BODY)
    with pytest.raises(AuthoringError, match="A slug is lowercase"):
        lesson_create(module=second, slug="Met Spatie", title="Drie", summary="", body_markdown=BODY)


def test_modules_are_created_renamed_moved_and_removed_when_empty():
    course = CourseFactory.create()
    make_lessons(course, 4, per_module=2)
    new = module_create(course=course, slug="vooraf", title="Vooraf", intro="Eerst dit.", index=0)
    assert list(Module.objects.filter(course=course).order_by("position").values_list("slug", flat=True)) == [
        "vooraf", "module-1", "module-2"
    ]  # fmt: skip
    module_update(module=new, title="Eerst", intro="")
    new.refresh_from_db()
    assert (new.title, new.intro, new.slug) == ("Eerst", "", "vooraf")
    lesson_move(lesson=Lesson.objects.get(slug="les-4"), module=new)
    assert Lesson.objects.get(slug="les-4").position == 1
    module_move(module=new, index=2)
    assert Lesson.objects.get(slug="les-4").position == 4
    assert_drip_order(course)
    with pytest.raises(AuthoringError, match="Move or remove the module's lessons first"):
        module_delete(module=new)
    lesson_move(lesson=Lesson.objects.get(slug="les-4"), module=Module.objects.get(slug="module-2"))
    module_delete(module=new)
    assert not Module.objects.filter(pk=new.pk).exists()
    assert_drip_order(course)


def test_a_reorder_names_every_lesson_of_the_module_once():
    course = CourseFactory.create()
    lessons = make_lessons(course, 3)
    module = Module.objects.get(course=course)
    with pytest.raises(AuthoringError, match="names every lesson of the module once"):
        lessons_reorder(module=module, lessons=[lessons[0], lessons[0], lessons[1]])
    lessons_reorder(module=module, lessons=[lessons[2], lessons[0], lessons[1]])
    assert list(Lesson.objects.order_by("position").values_list("slug", flat=True)) == ["les-3", "les-1", "les-2"]


def test_a_lesson_nobody_received_can_be_deleted_one_that_went_out_cannot():
    course = CourseFactory.create()
    first, second, _ = make_lessons(course, 3)
    version = first.current_version
    assert version is not None
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    Delivery.objects.create(
        enrolment=enrolment, lesson=first, version=version, position=1, created_at=version.created_at
    )
    with pytest.raises(AuthoringError, match="unpublish it instead"):
        lesson_delete(lesson=first)
    lesson_delete(lesson=second)
    assert list(Lesson.objects.order_by("position").values_list("slug", "position")) == [("les-1", 1), ("les-3", 2)]


def test_the_editor_sees_the_lessons_problems_and_the_course_wide_ones_before_saving():
    course = CourseFactory.create()
    first, second = make_lessons(course, 2)
    # The factory's options are of equal length: with this draft, 1 of 2 right answers is the longest.
    draft = LessonDraft(
        title="Les nummer 1",
        summary="x" * 111,
        body_markdown=BODY,
        question=QuestionDraft("Wat?", ["Kort", "Het veel langere juiste antwoord"], 1),
    )
    assert [(p.level, p.field, p.message) for p in lesson_check(course=course, draft=draft, lesson=second)] == [
        ("warning", "question.options", GUESSABLE),
        ("warning", "summary", "The summary has 111 characters; the inbox shows about 110."),
        ("warning", "title", "Another lesson has the same title (les-1)."),
        ("warning", "", LONGEST),
    ]
    # Editing the lesson itself is no duplicate.
    assert [p.field for p in lesson_check(course=course, draft=draft, lesson=first)] == [
        "question.options",
        "summary",
        "",
    ]

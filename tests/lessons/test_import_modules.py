"""Importing a folder of module folders: a lesson is its slug, a move is a move, a sent lesson stays."""

import datetime as dt
import shutil
from pathlib import Path

import pytest

from courses.models import Course
from lessons.course_folder import CourseFolderError, read_course_folder
from lessons.course_sync import course_sync
from lessons.models import Delivery, Lesson, LessonVersion, Module
from tests.factories import enrol
from tests.lessons.course_folders import lesson_text, three_modules

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def sync(folder: Path, *, apply: bool = True):  # type: ignore[no-untyped-def]
    return course_sync(source=read_course_folder(folder), apply=apply)


def outline(course: Course) -> list[tuple[str, list[str]]]:
    return [
        (module.slug, list(module.lessons.order_by("order").values_list("slug", flat=True)))
        for module in Module.objects.filter(course=course).order_by("position")
    ]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return three_modules(tmp_path / "modulecursus")


def test_modules_and_lessons_import_in_course_order_and_a_second_run_changes_nothing(folder: Path):
    report = sync(folder)
    course = Course.objects.get(slug="modulecursus")
    assert report.course_created
    assert [m.slug for m in report.modules_added] == ["begin", "kanalen", "reageren"]
    assert outline(course) == [
        ("begin", ["welkom", "waarom", "zenden"]),
        ("kanalen", ["facebook", "instagram", "linkedin"]),
        ("reageren", ["basis", "klachten", "trollen"]),
    ]
    assert list(course.lessons.order_by("position").values_list("position", flat=True)) == list(range(1, 10))
    again = sync(folder)
    assert not again.has_changes
    assert again.summary() == "modulecursus: no changes (9 lessons unchanged)"
    assert LessonVersion.objects.count() == 9


def test_a_lesson_moved_to_another_module_folder_keeps_its_identity_and_versions(folder: Path):
    sync(folder)
    lesson = Lesson.objects.get(slug="zenden")
    version = lesson.current_version
    shutil.move(folder / "01-begin" / "003-zenden.md", folder / "02-kanalen" / "007-zenden.md")
    report = sync(folder)
    assert [(c.slug, c.from_module, c.module) for c in report.moved] == [("zenden", "begin", "kanalen")]
    assert report.added == report.removed == report.edited == []
    lesson.refresh_from_db()
    assert lesson.current_version == version
    assert lesson.module.slug == "kanalen"
    assert outline(lesson.course)[1] == ("kanalen", ["facebook", "instagram", "linkedin", "zenden"])


def test_a_plan_writes_nothing_and_applying_it_makes_exactly_that_change(folder: Path):
    sync(folder)
    path = folder / "02-kanalen" / "005-instagram.md"
    path.write_text(path.read_text(encoding="utf-8").replace("woord1 ", "woordje "), encoding="utf-8")
    plan = sync(folder, apply=False)
    assert [c.slug for c in plan.edited] == ["instagram"]
    assert not plan.applied
    assert LessonVersion.objects.count() == 9
    applied = sync(folder)
    assert applied.applied
    assert applied.as_dict() | {"applied": False} == plan.as_dict()
    assert Lesson.objects.get(slug="instagram").current_version.number == 2  # type: ignore[union-attr]


def test_inserting_a_lesson_reports_only_that_lesson_though_every_position_after_it_changes(folder: Path):
    sync(folder)
    (folder / "01-begin" / "001-vooraf.md").write_text(lesson_text("Vooraf"), encoding="utf-8")
    (folder / "01-begin" / "001-welkom.md").rename(folder / "01-begin" / "000-welkom.md")
    report = sync(folder)
    assert [c.slug for c in report.added] == ["vooraf"]
    assert report.moved == report.edited == report.removed == []
    assert Lesson.objects.get(slug="vooraf").position == 2
    assert Lesson.objects.get(slug="trollen").position == 10


def test_a_lesson_already_sent_cannot_be_removed_but_can_be_unpublished(folder: Path):
    sync(folder)
    lesson = Lesson.objects.get(slug="waarom")
    enrolment = enrol(lesson.course, start=dt.date(2027, 3, 1))
    version = lesson.current_version
    assert version is not None
    Delivery.objects.create(
        enrolment=enrolment, lesson=lesson, version=version, position=2, created_at=version.created_at
    )
    path = folder / "01-begin" / "002-waarom.md"
    text = path.read_text(encoding="utf-8")
    path.unlink()
    with pytest.raises(CourseFolderError) as caught:
        sync(folder)
    assert "“waarom” was removed from the folder but has already been sent" in caught.value.errors[0]
    assert Lesson.objects.filter(slug="waarom").exists()
    path.write_text(text.replace('summary: "', 'unpublished: true\nsummary: "'), encoding="utf-8")
    report = sync(folder)
    assert [c.slug for c in report.unpublished] == ["waarom"]
    lesson.refresh_from_db()
    assert not lesson.published
    assert lesson.position == 9  # out of the drip's reach: after the eight published lessons
    assert Delivery.objects.get().version == version


def test_a_lesson_nobody_received_is_removed_and_an_emptied_module_goes_with_it(folder: Path):
    sync(folder)
    shutil.rmtree(folder / "03-reageren")
    report = sync(folder)
    assert sorted(c.slug for c in report.removed) == ["basis", "klachten", "trollen"]
    assert [m.slug for m in report.modules_removed] == ["reageren"]
    assert not Module.objects.filter(slug="reageren").exists()
    assert Lesson.objects.count() == 6


def test_module_titles_intros_and_order_are_synced(folder: Path):
    sync(folder)
    (folder / "02-kanalen" / "module.yaml").write_text('title: "Kanalen"\nintro: "Anders."\n', encoding="utf-8")
    (folder / "01-begin").rename(folder / "04-begin")
    report = sync(folder)
    assert [(m.slug, m.fields) for m in report.modules_changed] == [("kanalen", ("intro",))]
    assert [m.slug for m in report.modules_moved] == ["begin"]
    assert report.moved == []
    course = Course.objects.get()
    assert [slug for slug, _ in outline(course)] == ["kanalen", "reageren", "begin"]
    assert list(course.lessons.order_by("position").values_list("slug", flat=True))[:1] == ["facebook"]


def test_a_flat_course_becomes_a_course_in_modules_and_its_old_module_goes(tmp_path: Path, folder: Path):
    flat = tmp_path / "flat"
    flat.mkdir()
    shutil.copy(folder / "course.yaml", flat / "course.yaml")
    for number, path in enumerate(sorted(folder.glob("*/*.md")), start=1):
        shutil.copy(path, flat / f"{number:03d}-{path.name[4:]}")
    sync(flat)
    assert outline(Course.objects.get())[0][0] == "modulecursus"
    report = sync(folder)
    assert [m.slug for m in report.modules_removed] == ["modulecursus"]
    assert len(report.moved) == 9
    assert report.added == report.removed == []
    assert [slug for slug, _ in outline(Course.objects.get())] == ["begin", "kanalen", "reageren"]

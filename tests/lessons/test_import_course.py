"""`manage.py import_course`: lessons as code, idempotent, versioned, all-or-nothing."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from courses.models import Course
from lessons.models import Delivery, Lesson, LessonVersion, Module
from lessons.validation import words
from tests.factories import enrol

pytestmark = pytest.mark.django_db

SAMPLE = Path(settings.BASE_DIR) / "content" / "iedereen-mee-met-sociale-media"


def import_course(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_course", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A single-level course folder (the format before modules): the sample's first module, flat."""
    target = tmp_path / "course"
    target.mkdir()
    shutil.copy(SAMPLE / "course.yaml", target)
    for path in sorted((SAMPLE / "01-waar-staan-we").glob("*.md")):
        shutil.copy(path, target)
    return target


def test_the_sample_course_imports_as_a_year_in_modules_and_a_second_run_reports_no_changes():
    first = import_course(SAMPLE)
    course = Course.objects.get(slug="iedereen-mee-met-sociale-media")
    count = course.lessons.count()
    assert count >= 150
    assert Module.objects.filter(course=course).count() >= 12
    assert f"lessons: {count} added" in first
    assert course.weekdays == [0, 2, 4]
    assert import_course(SAMPLE) == f"iedereen-mee-met-sociale-media: no changes ({count} lessons unchanged)"
    assert LessonVersion.objects.count() == count


def test_a_flat_folder_imports_into_one_module_named_after_the_course(folder: Path):
    import_course(folder)
    course = Course.objects.get(slug="iedereen-mee-met-sociale-media")
    (module,) = Module.objects.filter(course=course)
    assert (module.slug, module.title, module.position) == (course.slug, course.title, 1)
    lessons = list(course.lessons.order_by("position"))
    assert [lesson.order for lesson in lessons] == list(range(1, len(lessons) + 1))
    assert {lesson.module_id for lesson in lessons} == {module.pk}


def test_every_sample_lesson_is_150_to_400_words_with_a_check_question():
    import_course(SAMPLE)
    for lesson in Lesson.objects.select_related("current_version"):
        version = lesson.current_version
        assert version is not None
        count = words(version.body_markdown)  # counted as the editor and check_course count
        assert 150 <= count <= 400, (lesson.slug, count)
        assert version.has_question, lesson.slug
        assert version.question["explanation"], lesson.slug
        assert 0 <= version.question["correct"] < len(version.options)


def test_an_edited_lesson_gets_a_new_version_and_the_sent_one_is_kept(folder: Path):
    import_course(folder)
    lesson = Lesson.objects.get(position=2)
    old_version = lesson.current_version
    assert old_version is not None
    enrolment = enrol(lesson.course, start=lesson.course.created_at.date())
    Delivery.objects.create(
        enrolment=enrolment, lesson=lesson, version=old_version, position=2, created_at=old_version.created_at
    )
    path = sorted(folder.glob("002-*.md"))[0]
    path.write_text(path.read_text(encoding="utf-8") + "\nEen extra zin.\n", encoding="utf-8")

    assert "1 changed (new versions)" in import_course(folder)
    lesson.refresh_from_db()
    assert lesson.current_version is not None
    assert lesson.current_version.number == 2
    assert Delivery.objects.get().version == old_version
    old_version.refresh_from_db()
    assert "Een extra zin." not in old_version.body_markdown


def test_swapping_two_lessons_moves_one_without_new_versions(folder: Path):
    import_course(folder)
    first, second = sorted(folder.glob("00[12]-*.md"))
    first.rename(folder / ("002" + first.name[3:]))
    second.rename(folder / ("001" + second.name[3:]))
    report = import_course(folder)
    assert "1 moved" in report
    assert "0 changed" in report
    slugs = list(Lesson.objects.order_by("position").values_list("slug", flat=True))
    assert slugs[:2] == [second.name[4:-3], first.name[4:-3]]


def test_the_plan_reports_the_changes_and_writes_nothing(folder: Path):
    out = import_course(folder, "--plan")
    assert "planned: nothing was written" in out
    assert "lesson added: 001-" in out
    assert not Course.objects.exists()


def test_warnings_are_reported_and_do_not_stop_the_import(folder: Path):
    err = StringIO()
    call_command("import_course", str(folder), stdout=StringIO(), stderr=err)
    assert "002-waarom-sociale-media-ertoe-doen.md:1: warning: This lesson is outside a module" in err.getvalue()
    assert Course.objects.exists()


def test_a_bad_folder_is_reported_whole_and_writes_nothing(folder: Path):
    (folder / "099-kapot.md").write_text("geen front matter\n", encoding="utf-8")
    (folder / "Notes.md").write_text("---\ntitle: x\n---\nbody\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_course", str(folder), stdout=StringIO(), stderr=err)
    assert "099-kapot.md:1: error: A lesson starts with YAML front matter" in err.getvalue()
    assert "Notes.md: error: Lesson files are named NNN-slug.md" in err.getvalue()
    assert not Course.objects.exists()
    assert not Lesson.objects.exists()


def test_a_question_with_an_impossible_answer_is_refused_with_its_line(folder: Path):
    path = sorted(folder.glob("002-*.md"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("correct:", "correct: 9\n  was:", 1), encoding="utf-8")
    line = next(n for n, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "correct: 9" in row)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_course", str(folder), stdout=StringIO(), stderr=err)
    assert f"{path.name}:{line}: error: The correct option must be the number of one of the options" in err.getvalue()
    assert not Lesson.objects.exists()


def test_a_missing_folder_is_a_clear_error(tmp_path: Path):
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_course", str(tmp_path / "nope"), stdout=StringIO(), stderr=err)
    assert "not a folder" in err.getvalue()

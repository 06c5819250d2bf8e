"""Lessons as code both ways: an export imports with no changes, and an edited export imports with a
report that names exactly what was edited."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from courses.models import Course
from lessons.authoring import lesson_create, lesson_unpublish, module_create, module_update
from lessons.course_export import course_export, course_export_files, yaml_quote
from lessons.course_folder import read_course_folder
from lessons.course_sync import course_sync
from lessons.models import Lesson, Module
from tests.factories import CourseFactory, make_lessons
from tests.lessons.course_folders import lesson_text, three_modules

pytestmark = pytest.mark.django_db

SAMPLE = Path(settings.BASE_DIR) / "content" / "iedereen-mee-met-sociale-media"


def sync(folder: Path):  # type: ignore[no-untyped-def]
    return course_sync(source=read_course_folder(folder), apply=True)


def export(slug: str, folder: Path) -> None:
    call_command("export_course", slug, str(folder), stdout=StringIO())


@pytest.fixture
def built_course() -> Course:
    """A course built in code: modules with intros, questions, an unpublished lesson, awkward text."""
    course = CourseFactory.create(
        slug="gebouwd", title='Een "cursus": met tekens', description="Regel één\nregel twee", group_name="Groep"
    )
    make_lessons(course, 5, per_module=3)
    first = Module.objects.get(course=course, position=1)
    module_update(module=first, intro="Wat je leert: veel.")
    extra = module_create(course=course, slug="extra", title="Extra # module", intro="")
    lesson_create(
        module=extra,
        slug="zonder-vraag",
        title="Zonder vraag: ‘gewoon’ lezen",
        summary='Met "aanhalingstekens" en \\ backslash',
        body_markdown="Een tekst\r\nmet *opmaak*.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    )
    lesson_unpublish(lesson=Lesson.objects.get(course=course, slug="les-2"))
    return course


def test_exporting_a_course_built_in_code_and_importing_it_changes_nothing(built_course: Course, tmp_path: Path):
    export("gebouwd", tmp_path / "out")
    names = sorted(str(path.relative_to(tmp_path / "out")) for path in (tmp_path / "out").rglob("*.*"))
    assert names == [
        "01-module-1/001-les-1.md",
        "01-module-1/002-les-2.md",
        "01-module-1/003-les-3.md",
        "01-module-1/module.yaml",
        "02-module-2/004-les-4.md",
        "02-module-2/005-les-5.md",
        "02-module-2/module.yaml",
        "03-extra/006-zonder-vraag.md",
        "03-extra/module.yaml",
        "course.yaml",
    ]
    assert "unpublished: true" in (tmp_path / "out" / "01-module-1" / "002-les-2.md").read_text(encoding="utf-8")
    report = sync(tmp_path / "out")
    assert not report.has_changes, report.summary()
    assert report.unchanged == 6


def test_a_folder_in_the_module_format_survives_import_export_import(tmp_path: Path):
    folder = three_modules(tmp_path / "in")
    sync(folder)
    export("modulecursus", tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").rglob("*.md")) == sorted(p.name for p in folder.rglob("*.md"))
    assert not sync(tmp_path / "out").has_changes


def test_the_sample_course_exports_its_modules_and_imports_again_with_no_changes(tmp_path: Path):
    sync(SAMPLE)
    export("iedereen-mee-met-sociale-media", tmp_path / "out")
    folders = sorted(path.name for path in (tmp_path / "out").iterdir() if path.is_dir())
    assert folders == sorted(path.name for path in SAMPLE.iterdir() if path.is_dir())
    assert len(list((tmp_path / "out").glob("*/*.md"))) == len(list(SAMPLE.glob("*/*.md")))
    assert not sync(tmp_path / "out").has_changes


def test_a_flat_course_exports_as_one_module_folder_that_imports_with_no_changes(tmp_path: Path):
    flat = tmp_path / "flat"
    flat.mkdir()
    shutil.copy(SAMPLE / "course.yaml", flat)
    for path in sorted((SAMPLE / "01-waar-staan-we").glob("*.md")):
        shutil.copy(path, flat)
    sync(flat)
    export("iedereen-mee-met-sociale-media", tmp_path / "out")
    (folder,) = [path for path in (tmp_path / "out").iterdir() if path.is_dir()]
    assert folder.name == "01-iedereen-mee-met-sociale-media"
    assert len(list(folder.glob("*.md"))) == len(list(flat.glob("*.md")))
    assert not sync(tmp_path / "out").has_changes


def test_an_edited_export_reports_exactly_the_lessons_and_modules_that_changed(built_course: Course, tmp_path: Path):
    out = tmp_path / "out"
    export("gebouwd", out)
    edited = out / "01-module-1" / "003-les-3.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Dit is les", "Dit blijft les"), encoding="utf-8")
    shutil.move(out / "02-module-2" / "005-les-5.md", out / "01-module-1" / "000-les-5.md")
    (out / "02-module-2" / "004b-nieuw.md").write_text(lesson_text("Nieuw"), encoding="utf-8")
    (out / "02-module-2" / "004b-nieuw.md").rename(out / "02-module-2" / "0045-nieuw.md")
    again = out / "01-module-1" / "002-les-2.md"
    again.write_text(again.read_text(encoding="utf-8").replace("unpublished: true\n", ""), encoding="utf-8")
    unpublish = out / "01-module-1" / "001-les-1.md"
    text = unpublish.read_text(encoding="utf-8")
    unpublish.write_text(text.replace("summary:", "unpublished: true\nsummary:", 1), encoding="utf-8")
    (out / "03-extra" / "006-zonder-vraag.md").unlink()
    (out / "03-extra" / "module.yaml").write_text('title: "Extra # module"\nintro: "Nu met uitleg."\n', "utf-8")

    report = course_sync(source=read_course_folder(out))
    assert [c.slug for c in report.added] == ["nieuw"]
    assert [c.slug for c in report.edited] == ["les-3"]
    assert [(c.slug, c.from_module) for c in report.moved] == [("les-5", "module-2")]
    assert [c.slug for c in report.unpublished] == ["les-1"]
    assert [c.slug for c in report.republished] == ["les-2"]
    assert [c.slug for c in report.removed] == ["zonder-vraag"]
    assert [(m.slug, m.fields) for m in report.modules_changed] == [("extra", ("intro",))]
    assert report.modules_added == report.modules_moved == report.modules_removed == []
    assert report.course_fields == []
    assert report.unchanged == 1  # les-4
    assert report.as_dict()["added"] == [
        {
            "slug": "nieuw",
            "title": "Nieuw",
            "module": "module-2",
            "file": "02-module-2/0045-nieuw.md",
            "from_module": "",
        }
    ]
    assert Lesson.objects.filter(slug="nieuw").count() == 0  # a plan writes nothing
    sync(out)
    assert not sync(out).has_changes


def test_export_course_refuses_a_folder_that_is_not_empty_unless_replacing(built_course: Course, tmp_path: Path):
    out = tmp_path / "out"
    export("gebouwd", out)
    (out / "notities.txt").write_text("van mij", encoding="utf-8")
    with pytest.raises(CommandError, match="not empty"):
        export("gebouwd", out)
    (out / "01-module-1" / "099-weg.md").write_text("oud", encoding="utf-8")
    out_text = StringIO()
    call_command("export_course", "gebouwd", str(out), "--replace", stdout=out_text)
    assert "3 modules, 6 lessons, 10 files written" in out_text.getvalue()
    assert not (out / "01-module-1" / "099-weg.md").exists()
    assert (out / "notities.txt").read_text(encoding="utf-8") == "van mij"
    with pytest.raises(CommandError, match="no course with the slug 'nope'"):
        export("nope", tmp_path / "elders")


def test_the_course_yaml_reads_back_as_the_course_settings(built_course: Course):
    meta = yaml.safe_load(course_export_files(built_course)["course.yaml"])
    assert meta == {
        "title": 'Een "cursus": met tekens',
        "slug": "gebouwd",
        "language": "nl",
        "description": "Regel één\nregel twee",
        "weekdays": ["mon", "wed", "fri"],
        "send_time": "08:30",
        "group": {"name": "Groep"},
    }


@given(st.text())
def test_a_quoted_yaml_string_reads_back_exactly(text: str):
    assert yaml.safe_load(f"key: {yaml_quote(text)}\n") == {"key": text}


def test_export_writes_nothing_outside_its_folder(built_course: Course, tmp_path: Path):
    target = tmp_path / "a" / "b"
    assert course_export(course=built_course, directory=target) == 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]

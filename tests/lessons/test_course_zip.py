"""The course folder as a zip: what the studio offers as a download, and reads back on upload."""

import io
import zipfile
from pathlib import Path

import pytest

from lessons.course_folder import read_course_folder
from lessons.course_sync import course_sync
from lessons.course_zip import check_course_zip, course_zip
from lessons.models import Lesson
from tests.lessons.course_folders import three_modules

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_zip_holds_the_exported_folder_and_reads_back_with_no_changes(tmp_path: Path):
    course = course_sync(source=read_course_folder(three_modules(tmp_path / "c")), apply=True).course
    assert course is not None
    data = course_zip(course)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names[0] == "modulecursus/01-begin/001-welkom.md"
    assert "modulecursus/course.yaml" in names
    assert len(names) == 1 + 3 + 9
    assert course_zip(course) == data  # the same course, the same bytes
    source, problems = check_course_zip(data)
    assert source is not None
    assert problems == []
    assert not course_sync(source=source).has_changes


def test_an_uploaded_zip_with_its_files_at_the_top_is_read_too(tmp_path: Path):
    folder = three_modules(tmp_path / "c")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.rglob("*"):
            if path.is_file():
                archive.write(path, str(path.relative_to(folder)))
    source, _ = check_course_zip(buffer.getvalue())
    assert source is not None
    assert len(source.lessons) == 9
    assert not Lesson.objects.exists()


def test_a_zip_that_reaches_outside_its_folder_or_is_not_a_zip_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.md", "x")
    source, problems = check_course_zip(buffer.getvalue())
    assert source is None
    assert [str(p) for p in problems] == ["error: The zip holds a file outside its folder: ../evil.md"]
    assert [str(p) for p in check_course_zip(b"not a zip")[1]] == ["error: This is not a zip file."]


def test_problems_in_an_uploaded_zip_name_the_file_inside_the_course_folder(tmp_path: Path):
    folder = three_modules(tmp_path / "c")
    (folder / "02-kanalen" / "005-instagram.md").write_text("geen front matter", encoding="utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.rglob("*"):
            if path.is_file():
                archive.write(path, f"modulecursus/{path.relative_to(folder)}")
    _, problems = check_course_zip(buffer.getvalue())
    assert [str(p) for p in problems if p.is_error] == [
        "02-kanalen/005-instagram.md:1: error: A lesson starts with YAML front matter between two '---' lines."
    ]

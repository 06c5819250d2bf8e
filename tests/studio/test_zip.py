"""The course folder as a zip, both ways: the download, and an upload previewed before anything is
applied; an edited export's preview names exactly the lessons that changed."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lessons.course_zip import course_zip
from lessons.models import Lesson, LessonVersion
from studio.models import CourseUpload
from tests.studio.conftest import Studio
from tests.studio.helpers import url

pytestmark = pytest.mark.django_db


def edited(data: bytes, edits: dict[str, tuple[str, str]]) -> bytes:
    """The zip with ``old`` replaced by ``new`` in the files whose name ends with each key."""
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            text = source.read(info).decode("utf-8")
            for suffix, (old, new) in edits.items():
                if info.filename.endswith(suffix):
                    assert old in text, (info.filename, old)
                    text = text.replace(old, new)
            target.writestr(info.filename, text)
    return buffer.getvalue()


def upload(studio: Studio, data: bytes, name: str = "cursus.zip"):  # type: ignore[no-untyped-def]
    return studio.client.post(url("course_import", studio), {"zip": SimpleUploadedFile(name, data)})


def names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def test_the_download_is_the_course_folder(studio: Studio) -> None:
    response = studio.client.get(url("course_zip", studio))
    assert response["Content-Type"] == "application/zip"
    assert 'filename="sociale-media.zip"' in response["Content-Disposition"]
    files = names(response.content)
    assert "sociale-media/course.yaml" in files
    assert sum(name.endswith(".md") for name in files) == 6


def test_an_edited_export_previews_exactly_the_changed_lessons_and_applies_only_on_confirm(studio: Studio) -> None:
    data = edited(
        course_zip(studio.course),
        {"-les-2.md": ("Dit is les **2**.", "Dit is les **2**, herschreven."), "-les-5.md": ("Les nummer 5", "Vijf")},
    )
    versions = LessonVersion.objects.count()
    response = upload(studio, data)
    assert response.status_code == 302
    preview = studio.client.get(response["Location"])
    assert [change.slug for change in preview.context["report"].edited] == ["les-2", "les-5"]
    report = preview.context["report"]
    assert (report.added, report.moved, report.removed, report.modules_changed) == ([], [], [], [])
    assert "Lessen gewijzigd" in preview.content.decode()
    assert LessonVersion.objects.count() == versions  # nothing applied yet

    applied = studio.client.post(response["Location"], {"plan": preview.context["plan"]})
    assert applied.status_code == 302
    assert LessonVersion.objects.count() == versions + 2
    les5 = Lesson.objects.get(course=studio.course, slug="les-5")
    assert les5.current_version is not None
    assert les5.current_version.title == "Vijf"
    kept = CourseUpload.objects.get()
    assert kept.applied_at is not None
    assert bytes(kept.data) == b""
    again = studio.client.get(response["Location"])
    assert again.status_code == 302  # an upload applies once


def test_a_round_trip_changes_nothing(studio: Studio) -> None:
    upload(studio, course_zip(studio.course))
    response = upload(studio, course_zip(studio.course))
    assert CourseUpload.objects.count() == 1  # the second upload replaced the first, not confirmed
    preview = studio.client.get(response["Location"])
    assert not preview.context["report"].has_changes
    assert "niets te importeren" in preview.content.decode()


def test_a_stale_preview_is_not_applied(studio: Studio) -> None:
    data = edited(course_zip(studio.course), {"-les-2.md": ("Dit is les **2**.", "Anders.")})
    location = upload(studio, data)["Location"]
    studio.client.post(url("lesson_publish", studio, lesson_id=studio.lessons[0].pk), {"published": "0"})
    versions = LessonVersion.objects.count()
    studio.client.post(location, {"plan": "what the trainer saw before"})
    assert LessonVersion.objects.count() == versions


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"not a zip at all", "Dit is geen zipbestand."),
        ("other", "niet deze"),
    ],
)
def test_a_bad_zip_is_explained_and_changes_nothing(studio: Studio, data: object, says: str) -> None:
    if data == "other":
        data = edited(course_zip(studio.course), {"course.yaml": ('slug: "sociale-media"', 'slug: "een-andere"')})
    versions = LessonVersion.objects.count()
    response = upload(studio, data)  # type: ignore[arg-type]
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not CourseUpload.objects.exists()
    assert LessonVersion.objects.count() == versions

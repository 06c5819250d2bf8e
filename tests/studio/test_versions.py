"""History, diff and restore."""

import pytest

from lessons.models import LessonVersion
from tests.studio.conftest import Studio
from tests.studio.helpers import editor_data, url

pytestmark = pytest.mark.django_db


def test_the_diff_marks_what_changed_escaped(studio: Studio) -> None:
    lesson = studio.lessons[0]
    studio.client.post(url("lesson_edit", studio, lesson_id=lesson.pk), editor_data(lesson, title="Kies <b>goed</b>"))
    page = studio.client.get(url("lesson_versions", studio, lesson_id=lesson.pk) + "?a=1&b=2").content.decode()
    assert "<del>Titel: Les nummer 1</del>" in page
    assert "<ins>Titel: Kies &lt;b&gt;goed&lt;/b&gt;</ins>" in page
    assert "<span>Samenvatting: Samenvatting 1</span>" in page


def test_restoring_makes_a_new_version_equal_to_the_old(studio: Studio) -> None:
    lesson = studio.lessons[0]
    studio.client.post(url("lesson_edit", studio, lesson_id=lesson.pk), editor_data(lesson, title="Tweede"))
    response = studio.client.post(url("version_restore", studio, lesson_id=lesson.pk, number=1))
    assert response.status_code == 302
    one, two, three = LessonVersion.objects.filter(lesson=lesson).order_by("number")
    assert three.title == one.title
    assert three.body_markdown == one.body_markdown
    assert three.question == one.question
    assert three.checksum == one.checksum
    assert two.title == "Tweede"
    lesson.refresh_from_db()
    assert lesson.current_version == three

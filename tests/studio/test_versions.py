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


def test_the_history_costs_the_same_for_two_versions_or_twelve(studio: Studio, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    lesson = studio.lessons[0]
    edit, history = url("lesson_edit", studio, lesson_id=lesson.pk), url("lesson_versions", studio, lesson_id=lesson.pk)
    studio.client.post(edit, editor_data(lesson, title="Twee"))
    # The session, the user, the course, the lesson, its versions (with their authors), the nav's group and
    # organisations.
    with django_assert_num_queries(7):
        studio.client.get(history)
    for number in range(10):
        studio.client.post(edit, editor_data(lesson, title=f"Versie {number}"))
    with django_assert_num_queries(7):
        page = studio.client.get(history)
    assert page.content.decode().count('name="a"') == 12

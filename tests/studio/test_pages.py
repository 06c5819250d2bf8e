"""The studio's pages open for the course's trainer and show what they are for."""

import pytest
from django.urls import reverse

from tests.studio.conftest import Studio

pytestmark = pytest.mark.django_db


def url(name: str, studio: Studio, **kwargs: object) -> str:
    return reverse(f"studio:{name}", kwargs={"course_slug": studio.course.slug, **kwargs})


def test_every_page_opens_for_the_trainer(studio: Studio) -> None:
    lesson = studio.lessons[0]
    pages = [
        reverse("studio:home"),
        url("course", studio),
        url("course_settings", studio),
        url("lesson_new", studio),
        url("lesson_edit", studio, lesson_id=lesson.pk),
        url("lesson_preview", studio, lesson_id=lesson.pk),
        url("lesson_preview", studio, lesson_id=lesson.pk) + "?view=mail",
        url("lesson_preview", studio, lesson_id=lesson.pk) + "?view=text",
        url("lesson_versions", studio, lesson_id=lesson.pk),
        url("course_import", studio),
        url("course_zip", studio),
    ]
    for page in pages:
        response = studio.client.get(page)
        assert response.status_code == 200, page


def test_a_trainer_lands_on_the_studio_after_sign_in(studio: Studio) -> None:
    assert studio.client.get("/")["Location"] == reverse("studio:home")

"""A trainer drags a lesson to another module on the course page; the arrows do the same without a script."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, expect

from courses.services import course_trainer_add
from lessons.models import Lesson
from tests.factories import CourseFactory, UserFactory, make_lessons

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_trainer_drags_a_lesson_into_another_module(browser: Browser, live_server) -> None:  # type: ignore[no-untyped-def]
    course = CourseFactory.create(slug="sociale-media")
    make_lessons(course, 4, per_module=2)
    trainer = UserFactory.create(email="tine@druppel.example")
    course_trainer_add(course=course, user=trainer)
    client = Client()
    client.force_login(trainer)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/studio/sociale-media/")

    first, fourth = (Lesson.objects.get(course=course, slug=slug) for slug in ("les-1", "les-4"))
    page.locator(f"#lesson-{first.pk}").drag_to(page.locator(f"#lesson-{fourth.pk}"))
    expect(page.locator(f"#module-{fourth.module_id} li.studio-lesson").first).to_contain_text("Les nummer 3")
    expect(page.locator(f"#module-{fourth.module_id} li.studio-lesson").nth(1)).to_contain_text("Les nummer 1")
    first.refresh_from_db()
    assert first.module_id == fourth.module_id
    assert list(Lesson.objects.filter(course=course).order_by("position").values_list("slug", flat=True)) == [
        "les-2",
        "les-3",
        "les-1",
        "les-4",
    ]

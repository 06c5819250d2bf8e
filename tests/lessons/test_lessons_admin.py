"""Platform staff find lessons, versions and modules in the Django admin; versions are read-only,
and publishing goes through the authoring service."""

import datetime as dt

import pytest
from django.test import Client

from courses.models import Enrolment
from lessons.models import Lesson, LessonVersion, Module
from tests.factories import CourseFactory, UserFactory, enrol, make_lessons

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    return client


def test_lessons_versions_and_modules_are_listed_with_search(staff_client: Client):
    course = CourseFactory.create(title="Sociale media")
    lessons = make_lessons(course, 3, per_module=2)
    first, second = Module.objects.filter(course=course).order_by("position")
    versions = [lesson.current_version for lesson in lessons]
    for url, query, found, other in (
        # One word each: the admin matches every word on its own, and "2" alone is in many a slug.
        ("/admin/lessons/lesson/", "les-2", lessons[1], lessons[0]),
        ("/admin/lessons/lessonversion/", "les-2", versions[1], versions[0]),
        ("/admin/lessons/module/", "module-2", second, first),
    ):
        assert found is not None
        assert other is not None
        html = staff_client.get(url, {"q": query}).content.decode()
        assert f"{url}{found.pk}/change/" in html, url
        assert f"{url}{other.pk}/change/" not in html, url


def test_a_version_cannot_be_added_changed_or_deleted_in_the_admin(staff_client: Client):
    (lesson,) = make_lessons(CourseFactory.create(), 1)
    version = lesson.current_version
    assert version is not None
    url = f"/admin/lessons/lessonversion/{version.pk}/change/"
    page = staff_client.get(url).content.decode()
    assert 'name="_save"' not in page
    assert "Dit is les" in page
    assert staff_client.post(url, {"title": "Anders"}).status_code == 403
    assert staff_client.get("/admin/lessons/lessonversion/add/").status_code == 403
    assert staff_client.get(f"/admin/lessons/lessonversion/{version.pk}/delete/").status_code == 403
    assert LessonVersion.objects.get(pk=version.pk).title == "Les nummer 1"


def test_unpublishing_in_the_admin_applies_the_reorder_rule(staff_client: Client):
    course = CourseFactory.create()
    first, second, third = make_lessons(course, 3)
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    assert enrolment.next_position == 1
    response = staff_client.post(
        "/admin/lessons/lesson/", {"action": "unpublish", "_selected_action": [first.pk]}, follow=True
    )
    assert "1 les gewijzigd." in response.content.decode()
    assert list(Lesson.objects.filter(course=course).order_by("position").values_list("slug", "published")) == [
        ("les-2", True),
        ("les-3", True),
        ("les-1", False),
    ]
    # The next lesson is the first published one: les-2, now at position 1.
    assert Enrolment.objects.get(pk=enrolment.pk).next_position == 1
    assert staff_client.get(f"/admin/lessons/lesson/{second.pk}/change/").status_code == 200
    assert 'name="_save"' not in staff_client.get(f"/admin/lessons/lesson/{third.pk}/change/").content.decode()


def test_a_modules_title_and_intro_are_edited_in_the_admin(staff_client: Client):
    course = CourseFactory.create()
    make_lessons(course, 2)
    module = Module.objects.get(course=course)
    response = staff_client.post(
        f"/admin/lessons/module/{module.pk}/change/", {"title": "Reageren", "intro": "Hoe je antwoordt."}
    )
    assert response.status_code == 302
    module.refresh_from_db()
    assert (module.title, module.intro, module.slug, module.position) == (
        "Reageren",
        "Hoe je antwoordt.",
        "module-1",
        1,
    )

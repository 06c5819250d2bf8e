"""Every studio URL, whatever its name, is 404 for anyone who does not train the course: a trainer of
another course, an organisation admin, a learner. The walk reads the resolver, so routes added
later (the analytics too) are covered the day they exist."""

import re

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from lessons.course_zip import course_zip
from studio.models import CourseUpload
from tests.standards.walk import routes
from tests.studio.conftest import Studio

pytestmark = pytest.mark.django_db


def studio_urls(studio: Studio) -> list[tuple[str, str]]:
    """(name, URL) of every route in the studio namespace, with real objects of the course."""
    lesson = studio.lessons[0]
    upload = CourseUpload.objects.create(course=studio.course, data=course_zip(studio.course))
    known = {
        "course_slug": studio.course.slug,
        "lesson_id": lesson.pk,
        "module_id": lesson.module_id,
        "number": 1,
        "upload_id": upload.pk,
    }
    found = []
    for route in routes(get_resolver()):
        if route.namespace != "studio":
            continue
        kwargs = {}
        for argument in route.arguments:
            if argument in known:
                kwargs[argument] = known[argument]
            else:  # a route added later: an int converter gets this course's first lesson's id
                converter = re.search(rf"<(\w+):{argument}>", route.pattern)
                kwargs[argument] = lesson.pk if converter and converter.group(1) == "int" else studio.course.slug
        found.append((route.name, reverse(route.name, kwargs=kwargs)))
    return found


def test_the_walk_finds_the_studio(studio: Studio) -> None:
    names = {name for name, _ in studio_urls(studio)}
    assert {"studio:home", "studio:course", "studio:lesson_edit", "studio:version_restore"} <= names
    assert len(names) >= 16


def test_every_studio_url_is_404_for_everyone_but_its_trainers(studio: Studio, outsiders: dict[str, Client]) -> None:
    urls = studio_urls(studio)
    reached = {name: studio.client.get(url).status_code for name, url in urls}
    assert 404 not in reached.values(), reached  # the trainer reaches every one (405: POST only)
    wrong = []
    for role, client in outsiders.items():
        for name, url in urls:
            if role == "other trainer" and studio.course.slug not in url:
                continue  # their own studio's front page lists their own courses
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                if status != 404:
                    wrong.append((role, method, name, status))
    assert wrong == []


def test_an_anonymous_visitor_is_asked_to_sign_in(studio: Studio) -> None:
    for _name, url in studio_urls(studio):
        response = Client().get(url)
        assert (response.status_code, response["Location"].startswith("/accounts/login/")) == (302, True), url

"""The walk is driven by the resolver: a URL added tomorrow (the trainer studio) is walked without
anyone listing it, and an argument nobody knows fails with the place to add its factory."""

import pytest
from django.http import HttpResponse
from django.urls import URLResolver, include, path
from django.urls.resolvers import RegexPattern

from tests.standards import walk


def _page(request: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("")


STUDIO = (
    [
        path("", _page, name="home"),
        path("courses/<slug:course_slug>/", _page, name="course"),
        path("courses/<slug:course_slug>/modules/<int:module_id>/", _page, name="module"),
    ],
    "studio",
)


def _routes() -> list[walk.Route]:
    urlconf = [path("studio/", include(STUDIO)), path("org/<slug:org_slug>/", include(([path("x/", _page)], "o")))]
    return list(walk.routes(URLResolver(RegexPattern(r"^/"), urlconf)))


def test_a_new_apps_urls_are_walked_with_their_arguments() -> None:
    routes = {route.name: route for route in _routes()}
    assert routes["studio:home"].arguments == ()
    assert routes["studio:module"].arguments == ("course_slug", "module_id")
    assert routes["studio:module"].namespace == "studio"
    # Arguments captured by an enclosing include count as the page's own.
    assert routes["org/<slug:org_slug>/x/"].arguments == ("org_slug",)


def test_an_argument_without_a_factory_is_named_and_a_known_one_is_found() -> None:
    module = next(route for route in _routes() if route.name == "studio:module")
    with pytest.raises(KeyError, match="module_id"):
        walk.urls_for(module, world=None)  # type: ignore[arg-type]
    assert walk._factory(module, "course_slug") is walk.ARGUMENTS["course_slug"]


def test_the_most_specific_factory_wins() -> None:
    answer = walk.Route(
        pattern="l/<str:token>/answer/<int:option>/",
        name="lessons:answer",
        namespace="lessons",
        arguments=("token", "option"),
    )
    page = walk.Route(pattern="l/<str:token>/", name="lessons:page", namespace="lessons", arguments=("token",))
    assert walk._factory(answer, "token") is walk.ARGUMENTS["lessons:answer:token"]
    assert walk._factory(page, "token") is walk.ARGUMENTS["lessons:token"]

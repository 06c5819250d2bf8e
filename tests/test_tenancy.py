"""Invariant 7: an organisation admin reaches only their own organisation.

Walks every URL pattern that takes an organisation, as the admin of another
organisation, with GET and POST, and expects 404 every time: never data, and
never a 403 that would confirm the organisation exists.
"""

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from organisations.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def patterns(resolvers: list, prefix: str = "") -> Iterator[str]:  # type: ignore[type-arg]
    for entry in resolvers:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from patterns(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def organisation_routes() -> list[str]:
    return sorted({route for route in patterns(get_resolver().url_patterns) if "<slug:org_slug>" in route})


def fill(route: str, org_slug: str) -> str:
    def value(match: re.Match[str]) -> str:
        if match["name"] == "org_slug":
            return org_slug
        return "1" if match["converter"] == "int" else "x1"

    return "/" + _CONVERTER.sub(value, route).lstrip("^").rstrip("$")


def test_the_walk_finds_the_organisation_pages():
    routes = organisation_routes()
    assert len(routes) >= 8, routes
    assert any("settings" in route for route in routes)


def test_every_organisation_url_is_404_for_the_admin_of_another_organisation():
    mine = OrganisationFactory.create(slug="avelgem", name="Gemeente Avelgem")
    theirs = OrganisationFactory.create(slug="kortrijk", name="Stad Kortrijk Geheim")
    admin = UserFactory.create()
    MembershipFactory.create(organisation=mine, user=admin, role=Membership.Role.ADMIN)
    # Objects with low ids in the other organisation, so "1" points at theirs.
    MembershipFactory.create(organisation=theirs, role=Membership.Role.ADMIN)
    client = Client()
    client.force_login(admin)
    checked = 0
    for route in organisation_routes():
        url = fill(route, "kortrijk")
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404, f"{method.__name__.upper()} {url} -> {response.status_code}"
            assert b"Kortrijk Geheim" not in response.content
            checked += 1
        assert client.get(fill(route, "avelgem")).status_code in {200, 302, 404, 405}
    assert checked >= 16


def test_anonymous_visitors_are_sent_to_sign_in():
    OrganisationFactory.create(slug="avelgem")
    for route in organisation_routes():
        response = Client().get(fill(route, "avelgem"))
        assert response.status_code == 302, route
        assert "/accounts/login/" in response["Location"]

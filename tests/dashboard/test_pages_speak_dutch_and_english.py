"""Every organisation page renders in Dutch by default and in English after the language switch."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from organisations.models import Membership
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "dashboard:dashboard": ("Medewerkers", "Employees"),
    "dashboard:staff_list": ("Personeel", "Staff"),
    "dashboard:staff_import": ("Personeel", "Staff"),
    "dashboard:invites": ("Uitnodigingslinks", "Invite links"),
    "dashboard:settings": ("Sluitingsperiodes", "Closure periods"),
}


@pytest.fixture
def admin_client() -> Client:
    organisation = OrganisationFactory.create(slug="avelgem")
    CourseFactory.create()
    admin = UserFactory.create()
    MembershipFactory.create(organisation=organisation, user=admin, role=Membership.Role.ADMIN)
    client = Client(headers={"accept-language": "en"})
    client.force_login(admin)
    return client


def test_organisation_pages_are_dutch_by_default_and_english_after_the_switch(admin_client):  # type: ignore[no-untyped-def]
    for name, (dutch, _english) in PAGES.items():
        page = admin_client.get(reverse(name, args=["avelgem"]))
        assert page.status_code == 200, name
        assert dutch in page.content.decode(), name
        assert '<html lang="nl">' in page.content.decode()
    switched = admin_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    for name, (_, english) in PAGES.items():
        page = admin_client.get(reverse(name, args=["avelgem"])).content.decode()
        assert english in page, name
        assert '<html lang="en">' in page

"""The invite page: a copy button and a QR code per link, the allowed domains, and the notice that an
old link stops working only when one really was replaced."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.invites import invite_create, invite_token
from courses.models import Offering
from organisations.models import Membership, Organisation
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering() -> Offering:
    organisation = OrganisationFactory.create(name="Gemeente Avelgem", slug="avelgem")
    course = CourseFactory.create(title="Sociale media", slug="sociale-media")
    return Offering.objects.create(organisation=organisation, course=course, start_date=dt.date(2027, 3, 1))


@pytest.fixture
def dutch(offering: Offering) -> Client:
    admin = UserFactory.create(email="hr@avelgem.example")
    MembershipFactory.create(organisation=offering.organisation, user=admin, role=Membership.Role.ADMIN)
    client = Client()
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    return client


def test_the_first_link_says_nothing_about_a_previous_one_a_new_one_does(dutch, offering):  # type: ignore[no-untyped-def]
    new = reverse("dashboard:invite_new", args=["avelgem", offering.pk])
    first = dutch.post(new, {"days": "30"}, follow=True).content.decode()
    assert "De vorige link werkt niet meer" not in first
    assert "gemaakt, 30 dagen geldig" in first
    same = dutch.post(new, {"days": "30"}, follow=True).content.decode()  # the same last day: the same link
    assert "De vorige link werkt niet meer" not in same
    replaced = dutch.post(new, {"days": "10"}, follow=True).content.decode()
    assert "De vorige link werkt niet meer" in replaced


def test_each_link_has_a_readonly_field_a_copy_button_and_a_qr_code(dutch, offering):  # type: ignore[no-untyped-def]
    token = invite_create(offering=offering, today=timezone.localdate())
    page = dutch.get(reverse("dashboard:invites", args=["avelgem"])).content.decode()
    link = f"http://testserver{reverse('join', args=[token])}"
    assert f'readonly value="{link}"' in page
    assert 'data-copy="invite-link-' in page
    assert " hidden data-copy=" in page  # shown by js/copy-link.js; without script the field is enough
    assert "js/copy-link.js" in page
    assert "<script>" not in page  # the Content-Security-Policy allows no inline script
    assert '<svg role="img" width=' in page
    assert "<title>QR-code van de uitnodigingslink voor Sociale media</title>" in page
    download = dutch.get(reverse("dashboard:invite_qr", args=["avelgem", offering.pk]))
    assert download["Content-Type"] == "image/svg+xml"
    assert 'filename="invite-sociale-media.svg"' in download["Content-Disposition"]
    assert download.content.startswith(b"<?xml")
    assert b"<svg" in download.content


def test_the_qr_download_without_a_link_goes_back_to_the_page(dutch, offering):  # type: ignore[no-untyped-def]
    assert not invite_token(offering)
    response = dutch.get(reverse("dashboard:invite_qr", args=["avelgem", offering.pk]))
    assert response.status_code == 302


def test_the_allowed_domains_are_saved_cleaned_and_a_wrong_one_is_explained(dutch, offering):  # type: ignore[no-untyped-def]
    url = reverse("dashboard:invite_domains", args=["avelgem"])
    saved = dutch.post(url, {"allowed_email_domains": "@Avelgem.be ocmw-avelgem.be"}, follow=True)
    assert "Alleen adressen op avelgem.be, ocmw-avelgem.be kunnen zich nu" in saved.content.decode()
    assert Organisation.objects.get().allowed_email_domains == "avelgem.be, ocmw-avelgem.be"
    wrong = dutch.post(url, {"allowed_email_domains": "avelgem.be, gmail"})
    assert wrong.status_code == 400
    assert "gmail is geen domeinnaam" in wrong.content.decode()
    assert Organisation.objects.get().allowed_email_domains == "avelgem.be, ocmw-avelgem.be"
    cleared = dutch.post(url, {"allowed_email_domains": ""}, follow=True)
    assert "Elk e-mailadres kan zich nu" in cleared.content.decode()


def test_another_organisations_admin_cannot_change_the_domains_or_download_the_code(offering):  # type: ignore[no-untyped-def]
    other = OrganisationFactory.create(slug="politie")
    admin = UserFactory.create()
    MembershipFactory.create(organisation=other, user=admin, role=Membership.Role.ADMIN)
    client = Client()
    client.force_login(admin)
    invite_create(offering=offering, today=timezone.localdate())
    assert client.post(reverse("dashboard:invite_domains", args=["avelgem"]), {}).status_code == 404
    assert client.get(reverse("dashboard:invite_qr", args=["avelgem", offering.pk])).status_code == 404
    assert client.get(reverse("dashboard:invite_qr", args=["politie", offering.pk])).status_code == 404

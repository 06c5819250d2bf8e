"""The error pages are Druppel's, in Dutch (or English when chosen), each with a way onward."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.standards.error_urls import ERROR_PAGES

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.standards.error_urls")]

HEADINGS = {
    "404 unknown address": (404, "Deze pagina bestaat niet"),
    "404 mangled lesson link": (404, "Deze lessenlink werkt niet"),
    "404 broken invite link": (404, ""),
    "fresh links requested": (200, "Als dit adres bij ons een cursus volgt"),
    "403": (403, "Je hebt geen toegang tot deze pagina"),
    "400": (400, "We konden deze aanvraag niet lezen"),
    "500": (500, "Er ging iets mis bij ons"),
    "403 CSRF failure": (403, "Dit formulier is verlopen"),
}


@pytest.mark.parametrize("label", list(ERROR_PAGES))
def test_every_error_page_is_branded_dutch_and_shows_a_way_onward(label: str) -> None:
    status, heading = HEADINGS[label]
    with override_settings(DEBUG=False):
        response = Client(raise_request_exception=False).get(ERROR_PAGES[label])
    html = response.content.decode()
    assert response.status_code == status
    assert '<html lang="nl">' in html
    assert heading in html
    assert 'class="brand"' in html
    assert 'href="/"' in html
    assert "Not Found" not in html
    assert "Forbidden" not in html


def test_an_error_page_speaks_english_when_chosen() -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/no-such-page/").content.decode()
    assert "This page does not exist" in html
    assert "Sign in" in html


def test_a_form_posted_without_its_csrf_cookie_gets_the_branded_page() -> None:
    response = Client(enforce_csrf_checks=True).post("/accounts/login/code/", {"email": "eva@avelgem.example"})
    assert response.status_code == 403
    assert "Dit formulier is verlopen" in response.content.decode()

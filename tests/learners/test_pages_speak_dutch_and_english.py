"""Every learner page is Dutch by default, whatever the browser asks, and English after the switch."""

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Enrolment

pytestmark = pytest.mark.django_db


def pages(enrolment: Enrolment) -> dict[str, tuple[list[str], list[str]]]:
    """url -> (Dutch strings, English strings) each page must show."""
    return {
        reverse("learners:courses"): (
            ["Les 3 van 5 · 0 afgerond", "Pauzeer mijn lessen", "Uitschrijven", "Actief"],
            ["Lesson 3 of 5 · 0 completed", "Pause my lessons", "Unsubscribe", "Active", "Lessons received"],
        ),
        reverse("learners:unsubscribe", args=[enrolment.pk]): (
            ["Wil je de lessen van deze cursus niet langer ontvangen?", "Ja, schrijf me uit", "Pauzeer dan liever"],
            ["Do you want to stop receiving the lessons of this course?", "Yes, unsubscribe me", "Pause instead"],
        ),
        reverse("learners:erase"): ([], ["Erase my account", "Yes, erase my account", "Download my data"]),
        reverse("learners:erased"): ([], ["Your account is erased"]),
    }


def test_learner_pages_are_dutch_by_default_and_english_after_the_switch(eva_enrolment: Enrolment) -> None:
    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    client.force_login(eva_enrolment.membership.user)
    for url, (dutch, _english) in pages(eva_enrolment).items():
        html = client.get(url).content.decode()
        assert '<html lang="nl">' in html, url
        for text in dutch:
            assert text in html, (url, text)

    client.post("/i18n/setlang/", {"language": "en", "next": "/me/"})
    for url, (dutch, english) in pages(eva_enrolment).items():
        html = client.get(url).content.decode()
        assert '<html lang="en">' in html, url
        for text in english:
            assert text in html, (url, text)
        for text in dutch:
            assert text not in html, (url, text)

"""A broken lesson link: the branded page offers fresh links by mail, without telling who is enrolled."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from courses.models import Enrolment
from mailer.models import OutgoingMail

pytestmark = pytest.mark.django_db

NEUTRAL = "Als dit adres bij ons een cursus volgt"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def _answer(html: str) -> str:
    """The page's own part (the header's forms carry a fresh CSRF token each time)."""
    return html[html.index("<section") : html.index("</section>")]


def test_a_mangled_lesson_link_offers_fresh_links(client: Client) -> None:
    response = client.get("/l/AbC.mangled-by-a-scanner/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Deze lessenlink werkt niet" in html
    assert f'action="{reverse("lessons:fresh_link")}"' in html
    assert 'name="email"' in html


def test_an_unknown_address_gets_a_generic_404_elsewhere(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Deze pagina bestaat niet" in html
    assert 'href="/"' in html
    assert 'name="email"' not in html


def test_a_learner_gets_a_mail_with_links_that_open_their_latest_lessons(client: Client, eva_enrolment) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("lessons:fresh_link"), follow=True, data={"email": "EVA@avelgem.be"})
    assert response.status_code == 200
    assert NEUTRAL in response.content.decode()
    mail = OutgoingMail.objects.get(kind="lesson_links")
    assert mail.to == "eva@avelgem.be"
    urls = re.findall(r"http://testserver(/l/[^/\s]+/)", mail.text)
    assert len(urls) == 3
    assert all(client.get(url).status_code == 200 for url in urls)
    assert "**" not in mail.text


def test_the_answer_is_the_same_for_an_unknown_or_stopped_address(client: Client, eva_enrolment) -> None:  # type: ignore[no-untyped-def]
    unknown = client.post(reverse("lessons:fresh_link"), follow=True, data={"email": "nobody@avelgem.be"})
    Enrolment.objects.filter(pk=eva_enrolment.pk).unsubscribe(now=eva_enrolment.created_at)
    stopped = client.post(reverse("lessons:fresh_link"), follow=True, data={"email": "eva@avelgem.be"})
    assert NEUTRAL in unknown.content.decode()
    assert _answer(unknown.content.decode()) == _answer(stopped.content.decode())
    assert not OutgoingMail.objects.exists()


def test_one_address_gets_one_mail_however_often_it_asks(client: Client, eva_enrolment) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        response = client.post(reverse("lessons:fresh_link"), follow=True, data={"email": "eva@avelgem.be"})
        assert NEUTRAL in response.content.decode()
    assert OutgoingMail.objects.filter(kind="lesson_links").count() == 1


def test_one_visitor_asking_for_many_addresses_is_stopped(client: Client, eva_enrolment) -> None:  # type: ignore[no-untyped-def]
    for number in range(10):
        client.post(reverse("lessons:fresh_link"), follow=True, data={"email": f"guess{number}@avelgem.be"})
    response = client.post(reverse("lessons:fresh_link"), follow=True, data={"email": "eva@avelgem.be"})
    assert NEUTRAL in response.content.decode()
    assert not OutgoingMail.objects.exists()

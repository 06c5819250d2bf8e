"""Pause, resume and unsubscribe from my courses: POST only, and only my own enrolments."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Enrolment
from lessons.models import Delivery
from lessons.tokens import delivery_token
from tests.factories import CourseFactory, enrol, make_lessons

pytestmark = pytest.mark.django_db


def status_of(enrolment: Enrolment) -> str:
    enrolment.refresh_from_db()
    return enrolment.status


def test_pause_and_resume_take_a_post(eva_client: Client, eva_enrolment: Enrolment) -> None:
    pause = reverse("learners:pause", args=[eva_enrolment.pk])
    resume = reverse("learners:resume", args=[eva_enrolment.pk])
    assert eva_client.get(pause).status_code == 405
    assert status_of(eva_enrolment) == Enrolment.Status.ACTIVE

    response = eva_client.post(pause, follow=True)
    assert status_of(eva_enrolment) == Enrolment.Status.PAUSED
    assert "Je lessen zijn gepauzeerd." in response.content.decode()
    assert "Hervat mijn lessen" in response.content.decode()

    assert eva_client.get(resume).status_code == 405
    response = eva_client.post(resume, follow=True)
    assert status_of(eva_enrolment) == Enrolment.Status.ACTIVE
    assert "Welkom terug" in response.content.decode()
    assert eva_enrolment.next_due_at is not None


def test_unsubscribe_asks_first_and_only_a_post_ends_the_course(eva_client: Client, eva_enrolment: Enrolment) -> None:
    url = reverse("learners:unsubscribe", args=[eva_enrolment.pk])
    page = eva_client.get(url).content.decode()
    assert "Ja, schrijf me uit" in page
    assert status_of(eva_enrolment) == Enrolment.Status.ACTIVE

    response = eva_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("learners:courses")
    assert status_of(eva_enrolment) == Enrolment.Status.UNSUBSCRIBED
    assert eva_enrolment.next_due_at is None
    html = eva_client.get(reverse("learners:courses")).content.decode()
    assert "Uitgeschreven" in html
    assert reverse("learners:pause", args=[eva_enrolment.pk]) not in html


def test_someone_elses_enrolment_is_404(eva_client: Client, eva_enrolment: Enrolment) -> None:
    course = CourseFactory.create()
    make_lessons(course, 2)
    theirs = enrol(course, start=dt.date(2027, 3, 1))
    for name in ("pause", "resume", "unsubscribe"):
        url = reverse(f"learners:{name}", args=[theirs.pk])
        assert eva_client.post(url).status_code == 404, name
    assert eva_client.get(reverse("learners:unsubscribe", args=[theirs.pk])).status_code == 404
    assert status_of(theirs) == Enrolment.Status.ACTIVE


def test_the_forms_need_the_csrf_token(eva_enrolment: Enrolment) -> None:
    # Signed-in pages are not the mail links: a forged cross-site POST must fail.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(eva_enrolment.membership.user)
    assert strict.post(reverse("learners:pause", args=[eva_enrolment.pk])).status_code == 403
    assert status_of(eva_enrolment) == Enrolment.Status.ACTIVE


def test_the_mail_unsubscribe_link_only_asks_on_get_and_one_click_post_needs_no_cookie(
    eva_enrolment: Enrolment,
) -> None:
    """RFC 8058 from the mail (lessons:unsubscribe): tests/drip/test_mail_links.py covers the POST; this the GET."""
    delivery = Delivery.objects.filter(enrolment=eva_enrolment).first()
    assert delivery is not None
    url = reverse("lessons:unsubscribe", args=[delivery_token(delivery.pk)])
    scanner = Client()
    page = scanner.get(url)
    assert page.status_code == 200
    assert "Uitschrijven voor deze cursus?" in page.content.decode()
    assert status_of(eva_enrolment) == Enrolment.Status.ACTIVE

    one_click = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert one_click.status_code == 200
    assert "Location" not in one_click
    assert not one_click.cookies
    assert status_of(eva_enrolment) == Enrolment.Status.UNSUBSCRIBED

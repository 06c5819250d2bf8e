"""The learner's POSTs check what they are sent before they write anything."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from courses.models import Enrolment
from lessons.models import Delivery
from lessons.tokens import delivery_token
from tests.factories import CourseFactory, enrol, make_lessons

pytestmark = pytest.mark.django_db

MONDAY = "2027-03-01T08:30:00+01:00"


@pytest.fixture
def delivery(outbox_dir, run_tick) -> Delivery:  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 2)
    enrol(course, start=dt.date(2027, 3, 1))
    run_tick(MONDAY)
    return Delivery.objects.get()


@pytest.mark.parametrize("option", ["²", "٢", "２", " 2", "2 ", "+2", "-1", "0x2", "", "1" * 50])
def test_an_answer_that_is_not_plain_ascii_digits_is_refused_with_a_400(delivery, option):  # type: ignore[no-untyped-def]
    url = reverse("lessons:answer", args=[delivery_token(delivery.pk), 2])
    response = Client().post(url, {"option": option})
    assert response.status_code == 400
    delivery.refresh_from_db()
    assert delivery.answered_at is None


def test_an_answer_in_ascii_digits_is_recorded(delivery):  # type: ignore[no-untyped-def]
    url = reverse("lessons:answer", args=[delivery_token(delivery.pk), 2])
    assert Client().post(url, {"option": "2"}).status_code == 200
    delivery.refresh_from_db()
    assert delivery.answer == 1


def test_a_50_mb_post_to_unsubscribe_is_refused_and_the_learner_stays_subscribed(delivery):  # type: ignore[no-untyped-def]
    url = reverse("lessons:unsubscribe", args=[delivery_token(delivery.pk)])
    body = "List-Unsubscribe=One-Click&padding=" + "x" * (50 * 1024 * 1024)
    response = Client().post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 413)
    assert Enrolment.objects.get().status == Enrolment.Status.ACTIVE


def test_a_50_mb_multipart_upload_to_unsubscribe_is_refused_too(delivery):  # type: ignore[no-untyped-def]
    # Django's in-memory limit does not count file parts: our own size check does.
    url = reverse("lessons:unsubscribe", args=[delivery_token(delivery.pk)])
    big = SimpleUploadedFile("big.bin", b"x" * (50 * 1024 * 1024))
    response = Client().post(url, {"List-Unsubscribe": "One-Click", "file": big})
    assert response.status_code == 413
    assert Enrolment.objects.get().status == Enrolment.Status.ACTIVE


def test_a_body_django_refuses_to_parse_leaves_the_learner_subscribed(delivery, settings):  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    url = reverse("lessons:unsubscribe", args=[delivery_token(delivery.pk)])
    body = "&".join(f"f{i}=1" for i in range(20))
    response = Client().post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert Enrolment.objects.get().status == Enrolment.Status.ACTIVE


def test_a_one_click_unsubscribe_still_works_after_the_check(delivery):  # type: ignore[no-untyped-def]
    url = reverse("lessons:unsubscribe", args=[delivery_token(delivery.pk)])
    response = Client().post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert Enrolment.objects.get().status == Enrolment.Status.UNSUBSCRIBED

"""Erasing my account (GDPR): no row keeps my address or name; the organisation's counts stay."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from accounts.models import User
from courses.models import Enrolment
from courses.services import enrolment_create
from drip.sending import batch_send
from learners.erasure import user_erase
from lessons.models import Delivery, SendBatch
from organisations.models import Membership
from progress.answers import delivery_answer
from tests.factories import CourseFactory, OrganisationFactory, UserFactory, enrol, make_lessons
from tests.learners.helpers import published

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 10, 12, tzinfo=dt.UTC)
EMAIL, FIRST, LAST = "jonas.devos@politie.example", "Jonas", "Devos"


@pytest.fixture
def jonas() -> User:
    user = UserFactory.create(email=EMAIL, first_name=FIRST, last_name=LAST)
    user.set_password("a-password-he-once-set")
    user.save()
    EmailAddress.objects.create(user=user, email=EMAIL, primary=True, verified=True)
    return user


@pytest.fixture
def jonas_enrolments(jonas: User) -> list[Enrolment]:
    """Two courses: one with a sent, answered lesson and one paused."""
    zone = OrganisationFactory.create(name="Politiezone Grensleie")
    social, safety = CourseFactory.create(title="Sociale media"), CourseFactory.create(title="Veilig online")
    make_lessons(social, 3)
    make_lessons(safety, 3)
    first = enrol(social, organisation=zone, user=jonas, start=dt.date(2027, 3, 1))
    second, _ = enrolment_create(membership=first.membership, course=safety, start_date=dt.date(2027, 3, 1), now=NOW)
    enrolments = [first, second]
    lesson = first.course.lessons.get(position=1)
    delivery = Delivery.objects.create(
        enrolment=first,
        lesson=lesson,
        version=published(lesson),
        position=1,
        status=Delivery.Status.SENT,
        created_at=NOW,
        sent_at=NOW,
        error=f"soft bounce for {EMAIL}",
    )
    delivery_answer(delivery=delivery, option=1, now=NOW)
    Enrolment.objects.filter(pk=enrolments[1].pk).update(status=Enrolment.Status.PAUSED)
    return enrolments


def rows_mentioning_jonas() -> dict[str, int]:
    person = Q(email__icontains="jonas") | Q(first_name=FIRST) | Q(last_name=LAST)
    return {
        "users": User.objects.filter(person).count(),
        "addresses": EmailAddress.objects.filter(email__icontains="jonas").count(),
        "deliveries": Delivery.objects.filter(error__icontains="jonas").count(),
    }


def test_erasing_leaves_no_trace_of_address_or_name_and_keeps_the_counts(
    jonas: User, jonas_enrolments: list[Enrolment]
) -> None:
    assert rows_mentioning_jonas() == {"users": 1, "addresses": 1, "deliveries": 1}

    user_erase(user=jonas, now=NOW)

    assert rows_mentioning_jonas() == {"users": 0, "addresses": 0, "deliveries": 0}
    jonas.refresh_from_db()
    assert jonas.email == f"erased-{jonas.pk}@invalid"
    assert (jonas.first_name, jonas.last_name, jonas.is_active) == ("", "", False)
    assert not jonas.has_usable_password()
    # The organisation's anonymous numbers: enrolments, deliveries and answers stay.
    assert Enrolment.objects.filter(membership__user=jonas).count() == 2
    assert set(Enrolment.objects.filter(membership__user=jonas).values_list("status", flat=True)) == {"unsubscribed"}
    delivery = Delivery.objects.get(enrolment__membership__user=jonas)
    assert (delivery.status, delivery.answer_correct) == (Delivery.Status.SENT, True)
    assert delivery.completed_at is not None
    assert Enrolment.objects.get(pk=jonas_enrolments[0].pk).lessons_completed == 1
    assert not Membership.objects.filter(user=jonas, is_active=True).exists()


def test_erasing_keeps_finished_courses_finished(jonas: User, jonas_enrolments: list[Enrolment]) -> None:
    Enrolment.objects.filter(pk=jonas_enrolments[0].pk).update(status=Enrolment.Status.FINISHED)
    user_erase(user=jonas, now=NOW)
    assert Enrolment.objects.get(pk=jonas_enrolments[0].pk).status == Enrolment.Status.FINISHED


def test_a_lesson_waiting_for_a_worker_is_not_sent_to_the_erased_address(
    jonas: User, jonas_enrolments: list[Enrolment], fake_sendgrid
) -> None:
    enrolment = jonas_enrolments[0]
    lesson = enrolment.course.lessons.get(position=2)
    batch = SendBatch.objects.create(version=published(lesson), size=1, created_at=NOW, queued_at=NOW)
    waiting = Delivery.objects.create(
        enrolment=enrolment,
        lesson=lesson,
        version=published(lesson),
        batch=batch,
        position=2,
        created_at=NOW,
    )
    user_erase(user=jonas, now=NOW)
    batch_send(batch_id=batch.pk, dispatch=lambda _: None)
    waiting.refresh_from_db()
    # Left out at send time, like anyone who left: no request names them (or their placeholder).
    assert (waiting.status, waiting.error) == (Delivery.Status.SKIPPED, "enrolment unsubscribed")
    assert fake_sendgrid.requests == []


def test_erasing_signs_the_person_out_everywhere(jonas: User, jonas_enrolments: list[Enrolment]) -> None:
    phone, laptop, someone_else = Client(), Client(), Client()
    phone.force_login(jonas)
    laptop.force_login(jonas)
    someone_else.force_login(UserFactory.create())
    assert Session.objects.count() == 3

    response = laptop.post(reverse("learners:erase"))

    assert response.status_code == 302
    assert response["Location"] == reverse("learners:erased")
    remaining = [session.get_decoded().get(SESSION_KEY) for session in Session.objects.all()]
    assert str(jonas.pk) not in remaining
    assert phone.get("/me/").status_code == 302  # back to sign in
    goodbye = laptop.get(response["Location"])
    assert goodbye.status_code == 200
    assert goodbye.context["user"].is_anonymous
    assert someone_else.get("/me/").status_code == 200


def test_the_erase_page_asks_first_and_a_get_changes_nothing(jonas: User, jonas_enrolments: list[Enrolment]) -> None:
    client = Client()
    client.force_login(jonas)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("learners:erase"))
    assert page.status_code == 200
    assert "Yes, erase my account" in page.content.decode()
    jonas.refresh_from_db()
    assert jonas.email == EMAIL
    assert jonas.is_active

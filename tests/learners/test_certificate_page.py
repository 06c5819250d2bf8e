"""The certificate page: printable, right data, from /me/ and by signed link, nobody else's."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from courses.models import Certificate, Enrolment
from lessons.models import Delivery
from organisations.models import Membership
from progress.answers import delivery_answer
from progress.certificates import certificate_token
from tests.factories import MembershipFactory, UserFactory, enrol, fold
from tests.learners.helpers import send_lessons

pytestmark = pytest.mark.django_db

# 23:30 UTC on 31 March is already 1 April in Brussels: the date is the organisation's.
DONE = dt.datetime(2027, 3, 31, 22, 30, tzinfo=dt.UTC)


@pytest.fixture
def certificate(eva_enrolment: Enrolment) -> Certificate:
    """Eva received the remaining lessons and answered all five."""
    lessons = list(eva_enrolment.course.lessons.order_by("position"))
    send_lessons(eva_enrolment, lessons[3:])
    for delivery in Delivery.objects.filter(enrolment=eva_enrolment).order_by("position"):
        delivery_answer(delivery=delivery, option=1, now=DONE)
    fold()
    return Certificate.objects.get(enrolment=eva_enrolment)


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_certificate_shows_organisation_course_learner_and_date(eva_client, certificate):  # type: ignore[no-untyped-def]
    html = english(eva_client).get(reverse("learners:certificate", args=[certificate.pk])).content.decode()
    for expected in ("Gemeente Avelgem", "Iedereen mee met sociale media", "Eva Claes", "1 April 2027"):
        assert expected in html
    assert "@media print" in html


def test_the_certificate_is_reachable_from_my_courses(eva_client, certificate):  # type: ignore[no-untyped-def]
    html = eva_client.get("/me/").content.decode()
    assert reverse("learners:certificate", args=[certificate.pk]) in html


def test_my_courses_shows_no_certificate_before_one_is_earned(eva_client, eva_enrolment):  # type: ignore[no-untyped-def]
    assert "/me/certificates/" not in eva_client.get("/me/").content.decode()


def test_the_signed_link_opens_the_certificate_without_sign_in(certificate):  # type: ignore[no-untyped-def]
    response = Client().get(reverse("learners:certificate_link", args=[certificate_token(certificate.pk)]))
    assert response.status_code == 200
    assert "Eva Claes" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_another_learner_gets_404_for_someone_elses_certificate(certificate):  # type: ignore[no-untyped-def]
    jonas = UserFactory.create(email="jonas@avelgem.be")
    MembershipFactory.create(organisation=certificate.enrolment.membership.organisation, user=jonas)
    client = Client()
    client.force_login(jonas)
    assert client.get(reverse("learners:certificate", args=[certificate.pk])).status_code == 404


def test_a_forged_certificate_link_gets_404(certificate):  # type: ignore[no-untyped-def]
    forged = certificate_token(certificate.pk)[:-2] + "xx"
    assert Client().get(reverse("learners:certificate_link", args=[forged])).status_code == 404
    # A lesson link's token is signed for something else and opens no certificate.
    assert Client().get(reverse("learners:certificate_link", args=["1.abc"])).status_code == 404


def test_the_organisation_admin_sees_who_earned_a_certificate(certificate):  # type: ignore[no-untyped-def]
    organisation = certificate.enrolment.membership.organisation
    others = enrol(certificate.enrolment.course, organisation=organisation, start=dt.date(2027, 3, 1))
    admin = MembershipFactory.create(organisation=organisation, role=Membership.Role.ADMIN).user
    client = english(Client())
    client.force_login(admin)
    html = client.get(reverse("dashboard:dashboard", args=[organisation.slug])).content.decode()
    rows = {row.split("</td>")[0]: row for row in html.split('<tr class="employee')[1:]}
    (eva_row,) = [row for name, row in rows.items() if "Eva Claes" in name]
    (other_row,) = [row for name, row in rows.items() if others.membership.user.get_full_name() in name]
    assert 'class="badge certified"' in eva_row
    assert 'class="badge certified"' not in other_row


def test_my_data_includes_the_certificate_and_reminder_setting(eva_client, certificate):  # type: ignore[no-untyped-def]
    data = eva_client.get(reverse("learners:data")).json()
    (enrolment,) = data["enrolments"]
    assert enrolment["certificate_issued_at"] == "2027-03-31T22:30:00Z"
    assert (enrolment["reminders_enabled"], enrolment["last_reminded_at"]) == (True, None)
    assert all(row["read_at"] is None for row in data["deliveries"])

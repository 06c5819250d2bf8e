"""Invite links: an employee enrols themselves with the sign-in code from their mailbox."""

import datetime as dt
import email
import email.policy
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.invites import invite_create, invite_token
from courses.models import Enrolment, Offering
from organisations.models import Membership
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, UserFactory, enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering() -> Offering:
    organisation = OrganisationFactory.create(name="Gemeente Avelgem", slug="avelgem")
    course = CourseFactory.create(title="Sociale media", slug="sociale-media")
    return Offering.objects.create(organisation=organisation, course=course, start_date=dt.date(2027, 3, 1), seats=2)


def english() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def join_url(offering: Offering) -> str:
    token = invite_create(offering=offering, today=timezone.localdate())
    return reverse("join", args=[token])


def sign_in_code(outbox: Path, to: str) -> str:
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if to in str(message["To"]):
            text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", text, re.M)
            assert match, text
            return match.group(1)
    raise AssertionError(f"no mail to {to}")


def test_an_employee_joins_with_the_code_from_their_mailbox(offering, outbox_dir):  # type: ignore[no-untyped-def]
    client = english()
    url = join_url(offering)
    page = client.get(url).content.decode()
    assert "Gemeente Avelgem" in page
    assert "Sociale media" in page

    response = client.post(url, {"email": "Eva.Peeters@Avelgem.example", "first_name": "Eva", "last_name": "Peeters"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_confirm_login_code"))
    membership = Membership.objects.get(user__email="eva.peeters@avelgem.example")
    assert membership.role == Membership.Role.LEARNER
    assert not Enrolment.objects.exists()  # not before the address is proven

    code = sign_in_code(outbox_dir, "eva.peeters@avelgem.example")
    confirm = client.post(response["Location"], {"code": code}, follow=True)

    assert confirm.redirect_chain[-1][0] == reverse("learners:courses")
    assert "You are enrolled in Sociale media" in confirm.content.decode()
    enrolment = Enrolment.objects.get(membership=membership)
    assert enrolment.course == offering.course
    assert enrolment.start_date == offering.start_date
    assert client.get(reverse("learners:courses")).context["user"].email == "eva.peeters@avelgem.example"


def test_a_wrong_code_signs_in_and_enrols_no_one(offering, outbox_dir):  # type: ignore[no-untyped-def]
    client = english()
    url = join_url(offering)
    response = client.post(url, {"email": "eva@avelgem.example", "first_name": "Eva", "last_name": ""})
    client.post(response["Location"], {"code": "AAAAAA"})
    assert client.get(reverse("join_welcome", args=[url.split("/")[2]])).status_code == 302
    assert not Enrolment.objects.exists()


def test_an_expired_link_is_refused_with_a_clear_page(offering):  # type: ignore[no-untyped-def]
    token = invite_create(offering=offering, today=timezone.localdate() - dt.timedelta(days=31), days=30)
    response = english().get(reverse("join", args=[token]))
    assert response.status_code == 410
    assert "This invite link has expired" in response.content.decode()


def test_a_replaced_link_no_longer_works(offering):  # type: ignore[no-untyped-def]
    old = invite_create(offering=offering, today=timezone.localdate() - dt.timedelta(days=1))
    invite_create(offering=offering, today=timezone.localdate())
    assert english().get(reverse("join", args=[old])).status_code == 410


def test_a_forged_or_edited_link_is_refused(offering):  # type: ignore[no-untyped-def]
    token = invite_create(offering=offering, today=timezone.localdate())
    client = english()
    for bad in ["not-a-token", token[:-2] + ("AA" if not token.endswith("AA") else "BB")]:
        response = client.get(reverse("join", args=[bad]))
        assert response.status_code == 404
        assert "This invite link is not valid" in response.content.decode()


def test_a_full_course_refuses_new_joiners(offering, outbox_dir):  # type: ignore[no-untyped-def]
    enrol(offering.course, organisation=offering.organisation, start=offering.start_date)
    enrol(offering.course, organisation=offering.organisation, start=offering.start_date)
    client = english()
    url = join_url(offering)
    response = client.get(url)
    assert response.status_code == 409
    assert "All seats for this course are taken" in response.content.decode()
    response = client.post(url, {"email": "late@avelgem.example", "first_name": "Late"})
    assert response.status_code == 409
    assert not Membership.objects.filter(user__email="late@avelgem.example").exists()
    assert not list(Path(outbox_dir).glob("*.eml"))


def test_the_admin_makes_a_link_and_sees_it(offering):  # type: ignore[no-untyped-def]
    admin = UserFactory.create()
    MembershipFactory.create(organisation=offering.organisation, user=admin, role=Membership.Role.ADMIN)
    client = english()
    client.force_login(admin)
    assert "No invite link yet." in client.get(reverse("dashboard:invites", args=["avelgem"])).content.decode()
    client.post(reverse("dashboard:invite_new", args=["avelgem", offering.pk]), {"days": "14"})
    offering.refresh_from_db()
    assert offering.invite_expires_on == timezone.localdate() + dt.timedelta(days=14)
    page = client.get(reverse("dashboard:invites", args=["avelgem"])).content.decode()
    assert f"http://testserver/join/{invite_token(offering)}/" in page

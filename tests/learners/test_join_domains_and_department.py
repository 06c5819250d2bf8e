"""Joining by invite: an organisation may limit it to its own email domains; the joiner names a department."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from courses.invites import invite_create, invite_enrol, invite_resolve
from courses.models import Enrolment, Offering
from mailer.models import OutgoingMail
from organisations.models import Membership, email_domains_parse, validate_email_domains
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering() -> Offering:
    organisation = OrganisationFactory.create(
        name="Gemeente Avelgem", slug="avelgem", allowed_email_domains="avelgem.be, ocmw-avelgem.be"
    )
    course = CourseFactory.create(title="Sociale media", slug="sociale-media")
    return Offering.objects.create(organisation=organisation, course=course, start_date=dt.date(2027, 3, 1))


def join_url(offering: Offering) -> str:
    return reverse("join", args=[invite_create(offering=offering, today=timezone.localdate())])


def dutch() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    return client


def test_domains_are_parsed_and_checked():  # type: ignore[no-untyped-def]
    assert email_domains_parse(" @Avelgem.be,ocmw-avelgem.be\nAVELGEM.be ") == ["avelgem.be", "ocmw-avelgem.be"]
    validate_email_domains("avelgem.be, sub.gemeente.be")
    for wrong in ["avelgem", "gmail.com/x", "-a.be", "a..be", "iemand@avelgem.be"]:
        with pytest.raises(ValidationError):
            validate_email_domains(wrong)


def test_an_address_outside_the_domains_is_refused_in_dutch_and_nothing_is_created(offering):  # type: ignore[no-untyped-def]
    response = dutch().post(join_url(offering), {"email": "eva@gmail.com", "first_name": "Eva", "last_name": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Gemeente Avelgem aanvaardt alleen adressen die eindigen op @avelgem.be, @ocmw-avelgem.be." in page
    assert "Gebruik je werkadres." in page
    assert not User.objects.filter(email="eva@gmail.com").exists()
    assert not Membership.objects.filter(user__email="eva@gmail.com").exists()


def test_an_address_at_an_allowed_domain_joins_with_a_department_it_chose(offering, outbox_dir):  # type: ignore[no-untyped-def]
    MembershipFactory.create(organisation=offering.organisation, department="Burgerzaken")
    client = dutch()
    url = join_url(offering)
    form = client.get(url).content.decode()
    assert '<datalist id="departments"><option value="Burgerzaken"></option></datalist>' in form
    assert 'list="departments"' in form
    response = client.post(
        url, {"email": "Eva@OCMW-Avelgem.be", "first_name": "Eva", "last_name": "P", "department": "Welzijn"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="eva@ocmw-avelgem.be")
    assert membership.department == "Welzijn"


def test_the_department_a_joiner_gives_does_not_overwrite_the_staff_lists(offering):  # type: ignore[no-untyped-def]
    user = UserFactory.create(email="jonas@avelgem.be")
    MembershipFactory.create(organisation=offering.organisation, user=user, department="Politie")
    dutch().post(join_url(offering), {"email": "jonas@avelgem.be", "first_name": "Jonas", "department": "ICT"})
    assert Membership.objects.get(user=user).department == "Politie"


def test_a_signed_in_person_outside_the_domains_is_refused(offering):  # type: ignore[no-untyped-def]
    client = dutch()
    client.force_login(UserFactory.create(email="eva@gmail.com"))
    response = client.post(join_url(offering), {"department": "ICT"})
    assert response.status_code == 403
    assert "aanvaardt alleen adressen" in response.content.decode()
    assert not Membership.objects.exists()


def test_any_address_joins_when_the_organisation_names_no_domain(offering):  # type: ignore[no-untyped-def]
    offering.organisation.allowed_email_domains = ""
    offering.organisation.save()
    response = dutch().post(join_url(offering), {"email": "eva@gmail.com", "first_name": "Eva"})
    assert response.status_code == 302


def test_a_join_queues_one_welcome_mail(offering):  # type: ignore[no-untyped-def]
    user = UserFactory.create(email="eva@avelgem.be")
    membership = MembershipFactory.create(organisation=offering.organisation, user=user)
    today = timezone.localdate()
    invite = invite_resolve(token=invite_create(offering=offering, today=today), today=today)
    enrolment = invite_enrol(invite=invite, membership=membership, now=timezone.now())
    invite_enrol(invite=invite, membership=membership, now=timezone.now())
    mail = OutgoingMail.objects.get(kind="welcome")
    assert mail.key == f"welcome:{enrolment.pk}"
    assert mail.to == "eva@avelgem.be"
    assert "Gemeente Avelgem" in mail.text
    assert Enrolment.objects.count() == 1

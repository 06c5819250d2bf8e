"""Organisation settings: calendar changes move planned lessons; everything is scoped."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Enrolment, Offering
from organisations.models import ClosurePeriod, Membership
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, UserFactory, enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():  # type: ignore[no-untyped-def]
    return OrganisationFactory.create(slug="avelgem")


@pytest.fixture
def admin_client(organisation):  # type: ignore[no-untyped-def]
    admin = UserFactory.create(email="hr@avelgem.example")
    MembershipFactory.create(organisation=organisation, user=admin, role=Membership.Role.ADMIN)
    client = Client()
    client.force_login(admin)
    return client


def test_adding_a_closure_moves_lessons_planned_inside_it(organisation, admin_client):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    enrolment = enrol(
        course, organisation=organisation, start=dt.date(2030, 7, 1), now=dt.datetime(2030, 6, 1, tzinfo=dt.UTC)
    )
    assert enrolment.next_due_at == dt.datetime(2030, 7, 1, 6, 30, tzinfo=dt.UTC)

    response = admin_client.post(
        reverse("dashboard:closure_add", args=["avelgem"]),
        {"label": "Bouwverlof", "start": "2030-07-01", "end": "2030-07-12"},
    )

    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.next_due_at == dt.datetime(2030, 7, 15, 6, 30, tzinfo=dt.UTC)
    assert ClosurePeriod.objects.get().label == "Bouwverlof"


def test_a_closure_that_ends_before_it_starts_is_refused(organisation, admin_client):  # type: ignore[no-untyped-def]
    response = admin_client.post(
        reverse("dashboard:closure_add", args=["avelgem"]), {"label": "x", "start": "2030-07-12", "end": "2030-07-01"}
    )
    assert response.status_code == 400
    assert not ClosurePeriod.objects.exists()


def test_changing_the_time_zone_keeps_the_local_send_time(organisation, admin_client):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    enrolment = enrol(
        course, organisation=organisation, start=dt.date(2030, 3, 4), now=dt.datetime(2030, 3, 1, tzinfo=dt.UTC)
    )
    admin_client.post(
        reverse("dashboard:settings", args=["avelgem"]),
        {"name": organisation.name, "timezone": "Europe/London", "holiday_country": "GB"},
    )
    enrolment.refresh_from_db()
    assert enrolment.next_due_at == dt.datetime(2030, 3, 4, 8, 30, tzinfo=dt.UTC)


def test_an_unknown_time_zone_is_refused_with_a_message(organisation, admin_client):  # type: ignore[no-untyped-def]
    response = admin_client.post(
        reverse("dashboard:settings", args=["avelgem"]),
        {"name": "X", "timezone": "Mars/Olympus", "holiday_country": "BE"},
    )
    assert response.status_code == 400
    assert "Mars/Olympus" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.timezone == "Europe/Brussels"


def test_an_admin_adds_a_course_with_seats_and_an_external_link(organisation, admin_client):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    admin_client.post(
        reverse("dashboard:offering_add", args=["avelgem"]),
        {
            "course": course.pk,
            "start_date": "2030-09-02",
            "seats": "40",
            "external_group_url": "https://teams.example/g",
        },
    )
    offering = Offering.objects.get()
    assert (offering.organisation, offering.seats) == (organisation, 40)
    page = admin_client.get(reverse("dashboard:settings", args=["avelgem"])).content.decode()
    assert "https://teams.example/g" in page


def test_admins_can_be_added_and_removed_but_not_oneself(organisation, admin_client):  # type: ignore[no-untyped-def]
    admin_client.post(reverse("dashboard:admin_add", args=["avelgem"]), {"email": "New.Admin@Avelgem.example"})
    added = Membership.objects.get(user__email="new.admin@avelgem.example")
    assert added.role == Membership.Role.ADMIN
    admin_client.post(reverse("dashboard:admin_remove", args=["avelgem", added.pk]))
    added.refresh_from_db()
    assert added.role == Membership.Role.LEARNER
    own = Membership.objects.get(user__email="hr@avelgem.example")
    admin_client.post(reverse("dashboard:admin_remove", args=["avelgem", own.pk]))
    own.refresh_from_db()
    assert own.role == Membership.Role.ADMIN


def test_a_learner_is_not_an_admin(organisation):  # type: ignore[no-untyped-def]
    learner = UserFactory.create()
    MembershipFactory.create(organisation=organisation, user=learner)
    client = Client()
    client.force_login(learner)
    assert client.get(reverse("dashboard:settings", args=["avelgem"])).status_code == 404


def test_an_admin_cannot_touch_another_organisations_closure(organisation, admin_client):  # type: ignore[no-untyped-def]
    other = OrganisationFactory.create(slug="kortrijk")
    closure = ClosurePeriod.objects.create(organisation=other, start=dt.date(2030, 1, 1), end=dt.date(2030, 1, 2))
    response = admin_client.post(reverse("dashboard:closure_delete", args=["avelgem", closure.pk]))
    assert response.status_code == 404
    assert ClosurePeriod.objects.filter(pk=closure.pk).exists()
    assert Enrolment.objects.count() == 0


def test_a_closure_that_ends_before_it_starts_shows_one_clear_error(organisation, admin_client):  # type: ignore[no-untyped-def]
    response = admin_client.post(
        reverse("dashboard:closure_add", args=["avelgem"]), {"label": "x", "start": "2030-07-12", "end": "2030-07-01"}
    )
    html = response.content.decode()
    assert "De laatste dag valt voor de eerste dag." in html
    assert "closure_end_after_start" not in html
    assert html.count('class="errorlist') == 1


def test_the_course_settings_show_the_start_date_in_iso_and_save_unchanged(organisation, admin_client):  # type: ignore[no-untyped-def]
    offering = Offering.objects.create(
        organisation=organisation, course=CourseFactory.create(), start_date=dt.date(2026, 12, 1)
    )
    url = reverse("dashboard:offering_edit", args=["avelgem", offering.pk])
    html = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert 'value="2026-12-01"' in html
    response = admin_client.post(url, {"start_date": "2026-12-01", "seats": "", "external_group_url": ""})
    assert response.status_code == 302
    offering.refresh_from_db()
    assert offering.start_date == dt.date(2026, 12, 1)


def test_time_zone_and_holiday_country_are_choices_with_belgian_defaults(organisation, admin_client):  # type: ignore[no-untyped-def]
    html = admin_client.get(reverse("dashboard:settings", args=["avelgem"])).content.decode()
    assert '<select name="timezone"' in html
    assert '<option value="Europe/Brussels" selected>' in html
    assert '<select name="holiday_country"' in html
    assert '<option value="BE" selected>' in html
    response = admin_client.post(
        reverse("dashboard:settings", args=["avelgem"]),
        {"name": "X", "timezone": "Europe/Brussels", "holiday_country": "ZZ"},
    )
    assert response.status_code == 400

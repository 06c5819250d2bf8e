"""The staff import's preview as an HR officer meets it: a short file removes nobody unless asked,
removals come first and are counted on the button, need their own tick (checked by the server too),
errors keep their line number, and a second confirmation says the file was already imported."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, Offering, StaffUpload
from courses.staff_uploads import staff_upload_import
from organisations.models import Membership, Organisation
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

FIVE = (
    "E-mailadres;Voornaam;Achternaam;Dienst\r\n"
    "a@avelgem.example;An;A;ICT\r\n"
    "b@avelgem.example;Bert;B;ICT\r\n"
    "geen-adres;Piet;Piers;ICT\r\n"
    "c@avelgem.example;Cas;C;ICT\r\n"
    "d@avelgem.example;Dirk;D;ICT\r\n"
).encode("cp1252")


@pytest.fixture
def organisation() -> Organisation:
    return OrganisationFactory.create(name="Gemeente Avelgem", slug="avelgem")


@pytest.fixture
def offering(organisation: Organisation) -> Offering:
    course = CourseFactory.create(title="Sociale media", slug="sociale-media")
    return Offering.objects.create(organisation=organisation, course=course, start_date=dt.date(2027, 3, 1))


def client_for(organisation: Organisation, language: str) -> Client:
    admin = UserFactory.create(email=f"hr-{language}@avelgem.example")
    MembershipFactory.create(organisation=organisation, user=admin, role=Membership.Role.ADMIN)
    client = Client()
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def dutch(organisation: Organisation) -> Client:
    return client_for(organisation, "nl")


@pytest.fixture
def leavers(organisation: Organisation, offering: Offering) -> list[Membership]:
    """Eleven people imported before who are not on the new five-person file."""
    people = []
    for n in range(11):
        user = UserFactory.create(email=f"oud{n}@avelgem.example", first_name=f"Oud{n}", last_name="Z")
        people.append(MembershipFactory.create(organisation=organisation, user=user, imported_at=timezone.now()))
    return people


def upload(client: Client, offering: Offering, *, full: bool | None = None) -> StaffUpload:
    form: dict[str, object] = {
        "file": SimpleUploadedFile("personeel.csv", FIVE, content_type="text/csv"),
        "offering": str(offering.pk),
    }
    if full:
        form["full_list"] = "on"
    response = client.post(reverse("dashboard:staff_import", args=["avelgem"]), form)
    assert response.status_code == 302
    return StaffUpload.objects.latest("pk")


def test_the_full_list_box_is_off_by_default_so_a_short_file_removes_nobody(dutch, offering, leavers):  # type: ignore[no-untyped-def]
    form = dutch.get(reverse("dashboard:staff_import", args=["avelgem"])).content.decode()
    assert 'name="full_list"' in form
    assert 'name="full_list" checked' not in form
    assert "Dit is de volledige personeelslijst" in form
    pending = upload(dutch, offering)
    assert not pending.full_list
    page = dutch.get(reverse("dashboard:staff_import_preview", args=["avelgem", pending.pk])).content.decode()
    assert "Bevestig: 4 nieuw, 4 ingeschreven" in page
    assert 'name="removals"' not in page


def test_removals_come_first_in_red_with_their_count_on_the_button(dutch, offering, leavers):  # type: ignore[no-untyped-def]
    pending = upload(dutch, offering, full=True)
    page = dutch.get(reverse("dashboard:staff_import_preview", args=["avelgem", pending.pk])).content.decode()
    assert "Bevestig: 4 nieuw, 4 ingeschreven, 11 verwijderen" in page
    assert "Ik begrijp dat 11 mensen worden uitgeschreven." in page
    assert '<input type="checkbox" name="removals" value="11" required>' in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr class=")[1:]
    assert [row.split('"')[1] for row in rows[:11]] == ["remove"] * 11
    assert "✕" in rows[0]  # a text marker, not colour alone
    assert "niet in het bestand" in rows[0]
    assert "css/org-admin.css" in page  # the stylesheet that colours them and fits the table


def test_a_row_with_an_error_shows_its_line_number_in_dutch_too(dutch, offering):  # type: ignore[no-untyped-def]
    pending = upload(dutch, offering)
    page = dutch.get(reverse("dashboard:staff_import_preview", args=["avelgem", pending.pk])).content.decode()
    error_row = next(row for row in page.split("<tr class=")[1:] if row.startswith('"error"'))
    assert '<td class="line" data-label="Regel">4</td>' in error_row
    assert "geen geldig e-mailadres" in error_row


def test_the_server_refuses_removals_without_the_tick(dutch, offering, leavers, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    pending = upload(dutch, offering, full=True)
    confirm = reverse("dashboard:staff_import_confirm", args=["avelgem", pending.pk])
    with django_capture_on_commit_callbacks() as queued:
        refused = dutch.post(confirm, follow=True)
        wrong_count = dutch.post(confirm, {"removals": "3"})
    assert not queued
    assert refused.redirect_chain[-1][0] == reverse("dashboard:staff_import_preview", args=["avelgem", pending.pk])
    assert "Vink het vakje aan" in refused.content.decode()
    assert wrong_count.status_code == 302
    pending.refresh_from_db()
    assert pending.confirmed_at is None
    with django_capture_on_commit_callbacks() as queued:
        dutch.post(confirm, {"removals": "11"})
    assert len(queued) == 1


def test_confirming_an_imported_file_again_says_so_and_links_to_the_result(dutch, offering):  # type: ignore[no-untyped-def]
    pending = upload(dutch, offering)
    confirm = reverse("dashboard:staff_import_confirm", args=["avelgem", pending.pk])
    dutch.post(confirm)
    staff_upload_import(upload_id=pending.pk, now=timezone.now())
    again = dutch.post(confirm)
    page = again.content.decode()
    assert again.status_code == 200
    assert "Dit bestand is al geïmporteerd" in page
    assert reverse("dashboard:staff_import_result", args=["avelgem", pending.pk]) in page
    back = dutch.get(reverse("dashboard:staff_import_preview", args=["avelgem", pending.pk]), follow=True)
    assert back.status_code == 200
    assert "Dit bestand is al geïmporteerd." in back.content.decode()
    assert Enrolment.objects.count() == 4


def test_the_confirmation_costs_a_fixed_number_of_queries(dutch, offering, leavers, django_assert_num_queries):  # type: ignore[no-untyped-def]
    pending = upload(dutch, offering, full=True)
    confirm = reverse("dashboard:staff_import_confirm", args=["avelgem", pending.pk])
    # Session and user, the organisation, the upload, the plan's members and enrolments and
    # offering (the removal check), then the conditional claim.
    with django_assert_num_queries(9):
        dutch.post(confirm, {"removals": "11"})

"""An organisation admin imports HR's spreadsheet: upload, preview that writes nothing, confirm;
a real worker imports it while the page shows the progress, then the result."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from courses.models import Enrolment, Offering, StaffUpload
from organisations.models import Membership
from tests.factories import MembershipFactory, enrol_many
from tests.workers import running_worker, wait_until

pytestmark = pytest.mark.django_db

EXCEL = (
    "E-mailadres;Voornaam;Achternaam;Dienst\r\n"
    "eva.peeters@avelgem.example;Eva;Peeters;Burgerzaken\r\n"
    "\r\n"
    "jonas@avelgem.example ; Jonas ; Claes ; Politie\r\n"
    "geen-adres;Piet;Piers;ICT\r\n"
    "EVA.PEETERS@avelgem.example;Eva;Peeters;Burgerzaken\r\n"
    "anaïs@x;Anaïs;Dubois;Welzijn\r\n"
).encode("cp1252")


def upload(client, offering: Offering | None, data: bytes = EXCEL, full: bool = True):  # type: ignore[no-untyped-def]
    form: dict[str, object] = {"file": SimpleUploadedFile("personeel.csv", data, content_type="text/csv")}
    form["offering"] = str(offering.pk) if offering else ""
    if full:
        form["full_list"] = "on"
    return client.post(reverse("dashboard:staff_import", args=["avelgem"]), form)


def test_the_preview_shows_every_row_and_writes_nothing(admin_client, offering):  # type: ignore[no-untyped-def]
    response = upload(admin_client, offering)
    assert response.status_code == 302
    preview = admin_client.get(response["Location"])
    page = preview.content.decode()
    assert "2 to create, 0 to update, 0 unchanged, 0 to remove, 2 to enrol, 3 with errors." in page
    assert "eva.peeters@avelgem.example" in page
    assert "&#x27;geen-adres&#x27; is not a valid email address" in page
    assert "eva.peeters@avelgem.example already appears on line 2" in page
    assert "Confirm: 2 new, 2 enrolled" in page
    assert not User.objects.filter(email__endswith="@avelgem.example").exclude(email="hr@avelgem.example").exists()
    assert not Enrolment.objects.exists()


@pytest.fixture
def worker():  # type: ignore[no-untyped-def]
    with running_worker() as worker:
        yield worker


def imported(upload_id: int) -> bool:
    return StaffUpload.objects.filter(pk=upload_id, imported_at__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_confirming_imports_in_a_worker_and_shows_the_result(admin_client, offering, worker):  # type: ignore[no-untyped-def]
    preview_url = upload(admin_client, offering)["Location"]
    upload_id = StaffUpload.objects.get().pk
    status_url = reverse("dashboard:staff_import_status", args=["avelgem", upload_id])
    result_url = reverse("dashboard:staff_import_result", args=["avelgem", upload_id])
    response = admin_client.post(reverse("dashboard:staff_import_confirm", args=["avelgem", upload_id]))
    assert response.status_code == 302
    assert response["Location"] == status_url

    assert wait_until(lambda: imported(upload_id)), "the worker did not import the list"
    assert admin_client.get(status_url)["Location"] == result_url
    page = admin_client.get(result_url).content.decode()
    assert "Staff list imported: 2 new, 0 updated, 0 unchanged, 2 enrolled, 0 removed." in page
    assert "&#x27;geen-adres&#x27; is not a valid email address" in page
    staff = admin_client.get(reverse("dashboard:staff_list", args=["avelgem"])).content.decode()
    assert "Jonas Claes" in staff
    assert "Politie" in staff
    assert Enrolment.objects.filter(course=offering.course).count() == 2
    assert Enrolment.objects.get(membership__user__email="jonas@avelgem.example").start_date == offering.start_date
    # The file, personal data, is not kept once imported.
    assert bytes(StaffUpload.objects.get().data) == b""

    # The back button: the preview and a second confirmation say it is done, and import nothing twice.
    assert admin_client.get(preview_url)["Location"] == status_url
    again = admin_client.post(reverse("dashboard:staff_import_confirm", args=["avelgem", upload_id]))
    assert again.status_code == 200
    assert "This file was already imported" in again.content.decode()
    assert f'href="{result_url}"' in again.content.decode()
    assert Membership.objects.filter(role=Membership.Role.LEARNER).count() == 2


def test_a_confirmed_list_shows_progress_and_a_second_confirmation_queues_nothing(  # type: ignore[no-untyped-def]
    admin_client, offering, django_capture_on_commit_callbacks
):
    upload(admin_client, offering)
    upload_id = StaffUpload.objects.get().pk
    confirm = reverse("dashboard:staff_import_confirm", args=["avelgem", upload_id])
    with django_capture_on_commit_callbacks() as queued:
        admin_client.post(confirm)
    with django_capture_on_commit_callbacks() as queued_again:
        response = admin_client.post(confirm, follow=True)
    assert (len(queued), len(queued_again)) == (1, 0)
    page = response.content.decode()
    assert "This staff list is already being imported." in page
    assert "Waiting for the import to start" in page
    assert "js/import-progress.js" in page  # it follows the import by itself
    state = admin_client.get(response.request["PATH_INFO"], headers={"Accept": "application/json"}).json()
    assert state == {"finished": False, "stuck": False, "done": 0, "total": 0, "message": "0 of 0 rows processed."}
    assert not Enrolment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_seats_taken_between_preview_and_import_refuse_it_and_the_preview_says_why(  # type: ignore[no-untyped-def]
    admin_client, organisation, offering, worker
):
    upload(admin_client, offering)
    upload_id = StaffUpload.objects.get().pk
    Offering.objects.filter(pk=offering.pk).update(seats=1)
    response = admin_client.post(reverse("dashboard:staff_import_confirm", args=["avelgem", upload_id]))
    assert wait_until(lambda: StaffUpload.objects.filter(pk=upload_id, confirmed_at__isnull=True).exists())
    page = admin_client.get(response["Location"], follow=True).content.decode()
    assert "has 1 seats for Gemeente Avelgem" in page
    assert "Preview of the import" in page
    assert not Enrolment.objects.exists()
    assert not Membership.objects.filter(user__email="jonas@avelgem.example").exists()


def test_the_preview_refuses_an_import_beyond_the_seats(admin_client, offering):  # type: ignore[no-untyped-def]
    Offering.objects.filter(pk=offering.pk).update(seats=1)
    page = admin_client.get(upload(admin_client, offering)["Location"]).content.decode()
    assert "Not enough seats:" in page
    assert "confirm-import" not in page


def test_a_workbook_upload_gets_a_clear_error_and_no_confirm_button(admin_client, offering):  # type: ignore[no-untyped-def]
    page = admin_client.get(upload(admin_client, offering, data=b"PK\x03\x04rest-of-zip")["Location"]).content
    assert b"this is not a CSV file; in Excel choose Save as" in page
    assert b"confirm-import" not in page


def test_a_complete_list_previews_the_people_who_leave(admin_client, organisation, offering):  # type: ignore[no-untyped-def]
    gone = MembershipFactory.create(organisation=organisation, imported_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    page = admin_client.get(upload(admin_client, offering)["Location"]).content.decode()
    assert "1 to remove" in page
    assert gone.user.email in page
    assert "to remove (not in the list)" in page


def test_another_organisations_admin_gets_404_on_every_staff_and_invite_url(  # type: ignore[no-untyped-def]
    admin_client, other_admin_client, offering
):
    upload(admin_client, offering)
    upload_id = StaffUpload.objects.get().pk
    for url in [
        reverse("dashboard:staff_list", args=["avelgem"]),
        reverse("dashboard:staff_import", args=["avelgem"]),
        reverse("dashboard:staff_import_preview", args=["avelgem", upload_id]),
        reverse("dashboard:staff_import_status", args=["avelgem", upload_id]),
        reverse("dashboard:staff_import_result", args=["avelgem", upload_id]),
        reverse("dashboard:invites", args=["avelgem"]),
    ]:
        assert other_admin_client.get(url).status_code == 404, url
    for url in [
        reverse("dashboard:staff_import", args=["avelgem"]),
        reverse("dashboard:staff_import_confirm", args=["avelgem", upload_id]),
        reverse("dashboard:invite_new", args=["avelgem", offering.pk]),
    ]:
        assert other_admin_client.post(url).status_code == 404, url
    # Guessing the id under their own organisation's URLs finds nothing either.
    assert (
        other_admin_client.get(reverse("dashboard:staff_import_preview", args=["politiezone", upload_id])).status_code
        == 404
    )
    assert (
        other_admin_client.post(reverse("dashboard:staff_import_confirm", args=["politiezone", upload_id])).status_code
        == 404
    )
    assert (
        other_admin_client.post(reverse("dashboard:invite_new", args=["politiezone", offering.pk])).status_code == 404
    )
    assert not Enrolment.objects.exists()
    assert StaffUpload.objects.get().confirmed_at is None


def test_the_staff_list_takes_the_same_queries_for_300_members(  # type: ignore[no-untyped-def]
    admin_client, organisation, offering, django_assert_max_num_queries
):
    enrol_many(offering.course, organisation, 300, start=offering.start_date)
    Enrolment.objects.update(lessons_sent=7, lessons_completed=5)
    url = reverse("dashboard:staff_list", args=["avelgem"])
    # Session, user, organisation, count, one page of members, their enrolments.
    with django_assert_max_num_queries(6):
        response = admin_client.get(url)
    page = response.content.decode()
    assert "5 completed / 7 sent" in page
    assert "301 people" in page
    with django_assert_max_num_queries(6):
        admin_client.get(url + "?page=3")


def test_a_staff_upload_needs_a_file(admin_client, offering):  # type: ignore[no-untyped-def]
    response = admin_client.post(reverse("dashboard:staff_import", args=["avelgem"]), {"offering": offering.pk})
    assert response.status_code == 200
    assert not StaffUpload.objects.exists()
    assert User.objects.count() == 1

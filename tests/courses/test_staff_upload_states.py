"""A confirmed staff upload moves through queued, imported or refused; a task run twice imports once,
and only an import that stopped reporting can be started again."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, Offering, StaffUpload
from courses.staff_uploads import (
    STALE_CONFIRMATION,
    Confirmation,
    _progress_set,
    staff_upload_confirm,
    staff_upload_import,
)
from organisations.models import Membership
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

CSV = b"email;voornaam;achternaam;dienst\r\neva@avelgem.example;Eva;Peeters;ICT\r\njo@avelgem.example;Jo;Maes;ICT\r\n"


@pytest.fixture
def pending() -> StaffUpload:
    organisation = OrganisationFactory.create(name="Gemeente Avelgem", slug="avelgem")
    offering = Offering.objects.create(
        organisation=organisation, course=CourseFactory.create(), start_date=dt.date(2027, 3, 1)
    )
    return StaffUpload.objects.create(organisation=organisation, filename="personeel.csv", data=CSV, offering=offering)


def admin_client(upload: StaffUpload) -> Client:
    admin = UserFactory.create(email="hr@avelgem.example")
    MembershipFactory.create(organisation=upload.organisation, user=admin, role=Membership.Role.ADMIN)
    client = Client()
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Confirm as the view does; what it queues on commit is returned."""

    def run(upload: StaffUpload, now: dt.datetime) -> tuple[Confirmation, list[int]]:
        queued: list[int] = []
        with django_capture_on_commit_callbacks(execute=True):
            confirmation = staff_upload_confirm(upload=upload, now=now, queue=queued.append)
        return confirmation, queued

    return run


def test_a_task_run_twice_imports_once_and_keeps_the_first_result(pending, confirm):  # type: ignore[no-untyped-def]
    confirmation, queued = confirm(pending, timezone.now())
    assert (confirmation, queued) == (Confirmation.QUEUED, [pending.pk])
    staff_upload_import(upload_id=pending.pk, now=timezone.now())
    first = StaffUpload.objects.get(pk=pending.pk)
    staff_upload_import(upload_id=pending.pk, now=timezone.now() + dt.timedelta(minutes=1))
    again = StaffUpload.objects.get(pk=pending.pk)
    assert (again.imported_at, again.result) == (first.imported_at, first.result)
    assert first.result["counts"]["create"] == 2
    assert Membership.objects.count() == 2
    assert Enrolment.objects.count() == 2


def test_an_upload_that_was_never_confirmed_is_not_imported_by_a_stray_task(pending):  # type: ignore[no-untyped-def]
    staff_upload_import(upload_id=pending.pk, now=timezone.now())
    assert StaffUpload.objects.get(pk=pending.pk).imported_at is None
    assert not Membership.objects.exists()


def test_a_confirmation_that_never_started_can_be_started_again(pending, confirm):  # type: ignore[no-untyped-def]
    now = timezone.now()
    assert confirm(pending, now) == (Confirmation.QUEUED, [pending.pk])
    client = admin_client(pending)
    status_url = reverse("dashboard:staff_import_status", args=["avelgem", pending.pk])
    assert "Start the import again" not in client.get(status_url).content.decode()
    assert confirm(pending, now + dt.timedelta(seconds=30)) == (Confirmation.ALREADY_QUEUED, [])

    StaffUpload.objects.filter(pk=pending.pk).update(confirmed_at=now - STALE_CONFIRMATION - dt.timedelta(seconds=1))
    page = client.get(status_url).content.decode()
    assert "Start the import again" in page
    assert "js/import-progress.js" not in page
    assert confirm(pending, now) == (Confirmation.QUEUED, [pending.pk])


def test_an_import_that_reports_progress_is_never_queued_twice(pending, confirm):  # type: ignore[no-untyped-def]
    now = timezone.now()
    confirm(pending, now)
    StaffUpload.objects.filter(pk=pending.pk).update(confirmed_at=now - dt.timedelta(hours=1))
    _progress_set(pending.pk, 5000, 100_000)  # a long import, still writing
    assert confirm(pending, now) == (Confirmation.ALREADY_QUEUED, [])
    page = admin_client(pending).get(reverse("dashboard:staff_import_status", args=["avelgem", pending.pk]))
    assert "5000 of 100000 rows processed." in page.content.decode()

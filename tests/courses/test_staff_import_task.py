"""The staff import runs in a worker: 100,000 rows import with a progress bar and no timeout, and a
worker killed in the middle leaves nothing written; confirming again imports it once."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from courses.models import Enrolment, Offering, StaffUpload
from courses.staff_uploads import STALE_CONFIRMATION, staff_upload_confirm, staff_upload_progress
from courses.tasks import import_staff_upload
from organisations.models import Membership, Organisation
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.workers import running_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

DEPARTMENTS = ["Burgerzaken", "Politie", "Welzijn", "ICT", "Financiën", "Communicatie", "Technische dienst"]


def staff_list(rows: int) -> bytes:
    """Excel's CSV: ``;``, cp1252, names and departments, about 60 bytes a row."""
    lines = ["E-mailadres;Voornaam;Achternaam;Dienst"]
    lines += [
        f"medewerker.{i}@avelgem.example;Voornaam{i};Achternaam{i % 977};{DEPARTMENTS[i % len(DEPARTMENTS)]}"
        for i in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


@pytest.fixture
def avelgem() -> tuple[Organisation, Offering, Client]:
    organisation = OrganisationFactory.create(name="Gemeente Avelgem", slug="avelgem")
    offering = Offering.objects.create(
        organisation=organisation, course=CourseFactory.create(title="Sociale media"), start_date=dt.date(2027, 3, 1)
    )
    admin = UserFactory.create(email="hr@avelgem.example")
    MembershipFactory.create(organisation=organisation, user=admin, role=Membership.Role.ADMIN)
    client = Client()
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return organisation, offering, client


def upload(client: Client, offering: Offering, data: bytes) -> StaffUpload:
    form = {"file": SimpleUploadedFile("personeel.csv", data, content_type="text/csv"), "offering": str(offering.pk)}
    response = client.post(reverse("dashboard:staff_import", args=["avelgem"]), form)
    assert response.status_code == 302, response.content[:2000]
    return StaffUpload.objects.get()


def learners(organisation: Organisation) -> int:
    return Membership.objects.filter(organisation=organisation, role=Membership.Role.LEARNER).count()


@pytest.mark.timeout(600)
def test_a_100000_row_list_imports_in_a_worker_while_the_page_shows_its_progress(avelgem):  # type: ignore[no-untyped-def]
    organisation, offering, client = avelgem
    data = staff_list(100_000)
    assert len(data) < 10 * 1024 * 1024
    pending = upload(client, offering, data)
    started = time.monotonic()
    preview = client.get(reverse("dashboard:staff_import_preview", args=["avelgem", pending.pk]))
    preview_seconds = time.monotonic() - started
    page = preview.content.decode()
    assert "100000 to create, 0 to update, 0 unchanged, 0 to remove, 100000 to enrol, 0 with errors." in page
    assert "99000 more rows are not shown" in page
    assert page.count("<tr class=") == 1000

    status_url = reverse("dashboard:staff_import_status", args=["avelgem", pending.pk])
    seen = []
    with running_worker():
        started = time.monotonic()
        client.post(reverse("dashboard:staff_import_confirm", args=["avelgem", pending.pk]))
        while time.monotonic() - started < 300:
            response = client.get(status_url)
            if response.status_code == 302:
                break
            seen.append(response.content.decode())
            time.sleep(0.5)
        import_seconds = time.monotonic() - started
    assert response["Location"] == reverse("dashboard:staff_import_result", args=["avelgem", pending.pk])
    assert any("rows processed." in page and 'progress class="bar" max="100000"' in page for page in seen)
    assert learners(organisation) == 100_000
    assert Enrolment.objects.filter(course=offering.course).count() == 100_000
    assert Membership.objects.filter(department="Financiën").count() == 100_000 // 7 + (100_000 % 7 > 4)
    result = client.get(response["Location"]).content.decode()
    assert "Staff list imported: 100000 new, 0 updated, 0 unchanged, 100000 enrolled, 0 removed." in result
    print(f"\n100,000 rows on {connection.vendor}: preview {preview_seconds:.1f} s, import {import_seconds:.1f} s")


def written(upload_id: int) -> int:
    progress = staff_upload_progress(upload_id)
    return progress.done if progress else 0


def subprocess_worker(log: Path) -> subprocess.Popen:
    """A worker in its own process, on this test's database and broker, that we can SIGKILL."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{database['NAME']}"
    else:
        url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "druppel.test_settings", "DATABASE_URL": url}
    command = [sys.executable, "-m", "celery", "-A", "druppel", "worker", "--pool", "solo", "--queues", "digest"]
    command += ["--without-mingle", "--without-gossip", "--loglevel", "INFO"]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.mark.timeout(300)
def test_a_worker_killed_mid_import_leaves_nothing_and_confirming_again_imports_once(avelgem, tmp_path):  # type: ignore[no-untyped-def]
    organisation, offering, client = avelgem
    rows = 40_000
    pending = upload(client, offering, staff_list(rows))
    worker = subprocess_worker(tmp_path / "worker.log")
    try:
        client.post(reverse("dashboard:staff_import_confirm", args=["avelgem", pending.pk]))
        halfway = wait_until(lambda: written(pending.pk) >= 5000, timeout=120)
        assert halfway, (tmp_path / "worker.log").read_text()[-3000:]
        progress = staff_upload_progress(pending.pk)
        assert progress is not None
        assert 5000 <= progress.done < rows
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    # The transaction died with the worker: not one row of the file was written.
    pending.refresh_from_db()
    assert pending.imported_at is None
    assert learners(organisation) == 0
    assert not User.objects.filter(email__startswith="medewerker.").exists()
    assert not Enrolment.objects.exists()
    status = client.get(reverse("dashboard:staff_import_status", args=["avelgem", pending.pk]))
    assert status.status_code == 200
    assert "Start the import again" not in status.content.decode()  # not yet: it may still be running

    # Minutes later the page offers to start again; that confirmation imports it, once.
    later = timezone.now() + STALE_CONFIRMATION + dt.timedelta(seconds=5)
    with running_worker():
        with transaction.atomic():
            staff_upload_confirm(upload=pending, now=later, queue=lambda pk: import_staff_upload.delay(pk))
        assert wait_until(lambda: StaffUpload.objects.filter(pk=pending.pk, imported_at__isnull=False).exists(), 240)
    assert learners(organisation) == rows
    assert User.objects.filter(email__startswith="medewerker.").count() == rows
    assert Enrolment.objects.filter(course=offering.course).count() == rows

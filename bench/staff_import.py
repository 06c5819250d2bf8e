"""Benchmark: a 100,000-row staff list from HR, previewed and then imported as the worker imports it.

The upload is a real StaffUpload (Excel's ``;`` and cp1252, names and departments);
the import is the body of ``courses.tasks.import_staff_upload``, one transaction.
A second upload of the same list then measures a re-import that changes nothing.
"""

import datetime as dt
import os
import time

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from courses.models import Course, Enrolment, Offering, StaffUpload
from courses.staff_import import staff_import_plan
from courses.staff_uploads import staff_upload_import
from organisations.models import Membership, Organisation
from organisations.staff_csv import parse_staff_csv

DEPARTMENTS = ["Burgerzaken", "Politie", "Welzijn", "ICT", "Financiën", "Communicatie", "Technische dienst"]


def staff_csv(rows: int) -> bytes:
    lines = ["E-mailadres;Voornaam;Achternaam;Dienst"]
    lines += [
        f"medewerker.{i}@bench.example;Voornaam{i};Achternaam{i % 977};{DEPARTMENTS[i % len(DEPARTMENTS)]}"
        for i in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def _timed(action):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return round(time.perf_counter() - wall, 1), round(time.process_time() - cpu, 1)


def _upload(organisation: Organisation, offering: Offering, data: bytes) -> StaffUpload:
    return StaffUpload.objects.create(
        organisation=organisation, filename="personeel.csv", data=data, offering=offering, confirmed_at=timezone.now()
    )


def run_staff_import_benchmark(*, rows: int) -> dict[str, dict]:
    call_command("migrate", verbosity=0)
    load_before = os.getloadavg()[0]
    organisation = Organisation.objects.create(name="Import bench", slug="import-bench")
    course = Course.objects.create(title="Import bench", slug="import-bench")
    offering = Offering.objects.create(organisation=organisation, course=course, start_date=dt.date(2027, 3, 1))
    data = staff_csv(rows)
    first = _upload(organisation, offering, data)

    def preview() -> None:
        plan = staff_import_plan(organisation=organisation, staff=parse_staff_csv(data), course=course, full=True)
        assert plan.counts["create"] == rows

    preview_s, preview_cpu = _timed(preview)
    import_s, import_cpu = _timed(lambda: staff_upload_import(upload_id=first.pk, now=timezone.now()))
    assert Membership.objects.filter(organisation=organisation).count() == rows
    assert Enrolment.objects.filter(course=course).count() == rows
    # Autovacuum analyses tables this size within a minute of 100,000 inserts; measure the
    # re-import as it runs then, not against the planner's picture of empty tables.
    with connection.cursor() as cursor:
        for table in ("accounts_user", "organisations_membership", "courses_enrolment"):
            cursor.execute(f"ANALYZE {table}")
    again = _upload(organisation, offering, data)
    reimport_s, reimport_cpu = _timed(lambda: staff_upload_import(upload_id=again.pk, now=timezone.now()))
    assert StaffUpload.objects.get(pk=again.pk).result["counts"]["unchanged"] == rows
    result = {
        "rows": rows,
        "file_bytes": len(data),
        "preview_s": preview_s,
        "preview_cpu_s": preview_cpu,
        "import_s": import_s,
        "import_cpu_s": import_cpu,
        "reimport_unchanged_s": reimport_s,
        "reimport_cpu_s": reimport_cpu,
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    print(
        f"staff import of {rows:,} rows ({len(data) / 1e6:.1f} MB): preview {preview_s} s, import {import_s} s "
        f"(this process's CPU {import_cpu} s), unchanged re-import {reimport_s} s; "
        f"load average before and after {result['load_average']}"
    )
    return {"staff_import_100k": result}
